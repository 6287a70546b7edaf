"""The profile of APIs without vendor behaviour: the standard OpenAPI security schemes and JSON error bodies.

Clients take an API key per apiKey scheme, a `token` for HTTP bearer, OAuth 2 and OpenID Connect schemes, and
`username`/`password` for HTTP basic (each also read from the environment: `<PACKAGE>_<NAME>`), or any `httpx.Auth`;
each request carries what its operation's security requirements ask for. Errors are parsed by the field names of the
spec's documented error schemas, then the usual ones (RFC 9457 problem details included).
"""

from __future__ import annotations

from generator.ir import Api, SecurityScheme
from generator.profiles.base import ClientParts, Param, Profile, ServerParts
from generator.render import pyrepr
from generator.schemas import snake_name

STANDARD_KINDS = {"apiKey": "apiKey", "oauth2": "bearer", "openIdConnect": "bearer"}
"""How the client applies each standard scheme type (`http` schemes by their `scheme`: bearer or basic)."""


def standard_kind(scheme: SecurityScheme) -> str | None:
    """`apiKey`, `bearer` or `basic`; None for what a client configures on its transport (mutual TLS, digest)."""
    if scheme.kind == "http":
        return scheme.http_scheme if scheme.http_scheme in ("bearer", "basic") else None
    return STANDARD_KINDS.get(scheme.kind)


def api_key_params(api: Api) -> dict[str, str]:
    """The constructor argument of each apiKey scheme, by scheme name: the scheme's name in snake case."""
    taken = {"token", "username", "password", "auth", "base_url", "region", "timeout"}
    names: dict[str, str] = {}
    for scheme in api.security_schemes:
        if standard_kind(scheme) == "apiKey":
            name = snake_name(scheme.name)
            while name in taken:
                name += "_"
            taken.add(name)
            names[scheme.name] = name
    return names


class PlainProfile(Profile):
    def client(self, api: Api) -> ClientParts:
        codes, messages = api.error_fields
        envelope = (
            f"JsonErrorEnvelope(code_fields={pyrepr(codes)}, message_fields={pyrepr(messages)})"
            if codes or messages
            else "JsonErrorEnvelope()"
        )
        imports = ["from ._runtime.envelope import JsonErrorEnvelope"]
        kinds = {scheme.name: kind for scheme in api.security_schemes if (kind := standard_kind(scheme))}
        if not kinds:
            return ClientParts(
                imports=tuple(imports),
                params=(),
                resolve="",
                envelope=envelope,
                doc="`auth` (any `httpx.Auth`) authenticates requests.",
            )
        keys = api_key_params(api)
        params = [Param(name, "str | None") for name in keys.values()]
        if "bearer" in kinds.values():
            params.append(Param("token", "str | None"))
        if "basic" in kinds.values():
            params += [Param("username", "str | None"), Param("password", "str | None")]
        schemes = "".join(
            f"    Scheme({pyrepr(s.name)}, {pyrepr(kinds[s.name])}, {pyrepr(s.location)}, {pyrepr(s.parameter)}),\n"
            for s in api.security_schemes
            if s.name in kinds
        )
        arguments = ["api_keys={" + ", ".join(f"{pyrepr(k)}: {v}" for k, v in keys.items()) + "}"]
        arguments += [f"{p.name}={p.name}" for p in params if p.name in ("token", "username", "password")]
        arguments.append(f"env_prefix={pyrepr(api.package.upper())}")
        prefix = api.package.upper()
        secrets = [*(f"`{name}`" for name in keys.values())]
        secrets += [f"`{p.name}`" for p in params if p.name in ("token", "username", "password")]
        return ClientParts(
            imports=(*imports, "from ._runtime.auth import CredentialsError, Scheme, standard_auth"),
            params=tuple(params),
            resolve=f"standard_auth(SCHEMES, {', '.join(arguments)})",
            envelope=envelope,
            doc=(
                f"Requests carry the credentials their operation's security requirements ask for: {', '.join(secrets)} "
                f"(each missing one is read from the environment as `{prefix}_<ARGUMENT>`, upper case). "
                "`auth` (any `httpx.Auth`) replaces all of this."
            ),
            preamble=f"SCHEMES = (\n{schemes})\n" + '"""The spec\'s security schemes, as the client applies them."""\n',
            exports=("CredentialsError",),
        )

    def server(self, api: Api) -> ServerParts:
        return ServerParts(
            imports=("from ._runtime.envelope import PlainServerEnvelope",),
            envelope="PlainServerEnvelope()",
            invalid_code="InvalidParameter",
            internal_code="InternalError",
        )


PROFILE = PlainProfile(name="plain", description="no vendor: standard security schemes and JSON error bodies")
