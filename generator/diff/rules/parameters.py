"""Request parameters (path, query, header, cookie): added, removed, required or optional, moved, deprecated.

Changes to a parameter's schema (type, enum, bounds...) are judged by the schema family (`schemas.py`), which names
them `request-parameter-*`. A renamed parameter is a removed one plus an added one: nothing pairs them safely.
"""

from __future__ import annotations

from generator.diff.model import ERROR, INFO, REQUEST, WARNING, Rule, flagged

AREA = "parameters"

RULES = (
    Rule(
        "new-required-request-parameter",
        ERROR,
        REQUEST,
        AREA,
        "a required query, header or cookie parameter was added",
        "parameter-added",
        "the required {c.subject} was added",
        flagged("required", absent=("path",)),
    ),
    Rule(
        "new-optional-request-parameter",
        INFO,
        REQUEST,
        AREA,
        "an optional parameter was added",
        "parameter-added",
        "the optional {c.subject} was added",
        flagged(absent=("required",)),
    ),
    Rule(
        "new-request-path-parameter",
        ERROR,
        REQUEST,
        AREA,
        "a path parameter was added",
        "parameter-added",
        "the {c.subject} was added",
        flagged("path"),
    ),
    Rule(
        "request-parameter-removed",
        WARNING,
        REQUEST,
        AREA,
        "a parameter was removed without being deprecated first: servers may reject callers that still send it",
        "parameter-removed",
        "the {c.subject} was removed without being deprecated first",
        flagged(absent=("deprecated",)),
    ),
    Rule(
        "request-parameter-removed-with-deprecation",
        INFO,
        REQUEST,
        AREA,
        "a deprecated parameter was removed",
        "parameter-removed",
        "the deprecated {c.subject} was removed",
        flagged("deprecated"),
    ),
    Rule(
        "request-parameter-became-required",
        ERROR,
        REQUEST,
        AREA,
        "an optional parameter became required",
        "parameter-became-required",
        "the {c.subject} became required",
    ),
    Rule(
        "request-parameter-became-optional",
        INFO,
        REQUEST,
        AREA,
        "a required parameter became optional",
        "parameter-became-optional",
        "the {c.subject} became optional",
    ),
    Rule(
        "request-parameter-location-changed",
        ERROR,
        REQUEST,
        AREA,
        "a parameter moved to another location (query, header, path, cookie)",
        "parameter-location-changed",
        "the {c.subject} moved from {c.before} to {c.after}",
    ),
    Rule(
        "request-parameter-deprecated",
        INFO,
        REQUEST,
        AREA,
        "a parameter was deprecated",
        "parameter-deprecated",
        "the {c.subject} was deprecated",
    ),
    Rule(
        "request-parameter-reactivated",
        INFO,
        REQUEST,
        AREA,
        "a parameter is no longer deprecated",
        "parameter-reactivated",
        "the {c.subject} is no longer deprecated",
    ),
)
