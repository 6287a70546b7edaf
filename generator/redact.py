"""Secrets never reach the terminal: every line the CLI prints passes through one `Redactor`.

Two layers, so that no code path can leak what the other misses: the exact values of the secrets the process was
given (secret keys, tokens, access keys: registered where they are read), and the shapes credentials take in text
whatever their value (signatures, credential headers in curl commands, reprs and JSON, bearer tokens). The CLI wraps
stdout and stderr in `RedactingStream`s for the whole run (`install`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["REDACTOR", "RedactingStream", "Redactor", "install", "mask"]

MASK = "***"
_HEADER_NAMES = (
    r"authorization|proxy-authorization|cookie|set-cookie|"
    r"x-[\w-]*(?:token|secret|signature|password|api-?key|access-?key|credential)[\w-]*|api[-_]?key|"
    r"(?:security|session|auth)[-_]token|secret[-_](?:access[-_])?key|password"
)
_SHAPES = (
    # Authorization parameters of HMAC signing schemes (`Access=<key>`, `Credential=<key>/<scope>`, `Signature=`).
    re.compile(r"(?i)\b((?:Signature|Access|Credential)=)([^,\s'\"&]+)"),
    # Bearer and Basic credentials.
    re.compile(r"(?i)\b((?:Bearer|Basic)\s+)([A-Za-z0-9._~+/=-]+)"),
    # A credential header with its value: `X-Auth-Token: v`, `'x-auth-token', 'v'`, `"X-Auth-Token": "v"`, `k=v`.
    re.compile(rf"(?i)\b((?:{_HEADER_NAMES})['\"]?\s*[:=,]\s*['\"]?)(?!{re.escape(MASK)})([^\s'\",;&)}}\]]+)"),
)
"""Each matches (what stays, the secret): the secret is replaced by the mask."""


def mask(identifier: str) -> str:
    """An identifier (an access key) shown by its first 4 characters, when that still hides most of it."""
    return identifier[:4] + MASK if len(identifier) >= 8 else MASK


class Redactor:
    """Masks registered secret values and credential-shaped text."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def add_secret(self, *values: str | None) -> None:
        """Values never to print (secret keys, tokens); too short to be secrets means nothing is registered."""
        for value in values:
            if value and len(value) >= 4:
                self._secrets[value] = MASK

    def add_identifier(self, *values: str | None) -> None:
        """Values printed only masked (`mask`): access keys."""
        for value in values:
            if value and len(value) >= 4:
                self._secrets.setdefault(value, mask(value))

    def __call__(self, text: str) -> str:
        for value in sorted(self._secrets, key=len, reverse=True):
            if value in text:
                text = text.replace(value, self._secrets[value])
        for shape in _SHAPES:
            text = shape.sub(rf"\g<1>{MASK}", text)
        return text


REDACTOR = Redactor()
"""The process's redactor: what `install` wraps the standard streams with."""


class RedactingStream:
    """A text stream that writes through a `Redactor` line by line (a secret split across writes is still caught)."""

    def __init__(self, stream: TextIO, redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            done, _, self._pending = self._pending.rpartition("\n")
            self._stream.write(self._redactor(done + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._redactor(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


@contextmanager
def install(redactor: Redactor = REDACTOR) -> Iterator[Redactor]:
    """Route stdout and stderr through `redactor` until the block ends."""
    saved = sys.stdout, sys.stderr
    sys.stdout = RedactingStream(saved[0], redactor)
    sys.stderr = RedactingStream(saved[1], redactor)
    try:
        yield redactor
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved
