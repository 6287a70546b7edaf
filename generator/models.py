"""Model generation: datamodel-code-generator's Python API on the registry's schemas, plus the rules it cannot say.

The schemas are generated in chunks that can run in parallel processes (`plan_chunks`, `generate_chunk`) and are
put back together in one module (`assemble_models`). A field that names a schema of another group of
`SchemaRegistry.units()` reaches datamodel-code-generator as a reference to an external module: field annotations
are evaluated late, so that module never has to exist. Every group therefore gives the same code whichever chunk it
lands in, and the output does not depend on the chunking. Chunking also keeps each run small, which matters because
datamodel-code-generator's passes grow faster than linearly with the number of models in one run.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.errors import GenerationError, Problem
from generator.render import pyrepr
from generator.schemas import (
    COMPONENT_REF,
    ModelRules,
    SchemaRegistry,
    UnionRule,
    is_object_schema,
    is_present_condition,
    runtime_pattern,
)

CHUNK_SCHEMAS = 256
"""Schemas per datamodel-code-generator run: small enough to keep its passes quick, large enough to amortise a run."""

_PLACEHOLDER_BASE = "_streamspec_runtime.model.ApiModel"
_ELSEWHERE_FILE = "streamspec-elsewhere.json"
_ELSEWHERE_MODULE = "_streamspec_elsewhere"
# Names of other groups' schemas as datamodel-code-generator sees them: distinct from any schema of the chunk, or it
# would rename its own class to make room for the import (`CallbackDetailModel`); the prefix goes once it has run.
_ELSEWHERE_PREFIX = "StreamspecElsewhere"


@dataclass(frozen=True)
class ModelChunk:
    """Whole groups of schemas for one datamodel-code-generator run, with fields into other groups made external."""

    spec: str
    openapi: str
    schemas: dict[str, Any]


@dataclass(frozen=True)
class ChunkModels:
    """One run's code: its import statements and, in the order it emitted them, each schema's definition."""

    imports: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...]
    external: frozenset[str]


def plan_chunks(registry: SchemaRegistry, size: int = CHUNK_SCHEMAS) -> list[ModelChunk]:
    """The registry's schemas as chunks of about `size` schemas; a group of `units()` is never split."""
    units = registry.units()
    unit_of = {name: i for i, unit in enumerate(units) for name in unit}
    chunks: list[list[str]] = [[]]
    for unit in units:
        if chunks[-1] and len(chunks[-1]) + len(unit) > size:
            chunks.append([])
        chunks[-1].extend(unit)
    version = str(registry.spec.document.get("openapi", "3.1.0"))
    return [
        ModelChunk(
            registry.spec.display,
            version,
            {name: _external_fields(registry.schemas, name, unit_of, version) for name in names},
        )
        for names in chunks
        if names
    ]


def _external_fields(schemas: dict[str, Any], name: str, unit_of: dict[str, int], version: str) -> Any:
    """Schema `name` with each field reference into another group pointed at the external placeholder module.

    datamodel-code-generator reads one thing from a referenced schema at the field: whether it admits null (the
    field becomes `X | None`; for an alias, which holds the null itself, only in OpenAPI 3.0). An external
    reference hides the schema, so that is said beside it.
    """
    schema = schemas[name]
    if not is_object_schema(schema) or not isinstance(schema.get("properties"), dict):
        return schema

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(COMPONENT_REF):
                target = ref[len(COMPONENT_REF) :]
                if unit_of[target] != unit_of[name]:
                    external = {"$ref": f"{_ELSEWHERE_FILE}#/{_ELSEWHERE_PREFIX}{target}"}
                    siblings = {k: v for k, v in node.items() if k != "$ref"}
                    nullable_here = is_object_schema(schemas[target]) or version.startswith("3.0")
                    if nullable_here and _admits_null(schemas[target]):
                        return {**siblings, "anyOf": [external, {"type": "null"}]}
                    return {**siblings, **external}
            return {key: rewrite(value) for key, value in node.items()}
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    return {**schema, "properties": rewrite(schema["properties"])}


def _admits_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return schema.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind)


