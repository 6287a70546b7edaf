"""Emulators served by uvicorn on loopback, and generated clients signed with the local credentials."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.emulator import load_generated
from generator.emulator.app import EmulatorApp, EmulatorOptions, create_emulator
from generator.emulator.credentials import DEFAULT_CREDENTIALS, HuaweiLocalKey, VolcengineLocalKey
from generator.emulator.serve import BackgroundServer
from generator.emulator.store import Store
from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth, HuaweiCredentials
from generator.profiles.volcengine.runtime.auth import VolcengineCredentials, VolcengineV4Auth

metastudio = load_generated("huaweicloud_metastudio")
live = load_generated("huaweicloud_live")
volcengine = load_generated("volcengine_live")

HUAWEI, HUAWEI_OTHER = DEFAULT_CREDENTIALS.huawei[:2]
VOLC, VOLC_OTHER = DEFAULT_CREDENTIALS.volcengine[:2]


@dataclass
class Served:
    """A running emulator: its base URL, app (for its deliverer) and store."""

    base_url: str
    app: EmulatorApp
    store: Store

    def admin(self, key: HuaweiLocalKey | VolcengineLocalKey | None = None) -> httpx.Client:
        """A client of the admin API acting as `key`'s tenant (default: the emulator's first local key)."""
        return httpx.Client(base_url=self.base_url, timeout=30, trust_env=False, auth=local_auth(self.app.name, key))


def local_auth(name: str, key: HuaweiLocalKey | VolcengineLocalKey | None = None) -> httpx.Auth:
    """Requests to emulator `name` signed with a local key (default: its first)."""
    if name == "volcengine_live":
        volc = key if isinstance(key, VolcengineLocalKey) else VOLC
        return VolcengineV4Auth(VolcengineCredentials(volc.ak, volc.sk))
    huawei = key if isinstance(key, HuaweiLocalKey) else HUAWEI
    return HuaweiAkSkAuth(HuaweiCredentials(huawei.ak, huawei.sk, huawei.project_id))


@contextmanager
def serving(name: str, store: Store | None = None, **options: Any) -> Iterator[Served]:
    """Emulator `name` on a free loopback port (in-memory store unless one is given)."""
    store = store or Store()
    app = create_emulator(name, store, EmulatorOptions(**options))
    with BackgroundServer(app) as server:
        yield Served(server.base_url, app, store)


def emulator_fixtures(name: str, make_client: Callable[[str], Any], **options: Any) -> tuple[Any, Any]:
    """Fixtures `served` (one emulator per test module) and `client` (a fresh state and a client per test)."""

    @pytest.fixture(scope="module")
    def served() -> Iterator[Served]:
        with serving(name, **options) as emulator:
            yield emulator

    @pytest.fixture
    def client(served: Served) -> Iterator[Any]:
        served.store.clear()
        with make_client(served.base_url) as made:
            yield made

    return served, client


def huawei_client(package: ModuleType, base_url: str, key: HuaweiLocalKey = HUAWEI, **kwargs: Any) -> Any:
    """A generated Huawei client signing with `key` (AK/SK); errors are not retried so tests see them."""
    credentials = package.HuaweiCredentials
    kwargs.setdefault("max_retries", 0)
    return package.Client(base_url=base_url, credentials=credentials(key.ak, key.sk, key.project_id), **kwargs)


def volc_client(base_url: str, key: VolcengineLocalKey = VOLC, **kwargs: Any) -> Any:
    credentials = load_generated("volcengine_live").VolcengineCredentials
    kwargs.setdefault("max_retries", 0)
    return volcengine.Client(base_url=base_url, credentials=credentials(key.ak, key.sk), **kwargs)


def error_code(answer: Any) -> str:
    """The code of an error answered in a vendor envelope (Volcengine's `ResponseMetadata.Error`, else Huawei's)."""
    if "ResponseMetadata" in answer:
        return str(answer["ResponseMetadata"]["Error"]["Code"])
    return str(answer["error_code"])


def unchecked(call: Any, body: object) -> Any:
    """A generated client's prepared call with a body the client itself would refuse (to test the server's checks)."""
    return dataclasses.replace(call, json_body=body)


@dataclass
class Received:
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A webhook receiver on loopback that records every request and answers the scripted statuses (then 200)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.statuses: list[int] = []

        async def receive(request: Request) -> Response:
            self.requests.append(
                Received(request.url.path, request.url.query, dict(request.headers), await request.body())
            )
            return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

        self.app = Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    hook = Receiver()
    with BackgroundServer(hook.app) as server:
        yield hook, server.base_url
