"""Model generation: datamodel-code-generator's Python API on the registry's schemas, plus the rules it cannot say.

The schemas are generated in chunks that can run in parallel processes (`plan_chunks`, `generate_chunk`) and are
put back together as the package's `models`, in the modules `model_layout` picks (`assemble_models`). A field that
names a schema of another group of `SchemaRegistry.units()` reaches datamodel-code-generator as a reference to an
external module: field annotations are evaluated late, so that module never has to exist. Every group therefore
gives the same code whichever chunk it lands in, and the output does not depend on the chunking. Chunking also keeps
each run small, which matters because datamodel-code-generator's passes grow faster than linearly with the number of
models in one run.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import json
import re
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from generator import model_layout
from generator.errors import GenerationError, Problem
from generator.model_layout import names_used
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
from generator.tidy import FromImport, import_block, isort_names

T = TypeVar("T")

CHUNK_SCHEMAS = 48
"""Schemas per datamodel-code-generator run, about: its passes cost about the same per schema from 32 schemas a run
up (a run costs about 3 ms besides), and small chunks make a cached run regenerate little after an edit."""
JOB_SCHEMAS = 256
"""Schemas per job sent to a worker process at most (several chunks, each its own run): fewer round trips. Jobs
get smaller towards the end (`job_batches`)."""

_PLACEHOLDER_BASE = "_streamspec_runtime.model.ApiModel"
_ELSEWHERE_FILE = "https://streamspec.invalid/elsewhere.json"
"""Where a reference to another group's schema points: a URL, which datamodel-code-generator maps to its module
(`external_ref_mapping`) as written and never fetches. A file name it resolves against the working directory at
every reference (`Path.resolve`, a system call for each folder on the way), never caching a file that does not
exist: 3 % of Stripe's model generation."""
_ELSEWHERE_MODULE = "_streamspec_elsewhere"
# Names of other groups' schemas as datamodel-code-generator sees them: distinct from any schema of the chunk, or it
# would rename its own class to make room for the import (`CallbackDetailModel`); the prefix goes once it has run.
_ELSEWHERE_PREFIX = "StreamspecElsewhere"
# The name under which one schema of several with the same content (after fields into other groups are made
# external) is generated once; each of them then gets that code under its own name (`ModelChunk.copies`).
_SHARED_PREFIX = "StreamspecShared"
_SHARED_SUFFIX = "Z"


@dataclass(frozen=True)
class ModelChunk:
    """Whole groups of schemas for one datamodel-code-generator run, with fields into other groups made external."""

    spec: str
    openapi: str
    schemas: dict[str, Any]
    copies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Schemas generated once for several names: the name in `schemas` (`_SHARED_PREFIX`...) -> the real names."""
    descriptions: tuple[str, ...] = ()
    """The descriptions `schemas` holds as placeholders, the n-th for those of `_held(n, ...)` (`hold_descriptions`)."""

    def revealed(self) -> ModelChunk:
        """The chunk with its descriptions in place of their placeholders."""
        if not self.descriptions:
            return self
        lines = _lines(self.descriptions)

        def reveal(text: str) -> str:  # a held one is placeholders alone: text that holds one besides is the spec's
            held = all(_HELD_LINE.fullmatch(line.strip()) for line in text.split("\n") if line.strip())
            return _HELD_LINE.sub(lines, text) if held else text

        schemas = {name: _described(schema, reveal) for name, schema in self.schemas.items()}
        return ModelChunk(self.spec, self.openapi, schemas, self.copies)

    def names(self) -> list[str]:
        """The registry's names this chunk generates."""
        return [real for name in self.schemas for real in self.copies.get(name, (name,))]

    def key(self) -> str:
        """A digest of what datamodel-code-generator is given (the copies are not: they are named afterwards)."""
        text = json.dumps([self.openapi, self.schemas], ensure_ascii=False, default=_unjsonable)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _unjsonable(value: Any) -> str:
    return f"{type(value).__qualname__}:{value!r}"


@dataclass(frozen=True)
class ChunkModels:
    """One run's code: its import statements and, in the order it emitted them, each schema's definition."""

    imports: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...]
    external: frozenset[str]
    revealed: bool = False
    """Generated from the chunk's descriptions themselves (`ModelChunk.revealed`), not from their placeholders: a
    result of these descriptions only, not of the chunk's key."""