def generate_chunk(chunk: ModelChunk) -> ChunkModels:
    """Run datamodel-code-generator on one chunk and split its module into imports and definitions."""
    from datamodel_code_generator import InputFileType, LiteralType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType, StrictTypes, TargetPydanticVersion

    document = {
        "openapi": chunk.openapi,
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": chunk.schemas},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            code = generate(
                document,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_311,
                target_pydantic_version=TargetPydanticVersion("2.14"),
                base_class=_PLACEHOLDER_BASE,
                external_ref_mapping={_ELSEWHERE_FILE: _ELSEWHERE_MODULE},
                strict_nullable=True,
                use_missing_sentinel=True,
                strict_types=[StrictTypes.int, StrictTypes.bool, StrictTypes.str, StrictTypes.float],
                disable_timestamp=True,
                formatters=[],
                use_annotated=True,
                field_constraints=True,
                use_standard_collections=True,
                use_union_operator=True,
                use_schema_description=True,
                use_field_description=True,
                enum_field_as_literal=LiteralType.All,
                use_type_alias=True,
                use_double_quotes=True,
                snake_case_field=True,
                keep_model_order=True,
                custom_file_header="",
            )
        except Exception as exc:  # datamodel-code-generator raises its own and plain errors alike
            raise _problem(chunk.spec, str(exc).strip()) from exc
    if not isinstance(code, str):
        raise _problem(chunk.spec, "expected one models module")
    return _split_module(_python_patterns(_open_enums(_factory_defaults(code)), chunk.schemas), chunk.spec)


def _open_enums(code: str) -> str:
    """Enums of two or more strings (or integers) become open: `Literal["A", "B"]` is typed
    `Annotated[Literal["A", "B"] | str, KNOWN_VALUES]`, so that code using a model handles a value the vendor adds
    later (a tolerant client keeps it as received) and still matches on the known ones; `KNOWN_VALUES` validates
    the `Literal` alone, so requests and strict reads stay closed. Single values (constants, discriminator tags)
    stay closed."""
    tree = ast.parse(code)
    edits: list[tuple[int, int, int, int, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal"):
            continue
        members = node.slice.elts if isinstance(node.slice, ast.Tuple) else []
        kinds = {type(m.value) for m in members if isinstance(m, ast.Constant)}
        if (
            len(members) < 2
            or len(kinds) != 1
            or kinds - {str, int}
            or not all(isinstance(m, ast.Constant) for m in members)
        ):
            continue
        literal = ast.get_source_segment(code, node) or ast.unparse(node)
        assert node.end_lineno is not None and node.end_col_offset is not None
        opened = f"Annotated[{literal} | {kinds.pop().__name__}, KNOWN_VALUES]"
        edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, opened))
    if not edits:
        return code
    lines = code.split("\n")
    for start, col, end, end_col, text in sorted(edits, reverse=True):
        first, last = lines[start - 1], lines[end - 1]
        lines[start - 1 : end] = [first[:col] + text + last[end_col:]]
    imports = "from typing import Annotated\nfrom ._runtime.model import KNOWN_VALUES\n"
    body = "\n".join(lines)
    future = "from __future__ import annotations\n"
    return body.replace(future, future + imports, 1) if future in body else imports + body


