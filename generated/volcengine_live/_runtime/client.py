# Vendored by streamspec (runtime module client); do not edit.
"""HTTP runtime under every generated client: request building, retries, error mapping, raw responses.

Generated methods stay thin (path/query/headers/body in, parsed model out); everything that must behave the same
for every API lives here, after openai-python's ``_base_client.py``: exponential backoff with jitter that honours
``Retry-After``, a fresh request per attempt so ``httpx.Auth`` re-signs it, typed errors that carry the response,
and raw-response access. Only the standard library and httpx are used because the module is vendored verbatim.

The request loop is written once as pure steps (``_Call``); the sync and async clients only drive the I/O.

Sending: a client that creates its own ``httpx.Client`` (no ``http_client`` given, with or without a
``transport``) sends each request straight to that client's transport (``_Direct``), doing itself the little of
``httpx.Client.send`` such a client needs: the same headers, timeout and cookie jar, its auth flow (which signs),
no redirects followed (a 3xx keeps its ``next_request``), ``elapsed`` set, the response read. The wire request is
byte for byte the one ``httpx.Client`` would send; skipped is only the generic machinery (URL merging, event hooks,
redirect handling) that such a client never uses. An ``http_client`` the caller passes keeps all of its own
behaviour (event hooks, proxies, auth, base URL, redirects...): requests go through its ``send``.
"""

from __future__ import annotations

import asyncio
import email.utils
import enum
import logging
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache
from types import TracebackType
from typing import Any, Final, Generic, Self, TypeVar
from urllib.parse import quote

import httpx

from .envelope import ErrorDetail, ErrorEnvelope
from .json_text import write_json
from .params import EncodedSegment
from .receiving import receiving

__all__ = [
    "MISSING",
    "SECURITY_EXTENSION",
    "APIConnectionError",
    "APIError",
    "APIRequestValidationError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAPIClient",
    "MaskedHeaders",
    "Operation",
    "RequestOptions",
    "RetryPolicy",
    "SyncAPIClient",
    "is_credential_header",
]

T = TypeVar("T")

_log = logging.getLogger("streamspec.client")
_httpx_log = logging.getLogger("httpx")

SECURITY_EXTENSION: Final = "streamspec.security"
"""Request extension holding the operation's security requirements (`Operation.security`) for the auth flow."""

_RUNTIME_VERSION: Final = "0.1.0"
_USER_AGENT: Final = f"streamspec-client/{_RUNTIME_VERSION} python-httpx/{httpx.__version__}"
_MAX_RETRY_AFTER: Final = 60.0
"""Longest server-requested wait we honour, so a bad header cannot park a caller for hours."""
_CREDENTIAL_HEADER: Final = re.compile(
    r"auth|token|secret|signature|password|passwd|credential|session|cookie|api[-_]?key|access[-_]?key", re.IGNORECASE
)
"""Header names that carry a credential (Authorization, X-Auth-Token, X-Security-Token, X-Api-Key, Cookie ...)."""
_UNEXPECTED_STATUS: Final = "UnexpectedStatus"


class _Missing(enum.Enum):
    MISSING = enum.auto()


MISSING: Final = _Missing.MISSING
"""Default of ``json_body``: distinguishes "no body" from a JSON ``null`` body."""


# --------------------------------------------------------------------------- errors


class APIError(Exception):
    """Base of everything the client raises, so callers can catch a single type."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(APIError):
    """No response arrived (DNS, refused, reset, TLS, ...); wraps the httpx exception as ``__cause__``."""

    request: httpx.Request

    def __init__(self, *, request: httpx.Request, message: str = "Connection error.") -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out; separate so callers can tell slowness from unreachability."""

    def __init__(self, *, request: httpx.Request, message: str = "Request timed out.") -> None:
        super().__init__(request=request, message=message)


