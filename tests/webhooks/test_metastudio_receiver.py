"""MetaStudio live-event receiver: MSS_A (query) and MSS_A_HEAD (headers) round trips and every rejection."""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from generator.profiles.huawei.runtime.mss import mss_a_head_headers, mss_a_url
from tests.webhooks.support import (
    Failing,
    Recorder,
    at,
    deliver,
    dumps,
    examples,
    models_module,
    rejected,
    webhooks_module,
)

webhooks = webhooks_module("huaweicloud_metastudio")
models = models_module("huaweicloud_metastudio")

KEY = "GCTbw44s6MPLh4GqgDpnfuFHgy25Enly"
URL = "https://api.example.com/v1/products?live_id=111&limit=10&offset=0"
SENT = 0x66DF9308
EXAMPLES = examples("huaweicloud_metastudio", "MetaStudioLiveEvent")
VARIANTS = {
    "SHOOT_SCRIPT_SWITCH": models.ShootScriptSwitchMessage,
    "RTMP_STREAM_STATE_CHANGE": models.RtmpStreamStateChangeMessage,
    "REPLY_COMMAND_FINISH": models.ReplyCommandFinishMessage,
}
PAYLOAD = EXAMPLES["rtmpStreamStateChange"]


def receiver(
    handlers: Any, *, auth_type: str = "MSS_A", now: float = SENT, key: str | None = KEY, url: str = URL
) -> Any:
    return webhooks.create_receiver(handlers, key=key, callback_url=url, auth_type=auth_type, clock=at(now))


def send_query(app: Any, payload: object, *, key: str = KEY, sent: float = SENT, **kw: Any) -> Any:
    return deliver(
        app, mss_a_url(key, URL, clock=at(sent)), payload if isinstance(payload, bytes) else dumps(payload), **kw
    )


def send_headers(app: Any, payload: object, *, key: str = KEY, sent: float = SENT, **kw: Any) -> Any:
    headers = {**mss_a_head_headers(key, URL, clock=at(sent)), **kw.pop("headers", {})}
    body = payload if isinstance(payload, bytes) else dumps(payload)
    return deliver(app, "/v1/products?live_id=111&limit=10&offset=0", body, headers=headers, **kw)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@pytest.mark.parametrize("auth_type", ["MSS_A", "MSS_A_HEAD"])
def test_signed_event_is_dispatched_typed_with_its_parsed_message(name: str, auth_type: str) -> None:
    handlers = Recorder()
    app = receiver(handlers, auth_type=auth_type)
    payload = EXAMPLES[name]
    response = (send_query if auth_type == "MSS_A" else send_headers)(app, payload)
    assert response.status_code == 200, response.text
    assert response.content == b""
    (event,) = handlers.events
    assert isinstance(event, models.LiveEventCallback)
    assert event.event_type == payload["event_type"]
    message = webhooks.parse_message(event)
    assert type(message) is VARIANTS[payload["event_type"]]
    assert message.model_dump(mode="json", exclude_unset=True) == json.loads(payload["message"])


def test_every_event_type_has_an_example() -> None:
    assert {p["event_type"] for p in EXAMPLES.values()} == set(VARIANTS)


def test_the_published_vector_is_accepted() -> None:
    """hwSecret of the vendor's worked example (key, URL, hwTime 66df9308), sent exactly as MetaStudio would."""
    handlers = Recorder()
    url = URL + "&hwSecret=5e7fe8869a12a87ea966d9edbc02e38cd4ce62c73b8b05c638f15835e78902d7&hwTime=66df9308"
    assert deliver(receiver(handlers), url, PAYLOAD).status_code == 200
    assert len(handlers.events) == 1


def test_the_secret_may_arrive_in_upper_case() -> None:
    handlers = Recorder()
    headers = mss_a_head_headers(KEY, URL, clock=at(SENT))
    headers["x-hw-mss-secret"] = headers["x-hw-mss-secret"].upper()
    response = deliver(receiver(handlers, auth_type="MSS_A_HEAD"), "/cb", PAYLOAD, headers=headers)
    assert response.status_code == 200
    assert len(handlers.events) == 1


