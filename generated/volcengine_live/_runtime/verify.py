# Vendored by streamspec (runtime module verify); do not edit.
"""What server-side request verification returns, and the pieces every profile's verifier uses.

Verifiers are framework-free so that generated servers (and tests) can call them with whatever their framework
hands over. They check what was RECEIVED (raw path, raw query, received header values and raw body bytes) through
the same canonicalisation as the client signers, never a re-serialisation. Results are values (`Principal` or
`AuthFailure`), not exceptions, and failure messages never contain secrets or the expected signature. Header
mappings are looked up case-insensitively; values may be given as the peer sent them or as ASGI/WSGI Latin-1-decoded
strings. A header a verifier reads that arrived more than once is ambiguous (`repeated_header`), and refused.

A verifier has two steps: `screen` judges from the headers alone, before the server reads the body, and `verify`
judges the whole request. A request its headers already condemn never costs the server its body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .signing import header_text

__all__ = [
    "DEFAULT_MAX_SKEW",
    "AuthFailure",
    "Principal",
    "header_value",
    "missing_header",
    "normalise_headers",
    "outside_skew",
    "repeated_header",
]

DEFAULT_MAX_SKEW = timedelta(minutes=15)
"""The usual allowance for a signed date header (the signing APIs this serves document 15 minutes)."""


@dataclass(frozen=True)
class AuthFailure:
    """Why a request was rejected, ready for the API's error envelope (`code_n`: a numeric code, where it has one)."""

    status: int
    code: str
    message: str
    code_n: int | None = None


@dataclass(frozen=True)
class Principal:
    """Who a verified request acts as: `scheme` is "aksk", "token" or "v4"."""

    scheme: str
    access_key: str | None = None
    project_id: str | None = None
    account: str | None = None


def normalise_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case names; re-decode Latin-1 transport strings as the signer's text (see `header_text`)."""
    normalised: dict[str, str] = {}
    for name, value in headers.items():
        try:
            normalised[name.lower()] = header_text(value.encode("latin-1"))
        except UnicodeEncodeError:
            normalised[name.lower()] = value
    return normalised


def header_value(raw: bytes | str) -> str:
    return header_text(raw) if isinstance(raw, bytes) else raw


def missing_header(signed: Sequence[str], received: Mapping[str, str]) -> str | None:
    """The first header named in SignedHeaders that did not arrive (a client cannot sign what it did not send)."""
    return next((name for name in signed if name.lower() not in received), None)


def outside_skew(moment: datetime, now: datetime, max_skew: timedelta) -> bool:
    return abs(now - moment) > max_skew


def repeated_header(headers: Mapping[str, str], names: Iterable[str]) -> str | None:
    """The first of `names` (any case) that arrived more than once.

    Which of two credentials is meant is ambiguous, and a verifier that checked one while the application (or a
    proxy) read the other would let a forged value through, so such a request is refused whatever its values. A
    mapping with repeated names is one whose `items()` lists them all (Starlette's `Headers`, for example).
    """
    wanted = {name.lower() for name in names}
    seen: set[str] = set()
    for name, _ in headers.items():
        lowered = name.lower()
        if lowered in wanted:
            if lowered in seen:
                return lowered
            seen.add(lowered)
    return None
