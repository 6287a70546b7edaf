"""Properties, for every scheme: whatever the signer signs the receiver accepts and dispatches; any single-character
change of the signature is rejected with 401 and never dispatched.

Case flips are not changes: the verifiers compare hex case-insensitively ([U], see `runtime/webhooks.py`).
"""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.profiles.huawei.runtime.live_record import sign_live_record_callback
from generator.profiles.huawei.runtime.mss import mss_a_head_headers, mss_a_url
from generator.profiles.volcengine.runtime.webhooks import sign_volc_callback, volc_callback_signature
from tests.webhooks.support import Recorder, at, deliver, examples, rejected, webhooks_module

metastudio = webhooks_module("huaweicloud_metastudio")
live = webhooks_module("huaweicloud_live")
volcengine = webhooks_module("volcengine_live")

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(st.characters(codec="utf-8"), max_size=40)
word = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)
moment = st.integers(min_value=1_000_000_000, max_value=4_000_000_000)


@st.composite
def mutation(draw: st.DrawFn, signature: str, alphabet: str | None = None) -> str:
    """`signature` with one character replaced by one that differs from it even ignoring case."""
    index = draw(st.integers(0, len(signature) - 1))
    chars = st.sampled_from(alphabet) if alphabet else st.characters(codec="utf-8")
    new = draw(chars.filter(lambda c: c.lower() != signature[index].lower()))
    return signature[:index] + new + signature[index + 1 :]


# --- MetaStudio --------------------------------------------------------------------------------------------------


@st.composite
def callback_urls(draw: st.DrawFn) -> str:
    path = "/".join(draw(st.lists(word, min_size=0, max_size=3)))
    pairs = draw(st.lists(st.tuples(word, word), max_size=4))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    return f"https://{draw(word)}.example.com/{path}" + (f"?{query}" if query else "")


@st.composite
def live_events(draw: st.DrawFn) -> dict[str, str]:
    ids = {"room_id": draw(text), "job_id": draw(text)}
    event_type, message = draw(
        st.sampled_from(
            [
                ("SHOOT_SCRIPT_SWITCH", {"scene_script_name": draw(text), "shoot_script_sequence_no": draw(word),
                                         "shoot_script_title": draw(text)}),
                ("RTMP_STREAM_STATE_CHANGE", {"output_url": f"rtmp://{draw(word)}/live/{draw(word)}",
                                              "stream_key": draw(text), "state": "RECONNECTING"}),
                ("REPLY_COMMAND_FINISH", {"reply_id": draw(text)}),
            ]
        )
    )  # fmt: skip
    return {"event_type": event_type, "message": json.dumps({**ids, **message}, ensure_ascii=False)}


def mss_delivery(placement: str, key: str, url: str, sent: int) -> tuple[str, dict[str, str]]:
    if placement == "MSS_A":
        return mss_a_url(key, url, clock=at(sent)), {}
    return url, mss_a_head_headers(key, url, clock=at(sent))


@PROPERTY
@given(
    placement=st.sampled_from(["MSS_A", "MSS_A_HEAD"]),
    key=st.text(st.characters(codec="utf-8"), max_size=32),
    url=callback_urls(),
    event=live_events(),
    sent=moment,
    skew=st.integers(-300, 300),
    data=st.data(),
)
def test_mss_round_trip(
    placement: str, key: str, url: str, event: dict[str, str], sent: int, skew: int, data: st.DataObject
) -> None:
    handlers = Recorder()
    app = metastudio.create_receiver(handlers, key=key, callback_url=url, auth_type=placement, clock=at(sent + skew))
    target, headers = mss_delivery(placement, key, url, sent)
    response = deliver(app, target, event, headers=headers)
    assert response.status_code == 200, response.text
    (received,) = handlers.events
    assert received.event_type == event["event_type"]
    assert metastudio.parse_message(received).model_dump(mode="json") == json.loads(event["message"])

    signature = headers.get("x-hw-mss-secret") or target.split("hwSecret=")[1].split("&")[0]
    changed = data.draw(mutation(signature, string.ascii_letters + string.digits))
    if placement == "MSS_A":
        target = target.replace(f"hwSecret={signature}", f"hwSecret={changed}")
    else:
        headers = {**headers, "x-hw-mss-secret": changed}
    assert rejected(deliver(app, target, event, headers=headers), 401, "signature_mismatch")
    assert len(handlers.events) == 1


