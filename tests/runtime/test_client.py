"""Behaviour of the generated clients' HTTP runtime, all through httpx.MockTransport (no network).

Most tests run twice, once per client (``harness`` fixture), so the sync and async clients are held to the same
contract. Backoff is observed through an injected ``sleep`` that records delays instead of waiting.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.profiles.huawei.runtime.envelope import HuaweiEnvelope
from generator.profiles.volcengine.runtime.envelope import VolcengineEnvelope
from generator.runtime.client import (
    APIConnectionError,
    APIError,
    APIResponse,
    APIStatusError,
    APITimeoutError,
    AsyncAPIClient,
    Operation,
    RequestOptions,
    RetryPolicy,
    SyncAPIClient,
    _aread,
    _encoded_query,
    _read,
    _request,
)
from generator.runtime.envelope import ErrorDetail, ErrorEnvelope
from generator.runtime.signing import SigningAuth

BASE = "https://live.example.com"


class BadRequestError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


SHOW = Operation(
    operation_id="ShowRecordCallbackConfig",
    method="GET",
    path="/v1/{project_id}/record/callbacks/{id}",
    idempotent=True,
    errors={400: BadRequestError, 404: NotFoundError},
    success_statuses=frozenset({200}),
)
CREATE = Operation(
    operation_id="CreateRecordCallbackConfig",
    method="POST",
    path="/v1/{project_id}/record/callbacks",
    idempotent=False,
    errors={400: BadRequestError},
    success_statuses=frozenset({201}),
)
UPDATE = Operation(
    operation_id="UpdateRecordCallbackConfig",
    method="PUT",
    path="/v1/{project_id}/record/callbacks/{id}",
    idempotent=True,
    errors={},
    success_statuses=frozenset({200}),
)
RPC = Operation(
    operation_id="UpdateCallback",
    method="POST",
    path="/",
    idempotent=True,
    errors={},
    success_statuses=frozenset({200}),
)
SHOW_PARAMS = {"project_id": "p1", "id": "cb-1"}


def respond(status: int = 200, body: object = None, *, text: str | None = None, **headers: str) -> httpx.Response:
    """A canned response; ``x_request_id="r"`` becomes the header ``x-request-id: r``."""
    header_map = {name.replace("_", "-"): value for name, value in headers.items()}
    if text is not None:
        return httpx.Response(status, text=text, headers=header_map)
    return httpx.Response(status, json=body, headers=header_map)


class Server:
    """MockTransport handler replaying a script (the last entry repeats) and recording every request."""

    def __init__(self, *script: httpx.Response | Exception) -> None:
        self.script = script
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.script[min(len(self.requests), len(self.script)) - 1]
        if isinstance(item, Exception):
            raise item
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def parse_json(response: httpx.Response) -> Any:
    return response.json()


@dataclass
class Harness:
    """Runs one request through the sync or the async client with the same arguments."""

    mode: str
    delays: list[float] = field(default_factory=list)

    def request(
        self,
        server: Server,
        op: Operation = SHOW,
        parse: Callable[[httpx.Response], Any] = parse_json,
        *,
        client: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> APIResponse[Any]:
        settings: dict[str, Any] = {"base_url": BASE, "envelope": HuaweiEnvelope(), **(client or {})}
        if "{" in op.path:
            kwargs.setdefault("path_params", SHOW_PARAMS)
        transport = httpx.MockTransport(server)
        if self.mode == "sync":
            with SyncAPIClient(transport=transport, sleep=self.delays.append, **settings) as sync_client:
                return sync_client.request(op, parse, **kwargs)

        async def sleep(delay: float) -> None:
            self.delays.append(delay)

        async def main() -> APIResponse[Any]:
            async with AsyncAPIClient(transport=transport, sleep=sleep, **settings) as async_client:
                return await async_client.request(op, parse, **kwargs)

        return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest) -> Harness:
    return Harness(request.param)


class CountingAuth(httpx.Auth):
    """Signs each request with a new value, as the real signers do with a fresh date."""

    def __init__(self) -> None:
        self.calls = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.calls += 1
        request.headers["Authorization"] = f"SIG-{self.calls}"
        yield request


# --------------------------------------------------------------------------- success path


def test_success_parse_and_raw_access(harness: Harness) -> None:
    server = Server(respond(200, {"id": "cb-1"}, x_request_id="rid-1"))
    parsed: list[httpx.Response] = []

    def parse(response: httpx.Response) -> str:
        parsed.append(response)
        return str(response.json()["id"])

    result = harness.request(server, parse=parse)

    assert parsed == []  # parsed on demand only
    assert result.parse() == "cb-1"
    assert result.parse() == "cb-1"
    assert len(parsed) == 1  # and cached
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/json"
    assert result.request_id == "rid-1"
    assert result.retries_taken == 0
    assert isinstance(result.http_response, httpx.Response)
    sent = server.last
    assert sent.method == "GET"
    assert str(sent.url) == f"{BASE}/v1/p1/record/callbacks/cb-1"
    assert "content-type" not in sent.headers
    assert sent.content == b""
    assert sent.headers["user-agent"].startswith("streamspec-client/")
    assert f"python-httpx/{httpx.__version__}" in sent.headers["user-agent"]


def test_json_body_and_header_precedence(harness: Harness) -> None:
    server = Server(respond(201, {"id": "cb-2"}))
    harness.request(
        server,
        CREATE,
        path_params={"project_id": "p1"},
        json_body={"name": "直播", "n": 1, "flag": True, "none": None},
        headers={"X-Tenant": "call", "X-Call": "header"},
        options=RequestOptions(extra_headers={"X-Call": "extra"}),
        client={"default_headers": {"user-agent": "custom/1", "X-Tenant": "client"}},
    )
    sent = server.last
    assert sent.content == '{"name":"直播","n":1,"flag":true,"none":null}'.encode()
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers.get_list("user-agent") == ["custom/1"]
    assert sent.headers["x-tenant"] == "call"
    assert sent.headers["x-call"] == "extra"


def test_none_body_is_sent_as_json_null(harness: Harness) -> None:
    server = Server(respond(201, {}))
    harness.request(server, CREATE, path_params={"project_id": "p1"}, json_body=None)
    assert server.last.content == b"null"
    assert server.last.headers["content-type"] == "application/json"


# --------------------------------------------------------------------------- error envelopes


def _response(status: int, content: bytes, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=content, headers=headers)


def _dumps(body: object) -> bytes:
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("status", "content", "code", "message"),
    [
        (
            400,
            _dumps({"error_code": "LIVE.100011001", "error_msg": "Invalid domain"}),
            "LIVE.100011001",
            "Invalid domain",
        ),
        (400, _dumps({"errorCode": "MSS.001", "errorMsg": "camel"}), "MSS.001", "camel"),
        (
            401,
            _dumps({"code": "APIGW.0301", "message": "Incorrect IAM authentication"}),
            "APIGW.0301",
            "Incorrect IAM authentication",
        ),
        (403, _dumps({"error": {"code": "IAM.0011", "message": "nested"}}), "IAM.0011", "nested"),
        (403, _dumps({"a": 1, "outer": {"inner": {"error_code": "DEEP", "error_msg": "deep"}}}), "DEEP", "deep"),
        # a pair needs both keys: a lone error_code is skipped for the next pair that is complete
        (400, _dumps({"error_code": "ALONE", "code": "C", "message": "m"}), "C", "m"),
        (400, _dumps({"error_code": 123, "error_msg": "numeric"}), "123", "numeric"),
    ],
)
def test_huawei_envelope_fields(status: int, content: bytes, code: str, message: str) -> None:
    detail = HuaweiEnvelope().parse_error(_response(status, content, {"X-Request-Id": "rid"}))
    assert detail == ErrorDetail(code=code, message=message, request_id="rid")


@pytest.mark.parametrize(
    ("status", "content"),
    [
        (502, b"<html>Bad Gateway</html>"),  # not JSON
        (400, b"[1, 2]"),  # JSON, not an object
        (500, b""),  # empty
        (400, b"\xff\xfe\xfa"),  # not UTF-8
        (400, _dumps({"error_code": "ONLY_CODE"})),  # incomplete pair
        (400, _dumps({"error_code": None, "error_msg": ""})),  # present but empty
        (404, _dumps({"result": "nothing like an error"})),
    ],
)
def test_huawei_envelope_falls_back_to_status_and_text(status: int, content: bytes) -> None:
    response = _response(status, content)
    detail = HuaweiEnvelope().parse_error(response)
    assert detail == ErrorDetail(code=str(status), message=response.text, request_id=None)


def test_huawei_envelope_request_id_sources() -> None:
    envelope = HuaweiEnvelope()
    body = _dumps({"error_code": "E", "error_msg": "m", "request_id": "from-body"})
    assert envelope.request_id(_response(400, body, {"x-request-id": "from-header"})) == "from-header"
    assert envelope.request_id(_response(400, body)) == "from-body"
    assert envelope.request_id(_response(200, body)) is None  # success bodies are not parsed for it
    assert envelope.request_id(_response(200, b"{}")) is None


def test_huawei_envelope_ignores_non_error_statuses() -> None:
    body = _dumps({"error_code": "E", "error_msg": "m"})
    assert HuaweiEnvelope().parse_error(_response(200, body)) is None
    assert HuaweiEnvelope().parse_error(_response(302, body)) is None


def _volc(error: object = None, request_id: str | None = "vrid", **extra: object) -> bytes:
    metadata: dict[str, object] = {"Action": "UpdateCallback", "Version": "2023-01-01", "Service": "live"}
    if request_id is not None:
        metadata["RequestId"] = request_id
    if error is not None:
        metadata["Error"] = error
    return _dumps({"ResponseMetadata": metadata, **extra})


@pytest.mark.parametrize(
    ("status", "content", "expected"),
    [
        (
            400,
            _volc({"CodeN": 10001, "Code": "InvalidParameter", "Message": "bad Vhost"}),
            ErrorDetail("InvalidParameter", "bad Vhost", "vrid"),
        ),
        (
            200,
            _volc({"CodeN": 10001, "Code": "InvalidParameter", "Message": "error in a 200"}),
            ErrorDetail("InvalidParameter", "error in a 200", "vrid"),
        ),
        (200, _volc({"CodeN": 100004}), ErrorDetail("100004", _volc({"CodeN": 100004}).decode(), "vrid")),
        (200, _volc({"Code": "", "CodeN": 0, "Message": ""}, Result={}), None),
        (200, _volc(None, Result={"ok": True}), None),
        (200, b"not json", None),
        (404, _volc(None), ErrorDetail("404", _volc(None).decode(), "vrid")),
        (500, b"oops", ErrorDetail("500", "oops", "hrid")),
        (
            403,
            _volc({"Code": "AccessDenied", "Message": "m"}, request_id=None),
            ErrorDetail("AccessDenied", "m", "hrid"),
        ),
    ],
)
def test_volcengine_envelope(status: int, content: bytes, expected: ErrorDetail | None) -> None:
    response = _response(status, content, {"X-Request-Id": "hrid"} if b"vrid" not in content else None)
    assert VolcengineEnvelope().parse_error(response) == expected


def test_volcengine_request_id_prefers_body() -> None:
    envelope = VolcengineEnvelope()
    assert envelope.request_id(_response(200, _volc(None), {"X-Request-Id": "h"})) == "vrid"
    assert envelope.request_id(_response(200, _volc(None, request_id=None), {"X-Request-Id": "h"})) == "h"
    assert envelope.request_id(_response(200, b"")) is None


@given(status=st.integers(400, 599), content=st.binary(max_size=200))
def test_envelopes_always_describe_http_errors(status: int, content: bytes) -> None:
    envelopes: list[ErrorEnvelope] = [HuaweiEnvelope(), VolcengineEnvelope()]
    for envelope in envelopes:
        detail = envelope.parse_error(_response(status, content))
        assert detail is not None
        assert detail.code


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["Code", "CodeN", "Error", "x"]), inner)
    ),
    max_leaves=10,
)


@given(metadata=_json_values)
def test_volcengine_envelope_never_raises_on_odd_metadata(metadata: object) -> None:
    detail = VolcengineEnvelope().parse_error(_response(200, _dumps({"ResponseMetadata": metadata})))
    assert detail is None or detail.code


# --------------------------------------------------------------------------- exception mapping


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(400, BadRequestError), (404, NotFoundError), (409, APIStatusError), (401, APIStatusError), (500, APIStatusError)],
)
def test_status_maps_to_documented_exception(harness: Harness, status: int, error_class: type[APIStatusError]) -> None:
    body = {"error_code": f"LIVE.{status}", "error_msg": "went wrong"}
    server = Server(respond(status, body, x_request_id="rid-9"))
    with pytest.raises(APIError) as caught:
        harness.request(server, options=RequestOptions(max_retries=0))
    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, APIStatusError)
    assert (error.status_code, error.code, error.message, error.request_id) == (
        status,
        f"LIVE.{status}",
        "went wrong",
        "rid-9",
    )
    assert error.body == body
    assert error.response.status_code == status
    assert str(error) == f"{status} LIVE.{status}: went wrong (request id rid-9)"


def test_text_error_body_and_str_without_request_id(harness: Harness) -> None:
    with pytest.raises(APIStatusError) as caught:
        harness.request(Server(respond(500, text="boom")), options=RequestOptions(max_retries=0))
    assert caught.value.body == "boom"
    assert str(caught.value) == "500 500: boom"


def test_volcengine_error_in_200_raises(harness: Harness) -> None:
    content = _volc({"CodeN": 10001, "Code": "InvalidParameter", "Message": "bad"})
    server = Server(httpx.Response(200, content=content))
    with pytest.raises(APIStatusError) as caught:
        harness.request(server, RPC, client={"envelope": VolcengineEnvelope()}, query=[("Action", "UpdateCallback")])
    error = caught.value
    assert type(error) is APIStatusError
    assert (error.status_code, error.code, error.request_id) == (200, "InvalidParameter", "vrid")
    assert str(error) == "200 InvalidParameter: bad (request id vrid)"
    assert len(server.requests) == 1


@pytest.mark.parametrize("response", [respond(202, {}), httpx.Response(302, headers={"Location": "/elsewhere"})])
def test_unlisted_status_is_unexpected(harness: Harness, response: httpx.Response) -> None:
    server = Server(response)
    with pytest.raises(APIStatusError) as caught:
        harness.request(server)
    assert caught.value.code == "UnexpectedStatus"
    assert "expected 200" in caught.value.message
    assert len(server.requests) == 1  # neither retried nor redirected


# --------------------------------------------------------------------------- retries


DEFAULT_POLICY = RetryPolicy()


def _assert_backoff(delays: list[float], policy: RetryPolicy = DEFAULT_POLICY) -> None:
    for attempt, delay in enumerate(delays):
        base = min(policy.initial_delay * 2**attempt, policy.max_delay)
        assert base * (1 - policy.jitter) <= delay <= base


@pytest.mark.parametrize("status", sorted(RetryPolicy().retry_statuses))
def test_idempotent_retry_on_retryable_status(harness: Harness, status: int) -> None:
    server = Server(respond(status, {}), respond(status, {}), respond(200, {"id": "x"}))
    result = harness.request(server)
    assert result.retries_taken == 2
    assert result.parse() == {"id": "x"}
    assert len(server.requests) == 3
    assert len(harness.delays) == 2
    _assert_backoff(harness.delays)


def test_retries_exhausted_raise_last_status(harness: Harness) -> None:
    server = Server(respond(503, {"error_code": "SVC.503", "error_msg": "busy"}))
    with pytest.raises(APIStatusError) as caught:
        harness.request(server)
    assert (caught.value.status_code, caught.value.code) == (503, "SVC.503")
    assert len(server.requests) == 3
    _assert_backoff(harness.delays)


def test_backoff_is_exponential_and_capped(harness: Harness) -> None:
    policy = RetryPolicy(max_retries=5, initial_delay=1.0, max_delay=3.0, jitter=0.0)
    with pytest.raises(APIStatusError):
        harness.request(Server(respond(500, {})), client={"retry": policy})
    assert harness.delays == [1.0, 2.0, 3.0, 3.0, 3.0]


@pytest.mark.parametrize(("max_retries", "attempts"), [(0, 1), (4, 5)])
def test_per_call_max_retries(harness: Harness, max_retries: int, attempts: int) -> None:
    server = Server(respond(429, {}))
    with pytest.raises(APIStatusError):
        harness.request(server, options=RequestOptions(max_retries=max_retries))
    assert len(server.requests) == attempts


def test_custom_retry_statuses(harness: Harness) -> None:
    server = Server(respond(418, {}), respond(200, {}))
    policy = RetryPolicy(retry_statuses=frozenset({418}))
    assert harness.request(server, client={"retry": policy}).retries_taken == 1


def test_client_errors_are_not_retried(harness: Harness) -> None:
    server = Server(respond(400, {"error_code": "E", "error_msg": "m"}))
    with pytest.raises(BadRequestError):
        harness.request(server)
    assert len(server.requests) == 1
    assert harness.delays == []


def test_transport_error_is_retried(harness: Harness) -> None:
    server = Server(httpx.ConnectError("refused"), respond(200, {}))
    assert harness.request(server).retries_taken == 1
    _assert_backoff(harness.delays)


@pytest.mark.parametrize(
    ("exc", "error_class"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("reset"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
    ],
)
def test_transport_errors_exhausted(harness: Harness, exc: Exception, error_class: type[APIError]) -> None:
    server = Server(exc)
    with pytest.raises(APIConnectionError) as caught:
        harness.request(server)
    assert type(caught.value) is error_class
    assert caught.value.__cause__ is exc
    assert caught.value.request.url == server.last.url
    assert len(server.requests) == 3
    assert len(harness.delays) == 2


@pytest.mark.parametrize(
    ("script", "error_class"),
    [
        (respond(503, {}), APIStatusError),
        (respond(429, {}, retry_after="1"), APIStatusError),
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
    ],
)
def test_non_idempotent_never_retries(
    harness: Harness, script: httpx.Response | Exception, error_class: type[APIError]
) -> None:
    server = Server(script)
    with pytest.raises(error_class):
        harness.request(server, CREATE, path_params={"project_id": "p1"}, json_body={})
    assert len(server.requests) == 1
    assert harness.delays == []


@pytest.mark.parametrize(("retry_after", "low", "high"), [("3", 3.0, 3.0), ("0.25", 0.25, 0.25), ("3600", 60.0, 60.0)])
def test_retry_after_seconds(harness: Harness, retry_after: str, low: float, high: float) -> None:
    server = Server(respond(429, {}, retry_after=retry_after), respond(200, {}))
    harness.request(server)
    assert low <= harness.delays[0] <= high


def test_retry_after_http_date(harness: Harness) -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    server = Server(respond(503, {}, retry_after=later), respond(200, {}))
    harness.request(server)
    assert 28.0 <= harness.delays[0] <= 30.0


def test_retry_after_in_the_past_or_garbage(harness: Harness) -> None:
    past = email.utils.formatdate(time.time() - 300, usegmt=True)
    server = Server(respond(503, {}, retry_after=past), respond(503, {}, retry_after="soon"), respond(200, {}))
    harness.request(server)
    assert harness.delays[0] == 0.0
    assert 0.75 <= harness.delays[1] <= 1.0  # unreadable header: plain backoff for the second retry


def test_every_attempt_is_signed_again(harness: Harness) -> None:
    auth = CountingAuth()
    server = Server(respond(503, {}), httpx.ConnectError("refused"), respond(200, {}))
    harness.request(server, client={"auth": auth})
    assert auth.calls == 3
    assert len({id(request) for request in server.requests}) == 3  # a fresh request each time
    assert [request.headers["authorization"] for request in server.requests] == ["SIG-1", "SIG-2", "SIG-3"]


def test_real_default_sleep_is_used() -> None:
    """Without an injected sleep the clients still run (zero delay keeps the test fast)."""
    policy = RetryPolicy(initial_delay=0.0)
    server = Server(respond(503, {}), respond(200, {}))
    with SyncAPIClient(
        base_url=BASE, envelope=HuaweiEnvelope(), transport=httpx.MockTransport(server), retry=policy
    ) as client:
        assert client.request(SHOW, parse_json, path_params=SHOW_PARAMS).retries_taken == 1

    async def main() -> int:
        async with AsyncAPIClient(
            base_url=BASE, envelope=HuaweiEnvelope(), transport=httpx.MockTransport(server), retry=policy
        ) as client:
            return (await client.request(SHOW, parse_json, path_params=SHOW_PARAMS)).retries_taken

    server.requests.clear()
    assert asyncio.run(main()) == 1


@given(
    attempt=st.integers(0, 5000),
    initial=st.floats(0, 10),
    maximum=st.floats(0, 100),
    jitter=st.floats(0, 1),
)
def test_retry_delay_bounds(attempt: int, initial: float, maximum: float, jitter: float) -> None:
    policy = RetryPolicy(initial_delay=initial, max_delay=maximum, jitter=jitter)
    base = min(initial * 2.0 ** min(attempt, 64), maximum)
    delay = policy.delay(attempt, None)
    assert base * (1 - jitter) - 1e-9 <= delay <= base + 1e-9
    assert delay <= maximum + 1e-9


@given(attempt=st.integers(0, 100), retry_after=st.floats(allow_nan=False, allow_infinity=False))
def test_retry_after_is_clamped(attempt: int, retry_after: float) -> None:
    assert RetryPolicy().delay(attempt, retry_after) == min(max(retry_after, 0.0), 60.0)


@pytest.mark.parametrize("kwargs", [{"max_retries": -1}, {"initial_delay": -0.1}, {"max_delay": -1.0}, {"jitter": 1.5}])
def test_retry_policy_rejects_nonsense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


# --------------------------------------------------------------------------- URL building


def test_path_params_are_percent_encoded(harness: Harness) -> None:
    server = Server(respond(200, {}))
    harness.request(server, path_params={"project_id": "p 1/2", "id": "a?b#c%d&é"})
    assert server.last.url.raw_path == b"/v1/p%201%2F2/record/callbacks/a%3Fb%23c%25d%26%C3%A9"


@pytest.mark.parametrize(("value", "segment"), [("..", b"%2E%2E"), (".", b"%2E"), ("...", b"...")])
def test_dot_segments_cannot_escape(harness: Harness, value: str, segment: bytes) -> None:
    server = Server(respond(200, {}))
    harness.request(server, path_params={"project_id": "p1", "id": value})
    assert server.last.url.raw_path == b"/v1/p1/record/callbacks/" + segment


@pytest.mark.parametrize(
    "path_params", [{"project_id": "p1"}, {"project_id": "p1", "id": "x", "extra": "y"}, {"project_id": "p1", "id": ""}]
)
def test_bad_path_params_are_refused_before_sending(harness: Harness, path_params: dict[str, str]) -> None:
    server = Server(respond(200, {}))
    with pytest.raises(ValueError):
        harness.request(server, path_params=path_params)
    assert server.requests == []


def test_base_url_path_is_kept(harness: Harness) -> None:
    server = Server(respond(200, {}))
    harness.request(server, client={"base_url": "https://gw.example.com/live/"})
    assert str(server.last.url) == "https://gw.example.com/live/v1/p1/record/callbacks/cb-1"


_wire_text = st.text(st.characters(codec="utf-8"), max_size=12)


@given(value=_wire_text.filter(lambda text: text not in ("", ".", "..")))
def test_any_path_value_stays_one_segment(value: str) -> None:
    server = Server(respond(200, {}))
    with SyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), transport=httpx.MockTransport(server)) as client:
        client.request(SHOW, parse_json, path_params={"project_id": "p1", "id": value})
    segments = server.last.url.raw_path.decode().split("/")
    assert segments[:-1] == ["", "v1", "p1", "record", "callbacks"]
    assert unquote(segments[-1]) == value


def test_query_keeps_order_and_repeated_keys(harness: Harness) -> None:
    server = Server(respond(200, {}))
    pairs = [("Action", "UpdateCallback"), ("b", "2"), ("a", "1"), ("b", "x y+/é"), ("flag", "true")]
    harness.request(server, RPC, query=pairs)
    assert server.last.url.raw_path == b"/?Action=UpdateCallback&b=2&a=1&b=x%20y%2B%2F%C3%A9&flag=true"


@given(pairs=st.lists(st.tuples(_wire_text, _wire_text), max_size=6))
def test_any_query_round_trips(pairs: list[tuple[str, str]]) -> None:
    server = Server(respond(200, {}))
    with SyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), transport=httpx.MockTransport(server)) as client:
        client.request(RPC, parse_json, query=pairs)
    assert parse_qsl(server.last.url.query.decode(), keep_blank_values=True) == pairs


# --------------------------------------------------------------------------- timeouts


def _timeout_of(request: httpx.Request) -> dict[str, float | None]:
    timeout: dict[str, float | None] = request.extensions["timeout"]
    return timeout


@pytest.mark.parametrize(
    ("client_timeout", "call_timeout", "expected"),
    [
        (60.0, None, {"connect": 60.0, "read": 60.0, "write": 60.0, "pool": 60.0}),
        (10.0, 2.5, {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}),
        (10.0, httpx.Timeout(1.0, read=9.0), {"connect": 1.0, "read": 9.0, "write": 1.0, "pool": 1.0}),
    ],
)
def test_timeout_reaches_transport(
    harness: Harness,
    client_timeout: float,
    call_timeout: float | httpx.Timeout | None,
    expected: dict[str, float],
) -> None:
    server = Server(respond(200, {}))
    harness.request(server, client={"timeout": client_timeout}, options=RequestOptions(timeout=call_timeout))
    assert _timeout_of(server.last) == expected


# --------------------------------------------------------------------------- logging


def test_logs_redact_secrets(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="streamspec.client")
    server = Server(respond(503, {}), httpx.ConnectError("refused"), respond(200, {}))
    harness.request(
        server,
        UPDATE,
        json_body={"password": "SECRET-BODY"},
        options=RequestOptions(extra_headers={"X-Auth-Token": "SECRET-TOKEN", "X-Security-Token": "SECRET-STS"}),
        client={"auth": CountingAuth()},
    )
    records = [record for record in caplog.records if record.name == "streamspec.client"]
    assert records and all(record.levelno == logging.DEBUG for record in records)
    text = caplog.text
    for secret in ("SIG-1", "SIG-2", "SIG-3", "SECRET-TOKEN", "SECRET-STS", "SECRET-BODY"):
        assert secret not in text
    assert "[redacted]" in text
    assert f"PUT {BASE}/v1/p1/record/callbacks/cb-1" in text
    assert "-> 503" in text and "-> 200" in text
    assert "retry 1 of 2" in text and "retry 2 of 2" in text
    assert "ConnectError" in text


SECRET_HEADERS = {
    "X-Auth-Token": "SECRET-TOKEN",
    "X-Security-Token": "SECRET-STS",
    "X-Api-Key": "SECRET-KEY",
    "Authorization": "Bearer SECRET-BEARER",
    "Cookie": "session=SECRET-COOKIE",
}


@pytest.mark.parametrize("outcome", ["connection-error", "status-error"])
def test_errors_never_show_credentials_in_their_request_headers(harness: Harness, outcome: str) -> None:
    """httpx masks only Authorization in `repr(headers)`: every header carrying a credential must be masked."""
    reply: httpx.Response | Exception = httpx.ConnectError("refused") if outcome == "connection-error" else respond(404)
    server = Server(reply)
    with pytest.raises(APIError) as raised:
        harness.request(server, options=RequestOptions(extra_headers=SECRET_HEADERS, max_retries=0))
    error = raised.value
    request = error.request if isinstance(error, APIConnectionError) else error.response.request  # type: ignore[attr-defined]
    shown = repr(request.headers) + repr(request) + str(error) + repr(error)
    for value in SECRET_HEADERS.values():
        assert value.split("=")[-1].split()[-1] not in shown
    assert request.headers["X-Auth-Token"] == "SECRET-TOKEN"  # masked when shown, intact when read


# --------------------------------------------------------------------------- client lifecycle


class RecordingTransport(httpx.MockTransport):
    closed = False

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_sync_client_closes_only_what_it_owns() -> None:
    owned = RecordingTransport(Server(respond(200, {})))
    with SyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), transport=owned):
        pass
    assert owned.closed

    server = Server(respond(200, {}))
    borrowed = httpx.Client(transport=httpx.MockTransport(server))
    client = SyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), http_client=borrowed, timeout=7.0)
    client.request(SHOW, parse_json, path_params=SHOW_PARAMS)
    client.close()
    assert not borrowed.is_closed
    assert _timeout_of(server.last)["read"] == 7.0
    borrowed.close()


def test_async_client_closes_only_what_it_owns() -> None:
    async def main() -> None:
        owned = RecordingTransport(Server(respond(200, {})))
        async with AsyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), transport=owned):
            pass
        assert owned.closed

        borrowed = httpx.AsyncClient(transport=httpx.MockTransport(Server(respond(200, {}))))
        client = AsyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), http_client=borrowed)
        await client.request(SHOW, parse_json, path_params=SHOW_PARAMS)
        await client.aclose()
        assert not borrowed.is_closed
        await borrowed.aclose()

    asyncio.run(main())


def test_transport_and_http_client_are_exclusive() -> None:
    transport = httpx.MockTransport(Server(respond(200, {})))
    with pytest.raises(ValueError), httpx.Client() as http_client:
        SyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), transport=transport, http_client=http_client)
    with pytest.raises(ValueError):
        AsyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), transport=transport, http_client=httpx.AsyncClient())


# --------------------------------------------------------------------------- sending without httpx.Client.send


def _exchanges(mode: str, borrowed: bool, server: Server, auth: httpx.Auth, calls: int) -> list[APIResponse[Any]]:
    """`calls` requests through a client that owns its httpx client (sent directly to the transport) or through a
    borrowed, plainly configured one (sent by `httpx.Client.send`)."""
    transport = httpx.MockTransport(server)
    settings: dict[str, Any] = {"base_url": BASE, "envelope": HuaweiEnvelope(), "auth": auth, "timeout": 9.0}
    if mode == "sync":
        http_client = httpx.Client(transport=transport, timeout=9.0) if borrowed else None
        with SyncAPIClient(
            **settings, **({"http_client": http_client} if borrowed else {"transport": transport})
        ) as client:
            assert (client._direct is None) is borrowed
            return [
                client.request(
                    CREATE, parse_json, path_params={"project_id": "p1"}, json_body={"n": n}, query=[("q", "é")]
                )
                for n in range(calls)
            ]

    async def main() -> list[APIResponse[Any]]:
        http_client = httpx.AsyncClient(transport=transport, timeout=9.0) if borrowed else None
        async with AsyncAPIClient(
            **settings, **({"http_client": http_client} if borrowed else {"transport": transport})
        ) as client:
            assert (client._direct is None) is borrowed
            return [
                await client.request(
                    CREATE, parse_json, path_params={"project_id": "p1"}, json_body={"n": n}, query=[("q", "é")]
                )
                for n in range(calls)
            ]

    return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_direct_sending_puts_the_same_request_on_the_wire(mode: str) -> None:
    """A client that owns its httpx client skips `send`; what reaches the transport is what `send` would pass."""
    seen: dict[bool, list[httpx.Request]] = {}
    answers: dict[bool, list[APIResponse[Any]]] = {}
    for borrowed in (False, True):
        server = Server(respond(201, {"id": 1}, set_cookie="session=abc; Path=/"), respond(201, {"id": 2}))
        answers[borrowed] = _exchanges(mode, borrowed, server, CountingAuth(), 2)
        seen[borrowed] = server.requests
    for direct, sent in zip(seen[False], seen[True], strict=True):
        assert (direct.method, direct.url, direct.content) == (sent.method, sent.url, sent.content)
        assert direct.headers.raw == sent.headers.raw  # same names, values and order, the cookie on the second
        assert _timeout_of(direct) == _timeout_of(sent)
    assert seen[False][1].headers["cookie"] == "session=abc"
    for direct_answer, sent_answer in zip(answers[False], answers[True], strict=True):
        assert direct_answer.parse() == sent_answer.parse()
        assert direct_answer.http_response.request.headers.raw == sent_answer.http_response.request.headers.raw
        assert direct_answer.http_response.elapsed.total_seconds() >= 0


class BodySigner(SigningAuth[str]):
    """A minimal `SigningAuth`: what a direct client calls without running its flow."""

    def _signature_headers(self, request: httpx.Request) -> dict[str, str]:
        return {"X-Sig": f"{self.credentials}:{len(request.content)}:{request.headers.get('content-type')}"}


class FlowSigner(BodySigner):
    """A `SigningAuth` whose flow does more than sign: run as a flow."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Flow"] = "1"
        yield from super().auth_flow(request)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("auth", [BodySigner("k"), FlowSigner("k")])
