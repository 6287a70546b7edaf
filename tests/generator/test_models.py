"""The generated pydantic models enforce the schemas and round-trip every valid payload unchanged.

Three angles: a table of values just inside and just outside each kind of constraint; every example in every spec
validated and dumped back to the same JSON; and hypothesis-generated payloads, valid by construction (round trip)
or mutated around the constraints (the model must accept exactly what JSON Schema Draft 2020-12 accepts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import BaseModel, TypeAdapter, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from generator.loader import load_spec, resolve_pointer
from generator.parser import parse_api
from tests.generator.conftest import ALL_SPECS, GENERALITY

DROP = object()


def patched(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`base` with `changes` applied; a value of DROP removes the key."""
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not DROP}


def adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def round_trip(model: Any, data: Any) -> Any:
    """Validate `data` and dump it back as JSON-ready wire data (what the server and client send)."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_validate(data).model_dump(mode="json", by_alias=True, exclude_unset=True)
    ta = adapter(model)
    return ta.dump_python(ta.validate_python(data), mode="json", by_alias=True, exclude_unset=True)


def accepts(model: Any, data: Any) -> bool:
    """Whether `model` accepts `data`, checked from Python objects and from JSON text (they must agree)."""
    results = []
    for validate in (adapter(model).validate_python, adapter(model).validate_json):
        try:
            validate(data if validate.__name__ == "validate_python" else json.dumps(data))
        except ValidationError:
            results.append(False)
        else:
            results.append(True)
    assert results[0] == results[1], f"python and JSON validation disagree on {data!r}"
    return results[0]


@pytest.fixture(scope="module")
def generality(modules: dict[str, ModuleType]) -> ModuleType:
    models: ModuleType = modules["generality"].models
    return models


# --------------------------------------------------------------------------- constraints, value by value

CREATE = {"name": "Sprocket", "kind": "gadget", "sku": "S-1"}
WIDGET = {"id": "w-1", "name": "n", "kind": "gadget", "created": "2024-01-01T00:00:00Z"}

CONSTRAINTS = [
    # (id, model, data, valid)
    ("minimal", "WidgetCreate", CREATE, True),
    ("range-min", "WidgetCreate", patched(CREATE, size=1), True),
    ("range-max", "WidgetCreate", patched(CREATE, size=10), True),
    ("range-below", "WidgetCreate", patched(CREATE, size=0), False),
    ("range-above", "WidgetCreate", patched(CREATE, size=11), False),
    ("int-false", "WidgetCreate", patched(CREATE, size=False), False),
    ("int-true", "WidgetCreate", patched(CREATE, size=True), False),
    ("int-string", "WidgetCreate", patched(CREATE, size="1"), False),
    ("int-fraction", "WidgetCreate", patched(CREATE, size=1.5), False),
    ("int-null-not-nullable", "WidgetCreate", patched(CREATE, size=None), False),
    ("int-enum", "WidgetCreate", patched(CREATE, priority=3), True),
    ("int-enum-outside", "WidgetCreate", patched(CREATE, priority=4), False),
    ("int-enum-false", "WidgetCreate", patched(CREATE, priority=False), False),
    ("int-enum-true", "WidgetCreate", patched(CREATE, priority=True), False),
    ("number-int", "WidgetCreate", patched(CREATE, weight=0), True),
    ("number-max", "WidgetCreate", patched(CREATE, weight=1000.0), True),
    ("number-above", "WidgetCreate", patched(CREATE, weight=1000.5), False),
    ("number-below", "WidgetCreate", patched(CREATE, weight=-0.1), False),
    ("number-string", "WidgetCreate", patched(CREATE, weight="1"), False),
    ("number-bool", "WidgetCreate", patched(CREATE, weight=True), False),
    ("exclusive-min", "ShapeCircle", {"radius": 0}, False),
    ("exclusive-min-inside", "ShapeCircle", {"radius": 0.001}, True),
    ("length-min", "WidgetCreate", patched(CREATE, name=""), False),
    ("length-max", "WidgetCreate", patched(CREATE, name="A" * 40), True),
    ("length-above", "WidgetCreate", patched(CREATE, name="A" * 41), False),
    ("pattern", "WidgetCreate", patched(CREATE, name="1st"), False),
    ("pattern-inside", "WidgetCreate", patched(CREATE, name="a b_c-d"), True),
    ("enum", "WidgetCreate", patched(CREATE, kind="GADGET"), False),
    ("enum-null", "WidgetCreate", patched(CREATE, kind=None), False),
    ("required", "WidgetCreate", patched(CREATE, name=DROP), False),
    ("extra-closed", "WidgetCreate", patched(CREATE, colour="red"), False),
    ("extra-open", "Widget", patched(WIDGET, colour="red"), True),
    ("nullable-null", "WidgetCreate", patched(CREATE, note=None), True),
    ("nullable-length", "WidgetCreate", patched(CREATE, note="x" * 101), False),
    ("nullable-wrong-type", "WidgetCreate", patched(CREATE, note=5), False),
    ("uri", "WidgetCreate", patched(CREATE, homepage="https://example.com/" + "a" * 20), True),
    ("uri-max-length", "WidgetCreate", patched(CREATE, homepage="https://example.com/" + "a" * 21), False),
    ("uri-no-scheme", "WidgetCreate", patched(CREATE, homepage="example.com/a"), False),
    ("uri-space", "WidgetCreate", patched(CREATE, homepage="https://exa mple.com"), False),
    ("date-time", "Widget", patched(WIDGET, created="2024-01-01T08:00:00+08:00"), True),
    ("date-time-invalid-month", "Widget", patched(WIDGET, created="2024-13-01T00:00:00Z"), False),
    ("date-time-words", "Widget", patched(WIDGET, created="yesterday"), False),
    ("response-range", "Widget", patched(WIDGET, size=11), False),
    ("response-null-not-nullable", "Widget", patched(WIDGET, sku=None), False),
    ("unique", "WidgetCreate", patched(CREATE, tags=["a", "a"]), False),
    ("max-items", "WidgetCreate", patched(CREATE, tags=list("abcdef")), False),
    ("item-type", "WidgetCreate", patched(CREATE, tags=[1]), False),
    ("nested", "WidgetCreate", patched(CREATE, dimensions={"width": 1, "height": 2, "origin": {"x": 0, "y": 0}}), True),
    ("nested-required", "WidgetCreate", patched(CREATE, dimensions={"width": 1}), False),
    ("nested-enum", "WidgetCreate", patched(CREATE, dimensions={"width": 1, "height": 2, "unit": "in"}), False),
    (
        "nested-deeper",
        "WidgetCreate",
        patched(CREATE, dimensions={"width": 1, "height": 2, "origin": {"x": 0.5, "y": 0}}),
        False,
    ),
    ("array-of-objects", "WidgetCreate", patched(CREATE, parts=[{"part_no": "P-1", "quantity": 1}]), True),
    ("array-of-objects-pattern", "WidgetCreate", patched(CREATE, parts=[{"part_no": "X", "quantity": 1}]), False),
    ("array-of-objects-range", "WidgetCreate", patched(CREATE, parts=[{"part_no": "P-1", "quantity": 0}]), False),
    ("one-of-first", "WidgetCreate", patched(CREATE, shape={"radius": 1}), True),
    ("one-of-second", "WidgetCreate", patched(CREATE, shape={"width": 1, "height": 1}), True),
    ("one-of-neither", "WidgetCreate", patched(CREATE, shape={"radius": 1, "width": 1}), False),
    ("one-of-empty", "WidgetCreate", patched(CREATE, shape={}), False),
    ("one-of-inline", "WidgetCreate", patched(CREATE, placement={"bin": "B"}), True),
    ("one-of-inline-both", "WidgetCreate", patched(CREATE, placement={"shelf": 1, "bin": "B"}), False),
    ("exactly-one-both", "WidgetCreate", patched(CREATE, serial=1), False),
    ("exactly-one-neither", "WidgetCreate", patched(CREATE, sku=DROP), False),
    ("exactly-one-other", "WidgetCreate", patched(CREATE, sku=DROP, serial=1), True),
    ("not-together", "WidgetCreate", patched(CREATE, discount=5, coupon="C"), False),
    ("not-together-one", "WidgetCreate", patched(CREATE, discount=5), True),
    ("required-if", "WidgetCreate", patched(CREATE, gift=True), False),
    ("required-if-met", "WidgetCreate", patched(CREATE, gift=True, gift_message="Hi"), True),
    ("required-if-not-triggered", "WidgetCreate", patched(CREATE, gift=False), True),
    ("update-null-clears", "WidgetUpdate", {"note": None}, True),
    ("update-null-not-nullable", "WidgetUpdate", {"size": None}, False),
    ("params-alias", "ListWidgetsParams", {"owner": "a", "from": 0, "X-Page-Token": 1}, True),
    ("params-closed", "ListWidgetsParams", {"owner": "a", "offset": 0}, False),
]


@pytest.mark.parametrize(
    ("model", "data", "valid"),
    [pytest.param(*c[1:], id=c[0]) for c in CONSTRAINTS],
)
def test_generality_constraints(generality: ModuleType, model: str, data: dict[str, Any], valid: bool) -> None:
    assert accepts(getattr(generality, model), data) is valid
    if valid:
        assert round_trip(getattr(generality, model), data) == data


UPDATE_CALLBACK = {
    "Vhost": "v.example.com",
    "MessageType": "push",
    "CallbackDetailList": [{"CallbackType": "http", "URL": "http://e.com/cb"}],
}
VENDOR = [
    # (id, package, model, data, valid)
    ("volc-minimal", "volcengine_live", "UpdateCallbackBody", UPDATE_CALLBACK, True),
    ("volc-app-length", "volcengine_live", "UpdateCallbackBody", patched(UPDATE_CALLBACK, App="a" * 31), False),
    (
        "volc-domain-and-app",
        "volcengine_live",
        "UpdateCallbackBody",
        patched(UPDATE_CALLBACK, Vhost=DROP, Domain="d", App="a"),
        False,
    ),
    (
        "volc-auth-without-key",
        "volcengine_live",
        "UpdateCallbackBody",
        patched(UPDATE_CALLBACK, AuthEnable=True),
        False,
    ),
    (
        "volc-empty-list",
        "volcengine_live",
        "UpdateCallbackBody",
        patched(UPDATE_CALLBACK, CallbackDetailList=[]),
        False,
    ),
    (
        "volc-transcode-enum",
        "volcengine_live",
        "UpdateCallbackBody",
        patched(UPDATE_CALLBACK, TranscodeCallback=2),
        False,
    ),
    (
        "volc-transcode-false",
        "volcengine_live",
        "UpdateCallbackBody",
        patched(UPDATE_CALLBACK, TranscodeCallback=False),
        False,
    ),
    (
        "volc-transcode-true",
        "volcengine_live",
        "UpdateCallbackBody",
        patched(UPDATE_CALLBACK, TranscodeCallback=True),
        False,
    ),
    (
        "volc-sign-pattern",
        "volcengine_live",
        "VolcengineCallbackFlat",
        {"event_type": "e", "sign": "xyz", "t": 0},
        False,
    ),
    ("ms-range", "huaweicloud_metastudio", "LiveExitConfig", {"max_live_duration": 169}, False),
    ("ms-range-max", "huaweicloud_metastudio", "LiveExitConfig", {"max_live_duration": 168}, True),
    (
        "ms-https-only",
        "huaweicloud_metastudio",
        "LiveEventCallBackConfig",
        {"live_event_type_callback_url": "http://e.com"},
        False,
    ),
    ("ms-key-length", "huaweicloud_metastudio", "LiveEventCallBackConfig", {"key": "k" * 33}, False),
    (
        "ms-json-content",
        "huaweicloud_metastudio",
        "LiveEventCallback",
        {"event_type": "REPLY_COMMAND_FINISH", "message": "{not json"},
        False,
    ),
    (
        "ms-json-content-shape",
        "huaweicloud_metastudio",
        "LiveEventCallback",
        {"event_type": "REPLY_COMMAND_FINISH", "message": '{"room_id": "r"}'},
        False,
    ),
    (
        "ms-json-content-ok",
        "huaweicloud_metastudio",
        "LiveEventCallback",
        {"event_type": "REPLY_COMMAND_FINISH", "message": '{"room_id": "r", "job_id": "j", "reply_id": "x"}'},
        True,
    ),
    (
        "live-key-pattern",
        "huaweicloud_live",
        "RecordCallbackConfigRequest",
        {"publish_domain": "p", "app": "a", "key": "k" * 31},
        False,
    ),
    (
        "live-unique-events",
        "huaweicloud_live",
        "RecordCallbackConfigRequest",
        {"publish_domain": "p", "app": "a", "notify_event_subscription": ["RECORD_OVER", "RECORD_OVER"]},
        False,
    ),
]


@pytest.mark.parametrize(
    ("package", "model", "data", "valid"),
    [pytest.param(*c[1:], id=c[0]) for c in VENDOR],
)
def test_vendor_constraints(
    modules: dict[str, ModuleType], package: str, model: str, data: dict[str, Any], valid: bool
) -> None:
    assert accepts(getattr(modules[package].models, model), data) is valid


def test_rule_errors_carry_the_vendor_code(modules: dict[str, ModuleType]) -> None:
    body = modules["volcengine_live"].models.UpdateCallbackBody
    with pytest.raises(ValidationError) as caught:
        body.model_validate(patched(UPDATE_CALLBACK, Vhost=DROP, Domain="d", App="a"))
    (error,) = caught.value.errors()
    assert (error["type"], error["ctx"]) == ("streamspec_rule", {"error_code": "InvalidParam.DomainAndApp"})


# --------------------------------------------------------------------------- every example of every spec


def example_cases() -> Iterator[Any]:
    """(package, model name, example value) for every request, response and webhook example, with readable ids."""
    for spec_path in ALL_SPECS:
        spec = load_spec(spec_path)
        api, _ = parse_api(spec)
        doc = spec.document

        def deref(node: Any, doc: dict[str, Any] = doc) -> Any:
            while isinstance(node, dict) and isinstance(node.get("$ref"), str):
                node = resolve_pointer(doc, node["$ref"][1:])
            return node

        def examples(content: dict[str, Any], media: str) -> Iterator[tuple[str, Any]]:
            media_object = content.get(media, {})
            if "example" in media_object:
                yield "example", media_object["example"]
            for name, example in (media_object.get("examples") or {}).items():
                yield name, deref(example)["value"]

        places: list[tuple[str, str, dict[str, Any], str]] = []
        for op in api.operations:
            raw = deref(deref(doc["paths"][op.path])[op.method.lower()])
            if op.body is not None:
                places.append(
                    (
                        f"{op.operation_id}.request",
                        op.body.model,
                        deref(raw["requestBody"])["content"],
                        op.body.media_type,
                    )
                )
            for response in op.responses:
                if response.model and response.media_type:
                    content = deref(raw["responses"][str(response.status)])["content"]
                    places.append(
                        (f"{op.operation_id}.{response.status}", response.model, content, response.media_type)
                    )
        for hook in api.webhooks:
            body = deref(deref(doc["webhooks"][hook.name])["post"]["requestBody"])
            places.append((f"{hook.name}.webhook", hook.model, body["content"], "application/json"))
        for where, model, content, media in places:
            for name, value in examples(content, media):
                yield pytest.param(spec_path.stem, model, value, id=f"{spec_path.stem}:{where}:{name}")


EXAMPLES = list(example_cases())


def test_every_spec_has_examples() -> None:
    assert {p.values[0] for p in EXAMPLES} == {s.stem for s in ALL_SPECS}


@pytest.mark.parametrize(("package", "model", "value"), EXAMPLES)
def test_examples_round_trip(modules: dict[str, ModuleType], package: str, model: str, value: Any) -> None:
    assert round_trip(getattr(modules[package].models, model), value) == value


# --------------------------------------------------------------------------- hypothesis


def uri_checker() -> FormatChecker:
    """Draft 2020-12 formats plus `uri` (RFC 3986: a scheme, no whitespace), which jsonschema leaves unchecked here."""
    checker = FormatChecker()
    checker.checks("uri")(lambda v: not isinstance(v, str) or bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S*", v)))
    return checker


@cache
def json_schema(spec_path: Path, name: str) -> Draft202012Validator:
    """The Draft 2020-12 validator of `components/schemas/<name>` with local refs resolving in the whole spec."""
    document = load_spec(spec_path).document
    registry: Registry = Registry().with_resource("urn:spec", DRAFT202012.create_resource(document))
    return Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{name}"}, registry=registry, format_checker=uri_checker()
    )


TEXT = st.text(alphabet="abcXYZ09 _-./:", max_size=12)
OPTIONAL = object()


def objects(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts where each field is absent or drawn from its strategy."""
    return st.fixed_dictionaries({}, optional=fields)


