"""`python -m generator`: generate, check, list, serve, fuzz, diff (heavy imports deferred: no-op runs stay fast)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import GenerationError, Problem, display_path

if TYPE_CHECKING:
    from generator.pipeline import Package

DEFAULT_SPECS = Path("specs")
DEFAULT_OUTPUT = Path("generated")


def _spec_paths(given: Sequence[str]) -> list[Path]:
    if given:
        return [Path(p) for p in given]
    return sorted([*DEFAULT_SPECS.glob("*.yaml"), *DEFAULT_SPECS.glob("*.json")])


def _report(error: GenerationError) -> int:
    count = len(error.errors)
    print(f"error: {count} problem{'s' if count != 1 else ''} found; nothing was written", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _warn(packages: Sequence[Package]) -> None:
    for package in packages:
        for warning in package.warnings:
            print(f"  {warning}", file=sys.stderr)


def _build_all(specs: Sequence[Path]) -> list[Package]:
    """Every package, or one GenerationError carrying the problems of every spec that failed."""
    from generator.pipeline import build_packages

    return build_packages(specs) if specs else []


def cmd_generate(args: argparse.Namespace) -> int:
    from generator.loader import package_name
    from generator.writer import inputs_digest, is_fresh, ownership_problems, recover, stamp_profile, write_packages

    started = time.perf_counter()
    specs = _spec_paths(args.specs)
    if not specs:
        return _report(GenerationError([Problem(str(DEFAULT_SPECS), "", "cli.no-specs", "no spec files found")]))
    output = Path(args.output)
    refused = ownership_problems(output, [package_name(spec) for spec in specs])  # before any work (write re-checks)
    if refused:
        return _report(GenerationError(refused))
    for note in recover(output):
        print(note, file=sys.stderr)
    todo, fresh = [], []
    for spec in specs:
        profile = stamp_profile(output, package_name(spec))
        try:
            digest = inputs_digest(spec.read_bytes(), _fingerprint(profile)) if profile else ""
        except OSError:
            digest = ""
        if not args.force and digest and is_fresh(output, package_name(spec), digest):
            fresh.append(spec)
        else:
            todo.append(spec)
    try:
        packages = _build_all(todo)
    except GenerationError as exc:
        return _report(exc)
    if packages:
        written = [
            (p.name, p.files, inputs_digest(spec.read_bytes(), _fingerprint(p.api.profile)))
            for p, spec in zip(packages, todo, strict=True)
        ]
        try:
            notes = write_packages(output, written, {p.name: p.api.profile for p in packages})
        except GenerationError as exc:
            return _report(exc)
        for note in notes:
            print(note, file=sys.stderr)
    for p in packages:
        warned = f", {len(p.warnings)} warning{'s' if len(p.warnings) != 1 else ''}" if p.warnings else ""
        print(
            f"{p.name}: {len(p.api.operations)} operations, {p.model_count} models, "
            f"{len(p.files)} files{warned} -> {display_path(output / p.name)}"
        )
    _warn(packages)
    for spec in fresh:
        print(f"{package_name(spec)}: up to date")
    print(f"done in {time.perf_counter() - started:.2f} s")
    return 0


def _fingerprint(profile: str) -> str:
    from generator.pipeline import generator_fingerprint

    return generator_fingerprint(profile)


def cmd_check(args: argparse.Namespace) -> int:
    from generator.writer import diff_package, leftovers

    try:
        packages = _build_all(_spec_paths(args.specs))
    except GenerationError as exc:
        return _report(exc)
    stale = 0
    interrupted = leftovers(Path(args.output))
    for leftover in interrupted:
        print(f"stale: {leftover.describe()}; `python -m generator generate` recovers it")
    for p in packages:
        differing = diff_package(Path(args.output) / p.name, p.files)
        for name in differing:
            print(f"stale: {display_path(Path(args.output) / p.name / name)}")
        stale += len(differing)
    if stale or interrupted:
        print(f"{stale} file(s) differ from a fresh generation: run `python -m generator generate`", file=sys.stderr)
        return 1
    print(f"generated/ is up to date ({len(packages)} package(s))")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from generator.loader import load_spec
    from generator.parser import parse_api

    try:
        for spec_path in _spec_paths(args.specs):
            api, _ = parse_api(load_spec(spec_path))
            print(f"{api.package} ({api.title}, {api.version})")
            for op in api.operations:
                print(f"  {op.operation_id:<32} {op.target:<56} {op.summary}")
    except GenerationError as exc:
        return _report(exc)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="generator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="validate specs and (re)write generated/<package>/ for each")
    gen.add_argument("specs", nargs="*", help="spec files (default: specs/*.yaml)")
    gen.add_argument("--output", default=str(DEFAULT_OUTPUT), help="output folder (default: generated)")
    gen.add_argument("--force", action="store_true", help="regenerate even when nothing changed")
    gen.set_defaults(func=cmd_generate)
    check = sub.add_parser("check", help="exit 1 and name the files when generated/ is stale")
    check.add_argument("specs", nargs="*")
    check.add_argument("--output", default=str(DEFAULT_OUTPUT))
    check.set_defaults(func=cmd_check)
    lst = sub.add_parser("list", help="list each spec's operations")
    lst.add_argument("specs", nargs="*")
    lst.set_defaults(func=cmd_list)
    from generator.emulator.serve import add_parser as add_serve_parser

    add_serve_parser(sub)
    from generator.fuzz_cli import add_parser as add_fuzz_parser

    add_fuzz_parser(sub)
    from generator.diff.cli import add_parser as add_diff_parser

    add_diff_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from generator.redact import install

    with install():  # every line any command prints goes through the redactor
        args = build_parser().parse_args(argv)
        result: int = args.func(args)
    return result


def entry() -> None:
    """The process entry point (`python -m generator`, the `generator` script): `main`, then a fast exit.

    Everything is written and flushed by then; skipping interpreter teardown (datamodel-code-generator's large
    module graph) saves about a fifth of a regeneration's wall time.
    """
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
