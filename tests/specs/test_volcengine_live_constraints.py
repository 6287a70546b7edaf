"""Documented constraints of specs/volcengine_live.yaml: a value just inside and just outside each one.

Every row is (schema name, instance, expected validity). The schemas are validated with Draft 2020-12 and every
local ``$ref`` resolves against the whole spec document (see ``_schema.py``).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.specs._schema import load_spec, validator, validator_at

SPEC = "volcengine_live"
MESSAGE_TYPES = ["push", "push_end", "snapshot", "record", "audit_snapshot"]
DROP = object()  # marks a key to remove in ``with_``

UPDATE_BASE: dict[str, Any] = {
    "Vhost": "push.live.example.com",
    "MessageType": "push",
    "CallbackDetailList": [{"CallbackType": "http", "URL": "http://example.com/callback"}],
}
SELECT_BASE: dict[str, Any] = {"Vhost": "push.live.example.com"}
LIST_ITEM_BASE: dict[str, Any] = {
    "MessageType": "push",
    "Vhost": "push.example.com",
    "App": "live",
    "TranscodeCallback": 0,
    "AuthEnable": False,
    "AuthKeyPrimary": "",
    "CreateTime": "2021-01-02T15:04:05+8:00",
    "CreateTimeUTC": "2021-01-02T07:04:05Z",
}
ERROR_BASE: dict[str, Any] = {
    "ResponseMetadata": {
        "RequestId": "20240101000000010010023228002DDDD",
        "Action": "UpdateCallback",
        "Version": "2023-01-01",
        "Service": "live",
        "Region": "cn-north-1",
        "Error": {
            "Code": "InvalidParam.DomainAndApp",
            "Message": "domain and app exist can not exist at the same time",
        },
    }
}
FLAT_CALLBACK_BASE: dict[str, Any] = {
    "vhost": "push.example.com",
    "app": "live",
    "stream": "stream-123456",
    "event_type": "push_start",
    "sign": "28f68dcec29231e8df28454661ec6f88",
    "t": 1640850110,
}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with ``changes`` applied (a value of ``DROP`` removes the key)."""
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DROP:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def detail(**changes: Any) -> dict[str, Any]:
    """UPDATE_BASE with its single CallbackDetail changed."""
    item = with_(UPDATE_BASE["CallbackDetailList"][0], **changes)
    return with_(UPDATE_BASE, CallbackDetailList=[item])


def row(case_id: str, schema: str, instance: Any, valid: bool) -> Any:
    return pytest.param(schema, instance, valid, id=f"{schema}-{case_id}-{'ok' if valid else 'rejected'}")


