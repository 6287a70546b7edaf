"""Client-side contract fuzzing: every operation of every spec, generated inputs and generated responses.

An `httpx.MockTransport` stands in for the vendor. It checks each request against the spec (method, path, query,
headers, JSON body, signature verified by `generator.runtime.verify` with the client's credentials and a fixed
clock) and answers with a response generated from the documented schema of the status under test. The properties:

1. valid arguments → one conforming, correctly signed request (sync client);
2. every valid success response parses into the result model without loss (async client);
3. every documented error response raises that status's exception with the body's code and message and the
   request id (also Volcengine's error inside a 200);
4. arguments the spec forbids (one constraint broken at a time) raise before anything reaches the transport.

`STREAMSPEC_FUZZ_EXAMPLES` sets the examples per property and operation (default 30).
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.profiles.huawei.runtime.verify import HuaweiKey, HuaweiVerifier
from generator.profiles.volcengine.runtime.verify import VolcengineVerifier
from generator.runtime.verify import Principal
from tests.conftest import VENDOR_PACKAGES, import_generated
from tests.contract._spec import (
    FUZZ_EXAMPLES,
    HEADER_ALPHABET,
    Contract,
    arguments,
    conforms,
    contracts,
    forbidden,
    valid,
    with_confusable_names,
)

PROPERTY = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2024, 5, 17, 8, 30, tzinfo=UTC)
AK, SK, PROJECT = "CONTRACTAK0000000000", "contract-secret-key-000000000000000000", "0000000000000000000000contract"
TOKEN, SESSION = "contract-iam-token-0000", "contract-session-token-0000"
CONTRACTS = {c.id: c for name in VENDOR_PACKAGES for c in contracts(name)}
"""Every operation by `<package>.<operationId>`; tests are parametrized by these ids (short reports)."""


def _clock() -> datetime:
    return NOW


# --------------------------------------------------------------------------- credentials on both sides


@dataclass(frozen=True)
class Signer:
    """One way a client authenticates, and the verifier that must accept what it sends."""

    label: str
    client_kwargs: dict[str, Any]
    verifier: HuaweiVerifier | VolcengineVerifier
    project_id: str | None = None


@cache
def signers(package: str) -> tuple[Signer, ...]:
    """AK/SK (plain and temporary) and token for Huawei, V4 (plain and STS) for Volcengine; all with `NOW`."""
    auth = import_module(package)  # the credential classes are public
    if package.startswith("volcengine"):
        verifier: HuaweiVerifier | VolcengineVerifier = VolcengineVerifier({AK: SK}, clock=_clock)
        plain, sts = auth.VolcengineCredentials(AK, SK), auth.VolcengineCredentials(AK, SK, SESSION)
        return tuple(
            Signer(label, {"credentials": creds, "auth": auth.VolcengineV4Auth(creds, clock=_clock)}, verifier)
            for label, creds in (("v4", plain), ("v4-sts", sts))
        )
    verifier = HuaweiVerifier({AK: HuaweiKey(SK, PROJECT)}, {TOKEN: PROJECT}, clock=_clock)
    plain, temporary = auth.HuaweiCredentials(AK, SK, PROJECT), auth.HuaweiCredentials(AK, SK, PROJECT, SESSION)
    return (
        *(
            Signer(label, {"credentials": creds, "auth": auth.HuaweiAkSkAuth(creds, clock=_clock)}, verifier, PROJECT)
            for label, creds in (("aksk", plain), ("aksk-temporary", temporary))
        ),
        Signer("token", {"token": TOKEN, "project_id": PROJECT}, verifier, PROJECT),
    )


# --------------------------------------------------------------------------- the wire


def _canonical(value: Any) -> Any:
    """JSON equality that tells `true` from `1` (Python's `==` does not)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _same_json(a: Any, b: Any) -> bool:
    return bool(_canonical(a) == _canonical(b))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _from_text(texts: list[str], schema: dict[str, Any], explode: bool) -> Any:
    """The JSON value that parameter text stands for; text that is not of the schema's type stays text (and fails)."""
    kind = schema.get("type")
    if kind == "array":
        items = texts if explode else [t for text in texts for t in text.split(",")]
        return [_from_text([item], schema.get("items", {}), True) for item in items]
    assert len(texts) == 1, f"a single value was sent {len(texts)} times"
    text = texts[0]
    if kind == "integer" and re.fullmatch(r"-?(0|[1-9][0-9]*)", text):
        return int(text)
    if kind == "number" and re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", text):
        return json.loads(text)
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def _key(param: dict[str, Any]) -> str:
    """A parameter's key in what arrived (header names are case-insensitive)."""
    return str(param["name"]).lower() if param["in"] == "header" else str(param["name"])


Received = dict[str, dict[str, list[str]]]
"""What arrived: decoded text by location (`path`, `query`, `header`) and key."""


def _received(contract: Contract, raw_path: str, raw_query: str, headers: httpx.Headers) -> Received:
    """What arrived, after checking that the path has the operation's shape."""
    template = re.escape(contract.op.wire_path).replace(r"\{", "{").replace(r"\}", "}")
    match = re.fullmatch(re.sub(r"{([^{}]+)}", r"(?P<\1>[^/]+)", template), raw_path)
    assert match is not None, f"{raw_path} is not {contract.op.wire_path}"
    received: Received = {"path": {k: [unquote(v)] for k, v in match.groupdict().items()}}
    received["query"] = {}
    for key, text in parse_qsl(raw_query, keep_blank_values=True, strict_parsing=bool(raw_query)):
        received["query"].setdefault(key, []).append(text)
    received["header"] = {}
    for name, value in headers.raw:
        received["header"].setdefault(name.decode("latin-1").lower(), []).append(value.decode("utf-8"))
    return received


@dataclass
class Vendor:
    """The transport: checks each request against `contract` and `expected`, then answers `reply`."""

    contract: Contract
    signer: Signer
    base_url: str
    expected: dict[str, Any]
    """Parameter values the request must carry, by wire name, and `body` when it has one."""
    reply: Callable[[], httpx.Response]
    received: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        self.check(request)
        return self.reply()

    def check(self, request: httpx.Request) -> None:
        """Method, endpoint, parameters, body, and a signature the vendor's verifier accepts."""
        raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        assert request.method == self.contract.op.method
        assert f"{request.url.scheme}://{request.url.netloc.decode()}" == self.base_url
        self._check_parameters(_received(self.contract, raw_path, raw_query, request.headers))
        self._check_body(request)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw}
        verdict = self.signer.verifier.verify(request.method, raw_path, raw_query, headers, request.content)
        assert isinstance(verdict, Principal), f"{self.signer.label}: {verdict}"

    def _check_parameters(self, received: Received) -> None:
        """Only documented query parameters and X- headers (or auth headers); each one given, valid, as given."""
        documented = {(p["in"], _key(p)) for p in self.contract.parameters.values()}
        documented |= {("header", s.parameter.lower()) for s in self.contract.api.security_schemes}
        sent = {("query", k) for k in received["query"]} | {("header", k) for k in received["header"] if k[:2] == "x-"}
        assert sent <= documented, f"undocumented parameters {sent - documented}"
        for name, param in self.contract.parameters.items():
            texts = received[param["in"]].get(_key(param), [])
            assert texts or not param.get("required"), f"required {param['in']} parameter {name} is missing"
            if not texts:
                continue
            value = _from_text(texts, param["schema"], param.get("explode", param["in"] == "query"))
            assert conforms(param["schema"])(value), f"{name}={value!r} does not fit its schema"
            if name in self.expected:
                assert _same_json(value, self.expected[name]), f"{name}: sent {value!r}, given {self.expected[name]!r}"
            else:
                assert param.get("x-auth-managed"), f"{name} was sent but not given"

    def _check_body(self, request: httpx.Request) -> None:
        body = self.contract.body
        if body is None:
            assert request.content == b"", "a body was sent for an operation without one"
            return
        media = request.headers.get("content-type", "").split(";")[0].strip()
        assert self.contract.op.body is not None and media == self.contract.op.body.media_type
        sent = json.loads(request.content.decode("utf-8"), parse_constant=_reject_constant)
        assert conforms(body)(sent), f"body does not fit its schema: {sent!r}"
        assert _same_json(sent, self.expected["body"]), f"sent {sent!r}, given {self.expected['body']!r}"