def valid_widget_create() -> st.SearchStrategy[dict[str, Any]]:
    name = st.from_regex(r"[A-Za-z][A-Za-z0-9 _-]{0,39}", fullmatch=True)
    key = st.one_of(
        st.fixed_dictionaries({"sku": st.text(min_size=1, max_size=8)}),
        st.fixed_dictionaries({"serial": st.integers(1, 10**12)}),
    )
    money: st.SearchStrategy[dict[str, Any]] = st.one_of(
        st.just({}),
        st.fixed_dictionaries({"discount": st.integers(0, 100)}),
        st.fixed_dictionaries({"coupon": st.text(max_size=8)}),
    )
    gift: st.SearchStrategy[dict[str, Any]] = st.one_of(
        st.just({}),
        st.just({"gift": False}),
        st.fixed_dictionaries({"gift": st.just(True), "gift_message": st.text(max_size=50)}),
    )
    number = st.floats(0, 1000, allow_nan=False) | st.integers(0, 1000)
    rest = objects(
        {
            "size": st.integers(1, 10),
            "priority": st.sampled_from([1, 2, 3]),
            "weight": number,
            "homepage": st.from_regex(r"https://[a-z]{1,10}\.test/[a-z0-9]{0,10}", fullmatch=True),
            "note": st.none() | st.text(max_size=100),
            "tags": st.lists(st.text(max_size=5), max_size=5, unique=True),
            "dimensions": st.fixed_dictionaries(
                {"width": number, "height": number},
                optional={
                    "unit": st.sampled_from(["mm", "cm"]),
                    "origin": st.fixed_dictionaries({"x": st.integers(), "y": st.integers()}),
                },
            ),
            "parts": st.lists(
                st.fixed_dictionaries(
                    {"part_no": st.from_regex(r"P-[0-9]{1,4}", fullmatch=True), "quantity": st.integers(1, 99)}
                ),
                max_size=3,
            ),
            "shape": st.fixed_dictionaries({"radius": st.floats(0.001, 100)})
            | st.fixed_dictionaries({"width": st.floats(0.1, 9), "height": st.floats(0.1, 9)}),
            "placement": st.fixed_dictionaries({"shelf": st.integers(1, 50)})
            | st.fixed_dictionaries({"bin": st.text(min_size=1, max_size=4)}),
        }
    )
    parts = st.tuples(
        st.fixed_dictionaries({"name": name, "kind": st.sampled_from(["gadget", "gizmo"])}), key, money, gift, rest
    )
    return parts.map(lambda ps: {k: v for p in ps for k, v in p.items()})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_widget_create())
