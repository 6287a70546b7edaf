"""Spec helpers shared by the contract suites: each operation's schemas, inlined, and hypothesis strategies over them.

Valid instances come from schemathesis' JSON Schema engine and are filtered through `jsonschema` and `jsonschema_rs`
(Draft 2020-12, formats checked), so every one is valid by two independent readings. Forbidden instances are valid
ones with exactly one constraint broken (a type, a bound, a length, a pattern, an enum, a required or unknown
property, a cross-field rule), kept only when the result is indeed invalid.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs
from hypothesis import assume
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from schemathesis.config import GenerationConfig
from schemathesis.core.jsonschema import CANONICALIZE_DRAFT_BY_VALIDATOR
from schemathesis.generation.jsonschema.builder import build
from schemathesis.generation.jsonschema.context import Alphabet
from schemathesis.specs.openapi.formats import format_lengths_for, get_default_format_strategies, header_alphabet

from generator.ir import Api, Operation
from generator.loader import load_spec
from generator.parser import parse_api
from generator.schemas import snake_name
from tests.conftest import SPECS
from tests.specs._schema import load_spec as load_spec_dict

FUZZ_EXAMPLES = int(os.environ.get("STREAMSPEC_FUZZ_EXAMPLES", "30"))
"""Examples per property and operation; raise it (e.g. 1000) for a deep run. Shared with the server-side suite."""

Schema = dict[str, Any]
_ANNOTATIONS = frozenset({"description", "summary", "title", "examples", "example", "default", "deprecated"})


# --------------------------------------------------------------------------- the spec document


def api(name: str) -> Api:
    """The IR of `specs/<name>.yaml`."""
    return parse_api(load_spec(SPECS / f"{name}.yaml"))[0]


def deref(spec: dict[str, Any], node: Any) -> Any:
    """Follow `$ref`s (local JSON pointers) until a node that is not one."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def raw_operation(spec: dict[str, Any], op: Operation) -> dict[str, Any]:
    """The operation object of `op` as written in the spec."""
    return dict(spec["paths"][op.path][op.method.lower()])


def raw_parameters(spec: dict[str, Any], op: Operation) -> dict[str, dict[str, Any]]:
    """Every parameter of `op` by wire name (path-level ones included, auth-managed and constant ones too)."""
    shared = spec["paths"][op.path].get("parameters", [])
    return {p["name"]: p for p in (deref(spec, x) for x in [*shared, *raw_operation(spec, op).get("parameters", [])])}


