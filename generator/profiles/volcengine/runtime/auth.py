"""Volcengine credentials and request signing for the generated clients: AK/SK (optionally STS) with HMAC-SHA256 V4.

The signer is an `httpx.Auth` flow so that every request httpx sends (including one a caller re-sends) is signed at
send time, over the exact bytes and URL that go on the wire; the canonicalisation lives in `signing.py`, shared
with the server-side verifier. `client_auth` turns a generated client's credential arguments into its auth flow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from generator.runtime.auth import CredentialsError, ResolvedAuth, key_pair_from_env, mask
from generator.runtime.signing import SigningAuth, format_basic_date, raw_path, sha256_hex, wire_headers, wire_query

from .signing import volc_is_signed_header, volc_sign, volc_signing_key

__all__ = [
    "VOLC_ENV_FAMILIES",
    "CredentialsError",
    "VolcengineCredentials",
    "VolcengineV4Auth",
    "client_auth",
]

VOLC_ENV_FAMILIES: tuple[tuple[str, str, str | None], ...] = (
    ("STREAMSPEC_VOLC_AK", "STREAMSPEC_VOLC_SK", "STREAMSPEC_VOLC_SESSION_TOKEN"),
    # volcengine 1.0.229 `Service.init()` reads VOLC_ACCESSKEY/VOLC_SECRETKEY but no token variable;
    # VOLC_SESSION_TOKEN is accepted as the matching conventional name.
    ("VOLC_ACCESSKEY", "VOLC_SECRETKEY", "VOLC_SESSION_TOKEN"),
    ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", None),  # the vendor's Python SDK guide samples
)


@dataclass(frozen=True, repr=False)
class VolcengineCredentials:
    """Volcengine AK/SK (optionally STS, with a session token) plus the region/service of the scope."""

    ak: str
    sk: str
    session_token: str | None = None
    region: str = "cn-north-1"
    service: str = "live"

    def __post_init__(self) -> None:
        if not (self.ak and self.sk and self.region and self.service):
            raise CredentialsError("VolcengineCredentials needs a non-empty ak, sk, region and service")

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, region: str = "cn-north-1", service: str = "live"
    ) -> VolcengineCredentials:
        """Read STREAMSPEC_VOLC_*, then VOLC_ACCESSKEY/SECRETKEY(/SESSION_TOKEN), then ACCESS_KEY_ID/SECRET."""
        ak, sk, token = key_pair_from_env(os.environ if environ is None else environ, VOLC_ENV_FAMILIES, "Volcengine")
        return cls(ak, sk, token, region, service)

    def __repr__(self) -> str:
        token = "'***'" if self.session_token else "None"
        return (
            f"VolcengineCredentials(ak={mask(self.ak)!r}, sk='***', session_token={token}, "
            f"region={self.region!r}, service={self.service!r})"
        )


class VolcengineV4Auth(SigningAuth[VolcengineCredentials]):
    """Volcengine HMAC-SHA256 (V4) signing equal to `SignerV4.sign` for the same request.

    Always sets a fresh X-Date and X-Content-Sha256 (SHA-256 of the body, also for an empty one),
    X-Security-Token for STS credentials, then Authorization. Signs Content-Type, Content-Md5, Host
    and X-* headers. The query is sent as the caller built it (the SDK also sends its own
    urlencoded form and signs the canonical one); the verifier decodes it the same way.
    """

    _key: tuple[tuple[str, str, str, str], bytes] | None = None
    """The last signing key derived, with what it was derived from: derived once a day, not once a request."""

    def _signing_key(self, x_date: str) -> bytes:
        creds = self.credentials
        scope = (x_date[:8], creds.sk, creds.region, creds.service)
        if self._key is None or self._key[0] != scope:
            self._key = (scope, volc_signing_key(creds.sk, scope[0], creds.region, creds.service))
        return self._key[1]

    def _signature_headers(self, request: httpx.Request) -> dict[str, str]:
        creds = self.credentials
        x_date = format_basic_date(self.clock())
        payload_hash = sha256_hex(request.content)
        added = {"X-Date": x_date, "X-Content-Sha256": payload_hash}
        if creds.session_token:
            added["X-Security-Token"] = creds.session_token
        headers = wire_headers(request, volc_is_signed_header)
        for name, value in added.items():
            headers[name.lower()] = value
        if "host" not in headers:
            headers["host"] = request.url.netloc.decode("ascii")
        signed = volc_sign(
            ak=creds.ak,
            sk=creds.sk,
            region=creds.region,
            service=creds.service,
            method=request.method,
            raw_path=raw_path(request),
            query=wire_query(request),
            headers=headers,
            body=request.content,
            signing_key=self._signing_key(x_date),
            payload_hash=payload_hash,
        )
        added["Authorization"] = signed.authorization
        return added


def client_auth(*, credentials: VolcengineCredentials | None, region: str, service: str) -> ResolvedAuth:
    """A generated client's auth: `credentials`, else credentials from the environment
    (`VolcengineCredentials.from_env`), else none (the vendor answers 401, which raises `AuthenticationError`).
    Credentials from the environment are scoped to the spec's `region` and `service`."""
    if credentials is None:
        try:
            credentials = VolcengineCredentials.from_env(region=region, service=service)
        except CredentialsError:
            credentials = None
    return ResolvedAuth(VolcengineV4Auth(credentials) if credentials is not None else None)
