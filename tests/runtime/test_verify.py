"""Server-side verification: SDK- and self-signed requests pass, every single tampering fails."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import urlencode

import httpx
import pytest
from starlette.datastructures import Headers

from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth, HuaweiCredentials, HuaweiTokenAuth
from generator.profiles.huawei.runtime.signing import huawei_sign
from generator.profiles.huawei.runtime.verify import HuaweiKey, HuaweiVerifier
from generator.profiles.volcengine.runtime.auth import VolcengineCredentials, VolcengineV4Auth
from generator.profiles.volcengine.runtime.verify import VolcengineVerifier
from generator.runtime.signing import parse_query, sha256_hex
from generator.runtime.verify import AuthFailure, Principal

AK, SK, PROJECT = "HWTESTAK0000000000000", "HWTESTSK00000000000000000000000000000000", "p1"
OTHER_AK, OTHER_SK = "HWOTHERAK000000000000", "HWOTHERSK0000000000000000000000000000000"
HOST = "metastudio.cn-north-4.myhuaweicloud.com"
VOLC_AK, VOLC_SK = "AKLTtest0000000000000000", "VOLCTESTSK00000000000000000000000000000000=="
VOLC_HOST = "live.volcengineapi.com"
NOW = datetime(2024, 1, 1, tzinfo=UTC)
DATE = "20240101T000000Z"
BODY = b'{"live_exit_config": {"max_live_duration": 8}}'


@dataclasses.dataclass(frozen=True)
class Received:
    """A request as a server sees it: Latin-1-decoded header strings, raw path/query, raw body."""

    method: str
    raw_path: str
    raw_query: str
    headers: dict[str, str]
    body: bytes

    def with_header(self, name: str, value: str | None) -> Received:
        headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
        if value is not None:
            headers[name] = value
        return dataclasses.replace(self, headers=headers)


def _verify(verifier: HuaweiVerifier | VolcengineVerifier, received: Received) -> Principal | AuthFailure:
    return verifier.verify(received.method, received.raw_path, received.raw_query, received.headers, received.body)


def _captured(auth: httpx.Auth, method: str, url: str, **kwargs: object) -> Received:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(record), auth=auth) as client:
        client.request(method, url, **kwargs)  # type: ignore[arg-type]
    (request,) = sent
    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw}
    return Received(request.method, path, query, headers, request.content)


def _clock_at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _assert_no_secret(failure: AuthFailure, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in failure.message


# ---------------------------------------------------------------------------------------------------------------
# Huawei
# ---------------------------------------------------------------------------------------------------------------


def _huawei_verifier(clock: Callable[[], datetime] = lambda: NOW) -> HuaweiVerifier:
    keys = {AK: HuaweiKey(SK, PROJECT), OTHER_AK: HuaweiKey(OTHER_SK, "p2")}
    return HuaweiVerifier(keys, {"TOKEN-1": PROJECT}, clock=clock)


def _huawei_sdk_signed(project: str = PROJECT, headers: dict[str, str] | None = None) -> Received:
    credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
    sdk_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")
    request = sdk_request.SdkRequest(
        "PUT",
        "https",
        HOST,
        "/v1/p1/smart-live-configs/user-config",
        None,
        [("b", "x y"), ("a", "1*~")],
        {"Content-Type": "application/json", "X-Sdk-Date": DATE, "Accept": "*/*", **(headers or {})},
        BODY,
    )
    signed = credentials.BasicCredentials(AK, SK, project).sign_request(request)
    path, _, query = signed.uri.partition("?")
    # header_params now hold what `requests` puts on the wire, Latin-1-decoded as a server sees it.
    return Received("PUT", path, query, dict(signed.header_params), BODY)


@pytest.mark.sdk
def test_huawei_sdk_signed_request_verifies() -> None:
    assert _verify(_huawei_verifier(), _huawei_sdk_signed()) == Principal("aksk", access_key=AK, project_id=PROJECT)


@pytest.mark.sdk
def test_huawei_sdk_signed_non_ascii_header_verifies() -> None:
    received = _huawei_sdk_signed(headers={"X-Name": "Zoë 中"})
    assert received.headers["X-Name"] == "Zoë 中".encode().decode("latin-1")
    assert isinstance(_verify(_huawei_verifier(), received), Principal)


def test_huawei_self_signed_request_verifies() -> None:
    auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT, "TMP-TOKEN"), clock=lambda: NOW)
    received = _captured(
        auth,
        "POST",
        f"https://{HOST}/v1/p1/record/callbacks/a b/ü",
        params=[("q", "a+b c*"), ("q", "~"), ("z", "")],
        headers={"Content-Type": "application/json; charset=utf-8", "X-Custom": " v "},
        content=BODY,
    )
    assert received.raw_query == "q=a%2Bb%20c%2A&q=~&z="
    assert _verify(_huawei_verifier(), received) == Principal("aksk", access_key=AK, project_id=PROJECT)


def test_huawei_unsigned_payload_verifies_and_unsigned_headers_are_free() -> None:
    auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT), clock=lambda: NOW)
    received = _captured(auth, "PUT", f"https://{HOST}/v1/p1/f", headers={"Content-Type": "text/plain"}, content=b"x")
    assert received.headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert isinstance(_verify(_huawei_verifier(), received), Principal)
    assert isinstance(_verify(_huawei_verifier(), received.with_header("Accept", "text/html")), Principal)


def test_huawei_resent_request_is_signed_afresh() -> None:
    moments = iter([NOW, NOW + timedelta(hours=1)])
    auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT), clock=lambda: next(moments))
    request = httpx.Request("GET", f"https://{HOST}/v1/p1/x?b=1&a=2")
    auth.sign(request)
    first = (request.headers["X-Sdk-Date"], request.headers["Authorization"])
    auth.sign(request)
    assert request.headers["X-Sdk-Date"] == "20240101T010000Z"
    assert (request.headers["X-Sdk-Date"], request.headers["Authorization"]) != first
    later = _huawei_verifier(clock=lambda: NOW + timedelta(hours=1))
    received = Received("GET", "/v1/p1/x", request.url.query.decode(), dict(request.headers), b"")
    assert isinstance(_verify(later, received), Principal)


def _resign_with(received: Received, ak: str) -> Received:
    value = received.headers["Authorization"].replace(f"Access={AK}", f"Access={ak}")
    return received.with_header("Authorization", value)


def _flip_signature(received: Received) -> Received:
    value = received.headers["Authorization"]
    return received.with_header("Authorization", value[:-1] + ("0" if value[-1] != "0" else "1"))


HUAWEI_TAMPERINGS: dict[str, Callable[[Received], Received]] = {
    "method": lambda r: dataclasses.replace(r, method="POST"),
    "path": lambda r: dataclasses.replace(r, raw_path=r.raw_path + "x"),
    "path encoding of another path": lambda r: dataclasses.replace(r, raw_path=r.raw_path.replace("user", "us%20er")),
    "query value": lambda r: dataclasses.replace(r, raw_query=r.raw_query.replace("b=x%20y", "b=x%20z")),
    "query added": lambda r: dataclasses.replace(r, raw_query=r.raw_query + "&c=1"),
    "signed header": lambda r: r.with_header("Content-Type", "text/plain"),
    "project header": lambda r: r.with_header("X-Project-Id", "p2"),
    "body": lambda r: dataclasses.replace(r, body=r.body + b" "),
    "date": lambda r: r.with_header("X-Sdk-Date", "20240101T000001Z"),
    "access key": lambda r: _resign_with(r, OTHER_AK),
    "unknown access key": lambda r: _resign_with(r, "HWUNKNOWN"),
    "signature": _flip_signature,
    "stale date": lambda r: r.with_header("X-Sdk-Date", "20231231T234400Z"),
    "future date": lambda r: r.with_header("X-Sdk-Date", "20240101T001600Z"),
    "malformed date": lambda r: r.with_header("X-Sdk-Date", "2024-01-01T00:00:00Z"),
    "missing date": lambda r: r.with_header("X-Sdk-Date", None),
    "missing signed header": lambda r: r.with_header("Host", None),
    "missing authorization": lambda r: r.with_header("Authorization", None),
    "malformed authorization": lambda r: r.with_header("Authorization", "SDK-HMAC-SHA256 Access=x"),
    "other algorithm": lambda r: r.with_header("Authorization", r.headers["Authorization"].replace("SDK-", "V11-")),
}


@pytest.mark.sdk
@pytest.mark.parametrize("tampering", list(HUAWEI_TAMPERINGS))
def test_huawei_single_tampering_is_rejected(tampering: str) -> None:
    received = _huawei_sdk_signed()
    outcome = _verify(_huawei_verifier(), HUAWEI_TAMPERINGS[tampering](received))
    assert isinstance(outcome, AuthFailure)
    assert (outcome.status, outcome.code, outcome.code_n) == (401, "APIG.0301", None)
    expected = received.headers["Authorization"].rsplit("=", 1)[1]
    _assert_no_secret(outcome, SK, OTHER_SK, expected)


def test_huawei_failure_messages_are_distinct() -> None:
    received = _huawei_sdk_signed()
    verifier = _huawei_verifier()
    messages = {name: _verify(verifier, tamper(received)) for name, tamper in HUAWEI_TAMPERINGS.items()}
    assert "unknown" in str(messages["unknown access key"])
    assert "skew" in str(messages["stale date"])
    assert "missing" in str(messages["missing authorization"])
    assert "verify aksk signature fail" in str(messages["signature"])


def test_huawei_skew_window_is_fifteen_minutes() -> None:
    received = _huawei_sdk_signed()
    for offset, ok in ((timedelta(minutes=14, seconds=59), True), (timedelta(minutes=15, seconds=1), False)):
        for sign in (1, -1):
            verifier = _huawei_verifier(clock=_clock_at(NOW + sign * offset))
            assert isinstance(_verify(verifier, received), Principal) is ok


@pytest.mark.sdk
def test_huawei_project_must_belong_to_the_key() -> None:
    outcome = _verify(_huawei_verifier(), _huawei_sdk_signed(project="p2"))
    assert isinstance(outcome, AuthFailure)
    assert (outcome.status, outcome.code) == (401, "APIG.0301")
    assert "X-Project-Id" in outcome.message


def test_huawei_literal_content_hash_must_match_the_body() -> None:
    def received_with(content_sha: str) -> Received:
        headers = {"Host": HOST, "X-Sdk-Date": DATE, "X-Sdk-Content-Sha256": content_sha}
        signed = huawei_sign(ak=AK, sk=SK, method="PUT", raw_path="/v1/x", query=[], headers=headers, body=BODY)
        return Received("PUT", "/v1/x", "", {**headers, "Authorization": signed.authorization}, BODY)

    assert isinstance(_verify(_huawei_verifier(), received_with(sha256_hex(BODY))), Principal)
    outcome = _verify(_huawei_verifier(), received_with(sha256_hex(b"other")))
    assert isinstance(outcome, AuthFailure)
    assert "X-Sdk-Content-Sha256" in outcome.message


def test_huawei_token_path() -> None:
    received = _captured(HuaweiTokenAuth("TOKEN-1", PROJECT), "GET", f"https://{HOST}/v1/p1/x")
    verifier = _huawei_verifier()
    assert _verify(verifier, received) == Principal("token", project_id=PROJECT)
    assert _verify(verifier, received.with_header("X-Project-Id", None)) == Principal("token", project_id=PROJECT)
    for tampered in (
        received.with_header("X-Auth-Token", "TOKEN-2"),
        received.with_header("X-Auth-Token", ""),
        received.with_header("X-Project-Id", "p2"),
    ):
        outcome = _verify(verifier, tampered)
        assert isinstance(outcome, AuthFailure)
        assert (outcome.status, outcome.code) == (401, "APIG.0307")
        assert "TOKEN-" not in outcome.message
    outcome = _verify(verifier, received.with_header("X-Auth-Token", None))
    assert isinstance(outcome, AuthFailure)
    assert (outcome.status, outcome.code) == (401, "APIG.0301")


# ---------------------------------------------------------------------------------------------------------------
# Volcengine
# ---------------------------------------------------------------------------------------------------------------

VOLC_QUERY = OrderedDict([("Action", "UpdateCallback"), ("Version", "2023-01-01"), ("Note", "a b*~")])


def _volc_verifier(clock: Callable[[], datetime] = lambda: NOW, region: str = "cn-north-1") -> VolcengineVerifier:
    return VolcengineVerifier({VOLC_AK: VOLC_SK, "AKLTother": "OTHERSK"}, clock=clock, region=region)


def _volc_sdk_signed(token: str = "") -> Received:
    signer = pytest.importorskip("volcengine.auth.SignerV4")
    credentials = pytest.importorskip("volcengine.Credentials")
    request_module = pytest.importorskip("volcengine.base.Request")
    request = request_module.Request()
    request.method, request.path, request.body = "POST", "/", BODY
    request.query = OrderedDict(VOLC_QUERY)
    request.headers = OrderedDict(
        [
            ("Accept", "application/json"),
            ("Host", VOLC_HOST),
            ("User-Agent", "volc-sdk-python/v1.0.229"),
            ("Content-Type", "application/json"),
        ]
    )
    with mock.patch.object(signer.SignerV4, "get_current_format_date", staticmethod(lambda: DATE)):
        signer.SignerV4.sign(request, credentials.Credentials(VOLC_AK, VOLC_SK, "live", "cn-north-1", token))
    # Request.build() sends urlencode(query): spaces as '+', in insertion order.
    return Received("POST", "/", urlencode(VOLC_QUERY), dict(request.headers), BODY)


@pytest.mark.sdk
def test_volcengine_sdk_signed_request_verifies() -> None:
    received = _volc_sdk_signed()
    assert "+" in received.raw_query
    assert _verify(_volc_verifier(), received) == Principal("v4", access_key=VOLC_AK)
    assert isinstance(_verify(_volc_verifier(), _volc_sdk_signed(token="STS-TOKEN")), Principal)


def test_volcengine_self_signed_request_verifies() -> None:
    auth = VolcengineV4Auth(VolcengineCredentials(VOLC_AK, VOLC_SK, "STS"), clock=lambda: NOW)
    received = _captured(
        auth,
        "POST",
        f"https://{VOLC_HOST}/",
        params=list(VOLC_QUERY.items()),
        headers={"Content-Type": "application/json", "X-Extra": "1"},
        content=BODY,
    )
    assert parse_query(received.raw_query) == list(VOLC_QUERY.items())
    assert _verify(_volc_verifier(), received) == Principal("v4", access_key=VOLC_AK)


def _volc_flip(received: Received) -> Received:
    value = received.headers["Authorization"]
    return received.with_header("Authorization", value[:-1] + ("0" if value[-1] != "0" else "1"))


def _volc_ak(received: Received, ak: str) -> Received:
    return received.with_header("Authorization", received.headers["Authorization"].replace(VOLC_AK, ak))


VOLC_TAMPERINGS: dict[str, tuple[Callable[[Received], Received], str]] = {
    "method": (lambda r: dataclasses.replace(r, method="PUT"), "SignatureDoesNotMatch"),
    "path": (lambda r: dataclasses.replace(r, raw_path="/x"), "SignatureDoesNotMatch"),
    "query": (lambda r: dataclasses.replace(r, raw_query=r.raw_query.replace("2023", "2022")), "SignatureDoesNotMatch"),
    "query added": (lambda r: dataclasses.replace(r, raw_query=r.raw_query + "&x=1"), "SignatureDoesNotMatch"),
    "signed header": (lambda r: r.with_header("Content-Type", "text/plain"), "SignatureDoesNotMatch"),
    "content hash header": (lambda r: r.with_header("X-Content-Sha256", sha256_hex(b"")), "SignatureDoesNotMatch"),
    "body": (lambda r: dataclasses.replace(r, body=r.body + b" "), "SignatureDoesNotMatch"),
    "date": (lambda r: r.with_header("X-Date", "20240101T000001Z"), "SignatureDoesNotMatch"),
    "access key": (lambda r: _volc_ak(r, "AKLTother"), "SignatureDoesNotMatch"),
    "signature": (_volc_flip, "SignatureDoesNotMatch"),
    "unknown access key": (lambda r: _volc_ak(r, "AKLTunknown"), "InvalidAccessKey"),
    "stale date": (lambda r: r.with_header("X-Date", "20231231T234400Z"), "InvalidTimestamp"),
    "future date": (lambda r: r.with_header("X-Date", "20240101T001600Z"), "InvalidTimestamp"),
    "missing date": (lambda r: r.with_header("X-Date", None), "MissingRequestInfo"),
    "malformed date": (lambda r: r.with_header("X-Date", "yesterday"), "MissingRequestInfo"),
    "missing authorization": (lambda r: r.with_header("Authorization", None), "MissingRequestInfo"),
    "malformed authorization": (lambda r: r.with_header("Authorization", "HMAC-SHA256 x"), "MissingRequestInfo"),
    "missing signed header": (lambda r: r.with_header("Host", None), "MissingRequestInfo"),
}
VOLC_CODES = {
    "MissingRequestInfo": (400, 100004),
    "InvalidTimestamp": (400, 100006),
    "InvalidAccessKey": (401, 100009),
    "SignatureDoesNotMatch": (401, 100010),
}


@pytest.mark.sdk
@pytest.mark.parametrize("tampering", list(VOLC_TAMPERINGS))
def test_volcengine_single_tampering_is_rejected(tampering: str) -> None:
    received = _volc_sdk_signed()
    tamper, code = VOLC_TAMPERINGS[tampering]
    outcome = _verify(_volc_verifier(), tamper(received))
    assert isinstance(outcome, AuthFailure)
    assert (outcome.code, (outcome.status, outcome.code_n)) == (code, VOLC_CODES[code])
    _assert_no_secret(outcome, VOLC_SK, "OTHERSK", received.headers["Authorization"].rsplit("=", 1)[1])


@pytest.mark.sdk
def test_volcengine_scope_must_match_region() -> None:
    outcome = _verify(_volc_verifier(region="cn-east-1"), _volc_sdk_signed())
    assert isinstance(outcome, AuthFailure)
    assert outcome.code == "SignatureDoesNotMatch"


def test_volcengine_skew_window_is_fifteen_minutes() -> None:
    auth = VolcengineV4Auth(VolcengineCredentials(VOLC_AK, VOLC_SK), clock=lambda: NOW)
    received = _captured(auth, "POST", f"https://{VOLC_HOST}/?Action=A&Version=V", content=b"")
    for offset, ok in ((timedelta(minutes=15), True), (timedelta(minutes=15, seconds=1), False)):
        for sign in (1, -1):
            verifier = _volc_verifier(clock=_clock_at(NOW + sign * offset))
            assert isinstance(_verify(verifier, received), Principal) is ok


def test_async_clients_are_signed_too() -> None:
    async def send() -> httpx.Request:
        sent: list[httpx.Request] = []

        async def record(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(200)

        auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT), clock=lambda: NOW)
        async with httpx.AsyncClient(transport=httpx.MockTransport(record), auth=auth) as client:
            await client.put(f"https://{HOST}/v1/p1/x?z=1 2", json={"a": 1})
        return sent[0]

    request = asyncio.run(send())
    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    received = Received("PUT", path, query, dict(request.headers), request.content)
    assert query == "z=1%202"
    assert isinstance(_verify(_huawei_verifier(), received), Principal)


# ---------------------------------------------------------------------------------------------------------------
# Both: screening before the body, repeated credentials
# ---------------------------------------------------------------------------------------------------------------


def _huawei_self_signed() -> Received:
    auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT), clock=lambda: NOW)
    return _captured(auth, "PUT", f"https://{HOST}/v1/p1/x?b=x%20y", content=BODY)


def _volc_self_signed() -> Received:
    auth = VolcengineV4Auth(VolcengineCredentials(VOLC_AK, VOLC_SK), clock=lambda: NOW)
    return _captured(auth, "POST", f"https://{VOLC_HOST}/?Action=A&Version=V", content=BODY)


SIGNED: dict[str, tuple[Callable[[], Received], Callable[[], HuaweiVerifier | VolcengineVerifier]]] = {
    "huawei": (_huawei_self_signed, _huawei_verifier),
    "volcengine": (_volc_self_signed, _volc_verifier),
}
TAMPERINGS: list[tuple[str, Callable[[Received], Received]]] = [
    *(("huawei", tamper) for tamper in HUAWEI_TAMPERINGS.values()),
    *(("volcengine", tamper) for tamper, _ in VOLC_TAMPERINGS.values()),
]


@pytest.mark.parametrize(
    ("vendor", "tamper"), TAMPERINGS, ids=[*HUAWEI_TAMPERINGS, *(f"volc-{name}" for name in VOLC_TAMPERINGS)]
)
def test_screening_the_headers_agrees_with_verifying_the_request(
    vendor: str, tamper: Callable[[Received], Received]
) -> None:
    """`screen` (before the body is read) refuses exactly what `verify` refuses for its headers alone, and leaves to
    `verify` only what the signature decides."""
    make, verifier_for = SIGNED[vendor]
    verifier = verifier_for()
    received = make()
    screened = verifier.screen(received.method, received.raw_path, received.raw_query, received.headers)
    assert screened is None  # a good signature needs the body to be judged
    tampered = tamper(received)
    outcome = _verify(verifier, tampered)
    screened = verifier.screen(tampered.method, tampered.raw_path, tampered.raw_query, tampered.headers)
    assert screened is None or screened == outcome


def test_screening_refuses_what_the_headers_condemn_and_accepts_tokens() -> None:
    verifier, received = _huawei_verifier(), _huawei_self_signed()
    for name, value in (("Authorization", None), ("X-Sdk-Date", "20231231T000000Z")):
        tampered = received.with_header(name, value)
        assert isinstance(verifier.screen("PUT", tampered.raw_path, tampered.raw_query, tampered.headers), AuthFailure)
    unknown = _resign_with(received, "HWUNKNOWN")
    assert isinstance(verifier.screen("PUT", unknown.raw_path, unknown.raw_query, unknown.headers), AuthFailure)
    token = _captured(HuaweiTokenAuth("TOKEN-1", PROJECT), "PUT", f"https://{HOST}/v1/p1/x", content=BODY)
    assert verifier.screen("PUT", token.raw_path, token.raw_query, token.headers) == Principal("token", project_id="p1")
    volc = _volc_self_signed().with_header("Authorization", None)
    assert isinstance(_volc_verifier().screen("POST", volc.raw_path, volc.raw_query, volc.headers), AuthFailure)


def _sent_twice(received: Received, name: str, first: str) -> Headers:
    """`received`'s headers with `name` sent twice: `first`, then the value it was signed with."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in received.headers.items()]
    at = next(i for i, (k, _) in enumerate(raw) if k == name.lower().encode())
    return Headers(raw=[*raw[:at], (name.lower().encode(), first.encode("latin-1")), *raw[at:]])


