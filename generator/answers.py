"""Documented answers: where a vendor documents an answer that one of schemathesis' checks would call wrong.

The core knows no vendor. A fact that holds for every operation of a vendor is on its profile
(`Profile.documented_answers`: Volcengine answers a request with a missing or malformed `Authorization` with 400
MissingRequestInfo, where schemathesis expects 401); a fact about one operation is in the spec, beside it
(`x-documented-answers`: Huawei Live refuses a recording configuration for a domain and app that another already
has with 400 LIVE.100011001, where REST APIs would say 409). docs/spec-conventions.md documents the extension.

Each answer names the check it answers, the status, the fields of the JSON body that identify it (JSON pointers to
values) and the reason, and optionally a `conflict`: the state that must hold for the answer to be the documented
one (an operation to ask, with link-style parameters, whether another resource already has the request's values).
For the operations it applies to, the contract suite replaces the check by a `streamspec_` version of it that
accepts exactly those answers besides what the check expects, and fails everything else as the check does;
nothing is switched off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANSWERED_CHECKS",
    "Answers",
    "Conflict",
    "DocumentedAnswer",
    "answers_of",
    "matches",
    "spec_answers",
]

ANSWERED_CHECKS = ("positive_data_acceptance", "missing_required_header", "ignored_auth")
"""The checks an answer may name: those whose expectations a vendor's documented answers can contradict."""


@dataclass(frozen=True)
class Conflict:
    """The state that makes a refusal the documented one: `operation`, called with `parameters` (runtime
    expressions over the refused request: `$request.path.NAME`, `$request.query.NAME`, `$request.body#/POINTER`),
    lists in its body at `items` a resource whose `key` differs from `own` (the refused request's own resource,
    for an update; None for a create, where any resource conflicts)."""

    operation: str
    parameters: Mapping[str, str]
    items: str
    key: str = "id"
    own: str | None = None


@dataclass(frozen=True)
class DocumentedAnswer:
    """An answer the vendor documents where check `check` expects another (see the module docstring)."""

    check: str
    status: int
    body: Mapping[str, Any]
    """JSON pointer into the answer's JSON body -> the value there."""
    reason: str
    conflict: Conflict | None = None
    operations: tuple[str, ...] | None = field(default=None, compare=False)
    """The operation ids it applies to; None: every operation (a profile's vendor-wide answer)."""


_POINTER_ESCAPES = (("~1", "/"), ("~0", "~"))


def pointer_value(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (`/a/0/b`), or a sentinel-free None when there is none."""
    value = document
    for token in pointer.split("/")[1:] if pointer else []:
        for escaped, plain in _POINTER_ESCAPES:
            token = token.replace(escaped, plain)
        if isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        elif isinstance(value, Mapping) and token in value:
            value = value[token]
        else:
            return None
    return value


def matches(answer: DocumentedAnswer, status: int, body: bytes) -> bool:
    """Whether an answer (status and raw body) is `answer`'s status with each named field at its value."""
    if status != answer.status:
        return False
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return False
    return all(pointer_value(data, pointer) == value for pointer, value in answer.body.items())


_EXPRESSION = re.compile(r"^\$request\.(path|query|header|body)(?:\.([^#]+))?(?:#(.*))?$")


def evaluate(expression: str, path: Mapping[str, Any], query: Mapping[str, Any], body: Any) -> Any:
    """A link-style runtime expression over the refused request; None when it names nothing there."""
    found = _EXPRESSION.match(expression.strip())
    if found is None:
        return expression  # a literal value
    where, name, pointer = found.groups()
    if where == "body":
        return pointer_value(body, pointer or "")
    source = path if where == "path" else query
    return source.get(name or "") if isinstance(source, Mapping) else None


def _answer(data: Mapping[str, Any], operations: tuple[str, ...] | None) -> DocumentedAnswer:
    conflict = data.get("conflict")
    return DocumentedAnswer(
        check=str(data["check"]),
        status=int(data["status"]),
        body=dict(data.get("body") or {}),
        reason=str(data["reason"]),
        conflict=None
        if not isinstance(conflict, Mapping)
        else Conflict(
            operation=str(conflict["operationId"]),
            parameters={str(k): str(v) for k, v in (conflict.get("parameters") or {}).items()},
            items=str(conflict.get("items", "")),
            key=str(conflict.get("key", "id")),
            own=str(conflict["own"]) if conflict.get("own") is not None else None,
        ),
        operations=operations,
    )


def _operations(raw: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for item in (raw.get("paths") or {}).values():
        if isinstance(item, Mapping):
            yield from (op for op in item.values() if isinstance(op, Mapping) and "operationId" in op)


def spec_answers(raw: Mapping[str, Any]) -> list[DocumentedAnswer]:
    """Every operation's `x-documented-answers`, each for its operation."""
    found = []
    for operation in _operations(raw):
        for data in operation.get("x-documented-answers") or ():
            found.append(_answer(data, (str(operation["operationId"]),)))
    return found


Answers = dict[str, dict[str, list[DocumentedAnswer]]]
"""Operation id -> check -> the documented answers that apply."""


def answers_of(raw: Mapping[str, Any], vendor: tuple[DocumentedAnswer, ...] = ()) -> Answers:
    """By operation id and check: the answers that apply (the profile's vendor-wide ones, then the spec's own)."""
    by_operation: Answers = {}
    every = [str(op["operationId"]) for op in _operations(raw)]
    for answer in [*vendor, *spec_answers(raw)]:
        for operation in answer.operations if answer.operations is not None else every:
            by_operation.setdefault(operation, {}).setdefault(answer.check, []).append(answer)
    return by_operation
