"""One emulator as an ASGI app: the generated server with the emulator's handlers, plus an admin API.

The admin API lives under `/_emulator/`, a prefix no vendor API uses, so it can never be mistaken for (or shadow)
a vendor operation. It is served by the generated package's own server runtime, so it answers as the vendor API
does: the vendor's error envelope and `X-Request-Id` on every answer, the envelope's 404 and 405, invalid input
400, the same body limits, and the same credentials:

- `GET  /_emulator/health` — liveness, the service name, the database path and the serving process. Open to all:
  it says nothing about any tenant.
- `POST /_emulator/webhooks/trigger` — `{"callback": ..., "tenant"?: ..., "event_type"?: ..., "fields"?: {...},
  "wait"?: true}`: build a sample event for a configured callback, sign it as the vendor does and deliver it.
  `callback` is a configuration id (Huawei Live), a `{"Vhost"|"Domain", "App"?, "MessageType"?}` selector
  (Volcengine) or absent (MetaStudio: one configuration per project). With `wait` (the default) the answer (200)
  comes once each message is delivered or out of immediate retries; without it, at once (202).
- `GET  /_emulator/webhooks/deliveries?state=&limit=` — the delivery log, newest first (`limit` 1–1000, default
  100; `state` one of `DELIVERY_STATES`).
- `GET  /_emulator/openapi.json` — this API described.

Access: the webhook endpoints take the vendor API's credentials (signed with a local key, or a Huawei local token
in `X-Auth-Token`) and act as their tenant (Huawei: the key's project; Volcengine: the key's account): a `tenant`
naming another is refused (403), so no caller reads or triggers another tenant's webhooks. With authentication off
(`EmulatorOptions.authenticate`) they act, as the vendor API then does, as the `tenant` given, or for the trigger
the default tenant (Huawei Live: the configuration's own project), and the log lists every tenant.

Requests are dispatched on the path before any routing, so the vendor app sees the ASGI scope untouched (the
raw path it verifies signatures over included).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

import httpx
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Receive, Scope, Send

from generator.runtime.asgi import DEFAULT_LIMITS, Limits

from . import NAMES, load_generated
from .credentials import DEFAULT_CREDENTIALS, LocalCredentials
from .live import LiveEmulator
from .metastudio import MetaStudioEmulator
from .store import Store
from .volcengine import DEFAULT_RATE_LIMIT, VolcengineEmulator
from .webhooks import Deliverer, TriggerRequest, WebhookError, WebhookSource

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["ADMIN_PREFIX", "DELIVERY_STATES", "NAMES", "EmulatorApp", "EmulatorOptions", "create_emulator"]

ADMIN_PREFIX = "/_emulator"
DeliveryState = Literal["pending", "queued", "delivered", "failed", "abandoned"]
DELIVERY_STATES: tuple[str, ...] = get_args(DeliveryState)


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
    limits: Limits = DEFAULT_LIMITS
    """What one request may cost (body size, time to receive it), for the vendor API and the admin API alike."""


def _handlers(name: str, store: Store, options: EmulatorOptions) -> WebhookSource:
    if name == "huaweicloud_metastudio":
        return MetaStudioEmulator(store, options.credentials)
    if name == "huaweicloud_live":
        return LiveEmulator(store, options.credentials)
    if name == "volcengine_live":
        return VolcengineEmulator(store, options.credentials, rate_limit=options.rate_limit)
    raise ValueError(f"unknown emulator {name!r}; known: {', '.join(NAMES)}")


class TriggerBody(BaseModel):
    """The body of `POST /_emulator/webhooks/trigger`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    callback: Any = None
    tenant: str | None = Field(default=None, min_length=1)
    event_type: str | None = Field(default=None, min_length=1)
    fields: dict[str, Any] = Field(default_factory=dict)
    wait: bool = True


class DeliveriesQuery(BaseModel):
    """The query of `GET /_emulator/webhooks/deliveries`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    tenant: str | None = Field(default=None, min_length=1)
    state: DeliveryState | None = None
    limit: int = Field(default=100, ge=1, le=1000)


_INVALID = "InvalidParameter"
_CODES = {400: _INVALID, 403: "AccessDenied", 404: "NotFound", 409: "Conflict"}
"""The admin API's error codes by status (its own: they are no vendor's)."""


class _Admin:
    """The admin API's handlers: each takes (request context, parameters, body), as generated routes call them."""

    def __init__(self, app: EmulatorApp, runtime: Any) -> None:
        self.app = app
        self.runtime = runtime

    def _error(self, status: int, message: str) -> Exception:
        error: Exception = self.runtime.ServiceError(status, _CODES[status], message)
        return error

    def _tenant(self, ctx: Any, asked: str | None) -> str | None:
        """The tenant a request acts as: its credentials' (asking for another is refused), or without authentication
        the one asked for."""
        if ctx.principal is None:
            return asked
        own = self.app.handlers.tenant_of(ctx.principal)
        if asked is not None and asked != own:
            raise self._error(403, f"the credentials do not belong to tenant {asked}")
        return own

    async def health(self, ctx: Any, params: None, body: None) -> object:
        app = self.app
        return {"status": "ok", "service": app.name, "database": app.store.path, "pid": os.getpid()}

    async def trigger(self, ctx: Any, params: None, body: TriggerBody) -> object:
        request = TriggerRequest(self._tenant(ctx, body.tenant), body.callback, body.event_type, body.fields)
        try:
            tenant, messages = self.app.handlers.webhook_messages(request)
        except WebhookError as exc:
            raise self._error(exc.status, exc.message) from None
        deliveries = await self.app.deliverer.deliver(tenant, messages, wait=body.wait)
        return self.runtime.Reply(200 if body.wait else 202, {"deliveries": deliveries})

    async def deliveries(self, ctx: Any, params: DeliveriesQuery, body: None) -> object:
        tenant = self._tenant(ctx, params.tenant)
        found = self.app.store.deliveries(self.app.name, tenant=tenant, state=params.state, limit=params.limit)
        return {"deliveries": found}


