"""Credentials: environment names and precedence; secrets never in repr/str or error messages."""

from __future__ import annotations

import pytest

from generator.profiles.huawei.runtime.auth import HuaweiAkSkAuth, HuaweiCredentials, HuaweiTokenAuth
from generator.profiles.huawei.runtime.verify import HuaweiKey, HuaweiVerifier
from generator.profiles.volcengine.runtime.auth import VolcengineCredentials, VolcengineV4Auth
from generator.profiles.volcengine.runtime.verify import VolcengineVerifier
from generator.runtime.auth import CredentialsError, mask

SECRETS = ("SECRET-SK-0001", "SECRET-TOKEN-0001", "SECRET-SK-0002", "SECRET-TOKEN-0002", "SECRET-SK-0003")


def _assert_hidden(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# ---------------------------------------------------------------------------------------------------------------
# Huawei
# ---------------------------------------------------------------------------------------------------------------

HUAWEI_OURS = {
    "STREAMSPEC_HUAWEI_AK": "OURSAK000001",
    "STREAMSPEC_HUAWEI_SK": "SECRET-SK-0001",
    "STREAMSPEC_HUAWEI_PROJECT_ID": "p-ours",
    "STREAMSPEC_HUAWEI_SECURITY_TOKEN": "SECRET-TOKEN-0001",
}
HUAWEI_SDK = {
    "HUAWEICLOUD_SDK_AK": "SDKAK0000002",
    "HUAWEICLOUD_SDK_SK": "SECRET-SK-0002",
    "HUAWEICLOUD_SDK_PROJECT_ID": "p-sdk",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN": "SECRET-TOKEN-0002",
}
HUAWEI_SAMPLE = {"CLOUD_SDK_AK": "SAMPLEAK0003", "CLOUD_SDK_SK": "SECRET-SK-0003"}


def test_huawei_our_names() -> None:
    creds = HuaweiCredentials.from_env(HUAWEI_OURS)
    assert creds == HuaweiCredentials("OURSAK000001", "SECRET-SK-0001", "p-ours", "SECRET-TOKEN-0001")


def test_huawei_sdk_names() -> None:
    creds = HuaweiCredentials.from_env(HUAWEI_SDK)
    assert creds == HuaweiCredentials("SDKAK0000002", "SECRET-SK-0002", "p-sdk", "SECRET-TOKEN-0002")


def test_huawei_sample_names_take_the_project_from_elsewhere() -> None:
    creds = HuaweiCredentials.from_env({**HUAWEI_SAMPLE, "STREAMSPEC_HUAWEI_PROJECT_ID": "p1"})
    assert creds == HuaweiCredentials("SAMPLEAK0003", "SECRET-SK-0003", "p1", None)


def test_huawei_precedence() -> None:
    everything = {**HUAWEI_SAMPLE, **HUAWEI_SDK, **HUAWEI_OURS}
    assert HuaweiCredentials.from_env(everything).ak == "OURSAK000001"
    sdk_and_sample = {**HUAWEI_SAMPLE, **HUAWEI_SDK}
    assert HuaweiCredentials.from_env(sdk_and_sample).ak == "SDKAK0000002"
    # The project id is looked up on its own: ours first, then the SDK's.
    mixed = {**HUAWEI_SDK, "STREAMSPEC_HUAWEI_PROJECT_ID": "p-ours"}
    assert HuaweiCredentials.from_env(mixed).project_id == "p-ours"


def test_huawei_token_comes_from_the_same_family_as_the_keys() -> None:
    env = {**HUAWEI_SAMPLE, "HUAWEICLOUD_SDK_SECURITY_TOKEN": "SECRET-TOKEN-0002", "HUAWEICLOUD_SDK_PROJECT_ID": "p"}
    assert HuaweiCredentials.from_env(env).security_token is None


def test_huawei_from_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*HUAWEI_OURS, *HUAWEI_SDK, *HUAWEI_SAMPLE):
        monkeypatch.delenv(name, raising=False)
    for name, value in HUAWEI_SDK.items():
        monkeypatch.setenv(name, value)
    assert HuaweiCredentials.from_env().ak == "SDKAK0000002"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, ["STREAMSPEC_HUAWEI_AK", "HUAWEICLOUD_SDK_AK", "CLOUD_SDK_AK"]),
        ({"STREAMSPEC_HUAWEI_AK": "A", "HUAWEICLOUD_SDK_SK": "SECRET-SK-0002"}, ["STREAMSPEC_HUAWEI_SK"]),
        ({"STREAMSPEC_HUAWEI_SK": "SECRET-SK-0001"}, ["STREAMSPEC_HUAWEI_AK"]),
        (HUAWEI_SAMPLE, ["STREAMSPEC_HUAWEI_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"]),
        ({**HUAWEI_OURS, "STREAMSPEC_HUAWEI_AK": ""}, ["STREAMSPEC_HUAWEI_AK"]),
    ],
)
def test_huawei_missing_variables_are_named(env: dict[str, str], named: list[str]) -> None:
    with pytest.raises(CredentialsError) as info:
        HuaweiCredentials.from_env(env)
    for name in named:
        assert name in str(info.value)
    _assert_hidden(str(info.value))


