"""Huawei Live record callback signatures (`auth_sign`/`auth_timestamp` in the body, MD5 or HMACSHA256): signing,
verifying, receiver hook.

Signers exist so that emulators can send callbacks a real receiver accepts and tests can round-trip;
`live_record_verifier` is what generated receivers call. Hex output is lower case; received hex is compared
case-insensitively ([U]: the vendor does not state the case).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from generator.runtime.signing import Clock, hmac_sha256_hex
from generator.runtime.webhooks import (
    SIGN_TTL,
    Verify,
    WebhookCheck,
    matches,
    md5_hex,
    now_seconds,
    unexpired,
    unsigned,
)

__all__ = [
    "LIVE_RECORD_SIGNED_FIELDS",
    "LiveSignType",
    "live_record_signature",
    "live_record_verifier",
    "sign_live_record_callback",
    "verify_live_record_callback",
]

LiveSignType = Literal["HMACSHA256", "MD5"]


LIVE_RECORD_SIGNED_FIELDS = ("event_type", "publish_domain", "app", "stream", "download_url", "play_url")
"""Fields concatenated after auth_timestamp for HMACSHA256, in order; absent ones count as "" ([U])."""


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
    expiry = now_seconds(clock) + int(ttl.total_seconds())
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
    checked = unexpired(payload.get("auth_sign"), payload.get("auth_timestamp"), "auth_sign/auth_timestamp", clock)
    if isinstance(checked, WebhookCheck):
        return checked
    sign, stamp = checked
    return matches(sign, live_record_signature(key, sign_type, stamp, payload))


def live_record_verifier(
    key: str | None, sign_type: LiveSignType = "HMACSHA256", *, clock: Clock | None = None
) -> Verify:
    """Huawei Live record callbacks (`auth_sign`/`auth_timestamp` in the body); `key=None` accepts unsigned ones."""
    if key is None:
        return unsigned
    if not key:
        raise ValueError("the callback key is empty; pass key=None to accept unsigned callbacks")
    if sign_type not in ("HMACSHA256", "MD5"):
        raise ValueError(f"unsupported Huawei Live sign_type {sign_type!r}")
    secret = key
    return lambda r: verify_live_record_callback(r.payload, secret, sign_type, clock=clock)
