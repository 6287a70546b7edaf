# Vendored by streamspec (runtime module envelope); do not edit.
"""Error envelopes: how an API spells its errors and request ids, for the client (parsing) and the server (answering).

The client and server runtimes only ever talk to the two Protocols here; a profile supplies its vendor's envelopes
(`_runtime/<profile>/envelope.py`). `JsonErrorEnvelope` and `PlainServerEnvelope` serve APIs that select no vendor:
errors in the shapes JSON APIs commonly document, RFC 9457 problem details included. Nothing here needs more than
httpx, so a client never imports a server framework.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from .json_text import read_json, read_json_plain

__all__ = [
    "ErrorContext",
    "ErrorDetail",
    "ErrorEnvelope",
    "JsonErrorEnvelope",
    "PlainServerEnvelope",
    "ServerEnvelope",
    "as_text",
    "error_detail",
    "json_object",
    "response_json",
]

# --------------------------------------------------------------------------- client side


@dataclass(frozen=True)
class ErrorDetail:
    """The error triple an ``ErrorEnvelope`` extracts from a response."""

    code: str
    message: str
    request_id: str | None


class ErrorEnvelope(Protocol):
    """How an API reports errors and request ids: the client asks this, never which API it talks to."""

    def parse_error(self, response: httpx.Response) -> ErrorDetail | None:
        """Status >= 400: always a detail (fallback: code = status, message = raw text).

        2xx: a detail only when the body carries an error (error-in-200), else ``None``.
        """
        ...

    def request_id(self, response: httpx.Response) -> str | None:
        """The request id for support tickets, on success and error responses alike."""
        ...


def json_object(response: httpx.Response) -> dict[str, object] | None:
    """The body as a JSON object, or ``None`` when it is not one (HTML error pages, empty bodies, lists).

    Read as ``response.json()`` reads it, decoded once per response (an envelope asks for the error and the request
    id, the parser for the body: see `response_json`); the answer is kept in the response's extensions, read-only
    for its callers."""
    content = response.content
    kept = response.extensions.get(_JSON_OBJECT)
    if kept is not None and kept[0] is content:  # the same body (an extensions dict could be shared)
        return kept[1]  # type: ignore[no-any-return]
    shared = _shared(response)
    if shared is not None:
        data = shared[0]
    else:
        try:
            data = response.json()
        except ValueError:  # JSONDecodeError and UnicodeDecodeError both derive from it
            data = None
    found = data if isinstance(data, dict) else None
    response.extensions[_JSON_OBJECT] = (content, found)
    return found


def response_json(response: httpx.Response) -> Any:
    """The body as `read_json` reads it (raising ValueError as it does), for the response's parser: the envelope's
    decoding when it is the same value (`read_json_plain`), else a decoding of its own."""
    shared = _shared(response)
    return shared[0] if shared is not None else read_json(response.content)


def _shared(response: httpx.Response) -> tuple[Any] | None:
    """The body decoded for both `response.json()` and `read_json` readers, or None when they read it differently
    (or it is not JSON); decoded once per response."""
    content = response.content
    kept = response.extensions.get(_SHARED_JSON)
    if kept is not None and kept[0] is content:
        return kept[1]  # type: ignore[no-any-return]
    try:
        shared: tuple[Any] | None = (read_json_plain(content),)
    except ValueError:
        shared = None
    response.extensions[_SHARED_JSON] = (content, shared)
    return shared


_SHARED_JSON = "streamspec.shared_json"
_JSON_OBJECT = "streamspec.json_object"


def as_text(value: object) -> str:
    """Envelope fields may be null or numbers; callers want a string and treat "" as absent."""
    return "" if value is None else str(value)


def error_detail(response: httpx.Response, code: str, message: object, request_id: str | None) -> ErrorDetail:
    """The envelope's code and message as sent, an empty message too when there is a code.

    Fallbacks: the status for a missing code; the raw text for a missing message (or an empty one without a code).
    """
    text = None if message is None else as_text(message)
    if text is None or not (code or text):
        text = response.text
    return ErrorDetail(code=code or str(response.status_code), message=text, request_id=request_id)


CODE_FIELDS = ("code", "error_code", "errorCode", "error", "type", "status")
"""Where JSON APIs usually put an error's code (RFC 9457's is its `type`), most specific first."""
MESSAGE_FIELDS = ("message", "error_message", "errorMessage", "msg", "detail", "error_description", "title")
"""Where JSON APIs usually put an error's text (RFC 9457: `detail`, else `title`)."""


