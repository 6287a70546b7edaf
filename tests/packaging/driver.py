"""Calls every operation of one installed generated package, run by the interpreter of a venv that has only that
package (and what it requires) installed: it imports nothing from this repository.

    python driver.py '{"package": ..., "base_url": ..., "credentials": {"class": ..., "args": [...]}}'

First against a running server (the emulator) with the blocking client; then, when `"server"` is true, again
through the package's own server (`server.create_app`, the `[server]` extra) with the asynchronous client over an
in-process transport, answered with what the first round received, and with a malformed body for each operation
that takes one (the server must answer in the vendor's envelope). Prints a JSON report: the package's version, the
operations there are, those each round called, and the statuses of the malformed requests.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx

Calls = Callable[[Any], Iterator[tuple[str, Any]]]


def huaweicloud_live(client: Any) -> Iterator[tuple[str, Any]]:
    body = {"publish_domain": "publish.example.com", "app": "live", "notify_callback_url": "https://example.com/n"}
    created = client.create_record_callback_config(body)
    yield "create_record_callback_config", created
    yield "show_record_callback_config", client.show_record_callback_config(created.id)
    yield "update_record_callback_config", client.update_record_callback_config(created.id, {**body, "app": "*"})
    yield "list_record_callback_configs", client.list_record_callback_configs(publish_domain="publish.example.com")
    yield "delete_record_callback_config", client.delete_record_callback_config(created.id)


def huaweicloud_metastudio(client: Any) -> Iterator[tuple[str, Any]]:
    config = {"live_exit_config": {"max_live_duration": 8, "auto_stop_mode": "SEGMENT_END"}}
    yield "update_smart_live_user_config", client.update_smart_live_user_config(config)
    yield "show_smart_live_user_config", client.show_smart_live_user_config()


def volcengine_live(client: Any) -> Iterator[tuple[str, Any]]:
    detail = [{"CallbackType": "http", "URL": "http://example.com/callback"}]
    body = {"Vhost": "push.example.com", "App": "live", "MessageType": "push", "CallbackDetailList": detail}
    yield "update_callback", client.update_callback(body)
    yield "describe_callback", client.describe_callback({"Vhost": "push.example.com"})
    yield "delete_callback", client.delete_callback({"Vhost": "push.example.com", "App": "live"})


CALLS: dict[str, Calls] = {
    "huaweicloud_live": huaweicloud_live,
    "huaweicloud_metastudio": huaweicloud_metastudio,
    "volcengine_live": volcengine_live,
}


class Replay:
    """Handlers that answer each operation with what the emulator answered."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def __getattr__(self, name: str) -> Any:
        if name not in self.answers:
            raise AttributeError(name)

        async def handle(ctx: Any, *args: Any) -> Any:
            return self.answers[name]

        return handle


class _Sync:
    """Drives the asynchronous client's methods one at a time, so that one call plan serves both clients."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.client, self.loop = client, loop

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        return lambda *args, **kwargs: self.loop.run_until_complete(method(*args, **kwargs))


def main(config: dict[str, Any]) -> dict[str, Any]:
    name = config["package"]
    package = importlib.import_module(name)
    credentials = getattr(package, config["credentials"]["class"])(*config["credentials"]["args"])
    operations = sorted(n for n, _ in inspect.getmembers(package.Requests, inspect.isfunction) if not n.startswith("_"))
    with package.Client(base_url=config["base_url"], credentials=credentials) as client:
        answers = dict(CALLS[name](client))
    report = {"version": package.__version__, "operations": operations, "called": sorted(answers)}
    if config["server"]:
        report.update(_through_own_server(package, credentials, answers))
    return report


def _through_own_server(package: Any, credentials: Any, answers: dict[str, Any]) -> dict[str, Any]:
    name = package.__name__
    server = importlib.import_module(f"{name}.server")
    app = server.create_app(Replay(answers))
    loop = asyncio.new_event_loop()
    transport = httpx.ASGITransport(app=app)
    replayed = {}
    client = package.AsyncClient(base_url="http://in-process.test", credentials=credentials, transport=transport)
    operation_type = importlib.import_module(f"{name}._runtime.client").Operation
    routes = [
        v
        for v in vars(importlib.import_module(f"{name}.client")).values()
        if isinstance(v, operation_type) and v.method in ("POST", "PUT", "PATCH")
    ]
    malformed = {}
    try:
        for operation, result in CALLS[name](_Sync(client, loop)):
            replayed[operation] = result == answers[operation]
        for route in routes:
            path = re.sub(r"\{[^}]+\}", "p", route.path)
            response = loop.run_until_complete(_send_malformed(transport, route.method, path))
            malformed[route.operation_id] = [response.status_code, bool(response.headers.get("x-request-id"))]
    finally:
        loop.run_until_complete(client.close())
        loop.close()
    return {"replayed": replayed, "malformed": malformed}


async def _send_malformed(transport: httpx.AsyncBaseTransport, method: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport, base_url="http://in-process.test") as http:
        headers = {"Content-Type": "application/json"}
        return await http.request(method, path, content=b"{not json", headers=headers)


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
