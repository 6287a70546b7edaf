"""The ASGI pieces every generated app shares (`runtime/asgi.py`) and the server app's direct path
(`runtime/server.py` `ApiApp`): bodies read within limits on asyncio and on trio, headers decoded once as Starlette
has them, and an app that takes Starlette's way again once middleware or routes are added."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from generator.emulator.app import create_emulator
from generator.emulator.store import Store
from generator.runtime.asgi import BodyRefused, Limits, ReceivedHeaders, read_body
from tests.conftest import import_generated
from tests.emulator.conftest import HUAWEI

BACKENDS = ["asyncio", "trio"]


def _request(headers: list[tuple[bytes, bytes]], messages: list[dict[str, Any]], stall: bool = False) -> Request:
    """A request whose `receive` hands out `messages`, then waits forever (`stall`) or says the client left."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if stall:
            await anyio.sleep(math.inf)
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "POST", "headers": headers, "path": "/", "query_string": b""}, receive)


def _run(backend: str, read: Callable[[], Awaitable[Any]]) -> Any:
    return anyio.run(read, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_body_in_parts_is_read_whole(backend: str) -> None:
    parts: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"cd"},
    ]
    request = _request([(b"content-length", b"4")], parts)
    assert _run(backend, lambda: read_body(request, Limits())) == b"abcd"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stalled_body_is_refused_in_time(backend: str) -> None:
    request = _request([(b"content-length", b"10")], [{"type": "http.request", "body": b"ab", "more_body": True}], True)
    with pytest.raises(BodyRefused) as refused:
        _run(backend, lambda: read_body(request, Limits(body_timeout=0.05)))
    assert (refused.value.status, refused.value.problem) == (408, "timeout")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_body_past_the_limit_is_refused_as_it_arrives(backend: str) -> None:
    parts: list[dict[str, Any]] = [{"type": "http.request", "body": b"x" * 6, "more_body": True}] * 2
    request = _request([(b"transfer-encoding", b"chunked")], parts, stall=True)
    with pytest.raises(BodyRefused) as refused:
        _run(backend, lambda: read_body(request, Limits(max_body_size=10)))
    assert (refused.value.status, refused.value.problem) == (413, "too_large")


def test_a_declared_length_past_the_limit_is_refused_before_reading() -> None:
    async def receive() -> Message:
        raise AssertionError("read although the declared length was refused")

    request = Request({"type": "http", "headers": [(b"content-length", b"11")]}, receive)
    with pytest.raises(BodyRefused) as refused:
        _run("asyncio", lambda: read_body(request, Limits(max_body_size=10)))
    assert refused.value.status == 413


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_client_that_leaves_mid_body_is_a_timeout(backend: str) -> None:
    request = _request([(b"content-length", b"10")], [{"type": "http.request", "body": b"ab", "more_body": True}])
    with pytest.raises(BodyRefused) as refused:
        _run(backend, lambda: read_body(request, Limits()))
    assert refused.value.status == 408


RAW = [
    (b"host", b"example.com"),
    (b"x-repeated", b"first"),
    (b"content-type", b"application/json"),
    (b"x-repeated", b"second"),
    (b"x-latin", "caf\u00e9".encode("latin-1")),
]


@pytest.mark.parametrize("name", ["host", "HOST", "X-Repeated", "x-latin", "missing"])
def test_received_headers_answer_as_starlettes_do(name: str) -> None:
    ours, theirs = ReceivedHeaders({"headers": RAW}), Headers(scope={"headers": RAW})
    assert ours.get(name) == theirs.get(name)
    assert (name in ours) == (name in theirs)
    assert ours.items() == theirs.items() and ours.keys() == theirs.keys() and ours.values() == theirs.values()
    assert ours.getlist(name) == theirs.getlist(name) and len(ours) == len(theirs) and ours == theirs
    if name in theirs:
        assert ours[name] == theirs[name]
    else:
        with pytest.raises(KeyError):
            ours[name]
    ours.items().append(("x-added", "no"))  # a copy, as Starlette's
    assert "x-added" not in ours and len(ours.items()) == len(RAW)


class _Seen:
    """ASGI middleware that notes the paths it saw."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], seen: list[str]) -> None:
        self.app, self.seen = app, seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append(scope["path"])
        await self.app(scope, receive, send)


async def _get(app: Any, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator") as client:
        return await client.get(path)


def test_the_app_as_built_and_with_middleware_answer_alike_and_the_middleware_sees_every_request() -> None:
    app = create_emulator("huaweicloud_live", Store()).vendor
    paths = ["/openapi.json", f"/v1/{HUAWEI.project_id}/record/callbacks", "/nowhere", "/a%0Ab"]
    before = [anyio.run(_get, app, path) for path in paths]
    seen: list[str] = []
    app.add_middleware(_Seen, seen=seen)  # type: ignore[attr-defined]
    after = [anyio.run(_get, app, path) for path in paths]
    assert seen == [httpx.URL(f"http://e{p}").path for p in paths]
    for one, other in zip(before, after, strict=True):
        assert (one.status_code, one.headers["content-type"]) == (other.status_code, other.headers["content-type"])
        assert one.json().keys() == other.json().keys()
    assert [r.status_code for r in before] == [200, 401, 404, 404]


def test_a_route_added_to_the_app_is_served() -> None:
    app = create_emulator("huaweicloud_live", Store()).vendor

    async def ping(request: Request) -> PlainTextResponse:
        return PlainTextResponse("pong")

    app.router.routes.insert(0, Route("/ping", ping))  # type: ignore[attr-defined]
    assert anyio.run(_get, app, "/ping").text == "pong"
    assert anyio.run(_get, app, "/openapi.json").json()["openapi"].startswith("3.")


def test_a_handler_result_that_is_no_json_value_is_answered_in_the_envelope() -> None:
    """A handler bug met only when its result is serialised still gets the API's 500, not the server's plain one."""
    package = import_generated("huaweicloud_live")

    class Broken:
        async def list_record_callback_configs(self, ctx: object, params: object) -> object:
            return {"total": object()}

    app = package.server.create_app(Broken())
    answer = anyio.run(_get, app, f"/v1/{HUAWEI.project_id}/record/callbacks")
    assert answer.status_code == 500 and answer.headers["x-request-id"]
    assert answer.json()["error_code"] == "APIG.0202"
