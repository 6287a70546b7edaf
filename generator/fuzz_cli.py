"""`python -m generator fuzz`: server-side contract fuzzing (`generator.contract`) from the command line, for CI.

    python -m generator fuzz [SPEC ...] [--url URL] [--max-examples N] [--seed N] [--workers N] [--jobs N]

Each spec (default: specs/*.yaml) is fuzzed with all of schemathesis' checks in its examples, coverage, fuzzing and
stateful phases: against its built-in emulator in process by default, or against a running server with `--url`
(once per SPEC, in the same order): a real deployment, a staging copy or another implementation. The emulator
uses its local credentials (`STREAMSPEC_EMULATOR_CREDENTIALS` overrides them, as for `serve`). A server at `--url`
gets `--ak`/`--sk` (plus `--project-id` for Huawei and `--security-token` for temporary credentials), or else the
environment variables the generated clients read (README, "Credentials"), so secrets can stay in CI secrets.

`--workers N` fuzzes up to N specs at once, each in its own process: one run keeps one core busy (schemathesis,
hypothesis and an in-process emulator share the GIL), and threads within a run would gain nothing. `--jobs N`
(`auto`: one per core) puts N processes on each spec instead: it is split into the shards of `--shard` (more of them
than processes, taken in turn as each process finishes one), each with its own emulator or mock, and their results
are merged as `fuzz-merge` merges them into what one run reports and writes.

Progress goes to stderr; the report (each failure with the request that reproduces it, then a summary per spec)
to stdout. Exit status: 0 when nothing failed, 1 when something did, 2 for bad usage or missing credentials.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future

    from generator.contract import Credentials, Emit, FuzzOptions, SpecReport
    from generator.profiles.base import ContractHooks

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "Fuzzed",
    "SpecJob",
    "add_merge_parser",
    "add_parser",
    "fuzz_in_processes",
    "run",
    "run_merge",
]

DEFAULT_MAX_EXAMPLES = 100
"""Fuzzing and stateful cases per operation (schemathesis' own default); examples and coverage add a fixed set."""
DEFAULT_OUTPUT = "fuzz-results"


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError(f"expected I/N with 1 <= I <= N, got {text!r}")
    return int(index), int(count)


def _jobs(text: str) -> int:
    if text == "auto":
        from generator.jobs import cores

        return cores()
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1 or 'auto', got {text!r}")
    return int(text)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `fuzz` on the CLI's subcommands (nothing heavy is imported until it runs)."""
    fuzz = subparsers.add_parser("fuzz", help="fuzz servers against the specs (default: the built-in emulators)")
    fuzz.add_argument("specs", nargs="*", metavar="SPEC", help="spec files (default: specs/*.yaml)")
    fuzz.add_argument(
        "--url",
        action="append",
        default=[],
        help="base URL of a running server to fuzz instead of the emulator; give one per SPEC, in order",
    )
    fuzz.add_argument(
        "--max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"fuzzing and stateful cases per operation (default: {DEFAULT_MAX_EXAMPLES})",
    )
    fuzz.add_argument("--seed", type=int, help="seed, to repeat a run's inputs (default: random; reports print it)")
    fuzz.add_argument(
        "--workers", type=int, default=1, help="specs fuzzed at the same time, one process each (default: 1)"
    )
    fuzz.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="processes per spec: its shards run side by side and merge into one run's results; 'auto': one per "
        "core (default: 1)",
    )
    fuzz.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="run the I-th of N deterministic parts of the operations (CI matrices; combine with fuzz-merge)",
    )
    fuzz.add_argument(
        "--output-dir",
        default=DEFAULT_OUTPUT,
        help=f"where the run report, coverage (JSON, text, HTML) and cassettes go (default: {DEFAULT_OUTPUT})",
    )
    fuzz.add_argument("--junit-xml", metavar="FILE", help="write JUnit XML: one test case per operation and check")
    fuzz.add_argument("--ndjson", metavar="FILE", help="write the run's events as newline-delimited JSON")
    fuzz.add_argument(
        "--replay",
        metavar="CASSETTE",
        help="re-send the failed requests of a cassette (from --output-dir) to --url and report which still fail",
    )
    credentials = fuzz.add_argument_group(
        "credentials for --url", "default: the environment variables of the generated clients (README, Credentials)"
    )
    credentials.add_argument("--ak", help="access key")
    credentials.add_argument("--sk", help="secret key (prefer the environment: command lines are visible)")
    credentials.add_argument("--project-id", help="Huawei project id")
    credentials.add_argument("--security-token", help="token of temporary credentials (Huawei or Volcengine STS)")
    fuzz.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _remote_credentials(args: argparse.Namespace, hooks: ContractHooks) -> Credentials:
    """The credentials for a server at --url; their secrets are registered with the redactor before any use."""
    from generator.redact import REDACTOR
    from generator.runtime.auth import CredentialsError

    REDACTOR.add_secret(args.sk, args.security_token)
    REDACTOR.add_identifier(args.ak)
    if not (args.ak or args.sk):
        credentials = hooks.credentials_from_env()
    elif not (args.ak and args.sk):
        raise CredentialsError("--ak and --sk go together")
    else:
        credentials = hooks.credentials_from_args(
            ak=args.ak, sk=args.sk, project_id=args.project_id, token=args.security_token
        )
    secrets, identifiers = hooks.secrets(credentials)
    REDACTOR.add_secret(*secrets)
    REDACTOR.add_identifier(*identifiers)
    return credentials


