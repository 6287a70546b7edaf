"""Huawei Live recording-callback configurations (`huaweicloud_live`): CRUD by id within a project.

Behaviour, and the choices where the vendor is silent:

- Create answers 201 with a server-made `id` (32 hex characters, like the vendor's samples) and `create_time` =
  `update_time` (UTC, `yyyy-mm-ddThh:mm:ssZ`). Omitted optional fields take their documented defaults
  (`notify_event_subscription` [RECORD_FILE_COMPLETE], `sign_type` HMACSHA256).
- `key` is write-only: stored for signing notifications, never returned.
- Duplicates: the vendor does not document a second configuration for the same `publish_domain` and `app`, and
  recording matches exactly one configuration per domain/app, so a create (or an update onto another
  configuration's domain/app) is rejected with the spec's 400, LIVE.100011001 "Request Illegal".
- Update replaces the configuration (the spec: omitted optional fields take their defaults, so an omitted `key`
  removes the key); `id` and `create_time` are kept.
- List filters by exact `publish_domain` and `app`, in creation order, paged by `offset`/`limit`; `total` counts
  every match, not the page.
- Unknown ids answer 404. The spec documents no code for it (`x-error-codes: []`); the emulator uses APIG.0201,
  the code the generated server already answers a malformed `id` on Show with, so one route never answers 404
  with two codes. Delete answers 204 without a body.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .credentials import DEFAULT_CREDENTIALS, HuaweiTenancy, LocalCredentials, huawei_tenant
from .store import Document, Store
from .webhooks import SINGLE_TRY, Outgoing, TriggerRequest, WebhookError, huawei_live_message

if TYPE_CHECKING:
    from generated.huaweicloud_live import models
    from generated.huaweicloud_live._runtime.model import dump
    from generated.huaweicloud_live._runtime.server import Reply, RequestContext, ServiceError
else:
    from . import load_generated

    models = load_generated("huaweicloud_live.models")
    dump = load_generated("huaweicloud_live._runtime.model").dump
    ServiceError = load_generated("huaweicloud_live._runtime.server").ServiceError

__all__ = ["BAD_REQUEST_CODE", "NOT_FOUND_CODE", "SERVICE", "LiveEmulator"]

SERVICE = "huaweicloud_live"
BAD_REQUEST_CODE = "LIVE.100011001"
NOT_FOUND_CODE = "APIG.0201"
_HIDDEN = frozenset({"key"})


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _public(doc: Document) -> models.RecordCallbackConfig:
    """The response model of a stored document. Not validated again: every stored field passed the request
    model or was made here, and revalidating whole pages was the largest cost of a list request."""
    return models.RecordCallbackConfig.model_construct(**{k: v for k, v in doc.items() if k not in _HIDDEN})


def _sample_notification(tenant: str, doc: Document, event_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A notification with every field the event carries (RECORD_FILE_COMPLETE: the file's details)."""
    app = "live" if doc["app"].strip("*") == "" else doc["app"]
    payload: dict[str, Any] = {
        "project_id": tenant,
        "task_id": "streamspec-sample-task",
        "event_type": event_type,
        "publish_domain": doc["publish_domain"],
        "app": app,
        "stream": "streamspec-sample",
        "record_format": "MP4",
    }
    if event_type in ("RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE"):
        payload["job_id"] = "streamspec-sample-job"
    if event_type == "RECORD_FILE_COMPLETE":
        obs_object = f"record/{app}/streamspec-sample.mp4"
        payload |= {
            "download_url": f"https://streamspec-sample.obs.cn-north-4.myhuaweicloud.com/{obs_object}",
            "asset_id": "streamspec-sample-asset",
            "file_size": 1048576,
            "record_duration": 60,
            "start_time": "2024-01-01T00:00:00Z",
            "end_time": "2024-01-01T00:01:00Z",
            "width": 1280,
            "height": 720,
            "obs_location": "cn-north-4",
            "obs_bucket": "streamspec-sample",
            "obs_object": obs_object,
        }
    if event_type == "RECORD_FAILED":
        payload["error_message"] = "streamspec sample failure"
    return payload | fields


