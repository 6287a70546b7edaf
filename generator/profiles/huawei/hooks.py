"""What the contract suite and the emulator need from the Huawei profile: credentials from the environment, the
command line or the emulator's local keys, a signer of fuzzed requests, and the client settings credentials fill."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth, HuaweiCredentials

if TYPE_CHECKING:
    from generator.emulator.credentials import LocalCredentials

Credentials = HuaweiCredentials


def credentials_from_env(environ: Mapping[str, str] | None = None) -> HuaweiCredentials:
    """The generated clients' variables (README, "Credentials")."""
    return HuaweiCredentials.from_env(environ)


def credentials_from_args(*, ak: str, sk: str, project_id: str | None, token: str | None) -> HuaweiCredentials:
    return HuaweiCredentials(ak, sk, project_id or "", token)


def local_credentials(local: LocalCredentials) -> HuaweiCredentials:
    """The emulator's first (default) local key."""
    key = local.huawei[0]
    return HuaweiCredentials(key.ak, key.sk, key.project_id)


def verifier(local: LocalCredentials) -> Any:
    """The server-side check of requests signed with the emulator's local keys (the emulator and mocks use it)."""
    return local.huawei_verifier()


def signer(credentials: HuaweiCredentials, document: Mapping[str, Any]) -> HuaweiAkSkAuth:
    return HuaweiAkSkAuth(credentials)


def settings(credentials: HuaweiCredentials) -> dict[str, str]:
    """Client settings the credentials fill (`x-client-setting`): the project id."""
    return {"project_id": credentials.project_id}


def secrets(credentials: HuaweiCredentials) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(values never to print, identifiers to print masked)."""
    return tuple(v for v in (credentials.sk, credentials.security_token) if v), (credentials.ak,)