UPDATE = "UpdateCallbackBody"
CASES = [
    # required fields
    row("minimal", UPDATE, UPDATE_BASE, True),
    row("no-MessageType", UPDATE, with_(UPDATE_BASE, MessageType=DROP), False),
    row("no-CallbackDetailList", UPDATE, with_(UPDATE_BASE, CallbackDetailList=DROP), False),
    row("CallbackDetailList-empty", UPDATE, with_(UPDATE_BASE, CallbackDetailList=[]), False),
    row("CallbackDetail-no-URL", UPDATE, detail(URL=DROP), False),
    row("CallbackDetail-no-CallbackType", UPDATE, detail(CallbackType=DROP), False),
    # closed objects
    row("extra-property", UPDATE, with_(UPDATE_BASE, AuthKeySecondary="k"), False),
    row("CallbackDetail-extra-property", UPDATE, detail(Method="POST"), False),
    # MessageType enum
    *[row(f"MessageType-{value}", UPDATE, with_(UPDATE_BASE, MessageType=value), True) for value in MESSAGE_TYPES],
    row("MessageType-push_start", UPDATE, with_(UPDATE_BASE, MessageType="push_start"), False),
    row("MessageType-upper-PUSH", UPDATE, with_(UPDATE_BASE, MessageType="PUSH"), False),
    row("MessageType-empty", UPDATE, with_(UPDATE_BASE, MessageType=""), False),
    # exactly one of Vhost / Domain
    row("Vhost-only", UPDATE, UPDATE_BASE, True),
    row("Domain-only", UPDATE, with_(UPDATE_BASE, Vhost=DROP, Domain="push.example.com"), True),
    row("neither-Vhost-nor-Domain", UPDATE, with_(UPDATE_BASE, Vhost=DROP), False),
    row("both-Vhost-and-Domain", UPDATE, with_(UPDATE_BASE, Domain="push.example.com"), False),
    row("Vhost-empty", UPDATE, with_(UPDATE_BASE, Vhost=""), False),
    row("Domain-empty", UPDATE, with_(UPDATE_BASE, Vhost=DROP, Domain=""), False),
    # App: 1-30 of [A-Za-z0-9_.-], never with Domain
    row("App-len1", UPDATE, with_(UPDATE_BASE, App="a"), True),
    row("App-len30", UPDATE, with_(UPDATE_BASE, App="a" * 30), True),
    row("App-len0", UPDATE, with_(UPDATE_BASE, App=""), False),
    row("App-len31", UPDATE, with_(UPDATE_BASE, App="a" * 31), False),
    row("App-all-allowed-chars", UPDATE, with_(UPDATE_BASE, App="Az09_.-"), True),
    row("App-space", UPDATE, with_(UPDATE_BASE, App="example app"), False),
    row("App-slash", UPDATE, with_(UPDATE_BASE, App="live/app"), False),
    row("App-non-ascii", UPDATE, with_(UPDATE_BASE, App="直播"), False),
    pytest.param(
        UPDATE,
        with_(UPDATE_BASE, App="live\n"),
        False,
        id=f"{UPDATE}-App-trailing-newline-rejected",
        marks=pytest.mark.xfail(
            strict=True,
            reason="ECMA-262 '$' rejects a trailing newline, but jsonschema uses Python re.search, where it matches",
        ),
    ),
    row("Vhost-with-App", UPDATE, with_(UPDATE_BASE, App="live"), True),
    row("Domain-with-App", UPDATE, with_(UPDATE_BASE, Vhost=DROP, Domain="push.example.com", App="live"), False),
    # TranscodeCallback enum [0, 1]
    row("TranscodeCallback-0", UPDATE, with_(UPDATE_BASE, TranscodeCallback=0), True),
    row("TranscodeCallback-1", UPDATE, with_(UPDATE_BASE, TranscodeCallback=1), True),
    row("TranscodeCallback-2", UPDATE, with_(UPDATE_BASE, TranscodeCallback=2), False),
    row("TranscodeCallback-minus1", UPDATE, with_(UPDATE_BASE, TranscodeCallback=-1), False),
    row("TranscodeCallback-string", UPDATE, with_(UPDATE_BASE, TranscodeCallback="0"), False),
    row("TranscodeCallback-bool", UPDATE, with_(UPDATE_BASE, TranscodeCallback=True), False),
    # CallbackDetail: CallbackType enum [http], URL 1-100 characters starting with http:// or https://
    row("CallbackType-http", UPDATE, detail(CallbackType="http"), True),
    row("CallbackType-https", UPDATE, detail(CallbackType="https"), False),
    row("CallbackType-upper-HTTP", UPDATE, detail(CallbackType="HTTP"), False),
    row("URL-scheme-only", UPDATE, detail(URL="http://"), True),
    row("URL-https", UPDATE, detail(URL="https://e.com/callback"), True),
    row("URL-no-scheme", UPDATE, detail(URL="e.com/callback"), False),
    row("URL-other-scheme", UPDATE, detail(URL="ftp://e.com/callback"), False),
    row("URL-upper-scheme", UPDATE, detail(URL="HTTP://e.com/callback"), False),
    row("URL-len100", UPDATE, detail(URL="http://e.com/" + "c" * 87), True),
    row("URL-len0", UPDATE, detail(URL=""), False),
    row("URL-len101", UPDATE, detail(URL="http://e.com/" + "c" * 88), False),
    # AuthEnable / AuthKeyPrimary
    row("AuthEnable-true-without-key", UPDATE, with_(UPDATE_BASE, AuthEnable=True), False),
    row("AuthEnable-true-with-key", UPDATE, with_(UPDATE_BASE, AuthEnable=True, AuthKeyPrimary="k"), True),
    row("AuthEnable-true-with-empty-key", UPDATE, with_(UPDATE_BASE, AuthEnable=True, AuthKeyPrimary=""), False),
    row("AuthEnable-false-without-key", UPDATE, with_(UPDATE_BASE, AuthEnable=False), True),
    row("AuthEnable-false-with-key", UPDATE, with_(UPDATE_BASE, AuthEnable=False, AuthKeyPrimary="k"), True),
    row("AuthEnable-absent-with-key", UPDATE, with_(UPDATE_BASE, AuthKeyPrimary="k"), True),
    row("AuthEnable-string", UPDATE, with_(UPDATE_BASE, AuthEnable="true", AuthKeyPrimary="k"), False),
]

