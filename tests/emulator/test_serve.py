"""`python -m generator serve`: prints base URLs and credentials, serves every emulator, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from generator import emulator
from generator.cli import build_parser, main
from generator.emulator import NAMES
from generator.emulator.app import create_emulator
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.emulator.serve import BackgroundServer, ServerOptions, run
from generator.emulator.store import SCHEMA_VERSION, Store

from .conftest import huawei_client, live, volc_client, volcengine

ROOT = Path(__file__).resolve().parents[2]


def free_ports(count: int) -> int:
    """A first port such that `count` consecutive ports are free right now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free consecutive ports")


@contextmanager
def serve_process(
    db: str, *extra: str, port: int | None = None
) -> Iterator[tuple[int, subprocess.Popen[str], list[str]]]:
    """`python -m generator serve` on free ports (or from `port`): the first port, the process and its banner lines."""
    port = port or free_ports(len(NAMES))
    command = [sys.executable, "-m", "generator", "serve", "--port", str(port), "--db", db, *extra]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2 + len(NAMES) + len(DEFAULT_CREDENTIALS.describe()))]
        deadline = time.monotonic() + 15
        for i in range(len(NAMES)):
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port + i}/_emulator/health", trust_env=False)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, lines
                    time.sleep(0.05)
        yield port, process, lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_starts_every_emulator_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    db = tmp_path / "emulator.sqlite3"
    with serve_process(str(db)) as (port, process, lines):
        for i, name in enumerate(NAMES):
            assert any(name in line and f"http://127.0.0.1:{port + i}" in line for line in lines), lines
            health = httpx.get(f"http://127.0.0.1:{port + i}/_emulator/health", trust_env=False).json()
            assert health == {"status": "ok", "service": name, "database": str(db), "pid": process.pid}
        assert any(DEFAULT_CREDENTIALS.huawei[0].sk in line for line in lines)
        assert any(DEFAULT_CREDENTIALS.volcengine[0].sk in line for line in lines)
        process.send_signal(stop)
        out, _ = process.communicate(timeout=15)
    assert process.returncode == 0, out
    assert "stopped" in out and "Traceback" not in out
    assert db.exists()


def test_workers_share_the_ports_the_state_and_the_rate_limit(tmp_path: Path) -> None:
    with serve_process(str(tmp_path / "emulator.sqlite3"), "--workers", "2") as (port, process, _):
        volc = f"http://127.0.0.1:{port + 2}"
        # Each request on a new connection, which the kernel spreads over the workers once both accept; the
        # second worker may still be starting on a loaded machine, so ask until both answered (bounded in time).
        pids: set[int] = set()
        deadline = time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline:
            pids.add(httpx.get(f"{volc}/_emulator/health", trust_env=False).json()["pid"])
        assert len(pids) == 2 and process.pid in pids
        bursts = [_burst(volc, 14) for _ in range(5)]  # the limit is 10 calls in any second, shared
        judged = [outcomes for outcomes, seconds in bursts if seconds < 0.9]
        assert judged, f"no burst finished within the rate window on this machine: {bursts}"
        assert all(outcomes.count(200) == 10 for outcomes in judged), bursts
        with huawei_client(live, f"http://127.0.0.1:{port + 1}") as client:
            created = client.create_record_callback_config({"publish_domain": "p.example.com", "app": "live"})
        for _ in range(6):
            with huawei_client(live, f"http://127.0.0.1:{port + 1}") as client:
                assert client.show_record_callback_config(created.id) == created
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0 and "stopped" in out and "Traceback" not in out, out


def _burst(base_url: str, calls: int) -> tuple[list[int], float]:
    """The statuses of `calls` calls, each on a new connection (so on either worker), and the seconds they took; then
    a wait for the rate window to empty. Clients are built before the clock starts: a loaded machine then still
    sends the burst within the window (a burst that took longer judges nothing)."""
    clients = [volc_client(base_url) for _ in range(calls)]
    outcomes = []
    started = time.monotonic()
    for client in clients:
        with client:
            try:
                client.describe_callback({"Vhost": "v.example.com"})
                outcomes.append(200)
            except volcengine.RateLimitError:
                outcomes.append(429)
    seconds = time.monotonic() - started
    time.sleep(1.1)
    return outcomes, seconds


