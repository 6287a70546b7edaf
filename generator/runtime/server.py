"""The ASGI side of generated servers: routing, request validation and answers in the API's error envelope.

Generated `server.py` modules describe their operations as `Route`s; this module does the rest, so that every
API answers bad input the way it documents (documented status, its envelope and code) instead of with a
framework's default 422, sends `X-Request-Id` on every response, and answers 405 with a complete `Allow`.

Several operations may share a method and path (RPC APIs select the operation with query parameters such as
`Action` and `Version`; some REST specs write `/files/{id}#shared_link` for variants of one URL): a route's
`selectors` (query parameters with one allowed value) and its required query parameters choose among them.

A request costs the server no more than `Limits` allow: a body longer than the limit is refused (413) before it is
read when its length is declared, as soon as it passes the limit otherwise; one that does not arrive in time is
refused (408); and the verifier judges the headers before the body is read, so a request without valid credentials
never costs the server its body. A refused request whose body was not read closes its connection.
"""

from __future__ import annotations

import logging
import os
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.routing import request_response
from starlette.types import Receive, Scope, Send

from .asgi import DEFAULT_LIMITS, AnyMethod, BodyRefused, Limits, ReceivedHeaders, announces_body, read_body
from .bodies import BodySpec, decode_body, media_encoding, validated_body
from .envelope import ErrorContext, ServerEnvelope
from .model import dump_json
from .params import ParamSpec, from_wire

logger = logging.getLogger("streamspec.server")

Invoke = Callable[[Any, "RequestContext", Any, Any], Awaitable[object]]