# Descriptions are documentation: datamodel-code-generator writes them into docstrings (and comments) as they are,
# and they decide nothing else in its output. A chunk holds each plain one as placeholders, one per line, which the
# code is given its text back for (`with_descriptions`): an edit of descriptions alone leaves the chunk's key, and
# the cached code, as they were. Only plain text is held (`_plain`); whitespace around a line stays outside its
# placeholder, so that whatever is done to whitespace is done alike. Where the code holds the placeholders' prefix
# in another form than a placeholder, the chunk is generated from its descriptions instead (`run_chunk`).
_HELD_PREFIX = "zzStreamspecDoc"
_HELD_LINE = re.compile(rf"{_HELD_PREFIX}(\d+)L(\d+)zz")
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"})
_SCHEMA_VALUES = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
        "contentSchema",
    }
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})


def _held(n: int, i: int) -> str:
    return f"{_HELD_PREFIX}{n}L{i}zz"


def _plain(text: str) -> bool:
    """Text a docstring, a comment and a double-quoted literal (the code's) write as it is: printable lines, no double
    quote or backslash. (The tests check that such text gives the code it gives held.)"""
    return bool(text.strip()) and '"' not in text and "\\" not in text and text.replace("\n", " ").isprintable()


def _lines(descriptions: tuple[str, ...]) -> Callable[[re.Match[str]], str]:
    """The text of a placeholder line: its description's line, without the whitespace around it."""
    split = [text.split("\n") for text in descriptions]
    return lambda found: split[int(found[1])][int(found[2])].strip()


def _described(schema: Any, change: Callable[[str], str]) -> Any:
    """`schema` with `change` made to its description and to that of every schema within it (not to values: a
    default, an example, an enum can hold a `description` key); the same object where nothing changed."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    changed = False
    for key, value in schema.items():
        new = value
        if key == "description" and isinstance(value, str):
            new = change(value)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            new = {k: _described(v, change) for k, v in value.items()}
            new = value if all(new[k] is value[k] for k in value) else new
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            new = _described(value, change)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            new = [_described(v, change) for v in value]
            new = value if all(a is b for a, b in zip(new, value, strict=True)) else new
        changed = changed or new is not value
        out[key] = new
    return out if changed else schema


def hold_descriptions(chunk: ModelChunk) -> ModelChunk:
    """The chunk with each plain description held as placeholders (equal descriptions, equal placeholders)."""
    order: dict[str, int] = {}

    def hold(text: str) -> str:
        if not _plain(text):
            return text
        n = order.setdefault(text, len(order))
        return "\n".join(
            line.replace(line.strip(), _held(n, i), 1) if line.strip() else line
            for i, line in enumerate(text.split("\n"))
        )

    schemas = {name: _described(schema, hold) for name, schema in chunk.schemas.items()}
    return replace(chunk, schemas=schemas, descriptions=tuple(order)) if order else chunk


def with_descriptions(models: ChunkModels, descriptions: tuple[str, ...]) -> ChunkModels:
    """`models` generated from held descriptions (`hold_descriptions`) with their text given back."""
    if not descriptions or models.revealed:
        return models
    lines = _lines(descriptions)
    definitions = tuple((name, _HELD_LINE.sub(lines, text)) for name, text in models.definitions)
    return ChunkModels(models.imports, definitions, models.external)


def plan_chunks(registry: SchemaRegistry, size: int = CHUNK_SCHEMAS) -> list[ModelChunk]:
    """The registry's schemas as chunks of about `size` schemas; a group of `units()` is never split.

    Schemas alone in their group whose content is the same (say, the `expand` parameter of many operations) are
    generated once (`ModelChunk.copies`). Which chunk a group lands in depends on its own name or content alone (a
    hash picks one of a power-of-two number of buckets), so editing one schema changes one chunk and leaves the
    others as they were, for the cache (`generator.cache`); the output never depends on the chunking."""
    units = registry.units()
    unit_of = {name: i for i, unit in enumerate(units) for name in unit}
    version = str(registry.spec.document.get("openapi", "3.1.0"))
    # (bucket key, schemas by the name they are generated under, copies)
    items: list[tuple[str, dict[str, Any], dict[str, tuple[str, ...]]]] = []
    shared: dict[str, list[str]] = {}
    contents: dict[str, Any] = {}
    for unit in units:
        schemas = {name: _external_fields(registry.schemas, name, unit_of, version) for name in unit}
        if len(unit) == 1:
            content = _content_key(schemas[unit[0]])
            if content is not None:
                shared.setdefault(content, []).append(unit[0])
                contents[content] = schemas[unit[0]]
                continue
        items.append((unit[0], schemas, {}))
    for content, names in shared.items():
        if len(names) == 1:
            items.append((names[0], {names[0]: contents[content]}, {}))
            continue
        digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:20].upper()
        name = f"{_SHARED_PREFIX}{digest}{_SHARED_SUFFIX}"
        items.append((name, {name: contents[content]}, {name: tuple(names)}))
    total = sum(len(schemas) for _, schemas, _ in items)
    buckets = 1
    while buckets * size < total:
        buckets *= 2
    placed: list[list[tuple[str, dict[str, Any], dict[str, tuple[str, ...]]]]] = [[] for _ in range(buckets)]
    for item in items:
        placed[int(hashlib.sha256(item[0].encode()).hexdigest()[:8], 16) % buckets].append(item)
    chunks: list[ModelChunk] = []
    for bucket in placed:
        parts: list[tuple[dict[str, Any], dict[str, tuple[str, ...]]]] = []
        for _, schemas, copies in sorted(bucket, key=lambda item: item[0]):
            if not parts or (parts[-1][0] and len(parts[-1][0]) + len(schemas) > size):
                parts.append(({}, {}))
            parts[-1][0].update(schemas)
            parts[-1][1].update(copies)
        chunks += [
            hold_descriptions(ModelChunk(registry.spec.display, version, schemas, copies))
            for schemas, copies in parts
            if schemas
        ]
    return chunks


def _content_key(schema: Any) -> str | None:
    """The schema's content as text, keys in their order (which the generated code follows); None when a schema
    cannot safely share code: one that mentions the names used while generating."""
    try:
        text = json.dumps(schema, ensure_ascii=False, default=_unjsonable)
    except (TypeError, ValueError):  # keys that are not strings, or a recursive value
        return None
    return None if _SHARED_PREFIX in text or COMPONENT_REF in text else text


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
            new = {key: rewrite(value) for key, value in node.items()}
            return node if all(new[key] is node[key] for key in node) else new
        if isinstance(node, list):
            items = [rewrite(item) for item in node]
            return node if all(a is b for a, b in zip(items, node, strict=True)) else items
        return node

    properties = rewrite(schema["properties"])
    return schema if properties is schema["properties"] else {**schema, "properties": properties}


def _admits_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return schema.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind)


def generate_chunk(chunk: ModelChunk) -> ChunkModels:
    """Run datamodel-code-generator on one chunk and split its module into imports and each name's definition."""
    return with_copies(with_descriptions(run_chunk(chunk), chunk.descriptions), chunk.copies)


