"""Helpers for receiver tests: the generated `webhooks` modules, the specs' webhook examples, a frozen clock and
one-shot deliveries through httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import httpx
import yaml
from starlette.types import ASGIApp

from generator.runtime.signing import Clock
from tests.conftest import SPECS, import_generated


def webhooks_module(package: str) -> ModuleType:
    """`generated/<package>/webhooks.py`, imported as the top-level package a user would vendor."""
    import_generated(package)
    return importlib.import_module(f"{package}.webhooks")


def models_module(package: str) -> ModuleType:
    models: ModuleType = import_generated(package).models
    return models


def examples(spec: str, webhook: str) -> dict[str, dict[str, Any]]:
    """The webhook's request-body examples, by name (values only)."""
    document = yaml.safe_load((SPECS / f"{spec}.yaml").read_text(encoding="utf-8"))
    content = document["webhooks"][webhook]["post"]["requestBody"]["content"]["application/json"]
    return {name: example["value"] for name, example in content["examples"].items()}


def at(seconds: float) -> Clock:
    moment = datetime.fromtimestamp(seconds, UTC)
    return lambda: moment


def dumps(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def deliver(
    app: ASGIApp,
    url: str,
    body: bytes | Mapping[str, object],
    *,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
    content_type: str | None = "application/json",
) -> httpx.Response:
    """One request to `app` (a dict body is sent as compact JSON)."""
    content = body if isinstance(body, bytes) else dumps(body)
    sent = dict(headers or {})
    if content_type is not None:
        sent.setdefault("Content-Type", content_type)

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://receiver.example.com") as client:
            return await client.request(method, url, content=content if method != "GET" else None, headers=sent)

    return asyncio.run(go())


def rejected(response: httpx.Response, status: int, code: str) -> bool:
    """Whether `response` is the receiver's plain JSON rejection with this status and code."""
    if response.status_code != status or response.headers.get("content-type") != "application/json":
        return False
    body = response.json()
    return body.get("error") == code and isinstance(body.get("message"), str) and bool(body["message"])


class Recorder:
    """Handlers that keep every event they are given (one `on_*` per generated protocol method)."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def _record(self, event: Any) -> None:
        self.events.append(event)

    on_meta_studio_live_event = _record
    on_record_callback = _record
    on_volcengine_callback = _record


class Failing(Recorder):
    async def _record(self, event: Any) -> None:
        raise RuntimeError("the handler broke")

    on_meta_studio_live_event = _record
    on_record_callback = _record
    on_volcengine_callback = _record
