"""The judging layer: every family's `Rule` records in one registry, and `judge`, which runs them.

One module per family, as oasdiff's `checker/check_<family>.go`: paths, parameters, request_bodies, responses,
schemas (the schemas of all of those and of webhook payloads), security, servers, webhooks, rpc, and python (the
generated package). Ids are stable and never reused; where oasdiff has a rule for a change, its id is reused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from generator.diff.model import Change, Finding, Rule
from generator.diff.rules import (
    parameters,
    paths,
    python,
    request_bodies,
    responses,
    rpc,
    schemas,
    security,
    servers,
    webhooks,
)

FAMILIES = (paths, parameters, request_bodies, responses, schemas, security, servers, webhooks, rpc, python)

RULES: tuple[Rule, ...] = tuple(rule for family in FAMILIES for rule in family.RULES)
BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}
_TWICE = sorted(rule_id for rule_id, n in Counter(r.id for r in RULES).items() if n > 1)
if _TWICE:  # one id for two rules would make severity files and reports ambiguous
    raise AssertionError(f"rule ids defined twice: {_TWICE}")

_BY_KIND: dict[str, list[Rule]] = {}
for _rule in RULES:
    _BY_KIND.setdefault(_rule.kind, []).append(_rule)


def judge(changes: Iterable[Change]) -> list[Finding]:
    """Every finding of every rule about `changes` (each change is offered only to rules that read its kind)."""
    return [finding for change in changes for rule in _BY_KIND.get(change.kind, ()) for finding in rule.check(change)]
