"""Server-side fuzzing throughput: cases per second per spec and phase, in process against the emulators.

    .venv/bin/python bench/fuzz_bench.py [SPEC ...] [--max-examples 100] [--seed 1]

Runs exactly what `python -m generator fuzz` and tests/contract run (`generator.contract`, every phase and check,
signed requests, a fresh in-memory emulator per spec) with a fixed seed, so runs compare, and prints a table.
A "case" is one request schemathesis sent and checked. Examples and coverage send a fixed set of cases whatever
`--max-examples` says; fuzzing and stateful scale with it. The figures include schemathesis' own generation and
checking, which dominate: the emulators alone answer thousands of requests per second (bench/emulator_load.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.contract import PHASES, FuzzOptions, SpecReport, emulator_run, format_report, fuzz_spec  # noqa: E402
from generator.emulator import NAMES  # noqa: E402
from generator.emulator.credentials import DEFAULT_CREDENTIALS  # noqa: E402


def _cell(report: SpecReport, phase: str) -> str:
    cases, seconds = report.cases.get(phase, 0), report.seconds.get(phase, 0.0)
    return f"{cases} @ {cases / seconds:.0f}/s" if seconds else str(cases)


def table(reports: list[SpecReport]) -> str:
    """Per spec: cases and cases/s of each phase, then the whole run."""
    header = ["spec", *PHASES, "cases", "seconds", "cases/s"]
    rows = [
        [
            report.spec,
            *(_cell(report, phase) for phase in PHASES),
            str(report.total_cases),
            f"{report.elapsed:.1f}",
            f"{report.throughput:.0f}",
        ]
        for report in reports
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", metavar="SPEC", help=f"emulated specs (default: {', '.join(NAMES)})")
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    specs = [Path(spec) for spec in args.specs] or [ROOT / "specs" / f"{name}.yaml" for name in NAMES]
    options = FuzzOptions(max_examples=args.max_examples, seed=args.seed)
    reports = []
    for spec in specs:
        target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
        reports.append(fuzz_spec(spec, target, credentials, options))
    print(f"max-examples {args.max_examples}, seed {args.seed}; cell: cases @ cases per second\n")
    print(table(reports))
    failed = [report for report in reports if not report.ok]
    if failed:
        print("\n" + format_report(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
