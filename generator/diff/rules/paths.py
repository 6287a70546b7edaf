"""Operations: added, removed (with or without being deprecated first), deprecated, and operationId changes.

An operationId names the method of every generated client, ours included, so changing it breaks their callers even
though the wire format stays: an error here, where oasdiff (which does not generate clients) reports info.
"""

from __future__ import annotations

from generator.diff.model import ERROR, INFO, NONE, Change, Rule, flagged

AREA = "paths"


def _renamed(change: Change) -> bool:
    return change.before is not None


def _named(change: Change) -> bool:
    return change.before is None


RULES = (
    Rule(
        "api-path-removed-without-deprecation",
        ERROR,
        NONE,
        AREA,
        "an operation was removed with its whole path, without being deprecated first",
        "operation-removed",
        "{c.subject} was removed, with its path, without being deprecated first",
        flagged("path-removed", absent=("deprecated",)),
    ),
    Rule(
        "api-path-removed-with-deprecation",
        INFO,
        NONE,
        AREA,
        "a deprecated operation was removed with its whole path",
        "operation-removed",
        "{c.subject} was removed with its path after being deprecated",
        flagged("path-removed", "deprecated"),
    ),
    Rule(
        "api-removed-without-deprecation",
        ERROR,
        NONE,
        AREA,
        "an operation was removed without being deprecated first (its path stays)",
        "operation-removed",
        "{c.subject} was removed without being deprecated first",
        flagged(absent=("path-removed", "deprecated")),
    ),
    Rule(
        "api-removed-with-deprecation",
        INFO,
        NONE,
        AREA,
        "a deprecated operation was removed (its path stays)",
        "operation-removed",
        "{c.subject} was removed after being deprecated",
        flagged("deprecated", absent=("path-removed",)),
    ),
    Rule("endpoint-added", INFO, NONE, AREA, "an operation was added", "operation-added", "{c.subject} was added"),
    Rule(
        "endpoint-deprecated",
        INFO,
        NONE,
        AREA,
        "an operation was deprecated",
        "operation-deprecated",
        "{c.subject} was deprecated",
    ),
    Rule(
        "endpoint-reactivated",
        INFO,
        NONE,
        AREA,
        "an operation is no longer deprecated",
        "operation-reactivated",
        "{c.subject} is no longer deprecated",
    ),
    Rule(
        "api-operation-id-removed",
        ERROR,
        NONE,
        AREA,
        "an operation's operationId changed or was removed: generated clients rename or lose its method",
        "operation-id-changed",
        "the operationId of {c.subject} changed from {c.was} to {c.now}, which renames its method in generated clients",
        _renamed,
    ),
    Rule(
        "api-operation-id-added",
        INFO,
        NONE,
        AREA,
        "an operation without an operationId got one",
        "operation-id-changed",
        "{c.subject} got the operationId {c.now}",
        _named,
    ),
)
