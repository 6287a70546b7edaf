"""Credentials for the generated clients: what every profile shares (errors that never show a secret, masking,
environment look-ups) and the standard OpenAPI security schemes (API keys, bearer tokens, HTTP basic).

A spec's standard schemes are applied per operation: each request carries its operation's security requirements
(`SECURITY_EXTENSION`), and `SchemeAuth` applies the first requirement whose every scheme the client has a secret
for, so an operation documented as `[api_key] or [oauth2]` works with either credential and one documented as
public (`security: []`) is sent without any.

Credentials never show their secrets: reprs hide them, and error messages name variables, never values.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field

import httpx

from .client import SECURITY_EXTENSION, APIError

__all__ = [
    "CredentialsError",
    "ResolvedAuth",
    "Scheme",
    "SchemeAuth",
    "key_pair_from_env",
    "mask",
    "standard_auth",
]


class CredentialsError(APIError, ValueError):
    """Credentials are missing or incomplete; the message names variables, never values. An `APIError`, so that one
    `except` catches everything a client raises."""


def mask(secret: str) -> str:
    """Show an identifier's first 4 characters only when that still hides most of it."""
    return secret[:4] + "***" if len(secret) >= 8 else "***"


def key_pair_from_env(
    environ: Mapping[str, str], families: tuple[tuple[str, str, str | None], ...], who: str
) -> tuple[str, str, str | None]:
    """(access key, secret key, token) from the first family of variables that is set.

    A key pair and its temporary token are only valid together, so all three come from one family; a half-set
    family is an error rather than a silent mix-up.
    """
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
    raise CredentialsError(f"No {who} credentials in the environment: set {names} (in order of precedence)")


@dataclass(frozen=True)
class ResolvedAuth:
    """What a client's credential arguments come to: the auth flow and the client settings they fill."""

    auth: httpx.Auth | None
    settings: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Scheme:
    """One standard security scheme of the spec, as the client applies it."""

    name: str
    kind: str
    """`apiKey`, `bearer` (HTTP bearer, OAuth 2 and OpenID Connect access tokens) or `basic`."""
    location: str = "header"
    """Where an API key goes: `header`, `query` or `cookie`."""
    parameter: str = ""
    """The header, query parameter or cookie that carries an API key."""


class SchemeAuth(httpx.Auth):
    """The spec's standard schemes with the secrets the client was given (see the module docstring)."""

    def __init__(self, schemes: Sequence[Scheme], secrets: Mapping[str, str]) -> None:
        self._schemes = {scheme.name: scheme for scheme in schemes}
        self._secrets = {name: value for name, value in secrets.items() if name in self._schemes}

    def __repr__(self) -> str:
        return f"SchemeAuth(schemes={sorted(self._secrets)!r}, secrets='***')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        requirements: Sequence[Sequence[str]] = request.extensions.get(
            SECURITY_EXTENSION, [[name] for name in self._schemes]
        )
        for requirement in requirements:
            if requirement and all(name in self._secrets for name in requirement):
                for name in requirement:
                    self._apply(self._schemes[name], self._secrets[name], request)
                break
        yield request

    @staticmethod
    def _apply(scheme: Scheme, secret: str, request: httpx.Request) -> None:
        if scheme.kind == "bearer":
            request.headers["Authorization"] = f"Bearer {secret}"
        elif scheme.kind == "basic":
            request.headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode("ascii")
        elif scheme.location == "query":
            request.url = request.url.copy_add_param(scheme.parameter, secret)
        elif scheme.location == "cookie":
            cookie = f"{scheme.parameter}={secret}"
            existing = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{existing}; {cookie}" if existing else cookie
        else:
            request.headers[scheme.parameter] = secret


def _env_name(prefix: str, name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", f"{prefix}_{name}").strip("_").upper()


def standard_auth(
    schemes: Sequence[Scheme],
    *,
    api_keys: Mapping[str, str | None],
    token: str | None = None,
    username: str | None = None,
    password: str | None = None,
    env_prefix: str,
    environ: Mapping[str, str] | None = None,
) -> ResolvedAuth:
    """`SchemeAuth` over the secrets given, each missing one read from the environment.

    `api_keys` maps apiKey scheme names to keys; `token` serves every bearer-like scheme and `username`/`password`
    every basic one. Variables: `<ENV_PREFIX>_<SCHEME NAME>` for an API key, `<ENV_PREFIX>_TOKEN`,
    `<ENV_PREFIX>_USERNAME` and `<ENV_PREFIX>_PASSWORD`. No secret at all gives no auth: requests go out
    unauthenticated and the server's 401 raises `AuthenticationError`.
    """
    env = os.environ if environ is None else environ

    def given(value: str | None, name: str) -> str | None:
        return value if value is not None else env.get(_env_name(env_prefix, name)) or None

    token = given(token, "token")
    username, password = given(username, "username"), given(password, "password")
    if (username is None) != (password is None):
        raise CredentialsError("HTTP basic authentication needs both a username and a password")
    secrets: dict[str, str] = {}
    for scheme in schemes:
        if scheme.kind == "apiKey":
            key = given(api_keys.get(scheme.name), scheme.name)
            if key is not None:
                secrets[scheme.name] = key
        elif scheme.kind == "bearer" and token is not None:
            secrets[scheme.name] = token
        elif scheme.kind == "basic" and username is not None and password is not None:
            secrets[scheme.name] = f"{username}:{password}"
    return ResolvedAuth(SchemeAuth(schemes, secrets) if secrets else None)
