"""Deterministic, valid JSON instances of OpenAPI schema objects: for mock servers and parse-every-response tests.

A value comes from the schema's own `example`/`examples`/`default` when one validates (what Stoplight Prism does),
else it is built keyword by keyword (json-schema-faker's approach): `allOf` and `$ref` are merged into one set of
facts, `anyOf`/`oneOf`/`if` are resolved by trying branches in order, strings come from their `format` or from their
`pattern` (a small generator over the syntax tree of Python's `re` parser), numbers are chosen exactly representable.
Whatever cannot be built exactly (`not`, `oneOf` exclusivity, `uniqueItems`, `contains`, ...) is built and then
checked, and every value returned has passed openapi-schema-validator (`OAS30Validator` / `OAS31Validator`, with the
generated runtime's format checks): what cannot be found within the search budget is an `UnsatisfiableSchema`, never
an invalid value.

Randomness is a `random.Random` seeded from the seed and the schema's location, so the same inputs give the same
value in any process and in any call order. Values are cached per (schemas, depth, options); recursion ends by depth:
from `max_depth` containers down, only required properties and minimal arrays are filled, `null` is preferred where
allowed and the branches of `anyOf`/`oneOf` that end soonest come first.
"""

from __future__ import annotations

import base64
import contextvars
import json
import math
import random
import re
import string
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, TypeGuard
from urllib.parse import unquote

import referencing.exceptions
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import _keywords as json_schema_keywords
from jsonschema.exceptions import UnknownType
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from openapi_schema_validator import _keywords as oas_keywords

from generator.errors import escape_pointer_token
from generator.runtime.model import FORMAT_CHECKS

if TYPE_CHECKING:  # typeshed describes the parser under its old, deprecated names
    import sre_constants as sre_c
    import sre_parse
else:
    from re import _constants as sre_c
    from re import _parser as sre_parse

Variant = Literal["minimal", "full"]
Direction = Literal["response", "request"]

MAX_ATTEMPTS = 6
"""Tries per node when a built value must be checked (`not`, `oneOf`, unique items ...) before the node gives up."""
SEARCH_BUDGET = 400
"""Merged schemas one node may try while resolving `anyOf`/`oneOf`/`if` branches (nested choices multiply)."""
_DEPTH_SLACK = 24
"""Containers past `max_depth` after which a recursion that cannot end is reported as unsatisfiable."""
_ANNOTATIONS = frozenset({"title", "description", "$comment", "deprecated", "externalDocs", "xml", "example"})
_ALL_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")
_INF = 1 << 62
_INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_UNCHECKABLE = (re.error, referencing.exceptions.Unresolvable, UnknownType)
"""What the validator raises for a schema it cannot apply (a pattern Python's `re` rejects, a dangling `$ref`,
a type such as Swagger 2's `file`): reported as an error, never raised."""


_DISCRIMINATING: contextvars.ContextVar[frozenset[tuple[int, int]]] = contextvars.ContextVar(
    "_DISCRIMINATING", default=frozenset()
)


