"""The instance generator (generator/instances.py): every value it returns validates, and shows the constraint used.

Unit tests go keyword family by keyword family with a minimal schema each; a hypothesis test builds schemas from a
small grammar; the corpus test generates every schema of the third-party documents in ../shared and of Stripe's.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_spec

from generator.errors import escape_pointer_token
from generator.instances import InstanceGenerator, UnsatisfiableSchema, Variant
from generator.loader import load_spec
from generator.runtime.model import FORMAT_CHECKS


def document(version: str = "3.1.0", **schemas: Any) -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "components": {"schemas": schemas}}


def generate(
    schema: Any, *, version: str = "3.1.0", components: Mapping[str, Any] | None = None, **options: Any
) -> Any:
    """A value of `schema` (in a document holding `components`), asserted valid."""
    gen = InstanceGenerator(document(version, **(components or {})))
    value = gen.generate(schema, **options)
    assert gen.validate(schema, value) == [], value
    return value


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


# --------------------------------------------------------------------------- types and numbers


@pytest.mark.parametrize(
    ("kind", "python_type"),
    [("string", str), ("integer", int), ("number", int | float), ("boolean", bool), ("array", list), ("object", dict)],
)
def test_each_type_gives_its_python_type(kind: str, python_type: type) -> None:
    value = generate({"type": kind}, variant="full")
    assert isinstance(value, python_type)
    assert kind == "boolean" or not isinstance(value, bool)


@pytest.mark.parametrize(
    ("schema", "version", "expected"),
    [
        ({"type": "integer", "minimum": 7, "maximum": 7}, "3.1.0", {7}),
        ({"type": "integer", "minimum": 5, "maximum": 6, "exclusiveMinimum": True}, "3.0.3", {6}),
        ({"type": "integer", "minimum": 5, "maximum": 6, "exclusiveMaximum": True}, "3.0.3", {5}),
        ({"type": "integer", "exclusiveMinimum": 5, "maximum": 6}, "3.1.0", {6}),
        ({"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 7}, "3.1.0", {6}),
        ({"type": "integer", "format": "int32", "minimum": 2**31 - 2}, "3.0.3", {2**31 - 2, 2**31 - 1}),
        ({"type": "integer", "format": "int64", "maximum": -(2**63) + 1}, "3.0.3", {-(2**63), -(2**63) + 1}),
        ({"type": "integer", "multipleOf": 7, "minimum": 15, "maximum": 27}, "3.1.0", {21}),
        ({"type": "integer", "multipleOf": 0.5, "minimum": 1, "maximum": 1.9}, "3.1.0", {1}),
        ({"type": "number", "multipleOf": 0.25, "minimum": 0.3, "maximum": 0.6}, "3.1.0", {0.5}),
    ],
)
def test_numeric_bounds_are_hit_exactly(schema: dict[str, Any], version: str, expected: set[int]) -> None:
    assert generate(schema, version=version) in expected


def test_a_number_between_exclusive_bounds_narrower_than_a_half() -> None:
    value = generate({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1e-9})
    assert 0 < value < 1e-9


@pytest.mark.parametrize("step", [0.01, 0.1, 0.05, 0.3, 2.5])
def test_float_multiples_are_exactly_representable(step: float) -> None:
    schema = {"type": "number", "multipleOf": step, "minimum": 10, "maximum": 20}
    for seed in range(5):
        value = generate(schema, seed=seed)
        assert Fraction(value).denominator & (Fraction(value).denominator - 1) == 0  # a binary fraction: exact
        assert Fraction(value) % Fraction(str(step)) == 0


def test_an_integer_is_never_a_float_or_a_boolean() -> None:
    for seed in range(10):
        value = generate({"type": "integer", "minimum": 0, "maximum": 1}, seed=seed, use_examples=False)
        assert type(value) is int


# --------------------------------------------------------------------------- strings


@pytest.mark.parametrize(("low", "high"), [(0, 0), (1, 1), (7, 7), (30, 30), (100, 120)])
def test_string_lengths_are_hit_exactly(low: int, high: int) -> None:
    value = generate({"type": "string", "minLength": low, "maxLength": high})
    assert low <= len(value) <= high


def test_lengths_count_code_points() -> None:
    value = generate({"type": "string", "pattern": "^[À-ÿ]+$", "minLength": 3, "maxLength": 3})
    assert len(value) == 3 and all("À" <= c <= "ÿ" for c in value)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{2}-\d{3,5}$",
        r"^(cat|dog|bird)s?$",
        r"i-[\w\d]{8}$|^i-[\w\d]{17}",  # alternatives of lengths far apart (AWS instance ids)
        r"^\w+@\w+\.(com|org)$",
        r"^[^aeiou\s]{4}$",
        r"^(ab)+\1$",
        r"^\s\S\d\D\w\W$",
        r"^(?:[01]\d|2[0-3]):[0-5]\d$",
        r"^(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{8,12}$",
        r"^(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%\^&\*\(\)])[a-zA-Z\d!@#$%\^&\*\(\)]{12,123}$",  # Azure's passwords
        r"^sk_(test|live)_[0-9a-zA-Z]{24}$",
        r"^.+\.(jpg|png)$",
        r"(?i)^abc[x-z]$",
        r"\bword\b",
        r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
        r"^a{0}b*?c?$",
    ],
)
def test_patterns_are_honoured(pattern: str) -> None:
    for seed in range(5):
        value = generate({"type": "string", "pattern": pattern}, seed=seed)
        assert re.search(pattern, value)


@pytest.mark.parametrize(
    ("schema", "length"),
    [
        ({"pattern": "^[a-z]+$", "minLength": 40}, range(40, 49)),
        ({"pattern": "^[a-z0-9]{2,50}$", "minLength": 10, "maxLength": 10}, [10]),
        ({"pattern": "ab", "minLength": 10, "maxLength": 10}, [10]),  # not anchored: padded around a match
        ({"pattern": "^(x|yyyy)+$", "minLength": 5, "maxLength": 5}, [5]),
    ],
)
def test_patterns_meet_length_bounds(schema: dict[str, Any], length: range | list[int]) -> None:
    value = generate({"type": "string", **schema})
    assert len(value) in length and re.search(schema["pattern"], value)


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("date-time", FORMAT_CHECKS["date-time"]),
        ("date", FORMAT_CHECKS["date"]),
        ("time", FORMAT_CHECKS["time"]),
        ("email", FORMAT_CHECKS["email"]),
        ("uri", FORMAT_CHECKS["uri"]),
        ("uri-reference", FORMAT_CHECKS["uri-reference"]),
        ("uuid", lambda v: str(uuid.UUID(v)) == v),
        ("ipv4", lambda v: ipaddress.ip_address(v).version == 4),
        ("ipv6", lambda v: ipaddress.ip_address(v).version == 6),
        ("hostname", lambda v: all(re.fullmatch(r"[a-z0-9-]{1,63}", p) for p in v.split("."))),
        ("byte", lambda v: base64.b64encode(base64.b64decode(v, validate=True)).decode() == v),
        ("binary", lambda v: isinstance(v, str)),
    ],
)
@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_formats_give_values_the_runtime_accepts(fmt: str, check: Any, version: str) -> None:
    for seed in range(5):
        assert check(generate({"type": "string", "format": fmt}, version=version, seed=seed))


@pytest.mark.parametrize(
    ("fmt", "low", "high"), [("email", 6, 8), ("uri", 60, 60), ("date-time", 25, 28), ("byte", 12, 12)]
)
def test_formats_meet_length_bounds(fmt: str, low: int, high: int) -> None:
    value = generate({"type": "string", "format": fmt, "minLength": low, "maxLength": high})
    assert low <= len(value) <= high


def test_a_pattern_and_a_format_together() -> None:
    value = generate({"type": "string", "format": "email", "pattern": r"@example\.com$"})
    assert value.endswith("@example.com") and FORMAT_CHECKS["email"](value)


def test_json_content_is_a_document_of_its_schema() -> None:
    content = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 3}}}
    value = generate({"type": "string", "contentMediaType": "application/json", "contentSchema": content})
    assert json.loads(value)["n"] >= 3


# --------------------------------------------------------------------------- enum, const, examples


def test_enum_and_const() -> None:
    assert generate({"enum": ["a", "b", 3]}) == "a"
    assert generate({"type": "string", "enum": [1, "b"]}) == "b"  # the first member the rest of the schema allows
    assert generate({"const": {"k": [1]}}) == {"k": [1]}
    assert {generate({"enum": ["a", "b", "c"]}, use_examples=False, seed=s) for s in range(12)} == {"a", "b", "c"}
    assert generate({"allOf": [{"enum": [1, 2, 3]}, {"enum": [3, 2]}, {"not": {"const": 2}}]}) == 3


def test_examples_come_first_when_they_validate() -> None:
    schema = {"type": "string", "maxLength": 5, "examples": ["far too long", "short"], "default": "dflt"}
    assert generate(schema) == "short"
    assert generate({"type": "integer", "example": 42}, version="3.0.3") == 42
    assert generate({"type": "integer", "default": 7}) == 7
    assert generate({"type": "integer", "minimum": 10, "example": 4}, version="3.0.3") != 4
    assert generate({"type": "integer", "example": 42}, version="3.0.3", use_examples=False) != 42
    # an object's example is taken whole; YAML dates in an example are not JSON and are never returned
    assert generate({"type": "object", "example": {"id": 1}}) == {"id": 1}
    assert generate({"type": "object", "example": {"when": yaml.safe_load("2020-01-01")}}) == {}


# --------------------------------------------------------------------------- objects


PERSON = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "nick": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def test_minimal_fills_required_properties_and_full_fills_every_one() -> None:
    assert set(generate(PERSON, variant="minimal")) == {"id"}
    full = generate(PERSON, variant="full")
    assert set(full) == {"id", "name", "nick", "tags"}
    assert full["nick"] is not None and len(full["tags"]) == 1


def test_additional_properties() -> None:
    closed = {**PERSON, "additionalProperties": False}
    assert set(generate(closed, variant="full")) == {"id", "name", "nick", "tags"}
    typed = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 5}}
    extra = generate(typed, variant="full")
    assert len(extra) == 1 and all(v >= 5 for v in extra.values())
    assert generate(typed, variant="minimal") == {}


def test_min_and_max_properties() -> None:
    value = generate({"type": "object", "minProperties": 3, "properties": {"a": {"type": "string"}}})
    assert len(value) == 3 and "a" in value
    value = generate({**PERSON, "maxProperties": 2}, variant="full")
    assert len(value) == 2 and "id" in value
    value = generate({"type": "object", "minProperties": 2, "maxProperties": 2, "additionalProperties": False,
                      "patternProperties": {"^x-[a-z]+$": {"type": "boolean"}}})  # fmt: skip
    assert len(value) == 2 and all(re.search("^x-[a-z]+$", k) and isinstance(v, bool) for k, v in value.items())


def test_pattern_properties_and_property_names() -> None:
    schema = {
        "type": "object",
        "properties": {"id": {"type": "string"}},
        "patternProperties": {"^n_\\d+$": {"type": "integer"}},
        "propertyNames": {"maxLength": 6},
    }
    value = generate(schema, variant="full")
    numbered = [k for k in value if k.startswith("n_")]
    assert numbered and all(isinstance(value[k], int) for k in numbered) and all(len(k) <= 6 for k in value)
    names = generate({"type": "object", "minProperties": 2, "propertyNames": {"pattern": "^[A-Z]{3}$"}})
    assert len(names) == 2 and all(re.fullmatch("[A-Z]{3}", k) for k in names)


def test_dependent_required() -> None:
    schema = {
        "type": "object",
        "required": ["card"],
        "properties": {"card": {"type": "string"}, "cvc": {"type": "string"}, "zip": {"type": "string"}},
        "dependentRequired": {"card": ["cvc"], "cvc": ["zip"]},
    }
    assert set(generate(schema)) == {"card", "cvc", "zip"}


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_read_only_and_write_only_follow_the_direction(version: str) -> None:
    schema = {
        "type": "object",
        "required": ["id", "secret_required"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "created": {"type": "string", "readOnly": True},
            "password": {"type": "string", "writeOnly": True},
            "secret_required": {"type": "string", "writeOnly": True},
            "name": {"type": "string"},
        },
    }
    response = generate(schema, version=version, variant="full", direction="response")
    request = generate(schema, version=version, variant="full", direction="request")
    assert set(response) == {"id", "created", "secret_required", "name"}
    assert set(request) == {"id", "password", "secret_required", "name"}


# --------------------------------------------------------------------------- arrays


def test_array_bounds_and_uniqueness() -> None:
    assert len(generate({"type": "array", "minItems": 3, "maxItems": 3, "items": {"type": "integer"}})) == 3
    assert generate({"type": "array", "maxItems": 0}, variant="full") == []
    value = generate({"type": "array", "minItems": 3, "uniqueItems": True, "items": {"enum": ["x", "y", "z"]}})
    assert sorted(value) == ["x", "y", "z"]
    value = generate({"type": "array", "minItems": 2, "uniqueItems": True, "items": {"type": "boolean"}})
    assert sorted(value) == [False, True]
    objects = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "maximum": 3}}}
    value = generate({"type": "array", "minItems": 4, "uniqueItems": True, "items": objects})
    assert len({v["n"] for v in value}) == 4


def test_tuples_with_prefix_items() -> None:
    schema = {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}],
        "items": False,
        "minItems": 2,
    }
    minimal, full = generate(schema), generate(schema, variant="full")
    assert [type(v) for v in minimal] == [str, int]
    assert [type(v) for v in full] == [str, int, bool]


def test_contains_and_min_contains() -> None:
    schema = {"type": "array", "items": {"type": "integer"}, "contains": {"minimum": 100}, "minContains": 2}
    value = generate(schema)
    assert sum(v >= 100 for v in value) >= 2
    schema = {"type": "array", "minItems": 3, "contains": {"const": "x"}, "maxContains": 1, "items": {"type": "string"}}
    assert generate(schema).count("x") == 1


# --------------------------------------------------------------------------- composition


def test_all_of_merges_every_member() -> None:
    value = generate(
        {"allOf": [ref("Named"), {"required": ["age"], "properties": {"age": {"type": "integer", "minimum": 18}}}]},
        components={"Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
    )
    assert set(value) == {"name", "age"} and value["age"] >= 18
    value = generate({"allOf": [{"type": "integer", "minimum": 3}, {"maximum": 4}, {"multipleOf": 2}]})
    assert value == 4
    # a member's additionalProperties: false forbids what the other members declare
    closed = {"allOf": [{"properties": {"a": {"type": "string"}}, "additionalProperties": False},
                        {"properties": {"b": {"type": "string"}}}]}  # fmt: skip
    assert set(generate(closed, variant="full")) == {"a"}


def test_any_of_takes_the_first_branch_that_works() -> None:
    assert isinstance(generate({"anyOf": [{"type": "string"}, {"type": "integer"}]}), str)
    assert isinstance(
        generate({"anyOf": [{"type": "string", "minLength": 3, "maxLength": 2}, {"type": "integer"}]}), int
    )


def _matching_branches(gen: InstanceGenerator, branches: list[Any], value: Any) -> int:
    return sum(gen.is_valid(b, value) for b in branches)


@pytest.mark.parametrize(
    "branches",
    [
        [{"type": "number"}, {"type": "integer"}],  # 3.5 matches only the first
        [{"type": "array", "items": {"type": "string"}}, {"type": "array", "items": {"type": "integer"}}],  # not []
        [{"type": "object"}, {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}],
        [{"type": "string"}, {"type": "string", "format": "email"}, {"type": "integer"}],
    ],
)
@pytest.mark.parametrize("variant", ["minimal", "full"])
def test_one_of_matches_exactly_one_branch(branches: list[Any], variant: Variant) -> None:
    gen = InstanceGenerator(document())
    value = gen.generate({"oneOf": branches}, variant=variant)
    assert gen.validate({"oneOf": branches}, value) == []
    assert _matching_branches(gen, branches, value) == 1


def pets(version: str, mapping: bool, tagged: bool) -> dict[str, Any]:
    """Pet is oneOf Cat or Dog, told apart by `petType`: by the discriminator alone, or also by an enum (tagged)."""
    keys = ("cat", "dog") if mapping else ("Cat", "Dog")

    def kind(key: str) -> dict[str, Any]:
        tag = {"type": "string", **({"enum": [key]} if tagged else {})}
        return {"type": "object", "required": ["petType"], "properties": {"petType": tag}}

    discriminator: dict[str, Any] = {"propertyName": "petType"}
    if mapping:
        discriminator["mapping"] = {"cat": "#/components/schemas/Cat", "dog": "Dog"}
    return document(
        version,
        Pet={"oneOf": [ref("Cat"), ref("Dog")], "discriminator": discriminator},
        Cat={"allOf": [kind(keys[0]), {"properties": {"meows": {"type": "boolean"}}}]},
        Dog={"allOf": [kind(keys[1]), {"properties": {"barks": {"type": "boolean"}}}]},
    )


@pytest.mark.parametrize(("version", "tagged"), [("3.0.3", False), ("3.0.3", True), ("3.1.0", True)])
@pytest.mark.parametrize(("mapping", "expected"), [(True, "cat"), (False, "Cat")])
def test_discriminator_selects_the_branch(version: str, tagged: bool, mapping: bool, expected: str) -> None:
    """3.0's validator follows the discriminator (so the value alone selects Cat); 3.1's reads it as a note."""
    gen = InstanceGenerator(pets(version, mapping, tagged))
    for variant in ("minimal", "full"):
        value = gen.generate(ref("Pet"), variant=variant)
        assert gen.validate(ref("Pet"), value) == [] and value["petType"] == expected


def test_one_of_steers_away_from_the_other_branches() -> None:
    """In 3.1 an untagged Cat is a Dog too, until a property Dog declares gets a value Dog rejects."""
    gen = InstanceGenerator(pets("3.1.0", True, False))
    value = gen.generate(ref("Pet"))
    assert gen.validate(ref("Pet"), value) == [] and value["petType"] == "cat" and value["barks"] is not True
    assert gen.is_valid(ref("Cat"), value) and not gen.is_valid(ref("Dog"), value)


def test_discriminated_schema_names_itself() -> None:
    """Generating `Dog` (allOf a base holding the discriminator) sets the property to the key mapping to Dog."""
    base = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}},
        "discriminator": {"propertyName": "kind", "mapping": {"doggo": "#/components/schemas/Dog"}},
    }
    gen = InstanceGenerator(document("3.0.3", Base=base, Dog={"allOf": [ref("Base")]}, Cat={"allOf": [ref("Base")]}))
    assert gen.generate(ref("Dog"))["kind"] == "doggo"
    assert gen.generate(ref("Cat"))["kind"] == "Cat"


def test_if_then_else() -> None:
    schema = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": ["a", "b"]}, "x": {"type": "string"}, "y": {"type": "string"}},
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {"required": ["x"]},
        "else": {"required": ["y"]},
    }
    for seed in range(6):
        value = generate(schema, seed=seed, use_examples=False)
        assert ("x" in value) if value["kind"] == "a" else ("y" in value)


def test_not() -> None:
    assert not isinstance(generate({"not": {"type": "string"}}), str)
    values = {generate({"type": "integer", "minimum": 1, "maximum": 3, "not": {"const": 1}}, seed=s) for s in range(8)}
    assert values <= {2, 3}
    both = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    assert len(generate({**both, "not": {"required": ["a", "b"]}}, variant="full")) == 1
    assert not re.fullmatch("[a-z]*", generate({"type": "string", "not": {"pattern": "^[a-z]*$"}}))


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_nullable_and_type_arrays(version: str) -> None:
    schema = {"type": "string", "nullable": True} if version == "3.0.3" else {"type": ["string", "null"]}
    assert generate(schema, version=version, variant="minimal") is None
    assert isinstance(generate(schema, version=version, variant="full"), str)


def test_nullable_without_a_type_admits_no_null_in_3_0() -> None:
    """OpenAPI 3.0.3: `nullable` counts only beside `type` (Stripe's `anyOf: [...], nullable: true`)."""
    schema = {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True}
    assert generate(schema, version="3.0.3", variant="minimal") is not None


# --------------------------------------------------------------------------- recursion


TREE = {
    "type": "object",
    "required": ["value", "children"],
    "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": ref("Tree")}},
}


