"""Generated servers under hostile input (`generator/runtime/server.py`, through the three vendor packages and
their emulators): every method answered in the API's envelope, JSON nested at any depth refused with 400, bodies
limited in size and in time and never read for a request its headers condemn, repeated credentials refused, and
the headers a signer sets checked as the spec declares them whatever the authentication."""

from __future__ import annotations

import re
import socket
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generator.emulator.app import EmulatorOptions, create_emulator
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.emulator.serve import BackgroundServer
from generator.emulator.store import Store
from generator.runtime.asgi import Limits
from tests.conftest import VENDOR_PACKAGES, import_generated
from tests.emulator.conftest import HUAWEI, error_code

with warnings.catch_warnings():  # Starlette suggests httpx2 for its TestClient; httpx is what the clients use
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def _url(route: Any) -> str:
    """A URL `route` takes: path placeholders filled (the project with the local one), its selectors as the query."""
    path = re.sub(r"\{project_id\}", HUAWEI.project_id, route.path)
    path = re.sub(r"\{[^}]+\}", "id1", path)
    query = "&".join(f"{name}={value}" for name, value in route.selectors)
    return f"{path}?{query}" if query else path


def _routes(name: str) -> list[Any]:
    return list(import_generated(name).server.ROUTES)


def _offline(name: str, **options: Any) -> TestClient:
    """Emulator `name` in process (no credentials checked unless `authenticate=True` is passed)."""
    options.setdefault("authenticate", False)
    return TestClient(create_emulator(name, Store(), EmulatorOptions(**options)), raise_server_exceptions=False)


def _refused(response: httpx.Response, status: int, code: str | None = None) -> str:
    """Assert an error answer in the envelope with a request id; its message."""
    assert response.status_code == status, response.text
    assert REQUEST_ID.match(response.headers["X-Request-Id"])
    body = response.json()
    if code is not None:
        assert error_code(body) == code
    error = body.get("ResponseMetadata", {}).get("Error", body)
    return str(error.get("Message", error.get("error_msg")))


# --------------------------------------------------------------------------- every method (issue 12, point 7)


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_a_method_no_operation_takes_gets_the_envelopes_405_with_the_paths_allow(name: str) -> None:
    package = import_generated(name)
    client = TestClient(package.server.create_app(object()))
    code = package.server.ENVELOPE.routing_code("method_not_allowed")
    by_path: dict[str, set[str]] = {}
    for route in _routes(name):
        by_path.setdefault(_url(route), set()).add(route.method)
    for url, methods in by_path.items():
        for method in ("BREW", "PROPFIND", "M-SEARCH", *{"GET", "PUT", "POST", "DELETE", "PATCH"} - methods):
            response = client.request(method, url)
            assert method in _refused(response, 405, code)
            assert response.headers["Allow"] == ", ".join(sorted(methods))
    spec = client.request("BREW", "/openapi.json")
    assert (spec.status_code, spec.headers["Allow"]) == (405, "GET") and REQUEST_ID.match(spec.headers["X-Request-Id"])


# --------------------------------------------------------------------------- JSON depth (point 6)


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
@pytest.mark.parametrize("depth", [600, 1000, 100_000])
def test_json_nested_at_any_depth_is_answered_400(name: str, depth: int) -> None:
    client = _offline(name)
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    for route in _routes(name):
        if route.body:
            sent = client.request(
                route.method, _url(route), content=nested, headers={"Content-Type": "application/json"}
            )
            malformed = route.invalid_codes.get("malformed", route.invalid_codes["default"])
            assert "not valid" in _refused(sent, route.invalid_status, malformed)
        for param in route.params:
            if param.kind in ("integer", "number", "json") and param.location == "query":
                value = "[" * depth + "]" * depth
                sent = client.request(route.method, _url(route), params={param.name: value[:16_000]})
                assert param.name in _refused(sent, route.invalid_status)


# --------------------------------------------------------------------------- body limits (point 4)


@pytest.fixture(scope="module")
def limited() -> Iterator[str]:
    """Huawei Live, credentials checked, bodies of at most 1 KiB that must arrive within half a second."""
    options = EmulatorOptions(limits=Limits(max_body_size=1024, body_timeout=0.5))
    with BackgroundServer(create_emulator("huaweicloud_live", Store(), options)) as server:
        yield server.base_url


def _exchange(base_url: str, head: str, body: bytes = b"", *, wait: float = 5.0) -> tuple[str, dict[str, str], float]:
    """Send `head` (request line and headers, CRLF-terminated) and `body` on a raw connection, then read the
    answer: its status line, headers, and the seconds it took."""
    host, port = base_url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            assert chunk, f"closed without an answer: {received!r}"
            received += chunk
    elapsed = time.monotonic() - started
    status, *lines = received.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, elapsed


def _head(*headers: str) -> str:
    lines = [f"POST /v1/{HUAWEI.project_id}/record/callbacks HTTP/1.1", "Host: x", "Content-Type: application/json"]
    return "".join(f"{line}\r\n" for line in (*lines, *headers))


def _token() -> str:
    return next(t for t, project in DEFAULT_CREDENTIALS.huawei_tokens.items() if project == HUAWEI.project_id)


