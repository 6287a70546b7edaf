"""Server-side verification of Volcengine V4-signed requests, answered with Volcengine's common error codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from generator.runtime.signing import Clock, constant_time_equals, parse_basic_date, parse_query, sha256_hex, utc_now
from generator.runtime.verify import (
    DEFAULT_MAX_SKEW,
    AuthFailure,
    Principal,
    header_value,
    missing_header,
    normalise_headers,
    outside_skew,
    repeated_header,
)

from .signing import VolcAuthorization, parse_volc_authorization, volc_sign

__all__ = ["VolcengineVerifier"]


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


_CREDENTIAL_HEADERS = ("authorization", "x-date", "x-security-token", "x-content-sha256")
"""Headers that carry or qualify credentials: each must arrive at most once."""


@dataclass(frozen=True)
class _Signed:
    """A request whose headers passed every check: its signature, over the body too, decides."""

    authorization: VolcAuthorization
    sk: str


class VolcengineVerifier:
    """Check Volcengine V4-signed requests.

    Missing/malformed Authorization or X-Date, a signed header that is absent, or a credential or signed header
    sent more than once → MissingRequestInfo; unknown AK → InvalidAccessKey; X-Date beyond `max_skew` →
    InvalidTimestamp; a credential scope for another date/region/service, a signed X-Content-Sha256 that is not the
    body's hash, or a wrong signature → SignatureDoesNotMatch. Session tokens are covered by the signature but not
    validated. Everything but the signature is judged from the headers (`screen`), before the body is read.
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

    def screen(
        self, method: str, raw_path: bytes | str, raw_query: bytes | str, headers: Mapping[str, str]
    ) -> Principal | AuthFailure | None:
        """The failure the headers alone show; None when only the signature, which covers the body, is left."""
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
        parsed = checked.authorization
        expected = volc_sign(
            ak=parsed.access_key,
            sk=checked.sk,
            region=self.region,
            service=self.service,
            method=method,
            raw_path=header_value(raw_path),
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

    def _check_headers(self, headers: Mapping[str, str], received: Mapping[str, str]) -> AuthFailure | _Signed:
        """Every check the headers allow: `headers` as received (repeated names and all), `received` normalised."""
        repeated = repeated_header(headers, _CREDENTIAL_HEADERS)
        if repeated is not None:
            return _volc_failure("MissingRequestInfo", f"the {repeated} header is sent more than once")
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
        if outside_skew(moment, self.clock(), self.max_skew):
            return _volc_failure("InvalidTimestamp", "X-Date is outside the allowed clock skew")
        missing = missing_header(parsed.signed_headers, received)
        if missing:
            return _volc_failure("MissingRequestInfo", f"signed header {missing} is missing")
        repeated = repeated_header(headers, parsed.signed_headers)
        if repeated is not None:
            return _volc_failure("MissingRequestInfo", f"signed header {repeated} is sent more than once")
        if (parsed.short_date, parsed.region, parsed.service) != (x_date[:8], self.region, self.service):
            return _volc_failure("SignatureDoesNotMatch", "the credential scope does not match X-Date/region/service")
        return _Signed(parsed, sk)
