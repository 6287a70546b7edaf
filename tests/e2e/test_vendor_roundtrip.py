"""Every vendor operation through the generated client into the generated server, in process (ASGI transport).

The backend answers with the spec's own success example; each documented error status is raised by the backend
and must reach the caller as that status's exception class, with the vendor code, message and request id.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from generator.ir import Operation
from tests.conftest import VENDOR_PACKAGES, import_generated
from tests.contract._spec import api, deref, raw_operation, raw_parameters
from tests.specs._schema import load_spec as load_spec_dict


def _example(spec: dict[str, Any], media: dict[str, Any]) -> Any:
    media = deref(spec, media)
    if "example" in media:
        return media["example"]
    examples = media.get("examples") or {}
    return deref(spec, next(iter(examples.values())))["value"]


def _argument(spec: dict[str, Any], raw_param: dict[str, Any]) -> Any:
    schema = deref(spec, raw_param.get("schema", {}))
    for source in (raw_param.get("example"), (schema.get("examples") or [None])[0], schema.get("default")):
        if source is not None:
            return source
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": 1, "boolean": True}.get(schema.get("type"), "value1")


def _calls(name: str) -> list[tuple[str, Operation, dict[str, Any], Any]]:
    spec = load_spec_dict(name)
    calls = []
    for op in api(name).operations:
        raw = raw_operation(spec, op)
        raw_params = raw_parameters(spec, op)
        kwargs = {p.py_name: _argument(spec, raw_params[p.name]) for p in op.parameters if p.is_argument}
        if op.body is not None:
            body = deref(spec, raw["requestBody"])["content"][op.body.media_type]
            kwargs["body"] = _example(spec, body)
        success = deref(spec, raw["responses"][str(op.successes[0].status)])
        reply = _example(spec, success["content"]["application/json"]) if op.successes[0].model else None
        calls.append((name, op, kwargs, reply))
    return calls


CALLS = [pytest.param(*call, id=f"{call[0]}.{call[1].operation_id}") for n in VENDOR_PACKAGES for call in _calls(n)]


class ExampleBackend:
    """Answers every operation with a fixed reply, records what it received, or raises a given error."""

    def __init__(self, package: Any, op: Operation, reply: Any, error: tuple[int, str] | None = None) -> None:
        self.package, self.op, self.reply, self.error = package, op, reply, error
        self.received: list[tuple[Any, Any]] = []

    def __getattr__(self, name: str) -> Any:
        if name != self.op.py_name:
            raise AttributeError(name)

        async def handle(ctx: Any, *args: Any) -> Any:
            self.received.append((ctx, args))
            if self.error is not None:
                from importlib import import_module

                service_error = import_module(f"{self.package.__name__}._runtime.server").ServiceError
                raise service_error(self.error[0], self.error[1], "as documented")
            if self.reply is None:
                return None
            model = getattr(self.package.models, self.op.successes[0].model or "")
            if "ResponseMetadata" in self.reply:
                from importlib import import_module

                envelope = import_module(f"{self.package.__name__}._runtime.volcengine.envelope")
                return model.model_validate({**self.reply, "ResponseMetadata": envelope.response_metadata(ctx)})
            return model.model_validate(self.reply)

        return handle


def _client(package: Any, backend: ExampleBackend) -> Any:
    app = package.server.create_app(backend)
    return package.AsyncClient(base_url="http://emulator.test", transport=httpx.ASGITransport(app=app), auth=None)


@pytest.mark.parametrize(("name", "op", "kwargs", "reply"), CALLS)
def test_operation_round_trips(name: str, op: Operation, kwargs: dict[str, Any], reply: Any) -> None:
    package = import_generated(name)
    backend = ExampleBackend(package, op, reply)

    async def run() -> Any:
        async with _client(package, backend) as client:
            raw = await client.send_raw(getattr(client.requests, op.py_name)(**kwargs))
            return raw, raw.parse()

    raw, result = asyncio.run(run())
    assert raw.status_code == op.successes[0].status
    assert raw.headers["x-request-id"]
    assert len(backend.received) == 1
    _, args = backend.received[0]
    if op.body is not None:
        sent = args[-1].model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert sent == kwargs["body"]
    if reply is None:
        assert result is None
    else:
        dumped = result.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if "ResponseMetadata" in reply:
            assert dumped["ResponseMetadata"]["RequestId"] == raw.request_id
            dumped["ResponseMetadata"] = reply["ResponseMetadata"]
        assert dumped == reply


ERRORS = [
    pytest.param(
        name,
        op,
        kwargs,
        r.status,
        (r.error_codes[0].code if r.error_codes else f"E{r.status}"),
        id=f"{name}.{op.operation_id}.{r.status}",
    )
    for name, op, kwargs, _ in (c.values for c in CALLS)
    for r in op.errors
]


@pytest.mark.parametrize(("name", "op", "kwargs", "status", "code"), ERRORS)
def test_documented_error_raises_its_exception(
    name: str, op: Operation, kwargs: dict[str, Any], status: int, code: str
) -> None:
    package = import_generated(name)
    backend = ExampleBackend(package, op, None, error=(status, code))
    expected = getattr(package, next(r.exception_name for r in op.errors if r.status == status))

    async def run() -> None:
        async with _client(package, backend) as client:
            await getattr(client, op.py_name)(**kwargs, options=package.RequestOptions(max_retries=0))

    with pytest.raises(expected) as caught:
        asyncio.run(run())
    assert caught.value.status_code == status
    assert caught.value.code == code
    assert caught.value.message == "as documented"
    assert caught.value.request_id and len(caught.value.request_id) == 32


def test_server_reads_request_bodies_by_wire_names_only() -> None:
    """A closed schema's `MessageType` must not be satisfied by the Python attribute name `message_type`."""
    package = import_generated("volcengine_live")
    op = next(o for o in api("volcengine_live").operations if o.operation_id == "UpdateCallback")
    app = package.server.create_app(ExampleBackend(package, op, None))
    body = {"vhost": "v", "message_type": "push", "callback_detail_list": [{"CallbackType": "http", "URL": "http://x"}]}

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.test") as http:
            return await http.post("/?Action=UpdateCallback&Version=2023-01-01", json=body)

    response = asyncio.run(run())
    assert response.status_code == 400
    assert response.json()["ResponseMetadata"]["Error"]["Code"].startswith("InvalidParam")