def run_chunk(chunk: ModelChunk) -> ChunkModels:
    """datamodel-code-generator's code for the chunk, split, its shared schemas still under their generated names
    and its held descriptions still placeholders: a function of `chunk.key()` alone, unless `revealed`.

    Generated from the descriptions themselves where the placeholders could be mistaken: the chunk's text holds
    the placeholders' prefix elsewhere, or the code does in another form than a placeholder's."""
    if chunk.descriptions and _HELD_PREFIX.lower() in _text(chunk.revealed().schemas).lower():
        return replace(run_chunk(chunk.revealed()), revealed=True)
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
    if chunk.descriptions and code.lower().count(_HELD_PREFIX.lower()) != len(_HELD_LINE.findall(code)):
        return replace(run_chunk(chunk.revealed()), revealed=True)
    # Where the chunk mentions the placeholder prefix only in the references made external, every use of it in the
    # code is an imported name (`_split_module` finds them as text); otherwise as syntax (`_unprefixed`).
    text = _text(chunk.schemas)
    by_text = text.count(_ELSEWHERE_PREFIX) == text.count(f"{_ELSEWHERE_FILE}#/{_ELSEWHERE_PREFIX}")
    by_text = by_text and not _LINE_BREAKS.search(code)
    wanted = frozenset(p for p in _patterns(chunk.schemas) if not runtime_pattern(p))
    code = _none_last(code, text)
    return _split_module(code, chunk.spec, by_text=by_text and not wanted, python_patterns=wanted)


def _none_last(code: str, schemas_text: str) -> str:
    """`None | MISSING` in the code's unions written `MISSING | None`, as ruff's fix (RUF036: `None` last) writes it,
    so that ruff has nothing to fix in the models (Stripe's 1,617 optional nullable fields). Certain where the
    chunk's schemas (`schemas_text`) never write those words: the code's strings come from them, so every
    occurrence is then one of a type's; otherwise left for ruff."""
    if "None | MISSING" not in code or "None | MISSING" in schemas_text:
        return code
    return _NONE_THEN_MISSING.sub("MISSING | None", code)


_NONE_THEN_MISSING = re.compile(r"(?<![\w.])None \| MISSING(?!\w)")


def _text(schemas: dict[str, Any]) -> str:
    return json.dumps(schemas, ensure_ascii=False, default=_unjsonable)


