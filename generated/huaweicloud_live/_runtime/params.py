# Vendored by streamspec (runtime module params); do not edit.
"""Parameters between Python values and the wire, one description serving client (to wire) and server (from wire)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from urllib.parse import quote, urlencode


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


def flatten(name: str, value: object) -> list[tuple[str, str]]:
    """Bracket notation for nested values (`a[b][0]=x`): OpenAPI's deepObject style, and how form bodies nest."""
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in flatten(f"{name}[{key}]", item)]
    if isinstance(value, list):
        return [pair for i, item in enumerate(value) for pair in flatten(f"{name}[{i}]", item)]
    return [(name, render(value))]


def form_pairs(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """A JSON-ready object as form fields in bracket notation."""
    return [pair for key, value in values.items() for pair in flatten(key, value)]


def encode_form(values: Mapping[str, object]) -> tuple[str, bytes]:
    """An `application/x-www-form-urlencoded` body (RFC 3986 escapes, `%20` for spaces)."""
    return "application/x-www-form-urlencoded", urlencode(form_pairs(values), quote_via=quote).encode()


def encode_multipart(values: Mapping[str, object], files: Mapping[str, bytes] | None = None) -> tuple[str, bytes]:
    """A `multipart/form-data` body: text fields in bracket notation, plus raw file parts."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, text in form_pairs(values):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{text}\r\n'.encode())
    for name, data in (files or {}).items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        parts.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def unflatten(pairs: Sequence[tuple[str, str]]) -> dict[str, object]:
    """Nested values from bracket notation; list indices become lists. Leaves stay text (see `guess_scalar`)."""
    root: dict[str, object] = {}
    for key, text in pairs:
        path = [key.split("[", 1)[0], *_BRACKETS.findall(key)]
        node: dict[str, object] = root
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[path[-1]] = guess_scalar(text)
    return {k: _lists(v) for k, v in root.items()}


_BRACKETS = re.compile(r"\[([^\]]*)\]")


def _lists(value: object) -> object:
    if isinstance(value, dict):
        items = {k: _lists(v) for k, v in value.items()}
        if items and all(k.isdigit() for k in items):
            return [items[k] for k in sorted(items, key=int)]
        return items
    return value


def guess_scalar(text: str) -> object:
    """Form and deepObject leaves carry no type: read JSON numbers and booleans as such, anything else as text."""
    if text in ("true", "false"):
        return text == "true"
    if _NUMBER.fullmatch(text):
        return json.loads(text)
    return text


_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")


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
        if spec.kind == "object" and spec.location == "query":
            query.extend(flatten(spec.name, value))
            continue
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
        if spec.kind == "object" and spec.location == "query":
            nested = [(k, v) for k, v in query if k == spec.name or k.startswith(spec.name + "[")]
            if nested:
                values[spec.name] = unflatten(nested)[spec.name]
            continue
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


def decode_multipart(content_type: str, body: bytes) -> list[tuple[str, str]]:
    """The fields of a `multipart/form-data` body as (name, text) pairs; file parts are read as Latin-1 text."""
    message = BytesParser(policy=policy.HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            raise ValueError("a multipart part without a name")
        fields.append((name, payload.decode("latin-1") if part.get_filename() else payload.decode()))
    return fields
