"""Per-call client overhead: the generated clients against the vendors' official SDKs, no network on either side.

    .venv/bin/python bench/client_overhead.py [--rounds 15] [--calls 200]

One call is everything a caller pays for apart from the network: build the request from the caller's arguments,
validate it, sign it, send it through the HTTP library's pipeline to a transport that answers at once with a
canned response, and parse the answer into the SDK's result type. The two pairs:

- Huawei Live `CreateRecordCallbackConfig`: `huaweicloudsdklive` (`LiveClient`, AK/SK signing, `requests` with a
  canned adapter mounted on its session) against `huaweicloud_live.Client` (a canned httpx transport).
- Volcengine Live `UpdateCallback`: `volcengine` (`live.v20230101.LiveService`, HMAC-SHA256 V4, `requests` with a
  canned adapter) against `volcengine_live.Client` (a canned httpx transport).

Both sides keep their defaults: our clients validate arguments and responses, sign every request and are ready to
retry; the SDKs do what they do. The four variants run interleaved, round after round, in this one process, so
that load from other jobs on the machine falls on all of them alike; each round times `--calls` calls of each
(after a warm-up) and the ratio is taken within the round. The table gives medians over the rounds and their
spread (min–max), wall time and this process's CPU time per call.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generated"))

TARGET = 0.35
AK, SK, PROJECT = "HWBENCHAK00000000000", "HWBENCHSK000000000000000000000000000000", "0123456789abcdef0123456789abcdef"
VOLC_AK, VOLC_SK = "AKLTbench000000000000000", "VOLCBENCHSK0000000000000000000000000000000=="
HUAWEI_URL = "https://live.cn-north-4.myhuaweicloud.com"
VOLC_HOST = "live.volcengineapi.com"

HUAWEI_BODY = {
    "publish_domain": "publish.example.com",
    "app": "live",
    "notify_callback_url": "https://callback.example.com/record",
    "notify_event_subscription": ["RECORD_FILE_COMPLETE", "RECORD_NEW_FILE_START"],
    "sign_type": "HMACSHA256",
    "key": "0123456789abcdef0123456789abcdef",
}
HUAWEI_ANSWER = json.dumps(
    {
        "id": "7f4c2a0d9b3e4e2c8a1f6d5b4c3a2b1e",
        **{k: v for k, v in HUAWEI_BODY.items() if k != "key"},
        "create_time": "2024-01-01T00:00:00Z",
        "update_time": "2024-01-01T00:00:00Z",
    }
).encode()
HUAWEI_HEADERS = {"Content-Type": "application/json;charset=UTF-8", "X-Request-Id": "a1b2c3d4e5f60718293a4b5c6d7e8f90"}

VOLC_BODY = {
    "Vhost": "push.example.com",
    "App": "live",
    "MessageType": "push",
    "CallbackDetailList": [{"CallbackType": "http", "URL": "http://callback.example.com/push"}],
    "AuthEnable": False,
}
VOLC_ANSWER = json.dumps(
    {
        "ResponseMetadata": {
            "RequestId": "20240101000000010203040506070809",
            "Action": "UpdateCallback",
            "Version": "2023-01-01",
            "Service": "live",
            "Region": "cn-north-1",
        },
        "Result": {},
    }
).encode()
VOLC_HEADERS = {"Content-Type": "application/json; charset=utf-8", "X-Tt-Logid": "20240101000000010203040506070809"}


# --------------------------------------------------------------------------------------------- canned transports


def requests_adapter(status: int, headers: dict[str, str], body: bytes) -> Any:
    """A `requests` adapter answering every request with one canned response, as `HTTPAdapter.build_response`
    would build it from the wire."""
    from requests.adapters import BaseAdapter
    from requests.models import Response
    from requests.structures import CaseInsensitiveDict
    from requests.utils import get_encoding_from_headers

    class Canned(BaseAdapter):  # type: ignore[misc]
        def send(self, request: Any, **kwargs: Any) -> Response:
            response = Response()
            response.status_code = status
            response.headers = CaseInsensitiveDict(headers)
            response.encoding = get_encoding_from_headers(response.headers)
            response.raw = io.BytesIO(body)
            response.reason = "OK"
            response.url = request.url
            response.request = request
            response.connection = self
            response._content = body
            return response

        def close(self) -> None:
            pass

    return Canned()


class CannedTransport(httpx.BaseTransport):
    """An httpx transport answering every request with one canned response, as `HTTPTransport.handle_request`
    builds it from the wire: the headers received and the body as a stream, for the client to read (a response
    made with `content=` instead is read at once, and gets content headers computed that no transport adds)."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, list(headers.items()), body

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, headers=self.headers, stream=httpx.ByteStream(self.body), request=request)


# --------------------------------------------------------------------------------------------- the four callers