class APIStatusError(APIError):
    """The server answered with an error: a non-success status or an error envelope inside a 2xx body.

    Generated packages subclass it per documented status (``Operation.errors``); the subclasses keep this
    constructor so the runtime can raise any of them.
    """

    status_code: int
    code: str
    request_id: str | None
    response: httpx.Response
    body: object

    def __init__(
        self, *, response: httpx.Response, code: str, message: str, request_id: str | None, body: object
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.code = code
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        text = f"{self.status_code} {self.code}: {self.message}"
        return text if self.request_id is None else f"{text} (request id {self.request_id})"


class APIRequestValidationError(APIError, ValueError):
    """What a caller passed does not match the spec: raised before anything is sent, naming the operation and each
    field (`errors`: (field, problem) pairs, fields as dotted wire names under `body` or a parameter's name)."""

    operation: str
    errors: tuple[tuple[str, str], ...]

    def __init__(self, operation: str, errors: Sequence[tuple[str, str]]) -> None:
        self.operation = operation
        self.errors = tuple(errors)
        listed = "; ".join(f"{field}: {problem}" for field, problem in self.errors)
        super().__init__(f"{operation}: invalid request: {listed}")


class APIResponseValidationError(APIError):
    """A success response that does not match the spec: raised by ``parse()`` with ``strict_responses=True`` for any
    difference, and without it only for what cannot be kept as received (a body that is not JSON, a required field
    missing). The response and request id come with it; ``__cause__`` is the validation error."""

    response: httpx.Response
    status_code: int
    request_id: str | None
    body: object

    def __init__(self, *, response: httpx.Response, request_id: str | None, message: str) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.request_id = request_id
        self.body = _body_of(response)

    def __str__(self) -> str:
        text = f"{self.status_code} response does not match the spec: {self.message}"
        return text if self.request_id is None else f"{text} (request id {self.request_id})"


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before re-sending an idempotent request."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    retry_statuses: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.initial_delay < 0 or self.max_delay < 0 or not 0 <= self.jitter <= 1:
            raise ValueError(f"invalid {self!r}: counts and delays must be >= 0 and jitter within [0, 1]")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt`` (0 for the first retry).

        A server-sent ``retry_after`` wins, clamped to [0, 60] s. Otherwise ``initial_delay * 2**attempt`` capped
        at ``max_delay``, reduced by up to ``jitter`` of itself at random so that clients do not retry in lockstep.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), _MAX_RETRY_AFTER)
        base = min(self.initial_delay * 2.0 ** min(max(attempt, 0), 64), self.max_delay)
        return base * (1.0 - self.jitter * random.random())


_DEFAULT_RETRY: Final = RetryPolicy()


@dataclass(frozen=True)
class RequestOptions:
    """Per-call overrides; ``None`` means "use the client's setting"."""

    timeout: float | httpx.Timeout | None = None
    max_retries: int | None = None
    extra_headers: Mapping[str, str] | None = None


_NO_OPTIONS: Final = RequestOptions()


@dataclass(frozen=True)
class Operation:
    """Static description of one API operation, emitted by the generator as a module constant."""

    operation_id: str
    method: str
    path: str
    idempotent: bool
    errors: Mapping[int, type[APIStatusError]]
    success_statuses: frozenset[int]
    base_error: type[APIStatusError] = APIStatusError
    """The API's base error: raised for a status the spec does not document, and for an error envelope inside a
    success status (an error in a 200)."""
    security: tuple[tuple[str, ...], ...] = ()
    """The spec's security requirements: alternatives, each the schemes it needs together (see `auth.SchemeAuth`)."""
    success_classes: frozenset[int] = frozenset()
    """Status classes documented as successes (`2` for `2XX`, or for a `default` that is the only success)."""

    def is_success(self, status: int) -> bool:
        return status in self.success_statuses or status // 100 in self.success_classes


# --------------------------------------------------------------------------- responses


class APIResponse(Generic[T]):
    """What came back, with the typed body parsed only when asked for (and then cached)."""

    http_response: httpx.Response
    retries_taken: int

    def __init__(
        self,
        *,
        http_response: httpx.Response,
        parse: Callable[[httpx.Response], T],
        retries_taken: int = 0,
        request_id: str | None = None,
        operation: str = "",
        strict: bool = False,
    ) -> None:
        self.http_response = http_response
        self.retries_taken = retries_taken
        self._parser = parse
        self._request_id = request_id
        self._operation = operation
        self._strict = strict
        self._parsed: tuple[T] | None = None

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The vendor's request id, as the error envelope locates it (header or body)."""
        return self._request_id

    def parse(self) -> T:
        """The typed body. Tolerant unless the client is strict: a value the spec does not allow (an unknown enum
        value or field, a value out of its range or length) is kept as received with a warning logged; what cannot
        be kept raises ``APIResponseValidationError``, as any difference does in strict mode."""
        if self._parsed is None:
            try:
                with receiving(self._operation, strict=self._strict):
                    self._parsed = (self._parser(self.http_response),)
            except ValueError as exc:  # pydantic's ValidationError and JSON's decoding errors are ValueErrors
                raise APIResponseValidationError(
                    response=self.http_response, request_id=self._request_id, message=f"{self._operation}: {exc}"
                ) from exc
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] retries_taken={self.retries_taken}>"


