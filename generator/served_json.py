"""The spec as a generated server serves it (`openapi.json`): `json.dumps(document, indent=2, ensure_ascii=False)`,
written whole, or, for an edit read in part (`loader.Edit`), the text served before with the edited entry's value
written again in its place.

Stripe's document takes 0.2 s to write whole; an edit of one schema changes a few hundred bytes of it. The text is
kept with where the values of the document's entries three levels deep are (paths and operations, components and
schemas: where `yaml_fast` reads edits in part), so that the next edit replaces one of them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

SPANNED_DEPTH = 3
"""Entries this many levels deep or less have their place in the text recorded."""


@dataclass(frozen=True)
class Spans:
    """Where the value of each entry down to `SPANNED_DEPTH` levels is in a text: in the order they are written (an
    entry before the entries within it), each path with its value's start and end."""

    paths: tuple[tuple[str, ...], ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def kept(self) -> tuple[list[tuple[str, ...]], list[int], list[int]]:
        """The spans as plain lists, for the cache."""
        return list(self.paths), list(self.starts), list(self.ends)

    @classmethod
    def from_kept(cls, value: Any) -> Spans | None:
        """`kept()` read back from the cache; None for a value of another shape."""
        try:
            paths, starts, ends = value
            spans = cls(tuple(tuple(str(k) for k in p) for p in paths), tuple(map(int, starts)), tuple(map(int, ends)))
        except (TypeError, ValueError):
            return None
        return spans if len(spans.paths) == len(spans.starts) == len(spans.ends) else None


def indented_json(document: Any) -> str:
    """`json.dumps(document, indent=2, ensure_ascii=False)`, the same text, in about 40 % of its time: with an indent
    the standard library encodes in Python generators. Containers are JSON's (dicts, lists, tuples); the recursion
    is as deep as the document, which the loader bounds (`MAX_DOCUMENT_DEPTH`)."""
    return _written(document, "\n")


def spanned_json(document: Any) -> tuple[str, Spans]:
    """`indented_json(document)` with where its entries' values are (`Spans`)."""
    parts: list[str] = []
    found: list[tuple[tuple[str, ...], int, int]] = []
    _write_spanned(document, "\n", (), SPANNED_DEPTH, parts, found, 0)
    return "".join(parts), _spans(found)


def spliced_json(
    text: str, spans: Spans, document: Any, path: Sequence[str], before: Any = None
) -> tuple[str, Spans] | None:
    """`spanned_json(document)`, where `text` and `spans` are `spanned_json` of a document equal to `document` but
    for the value at `path` (a path of mapping keys, down to `SPANNED_DEPTH` levels): that value written again where
    the old one was. None when `spans` has no entry at `path` or `document` none there.

    `before`, where given, is the value that was at `path` (anything but a mapping is ignored): the entries of a
    mapping there whose values are the same objects in both (an edit read in part shares what it did not read: a
    schema added leaves the others as they were) are copied from `text` rather than written again (Stripe's schemas
    are 3 MB of it)."""
    path = tuple(path)
    if not 0 < len(path) <= SPANNED_DEPTH:
        return None
    try:
        index = spans.paths.index(path)
    except ValueError:
        return None
    value = document
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    start, end = spans.starts[index], spans.ends[index]
    parts: list[str] = []
    inner: list[tuple[tuple[str, ...], int, int]] = []
    earlier = _Earlier(text, spans, index, before) if isinstance(before, dict) and before is not value else None
    _write_spanned(value, "\n" + "  " * len(path), path, SPANNED_DEPTH - len(path), parts, inner, start, earlier)
    written = "".join(parts)
    delta = len(written) - (end - start)
    found: list[tuple[tuple[str, ...], int, int]] = []
    for other, s, e in zip(spans.paths, spans.starts, spans.ends, strict=True):
        if other[: len(path)] == path and len(other) > len(path):  # within the value written again
            continue
        if e <= start:  # before it
            found.append((other, s, e))
        elif s >= end:  # after it
            found.append((other, s + delta, e + delta))
        else:  # the entry itself, or one holding it
            found.append((other, s, e + delta))
        if other == path:
            found.extend(inner)
    return text[:start] + written + text[end:], _spans(found)


def _spans(found: list[tuple[tuple[str, ...], int, int]]) -> Spans:
    return Spans(tuple(p for p, _, _ in found), tuple(s for _, s, _ in found), tuple(e for _, _, e in found))


@dataclass(frozen=True)
class _Earlier:
    """A mapping's value as written before (`spliced_json`'s `before`), at `spans.paths[index]` in `text`."""

    text: str
    spans: Spans
    index: int
    before: dict[Any, Any]

    def copied(self, key: str, item: Any, at: int) -> tuple[str, list[tuple[tuple[str, ...], int, int]]] | None:
        """The text of entry `key`'s value as written before, with its places and its entries' moved to `at`, where
        `item` is the value written then; None otherwise."""
        if self.before.get(key, _NOTHING) is not item:
            return None
        where = self._children.get(key)
        if where is None:
            return None
        first, last = where
        spans = self.spans
        start, end = spans.starts[first], spans.ends[first]
        shift = at - start
        moved = [(spans.paths[i], spans.starts[i] + shift, spans.ends[i] + shift) for i in range(first, last)]
        return self.text[start:end], moved

    @cached_property
    def _children(self) -> dict[str, tuple[int, int]]:
        """Each entry's index in the spans, and the index after its own entries, by key."""
        paths = self.spans.paths
        depth = len(paths[self.index]) + 1
        found: dict[str, tuple[int, int]] = {}
        i = self.index + 1
        while i < len(paths) and len(paths[i]) >= depth:
            j = i + 1
            while j < len(paths) and len(paths[j]) > depth:
                j += 1
            found[paths[i][-1]] = (i, j)
            i = j
        return found


_NOTHING = object()


def _write_spanned(
    value: Any,
    indent: str,
    path: tuple[str, ...],
    depth: int,
    parts: list[str],
    found: list[tuple[tuple[str, ...], int, int]],
    at: int,
    earlier: _Earlier | None = None,
) -> int:
    """Write `value` (at `indent`, starting at offset `at`) into `parts`, recording where the values of the entries
    of its mappings `depth` levels down are; return the offset after it. Entries `earlier` wrote are copied."""
    if depth == 0 or not isinstance(value, dict) or not value:
        written = _written(value, indent)
        parts.append(written)
        return at + len(written)
    inner = indent + "  "
    separator = "," + inner
    parts.append("{" + inner)
    at += 1 + len(inner)
    for i, (key, item) in enumerate(value.items()):
        if i:
            parts.append(separator)
            at += len(separator)
        name = _string(key if isinstance(key, str) else _key_text(key)) + ": "
        parts.append(name)
        at += len(name)
        copied = earlier.copied(key, item, at) if earlier is not None and isinstance(key, str) else None
        if copied is not None:
            parts.append(copied[0])
            found += copied[1]
            at += len(copied[0])
        elif isinstance(key, str):
            place = len(found)
            found.append(((*path, key), at, at))
            end = _write_spanned(item, inner, (*path, key), depth - 1, parts, found, at)
            found[place] = ((*path, key), at, end)
            at = end
        else:  # a key YAML read as a number, a boolean or null: not one a path of strings names, nor what it holds
            at = _write_spanned(item, inner, path, 0, parts, found, at)
    parts.append(indent + "}")
    return at + len(indent) + 1


_string = json.encoder.encode_basestring


def _written(document: Any, indent: str) -> str:
    """`document` as `indented_json` writes it, at `indent` (a line break and the spaces of its level)."""
    parts: list[str] = []
    write = parts.append
    text = _string

    def emit(value: Any, indent: str) -> None:
        if isinstance(value, str):
            write(text(value))
        elif value is None:
            write("null")
        elif value is True:
            write("true")
        elif value is False:
            write("false")
        elif isinstance(value, int):
            write(int.__repr__(value))
        elif isinstance(value, float):
            write(_float_text(value))
        elif isinstance(value, list | tuple):
            if not value:
                write("[]")
                return
            inner = indent + "  "
            write("[" + inner)
            for i, item in enumerate(value):
                if i:
                    write("," + inner)
                emit(item, inner)
            write(indent + "]")
        elif isinstance(value, dict):
            if not value:
                write("{}")
                return
            inner = indent + "  "
            write("{" + inner)
            for i, (key, item) in enumerate(value.items()):
                if i:
                    write("," + inner)
                write(text(key if isinstance(key, str) else _key_text(key)) + ": ")
                emit(item, inner)
            write(indent + "}")
        else:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    emit(document, indent)
    return "".join(parts)


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _key_text(key: Any) -> str:
    """A key that is no string, as `json.dumps` writes it (YAML reads `200:` as the integer 200)."""
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return _float_text(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