for _name in ("DescribeCallbackBody", "DeleteCallbackBody"):
    CASES += [
        row("Vhost-only", _name, SELECT_BASE, True),
        row("Domain-only", _name, {"Domain": "push.example.com"}, True),
        row("neither-Vhost-nor-Domain", _name, {}, False),
        row("neither-only-App", _name, {"App": "live"}, False),
        row("both-Vhost-and-Domain", _name, with_(SELECT_BASE, Domain="push.example.com"), False),
        row("Vhost-with-App", _name, with_(SELECT_BASE, App="live"), True),
        row("Domain-with-App", _name, {"Domain": "push.example.com", "App": "live"}, False),
        row("App-len1", _name, with_(SELECT_BASE, App="a"), True),
        row("App-len30", _name, with_(SELECT_BASE, App="a" * 30), True),
        row("App-len0", _name, with_(SELECT_BASE, App=""), False),
        row("App-len31", _name, with_(SELECT_BASE, App="a" * 31), False),
        row("App-bad-char", _name, with_(SELECT_BASE, App="live*"), False),
        *[row(f"MessageType-{value}", _name, with_(SELECT_BASE, MessageType=value), True) for value in MESSAGE_TYPES],
        row("MessageType-absent-means-all", _name, SELECT_BASE, True),
        row("MessageType-empty", _name, with_(SELECT_BASE, MessageType=""), False),
        row("MessageType-push_start", _name, with_(SELECT_BASE, MessageType="push_start"), False),
        row("extra-property", _name, with_(SELECT_BASE, Stream="s"), False),
    ]

ITEM = "DescribeCallbackResResultCallbackListItem"
CASES += [
    row("all-required", ITEM, LIST_ITEM_BASE, True),
    *[row(f"no-{key}", ITEM, with_(LIST_ITEM_BASE, **{key: DROP}), False) for key in LIST_ITEM_BASE],
    row("CreateTime-vendor-non-rfc3339", ITEM, with_(LIST_ITEM_BASE, CreateTime="2021-01-02T15:04:05+8:00"), True),
    row("CreateTimeUTC-not-a-date", ITEM, with_(LIST_ITEM_BASE, CreateTimeUTC="yesterday"), False),
    row("TranscodeCallback-2", ITEM, with_(LIST_ITEM_BASE, TranscodeCallback=2), False),
    row("MessageType-unknown", ITEM, with_(LIST_ITEM_BASE, MessageType="push_start"), False),
    row("extra-property-open", ITEM, with_(LIST_ITEM_BASE, Domain="push.example.com", Future=1), True),
    row("ok", "ErrorResponse", ERROR_BASE, True),
    row("no-Error", "ErrorResponse", {"ResponseMetadata": with_(ERROR_BASE["ResponseMetadata"], Error=DROP)}, False),
    row(
        "no-RequestId",
        "ErrorResponse",
        {"ResponseMetadata": with_(ERROR_BASE["ResponseMetadata"], RequestId=DROP)},
        False,
    ),
    row("Error-no-Code", "Error", {"Message": "m"}, False),
    row("Error-no-Message", "Error", {"Code": "InvalidParam"}, False),
    row("Error-CodeN-int", "Error", {"Code": "SignatureDoesNotMatch", "CodeN": 100010, "Message": "m"}, True),
    row("Error-CodeN-string", "Error", {"Code": "SignatureDoesNotMatch", "CodeN": "100010", "Message": "m"}, False),
    row("metadata-only", "UpdateCallbackRes", {"ResponseMetadata": ERROR_BASE["ResponseMetadata"]}, True),
    row("no-ResponseMetadata", "UpdateCallbackRes", {"Result": {}}, False),
]