# --------------------------------------------------------------------------- pure request steps

_PLACEHOLDER: Final = re.compile(r"\{([^{}]+)\}")


def _encode_segment(name: str, value: str) -> str:
    """Percent-encode one path parameter so it stays exactly one segment (one its style has already encoded, such
    as `.a.b` or `;id=5`, is sent as it is).

    Empty values and dot segments are refused or escaped because URL normalisation would otherwise turn
    ``/callbacks/{id}`` into a different endpoint (``/callbacks/`` or the parent resource).
    """
    text = str(value)
    if not text:
        raise ValueError(f"path parameter {name!r} must not be empty")
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return text if isinstance(value, EncodedSegment) else quote(text, safe="")


@lru_cache(maxsize=1024)
def _placeholders(path: str) -> tuple[str, ...]:
    """The parameter names of a path template (cached: an operation's template never changes)."""
    return tuple(_PLACEHOLDER.findall(path))


def _render_path(op: Operation, params: Mapping[str, str]) -> str:
    names = _placeholders(op.path)
    if not names and not params:
        return op.path
    missing = [name for name in names if name not in params]
    unknown = sorted(set(params) - set(names))
    if missing or unknown:
        raise ValueError(f"{op.operation_id}: missing path parameters {missing}, unknown {unknown}")
    return _PLACEHOLDER.sub(lambda match: _encode_segment(match[1], params[match[1]]), op.path)


def _render_query(pairs: Sequence[tuple[str, str]]) -> str:
    """Encode pairs ourselves: httpx.QueryParams groups repeated keys, losing the caller's order."""
    return _encoded_query(tuple(pairs)) if pairs else ""


@lru_cache(maxsize=1024)
def _encoded_query(pairs: tuple[tuple[str, str], ...]) -> str:
    """(Cached: most calls repeat their query, such as an API's Action and Version, and quoting costs more than the
    look-up.)"""
    return "?" + "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``Retry-After`` given as delta-seconds or an HTTP-date; ``None`` when absent or unreadable."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000" zones parse as naive; HTTP-dates are always GMT
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - time.time()
    return seconds if math.isfinite(seconds) else None


def is_credential_header(name: str) -> bool:
    """Whether a header's value is a secret: never shown in logs, reprs or exceptions."""
    return _CREDENTIAL_HEADER.search(name) is not None


def _redact(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(key, "[redacted]" if is_credential_header(key) else value) for key, value in headers.multi_items()]


