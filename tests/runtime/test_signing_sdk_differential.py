"""Our signers produce the official SDKs' Authorization byte for byte (clock frozen, no network)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from unittest import mock
from urllib.parse import quote, unquote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth, HuaweiCredentials
from generator.profiles.huawei.runtime.signing import (
    UNSIGNED_PAYLOAD,
    huawei_canonical_query,
    huawei_canonical_uri,
    huawei_sign,
)
from generator.profiles.volcengine.runtime.auth import VolcengineCredentials, VolcengineV4Auth
from generator.profiles.volcengine.runtime.signing import volc_canonical_query, volc_canonical_uri, volc_sign
from generator.runtime.signing import sha256_hex

huawei_auth = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
huawei_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")
volc_signer = pytest.importorskip("volcengine.auth.SignerV4")
volc_sign_param = pytest.importorskip("volcengine.auth.SignParam")
volc_credentials = pytest.importorskip("volcengine.Credentials")
volc_request = pytest.importorskip("volcengine.base.Request")
volc_util = pytest.importorskip("volcengine.util.Util")

pytestmark = pytest.mark.sdk

AK, SK, PROJECT = "HWTESTAK0000000000000", "HWTESTSK00000000000000000000000000000000", "p1"
HOST = "metastudio.cn-north-4.myhuaweicloud.com"
VOLC_AK, VOLC_SK = "AKLTtest0000000000000000", "VOLCTESTSK00000000000000000000000000000000=="
VOLC_HOST = "live.volcengineapi.com"
FROZEN = datetime(2024, 1, 1, tzinfo=UTC)
DATE = "20240101T000000Z"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------------------------

_ODD = " ~*%-_.!'()+=;:@,$&üé中😀"
_PATH_CHARS = st.sampled_from("abcXYZ019" + _ODD)
_segment = st.one_of(
    st.text(_PATH_CHARS, min_size=0, max_size=6),
    st.sampled_from(["%20", "%2F", "%7e", "%41", "%zz", "%", "%C3%BC", "%FF", "v1", "{x}"]),
)
paths = st.lists(_segment, min_size=1, max_size=4).map(lambda segs: "/" + "/".join(segs))
_text = st.text(st.sampled_from("abzAZ09" + _ODD + '/?#[]"\\'), min_size=0, max_size=8)
query_pairs = st.lists(st.tuples(_text.filter(bool), _text), max_size=5)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
bodies = st.one_of(st.just(b""), st.binary(max_size=64), st.sampled_from([b'{"a": 1}', "ü".encode()]))
content_types = st.sampled_from(
    [None, "application/json", "application/json; charset=utf-8", "application/bson", "text/plain",
     "application/octet-stream", "application/x-www-form-urlencoded; charset=utf-8"]
)  # fmt: skip
_header_value = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)
extra_headers = st.dictionaries(
    st.sampled_from(["X-Request-Id", "X-Custom-Header", "X-App-UserId", "X_Underscore", "X-Trace_Id", "X-A"]),
    _header_value,
    max_size=3,
)
tokens = st.one_of(st.none(), st.just("TEMPTOKEN/with+odd=chars"))


def _huawei_sdk_sign(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
    token: str | None,
    project: str = PROJECT,
) -> tuple[str, str]:
    """The official signer's (Authorization, uri) for one request, via BasicCredentials.sign_request."""
    creds = huawei_auth.BasicCredentials(AK, SK, project)
    if token:
        creds = creds.with_security_token(token)
    request = huawei_request.SdkRequest(method, "https", HOST, path, None, list(query), dict(headers), body)
    signed = creds.sign_request(request)
    return signed.header_params["Authorization"], signed.uri