def test_required_recursion_through_an_array_ends_with_an_empty_array() -> None:
    assert generate(ref("Tree"), components={"Tree": TREE})["children"] == []
    full = generate(ref("Tree"), components={"Tree": TREE}, variant="full")
    assert 4 <= depth_of(full) <= 2 * (5 + 1)  # one object and one array per level, down to max_depth


def test_mutual_recursion_ends_on_the_branch_that_ends_it() -> None:
    components = {
        "A": {"type": "object", "required": ["b"], "properties": {"b": ref("B")}},
        "B": {"anyOf": [ref("A"), {"type": "string"}]},
        "List": {"type": ["object", "null"], "required": ["next"], "properties": {"next": ref("List")}},
    }
    value = generate(ref("A"), components=components, variant="full")
    assert depth_of(value) >= 1
    assert depth_of(generate(ref("List"), components=components, variant="full")) == 5  # null from max_depth on


def test_recursion_that_cannot_end_is_unsatisfiable() -> None:
    loop = {"type": "object", "required": ["self"], "properties": {"self": ref("Loop")}}
    gen = InstanceGenerator(document(Loop=loop))
    with pytest.raises(UnsatisfiableSchema, match="recursion does not end"):
        gen.generate(ref("Loop"))


# --------------------------------------------------------------------------- unsatisfiable schemas


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"type": "integer", "minimum": 5, "maximum": 3}, "no number lies between 5 and 3"),
        ({"allOf": [{"const": 1}, {"const": 2}]}, "different constants"),
        ({"type": "string", "minLength": 5, "maxLength": 3}, "minLength 5 > maxLength 3"),
        ({"allOf": [{"type": "string"}, {"type": "integer"}]}, "no type is both"),
        ({"type": "object", "required": ["x"], "additionalProperties": False}, "'x' is not allowed"),
        ({"type": "string", "enum": [1, 2]}, "const/enum"),
        ({"type": "array", "minItems": 2, "uniqueItems": True, "items": {"const": "a"}}, "different items"),
        ({"not": {}}, "every type|passed its checks"),
        ({"type": "number", "multipleOf": 0.1, "minimum": 0.25, "maximum": 0.35}, "multiple of"),  # 0.3/0.1 != 3
        ({"type": "string", "pattern": "(?<name>x)"}, "cannot be used"),  # ECMA named groups: not Python's re
        ({"oneOf": [{"type": "integer"}, {"type": "integer"}]}, "oneOf"),
    ],
)
def test_unsatisfiable_schemas_raise_the_typed_error(schema: dict[str, Any], reason: str) -> None:
    gen = InstanceGenerator(document(Bad=schema))
    with pytest.raises(UnsatisfiableSchema, match=reason) as raised:
        gen.generate(ref("Bad"))
    assert raised.value.pointer.startswith("#/components/schemas/Bad") and raised.value.reason


