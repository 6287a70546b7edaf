"""Servers: base URLs, keyed by region (`x-region`) when they name one, else by URL.

Generated clients default to the first server and pick others by region, so losing a region or moving the default
may break callers: warnings, since the old URLs may still answer.
"""

from __future__ import annotations

from generator.diff.model import INFO, NONE, WARNING, Rule

AREA = "servers"

RULES = (
    Rule(
        "api-server-added", INFO, NONE, AREA, "a server was added", "server-added", "the server {c.subject} was added"
    ),
    Rule(
        "api-server-removed",
        WARNING,
        NONE,
        AREA,
        "a server (or region) was removed",
        "server-removed",
        "the server {c.subject} was removed",
    ),
    Rule(
        "api-server-url-changed",
        WARNING,
        NONE,
        AREA,
        "the URL of a region's server changed",
        "server-url-changed",
        "the server of region {c.subject} moved from {c.before} to {c.after}",
    ),
    Rule(
        "api-default-server-changed",
        WARNING,
        NONE,
        AREA,
        "the first (default) server changed",
        "default-server-changed",
        "the default server changed from {c.before} to {c.after}",
    ),
)
