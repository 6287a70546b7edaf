"""Documented answers (issue 12 point 10): where a vendor documents an answer a schemathesis check would call wrong,
the check accepts exactly that answer (the profile's vendor-wide facts, a spec's `x-documented-answers`), and an
emulator taught to answer anything else fails. Nothing is switched off."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from schemathesis.core.result import Ok

from generator.answers import answers_of, evaluate, matches, pointer_value, spec_answers
from generator.contract import (
    FuzzOptions,
    SpecReport,
    Target,
    emulator_run,
    format_report,
    fuzz_spec,
    load_schema,
    read_spec,
)
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.profiles.volcengine import PROFILE as VOLCENGINE
from tests.conftest import SPECS

ASGI = Callable[..., Any]


def test_reading_answers() -> None:
    raw = read_spec(SPECS / "huaweicloud_live.yaml")
    found = {answer.operations: answer for answer in spec_answers(raw)}
    assert set(found) == {("CreateRecordCallbackConfig",), ("UpdateRecordCallbackConfig",)}
    create, update = found[("CreateRecordCallbackConfig",)], found[("UpdateRecordCallbackConfig",)]
    assert create.check == update.check == "positive_data_acceptance" and create.status == 400
    assert create.conflict is not None and create.conflict.own is None
    assert update.conflict is not None and update.conflict.own == "$request.path.id"
    body = b'{"error_code": "LIVE.100011001", "error_msg": "Request Illegal"}'
    assert matches(create, 400, body)
    assert not matches(create, 400, b'{"error_code": "LIVE.100011002"}') and not matches(create, 409, body)
    assert not matches(create, 400, b"not json")
    assert pointer_value({"a": [{"b~/c": 1}]}, "/a/0/b~0~1c") == 1 and pointer_value({}, "/x") is None
    assert evaluate("$request.body#/app", {}, {}, {"app": "live"}) == "live"
    assert evaluate("$request.path.id", {"id": "7"}, {}, None) == "7"
    # the vendor's facts apply to every operation of a Volcengine spec, a spec's to its operation only
    volc = answers_of(read_spec(SPECS / "volcengine_live.yaml"), VOLCENGINE.documented_answers)
    assert volc and all(set(checks) == {"missing_required_header", "ignored_auth"} for checks in volc.values())
    assert set(answers_of(raw)) == {"CreateRecordCallbackConfig", "UpdateRecordCallbackConfig"}


@pytest.mark.parametrize("name", ["huaweicloud_live", "volcengine_live", "huaweicloud_metastudio"])
def test_stock_checks_are_replaced_for_answered_operations_only(name: str) -> None:
    from generator.contract import _load

    loaded = _load(SPECS / f"{name}.yaml")
    schema = load_schema(loaded.path, Target(base_url="http://127.0.0.1"), None, FuzzOptions(), loaded)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    for operation in operations:
        answered = loaded.answers.get(operation.definition.raw["operationId"], {})
        checks = schema.config.checks_config_for(operation=operation)
        for check in ("positive_data_acceptance", "missing_required_header", "ignored_auth"):
            assert checks.get_by_name(name=check).enabled is (check not in answered), (operation.label, check)
        if name != "huaweicloud_live":
            assert not set(answered) & {"positive_data_acceptance"}
    assert bool(loaded.answers) is (name != "huaweicloud_metastudio")


# --------------------------------------------------------------------------- an emulator taught to answer wrong


def _answering(app: ASGI, wrong: Callable[[dict[str, Any], bytes], tuple[int, dict[str, Any]] | None]) -> ASGI:
    """`app`, except where `wrong(scope, body)` gives a (status, JSON body) to answer instead."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        answer = wrong(scope, body)
        if answer is None:
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body}

            await app(scope, replay, send)
            return
        status, data = answer
        content = json.dumps(data).encode()
        headers = [(b"content-type", b"application/json"), (b"x-request-id", b"0" * 32)]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return wrapped


def _fuzz(
    name: str, wrong: Callable[[dict[str, Any], bytes], tuple[int, dict[str, Any]] | None], **options: Any
) -> SpecReport:
    spec = SPECS / f"{name}.yaml"
    target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
    target = replace(target, app=_answering(target.app, wrong))
    return fuzz_spec(spec, target, credentials, FuzzOptions(seed=3, max_examples=5, **options))


def _header(scope: dict[str, Any], name: bytes) -> bytes | None:
    return next((value for key, value in scope["headers"] if key == name), None)


