"""Huawei Cloud SDK-HMAC-SHA256: the canonical request, string to sign and Authorization header.

Client signers (`auth.py`) and server verifiers (`verify.py`) both build their canonical requests here. Every rule
mirrors huaweicloudsdkcore 3.1.219 `signer/signer.py` byte for byte; deviations are noted where made. Pure functions
only: no I/O, no clock reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from generator.runtime.signing import (
    EMPTY_SHA256,
    HEX_SIGNATURE,
    QueryPairs,
    SignedRequest,
    canonical_request,
    hmac_sha256_hex,
    lower_keys,
    parse_auth_params,
    sha256_hex,
)

__all__ = [
    "HUAWEI_ALGORITHM",
    "UNSIGNED_PAYLOAD",
    "HuaweiAuthorization",
    "huawei_authorization",
    "huawei_canonical_headers",
    "huawei_canonical_query",
    "huawei_canonical_uri",
    "huawei_is_signed_header",
    "huawei_payload_hash",
    "huawei_sign",
    "huawei_signature",
    "huawei_signed_headers",
    "huawei_string_to_sign",
    "parse_huawei_authorization",
]

HUAWEI_ALGORITHM = "SDK-HMAC-SHA256"


UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


@lru_cache(maxsize=512)
def huawei_canonical_uri(raw_path: str) -> str:
    """Unquote the wire path, re-quote each segment (RFC 3986 unreserved kept) and force a trailing `/`.

    The SDK canonicalises `/v1/p/x` as `/v1/p/x/` but sends it without the slash. (Cached: a client signs the same
    few paths over and over.)
    """
    uri = "/".join(quote(segment, safe="~") for segment in unquote(raw_path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def huawei_canonical_query(pairs: QueryPairs) -> str:
    """Sort by key then value (on the decoded text) and quote both with only `~` safe; `&`-joined.

    The SDK also sends exactly this string as the request's query.
    """
    return _huawei_canonical_query(tuple(pairs))


@lru_cache(maxsize=512)
def _huawei_canonical_query(pairs: tuple[tuple[str, str], ...]) -> str:
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(pairs))


def huawei_is_signed_header(name: str) -> bool:
    """The SDK signs every header whose name contains no `_`."""
    return "_" not in name


def huawei_signed_headers(names: Iterable[str]) -> tuple[str, ...]:
    """Lower-cased, de-duplicated, ASCII-sorted signable header names."""
    return tuple(sorted({n.lower() for n in names if huawei_is_signed_header(n)}))


def huawei_canonical_headers(headers: Mapping[str, str], signed: Sequence[str]) -> str:
    """`name:value\\n` per signed header, values stripped (not whitespace-collapsed); `headers` lower-keyed."""
    return "".join(f"{name}:{headers[name.lower()].strip()}\n" for name in signed)


def huawei_payload_hash(body: bytes, content_sha256: str | None) -> str:
    """Empty body → the empty hash; else a non-empty X-Sdk-Content-Sha256 verbatim; else SHA-256 of the body."""
    if not body:
        return EMPTY_SHA256
    if content_sha256:
        return content_sha256
    return sha256_hex(body)


def huawei_string_to_sign(canonical: str, sdk_date: str) -> str:
    """`SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex sha256 of the canonical request>`."""
    return f"{HUAWEI_ALGORITHM}\n{sdk_date}\n{sha256_hex(canonical)}"


def huawei_signature(sk: str, string_to_sign: str) -> str:
    """Hex HMAC-SHA256 keyed with the raw SK: Huawei derives no signing key."""
    return hmac_sha256_hex(sk, string_to_sign)


def huawei_authorization(ak: str, signed_headers: Sequence[str], signature: str) -> str:
    """The SDK's Authorization value (comma+space separated)."""
    return f"{HUAWEI_ALGORITHM} Access={ak}, SignedHeaders={';'.join(signed_headers)}, Signature={signature}"


@dataclass(frozen=True)
class HuaweiAuthorization:
    """Parsed `SDK-HMAC-SHA256` Authorization header."""

    access_key: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_huawei_authorization(value: str) -> HuaweiAuthorization | None:
    """Parse an SDK-HMAC-SHA256 header; None when malformed (other algorithms count as malformed)."""
    parts = parse_auth_params(value, HUAWEI_ALGORITHM, ("Access", "SignedHeaders", "Signature"))
    if parts is None:
        return None
    access, signed, signature = parts
    names = tuple(signed.split(";"))
    if not all(names) or not HEX_SIGNATURE.fullmatch(signature):
        return None
    return HuaweiAuthorization(access, names, signature)


def huawei_sign(
    *,
    ak: str,
    sk: str,
    method: str,
    raw_path: str,
    query: QueryPairs,
    headers: Mapping[str, str],
    body: bytes,
    signed_headers: Sequence[str] | None = None,
) -> SignedRequest:
    """Sign (or re-derive, for a verifier) one request.

    `raw_path` is the percent-encoded path as sent; `headers` must contain `X-Sdk-Date` and every
    header to sign. `signed_headers` defaults to the SDK rule over all of `headers`; a verifier
    passes the list it received. X-Sdk-Content-Sha256 replaces the body hash only when signed.
    """
    lowered = lower_keys(headers)
    names = huawei_signed_headers(lowered) if signed_headers is None else tuple(signed_headers)
    content_sha = lowered.get("x-sdk-content-sha256", "").strip() if "x-sdk-content-sha256" in names else None
    canonical = canonical_request(
        method.upper(),
        huawei_canonical_uri(raw_path),
        huawei_canonical_query(query),
        huawei_canonical_headers(lowered, names),
        ";".join(names),
        huawei_payload_hash(body, content_sha),
    )
    to_sign = huawei_string_to_sign(canonical, lowered["x-sdk-date"].strip())
    signature = huawei_signature(sk, to_sign)
    return SignedRequest(canonical, to_sign, signature, names, huawei_authorization(ak, names, signature))
