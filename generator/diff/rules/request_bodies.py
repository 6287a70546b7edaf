"""Request bodies: added, removed, required or optional, and their media types.

Changes inside a body's schema are judged by the schema family (`request-body-*`, `request-property-*`).
"""

from __future__ import annotations

from generator.diff.model import ERROR, INFO, REQUEST, Rule, flagged, rooted

AREA = "request-body"

RULES = (
    Rule(
        "request-body-added-required",
        ERROR,
        REQUEST,
        AREA,
        "a required request body was added",
        "request-body-added",
        "a required request body was added",
        flagged("required"),
    ),
    Rule(
        "request-body-added-optional",
        INFO,
        REQUEST,
        AREA,
        "an optional request body was added",
        "request-body-added",
        "an optional request body was added",
        flagged(absent=("required",)),
    ),
    Rule(
        "request-body-removed",
        ERROR,
        REQUEST,
        AREA,
        "the request body was removed: servers may reject callers that still send one",
        "request-body-removed",
        "the request body was removed",
    ),
    Rule(
        "request-body-became-required",
        ERROR,
        REQUEST,
        AREA,
        "an optional request body became required",
        "request-body-became-required",
        "the request body became required",
    ),
    Rule(
        "request-body-became-optional",
        INFO,
        REQUEST,
        AREA,
        "a required request body became optional",
        "request-body-became-optional",
        "the request body became optional",
    ),
    Rule(
        "request-body-media-type-added",
        INFO,
        REQUEST,
        AREA,
        "the request body accepts another media type",
        "media-type-added",
        "the request body accepts the media type {c.after}",
        rooted("request-body"),
    ),
    Rule(
        "request-body-media-type-removed",
        ERROR,
        REQUEST,
        AREA,
        "the request body no longer accepts a media type",
        "media-type-removed",
        "the request body no longer accepts the media type {c.before}",
        rooted("request-body"),
    ),
)
