"""What the contract suite and the emulator need from the Huawei profile: credentials from the environment, the
command line or the emulator's local keys, a signer of fuzzed requests, and the client settings credentials fill."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth, HuaweiCredentials

if TYPE_CHECKING:
    from generator.emulator.credentials import LocalCredentials


@dataclass(frozen=True)
class HuaweiToken:
    """IAM token credentials (`X-Auth-Token`, and `X-Project-Id`), as the generated clients' `token=` sends them."""

    token: str
    project_id: str

    def __repr__(self) -> str:
        return f"HuaweiToken(token='***', project_id={self.project_id!r})"


class TokenSigner:
    """Signs nothing: sets the token headers, as `HuaweiTokenAuth` does (no X-Sdk-Date, no signature)."""

    def __init__(self, credentials: HuaweiToken) -> None:
        self.credentials = credentials

    def sign(self, request: httpx.Request) -> None:
        request.headers["X-Auth-Token"] = self.credentials.token
        if self.credentials.project_id:
            request.headers["X-Project-Id"] = self.credentials.project_id


Credentials = HuaweiCredentials | HuaweiToken


def credentials_from_env(environ: Mapping[str, str] | None = None) -> HuaweiCredentials:
    """The generated clients' variables (README, "Credentials")."""
    return HuaweiCredentials.from_env(environ)


def credentials_from_args(*, ak: str, sk: str, project_id: str | None, token: str | None) -> HuaweiCredentials:
    return HuaweiCredentials(ak, sk, project_id or "", token)


def local_credentials(local: LocalCredentials) -> HuaweiCredentials:
    """The emulator's first (default) local key."""
    key = local.huawei[0]
    return HuaweiCredentials(key.ak, key.sk, key.project_id)


def local_variants(local: LocalCredentials) -> dict[str, Credentials]:
    """Every way the emulator's local credentials authenticate, by name: AK/SK signing, and the IAM token of the
    default key's project when there is one (every Huawei operation accepts both)."""
    variants: dict[str, Credentials] = {"aksk": local_credentials(local)}
    project = local.huawei[0].project_id
    token = next((token for token, owner in local.huawei_tokens.items() if owner == project), None)
    if token is not None:
        variants["token"] = HuaweiToken(token, project)
    return variants


def verifier(local: LocalCredentials) -> Any:
    """The server-side check of requests signed with the emulator's local keys (the emulator and mocks use it)."""
    return local.huawei_verifier()


def signer(credentials: Credentials, document: Mapping[str, Any]) -> HuaweiAkSkAuth | TokenSigner:
    if isinstance(credentials, HuaweiToken):
        return TokenSigner(credentials)
    return HuaweiAkSkAuth(credentials)


def settings(credentials: Credentials) -> dict[str, str]:
    """Client settings the credentials fill (`x-client-setting`): the project id."""
    return {"project_id": credentials.project_id}


def secrets(credentials: Credentials) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(values never to print, identifiers to print masked)."""
    if isinstance(credentials, HuaweiToken):
        return (credentials.token,), ()
    return tuple(v for v in (credentials.sk, credentials.security_token) if v), (credentials.ak,)
