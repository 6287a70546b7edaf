"""One diff: changes from both layers, judged by every rule, overridden by the severity file, located, sorted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from generator.diff.compare import compare
from generator.diff.model import Change, Finding, level_rank
from generator.diff.python_api import Surface, python_changes, surface
from generator.diff.rules import judge
from generator.diff.severity import Override, apply_overrides
from generator.errors import GenerationError
from generator.loader import LoadedSpec
from generator.parser import parse_api

Parse = Callable[[LoadedSpec], Surface]
"""What turns a side of the diff into what the Python API diff reads of its IR (`surface`): `parse_surface`, or a
caller's that knows a side already."""


def parse_surface(spec: LoadedSpec) -> Surface:
    return surface(parse_api(spec))


@dataclass(frozen=True)
class Report:
    """The findings between two specs, most severe first, and those the severity file ignored (with why)."""

    base: str
    revision: str
    findings: tuple[Finding, ...]
    ignored: tuple[tuple[Finding, str], ...] = ()
    ignored_by: str = "the severity file"
    """What set the ignored findings aside, as the report names it."""

    def count(self, level: str) -> int:
        return sum(f.level == level for f in self.findings)

    def fails(self, threshold: str | None) -> bool:
        """Whether a finding is at `threshold` or above (`--fail-on`); never without a threshold."""
        return threshold is not None and any(level_rank(f.level) <= level_rank(threshold) for f in self.findings)


def diff_specs(
    base: LoadedSpec,
    revision: LoadedSpec,
    overrides: Mapping[str, Override] | None = None,
    *,
    parse: Parse = parse_surface,
    located: bool = True,
    structural: Iterable[Change] | None = None,
) -> Report:
    """Everything that changed from `base` to `revision`, judged. `parse` gives what the Python API diff reads of each
    side's IR (`parse_surface`). `located`: each finding with both sides' files and lines (`locate`), for which each
    side's YAML node tree is composed (about a second for Stripe's); a release's changelog names none. `structural`:
    `compare(base, revision)`, when it was worked out elsewhere (in a worker process, by `versions`)."""
    found = compare(base, revision) if structural is None else structural
    changes = [*found, *_python_changes(base, revision, parse)]
    # one schema reached twice in one operation (two media types of one body) makes one finding, not two
    findings, ignored = apply_overrides(dict.fromkeys(judge(changes)), overrides or {})

    def placed(finding: Finding) -> Finding:
        return locate(finding, base, revision) if located else finding

    return Report(
        base.display,
        revision.display,
        tuple(sorted((placed(f) for f in findings), key=sort_key)),
        tuple(sorted(((placed(f), why) for f, why in ignored), key=lambda p: sort_key(p[0]))),
    )


def sort_key(finding: Finding) -> tuple[int, str, str, str, str]:
    """By level (errors first), then operation, pointer and rule id: the same inputs print the same report."""
    return (level_rank(finding.level), finding.operation, finding.pointer, finding.code, finding.message)


def locate(finding: Finding, base: LoadedSpec, revision: LoadedSpec) -> Finding:
    """The finding with both sides' lines, and the file of the side it is shown at (revision first)."""
    base_line = base.problem(finding.base_pointer, "", "").line if finding.base_pointer is not None else None
    revision_line = (
        revision.problem(finding.revision_pointer, "", "").line if finding.revision_pointer is not None else None
    )
    on_revision = finding.revision_pointer is not None or finding.base_pointer is None
    return replace(
        finding,
        file=revision.display if on_revision else base.display,
        line=revision_line if on_revision else base_line,
        base_line=base_line,
        revision_line=revision_line,
    )


def _python_changes(base: LoadedSpec, revision: LoadedSpec, parse: Parse) -> Iterable[Change]:
    """The generated package's changes; equal documents make equal packages, so they are not even parsed.

    A side that cannot be turned into a package (an unsupported construct, say) leaves the spec-level findings
    intact and adds one finding that says why the Python API was not compared.
    """
    if base.document == revision.document:
        return []
    sides, reasons = [], []
    for label, spec in (("base", base), ("revision", revision)):
        try:
            sides.append(parse(spec))
        except GenerationError as exc:
            first, more = exc.problems[0], len(exc.problems) - 1
            where = f"{first.pointer}: " if first.pointer else ""
            extra = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
            reasons.append(f"the {label} spec cannot be generated: {where}[{first.code}] {first.message}{extra}")
    if reasons:
        return [Change("python-api-skipped", "python", "", None, None, "Python API", None, "; ".join(reasons))]
    return python_changes(sides[0], sides[1])
