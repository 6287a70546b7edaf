"""Sending fuzzed requests to an ASGI app in process, in the sending thread.

schemathesis reaches an ASGI app through `requests` and an adapter that runs the app on an event loop in another
thread (an anyio blocking portal): every request crosses threads twice (`portal.call(anyio.Event)`, then
`portal.call(run)`), and every case builds a new `requests.Session` (with its connection pools) and reads the
environment's proxy settings. With one worker thread that is about a fifth of a run's CPU, and more of its wall
time on a busy machine, where each crossing waits for the other thread to get the interpreter.

`InProcessApp` wraps a target's ASGI app: requests to it run the app on the wrapper's own event loop in the thread
that sends them, through one reused session (no environment lookups; cookies dropped after every request, as a
fresh session per case would), with exactly the ASGI scope schemathesis' adapter builds (method, raw path, query
string, headers as Latin-1 octets, a `Host` header where the request has none). The app, its answers and the checks
are the same; only the way there is shorter. `install()` routes schemathesis' ASGI client factory to it for wrapped
apps only; any other app goes the usual way.
"""

from __future__ import annotations

import asyncio
import http
import io
import threading
from collections.abc import Awaitable, MutableMapping
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import requests.adapters
import urllib3
from schemathesis.python import asgi as schemathesis_asgi

__all__ = ["InProcessApp", "install", "wrap"]

Message = MutableMapping[str, Any]


def _octets(text: str | bytes) -> bytes:
    """A header name or value as the wire carries it (Latin-1)."""
    return text if isinstance(text, bytes) else text.encode("latin-1")


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


class _Headers:
    """What `requests` reads cookies from (an `http.client` message's `get_all`)."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found or default


class _Original:
    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = _Headers(headers)
        self.closed = False

    def isclosed(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


class InProcessApp:
    """An ASGI app that fuzzed requests reach in the sending thread (see the module docstring).

    It is itself an ASGI app (it passes every call through), so schemathesis treats it as one; its event loop runs
    only while a request (or the lifespan's startup) is being answered, one at a time.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.lock = threading.Lock()
        self.state: dict[str, Any] = {}
        self._started = False
        self._lifespan: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def start(self) -> None:
        """Start the app's lifespan, once (its state goes into every request's scope)."""
        with self.lock:
            if not self._started:
                self._started = True
                self.loop.run_until_complete(self._startup())

    def run(self, awaitable: Awaitable[Any], timeout: float | None = None) -> Any:
        """Run a coroutine on the wrapper's loop in this thread (the lifespan is started first)."""
        self.start()
        with self.lock:
            return self.loop.run_until_complete(asyncio.wait_for(awaitable, timeout) if timeout else awaitable)

    async def _startup(self) -> None:
        """ASGI lifespan startup, as schemathesis' client does it; an app without lifespan support is served all
        the same (it rejects the scope before asking for a message)."""
        incoming: asyncio.Queue[Message] = asyncio.Queue()
        outgoing: asyncio.Queue[Message | None] = asyncio.Queue()
        asked = False

        async def receive() -> Message:
            nonlocal asked
            asked = True
            return await incoming.get()

        async def run() -> None:
            try:
                scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
                await self.app(scope, receive, outgoing.put)
            except Exception:
                if asked:
                    raise
            finally:
                await outgoing.put(None)

        self._lifespan = self.loop.create_task(run())
        await incoming.put({"type": "lifespan.startup"})
        message = await outgoing.get()
        if message is not None and message["type"] == "lifespan.startup.failed":
            raise RuntimeError(message.get("message") or "ASGI application failed to start")


class _Adapter(requests.adapters.HTTPAdapter):
    def __init__(self, target: InProcessApp) -> None:
        super().__init__()
        self.target = target

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        self.target.start()
        parts = urlsplit(str(request.url))
        scheme = parts.scheme
        default_port = {"http": 80, "https": 443}[scheme]
        host = parts.hostname or ""
        port = parts.port or default_port
        header_host = f"[{host}]" if ":" in host else host
        headers: list[tuple[bytes, bytes]] = []
        if "host" not in request.headers:
            headers.append((b"host", (header_host if port == default_port else f"{header_host}:{port}").encode()))
        headers += [(_octets(key).lower(), _octets(value)) for key, value in request.headers.items()]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(parts.path),
            "raw_path": parts.path.encode(),
            "root_path": "",
            "scheme": scheme,
            "query_string": parts.query.encode(),
            "headers": headers,
            "client": ["testclient", 50000],
            "server": [host, port],
            "state": dict(self.target.state),
        }
        body = request.body
        data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        if not isinstance(data, bytes):
            raise TypeError("in-process requests take their body as bytes")
        started: dict[str, Any] = {}
        chunks: list[bytes] = []
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": data}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body" and request.method != "HEAD":
                chunks.append(message.get("body", b""))

        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        try:
            self.target.run(self.target.app(scope, receive, send), read_timeout)
        except TimeoutError:
            message = f"Read timed out. (read timeout={read_timeout})"
            raise requests.exceptions.ReadTimeout(message, request=request) from None
        if "status" not in started:
            raise AssertionError("The application did not return a response.")
        received = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in started.get("headers", [])]
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(b"".join(chunks)),
            headers=urllib3.HTTPHeaderDict(received),
            status=started["status"],
            reason=_reason(started["status"]),
            version=11,
            preload_content=False,
            request_method=request.method,
            original_response=_Original(received),  # type: ignore[arg-type]
        )
        return self.build_response(request, raw)


