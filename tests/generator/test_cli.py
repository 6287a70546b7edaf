"""The command line (generator/cli.py): `list`, `generate` and `check` output and exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from tests.generator.conftest import GENERALITY, REPO, TINY_SPEC, write_spec

SUMMARY = re.compile(r"^(\w+): (\d+) operations, (\d+) models, (\d+) files -> (.+)$")
DONE = re.compile(r"^done in \d+\.\d\d s$")
MODEL = re.compile(r"^class \w+\(|^\w+ = TypeAliasType\(", re.M)  # one per schema in the registry


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", str(GENERALITY)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "generality (Generality widget store, 2024-01-01)"
    assert lines[1:] == [
        f"  {'ListWidgets':<32} {'GET /widgets':<56} List widgets.",
        f"  {'CreateWidget':<32} {'POST /widgets':<56} Create a widget.",
        f"  {'ShowWidget':<32} {'GET /widgets/{widget_id}':<56} Show a widget.",
        f"  {'UpdateWidget':<32} {'PUT /widgets/{widget_id}':<56} Update a widget.",
        f"  {'DeleteWidget':<32} {'DELETE /widgets/{widget_id}':<56} Delete a widget.",
        f"  {'ShowWidgetPart':<32} {'GET /widgets/{widget_id}/parts/{index}':<56} Show one part of a widget.",
        f"  {'ShowTag':<32} {'GET /tags/{tag}':<56} Echo a tag (free-text path and query values).",
        f"  {'Ping':<32} {'GET /?Action=Ping&Version=2024-01-01':<56} Check the service (RPC style).",
    ]


def test_list_several_specs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    assert main(["list", str(GENERALITY), str(tiny)]) == 0
    headers = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("  ")]
    assert headers == ["generality (Generality widget store, 2024-01-01)", "tiny (Tiny, 1)"]


def test_list_of_a_bad_spec_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_spec(tmp_path, "bad.yaml", "openapi: 3.1.0\ninfo: {version: '1'}\npaths: {}\n")
    assert main(["list", str(bad)]) == 1
    assert "[spec.invalid]" in capsys.readouterr().err


def test_generate_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    tiny = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    assert main(["generate", str(GENERALITY), str(tiny), "--output", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    lines = [line for line in printed if not line.startswith("  ")]  # each package's version is indented under it
    assert printed.count("  version 1.0.0 (first generation)") == 2
    assert len(lines) == 3 and DONE.match(lines[2]), lines
    summaries = {m[1]: m.groups()[1:] for m in map(SUMMARY.match, lines[:2]) if m}
    for name, operations in (("generality", 8), ("tiny", 1)):
        files = [p for p in (out / name).rglob("*") if p.is_file()]
        defined = [p for p in (out / name / "models").glob("_*.py") if p.name != "__init__.py"]
        models = sum(len(MODEL.findall(p.read_text(encoding="utf-8"))) for p in defined)
        assert summaries[name] == (str(operations), str(models), str(len(files)), str(out / name))


def test_defaults_are_specs_and_generated_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    monkeypatch.chdir(tmp_path)
    assert main(["generate"]) == 0
    files = sum(1 for p in (tmp_path / "generated" / "tiny").rglob("*") if p.is_file())
    assert capsys.readouterr().out.splitlines()[0] == f"tiny: 1 operations, 3 models, {files} files -> generated/tiny"
    assert (tmp_path / "generated" / "tiny" / "client.py").is_file()
    assert main(["check"]) == 0
    assert main(["generate"]) == 0
    assert "tiny: up to date" in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("verb", ["generate", "check", "list", "fuzz"])
def test_no_specs_is_an_error_for_every_verb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    """A CI step run in the wrong folder must fail, not report 0 packages up to date."""
    monkeypatch.chdir(tmp_path)
    assert main([verb]) == 2
    captured = capsys.readouterr()
    assert (
        captured.err == f"error: no spec files given, and none found in {tmp_path / 'specs'} (*.yaml, *.yml, *.json)\n"
    )
    assert captured.out == ""
    assert not (tmp_path / "generated").exists()


def test_version_and_help_list_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    from generator import __version__

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out == f"streamspec {__version__}\n"
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    for verb in ("generate", "check", "list", "serve", "fuzz", "diff"):
        assert re.search(rf"^    {verb} +\S", listed, re.M), f"{verb} has no line in the help"


def test_every_argument_of_every_verb_has_help() -> None:
    from generator.cli import build_parser

    parser = build_parser()
    verbs = next(a for a in parser._actions if a.dest == "command").choices
    for name, verb in verbs.items():
        for action in verb._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_an_unknown_argument_shows_its_verbs_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["generate", "--bogus"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("usage: generator generate ")
        and "generator generate: error: unrecognized arguments: --bogus" in err
    )


@pytest.mark.parametrize(
    ("edit", "code"),
    [(None, 0), ("client.py", 1), ("_runtime/client.py", 1), ("openapi.json", 1)],
    ids=["fresh", "stale-client", "stale-runtime", "stale-spec-copy"],
)
def test_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: str | None, code: int) -> None:
    out = tmp_path / "out"
    tiny = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    if edit:
        with (out / "tiny" / edit).open("ab") as fh:
            fh.write(b"\n")
    capsys.readouterr()
    assert main(["check", str(tiny), "--output", str(out)]) == code
    if edit:
        assert capsys.readouterr().out == f"stale: {out / 'tiny' / edit}\n"


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "list", str(GENERALITY)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("generality (Generality widget store, 2024-01-01)\n")


def test_a_long_generate_shows_its_phases_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past `progress.DELAY` (here at once) each phase is announced; stdout keeps the summary alone."""
    monkeypatch.setattr("generator.progress.DELAY", 0.0)
    tiny = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    assert main(["generate", str(tiny), "--output", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    phases = re.findall(r"^generate: (.+) \(\d+\.\d s so far\)$", err, re.MULTILINE)
    assert [phase.split(":")[0] for phase in phases[-2:]] == ["generating 1 package(s)", "writing 1 package(s)"]
    assert "so far" not in out


def test_a_quick_generate_shows_no_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    assert main(["generate", str(tiny), "--output", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["generate", str(tiny), "--output", str(tmp_path / "out")]) == 0  # up to date: a tenth of a second
    assert "so far" not in capsys.readouterr().err


class _Watcher:
    """`python -m generator generate ... --watch` in a process of its own, its output lines read as they come (a
    thread per stream); killed, if still running, when the `with` block ends."""

    def __init__(self, args: list[str], cwd: Path, *, ignore_sigint: bool = False, python_path: Path = REPO) -> None:
        import os
        import queue
        import signal

        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(python_path)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "generate", *args, "--watch"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # As a shell starts a command in the background: SIGINT ignored.
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None,
        )
        self.queue: queue.Queue[tuple[str, str]] = queue.Queue()

    def __enter__(self) -> _Watcher:
        import threading

        self.readers = []
        for name, stream in (("out", self.process.stdout), ("err", self.process.stderr)):
            reader = threading.Thread(target=self._read, args=(name, stream), daemon=True)
            reader.start()
            self.readers.append(reader)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.kill()
        self.process.wait()

    def _read(self, name: str, stream: Any) -> None:
        for line in stream:
            self.queue.put((name, line.rstrip("\n")))

    def until(self, pattern: str, timeout: float = 60) -> list[tuple[str, str]]:
        """The lines up to and including the first (on either stream) that `pattern` matches."""
        import time

        seen: list[tuple[str, str]] = []
        deadline = time.monotonic() + timeout
        while True:
            stream, line = self.queue.get(timeout=max(0.1, deadline - time.monotonic()))
            seen.append((stream, line))
            if re.search(pattern, line):
                return seen

    def stop(self, signum: int) -> list[tuple[str, str]]:
        """Send `signum`; every line from then until the process ended (which must be with status 0)."""
        self.process.send_signal(signum)
        stopping = self.until("^stopped watching")
        assert self.process.wait(30) == 0
        for reader in self.readers:
            reader.join(10)
        return stopping + [self.queue.get() for _ in range(self.queue.qsize())]


def _clean(lines: list[tuple[str, str]]) -> bool:
    return not [line for _, line in lines if "Traceback" in line or "Interrupt" in line or line.startswith("error")]


def test_generate_watch_regenerates_each_edit_keeps_watching_after_a_bad_one_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    import signal

    spec, out = write_spec(tmp_path, "tiny.yaml", TINY_SPEC), tmp_path / "out"
    with _Watcher([str(spec), "--output", str(out)], REPO, ignore_sigint=True) as watcher:
        assert ("out", "  version 1.0.0 (first generation)") in watcher.until("^watching 1 spec")
        spec.write_text(TINY_SPEC.replace("summary: Show a thing.", "summary: Show one thing."), encoding="utf-8")
        assert ("out", "  version 1.0.0 -> 1.0.1 (patch)") in watcher.until(DONE.pattern)
        assert main(["check", str(spec), "--output", str(out)]) == 0  # what a one-off run would have written
        spec.write_text("openapi: 3.1.0\ninfo: {title: [\n", encoding="utf-8")
        failed = watcher.until(r"nothing was written")
        assert failed[-1][0] == "err"
        spec.write_text(TINY_SPEC.replace("summary: Show a thing.", "summary: Show a thing at last."), encoding="utf-8")
        assert ("out", "  version 1.0.1 -> 1.0.2 (patch)") in watcher.until(DONE.pattern)
        assert _clean(watcher.stop(signal.SIGINT))  # stopped though started with SIGINT ignored


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the worker processes in /proc")
def test_generate_watch_replaces_a_worker_that_died_between_runs(tmp_path: Path) -> None:
    import os
    import signal

    from generator.jobs import cores

    if cores() < 2:
        pytest.skip("one core: the jobs run in the watching process")
    spec = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    with _Watcher([str(spec), "--output", str(tmp_path / "out")], REPO) as watcher:
        watcher.until("^watching 1 spec")
        pid = watcher.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert children, "the kept workers"
        os.kill(int(children[0]), signal.SIGKILL)
        spec.write_text(TINY_SPEC.replace("summary: Show a thing.", "summary: Show one thing."), encoding="utf-8")
        seen = watcher.until(DONE.pattern)
        assert ("out", "  version 1.0.0 -> 1.0.1 (patch)") in seen and _clean(seen)
        assert _clean(watcher.stop(signal.SIGTERM))


def test_generate_watch_starts_again_when_the_generator_changes_on_disk(tmp_path: Path) -> None:
    """A watch runs the generator code it loaded; when that code changes on disk (a template here), it says so and
    starts again as a new process (the same pid), which generates what the new code makes, and watches on."""
    import shutil
    import signal

    copy = tmp_path / "checkout"
    shutil.copytree(REPO / "generator", copy / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    spec, out = write_spec(tmp_path, "tiny.yaml", TINY_SPEC), tmp_path / "out"
    with _Watcher([str(spec), "--output", str(out)], copy, python_path=copy) as watcher:
        watcher.until("^watching 1 spec")
        pid = watcher.process.pid
        template = copy / "generator" / "templates" / "client.py.jinja"
        template.write_text(template.read_text(encoding="utf-8") + "\n# edited while watching\n", encoding="utf-8")
        seen = watcher.until("^watching 1 spec")
        assert ("out", "the generator changed on disk: starting again with it") in seen
        assert ("out", "  version 1.0.0 -> 1.0.1 (patch)") in seen and _clean(seen)
        assert "# edited while watching" in (out / "tiny" / "client.py").read_text(encoding="utf-8")
        spec.write_text(TINY_SPEC.replace("summary: Show a thing.", "summary: Show one thing."), encoding="utf-8")
        assert ("out", "  version 1.0.1 -> 1.0.2 (patch)") in watcher.until(DONE.pattern)
        assert watcher.process.pid == pid
        assert _clean(watcher.stop(signal.SIGINT))


def test_generate_watch_without_specs_watches_the_specs_folder_and_generates_a_spec_added(tmp_path: Path) -> None:
    import signal

    write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)
    with _Watcher([], tmp_path) as watcher:
        watcher.until("^watching the specs folder")
        write_spec(tmp_path / "specs", "other.yaml", TINY_SPEC.replace("title: Tiny", "title: Other"))
        seen = watcher.until(DONE.pattern)
        assert ("out", "  version 1.0.0 (first generation)") in seen and ("out", "tiny: up to date") in seen
        assert (tmp_path / "generated" / "other" / "client.py").is_file()
        assert _clean(watcher.stop(signal.SIGINT))


def test_generate_watch_takes_no_release_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    assert main(["generate", str(spec), "--output", str(tmp_path / "out"), "--watch", "--bump", "minor"]) == 2
    assert "--watch" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("one_off", "serving", "left_on"), [(True, False, False), (False, False, True), (True, True, True)]
)
def test_a_process_that_ends_with_its_run_leaves_the_collector_off(
    one_off: bool, serving: bool, left_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a one-off process (`entry`) leaves its run's garbage to the exit; the daemon, which outlives its runs,
    and a caller of `main` (these tests) keep the cycle collector on."""
    import gc

    from generator import cli, daemon

    monkeypatch.setattr(cli, "_ONE_OFF", one_off)
    monkeypatch.setattr(daemon, "_serving", serving)
    assert gc.isenabled()
    try:
        cli._collector_off_to_the_end()
        assert gc.isenabled() == left_on
    finally:
        gc.enable()