# --------------------------------------------------------------------------- determinism and the API


def test_the_same_inputs_give_the_same_value_in_any_call_order() -> None:
    doc = document(Tree=TREE, Person=PERSON)
    first = InstanceGenerator(doc)
    values = [first.generate(ref(n), seed=3, variant="full", use_examples=False) for n in ("Tree", "Person")]
    second = InstanceGenerator(doc)
    assert second.generate(ref("Person"), seed=3, variant="full", use_examples=False) == values[1]
    assert second.generate(ref("Tree"), seed=3, variant="full", use_examples=False) == values[0]
    seeds = {json.dumps(first.generate(ref("Person"), seed=s, variant="full"), sort_keys=True) for s in range(5)}
    assert len(seeds) > 1


def test_returned_values_are_copies() -> None:
    gen = InstanceGenerator(document(Person=PERSON))
    gen.generate(ref("Person"), variant="full")["tags"].append("changed")
    assert "changed" not in gen.generate(ref("Person"), variant="full")["tags"]


def test_a_document_schema_passed_by_identity_keeps_its_location() -> None:
    doc = document(Bad={"type": "string", "minLength": 2, "maxLength": 1})
    with pytest.raises(UnsatisfiableSchema) as raised:
        InstanceGenerator(doc).generate(doc["components"]["schemas"]["Bad"])
    assert raised.value.pointer == "#/components/schemas/Bad"


