"""`python -m generator serve`: run the emulators on localhost, one port each, until Ctrl-C or SIGTERM.

One port per emulator (from `--port` up, in the order of `NAMES`) rather than path prefixes on one port,
because the official SDKs sign the request path and cannot be given a base path: each emulator must answer at
`/` like the vendor's endpoint. All emulators share one SQLite file, so one `--db` keeps everything.

`--workers N` runs N processes that share each port (SO_REUSEPORT: the kernel spreads connections over them)
and the database file, whose transactions already make them consistent with each other: a request's Python work
holds one process, so a second core is the way past one core's worth of requests. It needs a database file. The
further workers die with the main process, however it ends (`jobs.die_with_parent`), and the main process first
binds each port alone, which fails while anything listens on it: SO_REUSEPORT would otherwise let a restart run
beside a leftover server.

What a client may cost: request bodies are limited in size and in the time they take to arrive (the runtime's
`Limits`, `--max-body-size`, `--body-timeout`), the request line and headers must arrive within `--header-timeout`
of the first byte (uvicorn would wait for them forever), and an idle keep-alive connection closes after 5 s. The
database is opened, and checked, before the banner announces anything. `--log-requests` writes one line per request
to stderr: method, path (never the query), status, milliseconds and request id; no header, so no credential.

`BackgroundServer` runs an emulator (any ASGI app) in a thread on a free port, for tests, benchmarks and
notebooks. uvicorn and the emulators are imported only when a server starts, so that registering the `serve`
subcommand keeps every other CLI command fast.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from generator.runtime.asgi import DEFAULT_LIMITS, Limits

from . import NAMES

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from .app import EmulatorOptions
    from .store import Store

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "BackgroundServer",
    "RequestLog",
    "ServerOptions",
    "add_parser",
    "run",
]

DEFAULT_PORT = 8700
DEFAULT_HOST = "127.0.0.1"
DEFAULT_DB = Path(".streamspec") / "emulator.sqlite3"
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class ServerOptions:
    """How each emulator is served, beside what it does (`EmulatorOptions`)."""

    header_timeout: float = 10.0
    """Seconds for a request line and its headers to arrive; the connection is closed otherwise."""
    log_requests: bool = False
    """One line per request on stderr (see the module docstring)."""


def _listen(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A bound TCP socket (`shared`: with SO_REUSEPORT, beside the other workers'). `proto` must say TCP: asyncio
    sets TCP_NODELAY on accepted connections only then, and without it every response waits ~40 ms for a delayed
    ACK (Nagle)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


_UNKNOWN_METHOD = re.compile(
    rb"(?!(?:GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|TRACE|CONNECT) )([!#$%&'*+\-.^_`|~0-9A-Za-z]+) "
)
"""A request line's method that is a token (RFC 9110) but not one of HTTP's own."""


def _protocol(header_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP/1.1 protocol on httptools (llhttp, in C: a third of the server's time per request went to the
    pure-Python h11 parser), closing a connection whose request line and headers have not all arrived within
    `header_timeout` of its first byte (or of the connection): uvicorn waits for them forever, so that a half-sent
    request held its socket for as long as its client liked. (A body that stalls is the ASGI runtime's to refuse.)"""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None
        _in_headers = True
        """From a request's first byte (or the connection) until its headers are complete."""
        _between = True
        """No request has begun since the last one was complete: the next bytes start a request line."""
        _method: str | None = None
        """The method of the request being read, when llhttp does not know it (see `data_received`)."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._watch_headers()

        def data_received(self, data: bytes) -> None:
            """llhttp refuses methods outside its list with a bare 400, where HTTP allows any token and the
            emulator answers in the vendor's envelope (405 and `Allow`): such a request line is read with POST
            in the method's place (its body is framed alike), and the method itself is put back in the scope. (Only
            at the start of a read: a request pipelined behind another in the same read gets llhttp's 400.)"""
            if self._between and (method := _UNKNOWN_METHOD.match(data)) is not None:
                self._method = method[1].decode("ascii")
                data = b"POST" + data[method.end(1) :]
            super().data_received(data)
            self._watch_headers()

        def on_message_begin(self) -> None:
            self._in_headers, self._between = True, False
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._in_headers = False
            super().on_headers_complete()
            if self._method is not None:
                self.scope["method"], self._method = self._method, None

        def on_message_complete(self) -> None:
            self._between = True
            super().on_message_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_watching()
            super().connection_lost(exc)

        def _watch_headers(self) -> None:
            """Time a request whose headers are still to come."""
            if not self._in_headers:
                self._stop_watching()
            elif self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout, self._headers_late)

        def _stop_watching(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_late(self) -> None:
            self._header_timer = None
            if self._in_headers and not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeoutProtocol


class RequestLog:
    """ASGI middleware writing one line per HTTP request to stderr: service, method, raw path (percent-encoded, so
    one line each; never the query), status, milliseconds and the `X-Request-Id` answered. No header is read, so
    no credential can be printed."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, request_id = time.perf_counter(), 0, "-"

        async def sending(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                found = (v for k, v in message.get("headers", []) if k.lower() == b"x-request-id")
                request_id = next(found, b"-").decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            path = scope.get("raw_path", b"").decode("latin-1") or "-"
            elapsed = (time.perf_counter() - started) * 1000
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
            line = f"{stamp} {self.service} {scope['method']} {path} {status or '-'} {elapsed:.1f} ms {request_id}"
            print(line, file=sys.stderr, flush=True)


def _server(app: Any, settings: ServerOptions = ServerOptions(), service: str = "") -> uvicorn.Server:
    """A quiet uvicorn server that leaves signals to its owner (several servers share one loop, or run in a
    thread): uvicorn's own handlers would each stop only the server that installed them last."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    served = RequestLog(app, service) if settings.log_requests else app
    config = uvicorn.Config(
        served, lifespan="on", log_level="warning", access_log=False, http=_protocol(settings.header_timeout)
    )
    return Server(config)


def _serve(
    chosen: Sequence[str],
    sockets: Sequence[socket.socket],
    store: Store,
    options: EmulatorOptions,
    settings: ServerOptions,
) -> None:
    """Serve `chosen` on `sockets` (same order) until SIGINT or SIGTERM."""
    from .app import create_emulator

    servers = [_server(create_emulator(name, store, options), settings, name) for name in chosen]

    async def serve_all() -> None:
        loop = asyncio.get_running_loop()

        def stop() -> None:
            for server in servers:
                server.should_exit = True

        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, stop)
        await asyncio.gather(*(server.serve(sockets=[sock]) for server, sock in zip(servers, sockets, strict=True)))

    try:
        asyncio.run(serve_all())
    finally:
        store.close()
        for sock in sockets:
            sock.close()


