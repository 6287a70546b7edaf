"""The schema registry: every object schema gets a readable class name, and what pydantic cannot say becomes rules.

datamodel-code-generator names inline objects after their field and numbers collisions (`MessageType_1`), drops
`maxLength` on `format: uri`, and ignores cross-field rules. So before it runs, this module hoists every inline
object into a named schema (`Parent` + `Property`), keeps formats and cross-field rules out of what it sees, and
records them as `ModelRules` that the runtime base model enforces.
"""

from __future__ import annotations

import builtins
import copy
import json
import keyword
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from generator.errors import Problem, pointer
from generator.loader import LoadedSpec, resolve_pointer
from generator.runtime.media import media_encoding

# Formats whose checks live in the runtime (datamodel-code-generator would change the value's type or drop bounds).
RUNTIME_FORMATS = frozenset(
    {"uri", "date-time", "date", "email", "ipv4", "ipv6", "uuid", "uri-reference", "time", "byte"}
)
# Keywords the generated models cannot enforce and this generator does not translate: an error, never a silent skip.
UNSUPPORTED_KEYWORDS = frozenset({"$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"})
# Keywords datamodel-code-generator drops, enforced instead by `SchemaCheck`s of the owning model (see `_check`).
CHECKED_KEYWORDS = ("not", "if", "then", "else", "contains", "dependentSchemas")
_DROPPED = frozenset(
    {
        "contentMediaType",
        "contentSchema",
        "contentEncoding",
        "discriminator",
        "xml",
        "example",
        "examples",
        "externalDocs",
        "$comment",
    }
)
COMPONENT_REF = "#/components/schemas/"
_REF_ANNOTATIONS = frozenset({"description", "default", "deprecated", "readOnly", "writeOnly"})
_ANNOTATIONS = frozenset({"title", "$comment", "examples", "example", "externalDocs", "xml", "discriminator", "$id"})
"""Keywords beside a `$ref` that say nothing about values: dropped (3.0 ignores every sibling of a `$ref`)."""
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_RULE_KEYS = ("oneOf", "anyOf", "not", "if", "then", "allOf", "dependentRequired")
_RESERVED = frozenset(
    {
        # the runtime's names in models.py
        "ApiModel",
        "ModelRules",
        "PRESENT",
        "RequiredIf",
        "Rule",
        "SchemaCheck",
        # names datamodel-code-generator imports (typing, pydantic, the standard library's value types)
        "Annotated",
        "Any",
        "AnyUrl",
        "AwareDatetime",
        "Base64Str",
        "BaseModel",
        "ConfigDict",
        "Decimal",
        "Dict",
        "EmailStr",
        "Enum",
        "Field",
        "IPv4Address",
        "IPv6Address",
        "List",
        "Literal",
        "MISSING",
        "NaiveDatetime",
        "Optional",
        "RootModel",
        "Set",
        "StrictBool",
        "StrictBytes",
        "StrictFloat",
        "StrictInt",
        "StrictStr",
        "StringConstraints",
        "Tuple",
        "Type",
        "TypeAliasType",
        "UUID",
        "Union",
    }
)


@dataclass
class ModelRules:
    """What a model checks beyond its field types, keyed by wire (alias) names."""

    exactly_one: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)
    at_least_one: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)
    not_together: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)
    required_if: list[tuple[str, Any, tuple[str, ...], str | None]] = field(default_factory=list)
    formats: dict[str, tuple[str, bool]] = field(default_factory=dict)
    json_content: dict[str, str] = field(default_factory=dict)
    unique: list[str] = field(default_factory=list)
    exact_ints: list[str] = field(default_factory=list)
    """Integer enums: pydantic's `Literal[0, 1]` takes `True` and `1.0` for 1, JSON Schema does not."""
    checks: list[tuple[tuple[str, ...], str, tuple[str, ...], tuple[Any, ...]]] = field(default_factory=list)
    """Schema keywords the field types drop (`CHECKED_KEYWORDS`): (where in the model's value, keyword, the named
    schemas it involves, arguments). Where: wire names, `*` for every item or map value."""

    def __bool__(self) -> bool:
        return any(
            (self.exactly_one, self.at_least_one, self.not_together, self.required_if, self.formats, self.json_content)
        ) or bool(self.unique or self.exact_ints or self.checks)


@dataclass(frozen=True)
class UnionRule:
    """What a union alias (`oneOf`/`anyOf`) checks beyond pydantic's "some member validates" (the runtime's `OneOf`
    marker): `exclusive`, that exactly one member does (`oneOf` whose members a value may match together); `tag`, a
    discriminator property whose value, when given, selects the member the value must be (`tags`: each value with
    the name of the member it selects; members no value names take the values none names)."""

    exclusive: bool
    tag: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


@cache
def class_name(raw: str) -> str:
    """A readable PascalCase class name for a schema name such as `issuing.card` or `live_exit_config`; one that
    would shadow a name the models module uses (a keyword such as `True`, `Field`, `Any`) gets a `Model` suffix."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", raw) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    if name[0].isdigit():
        name = "M" + name
    return name + "Model" if name in _RESERVED or keyword.iskeyword(name) or name in _BUILTINS else name


_BUILTINS = frozenset(dir(builtins))


def is_binary_string(schema: Any) -> bool:
    """A string whose value is bytes: `format: binary`, or (3.1) a non-JSON, non-text `contentMediaType`."""
    if not isinstance(schema, dict) or "string" not in _types(schema):
        return False
    media = schema.get("contentMediaType")
    return schema.get("format") == "binary" or (isinstance(media, str) and media_encoding(media) == "binary")


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    return (
        [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []
    )


def snake_name(raw: str) -> str:
    """snake_case for operation and parameter names: `ShowRecordCallbackConfig` -> `show_record_callback_config`."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", raw)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s).strip("_").lower()
    if not s or s[0].isdigit():
        s = "p_" + s
    return s + "_" if keyword.iskeyword(s) or s in {"self", "options", "body"} else s


