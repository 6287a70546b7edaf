# Vendored by streamspec (runtime module huawei/mss); do not edit.
"""MetaStudio callback signatures (MSS_A in the query, MSS_A_HEAD in headers): signing, verifying, receiver hook.

hwSecret = hex HMAC-SHA256(key, URI(configured URL) + hwTime), hwTime in hex Unix seconds. Signers exist so that
emulators can send callbacks a real receiver accepts and tests can round-trip; `mss_verifier` is what generated
receivers call. Hex output is lower case; received hex is compared case-insensitively ([U]: the vendor does not state
the case).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from ..signing import Clock, hmac_sha256_hex, parse_query
from ..webhooks import Verify, WebhookCheck, WebhookCode, matches, now_seconds, unsigned

__all__ = [
    "MSS_WINDOW",
    "MssAuthType",
    "mss_a_head_headers",
    "mss_a_url",
    "mss_hw_time",
    "mss_signature",
    "mss_uri",
    "mss_verifier",
    "verify_mss",
    "verify_mss_a",
    "verify_mss_a_head",
]

MSS_WINDOW = timedelta(seconds=300)
"""[U] Accepted |now - hwTime| for MSS callbacks. Vendor docs only say "valid within 1 minute" for
custom-platform calls; 5 minutes tolerates ordinary clock drift and queueing while still bounding replay."""


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
    hw_time = mss_hw_time(now_seconds(clock))
    parts = urlsplit(url)
    extra = f"hwSecret={mss_signature(key, url, hw_time)}&hwTime={hw_time}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def mss_a_head_headers(key: str, url: str, *, clock: Clock | None = None) -> dict[str, str]:
    """MSS_A_HEAD delivery headers `x-hw-mss-secret` / `x-hw-mss-time` for the configured URL."""
    hw_time = mss_hw_time(now_seconds(clock))
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
    if abs(now_seconds(clock) - int(stamp, 16)) > window.total_seconds():
        return WebhookCheck(WebhookCode.STALE, "hwTime is outside the accepted window")
    return matches(hw_secret, mss_signature(key, configured_url, hw_time.strip()))


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


MssAuthType = Literal["MSS_A", "MSS_A_HEAD"]


def mss_verifier(
    key: str | None,
    callback_url: str,
    auth_type: MssAuthType = "MSS_A",
    *,
    clock: Clock | None = None,
    window: timedelta = MSS_WINDOW,
) -> Verify:
    """MetaStudio MSS_A (query) or MSS_A_HEAD (headers) over the configured URL; `key=None` is auth_type NONE."""
    if key is None:
        return unsigned
    secret = key
    if auth_type == "MSS_A":
        return lambda r: verify_mss_a(secret, callback_url, r.query, clock=clock, window=window)
    if auth_type == "MSS_A_HEAD":
        return lambda r: verify_mss_a_head(secret, callback_url, r.headers, clock=clock, window=window)
    raise ValueError(f"unsupported MetaStudio auth_type {auth_type!r} (expected MSS_A or MSS_A_HEAD)")
