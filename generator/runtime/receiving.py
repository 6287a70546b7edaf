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

__all__ = ["kept", "receiving", "tolerating"]

_log = logging.getLogger("streamspec.responses")


@dataclass
class _Reading:
    operation: str
    notes: dict[str, None] = field(default_factory=dict)


_READING: ContextVar[_Reading | None] = ContextVar("streamspec_reading", default=None)


@contextmanager
def receiving(operation: str, *, strict: bool) -> Iterator[None]:
    """Parse a response of `operation`: strictly, or keeping values the spec does not allow as received (each one
    logged as a warning on `streamspec.responses`)."""
    reading = None if strict else _Reading(operation)
    token = _READING.set(reading)
    try:
        yield
    finally:
        _READING.reset(token)
        for note in reading.notes if reading is not None else ():
            _log.warning("%s: %s", operation, note)


def tolerating() -> bool:
    """Whether a response is being read tolerantly."""
    return _READING.get() is not None


def kept(note: str) -> None:
    """Record that a value was kept as received (logged when the parse ends)."""
    reading = _READING.get()
    if reading is not None:
        reading.notes[note] = None
