"""Volcengine's official SDK (`volcengine`) read for `sdk-drift`.

Each service version module of the SDK has a `<service>_config` module whose `api_info` gives every RPC action's
HTTP method, path and fixed query (`Action`, `Version`). Its methods take parameters as dictionaries, so it says
nothing of bodies or fields: only methods, paths and versions are compared.
"""

from __future__ import annotations

import importlib

from generator.sdk_drift import SdkApi, SdkOperation, SdkParameter


def read_sdk(module: str) -> SdkApi:
    """The actions of SDK module `module`, e.g. `volcengine.live.v20230101`."""
    service = module.split(".")[1]
    config = importlib.import_module(f"{module}.{service}_config")
    operations = {}
    for action, info in sorted(config.api_info.items()):
        fixed = tuple(SdkParameter(name, "query") for name in info.query)
        operations[action] = SdkOperation(action, info.method, info.path, info.query.get("Version"), fixed)
    return SdkApi(module.split(".")[0], operations, frozenset({"method", "path", "version"}))
