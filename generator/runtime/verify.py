"""Server-side verification of Huawei SDK-HMAC-SHA256 / IAM-token and Volcengine V4 requests.

Framework-free so that generated servers (and tests) can call it with whatever their framework
hands over. Verification uses what was RECEIVED — raw path, raw query, received header values and
raw body bytes — through the same canonicalisation as the client signers (`signing.py`), never a
re-serialisation. Results are values (`Principal` or `AuthFailure`), not exceptions. Failure
messages never contain secrets or the expected signature.

Header mappings are looked up case-insensitively. Values may be given as the peer sent them
(str) or as ASGI/WSGI Latin-1-decoded strings; both are normalised with `signing.header_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .signing import (
    UNSIGNED_PAYLOAD,
    Clock,
    constant_time_equals,
    header_text,
    huawei_sign,
    parse_basic_date,
    parse_huawei_authorization,
    parse_query,
    parse_volc_authorization,
    sha256_hex,
    utc_now,
    volc_sign,
)

__all__ = [
    "DEFAULT_MAX_SKEW",
    "AuthFailure",
    "HuaweiKey",
    "HuaweiVerifier",
    "Principal",
    "VolcengineVerifier",
]

DEFAULT_MAX_SKEW = timedelta(minutes=15)
"""Huawei APIG documents ±15 min for X-Sdk-Date; Volcengine's X-Expires defaults to 900 s."""


@dataclass(frozen=True)
class AuthFailure:
    """Why a request was rejected, ready for the vendor's error envelope (`code_n` only for Volcengine)."""

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


@dataclass(frozen=True, repr=False)
class HuaweiKey:
    """The secret key and project that an access key belongs to on the emulated server."""

    sk: str
    project_id: str

    def __repr__(self) -> str:
        return f"HuaweiKey(sk='***', project_id={self.project_id!r})"


def _normalise_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case names; re-decode Latin-1 transport strings as the signer's text (see `header_text`)."""
    normalised: dict[str, str] = {}
    for name, value in headers.items():
        try:
            normalised[name.lower()] = header_text(value.encode("latin-1"))
        except UnicodeEncodeError:
            normalised[name.lower()] = value
    return normalised


def _text(raw: bytes | str) -> str:
    return header_text(raw) if isinstance(raw, bytes) else raw


def _missing_header(signed: Sequence[str], received: Mapping[str, str]) -> str | None:
    """The first header named in SignedHeaders that did not arrive (a client cannot sign what it did not send)."""
    return next((name for name in signed if name.lower() not in received), None)


def _outside(moment: datetime, now: datetime, max_skew: timedelta) -> bool:
    return abs(now - moment) > max_skew


# Huawei APIG answers every AK/SK problem with APIG.0301 / 401 ("Incorrect IAM authentication
# information"); we keep that code for all of them (missing, malformed, unknown key, stale date,
# bad signature, foreign X-Project-Id) and tell them apart by message only. Token problems use
# APIG.0307 / 401 ("The token must be updated"). Both codes per vendor docs; messages are ours.
_APIG_AKSK = "APIG.0301"
_APIG_TOKEN = "APIG.0307"
_IAM_PREFIX = "Incorrect IAM authentication information: "


def _huawei_failure(message: str) -> AuthFailure:
    return AuthFailure(401, _APIG_AKSK, _IAM_PREFIX + message)


class HuaweiVerifier:
    """Check Huawei AK/SK-signed (`Authorization`) or token (`X-Auth-Token`) requests.

    Order: Authorization present → AK/SK path, else X-Auth-Token → token path, else "missing"
    (APIG.0301). X-Sdk-Date must be present, well-formed and within `max_skew` of the clock; every
    header named in SignedHeaders must be present; X-Project-Id, when sent, must be the key's (or
    the token's) project. Security tokens of temporary credentials are not validated, only signed (an empty one is
    rejected).
    """

    def __init__(
        self,
        keys: Mapping[str, HuaweiKey],
        tokens: Mapping[str, str] | None = None,
        *,
        max_skew: timedelta = DEFAULT_MAX_SKEW,
        clock: Clock | None = None,
    ) -> None:
        self.keys = keys
        self.tokens: Mapping[str, str] = tokens or {}
        self.max_skew = max_skew
        self.clock: Clock = clock or utc_now

    def __repr__(self) -> str:
        return f"HuaweiVerifier(<{len(self.keys)} keys>, <{len(self.tokens)} tokens>, max_skew={self.max_skew!r})"

    def verify(
        self, method: str, raw_path: bytes | str, raw_query: bytes | str, headers: Mapping[str, str], body: bytes
    ) -> Principal | AuthFailure:
        """Verify one received request; `raw_path`/`raw_query` as on the wire (percent-encoded)."""
        received = _normalise_headers(headers)
        if received.get("x-security-token", "x").strip() == "":
            # Sent only with temporary credentials, whose token cannot be empty (the spec's minLength 1).
            return _huawei_failure("the X-Security-Token header is empty")
        authorization = received.get("authorization")
        if authorization is None:
            if "x-auth-token" in received:
                return self._verify_token(received)
            return _huawei_failure("the Authorization header is missing")
        parsed = parse_huawei_authorization(authorization)
        if parsed is None:
            return _huawei_failure("the Authorization header is malformed")
        sdk_date = received.get("x-sdk-date")
        if sdk_date is None:
            return _huawei_failure("the X-Sdk-Date header is missing")
        moment = parse_basic_date(sdk_date.strip())
        if moment is None:
            return _huawei_failure("the X-Sdk-Date header is malformed")
        key = self.keys.get(parsed.access_key)
        if key is None:
            return _huawei_failure("the access key is unknown")
        if _outside(moment, self.clock(), self.max_skew):
            return _huawei_failure("X-Sdk-Date is outside the allowed clock skew")
        missing = _missing_header(parsed.signed_headers, received)
        if missing:
            return _huawei_failure(f"signed header {missing} is missing")
        expected = huawei_sign(
            ak=parsed.access_key,
            sk=key.sk,
            method=method,
            raw_path=_text(raw_path),
            query=parse_query(raw_query),
            headers=received,
            body=body,
            signed_headers=parsed.signed_headers,
        )
        if not constant_time_equals(parsed.signature, expected.signature):
            return _huawei_failure("verify aksk signature fail")
        content_sha = received.get("x-sdk-content-sha256", "").strip()
        signed_names = {name.lower() for name in parsed.signed_headers}
        # A signed literal hash replaces the body hash in the canonical request, so it must be the body's.
        literal_hash = "x-sdk-content-sha256" in signed_names and body and content_sha not in ("", UNSIGNED_PAYLOAD)
        if literal_hash and not constant_time_equals(content_sha, sha256_hex(body)):
            return _huawei_failure("X-Sdk-Content-Sha256 does not match the body")
        if received.get("x-project-id", key.project_id).strip() != key.project_id:
            return _huawei_failure("X-Project-Id does not belong to the access key")
        return Principal("aksk", access_key=parsed.access_key, project_id=key.project_id)

    def _verify_token(self, received: Mapping[str, str]) -> Principal | AuthFailure:
        token = received["x-auth-token"].strip()
        project_id = self.tokens.get(token) if token else None
        if project_id is None:
            return AuthFailure(401, _APIG_TOKEN, "The token must be updated: X-Auth-Token is missing or invalid")
        if received.get("x-project-id", project_id).strip() != project_id:
            return AuthFailure(401, _APIG_TOKEN, "The token does not belong to the X-Project-Id project")
        return Principal("token", project_id=project_id)


