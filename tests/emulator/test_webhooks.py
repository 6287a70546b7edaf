"""Admin-triggered webhooks reach a loopback receiver signed as the vendor signs, retried as the vendor retries."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import httpx
import pytest

from generator.profiles.huawei.runtime.live_record import verify_live_record_callback
from generator.profiles.huawei.runtime.mss import verify_mss_a, verify_mss_a_head
from generator.profiles.volcengine.runtime.webhooks import verify_volc_callback

from .conftest import (
    HUAWEI,
    VOLC,
    Receiver,
    error_code,
    huawei_client,
    live,
    metastudio,
    serving,
    volc_client,
    volcengine,
)

KEY = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
Hook = tuple[Receiver, str]


class LoopbackTls(httpx.AsyncBaseTransport):
    """Sends https:// URLs as plain HTTP, as a TLS-terminating proxy in front of the test receiver would:
    MetaStudio only accepts https callback URLs, and the signature covers the configured (https) URL."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            request.url = request.url.copy_with(scheme="http")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def trigger(admin: httpx.Client, expected: int = 200, **body: Any) -> Any:
    response = admin.post("/_emulator/webhooks/trigger", json=body)
    assert response.status_code == expected, response.text
    return response.json()


@pytest.mark.parametrize("sign_type", ["HMACSHA256", "MD5"])
def test_live_record_callback_is_signed_with_key_and_sign_type(receiver: Hook, sign_type: str) -> None:
    hook, url = receiver
    with serving("huaweicloud_live") as served, huawei_client(live, served.base_url) as client, served.admin() as admin:
        config = client.create_record_callback_config(
            {
                "publish_domain": "p.example.com",
                "app": "live",
                "notify_callback_url": f"{url}/record",
                "key": KEY,
                "sign_type": sign_type,
            }
        )
        (delivery,) = trigger(admin, callback=config.id)["deliveries"]
        assert delivery["state"] == "delivered" and [a["status"] for a in delivery["attempts"]] == [200]
        (received,) = hook.requests
        payload = json.loads(received.body)
        assert received.path == "/record" and received.headers["content-type"] == "application/json"
        assert verify_live_record_callback(payload, KEY, sign_type)  # type: ignore[arg-type]
        assert not verify_live_record_callback({**payload, "stream": "forged"}, "x" * 32, sign_type)  # type: ignore[arg-type]
        live.models.RecordCallbackNotification.model_validate(payload)
        assert payload["event_type"] == "RECORD_FILE_COMPLETE" and payload["project_id"] == HUAWEI.project_id

        log = admin.get("/_emulator/webhooks/deliveries", params={"tenant": HUAWEI.project_id}).json()["deliveries"]
        assert [entry["id"] for entry in log] == [delivery["id"]]
        assert log[0]["request"]["body"] == payload and log[0]["source"] == config.id


def test_live_without_key_is_unsigned_and_only_subscribed_events_are_sent(receiver: Hook) -> None:
    hook, url = receiver
    with serving("huaweicloud_live") as served, huawei_client(live, served.base_url) as client, served.admin() as admin:
        config = client.create_record_callback_config(
            {
                "publish_domain": "p.example.com",
                "app": "*",
                "notify_callback_url": url,
                "notify_event_subscription": ["RECORD_OVER"],
            }
        )
        trigger(admin, callback=config.id, fields={"stream": "s1"})
        payload = json.loads(hook.requests[0].body)
        assert "auth_sign" not in payload and payload["stream"] == "s1" and payload["event_type"] == "RECORD_OVER"
        assert error_code(trigger(admin, 409, callback=config.id, event_type="RECORD_FAILED")) == "Conflict"
        assert error_code(trigger(admin, 404, callback="0" * 32)) == "NotFound"
        assert error_code(trigger(admin, 400, callback=["not", "an", "id"])) == "InvalidParameter"


@pytest.mark.parametrize("auth_type", ["MSS_A", "MSS_A_HEAD"])
def test_metastudio_live_event_is_signed_mss(receiver: Hook, auth_type: str) -> None:
    hook, url = receiver
    configured = url.replace("http://", "https://") + "/live-event?z=1&a=2"
    with (
        serving("huaweicloud_metastudio", webhook_transport=LoopbackTls()) as served,
        huawei_client(metastudio, served.base_url) as client,
        served.admin() as admin,
    ):
        client.update_smart_live_user_config(
            {
                "live_event_callback_config": {
                    "live_event_type_callback_url": configured,
                    "auth_type": auth_type,
                    "key": KEY,
                    "callback_event_type": ["RTMP_STREAM_STATE_CHANGE"],
                }
            }
        )
        (delivery,) = trigger(admin, fields={"state": "RECONNECTING"})["deliveries"]
        assert delivery["state"] == "delivered"
        (received,) = hook.requests
        if auth_type == "MSS_A":
            assert verify_mss_a(KEY, configured, received.query)
            assert received.query.startswith("z=1&a=2&hwSecret=")
        else:
            assert verify_mss_a_head(KEY, configured, received.headers)
        payload = metastudio.models.LiveEventCallback.model_validate_json(received.body)
        assert payload.event_type == "RTMP_STREAM_STATE_CHANGE"
        assert json.loads(payload.message)["state"] == "RECONNECTING"
        assert error_code(trigger(admin, 409, event_type="SHOOT_SCRIPT_SWITCH")) == "Conflict"  # not subscribed


def test_metastudio_without_callback_url_cannot_trigger() -> None:
    with serving("huaweicloud_metastudio") as served, served.admin() as admin:
        assert error_code(trigger(admin, 409)) == "Conflict"


