"""The mock as an ASGI app: the package's generated server with `MockHandlers`, and every response it sends checked
by `generator.conformance` on its way out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from generator.conformance import Answer, Nonconformance, check_answer, is_json_media
from generator.mock.auth import MOCK_CREDENTIALS, MockCredentials, MockVerifier
from generator.mock.gaps import Gaps, rejection_gaps
from generator.mock.handlers import MockEnvelope, MockHandlers, Served
from generator.mock.package import MockPackage
from generator.profiles import PROFILES

__all__ = ["MockApp", "MockOptions", "mock_app"]

logger = logging.getLogger("streamspec.mock")


@dataclass(frozen=True)
class MockOptions:
    seed: int = 0
    """Chooses the generated bodies (the spec's examples come first whatever the seed)."""
    stateful: bool = False
    """Remember what was created where the spec's links say so (see `generator.mock`)."""
    credentials: MockCredentials = MOCK_CREDENTIALS
    local: Any = None
    """For a vendor profile's spec: the emulator's `LocalCredentials` its verifier accepts (default: the built-in)."""


@dataclass
class MockApp:
    """An ASGI app; `nonconforming` keeps what the conformance checks found in the mock's own answers."""

    package: MockPackage
    handlers: MockHandlers
    inner: Any
    gaps: Gaps
    """The generated server's rejections the spec leaves undocumented (`generator.mock.gaps`): not checked."""
    nonconforming: list[Nonconformance] = field(default_factory=list)

    @property
    def base_path(self) -> str:
        return str(self.package.server.BASE_PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = self._error_media(message)
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.inner(scope, receive, recording)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in started.get("headers", [])}
        request_id = next((v for k, v in headers.items() if k.lower() == "x-request-id"), "")
        operation = self.handlers.served.take(request_id)
        if operation is None:  # no operation took the request (unknown path or method)
            return
        status = int(started.get("status", 0))
        op = self.package.operation(operation)
        if status in self.gaps.get(f"{op.method} {op.path}", {}):
            return
        found = check_answer(self.handlers.spec, operation, Answer(status, headers, b"".join(chunks)))
        for problem in found:
            logger.warning("the mock's own answer does not conform: %s", problem)
        self.nonconforming.extend(found)

    def _error_media(self, message: Message) -> Message:
        """An error answer in the JSON media type its operation documents for it (`application/problem+json`, ...):
        the generated server writes every error as `application/json`."""
        status, headers = int(message["status"]), list(message.get("headers", []))
        request_id = next((v.decode("latin-1") for k, v in headers if k.lower() == b"x-request-id"), "")
        operation = self.handlers.served.operations.get(request_id)
        response = self.handlers.spec.response(operation, status) if operation and status >= 400 else None
        media = next((m for m in (response or {}).get("content") or {} if is_json_media(str(m))), None)
        if media is None:
            return message
        kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
        return {**message, "headers": [*kept, (b"content-type", str(media).encode("latin-1"))]}


def mock_app(package: MockPackage, options: MockOptions | None = None) -> MockApp:
    """The mock of `package`'s spec (its generated server, its routes, its validation)."""
    options = options or MockOptions()
    served = Served()
    handlers = MockHandlers(package, seed=options.seed, stateful=options.stateful, served=served)
    profile = PROFILES[package.api.profile]
    hooks = profile.contract_hooks()
    documented = hooks is None  # a vendor profile's envelope is its vendor's; a plain spec's, what it documents
    envelope = MockEnvelope(package, package.server.ENVELOPE, handlers.spec, served, options.seed, documented)
    if hooks is None:
        verifier: Any = MockVerifier(package.api.security_schemes, options.credentials)
    else:
        from generator.emulator.credentials import LocalCredentials

        verifier = hooks.verifier(options.local or LocalCredentials.from_env())
    inner = package.runtime.build_app(
        routes=package.server.ROUTES,
        handlers=handlers,
        envelope=envelope,
        spec_json=package.server.SPEC_PATH.read_bytes(),
        verifier=verifier,
        base_path=package.server.BASE_PATH,
    )
    secured = bool(package.api.security_schemes)
    gaps = rejection_gaps(package, handlers.spec, secured=secured, stateful=options.stateful)
    return MockApp(package, handlers, inner, gaps)