def _expected(contract: Contract, kwargs: dict[str, Any], signer: Signer) -> dict[str, Any]:
    expected: dict[str, Any] = {"body": kwargs["body"]} if "body" in kwargs else {}
    for p in contract.op.parameters:
        if p.const is not None:
            expected[p.name] = p.const
        elif kwargs.get(p.py_name) is not None:
            expected[p.name] = kwargs[p.py_name]
        elif p.client_setting == "project_id":
            expected[p.name] = signer.project_id
    return expected


# --------------------------------------------------------------------------- generated responses


@dataclass(frozen=True)
class Reply:
    """A generated response and what the client must make of it."""

    status: int
    body: Any
    headers: dict[str, str]
    request_id: str
    has_body: bool = True
    ascii_only: bool = False
    """Non-ASCII text as `\\u` escapes (UTF-8 otherwise)."""

    def __call__(self) -> httpx.Response:
        content = json.dumps(self.body, ensure_ascii=self.ascii_only).encode() if self.has_body else b""
        content_type = {"Content-Type": "application/json"} if self.has_body else {}
        return httpx.Response(self.status, content=content, headers={**content_type, **self.headers})

    def error(self, envelope: str) -> tuple[str, str]:
        """The vendor code and message in the body."""
        if envelope == "volcengine":
            error = self.body["ResponseMetadata"]["Error"]
            return error["Code"], error["Message"]
        return self.body["error_code"], self.body["error_msg"]