def test_validate_reports_errors_with_paths_and_checks_formats() -> None:
    gen = InstanceGenerator(document())
    assert gen.validate({"type": "object", "properties": {"a": {"type": "integer"}}}, {"a": "x"}) == [
        "/a: 'x' is not of type 'integer'"
    ]
    assert gen.validate({"type": "string", "format": "uri"}, "not a uri")
    assert gen.validate({"type": "string", "format": "date-time"}, "2024-13-01T00:00:00Z")
    assert gen.validate({"type": "string", "format": "uuid"}, uuid.UUID(int=5).hex)  # the runtime's check: dashes
    assert gen.validate({"type": "string", "pattern": "(?<n>x)"}, "x")  # reported, not raised
    with pytest.raises(ValueError, match="variant"):
        gen.generate({}, variant="huge")  # type: ignore[arg-type]


def test_documents_as_they_come() -> None:
    """Percent-encoded references resolve, YAML dates in an enum are skipped, Swagger 2's `type: file` is an error."""
    doc = document("3.0.3", **{"A B": {"type": "integer", "minimum": 3}, "Upload": {"type": "file"}})
    gen = InstanceGenerator(doc)
    assert gen.generate({"$ref": "#/components/schemas/A%20B"}) >= 3
    assert generate({"enum": [yaml.safe_load("2020-01-01"), "x"]}) == "x"
    (error,) = gen.validate(ref("Upload"), "x")
    assert error.startswith("/: the schema cannot be checked: Unknown type 'file'")
    with pytest.raises(UnsatisfiableSchema, match="unknown type 'file'"):
        gen.generate(ref("Upload"))


