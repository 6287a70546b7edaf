# Vendored by streamspec (runtime module signing); do not edit.
"""The request-signing toolkit vendor profiles build on: HMAC primitives, canonical requests, signing `httpx.Auth`.

Client signers (a profile's `auth.py`) and server verifiers (its `verify.py`) build their canonical requests from
these pieces, so a signer and a verifier can only disagree about the request, never about the algorithm.

Pure functions only, apart from `SigningAuth`: no I/O, no clock reads (callers pass the date header they signed or
received, or inject a `Clock`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Generic, TypeVar
from urllib.parse import unquote_plus

import httpx

__all__ = [
    "BASIC_DATE_FORMAT",
    "EMPTY_SHA256",
    "HEX_SIGNATURE",
    "Clock",
    "QueryPairs",
    "SignedRequest",
    "SigningAuth",
    "canonical_request",
    "constant_time_equals",
    "format_basic_date",
    "header_text",
    "hmac_sha256",
    "hmac_sha256_hex",
    "lower_keys",
    "parse_auth_params",
    "parse_basic_date",
    "parse_query",
    "raw_path",
    "set_headers",
    "sha256_hex",
    "utc_now",
    "wire_headers",
    "wire_query",
]

C = TypeVar("C")

Clock = Callable[[], datetime]
"""Returns the current time (UTC); injectable so that tests and replays can freeze time."""


QueryPairs = Sequence[tuple[str, str]]
"""Decoded query parameters in wire order; repeated keys are repeated pairs."""


EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


BASIC_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


_BASIC_DATE_RE = re.compile(r"[0-9]{8}T[0-9]{6}Z")


HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")
"""A lower-case hex SHA-256 signature, as both signing families send it."""


def utc_now() -> datetime:
    """Default `Clock`: aware UTC now (signed dates are UTC)."""
    return datetime.now(UTC)


def sha256_hex(data: bytes | str) -> str:
    """Lower-case hex SHA-256; str is hashed as UTF-8 as both SDKs do."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def hmac_sha256(key: bytes | str, msg: bytes | str) -> bytes:
    """Raw HMAC-SHA256 with UTF-8 text inputs, the encoding both SDKs use for keys and messages."""
    k = key.encode("utf-8") if isinstance(key, str) else key
    m = msg.encode("utf-8") if isinstance(msg, str) else msg
    return hmac.digest(k, m, "sha256")  # OpenSSL's one-shot HMAC: the same bytes as `hmac.new`, a fraction of the cost


def hmac_sha256_hex(key: bytes | str, msg: bytes | str) -> str:
    """Lower-case hex HMAC-SHA256."""
    return hmac_sha256(key, msg).hex()