@pytest.mark.parametrize("skew", [-300, 300])
def test_the_window_is_inclusive(skew: int) -> None:
    handlers = Recorder()
    assert send_query(receiver(handlers, now=SENT + skew), PAYLOAD).status_code == 200


# --- rejections -------------------------------------------------------------------------------------------------


def test_wrong_key_is_rejected() -> None:
    handlers = Recorder()
    for send, auth_type in ((send_query, "MSS_A"), (send_headers, "MSS_A_HEAD")):
        response = send(receiver(handlers, auth_type=auth_type), PAYLOAD, key="x" * 32)
        assert rejected(response, 401, "signature_mismatch"), response.text
    assert handlers.events == []


def test_a_signature_for_another_configured_url_is_rejected() -> None:
    handlers = Recorder()
    app = receiver(handlers, url="https://api.example.com/v1/other")
    assert rejected(send_query(app, PAYLOAD), 401, "signature_mismatch")
    assert handlers.events == []


@pytest.mark.parametrize("skew", [-301, 301, 3600])
def test_out_of_window_time_is_rejected(skew: int) -> None:
    handlers = Recorder()
    for send, auth_type in ((send_query, "MSS_A"), (send_headers, "MSS_A_HEAD")):
        response = send(receiver(handlers, auth_type=auth_type, now=SENT + skew), PAYLOAD)
        assert rejected(response, 401, "timestamp_out_of_window"), response.text
    assert handlers.events == []


def test_tampered_time_is_rejected() -> None:
    handlers = Recorder()
    headers = mss_a_head_headers(KEY, URL, clock=at(SENT))
    headers["x-hw-mss-time"] = format(SENT + 1, "x")
    response = deliver(receiver(handlers, auth_type="MSS_A_HEAD"), "/cb", PAYLOAD, headers=headers)
    assert rejected(response, 401, "signature_mismatch")
    url = mss_a_url(KEY, URL, clock=at(SENT)).replace(f"hwTime={SENT:x}", f"hwTime={SENT + 1:x}")
    assert rejected(deliver(receiver(handlers), url, PAYLOAD), 401, "signature_mismatch")
    assert handlers.events == []


def test_malformed_time_is_rejected() -> None:
    handlers = Recorder()
    url = mss_a_url(KEY, URL, clock=at(SENT)).replace(f"hwTime={SENT:x}", "hwTime=zz")
    assert rejected(deliver(receiver(handlers), url, PAYLOAD), 401, "malformed_timestamp")
    assert handlers.events == []


def test_missing_signature_is_rejected() -> None:
    handlers = Recorder()
    assert rejected(deliver(receiver(handlers), URL, PAYLOAD), 401, "missing_signature")
    assert rejected(deliver(receiver(handlers, auth_type="MSS_A_HEAD"), URL, PAYLOAD), 401, "missing_signature")
    # the configured placement only: a header signature does not satisfy MSS_A, nor a query one MSS_A_HEAD
    assert rejected(send_headers(receiver(handlers), PAYLOAD), 401, "missing_signature")
    assert rejected(send_query(receiver(handlers, auth_type="MSS_A_HEAD"), PAYLOAD), 401, "missing_signature")
    assert handlers.events == []


def test_the_body_is_not_covered_by_the_vendor_signature() -> None:
    """MSS signs the configured URL and the time only: a changed body with a valid signature is accepted."""
    handlers = Recorder()
    changed = {**PAYLOAD, "message": PAYLOAD["message"].replace("CONNECTED", "DISCONNECTED")}
    assert send_query(receiver(handlers), changed).status_code == 200
    assert webhooks.parse_message(handlers.events[0]).state == "DISCONNECTED"


@pytest.mark.parametrize(
    "body", [b"", b"{", b"not json", b'{"event_type": NaN}', b"\xff\xfe{}", b"[]", b'"text"'], ids=repr
)
def test_malformed_json_is_rejected(body: bytes) -> None:
    handlers = Recorder()
    assert rejected(send_query(receiver(handlers), body), 400, "malformed_json")
    assert handlers.events == []