def _error_schema(body: dict[str, Any]) -> dict[str, Any]:
    """`ResponseMetadata.Error` of a Volcengine envelope schema."""
    schema: dict[str, Any] = body["properties"]["ResponseMetadata"]["properties"]["Error"]
    return schema


@st.composite
def replies(draw: st.DrawFn, contract: Contract, status: int, *, error_in_200: bool = False) -> Reply:
    """A response valid under the documented status (for Volcengine: an envelope whose id is the header's).

    Volcengine success envelopes carry no `ResponseMetadata.Error` unless `error_in_200`, which puts one in.
    """
    documented = contract.responses[status]
    headers = {name: draw(valid(schema, alphabet=HEADER_ALPHABET)) for name, schema in documented.headers.items()}
    if documented.body is None:
        return Reply(status, None, headers, headers.get("X-Request-Id", ""), has_body=False)
    body = draw(with_confusable_names(documented.body, draw(valid(documented.body, json=True))))
    ascii_only = draw(st.booleans())
    if contract.api.profile != "volcengine":
        return Reply(status, body, headers, headers["X-Request-Id"], ascii_only=ascii_only)
    metadata = body["ResponseMetadata"]
    if status < 400:
        metadata.pop("Error", None)
        if error_in_200:
            metadata["Error"] = draw(valid(_error_schema(documented.body), json=True))
    request_id = metadata["RequestId"]
    # The header repeats the body's id when a header can carry it (it is optional; the client reads the body first).
    headers.pop("X-Request-Id", None)
    if _HEADER_VALUE.fullmatch(request_id):
        headers["X-Request-Id"] = request_id
    return Reply(status, body, headers, request_id, ascii_only=ascii_only)


