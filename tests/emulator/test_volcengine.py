"""Volcengine callbacks through the generated client over loopback: keys, replace, filters, errors, rate limit."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from generator.emulator.credentials import VolcengineLocalKey

from .conftest import VOLC_OTHER, Served, emulator_fixtures, serving, unchecked, volc_client, volcengine

URL = "http://example.com/callback"
DETAILS = [{"CallbackType": "http", "URL": URL}]


served, client = emulator_fixtures("volcengine_live", volc_client, rate_limit=None)


def update(client: Any, message_type: str = "push", url: str = URL, **scope: Any) -> Any:
    scope = scope or {"Vhost": "push.example.com"}
    details = [{"CallbackType": "http", "URL": url}]
    return client.update_callback({**scope, "MessageType": message_type, "CallbackDetailList": details})


def listed(client: Any, **body: Any) -> list[dict[str, Any]]:
    result = client.describe_callback(body).result
    return [item.model_dump(mode="json", by_alias=True, exclude_unset=True) for item in result.callback_list]


def test_update_then_describe(client: Any) -> None:
    response = client.update_callback(
        {
            "Vhost": "push.example.com",
            "App": "live",
            "MessageType": "record",
            "TranscodeCallback": 1,
            "AuthEnable": True,
            "AuthKeyPrimary": "secret-key",
            "CallbackDetailList": [{"CallbackType": "http", "URL": URL}],
        }
    )
    meta = response.response_metadata
    assert (meta.action, meta.version, meta.service, meta.region) == (
        "UpdateCallback",
        "2023-01-01",
        "live",
        "cn-north-1",
    )
    (item,) = listed(client, Vhost="push.example.com")
    assert item["MessageType"] == "record" and item["App"] == "live" and item["Vhost"] == "push.example.com"
    assert (item["TranscodeCallback"], item["AuthEnable"], item["AuthKeyPrimary"]) == (1, True, "secret-key")
    assert item["CallbackDetailList"] == [{"CallbackType": "http", "URL": URL}]
    assert item["CreateTime"].endswith("+08:00") and item["CreateTimeUTC"].endswith("Z")


def test_update_replaces_the_whole_configuration(client: Any) -> None:
    update(client, url="http://a.example.com/1")
    before = listed(client, Vhost="push.example.com")[0]
    client.update_callback(
        {
            "Vhost": "push.example.com",
            "MessageType": "push",
            "CallbackDetailList": [
                {"CallbackType": "http", "URL": "http://b.example.com/1"},
                {"CallbackType": "http", "URL": "https://b.example.com/2"},
            ],
        }
    )
    (after,) = listed(client, Vhost="push.example.com")
    assert [d["URL"] for d in after["CallbackDetailList"]] == ["http://b.example.com/1", "https://b.example.com/2"]
    assert after["CreateTimeUTC"] == before["CreateTimeUTC"]


def test_configurations_are_keyed_by_scope_app_and_message_type(client: Any) -> None:
    update(client, "push")
    update(client, "push_end")
    update(client, "push", Vhost="push.example.com", App="live")
    update(client, "push", Vhost="other.example.com")
    update(client, "record", Domain="push.example.com")
    assert len(listed(client, Vhost="push.example.com")) == 3  # no App = all applications
    assert len(listed(client, Vhost="push.example.com", MessageType="push")) == 2
    assert [i["App"] for i in listed(client, Vhost="push.example.com", App="live")] == ["live"]
    (by_domain,) = listed(client, Domain="push.example.com")
    assert by_domain["Domain"] == "push.example.com" and by_domain["MessageType"] == "record"
    assert listed(client, Vhost="nothing.example.com") == []
    assert listed(client, Vhost="push.example.com", MessageType="snapshot") == []


def test_delete_without_message_type_deletes_all_types(client: Any) -> None:
    update(client, "push")
    update(client, "push_end")
    update(client, "push", Vhost="push.example.com", App="live")
    client.delete_callback({"Vhost": "push.example.com", "MessageType": "push"})
    assert {i["MessageType"] for i in listed(client, Vhost="push.example.com", App="live")} == {"push"}
    client.delete_callback({"Vhost": "push.example.com"})  # App absent matches configurations made without App
    assert [i["App"] for i in listed(client, Vhost="push.example.com")] == ["live"]
    response = client.delete_callback({"Vhost": "push.example.com", "App": "live"})
    assert response.response_metadata.action == "DeleteCallback"
    assert listed(client, Vhost="push.example.com") == []


def test_delete_of_nothing_is_resource_not_found(client: Any) -> None:
    with pytest.raises(volcengine.NotFoundError) as caught:
        client.delete_callback({"Vhost": "push.example.com", "MessageType": "push"})
    assert caught.value.code == "ResourceNotFound"
    meta = caught.value.body["ResponseMetadata"]
    assert meta["RequestId"] == caught.value.request_id
    assert (meta["Action"], meta["Version"], meta["Service"], meta["Region"]) == (
        "DeleteCallback",
        "2023-01-01",
        "live",
        "cn-north-1",
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"Domain": "d.example.com", "App": "live", "MessageType": "push", "CallbackDetailList": DETAILS},
            "InvalidParam.DomainAndApp",
        ),
        ({"Vhost": "v.example.com", "MessageType": "push"}, "InvalidParam.Empty"),
        (
            {"Vhost": "v.example.com", "MessageType": "push", "TranscodeCallback": 2, "CallbackDetailList": DETAILS},
            "InvalidParam.OutOfRange",
        ),
        ({"Vhost": "v.example.com", "MessageType": "nope", "CallbackDetailList": DETAILS}, "InvalidParam.OutOfRange"),
        (
            {
                "Vhost": "v.example.com",
                "MessageType": "push",
                "CallbackDetailList": [{"CallbackType": "http", "URL": "ftp://example.com/x"}],
            },
            "InvalidParam.Format",
        ),
    ],
)
def test_documented_errors_in_the_envelope(client: Any, body: dict[str, Any], code: str) -> None:
    valid = {"Vhost": "v.example.com", "MessageType": "push", "CallbackDetailList": DETAILS}
    with pytest.raises(volcengine.BadRequestError) as caught:
        client.send_raw(unchecked(client.requests.update_callback(valid), body))
    assert caught.value.code == code
    meta = caught.value.body["ResponseMetadata"]
    assert set(meta) == {"RequestId", "Action", "Version", "Service", "Region", "Error"}
    assert meta["Action"] == "UpdateCallback"
    assert listed(client, Vhost="v.example.com") == []
    assert listed(client, Domain="d.example.com") == []


def test_rate_limit_is_ten_per_second_per_access_key_answered_429_flow_limit_exceeded() -> None:
    with serving("volcengine_live") as limited, volc_client(limited.base_url) as client:
        other = volc_client(limited.base_url, VOLC_OTHER)
        started = time.monotonic()
        outcomes = []
        for _ in range(12):
            try:
                client.describe_callback({"Vhost": "push.example.com"})
                outcomes.append(200)
            except volcengine.RateLimitError as exc:
                outcomes.append(429)
                assert exc.code == "FlowLimitExceeded"
                assert exc.body["ResponseMetadata"]["Action"] == "DescribeCallback"
        assert time.monotonic() - started < 1.0, "the loop must run within one window"
        assert outcomes == [200] * 10 + [429] * 2
        other.describe_callback({"Vhost": "push.example.com"})  # another access key has its own budget
        other.close()
        time.sleep(1.05)
        client.describe_callback({"Vhost": "push.example.com"})  # the window has moved on


def test_unsigned_and_badly_signed_requests_are_refused(served: Served) -> None:
    response = httpx.post(f"{served.base_url}/?Action=DescribeCallback&Version=2023-01-01", json={"Vhost": "v"})
    assert response.status_code == 400
    assert response.json()["ResponseMetadata"]["Error"]["Code"] == "MissingRequestInfo"
    stranger = VolcengineLocalKey("AKLTunknown", "x", "0")
    with volc_client(served.base_url, stranger) as client, pytest.raises(volcengine.AuthenticationError) as caught:
        client.describe_callback({"Vhost": "v.example.com"})
    assert caught.value.code == "InvalidAccessKey"
