# Vendored by streamspec (runtime module receiver); do not edit.
"""Webhook receivers: verify the callback's signature, validate the payload, hand the typed event to a handler.

Generated `webhooks.py` modules describe each callback as a `WebhookRoute` (payload type, verifier, handler); this
module does the rest (the signature schemes are the profiles', see `webhooks.py`). `accept` is the framework-free
core (method, query, headers and body in; the typed event out, or `WebhookRejected`); `build_receiver` wraps it in a
Starlette app.

Checks run in this order: method, body size, media type, JSON, signature, schema. Two schemes sign fields of the
body, so the JSON is decoded before the signature is checked, for every scheme alike (a 400 for a body that is not
JSON tells an unauthenticated sender nothing). The answers (`STATUS`; senders usually only document "answer 200"):

- 405 `method_not_allowed` with `Allow: POST`, whatever the method; 413 `payload_too_large` above the limits' size
  (`RECEIVER_LIMITS`: 1 MiB), before any of it is read when its length is declared; 408 `request_timeout` for a
  body that does not arrive within their time.
- 415 `unsupported_media_type` for a Content-Type that is not JSON (`application/json`, `application/*+json`).
  A missing Content-Type is accepted and the body parsed as JSON (senders rarely promise to send one).
- 400 `malformed_json` (not UTF-8 JSON, NaN/Infinity, or not an object).
- 401 for every signature failure, codes from `WebhookCode`: `missing_signature`, `malformed_timestamp`,
  `signature_mismatch`, and also `signature_expired` / `timestamp_out_of_window`. An expired signature is failed
  authentication (as an expired bearer token is under RFC 6750), not an authenticated caller being refused (403).
- 400 `invalid_payload`: an authentic payload that fails its schema, including JSON carried in a string
  (`contentSchema`).
- 500 `handler_failed` when the handler raises (logged), so that the sender retries; 404 `not_found` off the routes.
- 200 with an empty body once the handler returns.

Rejections carry a plain JSON body `{"error": <code>, "message": <text>}`: the receiver is the user's endpoint, not
the API itself, so the API's error envelope does not apply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, cast

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .asgi import AnyMethod, BodyRefused, Limits, read_body
from .json_text import read_json
from .webhooks import Verify, WebhookCode, WebhookRequest

__all__ = [
    "MAX_BODY",
    "RECEIVER_LIMITS",
    "STATUS",
    "WebhookRejected",
    "WebhookRoute",
    "accept",
    "build_receiver",
    "json_content",
    "precheck",
]

logger = logging.getLogger("streamspec.receiver")

MAX_BODY = 1 << 20
"""Largest accepted body in bytes; the vendors' callbacks are a few kilobytes."""
RECEIVER_LIMITS = Limits(max_body_size=MAX_BODY)

STATUS: Mapping[str, int] = MappingProxyType(
    {
        "method_not_allowed": 405,
        "payload_too_large": 413,
        "request_timeout": 408,
        "unsupported_media_type": 415,
        "malformed_json": 400,
        WebhookCode.MISSING.value: 401,
        WebhookCode.MALFORMED.value: 401,
        WebhookCode.MISMATCH.value: 401,
        WebhookCode.EXPIRED.value: 401,
        WebhookCode.STALE.value: 401,
        "invalid_payload": 400,
        "handler_failed": 500,
        "not_found": 404,
    }
)
"""HTTP status of each rejection code."""