def _enum_edits(code: str, tree: ast.Module) -> list[tuple[int, int, int, int, str]]:
    """Enums of two or more strings (or integers) become open: `Literal["A", "B"]` is typed
    `Annotated[Literal["A", "B"] | str, KNOWN_VALUES]`, so that code using a model handles a value the vendor adds
    later (a tolerant client keeps it as received) and still matches on the known ones; `KNOWN_VALUES` validates
    the `Literal` alone, so requests and strict reads stay closed. Single values (constants, discriminator tags)
    stay closed. The edits (start line, column, end line, column, new text), as `_factory_edits`'."""
    edits: list[tuple[int, int, int, int, str]] = []
    if "Literal[" not in code:
        return edits
    source = _Source(code)
    for node in _walk_naming(tree, code, "Literal"):
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
        literal = source.segment(node) or ast.unparse(node)
        assert node.end_lineno is not None and node.end_col_offset is not None
        opened = f"Annotated[{literal} | {kinds.pop().__name__}, KNOWN_VALUES]"
        edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, opened))
    return edits


_ENUM_IMPORTS = ("from typing import Annotated", "from ._runtime.model import KNOWN_VALUES")
"""What the open enums (`_enum_edits`) use."""


def _python_patterns(code: str, wanted: frozenset[str]) -> str:
    """Patterns pydantic's default (Rust) regex engine cannot compile (`wanted`), compiled with Python's `re` instead.

    Rust's engine has no look-around or back-references and limits a compiled pattern's size (AWS writes
    `[\\w+=,.@-]{1,1000}`); given a compiled `re.Pattern`, pydantic checks that field with Python's engine, as
    openapi-spec-validator does. Every other pattern keeps the faster engine."""
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
        replaced = _spliced(first, value.col_offset, f"re.compile({segment})", last, value.end_col_offset)
        lines[value.lineno - 1 : value.end_lineno] = [replaced]
    return ("import re\n" if spots else "") + "\n".join(lines)


def _spliced(first: str, col: int, text: str, last: str, end_col: int) -> str:
    """`first` up to column `col`, `text`, then `last` from `end_col`: columns as the syntax tree has them, counted in
    UTF-8 bytes (an enum of arrows or emoji before the spot on the same line moves it)."""
    return (first.encode()[:col] + text.encode() + last.encode()[end_col:]).decode()


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def with_copies(models: ChunkModels, copies: Mapping[str, tuple[str, ...]]) -> ChunkModels:
    """`models` with each shared definition given to every name that shares it (its generated name replaced)."""
    if not copies:
        return models
    definitions: list[tuple[str, str]] = []
    for name, text in models.definitions:
        names = copies.get(name)
        if names is None:
            definitions.append((name, text))
            continue
        if name not in text:
            raise _problem("", f"the code shared by {', '.join(names)} does not name {name}")
        definitions += [(real, text.replace(name, real)) for real in names]
    return ChunkModels(models.imports, tuple(definitions), models.external)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
"""A line as `ast.get_source_segment` splits them (`\r\n`, `\r` or `\n` ends one; nothing else)."""


class _Source:
    """`ast.get_source_segment` for many nodes of one module: that function splits the whole module into lines at
    each call, which for a chunk with thousands of enums cost more than datamodel-code-generator's own run."""

    def __init__(self, code: str) -> None:
        self.lines = _LINE.findall(code)

    def segment(self, node: ast.expr) -> str | None:
        end_lineno, end_col = node.end_lineno, node.end_col_offset
        if end_lineno is None or end_col is None:
            return None
        first, last = node.lineno - 1, end_lineno - 1
        if first == last:
            text: str = self.lines[first].encode()[node.col_offset : end_col].decode()
            return text
        head = self.lines[first].encode()[node.col_offset :].decode()
        tail = self.lines[last].encode()[:end_col].decode()
        return "".join([head, *self.lines[first + 1 : last], tail])


_Edit = tuple[int, int, int, int, str]
"""An edit of generated code: start line, column, end line, column (as the syntax tree has them), new text."""


def _walk_naming(tree: ast.Module, code: str, name: str) -> Iterator[ast.AST]:
    """`ast.walk(tree)` without the statements whose lines never write `name`: an `ast.Name` of it is among the
    nodes given. A models module names `Literal` in a fraction of its fields, and walking every node of Stripe's
    took 2 % of its model generation."""
    if "\r" in code:  # a carriage return ends a line for the parser too, not for the count below: all walked
        yield from ast.walk(tree)
        return
    lines: list[int] = []
    line, at = 1, 0
    for found in re.finditer(re.escape(name), code):
        line += code.count("\n", at, found.start())
        at = found.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    pending: deque[ast.AST] = deque([tree])
    while pending:
        node = pending.popleft()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                start = min([child.lineno, *(d.lineno for d in getattr(child, "decorator_list", ()))])
                first = bisect.bisect_left(lines, start)
                if first == len(lines) or lines[first] > (child.end_lineno or child.lineno):
                    continue
            pending.append(child)
        yield node


