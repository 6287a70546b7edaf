"""Every documented constraint of specs/huaweicloud_metastudio.yaml, probed just inside and just outside.

Each row is (what, JSON pointer of the schema in the spec, instance, accepted?). The schemas are validated as
JSON Schema 2020-12 with ``#/components/...`` refs resolved against the whole spec document.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.specs._schema import load_spec, validator_at

SPEC = load_spec("huaweicloud_metastudio")
S = "/components/schemas/"
P = "/components/parameters/"
WEBHOOK = "/webhooks/MetaStudioLiveEvent/post"
OK, BAD = True, False

ROOM, JOB = "26f065244f754b3aa853b649a21aaf66", "e87104f76d7546ce8a46ac6b04c49c3c"
SHOOT = {
    "room_id": ROOM,
    "job_id": JOB,
    "scene_script_name": "Product 1",
    "shoot_script_sequence_no": "2",
    "shoot_script_title": "Paragraph 2",
}
RTMP = {"room_id": ROOM, "job_id": JOB, "output_url": "rtmp://xxx/xx/xx", "stream_key": "xxxxx", "state": "CONNECTED"}
REPLY = {"room_id": ROOM, "job_id": JOB, "reply_id": JOB}
HEX64 = "5e7fe8869a12a87ea966d9edbc02e38cd4ce62c73b8b05c638f15835e78902d7"


def without(obj: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != key}


def url(length: int) -> str:
    return "https://" + "a" * (length - len("https://"))


CASES: list[tuple[str, str, Any, bool]] = [
    # LiveExitConfig: ranges, enum, types, closed.
    ("max_live_duration=0 (unlimited)", S + "LiveExitConfig", {"max_live_duration": 0}, OK),
    ("max_live_duration=168", S + "LiveExitConfig", {"max_live_duration": 168}, OK),
    ("max_live_duration=-1", S + "LiveExitConfig", {"max_live_duration": -1}, BAD),
    ("max_live_duration=169", S + "LiveExitConfig", {"max_live_duration": 169}, BAD),
    ("max_live_duration=8.5", S + "LiveExitConfig", {"max_live_duration": 8.5}, BAD),
    ("max_live_duration='8'", S + "LiveExitConfig", {"max_live_duration": "8"}, BAD),
    ("max_exception_waiting_duration=0", S + "LiveExitConfig", {"max_exception_waiting_duration": 0}, OK),
    ("max_exception_waiting_duration=60", S + "LiveExitConfig", {"max_exception_waiting_duration": 60}, OK),
    ("max_exception_waiting_duration=-1", S + "LiveExitConfig", {"max_exception_waiting_duration": -1}, BAD),
    ("max_exception_waiting_duration=61", S + "LiveExitConfig", {"max_exception_waiting_duration": 61}, BAD),
    *(
        (f"auto_stop_mode={m}", S + "LiveExitConfig", {"auto_stop_mode": m}, OK)
        for m in ("FORCE_EXIT", "SEGMENT_END", "SCENE_END", "SCRIPT_END")
    ),
    ("auto_stop_mode=segment_end", S + "LiveExitConfig", {"auto_stop_mode": "segment_end"}, BAD),
    ("auto_stop_mode=''", S + "LiveExitConfig", {"auto_stop_mode": ""}, BAD),
    ("LiveExitConfig empty", S + "LiveExitConfig", {}, OK),
    ("LiveExitConfig extra field", S + "LiveExitConfig", {"max_live_duration": 8, "extra": 1}, BAD),
    # LiveEventCallBackConfig: URL length and https pattern, auth_type, key length, event types, closed.
    ("callback_url='' (length 0)", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": ""}, OK),
    ("callback_url length 2048", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": url(2048)}, OK),
    ("callback_url length 2049", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": url(2049)}, BAD),
    (
        "callback_url https with query",
        S + "LiveEventCallBackConfig",
        {"live_event_type_callback_url": "https://example.com/cb?token=1"},
        OK,
    ),
    ("callback_url http", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": "http://example.com"}, BAD),
    ("callback_url bare https://", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": "https://"}, BAD),
    ("callback_url space", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": "https://a b.com"}, BAD),
    ("callback_url non-ASCII", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": "https://é.com"}, BAD),
    ("callback_url U+0085", S + "LiveEventCallBackConfig", {"live_event_type_callback_url": "https://a\x85"}, BAD),
    *(
        (f"auth_type={a}", S + "LiveEventCallBackConfig", {"auth_type": a}, OK)
        for a in ("NONE", "MSS_A", "MSS_A_HEAD", "MEITUAN_DEFAULT")
    ),
    ("auth_type=HMAC", S + "LiveEventCallBackConfig", {"auth_type": "HMAC"}, BAD),
    ("auth_type=mss_a", S + "LiveEventCallBackConfig", {"auth_type": "mss_a"}, BAD),
    ("key length 0", S + "LiveEventCallBackConfig", {"key": ""}, OK),
    ("key length 32", S + "LiveEventCallBackConfig", {"key": "k" * 32}, OK),
    ("key length 33", S + "LiveEventCallBackConfig", {"key": "k" * 33}, BAD),
    *(
        (f"callback_event_type=[{e}]", S + "LiveEventCallBackConfig", {"callback_event_type": [e]}, OK)
        for e in ("SHOOT_SCRIPT_SWITCH", "RTMP_STREAM_STATE_CHANGE", "REPLY_COMMAND_FINISH")
    ),
    ("callback_event_type=[]", S + "LiveEventCallBackConfig", {"callback_event_type": []}, OK),
    ("callback_event_type=[OTHER]", S + "LiveEventCallBackConfig", {"callback_event_type": ["OTHER"]}, BAD),
    (
        "callback_event_type not an array",
        S + "LiveEventCallBackConfig",
        {"callback_event_type": "SHOOT_SCRIPT_SWITCH"},
        BAD,
    ),
    ("LiveEventCallBackConfig extra field", S + "LiveEventCallBackConfig", {"secret": "x"}, BAD),
    # LiveNotifyConfigReq (closed) and LiveNotifyConfig (open).
    *((f"action={a}", S + "LiveNotifyConfigReq", {"action": a}, OK) for a in ("add", "del", "replace")),
    ("action=ADD", S + "LiveNotifyConfigReq", {"action": "ADD"}, BAD),
    ("action=delete", S + "LiveNotifyConfigReq", {"action": "delete"}, BAD),
    ("notify_events=[AUTO_EXIT]", S + "LiveNotifyConfigReq", {"notify_events": ["AUTO_EXIT"]}, OK),
    ("notify_events=[AUTO_STOP]", S + "LiveNotifyConfigReq", {"notify_events": ["AUTO_STOP"]}, BAD),
    ("LiveNotifyConfigReq extra field", S + "LiveNotifyConfigReq", {"action": "add", "extra": 1}, BAD),
    ("response notify_events=[AUTO_EXIT]", S + "LiveNotifyConfig", {"notify_events": ["AUTO_EXIT"]}, OK),
    ("response notify_events=[AUTO_STOP]", S + "LiveNotifyConfig", {"notify_events": ["AUTO_STOP"]}, BAD),
    ("response LiveNotifyConfig extra field (open)", S + "LiveNotifyConfig", {"extra": 1}, OK),
    # Request body: all optional, closed, nested constraints apply.
    ("Req empty body", S + "UpdateSmartLiveUserConfigReq", {}, OK),
    (
        "Req all members",
        S + "UpdateSmartLiveUserConfigReq",
        {
            "live_exit_config": {"max_live_duration": 8},
            "live_event_callback_config": {"auth_type": "MSS_A", "key": "k"},
            "live_notify_config": {"action": "replace", "notify_events": ["AUTO_EXIT"]},
        },
        OK,
    ),
    ("Req extra member", S + "UpdateSmartLiveUserConfigReq", {"live_config": {}}, BAD),
    (
        "Req nested out of range",
        S + "UpdateSmartLiveUserConfigReq",
        {"live_exit_config": {"max_live_duration": 169}},
        BAD,
    ),
    ("Req notify config not an object", S + "UpdateSmartLiveUserConfigReq", {"live_notify_config": []}, BAD),
    # GET response: open at the top, shared sub-schemas closed; key may be returned.
    ("Resp empty", S + "ShowSmartLiveUserConfigResponse", {}, OK),
    ("Resp extra member (open)", S + "ShowSmartLiveUserConfigResponse", {"future_config": {}}, OK),
    ("Resp key returned", S + "ShowSmartLiveUserConfigResponse", {"live_event_callback_config": {"key": "k"}}, OK),
    (
        "Resp shared LiveExitConfig closed",
        S + "ShowSmartLiveUserConfigResponse",
        {"live_exit_config": {"extra": 1}},
        BAD,
    ),
    (
        "Resp range applies",
        S + "ShowSmartLiveUserConfigResponse",
        {"live_exit_config": {"max_live_duration": 169}},
        BAD,
    ),
    # Error body: both members required strings.
    ("error body", S + "ErrorResponse", {"error_code": "MSS.00000003", "error_msg": "Invalid parameter"}, OK),
    ("error body without error_code", S + "ErrorResponse", {"error_msg": "Invalid parameter"}, BAD),
    ("error body without error_msg", S + "ErrorResponse", {"error_code": "MSS.00000003"}, BAD),
    ("error_code not a string", S + "ErrorResponse", {"error_code": 3, "error_msg": "x"}, BAD),
    # Webhook payload: event_type enum, message must be a string.
    *(
        (f"callback event_type={e}", S + "LiveEventCallback", {"event_type": e, "message": "{}"}, OK)
        for e in ("SHOOT_SCRIPT_SWITCH", "RTMP_STREAM_STATE_CHANGE", "REPLY_COMMAND_FINISH")
    ),
    ("callback event_type=OTHER", S + "LiveEventCallback", {"event_type": "OTHER", "message": "{}"}, BAD),
    ("callback without event_type", S + "LiveEventCallback", {"message": "{}"}, BAD),
    ("callback without message", S + "LiveEventCallback", {"event_type": "SHOOT_SCRIPT_SWITCH"}, BAD),
    ("callback message as object", S + "LiveEventCallback", {"event_type": "SHOOT_SCRIPT_SWITCH", "message": {}}, BAD),
    # Message variants: every documented key required; state enum; sequence number is a string.
    ("ShootScriptSwitchMessage", S + "ShootScriptSwitchMessage", SHOOT, OK),
    *((f"ShootScriptSwitchMessage without {k}", S + "ShootScriptSwitchMessage", without(SHOOT, k), BAD) for k in SHOOT),
    (
        "shoot_script_sequence_no as number",
        S + "ShootScriptSwitchMessage",
        {**SHOOT, "shoot_script_sequence_no": 2},
        BAD,
    ),
    *(
        (f"RTMP state={s}", S + "RtmpStreamStateChangeMessage", {**RTMP, "state": s}, OK)
        for s in ("CONNECTING", "CONNECTED", "DISCONNECTED", "RECONNECTING", "END")
    ),
    ("RTMP state=OPEN", S + "RtmpStreamStateChangeMessage", {**RTMP, "state": "OPEN"}, BAD),
    *(
        (f"RtmpStreamStateChangeMessage without {k}", S + "RtmpStreamStateChangeMessage", without(RTMP, k), BAD)
        for k in RTMP
    ),
    ("ReplyCommandFinishMessage", S + "ReplyCommandFinishMessage", REPLY, OK),
    *(
        (f"ReplyCommandFinishMessage without {k}", S + "ReplyCommandFinishMessage", without(REPLY, k), BAD)
        for k in REPLY
    ),
    # contentSchema LiveEventMessage: exactly one variant.
    ("LiveEventMessage shoot", S + "LiveEventMessage", SHOOT, OK),
    ("LiveEventMessage rtmp", S + "LiveEventMessage", RTMP, OK),
    ("LiveEventMessage reply", S + "LiveEventMessage", REPLY, OK),
    ("LiveEventMessage no variant", S + "LiveEventMessage", {"room_id": ROOM, "job_id": JOB}, BAD),
    ("LiveEventMessage two variants", S + "LiveEventMessage", {**SHOOT, "reply_id": JOB}, BAD),
    ("LiveEventMessage not an object", S + "LiveEventMessage", "reply", BAD),
    # Parameters: project_id, X-Project-Id, X-Sdk-Date.
    ("project_id 32 hex", P + "ProjectId/schema", ROOM, OK),
    ("project_id length 1", P + "ProjectId/schema", "a", OK),
    ("project_id length 64", P + "ProjectId/schema", "a" * 64, OK),
    ("project_id length 0", P + "ProjectId/schema", "", BAD),
    ("project_id length 65", P + "ProjectId/schema", "a" * 65, BAD),
    ("project_id with slash", P + "ProjectId/schema", "a/b", BAD),
    ("project_id with space", P + "ProjectId/schema", "a b", BAD),
    ("X-Project-Id 32 hex", P + "XProjectId/schema", ROOM, OK),
    ("X-Project-Id length 65", P + "XProjectId/schema", "a" * 65, BAD),
    ("X-Sdk-Date 20240101T000000Z", P + "XSdkDate/schema", "20240101T000000Z", OK),
    ("X-Sdk-Date 20241231T235959Z", P + "XSdkDate/schema", "20241231T235959Z", OK),
    ("X-Sdk-Date ISO 8601 extended", P + "XSdkDate/schema", "2024-01-01T00:00:00Z", BAD),
    ("X-Sdk-Date month 13", P + "XSdkDate/schema", "20241301T000000Z", BAD),
    ("X-Sdk-Date hour 24", P + "XSdkDate/schema", "20240101T240000Z", BAD),
    ("X-Sdk-Date without Z", P + "XSdkDate/schema", "20240101T000000", BAD),
    # Webhook signature parameters: hwSecret, hwTime, x-hw-mss-secret, x-hw-mss-time.
    *(
        row
        for i, name in enumerate(("hwSecret", "x-hw-mss-secret"), start=0)
        for row in (
            (f"{name} 64 lower hex", f"{WEBHOOK}/parameters/{2 * i}/schema", HEX64, OK),
            (f"{name} upper hex", f"{WEBHOOK}/parameters/{2 * i}/schema", HEX64.upper(), BAD),
            (f"{name} 63 hex", f"{WEBHOOK}/parameters/{2 * i}/schema", HEX64[:-1], BAD),
        )
    ),
    *(
        row
        for i, name in enumerate(("hwTime", "x-hw-mss-time"), start=0)
        for row in (
            (f"{name} 66df9308", f"{WEBHOOK}/parameters/{2 * i + 1}/schema", "66df9308", OK),
            (f"{name} upper hex", f"{WEBHOOK}/parameters/{2 * i + 1}/schema", "66DF9308", BAD),
            (f"{name} 0x prefix", f"{WEBHOOK}/parameters/{2 * i + 1}/schema", "0x66df9308", BAD),
            (f"{name} empty", f"{WEBHOOK}/parameters/{2 * i + 1}/schema", "", BAD),
            (f"{name} 16 hex", f"{WEBHOOK}/parameters/{2 * i + 1}/schema", "f" * 16, OK),
            (f"{name} 17 hex", f"{WEBHOOK}/parameters/{2 * i + 1}/schema", "f" * 17, BAD),
        )
    ),
]


@cache
def schema_validator(pointer: str) -> Draft202012Validator:
    return validator_at(SPEC, pointer)


@pytest.mark.parametrize(
    ("pointer", "instance", "accepted"),
    [pytest.param(p, inst, ok, id=f"{what} -> {'ok' if ok else 'rejected'}") for what, p, inst, ok in CASES],
)
def test_constraint(pointer: str, instance: Any, accepted: bool) -> None:
    errors = [e.message for e in schema_validator(pointer).iter_errors(instance)]
    assert (not errors) is accepted, errors


def test_webhook_parameters_are_where_the_table_expects() -> None:
    params = SPEC["webhooks"]["MetaStudioLiveEvent"]["post"]["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [
        ("hwSecret", "query"),
        ("hwTime", "query"),
        ("x-hw-mss-secret", "header"),
        ("x-hw-mss-time", "header"),
    ]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _examples(node: Any, pointer: str = "") -> list[tuple[str, str, Any]]:
    """(id, schema pointer, value) for every media-type example, schema ``examples`` entry and schema default."""
    found: list[tuple[str, str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("examples"), dict) and "schema" in node:  # media type object
            for name, ex in node["examples"].items():
                found.append((f"{pointer}/examples/{name}", f"{pointer}/schema", ex["value"]))
        elif isinstance(node.get("examples"), list):  # schema object
            found.extend((f"{pointer}/examples/{i}", pointer, v) for i, v in enumerate(node["examples"]))
        if "default" in node and "type" in node:  # a schema's default must satisfy the schema too
            found.append((f"{pointer}/default", pointer, node["default"]))
        for key, child in node.items():
            found.extend(_examples(child, f"{pointer}/{_escape(str(key))}"))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            found.extend(_examples(child, f"{pointer}/{i}"))
    return found


EXAMPLES = _examples(SPEC)


@pytest.mark.parametrize(("pointer", "value"), [pytest.param(p, v, id=i) for i, p, v in EXAMPLES])
def test_example_validates(pointer: str, value: Any) -> None:
    errors = [e.message for e in schema_validator(pointer).iter_errors(value)]
    assert not errors, errors


WEBHOOK_EXAMPLES = SPEC["webhooks"]["MetaStudioLiveEvent"]["post"]["requestBody"]["content"]["application/json"][
    "examples"
]


@pytest.mark.parametrize("name", sorted(WEBHOOK_EXAMPLES))
def test_webhook_example_message_matches_its_event_type(name: str) -> None:
    payload = WEBHOOK_EXAMPLES[name]["value"]
    schemas = SPEC["components"]["schemas"]
    message = json.loads(payload["message"])
    content_ref = schemas["LiveEventCallback"]["properties"]["message"]["contentSchema"]["$ref"]
    variant_ref = schemas["LiveEventCallback"]["x-message-schema-by-event-type"][payload["event_type"]]
    for ref in (content_ref, variant_ref):
        assert not list(schema_validator(ref.removeprefix("#")).iter_errors(message)), ref


def test_update_success_has_no_documented_body() -> None:
    ok = SPEC["paths"]["/v1/{project_id}/smart-live-configs/user-config"]["put"]["responses"]["200"]
    assert "content" not in ok
    assert ok["headers"]["X-Request-Id"] == {"$ref": "#/components/headers/XRequestId"}