def test_direct_sending_signs_as_the_flow_does(mode: str, auth: BodySigner) -> None:
    """A plain signer is called without its flow's generators, a signer with its own flow runs it; either way the
    wire request is the one `httpx.Client.send` sends."""
    assert (auth.direct_sign is None) is isinstance(auth, FlowSigner)
    seen: dict[bool, list[httpx.Request]] = {}
    for borrowed in (False, True):
        server = Server(respond(201, {"id": 1}), respond(201, {"id": 2}))
        _exchanges(mode, borrowed, server, auth, 2)
        seen[borrowed] = server.requests
    for direct, sent in zip(seen[False], seen[True], strict=True):
        assert direct.headers.raw == sent.headers.raw and direct.content == sent.content
        assert direct.headers["X-Sig"] == f"k:{len(direct.content)}:application/json"
        assert ("X-Flow" in direct.headers) is isinstance(auth, FlowSigner)


@pytest.mark.parametrize(
    ("default_headers", "extra_headers"),
    [({}, {}), ({}, {"Host": "a.example.com"}), ({"host": "b.example.com"}, {}), ({"X-A": "1"}, {"host": "c"})],
)
def test_direct_sending_puts_a_given_host_where_httpx_does(
    default_headers: dict[str, str], extra_headers: dict[str, str]
) -> None:
    seen: dict[bool, list[httpx.Request]] = {}
    for borrowed in (False, True):
        server = Server(respond(200, {}), respond(201, {}))
        transport = httpx.MockTransport(server)
        where: dict[str, Any] = (
            {"http_client": httpx.Client(transport=transport)} if borrowed else {"transport": transport}
        )
        with SyncAPIClient(
            base_url=BASE, envelope=HuaweiEnvelope(), default_headers=default_headers, **where
        ) as client:
            assert (client._direct is None) is borrowed
            options = RequestOptions(extra_headers=extra_headers)
            client.request(SHOW, parse_json, path_params=SHOW_PARAMS, options=options)
            client.request(CREATE, parse_json, path_params={"project_id": "p"}, json_body={}, options=options)
        seen[borrowed] = server.requests
    for direct, sent in zip(seen[False], seen[True], strict=True):
        assert direct.headers.raw == sent.headers.raw


