"""The vendor-facts §4 vectors and Huawei's published signing example reproduce exactly."""

from __future__ import annotations

from generator.profiles.huawei.runtime.signing import (
    HuaweiAuthorization,
    huawei_canonical_query,
    huawei_canonical_uri,
    huawei_sign,
    huawei_signature,
    parse_huawei_authorization,
)
from generator.profiles.volcengine.runtime.signing import (
    VolcAuthorization,
    parse_volc_authorization,
    volc_canonical_query,
    volc_canonical_uri,
    volc_sign,
)
from generator.runtime.signing import parse_query, sha256_hex

HW_AK = "HWTESTAK0000000000000"
HW_SK = "HWTESTSK00000000000000000000000000000000"
HW_BODY = (
    b'{"live_exit_config": {"max_live_duration": 8, "auto_stop_mode": "SEGMENT_END", '
    b'"max_exception_waiting_duration": 30}}'
)

VOLC_AK = "AKLTtest0000000000000000"
VOLC_SK = "VOLCTESTSK00000000000000000000000000000000=="
VOLC_BODY = (
    b'{"Vhost": "push.live.example.com", "App": "example_app", "MessageType": "push", "TranscodeCallback": 0, '
    b'"CallbackDetailList": [{"CallbackType": "http", "URL": "http://example.com/callback"}], "AuthEnable": false}'
)


def test_huawei_vector_4_1_put_user_config() -> None:
    assert len(HW_BODY) == 117
    assert sha256_hex(HW_BODY) == "6293f5e594a3c73e74c7a569bcac12434bb941fb204df65ace62c096fc7858f2"
    signed = huawei_sign(
        ak=HW_AK,
        sk=HW_SK,
        method="PUT",
        raw_path="/v1/p1/smart-live-configs/user-config",
        query=[],
        headers={
            "Content-Type": "application/json",
            "Host": "metastudio.cn-north-4.myhuaweicloud.com",
            "X-Project-Id": "p1",
            "X-Sdk-Date": "20240101T000000Z",
        },
        body=HW_BODY,
    )
    assert signed.canonical_request == (
        "PUT\n"
        "/v1/p1/smart-live-configs/user-config/\n"
        "\n"
        "content-type:application/json\n"
        "host:metastudio.cn-north-4.myhuaweicloud.com\n"
        "x-project-id:p1\n"
        "x-sdk-date:20240101T000000Z\n"
        "\n"
        "content-type;host;x-project-id;x-sdk-date\n"
        "6293f5e594a3c73e74c7a569bcac12434bb941fb204df65ace62c096fc7858f2"
    )
    assert signed.string_to_sign == (
        "SDK-HMAC-SHA256\n20240101T000000Z\nce15f442c688097d318359632c91758276c9ff7a0b9a736d0ce2191e118346a8"
    )
    assert signed.authorization == (
        "SDK-HMAC-SHA256 Access=HWTESTAK0000000000000, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        "Signature=b0561c510492bb48f3e39f07757eff8036362360542fe50e910c54e4ed227081"
    )
    assert parse_huawei_authorization(signed.authorization) == HuaweiAuthorization(
        HW_AK, ("content-type", "host", "x-project-id", "x-sdk-date"), signed.signature
    )