def test_huawei_repr_hides_secrets() -> None:
    creds = HuaweiCredentials.from_env(HUAWEI_OURS)
    for text in (repr(creds), str(creds), repr(HuaweiAkSkAuth(creds)), f"{creds}"):
        _assert_hidden(text)
        assert "OURSAK000001" not in text
        assert "OURS***" in text
    assert "SECRET-TOKEN-0001" not in repr(HuaweiTokenAuth("SECRET-TOKEN-0001", "p1"))
    assert "SECRET-SK-0001" not in repr(HuaweiKey("SECRET-SK-0001", "p1"))
    verifier = HuaweiVerifier({"AK": HuaweiKey("SECRET-SK-0001", "p1")}, {"SECRET-TOKEN-0001": "p1"})
    _assert_hidden(repr(verifier))


def test_empty_credentials_are_rejected_without_echoing() -> None:
    with pytest.raises(CredentialsError) as info:
        HuaweiCredentials("AK", "", "p1")
    _assert_hidden(str(info.value))
    with pytest.raises(CredentialsError):
        VolcengineCredentials("", "SECRET-SK-0001")
    with pytest.raises(CredentialsError):
        HuaweiTokenAuth("")


# ---------------------------------------------------------------------------------------------------------------
# Volcengine
# ---------------------------------------------------------------------------------------------------------------

VOLC_OURS = {
    "STREAMSPEC_VOLC_AK": "AKLTours0001",
    "STREAMSPEC_VOLC_SK": "SECRET-SK-0001",
    "STREAMSPEC_VOLC_SESSION_TOKEN": "SECRET-TOKEN-0001",
}
VOLC_SDK = {
    "VOLC_ACCESSKEY": "AKLTsdk00002",
    "VOLC_SECRETKEY": "SECRET-SK-0002",
    "VOLC_SESSION_TOKEN": "SECRET-TOKEN-0002",
}
VOLC_SAMPLE = {"ACCESS_KEY_ID": "AKLTsample03", "ACCESS_KEY_SECRET": "SECRET-SK-0003"}


def test_volcengine_each_name_set() -> None:
    assert VolcengineCredentials.from_env(VOLC_OURS) == VolcengineCredentials(
        "AKLTours0001", "SECRET-SK-0001", "SECRET-TOKEN-0001"
    )
    assert VolcengineCredentials.from_env(VOLC_SDK) == VolcengineCredentials(
        "AKLTsdk00002", "SECRET-SK-0002", "SECRET-TOKEN-0002"
    )
    assert VolcengineCredentials.from_env(VOLC_SAMPLE, region="cn-east-1") == VolcengineCredentials(
        "AKLTsample03", "SECRET-SK-0003", None, "cn-east-1", "live"
    )


def test_volcengine_precedence() -> None:
    assert VolcengineCredentials.from_env({**VOLC_SAMPLE, **VOLC_SDK, **VOLC_OURS}).ak == "AKLTours0001"
    assert VolcengineCredentials.from_env({**VOLC_SAMPLE, **VOLC_SDK}).ak == "AKLTsdk00002"


def test_volcengine_missing_variables_are_named() -> None:
    with pytest.raises(CredentialsError) as info:
        VolcengineCredentials.from_env({})
    for name in ("STREAMSPEC_VOLC_AK", "VOLC_ACCESSKEY", "ACCESS_KEY_ID", "ACCESS_KEY_SECRET"):
        assert name in str(info.value)
    with pytest.raises(CredentialsError) as info:
        VolcengineCredentials.from_env({"VOLC_SECRETKEY": "SECRET-SK-0002"})
    assert "VOLC_ACCESSKEY" in str(info.value)
    _assert_hidden(str(info.value))


def test_volcengine_repr_hides_secrets() -> None:
    creds = VolcengineCredentials.from_env(VOLC_OURS)
    for text in (repr(creds), str(creds), repr(VolcengineV4Auth(creds))):
        _assert_hidden(text)
        assert "AKLTours0001" not in text
        assert "AKLT***" in text
    _assert_hidden(repr(VolcengineVerifier({"AK": "SECRET-SK-0001"})))


def test_mask() -> None:
    assert mask("ABCDEFGHIJ") == "ABCD***"
    assert mask("SHORT") == "***"
