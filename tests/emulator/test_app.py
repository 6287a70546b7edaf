"""The admin API (`/_emulator/`): the vendor API's credentials and envelope, scoped to the caller's tenant, its
input validated."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import HUAWEI, HUAWEI_OTHER, VOLC, VOLC_OTHER, Receiver, error_code, huawei_client, live, serving
from .test_webhooks import SELECTOR, trigger, volc_configure

DELIVERIES = "/_emulator/webhooks/deliveries"


def _code(response: httpx.Response) -> str:
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    return error_code(response.json())


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [("huaweicloud_live", 401, "APIG.0301"), ("volcengine_live", 400, "MissingRequestInfo")],
    ids=["huawei", "volcengine"],
)
def test_webhook_endpoints_need_the_vendor_apis_credentials(name: str, status: int, code: str) -> None:
    """Answered as the vendor answers a request without credentials."""
    with serving(name) as served, httpx.Client(base_url=served.base_url, trust_env=False) as anonymous:
        for response in (
            anonymous.get(DELIVERIES),
            anonymous.post("/_emulator/webhooks/trigger", json={"callback": "x"}),
        ):
            assert (response.status_code, _code(response)) == (status, code)
        assert anonymous.get("/_emulator/health").status_code == 200  # says nothing about any tenant


def test_the_log_and_the_trigger_are_the_callers_tenants_only(receiver: tuple[Receiver, str]) -> None:
    _, url = receiver
    with serving("huaweicloud_live") as served, huawei_client(live, served.base_url) as client:
        config = client.create_record_callback_config(
            {"publish_domain": "p.example.com", "app": "live", "notify_callback_url": url}
        )
        with served.admin() as owner, served.admin(HUAWEI_OTHER) as other:
            (delivery,) = trigger(owner, callback=config.id)["deliveries"]
            assert [d["id"] for d in owner.get(DELIVERIES).json()["deliveries"]] == [delivery["id"]]
            assert other.get(DELIVERIES).json()["deliveries"] == []
            asked = other.get(DELIVERIES, params={"tenant": HUAWEI.project_id})
            assert (asked.status_code, _code(asked)) == (403, "AccessDenied")
            assert error_code(trigger(other, 404, callback=config.id)) == "NotFound"
            assert error_code(trigger(other, 403, callback=config.id, tenant=HUAWEI.project_id)) == "AccessDenied"
            assert len(owner.get(DELIVERIES, params={"tenant": HUAWEI.project_id}).json()["deliveries"]) == 1


def test_volcengine_log_is_the_accounts_only(receiver: tuple[Receiver, str]) -> None:
    _, url = receiver
    with serving("volcengine_live") as served, served.admin() as owner, served.admin(VOLC_OTHER) as other:
        volc_configure(served.base_url, [url], auth=False)
        trigger(owner, callback=SELECTOR)
        assert len(owner.get(DELIVERIES).json()["deliveries"]) == 1
        assert other.get(DELIVERIES).json()["deliveries"] == []
        assert error_code(trigger(other, 404, callback=SELECTOR)) == "NotFound"
        asked = other.get(DELIVERIES, params={"tenant": VOLC.account})
        assert (asked.status_code, _code(asked)) == (403, "AccessDenied")


@pytest.mark.parametrize(
    "query",
    [{"limit": "1e30"}, {"limit": "-1"}, {"limit": "0"}, {"limit": "1001"}, {"limit": "ten"}, {"state": "lost"}],
    ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()),
)
def test_listing_input_is_validated(query: dict[str, str]) -> None:
    with serving("huaweicloud_live") as served, served.admin() as admin:
        response = admin.get(DELIVERIES, params=query)
        assert (response.status_code, _code(response)) == (400, "InvalidParameter"), response.text
        assert next(iter(query)) in response.json()["error_msg"]


@pytest.mark.parametrize(
    "body",
    [[1], {"wait": "no"}, {"fields": []}, {"tenant": 5}, {"surprise": 1}],
    ids=["not-an-object", "wait", "fields", "tenant", "unknown-field"],
)
def test_trigger_input_is_validated(body: Any) -> None:
    with serving("volcengine_live") as served, served.admin() as admin:
        response = admin.post("/_emulator/webhooks/trigger", json=body)
        assert (response.status_code, _code(response)) == (400, "InvalidParameter"), response.text


def test_admin_routing_answers_in_the_envelope() -> None:
    with serving("huaweicloud_live") as served, served.admin() as admin:
        brewed = admin.request("BREW", DELIVERIES)
        assert (brewed.status_code, brewed.headers["Allow"], _code(brewed)) == (405, "GET", "APIG.0101")
        missing = admin.get("/_emulator/nothing")
        assert (missing.status_code, _code(missing)) == (404, "APIG.0101")
        described = admin.get("/_emulator/openapi.json").json()
        assert set(described["paths"]) == {f"/_emulator/{p}" for p in ("health", "webhooks/trigger", DELIVERIES[11:])}


def test_without_authentication_the_tenant_is_the_one_asked_for(receiver: tuple[Receiver, str]) -> None:
    _, url = receiver
    with serving("huaweicloud_live", authenticate=False) as served, served.admin() as admin:
        with huawei_client(live, served.base_url, HUAWEI_OTHER) as client:
            config = client.create_record_callback_config(
                {"publish_domain": "p.example.com", "app": "live", "notify_callback_url": url}
            )
        trigger(admin, callback=config.id)
        assert len(admin.get(DELIVERIES).json()["deliveries"]) == 1
        assert admin.get(DELIVERIES, params={"tenant": HUAWEI.project_id}).json()["deliveries"] == []
        assert len(admin.get(DELIVERIES, params={"tenant": HUAWEI_OTHER.project_id}).json()["deliveries"]) == 1
