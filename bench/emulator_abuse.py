"""What abusive clients cost `python -m generator serve`: memory under a large unauthenticated upload, and sockets held
by half-sent requests.

    .venv/bin/python bench/emulator_abuse.py [--upload-mb 200] [--half-sent 300] [--watch 30]

The emulator runs in its own process (Huawei Live only, a SQLite file in a temporary folder, signatures verified).

- upload: a `POST` of `--upload-mb` MB (Content-Length given, body streamed), then the same with chunked transfer
  coding, each without credentials and then with a valid token (`X-Auth-Token`, which does not cover the body);
  the server's resident memory is sampled throughout (VmRSS) and its peak read from VmHWM.
- half-sent: `--half-sent` connections stop inside their headers, as many send complete headers with a
  Content-Length of 1,000 and 10 bytes of body, and as many do the same with a valid token; for `--watch` seconds
  we count how many of each the server still holds open, and when it closed the last one.

Figures go to stdout; nothing is asserted (measurements belong here, not in tests).
"""

from __future__ import annotations

import argparse
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.emulator.credentials import DEFAULT_CREDENTIALS  # noqa: E402

PATH = "/v1/0000000000000000000000000000local/record/callbacks"
TOKEN = f"X-Auth-Token: {next(iter(DEFAULT_CREDENTIALS.huawei_tokens))}\r\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving(folder: str) -> Iterator[tuple[int, int]]:
    """The emulator's port and pid."""
    port = _free_port()
    db = str(Path(folder) / "emulator.sqlite3")
    command = [sys.executable, "-m", "generator", "serve", "huaweicloud_live", "--port", str(port), "--db", db]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.05)
        yield port, process.pid
    finally:
        process.kill()
        process.wait()


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) // 1024
    return fields


def _upload(port: int, megabytes: int, chunked: bool, credentials: str) -> tuple[str, float]:
    """Send the upload; the status line the server answered (or how the connection ended) and the seconds taken."""
    started = time.monotonic()
    size = megabytes * 1024 * 1024
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{credentials}{framing}\r\n\r\n"
    chunk = b"x" * (1024 * 1024)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(120)
        try:
            sock.sendall(head.encode())
            for _ in range(megabytes):
                sock.sendall(b"100000\r\n" + chunk + b"\r\n" if chunked else chunk)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError as exc:  # the server answered early and closed: read what it said
            ended = type(exc).__name__
        else:
            ended = "sent"
        try:
            answer = sock.recv(65536).split(b"\r\n", 1)[0].decode()
        except OSError as exc:
            answer = type(exc).__name__
    return f"{answer or 'closed without answer'} ({ended})", time.monotonic() - started


def measure_upload(port: int, pid: int, megabytes: int) -> None:
    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(_memory(pid)["VmRSS"])
            stop.wait(0.05)

    before = _memory(pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for credentials in ("", TOKEN):
        for chunked in (False, True):
            answer, seconds = _upload(port, megabytes, chunked, credentials)
            framing = "chunked" if chunked else "with Content-Length"
            who = "with a token" if credentials else "unauthenticated"
            print(f"upload {megabytes} MB {framing}, {who}: {answer} in {seconds:.2f} s")
    time.sleep(2)
    stop.set()
    sampler.join()
    after = _memory(pid)
    print(
        f"memory: {before['VmRSS']} MB before, peak {after['VmHWM']} MB (sampled max {max(samples)} MB), "
        f"{after['VmRSS']} MB 2 s after"
    )


def _held(sockets: list[socket.socket]) -> int:
    """How many of `sockets` the server still holds open (whatever it answered); those it closed are closed here."""
    held = 0
    for sock in sockets:
        if sock.fileno() < 0:
            continue
        try:
            while select.select([sock], [], [], 0)[0]:
                if not sock.recv(65536):
                    raise ConnectionResetError
        except OSError:
            sock.close()
            continue
        held += 1
    return held


def measure_half_sent(port: int, count: int, watch: float) -> None:
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    partial = {
        "headers": head.encode(),
        "body": f"{head}Content-Length: 1000\r\n\r\n".encode() + b'{"a": "12',
        "body, with a token": f"{head}{TOKEN}Content-Length: 1000\r\n\r\n".encode() + b'{"a": "12',
    }
    opened: dict[str, list[socket.socket]] = {kind: [] for kind in partial}
    for _ in range(count):
        for kind, data in partial.items():
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(data)
            opened[kind].append(sock)
    started = time.monotonic()
    last: dict[str, float | None] = dict.fromkeys(partial)
    while time.monotonic() - started < watch:
        for kind, sockets in opened.items():
            if last[kind] is None and _held(sockets) == 0:
                last[kind] = time.monotonic() - started
        if all(value is not None for value in last.values()):
            break
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    for kind, sockets in opened.items():
        closed_at = last[kind]
        when = f"all closed {closed_at:.1f} s after sending" if closed_at is not None else f"after {elapsed:.0f} s"
        print(f"half-sent in the {kind}: {_held(sockets)} of {count} still held ({when})")
        for sock in sockets:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upload-mb", type=int, default=200)
    parser.add_argument("--half-sent", type=int, default=300)
    parser.add_argument("--watch", type=float, default=30.0, help="seconds to watch the half-sent requests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, _serving(folder) as (port, pid):
        measure_upload(port, pid, args.upload_mb)
        measure_half_sent(port, args.half_sent, args.watch)
    print(f"(cpu count {os.cpu_count()})")


if __name__ == "__main__":
    main()
