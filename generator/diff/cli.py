"""`python -m generator diff OLD NEW`: the breaking-change report between two versions of a spec.

    python -m generator diff OLD NEW [--format text|json|markdown] [--fail-on error|warning] [--severity FILE]
    python -m generator diff --list-rules

OLD and NEW are spec files or `REV:PATH` (read with `git show`). Exit status: 0, or 1 when `--fail-on` finds a
finding at or above its level; 2 when an input is unusable (unreadable, not YAML/JSON, not OpenAPI 3.0/3.1, a bad
revision or severity file), with the located problems on stderr as the other commands print them.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `diff` on the CLI's subcommands (nothing heavy is imported until it runs)."""
    diff = subparsers.add_parser(
        "diff", help="report breaking changes between two versions of a spec (and of its generated Python API)"
    )
    diff.add_argument("old", nargs="?", metavar="OLD", help="the base spec: a file, or REV:PATH read with git show")
    diff.add_argument("new", nargs="?", metavar="NEW", help="the revised spec: a file, or REV:PATH read with git show")
    diff.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default: one line per finding and a summary), json (generator/diff/report.schema.json) or "
        "markdown (a pull-request comment)",
    )
    diff.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        help="exit 1 when a finding at this level or above exists (default: exit 0 whatever was found)",
    )
    diff.add_argument(
        "--severity",
        metavar="FILE",
        help="YAML or JSON mapping rule id -> {level: error|warning|info|ignore, reason: ...} (docs/diff.md)",
    )
    diff.add_argument(
        "--list-rules", action="store_true", help="print the rule catalogue (id, level, direction, area) and exit"
    )
    diff.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from generator.diff.engine import diff_specs
    from generator.diff.report import catalogue, render
    from generator.diff.rules import BY_ID
    from generator.diff.severity import load_overrides
    from generator.diff.sources import read_spec
    from generator.errors import GenerationError

    if args.list_rules:
        sys.stdout.write(catalogue())
        return 0
    if args.old is None or args.new is None:
        print("error: diff needs OLD and NEW (or --list-rules)", file=sys.stderr)
        return 2
    problems = []
    specs = []
    for source in (args.old, args.new):
        try:
            specs.append(read_spec(source))
        except GenerationError as exc:
            problems += exc.problems
    overrides = {}
    if args.severity:
        try:
            overrides = load_overrides(Path(args.severity), BY_ID.keys())
        except GenerationError as exc:
            problems += exc.problems
    if problems:
        print(f"error: {len(problems)} problem{'s' if len(problems) != 1 else ''} with the inputs", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    report = diff_specs(specs[0], specs[1], overrides)
    sys.stdout.write(render(report, args.format))
    return 1 if report.fails(args.fail_on) else 0