def test_huawei_published_example() -> None:
    """support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-00{2,3,4}.html, end to end."""
    signed = huawei_sign(
        ak="QTWAOYTTINDUT2QVKYUC",
        sk="MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
        method="GET",
        raw_path="/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        query=parse_query("limit=2&marker=13551d6b-755d-4757-b956-536f674975c0"),
        headers={
            "Content-Type": "application/json",
            "Host": "service.region.example.com",
            "X-Sdk-Date": "20191115T033655Z",
        },
        body=b"",
    )
    published_sts = (
        "SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    )
    published_sig = "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
    assert signed.string_to_sign == published_sts
    assert huawei_signature("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", published_sts) == published_sig
    assert signed.authorization == (
        "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, "
        f"Signature={published_sig}"
    )


def test_volcengine_vector_4_2_update_callback() -> None:
    body_hash = "c51766f7709e106fd383367a4f27cb46cfcf0d156757d175bbe1aae876d2617c"
    assert sha256_hex(VOLC_BODY) == body_hash
    signed = volc_sign(
        ak=VOLC_AK,
        sk=VOLC_SK,
        region="cn-north-1",
        service="live",
        method="POST",
        raw_path="/",
        query=[("Action", "UpdateCallback"), ("Version", "2023-01-01")],
        headers={
            "Accept": "application/json",
            "Host": "live.volcengineapi.com",
            "User-Agent": "volc-sdk-python/v1.0.229",
            "Content-Type": "application/json",
            "X-Date": "20240101T000000Z",
            "X-Content-Sha256": body_hash,
        },
        body=VOLC_BODY,
    )
    assert signed.canonical_request == (
        "POST\n"
        "/\n"
        "Action=UpdateCallback&Version=2023-01-01\n"
        "content-type:application/json\n"
        "host:live.volcengineapi.com\n"
        f"x-content-sha256:{body_hash}\n"
        "x-date:20240101T000000Z\n"
        "\n"
        "content-type;host;x-content-sha256;x-date\n"
        f"{body_hash}"
    )
    assert signed.string_to_sign == (
        "HMAC-SHA256\n20240101T000000Z\n20240101/cn-north-1/live/request\n"
        "c1ccfa90ae62f4e8e9df40c746dbcb827ff4aa5ffe906a14294ca7acee2cadad"
    )
    assert signed.authorization == (
        "HMAC-SHA256 Credential=AKLTtest0000000000000000/20240101/cn-north-1/live/request, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, "
        "Signature=f09bc11f6338a2e389cf634ef5cfa2bcbf268217a2de21af4b36352f16f0e435"
    )
    assert parse_volc_authorization(signed.authorization) == VolcAuthorization(
        VOLC_AK,
        "20240101",
        "cn-north-1",
        "live",
        ("content-type", "host", "x-content-sha256", "x-date"),
        signed.signature,
    )


def test_huawei_canonical_forms() -> None:
    assert huawei_canonical_uri("/v1/a b/%7e~*/ü") == "/v1/a%20b/~~%2A/%C3%BC/"
    assert huawei_canonical_uri("/") == "/"
    assert huawei_canonical_uri("") == "/"
    assert huawei_canonical_query([("b", "x y"), ("a", "2"), ("a", "1"), ("c", "*~+")]) == "a=1&a=2&b=x%20y&c=%2A~%2B"


def test_volcengine_canonical_forms() -> None:
    assert volc_canonical_uri("") == "/"
    assert volc_canonical_uri("/a b/~*") == "/a%20b/~%2A"
    assert volc_canonical_query([("b", "2"), ("a", "z"), ("a", "y")]) == "a=z&a=y&b=2"
    assert volc_canonical_query([("k", "a b/c~")]) == "k=a%20b%2Fc~"


def test_parse_query_uses_form_semantics() -> None:
    assert parse_query("a=b+c&d=%20e&f&&g=%2B") == [("a", "b c"), ("d", " e"), ("f", ""), ("g", "+")]
    assert parse_query(b"k=%C3%BC") == [("k", "ü")]


def test_authorization_parsers_reject_malformed() -> None:
    good = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=" + "0" * 64
    assert parse_huawei_authorization(good) is not None
    for bad in (
        "",
        "Bearer abc",
        "SDK-HMAC-SHA256",
        good.replace("Access=AK, ", ""),
        good.replace("0" * 64, "0" * 63),
        good.replace("0" * 64, "G" * 64),
        good + ", Extra=1",
        good.replace("host;x-sdk-date", "host;;x-sdk-date"),
        "V11-HMAC-SHA256 Credential=AK/20240101/r/s, SignedHeaders=host, Signature=" + "0" * 64,
    ):
        assert parse_huawei_authorization(bad) is None, bad
    volc = "HMAC-SHA256 Credential=AK/20240101/cn-north-1/live/request, SignedHeaders=host;x-date, Signature=" + (
        "a" * 64
    )
    assert parse_volc_authorization(volc) is not None
    for bad in (
        volc.replace("/request", "/req"),
        volc.replace("AK/20240101/", "AK/"),
        volc.replace("HMAC-SHA256 ", "HMAC-SHA1 "),
        volc.replace("Signature=", "Sig="),
    ):
        assert parse_volc_authorization(bad) is None, bad


def test_volcengine_signer_keeps_its_key_only_for_its_day_and_credentials() -> None:
    """The signer derives its signing key once and keeps it; a new day or new credentials derive it afresh, so
    every signature equals the one derived from scratch."""
    from datetime import UTC, datetime

    import httpx

    from generator.profiles.volcengine.runtime.auth import VolcengineCredentials, VolcengineV4Auth
    from generator.runtime.signing import wire_headers

    now = [datetime(2024, 1, 1, 23, 59, 59, tzinfo=UTC)]
    auth = VolcengineV4Auth(VolcengineCredentials(VOLC_AK, VOLC_SK), clock=lambda: now[0])
    for moment, credentials in [
        (datetime(2024, 1, 1, 23, 59, 59, tzinfo=UTC), VolcengineCredentials(VOLC_AK, VOLC_SK)),
        (datetime(2024, 1, 2, 0, 0, 0, tzinfo=UTC), VolcengineCredentials(VOLC_AK, VOLC_SK)),
        (datetime(2024, 1, 2, 0, 0, 1, tzinfo=UTC), VolcengineCredentials(VOLC_AK, VOLC_SK + "x")),
        (datetime(2024, 1, 2, 0, 0, 2, tzinfo=UTC), VolcengineCredentials(VOLC_AK, VOLC_SK + "x", region="ap-1")),
    ]:
        now[0] = moment
        auth.credentials = credentials
        request = httpx.Request(
            "POST", "https://live.volcengineapi.com/?Action=UpdateCallback&Version=2023-01-01", content=VOLC_BODY
        )
        auth.sign(request)
        expected = volc_sign(
            ak=VOLC_AK,
            sk=credentials.sk,
            region=credentials.region,
            service="live",
            method="POST",
            raw_path="/",
            query=parse_query(request.url.query),
            headers={k: v for k, v in wire_headers(request).items() if k != "authorization"},
            body=VOLC_BODY,
        )
        assert request.headers["Authorization"] == expected.authorization


def test_basic_dates_are_utc_whatever_the_clock_gives() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from generator.runtime.signing import format_basic_date

    moment = datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=UTC)
    assert format_basic_date(moment) == "20240102T030405Z"
    assert format_basic_date(moment.astimezone(timezone(timedelta(hours=8)))) == "20240102T030405Z"
    assert format_basic_date(moment.replace(tzinfo=timezone(timedelta(0), "Z"))) == "20240102T030405Z"
    assert format_basic_date(moment.replace(tzinfo=None)) == "20240102T030405Z"
    for second in range(3):  # remembered dates are told apart by the second, the day, the year
        for later in (timedelta(seconds=second), timedelta(days=1, seconds=second), timedelta(days=366)):
            expected = (moment + later).strftime("%Y%m%dT%H%M%SZ")
            assert format_basic_date(moment + later) == expected
            assert format_basic_date(moment + later + timedelta(microseconds=999_000)) == expected


