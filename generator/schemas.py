"""The schema registry: every object schema gets a readable class name, and what pydantic cannot say becomes rules.

datamodel-code-generator names inline objects after their field and numbers collisions (`MessageType_1`), drops
`maxLength` on `format: uri`, and ignores cross-field rules. So before it runs, this module hoists every inline
object into a named schema (`Parent` + `Property`), keeps formats and cross-field rules out of what it sees, and
records them as `ModelRules` that the runtime base model enforces.
"""

from __future__ import annotations

import copy
import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from generator.errors import Problem, pointer
from generator.loader import LoadedSpec, resolve_pointer

# Formats whose checks live in the runtime (datamodel-code-generator would change the value's type or drop bounds).
RUNTIME_FORMATS = frozenset({"uri", "date-time", "date", "email", "ipv4", "ipv6", "uuid", "uri-reference", "time"})
# Keywords the generated models cannot enforce and this generator does not translate: an error, never a silent skip.
UNSUPPORTED_KEYWORDS = frozenset(
    {
        "$dynamicRef",
        "$dynamicAnchor",
        "unevaluatedItems",
        "unevaluatedProperties",
        "dependentSchemas",
        "propertyNames",
        "contains",
        "minContains",
        "maxContains",
        "patternProperties",
        "prefixItems",
        "else",
    }
)
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
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_RULE_KEYS = ("oneOf", "anyOf", "not", "if", "then", "allOf", "dependentRequired")
_RESERVED = frozenset(
    {
        "ApiModel",
        "Annotated",
        "Any",
        "ConfigDict",
        "Field",
        "Literal",
        "MISSING",
        "RootModel",
        "StrictBool",
        "StrictFloat",
        "StrictInt",
        "StrictStr",
        "TypeAliasType",
        "ModelRules",
        "RequiredIf",
        "Rule",
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

    def __bool__(self) -> bool:
        return any(
            (self.exactly_one, self.at_least_one, self.not_together, self.required_if, self.formats, self.json_content)
        ) or bool(self.unique or self.exact_ints)


def class_name(raw: str) -> str:
    """A readable PascalCase class name for a schema name such as `issuing.card` or `live_exit_config`."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", raw) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    if name[0].isdigit():
        name = "M" + name
    return name + "Model" if name in _RESERVED else name


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
        self._component_names: dict[str, str] = {}
        self._pending: list[str] = []
        components = spec.document.get("components", {}).get("schemas", {}) or {}
        taken: dict[str, str] = {}
        for raw in components:
            name = class_name(raw)
            while name in taken:
                name += "Schema"
            taken[name] = raw
            self._component_names[raw] = name
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
        while name in self.schemas or name in self._component_names.values() or name in self._pending:
            name = f"{base}{n}"
            n += 1
        return name

    def _ref_name(self, ref: str, ptr: str) -> str:
        raw = ref[len(COMPONENT_REF) :].replace("~1", "/").replace("~0", "~")
        if raw not in self._component_names:
            self.problems.append(self.spec.problem(ptr, "schema.ref", f"reference {ref!r} does not resolve"))
            return "Any"
        return self._component_names[raw]

    def _define(self, name: str, schema: Any, ptr: str) -> None:
        self._pending.append(name)
        rules = ModelRules()
        converted = self._convert(schema, ptr, name, rules, top=True)
        self._pending.remove(name)
        self.schemas[name] = converted
        if rules:
            self.rules[name] = rules
        if not is_object_schema(converted):
            self.aliases.add(name)

    def _convert(self, schema: Any, ptr: str, owner: str, rules: ModelRules, *, top: bool = False) -> Any:
        """A copy of `schema` for datamodel-code-generator: refs renamed, inline objects hoisted, rules extracted."""
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref.startswith(COMPONENT_REF) and ref.count("/") == 3:
                return {"$ref": COMPONENT_REF + self._ref_name(ref, ptr), **self._ref_siblings(schema, ptr)}
            target = resolve_pointer(self.spec.document, ref[1:])
            return self._convert(copy.deepcopy(target), ptr, owner, rules, top=top) | self._ref_siblings(schema, ptr)
        for key in sorted(UNSUPPORTED_KEYWORDS & schema.keys()):
            self.problems.append(
                self.spec.problem(f"{ptr}/{key}", "schema.unsupported", f"the keyword {key!r} is not supported")
            )
        if is_object_schema(schema) and not top:
            return {"$ref": COMPONENT_REF + self._hoist(owner, schema, ptr)}
        out: dict[str, Any] = {}
        if top and is_object_schema(schema) and "additionalProperties" not in schema:
            out["additionalProperties"] = True  # open: unknown fields are kept, so payloads round-trip
        for key, value in schema.items():
            if key in ("properties",):
                out[key] = {
                    prop: self._convert_property(prop, sub, f"{ptr}/properties/{prop}", owner, rules)
                    for prop, sub in value.items()
                }
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                out[key] = self._member(value, f"{ptr}/{key}", owner + ("Item" if key == "items" else "Value"), rules)
            elif key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
                if (
                    top
                    and is_object_schema(schema)
                    and key in ("oneOf", "anyOf", "allOf")
                    and self._take_rules(schema, key, value, ptr, rules)
                ):
                    continue
                out[key] = [
                    self._member(sub, f"{ptr}/{key}/{i}", f"{owner}{_variant_name(sub, i)}", rules)
                    for i, sub in enumerate(value)
                ]
            elif key in ("not", "if", "then", "dependentRequired"):
                if not (top and self._take_rules(schema, key, value, ptr, rules)):
                    self.problems.append(
                        self.spec.problem(
                            f"{ptr}/{key}",
                            "schema.unsupported",
                            f"{key!r} is supported only as a cross-field rule on an object "
                            "(see docs/spec-conventions.md)",
                        )
                    )
            elif key == "format" and value in _INT_RANGES and schema.get("type") == "integer":
                low, high = _INT_RANGES[value]  # JSON Schema treats formats as notes; the vendor's int32 is a range
                out["minimum"] = max(low, schema.get("minimum", low))
                out["maximum"] = min(high, schema.get("maximum", high))
            elif (key == "format" and value in RUNTIME_FORMATS) or key in _DROPPED or key.startswith("x-"):
                continue  # checked by the runtime rules, or documentation only
            else:
                out[key] = copy.deepcopy(value)
        return out

    def _ref_siblings(self, schema: dict[str, Any], ptr: str) -> dict[str, Any]:
        """The keywords beside a `$ref` that the models keep: annotations (OpenAPI 3.1; 3.0 ignores them all).

        A validation keyword there would constrain the referenced schema in place, which is not supported."""
        if not str(self.spec.document.get("openapi", "")).startswith("3.1"):
            return {}
        kept = {k: copy.deepcopy(v) for k, v in schema.items() if k in _REF_ANNOTATIONS}
        for key in sorted(set(schema) - _REF_ANNOTATIONS - _DROPPED - {"$ref"}):
            if not key.startswith("x-"):
                self.problems.append(
                    self.spec.problem(
                        f"{ptr}/{key}",
                        "schema.unsupported",
                        f"{key!r} beside $ref is not supported: constrain the referenced schema or use allOf",
                    )
                )
        return kept

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
        return self._convert(schema, ptr, owner + class_name(prop), rules)

    def _member(self, schema: Any, ptr: str, name: str, rules: ModelRules) -> Any:
        """A union member, array item or map value; a constrained primitive gets a named alias here, or
        datamodel-code-generator names it after the field and numbers the repeats (`Customer1`, `Customer2` ...)."""
        if (
            isinstance(schema, dict)
            and "$ref" not in schema
            and not is_object_schema(schema)
            and _CONSTRAINTS & schema.keys()
        ):
            return {"$ref": COMPONENT_REF + self._hoist(name, schema, ptr)}
        return self._convert(schema, ptr, name, rules)

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

    def units(self) -> list[list[str]]:
        """The schemas in groups that must be generated together, each group sorted, groups by their first name.

        A class's fields are annotations that Python evaluates late, so a field may name a class of another group;
        what is evaluated when the module runs must be defined in the same group, before it: a class's bases
        (`allOf`) and whatever an alias (a non-object schema) names. So must the schemas a field with a default
        names: datamodel-code-generator builds such a default as the named model only when it can see it.
        """
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
                eager += [field for field in fields.values() if _has_default(field)]
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


def _has_default(node: Any) -> bool:
    """Whether a `default` appears anywhere in `node`."""
    if isinstance(node, dict):
        return "default" in node or any(_has_default(v) for v in node.values())
    return isinstance(node, list) and any(_has_default(v) for v in node)


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