def huawei_sdk() -> Callable[[], object]:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdklive.v1 import CreateRecordCallbackConfigRequest, LiveClient, RecordCallbackConfigRequest

    client = (
        LiveClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([HUAWEI_URL])
        .build()
    )
    session = client.get_http_client()._session
    adapter = requests_adapter(201, HUAWEI_HEADERS, HUAWEI_ANSWER)
    session.mount("https://", adapter)
    session.mount("http://", adapter)

    def call() -> object:
        body = RecordCallbackConfigRequest(**HUAWEI_BODY)
        return client.create_record_callback_config(CreateRecordCallbackConfigRequest(body=body))

    return call


def huawei_ours() -> Callable[[], object]:
    import huaweicloud_live

    client = huaweicloud_live.Client(
        base_url=HUAWEI_URL,
        credentials=huaweicloud_live.HuaweiCredentials(AK, SK, PROJECT),
        transport=CannedTransport(201, HUAWEI_HEADERS, HUAWEI_ANSWER),
    )

    def call() -> object:
        return client.create_record_callback_config(HUAWEI_BODY)

    return call


def volc_sdk() -> Callable[[], object]:
    from volcengine.live.v20230101.live_service import LiveService

    service = LiveService(VOLC_HOST, VOLC_AK, VOLC_SK)
    adapter = requests_adapter(200, VOLC_HEADERS, VOLC_ANSWER)
    service.session.mount("https://", adapter)
    service.session.mount("http://", adapter)

    def call() -> object:
        return service.update_callback(VOLC_BODY)

    return call


def volc_ours() -> Callable[[], object]:
    import volcengine_live

    client = volcengine_live.Client(
        credentials=volcengine_live.VolcengineCredentials(VOLC_AK, VOLC_SK),
        transport=CannedTransport(200, VOLC_HEADERS, VOLC_ANSWER),
    )

    def call() -> object:
        return client.update_callback(VOLC_BODY)

    return call


# --------------------------------------------------------------------------------------------- timing


def timed(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """Wall and CPU microseconds per call over `calls` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        call()
    return (time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6


def spread(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200, help="calls per variant and round (default 200)")
    parser.add_argument("--profile", choices=["huawei", "volc"], help="profile our client's call instead")
    parser.add_argument("--sort", default="cumulative", help="with --profile: pstats sort key (default cumulative)")
    args = parser.parse_args()

    # The Volcengine SDK reads VOLC_ACCESSKEY/~/.volc over the keys it is given; the Huawei SDK writes ~/.huaweicloud.
    os.environ["HOME"] = tempfile.mkdtemp(prefix="client-bench-")
    for name in ("VOLC_ACCESSKEY", "VOLC_SECRETKEY", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)

    pairs = {
        "Huawei Live CreateRecordCallbackConfig": (huawei_sdk(), huawei_ours()),
        "Volcengine Live UpdateCallback": (volc_sdk(), volc_ours()),
    }
    if args.profile:
        import cProfile
        import pstats

        ours = pairs[
            "Huawei Live CreateRecordCallbackConfig" if args.profile == "huawei" else "Volcengine Live UpdateCallback"
        ][1]
        timed(ours, 200)
        profiler = cProfile.Profile()
        profiler.enable()
        timed(ours, 2000)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
        return 0

    for sdk, ours in pairs.values():  # warm-up: imports, caches, first-call costs
        timed(sdk, 100)
        timed(ours, 100)
    results: dict[str, dict[str, list[float]]] = {
        name: {"sdk": [], "ours": [], "sdk_cpu": [], "ours_cpu": [], "ratio": [], "ratio_cpu": []} for name in pairs
    }
    for round_ in range(args.rounds):
        for name, (sdk, ours) in pairs.items():
            order = [("sdk", sdk), ("ours", ours)] if round_ % 2 == 0 else [("ours", ours), ("sdk", sdk)]
            for kind, call in order:
                wall, cpu = timed(call, args.calls)
                results[name][kind].append(wall)
                results[name][f"{kind}_cpu"].append(cpu)
            r = results[name]
            r["ratio"].append(r["ours"][-1] / r["sdk"][-1])
            r["ratio_cpu"].append(r["ours_cpu"][-1] / r["sdk_cpu"][-1])

    print(
        f"Per-call client overhead, {args.rounds} interleaved rounds of {args.calls} calls per variant, canned "
        f"transports, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; medians (min–max):"
    )
    print("| call | official SDK µs/call | ours µs/call | ratio (wall) | ratio (CPU) | target |")
    print("|---|---|---|---|---|---|")
    met = True
    for name, r in results.items():
        ratio = statistics.median(r["ratio"])
        met = met and ratio <= TARGET
        print(
            f"| {name} | {spread(r['sdk'])} | {spread(r['ours'])} | {spread(r['ratio'], 2)} | "
            f"{spread(r['ratio_cpu'], 2)} | ≤ {TARGET} |"
        )
    print(f"Target ≤{TARGET}x of the official SDKs' per-call time: {'met' if met else 'NOT met'}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