def inline(spec: dict[str, Any], node: Any) -> Any:
    """`node` with every `$ref` replaced by its target (the specs have no recursive references).

    A `$ref` with constraining siblings becomes `allOf: [target]` plus the siblings, as 2020-12 applies both.
    """
    if isinstance(node, list):
        return [inline(spec, item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = inline(spec, deref(spec, {"$ref": node["$ref"]}))
        siblings = {k: inline(spec, v) for k, v in node.items() if k != "$ref" and k not in _ANNOTATIONS}
        return {"allOf": [target], **siblings} if siblings else target
    return {key: inline(spec, value) for key, value in node.items()}


# --------------------------------------------------------------------------- one operation's contract


@dataclass(frozen=True)
class Documented:
    """One documented response status: its body schema (`None`: no body) and its headers' schemas by name."""

    body: Schema | None
    headers: dict[str, Schema]


@dataclass(frozen=True, eq=False)
class Contract:
    """One operation and the inlined schemas it is checked against."""

    package: str
    api: Api
    op: Operation
    parameters: dict[str, Schema]
    """Every parameter by wire name, as raw parameter objects with their schemas inlined."""
    arguments: Schema
    """The caller's arguments (method keyword arguments, `body` included) as one object schema."""
    body: Schema | None
    responses: dict[int, Documented]

    @property
    def id(self) -> str:
        return f"{self.package}.{self.op.operation_id}"

    def __repr__(self) -> str:
        return f"Contract({self.id})"


@cache
def contracts(package: str) -> tuple[Contract, ...]:
    """Every operation of `specs/<package>.yaml`."""
    spec, parsed = load_spec_dict(package), api(package)
    found = []
    for op in parsed.operations:
        raw = raw_operation(spec, op)
        parameters = {name: inline(spec, p) for name, p in raw_parameters(spec, op).items()}
        arguments: Schema = {"properties": {}, "required": []}  # no `type`: the arguments are never a non-object
        for p in op.parameters:
            if p.is_argument:
                arguments["properties"][p.py_name] = parameters[p.name]["schema"]
                if p.required and p.client_setting is None:
                    arguments["required"].append(p.py_name)
        body = None
        if op.body is not None:
            body = inline(spec, deref(spec, raw["requestBody"])["content"][op.body.media_type]["schema"])
            arguments["properties"]["body"] = body
            if op.body.required:
                arguments["required"].append("body")
        responses = {}
        for r in op.responses:
            documented = deref(spec, raw["responses"][str(r.status)])
            media = documented.get("content", {}).get(r.media_type or "", {})
            headers = {
                name: inline(spec, deref(spec, h))["schema"] for name, h in documented.get("headers", {}).items()
            }
            responses[r.status] = Documented(inline(spec, media["schema"]) if "schema" in media else None, headers)
        found.append(Contract(package, parsed, op, parameters, arguments, body, responses))
    return tuple(found)


# --------------------------------------------------------------------------- valid instances

_FORMATS = get_default_format_strategies()
_DRAFT = CANONICALIZE_DRAFT_BY_VALIDATOR[jsonschema_rs.Draft202012Validator]
HEADER_ALPHABET = header_alphabet(GenerationConfig())
INTEGER_FORMATS = {"int32": 2**31, "int64": 2**63}
"""OpenAPI's integer formats (its format registry): the range [-bound, bound)."""
_FORMAT_CHECKER = FormatChecker(())
_FORMAT_CHECKER.checkers = {
    **Draft202012Validator.FORMAT_CHECKER.checkers,
    **{
        name: (lambda v, bound=bound: isinstance(v, bool) or not isinstance(v, int | float) or -bound <= v < bound, ())
        for name, bound in INTEGER_FORMATS.items()
    },
}


def conforms(schema: Schema) -> Callable[[Any], bool]:
    """Whether an instance is valid under `schema` by `jsonschema` and by `jsonschema_rs`, both checking formats.

    Two readings because each misses something: `jsonschema` checks `uri` only with rfc3987 installed, and its Python
    `re` lets `$` match before a final newline, where JSON Schema's ECMA-262 (and `jsonschema_rs`) do not. The
    `jsonschema` reading also checks OpenAPI's `int32` and `int64`, which JSON Schema alone leaves unchecked.
    """
    python = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    rust = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return lambda instance: bool(python.is_valid(instance) and rust.is_valid(instance))


def valid(schema: Schema, *, alphabet: Alphabet | None = None, json: bool = False) -> st.SearchStrategy[Any]:
    """Instances of `schema`, each one confirmed by `conforms`.

    `alphabet`: `HEADER_ALPHABET` for header values. `json`: the instance travels as JSON text, where an integer
    may also be spelled as an integral float (`5.0`: JSON Schema's `integer` is a mathematical property).
    """
    strategy = build(
        schema,
        draft=_DRAFT,
        formats=_FORMATS,
        format_lengths=format_lengths_for(_FORMATS),
        alphabet=alphabet,
        whole_floats=json,
    )
    return strategy.filter(conforms(schema))


@cache
def arguments(contract: Contract) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments valid for the operation: required ones always, optional ones sometimes."""
    schema = contract.arguments
    by_name = {p.py_name: p for p in contract.op.parameters}

    def values(name: str) -> st.SearchStrategy[Any]:
        header = name in by_name and by_name[name].location == "header"
        return valid(schema["properties"][name], alphabet=HEADER_ALPHABET if header else None)

    required = {name: values(name) for name in schema["required"]}
    optional = {name: values(name) for name in schema["properties"] if name not in required}
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def with_confusable_names(draw: st.DrawFn, schema: Schema, value: Any) -> Any:
    """`value` with extra properties, on open objects, named like declared ones (`RequestId` → `request_id`).

    Open schemas admit any extra name, and these are the ones a model that also reads Python field names mistakes
    for its fields. The result is checked to stay valid.
    """
    extended = copy.deepcopy(value)
    for node_schema, node in _objects(schema, extended):
        if node_schema.get("additionalProperties", True) is False or "patternProperties" in node_schema:
            continue
        declared = set(node_schema.get("properties", {}))
        names = sorted({variant for p in declared for variant in (snake_name(p), p.lower())} - declared)
        for name in draw(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else []:
            node[name] = draw(st.sampled_from(["confusable", 0, None]))
    assume(conforms(schema)(extended))
    return extended


def _objects(schema: Schema, value: Any) -> Iterator[tuple[Schema, dict[str, Any]]]:
    """Each object in `value` with the (inlined) schema that describes it, outermost first."""
    for member in schema.get("allOf", []):
        yield from _objects(member, value)
    if isinstance(value, dict) and ("properties" in schema or schema.get("type") == "object"):
        yield schema, value
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from _objects(sub, value[name])
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            yield from _objects(schema["items"], item)


# --------------------------------------------------------------------------- forbidden instances

Violation = tuple[str, tuple[Any, ...], Callable[[st.DrawFn, Any], Any]]
"""What is broken, where (a path into the instance), and how: the node's replacement, drawn from the node."""
_DELETE = object()


@st.composite
def forbidden(
    draw: st.DrawFn, schema: Schema, instances: st.SearchStrategy[Any], *, absent_is_none: bool = False
) -> tuple[str, Any]:
    """A valid instance with one constraint of `schema` broken; returns (what was broken, the instance).

    `absent_is_none`: top-level properties are keyword arguments, where `None` means "not given", so a top-level
    `null` is not a type violation.
    """
    value = draw(instances)
    violations = list(_violations(schema, value, ()))
    assume(violations)
    label, path, replace = draw(st.sampled_from(violations))
    new = replace(draw, _at(value, path))
    assume(not (absent_is_none and len(path) == 1 and new is None))
    broken = _replaced(value, path, new)
    assume(not conforms(schema)(broken))
    return f"{label} at /{'/'.join(map(str, path))}", broken


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.copy(value)
    child = _replaced(value[path[0]], path[1:], new) if len(path) > 1 else new
    if child is _DELETE:
        del copied[path[0]]
    else:
        copied[path[0]] = child
    return copied


_OTHER_TYPES: tuple[Any, ...] = ("text", 7, 2.5, True, None, [], {})


def _violations(schema: Schema, value: Any, path: tuple[Any, ...]) -> Iterator[Violation]:
    """Every single-constraint violation of `schema` that can be made at `value` or inside it, innermost first.

    (Innermost first because hypothesis shrinks towards the first: a failure then names the most specific rule.)
    """
    for member in schema.get("allOf", []):
        yield from _violations(member, value, path)
    if isinstance(value, int | float) and not isinstance(value, bool):
        yield from _numeric(schema, path)
    elif isinstance(value, str):
        yield from _textual(schema, value, path)
    elif isinstance(value, list):
        yield from _array(schema, value, path)
    elif isinstance(value, dict):
        yield from _object(schema, value, path)
    if "enum" in schema or "const" in schema:
        allowed = schema.get("enum", [schema.get("const")])
        yield "not in enum", path, lambda _, node: _outside(allowed, node)
    if "type" in schema:
        wrong = [other for other in _OTHER_TYPES if not conforms({"type": schema["type"]})(other)]
        yield "wrong type", path, lambda draw, _: draw(st.sampled_from(wrong))


def _outside(allowed: list[Any], node: Any) -> Any:
    if isinstance(node, str):
        return node + "~" if node + "~" not in allowed else "~" + node
    if isinstance(node, int | float) and not isinstance(node, bool):
        return max(v for v in allowed if isinstance(v, int | float)) + 1
    return not node


def _numeric(schema: Schema, path: tuple[Any, ...]) -> Iterator[Violation]:
    if schema.get("format") in INTEGER_FORMATS:
        yield "outside format", path, lambda *_: INTEGER_FORMATS[schema["format"]]
    if "minimum" in schema:
        yield "below minimum", path, lambda *_: schema["minimum"] - 1
    if "maximum" in schema:
        yield "above maximum", path, lambda *_: schema["maximum"] + 1
    if "exclusiveMinimum" in schema:
        yield "at exclusiveMinimum", path, lambda *_: schema["exclusiveMinimum"]
    if "exclusiveMaximum" in schema:
        yield "at exclusiveMaximum", path, lambda *_: schema["exclusiveMaximum"]


def _textual(schema: Schema, value: str, path: tuple[Any, ...]) -> Iterator[Violation]:
    if schema.get("minLength", 0) > 0:
        yield "too short", path, lambda _, node: node[: schema["minLength"] - 1]
    if "maxLength" in schema:
        yield "too long", path, lambda _, node: node + (node[-1:] or "a") * (schema["maxLength"] - len(node) + 1)
    if "pattern" in schema:
        candidates = [value + " ", " " + value, value[:-1] + "\t", "!" + value[1:], value + "\n"]
        yield "pattern mismatch", path, lambda draw, _: draw(st.sampled_from(candidates))
    if "format" in schema:
        yield "format mismatch", path, lambda draw, node: draw(st.sampled_from(["not a " + schema["format"], " "]))


def _array(schema: Schema, value: list[Any], path: tuple[Any, ...]) -> Iterator[Violation]:
    if isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from _violations(schema["items"], item, (*path, i))
    if schema.get("minItems", 0) > 0:
        yield "too few items", path, lambda _, node: node[: schema["minItems"] - 1]
    if "maxItems" in schema and value:
        yield "too many items", path, lambda _, node: node + [node[0]] * (schema["maxItems"] - len(node) + 1)
    if schema.get("uniqueItems") and value:
        yield "repeated item", path, lambda _, node: [*node, node[0]]


def _object(schema: Schema, value: dict[str, Any], path: tuple[Any, ...]) -> Iterator[Violation]:
    properties: dict[str, Schema] = schema.get("properties", {})

    def adding(names: list[str]) -> Callable[[st.DrawFn, Any], Any]:
        """The node with `names` set to valid values of their own schemas (a cross-field rule then breaks)."""
        return lambda draw, node: {**node, **{n: node.get(n, draw(valid(properties.get(n, {})))) for n in names}}

    for name, sub in properties.items():
        if name in value:
            yield from _violations(sub, value[name], (*path, name))
    for name in schema.get("required", []):
        if name in value:
            yield f"missing required {name}", (*path, name), lambda *_: _DELETE
    if schema.get("additionalProperties", True) is False:
        yield "unknown property", path, lambda _, node: {**node, "unexpectedProperty": "x"}
    one_of = [set(branch.get("required", [])) for branch in schema.get("oneOf", []) if set(branch) == {"required"}]
    if one_of:
        present = set().union(*one_of) & set(value)
        yield "none of oneOf", path, lambda _, node: {k: v for k, v in node.items() if k not in present}
        yield "two of oneOf", path, adding(sorted(set().union(*one_of)))
    if set(schema.get("not", {})) - {"x-error-code"} == {"required"}:
        yield "all of not", path, adding(schema["not"]["required"])
    condition, then = schema.get("if", {}), schema.get("then", {})
    if condition and "required" in then:
        consts = {name: sub["const"] for name, sub in condition.get("properties", {}).items() if "const" in sub}
        dropped = set(then["required"])
        yield (
            "if without then",
            path,
            lambda _, node: {**{k: v for k, v in node.items() if k not in dropped}, **consts},
        )
