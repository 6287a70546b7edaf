"""`--severity FILE`: levels changed by rule id, as oasdiff's `--severity-levels`, with a reason for each.

    # YAML or JSON: rule id -> {level: error|warning|info|ignore, reason: why}
    request-parameter-removed:
      level: error
      reason: our gateway rejects requests with unknown parameters
    api-server-removed:
      level: ignore
      reason: regions are announced separately

Every entry needs a reason (as a documented answer does, `generator.answers`): an override nobody can explain
cannot be reviewed. An unknown rule id or level is an error, so a typo never silently switches a rule off.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from generator.diff.model import LEVELS, Finding
from generator.errors import GenerationError, Problem, display_path, pointer
from generator.loader import LoadedSpec

IGNORE = "ignore"


@dataclass(frozen=True)
class Override:
    """One rule's level in this project, and why."""

    level: str
    reason: str


def load_overrides(path: Path, rule_ids: Collection[str]) -> dict[str, Override]:
    """The overrides in `path`, or a GenerationError naming every bad entry with its line."""
    shown = display_path(path)
    try:
        raw = path.read_bytes()
        document = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except OSError as exc:
        raise GenerationError([Problem(shown, "", "diff.severity", f"cannot read: {exc.strerror}")]) from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise GenerationError([Problem(shown, "", "diff.severity", f"not valid YAML or JSON: {exc}")]) from exc
    if not isinstance(document, dict):
        raise GenerationError([Problem(shown, "", "diff.severity", "expected a mapping of rule ids")])
    located = LoadedSpec(path, raw, document)
    problems: list[Problem] = []
    overrides: dict[str, Override] = {}
    for rule_id, entry in document.items():
        ptr = pointer(str(rule_id))
        if rule_id not in rule_ids:
            problems.append(located.problem(ptr, "diff.severity", f"unknown rule id {rule_id!r}"))
            continue
        level = entry.get("level") if isinstance(entry, dict) else None
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if level not in (*LEVELS, IGNORE):
            choices = ", ".join((*LEVELS, IGNORE))
            problems.append(located.problem(ptr, "diff.severity", f"`level` must be one of {choices}"))
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(located.problem(ptr, "diff.severity", "every override needs a `reason`"))
        else:
            overrides[str(rule_id)] = Override(level, reason.strip())
    if problems:
        raise GenerationError(problems)
    return overrides


def apply_overrides(
    findings: Iterable[Finding], overrides: Mapping[str, Override]
) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """(kept findings at their project level, ignored findings with the reason each was ignored)."""
    kept: list[Finding] = []
    ignored: list[tuple[Finding, str]] = []
    for finding in findings:
        override = overrides.get(finding.code)
        if override is None:
            kept.append(finding)
        elif override.level == IGNORE:
            ignored.append((finding, override.reason))
        else:
            kept.append(replace(finding, level=override.level))
    return kept, ignored