def test_workers_need_a_database_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db=":memory:", workers=2) == 2
    assert "needs a database file" in capsys.readouterr().err


@pytest.mark.sdk
def test_the_quick_start_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every code block of the package docstring's quick start, against `serve` (on free ports)."""
    pytest.importorskip("huaweicloudsdklive")
    volc_config = pytest.importorskip("volcengine.live.v20230101.live_config")
    service_info = volc_config.service_info_map["cn-north-1"]
    for attribute in ("scheme", "host"):
        monkeypatch.setattr(service_info, attribute, getattr(service_info, attribute))  # restored afterwards
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("VOLC_ACCESSKEY", raising=False)
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"\n\n((?:    .*\n|\n)+)", (emulator.__doc__ or "") + "\n")
    code = [textwrap.dedent(block) for block in blocks if "import " in block]
    assert len(code) == 2  # the generated client; the two official SDKs
    with serve_process(":memory:") as (port, process, _):
        for block in code:
            for default, actual in ((8700, port), (8701, port + 1), (8702, port + 2)):
                block = block.replace(f":{default}", f":{actual}")
            exec(compile(block, "<quick start>", "exec"), {})
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "1" and '"publish.example.com"' in printed[1] and "DescribeCallback" in printed[2]


def test_unknown_names_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["nonesuch"]) == 2
    assert "unknown emulator nonesuch" in capsys.readouterr().err


# --------------------------------------------------------------------------- what a client may cost (issue 12, point 4)


def _closed_after(sock: socket.socket, limit: float) -> float | None:
    """Seconds until the server closed `sock` (reading what it sent meanwhile), or None if it is open after `limit`."""
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return None
    except OSError:
        pass
    return time.monotonic() - started


def test_a_request_whose_headers_do_not_all_arrive_loses_its_connection() -> None:
    app = create_emulator("huaweicloud_live", Store())
    with BackgroundServer(app, settings=ServerOptions(header_timeout=0.3)) as server:
        with socket.create_connection((server.host, server.port)) as silent:
            assert (_closed_after(silent, 5) or 99) < 3
        with socket.create_connection((server.host, server.port)) as half_sent:
            half_sent.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n")
            assert 0.2 < (_closed_after(half_sent, 5) or 99) < 3
        with socket.create_connection((server.host, server.port)) as kept_alive:
            kept_alive.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert kept_alive.recv(65536).startswith(b"HTTP/1.1 200")
            kept_alive.sendall(b"GET /_emulator/health HTTP/1.1\r\n")  # the next request, half-sent
            assert (_closed_after(kept_alive, 5) or 99) < 3


def test_a_method_outside_https_own_is_answered_by_the_emulator() -> None:
    app = create_emulator("huaweicloud_live", Store())
    with BackgroundServer(app) as server, socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(b"BREW /_emulator/health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        sock.settimeout(5)
        answer = b""
        while chunk := sock.recv(65536):  # the head and the body may come in separate reads; then it closes
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 405") and b"\r\nallow: GET\r\n" in answer
    assert answer.endswith(b'{"error_code":"APIG.0101","error_msg":"method BREW is not allowed; allowed: GET"}')


def test_limits_and_the_request_log_come_from_the_command_line(tmp_path: Path) -> None:
    token = next(iter(DEFAULT_CREDENTIALS.huawei_tokens))
    with serve_process(str(tmp_path / "db.sqlite3"), "--max-body-size", "64", "--log-requests") as (port, process, _):
        base = f"http://127.0.0.1:{port + 1}/v1/{DEFAULT_CREDENTIALS.huawei[0].project_id}/record/callbacks"
        large = httpx.post(base, headers={"X-Auth-Token": token}, json={"app": "x" * 64}, trust_env=False)
        assert (large.status_code, large.json()["error_code"]) == (413, "APIG.0201")
        listed = httpx.get(f"{base}?limit=5", headers={"X-Auth-Token": token}, trust_env=False)
        with huawei_client(live, f"http://127.0.0.1:{port + 1}") as client:
            client.list_record_callback_configs()
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=15)
    path = re.escape(base.split(f":{port + 1}", 1)[1])
    logged = re.findall(rf"^\S+ huaweicloud_live (\w+) ({path}\S*) (\d+) [\d.]+ ms (\w+)$", out, re.MULTILINE)
    assert ("POST", base.split(f":{port + 1}", 1)[1], "413", large.headers["X-Request-Id"]) in logged, out
    assert ("GET", base.split(f":{port + 1}", 1)[1], "200", listed.headers["X-Request-Id"]) in logged, out
    assert len(logged) == 3  # the query is never printed, nor any header: no token, no signature
    assert "limit" not in out and token not in out and "Signature" not in out and "Traceback" not in out