class JsonErrorEnvelope:
    """Errors as JSON APIs document them: an object (possibly under `error` or as the first of `errors`) with a code
    and a message under the names the spec's error schemas use first, then the usual ones (`CODE_FIELDS`,
    `MESSAGE_FIELDS`): RFC 9457 problem details, `{code, message}`, OAuth's `{error, error_description}` and the
    like. The request id comes from `request_id_header`, when the API sends one."""

    def __init__(
        self,
        *,
        code_fields: Sequence[str] = (),
        message_fields: Sequence[str] = (),
        request_id_header: str = "X-Request-Id",
    ) -> None:
        self.code_fields = tuple(dict.fromkeys((*code_fields, *CODE_FIELDS)))
        self.message_fields = tuple(dict.fromkeys((*message_fields, *MESSAGE_FIELDS)))
        self.request_id_header = request_id_header

    def request_id(self, response: httpx.Response) -> str | None:
        return response.headers.get(self.request_id_header) or None

    def parse_error(self, response: httpx.Response) -> ErrorDetail | None:
        """Status >= 400 only: a 2xx is never an error here."""
        if response.status_code < 400:
            return None
        data = json_object(response)
        code, message = self._fields(data) if data is not None else ("", None)
        return error_detail(response, code, message, self.request_id(response))

    def _fields(self, data: Mapping[str, object]) -> tuple[str, object]:
        for candidate in (data, data.get("error"), _first(data.get("errors"))):
            if not isinstance(candidate, Mapping):
                continue
            code = next((candidate[k] for k in self.code_fields if _scalar(candidate.get(k))), None)
            message = next((candidate[k] for k in self.message_fields if isinstance(candidate.get(k), str)), None)
            if code is not None or message is not None:
                return ("" if code == "about:blank" else as_text(code)), message
        return "", None


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else None


def _scalar(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and value != ""


# --------------------------------------------------------------------------- server side


@dataclass(frozen=True)
class ErrorContext:
    """What an error body may mention: the request id, and once routing has chosen one, the operation and the query
    parameters that selected it (an RPC action)."""

    request_id: str
    operation_id: str | None = None
    selectors: Mapping[str, str] = field(default_factory=dict)


class ServerEnvelope(Protocol):
    """How a generated server spells its errors."""

    def error_body(self, context: ErrorContext, code: str, message: str, code_n: int | None) -> object:
        """The JSON body of an error answer (`code_n`: a numeric code, for APIs that have them)."""
        ...

    def routing_code(self, problem: str) -> str:
        """The code for a request the server refuses before an operation sees it (as a vendor's gateway does):
        `not_found`, `method_not_allowed`, `missing_selector` (a query parameter that selects among operations
        sharing a path, such as an RPC action, is missing), `too_large` (the body exceeds the server's limit) or
        `timeout` (the body did not arrive in time)."""
        ...


class PlainServerEnvelope:
    """`{"code": ..., "message": ...}`: the error body of APIs that select no vendor profile."""

    ROUTING_CODES: Mapping[str, str] = {
        "not_found": "NotFound",
        "method_not_allowed": "MethodNotAllowed",
        "missing_selector": "MissingParameter",
        "too_large": "RequestEntityTooLarge",
        "timeout": "RequestTimeout",
    }

    def error_body(self, context: ErrorContext, code: str, message: str, code_n: int | None) -> object:
        return {"code": code, "message": message}

    def routing_code(self, problem: str) -> str:
        return self.ROUTING_CODES[problem]
