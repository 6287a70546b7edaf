"""Huawei Live recording callbacks through the generated client over loopback: CRUD, filters, paging, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.emulator.live import BAD_REQUEST_CODE, NOT_FOUND_CODE

from .conftest import emulator_fixtures, huawei_client, live, unchecked

TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
KEY = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"


served, client = emulator_fixtures("huaweicloud_live", lambda url: huawei_client(live, url))


def config(domain: str = "publish.example.com", app: str = "live", **extra: Any) -> dict[str, Any]:
    return {"publish_domain": domain, "app": app, **extra}


def test_create_answers_201_with_server_made_id_and_times(client: Any) -> None:
    body = config(notify_callback_url="https://example.com/notify", key=KEY, sign_type="MD5")
    raw = client.send_raw(client.requests.create_record_callback_config(body))
    assert raw.status_code == 201
    created = raw.parse()
    assert re.fullmatch(r"[0-9a-f]{32}", created.id)
    assert TIME.match(created.create_time) and created.create_time == created.update_time
    assert created.notify_event_subscription == ["RECORD_FILE_COMPLETE"]  # documented default
    assert created.sign_type == "MD5"
    assert "key" not in raw.http_response.json()


def test_key_is_write_only(client: Any) -> None:
    id = client.create_record_callback_config(config(key=KEY)).id
    assert "key" not in client.send_raw(client.requests.show_record_callback_config(id)).http_response.json()
    listed = client.send_raw(client.requests.list_record_callback_configs()).http_response.json()
    assert all("key" not in item for item in listed["callback_config"])


def test_show_update_delete_by_id(client: Any) -> None:
    created = client.create_record_callback_config(config(sign_type="MD5"))
    assert client.show_record_callback_config(created.id) == created
    updated = client.update_record_callback_config(
        created.id, config(notify_event_subscription=["RECORD_OVER", "RECORD_FAILED"])
    )
    assert updated.id == created.id and updated.create_time == created.create_time
    assert updated.notify_event_subscription == ["RECORD_OVER", "RECORD_FAILED"]
    assert updated.sign_type == "HMACSHA256"  # update replaces: omitted fields take their defaults
    assert client.show_record_callback_config(created.id) == updated
    raw = client.send_raw(client.requests.delete_record_callback_config(created.id))
    assert raw.status_code == 204 and raw.http_response.content == b""
    with pytest.raises(live.NotFoundError):
        client.show_record_callback_config(created.id)


@pytest.mark.parametrize("operation", ["show", "update", "delete"])
def test_unknown_id_is_404(client: Any, operation: str) -> None:
    calls = {
        "show": lambda: client.show_record_callback_config("0" * 32),
        "update": lambda: client.update_record_callback_config("0" * 32, config()),
        "delete": lambda: client.delete_record_callback_config("0" * 32),
    }
    with pytest.raises(live.NotFoundError) as caught:
        calls[operation]()
    assert caught.value.code == NOT_FOUND_CODE
    assert caught.value.request_id


def test_list_filters_by_domain_and_app_and_pages(client: Any) -> None:
    ids = [client.create_record_callback_config(config("a.example.com", f"app{i}")).id for i in range(5)]
    client.create_record_callback_config(config("b.example.com", "app0"))
    client.create_record_callback_config(config("b.example.com", "*"))

    everything = client.list_record_callback_configs()
    assert everything.total == 7 and len(everything.callback_config) == 7
    by_domain = client.list_record_callback_configs(publish_domain="a.example.com")
    assert by_domain.total == 5 and [c.id for c in by_domain.callback_config] == ids
    by_app = client.list_record_callback_configs(app="app0")
    assert {c.publish_domain for c in by_app.callback_config} == {"a.example.com", "b.example.com"}
    both = client.list_record_callback_configs(publish_domain="b.example.com", app="*")
    assert both.total == 1 and both.callback_config[0].app == "*"

    page = client.list_record_callback_configs(publish_domain="a.example.com", offset=1, limit=2)
    assert page.total == 5 and [c.id for c in page.callback_config] == ids[1:3]
    beyond = client.list_record_callback_configs(publish_domain="a.example.com", offset=10)
    assert beyond.total == 5 and beyond.callback_config == []
    default_page = client.list_record_callback_configs(limit=None)
    assert len(default_page.callback_config) == 7  # default limit 10


def test_duplicate_domain_and_app_is_rejected_with_400(client: Any) -> None:
    first = client.create_record_callback_config(config())
    with pytest.raises(live.BadRequestError) as caught:
        client.create_record_callback_config(config(notify_callback_url="https://example.com/other"))
    assert caught.value.code == BAD_REQUEST_CODE
    other = client.create_record_callback_config(config(app="*"))
    with pytest.raises(live.BadRequestError):
        client.update_record_callback_config(other.id, config())  # onto the first one's domain/app
    assert client.update_record_callback_config(first.id, config(sign_type="MD5")).sign_type == "MD5"
    assert client.list_record_callback_configs().total == 2


def test_invalid_body_is_answered_with_the_documented_400(client: Any) -> None:
    call = unchecked(client.requests.create_record_callback_config(config()), {"publish_domain": "x.example.com"})
    with pytest.raises(live.BadRequestError) as caught:
        client.send_raw(call)
    assert caught.value.code == BAD_REQUEST_CODE
    assert client.list_record_callback_configs().total == 0