@pytest.mark.parametrize("flag", ["--max-body-size", "--body-timeout", "--header-timeout"])
def test_limits_must_be_positive(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", flag, "0"])
    assert exited.value.code == 2 and "must be positive" in capsys.readouterr().err


# --------------------------------------------------------------------------- an unusable database (point 14)


def _not_a_database(path: Path) -> Path:
    path.write_bytes(bytes(range(256)) * 64)
    return path


def _a_directory(path: Path) -> Path:
    path.mkdir()
    return path


def _newer_schema(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return path


def _read_only(path: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files")
    Store(str(path)).close()
    path.chmod(0o444)
    return path


def _under_a_file(path: Path) -> Path:
    path.touch()
    return path / "emulator.sqlite3"


UNUSABLE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "random bytes": (_not_a_database, "file is not a database"),
    "a directory": (_a_directory, "unable to open"),
    "a newer schema": (_newer_schema, "newer than this emulator's"),
    "read-only": (_read_only, "readonly"),
    "under a file": (_under_a_file, "is a file, not a folder"),
}


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_an_unusable_database_ends_serve_in_one_line_before_anything_is_announced(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, reason = UNUSABLE[case]
    db = make(tmp_path / "emulator.sqlite3")
    assert main(["serve", "--port", str(free_ports(len(NAMES))), "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no banner: nothing was announced
    (line,) = err.splitlines()
    assert line.startswith("error: ") and str(db) in line and reason in line, line


# --------------------------------------------------------------------------- workers die with the main process (13)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _serving_pids(base_url: str, want: int) -> set[int]:
    """The pids answering `base_url` (new connections until `want` of them answered, bounded in time)."""
    pids: set[int] = set()
    deadline = time.monotonic() + 30
    while len(pids) < want and time.monotonic() < deadline:
        pids.add(httpx.get(f"{base_url}/_emulator/health", trust_env=False).json()["pid"])
    return pids


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads process states from /proc")
def test_workers_die_with_a_killed_main_process_and_a_restart_serves_alone(tmp_path: Path) -> None:
    db = str(tmp_path / "emulator.sqlite3")
    with serve_process(db, "--workers", "2") as (port, process, _):
        (worker,) = _serving_pids(f"http://127.0.0.1:{port}", 2) - {process.pid}
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while _alive(worker):
            assert time.monotonic() < deadline, "the worker outlived the killed main process"
            time.sleep(0.05)
    with serve_process(db, "--workers", "2", port=port) as (_, restarted, _):
        assert _serving_pids(f"http://127.0.0.1:{port}", 2) & {worker, process.pid} == set()
        restarted.send_signal(signal.SIGTERM)
        restarted.communicate(timeout=20)
    assert restarted.returncode == 0


def test_a_port_anything_listens_on_is_refused_even_with_workers(capsys: pytest.CaptureFixture[str]) -> None:
    """A leftover server (a worker that outlived its main process, listening with SO_REUSEPORT as workers used to)
    must not be joined by a restart."""
    port = free_ports(len(NAMES))
    with socket.socket() as leftover:
        leftover.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        leftover.bind(("127.0.0.1", port))
        leftover.listen()
        assert run(port=port, db=":memory:") == 1
        with tempfile.TemporaryDirectory() as folder:
            assert run(port=port, db=str(Path(folder) / "db.sqlite3"), workers=2) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("error: cannot listen") == 2
