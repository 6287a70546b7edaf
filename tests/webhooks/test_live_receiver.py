"""Huawei Live record-callback receiver: MD5 and HMACSHA256 round trips, the spec's vectors, every rejection."""

from __future__ import annotations

from typing import Any

import pytest

from generator.profiles.huawei.runtime.live_record import live_record_signature, sign_live_record_callback
from tests.webhooks.support import Failing, Recorder, at, deliver, examples, models_module, rejected, webhooks_module

webhooks = webhooks_module("huaweicloud_live")
models = models_module("huaweicloud_live")

KEY = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0"
NOW = 1733385000
EXAMPLES = examples("huaweicloud_live", "RecordCallback")
UNSIGNED = {n: {k: v for k, v in p.items() if k not in ("auth_sign", "auth_timestamp")} for n, p in EXAMPLES.items()}
SIGN_TYPES = ["HMACSHA256", "MD5"]


def receiver(handlers: Any, sign_type: str = "HMACSHA256", *, now: float = NOW, key: str | None = KEY) -> Any:
    return webhooks.create_receiver(handlers, key=key, sign_type=sign_type, clock=at(now))


def signed(name: str, sign_type: str, *, key: str = KEY, **changes: Any) -> dict[str, object]:
    return sign_live_record_callback({**UNSIGNED[name], **changes}, key, sign_type, clock=at(NOW))  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "sign_type"), [("recordFileComplete", "HMACSHA256"), ("recordNewFileStart", "MD5")])
def test_the_spec_vectors_are_accepted_verbatim(name: str, sign_type: str) -> None:
    handlers = Recorder()
    payload = EXAMPLES[name]
    response = deliver(receiver(handlers, sign_type, now=payload["auth_timestamp"]), "/notify", payload)
    assert response.status_code == 200, response.text
    (event,) = handlers.events
    assert isinstance(event, models.RecordCallbackNotification)
    assert event.model_dump(mode="json", exclude_unset=True) == payload


@pytest.mark.parametrize("name", sorted(UNSIGNED))
@pytest.mark.parametrize("sign_type", SIGN_TYPES)
def test_signed_notification_is_dispatched_typed(name: str, sign_type: str) -> None:
    handlers = Recorder()
    payload = signed(name, sign_type)
    assert deliver(receiver(handlers, sign_type), "/notify", payload).status_code == 200
    (event,) = handlers.events
    assert isinstance(event, models.RecordCallbackNotification)
    assert event.event_type == UNSIGNED[name]["event_type"]
    assert event.auth_sign == payload["auth_sign"]


def test_a_string_timestamp_verifies_but_the_schema_wants_an_integer() -> None:
    """The signature covers the timestamp as received; the spec then requires a JSON integer."""
    handlers = Recorder()
    payload = {**UNSIGNED["recordFileComplete"], "auth_timestamp": str(NOW + 60)}
    payload["auth_sign"] = live_record_signature(KEY, "HMACSHA256", str(NOW + 60), payload)
    response = deliver(receiver(handlers), "/notify", payload)
    assert rejected(response, 400, "invalid_payload"), response.text
    assert "auth_timestamp" in response.json()["message"]
    assert handlers.events == []


# --- rejections -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sign_type", SIGN_TYPES)
def test_wrong_key_is_rejected(sign_type: str) -> None:
    handlers = Recorder()
    payload = signed("recordFileComplete", sign_type, key="Z" * 40)
    assert rejected(deliver(receiver(handlers, sign_type), "/notify", payload), 401, "signature_mismatch")
    assert handlers.events == []


def test_a_signature_of_the_other_sign_type_is_rejected() -> None:
    handlers = Recorder()
    payload = signed("recordFileComplete", "MD5")
    assert rejected(deliver(receiver(handlers, "HMACSHA256"), "/notify", payload), 401, "signature_mismatch")


