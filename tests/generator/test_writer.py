"""Writing the output (generator/writer.py): atomic replacement, the stamp that makes re-runs no-ops, and `check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.errors import GenerationError
from generator.writer import STAMP, diff_package, is_fresh, read_package, write_packages
from tests.generator.conftest import TINY_SPEC, snapshot, write_spec

OLD = {"a": {"x.py": b"old a\n", "sub/y.py": b"old a y\n"}, "b": {"x.py": b"old b\n"}}
NEW = {"a": {"x.py": b"new a\n", "z.py": b"new a z\n"}, "b": {"x.py": b"new b\n", "sub/w.py": b"new b w\n"}}


def write(output: Path, packages: dict[str, dict[str, bytes]], digest: str) -> None:
    write_packages(output, [(name, files, digest) for name, files in packages.items()])


def failing_on_call(n: int, real: Callable[..., Any]) -> Callable[..., Any]:
    calls = 0

    def replace(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == n:
            raise OSError(f"simulated failure of call {n}")
        return real(*args)

    return replace


# --------------------------------------------------------------------------- write_packages


def test_write_replaces_whole_packages_and_stamps_them(tmp_path: Path) -> None:
    write(tmp_path, OLD, "old")
    (tmp_path / "a" / "__pycache__").mkdir()
    (tmp_path / "a" / "__pycache__" / "x.pyc").write_bytes(b"cache")
    write(tmp_path, NEW, "new")
    assert {name: read_package(tmp_path / name) for name in NEW} == NEW
    assert not (tmp_path / "a" / "__pycache__").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [STAMP, "a", "b"]  # no staging left behind
    stamp = json.loads((tmp_path / STAMP).read_text(encoding="utf-8"))
    assert {name: entry["inputs"] for name, entry in stamp.items()} == {"a": "new", "b": "new"}
    assert is_fresh(tmp_path, "a", "new") and not is_fresh(tmp_path, "a", "old")


def test_writing_one_package_keeps_the_others_and_their_stamp(tmp_path: Path) -> None:
    write(tmp_path, OLD, "old")
    write(tmp_path, {"a": NEW["a"]}, "new")
    assert read_package(tmp_path / "b") == OLD["b"]
    assert is_fresh(tmp_path, "b", "old") and is_fresh(tmp_path, "a", "new")


def test_failure_while_staging_leaves_the_output_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, OLD, "old")
    before = snapshot(tmp_path)
    real = Path.write_bytes
    written = 0

    def flaky(self: Path, data: bytes) -> int:
        nonlocal written
        written += 1
        if written == 3:
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(OSError, match="disk full"):
        write(tmp_path, NEW, "new")
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [STAMP, "a", "b"]


SWAP_CALLS = 5  # a: out -> old, new -> out; b: out -> old, new -> out; stamp


@pytest.mark.parametrize(
    "fail_at",
    [pytest.param(n, id=f"replace-{n}") for n in range(1, SWAP_CALLS + 1)],
)
def test_failure_while_swapping_leaves_every_package_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    write(tmp_path, OLD, "old")
    before = snapshot(tmp_path)
    monkeypatch.setattr(os, "replace", failing_on_call(fail_at, os.replace))  # the rename writer.py relies on
    with pytest.raises(OSError, match="simulated"):
        write(tmp_path, NEW, "new")
    monkeypatch.undo()
    for name in OLD:
        on_disk = read_package(tmp_path / name)
        assert on_disk in (OLD[name], NEW[name]), f"{name} is neither the old nor the new package: {sorted(on_disk)}"
        # The stamp never vouches for files that are not there.
        for digest in ("old", "new"):
            if is_fresh(tmp_path, name, digest):
                assert on_disk == (OLD if digest == "old" else NEW)[name]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".staging-")]
    if fail_at <= 2:  # nothing was swapped in yet: everything is as before
        assert snapshot(tmp_path) == before


def test_diff_package_names_changed_missing_and_extra_files(tmp_path: Path) -> None:
    write(tmp_path, OLD, "old")
    (tmp_path / "a" / "extra.py").write_bytes(b"")
    (tmp_path / "a" / "__pycache__").mkdir()
    (tmp_path / "a" / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    expected = {"x.py": b"changed\n", "sub/y.py": OLD["a"]["sub/y.py"], "missing.py": b""}
    assert diff_package(tmp_path / "a", expected) == ["extra.py", "missing.py", "x.py"]
    assert diff_package(tmp_path / "nowhere", {"x.py": b""}) == ["x.py"]


# --------------------------------------------------------------------------- through the CLI: stamp, no-op, check


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file: what a no-op must not change."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_second_generate_is_a_no_op(tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    before, files = stats(out / "tiny"), snapshot(out)
    capsys.readouterr()
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "tiny: up to date" and lines[1].startswith("done in ")
    assert stats(out / "tiny") == before
    assert snapshot(out) == files


def test_no_op_generate_does_not_rewrite_the_stamp(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    before = stats(out)
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    assert stats(out) == before


def test_a_no_op_generate_imports_neither_the_loader_nor_a_yaml_parser(tmp_path: Path, tiny: Path) -> None:
    """Finding every package up to date needs the specs' bytes alone: neither the loader, a YAML parser, the
    pipeline nor the versioning is imported (they are most of such a run's time)."""
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    heavy = ("yaml", "generator.loader", "generator.pipeline", "generator.versions")
    code = (
        "import sys\nfrom generator.cli import main\n"
        f"status = main(['generate', '--no-daemon', {str(tiny)!r}, '--output', {str(out)!r}])\n"
        f"print(status, *sorted(m for m in sys.modules if m in {heavy!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0" and "tiny: up to date" in done.stdout


def test_hand_edit_is_regenerated(tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    pristine = snapshot(out)
    (out / "tiny" / "client.py").write_text("# edited by hand\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    assert capsys.readouterr().out.startswith("tiny: 1 operations")
    assert snapshot(out) == pristine


def test_a_file_added_inside_a_package_is_never_deleted(
    tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    (out / "tiny" / "notes.py").write_text("mine\n", encoding="utf-8")
    (out / "tiny" / "client.py").write_text("# edited by hand\n", encoding="utf-8")
    before = snapshot(out)
    capsys.readouterr()
    assert main(["generate", str(tiny), "--output", str(out), "--force"]) == 1
    err = capsys.readouterr().err
    assert f"{out / 'tiny'}: /: [output.foreign-files]" in err and "notes.py" in err
    assert snapshot(out) == before


def test_a_folder_streamspec_did_not_write_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate some/docs.yaml --output .` in a repository must not replace the repository's own docs/."""
    monkeypatch.chdir(tmp_path)
    write_spec(tmp_path / "some", "docs.yaml", TINY_SPEC)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ci.md").write_text("ours\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert main(["generate", "some/docs.yaml", "--output", "."]) == 1
    err = capsys.readouterr().err
    assert "docs: /: [output.not-generated] exists and was not generated by streamspec" in err
    assert snapshot(tmp_path) == before


def test_a_package_listed_in_the_stamp_is_still_checked_at_write_time(tmp_path: Path) -> None:
    write(tmp_path, OLD, "old")
    (tmp_path / "a" / "mine.txt").write_bytes(b"mine")
    before = snapshot(tmp_path)
    with pytest.raises(GenerationError) as raised:
        write(tmp_path, NEW, "new")
    assert [p.code for p in raised.value.problems] == ["output.foreign-files"]
    assert snapshot(tmp_path) == before


def test_output_naming_a_file_is_a_located_error(
    tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    assert main(["generate", str(tiny), "--output", str(target)]) == 1
    assert f"{target}: /: [output.not-a-directory]" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "x"


def test_spec_change_is_regenerated(tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    tiny.write_text(TINY_SPEC.replace("summary: Show a thing.", "summary: Show one thing."), encoding="utf-8")
    capsys.readouterr()
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    assert capsys.readouterr().out.startswith("tiny: 1 operations")
    assert b"Show one thing." in (out / "tiny" / "client.py").read_bytes()


def test_force_regenerates(tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    capsys.readouterr()
    assert main(["generate", str(tiny), "--output", str(out), "--force"]) == 0
    assert capsys.readouterr().out.startswith("tiny: 1 operations")


def test_check_passes_on_fresh_output_and_names_stale_files(
    tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert main(["check", str(tiny), "--output", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}/ is up to date (1 package(s))\n"
    (out / "tiny" / "models" / "__init__.py").write_text("# edited\n", encoding="utf-8")
    (out / "tiny" / "py.typed").unlink()
    (out / "tiny" / "stray.py").write_text("", encoding="utf-8")
    assert main(["check", str(tiny), "--output", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"stale: {out / 'tiny' / name}" for name in ("models/__init__.py", "py.typed", "stray.py")
    ]
    assert captured.err.startswith("3 file(s) differ from a fresh generation")
    assert set(snapshot(out)) == (set(before) - {"tiny/py.typed"}) | {"tiny/stray.py"}  # check writes nothing


def test_check_on_missing_output_is_stale(tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tiny), "--output", str(tmp_path / "none")]) == 1
    assert f"stale: {tmp_path / 'none' / 'tiny' / 'client.py'}" in capsys.readouterr().out.splitlines()
    assert not (tmp_path / "none").exists()


def test_imported_package_stays_fresh(tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bytecode caches written by importing the package are not differences."""
    out = tmp_path / "out"
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    cache = out / "tiny" / "__pycache__"
    cache.mkdir()
    (cache / "client.cpython-311.pyc").write_bytes(b"\0")
    capsys.readouterr()
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    assert main(["check", str(tiny), "--output", str(out)]) == 0
    assert "tiny: up to date" in capsys.readouterr().out
