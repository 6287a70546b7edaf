"""`generate` (and `check`) in a process that outlives them: the generation daemon (`python -m generator daemon
start`).

A one-off `generate` pays for starting before it does anything: the imports (datamodel-code-generator's alone take
about 0.45 s in a new process), the workers' warm-up, and what `--watch` keeps in memory between runs (the IR of the
packages' previous specs, which the version diff compares with; the YAML read last, so that an edit is parsed in
part). With a daemon running, `generate` hands its command line to it and prints what it answers: the run is a warm
`--watch` run, without the watching. As with Gradle's daemon
or dmypy, it is asked for (`daemon start`), never started behind the user's back.

- **Where**: a Unix socket in `$STREAMSPEC_DAEMON_DIR`, else `$XDG_RUNTIME_DIR/streamspec`, else
  `<temporary folder>/streamspec-<uid>`: a folder only its owner can enter (one that others can is refused, never
  used). The socket is named by a digest of the Python environment and of the generator's folder, so that each
  virtual environment and checkout has its own daemon; it serves only its own user (the peer's credentials).
- **The same result**: the run has the client's working directory and the client's values of the environment
  variables that steer generation (the cache's, `generator.cache`); what it writes and prints is what a one-off run
  writes and prints, every line through the redactor.
- **Never stale**: before each run the daemon compares the generator's fingerprint (its modules and templates, the
  versions of Python and of the tools it runs: `generator.cache.fingerprint`) with the one it started with, read
  again when its files' stats or the tools' versions changed (`cache.LoadedGenerator`); when they differ, it stops,
  and the client runs the command itself.
- **Fails safe**: no daemon, one that cannot be reached, or one that dies during the run: the client runs the command
  itself. A client interrupted (Ctrl-C) interrupts its run as Ctrl-C interrupts a one-off run, and waits until it
  has.
- **Bounded**: one run at a time, in the order asked; it stops after `--idle-minutes` (default 60) without a request,
  on `daemon stop`, or on SIGTERM (after the run under way).

`STREAMSPEC_DAEMON=auto` has `generate` start one (in the background) when none runs, for the runs after it.
`--no-daemon`, or `STREAMSPEC_DAEMON=off` (`0`, `no`, `false`), runs the command here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import stat
import sys
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import subprocess
    from threading import Lock

    from generator.cache import LoadedGenerator

SWITCH_ENV = "STREAMSPEC_DAEMON"
DIR_ENV = "STREAMSPEC_DAEMON_DIR"
PASSED_ENV = ("HOME", "XDG_CACHE_HOME", "STREAMSPEC_CACHE", "STREAMSPEC_CACHE_DIR", "STREAMSPEC_CACHE_MB")
"""The environment variables that steer a generation (where the cache is, how large): the client's are the run's."""
_FOLDER_ENV = frozenset({"HOME", "XDG_CACHE_HOME", "STREAMSPEC_CACHE_DIR"})
DEFAULT_IDLE_MINUTES = 60.0
_PROTOCOL = 1
_MAX_REQUEST = 1 << 20
_POLL = 0.25
"""Seconds between the daemon's looks at whether it is asked to stop or has idled long enough."""
_START_TIMEOUT = 120.0
_MAX_SOCKET_PATH = 103
"""Bytes of a Unix socket's path, the terminating NUL aside: 108 on Linux, 104 on macOS and the BSDs."""


class DaemonError(Exception):
    """The daemon's folder cannot be used safely, or the daemon could not start."""


@dataclass(frozen=True)
class Place:
    """Where this installation's daemon listens, keeps its lock (held while it runs, with its pid) and its log."""

    folder: Path
    key: str

    @property
    def socket(self) -> Path:
        return self.folder / f"{self.key}.sock"

    @property
    def lock(self) -> Path:
        return self.folder / f"{self.key}.lock"

    @property
    def log(self) -> Path:
        return self.folder / f"{self.key}.log"


