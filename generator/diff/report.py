"""A report as text (one line per finding, then counts), JSON (`report.schema.json`) or Markdown (a PR comment)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from generator.diff.engine import Report
from generator.diff.model import LEVELS, Finding, Rule
from generator.diff.rules import BY_ID, RULES

FORMATS: Final = ("text", "json", "markdown")
SCHEMA: Final = Path(__file__).with_name("report.schema.json")
"""The JSON format's schema; `version` in every report names the version of this schema it follows."""
FORMAT_VERSION: Final = 1


def render(report: Report, fmt: str, rules: Mapping[str, Rule] = BY_ID) -> str:
    """`report` in `fmt`; `rules` describe its findings' ids (another catalogue than diff's: `sdk-drift`)."""
    if fmt == "json":
        return to_json(report, rules)
    return {"text": text, "markdown": markdown}[fmt](report)


def summary(report: Report) -> str:
    parts = [
        f"{report.count(level)} {level}{'s' if level != 'info' and report.count(level) != 1 else ''}"
        for level in LEVELS
    ]
    ignored = f", {len(report.ignored)} ignored by {report.ignored_by}" if report.ignored else ""
    return f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''}: {', '.join(parts)}{ignored}"


def _sides(finding: Finding, report: Report) -> Iterator[tuple[str, str, str, int | None]]:
    """(side, file, pointer, line) for each side where the thing exists."""
    if finding.base_pointer is not None:
        yield "base", report.base, finding.base_pointer or "/", finding.base_line
    if finding.revision_pointer is not None:
        yield "revision", report.revision, finding.revision_pointer or "/", finding.revision_line


def text(report: Report) -> str:
    """One line per finding (level, rule id, operation, sentence, where on each side), then the counts."""
    lines = []
    for f in report.findings:
        where = "; ".join(
            f"{side}: {file}{f':{line}' if line else ''} {ptr}" for side, file, ptr, line in _sides(f, report)
        )
        operation = f"{f.operation}: " if f.operation else ""
        lines.append(f"{f.level:<7} {f.code}  {operation}{f.message}" + (f"  ({where})" if where else ""))
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _finding_json(finding: Finding, rules: Mapping[str, Rule]) -> dict[str, Any]:
    rule = rules[finding.code]
    return {
        "id": finding.code,
        "level": finding.level,
        "direction": rule.direction,
        "area": rule.area,
        "operation": finding.operation or None,
        "message": finding.message,
        "base": {"pointer": finding.base_pointer, "line": finding.base_line},
        "revision": {"pointer": finding.revision_pointer, "line": finding.revision_line},
    }


def to_json(report: Report, rules: Mapping[str, Rule] = BY_ID) -> str:
    document = {
        "format": "streamspec-diff",
        "version": FORMAT_VERSION,
        "base": report.base,
        "revision": report.revision,
        "summary": {**{level: report.count(level) for level in LEVELS}, "ignored": len(report.ignored)},
        "findings": [_finding_json(f, rules) for f in report.findings],
        "ignored": [{**_finding_json(f, rules), "reason": reason} for f, reason in report.ignored],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _where(finding: Finding, report: Report, side: str) -> str:
    found = [
        f"`{_cell(ptr)}`" + (f" line {line}" if line else "")
        for s, _, ptr, line in _sides(finding, report)
        if s == side
    ]
    return found[0] if found else "–"


def markdown(report: Report) -> str:
    """A PR comment: counts per level, then a table of findings per level (ignored ones folded away)."""
    out = [f"### API changes: `{_cell(report.base)}` → `{_cell(report.revision)}`", ""]
    out += ["| level | findings |", "|---|---:|", *(f"| {level} | {report.count(level)} |" for level in LEVELS), ""]
    if not report.findings:
        out.append("No changes found.")
    for level in LEVELS:
        findings = [f for f in report.findings if f.level == level]
        if not findings:
            continue
        out += [f"#### {level.capitalize()} ({len(findings)})", ""]
        out += ["| rule | operation | change | base | revision |", "|---|---|---|---|---|"]
        for f in findings:
            out.append(
                f"| `{f.code}` | {_cell(f.operation) or '–'} | {_cell(f.message)} "
                f"| {_where(f, report, 'base')} | {_where(f, report, 'revision')} |"
            )
        out.append("")
    if report.ignored:
        out += [f"<details><summary>Ignored by {_cell(report.ignored_by)} ({len(report.ignored)})</summary>", ""]
        out += ["| rule | operation | change | reason |", "|---|---|---|---|"]
        out += [
            f"| `{f.code}` | {_cell(f.operation) or '–'} | {_cell(f.message)} | {_cell(reason)} |"
            for f, reason in report.ignored
        ]
        out += ["", "</details>"]
    return "\n".join(out).rstrip() + "\n"


def catalogue() -> str:
    """Every rule as a Markdown table row (id, level, direction, area, description): the catalogue in docs/diff.md."""
    rows = ["| id | level | direction | area | description |", "|---|---|---|---|---|"]
    rows += [f"| `{r.id}` | {r.level} | {r.direction} | {r.area} | {_cell(r.description)} |" for r in RULES]
    return "\n".join(rows) + "\n"
