"""The schema registry (generator/schemas.py): class names, hoisting of inline objects, and extracted rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from generator.errors import Problem
from generator.loader import LoadedSpec, load_spec
from generator.parser import parse_api
from generator.schemas import ModelRules, SchemaRegistry, class_name, is_present_condition, snake_name
from tests.generator.conftest import ALL_SPECS, GENERALITY, Generated


def registry_of(schemas: dict[str, Any], openapi: str = "3.1.0") -> tuple[SchemaRegistry, list[Problem]]:
    """A registry over `components/schemas` = `schemas` (no file needed)."""
    document = {
        "openapi": openapi,
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    spec = LoadedSpec(Path("memory.yaml"), yaml.safe_dump(document, sort_keys=False).encode(), document)
    problems: list[Problem] = []
    return SchemaRegistry(spec, problems), problems


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.fixture(scope="module")
def fixture_registry() -> SchemaRegistry:
    return parse_api(load_spec(GENERALITY))[1]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LiveExitConfig", "LiveExitConfig"),
        ("live_exit_config", "LiveExitConfig"),
        ("issuing.card", "IssuingCard"),
        ("shape.circle", "ShapeCircle"),
        ("v2-widget list", "V2WidgetList"),
        ("3d.model", "M3dModel"),
        ("Field", "FieldModel"),
        ("ApiModel", "ApiModelModel"),
        ("...", "Model"),
    ],
)
def test_class_name(raw: str, expected: str) -> None:
    assert class_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ShowRecordCallbackConfig", "show_record_callback_config"),
        ("X-Trace-Id", "x_trace_id"),
        ("HTTPServerConfig", "http_server_config"),
        ("project_id", "project_id"),
        ("from", "from_"),
        ("self", "self_"),
        ("body", "body_"),
        ("options", "options_"),
        ("2fa", "p_2fa"),
    ],
)
def test_snake_name(raw: str, expected: str) -> None:
    assert snake_name(raw) == expected


def test_fixture_names_are_readable(fixture_registry: SchemaRegistry) -> None:
    assert sorted(fixture_registry.schemas) == [
        "CreateWidgetParams",
        "DeleteWidgetParams",
        "Error",
        "ListWidgetsParams",
        "ListWidgetsParamsColorsItem",
        "Part",
        "PingParams",
        "PingResponse",
        "ShapeCircle",
        "ShapeRectangle",
        "ShowTagParams",
        "ShowTagResponse",
        "ShowWidgetParams",
        "ShowWidgetPartParams",
        "UpdateWidgetParams",
        "Widget",
        "WidgetCreate",
        "WidgetCreateDimensions",
        "WidgetCreateDimensionsOrigin",
        "WidgetCreatePartsItem",
        "WidgetCreatePlacement",
        "WidgetCreatePlacementBin",
        "WidgetCreatePlacementShelf",
        "WidgetCreateShape",
        "WidgetDimensions",
        "WidgetDimensionsOrigin",
        "WidgetFields",
        "WidgetList",
        "WidgetListEcho",
        "WidgetShape",
        "WidgetUpdate",
    ]


CLASS = re.compile(r"^class (\w+)\(|^(\w+) = TypeAliasType\(", re.M)


@pytest.mark.parametrize("name", [spec.stem for spec in ALL_SPECS])
def test_generated_classes_are_exactly_the_registry(generated: Generated, name: str) -> None:
    package = generated.packages[name]
    defined = [text for path, text in package.files.items() if path.startswith("models/_") and "__init__" not in path]
    code = b"".join(defined).decode()
    classes = sorted(a or b for a, b in CLASS.findall(code))
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", c) for c in classes), classes
    assert not any(re.search(r"_\d+$", c) for c in classes)
    assert len(classes) == package.model_count


def test_collisions_get_readable_suffixes() -> None:
    registry, problems = registry_of(
        {
            "a.b": {"type": "object", "properties": {"x": {"type": "string"}}},
            "a_b": {"type": "object", "properties": {"y": {"type": "string"}}},
            "WidgetDims": {"type": "object", "properties": {"z": {"type": "string"}}},
            "Widget": {
                "type": "object",
                "properties": {"dims": {"type": "object", "properties": {"w": {"type": "integer"}}}},
            },
            "Field": {"type": "object", "properties": {"f": {"type": "string"}}},
        }
    )
    assert problems == []
    assert sorted(registry.schemas) == ["AB", "ABSchema", "FieldModel", "Widget", "WidgetDims", "WidgetDims2"]
    assert registry.schemas["Widget"]["properties"]["dims"] == ref("WidgetDims2")


def test_operation_level_names(fixture_registry: SchemaRegistry) -> None:
    registry, _ = registry_of({"Thing": {"type": "object", "properties": {"a": {"type": "string"}}}})
    inline = {"type": "object", "properties": {"b": {"type": "string"}}}
    assert registry.add("ShowThingResponse", inline, "/x") == "ShowThingResponse"
    assert registry.add("ShowThingResponse", inline, "/y") == "ShowThingResponse2"
    assert registry.add("ShowThingResponse404", ref("Thing"), "/z") == "Thing"


# --------------------------------------------------------------------------- hoisting


def test_inline_objects_are_hoisted_to_named_schemas(fixture_registry: SchemaRegistry) -> None:
    schemas = fixture_registry.schemas
    create = schemas["WidgetCreate"]["properties"]
    assert create["dimensions"] == ref("WidgetCreateDimensions")
    assert schemas["WidgetCreateDimensions"]["properties"]["origin"] == ref("WidgetCreateDimensionsOrigin")
    assert create["parts"]["items"] == ref("WidgetCreatePartsItem")
    # A oneOf whose members pydantic alone would read too leniently is a named type alias (checked as OneOf).
    assert create["shape"]["$ref"] == ref("WidgetCreateShape")["$ref"]
    assert schemas["WidgetCreateShape"]["oneOf"] == [ref("ShapeCircle"), ref("ShapeRectangle")]
    assert create["placement"]["$ref"] == ref("WidgetCreatePlacement")["$ref"]
    assert schemas["WidgetCreatePlacement"]["oneOf"] == [
        ref("WidgetCreatePlacementShelf"),
        ref("WidgetCreatePlacementBin"),
    ]
    assert schemas["WidgetCreatePlacementShelf"]["required"] == ["shelf"]
    assert schemas["Widget"]["properties"]["dimensions"] == ref("WidgetDimensions")
    assert schemas["Widget"]["properties"]["parts"]["items"] == ref("Part")
    assert schemas["WidgetList"]["properties"]["echo"] == ref("WidgetListEcho")
    # a constrained array item gets a name, and so do the oneOf unions
    assert fixture_registry.aliases == {
        "ListWidgetsParamsColorsItem",
        "WidgetCreatePlacement",
        "WidgetCreateShape",
        "WidgetShape",
    }


def test_untitled_variants_are_numbered_and_objects_inside_arrays_of_arrays_hoisted() -> None:
    obj = {"type": "object", "properties": {"v": {"type": "integer"}}}
    registry, problems = registry_of(
        {
            "Box": {
                "type": "object",
                "properties": {
                    "content": {"anyOf": [obj, obj]},
                    "grid": {"type": "array", "items": {"type": "array", "items": obj}},
                },
            }
        }
    )
    assert problems == []
    props = registry.schemas["Box"]["properties"]
    assert props["content"]["anyOf"] == [ref("BoxContentVariant1"), ref("BoxContentVariant2")]
    assert props["grid"]["items"]["items"] == ref("BoxGridItemItem")


def test_only_documentation_and_runtime_checks_are_left_out(fixture_registry: SchemaRegistry) -> None:
    homepage = fixture_registry.schemas["WidgetCreate"]["properties"]["homepage"]
    assert homepage == {"type": "string", "maxLength": 40, "description": "Product page."}
    assert fixture_registry.schemas["Widget"]["properties"]["created"] == {"type": "string"}


# --------------------------------------------------------------------------- rules


def test_cross_field_rules_and_formats_are_extracted(fixture_registry: SchemaRegistry) -> None:
    rules = fixture_registry.rules["WidgetCreate"]
    assert rules.exactly_one == [(("sku", "serial"), None)]
    assert rules.not_together == [(("discount", "coupon"), "DiscountAndCoupon")]
    assert rules.required_if == [("gift", True, ("gift_message",), None)]
    assert rules.formats == {"homepage": ("uri", False)}
    assert rules.unique == ["tags"]
    assert not {"oneOf", "not", "if", "then"} & set(fixture_registry.schemas["WidgetCreate"])
    assert fixture_registry.rules["Widget"].formats == {"created": ("date-time", False), "homepage": ("uri", False)}
    assert set(fixture_registry.rules) == {"Widget", "WidgetCreate"}


BASE = {"type": "object", "properties": {k: {"type": "string"} for k in ("a", "b", "c")}}
RULE_CASES = [
    ("one-of", {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, ModelRules(exactly_one=[(("a", "b"), None)])),
    (
        "one-of-branch-code",
        {"oneOf": [{"required": ["a"], "x-error-code": "OneOfAB"}, {"required": ["b"]}]},
        ModelRules(exactly_one=[(("a", "b"), "OneOfAB")]),
    ),
    (
        "any-of",
        {"anyOf": [{"required": ["a"]}, {"required": ["b", "c"]}]},
        ModelRules(at_least_one=[(("a", "b", "c"), None)]),
    ),
    (
        "not",
        {"not": {"required": ["a", "b"]}, "x-error-code": "NotAB"},
        ModelRules(not_together=[(("a", "b"), "NotAB")]),
    ),
    (
        "if-then",
        {
            "if": {"properties": {"a": {"const": "x"}}, "required": ["a"]},
            "then": {"required": ["b"], "x-error-code": "BIfA"},
        },
        ModelRules(required_if=[("a", "x", ("b",), "BIfA")]),
    ),
    (
        "all-of",
        {"allOf": [{"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"not": {"required": ["b", "c"]}}]},
        ModelRules(exactly_one=[(("a", "b"), None)], not_together=[(("b", "c"), None)]),
    ),
    (
        "formats",
        {
            "properties": {
                "u": {"type": "string", "format": "uri"},
                "e": {"type": "array", "items": {"type": "string", "format": "email"}},
            }
        },
        ModelRules(formats={"u": ("uri", False), "e": ("email", True)}),
    ),
]


@pytest.mark.parametrize(("extra", "expected"), [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES])
def test_rule_forms(extra: dict[str, Any], expected: ModelRules) -> None:
    registry, problems = registry_of({"X": {**BASE, **extra}})
    assert problems == []
    assert registry.rules["X"] == expected
    assert not {"oneOf", "anyOf", "allOf", "not", "if", "then"} & set(registry.schemas["X"])


def test_dependent_required_is_a_presence_condition() -> None:
    registry, problems = registry_of({"X": {**BASE, "dependentRequired": {"a": ["b", "c"]}}})
    assert problems == []
    ((field, condition, required, code),) = registry.rules["X"].required_if
    assert (field, required, code) == ("a", ("b", "c"), None)
    assert is_present_condition(condition)


def test_rules_on_a_hoisted_object_belong_to_it() -> None:
    inner = {**BASE, "not": {"required": ["a", "b"]}}
    registry, problems = registry_of({"Outer": {"type": "object", "properties": {"inner": inner}}})
    assert problems == []
    assert registry.rules == {"OuterInner": ModelRules(not_together=[(("a", "b"), None)])}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({**BASE, "oneOf": [{"required": ["a"]}, {"type": "string"}]}, []),  # a oneOf of shapes stays a union
        ({**BASE, "not": {"properties": {"a": {"const": "x"}}}}, [((), "not", ("XNot",), ())]),
        (
            {**BASE, "if": {"properties": {"a": {"type": "string", "minLength": 2}}}, "then": {"required": ["b"]}},
            [((), "if", ("XIf", "XThen", ""), ())],
        ),
        ({**BASE, "properties": {"a": {"type": "string", "not": {"const": "x"}}}}, [(("a",), "not", ("XANot",), ())]),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "array", "items": {"type": "string", "not": {"const": ""}}}},
            },
            [(("a", "*"), "not", ("XAItemNot",), ())],
        ),
        ({"type": "array", "contains": {"type": "string"}, "minContains": 2}, "unchecked"),
        (
            {**BASE, "properties": {"a": {"type": "array", "contains": {"type": "string"}}}},
            [(("a",), "contains", ("XAContains",), (1, None))],
        ),
        (
            {**BASE, "dependentSchemas": {"a": {"properties": {"b": {"type": "string", "minLength": 3}}}}},
            [((), "dependent", ("XWhenA",), ("a",))],
        ),
        (
            {**BASE, "properties": {"a": {"oneOf": [{"type": "string", "not": {"const": "x"}}, {"type": "integer"}]}}},
            "unchecked",
        ),
        ({"type": "string", "not": {"const": "x"}}, "unchecked"),
        ({**BASE, "properties": {"a": {"not": {"minimum": 3}}}}, "unchecked"),
    ],
    ids=[
        "one-of-shapes",
        "not-on-the-object",
        "if-then",
        "not-on-a-property",
        "not-on-array-items",
        "contains-on-an-alias",
        "contains-on-a-property",
        "dependent-schemas",
        "inside-a-union-member",
        "not-on-an-alias",
        "not-without-a-type",
    ],
)
def test_keywords_the_field_types_drop_become_checks(schema: dict[str, Any], expected: Any) -> None:
    """`not`, `if`/`then`/`else`, `contains` and `dependentSchemas` are checked by the owning model where it can
    place them; elsewhere they are located warnings, never silently gone."""
    registry, problems = registry_of({"X": schema})
    if expected == "unchecked":
        assert [(p.code, p.level) for p in problems] == [("schema.unchecked", "warning")], problems
        return
    assert problems == []
    assert [tuple(check) for rules in registry.rules.values() for check in rules.checks] == expected
    for _, _, targets, _ in expected:
        assert all(target in registry.schemas for target in targets if target)


@pytest.mark.parametrize(
    "schema",
    [
        {**BASE, "propertyNames": {"pattern": "^[a-z]+$"}},
        {**BASE, "unevaluatedProperties": False},
        {"type": "object", "patternProperties": {"^x-": {"type": "integer"}}},
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
    ],
    ids=["property-names", "unevaluated-properties", "pattern-properties", "prefix-items"],
)
def test_keywords_datamodel_code_generator_says_pass_through(schema: dict[str, Any]) -> None:
    registry, problems = registry_of({"X": schema})
    assert problems == []
    assert set(schema) - {"type"} <= set(registry.schemas["X"])


def test_all_of_a_ref_is_not_dropped() -> None:
    base = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    registry, problems = registry_of({"Base": base, "X": {**BASE, "allOf": [ref("Base")]}})
    assert problems or "allOf" in registry.schemas["X"]


def test_all_of_a_plain_required_is_not_dropped() -> None:
    registry, problems = registry_of({"X": {**BASE, "allOf": [{"required": ["a"]}]}})
    assert problems or "a" in registry.schemas["X"].get("required", []) or "allOf" in registry.schemas["X"]


def test_ref_into_a_component_resolves() -> None:
    other = {"type": "object", "properties": {"dim": {"type": "object", "properties": {"w": {"type": "integer"}}}}}
    _, problems = registry_of(
        {"Other": other, "X": {"type": "object", "properties": {"d": ref("Other/properties/dim")}}}
    )
    assert problems == []


# --------------------------------------------------------------------------- rules reach the generated models


def test_generated_models_carry_the_rules(modules: dict[str, ModuleType]) -> None:
    volcengine = modules["volcengine_live"].models
    rules = volcengine.UpdateCallbackBody.__streamspec_rules__
    assert rules.exactly_one == ((("Vhost", "Domain"), None),)
    assert rules.not_together == ((("Domain", "App"), "InvalidParam.DomainAndApp"),)
    assert [(r.field, r.equals, r.required) for r in rules.required_if] == [("AuthEnable", True, ("AuthKeyPrimary",))]
    metastudio = modules["huaweicloud_metastudio"].models
    assert metastudio.LiveEventCallback.__streamspec_rules__.json_content == (("message", metastudio.LiveEventMessage),)
    generality = modules["generality"].models
    assert generality.WidgetCreate.__streamspec_rules__.formats == (("homepage", "uri", False),)
    assert generality.WidgetCreate.__streamspec_rules__.unique == ("tags",)
    assert generality.Part.__streamspec_rules__ is None


@pytest.mark.parametrize("openapi", ["3.1.0", "3.0.3"])
def test_annotations_beside_a_ref_are_kept_in_31_only(openapi: str) -> None:
    field = {**ref("Mood"), "description": "How it feels.", "default": "happy", "x-note": "n", "examples": ["sad"]}
    registry, problems = registry_of(
        {"Mood": {"type": "string", "enum": ["happy", "sad"]}, "Owner": {"type": "object", "properties": {"m": field}}},
        openapi,
    )
    assert problems == []
    kept = {"description": "How it feels.", "default": "happy"} if openapi == "3.1.0" else {}
    assert registry.schemas["Owner"]["properties"]["m"] == {**ref("Mood"), **kept}


def test_a_problem_in_a_parameter_schema_is_located_at_the_parameter(tmp_path: Path) -> None:
    """Parameters reach the models as one synthesized object; what is found there is reported where it is written
    (through a `$ref`d parameter too)."""
    from generator.pipeline import build_package
    from tests.generator.conftest import write_spec

    spec = write_spec(
        tmp_path,
        "p.yaml",
        """\