def place(*, create: bool = False) -> Place:
    """This installation's daemon place; with `create`, its folder is made (owner only) when missing.

    Raises `DaemonError` where there are no Unix sockets (Windows), for a folder others can enter or that is not its
    user's, and for a socket path too long for a Unix socket; `OSError` (FileNotFoundError) for a folder that does
    not exist."""
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        raise DaemonError("the generation daemon needs Unix sockets, which this system does not have")
    explicit = os.environ.get(DIR_ENV, "").strip()
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if explicit:
        folder = Path(explicit).absolute()
    elif runtime:
        folder = Path(runtime) / "streamspec"
    else:
        import tempfile

        folder = Path(tempfile.gettempdir()) / f"streamspec-{os.getuid()}"
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        what = f"mode {info.st_mode & 0o777:o}, owner {info.st_uid}" if stat.S_ISDIR(info.st_mode) else "not a folder"
        raise DaemonError(
            f"{folder}: the generation daemon needs a folder that only you can enter (this one: {what}); "
            f"set {DIR_ENV} to one"
        )
    where = f"{os.path.realpath(sys.prefix)}\0{Path(__file__).resolve().parent}".encode()
    found = Place(folder, f"{zlib.crc32(where):08x}{zlib.adler32(where):08x}")  # cheap to import: clients pay it
    if len(os.fsencode(found.socket)) > _MAX_SOCKET_PATH:
        raise DaemonError(f"{found.socket}: too long for a Unix socket's path; set {DIR_ENV} to a shorter folder")
    return found


def _switch() -> str:
    """`STREAMSPEC_DAEMON` as set: "off" (or `0`, `no`, `false`), "auto", or anything else (use one if it runs)."""
    value = os.environ.get(SWITCH_ENV, "").strip().lower()
    return "off" if value in ("off", "0", "no", "false") else value


_serving = False
"""True in the daemon itself: its runs are never handed on."""


def serving() -> bool:
    """Whether this process is a generation daemon (its runs are never handed on, and it outlives them)."""
    return _serving


# The client side: `generate` and `check`, and `daemon stop` / `daemon status`.


def delegate(command_line: Sequence[str]) -> int | None:
    """Run `command_line` (a `generate` or `check` one) in this installation's daemon and print what it prints: its
    exit status, or None when no daemon runs it (none running, switched off, declined, gone during the run): then the
    caller runs it."""
    switch = _switch()
    if _serving or switch == "off":
        return None
    connection = _connect()
    if connection is None:
        if switch == "auto":
            _start_in_background()
        return None
    request = {
        "protocol": _PROTOCOL,
        "run": list(command_line),
        "cwd": os.getcwd(),
        "env": {name: os.environ.get(name) for name in PASSED_ENV},
        "tty": [_isatty(sys.stdout), _isatty(sys.stderr)],
    }
    with connection:
        try:
            _send(connection, request)
            frames = connection.makefile("r", encoding="utf-8", newline="\n")
            return _relay(connection, frames)
        except _Declined:
            return None
        except (OSError, ValueError):
            pass
    print("note: the generation daemon did not finish the run; running it here", file=sys.stderr, flush=True)
    return None


def _start_in_background() -> None:
    """`STREAMSPEC_DAEMON=auto`: no daemon runs, so this run starts one for the next runs (and runs itself)."""
    try:
        process = _spawn(place(create=True), DEFAULT_IDLE_MINUTES)
    except (OSError, DaemonError) as exc:
        print(f"note: no generation daemon started: {exc}", file=sys.stderr)
        return
    print(
        f"note: starting a generation daemon (pid {process.pid}) for the next runs; "
        "`python -m generator daemon stop` stops it",
        file=sys.stderr,
    )


class _Declined(Exception):
    """The daemon does not run the command (its generator is not the one on disk, or it is stopping): the client runs
    it itself."""


def _relay(connection: socket.socket, frames: TextIO) -> int:
    """Print the daemon's output as it comes, until its exit status. Ctrl-C asks the daemon to interrupt the run
    (the client's end is shut for writing) and waits until it has (a second Ctrl-C stops waiting)."""
    interrupted = False
    while True:
        try:
            line = frames.readline()
            if not line:
                if interrupted:
                    raise KeyboardInterrupt
                raise OSError("the daemon closed the connection")
            frame = json.loads(line)
            if "out" in frame:
                sys.stdout.write(frame["out"])
                sys.stdout.flush()
            elif "err" in frame:
                sys.stderr.write(frame["err"])
                sys.stderr.flush()
            elif "declined" in frame:
                raise _Declined
            elif "exit" in frame:
                if interrupted:
                    raise KeyboardInterrupt
                return int(frame["exit"])
        except KeyboardInterrupt:
            if interrupted:
                raise
            interrupted = True
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_WR)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _connect(timeout: float | None = None) -> socket.socket | None:
    """A connection to this installation's daemon, or None when none listens (or its folder is unsafe)."""
    try:
        where = place()
    except (OSError, DaemonError):
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(timeout)
        connection.connect(str(where.socket))
        connection.settimeout(None)
    except OSError:
        connection.close()
        return None
    return connection