def test_a_request_without_credentials_is_refused_before_its_body_is_sent(limited: str) -> None:
    """A 200 MB upload is answered (and its connection closed) on its headers alone: nothing of it is read."""
    status, headers, _ = _exchange(limited, _head(f"Content-Length: {200 * 1024 * 1024}"))
    assert status.startswith("HTTP/1.1 401") and headers["connection"] == "close"
    assert REQUEST_ID.match(headers["x-request-id"])


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(limited: str) -> None:
    status, headers, _ = _exchange(limited, _head(f"X-Auth-Token: {_token()}", "Content-Length: 1025"))
    assert status.startswith("HTTP/1.1 413") and headers["connection"] == "close"


def test_a_body_that_grows_past_the_limit_is_refused() -> None:
    """Without a declared length (chunked), the body is read up to the limit, no further."""

    def chunks() -> Iterator[bytes]:
        yield b'{"publish_domain": "p.example.com", "app": "live", "x": "'
        yield b"y" * 2048 + b'"}'

    path, token = f"/v1/{HUAWEI.project_id}/record/callbacks", {"X-Auth-Token": _token()}
    options = EmulatorOptions(limits=Limits(max_body_size=1024))
    with (
        BackgroundServer(create_emulator("huaweicloud_live", Store(), options)) as server,
        httpx.Client(base_url=server.base_url, trust_env=False) as client,
    ):
        assert "1024 bytes" in _refused(client.post(path, content=chunks(), headers=token), 413, "APIG.0201")
        fits = {"publish_domain": "p.example.com", "app": "live"}
        assert client.post(path, json=fits, headers=token).status_code == 201


def test_a_body_shorter_than_its_declared_length_is_refused_in_time(limited: str) -> None:
    status, headers, elapsed = _exchange(
        limited, _head(f"X-Auth-Token: {_token()}", "Content-Length: 100"), b'{"publish_domain": '
    )
    assert status.startswith("HTTP/1.1 408") and headers["connection"] == "close"
    assert 0.4 < elapsed < 5


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_limits_answer_in_each_vendors_envelope(name: str) -> None:
    client = _offline(name, limits=Limits(max_body_size=8))
    route = next(r for r in _routes(name) if r.body)
    response = client.request(route.method, _url(route), content=b'{"a": "0123456789"}')
    code = import_generated(name).server.ENVELOPE.routing_code("too_large")
    _refused(response, 413, code)


# --------------------------------------------------------------------------- repeated credentials (point 8)


@pytest.mark.parametrize("order", ["invalid-first", "valid-first"])
def test_a_credential_header_sent_twice_is_refused(order: str) -> None:
    client = _offline("huaweicloud_live", authenticate=True)
    tokens = [("X-Auth-Token", "not-a-token"), ("X-Auth-Token", _token())]
    headers = tokens if order == "invalid-first" else tokens[::-1]
    response = client.get(f"/v1/{HUAWEI.project_id}/record/callbacks", headers=headers)
    assert "more than once" in _refused(response, 401, "APIG.0301")
    assert client.get(f"/v1/{HUAWEI.project_id}/record/callbacks", headers=[tokens[1]]).status_code == 200


# --------------------------------------------------------------------------- signer-managed headers (point 9)


@pytest.mark.parametrize("name", ["huaweicloud_live", "huaweicloud_metastudio"])
def test_a_malformed_x_sdk_date_is_refused_with_token_auth_on_every_operation(name: str) -> None:
    """The spec declares X-Sdk-Date's format on every operation; a token request carrying a malformed one gets the
    operation's 400 (with AK/SK the signature check answers first, 401)."""
    client = _offline(name, authenticate=True)
    for route in _routes(name):
        url, token = _url(route), {"X-Auth-Token": _token()}
        malformed = client.request(route.method, url, headers={**token, "X-Sdk-Date": "2024-01-01T00:00:00Z"})
        assert "X-Sdk-Date" in _refused(malformed, route.invalid_status), route.operation_id
        well_formed = client.request(route.method, url, headers={**token, "X-Sdk-Date": "20240101T000000Z"})
        assert "X-Sdk-Date" not in well_formed.text, route.operation_id


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_every_signer_managed_header_is_checked_as_declared_without_a_verifier(name: str) -> None:
    client = _offline(name)
    for route in _routes(name):
        assert route.auth_params, route.operation_id
        declared = route.auth_params_model().model_json_schema()["properties"]
        for spec in route.auth_params:
            if "pattern" in declared[spec.name]:
                sent = client.request(route.method, _url(route), headers={spec.name: "not valid!"})
                assert spec.name in _refused(sent, route.invalid_status), (route.operation_id, spec.name)


def test_request_ids_do_not_repeat_when_random_is_seeded_or_the_process_forks() -> None:
    """Request ids come from a generator of the server's own: seeding `random` (a test, `pytest-randomly`) repeats
    none, and a forked child (a server worker) draws other ids than its parent."""
    import os
    import random

    from generator.runtime.server import _request_id

    random.seed(7)
    first = _request_id()
    random.seed(7)
    assert _request_id() != first
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    if not hasattr(os, "fork"):
        return
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.write(writer, _request_id().encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    theirs = os.read(reader, 64).decode()
    os.close(reader)
    assert len(theirs) == 32 and theirs != _request_id()