class SchemaRegistry:
    """Collects named schemas (components and hoisted inline ones) and their rules, for model generation."""

    def __init__(self, spec: LoadedSpec, problems: list[Problem]) -> None:
        self.spec = spec
        self.problems = problems
        self.schemas: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, ModelRules] = {}
        self.aliases: set[str] = set()
        self.unions: dict[str, UnionRule] = {}
        """Union aliases checked beyond their members (`UnionRule`), by name."""
        self._component_names: dict[str, str] = {}
        self._deep_refs: dict[str, str] = {}
        self._pending: list[str] = []
        self._units: list[list[str]] | None = None
        components = spec.document.get("components", {}).get("schemas", {}) or {}
        taken: dict[str, str] = {}
        for raw in components:
            name = class_name(raw)
            while name in taken:
                name += "Schema"
            taken[name] = raw
            self._component_names[raw] = name
        self._component_classes = set(taken)
        for raw in components:
            self._define(self._component_names[raw], components[raw], pointer("components", "schemas", raw))

    def component_name(self, raw: str) -> str:
        return self._component_names[raw]

    def add(self, suggested: str, schema: dict[str, Any], ptr: str) -> str:
        """Register a schema met outside components (a body, a response, a parameter set); return its class name."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith(COMPONENT_REF) and ref.count("/") == 3:
            return self._ref_name(ref, ptr)
        name = self._free(class_name(suggested))
        self._define(name, schema, ptr)
        return name

    def _free(self, name: str) -> str:
        base, n = name, 2
        while name in self.schemas or name in self._component_classes or name in self._pending:
            name = f"{base}{n}"
            n += 1
        return name

    def _ref_name(self, ref: str, ptr: str) -> str:
        raw = ref[len(COMPONENT_REF) :].replace("~1", "/").replace("~0", "~")
        if raw not in self._component_names and (raw in self.schemas or raw in self._pending):
            return raw  # a schema this registry named (hoisted), referred to by a schema it built
        if raw not in self._component_names:
            self.problems.append(self.spec.problem(ptr, "schema.ref", f"reference {ref!r} does not resolve"))
            return "Any"
        return self._component_names[raw]

    def _define(self, name: str, schema: Any, ptr: str) -> None:
        self._pending.append(name)
        rules = ModelRules()
        shared = self._shared_union(name, schema, ptr)
        converted = shared if shared is not None else self._convert(schema, ptr, name, rules, top=True)
        self._pending.remove(name)
        self.schemas[name] = converted
        self._units = None
        if rules:
            self.rules[name] = rules
        if is_alias_schema(converted):
            self.aliases.add(name)

    def _convert(
        self, schema: Any, ptr: str, owner: str, rules: ModelRules, *, top: bool = False, at: Place = ()
    ) -> Any:
        """A copy of `schema` for datamodel-code-generator: refs renamed, inline objects hoisted, rules extracted.

        `at` is where in the owner model's value the schema applies (wire names, `*` for items and map values), so
        that keywords the model types cannot say become checks there; None inside a union member, where a check
        could not know whether the member applies."""
        if not isinstance(schema, dict):
            return schema
        schema, folded = _fold_annotations(_without_noops(schema))
        if _no_type_in_common(schema):
            # An `allOf` of a string and an integer admits no value. JSON Schema has no type for "nothing", and
            # datamodel-code-generator would drop the members and accept anything: a string of at least one and
            # at most no characters is the same empty set in terms the model types check (and name in errors).
            found = self.spec.problem(f"{ptr}/allOf", "schema.unsatisfiable", "no value has a type every member allows")
            self.problems.append(replace(found, level="warning"))
            kept = {k: v for k, v in schema.items() if k in _FOLDABLE or k.startswith("x-")}
            schema = {**kept, "type": "string", "minLength": 1, "maxLength": 0}
        kind, enum = schema.get("type"), schema.get("enum")
        if isinstance(kind, str) and isinstance(enum, list) and enum and not any(_is_of(v, kind) for v in enum):
            # No value is both (an array whose `enum` lists strings): the enum was surely meant for the items.
            self._unchecked(f"{ptr}/enum", "enum", f"of values none of which is {kind!r} (the type)")
            schema = {k: v for k, v in schema.items() if k != "enum"}
        if schema.get("nullable") is True and isinstance(enum, list) and enum and None not in enum:
            # OpenAPI 3.0.3 (its clarification of `nullable`): `nullable` adds null to the *types*, and an `enum`
            # that does not list null still allows only its values; so does any validator of the document.
            schema = {k: v for k, v in schema.items() if k != "nullable"}
        if "$ref" in schema:
            return self._convert_ref(schema, ptr, owner, rules, top=top, at=at, siblings=folded)
        for key in sorted(UNSUPPORTED_KEYWORDS & schema.keys()):
            self.problems.append(
                self.spec.problem(f"{ptr}/{key}", "schema.unsupported", f"the keyword {key!r} is not supported")
            )
        if not top and (is_object_schema(schema) or _merges(schema)):
            return {"$ref": COMPONENT_REF + self._hoist(owner, schema, ptr)}
        union = self._checked_union(schema)
        if union is not None and not top and _union_only(schema, union):
            return self._union_alias(schema, union, ptr, owner, rules, at=at)
        out: dict[str, Any] = {}
        if top and is_object_schema(schema) and not {"additionalProperties", "unevaluatedProperties"} & schema.keys():
            out["additionalProperties"] = True  # open: unknown fields are kept, so payloads round-trip
        if is_binary_string(schema):
            schema = {**{k: v for k, v in schema.items() if k not in ("contentMediaType", "contentEncoding")}}
            schema["format"] = "binary"  # bytes on the model, whatever the media type
        handled: set[str] = set()
        for key in CHECKED_KEYWORDS:
            if key in schema and key not in handled:
                handled |= self._check(schema, key, ptr, owner, rules, top=top, at=at)
        for key, value in schema.items():
            if key in handled or key in ("minContains", "maxContains"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {
                    prop: self._convert_property(prop, sub, f"{ptr}/properties/{pointer(prop)[1:]}", owner, rules)
                    for prop, sub in value.items()
                }
            elif key in _MEMBER_KEYS and isinstance(value, dict):
                inner = None if at is None else (*at, "*")
                name = owner + ("Item" if "Items" in key or key == "items" else "Value")
                out[key] = self._member(
                    value, f"{ptr}/{key}", name, rules, at=inner if key != "propertyNames" else None
                )
            elif key in ("patternProperties", "dependentSchemas") and isinstance(value, dict):
                out[key] = {
                    pattern: self._member(sub, f"{ptr}/{key}/{pointer(pattern)[1:]}", f"{owner}Value", rules, at=None)
                    for pattern, sub in value.items()
                }
            elif key == "prefixItems" and isinstance(value, list):
                out[key] = [
                    self._member(sub, f"{ptr}/{key}/{i}", f"{owner}Item{i + 1}", rules, at=None)
                    for i, sub in enumerate(value)
                ]
                if schema.get("items") is False:  # no items past the prefix: at most that many
                    out["maxItems"] = min(len(value), schema.get("maxItems", len(value)))
                if not schema.get("minItems") == out.get("maxItems", schema.get("maxItems")) == len(value):
                    # Not a fixed-length tuple, which the field type says itself: each position is checked.
                    self._check_positions(value, ptr, owner, rules, at=at)
            elif key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
                if top and is_object_schema(schema) and self._take_rules(schema, key, value, ptr, rules):
                    continue
                out[key] = [
                    self._member(
                        sub,
                        f"{ptr}/{key}/{i}",
                        f"{owner}{_variant_name(sub, i)}",
                        rules,
                        at=at if key == "allOf" else None,
                    )
                    for i, sub in enumerate(value)
                ]
                if union is not None and key == union:
                    if top and _union_only(schema, union):
                        names = [_named(member) for member in out[key]]
                        self.unions[owner] = self._union_rule(schema, union, names)
                    else:
                        self._unchecked(f"{ptr}/{key}", key, "beside other keywords (exclusivity, discriminator)")
            elif key == "dependentRequired":
                if not (top and self._take_rules(schema, key, value, ptr, rules)):
                    self.problems.append(
                        self.spec.problem(
                            f"{ptr}/{key}",
                            "schema.unsupported",
                            "dependentRequired is supported on an object (see docs/spec-conventions.md)",
                        )
                    )
            elif key == "format" and value in _INT_RANGES and schema.get("type") == "integer":
                low, high = _INT_RANGES[value]  # JSON Schema treats formats as notes; the vendor's int32 is a range
                out["minimum"] = max(low, schema.get("minimum", low))
                out["maximum"] = min(high, schema.get("maximum", high))
            elif (key == "format" and value != "binary") or key in _DROPPED or key.startswith("x-"):
                # A format is checked by the runtime rules (RUNTIME_FORMATS) or, as JSON Schema has it, a note:
                # datamodel-code-generator would change the value's type (`password` a masked SecretStr that
                # dumps as stars, `decimal` a Decimal, `idn-email` a type needing another package).
                continue
            elif key in ("description", "title") and isinstance(value, str):
                out[key] = _clean_text(value)
            elif key == "default" and value is None and not _admits_null_value(schema):
                continue  # a null default the schema itself forbids: no default (datamodel-code-generator would
                # assign None to a field that cannot hold it)
            else:
                out[key] = _copied(value)
        return out

    def _shared_union(self, name: str, schema: Any, ptr: str) -> dict[str, Any] | None:
        """An object with properties of its own and a `oneOf`/`anyOf` of shapes (a polymorphic payload whose common
        fields sit beside the choice) as a union of named models, each the common part and one choice
        (`allOf`); datamodel-code-generator would otherwise make and name those models itself."""
        if not is_object_schema(schema) or not schema.get("properties"):
            return None
        key = next((k for k in ("oneOf", "anyOf") if isinstance(schema.get(k), list) and schema[k]), None)
        if key is None or all(_required_only(member) for member in schema[key]):
            return None
        base = self._hoist(f"{name}Common", {k: v for k, v in schema.items() if k not in (key, "discriminator")}, ptr)
        variants = []
        for i, member in enumerate(schema[key]):
            ref = member.get("$ref") if isinstance(member, dict) else None
            label = class_name(ref.rsplit("/", 1)[-1]) if isinstance(ref, str) else _variant_name(member, i)
            combined = {"allOf": [{"$ref": COMPONENT_REF + base}, member]}
            variants.append({"$ref": COMPONENT_REF + self._hoist(f"{name}{label}", combined, f"{ptr}/{key}/{i}")})
        if all(isinstance(member, dict) for member in schema[key]):
            rule = self._union_rule(schema, key, [_named(v) for v in variants])
            if rule.exclusive or rule.tag is not None:
                self.unions[name] = rule
        return {key: variants}

    def _convert_ref(
        self,
        schema: dict[str, Any],
        ptr: str,
        owner: str,
        rules: ModelRules,
        *,
        top: bool,
        at: Place,
        siblings: bool = False,
    ) -> Any:
        """A `$ref`: to a component, renamed; to anything else (a property of a component, a parameter's schema),
        named once per target so recursion through it ends. Beside it (3.1) annotations are kept and validation
        keywords apply too (`allOf` of the target and them); 3.0 ignores everything beside a `$ref`."""
        ref = schema["$ref"]
        if ref.startswith(COMPONENT_REF) and ref.count("/") == 3:
            target: dict[str, Any] = {"$ref": COMPONENT_REF + self._ref_name(ref, ptr)}
        else:
            target = {"$ref": COMPONENT_REF + self._deep_ref(ref, ptr)}
        if not (siblings or str(self.spec.document.get("openapi", "")).startswith("3.1")):
            return target
        kept = {
            k: _clean_text(v) if isinstance(v, str) else _copied(v) for k, v in schema.items() if k in _REF_ANNOTATIONS
        }
        constraints = {
            k: v for k, v in schema.items() if k not in (*_REF_ANNOTATIONS, *_ANNOTATIONS, *_DROPPED, "$ref")
        }
        constraints = {k: v for k, v in constraints.items() if not k.startswith("x-")}
        if not constraints:
            return {**target, **kept}
        merged = {"allOf": [{"$ref": ref}, constraints], **kept}
        return self._convert(merged, ptr, owner, rules, top=top, at=at)

    def _deep_ref(self, ref: str, ptr: str) -> str:
        """The name of a schema reached by a `$ref` that is not `#/components/schemas/<name>`, defined once."""
        if ref not in self._deep_refs:
            target = resolve_pointer(self.spec.document, ref[1:])
            if not isinstance(target, dict):
                self.problems.append(self.spec.problem(ptr, "schema.ref", f"reference {ref!r} does not resolve"))
                return "Any"
            tokens = [t for t in ref.split("/") if t and t != "#" and t not in ("properties", "items", "schema")]
            name = self._free(class_name("_".join(tokens[-2:])))
            self._deep_refs[ref] = name
            self._define(name, target, ref[1:])
        return self._deep_refs[ref]

    def _check(
        self, schema: dict[str, Any], key: str, ptr: str, owner: str, rules: ModelRules, *, top: bool, at: Place
    ) -> set[str]:
        """Turn a keyword the model types drop into a check of the owner model (or a cross-field rule), and return
        the keys it took; where it cannot be checked (inside a union member, or of no definite type) it is a
        located warning, never silently gone."""
        value = schema[key]
        if key in ("then", "else") and "if" in schema:
            return set()  # taken with their `if`
        if top and key in ("not", "if") and self._take_rules(schema, key, value, ptr, rules):
            return {key, "then"} if key == "if" else {key}
        if key == "dependentSchemas" and isinstance(value, dict) and top:
            taken = {prop: sub for prop, sub in value.items() if _required_only(sub)}
            for prop, sub in taken.items():
                rules.required_if.append((prop, _PRESENT, tuple(sub["required"]), None))
            value = {prop: sub for prop, sub in value.items() if prop not in taken}
            if not value:
                return {key}
        if at is None:
            return self._unchecked(f"{ptr}/{key}", key, "inside a oneOf or anyOf member")
        if top and not is_object_schema(schema):
            return self._unchecked(f"{ptr}/{key}", key, "on a schema that is not an object")
        if key == "dependentSchemas":
            if at != ():
                return self._unchecked(f"{ptr}/{key}", key, "below the top of an object")
            for prop, sub in value.items():
                if not _typed(sub):
                    return self._unchecked(f"{ptr}/{key}/{pointer(prop)[1:]}", key, "without a definite type")
                target = self._hoist(f"{owner}When{class_name(prop)}", {"type": "object", **sub}, f"{ptr}/{key}/{prop}")
                rules.checks.append((at, "dependent", (target,), (prop,)))
            return {key}
        if key == "contains":
            if not _typed(value):
                return self._unchecked(f"{ptr}/{key}", key, "without a definite type")
            target = self._hoist(f"{owner}Contains", _with_type(value), f"{ptr}/contains")
            bounds = (int(schema.get("minContains", 1)), schema.get("maxContains"))
            rules.checks.append((at, "contains", (target,), bounds))
            return {key}
        # A branch without a type of its own applies to the values of the enclosing schema's type, and only to them.
        kind = schema.get("type") if isinstance(schema.get("type"), str) else None
        names = ("if", "then", "else") if key == "if" else (key,)
        branches = [(k, _of_kind(schema.get(k), kind)) for k in names]
        if any(sub is not None and not _typed(sub) for _, sub in branches):
            return self._unchecked(f"{ptr}/{key}", key, "without a definite type")
        targets = tuple(
            self._hoist(owner + k.capitalize(), _with_type(sub), f"{ptr}/{k}") if isinstance(sub, dict) else ""
            for k, sub in branches
        )
        rules.checks.append((at, key, targets, ()))
        return {k for k, _ in branches}

    def _check_positions(self, items: list[Any], ptr: str, owner: str, rules: ModelRules, *, at: Place) -> None:
        """`prefixItems` of a list whose length varies: the item at each position is checked against its schema."""
        if at is None or not all(_typed(item) for item in items):
            self._unchecked(f"{ptr}/prefixItems", "prefixItems", "of varying length here")
            return
        targets = tuple(
            self._hoist(f"{owner}Position{i + 1}", item, f"{ptr}/prefixItems/{i}") for i, item in enumerate(items)
        )
        rules.checks.append((at, "prefix", targets, ()))

    def _unchecked(self, ptr: str, key: str, where: str) -> set[str]:
        """A located warning for a keyword at `ptr` that the models will not check."""
        found = self.spec.problem(ptr, "schema.unchecked", f"{key!r} {where} is not checked by the generated models")
        self.problems.append(replace(found, level="warning"))
        return {key} | ({"then", "else"} if key == "if" else set())

    def _convert_property(self, prop: str, schema: Any, ptr: str, owner: str, rules: ModelRules) -> Any:
        if not isinstance(schema, dict):
            return schema
        target = _deref_local(self.spec.document, schema)
        fmt = target.get("format")
        if _is_int_enum(target):
            rules.exact_ints.append(prop)
        if target.get("type") == "array" and isinstance(target.get("items"), dict):
            items = _deref_local(self.spec.document, target["items"])
            if items.get("format") in RUNTIME_FORMATS:
                rules.formats[prop] = (items["format"], True)
            if _is_int_enum(items):
                rules.exact_ints.append(prop)
            if target.get("uniqueItems") is True:
                rules.unique.append(prop)
        elif fmt in RUNTIME_FORMATS:
            rules.formats[prop] = (fmt, False)
        if target.get("contentMediaType") == "application/json" and isinstance(target.get("contentSchema"), dict):
            rules.json_content[prop] = self.add(owner + class_name(prop) + "Content", target["contentSchema"], ptr)
        return self._convert(schema, ptr, owner + class_name(prop), rules, at=(prop,))

    def _member(self, schema: Any, ptr: str, name: str, rules: ModelRules, *, at: Place = None) -> Any:
        """A union member, array item or map value; a constrained primitive gets a named alias here, or
        datamodel-code-generator names it after the field and numbers the repeats (`Customer1`, `Customer2` ...)."""
        if (
            isinstance(schema, dict)
            and "$ref" not in schema
            and not is_object_schema(schema)
            and _CONSTRAINTS & schema.keys()
            and not set(CHECKED_KEYWORDS) & schema.keys()  # its checks belong to the model it is in
        ):
            return {"$ref": COMPONENT_REF + self._hoist(name, schema, ptr)}
        return self._convert(schema, ptr, name, rules, at=at)

    def _checked_union(self, schema: dict[str, Any]) -> str | None:
        """The union keyword of `schema` (`oneOf`, `anyOf`) when pydantic's union alone would accept too much: a
        `oneOf` whose members a value may match together, or a discriminator its members' own literals do not
        already enforce."""
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and members and all(isinstance(m, dict) for m in members):
                names = [_component_name(m) for m in members]
                rule = self._union_rule(schema, key, names)
                if rule.exclusive or rule.tag is not None:
                    return key
                return None
        return None

    def _union_rule(self, schema: dict[str, Any], key: str, names: list[str | None]) -> UnionRule:
        """The rule of union `schema[key]` whose members are named `names` in the generated code (None: inline)."""
        members = schema[key]
        shapes = [self._shape(member) for member in members]
        exclusive = key == "oneOf" and any(not _apart(a, b) for i, a in enumerate(shapes) for b in shapes[i + 1 :])
        discriminator = schema.get("discriminator")
        if not isinstance(discriminator, dict):
            return UnionRule(exclusive)
        tag = discriminator.get("propertyName")
        if not isinstance(tag, str) or not tag:
            return UnionRule(exclusive)
        mapping = discriminator.get("mapping")
        mapping = mapping if isinstance(mapping, dict) else {}
        explicit: list[tuple[str, str]] = []
        implicit: list[tuple[str, str]] = []
        enforced = True
        for member, shape, name in zip(members, shapes, names, strict=True):
            ref = member.get("$ref")
            own = _strings(shape.literals.get(tag))
            if name is None or not isinstance(ref, str):
                enforced = enforced and own is not None
                continue  # an inline member: no value names it
            raw = _raw_component(ref)
            mapped = [str(k) for k, target in mapping.items() if target in (ref, raw)]
            values = mapped or sorted(own or ())
            if not values and self._polymorphic(member):
                enforced = False
                continue  # it discriminates on its own: any value its members take
            explicit += [(value, name) for value in values]
            if own is None and raw:
                implicit.append((raw, name))  # its own name (readers differ on whether a mapping replaces it)
            enforced = enforced and own is not None and set(values) == own
        tags: dict[str, str] = {}
        for value, name in explicit + implicit:
            tags.setdefault(value, name)
        if enforced or not tags:
            return UnionRule(exclusive)
        return UnionRule(exclusive, tag, tuple(sorted(tags.items())))

    def _union_alias(
        self, schema: dict[str, Any], key: str, ptr: str, owner: str, rules: ModelRules, *, at: Place
    ) -> dict[str, Any]:
        """A union met inside another schema, named so that its rule has an alias to go on; its annotations stay
        where it was (a field's description and default)."""
        part = {k: v for k, v in schema.items() if k in _UNION_PART}
        name = self._hoist(owner, part, ptr)
        notes = {k: v for k, v in schema.items() if k not in _UNION_PART}
        target = {"$ref": COMPONENT_REF + name, **notes}
        converted: dict[str, Any] = self._convert_ref(target, ptr, owner, rules, top=False, at=at, siblings=True)
        return converted

    def _shape(self, schema: Any, seen: frozenset[str] = frozenset()) -> _Shape:
        """What `schema` allows, coarsely, to tell whether two union members can match one value together."""
        if not isinstance(schema, dict):
            return _ANY
        ref = schema.get("$ref")
        own = _own_shape(schema)
        if isinstance(ref, str):
            target = resolve_pointer(self.spec.document, ref[1:]) if ref.startswith("#") else None
            if ref in seen or not isinstance(target, dict):
                return own
            own = own.meet(self._shape(target, seen | {ref}))
        for member in schema.get("allOf") or ():
            own = own.meet(self._shape(member, seen))
        choices = [m for k in ("oneOf", "anyOf") for m in schema.get(k) or ()]
        if choices:
            kinds = [self._shape(m, seen).kinds for m in choices]
            either = None if any(k is None for k in kinds) else frozenset().union(*(k for k in kinds if k))
            own = own.meet(_Shape(either))
        return own

    def _polymorphic(self, member: dict[str, Any]) -> bool:
        """Whether a union member is itself a union (after its references)."""
        target = _deref_local(self.spec.document, member)
        return any(isinstance(target.get(k), list) for k in ("oneOf", "anyOf"))

    def _hoist(self, suggested: str, schema: dict[str, Any], ptr: str) -> str:
        name = self._free(suggested)
        self._define(name, schema, ptr)
        return name

    def _take_rules(self, schema: dict[str, Any], key: str, value: Any, ptr: str, rules: ModelRules) -> bool:
        """Record a cross-field rule if `schema[key]` is one of the supported forms; report it if it is not."""
        code = schema.get("x-error-code") if isinstance(schema.get("x-error-code"), str) else None
        if key in ("oneOf", "anyOf") and all(_required_only(b) for b in value):
            fields = tuple(f for b in value for f in b["required"])
            (rules.exactly_one if key == "oneOf" else rules.at_least_one).append((fields, _branch_code(value) or code))
            return True
        if key == "not" and _required_only(value):
            rules.not_together.append((tuple(value["required"]), value.get("x-error-code") or code))
            return True
        if key == "if":
            cond_ok = (
                isinstance(value, dict)
                and set(value) <= {"properties", "required"}
                and len(value.get("properties", {})) == 1
            )
            then = schema.get("then")
            if cond_ok and isinstance(then, dict) and _required_only(then):
                ((prop, cond),) = value["properties"].items()
                if "const" in cond and set(cond) == {"const"}:
                    rules.required_if.append(
                        (prop, cond["const"], tuple(then["required"]), then.get("x-error-code") or code)
                    )
                    return True
            return False
        if key == "then":
            return "if" in schema
        if key == "dependentRequired" and isinstance(value, dict):
            for prop, needed in value.items():
                rules.required_if.append((prop, _PRESENT, tuple(needed), code))
            return True
        if key == "allOf" and value and all(_is_rule_form(b) for b in value):
            return all(
                self._take_rules(branch, sub_key, branch[sub_key], f"{ptr}/allOf/{i}", rules)
                for i, branch in enumerate(value)
                for sub_key in branch
                if sub_key in _RULE_KEYS and sub_key != "then"
            )
        return False

    def _base_fields(self, schema: dict[str, Any], names: list[str]) -> list[tuple[str, Any]]:
        """(name, schema) of the fields `names` that the bases of `schema` (its `allOf`, transitively) declare."""
        found: list[tuple[str, Any]] = []
        seen: set[str] = set()
        stack = [m for m in schema.get("allOf", []) if isinstance(m, dict)]
        while stack:
            member = stack.pop()
            ref = member.get("$ref")
            if isinstance(ref, str) and ref.startswith(COMPONENT_REF):
                base = ref[len(COMPONENT_REF) :]
                if base in seen or base not in self.schemas:
                    continue
                seen.add(base)
                member = self.schemas[base]
            if not isinstance(member, dict):
                continue
            declared = member.get("properties")
            if isinstance(declared, dict):
                found += [(n, declared[n]) for n in names if n in declared]
            stack += [m for m in member.get("allOf", []) if isinstance(m, dict)]
        return found

    def units(self) -> list[list[str]]:
        """The schemas in groups that must be generated together, each group sorted, groups by their first name.

        A class's fields are annotations that Python evaluates late, so a field may name a class of another group;
        what is evaluated when the module runs must be defined in the same group, before it: a class's bases
        (`allOf`) and whatever an alias (a non-object schema) names. So must the schemas of a field that
        datamodel-code-generator reads rather than names (`_lazy_field`): a default, an `allOf` to merge, an array
        whose fixed length makes a tuple, keywords beside a `$ref`; and a field of a base that the class declares
        or requires again, whose schemas datamodel-code-generator reads to redeclare it.

        Worked out once for the schemas registered so far (planning the chunks and assembling the modules both ask);
        the lists are shared: read them, never change them.
        """
        if self._units is None:
            self._units = self._grouped()
        return self._units

    def _grouped(self) -> list[list[str]]:
        parent = {name: name for name in self.schemas}

        def root(name: str) -> str:
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for name, schema in self.schemas.items():
            if is_object_schema(schema):
                fields = schema.get("properties", {})
                eager = [v for k, v in schema.items() if k != "properties"]
                eager += [field for field in fields.values() if not _lazy_field(field)]
                if schema.get("allOf"):  # fields of the bases it redeclares, or requires again
                    required = schema.get("required")
                    named = [*fields, *(n for n in required or () if isinstance(n, str) and n not in fields)]
                    redeclared = self._base_fields(schema, named)
                    eager += [schema for _, schema in redeclared]
                    eager += [fields[n] for n, _ in redeclared if n in fields]
            else:
                eager = [schema]
            for target in _component_refs(eager):
                a, b = root(name), root(target)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        groups: dict[str, list[str]] = {}
        for name in sorted(self.schemas):
            groups.setdefault(root(name), []).append(name)
        return sorted(groups.values())


_UNION_PART = frozenset({"oneOf", "anyOf", "discriminator", "type", "nullable"})
"""What of a schema a union's alias takes (`SchemaRegistry._union_alias`); the rest stays beside its reference."""


def _union_only(schema: dict[str, Any], key: str) -> bool:
    """Whether a schema is its union and notes only (what an alias of the union says entirely)."""
    return (
        not schema.get("properties")
        and not ({"oneOf", "anyOf"} - {key}) & schema.keys()
        and all(
            k in _UNION_PART or k in _ANNOTATIONS or k in _NOTES or k in _REF_ANNOTATIONS or k.startswith("x-")
            for k in schema
        )
    )


def _named(member: Any) -> str | None:
    """The generated name of a converted union member that is a reference, else None."""
    if isinstance(member, dict) and isinstance(member.get("$ref"), str) and member["$ref"].startswith(COMPONENT_REF):
        return str(member["$ref"][len(COMPONENT_REF) :])
    return None


def _component_name(member: dict[str, Any]) -> str | None:
    """A name standing for a member that is a reference (which one does not matter before conversion)."""
    ref = member.get("$ref")
    return ref if isinstance(ref, str) else None


def _raw_component(ref: str) -> str:
    """The component's name in `#/components/schemas/<name>` (the discriminator's implicit value), else ``."""
    if not ref.startswith(COMPONENT_REF) or ref.count("/") != 3:
        return ""
    return ref[len(COMPONENT_REF) :].replace("~1", "/").replace("~0", "~")


@dataclass(frozen=True)
class _Shape:
    """Coarse facts of a schema: the JSON types of its values (None: any), its values when it enumerates them, and
    the literal values of its properties (with whether they are required)."""

    kinds: frozenset[str] | None = None
    values: frozenset[str] | None = None
    literals: dict[str, frozenset[str]] = field(default_factory=dict)
    required: frozenset[str] = frozenset()

    def meet(self, other: _Shape) -> _Shape:
        """What both allow."""
        kinds = (
            other.kinds if self.kinds is None else self.kinds if other.kinds is None else _meet(self.kinds, other.kinds)
        )
        values = (
            other.values if self.values is None else self.values if other.values is None else self.values & other.values
        )
        literals = dict(other.literals)
        for name, allowed in self.literals.items():
            literals[name] = allowed & literals[name] if name in literals else allowed
        return _Shape(kinds, values, literals, self.required | other.required)


_ANY = _Shape()


def _no_type_in_common(schema: dict[str, Any]) -> bool:
    """Whether `schema` and its inline `allOf` members each state types, and no type is in all of them."""
    members = schema.get("allOf")
    if not isinstance(members, list) or not members:
        return False
    stated = [m for m in [schema, *members] if isinstance(m, dict) and "type" in m]
    if any(not isinstance(m, dict) or "type" not in m for m in members):
        return False  # a reference or an untyped member: not judged here
    kinds: frozenset[str] | None = None
    for member in stated:
        own = frozenset(_types(member)) | ({"null"} if member.get("nullable") is True else frozenset())
        kinds = own if kinds is None else _meet(kinds, own)
    return kinds is not None and not kinds


def _meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    both = a & b
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        both |= {"integer"}
    return frozenset(both)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    kinds = {float: "number", str: "string", list: "array", dict: "object", type(None): "null"}
    return kinds.get(type(value), "object")


def _literal(value: Any) -> str:
    """A JSON value as a comparable key (`1` and `1.0` are one number, `true` is no number)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, sort_keys=True)


def _own_shape(schema: dict[str, Any]) -> _Shape:
    """The facts `schema` states itself (not through `$ref`, `allOf` or unions)."""
    kinds: frozenset[str] | None = frozenset(_types(schema)) if "type" in schema else None
    if kinds is not None and schema.get("nullable") is True:
        kinds |= {"null"}
    values = None
    listed = [schema["const"]] if "const" in schema else schema.get("enum")
    if isinstance(listed, list):
        values = frozenset(_literal(v) for v in listed)
        found = frozenset(_kind_of(v) for v in listed)
        kinds = found if kinds is None else _meet(kinds, found)
    literals: dict[str, frozenset[str]] = {}
    properties = schema.get("properties")
    for name, sub in properties.items() if isinstance(properties, dict) else ():
        if isinstance(sub, dict):
            allowed = [sub["const"]] if "const" in sub else sub.get("enum")
            if isinstance(allowed, list) and None not in allowed and sub.get("nullable") is not True:
                literals[name] = frozenset(_literal(v) for v in allowed)
    required = schema.get("required")
    names = frozenset(r for r in required if isinstance(r, str)) if isinstance(required, list) else frozenset()
    return _Shape(kinds, values, literals, names)


def _strings(literals: frozenset[str] | None) -> set[str] | None:
    """The strings among literal values (`_literal` keys); None for no literals."""
    if literals is None:
        return None
    return {value for value in map(json.loads, literals) if isinstance(value, str)}


def _apart(a: _Shape, b: _Shape) -> bool:
    """Whether no value can match both `a` and `b` (False when it cannot be told)."""
    common = None if a.kinds is None or b.kinds is None else _meet(a.kinds, b.kinds)
    if common is not None and not common:
        return True
    if a.values is not None and b.values is not None and not a.values & b.values:
        return True
    if common is not None and common <= {"object"}:
        for name in a.literals.keys() & b.literals.keys() & a.required & b.required:
            if not a.literals[name] & b.literals[name]:
                return True
    return False


Place = tuple[str, ...] | None
"""Where a schema applies in its owner model's value (see `SchemaRegistry._convert`)."""
_MEMBER_KEYS = frozenset(
    {"items", "additionalProperties", "additionalItems", "unevaluatedItems", "unevaluatedProperties", "propertyNames"}
)
"""Keywords whose value is one schema for every item or map value (or key)."""


_OBJECT_KEYWORDS = frozenset(
    {"properties", "required", "additionalProperties", "minProperties", "maxProperties", "dependentRequired"}
)
_NOTES = frozenset({"title", "description", "$comment", "x-error-code", "examples", "example"})


def _copied(value: Any) -> Any:
    """A copy of a value of the document, so that what datamodel-code-generator is given never aliases it; a scalar
    is its own copy (most keywords' values: `deepcopy` only finds that out, at 4-7 % of the IR's time)."""
    return value if value is None or isinstance(value, str | int | float) else copy.deepcopy(value)


@cache
def _clean_text(text: str) -> str:
    """Documentation as generated code can carry it: no tabs, no trailing spaces (they become docstrings)."""
    return "\n".join(line.rstrip() for line in text.expandtabs(4).splitlines()).strip()


def _typed(schema: Any) -> bool:
    """Whether a schema says what its values are, down to its properties: a partial one, such as `{minimum: 5}`,
    applies only to values of its kind, which a named model cannot say. Object keywords alone (`{required: [a]}`)
    say "an object" (see `_with_type`)."""
    if not isinstance(schema, dict):
        return False
    properties = schema.get("properties")
    if isinstance(properties, dict) and not all(_typed(p) for p in properties.values()):
        return False
    if any(k in schema for k in ("type", "$ref", "enum", "const")):
        return True
    members = [m for k in ("allOf", "anyOf", "oneOf") for m in schema.get(k, []) or []]
    if members:
        return all(_typed(m) for m in members)
    keys = set(schema) - _NOTES
    return bool(keys) and keys <= _OBJECT_KEYWORDS


def _of_kind(schema: Any, kind: str | None) -> Any:
    """A subschema without a type, given the type of the schema it sits in (it only ever sees such values)."""
    if kind and isinstance(schema, dict) and "type" not in schema and "$ref" not in schema:
        return {"type": kind, **schema}
    return schema


def _with_type(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema of object keywords alone, said to be an object (what it means where an object is checked)."""
    if "type" in schema or not (set(schema) - _NOTES) <= _OBJECT_KEYWORDS:
        return schema
    return {"type": "object", **schema}


_PRESENT = object()
"""A `required_if` condition meaning "whenever the field is present" (`dependentRequired`)."""


def is_present_condition(value: object) -> bool:
    return value is _PRESENT


def _is_rule_form(branch: Any) -> bool:
    """An `allOf` member that is only a cross-field rule (and so becomes one), not a schema to merge."""
    if not isinstance(branch, dict):
        return False
    keys = set(branch) - {"description", "title", "x-error-code", "$comment"}
    return bool(keys) and keys <= {"oneOf", "anyOf", "not", "if", "then", "dependentRequired"}


def _is_int_enum(schema: dict[str, Any]) -> bool:
    values = schema.get("enum")
    return isinstance(values, list) and bool(values) and all(type(v) is int for v in values)


def _required_only(branch: Any) -> bool:
    return (
        isinstance(branch, dict)
        and isinstance(branch.get("required"), list)
        and set(branch) <= {"required", "x-error-code", "description", "title"}
    )


def _branch_code(branches: list[dict[str, Any]]) -> str | None:
    codes = [b.get("x-error-code") for b in branches if b.get("x-error-code")]
    return codes[0] if codes else None


def _admits_null_value(schema: dict[str, Any]) -> bool:
    return schema.get("nullable") is True or "null" in _types(schema) or "type" not in schema


@cache
def runtime_pattern(pattern: str) -> bool:
    """Whether the generated models can check `pattern`: pydantic compiles it with Rust's regex engine, which has no
    look-around or back-references and a size limit (AWS's `[\\w+=,.@-]{1,1000}`, Unicode-aware, exceeds it).
    Asked where models are generated only: the process that parses the spec need not import pydantic."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True


_OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
    }
)
_ARRAY_KEYWORDS = frozenset(
    {"items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"}
)
_NOOPS = {"uniqueItems": False, "minItems": 0, "minLength": 0, "minProperties": 0, "required": []}


def _without_noops(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` without keywords that cannot change what it accepts: those at their neutral value in a schema without a
    type (`uniqueItems: false`) and those of a type the schema excludes (`properties` on `type: array`).

    datamodel-code-generator would make models of them (an object part of an array, a named `Any` for an item
    schema holding only `uniqueItems: false`) that no schema names."""
    kind = schema.get("type")
    dropped = (
        {k for k, v in _NOOPS.items() if k in schema and schema[k] == v and type(schema[k]) is type(v)}
        if kind is None
        else set()
    )
    if isinstance(kind, str) and kind != "object":
        dropped |= _OBJECT_KEYWORDS & schema.keys()
    if isinstance(kind, str) and kind != "array":
        dropped |= _ARRAY_KEYWORDS & schema.keys()
    return {k: v for k, v in schema.items() if k not in dropped} if dropped else schema


def _is_of(value: Any, kind: str) -> bool:
    """Whether a JSON value is of JSON Schema type `kind`."""
    if kind == "integer":
        whole = isinstance(value, float) and value.is_integer()
        return (isinstance(value, int) and not isinstance(value, bool)) or whole
    types = {"string": str, "boolean": bool, "array": list, "object": dict, "null": type(None), "number": int | float}
    expected = types.get(kind)
    return expected is not None and isinstance(value, expected) and not (kind == "number" and isinstance(value, bool))


_FOLDABLE = (_REF_ANNOTATIONS | _ANNOTATIONS) - {"discriminator", "$id"}
"""Keywords that only annotate: an `allOf` member made of them describes the schema, it adds no constraint."""


def _fold_annotations(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """`schema` with its annotation-only `allOf` members (`{description: ...}`) folded into it, and whether that
    left a reference with annotations beside it (`allOf: [{$ref: X}, {description: ...}]`, AWS's way of describing
    a property, is `X` described: never a model of its own, whatever the OpenAPI version)."""
    members = schema.get("allOf")
    if not isinstance(members, list) or not members:
        return schema, False

    def annotates(member: Any) -> bool:
        return isinstance(member, dict) and all(k in _FOLDABLE or k.startswith("x-") for k in member)

    notes = [m for m in members if annotates(m)]
    rest = [m for m in members if not annotates(m)]
    folded = {k: v for k, v in schema.items() if k != "allOf"}
    for note in notes:
        for key, value in note.items():
            folded.setdefault(key, value)
    only_annotated = all(k in _FOLDABLE or k.startswith("x-") for k in folded)
    if len(rest) == 1 and isinstance(rest[0], dict) and set(rest[0]) == {"$ref"} and only_annotated:
        return {**folded, "$ref": rest[0]["$ref"]}, True
    if not notes:
        return schema, False
    return ({**folded, "allOf": rest} if rest else folded), False


def _merges(schema: dict[str, Any]) -> bool:
    """An `allOf` that datamodel-code-generator makes a model of (several members, or one beside properties): named
    here, or it names the model after the field."""
    members = schema.get("allOf")
    return isinstance(members, list) and (len(members) > 1 or (bool(members) and "properties" in schema))


def is_alias_schema(schema: Any) -> bool:
    """Whether datamodel-code-generator makes a type alias of a (converted) schema, not a class: anything but an
    object, and an object that is only a map (no properties, `additionalProperties` a schema)."""
    if not is_object_schema(schema):
        return True
    return not schema.get("properties") and isinstance(schema.get("additionalProperties"), dict)


def is_object_schema(schema: Any) -> bool:
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    kind = schema.get("type")
    return (
        kind == "object"
        or (kind is None and "properties" in schema)
        or (isinstance(kind, list) and "object" in kind and "properties" in schema)
    )


_CONSTRAINTS = frozenset(
    {
        "maxLength",
        "minLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "enum",
        "multipleOf",
        "minItems",
        "maxItems",
        "format",
        "const",
    }
)
_KIND_NAMES = {"string": "Text", "integer": "Integer", "number": "Number", "boolean": "Flag", "array": "List"}


def _variant_name(schema: Any, index: int) -> str:
    """A readable name for a union member: its title, else what kind of value it is."""
    if isinstance(schema, dict):
        for key in ("title", "x-variant-name"):
            if isinstance(schema.get(key), str):
                return class_name(schema[key])
        kind = schema.get("type")
        if "enum" in schema or "const" in schema:
            return "Choice"
        if isinstance(kind, str) and kind in _KIND_NAMES:
            return _KIND_NAMES[kind]
    return f"Variant{index + 1}"


def _lazy_field(node: Any) -> bool:
    """Whether a field only names other schemas, so that a model of another group serves: its references are
    plain (a `$ref` with notes only), directly or as array items, map values or union members, and nothing in it
    makes datamodel-code-generator read the schemas they name (a default, an `allOf`, a fixed array length)."""
    if not isinstance(node, dict) or "default" in node or "allOf" in node:
        return False
    if "$ref" in node:
        return set(node) - {"$ref"} <= _NOTES | _REF_ANNOTATIONS - {"default"}
    if node.get("minItems") is not None and node.get("minItems") == node.get("maxItems"):
        return False
    children = [node[k] for k in ("items", "additionalProperties") if isinstance(node.get(k), dict)]
    children += [m for k in ("anyOf", "oneOf") for m in node.get(k, []) or []]
    return all(_lazy_field(child) for child in children) and not any(
        isinstance(v, dict | list)
        for k, v in node.items()
        if k not in ("items", "additionalProperties", "anyOf", "oneOf", "enum", "required", "examples")
    )


def _component_refs(node: Any) -> set[str]:
    """The names of the component schemas that `node` refers to, at any depth."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(COMPONENT_REF):
                found.add(ref[len(COMPONENT_REF) :])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _deref_local(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
        target = resolve_pointer(document, schema["$ref"][1:])
        if not isinstance(target, dict):
            break
        schema, seen = target, seen + 1
    return schema
