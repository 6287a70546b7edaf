"""Tenants are isolated: a Huawei project or a Volcengine account can neither read nor change another's state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import (
    HUAWEI,
    HUAWEI_OTHER,
    VOLC_OTHER,
    Served,
    huawei_client,
    live,
    metastudio,
    serving,
    volc_client,
    volcengine,
)


@pytest.fixture(scope="module")
def live_served() -> Iterator[Served]:
    with serving("huaweicloud_live") as emulator:
        yield emulator


def test_live_configs_belong_to_the_signing_keys_project(live_served: Served) -> None:
    with (
        huawei_client(live, live_served.base_url) as mine,
        huawei_client(live, live_served.base_url, HUAWEI_OTHER) as theirs,
    ):
        created = mine.create_record_callback_config({"publish_domain": "p.example.com", "app": "live"})
        assert theirs.list_record_callback_configs().total == 0
        with pytest.raises(live.NotFoundError):
            theirs.show_record_callback_config(created.id)
        with pytest.raises(live.NotFoundError):
            theirs.delete_record_callback_config(created.id)
        # the same domain/app is free in another project
        theirs.create_record_callback_config({"publish_domain": "p.example.com", "app": "live"})
        assert mine.list_record_callback_configs().total == 1


def test_a_key_cannot_act_on_another_projects_path(live_served: Served) -> None:
    with huawei_client(live, live_served.base_url, HUAWEI_OTHER) as theirs:
        for call in (
            lambda: theirs.list_record_callback_configs(project_id=HUAWEI.project_id),
            lambda: theirs.create_record_callback_config(
                {"publish_domain": "q.example.com", "app": "live"}, project_id=HUAWEI.project_id
            ),
        ):
            with pytest.raises(live.AuthenticationError) as caught:
                call()
            assert caught.value.code == "APIG.0301"
    with huawei_client(live, live_served.base_url) as mine:
        assert mine.list_record_callback_configs(publish_domain="q.example.com").total == 0


def test_tokens_act_for_their_project(live_served: Served) -> None:
    token = next(t for t, p in live_served.app.handlers.credentials.huawei_tokens.items() if p == HUAWEI.project_id)
    with huawei_client(live, live_served.base_url) as signed:
        signed.create_record_callback_config({"publish_domain": "t.example.com", "app": "live"})
    with live.Client(base_url=live_served.base_url, token=token, project_id=HUAWEI.project_id, max_retries=0) as client:
        assert client.list_record_callback_configs(publish_domain="t.example.com").total == 1
    foreign = live.Client(base_url=live_served.base_url, token=token, project_id=HUAWEI_OTHER.project_id)
    with foreign, pytest.raises(live.AuthenticationError) as caught:
        foreign.list_record_callback_configs()
    assert caught.value.code == "APIG.0307"


def test_metastudio_config_is_per_project() -> None:
    with serving("huaweicloud_metastudio") as served:
        with huawei_client(metastudio, served.base_url) as mine:
            mine.update_smart_live_user_config({"live_exit_config": {"max_live_duration": 42}})
        with huawei_client(metastudio, served.base_url, HUAWEI_OTHER) as theirs:
            assert theirs.show_smart_live_user_config().live_exit_config.max_live_duration == 0
            with pytest.raises(metastudio.AuthenticationError):
                theirs.update_smart_live_user_config({}, project_id=HUAWEI.project_id)


def test_volcengine_callbacks_are_per_account() -> None:
    body = {
        "Vhost": "v.example.com",
        "MessageType": "push",
        "CallbackDetailList": [{"CallbackType": "http", "URL": "http://x.example.com"}],
    }
    with (
        serving("volcengine_live", rate_limit=None) as served,
        volc_client(served.base_url) as mine,
        volc_client(served.base_url, VOLC_OTHER) as theirs,
    ):
        mine.update_callback(body)
        assert theirs.describe_callback({"Vhost": "v.example.com"}).result.callback_list == []
        with pytest.raises(volcengine.NotFoundError):
            theirs.delete_callback({"Vhost": "v.example.com"})
        assert len(mine.describe_callback({"Vhost": "v.example.com"}).result.callback_list) == 1
