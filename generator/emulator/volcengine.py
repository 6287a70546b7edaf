"""Volcengine Live callback configurations (`volcengine_live`), per account, keyed by scope, App and MessageType.

Behaviour, and the choices where the vendor is silent:

- A configuration is keyed by (Vhost or Domain, App, MessageType); App absent means "all applications" and is
  a key of its own. UpdateCallback creates or replaces the whole configuration (CallbackDetailList included);
  the creation time of a replaced configuration is kept.
- DescribeCallback filters by the scope, then App (absent = all applications) and MessageType (absent = all
  types); nothing matching is an empty CallbackList (200). `AuthKeyPrimary` is returned in clear ("" when none),
  `CreateTime` in China Standard Time with an RFC 3339 offset (+08:00; the doc's own example writes "+8:00",
  which no parser accepts), `CreateTimeUTC` in UTC. The emulator has no domain registry, so a configuration made
  by Domain reports that domain as its Vhost (and as Domain), and no Vhost is ever "not found".
- DeleteCallback matches fields "as used when the configuration was created": the scope, App exactly (absent
  matches only configurations made without App) and MessageType (absent = every type). Deleting nothing answers
  404 ResourceNotFound — the documented code for a missing resource — rather than a silent success, so a typo in
  a key is visible; the state is the same either way, so the operation stays idempotent.
- Callback URLs must be http:// or https:// (400 InvalidParam.Format, as the spec describes); the generated
  server already answers the schema's errors (InvalidParam.Empty, InvalidParam.OutOfRange,
  InvalidParam.DomainAndApp, ...).
- Rate limit: 10 requests per second per access key and per API (each API page documents its own limit), over a
  sliding one-second window; an excess request is answered as the vendor answers it — HTTP 429, Code
  FlowLimitExceeded in the ResponseMetadata envelope, no CodeN (none is documented) and no Retry-After. Rejected
  requests do not count. Only requests that reach the handler (authenticated, valid) are counted. The window is
  kept in the database, so several `serve --workers` processes enforce one limit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from generator.runtime.verify import Principal

from .credentials import DEFAULT_CREDENTIALS, LocalCredentials, Tenancy
from .store import Document, Store
from .webhooks import VOLCENGINE_RETRY, Outgoing, TriggerRequest, WebhookError, volcengine_message

if TYPE_CHECKING:
    from generated.volcengine_live import models
    from generated.volcengine_live._runtime.model import dump
    from generated.volcengine_live._runtime.server import Reply, RequestContext, ServiceError
    from generated.volcengine_live._runtime.volcengine.envelope import response_metadata
else:
    from . import load_generated

    models = load_generated("volcengine_live.models")
    dump = load_generated("volcengine_live._runtime.model").dump
    ServiceError = load_generated("volcengine_live._runtime.server").ServiceError
    response_metadata = load_generated("volcengine_live._runtime.volcengine.envelope").response_metadata

__all__ = ["DEFAULT_RATE_LIMIT", "EVENT_TYPES", "SERVICE", "RateLimiter", "VolcengineEmulator"]

SERVICE = "volcengine_live"
DEFAULT_RATE_LIMIT = 10
EVENT_TYPES = {
    "push": "push_start",
    "push_end": "push_end",
    "snapshot": "snapshot",
    "record": "record",
    "audit_snapshot": "audit_snapshot",
}
"""The `event_type` of a sample message per MessageType: `push_start` is documented, the others are guesses."""

_CST = timezone(timedelta(hours=8))

Body = models.UpdateCallbackBody | models.DescribeCallbackBody | models.DeleteCallbackBody


class RateLimiter:
    """At most `limit` admitted calls per key in any `period` seconds (a sliding window; refusals are free).

    The window lives in the store, so processes serving the same database (`serve --workers`) share the limit.
    """

    def __init__(self, store: Store, limit: int, period: float = 1.0, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.limit = limit
        self.period = period
        self.clock = clock

    def admit(self, key: str) -> bool:
        return self.store.admit(f"{SERVICE}:{key}", self.limit, self.period, self.clock())


def _scope(body: Body) -> dict[str, str]:
    """The document fields naming the Vhost or Domain (the generated server guarantees exactly one)."""
    sent = dump(body)
    return {"kind": "vhost", "scope": sent["Vhost"]} if "Vhost" in sent else {"kind": "domain", "scope": sent["Domain"]}


def _listed(doc: Document) -> Document:
    item = {k: v for k, v in doc.items() if k not in ("kind", "scope")}
    item["Vhost"] = doc["scope"]
    if doc["kind"] == "domain":
        item["Domain"] = doc["scope"]
    return item


class VolcengineEmulator(Tenancy):
    """The `Handlers` of generated/volcengine_live backed by a `Store`."""

    service = SERVICE
    retry = VOLCENGINE_RETRY

    def __init__(
        self,
        store: Store,
        credentials: LocalCredentials = DEFAULT_CREDENTIALS,
        *,
        rate_limit: int | None = DEFAULT_RATE_LIMIT,
    ) -> None:
        super().__init__(store, credentials)
        store.index("scope")
        self.limiter = None if rate_limit is None else RateLimiter(store, rate_limit)

    def tenant_of(self, principal: object) -> str:
        """The account that owns the credentials (the default account for a request no verifier checked)."""
        return self.credentials.volcengine_account(principal)

    def _tenant(self, ctx: RequestContext) -> str:
        """The caller's account, after charging the call to its access key's rate limit."""
        account = self.tenant_of(ctx.principal)
        principal = ctx.principal
        caller = principal.access_key if isinstance(principal, Principal) and principal.access_key else account
        if self.limiter is not None and not self.limiter.admit(f"{caller}:{ctx.operation_id}"):
            raise ServiceError(
                429, "FlowLimitExceeded", f"flow limit exceeded: at most {self.limiter.limit} requests per second"
            )
        return account

    async def update_callback(
        self, ctx: RequestContext, params: models.UpdateCallbackParams, body: models.UpdateCallbackBody
    ) -> models.UpdateCallbackRes | Reply:
        tenant = self._tenant(ctx)
        for detail in body.callback_detail_list:
            if not detail.url.startswith(("http://", "https://")):
                raise ServiceError(400, "InvalidParam.Format", f"URL format error: {detail.url}")
        key = {**_scope(body), "App": dump(body).get("App", ""), "MessageType": body.message_type}
        id = json.dumps(list(key.values()))
        now = datetime.now(UTC).replace(microsecond=0)
        with self.store.transaction():
            created = self.store.get(SERVICE, tenant, id) or {
                "CreateTime": now.astimezone(_CST).isoformat(),
                "CreateTimeUTC": now.isoformat().replace("+00:00", "Z"),
            }
            doc = {
                **key,
                "TranscodeCallback": body.transcode_callback,
                "AuthEnable": body.auth_enable,
                "AuthKeyPrimary": dump(body).get("AuthKeyPrimary", ""),
                "CreateTime": created["CreateTime"],
                "CreateTimeUTC": created["CreateTimeUTC"],
                "CallbackDetailList": [dump(detail) for detail in body.callback_detail_list],
            }
            self.store.put(SERVICE, tenant, id, doc)
        return models.UpdateCallbackRes.model_validate({"ResponseMetadata": response_metadata(ctx)})

    async def describe_callback(
        self, ctx: RequestContext, params: models.DescribeCallbackParams, body: models.DescribeCallbackBody
    ) -> models.DescribeCallbackRes | Reply:
        tenant = self._tenant(ctx)
        page = self.store.find(SERVICE, tenant, self._filter(body))
        return models.DescribeCallbackRes.model_validate(
            {
                "ResponseMetadata": response_metadata(ctx),
                "Result": {"CallbackList": [_listed(doc) for doc in page.items]},
            }
        )

    async def delete_callback(
        self, ctx: RequestContext, params: models.DeleteCallbackParams, body: models.DeleteCallbackBody
    ) -> models.DeleteCallbackRes | Reply:
        tenant = self._tenant(ctx)
        where = {**self._filter(body), "App": dump(body).get("App", "")}
        if not self.store.delete_where(SERVICE, tenant, where):
            raise ServiceError(404, "ResourceNotFound", "no callback configuration matches the request")
        return models.DeleteCallbackRes.model_validate({"ResponseMetadata": response_metadata(ctx)})

    @staticmethod
    def _filter(body: models.DescribeCallbackBody | models.DeleteCallbackBody) -> dict[str, Any]:
        sent = dump(body)
        return {**_scope(body), **{k: sent[k] for k in ("App", "MessageType") if k in sent}}

    def webhook_messages(self, request: TriggerRequest) -> tuple[str, list[Outgoing]]:
        """A sample message to every URL of one configuration; `callback` names it like an UpdateCallback body
        (Vhost or Domain, App, MessageType)."""
        try:
            selector = models.DescribeCallbackBody.model_validate(request.callback)
        except ValueError as exc:
            raise WebhookError(400, f"callback must name one configuration: {exc}") from None
        tenant = request.tenant or self.credentials.default_account
        where = {**self._filter(selector), "App": dump(selector).get("App", "")}
        matches = self.store.find(SERVICE, tenant, where).items
        if len(matches) != 1:
            raise WebhookError(404 if not matches else 400, f"{len(matches)} configurations match {request.callback}")
        doc = matches[0]
        now = int(time.time())
        payload = {
            "vhost": doc["scope"],
            "domain": doc["scope"],
            "app": doc["App"] or "live",
            "stream": "streamspec-sample",
            "event_type": request.event_type or EVENT_TYPES[doc["MessageType"]],
            "priority": 0,
            "backup_count": "0",
            "time": now,
            "time_ms": now * 1000,
            "transcoded": False,
            "fp_node_ip": "127.0.0.1",
            "fp_client_ip": "127.0.0.1",
            "fp_user_url": "",
            "session_id": f"streamspec-{now}",
            "sequence_id": f"streamspec-{now}-1",
            **request.fields,
        }
        key = doc["AuthKeyPrimary"] if doc["AuthEnable"] else None
        source = f"{doc['scope']}/{doc['App']}/{doc['MessageType']}"
        messages = [volcengine_message(source, d["URL"], payload, key) for d in doc["CallbackDetailList"]]
        for message in messages:
            models.VolcengineCallbackFlat.model_validate(message.payload)
        return tenant, messages
