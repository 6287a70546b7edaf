"""`python -m generator serve`: run the emulators on localhost, one port each, until Ctrl-C or SIGTERM.

One port per emulator (from `--port` up, in the order of `NAMES`) rather than path prefixes on one port,
because the official SDKs sign the request path and cannot be given a base path: each emulator must answer at
`/` like the vendor's endpoint. All emulators share one SQLite file, so one `--db` keeps everything.

`--workers N` runs N processes that share each port (SO_REUSEPORT: the kernel spreads connections over them)
and the database file, whose transactions already make them consistent with each other; uvicorn's HTTP stack is
pure Python here, so a second core is the way past one core's worth of requests. It needs a database file.

`BackgroundServer` runs an emulator (any ASGI app) in a thread on a free port, for tests, benchmarks and
notebooks. uvicorn and the emulators are imported only when a server starts, so that registering the `serve`
subcommand keeps every other CLI command fast.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import signal
import socket
import sys
import threading
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import NAMES

if TYPE_CHECKING:
    import uvicorn

    from .app import EmulatorOptions

__all__ = ["DEFAULT_DB", "DEFAULT_HOST", "DEFAULT_PORT", "BackgroundServer", "add_parser", "run"]

DEFAULT_PORT = 8700
DEFAULT_HOST = "127.0.0.1"
DEFAULT_DB = Path(".streamspec") / "emulator.sqlite3"
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _listen(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A bound TCP socket. `proto` must say TCP: asyncio sets TCP_NODELAY on accepted connections only then, and
    without it every response waits ~40 ms for a delayed ACK (Nagle)."""
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


def _server(app: Any) -> uvicorn.Server:
    """A quiet uvicorn server that leaves signals to its owner (several servers share one loop, or run in a
    thread): uvicorn's own handlers would each stop only the server that installed them last."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    return Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))


def _serve(chosen: Sequence[str], sockets: Sequence[socket.socket], db: str, options: EmulatorOptions) -> None:
    """Serve `chosen` on `sockets` (same order) until SIGINT or SIGTERM."""
    from .app import create_emulator
    from .store import Store

    store = Store(db)
    servers = [_server(create_emulator(name, store, options)) for name in chosen]

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


def _worker(chosen: Sequence[str], host: str, port: int, db: str, options: EmulatorOptions) -> None:
    """A further `--workers` process: its own sockets on the same ports, its own connection to the same file."""
    _serve(chosen, [_listen(host, port + i, shared=True) for i in range(len(chosen))], db, options)


def run(
    names: Sequence[str] = (),
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    db: str | Path = DEFAULT_DB,
    *,
    workers: int = 1,
    options: EmulatorOptions | None = None,
) -> int:
    """Serve `names` (default: every emulator) until interrupted: 0 after a clean shutdown, 1 when a port is
    taken, 2 for bad arguments."""
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        print(f"error: unknown emulator {', '.join(unknown)}; known: {', '.join(NAMES)}", file=sys.stderr)
        return 2
    if workers < 1 or (workers > 1 and str(db) == ":memory:"):
        print("error: --workers must be at least 1, and more than 1 needs a database file", file=sys.stderr)
        return 2
    from .app import EmulatorOptions
    from .credentials import LocalCredentials

    chosen = [name for name in NAMES if name in names] or list(NAMES)
    options = options or EmulatorOptions(credentials=LocalCredentials.from_env())
    try:
        sockets = [_listen(host, port + i, shared=workers > 1) for i in range(len(chosen))]
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}..{port + len(chosen) - 1}: {exc}", file=sys.stderr)
        return 1
    print(f"streamspec emulators (state in {db}{f', {workers} workers' if workers > 1 else ''}); Ctrl-C to stop")
    for i, name in enumerate(chosen):
        print(f"  {name:<24} http://{host}:{port + i}")
    print("local credentials (accepted only by these emulators):")
    print("\n".join(options.credentials.describe()), flush=True)

    context = multiprocessing.get_context("spawn")
    helpers = [context.Process(target=_worker, args=(chosen, host, port, str(db), options)) for _ in range(workers - 1)]
    for helper in helpers:
        helper.start()
    try:
        _serve(chosen, sockets, str(db), options)
    finally:
        for helper in helpers:  # Ctrl-C reached them too; a SIGTERM to this process did not
            if helper.is_alive() and helper.pid is not None:
                helper.terminate()
            helper.join(15)
    print("stopped")
    return 0


def _command(args: argparse.Namespace) -> int:
    return run(args.names, args.host, args.port, args.db, workers=args.workers)


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
    serve.set_defaults(func=_command)


class BackgroundServer:
    """Serve an ASGI app with uvicorn in a daemon thread on `host`; `port=0` picks a free port.

    Use as a context manager: the base URL is `base_url` once entered; leaving shuts the server down cleanly.
    """

    def __init__(self, app: Any, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self._socket = _listen(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self.base_url = f"http://{self.host}:{self.port}"
        self._server = _server(app)
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
