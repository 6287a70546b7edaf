"""MetaStudio tenant-level live configuration (`huaweicloud_metastudio`): one user config per project.

PUT semantics (the vendor does not say what happens to omitted fields; this is the emulator's reading, chosen
because the API is patch-shaped — every member is optional and notify events take add/del/replace actions — and
because the spec notes that "an update may rely on a key stored earlier"):

- A sub-config that the body omits is left as stored.
- Inside a given `live_exit_config` or `live_event_callback_config`, each field given replaces the stored field
  and omitted fields are kept; arrays (`callback_event_type`) are replaced whole. Send a field's default value
  (e.g. `max_live_duration: 0`, `key: ""`) to reset it.
- `live_notify_config.action` applies to the stored `notify_events` set: `add` unions, `del` removes, `replace`
  sets; without an action the given list replaces the set (as `replace`), and an action without a list acts
  with an empty one.
- The whole merge is one transaction, so concurrent PUTs of different fields never lose each other's update.

GET returns every sub-config, with the documented defaults where nothing was set: `max_live_duration` 0,
`auto_stop_mode` FORCE_EXIT, `max_exception_waiting_duration` 3, `auth_type` NONE and no `notify_events` ([]).
The stored callback `key` is returned (the spec allows it; the real service's masking is undocumented).
PUT answers 200 without a body, as documented.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .credentials import HuaweiTenancy, huawei_tenant
from .store import Document
from .webhooks import SINGLE_TRY, Outgoing, TriggerRequest, WebhookError, metastudio_message

if TYPE_CHECKING:
    from generated.huaweicloud_metastudio import models
    from generated.huaweicloud_metastudio._runtime.model import dump
    from generated.huaweicloud_metastudio._runtime.server import Reply, RequestContext, ServiceError
else:
    from . import load_generated

    models = load_generated("huaweicloud_metastudio.models")
    dump = load_generated("huaweicloud_metastudio._runtime.model").dump
    ServiceError = load_generated("huaweicloud_metastudio._runtime.server").ServiceError

__all__ = ["SERVICE", "MetaStudioEmulator"]

SERVICE = "huaweicloud_metastudio"
_DOC_ID = "user-config"
_EXIT_DEFAULTS = {"max_live_duration": 0, "auto_stop_mode": "FORCE_EXIT", "max_exception_waiting_duration": 3}
_CALLBACK_DEFAULTS = {"auth_type": "NONE"}
_MERGED = ("live_exit_config", "live_event_callback_config")

_SAMPLE_MESSAGES: dict[str, dict[str, str]] = {
    "SHOOT_SCRIPT_SWITCH": {
        "scene_script_name": "streamspec-sample-scene",
        "shoot_script_sequence_no": "2",
        "shoot_script_title": "streamspec sample paragraph",
    },
    "RTMP_STREAM_STATE_CHANGE": {
        "output_url": "rtmp://push.example.com/live",
        "stream_key": "streamspec-sample",
        "state": "CONNECTED",
    },
    "REPLY_COMMAND_FINISH": {"reply_id": "00000000000000000000000000reply1"},
}
"""Documented message keys of each event (room_id and job_id are added to all)."""


def apply_notify_action(stored: list[str], request: Document) -> list[str]:
    """The notify_events set after `request` (a LiveNotifyConfigReq as sent), keeping first-seen order."""
    events = list(dict.fromkeys(request.get("notify_events", [])))
    action = request.get("action", "replace")
    if action == "add":
        return [*stored, *(e for e in events if e not in stored)]
    if action == "del":
        return [e for e in stored if e not in events]
    return events


class MetaStudioEmulator(HuaweiTenancy):
    """The `Handlers` of generated/huaweicloud_metastudio backed by a `Store`."""

    service = SERVICE
    retry = SINGLE_TRY

    async def show_smart_live_user_config(
        self, ctx: RequestContext, params: models.ShowSmartLiveUserConfigParams
    ) -> models.ShowSmartLiveUserConfigResponse | Reply:
        stored = self.store.get(SERVICE, huawei_tenant(ctx.principal, params.project_id, ServiceError), _DOC_ID) or {}
        return models.ShowSmartLiveUserConfigResponse.model_validate(
            {
                "live_exit_config": {**_EXIT_DEFAULTS, **stored.get("live_exit_config", {})},
                "live_event_callback_config": {**_CALLBACK_DEFAULTS, **stored.get("live_event_callback_config", {})},
                "live_notify_config": {"notify_events": stored.get("live_notify_config", {}).get("notify_events", [])},
            }
        )

    async def update_smart_live_user_config(
        self,
        ctx: RequestContext,
        params: models.UpdateSmartLiveUserConfigParams,
        body: models.UpdateSmartLiveUserConfigReq,
    ) -> Reply | None:
        tenant = huawei_tenant(ctx.principal, params.project_id, ServiceError)
        given: Document = dump(body)
        with self.store.transaction():
            stored = self.store.get(SERVICE, tenant, _DOC_ID) or {}
            for name in _MERGED:
                if name in given:
                    stored[name] = {**stored.get(name, {}), **given[name]}
            if "live_notify_config" in given:
                current = stored.get("live_notify_config", {}).get("notify_events", [])
                stored["live_notify_config"] = {
                    "notify_events": apply_notify_action(current, given["live_notify_config"])
                }
            self.store.put(SERVICE, tenant, _DOC_ID, stored)
        return None

    def webhook_messages(self, request: TriggerRequest) -> tuple[str, list[Outgoing]]:
        """A sample live event for the tenant's callback config (`callback` is not needed: one per project)."""
        tenant = request.tenant or self.credentials.default_project
        config: dict[str, Any] = (self.store.get(SERVICE, tenant, _DOC_ID) or {}).get("live_event_callback_config", {})
        url = config.get("live_event_type_callback_url")
        if not url:
            raise WebhookError(409, f"project {tenant} has no live_event_type_callback_url configured")
        subscribed = config.get("callback_event_type", [])
        event_type = request.event_type or (subscribed[0] if subscribed else "")
        if event_type not in subscribed:
            raise WebhookError(409, f"event {event_type or '(none)'} is not in callback_event_type {subscribed}")
        message = {
            "room_id": "00000000000000000000000000room01",
            "job_id": "000000000000000000000000000job01",
            **_SAMPLE_MESSAGES[event_type],
            **request.fields,
        }
        payload = {"event_type": event_type, "message": json.dumps(message, ensure_ascii=False)}
        models.LiveEventCallback.model_validate(payload)
        signed = metastudio_message(_DOC_ID, url, payload, config.get("auth_type", "NONE"), config.get("key", ""))
        return tenant, [signed]
