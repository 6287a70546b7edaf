"""What the contract suite and the emulator need from the Volcengine profile: credentials from the environment, the
command line or the emulator's local keys, a signer of fuzzed requests scoped as the spec says, and the client
settings credentials fill (none)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from generator.profiles.volcengine.runtime.auth import VolcengineCredentials, VolcengineV4Auth

if TYPE_CHECKING:
    from generator.emulator.credentials import LocalCredentials

Credentials = VolcengineCredentials


def credentials_from_env(environ: Mapping[str, str] | None = None) -> VolcengineCredentials:
    """The generated clients' variables (README, "Credentials")."""
    return VolcengineCredentials.from_env(environ)


def credentials_from_args(*, ak: str, sk: str, project_id: str | None, token: str | None) -> VolcengineCredentials:
    return VolcengineCredentials(ak, sk, token)


def local_credentials(local: LocalCredentials) -> VolcengineCredentials:
    """The emulator's first (default) local key."""
    key = local.volcengine[0]
    return VolcengineCredentials(key.ak, key.sk)


def verifier(local: LocalCredentials) -> Any:
    """The server-side check of requests signed with the emulator's local keys (the emulator and mocks use it)."""
    return local.volcengine_verifier()


def signer(credentials: VolcengineCredentials, document: Mapping[str, Any]) -> VolcengineV4Auth:
    """Signs in the scope the server verifies (`x-credential-scope`), whatever the credentials defaulted to."""
    for scheme in ((document.get("components") or {}).get("securitySchemes") or {}).values():
        scope = scheme.get("x-credential-scope") if isinstance(scheme, Mapping) else None
        if isinstance(scope, Mapping):
            credentials = replace(credentials, **{k: v for k, v in scope.items() if k in ("region", "service")})
    return VolcengineV4Auth(credentials)


def settings(credentials: VolcengineCredentials) -> dict[str, str]:
    return {}


def secrets(credentials: VolcengineCredentials) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(values never to print, identifiers to print masked)."""
    return tuple(v for v in (credentials.sk, credentials.session_token) if v), (credentials.ak,)