@pytest.mark.parametrize(
    "change",
    [
        {"stream": "otherstream"},
        {"app": "other"},
        {"publish_domain": "evil.example.com"},
        {"event_type": "RECORD_OVER"},
        {"download_url": "https://evil.example.com/x.m3u8"},
        {"play_url": "https://evil.example.com/play"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_tampered_signed_field_is_rejected_under_hmac(change: dict[str, str]) -> None:
    handlers = Recorder()
    payload = {**signed("recordFileComplete", "HMACSHA256"), **change}
    assert rejected(deliver(receiver(handlers), "/notify", payload), 401, "signature_mismatch")
    assert handlers.events == []


@pytest.mark.parametrize("sign_type", SIGN_TYPES)
def test_tampered_timestamp_is_rejected(sign_type: str) -> None:
    handlers = Recorder()
    payload = signed("recordFileComplete", sign_type)
    payload["auth_timestamp"] = int(str(payload["auth_timestamp"])) + 3600
    assert rejected(deliver(receiver(handlers, sign_type), "/notify", payload), 401, "signature_mismatch")
    assert handlers.events == []


def test_md5_does_not_cover_the_fields() -> None:
    """The vendor's MD5 signs key + auth_timestamp only: changed fields with a valid signature are accepted."""
    handlers = Recorder()
    payload = {**signed("recordFileComplete", "MD5"), "stream": "otherstream"}
    assert deliver(receiver(handlers, "MD5"), "/notify", payload).status_code == 200


@pytest.mark.parametrize("sign_type", SIGN_TYPES)
def test_expired_signature_is_rejected(sign_type: str) -> None:
    handlers = Recorder()
    payload = signed("recordFileComplete", sign_type)
    expiry = int(str(payload["auth_timestamp"]))
    assert deliver(receiver(handlers, sign_type, now=expiry), "/notify", payload).status_code == 200
    response = deliver(receiver(handlers, sign_type, now=expiry + 1), "/notify", payload)
    assert rejected(response, 401, "signature_expired")
    assert len(handlers.events) == 1


@pytest.mark.parametrize("drop", ["auth_sign", "auth_timestamp", "both"])
def test_missing_signature_is_rejected(drop: str) -> None:
    handlers = Recorder()
    payload = signed("recordFileComplete", "HMACSHA256")
    for name in ("auth_sign", "auth_timestamp") if drop == "both" else (drop,):
        del payload[name]
    assert rejected(deliver(receiver(handlers), "/notify", payload), 401, "missing_signature")
    assert rejected(deliver(receiver(handlers), "/notify", EXAMPLES["recordFailedUnsigned"]), 401, "missing_signature")
    assert handlers.events == []


@pytest.mark.parametrize("stamp", ["soon", "-5", 1.5, True])
def test_malformed_timestamp_is_rejected(stamp: object) -> None:
    handlers = Recorder()
    payload = {**signed("recordFileComplete", "HMACSHA256"), "auth_timestamp": stamp}
    assert rejected(deliver(receiver(handlers), "/notify", payload), 401, "malformed_timestamp")


@pytest.mark.parametrize("body", [b"", b"{", b'{"a": Infinity}', b"[1, 2]", b"null"], ids=repr)
def test_malformed_json_is_rejected(body: bytes) -> None:
    handlers = Recorder()
    assert rejected(deliver(receiver(handlers), "/notify", body), 400, "malformed_json")
    assert handlers.events == []


@pytest.mark.parametrize(
    "changes",
    [{"event_type": "RECORD_PAUSED"}, {"file_size": "big"}, {"project_id": 7}],
    ids=["unknown-event", "wrong-type", "wrong-type-2"],
)
def test_payload_failing_the_schema_is_rejected(changes: dict[str, Any]) -> None:
    """Signed correctly (the signature covers the bad values), so only the schema can reject it."""
    handlers = Recorder()
    payload = signed("recordFileComplete", "HMACSHA256", **changes)
    response = deliver(receiver(handlers), "/notify", payload)
    assert rejected(response, 400, "invalid_payload"), response.text
    assert handlers.events == []


def test_missing_required_field_is_rejected() -> None:
    handlers = Recorder()
    unsigned = {k: v for k, v in UNSIGNED["recordFileComplete"].items() if k != "task_id"}
    payload = sign_live_record_callback(unsigned, KEY, "HMACSHA256", clock=at(NOW))
    assert rejected(deliver(receiver(handlers), "/notify", payload), 400, "invalid_payload")
    assert handlers.events == []


def test_non_json_content_type_and_other_methods() -> None:
    handlers = Recorder()
    payload = signed("recordFileComplete", "HMACSHA256")
    assert rejected(
        deliver(receiver(handlers), "/n", payload, content_type="text/plain"), 415, "unsupported_media_type"
    )
    response = deliver(receiver(handlers), "/n", b"", method="GET")
    assert rejected(response, 405, "method_not_allowed") and response.headers["allow"] == "POST"
    assert handlers.events == []


def test_a_failing_handler_answers_500() -> None:
    response = deliver(receiver(Failing(), "MD5"), "/n", signed("recordFileComplete", "MD5"))
    assert rejected(response, 500, "handler_failed")


def test_without_a_key_unsigned_notifications_are_accepted() -> None:
    handlers = Recorder()
    assert deliver(receiver(handlers, key=None), "/notify", EXAMPLES["recordFailedUnsigned"]).status_code == 200
    assert handlers.events[0].event_type == "RECORD_FAILED"


def test_an_empty_key_or_unknown_sign_type_is_refused_at_build_time() -> None:
    with pytest.raises(ValueError, match="key=None"):
        receiver(Recorder(), key="")
    with pytest.raises(ValueError, match="SHA1"):
        receiver(Recorder(), "SHA1")
