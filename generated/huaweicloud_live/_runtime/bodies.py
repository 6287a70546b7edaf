# Vendored by streamspec (runtime module bodies); do not edit.
"""Request and response bodies of every media type, between Python values and bytes.

A body is documented as one or more media types (`BodySpec`): JSON, forms and multipart forms carry a model (or a
type alias) that validates them; other text types (`text/*`, XML) travel as `str`, anything else as bytes. The
client encodes what the caller gives, validated, choosing the media type the value fits (or the one the caller
names); the server decodes by the request's Content-Type. Multipart file parts are bytes, file objects, or
`(filename, content[, content type])` tuples.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, quote, urlencode
from xml.etree import ElementTree

from pydantic import BaseModel, TypeAdapter

from .json_text import read_json, write_json
from .media import essence, is_xml, media_encoding
from .model import dump_value, validate_value
from .params import NO_FIT, flatten, guess_scalar, parse_text, render, unflatten

__all__ = [
    "BodySpec",
    "FileContent",
    "XmlSchema",
    "decode_body",
    "encode_body",
    "essence",
    "is_xml",
    "media_encoding",
    "read_response",
    "validated_body",
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
    target: Callable[[], Any] | None = None
    """What returns the model or type alias of a structured body (json, form, multipart): a function, so that the
    generated code names a model without importing its module before a body needs it (`models` loads lazily)."""
    files: tuple[str, ...] = ()
    """The multipart fields that are file parts."""
    xml: XmlSchema | None = None
    """An XML body with a structure (`target` its model): where its schema is, to read the XML as it says."""

    def structure(self) -> Any:
        """The model or type alias of a structured body; None for any other."""
        return self.target() if self.target is not None else None


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
    if type(value) is dict:  # the common case, first: a plain dict has no `read`
        kinds = STRUCTURED
    elif isinstance(value, str):  # text first; a JSON body may be a string too
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
    target = spec.structure()
    data = dump_value(target, validate_value(target, value))
    if spec.encoding == "json":
        return media, write_json(data)
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
    if spec.encoding == "text" and spec.xml is not None:
        text = body.decode()
        return spec, XmlBody(text, read_xml(body, spec.xml))
    if spec.encoding == "text":
        return spec, body.decode()
    if spec.encoding == "json":
        return spec, read_json(body)
    if spec.encoding == "form":
        fields = unflatten(parse_qsl(body.decode(), keep_blank_values=True), guess=False)
    else:
        fields = _decode_multipart(content_type, body, spec.files)
    return spec, typed_fields(spec.structure(), fields)


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


def validated_body(spec: BodySpec, decoded: object) -> object:
    """What a handler receives for a decoded body (`decode_body`): a structured body validated as the spec's target
    (raising pydantic's ValidationError), an XML body its text once its content is valid, anything else as read."""
    target = spec.structure()
    if target is None:
        return decoded
    if isinstance(decoded, XmlBody):
        validate_value(target, decoded.value, by_name=False)
        return decoded.text
    return validate_value(target, decoded, by_name=False)


# --------------------------------------------------------------------------- server: XML


@dataclass(frozen=True)
class XmlSchema:
    """Where an XML body's schema is: a JSON pointer into the OpenAPI document at `path` (the package's
    `openapi.json`), whose `xml` objects say how the value is written as XML."""

    path: Path
    pointer: str

    def document(self) -> Mapping[str, Any]:
        return _document(self.path)

    def schema(self) -> Mapping[str, Any]:
        found = _resolve(self.document(), self.pointer)
        return found if isinstance(found, Mapping) else {}


@dataclass(frozen=True)
class XmlBody:
    """An XML body as received (`text`) and read as its schema says (`value`, for validation)."""

    text: str
    value: object


@lru_cache(maxsize=16)
def _document(path: Path) -> Mapping[str, Any]:
    document: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _resolve(document: Mapping[str, Any], pointer: str) -> object:
    node: object = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def read_xml(body: bytes, where: XmlSchema) -> object:
    """An XML document read as the value its schema describes, by OpenAPI's `xml` objects: a property is the child
    element (or, with `attribute`, the attribute) of its `xml.name` or its own name; an array is its items'
    elements (named by the items' `xml.name`, else the property's), inside an element of the array's name when
    `wrapped`; text is typed as the schema says. Namespaces and prefixes are not compared. What does not fit is left
    for validation to refuse. Raises ValueError for a document that is not well-formed, or that has a DTD (a request
    needs none, and entities are how XML documents explode)."""
    if _DOCTYPE.search(body):
        raise ValueError("an XML document with a DTD")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    document = where.document()
    schema = _deref(document, where.schema())
    name = _xml_options(schema).get("name")
    if isinstance(name, str) and _local(root.tag) != name:
        raise ValueError(f"the root element is <{_local(root.tag)}>, not <{name}>")
    return _xml_value(document, schema, root)


def _xml_value(document: Mapping[str, Any], schema: Any, element: ElementTree.Element) -> object:
    """The value of `element` as `schema` describes it (see `read_xml`)."""
    schema = _deref(document, schema)
    members = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(members, list) and members:  # the first member the element reads as (validation decides)
        found = [
            _xml_value(document, {**schema, "oneOf": None, "anyOf": None, **_deref(document, m)}, element)
            for m in members
        ]
        return next((value for value in found if value is not NO_FIT), _untyped(element))
    properties, kinds = _merged(document, schema)
    if "object" in kinds or (properties and not kinds):
        return _xml_object(document, schema, properties, element)
    if "array" in kinds:  # an array as an element of its own: its children are the items
        items = schema.get("items", {})
        return [_xml_value(document, items, child) for child in element]
    if len(element):
        return _untyped(element)  # elements where a value was expected: not this schema
    text = element.text or ""
    if not kinds or "string" in kinds or (text and "null" not in kinds and kinds <= {"string"}):
        return text
    for kind in ("integer", "number", "boolean", "null"):
        if kind in kinds and (value := parse_text(text, kind)) is not NO_FIT:
            return value
    return text


def _xml_object(
    document: Mapping[str, Any], schema: Mapping[str, Any], properties: Mapping[str, Any], element: Any
) -> object:
    if not len(element) and not element.attrib and (element.text or "").strip():
        return element.text  # text where an object was expected
    children: dict[str, list[Any]] = {}
    for child in element:
        children.setdefault(_local(child.tag), []).append(child)
    attributes = {_local(key): value for key, value in element.attrib.items()}
    listed = schema.get("required")
    required: list[object] = listed if isinstance(listed, list) else []
    result: dict[str, object] = {}
    for prop, sub in properties.items():
        target = _deref(document, sub)
        options = {**_xml_options(target), **_xml_options(sub)}
        name = _name(options, prop)
        if options.get("attribute") is True:
            if name in attributes:
                text = attributes.pop(name)
                result[prop] = _xml_text(document, target, text)
            continue
        _, kinds = _merged(document, target)
        if "array" in kinds and "object" not in kinds:
            items = target.get("items", {})
            item_options = _xml_options(_deref(document, items))
            item_name = _name(item_options, name)
            if options.get("wrapped") is True:
                wrappers = children.pop(name, [])
                if not wrappers:
                    continue
                if len(wrappers) > 1 or any(_local(c.tag) != item_name for c in wrappers[0]):
                    result[prop] = [_untyped(w) for w in wrappers]  # not one wrapper of items: refused
                    continue
                result[prop] = [_xml_value(document, items, child) for child in wrappers[0]]
            else:
                found = children.pop(item_name, [])
                if found or prop in required:  # an empty unwrapped array writes nothing: absent means empty
                    result[prop] = [_xml_value(document, items, child) for child in found]
            continue
        found = children.pop(name, [])
        if len(found) == 1:
            result[prop] = _xml_value(document, sub, found[0])
        elif found:
            result[prop] = [_xml_value(document, sub, child) for child in found]  # repeated: refused
    extra = schema.get("additionalProperties")
    for name, found in children.items():  # elements the schema does not declare
        values = [
            _xml_value(document, extra, child) if isinstance(extra, Mapping) else _untyped(child) for child in found
        ]
        result[name] = values[0] if len(values) == 1 else values
    for name, text in attributes.items():
        if not name.startswith("xmlns"):
            result.setdefault(name, text)
    return result


def _xml_text(document: Mapping[str, Any], schema: Mapping[str, Any], text: str) -> object:
    element = ElementTree.Element("value")
    element.text = text
    return _xml_value(document, schema, element)


def _untyped(element: Any) -> object:
    """An element read without a schema: its text, or its children by name."""
    if not len(element):
        return element.text or ""
    values: dict[str, object] = {}
    for child in element:
        value = _untyped(child)
        name = _local(child.tag)
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values


def _merged(document: Mapping[str, Any], schema: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The properties and JSON types of a schema with its `allOf` members."""
    properties: dict[str, Any] = {}
    kinds: set[str] = set()
    stack, seen = [schema], 0
    while stack and seen < 64:
        node, seen = _deref(document, stack.pop()), seen + 1
        declared = node.get("properties")
        if isinstance(declared, Mapping):
            properties.update({k: v for k, v in declared.items() if k not in properties})
        kind = node.get("type")
        found = (
            {kind}
            if isinstance(kind, str)
            else {k for k in kind if isinstance(k, str)}
            if isinstance(kind, list)
            else set()
        )
        if node.get("nullable") is True and found:
            found.add("null")
        if found:
            kinds = found if not kinds else kinds & found
        stack += [m for m in node.get("allOf") or () if isinstance(m, Mapping)]
    return properties, kinds


def _deref(document: Mapping[str, Any], schema: Any) -> Mapping[str, Any]:
    seen = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and seen < 32:
        ref = schema["$ref"]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        target = _resolve(document, ref[1:]) if ref.startswith("#") else None
        schema = {**target, **siblings} if isinstance(target, Mapping) else siblings
        seen += 1
    return schema if isinstance(schema, Mapping) else {}


def _xml_options(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    options = schema.get("xml")
    return options if isinstance(options, Mapping) else {}


def _name(options: Mapping[str, Any], default: str) -> str:
    name = options.get("name")
    return name if isinstance(name, str) else default


def _local(tag: str) -> str:
    """An element's or attribute's name without its namespace (`{uri}name`) or prefix."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


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
        typed = {
            key: _or_value(_typed(root, properties.get(key, extra if isinstance(extra, Mapping) else {}), item), item)
            for key, item in value.items()
        }
        # An empty list writes no field at all (`a=1`, no `tags=`): a required array that is absent was sent empty,
        # the only value it can stand for (validation still refuses it where `minItems` wants items).
        for key in schema.get("required") or ():
            if key not in typed and _is_array(root, properties.get(key)):
                typed[key] = []
        return typed
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


def _is_array(root: Mapping[str, Any], schema: Any) -> bool:
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        schema = root.get("$defs", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
    kinds = schema.get("type") if isinstance(schema, Mapping) else None
    return kinds == "array" or (isinstance(kinds, list) and "array" in kinds)


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