# --------------------------------------------------------------------------- property: a grammar of schemas


PATTERNS = [(r"^[a-z]+$", 1, 12), (r"^\d{3}-\d{4}$", 8, 8), (r"^(ab|cd)*x?$", 0, 9), (r"[A-Z]", 1, 6)]
FORMATS = ["date-time", "date", "email", "uri", "uuid", "ipv4", "ipv6", "byte"]


def leaves() -> st.SearchStrategy[dict[str, Any]]:
    integers = st.builds(
        lambda low, span, step: {"type": "integer", "minimum": low, "maximum": low + span * step, "multipleOf": step},
        st.integers(-1000, 1000),
        st.integers(1, 20),
        st.sampled_from([1, 2, 5]),
    )
    numbers = st.builds(
        lambda low, step: {"type": "number", "exclusiveMinimum": low, "multipleOf": step},
        st.integers(-50, 50),
        st.sampled_from([0.5, 0.25, 0.1, 0.01]),
    )
    patterned = st.builds(
        lambda p, extra: {"type": "string", "pattern": p[0], "minLength": p[1], "maxLength": p[2] + extra},
        st.sampled_from(PATTERNS),
        st.integers(0, 5),
    )
    lengths = st.builds(
        lambda low, span: {"type": "string", "minLength": low, "maxLength": low + span},
        st.integers(0, 30),
        st.integers(0, 10),
    )
    return st.one_of(
        integers,
        numbers,
        patterned,
        lengths,
        st.builds(lambda f: {"type": "string", "format": f}, st.sampled_from(FORMATS)),
        st.builds(lambda values: {"enum": values}, st.lists(st.integers() | st.text(max_size=5), min_size=1)),
        st.just({"type": "boolean"}),
        st.just({"type": ["integer", "null"]}),
        st.builds(lambda v: {"const": v}, st.integers() | st.text(max_size=5)),
    )


