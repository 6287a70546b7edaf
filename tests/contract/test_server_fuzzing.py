"""Server-side contract fuzzing (issue 6): each hand-written spec fuzzes its emulator in process with all of
schemathesis' default checks in the examples, coverage, fuzzing and stateful phases, signing every request; then
the pieces that make that work (wire signing, check overrides), the bugs it found, and `python -m generator fuzz`.

Budget: `STREAMSPEC_FUZZ_EXAMPLES` fuzzing and stateful cases per operation (default 150: about 80 s for the
three specs on two cores); a deeper run is one variable away, e.g. `STREAMSPEC_FUZZ_EXAMPLES=1000 pytest
tests/contract`. The seed is fixed (`STREAMSPEC_FUZZ_SEED`) so that a failure in CI reproduces locally.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema_rs
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.cli import main
from generator.contract import (
    CHECK_OVERRIDES,
    PHASES,
    FuzzOptions,
    Target,
    WireSigner,
    emulator_run,
    format_report,
    fuzz_spec,
    load_schema,
)
from generator.emulator import NAMES
from generator.emulator.app import EmulatorOptions, create_emulator
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.emulator.serve import BackgroundServer
from generator.emulator.store import Store
from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth, HuaweiCredentials
from generator.profiles.volcengine.runtime.auth import VolcengineCredentials, VolcengineV4Auth
from generator.runtime.model import FORMAT_CHECKS
from generator.runtime.verify import AuthFailure, Principal
from tests.conftest import SPECS

EXAMPLES = int(os.environ.get("STREAMSPEC_FUZZ_EXAMPLES", "150"))
SEED = int(os.environ.get("STREAMSPEC_FUZZ_SEED", "20240601"))
HUAWEI, VOLC = DEFAULT_CREDENTIALS.huawei[0], DEFAULT_CREDENTIALS.volcengine[0]
HUAWEI_AUTH = HuaweiAkSkAuth(HuaweiCredentials(HUAWEI.ak, HUAWEI.sk, HUAWEI.project_id))
VOLC_AUTH = VolcengineV4Auth(VolcengineCredentials(VOLC.ak, VOLC.sk))
USER_CONFIG = f"/v1/{HUAWEI.project_id}/smart-live-configs/user-config"


# --------------------------------------------------------------------------- the contract, per spec


@pytest.mark.parametrize("name", NAMES)
def test_emulator_honours_its_spec(name: str) -> None:
    spec = SPECS / f"{name}.yaml"
    target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
    report = fuzz_spec(spec, target, credentials, FuzzOptions(max_examples=EXAMPLES, seed=SEED))
    assert report.ok, format_report([report])
    assert all(report.cases.get(phase) for phase in PHASES), report.summary()  # the links drove a stateful phase


@pytest.mark.parametrize("name", sorted(CHECK_OVERRIDES))
def test_check_overrides_apply_to_their_operations_only(name: str) -> None:
    schema = load_schema(SPECS / f"{name}.yaml", Target(base_url="http://127.0.0.1"), None, FuzzOptions())
    overrides = {(o.operation_id, o.check): o for o in CHECK_OVERRIDES[name]}
    loaded = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    operations = {operation.definition.raw["operationId"]: operation for operation in loaded}
    assert {operation_id for operation_id, _ in overrides} <= operations.keys()  # no override names a typo
    for operation_id, operation in operations.items():
        checks = schema.config.checks_config_for(operation=operation)
        for check in {check for _, check in overrides}:
            configured, override = checks.get_by_name(name=check), overrides.get((operation_id, check))
            assert configured.enabled is (override is None or override.expected_statuses is not None)
            if override is not None and override.expected_statuses is not None:
                assert override.reason and getattr(configured, "expected_statuses", None) == [
                    *override.expected_statuses
                ]


# --------------------------------------------------------------------------- signing what goes on the wire


def _prepared(method: str, url: str, **kwargs: Any) -> requests.PreparedRequest:
    return requests.Request(method, url, **kwargs).prepare()


def _verify(prepared: requests.PreparedRequest, vendor: str) -> Principal | AuthFailure:
    parts = urlsplit(prepared.url or "")
    verifier = (
        DEFAULT_CREDENTIALS.huawei_verifier() if vendor == "huawei" else DEFAULT_CREDENTIALS.volcengine_verifier()
    )
    body = prepared.body if isinstance(prepared.body, bytes) else b""
    headers = {name: str(value) for name, value in prepared.headers.items()}
    return verifier.verify(prepared.method or "", parts.path, parts.query, headers, body)


@pytest.mark.parametrize(("vendor", "signer"), [("huawei", HUAWEI_AUTH), ("volcengine", VOLC_AUTH)])
def test_wire_signer_signs_the_request_as_sent(vendor: str, signer: Any) -> None:
    prepared = _prepared(
        "POST",
        "http://127.0.0.1:8701/v1/p/x y?b=2&a=é&a=1",
        json={"name": "é", "n": 5.0},
        headers={"X-Custom": "café"},  # Latin-1 on the wire
    )
    assert isinstance(WireSigner(signer)(prepared).body, bytes)
    assert isinstance(_verify(prepared, vendor), Principal)


def test_wire_signer_sends_a_corrupted_signer_header_as_the_case_has_it() -> None:
    prepared = _prepared("GET", f"http://testserver{USER_CONFIG}", headers={"X-Sdk-Date": "00000101T000000Z"})
    WireSigner(HUAWEI_AUTH, kept={"x-sdk-date"})(prepared)
    assert prepared.headers["X-Sdk-Date"] == "00000101T000000Z"
    outcome = _verify(prepared, "huawei")
    assert isinstance(outcome, AuthFailure) and outcome.status == 401


# --------------------------------------------------------------------------- what the fuzzing found


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, str]]:
    """Every emulator on loopback, without Volcengine's rate limit; base URL by name."""
    store = Store()
    with (
        BackgroundServer(create_emulator(NAMES[0], store)) as metastudio,
        BackgroundServer(create_emulator(NAMES[1], store)) as live,
        BackgroundServer(create_emulator(NAMES[2], store, EmulatorOptions(rate_limit=None))) as volc,
    ):
        yield dict(zip(NAMES, (metastudio.base_url, live.base_url, volc.base_url), strict=True))