@pytest.mark.parametrize("method", ["GET", "post", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("content", [None, b"", b'{"a":1}'])
@pytest.mark.parametrize(
    "given",
    [
        [],
        [("Host", "other.example.com:8443")],
        [("X-Auth", "t"), ("Content-Length", "7")],
        [("Transfer-Encoding", "chunked"), ("host", "h")],
    ],
)
@pytest.mark.parametrize("url", ["https://live.example.com:8443/v1/x?a=1", "http://[::1]/"])
def test_direct_requests_are_the_ones_httpx_builds(
    method: str, content: bytes | None, given: list[tuple[str, str]], url: str
) -> None:
    """`_request` adds Host and Content-Length as `httpx.Request` does: same headers (names, values, order), body,
    URL and extensions."""
    headers = httpx.Headers([("User-Agent", "ua"), ("Accept", "application/json"), *given])
    extensions = {"timeout": {"connect": 1.0}}
    ours = _request(method, httpx.URL(url), headers, content, extensions)
    theirs = httpx.Request(method, httpx.URL(url), headers=headers, content=content, extensions=extensions)
    assert (ours.method, ours.url, ours.content, ours.extensions) == (
        theirs.method,
        theirs.url,
        theirs.content,
        theirs.extensions,
    )
    assert ours.headers.raw == theirs.headers.raw
    assert type(ours.stream) is type(theirs.stream)
    assert headers.raw == [(b"User-Agent", b"ua"), (b"Accept", b"application/json")] + [
        (name.encode(), value.encode()) for name, value in given
    ]  # the caller's headers are left alone


def test_encoded_queries_are_remembered_as_given() -> None:
    """The query cache is keyed by the exact pairs: order and repeats count, and nothing leaks between them."""
    assert _encoded_query((("a", "1"), ("b", "x y"))) == "?a=1&b=x%20y"
    assert _encoded_query((("b", "x y"), ("a", "1"))) == "?b=x%20y&a=1"
    assert _encoded_query((("a", "1"), ("a", "1"))) == "?a=1&a=1"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_direct_sending_describes_redirects_without_following(mode: str) -> None:
    for borrowed in (False, True):
        server = Server(respond(302, {}, location="https://elsewhere.example.com/x"))
        with pytest.raises(APIStatusError) as caught:
            _exchanges(mode, borrowed, server, CountingAuth(), 1)
        assert len(server.requests) == 1
        next_request = caught.value.response.next_request
        assert next_request is not None and str(next_request.url) == "https://elsewhere.example.com/x"


def test_direct_sending_refuses_a_closed_client_and_keeps_borrowed_behaviour() -> None:
    client = SyncAPIClient(
        base_url=BASE, envelope=HuaweiEnvelope(), transport=httpx.MockTransport(Server(respond(200, {})))
    )
    assert client._direct is not None
    client.close()
    with pytest.raises(RuntimeError):
        client.request(SHOW, parse_json, path_params=SHOW_PARAMS)

    hooked: list[str] = []
    borrowed = httpx.Client(
        transport=httpx.MockTransport(Server(respond(200, {}))),
        event_hooks={"request": [lambda r: hooked.append(r.method)]},
    )
    with SyncAPIClient(base_url=BASE, envelope=HuaweiEnvelope(), http_client=borrowed) as client:
        assert client._direct is None
        client.request(SHOW, parse_json, path_params=SHOW_PARAMS)
    assert hooked == ["GET"]


# --------------------------------------------------------------------------- reading answers from a transport's stream


class PartsStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A transport's body stream, as httpx's own transports return it: the parts as they arrive, then perhaps a
    read error; records being closed."""

    def __init__(self, parts: list[bytes], error: bool = False) -> None:
        self.parts, self.error, self.closed = parts, error, 0

    def __iter__(self) -> Generator[bytes, None, None]:
        yield from self.parts
        if self.error:
            raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> Any:
        for part in self.parts:
            yield part
        if self.error:
            raise httpx.ReadError("connection reset")

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.closed += 1


def _gzipped(data: bytes) -> list[bytes]:
    import gzip

    packed = gzip.compress(data)
    return [packed[:7], packed[7:]]


def _streamed(parts: list[bytes], encoding: str | None, error: bool = False) -> httpx.Response:
    headers = [("Content-Type", "application/json")] + ([("Content-Encoding", encoding)] if encoding else [])
    request = httpx.Request("GET", f"{BASE}/v1/p/things/1")
    return httpx.Response(200, headers=headers, stream=PartsStream(parts, error), request=request)


READ_CASES = [
    ([], None),
    ([b""], None),
    ([b'{"id": 1}'], None),
    ([b'{"id"', b"", b': "\xc3\xa9"}'], None),
    (_gzipped(b'{"id": 2}'), "gzip"),
    ([b'{"id": 3}'], "identity"),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("parts", "encoding"), READ_CASES)
def test_direct_reading_leaves_a_response_as_httpx_reading_does(
    mode: str, parts: list[bytes], encoding: str | None
) -> None:
    """A body sent as is is joined straight from the stream; any other is read by httpx: either way the response
    holds what `read()` leaves (content, bytes counted, consumed, closed, the stream closed once)."""
    ours, theirs = _streamed(parts, encoding), _streamed(parts, encoding)
    if mode == "sync":
        _read(ours)
        theirs.read()
    else:
        asyncio.run(_aread(ours))
        asyncio.run(theirs.aread())
    for response in (ours, theirs):
        assert response.is_stream_consumed and response.is_closed
        assert isinstance(response.stream, PartsStream) and response.stream.closed == 1
    assert ours.content == theirs.content
    assert ours.num_bytes_downloaded == theirs.num_bytes_downloaded == sum(map(len, parts))
    assert ours.json() == theirs.json() if ours.content else not theirs.content
    assert ours.read() == theirs.content  # reading again gives what was read
    with pytest.raises(httpx.StreamConsumed):  # the raw stream is gone, as after httpx's reading
        next(ours.iter_raw())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_direct_reading_reports_a_broken_stream_as_httpx_does(mode: str, encoding: str | None) -> None:
    """A read error while the body arrives carries the request, and the client retries or reports the connection
    error as with httpx's reading; the stream is closed."""
    streams: list[PartsStream] = []

    def handler(request: httpx.Request) -> httpx.Response:
        stream = PartsStream(_gzipped(b'{"id": 1}')[:1] if encoding else [b'{"id'], error=True)
        streams.append(stream)
        headers = [("Content-Encoding", encoding)] if encoding else []
        return httpx.Response(200, headers=headers, stream=stream)

    transport = httpx.MockTransport(handler)
    settings: dict[str, Any] = {"base_url": BASE, "envelope": HuaweiEnvelope(), "transport": transport}
    settings["retry"] = RetryPolicy(max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        if mode == "sync":
            with SyncAPIClient(**settings) as client:
                assert client._direct is not None
                client.request(SHOW, parse_json, path_params=SHOW_PARAMS)
        else:

            async def main() -> None:
                async with AsyncAPIClient(**settings) as client:
                    assert client._direct is not None
                    await client.request(SHOW, parse_json, path_params=SHOW_PARAMS)

            asyncio.run(main())
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ReadError) and cause.request.url.path == "/v1/p1/record/callbacks/cb-1"
    assert [stream.closed for stream in streams] == [1]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_direct_sending_parses_streamed_answers(mode: str) -> None:
    """End to end: answers arriving in parts, plain and compressed, parse as whole ones do."""
    bodies = [[b'{"id":', b" 7}"], _gzipped(b'{"id": 8}')]
    answers = iter(bodies)

    def handler(request: httpx.Request) -> httpx.Response:
        parts = next(answers)
        headers = [("Content-Encoding", "gzip")] if parts is bodies[1] else []
        return httpx.Response(201, headers=headers, stream=PartsStream(parts))

    settings: dict[str, Any] = {
        "base_url": BASE,
        "envelope": HuaweiEnvelope(),
        "transport": httpx.MockTransport(handler),
    }
    body = {"path_params": {"project_id": "p"}, "json_body": {}}
    if mode == "sync":
        with SyncAPIClient(**settings) as client:
            got = [client.request(CREATE, parse_json, **body).parse() for _ in bodies]
    else:

        async def main() -> list[Any]:
            async with AsyncAPIClient(**settings) as client:
                return [(await client.request(CREATE, parse_json, **body)).parse() for _ in bodies]

        got = asyncio.run(main())
    assert got == [{"id": 7}, {"id": 8}]