def _worker(
    parent: int,
    chosen: Sequence[str],
    host: str,
    port: int,
    db: str,
    options: EmulatorOptions,
    settings: ServerOptions,
) -> None:
    """A further `--workers` process: its own sockets on the same ports, its own connection to the same file; it
    ends when the main process does, however that ends."""
    from generator.jobs import die_with_parent

    from .store import Store

    die_with_parent(parent)
    sockets = [_listen(host, port + i, shared=True) for i in range(len(chosen))]
    _serve(chosen, sockets, Store(db), options, settings)


def run(
    names: Sequence[str] = (),
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    db: str | Path = DEFAULT_DB,
    *,
    workers: int = 1,
    options: EmulatorOptions | None = None,
    settings: ServerOptions = ServerOptions(),
) -> int:
    """Serve `names` (default: every emulator) until interrupted: 0 after a clean shutdown, 1 when a port is
    taken or the database unusable, 2 for bad arguments."""
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        print(f"error: unknown emulator {', '.join(unknown)}; known: {', '.join(NAMES)}", file=sys.stderr)
        return 2
    if workers < 1 or (workers > 1 and str(db) == ":memory:"):
        print("error: --workers must be at least 1, and more than 1 needs a database file", file=sys.stderr)
        return 2
    from .app import EmulatorOptions
    from .credentials import LocalCredentials
    from .store import Store, StoreError

    chosen = [name for name in NAMES if name in names] or list(NAMES)
    options = options or EmulatorOptions(credentials=LocalCredentials.from_env())
    try:
        store = Store(db)
    except StoreError as exc:
        print(f"error: cannot keep the emulators' state in {exc}", file=sys.stderr)
        return 1
    try:
        for i in range(len(chosen) if workers > 1 else 0):  # alone first: anything listening makes it fail
            _listen(host, port + i).close()
        sockets = [_listen(host, port + i, shared=workers > 1) for i in range(len(chosen))]
    except OSError as exc:
        store.close()
        print(f"error: cannot listen on {host}:{port}..{port + len(chosen) - 1}: {exc}", file=sys.stderr)
        return 1
    print(f"streamspec emulators (state in {db}{f', {workers} workers' if workers > 1 else ''}); Ctrl-C to stop")
    for i, name in enumerate(chosen):
        print(f"  {name:<24} http://{host}:{port + i}")
    print("local credentials (accepted only by these emulators):")
    print("\n".join(options.credentials.describe()), flush=True)

    context = multiprocessing.get_context("spawn")
    helpers = [
        context.Process(target=_worker, args=(os.getpid(), chosen, host, port, str(db), options, settings))
        for _ in range(workers - 1)
    ]
    for helper in helpers:
        helper.start()
    try:
        _serve(chosen, sockets, store, options, settings)
    finally:
        for helper in helpers:  # Ctrl-C reached them too; a SIGTERM to this process did not
            if helper.is_alive() and helper.pid is not None:
                helper.terminate()
            helper.join(15)
    print("stopped")
    return 0


