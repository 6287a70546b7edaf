"""Webhook delivery: sign a sample event as the vendor signs it, POST it with the vendor's retries, log every try.

Signing uses the shared signers of `generator/runtime/webhooks.py`, so whatever a generated receiver (or the
vendor's documented check) accepts from the real service it accepts from the emulator:

- Huawei Live record callbacks: `auth_timestamp`/`auth_sign` in the JSON body, MD5 or HMACSHA256 by `sign_type`,
  only when the configuration has a `key`.
- MetaStudio live events: `MSS_A` appends `hwSecret`/`hwTime` to the URL's query, `MSS_A_HEAD` sends
  `x-hw-mss-secret`/`x-hw-mss-time`; `NONE` (and the undocumented `MEITUAN_DEFAULT`) send the event unsigned.
- Volcengine: `sign`/`t` in the JSON body when `AuthEnable` is true, else `""` and 0.

Retries (`RetryPolicy`): a try succeeds only on HTTP 200. Volcengine documents its schedule (no answer within 4 s
or a non-200 is a failure; 3 immediate retries 3 s apart; then queued retries until 10 minutes after the first
try — the queue's interval is not documented, we use 60 s). Huawei documents none for either API, so they get a
single try. `time_scale` shrinks every delay (not the timeout) so tests can exercise the schedule in
milliseconds.

The log lives in SQLite next to the state: one entry per (event, URL) with the request sent and every attempt.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from generator.profiles.huawei.runtime.live_record import LiveSignType, sign_live_record_callback
from generator.profiles.huawei.runtime.mss import mss_a_head_headers, mss_a_url
from generator.profiles.volcengine.runtime.webhooks import sign_volc_callback

from .store import Document, Store

__all__ = [
    "SINGLE_TRY",
    "VOLCENGINE_RETRY",
    "Deliverer",
    "Outgoing",
    "RetryPolicy",
    "TriggerRequest",
    "WebhookError",
    "WebhookSource",
    "huawei_live_message",
    "metastudio_message",
    "volcengine_message",
]


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again: `delays` between the first tries, then every `queue_interval` until `give_up_after`."""

    timeout: float
    delays: tuple[float, ...] = ()
    queue_interval: float | None = None
    give_up_after: float | None = None


VOLCENGINE_RETRY = RetryPolicy(timeout=4.0, delays=(3.0, 3.0, 3.0), queue_interval=60.0, give_up_after=600.0)
SINGLE_TRY = RetryPolicy(timeout=5.0)


class WebhookError(Exception):
    """A trigger the emulator cannot act on (unknown callback, nothing configured): answered with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class TriggerRequest:
    """What the admin API was asked: which tenant's callback, which event, and fields to put in the sample."""

    tenant: str | None
    callback: object
    event_type: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outgoing:
    """One signed callback request, ready to send (and to log)."""

    source: str
    event_type: str
    url: str
    payload: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookSource(Protocol):
    """An emulator that can send sample events for its configured callbacks."""

    service: str
    retry: RetryPolicy

    def webhook_messages(self, request: TriggerRequest) -> tuple[str, list[Outgoing]]:
        """The tenant the callback belongs to and the signed messages to deliver (raise `WebhookError`)."""
        ...

    def tenant_of(self, principal: object) -> str:
        """The tenant a verified request acts as."""
        ...


def huawei_live_message(
    source: str, url: str, payload: Mapping[str, Any], key: str | None, sign_type: LiveSignType
) -> Outgoing:
    """A Huawei Live record notification, signed in the body when the configuration has a key."""
    signed = sign_live_record_callback(payload, key, sign_type) if key else dict(payload)
    return Outgoing(source, str(payload["event_type"]), url, signed)