class LiveEmulator(HuaweiTenancy):
    """The `Handlers` of generated/huaweicloud_live backed by a `Store`."""

    service = SERVICE
    retry = SINGLE_TRY

    def __init__(self, store: Store, credentials: LocalCredentials = DEFAULT_CREDENTIALS) -> None:
        super().__init__(store, credentials)
        store.index("publish_domain", "app")

    def _existing(self, tenant: str, id: str) -> Document:
        doc = self.store.get(SERVICE, tenant, id)
        if doc is None:
            raise ServiceError(404, NOT_FOUND_CODE, f"recording callback configuration {id} does not exist")
        return doc

    def _claim(self, tenant: str, body: models.RecordCallbackConfigRequest, id: str) -> None:
        """Refuse a domain/app that another configuration of the project already has."""
        taken = self.store.find(SERVICE, tenant, {"publish_domain": body.publish_domain, "app": body.app})
        if any(doc["id"] != id for doc in taken.items):
            raise ServiceError(
                400,
                BAD_REQUEST_CODE,
                f"Request Illegal: publish_domain {body.publish_domain} app {body.app} already has a "
                "recording callback configuration",
            )

    @staticmethod
    def _document(id: str, body: models.RecordCallbackConfigRequest, created: str, updated: str) -> Document:
        """The stored form: what was sent, with the documented defaults made explicit."""
        return {
            "id": id,
            **dump(body),
            "notify_event_subscription": list(body.notify_event_subscription),
            "sign_type": body.sign_type,
            "create_time": created,
            "update_time": updated,
        }

    async def list_record_callback_configs(
        self, ctx: RequestContext, params: models.ListRecordCallbackConfigsParams
    ) -> models.ListRecordCallbackConfigsResponse | Reply:
        tenant = huawei_tenant(ctx.principal, params.project_id, ServiceError)
        where = {k: v for k, v in dump(params).items() if k in ("publish_domain", "app")}
        page = self.store.find(SERVICE, tenant, where, offset=params.offset, limit=params.limit)
        return models.ListRecordCallbackConfigsResponse.model_construct(  # made here: see `_public`
            total=page.total, callback_config=[_public(doc) for doc in page.items]
        )

    async def create_record_callback_config(
        self,
        ctx: RequestContext,
        params: models.CreateRecordCallbackConfigParams,
        body: models.RecordCallbackConfigRequest,
    ) -> models.RecordCallbackConfig | Reply:
        tenant = huawei_tenant(ctx.principal, params.project_id, ServiceError)
        id, now = uuid.uuid4().hex, _utc_now()
        doc = self._document(id, body, now, now)
        with self.store.transaction():
            self._claim(tenant, body, id)
            self.store.put(SERVICE, tenant, id, doc)
        return _public(doc)

    async def show_record_callback_config(
        self, ctx: RequestContext, params: models.ShowRecordCallbackConfigParams
    ) -> models.RecordCallbackConfig | Reply:
        return _public(self._existing(huawei_tenant(ctx.principal, params.project_id, ServiceError), params.id))

    async def update_record_callback_config(
        self,
        ctx: RequestContext,
        params: models.UpdateRecordCallbackConfigParams,
        body: models.RecordCallbackConfigRequest,
    ) -> models.RecordCallbackConfig | Reply:
        tenant = huawei_tenant(ctx.principal, params.project_id, ServiceError)
        with self.store.transaction():
            created = self._existing(tenant, params.id)["create_time"]
            self._claim(tenant, body, params.id)
            doc = self._document(params.id, body, created, _utc_now())
            self.store.put(SERVICE, tenant, params.id, doc)
        return _public(doc)

    async def delete_record_callback_config(
        self, ctx: RequestContext, params: models.DeleteRecordCallbackConfigParams
    ) -> Reply | None:
        tenant = huawei_tenant(ctx.principal, params.project_id, ServiceError)
        if not self.store.delete(SERVICE, tenant, params.id):
            raise ServiceError(404, NOT_FOUND_CODE, f"recording callback configuration {params.id} does not exist")
        return None

    def webhook_messages(self, request: TriggerRequest) -> tuple[str, list[Outgoing]]:
        """A sample recording notification for configuration `callback` (an id), signed with its key."""
        if not isinstance(request.callback, str):
            raise WebhookError(400, "callback must be the id of a recording callback configuration")
        found = (
            self.store.locate(SERVICE, request.callback)
            if request.tenant is None
            else (request.tenant, self.store.get(SERVICE, request.tenant, request.callback))
        )
        if found is None or found[1] is None:
            raise WebhookError(404, f"no recording callback configuration {request.callback}")
        tenant, doc = found[0], found[1]
        if not doc.get("notify_callback_url"):
            raise WebhookError(409, f"configuration {request.callback} has no notify_callback_url")
        subscribed = doc["notify_event_subscription"]
        event_type = request.event_type or subscribed[0]
        if event_type not in subscribed:
            raise WebhookError(409, f"event {event_type} is not in notify_event_subscription {subscribed}")
        payload = _sample_notification(tenant, doc, event_type, dict(request.fields))
        models.RecordCallbackNotification.model_validate(payload)
        message = huawei_live_message(doc["id"], doc["notify_callback_url"], payload, doc.get("key"), doc["sign_type"])
        return tenant, [message]
