"""Callback signatures: the MSS vector, sign→verify round trips and rejections for all three families."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from generator.profiles.huawei.runtime.live_record import (
    LiveSignType,
    live_record_signature,
    sign_live_record_callback,
    verify_live_record_callback,
)
from generator.profiles.huawei.runtime.mss import (
    mss_a_head_headers,
    mss_a_url,
    mss_hw_time,
    mss_signature,
    mss_uri,
    verify_mss,
    verify_mss_a,
    verify_mss_a_head,
)
from generator.profiles.volcengine.runtime.webhooks import (
    sign_volc_callback,
    verify_volc_callback,
    volc_callback_signature,
)
from generator.runtime.signing import Clock, hmac_sha256_hex
from generator.runtime.webhooks import WebhookCheck, WebhookCode, md5_hex

MSS_KEY = "GCTbw44s6MPLh4GqgDpnfuFHgy25Enly"
MSS_URL = "https://api.example.com/v1/products?live_id=111&limit=10&offset=0"
MSS_TIME = datetime.fromtimestamp(0x66DF9308, UTC)
KEY = "k" * 32


def at(moment: datetime) -> Clock:
    return lambda: moment


# ---------------------------------------------------------------------------------------------------------------
# MetaStudio MSS_A / MSS_A_HEAD
# ---------------------------------------------------------------------------------------------------------------


def test_mss_published_example() -> None:
    assert mss_hw_time(1725928200) == "66df9308"
    assert mss_uri(MSS_URL) + "66df9308" == "api.example.com/v1/products?limit=10&live_id=111&offset=066df9308"
    signature = mss_signature(MSS_KEY, MSS_URL, "66df9308")
    assert signature == "5e7fe8869a12a87ea966d9edbc02e38cd4ce62c73b8b05c638f15835e78902d7"
    assert signature.startswith("5e7fe886") and signature.endswith("78902d7")


def test_mss_uri_rules() -> None:
    assert mss_uri("https://h:8443/cb") == "h:8443/cb"
    assert mss_uri("http://h/cb?b=2&a=1&b=1#frag") == "h/cb?a=1&b=2&b=1"
    assert mss_uri("https://h") == "h"


def test_mss_a_round_trip_and_rejections() -> None:
    url = mss_a_url(MSS_KEY, MSS_URL, clock=at(MSS_TIME))
    query = urlsplit(url).query
    assert query.endswith("&hwSecret=5e7fe8869a12a87ea966d9edbc02e38cd4ce62c73b8b05c638f15835e78902d7&hwTime=66df9308")
    assert verify_mss_a(MSS_KEY, MSS_URL, query, clock=at(MSS_TIME))
    later = at(MSS_TIME + timedelta(seconds=300))
    assert verify_mss_a(MSS_KEY, MSS_URL, query, clock=later)

    def check(key: str = MSS_KEY, configured: str = MSS_URL, q: str = query, delta: int = 0) -> WebhookCheck:
        return verify_mss_a(key, configured, q, clock=at(MSS_TIME + timedelta(seconds=delta)))

    assert check(key="x" * 32).code is WebhookCode.MISMATCH
    assert check(configured=MSS_URL.replace("111", "112")).code is WebhookCode.MISMATCH
    assert check(q=query.replace("hwTime=66df9308", "hwTime=66df9309")).code is WebhookCode.MISMATCH
    assert check(delta=301).code is WebhookCode.STALE
    assert check(delta=-301).code is WebhookCode.STALE
    assert check(q="live_id=111").code is WebhookCode.MISSING
    assert check(q=query.replace("hwTime=66df9308", "hwTime=zz")).code is WebhookCode.MALFORMED


def test_mss_a_without_configured_query() -> None:
    url = mss_a_url(MSS_KEY, "https://cb.example.com/hook", clock=at(MSS_TIME))
    assert urlsplit(url).query.startswith("hwSecret=")
    query = urlsplit(url).query
    assert verify_mss_a(MSS_KEY, "https://cb.example.com/hook", query, clock=at(MSS_TIME))


def test_mss_a_head_round_trip_and_rejections() -> None:
    headers = mss_a_head_headers(MSS_KEY, MSS_URL, clock=at(MSS_TIME))
    assert headers == {
        "x-hw-mss-secret": "5e7fe8869a12a87ea966d9edbc02e38cd4ce62c73b8b05c638f15835e78902d7",
        "x-hw-mss-time": "66df9308",
    }
    upper = {"X-HW-MSS-SECRET": headers["x-hw-mss-secret"].upper(), "X-Hw-Mss-Time": "66df9308"}
    assert verify_mss_a_head(MSS_KEY, MSS_URL, upper, clock=at(MSS_TIME))
    wrong = verify_mss_a_head("y" * 32, MSS_URL, headers, clock=at(MSS_TIME))
    assert not wrong and wrong.code is WebhookCode.MISMATCH
    stale = verify_mss_a_head(MSS_KEY, MSS_URL, headers, clock=at(MSS_TIME + timedelta(hours=1)))
    assert stale.code is WebhookCode.STALE
    missing = verify_mss(MSS_KEY, MSS_URL, None, "66df9308", clock=at(MSS_TIME))
    assert missing.code is WebhookCode.MISSING


# ---------------------------------------------------------------------------------------------------------------
# Huawei Live record callbacks
# ---------------------------------------------------------------------------------------------------------------

RECORD = {
    "project_id": "p1",
    "event_type": "RECORD_FILE_COMPLETE",
    "publish_domain": "push.example.com",
    "app": "live",
    "stream": "s1",
    "download_url": "https://obs.example.com/a.mp4",
    "file_size": 1024,
}
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_live_record_formulas() -> None:
    assert live_record_signature(KEY, "MD5", 1704067800, RECORD) == md5_hex(KEY + "1704067800")
    expected = hmac_sha256_hex(
        KEY, "1704067800RECORD_FILE_COMPLETEpush.example.comlives1https://obs.example.com/a.mp4"
    )  # play_url absent → ""
    assert live_record_signature(KEY, "HMACSHA256", 1704067800, RECORD) == expected
    with pytest.raises(ValueError):
        live_record_signature(KEY, "SHA1", 1, RECORD)  # type: ignore[arg-type]


@pytest.mark.parametrize("sign_type", ["HMACSHA256", "MD5"])
def test_live_record_round_trip_and_rejections(sign_type: LiveSignType) -> None:
    signed = sign_live_record_callback(RECORD, KEY, sign_type, clock=at(T0))
    assert signed["auth_timestamp"] == int(T0.timestamp()) + 600
    ok = verify_live_record_callback(signed, KEY, sign_type, clock=at(T0))
    assert ok and ok.code is WebhookCode.OK
    as_string = dict(signed, auth_timestamp=str(signed["auth_timestamp"]))
    assert verify_live_record_callback(as_string, KEY, sign_type, clock=at(T0))

    def check(payload: dict[str, object], key: str = KEY, moment: datetime = T0) -> WebhookCode:
        return verify_live_record_callback(payload, key, sign_type, clock=at(moment)).code

    assert check(signed, key="w" * 32) is WebhookCode.MISMATCH
    assert check(dict(signed, auth_timestamp=int(T0.timestamp()) + 601)) is WebhookCode.MISMATCH
    assert check(signed, moment=T0 + timedelta(seconds=601)) is WebhookCode.EXPIRED
    assert check(signed, moment=T0 + timedelta(seconds=600)) is WebhookCode.OK
    assert check({k: v for k, v in signed.items() if k != "auth_sign"}) is WebhookCode.MISSING
    assert check(dict(signed, auth_timestamp="soon")) is WebhookCode.MALFORMED
    assert check(dict(signed, auth_timestamp=True)) is WebhookCode.MALFORMED
    tampered = check(dict(signed, stream="s2"))
    # MD5 covers only key + timestamp (vendor formula); HMACSHA256 covers the event fields too.
    assert tampered is (WebhookCode.MISMATCH if sign_type == "HMACSHA256" else WebhookCode.OK)


# ---------------------------------------------------------------------------------------------------------------
# Volcengine Live callbacks
# ---------------------------------------------------------------------------------------------------------------

PUSH = {"vhost": "push.example.com", "app": "live", "stream": "s1", "event_type": "push_start"}


def test_volc_callback_round_trip_flat_and_nested() -> None:
    signed = sign_volc_callback(PUSH, KEY, clock=at(T0))
    t = int(T0.timestamp()) + 600
    assert (signed["t"], signed["sign"]) == (t, md5_hex(KEY + str(t)))
    assert signed["sign"] == volc_callback_signature(KEY, t)
    assert verify_volc_callback(signed, KEY, clock=at(T0))
    nested = {"code": 0, "message": "ok", "data": dict(signed, t=str(t), detail={})}
    assert verify_volc_callback(nested, KEY, clock=at(T0))


def test_volc_callback_rejections() -> None:
    signed = sign_volc_callback(PUSH, KEY, clock=at(T0))
    t = int(T0.timestamp()) + 600

    def check(payload: dict[str, object], key: str | None = KEY, moment: datetime = T0) -> WebhookCode:
        return verify_volc_callback(payload, key, clock=at(moment)).code

    assert check(signed, key="z" * 32) is WebhookCode.MISMATCH
    assert check(dict(signed, t=t + 1)) is WebhookCode.MISMATCH
    assert check(signed, moment=T0 + timedelta(seconds=601)) is WebhookCode.EXPIRED
    assert check(signed, moment=T0 + timedelta(seconds=600)) is WebhookCode.OK
    assert check(dict(signed, sign="")) is WebhookCode.MISSING
    assert check(dict(signed, t="later")) is WebhookCode.MALFORMED


def test_volc_callback_with_auth_disabled() -> None:
    signed = sign_volc_callback(PUSH, None, clock=at(T0))
    assert (signed["sign"], signed["t"]) == ("", 0)
    assert verify_volc_callback(signed, None, clock=at(T0))
    assert verify_volc_callback(signed, KEY, clock=at(T0)).code is WebhookCode.MISSING
