# Vendored by streamspec (runtime module volcengine/envelope); do not edit.
"""Volcengine's envelope: `ResponseMetadata{RequestId, Action, Version, Service, Region, Error{Code, CodeN,
Message}}`, errors possibly inside an HTTP 200. The client parses it as the `volcengine` SDK does; generated servers
write it, on errors and (through `response_metadata`) on every success body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ..envelope import ErrorContext, ErrorDetail, as_text, error_detail, json_object

if TYPE_CHECKING:
    from ..server import RequestContext

__all__ = ["CODE_N", "VolcengineEnvelope", "VolcengineServerEnvelope", "response_metadata"]


def _volcengine_metadata(response: httpx.Response) -> dict[str, object] | None:
    data = json_object(response)
    metadata = data.get("ResponseMetadata") if data is not None else None
    return metadata if isinstance(metadata, dict) else None


class VolcengineEnvelope:
    """Volcengine: ``ResponseMetadata{RequestId, Error{Code, CodeN, Message}}``, errors possibly inside HTTP 200."""

    def request_id(self, response: httpx.Response) -> str | None:
        return self._request_id(response, _volcengine_metadata(response))

    def parse_error(self, response: httpx.Response) -> ErrorDetail | None:
        """An ``Error`` with a non-empty ``Code`` (or non-zero ``CodeN``) is an error whatever the status."""
        metadata = _volcengine_metadata(response)
        error = metadata.get("Error") if metadata is not None else None
        code, message = "", None
        if isinstance(error, dict):
            code_n = error.get("CodeN")
            code = as_text(error.get("Code")) or (as_text(code_n) if code_n not in (None, 0, "") else "")
            message = error.get("Message")
        if not code and response.status_code < 400:
            return None
        return error_detail(response, code, message, self._request_id(response, metadata))

    @staticmethod
    def _request_id(response: httpx.Response, metadata: Mapping[str, object] | None) -> str | None:
        from_body = as_text(metadata.get("RequestId")) if metadata is not None else ""
        header: str | None = None if from_body else response.headers.get("X-Request-Id")  # looked up only if needed
        return from_body or header or None


CODE_N: Mapping[str, int] = {
    "MissingParameter": 100002,
    "MissingRequestInfo": 100004,
    "InvalidTimestamp": 100006,
    "InvalidActionOrVersion": 100008,
    "InvalidAccessKey": 100009,
    "SignatureDoesNotMatch": 100010,
    "AccessDenied": 100013,
    "InternalError": 100014,
}
"""The numeric `CodeN` of Volcengine's common error codes (the Live common error table)."""


class VolcengineServerEnvelope:
    """Generated servers answer errors inside `ResponseMetadata`, with `CodeN` where the code has one."""

    _ROUTING: Mapping[str, str] = {
        "not_found": "InvalidActionOrVersion",
        "method_not_allowed": "InvalidActionOrVersion",
        "missing_selector": "MissingParameter",
        # Volcengine's common error table has no code for these; named as its codes are.
        "too_large": "RequestEntityTooLarge",
        "timeout": "RequestTimeout",
    }

    def __init__(self, *, service: str, region: str) -> None:
        self.service = service
        self.region = region

    def metadata(self, context: ErrorContext) -> dict[str, Any]:
        """`ResponseMetadata` without `Error`: what every answer, success or error, carries."""
        return {
            "RequestId": context.request_id,
            "Action": context.selectors.get("Action") or context.operation_id or "",
            "Version": context.selectors.get("Version", ""),
            "Service": self.service,
            "Region": self.region,
        }

    def error_body(self, context: ErrorContext, code: str, message: str, code_n: int | None) -> object:
        error: dict[str, Any] = {"Code": code, "Message": message}
        number = code_n if code_n is not None else CODE_N.get(code)
        if number is not None:
            error["CodeN"] = number
        return {"ResponseMetadata": {**self.metadata(context), "Error": error}}

    def routing_code(self, problem: str) -> str:
        return self._ROUTING[problem]


def response_metadata(ctx: RequestContext) -> dict[str, Any]:
    """The `ResponseMetadata` a handler puts in its success body for the request `ctx` describes."""
    envelope = ctx.envelope
    if not isinstance(envelope, VolcengineServerEnvelope):
        raise TypeError("response_metadata needs a server built with the Volcengine envelope")
    return envelope.metadata(ErrorContext(ctx.request_id, ctx.operation_id, ctx.selectors))