def _creates(scope: dict[str, Any]) -> bool:
    return scope["method"] in ("POST", "PUT") and "/record/callbacks" in scope["path"]


@pytest.mark.parametrize(
    ("why", "answer"),
    [
        ("another 400 to a valid body", (400, {"error_code": "LIVE.100011002", "error_msg": "Some other refusal"})),
        (
            "the documented code while no configuration has that domain and app",
            (400, {"error_code": "LIVE.100011001", "error_msg": "Request Illegal"}),
        ),
    ],
)
def test_live_refusing_a_valid_configuration_otherwise_fails(why: str, answer: tuple[int, dict[str, Any]]) -> None:
    def wrong(scope: dict[str, Any], body: bytes) -> tuple[int, dict[str, Any]] | None:
        return answer if _creates(scope) and _header(scope, b"authorization") else None

    report = _fuzz("huaweicloud_live", wrong, phases=("examples",))
    failed = {(f.operation.split(" ")[0], f.check) for f in report.failures}
    assert ("POST", "streamspec_positive_data_acceptance") in failed, format_report([report])
    assert ("PUT", "streamspec_positive_data_acceptance") in failed, format_report([report])


@pytest.mark.parametrize(
    ("why", "wrong"),
    [
        # invalid credentials accepted: the probe the old override dropped
        (
            "malformed credentials accepted",
            lambda scope, body: (
                (200, {"ResponseMetadata": {"RequestId": "x"}, "Result": {}})
                if (_header(scope, b"authorization") or b"").startswith(b"SCHEMATHESIS")
                else None
            ),
        ),
        (
            "no credentials refused with another code",
            lambda scope, body: (
                (400, {"ResponseMetadata": {"RequestId": "x", "Error": {"Code": "InvalidParameter"}}})
                if _header(scope, b"authorization") is None
                else None
            ),
        ),
    ],
)
def test_volcengine_auth_answers_other_than_documented_fail(why: str, wrong: Any) -> None:
    report = _fuzz("volcengine_live", wrong, phases=("examples", "coverage"))
    checks = {f.check for f in report.failures}
    assert checks & {"streamspec_ignored_auth", "streamspec_missing_required_header"}, format_report([report])


@pytest.mark.parametrize("name", ["huaweicloud_live", "volcengine_live", "huaweicloud_metastudio"])
def test_every_documented_answer_is_well_formed(name: str) -> None:
    """A typo in a spec's answers must not silently accept nothing (or everything)."""
    from generator.answers import ANSWERED_CHECKS

    raw = read_spec(SPECS / f"{name}.yaml")
    ids = {
        str(op["operationId"])
        for item in raw["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for answer in spec_answers(raw):
        assert answer.check in ANSWERED_CHECKS and answer.reason.strip() and answer.body
        assert all(pointer.startswith("/") for pointer in answer.body)
        if answer.conflict is not None:
            assert answer.conflict.operation in ids and answer.conflict.items.startswith("/")
            assert all(value.startswith("$request.") for value in answer.conflict.parameters.values())


def test_live_refusing_a_taken_domain_and_app_passes() -> None:
    """The documented refusal itself: a configuration for publish.example.com/** exists before the run, so the
    examples phase's create of the same domain and app gets 400 LIVE.100011001, and the check asks the list,
    finds the other configuration and passes."""
    import asyncio

    import httpx

    from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth

    spec = SPECS / "huaweicloud_live.yaml"
    target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
    assert credentials is not None
    refused: list[bytes] = []

    async def seed() -> None:
        transport = httpx.ASGITransport(app=target.app)
        async with httpx.AsyncClient(
            transport=transport, base_url=target.base_url, auth=HuaweiAkSkAuth(credentials)
        ) as http:
            body = {
                "publish_domain": "publish.example.com",
                "app": "**",
                "notify_callback_url": "https://a.example.com/n",
            }
            created = await http.post(f"/v1/{credentials.project_id}/record/callbacks", json=body)
            assert created.status_code == 201, created.text

    asyncio.run(seed())
    app = target.app

    async def recording(scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def watch(message: dict[str, Any]) -> None:
            if (
                message["type"] == "http.response.body"
                and scope["method"] == "POST"
                and b"LIVE.100011001" in message.get("body", b"")
            ):
                refused.append(message["body"])
            await send(message)

        await app(scope, receive, watch)

    report = fuzz_spec(
        spec, replace(target, app=recording, also=()), credentials, FuzzOptions(seed=3, phases=("examples",))
    )
    assert refused, "the emulator refused no create"
    assert report.ok, format_report([report])
