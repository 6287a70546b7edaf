"""Every documented constraint of specs/huaweicloud_live.yaml, probed with a value just inside and just outside.

Each case validates one instance against a schema of the spec (local ``$ref``s resolved against the whole document,
formats checked) and states whether the vendor's rules accept it.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import pytest
from jsonschema import Draft202012Validator

from tests.specs._schema import load_spec, validator, validator_at

SPEC_NAME = "huaweicloud_live"
COLLECTION = "/v1/{project_id}/record/callbacks"
ITEM = "/v1/{project_id}/record/callbacks/{id}"
_DROP = object()


def spec() -> dict[str, Any]:
    return load_spec(SPEC_NAME)


def escape(token: str) -> str:
    """One JSON-pointer reference token, percent-encoded for use in a URI fragment."""
    return quote(token.replace("~", "~0").replace("/", "~1"), safe="~")


def pointer(*tokens: str | int) -> str:
    return "".join("/" + escape(str(t)) for t in tokens)


def query_param_pointer(path: str, method: str, name: str) -> str:
    params = spec()["paths"][path][method]["parameters"]
    index = next(i for i, p in enumerate(params) if p.get("name") == name)
    return pointer("paths", path, method, "parameters", index, "schema")


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``base`` with ``changes`` applied; a value of ``_DROP`` removes the key."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is _DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# --- base instances (all valid) -------------------------------------------------------------------------------

REQUEST = {"publish_domain": "publish.example.com", "app": "live"}
CONFIG = {"id": "8b2f6c1e4d7a4f0e9c3b5a2d1e6f7a80", "publish_domain": "publish.example.com", "app": "live"}
LIST = {"total": 1, "callback_config": [CONFIG]}
ERROR = {"error_code": "LIVE.100011001", "error_msg": "Request Illegal"}
NOTIFY_OVER = {
    "project_id": "70b76a1c2d3e34253880af501cd4f5a6",
    "task_id": "51126d0ebe94b1da00d2e21a10a1b2c3",
    "event_type": "RECORD_OVER",
    "publish_domain": "push.example.com",
    "app": "live",
    "stream": "mystream",
}
NOTIFY_COMPLETE = {
    **NOTIFY_OVER,
    "event_type": "RECORD_FILE_COMPLETE",
    "job_id": "dc0a1773-0cef-4b2a-9c1d-9a38fdb095d2",
    "record_format": "HLS",
    "download_url": "https://obs.cn-north-4.myhuaweicloud.com/live/a.m3u8",
    "asset_id": "1a0d8e9bfae54c0dbe5021e62aa1e96f",
    "file_size": 3957964,
    "record_duration": 120,
    "start_time": "2024-12-05T07:58:00Z",
    "end_time": "2024-12-05T08:00:00Z",
    "width": 1280,
    "height": 720,
    "obs_location": "https://obs.cn-north-4.myhuaweicloud.com",
    "obs_bucket": "mybucket",
    "obs_object": "live/a.m3u8",
}
KEY32 = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
ECMA_DOLLAR = "ECMA-262 '$' rejects a trailing newline, but jsonschema uses Python re.search, where it matches"
FILE_COMPLETE_FIELDS = [
    "job_id",
    "download_url",
    "asset_id",
    "start_time",
    "end_time",
    "width",
    "height",
    "obs_location",
    "obs_bucket",
    "obs_object",
]
NOTIFY_REQUIRED = ["project_id", "task_id", "event_type", "publish_domain", "app", "stream"]


@dataclass(frozen=True)
class Case:
    id: str
    target: str  # a components/schemas name, or a JSON pointer starting with "/"
    instance: Any
    valid: bool
    xfail: str | None = None  # why the Python validator disagrees with JSON Schema (ECMA-262) semantics here


def cases() -> Iterator[Case]:
    # RecordCallbackConfigRequest: required fields
    t = "RecordCallbackConfigRequest"
    yield Case("request-minimal", t, REQUEST, True)
    yield Case("request-publish_domain-missing", t, with_(REQUEST, publish_domain=_DROP), False)
    yield Case("request-app-missing", t, with_(REQUEST, app=_DROP), False)
    yield Case("request-empty-object", t, {}, False)
    # closed object
    yield Case("request-extra-id-rejected", t, with_(REQUEST, id="abc"), False)
    yield Case("request-extra-create_time-rejected", t, with_(REQUEST, create_time="2024-12-05T08:00:00Z"), False)
    yield Case("request-unknown-field-rejected", t, with_(REQUEST, foo=1), False)
    # publish_domain 1..255
    yield Case("publish_domain-len1", t, with_(REQUEST, publish_domain="a"), True)
    yield Case("publish_domain-len0", t, with_(REQUEST, publish_domain=""), False)
    yield Case("publish_domain-len255", t, with_(REQUEST, publish_domain="a" * 255), True)
    yield Case("publish_domain-len256", t, with_(REQUEST, publish_domain="a" * 256), False)
    yield Case("publish_domain-not-string", t, with_(REQUEST, publish_domain=1), False)
    # app: min 1, wildcard, the vendor's "**"
    yield Case("app-wildcard", t, with_(REQUEST, app="*"), True)
    yield Case("app-double-star-vendor-example", t, with_(REQUEST, app="**"), True)
    yield Case("app-len0", t, with_(REQUEST, app=""), False)
    yield Case("app-null", t, with_(REQUEST, app=None), False)
    # notify_callback_url: http(s), no query, no fragment
    yield Case("url-https", t, with_(REQUEST, notify_callback_url="https://mycallback.com.cn/record_notify"), True)
    yield Case("url-http", t, with_(REQUEST, notify_callback_url="http://cb.example.com/n"), True)
    yield Case("url-ftp", t, with_(REQUEST, notify_callback_url="ftp://cb.example.com/n"), False)
    yield Case("url-query", t, with_(REQUEST, notify_callback_url="https://cb.example.com/n?a=1"), False)
    yield Case("url-empty-query", t, with_(REQUEST, notify_callback_url="https://cb.example.com/n?"), False)
    yield Case("url-fragment", t, with_(REQUEST, notify_callback_url="https://cb.example.com/n#f"), False)
    yield Case("url-space", t, with_(REQUEST, notify_callback_url="https://cb.example.com/a b"), False)
    yield Case("url-no-scheme", t, with_(REQUEST, notify_callback_url="cb.example.com/n"), False)
    # notify_event_subscription: enum items, min 1, unique
    for event in ["RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE", "RECORD_OVER", "RECORD_FAILED"]:
        yield Case(f"subscription-{event}", t, with_(REQUEST, notify_event_subscription=[event]), True)
    yield Case(
        "subscription-all-four",
        t,
        with_(
            REQUEST,
            notify_event_subscription=["RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE", "RECORD_OVER", "RECORD_FAILED"],
        ),
        True,
    )
    yield Case(
        "subscription-RECORD_START-not-subscribable",
        t,
        with_(REQUEST, notify_event_subscription=["RECORD_START"]),
        False,
    )
    yield Case("subscription-lower-case", t, with_(REQUEST, notify_event_subscription=["record_over"]), False)
    yield Case("subscription-empty", t, with_(REQUEST, notify_event_subscription=[]), False)
    yield Case(
        "subscription-duplicate", t, with_(REQUEST, notify_event_subscription=["RECORD_OVER", "RECORD_OVER"]), False
    )
    yield Case("subscription-not-array", t, with_(REQUEST, notify_event_subscription="RECORD_OVER"), False)
    # sign_type enum
    yield Case("sign_type-HMACSHA256", t, with_(REQUEST, sign_type="HMACSHA256"), True)
    yield Case("sign_type-MD5", t, with_(REQUEST, sign_type="MD5"), True)
    yield Case("sign_type-lower-md5", t, with_(REQUEST, sign_type="md5"), False)
    yield Case("sign_type-SHA1", t, with_(REQUEST, sign_type="SHA1"), False)
    yield Case("sign_type-without-key", t, with_(REQUEST, sign_type="MD5"), True)
    # key: >= 32 ASCII letters/digits, no upper bound
    yield Case("key-len32", t, with_(REQUEST, key=KEY32), True)
    yield Case("key-len31", t, with_(REQUEST, key=KEY32[:31]), False)
    yield Case("key-len200", t, with_(REQUEST, key="a1" * 100), True)
    yield Case("key-digits-only", t, with_(REQUEST, key="1" * 32), True)
    yield Case("key-letters-only", t, with_(REQUEST, key="a" * 32), True)
    yield Case("key-hyphen", t, with_(REQUEST, key=KEY32[:31] + "-"), False)
    yield Case("key-underscore", t, with_(REQUEST, key=KEY32[:31] + "_"), False)
    yield Case("key-non-ascii-letter", t, with_(REQUEST, key="é" * 32), False)
    yield Case("key-empty", t, with_(REQUEST, key=""), False)
    yield Case("key-trailing-newline", t, with_(REQUEST, key=KEY32 + "\n"), False, ECMA_DOLLAR)
    yield Case(
        "url-trailing-newline", t, with_(REQUEST, notify_callback_url="https://cb.example.com/n\n"), False, ECMA_DOLLAR
    )

    # RecordCallbackConfig (response): required, open, formats, enums
    t = "RecordCallbackConfig"
    yield Case("config-minimal", t, CONFIG, True)
    yield Case("config-id-missing", t, with_(CONFIG, id=_DROP), False)
    yield Case("config-publish_domain-missing", t, with_(CONFIG, publish_domain=_DROP), False)
    yield Case("config-app-missing", t, with_(CONFIG, app=_DROP), False)
    yield Case("config-open-to-new-fields", t, with_(CONFIG, new_vendor_field="x"), True)
    yield Case("config-id-len64", t, with_(CONFIG, id="a" * 64), True)
    yield Case("config-id-len65", t, with_(CONFIG, id="a" * 65), False)
    yield Case("config-id-empty", t, with_(CONFIG, id=""), False)
    yield Case("config-create_time-utc-seconds", t, with_(CONFIG, create_time="2024-12-05T08:00:00Z"), True)
    yield Case("config-create_time-date-only", t, with_(CONFIG, create_time="2024-12-05"), False)
    yield Case("config-create_time-offset", t, with_(CONFIG, create_time="2024-12-05T08:00:00+08:00"), False)
    yield Case("config-create_time-millis", t, with_(CONFIG, create_time="2024-12-05T08:00:00.123Z"), False)
    yield Case("config-create_time-month-13", t, with_(CONFIG, create_time="2024-13-05T08:00:00Z"), False)
    yield Case("config-update_time-utc-seconds", t, with_(CONFIG, update_time="2024-12-05T09:30:00Z"), True)
    yield Case("config-update_time-space", t, with_(CONFIG, update_time="2024-12-05 09:30:00Z"), False)
    yield Case("config-sign_type-MD5", t, with_(CONFIG, sign_type="MD5"), True)
    yield Case("config-sign_type-unknown", t, with_(CONFIG, sign_type="SHA1"), False)
    yield Case("config-subscription-enum", t, with_(CONFIG, notify_event_subscription=["RECORD_FAILED"]), True)
    yield Case("config-subscription-unknown", t, with_(CONFIG, notify_event_subscription=["RECORD_START"]), False)
    yield Case("config-url-with-query", t, with_(CONFIG, notify_callback_url="https://cb.example.com/n?a=1"), False)

    # ListRecordCallbackConfigsResponse
    t = "ListRecordCallbackConfigsResponse"
    yield Case("list-valid", t, LIST, True)
    yield Case("list-empty-page", t, {"total": 0, "callback_config": []}, True)
    yield Case("list-total-missing", t, with_(LIST, total=_DROP), False)
    yield Case("list-callback_config-missing", t, with_(LIST, callback_config=_DROP), False)
    yield Case("list-total-negative", t, with_(LIST, total=-1), False)
    yield Case("list-total-string", t, with_(LIST, total="1"), False)
    yield Case("list-item-id-missing", t, with_(LIST, callback_config=[with_(CONFIG, id=_DROP)]), False)

    # ErrorResponse
    t = "ErrorResponse"
    yield Case("error-valid", t, ERROR, True)
    yield Case("error-apig-401", t, {"error_code": "APIG.0301", "error_msg": "verify aksk signature fail"}, True)
    yield Case("error-code-missing", t, with_(ERROR, error_code=_DROP), False)
    yield Case("error-msg-missing", t, with_(ERROR, error_msg=_DROP), False)
    yield Case("error-code-not-string", t, with_(ERROR, error_code=100011001), False)

    # ListRecordCallbackConfigs query parameters
    offset = query_param_pointer(COLLECTION, "get", "offset")
    yield Case("offset-0", offset, 0, True)
    yield Case("offset-minus-1", offset, -1, False)
    yield Case("offset-not-integer", offset, 1.5, False)
    limit = query_param_pointer(COLLECTION, "get", "limit")
    yield Case("limit-1", limit, 1, True)
    yield Case("limit-0", limit, 0, False)
    yield Case("limit-100", limit, 100, True)
    yield Case("limit-101", limit, 101, False)
    domain = query_param_pointer(COLLECTION, "get", "publish_domain")
    yield Case("query-publish_domain-len1", domain, "a", True)
    yield Case("query-publish_domain-len0", domain, "", False)
    yield Case("query-publish_domain-len255", domain, "a" * 255, True)
    yield Case("query-publish_domain-len256", domain, "a" * 256, False)
    app = query_param_pointer(COLLECTION, "get", "app")
    yield Case("query-app-len1", app, "a", True)
    yield Case("query-app-len0", app, "", False)

    # path and signer-managed header parameters
    for name in ["ProjectId", "CallbackId", "XProjectId"]:
        p = pointer("components", "parameters", name, "schema")
        yield Case(f"{name}-len1", p, "a", True)
        yield Case(f"{name}-len0", p, "", False)
        yield Case(f"{name}-len64", p, "a" * 64, True)
        yield Case(f"{name}-len65", p, "a" * 65, False)
        yield Case(f"{name}-underscore-hyphen", p, "a_b-C9", True)
        yield Case(f"{name}-slash", p, "a/b", False)
        yield Case(f"{name}-dot", p, "a.b", False)
    sdk_date = pointer("components", "parameters", "XSdkDate", "schema")
    yield Case("X-Sdk-Date-basic-format", sdk_date, "20240101T000000Z", True)
    yield Case("X-Sdk-Date-extended-format", sdk_date, "2024-01-01T00:00:00Z", False)
    yield Case("X-Sdk-Date-no-Z", sdk_date, "20240101T000000", False)
    yield Case("X-Sdk-Date-short", sdk_date, "2024011T000000Z", False)

    # RecordCallbackNotification (webhook payload)
    t = "RecordCallbackNotification"
    yield Case("notify-minimal-RECORD_OVER", t, NOTIFY_OVER, True)
    for field in NOTIFY_REQUIRED:
        yield Case(f"notify-{field}-missing", t, with_(NOTIFY_OVER, **{field: _DROP}), False)
    yield Case("notify-open-to-new-fields", t, with_(NOTIFY_OVER, new_vendor_field="x"), True)
    for event in ["RECORD_START", "RECORD_OVER", "RECORD_FAILED"]:
        yield Case(f"notify-event-{event}", t, with_(NOTIFY_OVER, event_type=event), True)
    yield Case("notify-event-unknown", t, with_(NOTIFY_OVER, event_type="RECORD_PAUSED"), False)
    yield Case("notify-RECORD_FILE_COMPLETE-full", t, NOTIFY_COMPLETE, True)
    for field in FILE_COMPLETE_FIELDS:
        yield Case(f"notify-RECORD_FILE_COMPLETE-{field}-missing", t, with_(NOTIFY_COMPLETE, **{field: _DROP}), False)
    yield Case(
        "notify-RECORD_NEW_FILE_START-with-job_id",
        t,
        with_(NOTIFY_OVER, event_type="RECORD_NEW_FILE_START", job_id="j1"),
        True,
    )
    yield Case(
        "notify-RECORD_NEW_FILE_START-job_id-missing", t, with_(NOTIFY_OVER, event_type="RECORD_NEW_FILE_START"), False
    )
    yield Case("notify-RECORD_OVER-no-job_id", t, NOTIFY_OVER, True)
    for fmt in ["HLS", "FLV", "MP4"]:
        yield Case(f"notify-record_format-{fmt}", t, with_(NOTIFY_OVER, record_format=fmt), True)
    yield Case("notify-record_format-TS", t, with_(NOTIFY_OVER, record_format="TS"), False)
    for field in ["file_size", "record_duration", "width", "height", "auth_timestamp"]:
        yield Case(f"notify-{field}-0", t, with_(NOTIFY_COMPLETE, **{field: 0}), True)
        yield Case(f"notify-{field}-negative", t, with_(NOTIFY_COMPLETE, **{field: -1}), False)
        yield Case(f"notify-{field}-string", t, with_(NOTIFY_COMPLETE, **{field: "1"}), False)
    yield Case("notify-start_time-date-only", t, with_(NOTIFY_COMPLETE, start_time="2024-12-05"), False)
    yield Case("notify-end_time-offset", t, with_(NOTIFY_COMPLETE, end_time="2024-12-05T08:00:00+08:00"), False)
    yield Case("notify-auth_sign-md5-hex", t, with_(NOTIFY_OVER, auth_sign="0" * 32, auth_timestamp=1), True)
    yield Case("notify-auth_sign-sha256-hex", t, with_(NOTIFY_OVER, auth_sign="f" * 64, auth_timestamp=1), True)
    yield Case("notify-auth_sign-upper-case", t, with_(NOTIFY_OVER, auth_sign="F" * 64, auth_timestamp=1), False)
    yield Case("notify-auth_sign-len31", t, with_(NOTIFY_OVER, auth_sign="0" * 31, auth_timestamp=1), False)
    yield Case("notify-auth_sign-len40", t, with_(NOTIFY_OVER, auth_sign="0" * 40, auth_timestamp=1), False)
    yield Case("notify-auth_sign-non-hex", t, with_(NOTIFY_OVER, auth_sign="g" * 32, auth_timestamp=1), False)


CASES = list(cases())


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def _validator(target: str) -> Draft202012Validator:
    return validator_at(spec(), target) if target.startswith("/") else validator(spec(), target)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
        for c in CASES
    ],
)
def test_constraint(case: Case) -> None:
    errors = [e.message for e in _validator(case.target).iter_errors(case.instance)]
    if case.valid:
        assert errors == [], f"{case.id}: expected valid, got {errors}"
    else:
        assert errors, f"{case.id}: expected a validation error"


# --- examples, defaults, write-only, signatures ---------------------------------------------------------------


def _walk(node: Any, ptr: str = "") -> Iterator[tuple[str, Any]]:
    yield ptr, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{ptr}/{escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{ptr}/{index}")


def _examples() -> Iterator[tuple[str, str, Any]]:
    """(id, schema pointer, example value) for every example in the document."""
    for ptr, node in _walk(spec()):
        if not isinstance(node, dict) or "examples" not in node or "/x-" in ptr:
            continue
        examples = node["examples"]
        if isinstance(examples, list):  # a schema's own `examples`
            for index, value in enumerate(examples):
                yield f"{ptr}[{index}]", ptr, value
        elif isinstance(examples, dict) and "schema" in node:  # a media type's or parameter's named examples
            for name, example in examples.items():
                yield f"{ptr}/{name}", f"{ptr}/schema", example["value"]


EXAMPLES = list(_examples())


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(("schema_ptr", "value"), [e[1:] for e in EXAMPLES], ids=[unquote(e[0]) for e in EXAMPLES])
def test_example_validates(schema_ptr: str, value: Any) -> None:
    errors = [e.message for e in validator_at(spec(), schema_ptr).iter_errors(value)]
    assert errors == []


DEFAULTS = [(ptr, node["default"]) for ptr, node in _walk(spec()) if isinstance(node, dict) and "default" in node]


@pytest.mark.parametrize(("schema_ptr", "value"), DEFAULTS, ids=[unquote(d[0]) for d in DEFAULTS])
def test_default_validates(schema_ptr: str, value: Any) -> None:
    assert list(validator_at(spec(), schema_ptr).iter_errors(value)) == []


def test_documented_defaults() -> None:
    body = spec()["components"]["schemas"]["RecordCallbackConfigRequest"]["properties"]
    assert body["notify_event_subscription"]["default"] == ["RECORD_FILE_COMPLETE"]
    assert body["sign_type"]["default"] == "HMACSHA256"
    params = {p["name"]: p for p in spec()["paths"][COLLECTION]["get"]["parameters"]}
    assert params["limit"]["schema"]["default"] == 10
    assert params["offset"]["schema"]["default"] == 0


def test_key_is_write_only_and_never_returned() -> None:
    schemas = spec()["components"]["schemas"]
    assert schemas["RecordCallbackConfigRequest"]["properties"]["key"]["writeOnly"] is True
    assert "key" not in schemas["RecordCallbackConfig"]["properties"]
    for ptr, node in _walk(spec()["paths"]):
        if ptr.endswith("/responses") and isinstance(node, dict):
            for _, sub in _walk(node):
                if isinstance(sub, dict) and "value" in sub and isinstance(sub["value"], dict):
                    assert "key" not in sub["value"]
                    for item in sub["value"].get("callback_config", []):
                        assert "key" not in item


def _expected_sign(sign_type: str, key: str, payload: dict[str, Any]) -> str:
    ts = str(payload["auth_timestamp"])
    if sign_type == "MD5":
        return hashlib.md5((key + ts).encode()).hexdigest()
    fields = ["event_type", "publish_domain", "app", "stream", "download_url", "play_url"]
    message = ts + "".join(str(payload.get(f, "")) for f in fields)
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


SIGNATURE = spec()["webhooks"]["RecordCallback"]["post"]["x-signature"]
WEBHOOK_EXAMPLES = spec()["webhooks"]["RecordCallback"]["post"]["requestBody"]["content"]["application/json"][
    "examples"
]


@pytest.mark.parametrize("vector", SIGNATURE["test-vectors"], ids=[v["example"] for v in SIGNATURE["test-vectors"]])
def test_webhook_example_signature(vector: dict[str, Any]) -> None:
    payload = WEBHOOK_EXAMPLES[vector["example"]]["value"]
    assert payload["auth_sign"] == vector["auth_sign"]
    assert _expected_sign(vector["sign_type"], vector["key"], payload) == vector["auth_sign"]
    # the vector's key is itself a valid configuration key
    assert not list(validator(spec(), "RecordCallbackConfigRequest").iter_errors(with_(REQUEST, key=vector["key"])))


def test_signature_algorithms_match_sign_type_enum() -> None:
    sign_types = spec()["components"]["schemas"]["RecordCallbackConfigRequest"]["properties"]["sign_type"]["enum"]
    assert sorted(SIGNATURE["algorithms"]) == sorted(sign_types)
    assert SIGNATURE["timestamp"]["meaning"] == "expiry"


OPERATIONS = [
    (path, method, op)
    for path, item in spec()["paths"].items()
    for method, op in item.items()
    if method in {"get", "put", "post", "delete"}
]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec()
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=[o[2]["operationId"] for o in OPERATIONS])
def test_every_response_has_request_id_and_errors_have_codes(path: str, method: str, op: dict[str, Any]) -> None:
    assert op["security"] == [{"HuaweiAkSk": []}, {"HuaweiToken": []}]
    assert {"401", "500"} <= set(op["responses"])
    for status, response in op["responses"].items():
        response = _resolve(response)
        assert "X-Request-Id" in response["headers"], status
        if int(status) >= 400:
            assert "x-error-codes" in response, status
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, status