class ServiceError(Exception):
    """Raised by handlers to answer with a documented error: status, vendor code and message."""

    def __init__(self, status: int, code: str, message: str, *, code_n: int | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.code_n = code_n


@dataclass(frozen=True)
class Reply:
    """A handler result with a status or headers other than the operation's default."""

    status: int
    body: object = None
    """A model (or any JSON value), text, bytes, or None for no body."""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One operation as the server sees it."""

    operation_id: str
    method: str
    path: str
    selectors: tuple[tuple[str, str], ...]
    """Query parameters with a single allowed value that select this operation among those sharing its path."""
    required_query: tuple[str, ...]
    params: tuple[ParamSpec, ...]
    params_model: Callable[[], type[BaseModel]] | None
    """What returns the model of the parameters: a function, so that `models` loads a model on first use."""
    body: tuple[BodySpec, ...]
    """The body's documented media types (none: the operation takes no body)."""
    body_required: bool
    success_status: int
    success_media: str | None
    invalid_status: int
    invalid_codes: Mapping[str, str]
    internal_code: str
    secured: bool
    invoke: Invoke
    auth_params: tuple[ParamSpec, ...] = ()
    """Headers the client's auth flow sets (`x-auth-managed`): no handler sees them, but those sent must be valid."""
    auth_params_model: Callable[[], type[BaseModel]] | None = None


class Verifier(Protocol):
    """What the server asks to check a request's credentials (see `verify.py`): a result with an int `status` and a
    str `code` is a failure, anything else the principal the request acts as."""

    def screen(self, method: str, raw_path: str, raw_query: str, headers: Mapping[str, str]) -> object | None:
        """The verdict of the headers alone, or None when it takes the body (a signature over it): asked before the
        body is read, so that a request its headers condemn never costs the server its body."""
        ...

    def verify(self, method: str, raw_path: str, raw_query: str, headers: Mapping[str, str], body: bytes) -> object:
        """The verdict on the whole request."""
        ...


@dataclass
class RequestContext:
    """What a handler knows about the request beyond its validated input."""

    request_id: str
    operation_id: str
    principal: object
    headers: Mapping[str, str]
    envelope: ServerEnvelope
    selectors: Mapping[str, str] = field(default_factory=dict)
    """The query parameters that selected the operation (an RPC `Action` and `Version`)."""


class _Failure(Exception):
    def __init__(self, status: int, code: str, message: str, code_n: int | None = None, allow: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.code_n, self.allow = status, code, message, code_n, allow


def _kind_of(error_type: str) -> str:
    if error_type == "missing":
        return "missing"
    if error_type in ("streamspec_format", "string_pattern_mismatch") or error_type.endswith("_parsing"):
        return "format"
    if error_type.startswith(("greater_than", "less_than", "too_", "string_too_")) or error_type in (
        "literal_error",
        "enum",
        "streamspec_range",
    ):
        return "range"
    if error_type in ("extra_forbidden", "model_type", "dict_type", "list_type") or error_type.endswith("_type"):
        return "malformed"
    return "default"


@dataclass(frozen=True)
class _Pending:
    """A principal the body decides: the verifier to ask once the body is read."""

    verifier: Verifier


def _judged(outcome: object) -> object:
    """The principal a verifier's outcome names; a failure is raised as the answer."""
    status, code = getattr(outcome, "status", None), getattr(outcome, "code", None)
    if isinstance(status, int) and isinstance(code, str):
        raise _Failure(status, code, str(getattr(outcome, "message", "")), getattr(outcome, "code_n", None))
    return outcome


def _invalid(route: Route, where: str, exc: ValidationError | None = None, message: str = "") -> _Failure:
    """The documented answer to invalid input: the vendor code for what kind of problem it is."""
    if exc is not None:
        first = exc.errors(include_url=False)[0]
        ctx = first.get("ctx") or {}
        loc = ".".join(str(p) for p in first["loc"])
        message = f"{where}{'.' + loc if loc else ''}: {first['msg']}"
        code = ctx.get("error_code") or route.invalid_codes.get(_kind_of(first["type"]))
    else:
        code = route.invalid_codes.get("malformed")
    return _Failure(route.invalid_status, code or route.invalid_codes["default"], message)


class _Api:
    def __init__(
        self,
        routes: Sequence[Route],
        handlers: object,
        envelope: ServerEnvelope,
        spec_json: bytes,
        verifier: Verifier | None,
        base_path: str = "",
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.handlers = handlers
        self.envelope = envelope
        self.spec_json = spec_json
        self.verifier = verifier
        self.limits = limits
        self.by_path: dict[str, list[Route]] = {}
        for route in routes:
            self.by_path.setdefault(route.path, []).append(route)
        self.patterns = [
            (*_compiled(base_path.rstrip("/"), path), path)
            for path in sorted(self.by_path, key=lambda p: (p.count("{"), p))
        ]

    async def handle(self, request: Request) -> Response:
        request_id = _request_id()
        raw_path = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or request.url.path
        raw_query = request.scope.get("query_string", b"").decode("latin-1")
        query = parse_qsl(raw_query, keep_blank_values=True)
        received = ReceivedHeaders(request.scope)
        context = ErrorContext(request_id)
        body: bytes | None = None
        try:
            route, path_params = self._match(request.method, raw_path, query)
            context = ErrorContext(request_id, route.operation_id, dict(route.selectors))
            principal = self._screen(route, request.method, raw_path, raw_query, received)
            body = await self._read_body(request, received)
            if isinstance(principal, _Pending):
                outcome = principal.verifier.verify(request.method, raw_path, raw_query, received, body)
                principal = _judged(outcome)
            ctx = RequestContext(
                request_id=request_id,
                operation_id=route.operation_id,
                principal=principal,
                headers=received,
                envelope=self.envelope,
                selectors=context.selectors,
            )
            params = self._params(route, route.params, route.params_model, path_params, query, received)
            self._params(route, route.auth_params, route.auth_params_model, {}, [], received)
            payload = self._body(route, received.get("content-type", ""), body)
            result = await route.invoke(self.handlers, ctx, params, payload)
            return self._reply(route, result, request_id)  # a result that is no JSON value fails here, as a handler
        except _Failure as failure:
            headers = {"X-Request-Id": request_id}
            if failure.allow:
                headers["Allow"] = failure.allow
            if body is None and announces_body(received):
                headers["Connection"] = "close"  # the rest of a body nobody reads would only hold the connection
            answer = self.envelope.error_body(context, failure.code, failure.message, failure.code_n)
            return _json(failure.status, answer, headers)
        except ServiceError as error:
            answer = self.envelope.error_body(context, error.code, error.message, error.code_n)
            return _json(error.status, answer, {"X-Request-Id": request_id})
        except Exception:
            logger.exception("handler failed (request id %s)", request_id)
            answer = self.envelope.error_body(context, route.internal_code, "internal error", None)
            return _json(500, answer, {"X-Request-Id": request_id})

    def _match(self, method: str, raw_path: str, query: list[tuple[str, str]]) -> tuple[Route, dict[str, str]]:
        for pattern, names, template in self.patterns:
            found = pattern.match(raw_path)
            if found is None:
                continue
            segments = dict(zip(names, found.groups(), strict=True))
            candidates = [r for r in self.by_path[template] if r.method == method]
            if not candidates:
                allow = ", ".join(sorted({r.method for r in self.by_path[template]}))
                code = self.envelope.routing_code("method_not_allowed")
                raise _Failure(405, code, f"method {method} is not allowed; allowed: {allow}", allow=allow)
            return self._select(candidates, dict(query)), segments  # raw: each style decodes its own
        raise _Failure(404, self.envelope.routing_code("not_found"), f"no API at {raw_path}")

    def _select(self, candidates: list[Route], args: Mapping[str, str]) -> Route:
        """The operation among those sharing a method and path: the most specific whose selectors match and whose
        required query parameters are present, else one without selectors (its validation then says what is
        missing); selectors missing or matching nothing answer with the envelope's routing codes."""
        if len(candidates) == 1 and not candidates[0].selectors:
            return candidates[0]
        ranked = sorted(candidates, key=lambda r: (-len(r.selectors), -len(r.required_query)))
        for route in ranked:
            if all(args.get(k) == v for k, v in route.selectors) and all(q in args for q in route.required_query):
                return route
        plain = [route for route in ranked if not route.selectors]
        if plain:
            return plain[-1]
        names = list(dict.fromkeys(k for route in candidates for k, _ in route.selectors))
        missing = [name for name in names if name not in args]
        if missing:
            code = self.envelope.routing_code("missing_selector")
            raise _Failure(400, code, f"the query parameter {missing[0]} is required")
        given = " or ".join(f"{name} {args[name]!r}" for name in names)
        raise _Failure(404, self.envelope.routing_code("not_found"), f"unknown {given}")

    def _screen(self, route: Route, method: str, raw_path: str, raw_query: str, headers: Mapping[str, str]) -> object:
        """The principal the headers establish (None: not secured), or `_Pending` when the body decides."""
        if not route.secured or self.verifier is None:
            return None
        outcome = self.verifier.screen(method, raw_path, raw_query, headers)
        return _Pending(self.verifier) if outcome is None else _judged(outcome)

    async def _read_body(self, request: Request, headers: Mapping[str, str]) -> bytes:
        try:
            return await read_body(request, self.limits, headers)
        except BodyRefused as refused:
            raise _Failure(refused.status, self.envelope.routing_code(refused.problem), refused.message) from None

    def _params(
        self,
        route: Route,
        specs: tuple[ParamSpec, ...],
        model: Callable[[], type[BaseModel]] | None,
        path: dict[str, str],
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
    ) -> BaseModel | None:
        """The parameters `specs` describe, validated by `model`, or the documented answer to invalid ones."""
        if model is None:
            return None
        values, problems = from_wire(specs, path, query, headers)
        if problems:
            name, problem = problems[0]
            raise _Failure(
                route.invalid_status,
                route.invalid_codes.get("format", route.invalid_codes["default"]),
                f"parameter {name}: {problem}",
            )
        try:
            return model().model_validate(values, by_name=False)
        except ValidationError as exc:
            raise _invalid(route, "parameter", exc) from None

    def _body(self, route: Route, content_type: str, body: bytes) -> object:
        if not route.body:
            return None
        if not body:
            if route.body_required:
                raise _Failure(
                    route.invalid_status,
                    route.invalid_codes.get("missing", route.invalid_codes["default"]),
                    "the request body is required",
                )
            return None
        try:
            decoded = decode_body(content_type or route.body[0].media_type, body, route.body)
        except (ValueError, RecursionError):
            raise _invalid(route, "body", message="the request body is not valid for its media type") from None
        if decoded is None:
            expected = ", ".join(spec.media_type for spec in route.body)
            raise _invalid(route, "body", message=f"expected {expected}, got {content_type or 'nothing'}")
        spec, data = decoded
        try:  # wire names only: a closed schema must not take `message_type` for `MessageType`
            return validated_body(spec, data)
        except ValidationError as exc:
            raise _invalid(route, "body", exc) from None

    def _reply(self, route: Route, result: object, request_id: str) -> Response:
        status, headers = route.success_status, {"X-Request-Id": request_id}
        if isinstance(result, Reply):
            status, headers, result = result.status, {**headers, **result.headers}, result.body
        if result is None:
            return Response(status_code=status, headers=headers)
        if isinstance(result, bytes):
            return Response(result, status_code=status, headers=headers, media_type=route.success_media)
        if isinstance(result, str) and media_encoding(route.success_media or "") == "text":
            return Response(result.encode(), status_code=status, headers=headers, media_type=route.success_media)
        return _json(status, result, headers, route.success_media)

    async def openapi(self, request: Request) -> Response:
        headers = {"X-Request-Id": _request_id()}
        if request.method != "GET":
            code = self.envelope.routing_code("method_not_allowed")
            body = self.envelope.error_body(ErrorContext(headers["X-Request-Id"]), code, "use GET", None)
            return _json(405, body, {**headers, "Allow": "GET"})
        return Response(self.spec_json, media_type="application/json", headers=headers)


def _request_id() -> str:
    """32 random hex digits, as `uuid4().hex` gave them: from Python's generator, not the system's (a system call
    per request, a few percent of a busy server's time); a request id is told apart, never guessed at. A generator
    of its own (`_IDS`), so that code seeding `random` (a test, `pytest-randomly`) does not make ids repeat."""
    return f"{_IDS.getrandbits(128):032x}"


_IDS = random.Random()
"""Seeded from the system when created, and again in a forked child (as `random`'s own is): workers forked from one
process draw different ids."""
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_IDS.seed)


_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")


def _compiled(base_path: str, template: str) -> tuple[re.Pattern[str], list[str]]:
    """The pattern matching raw request paths of `template` under `base_path`, and its placeholders in order (any
    characters but `/` may name one, so they are groups by position, not by name)."""
    parts = _PLACEHOLDER.split(template)
    body = "".join(re.escape(part) if i % 2 == 0 else "([^/]+)" for i, part in enumerate(parts))
    return re.compile("^" + re.escape(base_path) + body + "$"), parts[1::2]


def _json(status: int, body: object, headers: Mapping[str, str], media_type: str | None = None) -> Response:
    """`body` (a model, or any JSON value) as a JSON answer."""
    content = dump_json(body)
    json_type = media_type if media_type and media_encoding(media_type) == "json" else "application/json"
    return Response(content, status_code=status, headers=dict(headers), media_type=json_type)


class ApiApp(Starlette):
    """The Starlette app of one API: its two routes (the spec, everything else) served directly.

    Starlette's routing and middleware stack cost a request more than some handlers do, and nothing in them
    changes what the API answers (`_Api` answers every path and method, and every failure, itself). So while the
    app is as built, a request goes straight to the API; once middleware or routes are added (`add_middleware`,
    `mount`, `router.routes`), every request takes Starlette's way, which serves the same routes."""

    def __init__(self, api: _Api) -> None:
        super().__init__(
            routes=[
                StarletteRoute("/openapi.json", AnyMethod(api.openapi)),
                StarletteRoute("/{path:path}", AnyMethod(api.handle)),
            ]
        )
        # Starlette's `{path:path}` cannot match a decoded path holding a line break (`%0A`); such requests must
        # get the vendor's 404 too, not Starlette's plain-text one.
        self.router.default = request_response(api.handle)
        self._api = api
        self._as_built = (list(self.router.routes), self.router.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        router = self.router
        if scope["type"] != "http" or self.user_middleware or (router.routes, router.default) != self._as_built:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        request = Request(scope, receive)
        answer = self._api.openapi if _route_path(scope) == "/openapi.json" else self._api.handle
        response = await answer(request)
        await response(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path below the app's root path, as Starlette's routes match it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and (path == root or path[len(root)] == "/"):
        return path[len(root) :]
    return path


def build_app(
    *,
    routes: Sequence[Route],
    handlers: object,
    envelope: ServerEnvelope,
    spec_json: bytes,
    verifier: Verifier | None = None,
    base_path: str = "",
    limits: Limits = DEFAULT_LIMITS,
) -> Starlette:
    """An ASGI app serving `routes` under `base_path` (the path of the spec's server URL) with `handlers`, the spec
    at /openapi.json, and everything else answered, whatever the method (a method no operation takes gets the
    envelope's 405 with the path's `Allow`, not the framework's)."""
    return ApiApp(_Api(routes, handlers, envelope, spec_json, verifier, base_path, limits))
