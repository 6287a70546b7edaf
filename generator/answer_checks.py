"""The `streamspec_` checks: schemathesis' checks that accept the vendor's documented answers (`generator.answers`).

For an operation with documented answers for a check, the contract suite switches the stock check off and these
run it instead: they call (or, for `ignored_auth`, follow step by step) the stock check, and where it fails they
pass exactly the documented answers, after asking the target whether the answer's `conflict` holds. Everything else
fails as the stock check has it. Outside a run registered with `answered` they do nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case
from schemathesis.openapi.checks import AuthScenario
from schemathesis.specs.openapi import checks as stock

from generator.answers import Answers, Conflict, DocumentedAnswer, evaluate, matches, pointer_value

__all__ = ["answered"]


@dataclass(frozen=True)
class _Running:
    answers: Answers
    auth: Any
    """A `requests` auth hook that signs the conflict query (None: it goes unsigned)."""


_RUNNING: dict[int, _Running] = {}
"""By the id of a running schema's raw document: its answers (registered by `answered`)."""


@contextmanager
def answered(raw_schema: Any, answers: Answers, auth: Any = None) -> Iterator[None]:
    """While the block runs, the `streamspec_` checks accept `answers` for the schema whose raw document is
    `raw_schema` (the stock checks are switched off for those operations by the caller's configuration)."""
    _RUNNING[id(raw_schema)] = _Running(answers, auth)
    try:
        yield
    finally:
        _RUNNING.pop(id(raw_schema), None)


def _applying(case: Case[Any], check: str) -> tuple[_Running, list[DocumentedAnswer]] | None:
    running = _RUNNING.get(id(case.operation.schema.raw_schema))
    if running is None:
        return None
    found = running.answers.get(str(case.operation.definition.raw.get("operationId")), {}).get(check)
    return (running, found) if found else None


def _body(case: Case[Any]) -> Any:
    body = case.body
    return body if isinstance(body, (Mapping, list)) else None


def _conflict_holds(ctx: Any, case: Case[Any], running: _Running, conflict: Conflict) -> bool:
    """Whether `conflict.operation`, asked with the refused request's values, lists another resource."""
    from schemathesis.specs.openapi._auth_retry import send_probe

    schema = case.operation.schema
    try:
        operation = schema.find_operation_by_id(conflict.operation)
    except Exception:
        return False
    values = {
        name: evaluate(expression, case.path_parameters or {}, case.query or {}, _body(case))
        for name, expression in conflict.parameters.items()
    }
    locations = {parameter.name: parameter.location.value for parameter in operation.iter_parameters()}
    path = {k: v for k, v in values.items() if locations.get(k) == "path" and v is not None}
    query = {k: v for k, v in values.items() if locations.get(k) == "query" and v is not None}
    probe = operation.Case(path_parameters=path, query=query)
    probe._auth = running.auth
    response = send_probe(ctx, case, probe)
    if not 200 <= response.status_code < 300:
        return False
    try:
        items = pointer_value(json.loads(response.content or b"null"), conflict.items)
    except ValueError:
        return False
    own = (
        None
        if conflict.own is None
        else evaluate(conflict.own, case.path_parameters or {}, case.query or {}, _body(case))
    )
    return isinstance(items, list) and any(
        isinstance(item, Mapping) and (own is None or item.get(conflict.key) != own) for item in items
    )


def _documented(ctx: Any, case: Case[Any], running: _Running, answers: list[DocumentedAnswer], response: Any) -> bool:
    return any(
        matches(answer, response.status_code, response.content or b"")
        and (answer.conflict is None or _conflict_holds(ctx, case, running, answer.conflict))
        for answer in answers
    )


@schemathesis.check
def streamspec_positive_data_acceptance(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """schemathesis' `positive_data_acceptance`, where the spec or profile documents another answer: that answer
    passes (when its conflict holds), everything else fails as the stock check has it."""
    found = _applying(case, "positive_data_acceptance")
    if found is None:
        return None
    try:
        return stock.positive_data_acceptance(ctx, response, case)
    except Failure:
        if _documented(ctx, case, *found, response):
            return None
        raise


@schemathesis.check
def streamspec_missing_required_header(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """schemathesis' `missing_required_header`, with the documented answers (as above)."""
    found = _applying(case, "missing_required_header")
    if found is None:
        return None
    try:
        return stock.missing_required_header(ctx, response, case)
    except Failure:
        if _documented(ctx, case, *found, response):
            return None
        raise


@schemathesis.check
def streamspec_ignored_auth(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """schemathesis' `ignored_auth`, where a documented answer is also a refusal of its probes: both probes (no
    credentials, invalid credentials) still run and must be refused, by 401/403 or by a documented answer."""
    from schemathesis.specs.openapi._auth_retry import (
        get_security_parameters,
        remove_auth,
        send_probe,
        set_auth_for_case,
    )
    from schemathesis.specs.openapi.adapter.security import has_effective_optional_auth

    found = _applying(case, "ignored_auth")
    if found is None or stock.is_unexpected_http_status_case(case):
        return None
    running, answers = found
    operation = case.operation
    if has_effective_optional_auth(operation, operation.schema.raw_schema):
        return True
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return None
    parameters = get_security_parameters(operation)
    if not parameters or not 200 <= response.status_code < 300:
        return None
    if stock._has_undeclared_explicit_authorization(ctx, response, parameters):
        return None
    if stock._contains_auth(ctx, case, response, parameters) != stock.AuthKind.EXPLICIT:
        return stock.ignored_auth(ctx, response, case)  # no probe: documented answers change nothing there
    enforced = ctx.auth_enforced_operations
    if enforced is not None and operation.label in enforced:
        return None

    def refused(answer: Any) -> bool:
        return stock._enforces_auth(answer, response) or _documented(ctx, case, running, answers, answer)

    probe = remove_auth(case, parameters)
    answer = send_probe(ctx, case, probe)
    if not refused(answer):
        stock._raise_no_auth_error(answer, probe, AuthScenario.NO_AUTH)
    for parameter in parameters:
        probe = remove_auth(case, parameters)
        set_auth_for_case(probe, parameter)
        answer = send_probe(ctx, case, probe)
        if not refused(answer):
            stock._raise_no_auth_error(answer, probe, AuthScenario.INVALID_AUTH)
    if enforced is not None:
        enforced.add(operation.label)
    return None
