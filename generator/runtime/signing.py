"""Canonicalisation and HMAC primitives for Huawei SDK-HMAC-SHA256 and Volcengine HMAC-SHA256 (V4).

Client signers (`auth.py`) and server verifiers (`verify.py`) both build their canonical requests
here, so a signer and a verifier can only disagree about the request, never about the algorithm.
Every rule mirrors the official Python SDKs (huaweicloudsdkcore 3.1.219 `signer/signer.py`,
volcengine 1.0.229 `auth/SignerV4.py` + `util/Util.py`) byte for byte; deviations are noted where made.

Pure functions only: no I/O, no clock reads (callers pass the date header they signed or received).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote, unquote_plus

__all__ = [
    "BASIC_DATE_FORMAT",
    "EMPTY_SHA256",
    "HUAWEI_ALGORITHM",
    "UNSIGNED_PAYLOAD",
    "VOLC_ALGORITHM",
    "Clock",
    "HuaweiAuthorization",
    "QueryPairs",
    "SignedRequest",
    "VolcAuthorization",
    "canonical_request",
    "constant_time_equals",
    "format_basic_date",
    "header_text",
    "hmac_sha256",
    "hmac_sha256_hex",
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
    "lower_keys",
    "parse_basic_date",
    "parse_huawei_authorization",
    "parse_query",
    "parse_volc_authorization",
    "sha256_hex",
    "utc_now",
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

Clock = Callable[[], datetime]
"""Returns the current time (UTC); injectable so that tests and replays can freeze time."""

QueryPairs = Sequence[tuple[str, str]]
"""Decoded query parameters in wire order; repeated keys are repeated pairs."""

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
BASIC_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HUAWEI_ALGORITHM = "SDK-HMAC-SHA256"
VOLC_ALGORITHM = "HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

_BASIC_DATE_RE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_HEX_SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")


def utc_now() -> datetime:
    """Default `Clock`: aware UTC now (both vendors sign UTC timestamps)."""
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# Shared primitives
# --------------------------------------------------------------------------------------------


def sha256_hex(data: bytes | str) -> str:
    """Lower-case hex SHA-256; str is hashed as UTF-8 as both SDKs do."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def hmac_sha256(key: bytes | str, msg: bytes | str) -> bytes:
    """Raw HMAC-SHA256 with UTF-8 text inputs, the encoding both SDKs use for keys and messages."""
    k = key.encode("utf-8") if isinstance(key, str) else key
    m = msg.encode("utf-8") if isinstance(msg, str) else msg
    return hmac.new(k, m, hashlib.sha256).digest()


def hmac_sha256_hex(key: bytes | str, msg: bytes | str) -> str:
    """Lower-case hex HMAC-SHA256."""
    return hmac_sha256(key, msg).hex()


