"""Client-side credentials and request signing for the generated clients.

The signers are `httpx.Auth` flows so that every request httpx sends (including one a caller
re-sends) is signed at send time, over the exact bytes and URL that go on the wire. The
canonicalisation lives in `signing.py`, shared with the server-side verifiers.

Credentials never show their secrets: repr/str mask the access key and hide SK and tokens, and
error messages name environment variables, never their values.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from .signing import (
    Clock,
    format_basic_date,
    header_text,
    huawei_canonical_query,
    huawei_sign,
    parse_basic_date,
    parse_query,
    sha256_hex,
    utc_now,
    volc_sign,
)

__all__ = [
    "Clock",
    "CredentialsError",
    "HuaweiAkSkAuth",
    "HuaweiCredentials",
    "HuaweiTokenAuth",
    "VolcengineCredentials",
    "VolcengineV4Auth",
    "mask",
    "utc_now",
]

# Environment variable families, highest precedence first: (access key, secret key, token).
# A key pair and its temporary token are only valid together, so all three come from one family.
HUAWEI_ENV_FAMILIES: tuple[tuple[str, str, str | None], ...] = (
    ("STREAMSPEC_HUAWEI_AK", "STREAMSPEC_HUAWEI_SK", "STREAMSPEC_HUAWEI_SECURITY_TOKEN"),
    # huaweicloudsdkcore's EnvCredentialProvider names
    ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"),
    ("CLOUD_SDK_AK", "CLOUD_SDK_SK", None),  # the vendor's code samples
)
HUAWEI_PROJECT_ENV: tuple[str, ...] = ("STREAMSPEC_HUAWEI_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")
VOLC_ENV_FAMILIES: tuple[tuple[str, str, str | None], ...] = (
    ("STREAMSPEC_VOLC_AK", "STREAMSPEC_VOLC_SK", "STREAMSPEC_VOLC_SESSION_TOKEN"),
    # volcengine 1.0.229 `Service.init()` reads VOLC_ACCESSKEY/VOLC_SECRETKEY but no token variable;
    # VOLC_SESSION_TOKEN is accepted as the matching conventional name.
    ("VOLC_ACCESSKEY", "VOLC_SECRETKEY", "VOLC_SESSION_TOKEN"),
    ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", None),  # the vendor's Python SDK guide samples
)

_OWNED_HEADERS = "streamspec.auth.owned_headers"
"""Request extension recording the headers a signer added, so a re-sent request is re-signed afresh."""


class CredentialsError(ValueError):
    """Credentials are missing or incomplete; the message names variables, never values."""


def mask(secret: str) -> str:
    """Show an identifier's first 4 characters only when that still hides most of it."""
    return secret[:4] + "***" if len(secret) >= 8 else "***"


def _env_credentials(
    environ: Mapping[str, str], families: tuple[tuple[str, str, str | None], ...], vendor: str
) -> tuple[str, str, str | None]:
    """Pick the first family that is set; a half-set family is an error rather than a silent mix-up."""
    for ak_name, sk_name, token_name in families:
        ak, sk = environ.get(ak_name, ""), environ.get(sk_name, "")
        if not ak and not sk:
            continue
        if not ak or not sk:
            present, missing = (ak_name, sk_name) if ak else (sk_name, ak_name)
            raise CredentialsError(f"{present} is set but {missing} is not: set both or neither")
        token = environ.get(token_name, "") if token_name else ""
        return ak, sk, token or None
    names = "; ".join(f"{ak_name} and {sk_name}" for ak_name, sk_name, _ in families)
    raise CredentialsError(f"No {vendor} credentials in the environment: set {names} (in order of precedence)")


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
        ak, sk, token = _env_credentials(env, HUAWEI_ENV_FAMILIES, "Huawei Cloud")
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
        ak, sk, token = _env_credentials(os.environ if environ is None else environ, VOLC_ENV_FAMILIES, "Volcengine")
        return cls(ak, sk, token, region, service)

    def __repr__(self) -> str:
        token = "'***'" if self.session_token else "None"
        return (
            f"VolcengineCredentials(ak={mask(self.ak)!r}, sk='***', session_token={token}, "
            f"region={self.region!r}, service={self.service!r})"
        )


