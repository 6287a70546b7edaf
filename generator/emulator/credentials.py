"""The local credentials the emulators accept, and who (which tenant) a verified request acts as.

The defaults below are public on purpose: they only open the local emulators, never a vendor account, and two of
each let tests and users see that tenants are isolated. Replace them with a JSON file named by
`STREAMSPEC_EMULATOR_CREDENTIALS` (or passed to `LocalCredentials.from_file`):

    {"huawei": [{"ak": "...", "sk": "...", "project_id": "..."}],
     "huawei_tokens": {"<X-Auth-Token value>": "<project_id>"},
     "volcengine": [{"ak": "...", "sk": "...", "account": "..."}]}

Tenancy: Huawei state belongs to a project (the signing key's project, which must also be the `{project_id}` of
the path); Volcengine state belongs to the account that owns the access key. Without a verifier (tests of
handlers alone) the path project, or `DEFAULT_ACCOUNT`, is the tenant.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from generator.profiles.huawei.runtime.verify import HuaweiKey, HuaweiVerifier
from generator.profiles.volcengine.runtime.verify import VolcengineVerifier
from generator.runtime.verify import Principal

if TYPE_CHECKING:
    from .store import Store

__all__ = [
    "CREDENTIALS_ENV",
    "DEFAULT_ACCOUNT",
    "DEFAULT_CREDENTIALS",
    "ErrorFactory",
    "HuaweiLocalKey",
    "HuaweiTenancy",
    "LocalCredentials",
    "Tenancy",
    "VolcengineLocalKey",
    "huawei_tenant",
]

CREDENTIALS_ENV = "STREAMSPEC_EMULATOR_CREDENTIALS"
DEFAULT_ACCOUNT = "2100000000"


@dataclass(frozen=True, repr=False)
class _LocalKey:
    ak: str
    sk: str

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={'***' if f.name == 'sk' else getattr(self, f.name)!r}" for f in fields(self))
        return f"{type(self).__name__}({shown})"


@dataclass(frozen=True, repr=False)
class HuaweiLocalKey(_LocalKey):
    project_id: str


@dataclass(frozen=True, repr=False)
class VolcengineLocalKey(_LocalKey):
    account: str


@dataclass(frozen=True)
class LocalCredentials:
    """Every key the emulators accept; the first of each vendor is the default one."""

    huawei: tuple[HuaweiLocalKey, ...]
    volcengine: tuple[VolcengineLocalKey, ...]
    huawei_tokens: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.huawei or not self.volcengine:
            raise ValueError("LocalCredentials needs at least one Huawei and one Volcengine key")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> LocalCredentials:
        return cls(
            huawei=tuple(HuaweiLocalKey(k["ak"], k["sk"], k["project_id"]) for k in data["huawei"]),
            volcengine=tuple(VolcengineLocalKey(k["ak"], k["sk"], k["account"]) for k in data["volcengine"]),
            huawei_tokens=dict(data.get("huawei_tokens", {})),
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> LocalCredentials:
        return cls.from_mapping(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LocalCredentials:
        """The file named by STREAMSPEC_EMULATOR_CREDENTIALS, else the built-in defaults."""
        path = (os.environ if environ is None else environ).get(CREDENTIALS_ENV)
        return cls.from_file(path) if path else DEFAULT_CREDENTIALS

    @property
    def default_project(self) -> str:
        return self.huawei[0].project_id

    @property
    def default_account(self) -> str:
        return self.volcengine[0].account

    def huawei_verifier(self) -> HuaweiVerifier:
        keys = {k.ak: HuaweiKey(k.sk, k.project_id) for k in self.huawei}
        return HuaweiVerifier(keys, self.huawei_tokens)

    def volcengine_verifier(self) -> VolcengineVerifier:
        return VolcengineVerifier({k.ak: k.sk for k in self.volcengine})

    def volcengine_account(self, principal: object) -> str:
        """The account a Volcengine request acts as (unknown keys cannot get here: the verifier rejects them)."""
        if isinstance(principal, Principal):
            if principal.account:
                return principal.account
            for key in self.volcengine:
                if key.ak == principal.access_key:
                    return key.account
        return DEFAULT_ACCOUNT if principal is None else str(principal)

    def describe(self) -> list[str]:
        """Human-readable lines for `serve` to print: these are local, public test credentials."""
        lines = [f"  Huawei AK {k.ak}  SK {k.sk}  project {k.project_id}" for k in self.huawei]
        lines += [f"  Huawei token {token}  project {project}" for token, project in self.huawei_tokens.items()]
        lines += [f"  Volcengine AK {k.ak}  SK {k.sk}  account {k.account}" for k in self.volcengine]
        return lines


DEFAULT_CREDENTIALS = LocalCredentials(
    huawei=(
        HuaweiLocalKey(
            "STREAMSPECLOCALAK000", "streamspec-local-secret-key-0000000000", "0000000000000000000000000000local"
        ),
        HuaweiLocalKey(
            "STREAMSPECLOCALAK001", "streamspec-local-secret-key-0000000001", "0000000000000000000000000000othr"
        ),
    ),
    volcengine=(
        VolcengineLocalKey("AKLTstreamspeclocal000", "streamspec-local-volc-secret-key-000", DEFAULT_ACCOUNT),
        VolcengineLocalKey("AKLTstreamspeclocal001", "streamspec-local-volc-secret-key-001", "2100000001"),
    ),
    huawei_tokens={
        "streamspec-local-token-000": "0000000000000000000000000000local",
        "streamspec-local-token-001": "0000000000000000000000000000othr",
    },
)


class ErrorFactory(Protocol):
    """What builds the error a handler raises: each generated package has its own `ServiceError` class."""

    def __call__(self, status: int, code: str, message: str) -> Exception: ...


def huawei_tenant(principal: object, path_project_id: str, error: ErrorFactory) -> str:
    """The project a Huawei request acts on: the credentials' project, which the path must name.

    A signed request for another project's path is refused as the gateway refuses credentials that do not belong
    to the project (APIG.0301 for AK/SK, APIG.0307 for tokens, both 401: the codes `verify.py` uses for an
    `X-Project-Id` of another project).
    """
    if not isinstance(principal, Principal) or principal.project_id is None:
        return path_project_id
    if principal.project_id != path_project_id:
        code, prefix = (
            ("APIG.0307", "The token must be updated")
            if principal.scheme == "token"
            else ("APIG.0301", "Incorrect IAM authentication information")
        )
        raise error(401, code, f"{prefix}: the credentials do not belong to project {path_project_id}")
    return principal.project_id


class Tenancy:
    """What every emulator holds: the store its state lives in and the credentials that say whose it is."""

    def __init__(self, store: Store, credentials: LocalCredentials = DEFAULT_CREDENTIALS) -> None:
        self.store = store
        self.credentials = credentials


class HuaweiTenancy(Tenancy):
    """A Huawei emulator: its state belongs to projects."""

    def tenant_of(self, principal: object) -> str:
        """The credentials' project (the default project for a request no verifier checked)."""
        if isinstance(principal, Principal) and principal.project_id:
            return principal.project_id
        return self.credentials.default_project
