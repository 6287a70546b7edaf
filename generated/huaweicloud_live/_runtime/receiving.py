# Vendored by streamspec (runtime module receiving); do not edit.
"""Whether the response being parsed is read tolerantly, for which operation, and what was kept as received.

The client sets it around `APIResponse.parse()` (`receiving`); the models read it (`tolerating`) while they validate
and note each value they keep as received (`kept`). A context variable rather than an argument, so that generated
parse functions and nested models need no parameter, and so that everything else (the server reading requests, the
client checking what it sends) stays strict. The notes are logged once each when the parse ends (a nested model
may be validated twice on the way).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType

__all__ = ["kept", "receiving", "strictly", "tolerating"]

_log = logging.getLogger("streamspec.responses")


@dataclass
class _Reading:
    operation: str
    notes: dict[str, None] = field(default_factory=dict)


_READING: ContextVar[_Reading | None] = ContextVar("streamspec_reading", default=None)


class receiving:
    """Parse a response of `operation`: strictly, or keeping values the spec does not allow as received (each one
    logged as a warning on `streamspec.responses`).

    A class rather than a `contextmanager` generator: every response parsed enters one, and a generator costs several
    times as much to set up."""

    __slots__ = ("_reading", "_token")

    def __init__(self, operation: str, *, strict: bool) -> None:
        self._reading = None if strict else _Reading(operation)

    def __enter__(self) -> None:
        self._token = _READING.set(self._reading)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        _READING.reset(self._token)
        reading = self._reading
        if reading is not None:
            for note in reading.notes:
                _log.warning("%s: %s", reading.operation, note)


@contextmanager
def strictly() -> Iterator[None]:
    """Validate strictly, even inside a tolerant read: a check that asks whether a value *is* of a schema (which
    member of a `oneOf` it matches, whether it is what `not` forbids) must not have the answer kept as received."""
    token = _READING.set(None)
    try:
        yield
    finally:
        _READING.reset(token)


def tolerating() -> bool:
    """Whether a response is being read tolerantly."""
    return _READING.get() is not None


def kept(note: str) -> None:
    """Record that a value was kept as received (logged when the parse ends)."""
    reading = _READING.get()
    if reading is not None:
        reading.notes[note] = None
