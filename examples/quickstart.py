"""Show the generated code working: start the three emulators on loopback and call each API with its client.

Run after `python -m generator generate` (README's first command does both). Every request is signed the way
the vendor's SDK signs it and verified by the emulator; bad input comes back as the vendor's typed error.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generated"))  # generated packages are self-contained folders, imported by name

import huaweicloud_live  # noqa: E402
import huaweicloud_metastudio  # noqa: E402
import volcengine_live  # noqa: E402
from huaweicloud_live import HuaweiCredentials  # noqa: E402
from volcengine_live import VolcengineCredentials  # noqa: E402

from generator.emulator.app import create_emulator  # noqa: E402
from generator.emulator.credentials import DEFAULT_CREDENTIALS  # noqa: E402
from generator.emulator.serve import BackgroundServer  # noqa: E402
from generator.emulator.store import Store  # noqa: E402


def main() -> int:
    huawei_key, volc_key = DEFAULT_CREDENTIALS.huawei[0], DEFAULT_CREDENTIALS.volcengine[0]
    huawei = HuaweiCredentials(huawei_key.ak, huawei_key.sk, huawei_key.project_id)
    volc = VolcengineCredentials(volc_key.ak, volc_key.sk)
    store = Store()  # in memory; `python -m generator serve --db FILE` keeps state across restarts
    with (
        BackgroundServer(create_emulator("huaweicloud_metastudio", store)) as metastudio_server,
        BackgroundServer(create_emulator("huaweicloud_live", store)) as live_server,
        BackgroundServer(create_emulator("volcengine_live", store)) as volc_server,
    ):
        with huaweicloud_metastudio.Client(base_url=metastudio_server.base_url, credentials=huawei) as metastudio:
            metastudio.update_smart_live_user_config(
                {"live_exit_config": {"max_live_duration": 8, "auto_stop_mode": "SEGMENT_END"}}
            )
            config = metastudio.show_smart_live_user_config()
            print(f"MetaStudio  {metastudio_server.base_url}: live_exit_config = {config.live_exit_config}")

        with huaweicloud_live.Client(base_url=live_server.base_url, credentials=huawei) as live:
            created = live.create_record_callback_config(
                {
                    "publish_domain": "publish.example.com",
                    "app": "live",
                    "notify_callback_url": "https://mycallback.example.com/record_notify",
                }
            )
            listed = live.list_record_callback_configs(publish_domain="publish.example.com")
            print(f"Huawei Live {live_server.base_url}: created {created.id}; list total = {listed.total}")
            try:
                live.show_record_callback_config("no-such-id")
            except huaweicloud_live.NotFoundError as error:
                print(f"  unknown id -> {type(error).__name__}: {error}")

        with volcengine_live.Client(base_url=volc_server.base_url, credentials=volc) as volcengine:
            volcengine.update_callback(
                {
                    "Vhost": "push.example.com",
                    "App": "live",
                    "MessageType": "push",
                    "CallbackDetailList": [{"CallbackType": "http", "URL": "http://example.com/callback"}],
                }
            )
            described = volcengine.describe_callback({"Vhost": "push.example.com"})
            callbacks = described.result.callback_list if described.result else []
            print(f"Volcengine  {volc_server.base_url}: {len(callbacks)} callback(s) for push.example.com")
            try:
                volcengine.delete_callback({"Vhost": "push.example.com", "App": "other"})
            except volcengine_live.NotFoundError as error:
                print(f"  nothing to delete -> {type(error).__name__}: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