def _send(connection: socket.socket, message: Mapping[str, Any]) -> None:
    connection.sendall(json.dumps(message).encode() + b"\n")


def _ask(command: str, timeout: float = 10.0) -> dict[str, Any] | None:
    """The daemon's answer to `stop` or `status`, or None when no daemon answers."""
    connection = _connect(timeout)
    if connection is None:
        return None
    with connection:
        try:
            connection.settimeout(timeout)
            _send(connection, {"protocol": _PROTOCOL, command: True})
            line = connection.makefile("r", encoding="utf-8").readline()
            answer = json.loads(line) if line else None
        except (OSError, ValueError):
            return None
    return answer if isinstance(answer, dict) and "declined" not in answer else None


# The daemon.


class _Frames:
    """A text stream whose writes reach the client as frames of one kind (`out`, `err`); the redactor the run
    installs sits in front of it, so that what it sends is redacted. Both kinds share a lock: the progress timer
    writes from its own thread."""

    def __init__(self, connection: socket.socket, kind: str, tty: bool, lock: Lock) -> None:
        self._connection, self._kind, self._tty, self._lock = connection, kind, tty, lock
        self.gone = False

    def write(self, text: str) -> int:
        if text and not self.gone:
            try:
                with self._lock:
                    _send(self._connection, {self._kind: text})
            except OSError:  # the client is gone: the run goes on until it is interrupted
                self.gone = True
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:
        return "utf-8"


class _Daemon:
    """The serving process. A thread accepts connections and answers `status` and `stop` at once; runs queue for the
    main thread, where signals are handled (a leaving client's interruption, SIGTERM), and run one at a time."""

    def __init__(self, where: Place, idle_minutes: float) -> None:
        import queue

        self.where, self.idle = where, idle_minutes * 60.0
        self.started = time.time()
        self.last = time.monotonic()
        self.runs = 0
        self.running = False
        """A run is under way (the answer's housekeeping after it is not)."""
        self.stop = False
        self.loaded: LoadedGenerator | None = None
        self.queue: queue.Queue[tuple[socket.socket, dict[str, Any]]] = queue.Queue()

    def serve(self) -> int:
        import fcntl

        lock = os.open(self.where.lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another daemon of this installation runs: it serves
            os.close(lock)
            return 0
        os.ftruncate(lock, 0)
        os.write(lock, f"{os.getpid()}\n".encode())
        with contextlib.suppress(FileNotFoundError):
            self.where.socket.unlink()  # a daemon killed outright leaves its socket; the lock says it is gone
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(self.where.socket))
            os.chmod(self.where.socket, 0o600)
            listener.listen(16)
            listener.settimeout(_POLL)
            self._loop(listener)
            return 0
        finally:
            self.stop = True
            listener.close()
            with contextlib.suppress(FileNotFoundError):
                self.where.socket.unlink()
            os.close(lock)
            self._decline_queued()

    def _loop(self, listener: socket.socket) -> None:
        import queue
        import threading
        import traceback

        from generator import cache

        self.loaded = cache.LoadedGenerator()  # before the generation's modules load: what they are read from

        from generator import cli
        from generator.jobs import kept_workers
        from generator.pipeline import warm_up

        global _serving
        _serving = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # how a leaving client interrupts a run
        signal.signal(signal.SIGTERM, self._asked_to_stop)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        cli.warm_imports()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        with kept_workers(warm_up):
            while not self.stop and (not self.queue.empty() or time.monotonic() - self.last < self.idle):
                try:
                    connection, request = self.queue.get(timeout=_POLL)
                except queue.Empty:
                    continue
                except KeyboardInterrupt:  # an interruption that came after its run was over
                    continue
                try:
                    with connection:
                        self._run(connection, request)
                except KeyboardInterrupt:
                    pass
                except Exception:  # a bug outside the run: in the log; the client, cut off, runs it itself
                    traceback.print_exc()
                finally:
                    self.last = time.monotonic()

    def _asked_to_stop(self, signum: int, frame: object) -> None:
        self.stop = True

    def _accept(self, listener: socket.socket) -> None:
        """The accepting thread: every request read, `status` and `stop` answered, runs queued."""
        while not self.stop:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener closed: the daemon stops
                return
            try:
                request = self._request(connection)
            except (OSError, ValueError):
                request = None
            if request is None:
                connection.close()
                continue
            self.last = time.monotonic()
            if isinstance(request.get("run"), list) and not self.stop:
                self.queue.put((connection, request))
                continue
            with connection, contextlib.suppress(OSError):
                if request.get("stop"):
                    self.stop = True
                    _send(connection, {"exit": 0})
                elif request.get("status"):
                    _send(connection, self._status())
                else:
                    _send(connection, {"declined": True})

    def _request(self, connection: socket.socket) -> dict[str, Any] | None:
        """A client's request, or None for a peer of another user; one of another protocol is declined (the client
        runs the command itself)."""
        connection.settimeout(10.0)
        if not _same_user(connection):
            return None
        line = connection.makefile("rb").readline(_MAX_REQUEST)
        request = json.loads(line) if line.endswith(b"\n") else None
        connection.settimeout(None)
        if not isinstance(request, dict) or request.get("protocol") != _PROTOCOL:
            return {}
        return request

    def _status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "since": self.started,
            "runs": self.runs,
            "busy": self.running or not self.queue.empty(),
            "idle": self.idle,
        }

    def _decline_queued(self) -> None:
        """Runs asked for while stopping: each client runs its command itself."""
        while not self.queue.empty():
            connection, _ = self.queue.get_nowait()
            with connection, contextlib.suppress(OSError):
                _send(connection, {"declined": True})

    def _run(self, connection: socket.socket, request: dict[str, Any]) -> None:
        import threading

        from generator import cli

        if self.loaded is None or self.loaded.changed():  # the generator on disk is not the one loaded
            self.stop = True
            _send(connection, {"declined": True})
            return
        cwd = str(request["cwd"])
        if not os.path.isdir(cwd):  # a folder this process does not see (another mount namespace)
            _send(connection, {"declined": True})
            return
        self.runs += 1
        command_line = [str(part) for part in request["run"]]
        out_tty, err_tty = (bool(flag) for flag in request.get("tty", (False, False)))
        lock = threading.Lock()
        streams = _Frames(connection, "out", out_tty, lock), _Frames(connection, "err", err_tty, lock)
        with (
            _interrupted_when_client_leaves(connection) as done,
            _working_dir(cwd),
            _environment(request.get("env") or {}, cwd),
            _streams(*streams),
        ):
            self.running = True
            try:
                status = _run_command(cli, command_line)
                done()
            finally:
                self.running = False
        with contextlib.suppress(OSError):
            _send(connection, {"exit": status})
        with _working_dir(cwd):
            cli.after_run(command_line)


