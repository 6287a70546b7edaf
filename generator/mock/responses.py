"""What the mock answers: pure functions of (the spec, the operation, the status, the seed), so an answer replays.

A success body is the spec's own example for that response and media type when it validates, else an instance of the
response schema (`generator.instances`: the schema's examples first, then built). An error body is an instance of
the documented error schema with its code and message fields filled (as far as the schema allows them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.conformance import SpecResponses, is_json_media
from generator.instances import UnsatisfiableSchema
from generator.loader import follow_refs
from generator.runtime.envelope import CODE_FIELDS, MESSAGE_FIELDS

__all__ = ["Canned", "error_body", "success"]

TEXT_BODY = "mock response"
BINARY_BODY = b"\x00mock response"


@dataclass(frozen=True)
class Canned:
    """One answer: status, body bytes (None: no body), its media type and the documented headers."""

    status: int
    body: bytes | None
    media_type: str | None
    headers: Mapping[str, str] = field(default_factory=dict)
    value: Any = None
    """The body as a JSON value, for JSON bodies (what `--stateful` remembers)."""


def _examples(spec: SpecResponses, media: Mapping[str, Any]) -> list[Any]:
    """The media type's own examples, in document order (`example`, then each of `examples`)."""
    found = [media["example"]] if "example" in media else []
    for example in (media.get("examples") or {}).values():
        example = follow_refs(spec.document, example)
        if isinstance(example, Mapping) and "value" in example:
            found.append(example["value"])
    return found


def json_value(spec: SpecResponses, media: Mapping[str, Any], seed: int) -> Any:
    """The spec's first valid example for a JSON media type, else a generated instance of its schema."""
    schema = media.get("schema")
    if schema is None:
        return next(iter(_examples(spec, media)), {})
    for example in _examples(spec, media):
        if spec.instances.is_valid(schema, example):
            return example
    return spec.instances.generate(schema, seed=seed, variant="full", direction="response")


def header_text(value: Any) -> str:
    """A header value as the simple style spells it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(header_text(item) for item in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{header_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _headers(spec: SpecResponses, response: Mapping[str, Any], seed: int) -> dict[str, str]:
    headers = {}
    for name, header in spec.headers(response):
        schema = header.get("schema")
        if schema is None or name.lower() == "x-request-id":  # the server sends its own request id
            continue
        examples = [header["example"]] if "example" in header else []
        value = next((e for e in examples if spec.instances.is_valid(schema, e)), None)
        try:
            value = spec.instances.generate(schema, seed=seed) if value is None else value
        except UnsatisfiableSchema:
            continue
        text = header_text(value)
        if text.isascii() and text.isprintable():
            headers[name] = text
    return headers


def success(spec: SpecResponses, operation: str, status: int, media_type: str | None, seed: int) -> Canned:
    """The documented answer `status` of `operation`, in `media_type` (None: the response has no body)."""
    response = spec.response(operation, status) or {}
    headers = _headers(spec, response, seed)
    content = response.get("content") or {}
    media = content.get(media_type) if media_type else None
    if media_type is None or not isinstance(media, Mapping):
        return Canned(status, None, None, headers)
    if is_json_media(media_type) or media_type == "*/*":
        value = json_value(spec, media, seed)
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return Canned(status, data, media_type.replace("*/*", "application/json"), headers, value)
    examples = [e for e in _examples(spec, media) if isinstance(e, str)]
    if media_type.startswith("text/") or media_type.endswith(("+xml", "/xml")):
        return Canned(status, (examples[0] if examples else TEXT_BODY).encode(), media_type, headers)
    concrete = media_type if "*" not in media_type else "application/octet-stream"
    return Canned(status, BINARY_BODY, concrete, headers)


def _filled(spec: SpecResponses, schema: Any, value: Any, names: Sequence[str], candidates: Sequence[object]) -> Any:
    """`value` with its first field named in `names` set to the first of `candidates` the schema allows there
    (top level, else a nested `error` object); unchanged when none fits."""
    if not isinstance(value, dict):
        return value
    for holder in (value, value.get("error")):
        if not isinstance(holder, dict):
            continue
        for name in (n for n in names if n in holder):
            for candidate in candidates:
                previous = holder[name]
                holder[name] = candidate
                if spec.instances.is_valid(schema, value):
                    return value
                holder[name] = previous
    return value


def error_body(
    spec: SpecResponses,
    operation: str | None,
    status: int,
    code: str,
    message: str,
    seed: int,
    fields: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> Any:
    """The documented error body of `status` for `operation` with `code` and `message` in the fields the schema
    names for them (`fields`: the spec's own names first), or None where no JSON schema is documented."""
    response = spec.response(operation, status) if operation else None
    content = (response or {}).get("content") or {}
    media = next((m for media, m in content.items() if is_json_media(str(media)) and isinstance(m, Mapping)), None)
    if media is None or media.get("schema") is None:
        return None
    schema = media["schema"]
    try:
        value = spec.instances.generate(schema, seed=seed, use_examples=False, variant="full")
    except UnsatisfiableSchema:
        return json_value(spec, media, seed)
    codes, messages = fields
    value = _filled(spec, schema, value, [*codes, *CODE_FIELDS], (code, status))
    return _filled(spec, schema, value, [*messages, *MESSAGE_FIELDS], (message,))
