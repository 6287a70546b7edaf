"""Parameters between Python values and the wire, one description serving client (to wire) and server (from wire)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    """Where a parameter travels and how its text form is read back into JSON."""

    name: str
    location: str
    kind: str
    item_kind: str | None = None
    explode: bool = True


def render(value: object) -> str:
    """The wire text of a scalar: JSON spelling for booleans and numbers, as-is for strings."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def to_wire(
    values: Mapping[str, object], specs: Sequence[ParamSpec]
) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """Split validated values (by wire name) into path parameters, query pairs and headers."""
    path: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    for spec in specs:
        if spec.name not in values or values[spec.name] is None:
            continue
        value = values[spec.name]
        if isinstance(value, list):
            if spec.location == "query" and spec.explode:
                query.extend((spec.name, render(v)) for v in value)
                continue
            text = ",".join(render(v) for v in value)
        else:
            text = render(value)
        if spec.location == "path":
            path[spec.name] = text
        elif spec.location == "query":
            query.append((spec.name, text))
        else:
            headers[spec.name] = text
    return path, query, headers


def from_wire(
    specs: Sequence[ParamSpec],
    path: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Values by wire name read from a request, and (name, problem) for text that is not of the parameter's kind."""
    values: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    lower_headers = {k.lower(): v for k, v in headers.items()}
    for spec in specs:
        texts: list[str]
        if spec.location == "path":
            texts = [path[spec.name]] if spec.name in path else []
        elif spec.location == "query":
            texts = [v for k, v in query if k == spec.name]
        else:
            found = lower_headers.get(spec.name.lower())
            texts = [found] if found is not None else []
        if not texts:
            continue
        if spec.kind == "array":
            if not (spec.location == "query" and spec.explode):
                texts = [t for text in texts for t in text.split(",")] if texts != [""] else []
            parsed = [_parse(t, spec.item_kind or "string") for t in texts]
            if any(p is _BAD for p in parsed):
                problems.append((spec.name, f"expected a list of {spec.item_kind}"))
                continue
            values[spec.name] = parsed
            continue
        if len(texts) > 1:
            problems.append((spec.name, "given more than once"))
            continue
        value = _parse(texts[0], spec.kind)
        if value is _BAD:
            problems.append((spec.name, f"expected {'an' if spec.kind[0] in 'aeiou' else 'a'} {spec.kind}"))
        else:
            values[spec.name] = value
    return values, problems


_BAD = object()


def _parse(text: str, kind: str) -> object:
    if kind == "string":
        return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, _BAD)
    try:
        value = json.loads(text)
    except ValueError:
        return _BAD
    if kind == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) and text.lstrip("-").isdigit() else _BAD
    if kind == "number":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else _BAD
    return _BAD