def constant_time_equals(a: str, b: str) -> bool:
    """Compare secrets-derived strings in constant time (bytes, because compare_digest rejects non-ASCII str)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def format_basic_date(moment: datetime) -> str:
    """`YYYYMMDDTHHMMSSZ` in UTC (both vendors' date header format); naive datetimes are taken as UTC."""
    if moment.tzinfo is not None and moment.tzinfo is not UTC:  # the default clock's are UTC already
        moment = moment.astimezone(UTC)
    return _basic_date(moment.replace(microsecond=0))


@lru_cache(maxsize=8)
def _basic_date(moment: datetime) -> str:
    """(Cached: a client signs many requests within one second, and `strftime` costs more than the look-up.)"""
    return moment.strftime(BASIC_DATE_FORMAT)


def parse_basic_date(value: str) -> datetime | None:
    """Parse a `YYYYMMDDTHHMMSSZ` header strictly (aware UTC), or None when malformed."""
    if not _BASIC_DATE_RE.fullmatch(value):
        return None
    try:  # what `strptime(value, BASIC_DATE_FORMAT)` gives for these ASCII digits, at a fraction of its cost
        return datetime(
            int(value[0:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[9:11]),
            int(value[11:13]),
            int(value[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def header_text(raw: bytes) -> str:
    """Decode a header value as its signer saw it.

    Some signers sign the Unicode value and send its UTF-8 bytes, others send Latin-1. Decoding
    UTF-8 when valid, else Latin-1, recovers the signed text for both.
    Servers that hand over Latin-1-decoded strings (ASGI/WSGI) pass `value.encode("latin-1")`.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case header names (last spelling wins, as in the SDKs' dict handling)."""
    return {name.lower(): value for name, value in headers.items()}


def parse_query(raw: str | bytes) -> list[tuple[str, str]]:
    """Decode a raw query string into (key, value) pairs in wire order.

    Form semantics (`+` is a space) on purpose: httpx, requests and the vendor SDKs send spaces as
    `+`, and never a literal `+` (they send `%2B`). A bare key (`?flag`) is `("flag", "")`, which
    canonicalises to `flag=` as the SDKs sign it.
    """
    text = header_text(raw) if isinstance(raw, bytes) else raw
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


def wire_query(request: httpx.Request) -> tuple[tuple[str, str], ...]:
    """`parse_query` of the query as it goes on the wire."""
    return _wire_query(request.url.query)


@lru_cache(maxsize=512)
def _wire_query(raw: bytes) -> tuple[tuple[str, str], ...]:
    """(Cached: a client sends the same few queries over and over, and decoding one costs more than the look-up.)"""
    return tuple(parse_query(raw))


def canonical_request(
    method: str, uri: str, query: str, canonical_headers: str, signed_headers: str, payload_hash: str
) -> str:
    """Join the six canonical-request lines; `canonical_headers` already ends in a newline (both vendors)."""
    return f"{method}\n{uri}\n{query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}"


@dataclass(frozen=True)
class SignedRequest:
    """Every intermediate of one signature, so tests can compare each step with the vendor vectors."""

    canonical_request: str
    string_to_sign: str
    signature: str
    signed_headers: tuple[str, ...]
    authorization: str


def parse_auth_params(value: str, algorithm: str, names: tuple[str, ...]) -> tuple[str, ...] | None:
    """Split `ALG k1=v1, k2=v2, ...` into the values of `names`, in order; None unless exactly those keys."""
    head, sep, rest = value.strip().partition(" ")
    if head != algorithm or not sep:
        return None
    found: dict[str, str] = {}
    for item in rest.split(","):
        key, eq, val = item.strip().partition("=")
        if not eq or not val or key in found:
            return None
        found[key] = val
    if set(found) != set(names):
        return None
    return tuple(found[n] for n in names)


_OWNED_HEADERS = "streamspec.auth.owned_headers"
"""Request extension recording the headers a signer added, so a re-sent request is re-signed afresh."""


def wire_headers(request: httpx.Request, wanted: Callable[[str], bool] | None = None) -> dict[str, str]:
    """Header names lower-cased with their values as the peer will decode them (see `header_text`); only those
    `wanted` accepts (by lower-case name) when given, so that a signer decodes only what it signs."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in request.headers.raw:
        name = raw_name.decode("latin-1").lower()
        if wanted is not None and not wanted(name):
            continue
        try:  # `header_text`, inlined: this runs for every header of every request signed
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def set_headers(headers: httpx.Headers, values: Mapping[str, str]) -> None:
    """`headers[name] = value` for each of `values` (names distinct case-insensitively), in one pass over the headers
    rather than one per name: each replaces the first header of its name where it stands and drops the others of
    that name; a new one goes last, in the order of `values`. (httpx's own `__setitem__` scans and re-encodes the
    headers for every name, and a signer adds several to every request.)"""
    encoding = headers._encoding or "utf-8"  # what `__setitem__` encodes with
    pending: dict[bytes, tuple[bytes, bytes]] = {}
    for name, value in values.items():
        key = name.encode(encoding)
        pending[key.lower()] = (key, value.encode(encoding))
    kept: list[tuple[bytes, bytes, bytes]] = []
    done: set[bytes] = set()
    for item in headers._list:
        lower = item[1]
        if lower not in pending:
            kept.append(item)
        elif lower not in done:
            done.add(lower)
            raw_name, raw_value = pending[lower]
            kept.append((raw_name, lower, raw_value))
    kept.extend((raw_name, lower, raw_value) for lower, (raw_name, raw_value) in pending.items() if lower not in done)
    headers._list = kept


def raw_path(request: httpx.Request) -> str:
    """The percent-encoded path exactly as it goes on the wire, without the query."""
    return request.url.raw_path.partition(b"?")[0].decode("ascii")


class SigningAuth(httpx.Auth, Generic[C]):
    """Signs in `auth_flow`, after dropping what an earlier signing of the same request added."""

    requires_request_body = True

    @property
    def direct_sign(self) -> Callable[[httpx.Request], None] | None:
        """`sign`, when the auth flow is nothing more (the request read, signed, sent, the response not awaited): a
        client that sends directly then calls it rather than running the flow's generators. None when a subclass
        changes the flow."""
        kind = type(self)
        plain = (
            kind.auth_flow is SigningAuth.auth_flow
            and kind.sync_auth_flow is httpx.Auth.sync_auth_flow
            and kind.async_auth_flow is httpx.Auth.async_auth_flow
            and not kind.requires_response_body
            and kind.requires_request_body
        )
        return self.sign if plain else None

    def __init__(self, credentials: C, clock: Clock | None = None) -> None:
        self.credentials: C = credentials
        self.clock: Clock = clock or utc_now

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.credentials!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def sign(self, request: httpx.Request) -> None:
        """Sign `request` in place (also usable without an httpx client)."""
        previous: dict[str, str] = request.extensions.get(_OWNED_HEADERS, {})
        for name, value in previous.items():
            if request.headers.get(name) == value:
                del request.headers[name]
        added = self._signature_headers(request)
        set_headers(request.headers, added)
        request.extensions[_OWNED_HEADERS] = added

    def _signature_headers(self, request: httpx.Request) -> dict[str, str]:
        raise NotImplementedError
