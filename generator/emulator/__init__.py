"""Local stand-ins for the vendor APIs (as moto and LocalStack are for AWS), built on the generated servers.

Each emulator implements the `Handlers` Protocol of one generated package with the vendor's documented
behaviour, keeps its state in SQLite (`store.py`), authenticates with local credentials (`credentials.py`),
delivers signed webhooks (`webhooks.py`) and is served by `python -m generator serve` (`serve.py`).

Quick start — in one shell:

    $ python -m generator serve          # MetaStudio :8700, Huawei Live :8701, Volcengine Live :8702
                                         # (--port, --db FILE or :memory:, or name some emulators)

then, with the generated client (its package folder is self-contained; here it is imported from generated/):

    import sys; sys.path.insert(0, "generated")
    import huaweicloud_live
    from huaweicloud_live import HuaweiCredentials

    credentials = HuaweiCredentials(
        "STREAMSPECLOCALAK000", "streamspec-local-secret-key-0000000000", "0000000000000000000000000000local"
    )
    with huaweicloud_live.Client(base_url="http://127.0.0.1:8701", credentials=credentials) as client:
        created = client.create_record_callback_config({"publish_domain": "publish.example.com", "app": "live"})
        print(client.list_record_callback_configs().total)

or with the vendors' official SDKs, pointed at the emulator:

    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdklive.v1 import ListRecordCallbackConfigsRequest, LiveClient

    client = (
        LiveClient.new_builder()
        .with_credentials(BasicCredentials(
            "STREAMSPECLOCALAK000", "streamspec-local-secret-key-0000000000", "0000000000000000000000000000local"
        ))
        .with_endpoints(["http://127.0.0.1:8701"])
        .build()
    )
    print(client.list_record_callback_configs(ListRecordCallbackConfigsRequest()))

    from volcengine.live.v20230101.live_service import LiveService  # reads VOLC_ACCESSKEY/~/.volc over these keys

    service = LiveService("127.0.0.1:8702", "AKLTstreamspeclocal000", "streamspec-local-volc-secret-key-000")
    service.set_scheme("http")
    print(service.describe_callback({"Vhost": "push.example.com"}))

Webhooks are triggered outside the vendor API: `POST /_emulator/webhooks/trigger` with `{"callback": "<id>"}`
(see `app.py`), and the delivery log is at `GET /_emulator/webhooks/deliveries`; both take the vendor API's
credentials and act as their tenant.

Generated packages are self-contained folders meant to be copied into other projects, so they are imported as
top-level packages with the repository's `generated/` folder on `sys.path` (as the test suite does): one
import path means one set of model and error classes, which the generated servers check with `isinstance`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["GENERATED_DIR", "NAMES", "load_generated"]

GENERATED_DIR = Path(__file__).resolve().parents[2] / "generated"
NAMES = ("huaweicloud_metastudio", "huaweicloud_live", "volcengine_live")
"""The emulators, by generated package name."""


def load_generated(name: str) -> ModuleType:
    """The generated module `name` (e.g. `volcengine_live.models`), its package's `server` imported too."""
    folder = str(GENERATED_DIR)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    importlib.import_module(f"{name.partition('.')[0]}.server")
    return importlib.import_module(name)