def _cycle_safe(keyword: str) -> Callable[..., Iterator[Any]]:
    """openapi-schema-validator's 3.0 `allOf`/`oneOf`/`anyOf` with a discriminator validate the instance against the
    schema the discriminator names instead. Where that schema inherits from this one (`Cat: allOf: [Pet]`, `Pet`
    discriminating on `kind` without a mapping, Azure's usual pattern) it comes straight back here with the same
    instance and never ends: on the way back, the keyword is applied as JSON Schema has it."""
    discriminating = getattr(oas_keywords, keyword)
    plain = getattr(json_schema_keywords, keyword)

    def apply(validator: Any, members: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
        key = (id(schema), id(instance))
        active = _DISCRIMINATING.get()
        if "discriminator" in schema and not _names_a_schema(validator, schema["discriminator"], instance):
            yield from plain(validator, members, instance, schema)
        elif "discriminator" not in schema or key not in active:
            token = _DISCRIMINATING.set(active | {key})
            try:  # to the end here: an abandoned generator would reset the variable out of turn
                errors = list(discriminating(validator, members, instance, schema))
            finally:
                _DISCRIMINATING.reset(token)
            yield from errors
        else:
            yield from plain(validator, members, instance, schema)

    return apply


def _names_a_schema(validator: Any, discriminator: Any, instance: Any) -> bool:
    """Whether the discriminator's value in `instance` names a schema, by its mapping or, without a mapping entry,
    as a component's name. A value that names none (Azure names subtypes with `x-ms-discriminator-value`, which
    OpenAPI does not know) selects nothing: the keyword then applies as JSON Schema has it."""
    if not isinstance(discriminator, Mapping) or not isinstance(instance, Mapping):
        return True  # openapi-schema-validator reports these
    value = instance.get(discriminator.get("propertyName"))
    mapping = discriminator.get("mapping")
    if not isinstance(value, str) or (isinstance(mapping, Mapping) and value in mapping):
        return True
    try:
        validator._resolver.lookup(f"#/components/schemas/{value}")
    except referencing.exceptions.Unresolvable:
        return False
    return True


_OAS30Validator = extend(OAS30Validator, {k: _cycle_safe(k) for k in ("allOf", "oneOf", "anyOf")})


class UnsatisfiableSchema(Exception):
    """No valid instance was found for the schema at `pointer` (a document pointer, or `$...` inside an inline
    schema) within the search budget; `reason` says which constraint could not be met."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer or '#'}: {reason}")
        self.pointer = pointer
        self.reason = reason


# --------------------------------------------------------------------------- validation


def _format_checker(v31: bool) -> FormatChecker:
    """The OpenAPI format checks plus the generated runtime's (`FORMAT_CHECKS`) and jsonschema's own for those
    formats: a value passes only if every one of them accepts it, so generated clients accept it too."""
    base = oas31_format_checker if v31 else oas30_format_checker
    checker = FormatChecker(formats=())
    checker.checkers = dict(base.checkers)
    draft: FormatChecker = Draft202012Validator.FORMAT_CHECKER

    def both(name: str, runtime_check: Callable[[str], bool]) -> Callable[[object], bool]:
        def check(instance: object) -> bool:
            if not isinstance(instance, str):
                return True
            return runtime_check(instance) and (name not in draft.checkers or draft.conforms(instance, name))

        return check

    for name, runtime_check in FORMAT_CHECKS.items():
        checker.checks(name)(both(name, runtime_check))
    checker.checkers["byte"] = oas30_format_checker.checkers["byte"]  # base64, in 3.1 documents too
    return checker


# --------------------------------------------------------------------------- schemas with a location


@dataclass(frozen=True, eq=False, slots=True)
class _Src:
    """A schema with a stable location: a document pointer (`#/components/schemas/Pet`) or, inside a schema that is
    not part of the document, a path under `$`; `root` tells inline schemas apart (0 for the document)."""

    schema: Any
    loc: str
    root: int = 0

    def key(self) -> tuple[str, int]:
        return (self.loc, self.root)

    def at(self, *tokens: str | int) -> _Src:
        node = self.schema
        for token in tokens:
            node = node[token]
        return _Src(node, self.loc + "".join("/" + escape_pointer_token(str(t)) for t in tokens), self.root)


@dataclass(frozen=True)
class _Choice:
    """Branches of which one (or, for `if`, the right one) must hold; each branch is a conjunction of schemas."""

    kind: str  # "anyOf", "oneOf" or "if"
    branches: tuple[tuple[_Src, ...], ...]
    owner: _Src


@dataclass
class _Facts:
    """What a conjunction of schemas (after `$ref` and `allOf`) demands, keyword family by keyword family."""

    loc: str
    types: list[str] | None = None
    consts: list[Any] = field(default_factory=list)
    enums: list[list[Any]] = field(default_factory=list)
    examples: list[Any] = field(default_factory=list)
    lower: tuple[float | int, bool] | None = None
    upper: tuple[float | int, bool] | None = None
    multiples: list[float | int] = field(default_factory=list)
    min_length: int = 0
    max_length: int | None = None
    patterns: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    content: _Src | None = None
    min_items: int = 0
    max_items: int | None = None
    array_parts: list[_Src] = field(default_factory=list)
    contains: list[tuple[_Src, int]] = field(default_factory=list)
    object_parts: list[_Src] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    min_props: int = 0
    max_props: int | None = None
    dependent: dict[str, list[str]] = field(default_factory=dict)
    property_names: list[_Src] = field(default_factory=list)
    choices: list[_Choice] = field(default_factory=list)
    checks: list[_Src] = field(default_factory=list)
    excluded_types: set[str] = field(default_factory=set)
    forbidden: set[str] = field(default_factory=set)
    prefer: dict[str, Any] = field(default_factory=dict)
    discriminators: list[Mapping[str, Any]] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    seen: set[tuple[str, int]] = field(default_factory=set)

    def clone(self) -> _Facts:
        copied = _Facts(**self.__dict__)
        for name, value in self.__dict__.items():
            if isinstance(value, list | dict | set):
                setattr(copied, name, type(value)(value))
        return copied

    def add(self, part: _Src, v31: bool) -> None:
        """Narrow the facts by one schema object (its `$ref` and `allOf` are flattened by the caller); a schema
        object met again adds nothing (a conjunction with itself)."""
        d = part.schema
        if part.key() in self.seen or d is True:
            return
        self.seen.add(part.key())
        if d is False:
            raise UnsatisfiableSchema(part.loc, "the schema is `false`: no value is valid")
        if not isinstance(d, Mapping):
            raise UnsatisfiableSchema(part.loc, f"not a schema object: {d!r}")
        if part.loc.startswith("#/components/schemas/") and part.loc.count("/") == 3:
            self.components.append(part.loc)
        self._add_types(part, d, v31)
        if "const" in d:
            self.consts.append(d["const"])
        if isinstance(d.get("enum"), list):
            self.enums.append(list(d["enum"]))
        self.examples += [d["example"]] if "example" in d else []
        self.examples += d["examples"] if isinstance(d.get("examples"), list) else []
        self.examples += [d["default"]] if "default" in d else []
        self._add_numbers(d)
        self._add_strings(part, d)
        self._add_arrays(part, d)
        self._add_objects(part, d)
        self._add_logic(part, d)

    def _add_types(self, part: _Src, d: Mapping[str, Any], v31: bool) -> None:
        declared = d.get("type")
        if declared is None:
            return
        kinds = [declared] if isinstance(declared, str) else list(declared)
        if not v31 and d.get("nullable") is True:
            kinds.append("null")  # OpenAPI 3.0: `nullable` counts only beside `type`, in the same schema object
        if self.types is None:
            self.types = kinds
            return
        merged = [t for t in self.types if t in kinds or (t == "integer" and "number" in kinds)]
        merged += [t for t in kinds if t == "integer" and "number" in self.types and t not in merged]
        if not merged:
            raise UnsatisfiableSchema(part.loc, f"no type is both {self.types} and {kinds}")
        self.types = merged

    def _add_numbers(self, d: Mapping[str, Any]) -> None:
        for key, is_lower in (("minimum", True), ("maximum", False)):
            value = d.get(key)
            exclusive = d.get("exclusiveMinimum" if is_lower else "exclusiveMaximum")
            if _is_number(value):
                self._bound((value, exclusive is True), is_lower)
            if _is_number(exclusive):
                self._bound((exclusive, True), is_lower)
        if _is_number(d.get("multipleOf")) and d["multipleOf"] > 0:
            self.multiples.append(d["multipleOf"])
        if d.get("format") in _INT_FORMATS:
            self.formats.append(d["format"])

    def _bound(self, bound: tuple[float | int, bool], is_lower: bool) -> None:
        current = self.lower if is_lower else self.upper
        if current is not None:
            tighter = bound[0] > current[0] if is_lower else bound[0] < current[0]
            if not tighter and not (bound[0] == current[0] and bound[1]):
                return
        if is_lower:
            self.lower = bound
        else:
            self.upper = bound

    def _add_strings(self, part: _Src, d: Mapping[str, Any]) -> None:
        if isinstance(d.get("minLength"), int):
            self.min_length = max(self.min_length, d["minLength"])
        if isinstance(d.get("maxLength"), int):
            self.max_length = _min(self.max_length, d["maxLength"])
        if isinstance(d.get("pattern"), str):
            self.patterns.append(d["pattern"])
        if isinstance(d.get("format"), str) and d["format"] not in _INT_FORMATS:
            self.formats.append(d["format"])
        media = d.get("contentMediaType")
        if isinstance(media, str) and _is_json_media(media) and isinstance(d.get("contentSchema"), Mapping | bool):
            self.content = part.at("contentSchema")

    def _add_arrays(self, part: _Src, d: Mapping[str, Any]) -> None:
        if isinstance(d.get("minItems"), int):
            self.min_items = max(self.min_items, d["minItems"])
        if isinstance(d.get("maxItems"), int):
            self.max_items = _min(self.max_items, d["maxItems"])
        if {"items", "prefixItems", "unevaluatedItems"} & d.keys():
            self.array_parts.append(part)
        if "contains" in d:
            least = d.get("minContains", 1)
            self.contains.append((part.at("contains"), least if isinstance(least, int) else 1))
        if d.get("uniqueItems") is True or "contains" in d or "unevaluatedItems" in d:
            self.checks.append(part)

    def _add_objects(self, part: _Src, d: Mapping[str, Any]) -> None:
        if {"properties", "patternProperties", "additionalProperties", "unevaluatedProperties"} & d.keys():
            self.object_parts.append(part)
        if isinstance(d.get("required"), list):
            self.required += [n for n in d["required"] if isinstance(n, str) and n not in self.required]
        if isinstance(d.get("minProperties"), int):
            self.min_props = max(self.min_props, d["minProperties"])
        if isinstance(d.get("maxProperties"), int):
            self.max_props = _min(self.max_props, d["maxProperties"])
        if isinstance(d.get("dependentRequired"), Mapping):
            for name, needed in d["dependentRequired"].items():
                self.dependent.setdefault(name, []).extend(needed)
        if "propertyNames" in d:
            self.property_names.append(part.at("propertyNames"))
        if {"dependentSchemas", "unevaluatedProperties", "propertyNames"} & d.keys():
            self.checks.append(part)

    def _add_logic(self, part: _Src, d: Mapping[str, Any]) -> None:
        for kind in ("anyOf", "oneOf"):
            if isinstance(d.get(kind), list):
                branches = tuple((part.at(kind, i),) for i in range(len(d[kind])))
                self.choices.append(_Choice(kind, branches, part))
        if "discriminator" in d and not ({"anyOf", "oneOf"} & d.keys()) and isinstance(d["discriminator"], Mapping):
            self.discriminators.append(d["discriminator"])
        if "if" in d and {"then", "else"} & d.keys():
            holds = (part.at("if"), *((part.at("then"),) if "then" in d else ()))
            fails = (part.at("else"),) if "else" in d else ()
            self.choices.append(_Choice("if", (holds, fails), part))
        if "not" in d:
            self.checks.append(part)
            self._not_hints(d["not"])

    def _not_hints(self, negated: Any) -> None:
        """Steer generation away from what a `not` forbids, where that is easy to read off; checks do the rest."""
        if not isinstance(negated, Mapping):
            return
        keys = set(negated) - _ANNOTATIONS
        if keys == {"type"}:
            kinds = negated["type"]
            self.excluded_types |= {kinds} if isinstance(kinds, str) else set(kinds)
        elif keys == {"required"} and isinstance(negated["required"], list):
            optional = [n for n in negated["required"] if n not in self.required]
            self.forbidden |= set(optional[:1] if len(negated["required"]) > 1 else optional)
        elif keys == {"anyOf"} and isinstance(negated["anyOf"], list):
            for branch in negated["anyOf"]:
                self._not_hints(branch)


def _min(current: int | None, value: int) -> int:
    return value if current is None else min(current, value)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def _is_json_media(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _is_json(value: object) -> bool:
    """Whether a value from the document (YAML may hold dates or NaN) is plain JSON."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def _json_key(value: Any) -> str:
    """Equality as JSON Schema sees it in `enum`, `const` and `uniqueItems`: 1 and 1.0 are equal, true and 1 not."""

    def plain(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, list):
            return [plain(i) for i in v]
        if isinstance(v, dict):
            return {k: plain(i) for k, i in v.items()}
        return v

    return json.dumps(plain(value), sort_keys=True)


def _copy(value: Any) -> Any:
    """A fresh copy of a JSON value, so that callers may change what they get without touching the cache."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --------------------------------------------------------------------------- the generator


@dataclass(frozen=True)
class _Options:
    seed: int
    use_examples: bool
    variant: Variant
    direction: Direction


class InstanceGenerator:
    """Valid instances of the schemas of one OpenAPI document (3.0.x or 3.1.x semantics).

    `max_depth` bounds recursion: from that many nested containers down, only what is required is filled.
    The document and the schemas passed in are read, never changed, and must not change while this object is used.
    """

    def __init__(self, document: Mapping[str, Any], *, openapi: str | None = None, max_depth: int = 5) -> None:
        version = openapi if openapi is not None else str(document.get("openapi", "3.1.0"))
        if not version.startswith(("3.0", "3.1")):
            raise ValueError(f"expected an OpenAPI 3.0.x or 3.1.x version, got {version!r}")
        self.document = document
        self.openapi = version
        self.max_depth = max_depth
        self._v31 = version.startswith("3.1")
        validator_class = OAS31Validator if self._v31 else _OAS30Validator
        self._root_validator = validator_class(document, format_checker=_format_checker(self._v31))
        self._validators: dict[int, tuple[Any, Any]] = {}
        self._pointers: dict[int, str] | None = None
        self._inline: dict[int, Any] = {}
        self._facts: dict[tuple[tuple[str, int], ...], _Facts] = {}
        self._flat: dict[tuple[str, int], tuple[_Src, ...]] = {}
        self._values: dict[_Options, dict[tuple[Any, ...], Any]] = {}
        self._patterns: dict[str, _Pattern] = {}
        self._parents: dict[str, list[str]] | None = None

    def generate(
        self,
        schema: Any,
        *,
        seed: int = 0,
        use_examples: bool = True,
        variant: Variant = "minimal",
        direction: Direction = "response",
    ) -> Any:
        """A valid instance of `schema` (a schema object of the document, or one whose `$ref`s point into it).

        `use_examples`: a schema's `example`/`examples`/`default` first, when it validates. `variant`: "minimal" fills
        required properties and `minItems` only; "full" fills every declared property (above `max_depth`) and one
        array item or map entry more. `direction`: "response" leaves out optional `writeOnly` properties, "request"
        optional `readOnly` ones. Raises UnsatisfiableSchema when no valid instance is found.
        """
        if variant not in ("minimal", "full") or direction not in ("response", "request"):
            raise ValueError(f"unknown variant {variant!r} or direction {direction!r}")
        src = self._src(schema)
        session = _Session(self, _Options(seed, use_examples, variant, direction))
        failure: UnsatisfiableSchema | None = None
        for salt in range(3):  # a built value that fails the final check is a miss of the builder: try other choices
            try:
                value = session.value((src,), 0, salt)
            except UnsatisfiableSchema as exc:
                raise UnsatisfiableSchema(exc.pointer, exc.reason) from None
            errors = self.validate(schema, value)
            if not errors:
                return _copy(value)
            failure = failure or UnsatisfiableSchema(src.loc, f"no valid instance was built: {errors[0]}")
        assert failure is not None
        raise failure

    def validate(self, schema: Any, instance: Any) -> list[str]:
        """Every error of `instance` against `schema`, as `path: message` (empty when valid): openapi-schema-validator
        for the document's version, with the formats checked as the generated runtime checks them."""
        try:
            return [
                f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
                for error in self._validator(schema).iter_errors(instance)
            ]
        except _UNCHECKABLE as exc:
            return [f"/: the schema cannot be checked: {exc}"]

    def is_valid(self, schema: Any, instance: Any) -> bool:
        """`validate(schema, instance) == []`, stopping at the first error."""
        try:
            return next(self._validator(schema).iter_errors(instance), None) is None
        except _UNCHECKABLE:
            return False

    def _validator(self, schema: Any) -> Any:
        """One validator per schema object, resolving `#/...` against the document."""
        entry = self._validators.get(id(schema))
        if entry is None:
            entry = (schema, self._root_validator.evolve(schema=schema))  # the entry keeps `schema` (and its id) alive
            self._validators[id(schema)] = entry
        return entry[1]

    def _src(self, schema: Any) -> _Src:
        """`schema` with its location: its pointer when it is part of the document, else an inline root."""
        if self._pointers is None:
            self._pointers = dict(_index(self.document, "#"))
        pointer = self._pointers.get(id(schema))
        if pointer is not None:
            return _Src(schema, pointer)
        self._inline.setdefault(id(schema), schema)  # kept alive, so that its id is never reused in cache keys
        return _Src(schema, "$", id(schema))

    def _deref(self, src: _Src, ref: str) -> _Src:
        """The target of a local `$ref`, located by its canonical pointer (however the reference spells it)."""
        if not ref.startswith("#"):
            raise UnsatisfiableSchema(src.loc, f"only local references are supported, not {ref!r}")
        node: Any = self.document
        tokens = [unquote(t).replace("~1", "/").replace("~0", "~") for t in ref[1:].split("/")[1:]]
        for token in tokens:
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise UnsatisfiableSchema(src.loc, f"reference {ref!r} does not resolve")
        return _Src(node, "#" + "".join("/" + escape_pointer_token(t) for t in tokens))

    def _flatten(self, src: _Src) -> tuple[_Src, ...]:
        """The schema objects whose conjunction `src` is: itself, what its `$ref` names, its `allOf` members."""
        key = src.key()
        cached = self._flat.get(key)
        if cached is None:
            parts: list[_Src] = []
            seen: set[tuple[str, int]] = set()
            stack = [src]
            while stack:
                part = stack.pop()
                if part.key() in seen:
                    continue  # a conjunction with itself adds nothing: cycles through $ref/allOf end here
                seen.add(part.key())
                parts.append(part)
                d = part.schema
                if isinstance(d, Mapping):
                    members = [part.at("allOf", i) for i in range(len(d["allOf"]))] if _is_list(d.get("allOf")) else []
                    ref = d.get("$ref")
                    if isinstance(ref, str):
                        members.insert(0, self._deref(part, ref))
                    stack.extend(reversed(members))
            cached = self._flat[key] = tuple(parts)
        return cached

    def _component(self, ref: str) -> Mapping[str, Any]:
        found = self.document.get("components", {}).get("schemas", {}).get(_discriminator_value({}, ref) or "", {})
        return found if isinstance(found, Mapping) else {}

    def _subtypes(self, base: str, discriminator: Mapping[str, Any]) -> list[str]:
        """The schemas a discriminator of `base` may name: its mapping's targets, else every component inheriting
        `base` through `allOf` (directly or not), in document order."""
        prefix = "#/components/schemas/"
        mapping = discriminator.get("mapping")
        if isinstance(mapping, Mapping) and mapping:
            refs = [t if t.startswith("#") else prefix + t for t in mapping.values() if isinstance(t, str)]
            return [ref for ref in refs if ref != base and self._component(ref)]
        if self._parents is None:
            self._parents = {}
            for name, schema in (self.document.get("components", {}).get("schemas", {}) or {}).items():
                members = schema.get("allOf") if isinstance(schema, Mapping) else None
                named = [m.get("$ref") for m in members or () if isinstance(m, Mapping)]
                self._parents[prefix + escape_pointer_token(name)] = [r for r in named if isinstance(r, str)]

        def inherits(ref: str, seen: frozenset[str]) -> bool:
            parents = self._parents.get(ref, []) if self._parents is not None else []
            return base in parents or any(inherits(p, seen | {ref}) for p in parents if p not in seen)

        return [ref for ref in self._parents if ref != base and inherits(ref, frozenset())]

    def _facts_of(self, srcs: tuple[_Src, ...]) -> _Facts:
        key = tuple(s.key() for s in srcs)
        cached = self._facts.get(key)
        if cached is None:
            parts = [part for src in srcs for part in self._flatten(src)]
            described = (p for p in parts if not isinstance(p.schema, Mapping) or set(p.schema) - {"$ref"})
            cached = _Facts(next(described, srcs[0] if srcs else _Src({}, "$")).loc)
            for part in parts:
                cached.add(part, self._v31)
            self._facts[key] = cached
        return cached

    def _pattern(self, source: str, loc: str) -> _Pattern:
        compiled = self._patterns.get(source)
        if compiled is None:
            try:
                compiled = self._patterns[source] = _Pattern(source)
            except (re.error, _Unsupported) as exc:
                raise UnsatisfiableSchema(loc, f"pattern {source!r} cannot be used: {exc}") from None
        return compiled


def _index(node: Any, pointer: str) -> Iterator[tuple[int, str]]:
    """(id, pointer) of every object in the document: a schema passed in by identity gets its stable location."""
    stack = [(node, pointer)]
    while stack:
        item, ptr = stack.pop()
        if isinstance(item, Mapping):
            yield id(item), ptr
            stack.extend((v, f"{ptr}/{escape_pointer_token(str(k))}") for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{ptr}/{i}") for i, v in enumerate(item))


@dataclass
class _Node:
    """One value being built: the facts it must meet, the schemas it is checked against, and where it stands."""

    facts: _Facts
    srcs: tuple[_Src, ...]
    depth: int
    salt: int
    rng: random.Random
    budget: list[int]
    widen: bool = False
    """Fill like the full variant at this level: a minimal value (`[]`, `{}`) may match several `oneOf` branches."""
    avoid: tuple[tuple[_Src, ...], ...] = ()
    """Other `oneOf` branches an object should not match: a property they declare gets a value they reject."""
    attempt: int = 0

    @property
    def loc(self) -> str:
        return self.facts.loc


class _Session:
    """One set of options: the values built so far (shared between calls with the same options) and the builders."""

    def __init__(self, gen: InstanceGenerator, options: _Options) -> None:
        self.gen = gen
        self.opts = options
        self.cache = gen._values.setdefault(options, {})

    def value(self, srcs: tuple[_Src, ...], depth: int, salt: int) -> Any:
        """A value valid against every schema of `srcs`; `salt` varies it (array items, retries)."""
        key = (tuple(s.key() for s in srcs), depth, salt)
        hit = self.cache.get(key, _MISSING)
        if isinstance(hit, _Failure):
            raise UnsatisfiableSchema(hit.pointer, hit.reason)
        if hit is not _MISSING:
            return hit
        try:
            if depth > self.gen.max_depth + _DEPTH_SLACK:
                raise UnsatisfiableSchema(srcs[0].loc, f"the recursion does not end within {depth} levels")
            rng = random.Random(f"{self.opts.seed}|{'|'.join(s.loc for s in srcs)}|{depth}|{salt}")
            subtype = self._subtype(srcs, salt)
            if subtype is not None:
                result = self.value((subtype, *srcs), depth, salt)
            else:
                result = self._resolve(_Node(self.gen._facts_of(srcs), srcs, depth, salt, rng, [SEARCH_BUDGET]))
        except UnsatisfiableSchema as exc:
            self.cache[key] = _Failure(exc.pointer, exc.reason)
            raise
        self.cache[key] = result
        return result

    def valid_all(self, srcs: tuple[_Src, ...], value: Any) -> bool:
        return all(self.gen.is_valid(s.schema, value) for s in srcs)

    def _subtype(self, srcs: tuple[_Src, ...], salt: int) -> _Src | None:
        """A schema inheriting the base `srcs` name, where the base cannot name itself as its discriminator says.

        An instance of a base with a discriminator (`Pet`, discriminating on `petType`) says which schema it is by
        that property: OpenAPI 3.0 validators check it against the schema the value names instead (`Cat`), and
        readers of any version expect a value of the mapping. When no value names the base itself (its name is
        not a value the property takes, or the mapping leaves it out), a valid instance of the base is one of a
        subtype's: a mapping target, or a component inheriting the base through `allOf`."""
        facts = self.gen._facts_of(srcs)
        if not facts.components:
            return None
        base = facts.components[0]
        schema = self.gen._component(base)
        discriminator = schema.get("discriminator")
        if not isinstance(discriminator, Mapping) or {"oneOf", "anyOf"} & schema.keys():
            return None
        name = discriminator.get("propertyName")
        accepts = self._prop_srcs(facts, name) if isinstance(name, str) else None
        if accepts is None:
            return None
        own = _discriminator_value(discriminator, base)
        named = own is not None and (not discriminator.get("mapping") or own in discriminator["mapping"])
        if named and self.valid_all(accepts, own):
            return None
        candidates = [
            ref
            for ref in self.gen._subtypes(base, discriminator)
            if (value := _discriminator_value(discriminator, ref)) is not None and self.valid_all(accepts, value)
        ]
        if not candidates:
            return None
        ref = candidates[salt % len(candidates)]
        return _Src(self.gen._component(ref), ref)

    def _full(self, node: _Node) -> bool:
        return node.widen or (self.opts.variant == "full" and node.depth < self.gen.max_depth)

    # ----------------------------------------------------------------------- search

    def _resolve(self, node: _Node) -> Any:
        """Candidates in order: const/enum members, examples, then a value built from the facts."""
        node.budget[0] -= 1
        if node.budget[0] < 0:
            raise UnsatisfiableSchema(node.loc, "the search budget ran out among anyOf/oneOf/if branches")
        fixed = self._fixed(node)
        if fixed is not None:
            for candidate in fixed:
                if self.valid_all(node.srcs, candidate):
                    return candidate
            raise UnsatisfiableSchema(node.loc, "no value allowed by const/enum satisfies the whole schema")
        if self.opts.use_examples:
            # Without a `type`, the keywords say what the value is meant to be (`properties`: an object), as the
            # generated models read them: an example of another type would be valid JSON Schema but not that.
            meant = set(_hinted(node.facts)) if node.facts.types is None else set()
            meant |= {"integer"} if "number" in meant else set()
            for example in _rotate(node.facts.examples, node.salt):
                if meant and _json_type(example) not in meant:
                    continue
                if _is_json(example) and self.valid_all(node.srcs, example):
                    return example
        if node.facts.choices:
            return self._choose(node)
        return self._typed(node)

    def _fixed(self, node: _Node) -> list[Any] | None:
        """The candidates when `const` or `enum` leaves only a few values (None when neither is there)."""
        facts = node.facts
        if facts.consts:
            if not all(_is_json(c) for c in facts.consts):
                raise UnsatisfiableSchema(node.loc, f"a constant is not JSON: {facts.consts}")
            if len({_json_key(c) for c in facts.consts}) > 1:
                raise UnsatisfiableSchema(node.loc, f"different constants are demanded: {facts.consts}")
            values = [facts.consts[0]]
        elif facts.enums:
            values = [v for v in facts.enums[0] if _is_json(v)]
        else:
            return None
        for allowed in ({_json_key(e) for e in enum if _is_json(e)} for enum in facts.enums[not facts.consts :]):
            values = [v for v in values if _json_key(v) in allowed]
        if self.opts.use_examples:
            return _rotate(values, node.salt)
        node.rng.shuffle(values)
        return values

    def _choose(self, node: _Node) -> Any:
        """Resolve the first `anyOf`/`oneOf`/`if`: merge each branch in turn into the rest and keep the first value
        that the owner schema accepts (so `oneOf` matches exactly one branch, as the validator sees it); a value
        that matches other branches too is widened, then steered away from them."""
        choice = node.facts.choices[0]
        rest = node.facts.clone()
        rest.choices = node.facts.choices[1:]
        rest.examples = []
        branches = list(enumerate(choice.branches))
        if node.depth >= self.gen.max_depth:
            branches.sort(key=lambda b: self._cost(b[1]))
        reasons: list[str] = []
        for index, branch in branches:
            merged = rest.clone()
            try:
                parts = [part for src in branch for part in self.gen._flatten(src)]
                repeated = any(part.key() in merged.seen for part in parts)
                for part in parts:
                    merged.add(part, self.gen._v31)
                self._discriminate(merged, choice, index)
            except UnsatisfiableSchema as exc:
                reasons.append(f"branch {index}: {exc}")
                continue
            trusted = choice.kind == "anyOf" and not repeated and "discriminator" not in choice.owner.schema
            others = tuple(b for i, b in enumerate(choice.branches) if i != index) if choice.kind == "oneOf" else ()
            tries = [(node.widen, ())] if trusted else [(node.widen, ()), (True, ()), (True, others)]
            for widen, avoid in dict.fromkeys(tries):
                try:
                    value = self._resolve(
                        _Node(merged, node.srcs, node.depth, node.salt, node.rng, node.budget, widen, avoid)
                    )
                except UnsatisfiableSchema as exc:
                    reasons.append(f"branch {index}: {exc}")
                    break
                if trusted or self.gen.is_valid(choice.owner.schema, value):
                    return value  # a value built from a branch's facts is valid against it, so against the anyOf
            else:
                reasons.append(f"branch {index}: its value matches another branch of the {choice.kind} too")
        raise UnsatisfiableSchema(
            choice.owner.loc, f"no {choice.kind} branch gives a valid value ({'; '.join(reasons)})"
        )

    def _discriminate(self, merged: _Facts, choice: _Choice, index: int) -> None:
        """Set the discriminator property to the value that selects the branch: its mapping key, else its name."""
        discriminator = choice.owner.schema.get("discriminator") if choice.kind != "if" else None
        if not isinstance(discriminator, Mapping) or not isinstance(discriminator.get("propertyName"), str):
            return
        branch = choice.branches[index][0].schema
        ref = branch.get("$ref") if isinstance(branch, Mapping) else None
        value = _discriminator_value(discriminator, ref) if isinstance(ref, str) else None
        if value is not None:
            merged.prefer[discriminator["propertyName"]] = value

    def _cost(self, branch: tuple[_Src, ...]) -> int:
        """How far a branch is from ending a recursion: scalars end it, arrays can, objects may not."""
        try:
            kinds = self.gen._facts_of(branch).types if branch else None
        except UnsatisfiableSchema:
            return 3
        return min({"object": 2, "array": 1}.get(t, 0) for t in kinds) if kinds else 2

    # ----------------------------------------------------------------------- by type

    def _typed(self, node: _Node) -> Any:
        """The first type (in `_type_order`) whose built value passes the checks; a failed check is retried with
        other random choices."""
        facts = node.facts
        failures: list[UnsatisfiableSchema] = []
        for kind in self._type_order(node):
            attempts = MAX_ATTEMPTS if facts.checks else 1
            for attempt in range(attempts):
                tried = node if attempt == 0 else _Node(
                    facts, node.srcs, node.depth, node.salt * 131 + attempt, random.Random(f"{node.rng.random()}"),
                    node.budget, node.widen, node.avoid, attempt,
                )  # fmt: skip
                try:
                    value = self._build(kind, tried)
                except UnsatisfiableSchema as exc:
                    failures.append(exc)
                    break
                if kind == "null" and not self.valid_all(node.srcs, None):
                    failures.append(UnsatisfiableSchema(node.loc, "null is not allowed"))
                    break
                failed = next((c for c in facts.checks if not self.gen.is_valid(c.schema, value)), None)
                if failed is None:
                    return value
                if attempt == attempts - 1:
                    failures.append(UnsatisfiableSchema(failed.loc, f"no {kind} passed its checks in {attempts} tries"))
        if len(failures) == 1:
            raise failures[0]
        reasons = "; ".join(str(f) if f.pointer != node.loc else f.reason for f in failures)
        raise UnsatisfiableSchema(node.loc, reasons or "every type is excluded")

    def _type_order(self, node: _Node) -> list[str]:
        """Declared types in order (null first in the minimal variant and deep down), else types inferred from the
        keywords present, then the rest."""
        facts = node.facts
        if facts.types is not None:
            kinds = [t for t in facts.types if t != "null"]
            if "number" in kinds and "integer" not in kinds:
                kinds.append("integer")
            if "null" in facts.types:
                prefer_null = self.opts.variant == "minimal" or node.depth >= self.gen.max_depth
                kinds = ["null", *kinds] if prefer_null and not node.widen else [*kinds, "null"]
        else:
            hinted = _hinted(facts)
            kinds = [*hinted, *(t for t in _ALL_TYPES if t not in hinted)]
        return [t for t in kinds if t not in facts.excluded_types]

    def _build(self, kind: str, node: _Node) -> Any:
        if kind == "null":
            return None
        if kind == "boolean":
            return node.rng.random() < 0.5
        if kind in ("integer", "number"):
            return _number(node.facts, kind == "integer", node.rng)
        builders: dict[str, Callable[[_Node], Any]] = {
            "string": self._string,
            "array": self._array,
            "object": self._object,
        }
        if kind not in builders:
            raise UnsatisfiableSchema(node.loc, f"unknown type {kind!r}")
        return builders[kind](node)

    # ----------------------------------------------------------------------- strings

    def _string(self, node: _Node) -> str:
        facts, rng = node.facts, node.rng
        low, high = facts.min_length, facts.max_length
        if high is not None and low > high:
            raise UnsatisfiableSchema(node.loc, f"minLength {low} > maxLength {high}")
        patterns = [self.gen._pattern(p, node.loc) for p in facts.patterns]
        known = [f for f in facts.formats if f in _FORMATS]
        checker = self.gen._root_validator.format_checker

        def fits(text: str) -> bool:
            return (
                low <= len(text) <= (high if high is not None else _INF)
                and all(p.compiled.search(text) for p in patterns)
                and all(checker.conforms(text, f) for f in facts.formats)
            )

        if facts.content is not None:
            document = json.dumps(self.value((facts.content,), node.depth + 1, node.salt), separators=(",", ":"))
            if fits(document):
                return document
        alphabet = _ALPHABETS[node.attempt % len(_ALPHABETS)]  # retries (for `not`) try other characters
        for attempt in range(4 * MAX_ATTEMPTS):
            target = _pick_length(low, high, rng)
            text: str | None
            if known and (not patterns or attempt % 2 == 0):
                text = _FORMATS[known[0]](rng, min(target + 10, high if high is not None else _INF))
            elif patterns:
                wide = attempt >= 2 * MAX_ATTEMPTS  # plain characters first, then any the pattern allows
                text = patterns[attempt % len(patterns)].generate(rng, low, high, wide=wide)
            else:
                text = _letters(rng, target, alphabet)
            if text is not None and fits(text):
                return text
        described = ", ".join([*(f"format {f}" for f in facts.formats), *(f"pattern {p!r}" for p in facts.patterns)])
        raise UnsatisfiableSchema(node.loc, f"no string of length {low}..{high} found for {described or 'it'}")

    # ----------------------------------------------------------------------- arrays

    def _item_srcs(self, facts: _Facts, index: int) -> tuple[_Src, ...] | None:
        """The schemas item `index` must satisfy (None when no item may stand there)."""
        out: list[_Src] = []
        for part in facts.array_parts:
            d = part.schema
            prefix = d.get("prefixItems")
            if isinstance(prefix, list) and index < len(prefix):
                out.append(part.at("prefixItems", index))
            elif d.get("items") is False or ("items" not in d and d.get("unevaluatedItems") is False):
                return None
            elif isinstance(d.get("items"), Mapping):
                out.append(part.at("items"))
        return tuple(out)

    def _array(self, node: _Node) -> list[Any]:
        facts = node.facts
        low, high = facts.min_items, facts.max_items if facts.max_items is not None else _INF
        prefix = max((len(p.schema.get("prefixItems", ())) for p in facts.array_parts), default=0)
        allowed = next((i for i in range(min(high, max(low, prefix) + 1)) if self._item_srcs(facts, i) is None), high)
        needed = max((least for _, least in facts.contains), default=0)
        if max(low, needed) > allowed:
            raise UnsatisfiableSchema(node.loc, f"{max(low, needed)} items are needed but at most {allowed} allowed")
        count = max(low, needed)
        if self._full(node):
            count = max(count, min(allowed, max(prefix, 1)))
        unique = any(p.schema.get("uniqueItems") is True for p in facts.checks)
        items: list[Any] = []
        seen: set[str] = set()
        for index in range(count):
            srcs = self._item_srcs(facts, index) or ()
            if index < needed:
                srcs += tuple(c for c, least in facts.contains if index < least)
            for attempt in range(MAX_ATTEMPTS if unique else 1):
                item = self.value(srcs, node.depth + 1, node.salt * 64 + index + attempt * count * 64)
                if not unique or _json_key(item) not in seen:
                    break
            else:
                raise UnsatisfiableSchema(node.loc, f"no {count} different items found for uniqueItems")
            seen.add(_json_key(item))
            items.append(item)
        return items

    # ----------------------------------------------------------------------- objects

    def _prop_srcs(self, facts: _Facts, name: str) -> tuple[_Src, ...] | None:
        """The schemas property `name` must satisfy: declared, pattern or additional ones (None when forbidden)."""
        out: list[_Src] = []
        declared_anywhere = any(name in (p.schema.get("properties") or {}) for p in facts.object_parts)
        for part in facts.object_parts:
            d = part.schema
            matched = False
            if name in (d.get("properties") or {}):
                out.append(part.at("properties", name))
                matched = True
            for pattern in d.get("patternProperties") or {}:
                if self.gen._pattern(pattern, part.loc).compiled.search(name):
                    out.append(part.at("patternProperties", pattern))
                    matched = True
            if not matched:
                extra = d.get("additionalProperties")
                unevaluated = d.get("unevaluatedProperties") if not declared_anywhere else None
                if extra is False or unevaluated is False:
                    return None
                if isinstance(extra, Mapping):
                    out.append(part.at("additionalProperties"))
                elif isinstance(unevaluated, Mapping):
                    out.append(part.at("unevaluatedProperties"))
        return tuple(out)

    def _wanted(self, srcs: tuple[_Src, ...]) -> bool:
        """Whether an optional property belongs in this direction (no writeOnly in responses, no readOnly in
        requests)."""
        flag = "writeOnly" if self.opts.direction == "response" else "readOnly"
        return not any(
            isinstance(p.schema, Mapping) and p.schema.get(flag) is True for s in srcs for p in self.gen._flatten(s)
        )

    def _object(self, node: _Node) -> dict[str, Any]:
        facts = node.facts
        full = self._full(node)
        declared = list(dict.fromkeys(n for p in facts.object_parts for n in (p.schema.get("properties") or {})))
        chosen = list(dict.fromkeys([*facts.required, *facts.prefer]))
        if facts.max_props is not None and len(facts.required) > facts.max_props:
            raise UnsatisfiableSchema(node.loc, f"{len(facts.required)} required properties > maxProperties")
        optional = [n for n in declared if n not in chosen and n not in facts.forbidden]
        if full:
            chosen += [n for n in optional if self._wanted(self._prop_srcs(facts, n) or ())]
        if len(chosen) < facts.min_props:
            chosen += [n for n in optional if n not in chosen][: facts.min_props - len(chosen)]
        chosen = _close_dependencies(chosen, facts.dependent)
        room = (facts.max_props if facts.max_props is not None else _INF) - len(chosen)
        extras = self._extra_names(node, set(chosen) | set(declared), max(facts.min_props - len(chosen), 0))
        chosen += extras[: max(room, 0)]
        if facts.max_props is not None and len(chosen) > facts.max_props:
            kept = [n for n in chosen if n in facts.required or n in facts.prefer]
            chosen = kept + [n for n in chosen if n not in kept][: facts.max_props - len(kept)]
        result: dict[str, Any] = {}
        for name in chosen:
            srcs = self._prop_srcs(facts, name)
            if srcs is None:
                if name in facts.required:
                    raise UnsatisfiableSchema(node.loc, f"required property {name!r} is not allowed")
                continue
            if name in facts.prefer and self.valid_all(srcs, facts.prefer[name]):
                result[name] = facts.prefer[name]
                continue
            try:
                result[name] = self.value(srcs, node.depth + 1, node.salt)
            except UnsatisfiableSchema as exc:
                if name in facts.required or name in facts.prefer:
                    raise UnsatisfiableSchema(exc.pointer, f"{exc.reason} (property {name!r} of {node.loc})") from None
        self._name_discriminators(facts, result)
        for other in node.avoid:
            if self.valid_all(other, result):
                self._break(node, result, other)
        if len(result) < facts.min_props:
            raise UnsatisfiableSchema(node.loc, f"fewer than minProperties {facts.min_props} properties are possible")
        return result

    def _break(self, node: _Node, result: dict[str, Any], other: tuple[_Src, ...]) -> None:
        """Make `result` invalid against `other` (another `oneOf` branch) while it stays valid against its own:
        a property `other` declares gets a value of a type `other` rejects there."""
        try:
            theirs = self.gen._facts_of(other)
        except UnsatisfiableSchema:
            return
        for name in dict.fromkeys(n for p in theirs.object_parts for n in (p.schema.get("properties") or {})):
            ours, rejected = self._prop_srcs(node.facts, name), self._prop_srcs(theirs, name)
            if ours is None or rejected is None or name in node.facts.prefer:
                continue
            for candidate in _OTHER_TYPES:
                if self.valid_all(ours, candidate) and not self.valid_all(rejected, candidate):
                    result[name] = candidate
                    return

    def _name_discriminators(self, facts: _Facts, result: dict[str, Any]) -> None:
        """A schema with a base's discriminator (`Cat: allOf [Pet]`) says which it is: the key mapping to it, or its
        name, when the property takes that value."""
        for discriminator in facts.discriminators if facts.components else ():
            name = discriminator.get("propertyName")
            value = _discriminator_value(discriminator, facts.components[0])
            if isinstance(name, str) and value is not None and name not in facts.prefer and name in result:
                srcs = self._prop_srcs(facts, name)
                if srcs is not None and self.valid_all(srcs, value):
                    result[name] = value

    def _extra_names(self, node: _Node, taken: set[str], needed: int) -> list[str]:
        """Keys beyond the declared properties: one per `patternProperties` pattern and one additional property in
        the full variant, and as many as `minProperties` still needs."""
        facts = node.facts
        full = self._full(node)
        patterns = [p for part in facts.object_parts for p in (part.schema.get("patternProperties") or {})]
        open_schema = not any(
            part.schema.get("additionalProperties") is False or part.schema.get("unevaluatedProperties") is False
            for part in facts.object_parts
        )
        has_extra_schema = any(isinstance(p.schema.get("additionalProperties"), Mapping) for p in facts.object_parts)
        wanted = [*(patterns if full else []), *([None] if full and has_extra_schema else [])]
        wanted += ([None] if open_schema else patterns or [None]) * needed
        names: list[str] = []
        for n, pattern in enumerate(wanted, 1):
            name = self._key_name(node, pattern, n, taken)
            if name is not None:
                names.append(name)
                taken.add(name)
        return names

    def _key_name(self, node: _Node, pattern: str | None, n: int, taken: set[str]) -> str | None:
        """A new key that `propertyNames` accepts, from `pattern` or else named like Swagger UI's `additionalProp1`."""
        names = tuple(node.facts.property_names)
        for attempt in range(MAX_ATTEMPTS):
            if pattern is not None:
                name = self.gen._pattern(pattern, node.loc).generate(node.rng, 1, None)
            elif names and attempt:
                name = self.value(names, node.depth + 1, n * 31 + attempt)
            else:
                name = f"additionalProp{n + attempt * 10}"
            if isinstance(name, str) and name not in taken and self.valid_all(names, name):
                return name
        return None


@dataclass(frozen=True)
class _Failure:
    pointer: str
    reason: str


_MISSING = object()
_OTHER_TYPES: tuple[Any, ...] = (None, "x", 0, 0.5, True, [], {})
"""One value of each JSON type, to set a property to a type that a schema rejects."""


def _rotate(values: list[Any], salt: int) -> list[Any]:
    """`values` starting at the salt's position: array items prefer different examples and enum members."""
    return values[salt % len(values) :] + values[: salt % len(values)] if values else []


def _close_dependencies(names: list[str], dependent: Mapping[str, list[str]]) -> list[str]:
    """`names` plus whatever `dependentRequired` demands of them, transitively."""
    out = list(names)
    for name in out:  # grows while iterating: each added name's own dependencies are added too
        out += [n for n in dependent.get(name, []) if n not in out]
    return out


def _hinted(facts: _Facts) -> list[str]:
    """The types a schema without `type` implies by its keywords (`properties`: object, `items`: array ...)."""
    return [
        kind
        for kind, present in (
            ("object", facts.object_parts or facts.required or facts.min_props),
            ("array", facts.array_parts or facts.min_items or facts.contains),
            ("string", facts.patterns or facts.formats or facts.min_length or facts.max_length is not None),
            ("number", facts.lower or facts.upper or facts.multiples),
        )
        if present
    ]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "unknown"


def _discriminator_value(discriminator: Mapping[str, Any], ref: str) -> str | None:
    """The discriminator value that selects the schema at `ref`: its mapping key, else (implicit mapping) its name."""
    for key, target in (discriminator.get("mapping") or {}).items():
        if isinstance(target, str) and (target == ref or "#/components/schemas/" + target == ref):
            return str(key)
    prefix = "#/components/schemas/"
    if ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
        return ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
    return None


# --------------------------------------------------------------------------- numbers


def _number(facts: _Facts, integer: bool, rng: random.Random) -> int | float:
    """A number within the bounds that is a multiple of every `multipleOf` as the validator computes it: a multiple
    k * step of their least common multiple, preferring small positive k, checked in float arithmetic."""
    lower, upper = facts.lower, facts.upper
    if integer:
        for low, high in (_INT_FORMATS[f] for f in facts.formats if f in _INT_FORMATS):
            lower = lower if lower is not None and lower[0] >= low else (low, False)
            upper = upper if upper is not None and upper[0] <= high else (high, False)
    lo, lo_open = (Fraction(lower[0]), lower[1]) if lower is not None else (None, False)
    hi, hi_open = (Fraction(upper[0]), upper[1]) if upper is not None else (None, False)

    def inside(value: Fraction) -> bool:
        return (lo is None or value > lo or (value == lo and not lo_open)) and (
            hi is None or value < hi or (value == hi and not hi_open)
        )

    if lo is not None and hi is not None and not (lo < hi or (lo == hi and not lo_open and not hi_open)):
        raise UnsatisfiableSchema(facts.loc, f"no number lies between {float(lo):g} and {float(hi):g}")
    step = Fraction(1) if integer else None
    for multiple in facts.multiples:
        m = Fraction(str(multiple))
        step = (
            m
            if step is None
            else Fraction(math.lcm(step.numerator, m.numerator), math.gcd(step.denominator, m.denominator))
        )
    unit = step if step is not None else Fraction(1, 2)
    a = math.ceil(lo / unit) if lo is not None else -_INF
    b = math.floor(hi / unit) if hi is not None else _INF
    dyadic = unit.denominator // (unit.denominator & -unit.denominator)  # k * unit is a binary fraction iff k is
    for stride in (dyadic, 1):  # a multiple of this: exactly representable values first, then float neighbours
        ks = list(_multipliers(a, b, stride, rng))
        if step is None:  # a plain number: x.5 before integers, so that it is told apart from an integer
            ks.sort(key=lambda k: k % 2 == 0)
        for k in ks:
            for number in _floats_at(unit * k):
                if inside(Fraction(number)) and all(_multiple_ok(number, m) for m in facts.multiples):
                    return number
    if step is None and lo is not None and hi is not None:  # a range narrower than a half: its midpoint
        middle = (float(lo) + float(hi)) / 2
        if inside(Fraction(middle)):
            return middle
    kind = "integer" if integer else "number"
    raise UnsatisfiableSchema(facts.loc, f"no {kind} found within the bounds that is a multiple of {facts.multiples}")


def _multipliers(a: int, b: int, stride: int, rng: random.Random) -> Iterator[int]:
    """Multiples of `stride` in [a, b]: a random one near 0..200 strides, then up to 64 from each end of that."""
    first, last = -(-a // stride), b // stride
    if first > last:
        return
    near_lo, near_hi = max(first, 0), min(last, 200)
    if near_lo > near_hi:
        near_lo, near_hi = (max(first, last - 200), last) if last < 0 else (first, min(last, first + 200))
    yield rng.randint(near_lo, near_hi) * stride
    yield from (k * stride for k in range(near_lo, min(near_hi, near_lo + 64) + 1))
    yield from (k * stride for k in range(near_hi, max(near_lo, near_hi - 64) - 1, -1))


def _floats_at(exact: Fraction) -> Iterator[int | float]:
    """`exact` as an int, or as the nearest float and its neighbours (float division may miss by an ulp)."""
    if exact.denominator == 1:
        yield int(exact)
        return
    up = down = float(exact)
    yield up
    for _ in range(2):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        yield up
        yield down


def _multiple_ok(value: int | float, multiple: int | float) -> bool:
    """`multipleOf` exactly as jsonschema computes it (a float quotient must be integral)."""
    if isinstance(multiple, float):
        quotient = value / multiple
        try:
            return int(quotient) == quotient
        except (OverflowError, ValueError):
            return False
    return value % multiple == 0


# --------------------------------------------------------------------------- strings and formats


def _pick_length(low: int, high: int | None, rng: random.Random) -> int:
    """A short length within the bounds: 4 to 12 characters when the bounds allow."""
    start = max(low, min(4, high if high is not None else 4))
    stop = max(start, low + 8) if high is None else min(high, max(start, low + 8))
    return rng.randint(start, max(start, stop))


_ALPHABETS = (string.ascii_lowercase, string.ascii_letters + string.digits, string.digits + " -_.:/@+#!")


def _letters(rng: random.Random, n: int, alphabet: str = string.ascii_lowercase) -> str:
    return "".join(rng.choice(alphabet) for _ in range(max(n, 0)))


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2000, 2030):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _clock(rng: random.Random, extra: int) -> str:
    """hh:mm:ss with an offset, and fraction digits to make it `extra` characters longer (up to 11)."""
    offset = "+00:00" if extra >= 7 else "Z"
    digits = min(extra - (len(offset) - 1) - 1, 6)
    fraction = "." + _letters(rng, digits, string.digits) if digits > 0 else ""
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}{fraction}{offset}"


def _email(rng: random.Random, n: int) -> str:
    domain = "example.com" if n >= 13 else "x.io"
    return _letters(rng, max(n - len(domain) - 1, 1)) + "@" + domain


def _uri(rng: random.Random, n: int) -> str:
    if n >= 20:
        return "https://example.com/" + _letters(rng, n - 20)
    return "urn:" + _letters(rng, max(n - 4, 1))


def _hostname(rng: random.Random, n: int) -> str:
    return _letters(rng, max(n - 12, 1)) + ".example.com" if n >= 13 else _letters(rng, max(min(n, 63), 1))


def _base64(rng: random.Random, n: int) -> str:
    return base64.b64encode(rng.randbytes(max(n // 4, 1) * 3)).decode("ascii")


_FORMATS: dict[str, Callable[[random.Random, int], str]] = {
    "date-time": lambda rng, n: f"{_date(rng)}T{_clock(rng, n - 20)}",
    "date": lambda rng, n: _date(rng),
    "time": lambda rng, n: _clock(rng, n - 9),
    "email": _email,
    "idn-email": _email,
    "uri": _uri,
    "uri-reference": _uri,
    "iri": _uri,
    "iri-reference": _uri,
    "url": _uri,
    "uuid": lambda rng, n: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "ipv4": lambda rng, n: f"192.0.2.{rng.randint(1, 254)}",
    "ipv6": lambda rng, n: f"2001:db8::{rng.randint(1, 0xFFFF):x}",
    "hostname": _hostname,
    "idn-hostname": _hostname,
    "byte": _base64,
    "duration": lambda rng, n: f"P{rng.randint(1, 9)}D",
    "json-pointer": lambda rng, n: "/" + _letters(rng, max(n - 1, 1)),
    "regex": lambda rng, n: "^[a-z]+$",
}


class _Unsupported(Exception):
    """A regular-expression construct the string generator does not handle."""


_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", sre_c.MAX_REPEAT))
_POOL = string.ascii_lowercase + string.digits + string.ascii_uppercase + " -_.:/@+=,;!~*'()$&?#%[]{}<>|^`\"\\"
_CATEGORIES: dict[Any, Callable[[str], bool]] = {
    sre_c.CATEGORY_DIGIT: str.isdigit,
    sre_c.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre_c.CATEGORY_SPACE: str.isspace,
    sre_c.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre_c.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre_c.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


class _Pattern:
    """A regular expression as a generator of strings it matches, over the syntax tree of Python's `re` parser
    (the ECMA-262 subset OpenAPI patterns use): literals, classes, categories, repeats, alternation, groups and
    back-references; anchors and lookarounds emit nothing, and the result is verified with `re.search`."""

    def __init__(self, source: str) -> None:
        self.compiled = re.compile(source)
        parsed = sre_parse.parse(source)
        self.ignore_case = bool(parsed.state.flags & re.IGNORECASE)
        self.items: list[tuple[Any, Any]] = list(parsed.data)
        self._spans: dict[int, tuple[int, int]] = {}
        self._pools: dict[tuple[int, bool], list[str]] = {}
        self._wide = False
        self._groups: dict[int, Sequence[tuple[Any, Any]]] = {}
        self._find_groups(self.items)
        self.span = self._span(self.items)

    def _find_groups(self, items: Sequence[tuple[Any, Any]]) -> None:
        """Each capturing group's body, so that a back-reference is as long as its group."""
        for op, arg in items:
            if op is sre_c.SUBPATTERN and arg[0]:
                self._groups[arg[0]] = arg[3]
            for sub in arg if isinstance(arg, tuple | list) else ():
                if isinstance(sub, sre_parse.SubPattern):
                    self._find_groups(sub.data)
                elif isinstance(sub, list):  # a branch's alternatives
                    for alternative in sub:
                        if isinstance(alternative, sre_parse.SubPattern):
                            self._find_groups(alternative.data)

    def generate(self, rng: random.Random, low: int, high: int | None, *, wide: bool = False) -> str | None:
        """A match, padded to at least `low` characters when the pattern is shorter; None when the choices failed.

        A character class gives letters and digits where it has them, unless `wide`: then any of its printable
        members (what a look-ahead such as `(?=.*[!@#])` may need, since look-arounds emit nothing)."""
        self._wide = wide
        least, most = self.span
        want = max(low, least)
        if high is not None and want > high:
            return None
        target = rng.randint(want, min(high if high is not None else _INF, want + 8))
        text = self._emit(self.items, min(target, most), rng, {})
        if text is None:
            return None
        anchored = bool(self.items) and self.items[0] == (sre_c.AT, sre_c.AT_BEGINNING)
        room = (high if high is not None else _INF) - len(text)
        if not anchored and room > 0 and rng.random() < 0.5:  # unanchored: the match may sit inside other text
            text = _letters(rng, rng.randint(1, min(room, 3))) + text
        if len(text) < low:
            padding = _letters(rng, low - len(text))
            text = padding + text if self.items and self.items[-1][0] is sre_c.AT else text + padding
        return text

    def _span(self, items: Sequence[tuple[Any, Any]]) -> tuple[int, int]:
        """The shortest and longest match of a sequence (longest `_INF` when unbounded)."""
        cached = self._spans.get(id(items))
        if cached is None:
            low = high = 0
            for op, arg in items:
                a, b = self._item_span(op, arg)
                low, high = low + a, min(_INF, high + b)
            cached = self._spans[id(items)] = (low, high)
        return cached

    def _item_span(self, op: Any, arg: Any) -> tuple[int, int]:
        if op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN):
            return 1, 1
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            return 0, 0
        if op is sre_c.SUBPATTERN:
            return self._span(arg[3])
        if op is getattr(sre_c, "ATOMIC_GROUP", None):
            return self._span(arg)
        if op is sre_c.BRANCH:
            spans = [self._span(b) for b in arg[1]]
            return min(s[0] for s in spans), max(s[1] for s in spans)
        if op in _REPEATS:
            least, most, sub = arg
            a, b = self._span(sub)
            return least * a, (_INF if most == sre_c.MAXREPEAT and b else min(_INF, most * b))
        if op is sre_c.GROUPREF:
            return self._span(self._groups[arg]) if arg in self._groups else (0, _INF)
        if op is sre_c.GROUPREF_EXISTS:
            spans = [self._span(b) for b in arg[1:] if b is not None] or [(0, 0)]
            return min(s[0] for s in spans), max(s[1] for s in spans)
        raise _Unsupported(f"the construct {op} is not supported")

    def _emit(
        self, items: Sequence[tuple[Any, Any]], target: int, rng: random.Random, groups: dict[int, str]
    ) -> str | None:
        """A match of the sequence `target` characters long where the spans allow (back-references may differ)."""
        spans = [self._item_span(op, arg) for op, arg in items]
        suffix_low = [0] * (len(items) + 1)
        suffix_high = [0] * (len(items) + 1)
        for i in range(len(items) - 1, -1, -1):
            suffix_low[i] = suffix_low[i + 1] + spans[i][0]
            suffix_high[i] = min(_INF, suffix_high[i + 1] + spans[i][1])
        out: list[str] = []
        remaining = target
        for i, (op, arg) in enumerate(items):
            low = max(spans[i][0], remaining - suffix_high[i + 1])
            high = min(spans[i][1], remaining - suffix_low[i + 1])
            if low > high:  # an earlier piece came out longer or shorter (a back-reference): do the best possible
                low = high = max(spans[i][0], min(spans[i][1], remaining - suffix_low[i + 1]))
            piece = self._emit_item(op, arg, rng.randint(low, min(high, low + 8)), rng, groups)
            if piece is None:
                return None
            out.append(piece)
            remaining -= len(piece)
        return "".join(out)

    def _emit_item(self, op: Any, arg: Any, target: int, rng: random.Random, groups: dict[int, str]) -> str | None:
        if op is sre_c.LITERAL:
            return chr(arg)
        if op is sre_c.NOT_LITERAL:
            return rng.choice([c for c in _POOL[:62] if ord(c) != arg])
        if op is sre_c.ANY:
            return rng.choice(_POOL[:62])
        if op is sre_c.IN:
            return self._char_in(arg, rng)
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            return ""
        if op is sre_c.SUBPATTERN:
            text = self._emit(arg[3], target, rng, groups)
            if text is not None and arg[0]:
                groups[arg[0]] = text
            return text
        if op is getattr(sre_c, "ATOMIC_GROUP", None):
            return self._emit(arg, target, rng, groups)
        if op is sre_c.BRANCH:
            options = [b for b in arg[1] if self._span(b)[0] <= target <= self._span(b)[1]]
            rng.shuffle(options)
            if not options:  # no alternative has that length (`a{8}|b{17}` asked for 12): the nearest one's
                nearest = min(arg[1], key=lambda b: min(abs(target - n) for n in self._span(b)))
                options, target = [nearest], max(self._span(nearest)[0], min(target, self._span(nearest)[1]))
            return next((t for b in options if (t := self._emit(b, target, rng, groups)) is not None), None)
        if op in _REPEATS:
            return self._repeat(arg, target, rng, groups)
        if op is sre_c.GROUPREF:
            return groups.get(arg, "")
        if op is sre_c.GROUPREF_EXISTS:
            branch = arg[1] if arg[0] in groups else arg[2]
            return self._emit(branch, target, rng, groups) if branch is not None else ""
        raise _Unsupported(f"the construct {op} is not supported")

    def _repeat(self, arg: Any, target: int, rng: random.Random, groups: dict[int, str]) -> str | None:
        least, most, sub = arg
        a, b = self._span(sub)
        most = _INF if most == sre_c.MAXREPEAT else most
        if b == 0:
            return "" if target == 0 else None
        fewest = max(least, -(-target // b))
        most_here = min(most, target // a) if a else min(most, fewest + 3)
        if fewest > most_here:
            return None
        count = rng.randint(fewest, min(most_here, fewest + 3))
        return self._emit(list(sub) * count, target, rng, groups)

    def _char_in(self, members: list[tuple[Any, Any]], rng: random.Random) -> str | None:
        negate = bool(members) and members[0][0] is sre_c.NEGATE
        body = members[1:] if negate else members
        preferred = self._pools.get((id(members), self._wide))
        if preferred is None:  # the class's printable ASCII members, letters and digits first unless wide
            pool = [c for c in _POOL if self._member(c, body) != negate]
            wanted = pool if self._wide else [c for c in pool if c.isalnum()] or pool
            preferred = self._pools[(id(members), self._wide)] = wanted
        if preferred:
            return rng.choice(preferred)
        direct = [chr(arg) for op, arg in body if op is sre_c.LITERAL] + [
            chr(rng.randint(*arg)) for op, arg in body if op is sre_c.RANGE
        ]
        return rng.choice(direct) if direct and not negate else None

    def _member(self, char: str, members: list[tuple[Any, Any]]) -> bool:
        variants = {char, char.lower(), char.upper()} if self.ignore_case else {char}
        for op, arg in members:
            if op is sre_c.LITERAL and chr(arg) in variants:
                return True
            if op is sre_c.RANGE and any(arg[0] <= ord(v) <= arg[1] for v in variants):
                return True
            if op is sre_c.CATEGORY and arg in _CATEGORIES and _CATEGORIES[arg](char):
                return True
        return False
