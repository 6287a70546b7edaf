"""Strict on what clients send, tolerant on what they receive (house style 7), through the generated packages.

A success response with a value the spec does not allow (an unknown enum value, an unknown field, a value outside
its range or length or pattern) parses: the value is kept as received, a warning goes to the `streamspec.responses`
logger, and the raw response has everything. With `strict_responses=True` the same response raises
`APIResponseValidationError` carrying the response and the request id. Each case runs with the blocking and the
asynchronous client. Requests stay strictly validated: what a caller passes raises `APIRequestValidationError`
naming the operation and the field before anything is sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ConfigDict

from generator.runtime.model import ApiModel, from_json
from generator.runtime.receiving import receiving
from tests.conftest import import_generated, mypy_strict_on

LIVE = import_generated("huaweicloud_live")
VOLC = import_generated("volcengine_live")
REQUEST_ID = "req-0001"

CONFIG = {
    "id": "cfg1",
    "publish_domain": "publish.example.com",
    "app": "live",
    "notify_callback_url": "https://example.com/notify",
    "notify_event_subscription": ["RECORD_FILE_COMPLETE"],
    "sign_type": "HMACSHA256",
    "create_time": "2024-05-17T08:30:00Z",
}
DESCRIBED = {
    "ResponseMetadata": {
        "RequestId": REQUEST_ID,
        "Action": "DescribeCallback",
        "Version": "2023-01-01",
        "Service": "live",
        "Region": "cn-north-1",
    },
    "Result": {
        "CallbackList": [
            {
                "Vhost": "push.example.com",
                "App": "live",
                "MessageType": "push",
                "TranscodeCallback": 0,
                "AuthEnable": False,
                "AuthKeyPrimary": "",
                "CreateTime": "2021-01-02T15:04:05+8:00",
                "CreateTimeUTC": "2021-01-02T07:04:05Z",
                "CallbackDetailList": [{"CallbackType": "http", "URL": "http://example.com/callback"}],
            }
        ]
    },
}


def _with(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    copy: Any = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy  # type: ignore[no-any-return]


def _read(document: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        document = (
            document.model_extra[step]
            if isinstance(step, str) and step in (document.model_extra or {})
            else (document[step] if isinstance(step, int) else getattr(document, step))
        )
    return document


# (case, package, operation, arguments, answer, path to the odd value on the wire, path to it in the result, value)
CASES = [
    (
        "unknown enum value",
        LIVE,
        "show_record_callback_config",
        ("cfg1",),
        CONFIG,
        ("sign_type",),
        ("sign_type",),
        "SHA512",
    ),
    (
        "unknown enum value in an array",
        LIVE,
        "show_record_callback_config",
        ("cfg1",),
        CONFIG,
        ("notify_event_subscription",),
        ("notify_event_subscription",),
        ["RECORD_PAUSED", "RECORD_OVER"],
    ),
    ("unknown field", LIVE, "show_record_callback_config", ("cfg1",), CONFIG, ("brand_new",), ("brand_new",), {"a": 1}),
    (
        "value below its minimum",
        LIVE,
        "list_record_callback_configs",
        (),
        {"total": 0, "callback_config": [CONFIG]},
        ("total",),
        ("total",),
        -1,
    ),
    (
        "string longer than its maximum",
        LIVE,
        "show_record_callback_config",
        ("cfg1",),
        CONFIG,
        ("publish_domain",),
        ("publish_domain",),
        "d" * 300,
    ),
    (
        "string off its pattern",
        LIVE,
        "show_record_callback_config",
        ("cfg1",),
        CONFIG,
        ("create_time",),
        ("create_time",),
        "yesterday",
    ),
    (
        "nested unknown enum value",
        VOLC,
        "describe_callback",
        ({"Vhost": "push.example.com"},),
        DESCRIBED,
        ("Result", "CallbackList", 0, "MessageType"),
        ("result", "callback_list", 0, "message_type"),
        "pull",
    ),
    (
        "unknown integer enum value",
        VOLC,
        "describe_callback",
        ({"Vhost": "push.example.com"},),
        DESCRIBED,
        ("Result", "CallbackList", 0, "TranscodeCallback"),
        ("result", "callback_list", 0, "transcode_callback"),
        7,
    ),
]
IDS = [case[0] for case in CASES]


def _client(
    package: Any, answer: Callable[[httpx.Request], httpx.Response], *, asynchronous: bool, strict: bool
) -> Any:
    kind = package.AsyncClient if asynchronous else package.Client
    credentials = (
        {"token": "t", "project_id": "p"}
        if package is LIVE
        else {"credentials": package.VolcengineCredentials("AK", "SK")}
    )
    return kind(
        base_url="http://vendor.test",
        transport=httpx.MockTransport(answer),
        max_retries=0,
        strict_responses=strict,
        **credentials,
    )


def _call(
    package: Any, operation: str, args: tuple[Any, ...], answer: dict[str, Any], *, asynchronous: bool, strict: bool
) -> Any:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer, headers={"X-Request-Id": REQUEST_ID})

    if not asynchronous:
        with _client(package, reply, asynchronous=False, strict=strict) as client:
            return getattr(client, operation)(*args)

    async def run() -> Any:
        async with _client(package, reply, asynchronous=True, strict=strict) as client:
            return await getattr(client, operation)(*args)

    return asyncio.run(run())


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("case", "package", "operation", "args", "answer", "wire", "field", "value"), CASES, ids=IDS)
def test_a_value_the_spec_does_not_allow_is_kept_as_received(
    case: str,
    package: Any,
    operation: str,
    args: tuple[Any, ...],
    answer: dict[str, Any],
    wire: tuple[str | int, ...],
    field: tuple[str | int, ...],
    value: Any,
    asynchronous: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    odd = _with(answer, wire, value)
    with caplog.at_level(logging.WARNING, logger="streamspec.responses"):
        result = _call(package, operation, args, odd, asynchronous=asynchronous, strict=False)
    assert _read(result, field) == value
    assert result.model_dump(mode="json", by_alias=True, exclude_unset=True) == odd, "the rest is parsed as usual"
    warnings = [r.getMessage() for r in caplog.records if r.name == "streamspec.responses"]
    if case != "unknown field":  # an open object's unknown field is no deviation: `model_extra` has it
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith("".join(part.title() for part in operation.split("_")) + ": ")
        assert "kept as received" in warnings[0]
        assert json.dumps(value, ensure_ascii=False)[:40] in warnings[0]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("case", "package", "operation", "args", "answer", "wire", "field", "value"), CASES, ids=IDS)
def test_strict_mode_raises_a_typed_error_with_the_response(
    case: str,
    package: Any,
    operation: str,
    args: tuple[Any, ...],
    answer: dict[str, Any],
    wire: tuple[str | int, ...],
    field: tuple[str | int, ...],
    value: Any,
    asynchronous: bool,
) -> None:
    if case == "unknown field":
        pytest.skip("the spec's response objects are open: an unknown field conforms")
    odd = _with(answer, wire, value)
    with pytest.raises(package.APIResponseValidationError) as caught:
        _call(package, operation, args, odd, asynchronous=asynchronous, strict=True)
    error = caught.value
    assert isinstance(error, package.APIError)
    assert error.request_id == REQUEST_ID
    assert error.status_code == 200
    assert error.response.json() == odd
    assert error.body == odd


def test_raw_access_has_everything_received() -> None:
    odd = _with(CONFIG, ("sign_type",), "SHA512")

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={**odd, "brand_new": 1}, headers={"X-Request-Id": REQUEST_ID})

    with _client(LIVE, reply, asynchronous=False, strict=False) as client:
        raw = client.send_raw(client.requests.show_record_callback_config("cfg1"))
        assert raw.http_response.json() == {**odd, "brand_new": 1}
        assert raw.parse().sign_type == "SHA512"


class _Closed(ApiModel):
    model_config = ConfigDict(extra="forbid")
    name: str


def test_an_unknown_field_of_a_closed_object_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    content = b'{"name": "a", "added_later": 1}'
    with caplog.at_level(logging.WARNING, logger="streamspec.responses"), receiving("Op", strict=False):
        assert from_json(_Closed, content).name == "a"
    assert "has no field 'added_later'" in caplog.text
    with pytest.raises(ValueError), receiving("Op", strict=True):
        from_json(_Closed, content)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({k: v for k, v in CONFIG.items() if k != "id"}, id="required field missing"),
        pytest.param(["not", "an", "object"], id="not an object"),
    ],
)
def test_what_cannot_be_kept_raises_even_when_tolerant(body: Any, asynchronous: bool) -> None:
    with pytest.raises(LIVE.APIResponseValidationError) as caught:
        _call(LIVE, "show_record_callback_config", ("cfg1",), body, asynchronous=asynchronous, strict=False)
    assert caught.value.request_id == REQUEST_ID


def test_a_body_that_is_not_json_raises_the_typed_error() -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>", headers={"X-Request-Id": REQUEST_ID})

    with (
        _client(LIVE, reply, asynchronous=False, strict=False) as client,
        pytest.raises(LIVE.APIResponseValidationError),
    ):
        client.show_record_callback_config("cfg1")


@pytest.mark.parametrize("strict", [False, True], ids=["tolerant", "strict"])
@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_an_undocumented_error_code_raises_its_status_class_with_the_code(asynchronous: bool, strict: bool) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        body = {"error_code": "LIVE.100099999", "error_msg": "a code the docs do not list", "extra": True}
        return httpx.Response(400, json=body, headers={"X-Request-Id": REQUEST_ID})

    async def run() -> None:
        async with _client(LIVE, reply, asynchronous=True, strict=strict) as client:
            await client.show_record_callback_config("cfg1")

    with pytest.raises(LIVE.BadRequestError) as caught:
        if asynchronous:
            asyncio.run(run())
        else:
            with _client(LIVE, reply, asynchronous=False, strict=strict) as client:
                client.show_record_callback_config("cfg1")
    assert (caught.value.code, caught.value.request_id) == ("LIVE.100099999", REQUEST_ID)


@pytest.mark.parametrize("status", [409, 418, 503])
def test_an_undocumented_status_raises_the_apis_base_error(status: int) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error_code": "X.1", "error_msg": "?"})

    with (
        _client(LIVE, reply, asynchronous=False, strict=False) as client,
        pytest.raises(LIVE.HuaweicloudLiveError) as caught,
    ):
        client.show_record_callback_config("cfg1")
    assert caught.value.status_code == status
    assert type(caught.value) is LIVE.HuaweicloudLiveError


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("sent a request the client should have refused")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.list_record_callback_configs(limit=1000), "limit"),
        (lambda c: c.show_record_callback_config("bad id!"), "id"),
        (
            lambda c: c.create_record_callback_config({"publish_domain": "d" * 300, "app": "live"}),
            "body.publish_domain",
        ),
        (
            lambda c: c.create_record_callback_config({"publish_domain": "d", "app": "live", "sign_type": "SHA512"}),
            "body.sign_type",
        ),
        (lambda c: c.create_record_callback_config({"publish_domain": "d", "app": "live", "bogus": 1}), "body.bogus"),
    ],
    ids=["parameter range", "path parameter pattern", "body length", "body enum", "body unknown field"],
)
def test_invalid_input_raises_the_packages_own_error_naming_operation_and_field(call: Any, field: str) -> None:
    with (
        _client(LIVE, _never, asynchronous=False, strict=False) as client,
        pytest.raises(LIVE.APIRequestValidationError) as caught,
    ):
        call(client)
    error = caught.value
    assert isinstance(error, LIVE.APIError) and isinstance(error, ValueError)
    assert error.operation in str(error)
    assert [f for f, _ in error.errors] == [field], error.errors
    assert field in str(error)


def test_incomplete_credentials_raise_the_packages_own_error() -> None:
    with pytest.raises(LIVE.CredentialsError) as caught:
        LIVE.HuaweiCredentials("", "sk", "project")
    assert isinstance(caught.value, LIVE.APIError)
    for name in ("HuaweiCredentials", "HuaweiAkSkAuth", "HuaweiTokenAuth", "CredentialsError"):
        assert name in LIVE.__all__
    assert "VolcengineCredentials" in VOLC.__all__


def test_open_enums_type_check_for_callers_matching_on_the_known_values(tmp_path: Path) -> None:
    """mypy --strict accepts a match on the known values that also handles the others (and the unset sentinel)."""
    done = mypy_strict_on(
        tmp_path / "usage.py",
        "from huaweicloud_live import models\n\n\n"
        "def label(config: models.RecordCallbackConfig) -> str:\n"
        "    match config.sign_type:\n"
        '        case "HMACSHA256":\n'
        '            return "sha-256"\n'
        '        case "MD5":\n'
        '            return "md5"\n'
        "        case str() as other:\n"
        "            return other\n"
        "        case _:\n"
        '            return "unset"\n',
    )
    assert done.returncode == 0, done.stdout + done.stderr