openapi: 3.0.3
info: {title: P, version: "1"}
paths:
  /words:
    get:
      parameters:
        - {name: dictionaries, in: query, schema: {type: array, items: {type: string}, enum: [all, ahd]}}
        - $ref: '#/components/parameters/Sources'
      responses: {"204": {description: ok}}
components:
  parameters:
    Sources: {name: sources, in: query, schema: {type: array, items: {type: string}, enum: [one]}}
""",
    )
    warned = {(w.code, w.pointer, w.line) for w in build_package(spec).warnings}
    assert warned == {
        ("schema.unchecked", "/paths/~1words/get/parameters/0/schema/enum", 7),
        ("schema.unchecked", "/components/parameters/Sources/schema/enum", 12),
    }


def test_an_enum_without_null_governs_nullable() -> None:
    # OpenAPI 3.0.3 clarifies `nullable`: it adds null to the types; an enum that does not list null still refuses it.
    reason = {"type": "string", "enum": ["FRAUD", "OTHER"], "nullable": True}
    registry, problems = registry_of(
        {
            "Refund": {
                "type": "object",
                "properties": {"reason": reason, "note": {"type": "string", "nullable": True}},
            },
            "Listed": {"type": "string", "enum": ["A", None], "nullable": True},
        },
        openapi="3.0.3",
    )
    assert problems == []
    properties = registry.schemas["Refund"]["properties"]
    assert "nullable" not in properties["reason"] and properties["note"]["nullable"] is True
    assert registry.schemas["Listed"]["nullable"] is True


def test_an_all_of_with_no_type_in_common_admits_nothing() -> None:
    string, integer = {"type": "string"}, {"type": "integer"}
    registry, problems = registry_of(
        {
            "Never": {"description": "d", "allOf": [string, integer]},
            "Whole": {"allOf": [{"type": "number"}, integer]},  # every integer is a number: satisfiable
            "Referenced": {"allOf": [string, {"$ref": "#/components/schemas/Whole"}]},  # not judged through refs
        }
    )
    never = registry.schemas["Never"]
    assert (never["type"], never["minLength"], never["maxLength"], never["description"]) == ("string", 1, 0, "d")
    assert [(p.code, p.level) for p in problems] == [("schema.unsatisfiable", "warning")]
    assert "maxLength" not in json.dumps(registry.schemas["Whole"]) + json.dumps(registry.schemas["Referenced"])
