"""One emulator as an ASGI app: the generated server with the emulator's handlers, plus an admin API.

The admin API lives under `/_emulator/`, a prefix no vendor API uses, so it can never be mistaken for (or shadow)
a vendor operation; it is unauthenticated, like the rest of a local emulator's tooling:

- `GET  /_emulator/health` — liveness, the service name, the database path and the serving process.
- `POST /_emulator/webhooks/trigger` — `{"callback": ..., "tenant"?: ..., "event_type"?: ..., "fields"?: {...},
  "wait"?: true}`: build a sample event for a configured callback, sign it as the vendor does and deliver it.
  `callback` is a configuration id (Huawei Live), a `{"Vhost"|"Domain", "App"?, "MessageType"?}` selector
  (Volcengine) or absent (MetaStudio: one configuration per project). `tenant` defaults to the first local
  project/account (Huawei Live: the configuration's own project). With `wait` (the default) the answer (200)
  comes once each message is delivered or out of immediate retries; without it, at once (202).
- `GET  /_emulator/webhooks/deliveries?tenant=&state=&limit=` — the delivery log, newest first.

Requests are dispatched on the path before any routing, so the vendor app sees the ASGI scope untouched (the
raw path it verifies signatures over included).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import NAMES, load_generated
from .credentials import DEFAULT_CREDENTIALS, LocalCredentials
from .live import LiveEmulator
from .metastudio import MetaStudioEmulator
from .store import Store
from .volcengine import DEFAULT_RATE_LIMIT, VolcengineEmulator
from .webhooks import Deliverer, TriggerRequest, WebhookError, WebhookSource

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["ADMIN_PREFIX", "NAMES", "EmulatorApp", "EmulatorOptions", "create_emulator"]

ADMIN_PREFIX = "/_emulator"


@dataclass(frozen=True)
class EmulatorOptions:
    """How to run the emulators; the defaults are the vendors' behaviour with the local credentials."""

    credentials: LocalCredentials = DEFAULT_CREDENTIALS
    authenticate: bool = True
    """Verify request signatures (off: every request acts as the path's project or the default account)."""
    rate_limit: int | None = DEFAULT_RATE_LIMIT
    """Volcengine requests per second per access key and API; None disables the limit."""
    webhook_time_scale: float = 1.0
    """Multiplies webhook retry delays (tests use a small value to run the vendor's schedule quickly)."""
    webhook_transport: httpx.AsyncBaseTransport | None = field(default=None, compare=False)


def _handlers(name: str, store: Store, options: EmulatorOptions) -> WebhookSource:
    if name == "huaweicloud_metastudio":
        return MetaStudioEmulator(store, options.credentials)
    if name == "huaweicloud_live":
        return LiveEmulator(store, options.credentials)
    if name == "volcengine_live":
        return VolcengineEmulator(store, options.credentials, rate_limit=options.rate_limit)
    raise ValueError(f"unknown emulator {name!r}; known: {', '.join(NAMES)}")


class EmulatorApp:
    """The ASGI app of one emulator (see the module docstring for the admin API)."""

    def __init__(self, name: str, store: Store, options: EmulatorOptions | None = None) -> None:
        options = options or EmulatorOptions()
        self.name = name
        self.store = store
        self.handlers = _handlers(name, store, options)
        self.deliverer = Deliverer(
            store,
            name,
            self.handlers.retry,
            time_scale=options.webhook_time_scale,
            transport=options.webhook_transport,
        )
        credentials = options.credentials
        verifier = credentials.volcengine_verifier() if name == "volcengine_live" else credentials.huawei_verifier()
        create_app = load_generated(f"{name}.server").create_app
        self.vendor: ASGIApp = create_app(self.handlers, verifier=verifier if options.authenticate else None)
        self.admin = Starlette(
            routes=[
                Route(f"{ADMIN_PREFIX}/health", self._health, methods=["GET"]),
                Route(f"{ADMIN_PREFIX}/webhooks/trigger", self._trigger, methods=["POST"]),
                Route(f"{ADMIN_PREFIX}/webhooks/deliveries", self._deliveries, methods=["GET"]),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            await self.admin(scope, receive, send)
        else:
            await self.vendor(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.deliverer.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": self.name, "database": self.store.path, "pid": os.getpid()})

    async def _trigger(self, request: Request) -> JSONResponse:
        try:
            data = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body must be JSON"}, status_code=400)
        try:
            tenant, messages = self.handlers.webhook_messages(TriggerRequest.from_json(data))
        except WebhookError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        wait = data.get("wait", True) is not False
        deliveries = await self.deliverer.deliver(tenant, messages, wait=wait)
        return JSONResponse({"deliveries": deliveries}, status_code=200 if wait else 202)

    async def _deliveries(self, request: Request) -> JSONResponse:
        query = request.query_params
        try:
            limit = int(query.get("limit", "100"))
        except ValueError:
            return JSONResponse({"error": "limit must be an integer"}, status_code=400)
        entries = self.store.deliveries(self.name, tenant=query.get("tenant"), state=query.get("state"), limit=limit)
        return JSONResponse({"deliveries": entries})


def create_emulator(name: str, store: Store, options: EmulatorOptions | None = None) -> EmulatorApp:
    """The ASGI app of emulator `name` (one of `NAMES`) over `store`."""
    return EmulatorApp(name, store, options)
