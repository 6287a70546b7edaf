# Vendored by streamspec (runtime module json_text); do not edit.
"""The runtime's one JSON reader (request bodies, parameters, responses, webhook payloads): JSON as JSON Schema reads
it, with nesting bounded so that nothing recursing over the value afterwards can run out of stack."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "read_json", "read_json_plain", "write_json"]

MAX_JSON_DEPTH = 512
"""Arrays and objects nested deeper are refused: Python's parser and everything that walks the value afterwards
recurse, and would fail (or the process) at a depth that depends on the stack in use, so the bound is explicit and
well below it. No document of a real API comes near it."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
"""Every byte but brackets: what `bytes.translate` deletes to keep the nesting alone."""
_STEP = tuple(1 if byte in b"[{" else -1 for byte in range(256))


def read_json(content: bytes) -> Any:
    """JSON as JSON Schema reads it: integral numbers (`5.0`) are integers; NaN and Infinity are not JSON; nesting
    deeper than `MAX_JSON_DEPTH` is refused (`ValueError`, as for any other invalid JSON)."""
    if _too_deep(content):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return _DECODER.decode(content.decode(json.detect_encoding(content), "surrogatepass"))


def read_json_plain(content: bytes) -> Any:
    """`read_json(content)` for a document the standard library's `json.loads` reads as the same value: no number
    with a fraction or exponent that is integral (`5.0`: an int here, a float there), no NaN or Infinity, nesting
    within the bound. ValueError for any other document, valid or not: its readers then decode it each their own way
    (one decode serves both kinds of reader in the common case)."""
    if _too_deep(content):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return _PLAIN_DECODER.decode(content.decode(json.detect_encoding(content), "surrogatepass"))


def write_json(value: object) -> bytes:
    """A request body's JSON: compact, UTF-8 (not ASCII escapes), and no NaN or Infinity, which are not JSON."""
    return _ENCODER.encode(value).encode()


def _too_deep(content: bytes) -> bool:
    """Whether the brackets outside strings nest deeper than the bound (linear; free for all but bracket-heavy
    documents). An unterminated string leaves brackets counted, which only refuses what is not JSON anyway."""
    if content.count(b"[") + content.count(b"{") <= MAX_JSON_DEPTH:
        return False
    nesting = _STRING.sub(b"", content).translate(None, _BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, nesting)), default=0) > MAX_JSON_DEPTH


def _json_number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_float=_json_number, parse_constant=_not_json)
"""`json.loads(content, parse_float=..., parse_constant=...)` builds this decoder on every call; it is kept instead
(`read_json` then decodes the bytes as `json.loads` does)."""


def _fraction(text: str) -> float:
    value = float(text)
    if value.is_integer():
        raise ValueError(f"{text} reads as an integer")
    return value


_PLAIN_DECODER = json.JSONDecoder(parse_float=_fraction, parse_constant=_not_json)
"""`_DECODER` refusing what `json.loads` reads differently: an integral fraction or exponent, NaN and Infinity."""

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
"""What `json.dumps` with these options builds on every call."""