class MaskedHeaders(httpx.Headers):
    """Headers whose repr masks every credential header (httpx's own masks only Authorization)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_redact(self)!r})"


def _masked(request: httpx.Request) -> httpx.Request:
    """`request` with headers that never show a credential when printed, kept on the errors raised for it."""
    if not isinstance(request.headers, MaskedHeaders):
        request.headers = MaskedHeaders(request.headers)
    return request


def _body_of(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return response.text


@dataclass(slots=True)
class _Call(Generic[T]):
    """One prepared call: everything the request loop decides, free of I/O so both clients share it."""

    op: Operation
    parse: Callable[[httpx.Response], T]
    url: str
    headers: httpx.Headers
    content: bytes | None
    timeout: float | httpx.Timeout
    max_retries: int
    policy: RetryPolicy
    envelope: ErrorEnvelope
    strict: bool

    def build(self, client: httpx.Client | httpx.AsyncClient, attempt: int) -> httpx.Request:
        """A fresh request per attempt: the auth flow then signs it anew (new date, nonce, signature)."""
        _log.debug("%s %s (%s, attempt %d)", self.op.method, self.url, self.op.operation_id, attempt + 1)
        return client.build_request(
            self.op.method,
            self.url,
            headers=self.headers,
            content=self.content,
            timeout=self.timeout,
            extensions={SECURITY_EXTENSION: self.op.security},
        )

    def build_direct(self, direct: _Direct, attempt: int) -> httpx.Request:
        """`build` for a client that sends directly (`_Direct`): the request `httpx.Client.build_request` makes,
        without its generic merging (the headers already hold the client's own, see `_Direct.headers`)."""
        _log.debug("%s %s (%s, attempt %d)", self.op.method, self.url, self.op.operation_id, attempt + 1)
        timeout = direct.timeout if self.timeout is direct.configured_timeout else httpx.Timeout(self.timeout).as_dict()
        extensions = {SECURITY_EXTENSION: self.op.security, "timeout": timeout}
        cookies = direct.client.cookies
        if cookies:  # httpx adds the Cookie header from the jar
            return httpx.Request(
                self.op.method,
                _absolute_url(self.url),
                headers=self.headers,
                cookies=cookies,
                content=self.content,
                extensions=extensions,
            )
        return _request(self.op.method, _absolute_url(self.url), self.headers, self.content, extensions)

    def on_transport_error(self, attempt: int, request: httpx.Request, exc: httpx.RequestError) -> float:
        """The delay before retrying, or raise the connection/timeout error if no retry is allowed.

        Only transport errors are retried; httpx's other request errors (decoding, redirects) are wrapped but final.
        """
        if _log.isEnabledFor(logging.DEBUG):  # redacting the headers is the costly part: only when shown
            _log.debug("%s %s failed: %r; headers=%s", request.method, request.url, exc, _redact(request.headers))
        if isinstance(exc, httpx.TransportError) and self._may_retry(attempt):
            return self._delay(attempt, None)
        error = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        raise error(request=_masked(request), message=f"{self.op.operation_id}: {type(exc).__name__}: {exc}") from exc

    def on_response(self, attempt: int, response: httpx.Response) -> APIResponse[T] | float:
        """The result, the delay before retrying, or raise the status error.

        A 2xx counts as success only if the operation lists it; an unlisted one raises ``APIStatusError`` with
        code ``UnexpectedStatus`` (the spec and the server disagree, so the body cannot be trusted to parse).
        """
        status = response.status_code
        request = response.request
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s %s -> %d; request headers=%s", request.method, request.url, status, _redact(request.headers))
        if self.op.is_success(status):
            detail = self.envelope.parse_error(response)
            if detail is None:
                return APIResponse(
                    http_response=response,
                    parse=self.parse,
                    retries_taken=attempt,
                    request_id=self.envelope.request_id(response),
                    operation=self.op.operation_id,
                    strict=self.strict,
                )
            raise self._status_error(response, detail)
        if status in self.policy.retry_statuses and self._may_retry(attempt):
            return self._delay(attempt, _retry_after(response.headers))
        raise self._status_error(response, self.envelope.parse_error(response))

    def _may_retry(self, attempt: int) -> bool:
        return self.op.idempotent and attempt < self.max_retries

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        delay = self.policy.delay(attempt, retry_after)
        _log.debug("%s: retry %d of %d in %.3fs", self.op.operation_id, attempt + 1, self.max_retries, delay)
        return delay

    def _status_error(self, response: httpx.Response, detail: ErrorDetail | None) -> APIStatusError:
        _masked(response.request)
        if detail is None:
            classes = [f"{c}XX" for c in sorted(self.op.success_classes)]
            expected = ", ".join([*(str(status) for status in sorted(self.op.success_statuses)), *classes])
            detail = ErrorDetail(
                code=_UNEXPECTED_STATUS,
                message=f"{self.op.operation_id} returned {response.status_code}; expected {expected}",
                request_id=self.envelope.request_id(response),
            )
        error = self.op.base_error
        if not self.op.is_success(response.status_code):
            error = self.op.errors.get(response.status_code, self.op.base_error)
        return error(
            response=response,
            code=detail.code,
            message=detail.message,
            request_id=detail.request_id,
            body=_body_of(response),
        )


# --------------------------------------------------------------------------- sending directly


@lru_cache(maxsize=512)
def _absolute_url(url: str) -> httpx.URL:
    """The parsed URL, cached: parsing is a large part of building a request, and most calls repeat their URL (an
    `httpx.URL` is immutable; an auth flow that changes a request's URL assigns a new one)."""
    return httpx.URL(url)


def _request(
    method: str, url: httpx.URL, headers: httpx.Headers, content: bytes | None, extensions: dict[str, Any]
) -> httpx.Request:
    """`httpx.Request(method, url, headers=headers, content=content, extensions=extensions)` built for less: the
    headers httpx adds to the caller's are added here in one go (`Request._prepare` adds them one by one, looking each
    up, then rebuilds the headers): Host first unless given; then Content-Length, after the others for a body, first
    (after Host) as 0 for an empty POST, PUT or PATCH; each unless given (the 0 also unless Transfer-Encoding is)."""
    body = content or b""
    names = {lower for _, lower, _ in headers._list}  # (`name in headers` decodes every name to compare)
    first: list[tuple[bytes, bytes]] = []
    length = None
    if b"host" not in names and url.host:
        first.append((b"Host", url.netloc))
    if b"content-length" not in names:
        if body:
            length = str(len(body)).encode()
        elif b"transfer-encoding" not in names and method.upper() in ("POST", "PUT", "PATCH"):
            first.append((b"Content-Length", b"0"))
    wire = headers
    if first:
        wire = httpx.Headers([*first, *headers.raw])
    elif length is not None:
        wire = httpx.Headers(headers)  # a copy: the caller's stay as they are
    if length is not None:  # what `wire["Content-Length"] = ...` does for a name known to be absent
        wire._list.append((b"Content-Length", b"content-length", length))
    request = httpx.Request(method, url, headers=wire, stream=httpx.ByteStream(body), extensions=extensions)
    request.read()  # as httpx does for a body given whole: `content` is there for the signer
    return request


_SET_COOKIE: Final = frozenset({b"set-cookie", b"set-cookie2"})
"""The response headers `Cookies.extract_cookies` reads, by their lower-case names (kept by `httpx.Headers` as
bytes: looked up without decoding every name as `Headers.keys()` does)."""


class _Direct:
    """What a client that owns its `httpx.Client` needs to send without that client's `send` (see the module
    docstring): the client (its cookie jar and state), the headers it would merge in, its timeout, its transport for
    the base URL and the auth flow `send` would pick."""

    def __init__(
        self,
        client: httpx.Client | httpx.AsyncClient,
        base_url: str,
        default_headers: httpx.Headers,
        auth: httpx.Auth | None,
        timeout: float | httpx.Timeout,
    ) -> None:
        self.client = client
        url = httpx.URL(base_url)
        headers = httpx.Headers(client.headers)
        headers.update(default_headers)
        if "Host" not in headers and url.host:  # every request goes to the base URL's origin
            headers = httpx.Headers([(b"Host", url.netloc), *headers.raw])
        self.headers = headers
        """Host, the client's headers, then ours: what `Client.build_request` merges, with the Host `httpx.Request`
        adds first (same names, values, order; a Host a call gives replaces it, where `httpx.Request` puts it)."""
        self.configured_timeout = timeout
        self.timeout = httpx.Timeout(timeout).as_dict()
        # Every request goes to the base URL's origin, so the proxy mounts pick the same transport for all of them.
        self.transport: Any = client._transport_for_url(url)
        self.auth = auth
        if auth is None and (url.username or url.password):  # as `Client.send` does for credentials in the URL
            self.auth = httpx.BasicAuth(url.username, url.password)
        self.sign: Callable[[httpx.Request], None] | None = getattr(self.auth, "direct_sign", None)
        """The signer's `sign` when its auth flow only signs (`signing.SigningAuth.direct_sign`): called directly."""

    @staticmethod
    def usable(client: httpx.Client | httpx.AsyncClient, base_url: str) -> bool:
        """Whether requests can skip `client.send`: a client configured as this runtime creates its own (no base
        URL, hooks, client auth, params or redirects) and an absolute base URL."""
        hooks = client.event_hooks
        return (
            not httpx.URL(base_url).is_relative_url
            and not str(client.base_url)
            and not (hooks["request"] or hooks["response"])
            and client.auth is None
            and not client.params
            and not client.follow_redirects
            and hasattr(client, "_transport_for_url")
        )

    def check_open(self) -> None:
        if self.client.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")

    def received(self, request: httpx.Request, response: httpx.Response, started: float) -> None:
        """What `Client._send_single_request` does with a response: bind the request, keep cookies, log."""
        response.request = request
        if any(item[1] in _SET_COOKIE for item in response.headers._list):  # nothing else makes the jar change
            self.client.cookies.extract_cookies(response)
        if _httpx_log.isEnabledFor(logging.INFO):
            _httpx_log.info(
                'HTTP Request: %s %s "%s %d %s"',
                request.method,
                request.url,
                response.http_version,
                response.status_code,
                response.reason_phrase,
            )

    def unfollowed(self, request: httpx.Request, response: httpx.Response) -> None:
        """A redirect is not followed (as in `httpx.Client` by default) but described, as it describes it."""
        if response.has_redirect_location:
            response.next_request = self.client._build_redirect_request(request, response)

    def sent(self, response: httpx.Response, started: float) -> None:
        response.elapsed = timedelta(seconds=time.perf_counter() - started)


def _attach(exc: httpx.RequestError, request: httpx.Request) -> None:
    exc.request = request  # as httpx's `request_context` does


def _send_direct(direct: _Direct, request: httpx.Request) -> httpx.Response:
    """`httpx.Client.send(request)` for a client `_Direct.usable` accepts: the same exchange with its transport."""
    direct.check_open()
    transport: httpx.BaseTransport = direct.transport
    if direct.auth is None:
        return _exchange(direct, transport, request)
    if direct.sign is not None:  # the flow's steps without its generators
        request.read()
        direct.sign(request)
        return _exchange(direct, transport, request)
    flow = direct.auth.sync_auth_flow(request)
    history: list[httpx.Response] = []
    try:
        request = next(flow)
        while True:
            response = _exchange(direct, transport, request)
            try:
                try:
                    next_request = flow.send(response)
                except StopIteration:
                    return response
                response.history = list(history)
                response.read()
                request = next_request
                history.append(response)
            except BaseException:
                response.close()
                raise
    finally:
        flow.close()


def _exchange(direct: _Direct, transport: httpx.BaseTransport, request: httpx.Request) -> httpx.Response:
    started = time.perf_counter()
    try:
        response = transport.handle_request(request)
    except httpx.RequestError as exc:
        _attach(exc, request)
        raise
    direct.received(request, response, started)
    try:
        direct.unfollowed(request, response)
        _read(response)
    except BaseException:
        response.close()
        raise
    direct.sent(response, started)
    return response


def _read(response: httpx.Response) -> None:
    """`response.read()`; a body sent as is (no Content-Encoding: nothing to decode) is taken from the transport's
    stream in one join, without the decoder, chunkers and generators httpx's reading passes it through (over half
    the time reading a small answer takes). The response ends up as `read()` leaves it: content, bytes counted,
    stream closed; errors carry the request as httpx's `request_context` makes them."""
    stream = response.stream
    if not isinstance(stream, httpx.SyncByteStream) or not _unread_plain(response):
        response.read()
        return
    response.is_stream_consumed = True
    try:
        _read_as(response, b"".join(stream))
        stream.close()
    except httpx.RequestError as exc:
        _attach(exc, response.request)
        raise


async def _aread(response: httpx.Response) -> None:
    """`_read` for an async transport's response."""
    stream = response.stream
    if not isinstance(stream, httpx.AsyncByteStream) or not _unread_plain(response):
        await response.aread()
        return
    response.is_stream_consumed = True
    try:
        _read_as(response, b"".join([part async for part in stream]))
        await stream.aclose()
    except httpx.RequestError as exc:
        _attach(exc, response.request)
        raise


def _unread_plain(response: httpx.Response) -> bool:
    """Whether the body is still to be read and was sent without a Content-Encoding."""
    return (
        not response.is_stream_consumed
        and not response.is_closed
        and not any(item[1] == b"content-encoding" for item in response.headers._list)
    )


def _read_as(response: httpx.Response, content: bytes) -> None:
    """What `read()` records of a body it read: the content, the bytes downloaded, the response closed (its stream is
    closed next, as `close()` does it)."""
    response._content = content
    response._num_bytes_downloaded = len(content)
    response.is_closed = True


async def _send_direct_async(direct: _Direct, request: httpx.Request) -> httpx.Response:
    """`_send_direct` for `httpx.AsyncClient`."""
    direct.check_open()
    transport: httpx.AsyncBaseTransport = direct.transport
    if direct.auth is None:
        return await _exchange_async(direct, transport, request)
    if direct.sign is not None:  # the flow's steps without its generators
        await request.aread()
        direct.sign(request)
        return await _exchange_async(direct, transport, request)
    flow = direct.auth.async_auth_flow(request)
    history: list[httpx.Response] = []
    try:
        request = await flow.__anext__()
        while True:
            response = await _exchange_async(direct, transport, request)
            try:
                try:
                    next_request = await flow.asend(response)
                except StopAsyncIteration:
                    return response
                response.history = list(history)
                await response.aread()
                request = next_request
                history.append(response)
            except BaseException:
                await response.aclose()
                raise
    finally:
        await flow.aclose()


async def _exchange_async(
    direct: _Direct, transport: httpx.AsyncBaseTransport, request: httpx.Request
) -> httpx.Response:
    started = time.perf_counter()
    try:
        response = await transport.handle_async_request(request)
    except httpx.RequestError as exc:
        _attach(exc, request)
        raise
    direct.received(request, response, started)
    try:
        direct.unfollowed(request, response)
        await _aread(response)
    except BaseException:
        await response.aclose()
        raise
    direct.sent(response, started)
    return response


# --------------------------------------------------------------------------- clients


class _BaseAPIClient:
    """Configuration and request preparation shared by the sync and async clients."""

    def __init__(
        self,
        *,
        base_url: str,
        envelope: ErrorEnvelope,
        auth: httpx.Auth | None,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy,
        default_headers: Mapping[str, str] | None,
        strict_responses: bool,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._strict_responses = strict_responses
        self._envelope = envelope
        self._auth = auth
        self._timeout = timeout
        self._retry = retry
        self._default_headers = httpx.Headers({"User-Agent": _USER_AGENT, "Accept": "application/json"})
        self._default_headers.update(default_headers or {})
        self._request_headers = self._default_headers
        """What every request's headers start from: with `_direct`, the client's headers merged in already."""
        self._direct: _Direct | None = None

    def _send_directly(self, client: httpx.Client | httpx.AsyncClient) -> None:
        """Send through `client`'s transport without its `send` (the client is ours; see the module docstring)."""
        if _Direct.usable(client, self._base_url):
            self._direct = _Direct(client, self._base_url, self._default_headers, self._auth, self._timeout)
            self._request_headers = self._direct.headers

    def _prepare(
        self,
        op: Operation,
        parse: Callable[[httpx.Response], T],
        *,
        path_params: Mapping[str, str] | None,
        query: Sequence[tuple[str, str]] | None,
        headers: Mapping[str, str] | None,
        json_body: object,
        options: RequestOptions | None,
        encoded_body: tuple[str, bytes] | None = None,
    ) -> _Call[T]:
        options = options or _NO_OPTIONS
        merged = httpx.Headers(self._request_headers)
        content: bytes | None = None
        if json_body is not MISSING:
            content = write_json(json_body)
            merged["Content-Type"] = "application/json"
        elif encoded_body is not None:
            merged["Content-Type"], content = encoded_body
        if headers:
            merged.update(headers)
        if options.extra_headers:
            merged.update(options.extra_headers)
        max_retries = self._retry.max_retries if options.max_retries is None else options.max_retries
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        return _Call(
            op=op,
            parse=parse,
            url=self._base_url + _render_path(op, path_params or {}) + _render_query(query or ()),
            headers=merged,
            content=content,
            timeout=self._timeout if options.timeout is None else options.timeout,
            max_retries=max_retries,
            policy=self._retry,
            envelope=self._envelope,
            strict=self._strict_responses,
        )


def _check_client_args(transport: object, http_client: object) -> None:
    if transport is not None and http_client is not None:
        raise ValueError("pass either transport or http_client, not both (configure the transport on the client)")


class SyncAPIClient(_BaseAPIClient):
    """Blocking client. Closes the ``httpx.Client`` it creates, never one passed in.

    ``timeout`` applies to every request, also through a passed-in ``http_client``; ``sleep`` is injectable so
    tests can record backoff instead of waiting. ``strict_responses`` makes any difference between a success
    response and the spec raise ``APIResponseValidationError`` (default: tolerated, see ``APIResponse.parse``).
    """

    def __init__(
        self,
        *,
        base_url: str,
        envelope: ErrorEnvelope,
        auth: httpx.Auth | None = None,
        timeout: float | httpx.Timeout = 60.0,
        retry: RetryPolicy = _DEFAULT_RETRY,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        strict_responses: bool = False,
    ) -> None:
        _check_client_args(transport, http_client)
        super().__init__(
            base_url=base_url,
            envelope=envelope,
            auth=auth,
            timeout=timeout,
            retry=retry,
            default_headers=default_headers,
            strict_responses=strict_responses,
        )
        self._owns_client = http_client is None
        self._client = http_client if http_client is not None else httpx.Client(transport=transport, timeout=timeout)
        if self._owns_client:
            self._send_directly(self._client)
        self._sleep = sleep

    def request(
        self,
        op: Operation,
        parse: Callable[[httpx.Response], T],
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: object = MISSING,
        options: RequestOptions | None = None,
        encoded_body: tuple[str, bytes] | None = None,
    ) -> APIResponse[T]:
        """Send ``op``, retrying as the policy allows; raise an ``APIError`` or return the raw response."""
        call = self._prepare(
            op,
            parse,
            path_params=path_params,
            query=query,
            headers=headers,
            json_body=json_body,
            options=options,
            encoded_body=encoded_body,
        )
        attempt = 0
        outcome: APIResponse[T] | float
        direct = self._direct
        while True:
            request = call.build(self._client, attempt) if direct is None else call.build_direct(direct, attempt)
            try:
                if direct is None:
                    response = self._client.send(request, auth=self._auth or httpx.USE_CLIENT_DEFAULT)
                else:
                    response = _send_direct(direct, request)
            except httpx.RequestError as exc:
                outcome = call.on_transport_error(attempt, request, exc)
            else:
                outcome = call.on_response(attempt, response)
            if isinstance(outcome, APIResponse):
                return outcome
            self._sleep(outcome)
            attempt += 1

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncAPIClient(_BaseAPIClient):
    """Asyncio twin of ``SyncAPIClient``; the retry and error logic is the same ``_Call``."""

    def __init__(
        self,
        *,
        base_url: str,
        envelope: ErrorEnvelope,
        auth: httpx.Auth | None = None,
        timeout: float | httpx.Timeout = 60.0,
        retry: RetryPolicy = _DEFAULT_RETRY,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        strict_responses: bool = False,
    ) -> None:
        _check_client_args(transport, http_client)
        super().__init__(
            base_url=base_url,
            envelope=envelope,
            auth=auth,
            timeout=timeout,
            retry=retry,
            default_headers=default_headers,
            strict_responses=strict_responses,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client if http_client is not None else httpx.AsyncClient(transport=transport, timeout=timeout)
        )
        if self._owns_client:
            self._send_directly(self._client)
        self._sleep = sleep

    async def request(
        self,
        op: Operation,
        parse: Callable[[httpx.Response], T],
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: object = MISSING,
        options: RequestOptions | None = None,
        encoded_body: tuple[str, bytes] | None = None,
    ) -> APIResponse[T]:
        """Send ``op``, retrying as the policy allows; raise an ``APIError`` or return the raw response."""
        call = self._prepare(
            op,
            parse,
            path_params=path_params,
            query=query,
            headers=headers,
            json_body=json_body,
            options=options,
            encoded_body=encoded_body,
        )
        attempt = 0
        outcome: APIResponse[T] | float
        direct = self._direct
        while True:
            request = call.build(self._client, attempt) if direct is None else call.build_direct(direct, attempt)
            try:
                if direct is None:
                    response = await self._client.send(request, auth=self._auth or httpx.USE_CLIENT_DEFAULT)
                else:
                    response = await _send_direct_async(direct, request)
            except httpx.RequestError as exc:
                outcome = call.on_transport_error(attempt, request, exc)
            else:
                outcome = call.on_response(attempt, response)
            if isinstance(outcome, APIResponse):
                return outcome
            await self._sleep(outcome)
            attempt += 1

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