def _admin_spec() -> bytes:
    """The admin API as OpenAPI (what `/_emulator/openapi.json` serves)."""
    answer = {"200": {"description": "a JSON object"}}
    query = DeliveriesQuery.model_json_schema()["properties"]
    document = {
        "openapi": "3.1.0",
        "info": {"title": "streamspec emulator admin API", "version": "1", "description": __doc__},
        "paths": {
            f"{ADMIN_PREFIX}/health": {"get": {"responses": answer}},
            f"{ADMIN_PREFIX}/webhooks/trigger": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": TriggerBody.model_json_schema()}}},
                    "responses": {**answer, "202": {"description": "accepted, delivering"}},
                }
            },
            f"{ADMIN_PREFIX}/webhooks/deliveries": {
                "get": {
                    "parameters": [{"name": k, "in": "query", "schema": v} for k, v in query.items()],
                    "responses": answer,
                }
            },
        },
    }
    return json.dumps(document).encode()


def _admin_app(app: EmulatorApp, verifier: object) -> ASGIApp:
    """The admin API, served by emulator `app`'s generated server runtime (see the module docstring)."""
    runtime = load_generated(f"{app.name}._runtime.server")
    params = load_generated(f"{app.name}._runtime.params")
    bodies = load_generated(f"{app.name}._runtime.bodies")
    admin = _Admin(app, runtime)

    def route(method: str, path: str, invoke: Any, **facts: Any) -> object:
        defaults: dict[str, Any] = {
            "selectors": (),
            "required_query": (),
            "params": (),
            "params_model": None,
            "body": (),
            "body_required": False,
            "success_status": 200,
            "success_media": "application/json",
            "invalid_status": 400,
            "invalid_codes": {"default": _INVALID},
            "internal_code": "InternalError",
            "secured": True,
        }
        return runtime.Route(
            operation_id=invoke.__name__, method=method, path=path, invoke=invoke, **{**defaults, **facts}
        )

    query = tuple(
        params.ParamSpec(name, "query", kind)
        for name, kind in (("tenant", "string"), ("state", "string"), ("limit", "integer"))
    )
    routes = (
        route("GET", f"{ADMIN_PREFIX}/health", _Admin.health, secured=False),
        route(
            "POST",
            f"{ADMIN_PREFIX}/webhooks/trigger",
            _Admin.trigger,
            body=(bodies.BodySpec("application/json", "json", lambda: TriggerBody),),
        ),
        route(
            "GET",
            f"{ADMIN_PREFIX}/webhooks/deliveries",
            _Admin.deliveries,
            params=query,
            params_model=lambda: DeliveriesQuery,
        ),
    )
    server = load_generated(f"{app.name}.server")
    limits = runtime.Limits(**dataclasses.asdict(app.options.limits))
    built: ASGIApp = runtime.build_app(
        routes=routes,
        handlers=admin,
        envelope=server.ENVELOPE,
        spec_json=_admin_spec(),
        verifier=verifier,
        limits=limits,
    )
    return built


class EmulatorApp:
    """The ASGI app of one emulator (see the module docstring for the admin API)."""

    def __init__(self, name: str, store: Store, options: EmulatorOptions | None = None) -> None:
        self.options = options or EmulatorOptions()
        self.name = name
        self.store = store
        self.handlers = _handlers(name, store, self.options)
        self.deliverer = Deliverer(
            store,
            name,
            self.handlers.retry,
            time_scale=self.options.webhook_time_scale,
            transport=self.options.webhook_transport,
        )
        credentials = self.options.credentials
        verifier = credentials.volcengine_verifier() if name == "volcengine_live" else credentials.huawei_verifier()
        server = load_generated(f"{name}.server")
        limits = server.Limits(**dataclasses.asdict(self.options.limits))
        checked = verifier if self.options.authenticate else None
        self.vendor: ASGIApp = server.create_app(self.handlers, verifier=checked, limits=limits)
        self.admin = _admin_app(self, checked)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            # Its own root: the runtime serves the admin API's description at <root>/openapi.json.
            await self.admin({**scope, "root_path": scope.get("root_path", "") + ADMIN_PREFIX}, receive, send)
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


def create_emulator(name: str, store: Store, options: EmulatorOptions | None = None) -> EmulatorApp:
    """The ASGI app of emulator `name` (one of `NAMES`) over `store`."""
    return EmulatorApp(name, store, options)
