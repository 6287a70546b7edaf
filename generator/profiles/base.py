"""What a vendor profile is: the records the core reads to generate a vendor's clients, servers and receivers.

A profile owns its vendor's behaviour (signing and verification, error envelope, credential sources, RPC dispatch,
webhook signature schemes, emulator and contract hooks) and hands the core decisions as data: import lines,
constructor parameters, expressions to render. The core never asks which vendor it has; it asks the profile the
spec selected (`generator.profiles.resolve`).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    import httpx

    from generator.emulator.credentials import LocalCredentials
    from generator.errors import Problem
    from generator.ir import Api
    from generator.loader import LoadedSpec


class Signer(Protocol):
    """Signs a request in place (the runtime's signing `httpx.Auth` flows do)."""

    def sign(self, request: httpx.Request) -> None: ...


class ContractHooks(Protocol):
    """What the contract suite (`fuzz`) and the emulator ask of a profile that signs requests.

    A profile's `hooks.py` module provides these as functions; credentials are the profile's own credential type.
    """

    def credentials_from_env(self, environ: Mapping[str, str] | None = None) -> Any: ...

    def credentials_from_args(self, *, ak: str, sk: str, project_id: str | None, token: str | None) -> Any: ...

    def local_credentials(self, local: LocalCredentials) -> Any: ...

    def signer(self, credentials: Any, document: Mapping[str, Any]) -> Signer: ...

    def verifier(self, local: LocalCredentials) -> Any:
        """The generated server's `Verifier` accepting the emulator's local keys (emulators and mocks use it)."""
        ...

    def settings(self, credentials: Any) -> dict[str, str]:
        """Client settings (`x-client-setting`) the credentials fill."""
        ...

    def secrets(self, credentials: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(values never to print, identifiers printed masked)."""
        ...


@dataclass(frozen=True)
class Param:
    """A keyword argument of a generated function: its name, annotation and default (Python source)."""

    name: str
    annotation: str
    default: str | None = "None"
    """`None` (the Python value, not the text): the argument is required."""

    def render(self) -> str:
        return f"{self.name}: {self.annotation}" + (f" = {self.default}" if self.default is not None else "")


@dataclass(frozen=True)
class ClientParts:
    """How generated clients authenticate and read errors for one profile."""

    imports: tuple[str, ...]
    """Import lines of `client.py` (relative to the package)."""
    params: tuple[Param, ...]
    """Credential arguments of `Client` and `AsyncClient`, beside `auth`."""
    resolve: str
    """An expression over `params` giving the `_runtime.auth.ResolvedAuth` (auth flow and client settings)."""
    envelope: str
    """An expression giving the client's `ErrorEnvelope`."""
    doc: str
    """How a client authenticates, for its docstring."""
    preamble: str = ""
    """Module-level definitions `resolve` needs."""
    exports: tuple[str, ...] = ()
    """Names of `client.py`'s namespace the package's `__init__` re-exports (the credential classes)."""


@dataclass(frozen=True)
class ServerParts:
    """How generated servers answer for one profile."""

    imports: tuple[str, ...]
    envelope: str
    """An expression giving the server's `ServerEnvelope`."""
    invalid_code: str
    """The code of invalid input where the spec documents none."""
    internal_code: str
    """The code of an internal error where the spec documents none."""


@dataclass(frozen=True)
class ReceiverScheme:
    """A webhook signature scheme (`x-signature.scheme`): how generated receivers verify deliveries."""

    name: str
    imports: tuple[str, ...]
    params: tuple[Param, ...]
    """Arguments of `create_receiver` besides `handlers`."""
    verify: str
    """An expression over `params` giving the receiver's `Verify`."""
    summary: str
    """How deliveries are verified, for the module docstring."""
    doc: str
    """What the arguments mean, for `create_receiver`'s docstring."""


UNSIGNED = ReceiverScheme(
    name="none",
    imports=("from ._runtime.webhooks import unsigned",),
    params=(),
    verify="unsigned",
    summary="The spec documents no signature for these callbacks, so deliveries are not verified.",
    doc="Deliveries are not verified: the spec documents no signature.",
)
"""Callbacks without `x-signature`: every profile's, so it lives here."""


@dataclass(frozen=True)
class Profile:
    """One vendor's behaviour, looked up by name (see the module docstring).

    Subclasses fill in the hooks; the defaults are those of an API without vendor behaviour.
    """

    name: str
    description: str
    signings: frozenset[str] = frozenset()
    """The `x-signing` names of security schemes this profile signs for; a spec using one selects it."""
    rpc_conventions: frozenset[str] = frozenset()
    """The values of `x-rpc-convention` this profile offers."""
    runtime: Path | None = None
    """The folder of its runtime modules, vendored into packages as `_runtime/<name>/`."""
    webhook_schemes: Mapping[str, ReceiverScheme] = field(default_factory=dict)
    hooks: str | None = None
    """The module of its contract and emulator hooks, imported only by those (generation never needs them)."""
    sdk: str | None = None
    """The module that reads the vendor's official SDK for `sdk-drift`: a `read_sdk(module: str) ->
    generator.sdk_drift.SdkApi` function (imported only by that command)."""

    def contract_hooks(self) -> ContractHooks | None:
        """Its `ContractHooks`, or None for a profile that signs nothing."""
        return None if self.hooks is None else cast("ContractHooks", importlib.import_module(self.hooks))

    def check(self, spec: LoadedSpec, api: Api) -> list[Problem]:
        """Problems with what the spec asks of this profile (extensions it does not offer, for example)."""
        return []

    def runtime_modules(self, api: Api) -> tuple[str, ...]:
        """Its own runtime modules a package of `api` needs (their imports are followed by the pipeline)."""
        return ()

    def client(self, api: Api) -> ClientParts:
        raise NotImplementedError

    def server(self, api: Api) -> ServerParts:
        raise NotImplementedError

    def receiver(self, api: Api, scheme: str) -> ReceiverScheme:
        """The receiver scheme for `x-signature.scheme` value `scheme` (`none` for unsigned callbacks)."""
        return UNSIGNED if scheme == "none" else self.webhook_schemes[scheme]