def _wire_headers(request: httpx.Request) -> dict[str, str]:
    """Header names lower-cased with their values as the peer will decode them (see `header_text`)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in request.headers.raw:
        name, value = raw_name.decode("latin-1").lower(), header_text(raw_value)
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _raw_path(request: httpx.Request) -> str:
    """The percent-encoded path exactly as it goes on the wire, without the query."""
    return request.url.raw_path.partition(b"?")[0].decode("ascii")


_Credentials = TypeVar("_Credentials", HuaweiCredentials, VolcengineCredentials)


class _SigningAuth(httpx.Auth, Generic[_Credentials]):
    """Signs in `auth_flow`, after dropping what an earlier signing of the same request added."""

    requires_request_body = True

    def __init__(self, credentials: _Credentials, clock: Clock | None = None) -> None:
        self.credentials: _Credentials = credentials
        self.clock: Clock = clock or utc_now

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.credentials!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def sign(self, request: httpx.Request) -> None:
        """Sign `request` in place (also usable without an httpx client)."""
        previous: dict[str, str] = request.extensions.get(_OWNED_HEADERS, {})
        for name, value in previous.items():
            if request.headers.get(name) == value:
                del request.headers[name]
        added = self._signature_headers(request)
        for name, value in added.items():
            request.headers[name] = value
        request.extensions[_OWNED_HEADERS] = added

    def _signature_headers(self, request: httpx.Request) -> dict[str, str]:
        raise NotImplementedError


class HuaweiAkSkAuth(_SigningAuth[HuaweiCredentials]):
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

        headers = _wire_headers(request) | {name.lower(): value for name, value in added.items()}
        headers.setdefault("host", request.url.netloc.decode("ascii"))
        to_sign = {name: value for name, value in headers.items() if _huawei_selects(name)}
        # The SDK sends signed values stripped; do the same so that strict HTTP stacks accept them.
        request.headers = httpx.Headers(
            [
                (k, v.strip(b" \t") if _huawei_selects(k.decode("latin-1").lower()) else v)
                for k, v in request.headers.raw
            ]
        )

        query = parse_query(request.url.query)
        signed = huawei_sign(
            ak=creds.ak,
            sk=creds.sk,
            method=request.method,
            raw_path=_raw_path(request),
            query=query,
            headers=to_sign,
            body=request.content,
        )
        request.url = request.url.copy_with(query=huawei_canonical_query(query).encode("ascii") or None)
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


class VolcengineV4Auth(_SigningAuth[VolcengineCredentials]):
    """Volcengine HMAC-SHA256 (V4) signing equal to `SignerV4.sign` for the same request.

    Always sets a fresh X-Date and X-Content-Sha256 (SHA-256 of the body, also for an empty one),
    X-Security-Token for STS credentials, then Authorization. Signs Content-Type, Content-Md5, Host
    and X-* headers. The query is sent as the caller built it (the SDK also sends its own
    urlencoded form and signs the canonical one); the verifier decodes it the same way.
    """

    def _signature_headers(self, request: httpx.Request) -> dict[str, str]:
        creds = self.credentials
        added = {"X-Date": format_basic_date(self.clock()), "X-Content-Sha256": sha256_hex(request.content)}
        if creds.session_token:
            added["X-Security-Token"] = creds.session_token
        headers = _wire_headers(request) | {name.lower(): value for name, value in added.items()}
        headers.setdefault("host", request.url.netloc.decode("ascii"))
        signed = volc_sign(
            ak=creds.ak,
            sk=creds.sk,
            region=creds.region,
            service=creds.service,
            method=request.method,
            raw_path=_raw_path(request),
            query=parse_query(request.url.query),
            headers=headers,
            body=request.content,
        )
        added["Authorization"] = signed.authorization
        return added