def composites(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True, max_size=4)
    objects = st.builds(
        lambda props, required, closed: {
            "type": "object",
            "properties": props,
            "required": [n for n in props if n in required],
            "additionalProperties": not closed,
        },
        st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), children, max_size=4),
        names,
        st.booleans(),
    )
    arrays = st.builds(
        lambda items, low, span: {"type": "array", "items": items, "minItems": low, "maxItems": low + span},
        children,
        st.integers(0, 3),
        st.integers(0, 3),
    )
    distinct = st.sampled_from(
        [[{"type": "string"}, {"type": "integer"}], [{"type": "boolean"}, {"type": "array"}, {"type": "object"}]]
    )
    return st.one_of(
        objects,
        arrays,
        st.builds(lambda branches: {"anyOf": branches}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda branches: {"oneOf": branches}, distinct),
        st.builds(lambda a, b: {"allOf": [a, {"type": "object", "properties": {"z": b}}]}, objects, children),
        st.builds(lambda inner: {"not": {"type": "null"}, "anyOf": [inner]}, children),
    )


SCHEMAS = st.recursive(leaves(), composites, max_leaves=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=SCHEMAS, seed=st.integers(0, 3), variant=st.sampled_from(["minimal", "full"]))
def test_every_generated_instance_of_a_grammar_schema_validates(
    schema: dict[str, Any], seed: int, variant: Variant
) -> None:
    gen = InstanceGenerator(document())
    value = gen.generate(schema, seed=seed, variant=variant)
    assert gen.validate(schema, value) == []
    assert gen.generate(schema, seed=seed, variant=variant) == value


