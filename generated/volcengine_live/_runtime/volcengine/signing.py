# Vendored by streamspec (runtime module volcengine/signing); do not edit.
"""Volcengine HMAC-SHA256 (signature V4): the canonical request, signing key and Authorization header.

Client signers (`auth.py`) and server verifiers (`verify.py`) both build their canonical requests here. Every rule
mirrors volcengine 1.0.229 `auth/SignerV4.py` + `util/Util.py` byte for byte; deviations are noted where made. Pure
functions only: no I/O, no clock reads.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from ..signing import (
    HEX_SIGNATURE,
    QueryPairs,
    SignedRequest,
    canonical_request,
    hmac_sha256,
    lower_keys,
    parse_auth_params,
    sha256_hex,
)

__all__ = [
    "VOLC_ALGORITHM",
    "VolcAuthorization",
    "parse_volc_authorization",
    "volc_authorization",
    "volc_canonical_headers",
    "volc_canonical_host",
    "volc_canonical_query",
    "volc_canonical_uri",
    "volc_credential_scope",
    "volc_is_signed_header",
    "volc_sign",
    "volc_signed_headers",
    "volc_signing_key",
    "volc_string_to_sign",
]

VOLC_ALGORITHM = "HMAC-SHA256"


@lru_cache(maxsize=512)
def volc_canonical_uri(path: str) -> str:
    """`quote(path)` with `/` kept, as `Util.norm_uri` does; `path` is the decoded (logical) path.

    The SDK quotes without unquoting first, so a wire path must be unquoted before it comes here. (Cached: a
    client signs the same few paths over and over.)
    """
    return quote(path or "/").replace("%2F", "/")


@lru_cache(maxsize=512)
def _volc_wire_uri(raw_path: str) -> str:
    """The canonical URI of a percent-encoded path as sent."""
    return volc_canonical_uri(unquote(raw_path))


def volc_canonical_query(pairs: QueryPairs) -> str:
    """Stable sort by key only (repeated keys keep their order), quote with `-_.~` safe; `Util.norm_query`.

    The SDK's final `+`→`%20` replacement is a no-op after `quote`, which never emits `+`.
    """
    return _volc_canonical_query(tuple(pairs))


@lru_cache(maxsize=512)
def _volc_canonical_query(pairs: tuple[tuple[str, str], ...]) -> str:
    ordered = sorted(pairs, key=lambda kv: kv[0])
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in ordered)


def volc_is_signed_header(name: str) -> bool:
    """Content-Type, Content-Md5, Host and X-* are signed.

    The SDK matches these spellings case-sensitively; we match case-insensitively so that a header
    spelled in lower case is still covered. For the SDK's own spellings the results are identical.
    """
    lower = name.lower()
    return lower in ("content-type", "content-md5", "host") or lower.startswith("x-")


def volc_signed_headers(names: Iterable[str]) -> tuple[str, ...]:
    """Lower-cased, de-duplicated, sorted signable header names."""
    return _volc_signed_headers(tuple(names))


@lru_cache(maxsize=512)
def _volc_signed_headers(names: tuple[str, ...]) -> tuple[str, ...]:
    """(Cached: a client's requests carry the same few sets of header names.)"""
    return tuple(sorted({n.lower() for n in names if volc_is_signed_header(n)}))


def volc_canonical_host(value: str) -> str:
    """Drop a `:80`/`:443` port exactly as the SDK does (split on `:`, look at the second part)."""
    parts = value.split(":")
    return parts[0] if len(parts) > 1 and parts[1] in ("80", "443") else value


def volc_canonical_headers(headers: Mapping[str, str], signed: Sequence[str]) -> str:
    """`name:value\\n` per signed header; values are not trimmed (the Python SDK does not trim)."""
    lines = []
    for name in signed:
        lower = name.lower()
        value = headers[lower]
        lines.append(f"{name}:{volc_canonical_host(value) if lower == 'host' else value}\n")
    return "".join(lines)


def volc_credential_scope(short_date: str, region: str, service: str) -> str:
    """`YYYYMMDD/region/service/request`."""
    return f"{short_date}/{region}/{service}/request"


def volc_signing_key(sk: str, short_date: str, region: str, service: str) -> bytes:
    """kDate → kRegion → kService → kSigning, starting from the raw SK (no prefix)."""
    key = hmac_sha256(sk, short_date)
    for part in (region, service, "request"):
        key = hmac_sha256(key, part)
    return key


def volc_string_to_sign(x_date: str, scope: str, canonical: str) -> str:
    """`HMAC-SHA256\\n<X-Date>\\n<scope>\\n<hex sha256 of the canonical request>`."""
    return f"{VOLC_ALGORITHM}\n{x_date}\n{scope}\n{sha256_hex(canonical)}"


def volc_authorization(ak: str, scope: str, signed_headers: Sequence[str], signature: str) -> str:
    """The SDK's Authorization value."""
    return f"{VOLC_ALGORITHM} Credential={ak}/{scope}, SignedHeaders={';'.join(signed_headers)}, Signature={signature}"


@dataclass(frozen=True)
class VolcAuthorization:
    """Parsed Volcengine V4 Authorization header (credential split into AK and scope parts)."""

    access_key: str
    short_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        """The credential scope as received."""
        return volc_credential_scope(self.short_date, self.region, self.service)


def parse_volc_authorization(value: str) -> VolcAuthorization | None:
    """Parse `HMAC-SHA256 Credential=AK/date/region/service/request, ...`; None when malformed."""
    parts = parse_auth_params(value, VOLC_ALGORITHM, ("Credential", "SignedHeaders", "Signature"))
    if parts is None:
        return None
    credential, signed, signature = parts
    pieces = credential.split("/")
    names = tuple(signed.split(";"))
    if len(pieces) != 5 or pieces[4] != "request" or not all(pieces) or not all(names):
        return None
    if not HEX_SIGNATURE.fullmatch(signature):
        return None
    return VolcAuthorization(pieces[0], pieces[1], pieces[2], pieces[3], names, signature)


def volc_sign(
    *,
    ak: str,
    sk: str,
    region: str,
    service: str,
    method: str,
    raw_path: str,
    query: QueryPairs,
    headers: Mapping[str, str],
    body: bytes,
    signed_headers: Sequence[str] | None = None,
    signing_key: bytes | None = None,
    payload_hash: str | None = None,
) -> SignedRequest:
    """Sign (or re-derive, for a verifier) one request.

    `raw_path` is the percent-encoded path as sent (it is unquoted, then quoted as the SDK quotes
    its logical path); `headers` must contain `X-Date` and every header to sign. The payload line
    is always the SHA-256 of the body, as in the SDK. `signing_key`: `volc_signing_key` for the
    X-Date's day, region and service when the caller keeps it (it changes once a day). `payload_hash`: the
    body's SHA-256 when the caller has it already (a signer sends it as X-Content-Sha256).
    """
    lowered = lower_keys(headers)
    names = volc_signed_headers(lowered) if signed_headers is None else tuple(signed_headers)
    x_date = lowered["x-date"]
    scope = volc_credential_scope(x_date[:8], region, service)
    canonical = canonical_request(
        method,
        _volc_wire_uri(raw_path),
        volc_canonical_query(query),
        volc_canonical_headers(lowered, names),
        ";".join(names),
        sha256_hex(body) if payload_hash is None else payload_hash,
    )
    to_sign = volc_string_to_sign(x_date, scope, canonical)
    key = volc_signing_key(sk, x_date[:8], region, service) if signing_key is None else signing_key
    signature = hmac.digest(key, to_sign.encode(), "sha256").hex()  # `hmac_sha256_hex` for a key already in bytes
    return SignedRequest(canonical, to_sign, signature, names, volc_authorization(ak, scope, names, signature))