def _python_patterns(code: str, schemas: dict[str, Any]) -> str:
    """Patterns pydantic's default (Rust) regex engine cannot compile, compiled with Python's `re` instead.

    Rust's engine has no look-around or back-references and limits a compiled pattern's size (AWS writes
    `[\\w+=,.@-]{1,1000}`); given a compiled `re.Pattern`, pydantic checks that field with Python's engine, as
    openapi-spec-validator does. Every other pattern keeps the faster engine."""
    wanted = {p for p in _patterns(schemas) if not runtime_pattern(p)}
    if not wanted:
        return code
    tree = ast.parse(code)
    spots = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword)
        and node.arg == "pattern"
        and isinstance(node.value, ast.Constant)
        and node.value.value in wanted
    ]
    lines = code.split("\n")
    for value in sorted(spots, key=lambda v: (v.lineno, v.col_offset), reverse=True):
        assert value.end_lineno is not None and value.end_col_offset is not None
        first, last = lines[value.lineno - 1], lines[value.end_lineno - 1]
        segment = ast.get_source_segment(code, value) or repr(value.value)
        replaced = first[: value.col_offset] + f"re.compile({segment})" + last[value.end_col_offset :]
        lines[value.lineno - 1 : value.end_lineno] = [replaced]
    return ("import re\n" if spots else "") + "\n".join(lines)


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def _factory_defaults(code: str) -> str:
    """Fields whose default is a list, dict or set literal get it from a `default_factory` instead.

    datamodel-code-generator writes such defaults as class attributes: a dict default of a model-typed field then
    contradicts the annotation for a type checker, and mutable class attributes are what linters warn about.
    pydantic validates (`validate_default`) and copies a factory's value as it does a default's, so nothing else
    changes."""
    tree = ast.parse(code)
    edits: list[tuple[int, int, int, int, str]] = []
    lines = code.split("\n")
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.value, ast.Dict | ast.List | ast.Set)
            and isinstance(node.target, ast.Name)
        ):
            continue
        value = ast.get_source_segment(code, node.value) or ast.unparse(node.value)
        annotation = node.annotation
        field = (
            annotation.slice.elts[-1]
            if isinstance(annotation, ast.Subscript)
            and isinstance(annotation.slice, ast.Tuple)
            and isinstance(annotation.slice.elts[-1], ast.Call)
            and ast.unparse(annotation.slice.elts[-1].func) == "Field"
            else None
        )
        if isinstance(field, ast.Call):
            call = ast.get_source_segment(code, field) or ast.unparse(field)
            inner = call[call.index("(") + 1 : -1].strip()
            replacement_call = f"Field(default_factory=lambda: {value}{', ' + inner if inner else ''})"
            head = (ast.get_source_segment(code, annotation) or "").replace(call, replacement_call, 1)
            text = f"{node.target.id}: {head}"
        else:
            text = (
                f"{node.target.id}: {ast.get_source_segment(code, annotation)} = Field(default_factory=lambda: {value})"
            )
        assert node.end_lineno is not None and node.end_col_offset is not None
        edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text))
    for start, col, end, end_col, text in sorted(edits, reverse=True):
        first, last = lines[start - 1], lines[end - 1]
        lines[start - 1 : end] = [first[:col] + text + last[end_col:]]
    rewritten = "\n".join(lines)
    if edits and not re.search(r"^from pydantic import .*\bField\b", rewritten, re.M):
        rewritten = "from pydantic import Field\n" + rewritten
    return rewritten


def generate_chunks(chunks: list[ModelChunk]) -> list[ChunkModels | GenerationError]:
    """Several chunks in one job, each failure returned in its place: one spec's error hides no other's models."""
    results: list[ChunkModels | GenerationError] = []
    for chunk in chunks:
        try:
            results.append(generate_chunk(chunk))
        except GenerationError as exc:
            results.append(exc)
    return results


def _split_module(code: str, spec: str) -> ChunkModels:
    """Imports and top-level definitions of a generated module, other groups' names unprefixed; a module docstring
    goes with the definition before it, and eager `model_rebuild()` calls are dropped (the base model defers
    building)."""
    tree = ast.parse(code)
    prefixed = {
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == _ELSEWHERE_MODULE
        for alias in node.names
    }
    lines = _unprefixed(code.splitlines(), tree, prefixed)
    imports: list[str] = []
    definitions: list[tuple[str, str]] = []
    for index, node in enumerate(tree.body):
        end = tree.body[index + 1].lineno - 1 if index + 1 < len(tree.body) else len(lines)
        text = "\n".join(lines[node.lineno - 1 : end]).strip()
        if isinstance(node, ast.ImportFrom) and node.module == _ELSEWHERE_MODULE:
            continue
        elif isinstance(node, ast.ImportFrom) and node.module == _PLACEHOLDER_BASE.rsplit(".", 1)[0]:
            imports.append("from ._runtime.model import ApiModel")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif isinstance(node, ast.ClassDef):
            definitions.append((node.name, text))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            definitions.append((node.targets[0].id, text))
        elif _is_rebuild(node):
            continue
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and definitions:
            name, previous = definitions[-1]
            definitions[-1] = (name, f"{previous}\n{text}")
        else:
            raise _problem(spec, f"unexpected top-level statement in generated models: {text[:200]!r}")
    return ChunkModels(
        tuple(imports), tuple(definitions), frozenset(name.removeprefix(_ELSEWHERE_PREFIX) for name in prefixed)
    )