def constant_time_equals(a: str, b: str) -> bool:
    """Compare secrets-derived strings in constant time (bytes, because compare_digest rejects non-ASCII str)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def format_basic_date(moment: datetime) -> str:
    """`YYYYMMDDTHHMMSSZ` in UTC (both vendors' date header format); naive datetimes are taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(BASIC_DATE_FORMAT)


def parse_basic_date(value: str) -> datetime | None:
    """Parse a `YYYYMMDDTHHMMSSZ` header strictly (aware UTC), or None when malformed."""
    if not _BASIC_DATE_RE.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, BASIC_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def header_text(raw: bytes) -> str:
    """Decode a header value as its signer saw it.

    The Huawei SDK signs the Unicode value and sends its UTF-8 bytes; the Volcengine SDK sends
    Latin-1. Decoding UTF-8 when valid, else Latin-1, recovers the signed text for both.
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

    Form semantics (`+` is a space) on purpose: httpx, requests and the Volcengine SDK all send
    spaces as `+`, while neither SDK ever emits a literal `+` (they send `%2B`). A bare key
    (`?flag`) is `("flag", "")`, which canonicalises to `flag=` as the Huawei SDK would sign it.
    """
    text = header_text(raw) if isinstance(raw, bytes) else raw
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


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


def _parse_auth_params(value: str, algorithm: str, names: tuple[str, ...]) -> tuple[str, ...] | None:
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


# --------------------------------------------------------------------------------------------
# Huawei SDK-HMAC-SHA256
# --------------------------------------------------------------------------------------------


def huawei_canonical_uri(raw_path: str) -> str:
    """Unquote the wire path, re-quote each segment (RFC 3986 unreserved kept) and force a trailing `/`.

    The SDK canonicalises `/v1/p/x` as `/v1/p/x/` but sends it without the slash.
    """
    uri = "/".join(quote(segment, safe="~") for segment in unquote(raw_path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def huawei_canonical_query(pairs: QueryPairs) -> str:
    """Sort by key then value (on the decoded text) and quote both with only `~` safe; `&`-joined.

    The SDK also sends exactly this string as the request's query.
    """
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
    parts = _parse_auth_params(value, HUAWEI_ALGORITHM, ("Access", "SignedHeaders", "Signature"))
    if parts is None:
        return None
    access, signed, signature = parts
    names = tuple(signed.split(";"))
    if not all(names) or not _HEX_SIGNATURE_RE.fullmatch(signature):
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


# --------------------------------------------------------------------------------------------
# Volcengine HMAC-SHA256 (signature V4)
# --------------------------------------------------------------------------------------------


def volc_canonical_uri(path: str) -> str:
    """`quote(path)` with `/` kept, as `Util.norm_uri` does; `path` is the decoded (logical) path.

    The SDK quotes without unquoting first, so a wire path must be unquoted before it comes here.
    """
    return quote(path or "/").replace("%2F", "/")


def volc_canonical_query(pairs: QueryPairs) -> str:
    """Stable sort by key only (repeated keys keep their order), quote with `-_.~` safe; `Util.norm_query`.

    The SDK's final `+`→`%20` replacement is a no-op after `quote`, which never emits `+`.
    """
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
    return tuple(sorted({n.lower() for n in names if volc_is_signed_header(n)}))


def volc_canonical_host(value: str) -> str:
    """Drop a `:80`/`:443` port exactly as the SDK does (split on `:`, look at the second part)."""
    parts = value.split(":")
    return parts[0] if len(parts) > 1 and parts[1] in ("80", "443") else value


def volc_canonical_headers(headers: Mapping[str, str], signed: Sequence[str]) -> str:
    """`name:value\\n` per signed header; values are not trimmed (the Python SDK does not trim)."""
    lines = []
    for name in signed:
        value = headers[name.lower()]
        lines.append(f"{name}:{volc_canonical_host(value) if name.lower() == 'host' else value}\n")
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
    parts = _parse_auth_params(value, VOLC_ALGORITHM, ("Credential", "SignedHeaders", "Signature"))
    if parts is None:
        return None
    credential, signed, signature = parts
    pieces = credential.split("/")
    names = tuple(signed.split(";"))
    if len(pieces) != 5 or pieces[4] != "request" or not all(pieces) or not all(names):
        return None
    if not _HEX_SIGNATURE_RE.fullmatch(signature):
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
) -> SignedRequest:
    """Sign (or re-derive, for a verifier) one request.

    `raw_path` is the percent-encoded path as sent (it is unquoted, then quoted as the SDK quotes
    its logical path); `headers` must contain `X-Date` and every header to sign. The payload line
    is always the SHA-256 of the body, as in the SDK.
    """
    lowered = lower_keys(headers)
    names = volc_signed_headers(lowered) if signed_headers is None else tuple(signed_headers)
    x_date = lowered["x-date"]
    scope = volc_credential_scope(x_date[:8], region, service)
    canonical = canonical_request(
        method,
        volc_canonical_uri(unquote(raw_path)),
        volc_canonical_query(query),
        volc_canonical_headers(lowered, names),
        ";".join(names),
        sha256_hex(body),
    )
    to_sign = volc_string_to_sign(x_date, scope, canonical)
    signature = hmac_sha256_hex(volc_signing_key(sk, x_date[:8], region, service), to_sign)
    return SignedRequest(canonical, to_sign, signature, names, volc_authorization(ak, scope, names, signature))