class _Client(schemathesis_asgi.ASGIClient):
    """schemathesis' ASGI client with the in-thread adapter; one per wrapped app, reused."""

    def __init__(self, target: InProcessApp) -> None:
        requests.Session.__init__(self)
        self.trust_env = False  # no proxies or netrc for an app in process
        self.adapter = _Adapter(target)  # type: ignore[assignment]
        self.mount("http://", self.adapter)
        self.mount("https://", self.adapter)
        self.headers.update({"user-agent": "testclient"})
        self.app = target
        self.base_url = f"http://{schemathesis_asgi.HOST}"

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        try:
            return super().request(*args, **kwargs)
        finally:
            self.cookies.clear()  # what a fresh session per case would hold: nothing

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *args: Any) -> None:
        self.headers.clear()  # the transport copies the engine session's headers and auth in for each case
        self.headers.update({"user-agent": "testclient"})
        self.auth = None


_CLIENTS: dict[int, _Client] = {}
_WRAPPED: dict[int, InProcessApp] = {}
_LOCK = threading.Lock()


def wrap(app: Any) -> InProcessApp:
    """The in-process wrapper of `app`, one per app for the process (its lifespan starts once, as schemathesis
    starts each app's once), with `install()` done."""
    install()
    if isinstance(app, InProcessApp):
        return app
    with _LOCK:
        wrapped = _WRAPPED.get(id(app))
        if wrapped is None:
            wrapped = _WRAPPED[id(app)] = InProcessApp(app)  # the wrapper keeps `app` alive: its id stays its own
    return wrapped


def install() -> None:
    """Route schemathesis' ASGI client factory to the in-thread client for `InProcessApp`s (idempotent)."""
    with _LOCK:
        stock = schemathesis_asgi.get_client
        if getattr(stock, "streamspec_in_process", False):
            return

        def get_client(app: Any, **kwargs: Any) -> Any:
            if not isinstance(app, InProcessApp):
                return stock(app, **kwargs)
            with _LOCK:
                client = _CLIENTS.get(id(app))
                if client is None:
                    client = _CLIENTS[id(app)] = _Client(app)  # the client keeps `app` alive, so its id stays its own
            return client

        get_client.streamspec_in_process = True  # type: ignore[attr-defined]
        schemathesis_asgi.get_client = get_client
