"""Huawei Cloud's error envelope: `{"error_code", "error_msg"}` bodies and the `X-Request-Id` header, parsed by the
client the way huaweicloudsdkcore does, and written by generated servers with APIG's routing codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import httpx

from generator.runtime.envelope import ErrorContext, ErrorDetail, as_text, error_detail, json_object

__all__ = ["HuaweiEnvelope", "HuaweiServerEnvelope"]

_HUAWEI_PAIRS: Final = (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message"))


def _find_huawei_pair(data: Mapping[str, object]) -> tuple[object, object] | None:
    """Search like huaweicloudsdkcore's DefaultExceptionHandler: each key pair at this level, then nested objects.

    Both keys of a pair must be present. Unlike the SDK (where a later nested match overwrites an earlier one),
    the first match wins, which is deterministic and identical whenever there is one error object.
    """
    for code_key, message_key in _HUAWEI_PAIRS:
        if code_key in data and message_key in data:
            return data[code_key], data[message_key]
    for value in data.values():
        if isinstance(value, dict):
            found = _find_huawei_pair(value)
            if found is not None:
                return found
    return None


class HuaweiEnvelope:
    """Huawei Cloud: ``{"error_code", "error_msg"}`` bodies, request id in the ``X-Request-Id`` header."""

    def request_id(self, response: httpx.Response) -> str | None:
        """Header first (as the SDK); some services also echo ``request_id`` in error bodies (never parsed on 2xx)."""
        header: str | None = response.headers.get("X-Request-Id")
        if header or response.status_code < 400:
            return header or None
        data = json_object(response)
        return (as_text(data.get("request_id")) or None) if data is not None else None

    def parse_error(self, response: httpx.Response) -> ErrorDetail | None:
        """Huawei never signals errors in a 2xx, so only status >= 400 yields a detail."""
        if response.status_code < 400:
            return None
        data = json_object(response)
        pair = _find_huawei_pair(data) if data is not None else None
        code, message = pair if pair is not None else (None, None)
        return error_detail(response, as_text(code), message, self.request_id(response))


class HuaweiServerEnvelope:
    """Generated servers answer with `{"error_code", "error_msg"}` and APIG's codes for what the gateway refuses:
    APIG.0101 for a request no API takes, APIG.0201 ("Request entity too large", 413, and its other request errors)
    for a body too large or too slow."""

    _ROUTING: Mapping[str, str] = {
        "not_found": "APIG.0101",
        "method_not_allowed": "APIG.0101",
        "missing_selector": "APIG.0101",
        "too_large": "APIG.0201",
        "timeout": "APIG.0201",
    }

    def error_body(self, context: ErrorContext, code: str, message: str, code_n: int | None) -> object:
        return {"error_code": code, "error_msg": message}

    def routing_code(self, problem: str) -> str:
        return self._ROUTING[problem]
