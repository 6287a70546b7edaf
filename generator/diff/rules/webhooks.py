"""Webhooks (OpenAPI 3.1 `webhooks`): callbacks the vendor sends to users' receivers.

A payload travels like a response: the vendor writes it and users' receivers parse it, so its schema changes are
judged in the response direction (`webhook-body-*`, `webhook-property-*` in the schema family).
"""

from __future__ import annotations

from generator.diff.model import ERROR, INFO, RESPONSE, WARNING, Rule, rooted

AREA = "webhooks"

RULES = (
    Rule(
        "webhook-added",
        INFO,
        RESPONSE,
        AREA,
        "a webhook was added",
        "webhook-added",
        "the webhook {c.subject} was added",
    ),
    Rule(
        "webhook-removed",
        ERROR,
        RESPONSE,
        AREA,
        "a webhook was removed: receivers stop getting its events",
        "webhook-removed",
        "the webhook {c.subject} was removed",
    ),
    Rule(
        "webhook-media-type-added",
        WARNING,
        RESPONSE,
        AREA,
        "a webhook payload may come in another media type that receivers may not parse",
        "media-type-added",
        "the {c.subject} may come as {c.after}",
        rooted("webhook"),
    ),
    Rule(
        "webhook-media-type-removed",
        INFO,
        RESPONSE,
        AREA,
        "a webhook payload no longer comes in a media type",
        "media-type-removed",
        "the {c.subject} no longer comes as {c.before}",
        rooted("webhook"),
    ),
)
