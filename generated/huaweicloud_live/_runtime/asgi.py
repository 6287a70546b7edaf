# Vendored by streamspec (runtime module asgi); do not edit.
"""What every generated ASGI app (API server or webhook receiver) shares: bodies read within `Limits`, and endpoints
that every HTTP method reaches.

Left to itself, Starlette reads a body whole, however large it is and however slowly it comes, and answers a method a
route does not list with its own plain-text 405. With these pieces each app answers such requests itself, in its
own shape (an API's error envelope, a receiver's rejection).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import request_response
from starlette.types import Receive, Scope, Send

__all__ = [
    "DEFAULT_LIMITS",
    "AnyMethod",
    "BodyRefused",
    "Limits",
    "ReceivedHeaders",
    "announces_body",
    "read_body",
]


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


async def read_body(request: Request, limits: Limits, headers: Mapping[str, str] | None = None) -> bytes:
    """The body within `limits`; a declared length over the limit is refused before anything is read. `headers`:
    the request's, when the caller has them decoded already."""
    headers = request.headers if headers is None else headers
    limit = limits.max_body_size
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = bytearray()

    async def read() -> None:  # what Starlette's `request.stream()` does, without an async generator per request
        while True:
            message = await request.receive()
            if message["type"] == "http.request":
                received.extend(message.get("body", b""))
                if len(received) > limit:
                    raise _too_large(limit)
                if not message.get("more_body", False):
                    return
            elif message["type"] == "http.disconnect":
                raise ClientDisconnect

    try:
        if not announces_body(headers):  # no body follows the headers: nothing can stall (a timer costs)
            await read()
        elif _asyncio_running():  # asyncio's own timer: a fraction of anyio's cost, which finds its loop each time
            async with asyncio.timeout(limits.body_timeout):
                await read()
        else:  # trio
            with anyio.fail_after(limits.body_timeout):
                await read()
    except TimeoutError:
        raise BodyRefused(408, "timeout", f"the request body did not arrive within {limits.body_timeout:g} s") from None
    except ClientDisconnect:  # nobody reads the answer; it keeps a dropped upload from being logged as a failure
        raise BodyRefused(408, "timeout", "the client left before its request body arrived") from None
    return bytes(received)


def _too_large(limit: int) -> BodyRefused:
    return BodyRefused(413, "too_large", f"the request body is larger than {limit} bytes")


def _asyncio_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def announces_body(headers: Mapping[str, str]) -> bool:
    """Whether a body follows the headers (one that is not read must not hold the connection open)."""
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


class ReceivedHeaders(Headers):
    """A request's headers as Starlette's `Headers` gives them, decoded once.

    The verifier, the parameters and the handler each read a request's headers; Starlette's class decodes every
    header again for each `items()` and scans them all for each look-up. Lookups give the first header of a name,
    `items()` every header as received (repeated names too), as Starlette's do."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope=scope)
        self._items = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in self._list]
        first: dict[str, str] = {}
        for key, value in self._items:
            first.setdefault(key.lower(), value)
        self._first = first

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return list(self._items)

    def keys(self) -> list[str]:  # type: ignore[override]
        return [key for key, _ in self._items]

    def values(self) -> list[str]:  # type: ignore[override]
        return [value for _, value in self._items]

    def get(self, key: str, default: Any = None) -> Any:
        return self._first.get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        try:
            return self._first[key.lower()]
        except KeyError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._first


class AnyMethod:
    """An endpoint Starlette routes every method to. It limits a function endpoint to the methods listed (GET by
    default) and answers any other (`BREW`) with its own plain-text 405; an ASGI app it leaves alone."""

    def __init__(self, answer: Callable[[Request], Awaitable[Response]]) -> None:
        self._app = request_response(answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)
