"""Faults from outside: `generate` killed (SIGKILL) while writing or swapping, and its workers outliving it.

Each test runs the real CLI in a subprocess that kills itself at a chosen moment, found by wrapping the file
operation the writer relies on there; nothing in the generator knows about these tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.writer import STAMP, leftovers, load_stamp
from tests.generator.conftest import REPO, TINY_SPEC, snapshot, write_spec

KILLER = """
import os, pathlib, signal, sys
main_pid = os.getpid()
counts = {{}}

def killing(name, real, at):
    def wrapper(*args, **kwargs):
        if os.getpid() == main_pid:
            counts[name] = counts.get(name, 0) + 1
            if counts[name] == at:
                os.kill(main_pid, signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapper

{patch}
from generator.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_killed(patch: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a process killed at the patched call; without the cache, whose writes would count as calls."""
    script = KILLER.format(patch=textwrap.dedent(patch))
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "STREAMSPEC_CACHE": "off"},
    )


@pytest.fixture
def generated_once(tmp_path: Path) -> tuple[Path, Path]:
    spec = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--output", str(out)]) == 0
    spec.write_text(TINY_SPEC.replace("Show a thing.", "Show one thing."), encoding="utf-8")
    return spec, out


def recovered_and_fresh(spec: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["check", str(spec), "--output", str(out)]) == 1
    assert "was left by an interrupted generate" in capsys.readouterr().out
    assert main(["generate", str(spec), "--output", str(out)]) in (0,)
    assert "recovered: " in capsys.readouterr().err
    assert not leftovers(out)
    assert main(["check", str(spec), "--output", str(out)]) == 0
    assert b"Show one thing." in (out / "tiny" / "client.py").read_bytes()


@pytest.mark.parametrize("at", [1, 2, 3], ids=["old-moved-aside", "new-moved-in", "stamp-replaced"])
def test_kill_during_the_swap_is_recovered_by_the_next_run(
    generated_once: tuple[Path, Path], capsys: pytest.CaptureFixture[str], at: int
) -> None:
    spec, out = generated_once
    before = snapshot(out)
    done = run_killed(f"os.replace = killing('replace', os.replace, {at})", "generate", str(spec), "--output", str(out))
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert [p for p in out.iterdir() if p.name.startswith(".staging-")], "the kill left no staging folder"
    if at == 1:  # killed while moving the old package aside: it is still there, or inside the staging folder
        assert (out / "tiny").exists() or leftovers(out)[0].restored == ("tiny",)
    recovered_and_fresh(spec, out, capsys)
    assert snapshot(out) != before


def test_kill_while_staging_files_leaves_the_output_whole(
    generated_once: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = generated_once
    before = {k: v for k, v in snapshot(out).items() if not k.startswith(".staging-")}
    done = run_killed(
        "pathlib.Path.write_bytes = killing('write', pathlib.Path.write_bytes, 3)",
        "generate",
        str(spec),
        "--output",
        str(out),
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(".staging-")} == before
    recovered_and_fresh(spec, out, capsys)


def test_a_stamp_entry_is_taken_over_when_the_kill_came_after_the_swap(
    generated_once: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = generated_once
    old_entry = load_stamp(out)["tiny"]
    done = run_killed("os.replace = killing('replace', os.replace, 3)", "generate", str(spec), "--output", str(out))
    assert done.returncode == -signal.SIGKILL
    assert load_stamp(out)["tiny"] == old_entry  # the stamp was not replaced yet
    capsys.readouterr()
    assert main(["generate", str(spec), "--output", str(out)]) == 0
    assert "tiny: up to date" in capsys.readouterr().out  # the swapped-in package is vouched for, not rebuilt
    assert (out / STAMP).exists()


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_workers_die_with_a_killed_generator(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    script = textwrap.dedent(
        """
        import sys, time
        import generator.jobs, generator.pipeline
        generator.jobs.cores = lambda: 2  # workers even on one core
        def slow(*args):
            time.sleep(60)
        generator.pipeline.run_chunks = slow
        from generator.cli import main
        main(sys.argv[1:])
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, "generate", str(spec), "--output", str(tmp_path / "out")],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "STREAMSPEC_CACHE": "off"},  # so that the chunks are generated, slowly
    )
    try:
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = children(process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the generator started no workers"
        time.sleep(0.5)  # let them take the slow job
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if alive(pid)], "workers outlived the generator"
    finally:
        if process.poll() is None:
            process.kill()
