# Vendored by streamspec (runtime module huawei/verify); do not edit.
"""Server-side verification of Huawei SDK-HMAC-SHA256 (AK/SK) and IAM-token requests, answered with APIG's codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from ..signing import Clock, constant_time_equals, parse_basic_date, parse_query, sha256_hex, utc_now
from ..verify import (
    DEFAULT_MAX_SKEW,
    AuthFailure,
    Principal,
    header_value,
    missing_header,
    normalise_headers,
    outside_skew,
    repeated_header,
)
from .signing import UNSIGNED_PAYLOAD, HuaweiAuthorization, huawei_sign, parse_huawei_authorization

__all__ = ["HuaweiKey", "HuaweiVerifier"]


@dataclass(frozen=True, repr=False)
class HuaweiKey:
    """The secret key and project that an access key belongs to on the emulated server."""

    sk: str
    project_id: str

    def __repr__(self) -> str:
        return f"HuaweiKey(sk='***', project_id={self.project_id!r})"


# Huawei APIG answers every AK/SK problem with APIG.0301 / 401 ("Incorrect IAM authentication
# information"); we keep that code for all of them (missing, malformed, unknown key, stale date,
# bad signature, foreign X-Project-Id) and tell them apart by message only. Token problems use
# APIG.0307 / 401 ("The token must be updated"). Both codes per vendor docs; messages are ours.
_APIG_AKSK = "APIG.0301"


_APIG_TOKEN = "APIG.0307"


_IAM_PREFIX = "Incorrect IAM authentication information: "


def _huawei_failure(message: str) -> AuthFailure:
    return AuthFailure(401, _APIG_AKSK, _IAM_PREFIX + message)


_CREDENTIAL_HEADERS = (
    "authorization",
    "x-auth-token",
    "x-security-token",
    "x-sdk-date",
    "x-project-id",
    "x-sdk-content-sha256",
)
"""Headers that carry or qualify credentials: each must arrive at most once."""


@dataclass(frozen=True)
class _Signed:
    """An AK/SK request whose headers passed every check: its signature, over the body too, decides."""

    authorization: HuaweiAuthorization
    key: HuaweiKey


class HuaweiVerifier:
    """Check Huawei AK/SK-signed (`Authorization`) or token (`X-Auth-Token`) requests.

    Order: Authorization present → AK/SK path, else X-Auth-Token → token path, else "missing"
    (APIG.0301). X-Sdk-Date must be present, well-formed and within `max_skew` of the clock; every
    header named in SignedHeaders must be present; X-Project-Id, when sent, must be the key's (or
    the token's) project. Security tokens of temporary credentials are not validated, only signed (an empty one is
    rejected). A credential header, or a signed one, sent more than once is rejected. Everything but the signature is
    judged from the headers (`screen`), before the body is read.
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

    def screen(
        self, method: str, raw_path: bytes | str, raw_query: bytes | str, headers: Mapping[str, str]
    ) -> Principal | AuthFailure | None:
        """The verdict of the headers alone: a token request's, or an AK/SK request's failure; None when only the
        signature, which covers the body, is left to check."""
        checked = self._check_headers(headers, normalise_headers(headers))
        return None if isinstance(checked, _Signed) else checked

    def verify(
        self, method: str, raw_path: bytes | str, raw_query: bytes | str, headers: Mapping[str, str], body: bytes
    ) -> Principal | AuthFailure:
        """Verify one received request; `raw_path`/`raw_query` as on the wire (percent-encoded)."""
        received = normalise_headers(headers)
        checked = self._check_headers(headers, received)
        if not isinstance(checked, _Signed):
            return checked
        parsed, key = checked.authorization, checked.key
        expected = huawei_sign(
            ak=parsed.access_key,
            sk=key.sk,
            method=method,
            raw_path=header_value(raw_path),
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
        return Principal("aksk", access_key=parsed.access_key, project_id=key.project_id)

    def _check_headers(
        self, headers: Mapping[str, str], received: Mapping[str, str]
    ) -> Principal | AuthFailure | _Signed:
        """Every check the headers allow: `headers` as received (repeated names and all), `received` normalised."""
        repeated = repeated_header(headers, _CREDENTIAL_HEADERS)
        if repeated is not None:
            return _huawei_failure(f"the {repeated} header is sent more than once")
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
        if outside_skew(moment, self.clock(), self.max_skew):
            return _huawei_failure("X-Sdk-Date is outside the allowed clock skew")
        missing = missing_header(parsed.signed_headers, received)
        if missing:
            return _huawei_failure(f"signed header {missing} is missing")
        repeated = repeated_header(headers, parsed.signed_headers)
        if repeated is not None:
            return _huawei_failure(f"signed header {repeated} is sent more than once")
        if received.get("x-project-id", key.project_id).strip() != key.project_id:
            return _huawei_failure("X-Project-Id does not belong to the access key")
        return _Signed(parsed, key)

    def _verify_token(self, received: Mapping[str, str]) -> Principal | AuthFailure:
        token = received["x-auth-token"].strip()
        project_id = self.tokens.get(token) if token else None
        if project_id is None:
            return AuthFailure(401, _APIG_TOKEN, "The token must be updated: X-Auth-Token is missing or invalid")
        if received.get("x-project-id", project_id).strip() != project_id:
            return AuthFailure(401, _APIG_TOKEN, "The token does not belong to the X-Project-Id project")
        return Principal("token", project_id=project_id)
