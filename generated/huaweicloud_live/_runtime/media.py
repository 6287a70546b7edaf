# Vendored by streamspec (runtime module media); do not edit.
"""What a media type says about how a body travels, apart from any body: imported by the generator (which reads the
spec's media types with it) without the body codecs, pydantic or httpx."""

from __future__ import annotations

__all__ = ["essence", "is_xml", "media_encoding"]


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


def is_xml(media_type: str) -> bool:
    """Whether a media type is XML (`application/xml`, `text/xml`, `*/*+xml`)."""
    return essence(media_type).endswith(("/xml", "+xml"))