def _send(
    auth: httpx.Auth,
    method: str,
    url: str,
    *,
    params: tuple[tuple[str, str], ...] = (),
    headers: dict[str, str] | list[tuple[bytes, bytes]] | None = None,
    content: bytes = b"",
) -> httpx.Request:
    """Send one request through `auth` into a mock transport and return it as it would go on the wire."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(record), auth=auth) as client:
        client.request(method, url, params=params, headers=headers, content=content)
    (request,) = sent
    return request


def _volc_sdk_credentials(token: str | None) -> object:
    return volc_credentials.Credentials(VOLC_AK, VOLC_SK, "live", "cn-north-1", token or "")


def _grouped(pairs: list[tuple[str, str]]) -> OrderedDict[str, list[str]]:
    grouped: OrderedDict[str, list[str]] = OrderedDict()
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


# ---------------------------------------------------------------------------------------------------------------
# Huawei
# ---------------------------------------------------------------------------------------------------------------


@SETTINGS
@given(methods, paths, query_pairs, bodies, content_types, extra_headers, tokens)
def test_huawei_pure_signer_matches_sdk(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    body: bytes,
    content_type: str | None,
    extra: dict[str, str],
    token: str | None,
) -> None:
    headers = {"X-Sdk-Date": DATE, **extra}
    if content_type:
        headers["Content-Type"] = content_type
    sdk_authorization, sdk_uri = _huawei_sdk_sign(method, path, query, headers, body, token)

    ours = dict(headers, Host=HOST)
    ours["X-Project-Id"] = PROJECT
    if token:
        ours["X-Security-Token"] = token
    if content_type and not content_type.startswith(("application/json", "application/bson")):
        ours["X-Sdk-Content-Sha256"] = UNSIGNED_PAYLOAD
    signed = huawei_sign(ak=AK, sk=SK, method=method, raw_path=path, query=query, headers=ours, body=body)

    assert signed.authorization == sdk_authorization
    canonical_query = huawei_canonical_query(query)
    assert sdk_uri == (f"{path}?{canonical_query}" if canonical_query else path)
    assert signed.canonical_request.split("\n")[1] == huawei_canonical_uri(path)


@SETTINGS
@given(
    methods,
    paths.filter(lambda p: "?" not in p and "#" not in p),
    query_pairs,
    bodies,
    content_types,
    extra_headers,
    tokens,
)
def test_huawei_httpx_auth_matches_sdk(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    body: bytes,
    content_type: str | None,
    extra: dict[str, str],
    token: str | None,
) -> None:
    auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT, token), clock=lambda: FROZEN)
    headers = dict(extra)
    if content_type:
        headers["Content-Type"] = content_type
    request = _send(auth, method, f"https://{HOST}{path}", params=tuple(query), headers=headers, content=body)

    # The SDK request the same caller would make: the same wire path, query values, headers and body.
    wire_path = request.url.raw_path.partition(b"?")[0].decode("ascii")
    sdk_headers = {"X-Sdk-Date": DATE, "User-Agent": request.headers["User-Agent"], **headers}
    sdk_authorization, sdk_uri = _huawei_sdk_sign(method, wire_path, query, sdk_headers, body, token)

    assert request.headers["Authorization"] == sdk_authorization
    assert request.url.raw_path.decode("ascii") == sdk_uri  # the query is rewritten to the canonical one
    assert request.headers["X-Sdk-Date"] == DATE
    assert request.headers["X-Project-Id"] == PROJECT
    assert request.headers.get("X-Security-Token") == token


def test_huawei_httpx_auth_reuses_caller_date_like_the_sdk() -> None:
    auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT), clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    caller = {"X-Sdk-Date": DATE, "Content-Type": "application/json"}
    request = _send(auth, "GET", f"https://{HOST}/v1/p1/x", headers=caller)
    headers = {**caller, "User-Agent": request.headers["User-Agent"]}
    assert request.headers["Authorization"] == _huawei_sdk_sign("GET", "/v1/p1/x", [], headers, b"", None)[0]


def test_huawei_signs_non_ascii_header_values_like_the_sdk() -> None:
    auth = HuaweiAkSkAuth(HuaweiCredentials(AK, SK, PROJECT), clock=lambda: FROZEN)
    request = _send(auth, "GET", f"https://{HOST}/v1/p1/x", headers=[(b"X-Name", "  Zoë 中 ".encode())])
    headers = {"X-Sdk-Date": DATE, "User-Agent": request.headers["User-Agent"], "X-Name": "  Zoë 中 "}
    assert request.headers["Authorization"] == _huawei_sdk_sign("GET", "/v1/p1/x", [], headers, b"", None)[0]
    assert dict(request.headers.raw)[b"X-Name"] == "Zoë 中".encode()  # sent as UTF-8 bytes, stripped


# ---------------------------------------------------------------------------------------------------------------
# Volcengine
# ---------------------------------------------------------------------------------------------------------------

volc_paths = st.lists(st.text(_PATH_CHARS, max_size=6), max_size=4).map(lambda segs: "/" + "/".join(segs))
volc_query = st.dictionaries(
    _text.filter(bool), st.one_of(_text, st.lists(_text, min_size=1, max_size=3)), max_size=4
).map(lambda d: OrderedDict(d))
volc_headers = st.dictionaries(
    st.sampled_from(["X-Request-Id", "X-Custom-Header", "X-A", "Content-Md5", "Accept", "X-Tt-Logid"]),
    _header_value,
    max_size=3,
)


def _pairs(query: OrderedDict[str, str | list[str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])]


@SETTINGS
@given(methods, volc_paths, volc_query, bodies, content_types, volc_headers, tokens, st.booleans())
def test_volcengine_pure_signer_matches_sdk_sign_only(
    method: str,
    path: str,
    query: OrderedDict[str, str | list[str]],
    body: bytes,
    content_type: str | None,
    extra: dict[str, str],
    token: str | None,
    host_port: bool,
) -> None:
    host = VOLC_HOST + (":443" if host_port else "")
    headers: OrderedDict[str, str] = OrderedDict(Host=host, **extra)
    if content_type:
        headers["Content-Type"] = content_type
    param = volc_sign_param.SignParam()
    param.set_method(method)
    param.set_path(path)
    param.set_host(host)
    param.set_query(OrderedDict((k, list(v) if isinstance(v, list) else v) for k, v in query.items()))
    param.set_header_list(OrderedDict(headers))
    param.set_body(body)
    param.set_date(datetime(2024, 1, 1))
    result = volc_signer.SignerV4.sign_only(param, _volc_sdk_credentials(token))

    ours = dict(headers, **{"X-Date": DATE, "X-Content-Sha256": sha256_hex(body)})
    if token:
        ours["X-Security-Token"] = token
    signed = volc_sign(
        ak=VOLC_AK,
        sk=VOLC_SK,
        region="cn-north-1",
        service="live",
        method=method,
        raw_path=quote(path),
        query=_pairs(query),
        headers=ours,
        body=body,
    )
    assert signed.authorization == result.authorization
    assert volc_canonical_uri(path) == volc_util.Util.norm_uri(path)
    assert volc_canonical_query(_pairs(query)) == volc_util.Util.norm_query(query)


@SETTINGS
@given(methods, volc_paths, volc_query, bodies, content_types, volc_headers, tokens)
def test_volcengine_httpx_auth_matches_sdk_sign(
    method: str,
    path: str,
    query: OrderedDict[str, str | list[str]],
    body: bytes,
    content_type: str | None,
    extra: dict[str, str],
    token: str | None,
) -> None:
    if content_type is None and method != "GET":
        # SignerV4.sign adds this default itself; a caller of ours states its content type.
        content_type = "application/x-www-form-urlencoded; charset=utf-8"
    headers = dict(extra)
    if content_type:
        headers["Content-Type"] = content_type
    auth = VolcengineV4Auth(VolcengineCredentials(VOLC_AK, VOLC_SK, token), clock=lambda: FROZEN)
    url = f"https://{VOLC_HOST}{quote(path)}"
    request = _send(auth, method, url, params=tuple(_pairs(query)), headers=headers, content=body)

    # The SDK signs the logical path it is given; give it the one httpx sent (httpx drops dot segments).
    wire_path = unquote(request.url.raw_path.partition(b"?")[0].decode("ascii"))
    sdk_request = volc_request.Request()
    sdk_request.method, sdk_request.path, sdk_request.body = method, wire_path, body
    sdk_request.query = OrderedDict((k, list(v) if isinstance(v, list) else v) for k, v in query.items())
    sdk_request.headers = OrderedDict(Host=VOLC_HOST, **headers)
    with mock.patch.object(volc_signer.SignerV4, "get_current_format_date", staticmethod(lambda: DATE)):
        volc_signer.SignerV4.sign(sdk_request, _volc_sdk_credentials(token))

    for name in ("Authorization", "X-Date", "X-Content-Sha256"):
        assert request.headers[name] == sdk_request.headers[name], name
    assert request.headers.get("X-Security-Token") == sdk_request.headers.get("X-Security-Token")