def _volc_failure(code: str, message: str) -> AuthFailure:
    status, code_n = _VOLC_CODES[code]
    return AuthFailure(status, code, message, code_n)


_VOLC_CODES: dict[str, tuple[int, int]] = {
    # Volcengine Live common errors (docs 6469/1126806): code → (HTTP status, CodeN).
    "MissingRequestInfo": (400, 100004),
    "InvalidTimestamp": (400, 100006),
    "InvalidAccessKey": (401, 100009),
    "SignatureDoesNotMatch": (401, 100010),
}


class VolcengineVerifier:
    """Check Volcengine V4-signed requests.

    Missing/malformed Authorization or X-Date, or a signed header that is absent → MissingRequestInfo;
    unknown AK → InvalidAccessKey; X-Date beyond `max_skew` → InvalidTimestamp; a credential scope
    for another date/region/service, a signed X-Content-Sha256 that is not the body's hash, or a
    wrong signature → SignatureDoesNotMatch. Session tokens are covered by the signature but not
    validated.
    """

    def __init__(
        self,
        keys: Mapping[str, str],
        *,
        max_skew: timedelta = DEFAULT_MAX_SKEW,
        clock: Clock | None = None,
        region: str = "cn-north-1",
        service: str = "live",
    ) -> None:
        self.keys = keys
        self.max_skew = max_skew
        self.clock: Clock = clock or utc_now
        self.region = region
        self.service = service

    def __repr__(self) -> str:
        return f"VolcengineVerifier(<{len(self.keys)} keys>, region={self.region!r}, service={self.service!r})"

    def verify(
        self, method: str, raw_path: bytes | str, raw_query: bytes | str, headers: Mapping[str, str], body: bytes
    ) -> Principal | AuthFailure:
        """Verify one received request; `raw_path`/`raw_query` as on the wire (percent-encoded)."""
        received = _normalise_headers(headers)
        authorization, x_date = received.get("authorization"), received.get("x-date")
        if authorization is None or x_date is None:
            return _volc_failure("MissingRequestInfo", "the Authorization or X-Date header is missing")
        parsed = parse_volc_authorization(authorization)
        if parsed is None:
            return _volc_failure("MissingRequestInfo", "the Authorization header is malformed")
        moment = parse_basic_date(x_date)
        if moment is None:
            return _volc_failure("MissingRequestInfo", "the X-Date header is malformed")
        sk = self.keys.get(parsed.access_key)
        if sk is None:
            return _volc_failure("InvalidAccessKey", "the access key is unknown")
        if _outside(moment, self.clock(), self.max_skew):
            return _volc_failure("InvalidTimestamp", "X-Date is outside the allowed clock skew")
        missing = _missing_header(parsed.signed_headers, received)
        if missing:
            return _volc_failure("MissingRequestInfo", f"signed header {missing} is missing")
        if (parsed.short_date, parsed.region, parsed.service) != (x_date[:8], self.region, self.service):
            return _volc_failure("SignatureDoesNotMatch", "the credential scope does not match X-Date/region/service")
        expected = volc_sign(
            ak=parsed.access_key,
            sk=sk,
            region=self.region,
            service=self.service,
            method=method,
            raw_path=_text(raw_path),
            query=parse_query(raw_query),
            headers=received,
            body=body,
            signed_headers=parsed.signed_headers,
        )
        if not constant_time_equals(parsed.signature, expected.signature):
            return _volc_failure("SignatureDoesNotMatch", "the request signature does not match")
        if "x-content-sha256" in parsed.signed_headers and not constant_time_equals(
            received["x-content-sha256"], sha256_hex(body)
        ):
            return _volc_failure("SignatureDoesNotMatch", "X-Content-Sha256 does not match the body")
        return Principal("v4", access_key=parsed.access_key)