def _factory_edits(code: str, tree: ast.Module, inner: list[_Edit] | None = None) -> tuple[list[_Edit], list[_Edit]]:
    """Fields whose default is a list, dict or set literal get it from a `default_factory` instead: the edits, in the
    order found, and those of `inner` (edits within statements, such as `_enum_edits`) that they include.

    datamodel-code-generator writes such defaults as class attributes: a dict default of a model-typed field then
    contradicts the annotation for a type checker, and mutable class attributes are what linters warn about.
    pydantic validates (`validate_default`) and copies a factory's value as it does a default's, so nothing else
    changes."""
    edits: list[_Edit] = []
    included: list[_Edit] = []
    lines: list[str] = []
    source: _Source | None = None
    for node in _annotated_assignments(tree):
        if not (isinstance(node.value, ast.Dict | ast.List | ast.Set) and isinstance(node.target, ast.Name)):
            continue
        assert node.end_lineno is not None and node.end_col_offset is not None
        within = [
            e
            for e in inner or ()
            if (node.lineno, node.col_offset) <= (e[0], e[1]) and (e[2], e[3]) <= (node.end_lineno, node.end_col_offset)
        ]
        if within:  # the statement's text as those edits leave it
            lines = lines or code.split("\n")
            included += within
        source = source or _Source(code)

        def segment(
            part: ast.expr,
            fallback: str = "",
            within: list[_Edit] = within,
            lines: list[str] = lines,
            source: _Source = source,
        ) -> str:
            if within:
                return _edited_segment(lines, part, within)
            return source.segment(part) or fallback

        value = segment(node.value, ast.unparse(node.value))
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
            call = segment(field, ast.unparse(field))
            arguments = call[call.index("(") + 1 : -1].strip()
            replacement_call = f"Field(default_factory=lambda: {value}{', ' + arguments if arguments else ''})"
            head = segment(annotation).replace(call, replacement_call, 1)
            text = f"{node.target.id}: {head}"
        else:
            text = f"{node.target.id}: {segment(annotation, 'None')} = Field(default_factory=lambda: {value})"
        edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text))
    return edits, included


def _edited_segment(lines: list[str], node: ast.expr, edits: list[_Edit]) -> str:
    """The source of `node` (columns are UTF-8 offsets, as the syntax tree has them) with the `edits` inside it
    made."""
    start = (node.lineno, node.col_offset)
    assert node.end_lineno is not None and node.end_col_offset is not None
    end = (node.end_lineno, node.end_col_offset)

    def between(a: tuple[int, int], b: tuple[int, int]) -> str:
        if a[0] == b[0]:
            return lines[a[0] - 1].encode()[a[1] : b[1]].decode()
        middle = lines[a[0] : b[0] - 1]
        first, last = lines[a[0] - 1].encode()[a[1] :].decode(), lines[b[0] - 1].encode()[: b[1]].decode()
        return "\n".join([first, *middle, last])

    parts: list[str] = []
    at = start
    for edit in sorted(e for e in edits if start <= (e[0], e[1]) and (e[2], e[3]) <= end):
        parts += [between(at, (edit[0], edit[1])), edit[4]]
        at = (edit[2], edit[3])
    parts.append(between(at, end))
    return "".join(parts)


_SIMPLE_STATEMENTS = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.Expr, ast.Pass)


def _annotated_assignments(tree: ast.Module) -> list[ast.AnnAssign]:
    """Every annotated assignment of the module, in `ast.walk`'s order; without walking every node where the module
    is what datamodel-code-generator writes: simple statements and classes of simple statements."""
    found: list[ast.AnnAssign] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:  # breadth first, as ast.walk
        following: list[ast.stmt] = []
        for node in pending:
            if isinstance(node, ast.ClassDef):
                following += node.body
            elif isinstance(node, ast.AnnAssign):
                found.append(node)
            elif not isinstance(node, _SIMPLE_STATEMENTS):
                return [node for node in ast.walk(tree) if isinstance(node, ast.AnnAssign)]
        pending = following
    return found


