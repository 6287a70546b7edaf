"""`python -m generator diff`: outputs, exit codes, REV:PATH from git, severity files, unusable inputs."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.cli import build_parser, main
from generator.diff.report import SCHEMA, catalogue
from generator.diff.rules import RULES
from tests.conftest import ROOT
from tests.diff.conftest import base_document, write

SUMMARY = re.compile(
    r"^(\d+) findings?: (\d+) errors?, (\d+) warnings?, (\d+) info(, (\d+) ignored by the severity file)?$"
)


def _pair(folder: Path, *, error: bool = True, warning: bool = True) -> tuple[str, str]:
    """Two specs whose diff has an info finding, plus an error and a warning when asked."""
    base = base_document()
    revision = copy.deepcopy(base)
    revision["servers"].append({"url": "https://r3.pets.example.com", "x-region": "r3"})  # info
    if error:
        del revision["paths"]["/legacy"]  # api-path-removed-without-deprecation, python-method-removed
    if warning:
        revision["servers"].pop(0)  # api-server-removed, api-default-server-changed
    return str(write(folder, "old.yaml", base)), str(write(folder, "new.yaml", revision))


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["diff", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("error", "warning", "fail_on", "expected"),
    [
        (True, True, None, 0),
        (True, False, "error", 1),
        (False, True, "error", 0),
        (False, True, "warning", 1),
        (True, False, "warning", 1),
        (False, False, "warning", 0),
    ],
)
def test_fail_on_sets_the_exit_code(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    error: bool,
    warning: bool,
    fail_on: str | None,
    expected: int,
) -> None:
    old, new = _pair(tmp_path, error=error, warning=warning)
    code, _, _ = _run(capsys, old, new, *(["--fail-on", fail_on] if fail_on else []))
    assert code == expected


def test_text_output_is_one_line_per_finding_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, *_pair(tmp_path))
    lines = out.splitlines()
    summary = SUMMARY.match(lines[-1])
    assert code == 0 and summary, lines[-1]
    assert int(summary[1]) == len(lines) - 1
    assert lines[0].startswith("error   ")
    assert any(
        line.startswith("error   api-path-removed-without-deprecation  Legacy: GET /legacy was removed")
        for line in lines
    )
    assert any("(base: " in line and "old.yaml:" in line for line in lines)


def _validated(out: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(out)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
    return document


def test_json_output_follows_the_published_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _pair(tmp_path)
    severity = tmp_path / "severity.yaml"
    severity.write_text("api-server-added: {level: ignore, reason: regions are announced elsewhere}\n")
    code, out, _ = _run(capsys, old, new, "--format", "json", "--severity", str(severity))
    document = _validated(out)
    assert code == 0 and document["version"] == 1
    assert document["summary"]["error"] == sum(f["level"] == "error" for f in document["findings"]) > 0
    assert [i["id"] for i in document["ignored"]] == ["api-server-added"]
    removed = next(f for f in document["findings"] if f["id"] == "api-path-removed-without-deprecation")
    assert removed["base"]["pointer"] == "/paths/~1legacy/get" and removed["base"]["line"] > 1
    assert removed["revision"] == {"pointer": None, "line": None}
    assert removed["direction"] == "none" and removed["operation"] == "Legacy"


def test_json_output_without_findings_follows_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(write(tmp_path, "same.yaml", base_document()))
    code, out, _ = _run(capsys, spec, spec, "--format", "json")
    assert code == 0 and _validated(out)["findings"] == []


def test_markdown_is_a_pull_request_comment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, *_pair(tmp_path), "--format", "markdown")
    assert code == 0
    assert out.startswith("### API changes: `")
    assert "| level | findings |" in out and re.search(r"^\| error \| [1-9]\d* \|$", out, re.M)
    assert re.search(r"^#### Error \(\d+\)$", out, re.M) and re.search(r"^#### Warning \(\d+\)$", out, re.M)
    assert "| `api-path-removed-without-deprecation` | Legacy | GET /legacy was removed" in out
    assert out.index("#### Error") < out.index("#### Warning") < out.index("#### Info")


def test_severity_file_changes_levels_and_needs_reasons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _pair(tmp_path, error=False)
    severity = tmp_path / "severity.yaml"
    severity.write_text("api-server-removed: {level: error, reason: clients pin regions}\n")
    code, out, _ = _run(capsys, old, new, "--fail-on", "error", "--severity", str(severity))
    assert code == 1 and "error   api-server-removed" in out
    severity.write_text("api-server-removed:\n  level: ignore\nnot-a-rule: {level: info, reason: x}\n")
    code, out, err = _run(capsys, old, new, "--severity", str(severity))
    assert code == 2 and out == ""
    assert "severity.yaml:1: /api-server-removed: [diff.severity] every override needs a `reason`" in err
    assert "severity.yaml:3: /not-a-rule: [diff.severity] unknown rule id 'not-a-rule'" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "[spec.unreadable] cannot read the spec"),
        ("openapi: 3.1.0\npaths: {a: [\n", "missing.yaml:3:1: /: [spec.syntax] not valid YAML"),
        ("swagger: '2.0'\n", "missing.yaml:1: /openapi: [spec.version] expected OpenAPI 3.0.x or 3.1.x"),
    ],
)
def test_unusable_inputs_exit_2_with_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    spec = tmp_path / "missing.yaml"
    if content is not None:
        spec.write_text(content)
    good = str(write(tmp_path, "good.yaml", base_document()))
    code, out, err = _run(capsys, good, str(spec))
    assert code == 2 and out == ""
    assert expected in err, err


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def test_rev_path_reads_specs_from_git(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    old, new = _pair(tmp_path)
    _git(repo, "init", "-q")
    (repo / "specs" / "api.yaml").write_bytes(Path(old).read_bytes())
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "v1")
    (repo / "specs" / "api.yaml").write_bytes(Path(new).read_bytes())
    _git(repo, "commit", "-qam", "v2")
    monkeypatch.chdir(repo / "specs")
    code, out, _ = _run(capsys, "HEAD~1:specs/api.yaml", "HEAD:./api.yaml", "--format", "json")
    document = _validated(out)
    assert code == 0 and (document["base"], document["revision"]) == ("HEAD~1:specs/api.yaml", "HEAD:./api.yaml")
    removed = next(f for f in document["findings"] if f["id"] == "api-path-removed-without-deprecation")
    assert removed["base"]["line"] is not None
    code, out, _ = _run(capsys, "HEAD:specs/api.yaml", "api.yaml")  # against the working tree
    assert code == 0 and out.startswith("0 findings")

    code, _, err = _run(capsys, "no-such-rev:specs/api.yaml", "api.yaml")
    assert (
        code == 2 and "no-such-rev:specs/api.yaml: /: [diff.git] cannot read 'specs/api.yaml' at 'no-such-rev'" in err
    )
    code, _, err = _run(capsys, "HEAD:specs/gone.yaml", "api.yaml")
    assert code == 2 and "[diff.git]" in err and "gone.yaml" in err
    (repo / "specs" / "api.yaml").write_text("openapi: 3.1.0\npaths: [\n")
    _git(repo, "commit", "-qam", "broken")
    code, _, err = _run(capsys, "HEAD:specs/api.yaml", "HEAD~1:specs/api.yaml")
    assert code == 2 and "HEAD:specs/api.yaml:3:1: /: [spec.syntax] not valid YAML" in err


def test_every_argument_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._subparsers._group_actions if a.dest == "command")  # type: ignore[union-attr]
    diff = sub.choices["diff"]
    assert all(action.help for action in diff._actions)


def test_list_rules_prints_the_catalogue_that_the_docs_hold(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--list-rules")
    assert code == 0 and out == catalogue()
    assert len(out.splitlines()) == len(RULES) + 2
    assert out in (ROOT / "docs" / "diff.md").read_text(encoding="utf-8"), "regenerate the catalogue in docs/diff.md"


def test_the_module_entry_point_runs_diff(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "diff", old, new, "--fail-on", "error"], capture_output=True, text=True
    )
    assert done.returncode == 1 and SUMMARY.match(done.stdout.splitlines()[-1])
    usage = subprocess.run([sys.executable, "-m", "generator", "diff", old], capture_output=True, text=True)
    assert usage.returncode == 2 and "needs OLD and NEW" in usage.stderr
