"""RPC operations (`x-rpc: {action, version}`): the Action and Version callers send select the operation.

A Version change for the same action makes every existing call ask for a version the service may no longer serve.
"""

from __future__ import annotations

from generator.diff.model import ERROR, NONE, Rule

AREA = "rpc"

RULES = (
    Rule(
        "rpc-version-changed",
        ERROR,
        NONE,
        AREA,
        "the Version of an RPC operation changed: existing calls name the old version",
        "rpc-version-changed",
        "the RPC Version of {c.subject} changed from {c.was} to {c.now}",
    ),
    Rule(
        "rpc-action-changed",
        ERROR,
        NONE,
        AREA,
        "the Action of an RPC operation changed: existing calls name the old action",
        "rpc-action-changed",
        "the RPC Action of {c.subject} changed from {c.was} to {c.now}",
    ),
)
