"""Huawei services are fuzzed under both of their authentications (issue 12 point 10): AK/SK signing and an IAM
token. The `X-Sdk-Date` defect of point 9 (a malformed date accepted with a token) was invisible while the contract
suite only signed; an emulator taught that defect again fails under the token run."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from generator.contract import FuzzOptions, emulator_run, format_report, fuzz_spec
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.profiles.huawei.hooks import HuaweiToken, TokenSigner, secrets
from tests.conftest import SPECS

HUAWEI = ("huaweicloud_live", "huaweicloud_metastudio")


def _seen(app: Any, sent: list[dict[bytes, bytes]]) -> Any:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            sent.append(dict(scope["headers"]))
        await app(scope, receive, send)

    return wrapped


@pytest.mark.parametrize("name", HUAWEI)
def test_huawei_emulators_are_fuzzed_with_a_token_too(name: str) -> None:
    spec = SPECS / f"{name}.yaml"
    target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
    assert [variant for variant, _ in target.also] == ["token"] and credentials is not None
    token = target.also[0][1]
    assert isinstance(token, HuaweiToken) and token.project_id == credentials.project_id
    sent: list[dict[bytes, bytes]] = []
    target = replace(target, app=_seen(target.app, sent))
    report = fuzz_spec(spec, target, credentials, FuzzOptions(seed=2, max_examples=3, phases=("examples", "fuzzing")))
    assert report.ok, format_report([report])
    signed = [h for h in sent if h.get(b"authorization", b"").startswith(b"SDK-HMAC-SHA256")]
    with_token = [h for h in sent if h.get(b"x-auth-token") == token.token.encode()]
    assert signed and with_token


def test_volcengine_has_one_way_in() -> None:
    target, _ = emulator_run(SPECS / "volcengine_live.yaml", DEFAULT_CREDENTIALS)
    assert target.also == ()


def test_the_token_is_a_secret_and_goes_in_its_headers() -> None:
    import httpx

    token = HuaweiToken("tok-123", "p" * 32)
    assert "tok-123" not in repr(token) and secrets(token) == (("tok-123",), ())
    request = httpx.Request("GET", "http://x/")
    TokenSigner(token).sign(request)
    assert request.headers["X-Auth-Token"] == "tok-123" and request.headers["X-Project-Id"] == "p" * 32


def _ignoring_sdk_date_with_tokens(app: Any) -> Any:
    """Point 9's defect: with a token, whatever X-Sdk-Date says is dropped unread."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and any(key == b"x-auth-token" for key, _ in scope["headers"]):
            scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k != b"x-sdk-date"])
        await app(scope, receive, send)

    return wrapped


def test_a_malformed_sdk_date_accepted_with_a_token_fails() -> None:
    spec = SPECS / "huaweicloud_metastudio.yaml"
    target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
    target = replace(target, app=_ignoring_sdk_date_with_tokens(target.app))
    report = fuzz_spec(spec, target, credentials, FuzzOptions(seed=2, max_examples=3, phases=("coverage",)))
    failed = [f for f in report.failures if f.check == "negative_data_rejection" and f.phase.endswith("(token)")]
    assert failed, format_report([report])
    assert all(f.phase.endswith("(token)") for f in report.failures), format_report([report])
