"""Credentials of a mock of a spec without a vendor profile: the standard schemes, each with one known value.

A mock that accepted any credential would tell a client nothing about sending the wrong one (and schemathesis'
`ignored_auth` rightly fails it), so each scheme accepts exactly the value in `MOCK_CREDENTIALS`: the API key in
its header, query parameter or cookie, the bearer token (also for OAuth 2 and OpenID Connect), and the basic user
and password. A request satisfying any of the spec's schemes passes; others get 401. Schemes a mock cannot check
(mutual TLS, digest) are taken as satisfied.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

from generator.ir import SecurityScheme
from generator.profiles.plain import standard_kind
from generator.runtime.verify import AuthFailure

__all__ = ["MOCK_CREDENTIALS", "AuthFailure", "MockCredentials", "MockVerifier", "schemathesis_auth"]

UNAUTHORIZED_CODE = "Unauthorized"


@dataclass(frozen=True)
class MockCredentials:
    api_key: str = "streamspec-mock-api-key"
    token: str = "streamspec-mock-token"
    username: str = "streamspec"
    password: str = "streamspec-mock-password"

    @property
    def basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()


MOCK_CREDENTIALS = MockCredentials()


class MockVerifier:
    """A generated server's `Verifier` accepting `MOCK_CREDENTIALS` under any of the spec's schemes."""

    def __init__(self, schemes: tuple[SecurityScheme, ...], credentials: MockCredentials = MOCK_CREDENTIALS) -> None:
        self.schemes = schemes
        self.credentials = credentials

    def screen(self, method: str, raw_path: str, raw_query: str, headers: Mapping[str, str]) -> object:
        """The verdict, which the headers and query alone decide (no scheme here signs the body)."""
        return self.verify(method, raw_path, raw_query, headers, b"")

    def verify(self, method: str, raw_path: str, raw_query: str, headers: Mapping[str, str], body: bytes) -> object:
        query = parse_qs(raw_query, keep_blank_values=True)
        cookies: SimpleCookie = SimpleCookie()
        with contextlib.suppress(CookieError):  # an unparsable Cookie header carries no credential
            cookies.load(headers.get("cookie", ""))
        authorization = headers.get("authorization", "")
        for scheme in self.schemes:
            kind = standard_kind(scheme)
            if kind is None:
                return "mock"
            if kind == "bearer" and authorization == f"Bearer {self.credentials.token}":
                return "mock"
            if kind == "basic" and authorization == self.credentials.basic:
                return "mock"
            if kind == "apiKey" and self._api_key(scheme, query, headers, cookies) == self.credentials.api_key:
                return "mock"
        return AuthFailure(401, UNAUTHORIZED_CODE, "missing or invalid credentials")

    @staticmethod
    def _api_key(
        scheme: SecurityScheme, query: Mapping[str, list[str]], headers: Mapping[str, str], cookies: SimpleCookie
    ) -> str | None:
        if scheme.location == "query":
            return next(iter(query.get(scheme.parameter, [])), None)
        if scheme.location == "cookie":
            morsel = cookies.get(scheme.parameter)
            return morsel.value if morsel is not None else None
        return headers.get(scheme.parameter)


def schemathesis_auth(
    schemes: tuple[SecurityScheme, ...], credentials: MockCredentials = MOCK_CREDENTIALS
) -> dict[str, dict[str, str]]:
    """schemathesis' `auth.openapi` configuration sending these credentials under each scheme it can fill."""
    config: dict[str, dict[str, str]] = {}
    for scheme in schemes:
        kind = standard_kind(scheme)
        if kind == "apiKey":
            config[scheme.name] = {"api_key": credentials.api_key}
        elif kind == "bearer" and scheme.kind == "http":
            config[scheme.name] = {"bearer": credentials.token}
        elif kind == "basic":
            config[scheme.name] = {"username": credentials.username, "password": credentials.password}
    return config