def _reachable(url: str) -> str | None:
    """Why `url` cannot be fuzzed (nothing answers there), or None: checked once, before any case is sent."""
    import httpx

    try:
        httpx.get(url, timeout=10.0)
    except httpx.TransportError as exc:
        return f"cannot reach {url}: {type(exc).__name__}: {exc or 'no answer'}"
    except httpx.HTTPError as exc:
        return f"cannot fuzz {url}: {exc}"
    return None


@dataclass(frozen=True)
class SpecJob:
    """One spec to fuzz: against its emulator or mock (`url` None) or a running server, which gets `credentials`."""

    spec: Path
    url: str | None
    credentials: Credentials | None
    output: str = DEFAULT_OUTPUT


def _job(args: argparse.Namespace, spec: Path, url: str | None) -> SpecJob:
    """Resolve what `spec` needs before anything runs, so that every usage error comes first."""
    from generator.contract import contract_hooks

    hooks = contract_hooks(spec)
    credentials = _remote_credentials(args, hooks) if url is not None and hooks is not None else None
    unreachable = _reachable(url) if url is not None else None
    if unreachable:
        raise ValueError(f"{unreachable}; nothing was fuzzed")
    return SpecJob(spec, url, credentials, args.output_dir)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Fuzzed:
    """A spec (or one shard of it) fuzzed: its report, the events it emitted unless they were written as they came,
    the base URL its requests went to (cassettes store paths relative to it) and when it started (epoch seconds:
    shards run side by side, in other processes)."""

    report: SpecReport
    base_url: str
    started: float
    events: list[dict[str, Any]] = field(default_factory=list)


def _fuzz(job: SpecJob, options: FuzzOptions, emit: Emit | None = None) -> Fuzzed:
    """Fuzz one spec or shard (also in a worker process: the emulator or mock app is built where it runs): against
    its emulator, else its validating mock, or the server at its URL."""
    from generator.contract import Target, emulator_run, fuzz_spec, mock_run
    from generator.emulator import NAMES
    from generator.spec_files import package_name

    started = time.time()
    events: list[dict[str, Any]] = []
    sink = emit or events.append
    if job.url is not None:
        target, credentials = Target(job.url, local=False), job.credentials
        report = fuzz_spec(job.spec, target, credentials, options, _progress, sink)
    elif package_name(job.spec) in NAMES:
        target, credentials = emulator_run(job.spec)
        report = fuzz_spec(job.spec, target, credentials, options, _progress, sink)
    else:
        with mock_run(job.spec, options.seed) as target:
            report = fuzz_spec(job.spec, target, None, options, _progress, sink)
    return Fuzzed(report, target.base_url, started, events)


def _store(job: SpecJob, done: Fuzzed) -> None:
    """The cassette of a run's failures (one per spec, or per shard of a `--shard` run)."""
    from generator.cassettes import write

    report = done.report
    if not report.failures:
        return
    shard = "-shard{}of{}".format(*report.shard.split("/")) if report.shard else ""
    cassette = Path(job.output) / "cassettes" / f"{report.spec}{shard}.json"
    stored = write(cassette, report.spec, job.spec, report.seed, report.target, done.base_url, report.failures)
    _progress(f"[{report.spec}] {stored} failing request(s) stored in {cassette}")


