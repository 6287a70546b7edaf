# Vendored by streamspec (runtime module params); do not edit.
"""Parameters between Python values and the wire, one description serving client (to wire) and server (from wire).

Every style OpenAPI defines is written and read here (RFC 6570 as OpenAPI uses it): `simple`, `label` and `matrix`
in paths, `form`, `spaceDelimited`, `pipeDelimited` and `deepObject` in queries, `simple` in headers and `form` in
cookies, each for primitives, arrays and objects, exploded or not; and parameters whose value is a document of
some media type (`content`: JSON). Values read from the wire are typed by the parameter's kind (and an object's by
its fields' kinds) before the params model validates them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

from .json_text import read_json

__all__ = [
    "NO_FIT",
    "EncodedSegment",
    "ParamSpec",
    "flatten",
    "from_wire",
    "guess_scalar",
    "parse_text",
    "render",
    "to_wire",
    "unflatten",
]


@dataclass(frozen=True)
class ParamSpec:
    """Where a parameter travels and how its value is spelled there."""

    name: str
    location: str
    """`path`, `query`, `header` or `cookie`."""
    kind: str
    """`string`, `integer`, `number`, `boolean`, `array`, `object` or `json` (a `content` parameter)."""
    item_kind: str | None = None
    explode: bool = True
    style: str = ""
    """The OpenAPI style; empty means the location's default (`simple` in paths and headers, `form` elsewhere)."""
    fields: tuple[tuple[str, str], ...] = ()
    """An object's properties and their kinds: how an exploded form object's query parameters are recognised."""

    @property
    def effective_style(self) -> str:
        return self.style or ("simple" if self.location in ("path", "header") else "form")


class EncodedSegment(str):
    """A path parameter already percent-encoded with its style's punctuation (`.a.b`, `;id=1`): sent as it is."""

    __slots__ = ()


def render(value: object) -> str:
    """The wire text of a scalar: JSON spelling for booleans, numbers and null, as-is for strings."""
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


def unflatten(pairs: Sequence[tuple[str, object]], *, guess: bool = True) -> dict[str, object]:
    """Nested values from bracket notation (list indices become lists) or repeated names (`a=1&a=2`, a list).

    Leaves are typed by `guess_scalar`, or stay as they are with `guess=False` (for a caller that knows the schema).
    """
    root: dict[str, object] = {}
    for key, leaf in pairs:
        path = [key.split("[", 1)[0], *_BRACKETS.findall(key)]
        node: dict[str, object] = root
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            value = guess_scalar(leaf) if guess and isinstance(leaf, str) else leaf
            name = path[-1]
            existing = node.get(name, NO_FIT)
            if existing is NO_FIT:
                node[name] = value
            elif isinstance(existing, _Repeated):
                existing.append(value)
            elif not isinstance(existing, dict):
                node[name] = _Repeated([existing, value])
    return {k: _lists(v) for k, v in root.items()}


class _Repeated(list[object]):
    """The values of a name given several times (a list), as opposed to a value that is a list."""


_BRACKETS = re.compile(r"\[([^\]]*)\]")


def _lists(value: object) -> object:
    if isinstance(value, dict):
        items = {k: _lists(v) for k, v in value.items()}
        if items and all(k.isdigit() for k in items):
            return [items[k] for k in sorted(items, key=int)]
        return items
    if isinstance(value, _Repeated):
        return list(value)
    return value


def guess_scalar(text: str) -> object:
    """Form and deepObject leaves carry no type: read JSON numbers and booleans as such, anything else as text."""
    if text in ("true", "false"):
        return text == "true"
    if _NUMBER.fullmatch(text):
        return json.loads(text)
    return text


_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")

# --------------------------------------------------------------------------- to the wire


def _pairs(value: Mapping[str, object]) -> list[tuple[str, str]]:
    return [(key, render(item)) for key, item in value.items() if item is not None]


def _items(spec: ParamSpec, value: object) -> tuple[list[str] | None, list[tuple[str, str]] | None, str | None]:
    """(array items, object pairs, scalar) of a value, each rendered."""
    if spec.kind == "json":
        return None, None, json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, list):
        return [render(item) for item in value], None, None
    if isinstance(value, dict):
        return None, _pairs(value), None
    return None, None, render(value)