class WebhookRejected(Exception):
    """A delivery the receiver refuses: a stable `code` (see `STATUS`), its HTTP `status` and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = STATUS[code]

    def response(self) -> Response:
        """The plain JSON answer (with `Allow` for a 405)."""
        headers = {"Allow": "POST"} if self.status == 405 else None
        body = json.dumps({"error": self.code, "message": self.message}, ensure_ascii=False).encode()
        return Response(body, status_code=self.status, headers=headers, media_type="application/json")


@dataclass(frozen=True)
class WebhookRoute:
    """One callback family: where it is served, its payload type, how it is signed and who handles it."""

    name: str
    payload: Any
    """The generated model (or union alias) the JSON body must validate as; None for a callback without a body
    (whatever arrives is ignored and the handler gets None)."""
    verify: Verify
    dispatch: Callable[[Any], Awaitable[object]]
    path: str | None = None
    """`None`: any path (the receiver is mounted at the callback URL)."""


@cache
def _adapter(target: object) -> TypeAdapter[Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(cast(Any, target))
    return adapter


def precheck(method: str, headers: Mapping[str, str], *, json_body: bool = True) -> None:
    """Method and (for a JSON payload) media type, before the body is read; `headers` must have lower-case names."""
    if method != "POST":
        raise WebhookRejected("method_not_allowed", f"method {method} is not allowed; callbacks are POSTed")
    content_type = headers.get("content-type")
    if content_type is not None and json_body:
        media = content_type.split(";")[0].strip().lower()
        if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
            raise WebhookRejected("unsupported_media_type", f"expected application/json, got {content_type!r}")


def accept(route: WebhookRoute, *, method: str, query: str, headers: Mapping[str, str], body: bytes) -> Any:
    """Check one delivery and return its typed event; raises `WebhookRejected` (framework-free)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if route.payload is None:
        precheck(method, lowered, json_body=False)
        check = route.verify(WebhookRequest(query, lowered, body, {}))
        if not check.ok:
            raise WebhookRejected(check.code.value, check.message)
        return None
    precheck(method, lowered)
    try:
        payload = read_json(body)
    except ValueError:
        raise WebhookRejected("malformed_json", "the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise WebhookRejected("malformed_json", "the body must be a JSON object")
    check = route.verify(WebhookRequest(query, lowered, body, payload))
    if not check.ok:
        raise WebhookRejected(check.code.value, check.message)
    try:
        return _adapter(route.payload).validate_python(payload, by_name=False)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WebhookRejected("invalid_payload", f"{where + ': ' if where else ''}{first['msg']}") from None


def json_content(event: BaseModel, field: str, target: Any) -> Any:
    """The JSON document carried as text in `event`'s wire field `field`, validated as `target`."""
    for name, info in type(event).model_fields.items():
        if (info.alias or name) == field:
            return _adapter(target).validate_json(getattr(event, name))
    raise KeyError(field)


_REFUSALS = {"too_large": "payload_too_large", "timeout": "request_timeout"}


async def _read(request: Request, limits: Limits) -> bytes:
    try:
        return await read_body(request, limits)
    except BodyRefused as refused:
        raise WebhookRejected(_REFUSALS[refused.problem], refused.message) from None


def _endpoint(route: WebhookRoute, limits: Limits) -> Callable[[Request], Awaitable[Response]]:
    async def receive(request: Request) -> Response:
        try:
            precheck(request.method, request.headers, json_body=route.payload is not None)
            body = await _read(request, limits)
            query = request.scope.get("query_string", b"").decode("latin-1")
            event = accept(route, method=request.method, query=query, headers=request.headers, body=body)
        except WebhookRejected as rejected:
            return rejected.response()
        try:
            await route.dispatch(event)
        except Exception:
            logger.exception("the %s handler failed", route.name)
            return WebhookRejected("handler_failed", f"the {route.name} handler failed").response()
        return Response(status_code=200)

    return receive


async def _not_found(request: Request) -> Response:
    return WebhookRejected("not_found", f"no webhook at {request.url.path}").response()


def build_receiver(*routes: WebhookRoute, limits: Limits = RECEIVER_LIMITS) -> Starlette:
    """An ASGI app receiving `routes`: each at its path, or at every path when its path is None. Every method reaches
    the endpoints, which answer all but POST with their own 405 and `Allow: POST`."""
    served = [Route(r.path or "/{path:path}", AnyMethod(_endpoint(r, limits))) for r in routes]
    if all(r.path is not None for r in routes):
        served.append(Route("/{path:path}", AnyMethod(_not_found)))
    return Starlette(routes=served)
