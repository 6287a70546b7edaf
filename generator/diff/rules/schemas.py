"""Schemas of parameters, request bodies, responses and webhook payloads: one table, judged by direction.

What narrows the values a schema accepts (a bound set or tightened, an enum value removed, a pattern added, a type
narrowed) breaks callers when they send the values (request: error) and is harmless when they receive them
(response: info); what widens them is harmless to send (info) and may surprise those who parse the values
(response: warning, as a new enum value does). Type and nullability changes break parsers outright, so a widened
response type is an error, as oasdiff has it. Read-only properties are not sent and write-only ones not received:
changes to them are not judged in that direction.

Ids follow oasdiff: `<prefix>-<change>`, where the prefix says where the schema is (`request-parameter`,
`request-body` for the body itself and `request-property` below it, `response-body`/`response-property`,
`webhook-body`/`webhook-property` for webhook payloads). Property existence and requiredness have oasdiff's own
names (`new-required-request-property`, `response-required-property-removed`...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generator.diff.compare import BOUNDS
from generator.diff.model import ERROR, INFO, REQUEST, RESPONSE, WARNING, Change, Rule

NARROWS = (ERROR, INFO)
"""(request level, response level) of a change that accepts fewer values."""
WIDENS = (INFO, WARNING)
"""(request level, response level) of a change that accepts more values."""

_EVENTS = {"decreased": "increased", "increased": "decreased"}


@dataclass(frozen=True)
class _Aspect:
    """One kind of schema change and its levels in each direction."""

    kind: str
    levels: tuple[str, str]
    description: str
    template: str


def _bound_aspects() -> Iterator[_Aspect]:
    for keyword, (name, narrowing) in BOUNDS.items():
        widening = _EVENTS[narrowing]
        yield _Aspect(f"{name}-set", NARROWS, f"{keyword} set", f"{{c.subject}}: {keyword} set to {{c.now}}")
        yield _Aspect(f"{name}-unset", WIDENS, f"{keyword} removed", f"{{c.subject}}: {keyword} {{c.was}} removed")
        for event, levels in ((narrowing, NARROWS), (widening, WIDENS)):
            yield _Aspect(
                f"{name}-{event}",
                levels,
                f"{keyword} {event}",
                f"{{c.subject}}: {keyword} {event} from {{c.was}} to {{c.now}}",
            )


ASPECTS: tuple[_Aspect, ...] = (
    _Aspect(
        "type-changed",
        (ERROR, ERROR),
        "type or format changed",
        "{c.subject}: type changed from {c.before} to {c.after}",
    ),
    _Aspect(
        "type-generalized",
        (INFO, ERROR),
        "type or format widened",
        "{c.subject}: type widened from {c.before} to {c.after}",
    ),
    _Aspect(
        "type-specialized",
        (ERROR, INFO),
        "type or format narrowed",
        "{c.subject}: type narrowed from {c.before} to {c.after}",
    ),
    _Aspect("became-nullable", (INFO, ERROR), "became nullable", "{c.subject} became nullable"),
    _Aspect("became-not-nullable", (ERROR, INFO), "no longer nullable", "{c.subject} is no longer nullable"),
    _Aspect("enum-value-added", WIDENS, "enum value added", "{c.subject}: enum value {c.now} added"),
    _Aspect("enum-value-removed", NARROWS, "enum value removed", "{c.subject}: enum value {c.was} removed"),
    _Aspect("became-enum", NARROWS, "restricted to enum values", "{c.subject} was restricted to the values {c.now}"),
    _Aspect("became-not-enum", WIDENS, "no longer restricted to enum values", "{c.subject} is no longer an enum"),
    _Aspect("pattern-added", NARROWS, "pattern added", "{c.subject}: pattern {c.now} added"),
    _Aspect("pattern-removed", WIDENS, "pattern removed", "{c.subject}: pattern {c.was} removed"),
    _Aspect(
        "pattern-changed",
        (WARNING, WARNING),
        "pattern changed (whether it narrows is undecidable)",
        "{c.subject}: pattern changed from {c.was} to {c.now}",
    ),
    *_bound_aspects(),
    _Aspect("multiple-of-set", NARROWS, "multipleOf set", "{c.subject}: multipleOf set to {c.now}"),
    _Aspect("multiple-of-unset", WIDENS, "multipleOf removed", "{c.subject}: multipleOf {c.was} removed"),
    _Aspect(
        "multiple-of-specialized",
        NARROWS,
        "multipleOf changed to a multiple of itself",
        "{c.subject}: multipleOf narrowed from {c.was} to {c.now}",
    ),
    _Aspect(
        "multiple-of-generalized",
        WIDENS,
        "multipleOf changed to a divisor of itself",
        "{c.subject}: multipleOf widened from {c.was} to {c.now}",
    ),
    _Aspect(
        "multiple-of-changed",
        (ERROR, WARNING),
        "multipleOf changed to an unrelated value",
        "{c.subject}: multipleOf changed from {c.was} to {c.now}",
    ),
    _Aspect("default-value-added", (INFO, INFO), "default value added", "{c.subject}: default value {c.now} added"),
    _Aspect(
        "default-value-removed",
        (WARNING, INFO),
        "default value removed: servers may treat an omitted value differently",
        "{c.subject}: default value {c.was} removed",
    ),
    _Aspect(
        "default-value-changed",
        (WARNING, INFO),
        "default value changed: callers that omit the value get another behaviour",
        "{c.subject}: default value changed from {c.was} to {c.now}",
    ),
    _Aspect("one-of-added", WIDENS, "oneOf alternative added", "{c.subject}: oneOf alternative {c.after} added"),
    _Aspect(
        "one-of-removed", NARROWS, "oneOf alternative removed", "{c.subject}: oneOf alternative {c.before} removed"
    ),
    _Aspect("any-of-added", WIDENS, "anyOf alternative added", "{c.subject}: anyOf alternative {c.after} added"),
    _Aspect(
        "any-of-removed", NARROWS, "anyOf alternative removed", "{c.subject}: anyOf alternative {c.before} removed"
    ),
    _Aspect("all-of-added", NARROWS, "allOf schema added", "{c.subject}: allOf schema {c.after} added"),
    _Aspect("all-of-removed", (INFO, ERROR), "allOf schema removed", "{c.subject}: allOf schema {c.before} removed"),
)


@dataclass(frozen=True)
class _Root:
    """Where a schema is: the change root, its direction and area, and the id prefixes for it and below it."""

    root: str
    direction: str
    area: str
    body: str
    nested: str


ROOTS = (
    _Root("parameter", REQUEST, "parameters", "request-parameter", "request-parameter"),
    _Root("request-body", REQUEST, "request-body", "request-body", "request-property"),
    _Root("response-body", RESPONSE, "responses", "response-body", "response-property"),
    _Root("webhook", RESPONSE, "webhooks", "webhook-body", "webhook-property"),
)


def _judged(root: _Root, nested: bool | None) -> Callable[[Change], bool]:
    """Changes at `root` (below its schema when `nested`, at it when not, either when None) that callers see."""
    unseen = "read-only" if root.direction == REQUEST else "write-only"
    return lambda c: c.root == root.root and (nested is None or c.nested == nested) and unseen not in c.flags


def _label(prefix: str) -> str:
    return (
        prefix.replace("-", " ").replace("webhook body", "webhook payload").replace("webhook ", "webhook payload ", 1)
    )


def _aspect_rules() -> Iterator[Rule]:
    for root in ROOTS:
        places = ((root.body, None),) if root.body == root.nested else ((root.body, False), (root.nested, True))
        for prefix, nested in places:
            for aspect in ASPECTS:
                yield Rule(
                    f"{prefix}-{aspect.kind}",
                    aspect.levels[root.direction == RESPONSE],
                    root.direction,
                    root.area,
                    f"{_label(prefix)}: {aspect.description}",
                    aspect.kind,
                    aspect.template,
                    _judged(root, nested),
                )


_PROPERTY_CHANGES: dict[tuple[str, bool | None], tuple[str, str, str, str]] = {
    # (change kind, required: None for either): (request level, response level, description, template)
    ("property-added", True): (ERROR, INFO, "required property added", "the required {c.subject} was added"),
    ("property-added", False): (INFO, INFO, "optional property added", "the optional {c.subject} was added"),
    ("property-removed", None): (WARNING, WARNING, "property removed", "{c.subject} was removed"),
    ("property-removed", True): (WARNING, ERROR, "required property removed", "the required {c.subject} was removed"),
    ("property-removed", False): (
        WARNING,
        WARNING,
        "optional property removed",
        "the optional {c.subject} was removed",
    ),
    ("property-renamed", None): (
        ERROR,
        ERROR,
        "property renamed (one removed and one added with the same schema, in the same object)",
        "{c.subject} was renamed from `{c.before}`",
    ),
    ("property-became-required", None): (ERROR, INFO, "property became required", "{c.subject} became required"),
    ("property-became-optional", None): (INFO, WARNING, "property became optional", "{c.subject} became optional"),
}

_REQUEST_PROPERTY = ("property-added", True), ("property-added", False), ("property-removed", None)
_RESPONSE_PROPERTY = (
    ("property-added", True),
    ("property-added", False),
    ("property-removed", True),
    (
        "property-removed",
        False,
    ),
)
_BOTH = ("property-renamed", None), ("property-became-required", None), ("property-became-optional", None)
_PROPERTY_IDS: dict[str, tuple[str, ...]] = {
    # ids in the order of _REQUEST_PROPERTY or _RESPONSE_PROPERTY, then _BOTH
    "parameter": (
        "new-required-request-parameter-property",
        "new-optional-request-parameter-property",
        "request-parameter-property-removed",
        "request-parameter-property-renamed",
        "request-parameter-property-became-required",
        "request-parameter-property-became-optional",
    ),
    "request-body": (
        "new-required-request-property",
        "new-optional-request-property",
        "request-property-removed",
        "request-property-renamed",
        "request-property-became-required",
        "request-property-became-optional",
    ),
    "response-body": (
        "response-required-property-added",
        "response-optional-property-added",
        "response-required-property-removed",
        "response-optional-property-removed",
        "response-property-renamed",
        "response-property-became-required",
        "response-property-became-optional",
    ),
    "webhook": (
        "webhook-required-property-added",
        "webhook-optional-property-added",
        "webhook-required-property-removed",
        "webhook-optional-property-removed",
        "webhook-property-renamed",
        "webhook-property-became-required",
        "webhook-property-became-optional",
    ),
}


def _required(required: bool | None, judged: Callable[[Change], bool]) -> Callable[[Change], bool]:
    return lambda c: judged(c) and (required is None or ("required" in c.flags) == required)


def _property_rules() -> Iterator[Rule]:
    for root in ROOTS:
        response = root.direction == RESPONSE
        changes = (*(_RESPONSE_PROPERTY if response else _REQUEST_PROPERTY), *_BOTH)
        for rule_id, (kind, required) in zip(_PROPERTY_IDS[root.root], changes, strict=True):
            request_level, response_level, description, template = _PROPERTY_CHANGES[(kind, required)]
            yield Rule(
                rule_id,
                response_level if response else request_level,
                root.direction,
                root.area,
                f"{_label(root.nested)}: {description}",
                kind,
                template,
                _required(required, _judged(root, None)),
            )


RULES = (*_aspect_rules(), *_property_rules())
