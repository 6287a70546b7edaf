# Vendored by streamspec (runtime module webhooks); do not edit.
"""Callback (webhook) signature checking that every profile's schemes share: outcomes as values, and the request a
verifier looks at.

Verifiers are pure (the clock is injected), compare in constant time and return a `WebhookCheck` instead of raising.
A profile's scheme module (for example `_runtime/<profile>/webhooks.py`) signs and verifies its vendor's callbacks
with these pieces; generated receivers call its verifier through `Verify`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from .signing import Clock, constant_time_equals, utc_now

__all__ = [
    "OK",
    "SIGN_TTL",
    "Verify",
    "WebhookCheck",
    "WebhookCode",
    "WebhookRequest",
    "as_signed",
    "matches",
    "md5_hex",
    "now_seconds",
    "unexpired",
    "unix_time",
    "unsigned",
]

SIGN_TTL = timedelta(minutes=10)
"""Default lifetime our signers give an expiry-stamped callback signature (see each scheme for its source)."""


class WebhookCode(StrEnum):
    """Stable outcome codes, safe to log and to branch on."""

    OK = "ok"
    MISSING = "missing_signature"
    MALFORMED = "malformed_timestamp"
    STALE = "timestamp_out_of_window"
    EXPIRED = "signature_expired"
    MISMATCH = "signature_mismatch"


@dataclass(frozen=True)
class WebhookCheck:
    """Outcome of a callback verification; truthy only when the callback is authentic."""

    code: WebhookCode
    message: str

    @property
    def ok(self) -> bool:
        return self.code is WebhookCode.OK

    def __bool__(self) -> bool:
        return self.ok


OK = WebhookCheck(WebhookCode.OK, "signature verified")


def md5_hex(text: str) -> str:
    """Lower-case hex MD5 of UTF-8 text (a vendor-mandated signature, not a security choice of ours)."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def now_seconds(clock: Clock | None) -> int:
    return int((clock or utc_now)().timestamp())


def unexpired(sign: object, stamp: object, names: str, clock: Clock | None) -> tuple[str, str] | WebhookCheck:
    """Presence, format and expiry checks of the expiry-stamped schemes.

    Such schemes put the signature's expiry in the payload and reject once now is past it. On success returns the
    signature and the timestamp rendered as the sender signed it.
    """
    if not isinstance(sign, str) or not sign or stamp is None:
        return WebhookCheck(WebhookCode.MISSING, f"{names} are missing")
    expiry = unix_time(stamp)
    if expiry is None:
        return WebhookCheck(WebhookCode.MALFORMED, "the timestamp is not an integer")
    if now_seconds(clock) > expiry:
        return WebhookCheck(WebhookCode.EXPIRED, "the signature has expired")
    return sign, as_signed(stamp)


def unix_time(value: object) -> int | None:
    """An integer Unix time given as int or decimal-digit string; None otherwise (bools excluded)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def as_signed(stamp: object) -> str:
    """A validated timestamp rendered as the sender signed it: a string verbatim, an int in decimal."""
    return stamp if isinstance(stamp, str) else str(stamp)


def matches(received: str, expected: str) -> WebhookCheck:
    if constant_time_equals(received.strip().lower(), expected):
        return OK
    return WebhookCheck(WebhookCode.MISMATCH, "the callback signature does not match")


@dataclass(frozen=True)
class WebhookRequest:
    """What a verifier may look at: the raw query, lower-cased headers, raw body and the decoded JSON object."""

    query: str
    headers: Mapping[str, str]
    body: bytes
    payload: Mapping[str, object]


Verify = Callable[[WebhookRequest], WebhookCheck]


def _unsigned(request: WebhookRequest) -> WebhookCheck:
    return WebhookCheck(WebhookCode.OK, "signature verification is disabled")


unsigned: Verify = _unsigned
"""Accepts every delivery: callbacks the spec documents as unsigned, or a configuration without a key."""
