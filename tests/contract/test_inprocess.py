"""The in-thread way to an app in process (`generator.inprocess`) sends what schemathesis' own ASGI transport sends
and gets the same answers: the same cases, statuses and check outcomes for one seed, whichever way they go."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import generator.contract as contract
from generator.contract import FuzzOptions, emulator_run, fuzz_spec
from generator.emulator import NAMES
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.inprocess import InProcessApp, wrap
from tests.conftest import SPECS

DETERMINISTIC = ("examples", "coverage")
"""Phases whose cases depend on the seed and the spec only (fuzzing and stateful also on timing and state)."""


def _run(name: str, monkeypatch: pytest.MonkeyPatch, *, in_thread: bool) -> tuple[Any, list[tuple[Any, ...]]]:
    if not in_thread:
        monkeypatch.setattr(contract, "wrap", lambda app: app)  # schemathesis' own ASGI transport
    spec = SPECS / f"{name}.yaml"
    target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
    events: list[dict[str, Any]] = []
    report = fuzz_spec(spec, target, credentials, FuzzOptions(seed=7, phases=DETERMINISTIC), emit=events.append)
    monkeypatch.undo()
    cases = [(e["phase"], e["operation"], e["method"], e["status"]) for e in events if e["event"] == "case"]
    return report, cases


@pytest.mark.parametrize("name", NAMES)
def test_in_thread_and_schemathesis_transport_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stock, stock_cases = _run(name, monkeypatch, in_thread=False)
    ours, our_cases = _run(name, monkeypatch, in_thread=True)
    assert stock.ok and ours.ok
    assert our_cases == stock_cases and len(our_cases) > 100
    assert ours.checks == stock.checks
    assert ours.cases == stock.cases


def _echo_app() -> Starlette:
    async def echo(request: Request) -> Response:
        body = await request.body()
        data = {
            "method": request.method,
            "path": request.url.path,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.scope["headers"]],
            "body": body.decode("latin-1"),
            "state": dict(request.scope.get("state") or {}),
        }
        response = JSONResponse(data, headers={"set-cookie": "seen=1"})
        return response

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, bool]]:
        yield {"started": True}

    return Starlette(routes=[Route("/{rest:path}", echo, methods=["GET", "POST", "HEAD"])], lifespan=lifespan)


def test_the_scope_is_the_one_schemathesis_builds() -> None:
    """Method, raw path and query, Latin-1 header octets, a Host where none is sent, the lifespan's state; no
    cookie survives a request; one wrapper per app."""
    from schemathesis.python import asgi

    app = _echo_app()
    with asgi.get_client(app) as stock:
        expected = stock.post("/a%20b/c?x=1&y=%C3%A9", data=b"\xff\x00body", headers={"X-Name": "caf\xe9"})
    wrapped = wrap(app)
    assert isinstance(wrapped, InProcessApp) and wrap(app) is wrapped and wrap(wrapped) is wrapped
    with asgi.get_client(wrapped) as ours:
        got = ours.post("/a%20b/c?x=1&y=%C3%A9", data=b"\xff\x00body", headers={"X-Name": "caf\xe9"})
        assert not ours.cookies
        head = ours.head("/x")
    assert got.status_code == expected.status_code == 200
    assert got.json() == expected.json()
    assert got.json()["state"] == {"started": True}
    assert head.status_code == 200 and head.content == b""
    assert asgi.get_client(app) is not asgi.get_client(wrapped)  # another app goes schemathesis' way