def test_valid_widget_create_round_trips(generality: ModuleType, data: dict[str, Any]) -> None:
    assert json_schema(GENERALITY, "WidgetCreate").is_valid(data)
    assert round_trip(generality.WidgetCreate, data) == data
    assert (
        generality.WidgetCreate.model_validate_json(json.dumps(data)).model_dump(
            mode="json", by_alias=True, exclude_unset=True
        )
        == data
    )


# Around each constraint: values on both sides of it and of the wrong type. Integral floats (1.0) are left out on
# purpose: JSON Schema calls 1.0 an integer, the strict models (and the generated clients) do not.
ANY_WRONG: st.SearchStrategy[Any] = st.sampled_from([None, True, "1", 1.5, [], {}])
WIDGET_CREATE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["", "A", "A" * 40, "A" * 41, "1st", "a b"]) | ANY_WRONG,
    "kind": st.sampled_from(["gadget", "gizmo", "GADGET", ""]) | ANY_WRONG,
    "sku": st.sampled_from(["", "S"]) | ANY_WRONG,
    "serial": st.sampled_from([0, 1, 2**40, -1]) | ANY_WRONG,
    "size": st.integers(-1, 12) | ANY_WRONG,
    "priority": st.sampled_from([0, 1, 3, 4, None, "1", 1.5]),
    "discount": st.sampled_from([-1, 0, 100, 101]) | ANY_WRONG,
    "coupon": st.sampled_from(["", "C"]) | ANY_WRONG,
    "gift": st.booleans() | ANY_WRONG,
    "gift_message": st.sampled_from(["", "m" * 50, "m" * 51]) | ANY_WRONG,
    "homepage": st.sampled_from(
        ["https://e.test/", "https://e.test/" + "a" * 25, "https://e.test/" + "a" * 26, "e.test", "a b:c"]
    )
    | ANY_WRONG,
    "note": st.sampled_from([None, "", "x" * 100, "x" * 101, 3]),
    "tags": st.sampled_from([[], ["a"], ["a", "a"], list("abcde"), list("abcdef"), [1]]) | ANY_WRONG,
    "dimensions": st.sampled_from(
        [{"width": 1, "height": 2}, {"width": -1, "height": 2}, {"width": 1}, {"width": 1, "height": 1, "unit": "in"}]
    )
    | ANY_WRONG,
    "shape": st.sampled_from([{"radius": 1}, {"radius": 0}, {"width": 1, "height": 1}, {"radius": 1, "width": 1}, {}])
    | ANY_WRONG,
    "placement": st.sampled_from([{"shelf": 1}, {"shelf": 0}, {"bin": "b"}, {"bin": ""}, {"shelf": 1, "bin": "b"}])
    | ANY_WRONG,
    "unknown": st.just(1),
}
DETAIL = {"CallbackType": "http", "URL": "http://e.com/cb"}
UPDATE_CALLBACK_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "Vhost": st.sampled_from(["", "v"]) | ANY_WRONG,
    "Domain": st.sampled_from(["", "d"]) | ANY_WRONG,
    "App": st.sampled_from(["", "a", "a" * 30, "a" * 31, "bad app", "a.b-c_d"]) | ANY_WRONG,
    "MessageType": st.sampled_from(["push", "record", "", "PUSH"]) | ANY_WRONG,
    "TranscodeCallback": st.sampled_from([0, 1, 2, -1, None, "1", 1.5, []]),
    "CallbackDetailList": st.sampled_from(
        [
            [],
            [DETAIL],
            [DETAIL, DETAIL],
            [{**DETAIL, "CallbackType": "https"}],
            [{**DETAIL, "URL": ""}],
            [{**DETAIL, "URL": "u" * 101}],
            [{**DETAIL, "x": 1}],
            [{"URL": "u"}],
        ]
    )
    | ANY_WRONG,
    "AuthEnable": st.booleans() | ANY_WRONG,
    "AuthKeyPrimary": st.sampled_from(["", "k"]) | ANY_WRONG,
    "Bogus": st.just("x"),
}
DIFFERENTIAL = [
    ("generality", GENERALITY, "WidgetCreate", WIDGET_CREATE_VALUES),
    (
        "volcengine_live",
        Path(ALL_SPECS[0]).parent / "volcengine_live.yaml",
        "UpdateCallbackBody",
        UPDATE_CALLBACK_VALUES,
    ),
]


@pytest.mark.parametrize(
    ("package", "spec", "model", "values"), DIFFERENTIAL, ids=[f"{d[0]}.{d[2]}" for d in DIFFERENTIAL]
)
def test_models_accept_exactly_what_json_schema_accepts(
    modules: dict[str, ModuleType], package: str, spec: Path, model: str, values: dict[str, st.SearchStrategy[Any]]
) -> None:
    validator = json_schema(spec, model)
    cls = getattr(modules[package].models, model)

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=objects(values))
    def check(data: dict[str, Any]) -> None:
        expected = validator.is_valid(data)
        assert accepts(cls, data) is expected, [
            e.message for e in validator.iter_errors(data)
        ] or "JSON Schema accepts it"
        if expected:
            assert round_trip(cls, data) == data

    check()