def _unprefixed(lines: list[str], tree: ast.Module, prefixed: set[str]) -> list[str]:
    """`lines` with every use of an imported name of another group (an `ast.Name`, so never text in a string)
    without its prefix."""
    spots = sorted(
        (
            (node.lineno, node.col_offset)
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id in prefixed
        ),
        reverse=True,
    )
    out = list(lines)
    for lineno, offset in spots:  # right to left, so earlier offsets stay valid; offsets count UTF-8 bytes
        raw = out[lineno - 1].encode()
        out[lineno - 1] = (raw[:offset] + raw[offset + len(_ELSEWHERE_PREFIX) :]).decode()
    return out


def _is_rebuild(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "model_rebuild"
    )


def assemble_models(registry: SchemaRegistry, parts: list[ChunkModels]) -> str:
    """The body of `models.py` (without the file header): merged imports, every group in order, then the rules."""
    emitted: dict[str, tuple[int, int, str]] = {}
    for c, part in enumerate(parts):
        for i, (name, text) in enumerate(part.definitions):
            if name in emitted:
                raise _problem(registry.spec.display, f"model {name!r} was generated twice")
            emitted[name] = (c, i, text)
    missing = sorted((set(registry.schemas) | {n for p in parts for n in p.external}) - set(emitted))
    if missing:
        raise _problem(registry.spec.display, f"models named but not generated: {', '.join(missing[:20])}")
    unnamed = sorted(set(emitted) - set(registry.schemas))
    if unnamed:  # every schema is named before datamodel-code-generator runs; one it adds is a construct not handled
        raise _problem(
            registry.spec.display,
            f"datamodel-code-generator added models no schema names ({', '.join(unnamed[:20])}); "
            "please report the schema that caused it",
        )
    blocks = [emitted[name][2] for unit in registry.units() for name in sorted(unit, key=lambda n: emitted[n][:2])]
    if not blocks:
        return "from __future__ import annotations\n"
    blocks, marked = _mark_unions(registry, blocks), [*(_UNION_IMPORTS if registry.unions else ())]
    imports = _merge_imports([i for part in parts for i in part.imports] + marked)
    return f"{imports}\n\n\n" + "\n\n\n".join(blocks) + "\n" + render_rules(registry.rules)


_UNION_IMPORTS = ("from typing import Annotated", "from ._runtime.model import OneOf")


def _mark_unions(registry: SchemaRegistry, blocks: list[str]) -> list[str]:
    """The definitions with each union alias of `registry.unions` marked with its rule:
    `X = TypeAliasType("X", Annotated[A | B, OneOf(...)])` (the runtime's `OneOf`)."""
    if not registry.unions:
        return blocks
    out = []
    for text in blocks:
        tree = ast.parse(text)
        node = tree.body[0]
        name = node.targets[0].id if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) else ""
        rule = registry.unions.get(name)
        if rule is None:
            out.append(text)
            continue
        call = node.value if isinstance(node, ast.Assign) else None
        if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "TypeAliasType" and len(call.args) == 2):
            raise _problem(registry.spec.display, f"the union {name!r} is not a type alias; please report its schema")
        value = call.args[1]
        assert value.end_lineno is not None and value.end_col_offset is not None
        lines = [line.encode() for line in text.split("\n")]  # AST offsets count UTF-8 bytes
        first, last = lines[value.lineno - 1], lines[value.end_lineno - 1]
        inner = b"\n".join([first[value.col_offset :], *lines[value.lineno : value.end_lineno - 1]])
        if value.end_lineno > value.lineno:
            inner += b"\n" + last[: value.end_col_offset]
        else:
            inner = first[value.col_offset : value.end_col_offset]
        marked = f"Annotated[{inner.decode()}, {_one_of(rule)}]".encode()
        lines[value.lineno - 1 : value.end_lineno] = [first[: value.col_offset] + marked + last[value.end_col_offset :]]
        out.append(b"\n".join(lines).decode())
    return out


