"""What a `fuzz` run leaves behind for CI: the run report (JSON, what `fuzz-merge` combines), the coverage (JSON,
text, HTML), JUnit XML, cassettes of its failures, and the writer of its ndjson event stream.

JUnit: one `<testsuite>` per spec, one `<testcase>` per operation and check (`classname` the spec, `name`
`GET /pets/{id} · not_a_server_error`), failed with the title, the message and the reproducing request (curl,
credentials masked) of each failure; checks that never ran for an operation are not listed.
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from generator import coverage
from generator.contract import Failure, SpecReport
from generator.redact import REDACTOR

__all__ = ["REPORT_FORMAT", "EventWriter", "junit_xml", "load_reports", "merge_reports", "report_json", "write_outputs"]

REPORT_FORMAT = "streamspec-fuzz-report/1"


def report_json(reports: Sequence[SpecReport]) -> dict[str, Any]:
    """The run as data: per spec its counts, check tallies, failures and notes (coverage is its own file)."""
    return {
        "format": REPORT_FORMAT,
        "specs": [
            {
                "spec": r.spec,
                "target": r.target,
                "seed": r.seed,
                "shards": [r.shard] if r.shard else [],
                "cases": r.cases,
                "seconds": r.seconds,
                "elapsed": r.elapsed,
                "checks": r.checks,
                "failures": [f.as_json() for f in r.failures],
                "notes": r.notes,
            }
            for r in reports
        ],
    }


def load_reports(data: Mapping[str, Any]) -> list[SpecReport]:
    if data.get("format") != REPORT_FORMAT:
        raise ValueError(f"not a fuzz report of format {REPORT_FORMAT}")
    reports = []
    for spec in data["specs"]:
        report = SpecReport(spec["spec"], spec["target"], spec["seed"], dict(spec["cases"]), dict(spec["seconds"]))
        report.failures = [Failure(**failure) for failure in spec["failures"]]
        report.notes = list(spec["notes"])
        report.checks = {op: {c: list(n) for c, n in checks.items()} for op, checks in spec["checks"].items()}
        report.shard = ",".join(spec["shards"]) or None
        report.elapsed = spec["elapsed"]
        reports.append(report)
    return reports


def merge_reports(parts: Iterable[SpecReport]) -> list[SpecReport]:
    """Reports of the same spec and seed (shards) added up: cases, time, check tallies, failures and notes."""
    merged: dict[tuple[str, int | None], SpecReport] = {}
    for part in parts:
        key = (part.spec, part.seed)
        target = merged.setdefault(key, SpecReport(part.spec, part.target, part.seed))
        for phase, count in part.cases.items():
            target.cases[phase] = target.cases.get(phase, 0) + count
        for phase, seconds in part.seconds.items():
            target.seconds[phase] = target.seconds.get(phase, 0.0) + seconds
        for operation, checks in part.checks.items():
            for check, (passed, failed) in checks.items():
                counts = target.checks.setdefault(operation, {}).setdefault(check, [0, 0])
                counts[0] += passed
                counts[1] += failed
        target.failures += [f for f in part.failures if f not in target.failures]
        target.notes += [n for n in part.notes if n not in target.notes]
        target.elapsed = max(target.elapsed, part.elapsed)  # shards run side by side
        shards = sorted({*(target.shard or "").split(","), *(part.shard or "").split(",")} - {""})
        target.shard = ",".join(shards) or None
    return list(merged.values())


def junit_xml(reports: Sequence[SpecReport]) -> bytes:
    """JUnit XML: a suite per spec, a case per operation and check (see the module docstring)."""
    root = ET.Element("testsuites", name="streamspec fuzz")
    for report in reports:
        by_case: dict[tuple[str, str], list[Failure]] = {}
        for failure in report.failures:
            by_case.setdefault((failure.operation, failure.check), []).append(failure)
        cases = sorted({(op, check) for op, checks in report.checks.items() for check in checks} | set(by_case))
        failed = sum(1 for key in cases if key in by_case)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=report.spec,
            tests=str(len(cases)),
            failures=str(failed),
            errors="0",
            time=f"{report.elapsed:.3f}",
        )
        for operation, check in cases:
            case = ET.SubElement(suite, "testcase", classname=report.spec, name=f"{operation} · {check}")
            for failure in by_case.get((operation, check), []):
                element = ET.SubElement(case, "failure", message=REDACTOR(failure.title), type=check)
                element.text = REDACTOR(failure.render())
        if report.notes:
            ET.SubElement(suite, "system-out").text = "\n".join(report.notes)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def write_outputs(folder: Path, reports: Sequence[SpecReport], coverages: Sequence[coverage.SpecCoverage]) -> None:
    """The run report and the coverage (JSON, text and HTML) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report_json(reports), indent=2) + "\n", encoding="utf-8")
    (folder / "coverage.json").write_text(
        json.dumps(coverage.document(coverages), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "coverage.txt").write_text(coverage.summary(coverages) + "\n", encoding="utf-8")
    (folder / "coverage.html").write_text(coverage.html(coverages), encoding="utf-8")


class EventWriter:
    """The `--ndjson` stream: one JSON object per line, written as the run goes (secrets redacted)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        line = REDACTOR(json.dumps(event, ensure_ascii=False, default=str))
        with self.lock:
            self.stream.write(line + "\n")
            self.stream.flush()