def _path_value(spec: ParamSpec, value: object) -> str:
    """A path parameter: plain text for `simple` scalars (the client escapes it), else an `EncodedSegment`."""
    items, pairs, scalar = _items(spec, value)
    style = spec.effective_style
    if style == "simple" and scalar is not None:
        return scalar

    def esc(text: str) -> str:
        return quote(text, safe="")

    prefix = {"label": ".", "matrix": ";"}.get(style, "")
    if scalar is not None:
        body = f"{spec.name}={esc(scalar)}" if style == "matrix" else esc(scalar)
    elif items is not None:
        if style == "matrix":
            body = (
                (";".join(f"{spec.name}={esc(i)}" for i in items))
                if spec.explode
                else f"{spec.name}=" + ",".join(esc(i) for i in items)
            )
        else:
            body = ("." if style == "label" and spec.explode else ",").join(esc(i) for i in items)
    else:
        assert pairs is not None
        if spec.explode:
            joiner = {"label": ".", "matrix": ";"}.get(style, ",")
            body = joiner.join(f"{esc(k)}={esc(v)}" for k, v in pairs)
        else:
            flat = ",".join(f"{esc(k)},{esc(v)}" for k, v in pairs)
            body = f"{spec.name}={flat}" if style == "matrix" else flat
    return EncodedSegment(prefix + body)


def _query_pairs(spec: ParamSpec, value: object) -> list[tuple[str, str]]:
    style = spec.effective_style
    if style == "deepObject":
        return flatten(spec.name, value)
    items, pairs, scalar = _items(spec, value)
    if scalar is not None:
        return [(spec.name, scalar)]
    joiner = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
    if items is not None:
        return (
            [(spec.name, item) for item in items]
            if spec.explode and style == "form"
            else [(spec.name, joiner.join(items))]
        )
    assert pairs is not None
    if spec.explode and style == "form":
        return pairs
    return [(spec.name, joiner.join(f"{k}{joiner}{v}" for k, v in pairs))]


def _header_value(spec: ParamSpec, value: object) -> str:
    items, pairs, scalar = _items(spec, value)
    if scalar is not None:
        return scalar
    if items is not None:
        return ",".join(items)
    assert pairs is not None
    return ",".join(f"{k}={v}" if spec.explode else f"{k},{v}" for k, v in pairs)


def to_wire(
    values: Mapping[str, object], specs: Sequence[ParamSpec]
) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """Split validated values (by wire name) into path parameters, query pairs and headers (cookies included)."""
    path: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for spec in specs:
        if spec.name not in values or values[spec.name] is None:
            continue
        value = values[spec.name]
        if spec.location == "path":
            path[spec.name] = _path_value(spec, value)
        elif spec.location == "query":
            query.extend(_query_pairs(spec, value))
        elif spec.location == "cookie":
            cookies.extend(f"{name}={quote(text, safe='')}" for name, text in _query_pairs(spec, value))
        else:
            headers[spec.name] = _header_value(spec, value)
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    return path, query, headers


# --------------------------------------------------------------------------- from the wire


NO_FIT = object()
"""What a text that cannot be read as the wanted kind parses to."""


def parse_text(text: str, kind: str) -> object:
    """`text` read as a value of JSON type `kind`, or `NO_FIT`."""
    if kind in ("string", "object", "array", ""):
        return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, NO_FIT)
    if kind == "null":
        return None if text in ("", "null") else NO_FIT
    try:
        value = read_json(text.encode())
    except ValueError:
        return NO_FIT
    if kind == "integer":
        whole = isinstance(value, int) and not isinstance(value, bool) and text.lstrip("-").isdigit()
        return value if whole else NO_FIT
    if kind == "number":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else NO_FIT
    return NO_FIT


def _object(spec: ParamSpec, pairs: Sequence[tuple[str, str]]) -> dict[str, object] | None:
    """An object from its (key, text) pairs, each field typed by its kind (unknown fields are guessed)."""
    kinds = dict(spec.fields)
    result: dict[str, object] = {}
    for key, text in pairs:
        kind = kinds.get(key)
        value = parse_text(text, kind) if kind is not None else guess_scalar(text)
        if value is NO_FIT:
            return None
        result[key] = value
    return result


def _split_pairs(parts: Sequence[str], *, explode: bool) -> list[tuple[str, str]] | None:
    """Object pairs from `k=v` items (exploded) or alternating `k, v` items; None when a name is missing."""
    if explode:
        found = [part.partition("=") for part in parts if part]
        pairs = None if any(not eq for _, eq, _ in found) else [(k, v) for k, _, v in found]
    else:
        pairs = None if len(parts) % 2 else list(zip(parts[::2], parts[1::2], strict=True))
    return None if pairs is None or any(not name for name, _ in pairs) else pairs