def _run_command(cli: Any, command_line: Sequence[str]) -> int:
    """`generate` or `check` as `python -m generator` runs it, its failures as a one-off run would report them."""
    import traceback

    given = list(command_line)
    if not given or given[0] not in ("generate", "check") or "--watch" in given:
        print("error: the generation daemon runs `generate` (without --watch) and `check` only", file=sys.stderr)
        return 2
    try:
        return int(cli.main(given))
    except SystemExit as exc:  # argparse: its message is printed
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: said as a one-off run would say it, and the daemon goes on
        traceback.print_exc()
        return 1


def _same_user(connection: socket.socket) -> bool:
    """Whether the peer runs as this user (Linux's SO_PEERCRED; elsewhere the folder's mode keeps others out)."""
    import struct

    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    credentials = connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    uid: int = struct.unpack("3i", credentials)[1]
    return uid == os.getuid()


@contextlib.contextmanager
def _interrupted_when_client_leaves(connection: socket.socket) -> Iterator[Any]:
    """Within, a client that goes (or shuts its end: Ctrl-C) interrupts this thread (KeyboardInterrupt, as Ctrl-C
    in a one-off run); the caller calls what it is given once the run is over, after which nothing interrupts."""
    import threading

    lock = threading.Lock()
    running = True
    main = threading.get_ident()

    def watch() -> None:
        with contextlib.suppress(OSError):
            connection.recv(1)
        with lock:
            if running:
                signal.pthread_kill(main, signal.SIGINT)

    def done() -> None:
        nonlocal running
        with lock:
            running = False

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield done
    finally:
        done()
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RD)
        watcher.join()