def _client(base_url: str, auth: httpx.Auth = HUAWEI_AUTH) -> httpx.Client:
    return httpx.Client(base_url=base_url, auth=auth, timeout=30, trust_env=False)


def test_an_integral_float_is_an_integer(emulators: dict[str, str]) -> None:
    """JSON Schema's `integer` is a property of the number: 8.0 is one (strict models told it from 8)."""
    with _client(emulators["huaweicloud_metastudio"]) as client:
        body = b'{"live_exit_config": {"max_live_duration": 8.0, "max_exception_waiting_duration": 1e1}}'
        put = client.put(USER_CONFIG, content=body, headers={"Content-Type": "application/json"})
        assert put.status_code == 200, put.text
        assert client.get(USER_CONFIG).json()["live_exit_config"]["max_live_duration"] == 8
        half = body.replace(b"8.0", b"8.5")
        assert client.put(USER_CONFIG, content=half, headers={"Content-Type": "application/json"}).status_code == 400


def test_a_path_with_a_line_break_gets_the_vendor_envelope(emulators: dict[str, str]) -> None:
    with _client(emulators["huaweicloud_metastudio"]) as client:
        response = client.get("/v1/a%0Ab/smart-live-configs/user-config")
    assert response.headers["X-Request-Id"]  # the generated server answered, not Starlette's plain-text 404
    assert (response.status_code, response.json()["error_code"]) == (400, "MSS.00000003")  # project_id pattern


def test_an_empty_security_token_is_refused(emulators: dict[str, str]) -> None:
    with _client(emulators["huaweicloud_metastudio"]) as client:
        response = client.get(USER_CONFIG, headers={"X-Security-Token": ""})
    assert (response.status_code, response.json()["error_code"]) == (401, "APIG.0301")


def test_int32_parameters_are_bounded(emulators: dict[str, str]) -> None:
    path = f"/v1/{HUAWEI.project_id}/record/callbacks"
    with _client(emulators["huaweicloud_live"]) as client:
        assert client.get(path, params={"offset": 2**31 - 1}).status_code == 200
        assert client.get(path, params={"offset": 2**31}).status_code == 400


@pytest.mark.parametrize(
    ("name", "url", "status"),
    [
        ("huaweicloud_metastudio", "https://example.com/\x85", 400),  # U+0085: `\S` differed between dialects
        ("huaweicloud_metastudio", "https://example.com/a?b=c", 200),
        ("volcengine_live", "0", 400),
        ("volcengine_live", "https://example.com/callback", 200),
    ],
)
def test_callback_urls(emulators: dict[str, str], name: str, url: str, status: int) -> None:
    if name == "volcengine_live":
        auth: httpx.Auth = VOLC_AUTH
        target = "/?Action=UpdateCallback&Version=2023-01-01"
        body: dict[str, Any] = {
            "Domain": "push.example.com",
            "MessageType": "push",
            "CallbackDetailList": [{"CallbackType": "http", "URL": url}],
        }
        method = "POST"
    else:
        auth, target, method = HUAWEI_AUTH, USER_CONFIG, "PUT"
        body = {"live_event_callback_config": {"live_event_type_callback_url": url}}
    with _client(emulators[name], auth) as client:
        response = client.request(method, target, json=body)
    assert response.status_code == status, response.text


