"""Volcengine: HMAC-SHA256 V4 signing scoped to a region and service, RPC operations selected by `Action` and
`Version` query parameters on one URL, the `ResponseMetadata` envelope (errors possibly inside an HTTP 200) and the
Live callback signature.

Selected by a spec whose security schemes say `x-signing: volcengine-hmac-sha256-v4`, or by
`info.x-profile: volcengine`. RPC operations are written one path each, `/#Action=<name>` (`x-rpc-convention:
path-fragment` at the top of the spec), with required single-value `Action` and `Version` query parameters and an
`x-rpc: {action, version}` that must agree with them.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import Problem, pointer
from generator.ir import HTTP_METHODS, Api
from generator.loader import LoadedSpec
from generator.profiles.base import ClientParts, Param, Profile, ReceiverScheme, ServerParts
from generator.render import pyrepr

CALLBACKS = ReceiverScheme(
    name="volcengine-md5",
    imports=("from ._runtime.signing import Clock", "from ._runtime.volcengine.webhooks import volcengine_verifier"),
    params=(Param("auth_key", "str | None", None), Param("clock", "Clock | None")),
    verify="volcengine_verifier(auth_key, clock=clock)",
    summary=(
        "Deliveries are verified as Volcengine signs them (`x-signature.scheme: volcengine-md5`): `sign` = "
        "MD5(AuthKeyPrimary + `t`) in the body (flat or under `data`), rejected once now is past `t`."
    ),
    doc=(
        "`auth_key`: the configuration's AuthKeyPrimary when AuthEnable is true, or None when it is false (messages "
        'then carry `sign: ""`, `t: 0` and are not verified). `clock`: the current time, for tests.'
    ),
)


def credential_scope(api: Api) -> tuple[str, str]:
    """(region, service) of the signing scope (`x-credential-scope` on the security scheme)."""
    for scheme in api.security_schemes:
        scope = scheme.details.get("credential-scope")
        if isinstance(scope, dict):
            return str(scope.get("region", "cn-north-1")), str(scope.get("service", ""))
    return "cn-north-1", ""


class VolcengineProfile(Profile):
    def check(self, spec: LoadedSpec, api: Api) -> list[Problem]:
        """Every RPC operation's `x-rpc` names the `Action` and `Version` its query parameters select."""
        problems = []
        for path, item in (spec.document.get("paths") or {}).items():
            for method in HTTP_METHODS:
                operation = item.get(method) if isinstance(item, dict) else None
                if not isinstance(operation, dict) or "#" not in path:
                    continue
                ptr = pointer("paths", path, method)
                rpc = operation.get("x-rpc")
                found = next((op for op in api.operations if op.path == path and op.method == method.upper()), None)
                selected = dict(found.selectors) if found else {}
                if not isinstance(rpc, dict):
                    problems.append(spec.problem(ptr, "volcengine.rpc", "an RPC operation needs `x-rpc`"))
                elif (selected.get("Action"), selected.get("Version")) != (rpc.get("action"), rpc.get("version")):
                    problems.append(
                        spec.problem(
                            f"{ptr}/x-rpc",
                            "volcengine.rpc",
                            "x-rpc must name the Action and Version that the operation's single-value query "
                            f"parameters select (they select {selected or 'nothing'})",
                        )
                    )
        return problems

    def runtime_modules(self, api: Api) -> tuple[str, ...]:
        return ("envelope", "auth", "verify")

    def client(self, api: Api) -> ClientParts:
        region, service = credential_scope(api)
        return ClientParts(
            imports=(
                "from ._runtime.volcengine.auth import CredentialsError, VolcengineCredentials, VolcengineV4Auth, "
                "client_auth",
                "from ._runtime.volcengine.envelope import VolcengineEnvelope",
            ),
            params=(Param("credentials", "VolcengineCredentials | None"),),
            resolve=f"client_auth(credentials=credentials, region={pyrepr(region)}, service={pyrepr(service)})",
            envelope="VolcengineEnvelope()",
            doc=(
                "Requests are signed with `credentials` (HMAC-SHA256 V4); without them, credentials come from the "
                "environment (`VolcengineCredentials.from_env`). `auth` replaces all of this."
            ),
            exports=("CredentialsError", "VolcengineCredentials", "VolcengineV4Auth"),
        )

    def server(self, api: Api) -> ServerParts:
        region, service = credential_scope(api)
        return ServerParts(
            imports=("from ._runtime.volcengine.envelope import VolcengineServerEnvelope",),
            envelope=f"VolcengineServerEnvelope(service={pyrepr(service)}, region={pyrepr(region)})",
            invalid_code="InvalidParam",
            internal_code="InternalError",
        )


PROFILE = VolcengineProfile(
    name="volcengine",
    description="Volcengine: HMAC-SHA256 V4, Action/Version RPC, ResponseMetadata",
    signings=frozenset({"volcengine-hmac-sha256-v4"}),
    rpc_conventions=frozenset({"path-fragment"}),
    runtime=Path(__file__).parent / "runtime",
    hooks=f"{__name__}.hooks",
    sdk=f"{__name__}.sdk",
    webhook_schemes={CALLBACKS.name: CALLBACKS},
)