# --------------------------------------------------------------------------- the corpus and Stripe


SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
STRIPE = SHARED / "bench" / "stripe-spec3.yaml"

_NAME_CONFLICT = (
    "`name` must be a string (Pet, through AllOfCombine) and an object (AllOfCombine or AnyOfCombine) at once, "
    "and `name` is required (Pet)"
)
UNSATISFIABLE = {
    ("dmcg__allof.yaml", "#/components/schemas/AllOfNested1"): _NAME_CONFLICT,
    ("dmcg__allof.yaml", "#/components/schemas/AllOfNested2"): _NAME_CONFLICT,
    ("dmcg__allof.yaml", "#/components/schemas/AllOfNested3"): _NAME_CONFLICT,
    ("dmcg__allof.yaml", "#/components/schemas/AllOfNested1/allOf/0"): "a $ref to AllOfNested2",
    ("dmcg__allof.yaml", "#/components/schemas/AllOfNested2/allOf/0"): "a $ref to AllOfNested3",
    ("dmcg__allof.yaml", "#/components/schemas/AllOfNested2/allOf/1/properties/name"): "a $ref to AllOfNested1",
}
"""Schemas of valid corpus documents that no value satisfies, with the reason."""

_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                  "unevaluatedProperties", "unevaluatedItems", "contentSchema")  # fmt: skip
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def reachable(schema: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every schema object inside `schema` (itself included), with its pointer; `$ref`s are not followed."""
    stack = [(pointer, schema)]
    while stack:
        ptr, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield ptr, node
        for key in _SUBSCHEMA_MAPS:
            if isinstance(node.get(key), dict):
                stack += [(f"{ptr}/{key}/{escape_pointer_token(n)}", v) for n, v in node[key].items()]
        stack += [(f"{ptr}/{key}", node[key]) for key in _SUBSCHEMA_ONE if isinstance(node.get(key), dict)]
        for key in _SUBSCHEMA_LISTS:
            if isinstance(node.get(key), list):
                stack += [(f"{ptr}/{key}/{i}", v) for i, v in enumerate(node[key])]


def success_responses(doc: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """The JSON schema of every 2xx response of every operation (paths and webhooks), with its pointer."""

    def deref(node: Any) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target: Any = doc
            for token in node["$ref"][2:].split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    for section in ("paths", "webhooks"):
        for route, item in (doc.get(section) or {}).items():
            for method, operation in (deref(item) or {}).items():
                if not isinstance(operation, dict) or not isinstance(operation.get("responses"), dict):
                    continue
                for status, response in operation["responses"].items():
                    if not str(status).startswith("2"):
                        continue
                    for media, content in (deref(response).get("content") or {}).items():
                        kind = media.split(";")[0].strip()
                        if (kind == "application/json" or kind.endswith("+json")) and "schema" in content:
                            yield (
                                f"/{section}/{escape_pointer_token(route)}/{method}/responses/{status}/content/{escape_pointer_token(media)}/schema",
                                content["schema"],
                            )


def corpus_documents() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json")) if CORPUS.is_dir() else []


@pytest.mark.parametrize("path", [*corpus_documents(), STRIPE], ids=lambda p: p.name)
def test_every_schema_and_success_response_of_the_corpus_generates(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both variants of every schema under components/schemas (nested ones too) and of every success response."""
    if not path.is_file():
        pytest.skip(f"{path} is absent: the third-party documents live in ../shared next to the project")
    doc = load_spec(path, validate=False).document
    if path != STRIPE:  # Stripe's is valid, and takes the validator 6 s
        try:
            validate_spec(doc)
        except Exception as exc:  # deliberately invalid documents are the generator's to refuse, not ours
            pytest.skip(f"not valid OpenAPI: {str(exc).splitlines()[0][:120]}")
    schemas = [
        item
        for name, schema in ((doc.get("components") or {}).get("schemas") or {}).items()
        for item in reachable(schema, f"#/components/schemas/{escape_pointer_token(name)}")
    ]
    responses = list(success_responses(doc))
    started = time.perf_counter()
    gen = InstanceGenerator(doc)
    failures, unsatisfiable = [], set()
    for pointer, schema in schemas + responses:
        for variant in ("minimal", "full"):
            try:
                value = gen.generate(schema, variant=variant)
            except UnsatisfiableSchema as exc:
                if (path.name, pointer) in UNSATISFIABLE:
                    unsatisfiable.add(pointer)
                else:
                    failures.append(f"{pointer} ({variant}): {exc}")
                continue
            errors = gen.validate(schema, value)
            if errors:
                failures.append(f"{pointer} ({variant}): invalid: {errors[:2]}")
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n  {path.name}: {len(schemas)} schemas + {len(responses)} responses, x 2 variants: {elapsed:.2f} s")
    assert not failures, "\n".join(failures[:20])
    assert unsatisfiable == {p for f, p in UNSATISFIABLE if f == path.name}


def test_a_base_discriminating_on_its_own_subtypes_validates_without_end() -> None:
    """OpenAPI 3.0 inheritance as Azure writes it: the base discriminates (no mapping) on a subtype that inherits it
    with `allOf`. openapi-schema-validator alone recurses until the stack overflows."""
    document = {
        "openapi": "3.0.3",
        "components": {
            "schemas": {
                "Setting": {
                    "type": "object",
                    "discriminator": {"propertyName": "kind"},
                    "allOf": [{"$ref": "#/components/schemas/Resource"}],
                    "properties": {"kind": {"type": "string", "enum": ["DataExport"]}},
                    "required": ["kind"],
                },
                "Resource": {"type": "object", "properties": {"id": {"type": "string"}}},
                "DataExport": {
                    "type": "object",
                    "allOf": [{"$ref": "#/components/schemas/Setting"}],
                    "properties": {"enabled": {"type": "boolean"}},
                    "required": ["enabled"],
                },
            }
        },
    }
    generator = InstanceGenerator(document)
    base = {"$ref": "#/components/schemas/Setting"}
    value = generator.generate(base, variant="full")
    assert value["kind"] == "DataExport" and isinstance(value["enabled"], bool)
    (item,) = generator.generate({"type": "array", "items": base, "minItems": 1, "maxItems": 1})
    assert item["kind"] == "DataExport" and isinstance(item["enabled"], bool)
    assert generator.validate(base, {"kind": "DataExport", "enabled": "yes"}) == [
        "/enabled: 'yes' is not of type 'boolean'"
    ]
    assert generator.validate(base, {"kind": "DataExport", "enabled": True, "id": 3}) == [
        "/id: 3 is not of type 'string'"
    ]