URI = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)
URI_TEXT = st.text(alphabet=st.sampled_from(list("ab1:/?#[]@%!$&'()*+,;=-._~ ü<>{}|\\^`\"2Fv")), max_size=16)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["https://", "h:", "mailto:", "x"]), URI_TEXT)
def test_uri_format_is_rfc_3986(prefix: str, rest: str) -> None:
    """The runtime's `format: uri` (every package's copy) agrees with schemathesis' validator: RFC 3986."""
    assert FORMAT_CHECKS["uri"](prefix + rest) is URI.is_valid(prefix + rest)


# --------------------------------------------------------------------------- the command line


def test_cli_fuzzes_the_emulators(capsys: pytest.CaptureFixture[str]) -> None:
    specs = [str(SPECS / "huaweicloud_metastudio.yaml"), str(SPECS / "volcengine_live.yaml")]
    assert main(["fuzz", *specs, "--max-examples", "5", "--seed", "1", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "huaweicloud_metastudio against emulator: ok" in out and "volcengine_live against emulator: ok" in out


def test_cli_shows_progress(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", str(SPECS / "huaweicloud_metastudio.yaml"), "--max-examples", "1", "--seed", "1"]) == 0
    reported = [line.split(":")[0] for line in capsys.readouterr().err.splitlines() if ":" in line]
    assert list(dict.fromkeys(reported)) == [f"[huaweicloud_metastudio] {phase}" for phase in PHASES]


def _broken_app() -> Starlette:
    """MetaStudio as a careless implementation: no authentication, and a stored value out of the spec's range."""

    async def user_config(request: Request) -> Response:
        if request.method == "PUT":
            return Response(status_code=200)
        return JSONResponse({"live_exit_config": {"max_live_duration": 999}})

    return Starlette(
        routes=[Route("/v1/{project_id}/smart-live-configs/user-config", user_config, methods=["GET", "PUT"])]
    )


SECRETS = {"--ak": "AKSECRETACCESSKEY01", "--sk": "SECRET-SK-000000", "--security-token": "SECRET-STS-TOKEN-00"}


def test_cli_reports_a_broken_server(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(SPECS / "huaweicloud_metastudio.yaml")
    credentials = [*(item for pair in SECRETS.items() for item in pair), "--project-id", "project"]
    with BackgroundServer(_broken_app()) as server:
        code = main(["fuzz", spec, "--url", server.base_url, "--max-examples", "5", "--seed", "1", *credentials])
    captured = capsys.readouterr()
    out = captured.out
    for secret in SECRETS.values():  # not in any line printed, whatever printed it
        assert secret not in captured.out + captured.err
    assert code == 1
    assert "response_schema_conformance" in out and "999" in out
    assert f"curl -X GET {server.base_url}/v1/" in out  # the reproducing request
    assert "-H 'Authorization: ***'" in out  # a real deployment's signature stays out of CI logs
    assert f"huaweicloud_metastudio against {server.base_url}: " in out


def test_cli_refuses_an_unreachable_target_before_fuzzing(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(SPECS / "huaweicloud_live.yaml")
    credentials = [*(item for pair in SECRETS.items() for item in pair), "--project-id", "project"]
    with BackgroundServer(_broken_app()) as server:
        url = server.base_url  # a port that was just listening and no longer is
    assert main(["fuzz", spec, "--url", url, *credentials]) == 2
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).strip().splitlines()
    assert lines == [f"error: cannot reach {url}: ConnectError: [Errno 111] Connection refused; nothing was fuzzed"]


def test_cli_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(SPECS / "huaweicloud_metastudio.yaml")
    assert main(["fuzz", spec, spec, "--url", "http://127.0.0.1:9"]) == 2
    for name in list(os.environ):
        if name.startswith(("STREAMSPEC_HUAWEI_", "HUAWEICLOUD_SDK_", "CLOUD_SDK_")):
            monkeypatch.delenv(name)
    assert main(["fuzz", spec, "--url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "one --url per SPEC" in err and "STREAMSPEC_HUAWEI_AK" in err
