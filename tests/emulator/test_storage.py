"""SQLite storage: state survives a restart, concurrent writers lose nothing, the schema is made on first start."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from generator.emulator.store import SCHEMA_VERSION, Store

from .conftest import huawei_client, live, metastudio, serving, volc_client

WRITERS = 50


def _parallel(count: int, task: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(task, range(count)))


def test_schema_is_created_on_first_start(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.sqlite3"
    Store(path).close()
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"resources", "deliveries"} <= tables
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    body = {
        "Vhost": "v.example.com",
        "MessageType": "push",
        "CallbackDetailList": [{"CallbackType": "http", "URL": "http://x.example.com"}],
    }
    store = Store(path)
    with serving("huaweicloud_live", store) as served, huawei_client(live, served.base_url) as client:
        created = client.create_record_callback_config({"publish_domain": "p.example.com", "app": "live"})
    with serving("huaweicloud_metastudio", store) as served, huawei_client(metastudio, served.base_url) as client:
        client.update_smart_live_user_config({"live_exit_config": {"max_live_duration": 7}})
    with serving("volcengine_live", store) as served, volc_client(served.base_url) as client:
        client.update_callback(body)
    store.close()

    store = Store(path)
    with serving("huaweicloud_live", store) as served, huawei_client(live, served.base_url) as client:
        assert client.show_record_callback_config(created.id) == created
    with serving("huaweicloud_metastudio", store) as served, huawei_client(metastudio, served.base_url) as client:
        assert client.show_smart_live_user_config().live_exit_config.max_live_duration == 7
    with serving("volcengine_live", store) as served, volc_client(served.base_url) as client:
        assert len(client.describe_callback({"Vhost": "v.example.com"}).result.callback_list) == 1
    store.close()


# One client (an httpx pool, thread-safe) serves every writer thread: each request still has its own connection
# from the pool, and building a client per thread would only measure TLS-context setup.


def test_concurrent_creates_lose_nothing_and_admit_one_duplicate(tmp_path: Path) -> None:
    with (
        serving("huaweicloud_live", Store(tmp_path / "state.sqlite3")) as served,
        huawei_client(live, served.base_url) as client,
    ):

        def create(i: int, domain: str | None = None) -> int:
            try:
                client.create_record_callback_config({"publish_domain": domain or f"d{i}.example.com", "app": "live"})
            except live.BadRequestError:
                return 400
            return 201

        assert _parallel(WRITERS, create) == [201] * WRITERS
        same = _parallel(WRITERS, lambda i: create(i, "same.example.com"))
        assert sorted(same) == [201] + [400] * (WRITERS - 1)
        assert client.list_record_callback_configs(limit=100).total == WRITERS + 1


def test_concurrent_volcengine_updates_lose_nothing() -> None:
    with serving("volcengine_live", rate_limit=None) as served, volc_client(served.base_url) as client:

        def update(i: int) -> None:
            details = [{"CallbackType": "http", "URL": f"http://h{i}.example.com/cb"}]
            for app in (f"app{i}", "shared"):
                client.update_callback(
                    {"Vhost": "v.example.com", "App": app, "MessageType": "push", "CallbackDetailList": details}
                )

        _parallel(WRITERS, update)
        listed = client.describe_callback({"Vhost": "v.example.com"}).result.callback_list
        assert len(listed) == WRITERS + 1
        assert {item.app for item in listed} == {f"app{i}" for i in range(WRITERS)} | {"shared"}
        (shared,) = [item for item in listed if item.app == "shared"]
        assert len(shared.callback_detail_list) == 1  # one whole write won, nothing interleaved


FIELDS: dict[str, Callable[[int], dict[str, Any]]] = {
    "max_live_duration": lambda n: {"live_exit_config": {"max_live_duration": n}},
    "max_exception_waiting_duration": lambda n: {"live_exit_config": {"max_exception_waiting_duration": n}},
    "auto_stop_mode": lambda n: {"live_exit_config": {"auto_stop_mode": ["SEGMENT_END", "SCENE_END"][n % 2]}},
    "live_event_type_callback_url": lambda n: {
        "live_event_callback_config": {"live_event_type_callback_url": f"https://e/{n}"}
    },
    "key": lambda n: {"live_event_callback_config": {"key": f"key-{n}"}},
    "auth_type": lambda n: {"live_event_callback_config": {"auth_type": ["MSS_A", "MSS_A_HEAD"][n % 2]}},
    "callback_event_type": lambda n: {
        "live_event_callback_config": {
            "callback_event_type": [["SHOOT_SCRIPT_SWITCH"], ["REPLY_COMMAND_FINISH"]][n % 2]
        }
    },
}


def test_concurrent_merges_through_two_connections_lose_no_field(tmp_path: Path) -> None:
    """Each writer owns one field and PUTs it `rounds` times through one of two servers, each with its own
    connection to the same file: a read-modify-write that was not atomic would put back a stale value."""
    rounds = 20
    path = tmp_path / "state.sqlite3"
    with serving("huaweicloud_metastudio", Store(path)) as one, serving("huaweicloud_metastudio", Store(path)) as two:
        names = list(FIELDS)

        def writer(i: int) -> None:
            base_url = (one, two)[i % 2].base_url
            with huawei_client(metastudio, base_url) as client:
                for n in range(1, rounds + 1):
                    client.update_smart_live_user_config(FIELDS[names[i]](n))

        _parallel(len(names), writer)
        with huawei_client(metastudio, one.base_url) as client:
            shown = client.show_smart_live_user_config().model_dump(mode="json", exclude_unset=True)
        expected: dict[str, dict[str, Any]] = {}
        for name in names:
            for section, values in FIELDS[name](rounds).items():
                expected.setdefault(section, {}).update(values)
        for section, values in expected.items():
            assert {k: shown[section][k] for k in values} == values
