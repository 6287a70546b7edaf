"""Request and response bodies of every media type, between Python values and bytes.

A body is documented as one or more media types (`BodySpec`): JSON, forms and multipart forms carry a model (or a
type alias) that validates them; other text types (`text/*`, XML) travel as `str`, anything else as bytes. The
client encodes what the caller gives, validated, choosing the media type the value fits (or the one the caller
names); the server decodes by the request's Content-Type. Multipart file parts are bytes, file objects, or
`(filename, content[, content type])` tuples.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from functools import lru_cache
from typing import IO, Any
from urllib.parse import parse_qsl, quote, urlencode

from pydantic import BaseModel, TypeAdapter

from .json_text import read_json
from .model import dump_value, validate_value
from .params import NO_FIT, flatten, guess_scalar, parse_text, render, unflatten

__all__ = [
    "BodySpec",
    "FileContent",
    "decode_body",
    "encode_body",
    "essence",
    "media_encoding",
    "read_response",
]

FileContent = bytes | IO[bytes] | tuple[str, bytes | IO[bytes]] | tuple[str, bytes | IO[bytes], str]
"""A multipart file part: its content, optionally with a filename and a content type."""

STRUCTURED = ("json", "form", "multipart")


@dataclass(frozen=True)
class BodySpec:
    """One documented media type of a body: how it is encoded and what validates it."""

    media_type: str
    encoding: str
    """`json`, `form`, `multipart`, `text` or `binary`."""
    target: Any = None
    """The model or type alias of a structured body (json, form, multipart)."""
    files: tuple[str, ...] = ()
    """The multipart fields that are file parts."""


def essence(media_type: str) -> str:
    """A media type without its parameters, lower case (`Application/JSON; charset=utf-8` -> `application/json`)."""
    return media_type.split(";")[0].strip().lower()


def media_encoding(media_type: str) -> str:
    """How a body of `media_type` travels: `json`, `form`, `multipart`, `text` (`text/*`, XML, YAML ...) or
    `binary` (everything else)."""
    found = essence(media_type)
    if found in ("application/json", "text/json") or found.endswith(("+json", "/json")):
        return "json"
    if found == "application/x-www-form-urlencoded":
        return "form"
    if found.startswith("multipart/"):
        return "multipart"
    if found.startswith("text/") or found.endswith(("/xml", "+xml")) or found in _TEXT_TYPES:
        return "text"
    return "binary"


_TEXT_TYPES = frozenset({"application/javascript", "application/yaml", "application/x-yaml", "application/csv"})


# --------------------------------------------------------------------------- client: encode


def _choose(value: object, specs: Sequence[BodySpec], content_type: str | None) -> BodySpec:
    if content_type is not None:
        wanted = essence(content_type)
        for spec in specs:
            if essence(spec.media_type) == wanted or _wildcard_matches(spec.media_type, wanted):
                return spec
        documented = ", ".join(spec.media_type for spec in specs)
        raise ValueError(f"content_type {content_type!r} is not documented for this body ({documented})")
    kinds: tuple[str, ...]
    if isinstance(value, str):  # text first; a JSON body may be a string too
        kinds = ("text", "binary", *STRUCTURED)
    elif isinstance(value, bytes | bytearray | memoryview) or hasattr(value, "read"):
        kinds = ("binary", "text")
    else:
        kinds = STRUCTURED
    for kind in kinds:
        for spec in specs:
            if spec.encoding == kind:
                return spec
    documented = ", ".join(spec.media_type for spec in specs)
    raise ValueError(f"a {type(value).__name__} body fits none of its media types ({documented})")


def _wildcard_matches(documented: str, wanted: str) -> bool:
    kind, _, sub = essence(documented).partition("/")
    return sub == "*" and (kind == "*" or wanted.startswith(kind + "/"))


def _read(content: object) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):  # text given for a file part or a binary body: its UTF-8 bytes
        return content.encode()
    if isinstance(content, bytearray | memoryview):
        return bytes(content)
    read = getattr(content, "read", None)
    if read is None:
        raise TypeError(f"expected bytes or a binary file object, got {type(content).__name__}")
    data = read()
    if not isinstance(data, bytes):
        raise TypeError("the file object must be opened in binary mode")
    return data


def _file_part(name: str, value: object) -> tuple[str, bytes, str]:
    """(filename, content, content type) of a file part given as content or a tuple."""
    if isinstance(value, tuple):
        filename, content, *rest = value
        return str(filename), _read(content), (str(rest[0]) if rest else "application/octet-stream")
    return getattr(value, "name", name).rsplit("/", 1)[-1] or name, _read(value), "application/octet-stream"


def encode_body(value: object, specs: Sequence[BodySpec], content_type: str | None = None) -> tuple[str, bytes]:
    """(Content-Type, bytes) of a request body, validated against its media type's model first."""
    spec = _choose(value, specs, content_type)
    media = content_type or spec.media_type
    if "*" in media:
        media = "application/octet-stream"
    if spec.encoding == "binary":
        return media, _read(value)
    if spec.encoding == "text":
        text = value if isinstance(value, str) else _read(value).decode()
        return media, text.encode()
    files: dict[str, list[tuple[str, bytes, str]]] = {}
    if spec.encoding == "multipart":
        # File parts travel as given, never through JSON: the model validates placeholders in their place.
        if isinstance(value, BaseModel):
            value = value.model_dump(by_alias=True, exclude_unset=True)
        fields: dict[str, object] = dict(value) if isinstance(value, Mapping) else {}
        for name in spec.files:
            given = fields.get(name)
            if given is None:
                continue
            files[name] = [_file_part(name, item) for item in (given if isinstance(given, list) else [given])]
            fields[name] = [b"" for _ in files[name]] if isinstance(given, list) else b""
        value = fields if isinstance(value, Mapping) else value
    data = dump_value(spec.target, validate_value(spec.target, value))
    if spec.encoding == "json":
        return media, json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    if spec.encoding == "form":
        pairs = [pair for key, item in data.items() for pair in _form_pairs(key, item)]
        return media, urlencode(pairs, quote_via=quote).encode()
    return _multipart(data, files)


