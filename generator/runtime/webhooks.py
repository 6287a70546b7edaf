"""Signers and verifiers for the vendors' callback (webhook) signatures.

Three families: MetaStudio live-event callbacks (MSS_A / MSS_A_HEAD), Huawei Live record
callbacks (MD5 / HMACSHA256) and Volcengine Live callbacks (MD5 of key + expiry). Signers exist so
that emulators can send callbacks a real receiver accepts and tests can round-trip; verifiers are
what generated receivers call. All are pure (the clock is injected), compare in constant time and
return a `WebhookCheck` value instead of raising. Hex output is lower case; received hex is
compared case-insensitively ([U]: the vendors do not state the case).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from .signing import Clock, constant_time_equals, hmac_sha256_hex, parse_query, utc_now

__all__ = [
    "LIVE_RECORD_SIGNED_FIELDS",
    "MSS_WINDOW",
    "SIGN_TTL",
    "LiveSignType",
    "WebhookCheck",
    "WebhookCode",
    "live_record_signature",
    "md5_hex",
    "mss_a_head_headers",
    "mss_a_url",
    "mss_hw_time",
    "mss_signature",
    "mss_uri",
    "sign_live_record_callback",
    "sign_volc_callback",
    "verify_live_record_callback",
    "verify_mss",
    "verify_mss_a",
    "verify_mss_a_head",
    "verify_volc_callback",
    "volc_callback_signature",
]

MSS_WINDOW = timedelta(seconds=300)
"""[U] Accepted |now - hwTime| for MSS callbacks. Vendor docs only say "valid within 1 minute" for
custom-platform calls; 5 minutes tolerates ordinary clock drift and queueing while still bounding replay."""

SIGN_TTL = timedelta(minutes=10)
"""Default expiry our signers put in `auth_timestamp` / `t` (Volcengine's documented default; [U] for Huawei)."""

LiveSignType = Literal["HMACSHA256", "MD5"]

LIVE_RECORD_SIGNED_FIELDS = ("event_type", "publish_domain", "app", "stream", "download_url", "play_url")
"""Fields concatenated after auth_timestamp for HMACSHA256, in order; absent ones count as "" ([U])."""


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


_OK = WebhookCheck(WebhookCode.OK, "signature verified")


def md5_hex(text: str) -> str:
    """Lower-case hex MD5 of UTF-8 text (a vendor-mandated signature, not a security choice of ours)."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _now_seconds(clock: Clock | None) -> int:
    return int((clock or utc_now)().timestamp())


def _unexpired(sign: object, stamp: object, names: str, clock: Clock | None) -> tuple[str, str] | WebhookCheck:
    """Presence, format and expiry checks shared by the expiry-stamped schemes (Huawei Live, Volcengine).

    Both put the signature's expiry in the payload and reject once now is past it. On success returns the
    signature and the timestamp rendered as the sender signed it.
    """
    if not isinstance(sign, str) or not sign or stamp is None:
        return WebhookCheck(WebhookCode.MISSING, f"{names} are missing")
    expiry = _timestamp(stamp)
    if expiry is None:
        return WebhookCheck(WebhookCode.MALFORMED, "the timestamp is not an integer")
    if _now_seconds(clock) > expiry:
        return WebhookCheck(WebhookCode.EXPIRED, "the signature has expired")
    return sign, _as_signed(stamp)


def _timestamp(value: object) -> int | None:
    """An integer Unix time given as int or decimal-digit string; None otherwise (bools excluded)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _as_signed(stamp: object) -> str:
    """A validated timestamp rendered as the sender signed it: a string verbatim, an int in decimal."""
    return stamp if isinstance(stamp, str) else str(stamp)


def _matches(received: str, expected: str) -> WebhookCheck:
    if constant_time_equals(received.strip().lower(), expected):
        return _OK
    return WebhookCheck(WebhookCode.MISMATCH, "the callback signature does not match")


# --------------------------------------------------------------------------------------------
# MetaStudio MSS_A / MSS_A_HEAD
# --------------------------------------------------------------------------------------------


def mss_uri(url: str) -> str:
    """URI(url): the URL without its scheme (and fragment), query parameters stable-sorted by key.

    Reproduces the vendor's only worked example. [U] Port, percent-encoding and repeated keys are
    kept exactly as configured (sorting compares the raw `key` text; repeated keys keep their order).
    """
    parts = urlsplit(url)
    uri = parts.netloc + parts.path
    if parts.query:
        params = [p for p in parts.query.split("&") if p]
        uri += "?" + "&".join(sorted(params, key=lambda p: p.partition("=")[0]))
    return uri


def mss_hw_time(seconds: int) -> str:
    """hwTime: Unix seconds as lower-case hex without `0x`."""
    return format(seconds, "x")


def mss_signature(key: str, url: str, hw_time: str) -> str:
    """hwSecret = hex HMAC-SHA256(key, URI(url) + hwTime) over the configured callback URL."""
    return hmac_sha256_hex(key, mss_uri(url) + hw_time)


def mss_a_url(key: str, url: str, *, clock: Clock | None = None) -> str:
    """MSS_A delivery URL: the configured URL with `hwSecret` and `hwTime` appended to its query."""
    hw_time = mss_hw_time(_now_seconds(clock))
    parts = urlsplit(url)
    extra = f"hwSecret={mss_signature(key, url, hw_time)}&hwTime={hw_time}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def mss_a_head_headers(key: str, url: str, *, clock: Clock | None = None) -> dict[str, str]:
    """MSS_A_HEAD delivery headers `x-hw-mss-secret` / `x-hw-mss-time` for the configured URL."""
    hw_time = mss_hw_time(_now_seconds(clock))
    return {"x-hw-mss-secret": mss_signature(key, url, hw_time), "x-hw-mss-time": hw_time}


def verify_mss(
    key: str,
    configured_url: str,
    hw_secret: str | None,
    hw_time: str | None,
    *,
    clock: Clock | None = None,
    window: timedelta = MSS_WINDOW,
) -> WebhookCheck:
    """Check an MSS secret/time pair against the URL configured in MetaStudio (not the URL as received,
    which proxies may rewrite); hwTime must be within `window` of now in either direction."""
    if not hw_secret or not hw_time:
        return WebhookCheck(WebhookCode.MISSING, "hwSecret/hwTime are missing")
    stamp = hw_time.strip().lower()
    if not all(c in "0123456789abcdef" for c in stamp):
        return WebhookCheck(WebhookCode.MALFORMED, "hwTime is not hexadecimal")
    if abs(_now_seconds(clock) - int(stamp, 16)) > window.total_seconds():
        return WebhookCheck(WebhookCode.STALE, "hwTime is outside the accepted window")
    return _matches(hw_secret, mss_signature(key, configured_url, hw_time.strip()))


def verify_mss_a(
    key: str,
    configured_url: str,
    received_query: str | bytes,
    *,
    clock: Clock | None = None,
    window: timedelta = MSS_WINDOW,
) -> WebhookCheck:
    """MSS_A: take `hwSecret`/`hwTime` from the received query string (first occurrence of each)."""
    params: dict[str, str] = {}
    for name, value in parse_query(received_query):
        params.setdefault(name, value)
    return verify_mss(key, configured_url, params.get("hwSecret"), params.get("hwTime"), clock=clock, window=window)


def verify_mss_a_head(
    key: str,
    configured_url: str,
    headers: Mapping[str, str],
    *,
    clock: Clock | None = None,
    window: timedelta = MSS_WINDOW,
) -> WebhookCheck:
    """MSS_A_HEAD: take the secret/time from `x-hw-mss-secret`/`x-hw-mss-time` (names case-insensitive)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    secret, stamp = lowered.get("x-hw-mss-secret"), lowered.get("x-hw-mss-time")
    return verify_mss(key, configured_url, secret, stamp, clock=clock, window=window)


# --------------------------------------------------------------------------------------------
# Huawei Live record callbacks
# --------------------------------------------------------------------------------------------


def _field(payload: Mapping[str, object], name: str) -> str:
    value = payload.get(name)
    return "" if value is None else str(value)


def live_record_signature(
    key: str, sign_type: LiveSignType, auth_timestamp: int | str, payload: Mapping[str, object]
) -> str:
    """MD5: md5_hex(key + auth_timestamp); HMACSHA256: hex HMAC(key, auth_timestamp + the signed fields)."""
    if sign_type == "MD5":
        return md5_hex(key + str(auth_timestamp))
    if sign_type == "HMACSHA256":
        message = str(auth_timestamp) + "".join(_field(payload, name) for name in LIVE_RECORD_SIGNED_FIELDS)
        return hmac_sha256_hex(key, message)
    raise ValueError(f"unsupported Huawei Live sign_type {sign_type!r}")


def sign_live_record_callback(
    payload: Mapping[str, object],
    key: str,
    sign_type: LiveSignType = "HMACSHA256",
    *,
    clock: Clock | None = None,
    ttl: timedelta = SIGN_TTL,
) -> dict[str, object]:
    """Copy of `payload` with `auth_timestamp` (expiry, Unix seconds as int) and `auth_sign` added."""
    expiry = _now_seconds(clock) + int(ttl.total_seconds())
    signed = dict(payload)
    signed["auth_timestamp"] = expiry
    signed["auth_sign"] = live_record_signature(key, sign_type, expiry, payload)
    return signed


def verify_live_record_callback(
    payload: Mapping[str, object], key: str, sign_type: LiveSignType = "HMACSHA256", *, clock: Clock | None = None
) -> WebhookCheck:
    """Check `auth_sign` over the received JSON object; reject once now > auth_timestamp (the expiry).

    The timestamp is signed as received (int or digit string render the same).
    """
    if sign_type not in ("HMACSHA256", "MD5"):
        raise ValueError(f"unsupported Huawei Live sign_type {sign_type!r}")
    checked = _unexpired(payload.get("auth_sign"), payload.get("auth_timestamp"), "auth_sign/auth_timestamp", clock)
    if isinstance(checked, WebhookCheck):
        return checked
    sign, stamp = checked
    return _matches(sign, live_record_signature(key, sign_type, stamp, payload))


# --------------------------------------------------------------------------------------------
# Volcengine Live callbacks
# --------------------------------------------------------------------------------------------


def volc_callback_signature(auth_key: str, t: int | str) -> str:
    """sign = md5_hex(AuthKeyPrimary + str(t)), t being the expiry in Unix seconds."""
    return md5_hex(auth_key + str(t))


def sign_volc_callback(
    payload: Mapping[str, object], auth_key: str | None, *, clock: Clock | None = None, ttl: timedelta = SIGN_TTL
) -> dict[str, object]:
    """Copy of a flat callback payload with `sign`/`t` added; auth disabled (no key) gives `""` and 0."""
    signed = dict(payload)
    if not auth_key:
        signed["sign"], signed["t"] = "", 0
        return signed
    expiry = _now_seconds(clock) + int(ttl.total_seconds())
    signed["sign"], signed["t"] = volc_callback_signature(auth_key, expiry), expiry
    return signed


def verify_volc_callback(
    payload: Mapping[str, object], auth_key: str | None, *, clock: Clock | None = None
) -> WebhookCheck:
    """Check `sign`/`t` from a flat payload or one nested under `data` (both shapes are documented).

    With auth disabled (no key configured) every callback is accepted; reject when t < now.
    """
    if not auth_key:
        return WebhookCheck(WebhookCode.OK, "callback authentication is disabled")
    data = payload.get("data")
    fields: Mapping[str, object] = payload if "sign" in payload or not isinstance(data, Mapping) else data
    checked = _unexpired(fields.get("sign"), fields.get("t"), "sign/t", clock)
    if isinstance(checked, WebhookCheck):
        return checked
    sign, stamp = checked
    return _matches(sign, volc_callback_signature(auth_key, stamp))
