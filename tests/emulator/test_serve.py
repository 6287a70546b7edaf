"""`python -m generator serve`: prints base URLs and credentials, serves every emulator, stops cleanly on Ctrl-C."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from generator import emulator
from generator.emulator import NAMES
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.emulator.serve import run

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
def serve_process(db: str, *extra: str) -> Iterator[tuple[int, subprocess.Popen[str], list[str]]]:
    """`python -m generator serve` on free ports: the first port, the process and its banner lines."""
    port = free_ports(len(NAMES))
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
        outcomes = []
        for _ in range(14):  # a new connection (so either worker) per request, well within one second
            with volc_client(volc) as client:
                try:
                    client.describe_callback({"Vhost": "v.example.com"})
                    outcomes.append(200)
                except volcengine.RateLimitError:
                    outcomes.append(429)
        assert outcomes.count(200) == 10, outcomes
        with huawei_client(live, f"http://127.0.0.1:{port + 1}") as client:
            created = client.create_record_callback_config({"publish_domain": "p.example.com", "app": "live"})
        for _ in range(6):
            with huawei_client(live, f"http://127.0.0.1:{port + 1}") as client:
                assert client.show_record_callback_config(created.id) == created
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0 and "stopped" in out and "Traceback" not in out, out


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
