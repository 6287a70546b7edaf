"""Volcengine callback receiver: flat and enveloped shapes, auth enabled and disabled, every rejection."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.profiles.volcengine.runtime.webhooks import sign_volc_callback, volc_callback_signature
from tests.webhooks.support import Failing, Recorder, at, deliver, examples, models_module, rejected, webhooks_module

webhooks = webhooks_module("volcengine_live")
models = models_module("volcengine_live")

KEY = "example-auth-key"
EXAMPLES = examples("volcengine_live", "VolcengineCallback")
FLAT = {k: v for k, v in EXAMPLES["flatPushStart"].items() if k not in ("sign", "t")}
ENVELOPED = EXAMPLES["envelopedPushStart"]
NOW = 1640849510


def receiver(handlers: Any, *, key: str | None = KEY, now: float = NOW) -> Any:
    return webhooks.create_receiver(handlers, auth_key=key, clock=at(now))


def flat(*, key: str = KEY, **changes: Any) -> dict[str, object]:
    return sign_volc_callback({**FLAT, **changes}, key, clock=at(NOW))


def enveloped(*, key: str = KEY, ttl: int = 600) -> dict[str, Any]:
    payload = copy.deepcopy(ENVELOPED)
    expiry = NOW + ttl
    payload["data"]["sign"], payload["data"]["t"] = volc_callback_signature(key, expiry), expiry
    return payload


def test_the_spec_vector_is_accepted_verbatim() -> None:
    handlers = Recorder()
    assert deliver(receiver(handlers), "/cb", EXAMPLES["flatPushStart"]).status_code == 200
    (event,) = handlers.events
    assert isinstance(event, models.VolcengineCallbackFlat)
    assert event.model_dump(mode="json", exclude_unset=True) == EXAMPLES["flatPushStart"]


def test_flat_message_is_dispatched_typed() -> None:
    handlers = Recorder()
    assert deliver(receiver(handlers), "/cb", flat()).status_code == 200
    (event,) = handlers.events
    assert isinstance(event, models.VolcengineCallbackFlat)
    assert event.event_type == "push_start" and event.stream == FLAT["stream"]


def test_enveloped_message_is_dispatched_typed() -> None:
    handlers = Recorder()
    response = deliver(receiver(handlers), "/cb", enveloped())
    assert response.status_code == 200, response.text
    (event,) = handlers.events
    assert isinstance(event, models.VolcengineCallbackEnvelope)
    assert event.data.event_type == "push_start" and event.data.detail.session_id == "0a0a0a01-1640849510-0001"


@pytest.mark.parametrize("payload", [EXAMPLES["envelopedPushStart"], {**FLAT, "sign": "", "t": 0}], ids=["env", "flat"])
def test_auth_disabled_accepts_unsigned_messages(payload: dict[str, Any]) -> None:
    handlers = Recorder()
    assert deliver(receiver(handlers, key=None), "/cb", payload).status_code == 200
    assert len(handlers.events) == 1


# --- rejections -------------------------------------------------------------------------------------------------


def test_wrong_key_is_rejected() -> None:
    handlers = Recorder()
    for payload in (flat(key="another-key"), enveloped(key="another-key")):
        assert rejected(deliver(receiver(handlers), "/cb", payload), 401, "signature_mismatch")
    assert handlers.events == []


def test_tampered_expiry_is_rejected() -> None:
    handlers = Recorder()
    payload = flat()
    payload["t"] = int(str(payload["t"])) + 3600
    assert rejected(deliver(receiver(handlers), "/cb", payload), 401, "signature_mismatch")
    nested = enveloped()
    nested["data"]["t"] += 1
    assert rejected(deliver(receiver(handlers), "/cb", nested), 401, "signature_mismatch")
    assert handlers.events == []


def test_tampered_signature_is_rejected() -> None:
    handlers = Recorder()
    payload = flat()
    sign = str(payload["sign"])
    payload["sign"] = ("0" if sign[0] != "0" else "1") + sign[1:]
    assert rejected(deliver(receiver(handlers), "/cb", payload), 401, "signature_mismatch")


def test_expired_signature_is_rejected() -> None:
    handlers = Recorder()
    for payload in (flat(), enveloped()):
        assert deliver(receiver(handlers, now=NOW + 600), "/cb", payload).status_code == 200
        assert rejected(deliver(receiver(handlers, now=NOW + 601), "/cb", payload), 401, "signature_expired")
    assert len(handlers.events) == 2


@pytest.mark.parametrize(
    "payload",
    [
        EXAMPLES["envelopedPushStart"],
        {**FLAT, "sign": "", "t": 0},
        FLAT,
        {**FLAT, "t": NOW + 600},
    ],
    ids=["enveloped-unsigned", "flat-unsigned", "flat-no-fields", "flat-no-sign"],
)
def test_missing_signature_is_rejected_when_auth_is_enabled(payload: dict[str, Any]) -> None:
    handlers = Recorder()
    assert rejected(deliver(receiver(handlers), "/cb", payload), 401, "missing_signature")
    assert handlers.events == []


def test_malformed_expiry_is_rejected() -> None:
    handlers = Recorder()
    payload = {**flat(), "t": "later"}
    assert rejected(deliver(receiver(handlers), "/cb", payload), 401, "malformed_timestamp")


@pytest.mark.parametrize("body", [b"", b"{]", b'{"t": -Infinity}', b"123"], ids=repr)
def test_malformed_json_is_rejected(body: bytes) -> None:
    handlers = Recorder()
    assert rejected(deliver(receiver(handlers), "/cb", body), 400, "malformed_json")
    assert rejected(deliver(receiver(handlers, key=None), "/cb", body), 400, "malformed_json")
    assert handlers.events == []


@pytest.mark.parametrize(
    "changes",
    [{"event_type": 5}, {"priority": "high"}, {"transcoded": "no"}],
    ids=["event-type-not-string", "priority-not-int", "transcoded-not-bool"],
)
def test_payload_failing_the_schema_is_rejected(changes: dict[str, Any]) -> None:
    handlers = Recorder()
    response = deliver(receiver(handlers), "/cb", flat(**changes))
    assert rejected(response, 400, "invalid_payload"), response.text
    assert handlers.events == []


def test_a_payload_of_neither_shape_is_rejected() -> None:
    handlers = Recorder()
    payload = {k: v for k, v in flat().items() if k != "event_type"}
    assert rejected(deliver(receiver(handlers), "/cb", payload), 400, "invalid_payload")
    assert rejected(deliver(receiver(handlers, key=None), "/cb", {"code": 0}), 400, "invalid_payload")
    assert handlers.events == []


def test_non_json_content_type_other_methods_and_failing_handlers() -> None:
    handlers = Recorder()
    response = deliver(receiver(handlers), "/cb", flat(), content_type="text/xml")
    assert rejected(response, 415, "unsupported_media_type")
    response = deliver(receiver(handlers), "/cb", flat(), method="PUT")
    assert rejected(response, 405, "method_not_allowed") and response.headers["allow"] == "POST"
    assert handlers.events == []
    assert rejected(deliver(receiver(Failing()), "/cb", flat()), 500, "handler_failed")


def test_an_empty_key_is_refused_at_build_time() -> None:
    with pytest.raises(ValueError, match="auth_key=None"):
        receiver(Recorder(), key="")
