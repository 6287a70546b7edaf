"""Responses: statuses, media types, headers and documented error codes (our `x-error-codes` extension).

A success status is 2xx or 3xx; anything else (4xx, 5xx, `default`) is not. Changes inside a response body's
schema are judged by the schema family (`response-body-*`, `response-property-*`). A new documented error code is a
warning: callers that branch on codes meet one they do not handle, as with a new enum value.
"""

from __future__ import annotations

from generator.diff.model import ERROR, INFO, RESPONSE, WARNING, Rule, flagged, rooted

AREA = "responses"

RULES = (
    Rule(
        "response-success-status-removed",
        ERROR,
        RESPONSE,
        AREA,
        "a success status was removed",
        "response-status-removed",
        "the success response {c.subject} was removed",
        flagged("success"),
    ),
    Rule(
        "response-non-success-status-removed",
        INFO,
        RESPONSE,
        AREA,
        "an error status (or `default`) was removed",
        "response-status-removed",
        "the non-success response {c.subject} was removed",
        flagged(absent=("success",)),
    ),
    Rule(
        "response-success-status-added",
        INFO,
        RESPONSE,
        AREA,
        "a success status was added",
        "response-status-added",
        "the success response {c.subject} was added",
        flagged("success"),
    ),
    Rule(
        "response-non-success-status-added",
        INFO,
        RESPONSE,
        AREA,
        "an error status (or `default`) was added",
        "response-status-added",
        "the non-success response {c.subject} was added",
        flagged(absent=("success",)),
    ),
    Rule(
        "response-media-type-added",
        INFO,
        RESPONSE,
        AREA,
        "a response may come in another media type",
        "media-type-added",
        "the {c.subject} may come as {c.after}",
        rooted("response-body"),
    ),
    Rule(
        "response-media-type-removed",
        ERROR,
        RESPONSE,
        AREA,
        "a response no longer comes in a media type callers may ask for",
        "media-type-removed",
        "the {c.subject} no longer comes as {c.before}",
        rooted("response-body"),
    ),
    Rule(
        "response-header-added",
        INFO,
        RESPONSE,
        AREA,
        "a response header was added",
        "response-header-added",
        "the {c.subject} was added",
    ),
    Rule(
        "required-response-header-removed",
        ERROR,
        RESPONSE,
        AREA,
        "a required response header was removed",
        "response-header-removed",
        "the required {c.subject} was removed",
        flagged("required"),
    ),
    Rule(
        "optional-response-header-removed",
        WARNING,
        RESPONSE,
        AREA,
        "an optional response header was removed",
        "response-header-removed",
        "the optional {c.subject} was removed",
        flagged(absent=("required",)),
    ),
    Rule(
        "response-error-code-added",
        WARNING,
        RESPONSE,
        AREA,
        "a documented error code (`x-error-codes`) was added: callers may not handle it",
        "error-code-added",
        "the {c.subject} documents the new error code {c.after}",
    ),
    Rule(
        "response-error-code-removed",
        INFO,
        RESPONSE,
        AREA,
        "a documented error code (`x-error-codes`) was removed",
        "error-code-removed",
        "the {c.subject} no longer documents the error code {c.before}",
    ),
    Rule(
        "response-error-code-message-changed",
        INFO,
        RESPONSE,
        AREA,
        "the message of a documented error code changed",
        "error-code-message-changed",
        "the message of the {c.subject} changed from {c.was} to {c.now}",
    ),
)