def _outcome(job: SpecJob, options: FuzzOptions, future: Future[Fuzzed]) -> Fuzzed:
    """A worker's result; a worker that raised or died is a failure of its spec, so the others still report."""
    from generator.contract import Failure, SpecReport
    from generator.spec_files import package_name

    try:
        return future.result()
    except Exception as exc:  # BrokenProcessPool included: the worker's process is gone
        report = SpecReport(package_name(job.spec), job.url or "in process", options.seed)
        report.shard = "{}/{}".format(*options.shard) if options.shard else None
        report.failures.append(Failure("(run)", "error", type(exc).__name__, str(exc) or repr(exc), "run"))
        return Fuzzed(report, job.url or "", time.time())


def _merged(parts: list[Fuzzed]) -> Fuzzed:
    """A spec's shards from `--jobs` as one run, combined as `fuzz-merge` combines them (and so equal to the
    unsharded run where the shards add up to it), in the shape of an unsharded run: no shard labels, one
    spec-started and one spec-finished event, the time from the first shard's start to the last one's end."""
    from generator import coverage
    from generator.fuzz_reports import merge_reports

    (report,) = merge_reports(part.report for part in parts)
    merged = coverage.merge(part.report.coverage for part in parts if part.report.coverage is not None)
    report.coverage = merged[0] if merged else None
    report.shard = None
    if report.coverage is not None:
        report.coverage.shards = []
    started = min(part.started for part in parts)
    report.elapsed = max(part.started + part.report.elapsed for part in parts) - started
    ends = ("spec-started", "spec-finished")
    events = [event for part in parts[:1] for event in part.events if event["event"] == "spec-started"]
    events += [event for part in parts for event in part.events if event["event"] not in ends]
    finished = {"event": "spec-finished", "spec": report.spec, "cases": report.total_cases}
    events.append(finished | {"failures": len(report.failures)})
    return Fuzzed(report, parts[0].base_url, started, events)


def fuzz_in_processes(jobs: list[SpecJob], options: FuzzOptions, workers: int, per_spec: int) -> list[Fuzzed]:
    """Fuzz `jobs` in a pool of worker processes: up to `workers` specs at once, each split into the shards of
    `job_shards` for `per_spec` processes, and an emulator's shards further by the credentials its run repeats
    its passes with (`FuzzOptions.variant`): one seed for all of a spec's parts, drawn here when none was given."""
    import multiprocessing
    import random
    from concurrent.futures import ProcessPoolExecutor

    from generator.contract import emulator_variants, job_shards, read_spec
    from generator.emulator import NAMES
    from generator.spec_files import package_name

    tasks: list[tuple[int, SpecJob, FuzzOptions]] = []
    for index, job in enumerate(jobs):
        if per_spec == 1:
            tasks.append((index, job, options))
            continue
        # schemathesis draws an unset seed as this does; every shard must share it
        seed = options.seed if options.seed is not None else random.Random().getrandbits(128)
        count = job_shards(read_spec(job.spec), per_spec)
        emulated = job.url is None and package_name(job.spec) in NAMES
        variants = emulator_variants(job.spec) if emulated else (None,)
        tasks += [
            (index, job, replace(options, seed=seed, shard=(i, count), variant=variant))
            for i in range(1, count + 1)  # shard 1, the stateful phase, first: it takes longest
            for variant in variants
        ]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or app state inherited
    with ProcessPoolExecutor(min(workers * per_spec, len(tasks)), mp_context=context) as pool:
        futures = [(index, job, opts, pool.submit(_fuzz, job, opts)) for index, job, opts in tasks]
        done = [(index, _outcome(job, opts, future)) for index, job, opts, future in futures]
    if per_spec == 1:
        return [part for _, part in done]
    return [_merged([part for at, part in done if at == index]) for index in range(len(jobs))]


def _replay(args: argparse.Namespace) -> int:
    """`--replay CASSETTE --url URL`: re-send the stored requests; 1 while any still fails."""
    from generator import cassettes
    from generator.contract import _spec_responses, contract_hooks, read_spec

    if len(args.url) != 1:
        return _fail("--replay needs one --url: the server to re-send the requests to")
    try:
        cassette = cassettes.load(Path(args.replay))
        spec = Path(args.specs[0]) if args.specs else Path(cassette["spec_path"])
        hooks = contract_hooks(spec)
        job = _job(args, spec, args.url[0])
    except (OSError, ValueError, KeyError) as exc:
        return _fail(str(exc))
    raw = read_spec(spec)
    signer = hooks.signer(job.credentials, raw) if hooks is not None and job.credentials is not None else None
    outcomes = cassettes.replay(cassette, args.url[0], _spec_responses(raw), signer)
    for outcome in outcomes:
        print(outcome.render())
    failing = sum(outcome.still_failing for outcome in outcomes)
    print(f"replayed {len(outcomes)} request(s) of {cassette['spec']} (seed {cassette['seed']}): {failing} still fail")
    return 1 if failing else 0