def _form_pairs(name: str, value: object) -> list[tuple[str, str]]:
    """A form field's (name, text) pairs: a list of plain values as the name repeated (OpenAPI's default `form`
    style, exploded), nested values in bracket notation (`a[b]=x`)."""
    if isinstance(value, list) and not any(isinstance(item, dict | list) for item in value):
        return [(name, render(item)) for item in value]
    return flatten(name, value)


def _multipart(data: Mapping[str, Any], files: Mapping[str, list[tuple[str, bytes, str]]]) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for key, item in data.items():
        for filename, content, part_type in files.get(key, ()):
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
            parts.append(head.encode() + f"Content-Type: {part_type}\r\n\r\n".encode() + content + b"\r\n")
        if key in files:
            continue
        for name, text in _form_pairs(key, item):
            disposition = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(disposition.encode() + text.encode() + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


# --------------------------------------------------------------------------- server: decode


def decode_body(content_type: str, body: bytes, specs: Sequence[BodySpec]) -> tuple[BodySpec, object] | None:
    """The spec the request's Content-Type selects and the decoded (not yet validated) value; None when no
    documented media type matches. Raises ValueError for a body its media type cannot read."""
    found = essence(content_type)
    spec = next((s for s in specs if essence(s.media_type) == found), None)
    if spec is None:
        spec = next((s for s in specs if _wildcard_matches(s.media_type, found)), None)
    if spec is None:
        return None
    if spec.encoding == "binary":
        return spec, body
    if spec.encoding == "text":
        return spec, body.decode()
    if spec.encoding == "json":
        return spec, read_json(body)
    if spec.encoding == "form":
        fields = unflatten(parse_qsl(body.decode(), keep_blank_values=True), guess=False)
    else:
        fields = _decode_multipart(content_type, body, spec.files)
    return spec, typed_fields(spec.target, fields)


def _decode_multipart(content_type: str, body: bytes, file_fields: Sequence[str]) -> dict[str, object]:
    message = BytesParser(policy=policy.HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    if not message.is_multipart():
        boundary = message.get_boundary()
        if boundary is not None and body.strip() == f"--{boundary}--".encode():
            return {}  # a form without fields: only the closing delimiter
        raise ValueError("not a multipart body")
    parts: list[tuple[str, object]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            raise ValueError("a multipart part without a name")
        parts.append((name, payload if name in file_fields or part.get_filename() else payload.decode()))
    return unflatten(parts, guess=False)


# --------------------------------------------------------------------------- server: typing form fields


def typed_fields(target: Any, fields: dict[str, object]) -> dict[str, object]:
    """Form and multipart fields (text, or bytes for files) typed as the body's schema says: `5` is an integer where
    the schema wants one and text where it wants text, one value of an array field is a one-item list. What does not
    fit is left for validation to refuse. Without a schema, numbers and booleans are guessed."""
    schema = _json_schema(target) if target is not None else None
    if schema is None:
        return {key: _guessed(value) for key, value in fields.items()}
    typed = _typed(schema, schema, fields)
    return typed if isinstance(typed, dict) else fields


@lru_cache(maxsize=256)
def _json_schema(target: Any) -> dict[str, Any] | None:
    try:
        return TypeAdapter(target).json_schema()
    except Exception:  # a type pydantic cannot describe: fall back to guessing
        return None


def _guessed(value: object) -> object:
    if isinstance(value, str):
        return guess_scalar(value)
    if isinstance(value, list):
        return [_guessed(item) for item in value]
    if isinstance(value, dict):
        return {key: _guessed(item) for key, item in value.items()}
    return value


def _typed(root: Mapping[str, Any], schema: Any, value: object) -> object:
    """`value` with its text leaves read as `schema` wants (unchanged where nothing fits); `NO_FIT` when a leaf
    cannot be read as this schema, so that a union tries its next member."""
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        schema = root.get("$defs", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
    if not isinstance(schema, Mapping):
        return value
    members = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(members, list):
        for member in members:
            found = _typed(root, member, value)
            if found is not NO_FIT:
                return found
        return value
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        return _typed(root, schema["allOf"][0], value)
    kinds = schema.get("type")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
    if isinstance(value, dict):
        if kinds and "object" not in kinds:
            return NO_FIT
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        return {
            key: _or_value(_typed(root, properties.get(key, extra if isinstance(extra, Mapping) else {}), item), item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        if kinds and "array" not in kinds:
            return NO_FIT
        items = schema.get("items", {})
        return [_or_value(_typed(root, items, item), item) for item in value]
    if "array" in kinds and "string" not in kinds and isinstance(value, str | bytes):  # one value of a list field
        return [_or_value(_typed(root, schema.get("items", {}), value), value)]
    if not isinstance(value, str):
        return value  # file contents
    if not kinds or "string" in kinds:
        return value
    for kind in ("integer", "number", "boolean", "null"):
        if kind in kinds and (parsed := parse_text(value, kind)) is not NO_FIT:
            return parsed
    return NO_FIT


def _or_value(found: object, value: object) -> object:
    return value if found is NO_FIT else found


# --------------------------------------------------------------------------- responses


def read_response(content: bytes, media_type: str, target: Any = None) -> Any:
    """A response body by its media type: JSON validated as `target` (when given), text decoded, else bytes."""
    kind = media_encoding(media_type)
    if kind == "json" and target is not None:
        from .model import from_json

        return from_json(target, content)
    if kind == "json":
        return read_json(content)
    if kind == "text":
        return content.decode()
    return content