REPEATED: list[tuple[str, str, str]] = [
    ("huawei", "Authorization", "SDK-HMAC-SHA256 Access=HWUNKNOWN, SignedHeaders=host, Signature=00"),
    ("huawei", "X-Sdk-Date", "20240101T000001Z"),
    ("huawei", "X-Project-Id", PROJECT),  # even the same value twice: which one a reader takes is not ours to say
    ("huawei", "Host", "attacker.example.com"),  # a signed header
    ("huawei-token", "X-Auth-Token", "TOKEN-INVALID"),
    ("volcengine", "Authorization", "HMAC-SHA256 Credential=AKLTunknown/20240101/cn-north-1/live/request"),
    ("volcengine", "X-Date", "20240101T000001Z"),
    ("volcengine", "X-Content-Sha256", sha256_hex(b"")),
    ("volcengine", "Host", "attacker.example.com"),
]


@pytest.mark.parametrize(("vendor", "name", "first"), REPEATED, ids=[f"{v}-{n}" for v, n, _ in REPEATED])
def test_a_credential_sent_twice_is_refused_whatever_its_values(vendor: str, name: str, first: str) -> None:
    """(invalid, valid) must not pass as the valid one, nor (valid, invalid) as the invalid one's owner: the
    request's credentials are ambiguous."""
    if vendor == "huawei-token":
        received = _captured(HuaweiTokenAuth("TOKEN-1", PROJECT), "PUT", f"https://{HOST}/v1/p1/x", content=BODY)
        verifier: HuaweiVerifier | VolcengineVerifier = _huawei_verifier()
    else:
        make, verifier_for = SIGNED[vendor]
        received, verifier = make(), verifier_for()
    assert isinstance(_verify(verifier, received), Principal)
    headers = _sent_twice(received, name, first)
    outcome = verifier.verify(received.method, received.raw_path, received.raw_query, headers, received.body)
    assert isinstance(outcome, AuthFailure)
    assert "more than once" in outcome.message and name.lower() in outcome.message
    assert verifier.screen(received.method, received.raw_path, received.raw_query, headers) == outcome