def _one_of(rule: UnionRule) -> str:
    args = [] if rule.exclusive else ["exclusive=False"]
    if rule.tag is not None:
        args.append(f"tag={pyrepr(rule.tag)}")
        args.append(f"tags=({''.join(f'({pyrepr(value)}, {member}), ' for value, member in rule.tags)})")
    return f"OneOf({', '.join(args)})"


def _merge_imports(statements: list[str]) -> str:
    """One `from module import ...` per module, `from __future__` first (ruff sorts the rest)."""
    names: dict[tuple[int, str], set[str]] = {}
    plain: set[str] = set()
    for statement in statements:
        for node in ast.parse(statement).body:
            if isinstance(node, ast.ImportFrom):
                key = (node.level, node.module or "")
                names.setdefault(key, set()).update(
                    a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names
                )
            else:
                plain.add(ast.unparse(node))
    future = names.pop((0, "__future__"), set())
    lines = [f"from __future__ import {', '.join(sorted(future))}"] if future else []
    lines += sorted(plain)
    lines += [
        f"from {'.' * level}{module} import {', '.join(sorted(found))}"
        for (level, module), found in sorted(names.items())
    ]
    return "\n".join(lines)


def _problem(spec: str, message: str) -> GenerationError:
    return GenerationError([Problem(spec, "/components/schemas", "models.generator", message)])


def render_rules(rules: dict[str, ModelRules]) -> str:
    """Python statements that attach each model's rules to its class."""
    if not rules:
        return ""
    used = {"ModelRules"}
    used |= {"RequiredIf" for r in rules.values() if r.required_if}
    used |= {"PRESENT" for r in rules.values() for _, v, _, _ in r.required_if if is_present_condition(v)}
    used |= {"SchemaCheck" for r in rules.values() if r.checks}
    lines = ["", "", "# Rules the field types cannot express (cross-field, formats, JSON in strings, unique items)."]
    lines.append(f"from ._runtime.model import {', '.join(sorted(used))}  # noqa: E402")
    for name in sorted(rules):
        r = rules[name]
        args: list[str] = []
        for label, groups in (
            ("exactly_one", r.exactly_one),
            ("at_least_one", r.at_least_one),
            ("not_together", r.not_together),
        ):
            if groups:
                args.append(f"{label}=({''.join(f'({_tuple(g)}, {pyrepr(c)}), ' for g, c in groups)})")
        if r.required_if:
            items = "".join(
                f"RequiredIf({pyrepr(f)}, {_condition(v)}, {_tuple(req)}, {pyrepr(c)}), "
                for f, v, req, c in r.required_if
            )
            args.append(f"required_if=({items})")
        if r.formats:
            items = "".join(f"({pyrepr(k)}, {pyrepr(f)}, {a}), " for k, (f, a) in sorted(r.formats.items()))
            args.append(f"formats=({items})")
        if r.json_content:
            items = "".join(f"({pyrepr(k)}, {m}), " for k, m in sorted(r.json_content.items()))
            args.append(f"json_content=({items})")
        if r.unique:
            args.append(f"unique={_tuple(tuple(r.unique))}")
        if r.exact_ints:
            args.append(f"exact_ints={_tuple(tuple(r.exact_ints))}")
        if r.checks:
            items = "".join(
                f"SchemaCheck({_tuple(at)}, {pyrepr(keyword)}, ({''.join(f'{t or pyrepr(t)}, ' for t in targets)}), "
                f"{pyrepr(tuple(arguments))}), "
                for at, keyword, targets, arguments in r.checks
            )
            args.append(f"checks=({items})")
        lines.append(f"{name}.__streamspec_rules__ = ModelRules({', '.join(args)})")
    return "\n".join(lines) + "\n"


def _condition(value: Any) -> str:
    return "PRESENT" if is_present_condition(value) else pyrepr(value)


def _tuple(items: tuple[str, ...]) -> str:
    return "(" + "".join(f"{pyrepr(i)}, " for i in items) + ")"
