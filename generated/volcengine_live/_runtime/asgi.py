# Vendored by streamspec (runtime module asgi); do not edit.
"""What every generated ASGI app (API server or webhook receiver) shares: bodies read within `Limits`, and endpoints
that every HTTP method reaches.

Left to itself, Starlette reads a body whole, however large it is and however slowly it comes, and answers a method a
route does not list with its own plain-text 405. With these pieces each app answers such requests itself, in its
own shape (an API's error envelope, a receiver's rejection).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import request_response
from starlette.types import Receive, Scope, Send

__all__ = ["DEFAULT_LIMITS", "AnyMethod", "BodyRefused", "Limits", "announces_body", "read_body"]


@dataclass(frozen=True)
class Limits:
    """What one request's body may cost an app before it is refused, so that it needs no proxy in front to survive
    a huge or a stalled upload."""

    max_body_size: int = 10 * 1024 * 1024
    """Bytes; a longer body is refused with 413."""
    body_timeout: float = 30.0
    """Seconds for the whole body to arrive (a stalled upload, a Content-Length longer than what is sent); 408."""


DEFAULT_LIMITS = Limits()


class BodyRefused(Exception):
    """A body refused before it was read whole: `problem` is `too_large` (status 413) or `timeout` (408)."""

    def __init__(self, status: int, problem: str, message: str) -> None:
        super().__init__(message)
        self.status, self.problem, self.message = status, problem, message


async def read_body(request: Request, limits: Limits) -> bytes:
    """The body within `limits`; a declared length over the limit is refused before anything is read."""
    limit = limits.max_body_size
    too_large = BodyRefused(413, "too_large", f"the request body is larger than {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    received = bytearray()
    try:
        with anyio.fail_after(limits.body_timeout):
            async for chunk in request.stream():
                received += chunk
                if len(received) > limit:
                    raise too_large
    except TimeoutError:
        raise BodyRefused(408, "timeout", f"the request body did not arrive within {limits.body_timeout:g} s") from None
    except ClientDisconnect:  # nobody reads the answer; it keeps a dropped upload from being logged as a failure
        raise BodyRefused(408, "timeout", "the client left before its request body arrived") from None
    return bytes(received)


def announces_body(request: Request) -> bool:
    """Whether a body follows the headers (one that is not read must not hold the connection open)."""
    return request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers


class AnyMethod:
    """An endpoint Starlette routes every method to. It limits a function endpoint to the methods listed (GET by
    default) and answers any other (`BREW`) with its own plain-text 405; an ASGI app it leaves alone."""

    def __init__(self, answer: Callable[[Request], Awaitable[Response]]) -> None:
        self._app = request_response(answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)