def run(args: argparse.Namespace) -> int:
    """Fuzz every spec; 0 when nothing failed, 1 when something did, 2 when the run could not start."""
    try:
        from generator.contract import FuzzOptions, format_report
    except ImportError as exc:
        return _fail(f"fuzzing needs schemathesis, from the test extra (pip install -e '.[test]'): {exc}")
    from generator.cli import spec_paths
    from generator.fuzz_reports import EventWriter
    from generator.runtime.auth import CredentialsError

    if args.replay:
        return _replay(args)
    specs = spec_paths(args.specs)
    if args.url and len(args.url) != len(specs):
        return _fail(f"give one --url per SPEC ({len(specs)} spec(s), {len(args.url)} --url)")
    if args.max_examples < 1 or args.workers < 1:
        return _fail("--max-examples and --workers must be at least 1")
    if args.shard and args.jobs > 1:
        return _fail("--jobs runs a spec's shards itself: give --shard or --jobs, not both")
    urls: list[str | None] = list(args.url) or [None] * len(specs)
    try:
        jobs = [_job(args, spec, url) for spec, url in zip(specs, urls, strict=True)]
    except (OSError, ValueError, CredentialsError) as exc:  # CredentialsError names variables, never values
        return _fail(str(exc))
    options = FuzzOptions(max_examples=args.max_examples, seed=args.seed, shard=args.shard)
    workers = min(args.workers, len(jobs))
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open(args.ndjson, "w", encoding="utf-8")) if args.ndjson else None
        emit = EventWriter(stream) if stream is not None else None
        if workers == 1 and args.jobs == 1:
            results = [_fuzz(job, options, emit) for job in jobs]
        else:
            results = fuzz_in_processes(jobs, options, workers, args.jobs)
            if emit is not None:
                for event in (event for done in results for event in done.events):
                    emit(event)
    for job, done in zip(jobs, results, strict=True):
        _store(job, done)
    reports = [done.report for done in results]
    print(format_report(reports))
    return _write(args, reports)


def _write(args: argparse.Namespace, reports: list[SpecReport]) -> int:
    """The run's files (report, coverage, JUnit) and the coverage summary; the exit status of the reports."""
    from generator.coverage import summary
    from generator.fuzz_reports import junit_xml, write_outputs

    coverages = [report.coverage for report in reports if report.coverage is not None]
    write_outputs(Path(args.output_dir), reports, coverages)
    if args.junit_xml:
        Path(args.junit_xml).write_bytes(junit_xml(reports))
    print("\ncoverage:\n" + summary(coverages))
    print(f"reports in {args.output_dir}/ (report.json, coverage.json, coverage.txt, coverage.html)")
    return 0 if all(report.ok for report in reports) else 1


def add_merge_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `fuzz-merge`: shard runs' output folders combined into one."""
    merge = subparsers.add_parser("fuzz-merge", help="combine the reports and coverage of fuzz shards into one")
    merge.add_argument("folders", nargs="+", metavar="DIR", help="the --output-dir of each shard's run")
    merge.add_argument(
        "--output-dir", default=DEFAULT_OUTPUT, help=f"where the combined files go (default: {DEFAULT_OUTPUT})"
    )
    merge.add_argument("--junit-xml", metavar="FILE", help="write the combined JUnit XML")
    merge.set_defaults(func=run_merge)


def run_merge(args: argparse.Namespace) -> int:
    """Combine shard outputs; 0 when no shard failed, 1 when one did, 2 when an input is missing or not ours."""
    import json

    from generator import coverage
    from generator.contract import format_report
    from generator.fuzz_reports import load_reports, merge_reports

    try:
        parts = [json.loads((Path(f) / "report.json").read_text(encoding="utf-8")) for f in args.folders]
        covers = [json.loads((Path(f) / "coverage.json").read_text(encoding="utf-8")) for f in args.folders]
        reports = merge_reports(report for part in parts for report in load_reports(part))
        coverages = coverage.merge(spec for part in covers for spec in coverage.load(part))
    except (OSError, ValueError, KeyError) as exc:
        return _fail(f"cannot merge: {exc}")
    for report in reports:
        report.coverage = next((c for c in coverages if (c.spec, c.seed) == (report.spec, report.seed)), None)
    print(format_report(reports))
    return _write(args, reports)
