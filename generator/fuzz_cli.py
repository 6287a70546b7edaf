"""`python -m generator fuzz`: server-side contract fuzzing (`generator.contract`) from the command line, for CI.

    python -m generator fuzz [SPEC ...] [--url URL] [--max-examples N] [--seed N] [--workers N]

Each spec (default: specs/*.yaml) is fuzzed with all of schemathesis' checks in its examples, coverage, fuzzing and
stateful phases: against its built-in emulator in process by default, or against a running server with `--url`
(once per SPEC, in the same order): a real deployment, a staging copy or another implementation. The emulator
uses its local credentials (`STREAMSPEC_EMULATOR_CREDENTIALS` overrides them, as for `serve`). A server at `--url`
gets `--ak`/`--sk` (plus `--project-id` for Huawei and `--security-token` for temporary credentials), or else the
environment variables the generated clients read (README, "Credentials"), so secrets can stay in CI secrets.

`--workers N` fuzzes up to N specs at once, each in its own process: one run keeps one core busy (schemathesis,
hypothesis and an in-process emulator share the GIL), and threads within a run would gain nothing.

Progress goes to stderr; the report (each failure with the request that reproduces it, then a summary per spec)
to stdout. Exit status: 0 when nothing failed, 1 when something did, 2 for bad usage or missing credentials.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.contract import Credentials, FuzzOptions, SpecReport
    from generator.profiles.base import ContractHooks

__all__ = ["DEFAULT_MAX_EXAMPLES", "add_parser", "run"]

DEFAULT_MAX_EXAMPLES = 100
"""Fuzzing and stateful cases per operation (schemathesis' own default); examples and coverage add a fixed set."""


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
class _Job:
    """One spec to fuzz: against its emulator (`url` None) or a running server, which gets `credentials`."""

    spec: Path
    url: str | None
    credentials: Credentials | None


def _job(args: argparse.Namespace, spec: Path, url: str | None) -> _Job:
    """Resolve what `spec` needs before anything runs, so that every usage error comes first."""
    from generator.contract import contract_hooks
    from generator.emulator import NAMES
    from generator.loader import package_name

    hooks = contract_hooks(spec)
    if url is None and package_name(spec) not in NAMES:
        raise ValueError(f"{spec} has no built-in emulator (there are {', '.join(NAMES)}): give its server's --url")
    credentials = _remote_credentials(args, hooks) if url is not None and hooks is not None else None
    unreachable = _reachable(url) if url is not None else None
    if unreachable:
        raise ValueError(f"{unreachable}; nothing was fuzzed")
    return _Job(spec, url, credentials)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _fuzz(job: _Job, options: FuzzOptions) -> SpecReport:
    """Fuzz one spec (also in a worker process: the emulator app is built where it runs)."""
    from generator.contract import Target, emulator_run, fuzz_spec

    target, credentials = emulator_run(job.spec) if job.url is None else (Target(job.url, local=False), job.credentials)
    return fuzz_spec(job.spec, target, credentials, options, _progress)


def run(args: argparse.Namespace) -> int:
    """Fuzz every spec; 0 when nothing failed, 1 when something did, 2 when the run could not start."""
    try:
        from generator.contract import FuzzOptions, format_report
    except ImportError as exc:
        return _fail(f"fuzzing needs schemathesis, from the test extra (pip install -e '.[test]'): {exc}")
    from generator.cli import spec_paths
    from generator.runtime.auth import CredentialsError

    specs = spec_paths(args.specs)
    if args.url and len(args.url) != len(specs):
        return _fail(f"give one --url per SPEC ({len(specs)} spec(s), {len(args.url)} --url)")
    if args.max_examples < 1 or args.workers < 1:
        return _fail("--max-examples and --workers must be at least 1")
    urls: list[str | None] = list(args.url) or [None] * len(specs)
    try:
        jobs = [_job(args, spec, url) for spec, url in zip(specs, urls, strict=True)]
    except (OSError, ValueError, CredentialsError) as exc:  # CredentialsError names variables, never values
        return _fail(str(exc))
    options = FuzzOptions(max_examples=args.max_examples, seed=args.seed)
    workers = min(args.workers, len(jobs))
    if workers == 1:
        reports = [_fuzz(job, options) for job in jobs]
    else:
        import itertools
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or app state inherited
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            reports = list(pool.map(_fuzz, jobs, itertools.repeat(options)))
    print(format_report(reports))
    return 0 if all(report.ok for report in reports) else 1
