"""The vendors' official Python SDKs, pointed at the emulators over loopback, run the seed pages' examples.

The examples are read from the seed pages and run as written, with only what a user would change: the endpoint
(`with_endpoints` / the host, over http), the project id, and credentials from the environment variables they
read. The Volcengine guide's bodies set Vhost and Domain together, which its own comments forbid; as in the spec
(`x-transcription-notes`), their `Domain` lines are dropped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import HUAWEI, VOLC, Served, huawei_client, live, metastudio, serving, volc_client

pytest.importorskip("huaweicloudsdkmetastudio")
pytest.importorskip("huaweicloudsdklive")
volc_config = pytest.importorskip("volcengine.live.v20230101.live_config")

pytestmark = pytest.mark.sdk

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
_NUMBERED = re.compile(r"^\s*\d+\s*$")


def examples(seed: str) -> list[str]:
    """The Python examples of a seed page: from `# coding` to the first line that is page text again."""
    path = next(SEEDS.glob(f"{seed}_*.txt"), None)
    if path is None:
        pytest.skip(f"seed page {seed} is not available under {SEEDS}")
    found: list[str] = []
    block: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# coding"):
            block = [line]
            continue
        if block is None:
            continue
        is_code = not line.strip() or line[0].isspace() or line.startswith(("#", "import ", "from ", "if "))
        if _NUMBERED.match(line) or not is_code:
            found.append("\n".join(block))
            block = None
        else:
            block.append(line)
    if block:
        found.append("\n".join(block))
    return found


def run_example(source: str) -> None:
    exec(compile(source, "<seed example>", "exec"), {"__name__": "__main__"})


@pytest.fixture
def sdk_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials where the examples read them; HOME elsewhere (the Huawei SDK writes ~/.huaweicloud, the
    Volcengine SDK would read ~/.volc and VOLC_* over the keys it is given)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUD_SDK_AK", HUAWEI.ak)
    monkeypatch.setenv("CLOUD_SDK_SK", HUAWEI.sk)
    monkeypatch.setenv("ACCESS_KEY_ID", VOLC.ak)
    monkeypatch.setenv("ACCESS_KEY_SECRET", VOLC.sk)
    for name in ("VOLC_ACCESSKEY", "VOLC_SECRETKEY", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def huawei_example(source: str, base_url: str) -> str:
    source = re.sub(r"\.with_region\(\w+\.value_of\(\"<YOUR REGION>\"\)\)", f".with_endpoints([{base_url!r}])", source)
    return source.replace('"{project_id}"', repr(HUAWEI.project_id))


@pytest.fixture
def metastudio_served() -> Iterator[Served]:
    with serving("huaweicloud_metastudio") as served:
        yield served


def test_metastudio_update_example(
    sdk_env: None, metastudio_served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    (example,) = examples("000")
    run_example(huawei_example(example, metastudio_served.base_url))
    printed = capsys.readouterr().out
    assert "X-Request-Id" in printed or "x_request_id" in printed, printed
    with huawei_client(metastudio, metastudio_served.base_url) as client:
        exit_config = client.show_smart_live_user_config().live_exit_config
    assert (exit_config.max_live_duration, exit_config.auto_stop_mode, exit_config.max_exception_waiting_duration) == (
        8,
        "SEGMENT_END",
        30,
    )


def test_metastudio_show_with_the_sdk(sdk_env: None, metastudio_served: Served) -> None:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkmetastudio.v1 import MetaStudioClient, ShowSmartLiveUserConfigRequest

    client = (
        MetaStudioClient.new_builder()
        .with_credentials(BasicCredentials(HUAWEI.ak, HUAWEI.sk, HUAWEI.project_id))
        .with_endpoints([metastudio_served.base_url])
        .build()
    )
    response = client.show_smart_live_user_config(ShowSmartLiveUserConfigRequest())
    assert response.live_exit_config.auto_stop_mode == "FORCE_EXIT"
    assert response.live_notify_config.notify_events == []


def test_live_create_example(sdk_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    (example,) = examples("002")
    with serving("huaweicloud_live") as served:
        run_example(huawei_example(example, served.base_url))
        printed = capsys.readouterr().out
        with huawei_client(live, served.base_url) as client:
            (created,) = client.list_record_callback_configs().callback_config
    assert (created.publish_domain, created.app, created.notify_callback_url) == (
        "publish.example.com",
        "**",
        "https://mycallback.com.cn/record_notify",
    )
    assert created.id in printed, printed


def test_volcengine_guide_examples(
    sdk_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    update, delete, describe = examples("004")
    service_info = volc_config.service_info_map["cn-north-1"]
    monkeypatch.setattr(service_info, "scheme", "http")
    monkeypatch.setattr(service_info, "host", service_info.host)  # restored afterwards: the SDK shares it
    for attribute in ("ak", "sk"):
        monkeypatch.setattr(service_info.credentials, attribute, getattr(service_info.credentials, attribute))
    with serving("volcengine_live", rate_limit=None) as served:
        host = served.base_url.removeprefix("http://")

        def adapted(source: str) -> str:
            lines = [line for line in source.splitlines() if 'body["Domain"]' not in line]
            return "\n".join(lines).replace('"your_host"', repr(host))

        run_example(adapted(update))
        with volc_client(served.base_url) as client:
            client.update_callback(  # what the delete example deletes
                {
                    "Vhost": "push.live.example.com",
                    "App": "live",
                    "MessageType": "push",
                    "CallbackDetailList": [{"CallbackType": "http", "URL": "http://example.com/callback"}],
                }
            )
            run_example(adapted(delete))
            run_example(adapted(describe))
            kept = client.describe_callback({"Vhost": "push.example.com"}).result.callback_list
            gone = client.describe_callback({"Vhost": "push.live.example.com"}).result.callback_list
    printed = [ast.literal_eval(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [p["ResponseMetadata"]["Action"] for p in printed] == [
        "UpdateCallback",
        "DeleteCallback",
        "DescribeCallback",
    ]
    assert printed[2]["Result"] == {"CallbackList": []}  # the guide describes App "Live"; it created "example_app"
    assert [(i.app, i.auth_key_primary) for i in kept] == [
        ("example_app", "1622194197-0-0-5552*****e4e20387c6dc18afce****")
    ]
    assert gone == []
