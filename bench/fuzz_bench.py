"""Server-side fuzzing throughput: cases per second per spec, in process against the emulators, beside an anchor.

    .venv/bin/pip install -e '.[bench]'        # FastAPI, for the anchor only (not a dependency of streamspec)
    .venv/bin/python bench/fuzz_bench.py [SPEC ...] [--max-examples 100] [--seed 1] [--runs 5] [--jobs 2]

Runs exactly what `python -m generator fuzz` and tests/contract run (`generator.contract`, every phase and check,
signed requests, a fresh in-memory emulator per spec) with a fixed seed, so runs compare. The anchor is
schemathesis itself, out of the box (its ASGI transport, its default checks, the same phases, seed and
`--max-examples`), against a trivial FastAPI app (`anchor_app`): what the machine gives schemathesis when the
server costs next to nothing. Each measurement is a fresh process, and the runs interleave the anchor and the
specs (anchor, spec 1, spec 2, ..., anchor, ...), so a machine that slows down or speeds up affects both alike; the
table gives medians and ranges, and each spec's ratio to the anchor run beside it.

A "case" is one request schemathesis sent and checked. Examples and coverage send a fixed set of cases whatever
`--max-examples` says; fuzzing and stateful scale with it (the stateful phase also with what the emulator's state
makes of its choices, so its count varies a little between runs). cases/s is cases over the run's wall time, from
loading the spec to the last check; `cpu` is over the process's CPU time in that span, which on a busy machine is
the steadier figure.

Each spec is also measured as `fuzz --jobs N` runs it (`--jobs`, default 2; 1 leaves it out): its shards in N worker
processes, merged. Its wall time runs from starting the workers (their interpreters and imports included) to the
merged report, and its CPU time is that of all the processes, so `cpu cases/s` shows what the parallel run costs
beside what it saves. The stateful phase cannot be split (its sequences span operations): a spec whose stateful
phase is most of its run gains least.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANCHOR = "anchor"


class Item(BaseModel):
    """The anchor app's one model (at module level: FastAPI resolves the endpoints' annotations here)."""

    name: str
    price: float
    tags: list[str] = []


def anchor_app() -> Any:
    """A trivial FastAPI app: three operations, a path parameter, a bounded query parameter, a JSON body."""
    from fastapi import FastAPI, Query

    app = FastAPI(title="anchor", version="1")
    items: dict[int, Item] = {}

    @app.post("/items", status_code=201)
    def create_item(item: Item) -> Item:
        items[len(items)] = item
        return item

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> Item:
        return items.get(item_id, Item(name="x", price=1.0))

    @app.get("/items")
    def list_items(limit: int = Query(10, ge=1, le=100)) -> list[Item]:
        return list(items.values())[:limit]

    return app


def measure(spec: str, max_examples: int, seed: int, jobs: int = 1) -> dict[str, Any]:
    """One measurement in this process (and, with `jobs` > 1, its workers): cases per phase, wall and CPU seconds."""
    from generator.contract import FuzzOptions, SpecReport, emulator_run, fuzz_spec

    if spec == ANCHOR:
        return _anchor(max_examples, seed)
    from generator.emulator.credentials import DEFAULT_CREDENTIALS
    from generator.fuzz_cli import SpecJob, fuzz_in_processes

    path = Path(spec)
    options = FuzzOptions(max_examples=max_examples, seed=seed)
    if jobs > 1:
        started, cpu = time.perf_counter(), time.process_time()
        (done,) = fuzz_in_processes([SpecJob(path, None, None)], options, 1, jobs)
        seconds = time.perf_counter() - started
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's processes, joined by now
        report: SpecReport = done.report
        cpu = time.process_time() - cpu + workers.ru_utime + workers.ru_stime
    else:
        target, credentials = emulator_run(path, DEFAULT_CREDENTIALS)
        cpu = time.process_time()
        report = fuzz_spec(path, target, credentials, options)
        seconds, cpu = report.elapsed, time.process_time() - cpu
    failures = [failure.render() for failure in report.failures]
    label = report.spec if jobs == 1 else f"{report.spec} --jobs {jobs}"
    return {"spec": label, "cases": report.cases, "seconds": seconds, "cpu": cpu, "failures": failures}


def _anchor(max_examples: int, seed: int) -> dict[str, Any]:
    import schemathesis
    from schemathesis.engine import events, from_schema

    from generator.contract import PHASES

    started, cpu = time.perf_counter(), time.process_time()
    config = schemathesis.Config.from_dict(
        {
            "workers": 1,
            "seed": seed,
            "cache": {"enabled": False},
            "generation": {"max-examples": max_examples, "database": "none"},
            "phases": {phase: {"enabled": True} for phase in PHASES},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", anchor_app(), config=config)
    cases: dict[str, int] = {}
    failures = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.phase.value in PHASES:
            cases[event.phase.value] = cases.get(event.phase.value, 0) + len(event.recorder.interactions)
        elif isinstance(event, events.EngineFinished):
            failures = [f"{found.operation}: {found.title}" for found in event.failures]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"spec": ANCHOR, "cases": cases, "seconds": seconds, "cpu": cpu, "failures": failures}


def _run_one(spec: str, max_examples: int, seed: int, jobs: int = 1) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", spec, "--max-examples", str(max_examples), "--seed", str(seed)]
    done = subprocess.run([*command, "--jobs", str(jobs)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{spec}: measurement failed\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _rate(result: dict[str, Any], key: str = "seconds") -> float:
    return sum(result["cases"].values()) / result[key] if result[key] else 0.0


def _spread(values: list[float], digits: int = 0) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def table(results: Mapping[Any, list[dict[str, Any]]], anchors: list[dict[str, Any]]) -> str:
    """Per spec: cases, median cases/s (range), CPU cases/s, and the ratio to the anchor run measured beside each."""
    header = ["spec", "cases", "cases/s", "cpu cases/s", "anchor cases/s", "ratio"]
    rows = [
        [
            ANCHOR + " (FastAPI)",
            _spread([float(sum(a["cases"].values())) for a in anchors]),
            _spread([_rate(a) for a in anchors]),
            _spread([_rate(a, "cpu") for a in anchors]),
            "",
            "",
        ]
    ]
    for runs in results.values():
        ratios = [_rate(run) / _rate(anchor) for run, anchor in zip(runs, anchors, strict=True)]
        rows.append(
            [
                runs[0]["spec"],
                _spread([float(sum(run["cases"].values())) for run in runs]),
                _spread([_rate(run) for run in runs]),
                _spread([_rate(run, "cpu") for run in runs]),
                _spread([_rate(anchor) for anchor in anchors]),
                _spread(ratios, 2),
            ]
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    from generator.emulator import NAMES

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("specs", nargs="*", metavar="SPEC", help=f"emulated specs (default: {', '.join(NAMES)})")
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (default: 5)")
    parser.add_argument("--jobs", type=int, default=2, help="also measure `fuzz --jobs N` (default: 2; 1: do not)")
    parser.add_argument("--one", metavar="SPEC", help=argparse.SUPPRESS)  # one measurement, as JSON (internal)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.max_examples, args.seed, args.jobs)))
        return 0
    specs = [str(Path(spec)) for spec in args.specs] or [str(ROOT / "specs" / f"{name}.yaml") for name in NAMES]
    runs = [(spec, jobs) for spec in specs for jobs in sorted({1, args.jobs})]
    results: dict[tuple[str, int], list[dict[str, Any]]] = {run: [] for run in runs}
    anchors: list[dict[str, Any]] = []
    for round_ in range(args.runs):
        anchors.append(_run_one(ANCHOR, args.max_examples, args.seed))
        for spec, jobs in runs:
            results[spec, jobs].append(_run_one(spec, args.max_examples, args.seed, jobs))
        done = ", ".join(f"{results[run][-1]['spec']} {_rate(results[run][-1]):.0f}" for run in runs)
        print(f"round {round_ + 1}/{args.runs}: anchor {_rate(anchors[-1]):.0f}, {done} cases/s", file=sys.stderr)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"max-examples {args.max_examples}, seed {args.seed}, {args.runs} interleaved runs; median (range)")
    print(f"{os.cpu_count()} cores, load average after the runs {load}\n")
    print(table(results, anchors))
    failed = [f"{run['spec']}: {failure}" for runs in results.values() for run in runs for failure in run["failures"]]
    if failed:
        print("\nfailures:\n" + "\n".join(sorted(set(failed))))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