# --- Huawei Live ------------------------------------------------------------------------------------------------


LIVE_EXAMPLES = [
    {k: v for k, v in example.items() if k not in ("auth_sign", "auth_timestamp")}
    for example in examples("huaweicloud_live", "RecordCallback").values()
]


@st.composite
def record_notifications(draw: st.DrawFn) -> dict[str, object]:
    """One of the spec's examples with every signed field (and a few others) redrawn."""
    payload: dict[str, object] = dict(draw(st.sampled_from(LIVE_EXAMPLES)))
    for name in ("project_id", "task_id", "publish_domain", "app", "stream"):
        payload[name] = draw(text)
    for name in ("download_url", "play_url"):
        if name in payload or draw(st.booleans()):
            payload[name] = f"https://{draw(word)}.example.com/{draw(word)}.m3u8"
    return payload


@PROPERTY
@given(
    sign_type=st.sampled_from(["HMACSHA256", "MD5"]),
    key=st.text(string.ascii_letters + string.digits, min_size=32, max_size=48),
    payload=record_notifications(),
    sent=moment,
    elapsed=st.integers(0, 600),
    data=st.data(),
)
def test_live_record_round_trip(
    sign_type: str, key: str, payload: dict[str, object], sent: int, elapsed: int, data: st.DataObject
) -> None:
    handlers = Recorder()
    app = live.create_receiver(handlers, key=key, sign_type=sign_type, clock=at(sent + elapsed))
    signed = sign_live_record_callback(payload, key, sign_type, clock=at(sent))  # type: ignore[arg-type]
    response = deliver(app, "/notify", signed)
    assert response.status_code == 200, response.text
    assert handlers.events[0].model_dump(mode="json", exclude_unset=True) == signed

    changed = {**signed, "auth_sign": data.draw(mutation(str(signed["auth_sign"])))}
    assert rejected(deliver(app, "/notify", changed), 401, "signature_mismatch")
    assert len(handlers.events) == 1


# --- Volcengine -------------------------------------------------------------------------------------------------


@PROPERTY
@given(
    key=st.text(st.characters(codec="utf-8"), min_size=1, max_size=64),
    fields=st.fixed_dictionaries({"event_type": word, "app": text, "stream": text, "domain": text}),
    enveloped=st.booleans(),
    sent=moment,
    elapsed=st.integers(0, 600),
    data=st.data(),
)
def test_volcengine_round_trip(
    key: str, fields: dict[str, str], enveloped: bool, sent: int, elapsed: int, data: st.DataObject
) -> None:
    handlers = Recorder()
    app = volcengine.create_receiver(handlers, auth_key=key, clock=at(sent + elapsed))
    data_fields: dict[str, Any]
    if enveloped:  # the signer writes flat messages; an enveloped one carries the same sign/t under `data`
        expiry = sent + 600
        data_fields = {**fields, "sign": volc_callback_signature(key, expiry), "t": expiry}
    else:
        data_fields = dict(sign_volc_callback(fields, key, clock=at(sent)))
    payload: dict[str, Any] = {"code": 0, "message": "ok", "data": data_fields} if enveloped else data_fields
    response = deliver(app, "/cb", payload)
    assert response.status_code == 200, response.text
    assert handlers.events[0].model_dump(mode="json", exclude_unset=True) == payload

    changed_fields = {**data_fields, "sign": data.draw(mutation(data_fields["sign"]))}
    changed = {**payload, "data": changed_fields} if enveloped else changed_fields
    assert rejected(deliver(app, "/cb", changed), 401, "signature_mismatch")
    assert len(handlers.events) == 1
