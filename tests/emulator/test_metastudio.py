"""MetaStudio user config through the generated client over loopback: defaults, merge-on-PUT, notify actions."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import emulator_fixtures, huawei_client, metastudio, unchecked

DEFAULTS = {
    "live_exit_config": {"max_live_duration": 0, "auto_stop_mode": "FORCE_EXIT", "max_exception_waiting_duration": 3},
    "live_event_callback_config": {"auth_type": "NONE"},
    "live_notify_config": {"notify_events": []},
}


served, client = emulator_fixtures("huaweicloud_metastudio", lambda url: huawei_client(metastudio, url))


def shown(client: Any) -> dict[str, Any]:
    return dict(client.show_smart_live_user_config().model_dump(mode="json", by_alias=True, exclude_unset=True))


def test_get_returns_documented_defaults_when_nothing_was_set(client: Any) -> None:
    assert shown(client) == DEFAULTS


def test_put_stores_each_sub_config_and_answers_200_without_body(client: Any) -> None:
    body = {
        "live_exit_config": {
            "max_live_duration": 8,
            "auto_stop_mode": "SEGMENT_END",
            "max_exception_waiting_duration": 30,
        },
        "live_event_callback_config": {
            "live_event_type_callback_url": "https://example.com/hook",
            "auth_type": "MSS_A_HEAD",
            "key": "k" * 32,
            "callback_event_type": ["SHOOT_SCRIPT_SWITCH", "REPLY_COMMAND_FINISH"],
        },
        "live_notify_config": {"action": "add", "notify_events": ["AUTO_EXIT"]},
    }
    raw = client.send_raw(client.requests.update_smart_live_user_config(body))
    assert raw.status_code == 200
    assert raw.http_response.content == b""
    assert raw.request_id
    assert shown(client) == {**body, "live_notify_config": {"notify_events": ["AUTO_EXIT"]}}


def test_put_leaves_omitted_sub_configs_and_fields_as_stored(client: Any) -> None:
    client.update_smart_live_user_config(
        {
            "live_exit_config": {"max_live_duration": 8, "auto_stop_mode": "SCENE_END"},
            "live_event_callback_config": {"live_event_type_callback_url": "https://example.com/a", "key": "secret"},
        }
    )
    client.update_smart_live_user_config({"live_exit_config": {"max_exception_waiting_duration": 10}})
    client.update_smart_live_user_config({"live_event_callback_config": {"auth_type": "MSS_A"}})
    assert shown(client)["live_exit_config"] == {
        "max_live_duration": 8,
        "auto_stop_mode": "SCENE_END",
        "max_exception_waiting_duration": 10,
    }
    assert shown(client)["live_event_callback_config"] == {
        "live_event_type_callback_url": "https://example.com/a",
        "auth_type": "MSS_A",
        "key": "secret",
    }


def test_an_empty_body_changes_nothing(client: Any) -> None:
    client.update_smart_live_user_config({"live_exit_config": {"max_live_duration": 5}})
    client.update_smart_live_user_config({})
    assert shown(client)["live_exit_config"]["max_live_duration"] == 5


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([("add", ["AUTO_EXIT"])], ["AUTO_EXIT"]),
        ([("add", ["AUTO_EXIT"]), ("add", ["AUTO_EXIT"])], ["AUTO_EXIT"]),
        ([("add", ["AUTO_EXIT"]), ("del", ["AUTO_EXIT"])], []),
        ([("del", ["AUTO_EXIT"])], []),
        ([("add", ["AUTO_EXIT"]), ("replace", [])], []),
        ([("replace", ["AUTO_EXIT"])], ["AUTO_EXIT"]),
        ([("add", ["AUTO_EXIT"]), (None, [])], []),
        ([("add", ["AUTO_EXIT"]), ("add", None)], ["AUTO_EXIT"]),
    ],
)
def test_notify_action_applies_to_the_stored_events(
    client: Any, steps: list[tuple[str | None, list[str] | None]], expected: list[str]
) -> None:
    for action, events in steps:
        notify: dict[str, Any] = {}
        if action is not None:
            notify["action"] = action
        if events is not None:
            notify["notify_events"] = events
        client.update_smart_live_user_config({"live_notify_config": notify})
    assert shown(client)["live_notify_config"] == {"notify_events": expected}


def test_invalid_input_is_answered_with_the_documented_400(client: Any) -> None:
    call = unchecked(
        client.requests.update_smart_live_user_config({}), {"live_exit_config": {"max_live_duration": 169}}
    )
    with pytest.raises(metastudio.BadRequestError) as caught:
        client.send_raw(call)
    assert caught.value.code == "MSS.00000003"
    assert shown(client) == DEFAULTS