def volc_configure(base_url: str, urls: list[str], auth: bool) -> None:
    with volc_client(base_url) as client:
        body: dict[str, Any] = {
            "Vhost": "v.example.com",
            "App": "live",
            "MessageType": "push",
            "CallbackDetailList": [{"CallbackType": "http", "URL": u} for u in urls],
            "AuthEnable": auth,
        }
        if auth:
            body["AuthKeyPrimary"] = KEY
        client.update_callback(body)


SELECTOR = {"Vhost": "v.example.com", "App": "live", "MessageType": "push"}


def test_volcengine_callback_goes_to_every_url_signed_md5(receiver: Hook) -> None:
    hook, url = receiver
    with serving("volcengine_live") as served, served.admin() as admin:
        volc_configure(served.base_url, [f"{url}/a", f"{url}/b"], auth=True)
        deliveries = trigger(admin, callback=SELECTOR)["deliveries"]
        assert [d["state"] for d in deliveries] == ["delivered", "delivered"]
        assert sorted(r.path for r in hook.requests) == ["/a", "/b"]
        for received in hook.requests:
            payload = json.loads(received.body)
            assert verify_volc_callback(payload, KEY)
            assert payload["event_type"] == "push_start" and payload["app"] == "live"
            volcengine.models.VolcengineCallbackFlat.model_validate(payload)
        log = admin.get("/_emulator/webhooks/deliveries", params={"tenant": VOLC.account, "state": "delivered"})
        assert len(log.json()["deliveries"]) == 2


def test_volcengine_without_auth_sends_empty_sign(receiver: Hook) -> None:
    hook, url = receiver
    with serving("volcengine_live") as served, served.admin() as admin:
        volc_configure(served.base_url, [url], auth=False)
        trigger(admin, callback=SELECTOR)
        payload = json.loads(hook.requests[0].body)
        assert (payload["sign"], payload["t"]) == ("", 0)
        assert error_code(trigger(admin, 404, callback={**SELECTOR, "App": "other"})) == "NotFound"
        assert error_code(trigger(admin, 400, callback={"App": "live"})) == "InvalidParameter"


def test_volcengine_retries_three_times_three_seconds_apart(receiver: Hook) -> None:
    hook, url = receiver
    hook.statuses = [500, 503]
    with serving("volcengine_live", webhook_time_scale=0.01) as served, served.admin() as admin:
        volc_configure(served.base_url, [url], auth=True)
        (delivery,) = trigger(admin, callback=SELECTOR)["deliveries"]
        assert delivery["state"] == "delivered"
        assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
        assert len({r.body for r in hook.requests}) == 1  # the same signed message each time


def test_trigger_without_wait_answers_202_and_delivers_in_the_background(receiver: Hook) -> None:
    hook, url = receiver
    hook.statuses = [500]
    with serving("volcengine_live", webhook_time_scale=0.01) as served, served.admin() as admin:
        volc_configure(served.base_url, [url], auth=False)
        (pending,) = trigger(admin, 202, callback=SELECTOR, wait=False)["deliveries"]
        assert pending["state"] == "pending"
        deadline = time.monotonic() + 10
        while (entry := served.store.delivery(pending["id"])) and entry["state"] != "delivered":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert [a["status"] for a in entry["attempts"]] == [500, 200]
        assert len(hook.requests) == 2


def test_volcengine_queues_retries_until_ten_minutes_then_gives_up(receiver: Hook) -> None:
    hook, url = receiver
    hook.statuses = [500] * 1000
    with serving("volcengine_live", webhook_time_scale=0.001) as served, served.admin() as admin:
        volc_configure(served.base_url, [url], auth=False)
        (delivery,) = trigger(admin, callback=SELECTOR)["deliveries"]
        assert delivery["state"] == "queued" and len(delivery["attempts"]) == 4  # first try + 3 immediate retries
        deadline = time.monotonic() + 10
        while (entry := served.store.delivery(delivery["id"])) and entry["state"] == "queued":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert entry is not None and entry["state"] == "failed"
        assert 4 + 5 <= len(entry["attempts"]) <= 4 + 10  # queued every 60 s until 600 s after the first try


def test_huawei_gets_a_single_try_and_unreachable_urls_are_logged(receiver: Hook) -> None:
    hook, url = receiver
    hook.statuses = [500]
    with serving("huaweicloud_live") as served, huawei_client(live, served.base_url) as client, served.admin() as admin:
        failing = client.create_record_callback_config(
            {"publish_domain": "p.example.com", "app": "a", "notify_callback_url": url}
        )
        (delivery,) = trigger(admin, callback=failing.id)["deliveries"]
        assert delivery["state"] == "failed" and [a["status"] for a in delivery["attempts"]] == [500]
        closed = client.create_record_callback_config(
            {"publish_domain": "p.example.com", "app": "b", "notify_callback_url": "http://127.0.0.1:9/nowhere"}
        )
        (delivery,) = trigger(admin, callback=closed.id)["deliveries"]
        assert delivery["state"] == "failed" and delivery["attempts"][0]["status"] is None
        assert "Connect" in delivery["attempts"][0]["error"]
        assert admin.get("/_emulator/webhooks/deliveries", params={"state": "failed"}).json()["deliveries"]


def test_admin_surface_is_outside_the_vendor_api() -> None:
    with serving("huaweicloud_live") as served, served.admin() as admin:
        health = admin.get("/_emulator/health").json()
        assert health == {"status": "ok", "service": "huaweicloud_live", "database": ":memory:", "pid": os.getpid()}
        assert admin.post("/_emulator/webhooks/trigger", content=b"not json").status_code == 400
        assert admin.get("/_emulator/nothing").status_code == 404
        unsigned = httpx.get(f"{served.base_url}/v1/{HUAWEI.project_id}/record/callbacks", trust_env=False)
        assert unsigned.status_code == 401 and unsigned.json()["error_code"] == "APIG.0301"
