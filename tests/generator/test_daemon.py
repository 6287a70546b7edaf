"""The generation daemon (`generator.daemon`): `generate` run in it writes and prints what a one-off run does, from the
client's folder and cache; a daemon whose generator changed on disk, one killed outright, or one in a folder others can
enter never runs anything; a client interrupted interrupts its run (nothing written) and the daemon goes on."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.generator.conftest import REPO, TINY_SPEC, VENDOR_SPECS, write_spec

Env = dict[str, str]
pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="the daemon listens on a Unix socket")


def run(
    *args: str, env: Env, cwd: Path = REPO, check: bool = False, python_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**env, "PYTHONPATH": str(python_path)} if python_path else env
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def runs_served(env: Env, cwd: Path = REPO, python_path: Path | None = None) -> int | None:
    """How many runs the daemon served, or None when none runs."""
    status = run("daemon", "status", env=env, cwd=cwd, python_path=python_path)
    if status.returncode != 0:
        return None
    found = re.search(r"(\d+) run\(s\)", status.stdout)
    assert found, status.stdout
    return int(found[1])


def gone(env: Env, cwd: Path = REPO, python_path: Path | None = None) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if runs_served(env, cwd, python_path) is None:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def daemon_env(tmp_path: Path) -> Iterator[Env]:
    """The environment of a user with a daemon folder of their own (short: a socket's path is at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="ssd-"))
    env = {**os.environ, "STREAMSPEC_DAEMON_DIR": str(folder), "STREAMSPEC_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("STREAMSPEC_DAEMON", None)
    try:
        yield env
    finally:
        for pid_file in folder.glob("*.lock"):  # whatever a test left running
            with_pid = pid_file.read_text().strip()
            if with_pid.isdigit():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(with_pid), signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)


def test_generate_in_the_daemon_writes_and_prints_what_a_one_off_run_does(tmp_path: Path, daemon_env: Env) -> None:
    specs = tmp_path / "project" / "specs"
    specs.mkdir(parents=True)
    for spec in VENDOR_SPECS:
        shutil.copy(spec, specs)
    project = specs.parent
    assert runs_served(daemon_env) is None
    started = run("daemon", "start", "--idle-minutes", "5", env=daemon_env, check=True)
    assert "started" in started.stdout
    assert "already running" in run("daemon", "start", env=daemon_env, check=True).stdout

    def both(*args: str) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
        """The same command line in the project's folder (relative paths), in the daemon and here."""
        served = run("generate", *args, "--output", "out-daemon", env=daemon_env, cwd=project)
        here = run("generate", *args, "--output", "out-here", "--no-daemon", env=daemon_env, cwd=project)
        return served, here

    def same(served: subprocess.CompletedProcess[str], here: subprocess.CompletedProcess[str]) -> None:
        assert served.returncode == here.returncode
        for a, b in ((served.stdout, here.stdout), (served.stderr, here.stderr)):
            assert re.sub(r"done in \S+ s|out-daemon|out-here", "", a) == re.sub(r"done in \S+ s|out-here", "", b)
        assert tree(project / "out-daemon") == tree(project / "out-here")

    served, here = both()
    same(served, here)
    assert served.returncode == 0 and "huaweicloud_live: 5 operations" in served.stdout
    assert runs_served(daemon_env) == 1

    spec = specs / "volcengine_live.yaml"  # one field edited: regenerated in the daemon as here
    spec.write_text(spec.read_text().replace("Callback receiver URL", "Callback receiver URL (edited)", 1))
    same(*both())
    same(*both())  # nothing changed
    again = run("generate", "--output", "out-daemon", env=daemon_env, cwd=project)
    assert "volcengine_live: up to date" in again.stdout
    checked = run("check", "--output", "out-daemon", env=daemon_env, cwd=project)  # `check` too
    assert checked.returncode == 0 and "out-daemon/ is up to date (3 package(s))" in checked.stdout

    before = tree(project / "out-daemon")
    spec.write_text(spec.read_text().replace("Callback receiver URL (edited)", "Callback receiver URL (again)", 1))
    stale = run("check", "--output", "out-daemon", env=daemon_env, cwd=project)
    assert stale.returncode == 1 and "stale: out-daemon/volcengine_live/" in stale.stdout
    spec.write_text(spec.read_text() + "\n  broken: [\n")  # a failed run: reported alike, nothing written
    served, here = both()
    same(served, here)
    assert served.returncode == 1 and "volcengine_live.yaml:" in served.stderr
    assert "nothing was written" in served.stderr
    assert tree(project / "out-daemon") == before
    assert runs_served(daemon_env) == 7

    stopped = run("daemon", "stop", env=daemon_env, check=True)
    assert "stops" in stopped.stdout
    assert gone(daemon_env)
    assert run("daemon", "stop", env=daemon_env).returncode == 0  # none running: nothing to do


def test_a_daemon_whose_generator_changed_on_disk_runs_nothing_and_stops(tmp_path: Path, daemon_env: Env) -> None:
    copy = tmp_path / "checkout"
    shutil.copytree(REPO / "generator", copy / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    spec = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    run("daemon", "start", env=daemon_env, cwd=copy, python_path=copy, check=True)
    run("generate", str(spec), "--output", "out", env=daemon_env, cwd=copy, python_path=copy, check=True)
    assert runs_served(daemon_env, cwd=copy, python_path=copy) == 1
    with (copy / "generator" / "render.py").open("a") as module:
        module.write("\n# an edit of the generator\n")
    again = run("generate", str(spec), "--output", "out", "--force", env=daemon_env, cwd=copy, python_path=copy)
    assert again.returncode == 0 and "tiny: 1 operations" in again.stdout and "(unchanged)" in again.stdout
    assert gone(daemon_env, cwd=copy, python_path=copy)  # it stopped; the client ran the command itself


def test_a_daemon_killed_outright_leaves_generate_working_and_a_new_one_starts(tmp_path: Path, daemon_env: Env) -> None:
    spec = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    run("daemon", "start", env=daemon_env, check=True)
    (lock,) = Path(daemon_env["STREAMSPEC_DAEMON_DIR"]).glob("*.lock")
    os.kill(int(lock.read_text()), signal.SIGKILL)
    assert gone(daemon_env)
    assert list(Path(daemon_env["STREAMSPEC_DAEMON_DIR"]).glob("*.sock"))  # what it left behind
    done = run("generate", str(spec), "--output", str(tmp_path / "out"), env=daemon_env, check=True)
    assert "tiny: 1 operations" in done.stdout and (tmp_path / "out" / "tiny" / "client.py").is_file()
    run("daemon", "start", env=daemon_env, check=True)
    run("generate", str(spec), "--output", str(tmp_path / "out"), "--force", env=daemon_env, check=True)
    assert runs_served(daemon_env) == 1
    os.kill(int(lock.read_text()), signal.SIGTERM)  # SIGTERM stops it, its socket removed
    assert gone(daemon_env) and not list(Path(daemon_env["STREAMSPEC_DAEMON_DIR"]).glob("*.sock"))


def test_a_folder_others_can_enter_is_refused_and_generate_runs_here(tmp_path: Path, daemon_env: Env) -> None:
    folder = Path(daemon_env["STREAMSPEC_DAEMON_DIR"])
    folder.chmod(0o755)
    refused = run("daemon", "start", env=daemon_env)
    assert refused.returncode == 1
    assert f"{folder}: the generation daemon needs a folder that only you can enter" in refused.stderr
    assert "mode 755" in refused.stderr and "STREAMSPEC_DAEMON_DIR" in refused.stderr
    spec = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    run("generate", str(spec), "--output", str(tmp_path / "out"), env=daemon_env, check=True)
    assert not list(folder.iterdir())
    deep = folder / ("d" * 60) / ("e" * 60)  # a socket's path is at most 103 bytes
    too_long = run("daemon", "start", env={**daemon_env, "STREAMSPEC_DAEMON_DIR": str(deep)})
    assert too_long.returncode == 1 and "too long for a Unix socket's path" in too_long.stderr


def test_switched_off_generate_runs_here(tmp_path: Path, daemon_env: Env) -> None:
    spec = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    started = run("daemon", "start", env={**daemon_env, "STREAMSPEC_DAEMON": "off"}, check=True)
    assert "note: STREAMSPEC_DAEMON is off here" in started.stderr
    run("generate", str(spec), "--output", str(tmp_path / "out"), env={**daemon_env, "STREAMSPEC_DAEMON": "off"})
    run("generate", str(spec), "--output", str(tmp_path / "out"), "--force", "--no-daemon", env=daemon_env)
    assert runs_served(daemon_env) == 0
    run("daemon", "stop", env=daemon_env, check=True)


def test_auto_starts_one_for_the_runs_after(tmp_path: Path, daemon_env: Env) -> None:
    spec = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    auto = {**daemon_env, "STREAMSPEC_DAEMON": "auto"}
    first = run("generate", str(spec), "--output", str(tmp_path / "out"), env=auto, check=True)
    assert "tiny: 1 operations" in first.stdout  # run here, a daemon started meanwhile
    assert "note: starting a generation daemon" in first.stderr
    deadline = time.monotonic() + 60
    while runs_served(daemon_env) is None:
        assert time.monotonic() < deadline, "no daemon started"
        time.sleep(0.1)
    run("generate", str(spec), "--output", str(tmp_path / "out"), "--force", env=auto, check=True)
    assert runs_served(daemon_env) == 1
    run("daemon", "stop", env=daemon_env, check=True)


def large_spec(folder: Path, schemas: int) -> Path:
    """A spec whose models take datamodel-code-generator seconds: many schemas of many fields."""
    lines = [
        "openapi: 3.1.0",
        "info: {title: Large, version: 1.0.0}",
        "paths:",
        "  /things:",
        "    get:",
        "      operationId: listThings",
        "      responses:",
        "        '200':",
        "          description: ok",
        "          content:",
        "            application/json:",
        "              schema: {$ref: '#/components/schemas/Thing0'}",
        "components:",
        "  schemas:",
    ]
    for i in range(schemas):
        lines += [f"    Thing{i}:", "      type: object", "      properties:"]
        lines += [f"        field{j}: {{type: string, maxLength: {j + 1}}}" for j in range(12)]
        if i + 1 < schemas:
            lines += [f"        next: {{$ref: '#/components/schemas/Thing{i + 1}'}}"]
    return write_spec(folder, "large.yaml", "\n".join(lines) + "\n")


def test_an_interrupted_client_interrupts_its_run_and_the_daemon_goes_on(tmp_path: Path, daemon_env: Env) -> None:
    spec = large_spec(tmp_path / "specs", 600)
    out = tmp_path / "out"
    run("daemon", "start", env=daemon_env, check=True)
    client = subprocess.Popen(
        [sys.executable, "-m", "generator", "generate", str(spec), "--output", str(out)],
        cwd=REPO,
        env=daemon_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while "running one now" not in run("daemon", "status", env=daemon_env).stdout:  # status answers while it runs
        assert time.monotonic() < deadline and client.poll() is None, "the run never started or ended too soon"
        time.sleep(0.05)
    client.send_signal(signal.SIGINT)  # Ctrl-C
    _, err = client.communicate(timeout=60)
    assert client.returncode != 0 and "KeyboardInterrupt" in err
    assert not out.exists()  # the run was interrupted before it wrote anything
    status = run("daemon", "status", env=daemon_env, check=True).stdout
    assert "running one now" not in status and "1 run(s)" in status
    tiny = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    run("generate", str(tiny), "--output", str(out), env=daemon_env, check=True)
    assert runs_served(daemon_env) == 2


def test_a_large_log_is_kept_once_and_a_new_one_started(daemon_env: Env) -> None:
    """The log (the daemon's own tracebacks) is never trimmed while a daemon writes it: one over `LOG_LIMIT` when
    a daemon starts is kept as `.log.1`, replacing the one kept before, and the daemon starts a new one."""
    from generator.daemon import LOG_LIMIT

    folder = Path(daemon_env["STREAMSPEC_DAEMON_DIR"])
    run("daemon", "start", env=daemon_env, check=True)
    run("daemon", "stop", env=daemon_env, check=True)
    assert gone(daemon_env)
    (log,) = folder.glob("*.log")
    log.write_bytes(b"old traceback\n" * (LOG_LIMIT // 14 + 1))
    kept = log.with_name(log.name + ".1")
    kept.write_bytes(b"older\n")
    run("daemon", "start", env=daemon_env, check=True)
    run("daemon", "stop", env=daemon_env, check=True)
    assert gone(daemon_env)
    assert kept.read_bytes().startswith(b"old traceback\n") and kept.stat().st_size > LOG_LIMIT
    assert log.stat().st_size < 1000  # the new daemon's: nothing written but what it says, if anything
    assert sorted(p.name for p in folder.glob("*.log*")) == [log.name, kept.name]
    log.write_bytes(b"small\n")
    run("daemon", "start", env=daemon_env, check=True)  # under the limit: written on
    run("daemon", "stop", env=daemon_env, check=True)
    assert log.read_bytes().startswith(b"small\n") and kept.stat().st_size > LOG_LIMIT