def _command(args: argparse.Namespace) -> int:
    from .app import EmulatorOptions
    from .credentials import LocalCredentials

    options = EmulatorOptions(
        credentials=LocalCredentials.from_env(), limits=Limits(args.max_body_size, args.body_timeout)
    )
    settings = ServerOptions(header_timeout=args.header_timeout, log_requests=args.log_requests)
    return run(args.names, args.host, args.port, args.db, workers=args.workers, options=options, settings=settings)


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    parse.__name__ = kind.__name__  # what argparse names in "invalid int value"
    return parse


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `serve` on the CLI's subcommands."""
    serve = subparsers.add_parser("serve", help="run the vendor emulators on localhost (Ctrl-C to stop)")
    serve.add_argument(
        "names", nargs="*", metavar="name", help=f"emulators to run (default: all of {', '.join(NAMES)})"
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"first port (default: {DEFAULT_PORT})")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})")
    serve.add_argument("--db", default=str(DEFAULT_DB), help=f"SQLite file, or :memory: (default: {DEFAULT_DB})")
    serve.add_argument("--workers", type=int, default=1, help="processes sharing the ports and the file (default: 1)")
    serve.add_argument(
        "--max-body-size",
        type=_positive(int),
        default=DEFAULT_LIMITS.max_body_size,
        metavar="BYTES",
        help=f"refuse longer request bodies with 413 (default: {DEFAULT_LIMITS.max_body_size})",
    )
    serve.add_argument(
        "--body-timeout",
        type=_positive(float),
        default=DEFAULT_LIMITS.body_timeout,
        metavar="SECONDS",
        help=f"refuse a request body not received in time with 408 (default: {DEFAULT_LIMITS.body_timeout:g})",
    )
    serve.add_argument(
        "--header-timeout",
        type=_positive(float),
        default=ServerOptions.header_timeout,
        metavar="SECONDS",
        help=f"close a connection whose request headers are not received in time (default: "
        f"{ServerOptions.header_timeout:g})",
    )
    serve.add_argument(
        "--log-requests",
        action="store_true",
        help="one line per request on stderr: method, path, status, milliseconds, request id (never credentials)",
    )
    serve.set_defaults(func=_command)


class BackgroundServer:
    """Serve an ASGI app with uvicorn in a daemon thread on `host`; `port=0` picks a free port.

    Use as a context manager: the base URL is `base_url` once entered; leaving shuts the server down cleanly.
    """

    def __init__(
        self, app: Any, host: str = DEFAULT_HOST, port: int = 0, settings: ServerOptions = ServerOptions()
    ) -> None:
        self._socket = _listen(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self.base_url = f"http://{self.host}:{self.port}"
        self._server = _server(app, settings)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the server on {self.base_url} did not start")
            self._thread.join(0.01)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()