def metastudio_message(source: str, url: str, payload: Mapping[str, Any], auth_type: str, key: str) -> Outgoing:
    """A MetaStudio live event; the signature covers the configured URL, so it is computed before appending."""
    event_type = str(payload["event_type"])
    if auth_type == "MSS_A":
        return Outgoing(source, event_type, mss_a_url(key, url), payload)
    if auth_type == "MSS_A_HEAD":
        return Outgoing(source, event_type, url, payload, mss_a_head_headers(key, url))
    return Outgoing(source, event_type, url, payload)


def volcengine_message(source: str, url: str, payload: Mapping[str, Any], auth_key: str | None) -> Outgoing:
    """A flat Volcengine callback message with `sign`/`t` (empty and 0 when auth is disabled)."""
    return Outgoing(source, str(payload["event_type"]), url, sign_volc_callback(payload, auth_key))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Deliverer:
    """Sends messages with a retry policy, keeps the log, and owns the background retries."""

    def __init__(
        self,
        store: Store,
        service: str,
        retry: RetryPolicy,
        *,
        time_scale: float = 1.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.store = store
        self.service = service
        self.retry = retry
        self.time_scale = time_scale
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self._transport, follow_redirects=False, trust_env=False)
        return self._client

    async def deliver(self, tenant: str, messages: list[Outgoing], *, wait: bool = True) -> list[Document]:
        """Log and send each message; with `wait`, return once each is delivered or out of immediate retries."""
        settled: list[asyncio.Event] = []
        ids: list[int] = []
        for message in messages:
            entry: Document = {
                "service": self.service,
                "tenant": tenant,
                "source": message.source,
                "event_type": message.event_type,
                "url": message.url,
                "request": {"headers": dict(message.headers), "body": dict(message.payload)},
                "state": "pending",
                "attempts": [],
                "created": _now(),
            }
            entry["id"] = self.store.add_delivery(self.service, tenant, entry)
            event = asyncio.Event()
            task = asyncio.create_task(self._run(entry, message, event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            settled.append(event)
            ids.append(int(entry["id"]))
        if wait:
            await asyncio.gather(*(event.wait() for event in settled))
        return [self.store.delivery(i) or {"id": i} for i in ids]

    async def _run(self, entry: Document, message: Outgoing, settled: asyncio.Event) -> None:
        policy = self.retry
        started = time.monotonic()
        delays = iter(policy.delays)
        try:
            while True:
                entry["attempts"].append(await self._attempt(message, policy.timeout))
                if entry["attempts"][-1]["status"] == 200:
                    entry["state"] = "delivered"
                    break
                delay = next(delays, None)
                if delay is None and policy.queue_interval is not None and policy.give_up_after is not None:
                    elapsed = (time.monotonic() - started) / self.time_scale
                    if elapsed + policy.queue_interval <= policy.give_up_after:
                        delay = policy.queue_interval
                        entry["state"] = "queued"
                        settled.set()
                if delay is None:
                    entry["state"] = "failed"
                    break
                self._save(entry)
                await asyncio.sleep(delay * self.time_scale)
        finally:
            if entry["state"] in ("pending", "queued"):
                entry["state"] = "abandoned"  # shut down before the schedule ended
            self._save(entry)
            settled.set()

    def _save(self, entry: Document) -> None:
        self.store.update_delivery(int(entry["id"]), {**entry, "updated": _now()})

    async def _attempt(self, message: Outgoing, timeout: float) -> Document:
        began, at = time.perf_counter(), _now()
        headers = {"Content-Type": "application/json", "User-Agent": "streamspec-emulator", **message.headers}
        try:
            response = await self._http().post(message.url, content=message.body(), headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            outcome: Document = {"status": None, "error": f"{type(exc).__name__}: {exc}".rstrip(": ")}
        else:
            outcome = {"status": response.status_code, "error": None}
        return {"at": at, **outcome, "elapsed_ms": round((time.perf_counter() - began) * 1000, 1)}

    async def aclose(self) -> None:
        """Stop background retries (their log entries say `abandoned`) and close the HTTP client."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