PAYLOAD = "VolcengineCallbackPayload"
CASES += [
    row("flat", PAYLOAD, FLAT_CALLBACK_BASE, True),
    row("flat-auth-disabled", PAYLOAD, with_(FLAT_CALLBACK_BASE, sign="", t=0), True),
    row("flat-sign-upper-hex", PAYLOAD, with_(FLAT_CALLBACK_BASE, sign="28F68DCEC29231E8DF28454661EC6F88"), True),
    row("flat-sign-31-hex", PAYLOAD, with_(FLAT_CALLBACK_BASE, sign="28f68dcec29231e8df28454661ec6f8"), False),
    row("flat-sign-33-hex", PAYLOAD, with_(FLAT_CALLBACK_BASE, sign="28f68dcec29231e8df28454661ec6f888"), False),
    row("flat-sign-non-hex", PAYLOAD, with_(FLAT_CALLBACK_BASE, sign="z" * 32), False),
    row("flat-t-negative", PAYLOAD, with_(FLAT_CALLBACK_BASE, t=-1), False),
    row("flat-t-string", PAYLOAD, with_(FLAT_CALLBACK_BASE, t="1640850110"), False),
    row("flat-no-sign", PAYLOAD, with_(FLAT_CALLBACK_BASE, sign=DROP), False),
    row("flat-no-t", PAYLOAD, with_(FLAT_CALLBACK_BASE, t=DROP), False),
    row("flat-unknown-event-extra-fields", PAYLOAD, with_(FLAT_CALLBACK_BASE, event_type="push_end", x=1), True),
    row("enveloped", PAYLOAD, {"code": 0, "message": "ok", "data": with_(FLAT_CALLBACK_BASE, detail={})}, True),
    row("enveloped-data-no-sign", PAYLOAD, {"data": with_(FLAT_CALLBACK_BASE, sign=DROP)}, False),
    row("neither-shape", PAYLOAD, {"code": 0, "message": "ok"}, False),
]


@pytest.mark.parametrize(("schema_name", "instance", "valid"), CASES)
def test_constraint(schema_name: str, instance: Any, valid: bool) -> None:
    errors = [error.message for error in validator(load_spec(SPEC), schema_name).iter_errors(instance)]
    assert (not errors) == valid, errors or f"{instance!r} should have been rejected by {schema_name}"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _media_examples() -> list[Any]:
    """(schema $ref, example value) for every media-type example of the spec (paths, components, webhooks)."""
    spec = load_spec(SPEC)
    found: list[Any] = []

    def visit(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if "schema" in node and isinstance(node.get("examples"), dict):
                ref = node["schema"].get("$ref", "")
                for name, example in node["examples"].items():
                    found.append(pytest.param(ref, example["value"], id=f"{path}/{name}"))
            for key, value in node.items():
                visit(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{path}/{index}")

    for section in ("paths", "components", "webhooks"):
        visit(spec[section], section)
    return found


@pytest.mark.parametrize(("ref", "value"), _media_examples())
def test_media_example_valid(ref: str, value: Any) -> None:
    assert ref.startswith("#/components/schemas/"), ref
    errors = [error.message for error in validator_at(load_spec(SPEC), ref[1:]).iter_errors(value)]
    assert not errors, errors


def _schema_examples() -> list[Any]:
    """(JSON pointer, example) for every ``examples`` list in components/schemas, parameters and headers."""
    spec = load_spec(SPEC)
    found: list[Any] = []

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("examples"), list) and "type" in node:
                found.extend(
                    pytest.param(pointer, example, id=f"{pointer}#{i}") for i, example in enumerate(node["examples"])
                )
            for key, value in node.items():
                visit(value, f"{pointer}/{_escape(str(key))}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{pointer}/{index}")

    visit(spec["components"]["schemas"], "/components/schemas")
    visit(spec["components"]["parameters"], "/components/parameters")
    visit(spec["components"]["headers"], "/components/headers")
    return found


@pytest.mark.parametrize(("pointer", "value"), _schema_examples())
def test_schema_example_valid(pointer: str, value: Any) -> None:
    errors = [error.message for error in validator_at(load_spec(SPEC), pointer).iter_errors(value)]
    assert not errors, errors