def job_batches(chunks: Sequence[T], sizes: Sequence[int], workers: int) -> list[list[T]]:
    """`chunks` (whose sizes, in schemas, are `sizes`) in order, in jobs for `workers` worker processes: each job
    at most `JOB_SCHEMAS` schemas and a quarter of a worker's share of those left, one chunk at least. Jobs are
    taken in order as workers come free, so small last jobs end the workers' work together: a large one started
    last would keep one worker busy while the others wait (Adyen's 289 schemas in two jobs of 218 and 71 kept one
    worker 0.6 s longer than the other, the validation having been the other's first job)."""
    batches: list[list[T]] = []
    left = sum(sizes)
    limit = filled = 0
    for chunk, size in zip(chunks, sizes, strict=True):
        if not batches or filled + size > limit:
            batches.append([])
            limit, filled = min(JOB_SCHEMAS, left // (4 * max(workers, 1))), 0
        batches[-1].append(chunk)
        filled += size
        left -= size
    return batches


def generate_chunks(chunks: list[ModelChunk]) -> list[ChunkModels | GenerationError]:
    """Several chunks in one job, each failure returned in its place: one spec's error hides no other's models."""
    return _each(generate_chunk, chunks)


def run_chunks(chunks: list[ModelChunk]) -> list[ChunkModels | GenerationError]:
    """`generate_chunks` without naming the copies (`run_chunk`): what the cache keeps."""
    return _each(run_chunk, chunks)


def _each(run: Callable[[ModelChunk], ChunkModels], chunks: list[ModelChunk]) -> list[ChunkModels | GenerationError]:
    results: list[ChunkModels | GenerationError] = []
    for chunk in chunks:
        try:
            results.append(run(chunk))
        except GenerationError as exc:
            results.append(exc)
    return results


def _split_module(
    code: str, spec: str, *, by_text: bool = False, python_patterns: frozenset[str] = frozenset()
) -> ChunkModels:
    """Imports and top-level definitions of a generated module, list, dict and set defaults made factories
    (`_factory_edits`), enums opened (`_enum_edits`), other groups' names unprefixed; a module docstring goes with
    the definition before it, and eager `model_rebuild()` calls are dropped (the base model defers building).

    The module is parsed once. `by_text`: every use of the placeholder prefix in `code` is an imported name, so
    names are unprefixed as text rather than found in the syntax tree of the edited module. `python_patterns`: the
    patterns to compile with Python's `re` (`_python_patterns`; the edited module is then parsed again)."""
    tree = ast.parse(code)
    opened = _enum_edits(code, tree)
    edits, included = _factory_edits(code, tree, opened)
    factories = bool(edits)
    if included:
        taken = set(included)
        edits += [edit for edit in opened if edit not in taken]
    else:
        edits += opened
    lines = code.split("\n")
    # The edits make one line of each multi-line field; statements after one start that many lines earlier.
    starts = [node.lineno for node in tree.body]
    shift = [0] * len(starts)
    for start, col, end, end_col, text in sorted(edits, reverse=True):
        lines[start - 1 : end] = [_spliced(lines[start - 1], col, text, lines[end - 1], end_col)]
        if end > start:
            for index, line in enumerate(starts):
                if line > end:
                    shift[index] += end - start
    rewritten = "\n".join(lines)
    field_import = factories and not re.search(r"^from pydantic import .*\bField\b", rewritten, re.M)
    added = (["from pydantic import Field"] if field_import else []) + (list(_ENUM_IMPORTS) if opened else [])
    if not by_text or python_patterns:  # the edited module, parsed again
        edited = "".join(f"{line}\n" for line in added) + rewritten
        return _split_parsed(_python_patterns(edited, python_patterns), spec)
    lines = rewritten.splitlines()
    body = tree.body
    prefixed = {
        alias.name
        for node in body
        if isinstance(node, ast.ImportFrom) and node.module == _ELSEWHERE_MODULE
        for alias in node.names
    }
    imports: list[str] = added
    definitions: list[tuple[str, str]] = []
    for index, node in enumerate(body):
        begin = starts[index] - shift[index]
        end = starts[index + 1] - shift[index + 1] - 1 if index + 1 < len(body) else len(lines)
        text = "\n".join(lines[begin - 1 : end]).strip()
        if prefixed and _ELSEWHERE_PREFIX in text:
            text = _PREFIXED_NAME.sub(lambda m: m[1] if m[0] in prefixed else m[0], text)
        kept = _statement(node, text, imports, definitions)
        if not kept:
            raise _problem(spec, f"unexpected top-level statement in generated models: {text[:200]!r}")
    return ChunkModels(
        tuple(imports), tuple(definitions), frozenset(name.removeprefix(_ELSEWHERE_PREFIX) for name in prefixed)
    )


_PREFIXED_NAME = re.compile(rf"(?<![\w.]){_ELSEWHERE_PREFIX}(\w+)")
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""What `str.splitlines` breaks lines at besides a newline, unlike Python's tokenizer."""


def _statement(node: ast.stmt, text: str, imports: list[str], definitions: list[tuple[str, str]]) -> bool:
    """File one top-level statement's text under imports or definitions; False for a statement of no known kind."""
    if isinstance(node, ast.ImportFrom) and node.module == _ELSEWHERE_MODULE:
        pass
    elif isinstance(node, ast.ImportFrom) and node.module == _PLACEHOLDER_BASE.rsplit(".", 1)[0]:
        imports.append("from ._runtime.model import ApiModel")
    elif isinstance(node, ast.Import | ast.ImportFrom):
        imports.append(text)
    elif isinstance(node, ast.ClassDef):
        definitions.append((node.name, text))
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        definitions.append((node.targets[0].id, text))
    elif _is_rebuild(node):
        pass
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and definitions:
        name, previous = definitions[-1]
        definitions[-1] = (name, f"{previous}\n{text}")
    else:
        return False
    return True


def _split_parsed(code: str, spec: str) -> ChunkModels:
    """`_split_module` for edited code, parsed again: names unprefixed where the syntax tree has them."""
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
        if not _statement(node, text, imports, definitions):
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


def read_ahead(parts: Iterable[ChunkModels]) -> None:
    """What `assemble_models` reads of each definition (`names_used`, kept by text), read ahead: by a process that
    would otherwise wait for the parts still being generated."""
    for part in parts:
        for _, text in part.definitions:
            names_used(text)


def assemble_models(registry: SchemaRegistry, parts: list[ChunkModels]) -> dict[str, str]:
    """The files of the `models` package by their path in the package, without the file header: `__init__.py`,
    which names every model and loads each on first use, and the modules that define them (`model_layout`), each
    with its imports, its definitions in order, then their rules."""
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
    order = [name for unit in registry.units() for name in sorted(unit, key=lambda n: emitted[n][:2])]
    texts = dict(zip(order, _mark_unions(registry, [emitted[name][2] for name in order]), strict=True))
    marked = [*(_UNION_IMPORTS if registry.unions else ())]
    imports = _Imports.merged([i for part in parts for i in part.imports] + marked)
    rules = {name: _rule_line(name, registry.rules[name]) for name in order if name in registry.rules}
    known = set(order)
    # each text on its own (the rule line written after the definition, joined to it, could run two names into one)
    identifiers = {name: names_used(texts[name]) | names_used(rules.get(name, "")) for name in order}
    uses = {name: (identifiers[name] & known) - {name} for name in order}
    layout = model_layout.modules(order, uses)
    module_of = {name: module for module, names in layout for name in names}
    files = {"models/__init__.py": _front(layout)}
    for module, names in layout:
        elsewhere: dict[str, set[str]] = {}
        written: set[str] = set()
        for name in names:
            written |= identifiers[name]
            for other in uses[name]:
                if module_of[other] != module:
                    elsewhere.setdefault(module_of[other], set()).add(other)
        head = imports.render(1, written, [FromImport(1, m, sorted(n)) for m, n in sorted(elsewhere.items())])
        body = "\n\n\n".join(texts[name] for name in names)
        selected = {name: registry.rules[name] for name in names if name in registry.rules}
        gap = "\n\n\n" if body.startswith(("class ", "def ", "@")) else "\n\n"  # isort's lines after imports
        files[f"models/{module}.py"] = f"{_MODULE_DOC}\n\n{head}{gap}{body}\n" + render_rules(selected, rules, depth=1)
    return files


_MODELS_DOC = '''"""Pydantic models of every schema in the spec (datamodel-code-generator).

A model's module is imported the first time the model is used (`models.Name`, `from .models import Name`), so that
importing the package builds no model.
"""'''
_MODULE_DOC = '"""Models of the package\'s `models`, which imports this module the first time one of them is used."""'


def _front(layout: list[tuple[str, list[str]]]) -> str:
    """`models/__init__.py`: every model imported for type checkers, and loaded lazily otherwise."""
    if not layout:
        return f"{_MODELS_DOC}\n\n__all__: list[str] = []\n"
    imports = import_block((), [FromImport(1, module, sorted(names)) for module, names in layout], "    ") + "\n"
    where = "".join(f"{pyrepr(module)}: {pyrepr(' '.join(sorted(names)))}, " for module, names in layout)
    everything = "".join(f"{pyrepr(name)}, " for name in sorted(n for _, names in layout for n in names))
    return (
        f"{_MODELS_DOC}\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n{imports}else:\n"
        "    from .._runtime.lazy import lazy_names\n\n"
        f"    __getattr__, __dir__ = lazy_names(__name__, {{{where}}})\n\n__all__ = [{everything}]\n"
    )


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


@dataclass(frozen=True)
class _Imports:
    """The import statements of every chunk, merged: one `from module import ...` per module, rendered for each
    module of the package with the names it uses, as isort orders them (`tidy.import_block`: ruff then has nothing
    to fix there; an alias, which isort writes apart, is left for ruff to order)."""

    future: frozenset[str]
    plain: tuple[tuple[str, str], ...]
    """`import x` statements, each with the name it binds."""
    names: tuple[tuple[tuple[int, str], frozenset[tuple[str, str]]], ...]
    """(level, module) of each `from` import, with each name it imports as written (`a as b`) and as bound."""

    @classmethod
    def merged(cls, statements: list[str]) -> _Imports:
        names: dict[tuple[int, str], set[tuple[str, str]]] = {}
        plain: set[tuple[str, str]] = set()
        for statement in statements:
            for node in ast.parse(statement).body:
                if isinstance(node, ast.ImportFrom):
                    names.setdefault((node.level, node.module or ""), set()).update(
                        (a.name, a.name) if a.asname is None else (f"{a.name} as {a.asname}", a.asname)
                        for a in node.names
                    )
                elif isinstance(node, ast.Import):
                    plain.update((ast.unparse(node), (a.asname or a.name).split(".")[0]) for a in node.names)
        future = names.pop((0, "__future__"), set())
        return cls(
            frozenset(name for name, _ in future),
            tuple(sorted(plain)),
            tuple((key, frozenset(found)) for key, found in sorted(names.items())),
        )

    def render(self, depth: int, used: set[str], siblings: Sequence[FromImport] = ()) -> str:
        """The statements for a module `depth` folders below the package that uses the names `used`, with the
        imports of the package's `siblings`."""
        plain = [statement for statement, bound in self.plain if bound in used]
        froms = [
            FromImport(
                level + depth if level else 0, module, sorted(written for written, bound in found if bound in used)
            )
            for (level, module), found in self.names
        ]
        froms += siblings
        if all(" as " not in name for s in froms for name in s.names) and all(_PLAIN.fullmatch(p) for p in plain):
            future = [FromImport(0, "__future__", sorted(self.future))] if self.future else []
            return import_block([statement.removeprefix("import ") for statement in plain], [*future, *froms])
        lines = [f"from __future__ import {', '.join(sorted(self.future))}"] if self.future else []
        lines += plain
        lines += [f"from {'.' * s.level}{s.module} import {', '.join(s.names)}" for s in froms if s.names]
        return "\n".join(lines)


_PLAIN = re.compile(r"import [\w.]+")
"""An `import` statement of one module, without an alias."""


def _problem(spec: str, message: str) -> GenerationError:
    return GenerationError([Problem(spec, "/components/schemas", "models.generator", message)])


def render_rules(rules: Mapping[str, ModelRules], lines: Mapping[str, str], *, depth: int) -> str:
    """Python statements that attach each model's rules to its class (`lines`: each model's statement, `_rule_line`),
    in a module `depth` folders below the package."""
    if not rules:
        return ""
    used = {"ModelRules"}
    used |= {"RequiredIf" for r in rules.values() if r.required_if}
    used |= {"PRESENT" for r in rules.values() for _, v, _, _ in r.required_if if is_present_condition(v)}
    used |= {"SchemaCheck" for r in rules.values() if r.checks}
    head = "# Rules the field types cannot express (cross-field, formats, JSON in strings, unique items)."
    statements = [
        "",
        "",
        head,
        f"from {'.' * (depth + 1)}_runtime.model import {', '.join(isort_names(used))}  # noqa: E402",
        "",  # isort's line after an import block
    ]
    statements += [lines[name] for name in sorted(rules)]
    return "\n".join(statements) + "\n"


def _rule_line(name: str, r: ModelRules) -> str:
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
            f"RequiredIf({pyrepr(f)}, {_condition(v)}, {_tuple(req)}, {pyrepr(c)}), " for f, v, req, c in r.required_if
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
    return f"{name}.__streamspec_rules__ = ModelRules({', '.join(args)})"


def _condition(value: Any) -> str:
    return "PRESENT" if is_present_condition(value) else pyrepr(value)


def _tuple(items: tuple[str, ...]) -> str:
    return "(" + "".join(f"{pyrepr(i)}, " for i in items) + ")"