def _typed(spec: ParamSpec, texts: Sequence[str], pairs: Sequence[tuple[str, str]] | None) -> object:
    """The value of `spec` from its item texts (arrays), pairs (objects) or single text."""
    if spec.kind == "json":
        try:
            return read_json(texts[0].encode()) if len(texts) == 1 else NO_FIT
        except ValueError:
            return NO_FIT
    if spec.kind == "object":
        found = _object(spec, pairs) if pairs is not None else None
        return NO_FIT if found is None else found
    if spec.kind == "array":
        items = [parse_text(text, spec.item_kind or "string") for text in texts]
        return NO_FIT if any(item is NO_FIT for item in items) else items
    if len(texts) != 1:
        return NO_FIT
    return parse_text(texts[0], spec.kind)


def _from_path(spec: ParamSpec, raw: str) -> object:
    """A path parameter from its raw (still percent-encoded) segment."""
    style = spec.effective_style
    text = raw
    if style == "label":
        if not text.startswith("."):
            return NO_FIT
        text = text[1:]
    elif style == "matrix":
        if not text.startswith(";"):
            return NO_FIT
        text = text[1:]
    if style == "matrix" and not (spec.kind == "object" and spec.explode):
        parts = text.split(";") if spec.kind == "array" and spec.explode else [text]
        values = []
        for part in parts:
            name, eq, rest = part.partition("=")
            if name != spec.name or not eq:
                return NO_FIT
            values.append(rest)
        text = ",".join(values)
    separator = {"label": "." if spec.explode else ",", "matrix": ";" if spec.explode else ","}.get(style, ",")
    if spec.kind == "object" and spec.explode:
        pieces = [unquote(piece) for piece in text.split(separator)]
        return _typed(spec, [], _split_pairs(pieces, explode=True))
    pieces = [unquote(piece) for piece in text.split("," if style == "matrix" else separator)]
    if spec.kind == "object":
        return _typed(spec, [], _split_pairs(pieces, explode=False))
    if spec.kind == "array":
        return _typed(spec, [] if pieces == [""] else pieces, None)
    return _typed(spec, [unquote(text)], None)


def _from_query(spec: ParamSpec, query: Sequence[tuple[str, str]]) -> object:
    """A query (or cookie) parameter from the request's pairs; None when it is absent."""
    style = spec.effective_style
    if style == "deepObject":
        nested = [(k, v) for k, v in query if k.startswith(spec.name + "[")]
        return unflatten(nested)[spec.name] if nested else None
    if spec.kind == "object" and spec.explode and style == "form":
        names = {name for name, _ in spec.fields}
        pairs = [(k, v) for k, v in query if k in names]
        return _typed(spec, [], pairs) if pairs else None
    texts = [v for k, v in query if k == spec.name]
    if not texts:
        return None
    if spec.kind in ("array", "object") and not (spec.kind == "array" and spec.explode and style == "form"):
        if len(texts) > 1:
            return NO_FIT
        joiner = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        parts = [] if texts == [""] else texts[0].split(joiner)
        if spec.kind == "object":
            return _typed(spec, [], _split_pairs(parts, explode=False))
        return _typed(spec, parts, None)
    return _typed(spec, texts, None)


def _from_header(spec: ParamSpec, text: str) -> object:
    parts = [part.strip() for part in text.split(",")]
    if spec.kind == "object":
        return _typed(spec, [], _split_pairs(parts, explode=spec.explode))
    if spec.kind == "array":
        return _typed(spec, [] if parts == [""] else parts, None)
    return _typed(spec, [text], None)


def _cookies(header: str) -> list[tuple[str, str]]:
    pairs = []
    for part in header.split(";"):
        name, eq, value = part.strip().partition("=")
        if eq:
            pairs.append((name, unquote(value)))
    return pairs


def from_wire(
    specs: Sequence[ParamSpec],
    path: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Values by wire name read from a request, and (name, problem) for text that is not of the parameter's kind.

    `path` holds the raw (percent-encoded) segments; `query` decoded pairs."""
    values: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    lower_headers = {k.lower(): v for k, v in headers.items()}
    cookies = _cookies(lower_headers.get("cookie", ""))
    for spec in specs:
        value: object
        if spec.location == "path":
            value = _from_path(spec, path[spec.name]) if spec.name in path else None
        elif spec.location == "query":
            value = _from_query(spec, query)
        elif spec.location == "cookie":
            value = _from_query(spec, cookies)
        else:
            found = lower_headers.get(spec.name.lower())
            value = _from_header(spec, found) if found is not None else None
        if value is NO_FIT:
            expected = {"array": f"a list of {spec.item_kind}", "object": "an object", "json": "a JSON document"}
            noun = expected.get(spec.kind, f"{'an' if spec.kind[0] in 'aeiou' else 'a'} {spec.kind}")
            problems.append((spec.name, f"expected {noun} in the {spec.effective_style} style"))
        elif value is not None:
            values[spec.name] = value
    return values, problems