@pytest.mark.parametrize(
    "payload",
    [
        {"event_type": "SHOOT_SCRIPT_SWITCH"},
        {**PAYLOAD, "event_type": "UNKNOWN_EVENT"},
        {**PAYLOAD, "message": {"room_id": "r"}},
        {**PAYLOAD, "message": "{not json"},
        {**PAYLOAD, "message": '"a string, not an object"'},
        {**PAYLOAD, "message": '{"room_id": "r", "job_id": "j"}'},
        {**PAYLOAD, "message": PAYLOAD["message"].replace('"CONNECTED"', '"BOGUS"')},
        {**PAYLOAD, "message": PAYLOAD["message"].replace("rtmp://xxx/xx/xx", "not a uri")},
    ],
    ids=[
        "no-message",
        "unknown-event-type",
        "message-not-a-string",
        "message-not-json",
        "message-not-an-object",
        "message-fits-no-variant",
        "message-bad-enum",
        "message-bad-format",
    ],
)
def test_payload_failing_the_schema_is_rejected(payload: dict[str, Any]) -> None:
    handlers = Recorder()
    response = send_query(receiver(handlers), payload)
    assert rejected(response, 400, "invalid_payload"), response.text
    assert handlers.events == []


def test_an_unauthenticated_invalid_payload_is_answered_401_not_400() -> None:
    handlers = Recorder()
    assert rejected(deliver(receiver(handlers), URL, {"event_type": "X"}), 401, "missing_signature")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_non_json_content_type_is_rejected(content_type: str) -> None:
    handlers = Recorder()
    assert rejected(send_query(receiver(handlers), PAYLOAD, content_type=content_type), 415, "unsupported_media_type")
    assert handlers.events == []


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/cloudevents+json", None])
def test_json_content_types_and_none_are_accepted(content_type: str | None) -> None:
    handlers = Recorder()
    assert send_query(receiver(handlers), PAYLOAD, content_type=content_type).status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "BREW", "PROPFIND"])
def test_other_methods_get_405_with_allow(method: str) -> None:
    handlers = Recorder()
    response = send_query(receiver(handlers), PAYLOAD, method=method)
    assert rejected(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"
    assert handlers.events == []


def test_oversized_body_is_rejected() -> None:
    handlers = Recorder()
    body = dumps({**PAYLOAD, "padding": "x" * (1 << 20)})
    assert rejected(send_query(receiver(handlers), body), 413, "payload_too_large")


def test_a_body_that_does_not_arrive_in_time_is_rejected() -> None:
    limits = importlib.import_module("huaweicloud_metastudio._runtime.asgi").Limits(body_timeout=0.2)
    app = webhooks.create_receiver(Recorder(), key=KEY, callback_url=URL, clock=at(SENT), limits=limits)

    async def stalled() -> AsyncIterator[bytes]:
        yield b'{"event_type": '
        await asyncio.sleep(30)

    async def go() -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://receiver.example.com") as client:
            return await client.post(mss_a_url(KEY, URL, clock=at(SENT)), content=stalled())

    started = time.monotonic()
    assert rejected(asyncio.run(go()), 408, "request_timeout")
    assert time.monotonic() - started < 10


def test_a_failing_handler_answers_500_so_the_vendor_retries() -> None:
    response = send_query(receiver(Failing()), PAYLOAD)
    assert rejected(response, 500, "handler_failed")


def test_auth_type_none_accepts_unsigned_events() -> None:
    handlers = Recorder()
    assert deliver(receiver(handlers, key=None), URL, PAYLOAD).status_code == 200
    assert len(handlers.events) == 1


def test_an_unknown_auth_type_is_refused_at_build_time() -> None:
    with pytest.raises(ValueError, match="MEITUAN_DEFAULT"):
        receiver(Recorder(), auth_type="MEITUAN_DEFAULT")