@contextlib.contextmanager
def _working_dir(folder: str) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _environment(values: Mapping[str, str | None], cwd: str) -> Iterator[None]:
    """The client's values of `PASSED_ENV` (a relative folder taken from the client's working directory, since the
    worker processes do not share the run's)."""
    before = {name: os.environ.get(name) for name in PASSED_ENV}
    for name in PASSED_ENV:
        value = values.get(name)
        if isinstance(value, str) and name in _FOLDER_ENV and value.strip():
            value = str(Path(cwd, value.strip()))
        _set_env(name, value if isinstance(value, str) else None)
    try:
        yield
    finally:
        for name, value in before.items():
            _set_env(name, value)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextlib.contextmanager
def _streams(out: _Frames, err: _Frames) -> Iterator[None]:
    before = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = before


# `python -m generator daemon start | stop | status`.


def add_parser(sub: Any) -> None:
    daemon = sub.add_parser(
        "daemon",
        help="keep a warm generation process for `generate` and `check` (start, stop, status)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    actions = daemon.add_subparsers(dest="action", required=True, metavar="ACTION", help="what to do")
    start = actions.add_parser("start", help="start this installation's daemon (nothing when one runs)")
    start.add_argument(
        "--idle-minutes",
        type=float,
        default=DEFAULT_IDLE_MINUTES,
        help=f"stop after this long without a request (default {DEFAULT_IDLE_MINUTES:g})",
    )
    actions.add_parser("stop", help="stop it (after the run under way)")
    actions.add_parser("status", help="whether it runs (exit 0) or not (exit 1), its pid and runs")
    serve = actions.add_parser("serve", description="the daemon itself, in the foreground (what `start` starts)")
    serve.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES, help="as for `start`")
    daemon.set_defaults(func=cmd_daemon)


def cmd_daemon(args: argparse.Namespace) -> int:
    try:
        if args.action == "start":
            return _start(args.idle_minutes)
        if args.action == "serve":
            return _Daemon(place(create=True), args.idle_minutes).serve()
    except DaemonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    answer = _ask(args.action)
    if answer is None:
        print("no generation daemon runs for this installation")
        return 0 if args.action == "stop" else 1
    if args.action == "stop":
        print("the generation daemon stops (after the run under way, if any)")
        return 0
    print(_describe(answer))
    return 0


def _describe(status: Mapping[str, Any]) -> str:
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(status.get("since", 0))))
    idle = float(status.get("idle", 0)) / 60
    busy = ", running one now" if status.get("busy") else ""
    return (
        f"generation daemon: pid {status.get('pid')}, since {since}, {status.get('runs')} run(s){busy}; "
        f"stops after {idle:g} min without a request"
    )


def _start(idle_minutes: float) -> int:
    if idle_minutes <= 0:
        raise DaemonError("--idle-minutes must be more than 0")
    where = place(create=True)
    running = _ask("status")
    if running is not None:
        print(f"already running: {_describe(running)}")
        return 0
    process = _spawn(where, idle_minutes)
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        answer = _ask("status")
        if answer is not None:
            print(f"started: {_describe(answer)}; `generate` and `check` run in it")
            if _switch() == "off":
                print(f"note: {SWITCH_ENV} is off here: `generate` and `check` run without it", file=sys.stderr)
            return 0
        if process.poll() is not None and _ask("status") is None:
            raise DaemonError(f"the generation daemon did not start (exit {process.returncode}); see {where.log}")
        time.sleep(0.05)
    raise DaemonError(f"the generation daemon did not answer within {_START_TIMEOUT:g} s; see {where.log}")


LOG_LIMIT = 1 << 20
"""A log larger than this (bytes) when a daemon starts is kept as `<key>.log.1`, in place of the one kept before,
and the new daemon writes a new one: two logs at most, each about this size unless one daemon wrote more."""


def _spawn(where: Place, idle_minutes: float) -> subprocess.Popen[bytes]:
    """Start the daemon, detached (its output to its log), without waiting for it."""
    import subprocess

    with contextlib.suppress(OSError):  # none yet, or not ours to move: written to as it is
        if where.log.stat().st_size > LOG_LIMIT:
            os.replace(where.log, where.log.with_name(where.log.name + ".1"))
    log = os.open(where.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "generator", "daemon", "serve", "--idle-minutes", str(idle_minutes)],
            cwd=Path(__file__).resolve().parents[1],  # this generator, whatever the caller's folder holds
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # not the terminal's: its Ctrl-C is for the client
        )
    finally:
        os.close(log)
