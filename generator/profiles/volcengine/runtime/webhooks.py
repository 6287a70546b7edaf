"""Volcengine Live callback signatures (`sign` = MD5(AuthKeyPrimary + `t`), flat or under `data`): signing,
verifying, receiver hook.

Signers exist so that emulators can send callbacks a real receiver accepts and tests can round-trip;
`volcengine_verifier` is what generated receivers call. `SIGN_TTL` is Volcengine's documented default expiry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from generator.runtime.signing import Clock
from generator.runtime.webhooks import (
    SIGN_TTL,
    Verify,
    WebhookCheck,
    WebhookCode,
    matches,
    md5_hex,
    now_seconds,
    unexpired,
    unsigned,
)

__all__ = ["sign_volc_callback", "verify_volc_callback", "volc_callback_signature", "volcengine_verifier"]


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
    expiry = now_seconds(clock) + int(ttl.total_seconds())
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
    checked = unexpired(fields.get("sign"), fields.get("t"), "sign/t", clock)
    if isinstance(checked, WebhookCheck):
        return checked
    sign, stamp = checked
    return matches(sign, volc_callback_signature(auth_key, stamp))


def volcengine_verifier(auth_key: str | None, *, clock: Clock | None = None) -> Verify:
    """Volcengine callbacks (`sign`/`t`, flat or under `data`); `auth_key=None` is AuthEnable=false."""
    if auth_key is None:
        return unsigned
    if not auth_key:
        raise ValueError("AuthKeyPrimary is empty; pass auth_key=None when callback authentication is disabled")
    secret = auth_key
    return lambda r: verify_volc_callback(r.payload, secret, clock=clock)