_HEADER_VALUE = re.compile(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?")


# --------------------------------------------------------------------------- the properties


@dataclass(frozen=True)
class Call:
    """One drawn call: the client's configuration, the arguments and the vendor's side."""

    package: ModuleType
    signer: Signer
    region: str
    kwargs: dict[str, Any]
    vendor: Vendor

    def client(self, *, asynchronous: bool = False) -> Any:
        """A client of the package for the drawn region and signer, talking to `vendor`, never retrying, and reading
        responses strictly (the default tolerates what the spec does not allow: tests/runtime/test_tolerance.py)."""
        client_class = self.package.AsyncClient if asynchronous else self.package.Client
        transport = httpx.MockTransport(self.vendor)
        return client_class(
            region=self.region, transport=transport, max_retries=0, strict_responses=True, **self.signer.client_kwargs
        )

    def prepare(self, client: Any) -> Any:
        return getattr(client.requests, self.vendor.contract.op.py_name)(**copy.deepcopy(self.kwargs))


def _draw_call(
    data: st.DataObject, contract: Contract, reply: Reply | None, kwargs: dict[str, Any] | None = None
) -> Call:
    """Draw a signer, a region and (unless given) valid arguments; `reply=None`: a vendor that must not be called."""
    package = import_generated(contract.package)
    by_label = {s.label: s for s in signers(contract.package)}
    signer = by_label[data.draw(st.sampled_from(sorted(by_label)), label="signer")]
    region = data.draw(st.sampled_from(sorted(package.REGIONS)), label="region")
    if kwargs is None:
        kwargs = data.draw(arguments(contract), label="arguments")

    def never() -> httpx.Response:
        raise AssertionError("the client sent a request it should have rejected")

    vendor = Vendor(contract, signer, package.REGIONS[region], _expected(contract, kwargs, signer), reply or never)
    return Call(package, signer, region, kwargs, vendor)


@pytest.mark.parametrize("operation", CONTRACTS)
@PROPERTY
@given(data=st.data())
def test_valid_arguments_send_one_conforming_signed_request(operation: str, data: st.DataObject) -> None:
    """Property 1: the vendor's checks (`Vendor.check`) pass on the single request sent."""
    contract = CONTRACTS[operation]
    success = contract.op.successes[0].status
    call = _draw_call(data, contract, data.draw(replies(contract, success), label="reply"))
    with call.client() as client:
        raw = client.send_raw(call.prepare(client))
    assert raw.status_code == success
    assert len(call.vendor.received) == 1


SUCCESSES = [pytest.param(c.id, r.status, id=f"{c.id}.{r.status}") for c in CONTRACTS.values() for r in c.op.successes]


@pytest.mark.parametrize(("operation", "status"), SUCCESSES)
@PROPERTY
@given(data=st.data())
def test_valid_success_response_parses_without_loss(operation: str, status: int, data: st.DataObject) -> None:
    """Property 2, through the async client: the model dumps back to exactly the JSON received."""
    contract = CONTRACTS[operation]
    reply = data.draw(replies(contract, status), label="reply")
    call = _draw_call(data, contract, reply)

    async def send() -> Any:
        async with call.client(asynchronous=True) as client:
            return await client.send_raw(call.prepare(client))

    raw = asyncio.run(send())
    assert raw.status_code == status
    assert raw.request_id == reply.request_id
    result = raw.parse()
    if not reply.has_body:
        assert result is None
    else:
        dumped = result.model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert _same_json(dumped, reply.body), f"parsed {dumped!r} from {reply.body!r}"


ERRORS = [
    pytest.param(c.id, r.status, r.status < 400, id=f"{c.id}.{r.status}")
    for c in CONTRACTS.values()
    for r in c.op.responses
    if r.is_error or c.api.profile == "volcengine"
]


@pytest.mark.parametrize(("operation", "status", "error_in_200"), ERRORS)
@PROPERTY
@given(data=st.data())
def test_documented_error_raises_its_exception(
    operation: str, status: int, error_in_200: bool, data: st.DataObject
) -> None:
    """Property 3: the status's class (the package's base error for an error inside a 200), code, message, id."""
    contract = CONTRACTS[operation]
    reply = data.draw(replies(contract, status, error_in_200=error_in_200), label="reply")
    call = _draw_call(data, contract, reply)
    errors = import_module(f"{contract.package}.client")
    base = next(iter(errors.ERRORS.values())).__bases__[0]  # `<Package>Error`, under every status's class
    expected = errors.ERRORS.get(status, base)
    with call.client() as client, pytest.raises(errors.APIStatusError) as caught:
        client.send_raw(call.prepare(client))
    error = caught.value
    assert type(error) is expected, f"{type(error).__name__} raised, {expected.__name__} expected"
    assert error.status_code == status
    assert (error.code, error.message) == reply.error(contract.api.profile)
    assert error.request_id == reply.request_id
    assert len(call.vendor.received) == 1


@pytest.mark.parametrize("operation", CONTRACTS)
@PROPERTY
@given(data=st.data())
def test_forbidden_arguments_raise_before_sending(operation: str, data: st.DataObject) -> None:
    """Property 4: the package's `APIRequestValidationError` (`TypeError` for a missing required argument) and
    nothing on the wire."""
    contract = CONTRACTS[operation]
    broken, kwargs = data.draw(
        forbidden(contract.arguments, arguments(contract), absent_is_none=True), label="forbidden"
    )
    event(broken.split(" at ")[0])
    call = _draw_call(data, contract, None, kwargs)
    with call.client() as client, pytest.raises((call.package.APIRequestValidationError, TypeError)):
        client.send_raw(call.prepare(client))
    assert call.vendor.received == [], f"{broken}: sent anyway"