def test_wire_queries_are_decoded_per_exact_query() -> None:
    """Decoded queries are remembered by their exact wire bytes: no two queries share an answer."""
    import httpx

    from generator.runtime.signing import wire_query

    for _ in range(2):
        assert wire_query(httpx.Request("GET", "https://h/?b=2&a=1&a=%20")) == (("b", "2"), ("a", "1"), ("a", " "))
        assert wire_query(httpx.Request("GET", "https://h/?a=1&b=2")) == (("a", "1"), ("b", "2"))
        assert wire_query(httpx.Request("GET", "https://h/")) == ()


def test_wire_headers_keeps_only_what_is_wanted_by_lower_case_name() -> None:
    import httpx

    from generator.profiles.volcengine.runtime.signing import volc_is_signed_header
    from generator.runtime.signing import wire_headers

    request = httpx.Request(
        "POST", "https://h/", headers=[("X-A", "1"), ("Accept", "a"), ("x-a", "2"), ("Content-Type", "t")], content=b"x"
    )
    everything = wire_headers(request)
    assert everything == {"host": "h", "x-a": "1, 2", "accept": "a", "content-type": "t", "content-length": "1"}
    assert wire_headers(request, volc_is_signed_header) == {
        name: value for name, value in everything.items() if volc_is_signed_header(name)
    }
