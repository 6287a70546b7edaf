"""Package versions and changelogs (`generator.versions`), through `generate` and `check` on a small spec.

The version follows the package on disk: 1.0.0 first, kept when nothing changed (a fixed point, so `generated/`
equals a fresh generation), raised by what `diff` finds against the package's `openapi.json` otherwise (major for
error-level findings, minor for additions and warnings, patch for the rest), or as `--bump` / `--version` say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import loader, versions
from generator.cli import main
from generator.errors import GenerationError
from generator.pipeline import build_package
from generator.versions import (
    CHANGELOG,
    INITIAL_VERSION,
    VERSION_FILE,
    Previous,
    ReleaseRequest,
    Version,
    version_of,
)
from generator.writer import read_package
from tests.generator.conftest import TINY_SPEC, write_spec

SUMMARY_LIST = """\
  /things:
    get:
      operationId: ListThings
      summary: List things.
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
"""


def _generate(tmp_path: Path, spec: str, *args: str) -> tuple[int, Path]:
    path = write_spec(tmp_path, "tiny.yaml", spec)
    return main(["generate", str(path), "--output", str(tmp_path / "out"), *args]), tmp_path / "out" / "tiny"


def _version(folder: Path) -> str | None:
    return version_of(read_package(folder))


def _changelog(folder: Path) -> str:
    """The changelog with its lines unwrapped."""
    return " ".join((folder / CHANGELOG).read_text(encoding="utf-8").split())


def _headings(folder: Path) -> list[str]:
    return re.findall(r"^## (.+)$", (folder / CHANGELOG).read_text(encoding="utf-8"), re.M)


def test_first_generation_is_the_initial_version_and_the_package_says_so(tmp_path: Path) -> None:
    status, folder = _generate(tmp_path, TINY_SPEC)
    assert status == 0
    assert _version(folder) == INITIAL_VERSION == "1.0.0"
    assert _headings(folder) == ["1.0.0"]
    assert "First generation, from `tiny.yaml` (Tiny, API version 1): 1 operation." in _changelog(folder)
    init = (folder / "__init__.py").read_text(encoding="utf-8")
    assert "from ._version import __version__" in init and '"__version__"' in init
    assert 'path = "_version.py"' in (folder / "pyproject.toml").read_text(encoding="utf-8")


def test_regenerating_the_same_spec_writes_nothing_and_forced_is_a_fixed_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = _generate(tmp_path, TINY_SPEC)
    before = read_package(folder)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    capsys.readouterr()
    assert _generate(tmp_path, TINY_SPEC)[0] == 0
    assert "tiny: up to date" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == mtimes
    assert _generate(tmp_path, TINY_SPEC, "--force")[0] == 0
    assert "version 1.0.0 (unchanged)" in capsys.readouterr().out
    assert read_package(folder) == before


@pytest.mark.parametrize(
    ("edit", "version", "level", "finding"),
    [
        pytest.param(
            lambda s: s.replace(
                "properties:\n                  id: {type: string}",
                "properties:\n                  id: {type: string}\n                  name: {type: string}",
            ),
            "1.1.0",
            "minor",
            "response-optional-property-added",
            id="property added",
        ),
        pytest.param(
            lambda s: s.replace("paths:\n", "paths:\n" + SUMMARY_LIST),
            "1.1.0",
            "minor",
            "endpoint-added",
            id="operation added",
        ),
        pytest.param(
            lambda s: s.replace("schema: {type: string}}", "schema: {type: string, maxLength: 8}}"),
            "2.0.0",
            "major",
            "request-parameter-max-length-set",
            id="request bound set",
        ),
        pytest.param(
            lambda s: s.replace("summary: Show a thing.", "summary: Show one thing."),
            "1.0.1",
            "patch",
            None,
            id="summary reworded",
        ),
    ],
)
def test_a_spec_change_raises_the_version_by_what_diff_finds(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[str], str],
    version: str,
    level: str,
    finding: str | None,
) -> None:
    _generate(tmp_path, TINY_SPEC)
    capsys.readouterr()
    status, folder = _generate(tmp_path, edit(TINY_SPEC))
    out = capsys.readouterr().out
    assert status == 0
    assert f"version 1.0.0 -> {version} ({level})" in out
    assert _version(folder) == version
    assert _headings(folder) == [version, "1.0.0"], "the new entry goes on top, the first one stays"
    text = _changelog(folder)
    if finding is not None:
        assert finding in out and f"(`{finding}`)" in text
    else:
        assert "The spec changed without changing the API" in text
    assert main(["check", str(tmp_path / "tiny.yaml"), "--output", str(tmp_path / "out")]) == 0


def test_specs_regenerated_together_each_get_the_level_of_their_own_diff(tmp_path: Path) -> None:
    """The diffs are worked out while the workers generate the models (on one core, when the release asks): each
    package's release follows from its own spec's diff, whichever way."""
    tiny, other = TINY_SPEC, TINY_SPEC.replace("title: Tiny", "title: Other")
    paths = [write_spec(tmp_path, "tiny.yaml", tiny), write_spec(tmp_path, "other.yaml", other)]
    out = tmp_path / "out"
    assert main(["generate", *map(str, paths), "--output", str(out)]) == 0
    write_spec(tmp_path, "tiny.yaml", tiny.replace("schema: {type: string}}", "schema: {type: string, maxLength: 8}}"))
    write_spec(tmp_path, "other.yaml", other.replace("paths:\n", "paths:\n" + SUMMARY_LIST))
    assert main(["generate", *map(str, paths), "--output", str(out)]) == 0
    assert (_version(out / "tiny"), _version(out / "other")) == ("2.0.0", "1.1.0")


def test_a_change_of_the_generated_code_alone_is_a_patch(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    first = build_package(spec)
    altered = {**first.files, "client.py": first.files["client.py"] + b"# an older generator\n"}
    again = build_package(spec, previous=Previous(altered))
    assert again.release.describe() == "version 1.0.0 -> 1.0.1 (patch)"
    assert b"the generated code changed" in b" ".join(again.files[CHANGELOG].split())


def test_bump_and_version_override_the_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, folder = _generate(tmp_path, TINY_SPEC)
    assert _generate(tmp_path, TINY_SPEC, "--bump", "major")[0] == 0
    assert _version(folder) == "2.0.0"
    assert "Nothing changed since 1.0.0. The version was set by `--bump major`." in _changelog(folder)
    assert _generate(tmp_path, TINY_SPEC, "--version", "2.3.4")[0] == 0
    assert _version(folder) == "2.3.4"
    capsys.readouterr()
    assert _generate(tmp_path, TINY_SPEC, "--version", "2.3.4")[0] == 1
    assert "[version.not-raised]" in capsys.readouterr().err
    assert _generate(tmp_path, TINY_SPEC, "--version", "2.x")[0] == 1
    assert "[version.invalid]" in capsys.readouterr().err
    other = write_spec(tmp_path, "other.yaml", TINY_SPEC)
    assert (
        main(
            [
                "generate",
                str(tmp_path / "tiny.yaml"),
                str(other),
                "--output",
                str(tmp_path / "out"),
                "--version",
                "9.0.0",
            ]
        )
        == 1
    )
    assert "[version.one-spec]" in capsys.readouterr().err
    assert _version(folder) == "2.3.4", "a refused release writes nothing"


def test_hand_edits_of_the_release_files_are_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, folder = _generate(tmp_path, TINY_SPEC)
    (folder / CHANGELOG).write_text("# mine\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(tmp_path / "tiny.yaml"), "--output", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().out == f"stale: {folder / CHANGELOG}\n"


def test_an_unreadable_previous_version_is_a_located_problem(tmp_path: Path) -> None:
    _, folder = _generate(tmp_path, TINY_SPEC)
    files = read_package(folder)
    broken = {**files, VERSION_FILE: b"__version__ = 'one'\n", "client.py": b"# older\n"}
    with pytest.raises(GenerationError) as caught:
        build_package(tmp_path / "tiny.yaml", previous=Previous(broken))
    assert [p.code for p in caught.value.problems] == ["version.unreadable"]


def test_a_previous_package_without_its_spec_gets_a_major_version(tmp_path: Path) -> None:
    _, folder = _generate(tmp_path, TINY_SPEC)
    files = {k: v for k, v in read_package(folder).items() if k != "openapi.json"}
    package = build_package(tmp_path / "tiny.yaml", previous=Previous(files))
    assert package.release.describe() == "version 1.0.0 -> 2.0.0 (major)"
    assert b"nothing proves the change compatible" in b" ".join(package.files[CHANGELOG].split())


def test_version_arithmetic() -> None:
    v = Version.parse("1.2.3")
    assert v is not None
    assert [str(v.bumped(level)) for level in ("major", "minor", "patch")] == ["2.0.0", "1.3.0", "1.2.4"]
    assert Version.parse("01.2.3") is None and Version.parse("1.2") is None
    assert Version(1, 10, 0) > Version(1, 9, 9)
    assert not ReleaseRequest() and ReleaseRequest(bump="patch")


def test_a_previous_spec_is_read_once_per_content_and_the_latest_of_each_package_is_kept(tmp_path: Path) -> None:
    """`generate --watch` reads the spec it just wrote while it waits (`expect_previous`); the next diff then finds
    it read. A text that is no JSON object is no document; one document a package is kept, the latest, for the
    latest few packages."""
    text = b'{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}'
    folder = tmp_path / "pkg"
    versions.expect_previous(text, folder)
    assert versions._previous_document(text, folder) is versions._previous_document(text, folder)
    assert versions._previous_document(text, folder) == {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
    }
    assert versions._previous_document(b"[1, 2]", folder) is None
    assert versions._previous_document(b"{not json", folder) is None
    versions._DOCUMENTS.clear()
    for n in range(3):  # a package's spec edited: only the latest kept
        versions._previous_document(b'{"n": %d}' % n, folder)
    [(_, latest)] = versions._DOCUMENTS.values()
    assert latest == {"n": 2}
    for n in range(versions._DOCUMENTS.kept + 1):
        versions._previous_document(b'{"n": %d}' % n, tmp_path / f"pkg{n}")
    assert len(versions._DOCUMENTS) == versions._DOCUMENTS.kept
    assert str((tmp_path / "pkg0").absolute()) not in versions._DOCUMENTS  # the least recent went
    assert versions._previous_document(b'{"n": 0}', tmp_path / "pkg0") == {"n": 0}  # read again


def test_a_release_diff_reads_no_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The changelog and the command line name no line of a finding, so the release's diff composes no YAML node
    tree for them (about a second for Stripe's spec, on the critical path of an edit); `diff` does (tests/diff)."""
    spec = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    first = build_package(spec)
    spec.write_text(TINY_SPEC.replace("schema: {type: string}}", "schema: {type: string, maxLength: 8}}"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a node tree was composed")

    monkeypatch.setattr(loader.yaml, "compose", refuse)
    release = build_package(spec, previous=Previous(first.files)).release
    assert release.report is not None and release.report.findings
    assert all(f.line is f.base_line is f.revision_line is None for f in release.report.findings)
