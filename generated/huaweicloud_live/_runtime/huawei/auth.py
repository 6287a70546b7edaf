# Vendored by streamspec (runtime module huawei/auth); do not edit.
"""Huawei Cloud credentials and request signing for the generated clients: AK/SK (SDK-HMAC-SHA256) and IAM tokens.

The signers are `httpx.Auth` flows so that every request httpx sends (including one a caller re-sends) is signed at
send time, over the exact bytes and URL that go on the wire; the canonicalisation lives in `signing.py`, shared
with the server-side verifier. `client_auth` turns a generated client's credential arguments into its auth flow and
the project id it fills into paths.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass

import httpx

from ..auth import CredentialsError, ResolvedAuth, key_pair_from_env, mask
from ..signing import (
    SigningAuth,
    format_basic_date,
    parse_basic_date,
    parse_query,
    raw_path,
    wire_headers,
)
from .signing import huawei_canonical_query, huawei_sign

__all__ = [
    "HUAWEI_ENV_FAMILIES",
    "HUAWEI_PROJECT_ENV",
    "CredentialsError",
    "HuaweiAkSkAuth",
    "HuaweiCredentials",
    "HuaweiTokenAuth",
    "client_auth",
]

# Environment variable families, highest precedence first: (access key, secret key, token).
HUAWEI_ENV_FAMILIES: tuple[tuple[str, str, str | None], ...] = (
    ("STREAMSPEC_HUAWEI_AK", "STREAMSPEC_HUAWEI_SK", "STREAMSPEC_HUAWEI_SECURITY_TOKEN"),
    # huaweicloudsdkcore's EnvCredentialProvider names
    ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"),
    ("CLOUD_SDK_AK", "CLOUD_SDK_SK", None),  # the vendor's code samples
)


HUAWEI_PROJECT_ENV: tuple[str, ...] = ("STREAMSPEC_HUAWEI_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")


@dataclass(frozen=True, repr=False)
class HuaweiCredentials:
    """Huawei Cloud AK/SK (optionally temporary, with a security token) bound to one project."""

    ak: str
    sk: str
    project_id: str
    security_token: str | None = None

    def __post_init__(self) -> None:
        if not (self.ak and self.sk and self.project_id):
            raise CredentialsError("HuaweiCredentials needs a non-empty ak, sk and project_id")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HuaweiCredentials:
        """Read STREAMSPEC_HUAWEI_*, then HUAWEICLOUD_SDK_*, then CLOUD_SDK_AK/SK (which has no project id)."""
        env = os.environ if environ is None else environ
        ak, sk, token = key_pair_from_env(env, HUAWEI_ENV_FAMILIES, "Huawei Cloud")
        project_id = next((env[name] for name in HUAWEI_PROJECT_ENV if env.get(name)), "")
        if not project_id:
            names = " or ".join(HUAWEI_PROJECT_ENV)
            raise CredentialsError(f"No Huawei Cloud project id in the environment: set {names}")
        return cls(ak, sk, project_id, token)

    def __repr__(self) -> str:
        token = "'***'" if self.security_token else "None"
        return (
            f"HuaweiCredentials(ak={mask(self.ak)!r}, sk='***', project_id={self.project_id!r}, security_token={token})"
        )


class HuaweiAkSkAuth(SigningAuth[HuaweiCredentials]):
    """SDK-HMAC-SHA256 signing that yields the official SDK's Authorization for the same request.

    Signed headers — chosen to equal what the SDK has at signing time: Content-Type, Host,
    User-Agent and every `X-*` header present (X-Project-Id, X-Sdk-Date, X-Security-Token,
    X-Sdk-Content-Sha256 and any the caller set), minus names containing `_` (SDK rule). Headers
    httpx adds for transport (Accept, Accept-Encoding, Connection, Content-Length) are not signed,
    as `requests` adds them after the SDK signs. Values of signed headers are sent stripped.

    Like the SDK it reuses a caller-set X-Sdk-Date (one it set itself is renewed on re-send), sends
    `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for non-JSON/BSON content types, and rewrites the
    query to the canonical query string so that what is sent is what was signed.
    """

    def _signature_headers(self, request: httpx.Request) -> dict[str, str]:
        creds = self.credentials
        added = {"X-Project-Id": creds.project_id}
        if creds.security_token:
            added["X-Security-Token"] = creds.security_token
        existing_date = request.headers.get("X-Sdk-Date")
        if existing_date is None:
            added["X-Sdk-Date"] = format_basic_date(self.clock())
        elif parse_basic_date(existing_date.strip()) is None:
            raise ValueError("X-Sdk-Date must have the form YYYYMMDDTHHMMSSZ")
        content_type = request.headers.get("Content-Type")
        if content_type and not content_type.startswith(("application/json", "application/bson")):
            added["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD"

        headers = wire_headers(request) | {name.lower(): value for name, value in added.items()}
        headers.setdefault("host", request.url.netloc.decode("ascii"))
        to_sign = {name: value for name, value in headers.items() if _huawei_selects(name)}
        # The SDK sends signed values stripped; do the same so that strict HTTP stacks accept them (rebuilding the
        # headers costs much of a signature: only when a signed value has blanks to strip).
        raw = request.headers.raw
        if any(v != v.strip(b" \t") and _huawei_selects(k.decode("latin-1").lower()) for k, v in raw):
            request.headers = httpx.Headers(
                [(k, v.strip(b" \t") if _huawei_selects(k.decode("latin-1").lower()) else v) for k, v in raw]
            )

        query = parse_query(request.url.query)
        signed = huawei_sign(
            ak=creds.ak,
            sk=creds.sk,
            method=request.method,
            raw_path=raw_path(request),
            query=query,
            headers=to_sign,
            body=request.content,
        )
        canonical = huawei_canonical_query(query).encode("ascii")
        if request.url.query != canonical or (not canonical and b"?" in request.url.raw_path):
            request.url = request.url.copy_with(query=canonical or None)  # re-parsing a URL is costly: only if needed
        added["Authorization"] = signed.authorization
        return added


def _huawei_selects(lower_name: str) -> bool:
    """Which present headers HuaweiAkSkAuth signs (see its docstring)."""
    return lower_name in ("content-type", "host", "user-agent") or lower_name.startswith("x-")


class HuaweiTokenAuth(httpx.Auth):
    """IAM token authentication: `X-Auth-Token` (+ `X-Project-Id` when a project is given); no signing."""

    def __init__(self, token: str, project_id: str | None = None) -> None:
        if not token:
            raise CredentialsError("HuaweiTokenAuth needs a non-empty token")
        self._token = token
        self.project_id = project_id

    def __repr__(self) -> str:
        return f"HuaweiTokenAuth(token='***', project_id={self.project_id!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Auth-Token"] = self._token
        if self.project_id:
            request.headers["X-Project-Id"] = self.project_id
        yield request


def client_auth(*, credentials: HuaweiCredentials | None, token: str | None, project_id: str | None) -> ResolvedAuth:
    """A generated client's auth: `token` (X-Auth-Token) if given, else AK/SK `credentials`, else credentials from
    the environment (`HuaweiCredentials.from_env`), else none (the vendor answers 401, which raises
    `AuthenticationError`). The project id fills `{project_id}` in paths: `project_id`, else the credentials'."""
    if token is None and credentials is None:
        try:
            credentials = HuaweiCredentials.from_env()
        except CredentialsError:
            credentials = None
    auth: httpx.Auth | None = None
    if token is not None:
        auth = HuaweiTokenAuth(token, project_id)
    elif credentials is not None:
        auth = HuaweiAkSkAuth(credentials)
    project = project_id or (credentials.project_id if credentials is not None else None)
    return ResolvedAuth(auth, {"project_id": project})
