"""End to end on a spec written for the tests (tests/fixtures/generality.yaml): generate, import, serve, call.

The generated server runs with an in-memory backend; the generated clients talk to it in process (the async
client through httpx.ASGITransport, the blocking one through Starlette's TestClient passed as `http_client`).
Raw HTTP checks use the TestClient directly, bypassing the client's own validation.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from generator.errors import GenerationError
from generator.pipeline import build_package
from tests.generator.conftest import GENERALITY, VENDOR_SPECS, Generated, write_spec

with warnings.catch_warnings():  # Starlette suggests httpx2 for its TestClient; httpx is what the clients use
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE_URL = "https://eu.widgets.example.test"
NO_AUTH = httpx.Auth()  # a pass-through auth: see test_client_needs_no_auth_for_an_unsigned_api
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
VALIDATION_CODES = {"InvalidParameter", "MissingParameter", "OutOfRange", "InvalidFormat", "MalformedRequest"}
WIDGET_KEYS = ("sku", "serial", "size", "homepage", "note", "tags", "dimensions", "parts", "shape")


@pytest.fixture(scope="module")
def pkg(modules: dict[str, ModuleType]) -> ModuleType:
    return modules["generality"]


# --------------------------------------------------------------------------- the backend


@dataclass
class Seen:
    operation: str
    request_id: str
    params: Any
    body: Any
    action: str | None


class Backend:
    """Implements the generated `Handlers` protocol over a dict, recording what each handler received."""

    def __init__(self, pkg: ModuleType) -> None:
        self.models = pkg.models
        self.runtime = importlib.import_module(f"{pkg.__name__}._runtime.server")
        self.widgets: dict[str, Any] = {}
        self.seen: list[Seen] = []

    def _record(self, ctx: Any, params: Any = None, body: Any = None) -> None:
        self.seen.append(Seen(ctx.operation_id, ctx.request_id, params, body, ctx.selectors.get("Action")))

    @property
    def last(self) -> Seen:
        return self.seen[-1]

    def _get(self, widget_id: str) -> Any:
        if widget_id not in self.widgets:
            raise self.runtime.ServiceError(404, "WidgetNotFound", f"no widget {widget_id}")
        return self.widgets[widget_id]

    def _check_name(self, name: str, widget_id: str | None = None) -> None:
        service_error = self.runtime.ServiceError
        if name == "Reserved":
            raise service_error(400, "NameReserved", "the name Reserved is reserved")
        if name == "Explode":
            raise RuntimeError("backend crashed")
        if name == "Teapot":
            raise service_error(418, "Teapot", "undocumented status")
        if any(w.name == name and w.id != widget_id for w in self.widgets.values()):
            raise service_error(409, "WidgetExists", f"a widget named {name} exists")

    async def list_widgets(self, ctx: Any, params: Any) -> Any:
        self._record(ctx, params)
        items = list(self.widgets.values())
        echo = self.models.WidgetListEcho.model_validate(params.model_dump(mode="json", by_alias=True))
        return self.models.WidgetList(items=items, total=len(items), echo=echo)

    async def create_widget(self, ctx: Any, params: Any, body: Any) -> Any:
        self._record(ctx, params, body)
        self._check_name(body.name)
        data = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        widget = self.models.Widget.model_validate(
            {
                "id": f"w-{len(self.widgets) + 1}",
                "name": body.name,
                "kind": body.kind,
                "created": "2024-01-01T00:00:00Z",
                **{k: data[k] for k in WIDGET_KEYS if k in data},
            }
        )
        self.widgets[widget.id] = widget
        return widget

    async def show_widget(self, ctx: Any, params: Any) -> Any:
        self._record(ctx, params)
        return self._get(params.widget_id)

    async def update_widget(self, ctx: Any, params: Any, body: Any) -> Any:
        self._record(ctx, params, body)
        widget = self._get(params.widget_id)
        if "name" in body.model_fields_set:
            self._check_name(body.name, widget.id)
        changes = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        merged = {**widget.model_dump(mode="json", by_alias=True, exclude_unset=True), **changes}
        self.widgets[widget.id] = self.models.Widget.model_validate(merged)
        return self.widgets[widget.id]

    async def delete_widget(self, ctx: Any, params: Any) -> None:
        self._record(ctx, params)
        self._get(params.widget_id)
        del self.widgets[params.widget_id]

    async def show_widget_part(self, ctx: Any, params: Any) -> Any:
        self._record(ctx, params)
        parts = self._get(params.widget_id).parts
        if params.index >= len(parts):
            raise self.runtime.ServiceError(404, "WidgetNotFound", f"no part {params.index}")
        return self.models.Part.model_validate(parts[params.index].model_dump())

    async def show_tag(self, ctx: Any, params: Any) -> Any:
        self._record(ctx, params)
        return self.models.ShowTagResponse.model_validate(params.model_dump(exclude_unset=True))

    async def ping(self, ctx: Any, params: Any) -> Any:
        self._record(ctx, params)
        return self.models.PingResponse(pong=True, echo=params.echo if "echo" in params.model_fields_set else None)


# --------------------------------------------------------------------------- harness: one test, both clients


@dataclass
class Harness:
    backend: Backend
    call: Callable[..., Any]
    """`call("show_widget", "w-1")`: the client method's result, the same for both clients."""
    kind: str


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest, pkg: ModuleType, loop: asyncio.AbstractEventLoop) -> Iterator[Harness]:
    backend = Backend(pkg)
    app = pkg.server.create_app(backend)
    if request.param == "sync":
        with TestClient(app) as http:
            client = pkg.Client(base_url=BASE_URL, auth=NO_AUTH, http_client=http, max_retries=0)
            yield Harness(backend, lambda name, *a, **kw: getattr(client, name)(*a, **kw), "sync")
            client.close()
    else:
        aclient = pkg.AsyncClient(
            base_url=BASE_URL, auth=NO_AUTH, transport=httpx.ASGITransport(app=app), max_retries=0
        )
        yield Harness(
            backend, lambda name, *a, **kw: loop.run_until_complete(getattr(aclient, name)(*a, **kw)), "async"
        )
        loop.run_until_complete(aclient.close())


@pytest.fixture
def raw(pkg: ModuleType) -> Iterator[TestClient]:
    """Plain HTTP against the generated server (nothing validated on the way in)."""
    with TestClient(pkg.server.create_app(Backend(pkg)), base_url=BASE_URL) as http:
        yield http


SPROCKET = {"name": "Sprocket", "kind": "gadget", "sku": "SKU-1"}


# --------------------------------------------------------------------------- parameters and bodies


def test_every_parameter_kind_reaches_the_handler_typed(harness: Harness) -> None:
    result = harness.call(
        "list_widgets",
        owner="ann",
        limit=5,
        from_=2,
        active=False,
        colors=["red", "blue"],
        fields=["id", "name"],
        min_weight=1.5,
        x_trace_id="t-1",
        x_page_token=7,
    )
    params = harness.backend.last.params
    received = {name: getattr(params, name) for name in type(params).model_fields}
    assert received == {
        "owner": "ann",
        "limit": 5,
        "from_": 2,
        "active": False,
        "colors": ["red", "blue"],
        "fields": ["id", "name"],
        "min_weight": 1.5,
        "x_trace_id": "t-1",
        "x_page_token": 7,
    }
    assert [type(received[k]) for k in ("limit", "from_", "active", "min_weight", "x_page_token")] == [
        int,
        int,
        bool,
        float,
        int,
    ]
    assert result.echo.model_dump() == {
        "owner": "ann",
        "limit": 5,
        "from": 2,
        "active": False,
        "colors": ["red", "blue"],
        "fields": ["id", "name"],
        "min_weight": 1.5,
        "X-Trace-Id": "t-1",
        "X-Page-Token": 7,
    }


def test_optional_parameters_left_out_stay_unset(harness: Harness) -> None:
    harness.call("list_widgets", owner="ann")
    assert harness.backend.last.params.model_fields_set == {"owner"}


def test_path_parameters_and_header_on_a_body_operation(harness: Harness) -> None:
    widget = harness.call(
        "create_widget",
        {**SPROCKET, "parts": [{"part_no": "P-1", "quantity": 2}, {"part_no": "P-2", "quantity": 1}]},
        idempotency_key="key-1",
    )
    assert harness.backend.last.params.idempotency_key == "key-1"
    part = harness.call("show_widget_part", widget.id, 1)
    assert (harness.backend.last.params.widget_id, harness.backend.last.params.index) == (widget.id, 1)
    assert type(harness.backend.last.params.index) is int
    assert part.model_dump() == {"part_no": "P-2", "quantity": 1}


@pytest.mark.parametrize(
    "text",
    ["plain", "a/b", "a b", "100%", "50%2F", "ü-€", ".", "..", "a?b#c", "+plus&x=y", "semi;colon", "~tilde'"],
)
def test_free_text_path_and_query_values_arrive_unchanged(harness: Harness, text: str) -> None:
    result = harness.call("show_tag", text, q=text)
    assert (result.tag, result.q) == (text, text)
    assert (harness.backend.last.params.tag, harness.backend.last.params.q) == (text, text)


def test_empty_path_value_is_refused_before_sending(harness: Harness) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        harness.call("show_tag", "")


def test_rpc_operation_is_routed_by_action_and_version(harness: Harness) -> None:
    assert harness.call("ping", echo="hi").model_dump(exclude_unset=True) == {"pong": True, "echo": "hi"}
    assert harness.backend.last.action == "Ping"
    assert harness.backend.last.params.model_dump(by_alias=True, exclude_unset=True) == {
        "Action": "Ping",
        "Version": "2024-01-01",
        "echo": "hi",
    }


def test_nested_bodies_arrays_of_objects_one_of_and_nullable_survive_the_round_trip(harness: Harness) -> None:
    body = {
        "name": "Gear",
        "kind": "gizmo",
        "serial": 42,
        "gift": True,
        "gift_message": "Happy birthday",
        "homepage": "https://example.com/gear",
        "note": None,
        "tags": ["a", "b"],
        "dimensions": {"width": 1.5, "height": 2.0, "unit": "cm", "origin": {"x": 1, "y": -1}},
        "parts": [{"part_no": "P-1", "quantity": 2}],
        "shape": {"width": 1.0, "height": 3.0},
        "placement": {"bin": "B7"},
    }
    widget = harness.call("create_widget", body)
    received = harness.backend.last.body
    assert received.model_dump(mode="json", by_alias=True, exclude_unset=True) == body
    assert type(received.shape).__name__ == "ShapeRectangle"
    assert type(received.placement).__name__ == "WidgetCreatePlacementBin"
    assert type(received.dimensions.origin).__name__ == "WidgetCreateDimensionsOrigin"
    assert widget.note is None and "note" in widget.model_fields_set
    assert type(widget.shape).__name__ == "ShapeRectangle"
    assert widget.model_dump(mode="json", exclude_unset=True)["dimensions"] == body["dimensions"]


def test_crud_statuses(harness: Harness, pkg: ModuleType) -> None:
    created = harness.call("create_widget", {**SPROCKET, "note": "first"})
    assert isinstance(created, pkg.models.Widget)
    assert harness.call("show_widget", created.id) == created
    updated = harness.call("update_widget", created.id, {"name": "Cog", "note": None})
    assert (updated.name, updated.note) == ("Cog", None)
    assert harness.call("delete_widget", created.id) is None
    with pytest.raises(pkg.NotFoundError):
        harness.call("show_widget", created.id)


def test_success_statuses_on_the_wire(pkg: ModuleType) -> None:
    with TestClient(pkg.server.create_app(Backend(pkg))) as http:
        client = pkg.Client(base_url=BASE_URL, auth=NO_AUTH, http_client=http, max_retries=0)
        created = client.send_raw(client.requests.create_widget(SPROCKET))
        assert (created.status_code, created.parse().name) == (201, "Sprocket")
        assert created.request_id == created.headers["X-Request-Id"]
        deleted = client.send_raw(client.requests.delete_widget(created.parse().id))
        assert (deleted.status_code, deleted.http_response.content, deleted.parse()) == (204, b"", None)


# --------------------------------------------------------------------------- error statuses


ERROR_CASES = [
    # (id, method, args, exception class, status, code, message fragment)
    (
        "400-from-handler",
        "create_widget",
        ({"name": "Reserved", "kind": "gadget", "sku": "S"},),
        "BadRequestError",
        400,
        "NameReserved",
        "reserved",
    ),
    ("404", "show_widget", ("w-999",), "NotFoundError", 404, "WidgetNotFound", "no widget w-999"),
    ("409-create", "create_widget", (SPROCKET,), "ConflictError", 409, "WidgetExists", "Sprocket exists"),
    ("409-update", "update_widget", ("w-2", {"name": "Sprocket"}), "ConflictError", 409, "WidgetExists", "exists"),
    (
        "500-crash",
        "create_widget",
        ({"name": "Explode", "kind": "gadget", "sku": "S"},),
        "InternalServerError",
        500,
        "InternalFailure",
        "internal error",
    ),
]


@pytest.mark.parametrize(
    ("method", "args", "exception", "status", "code", "fragment"),
    [c[1:] for c in ERROR_CASES],
    ids=[c[0] for c in ERROR_CASES],
)
def test_each_error_status_raises_its_exception_class(
    harness: Harness,
    pkg: ModuleType,
    method: str,
    args: tuple[Any, ...],
    exception: str,
    status: int,
    code: str,
    fragment: str,
) -> None:
    harness.call("create_widget", SPROCKET)
    harness.call("create_widget", {"name": "Other", "kind": "gizmo", "serial": 7})
    with pytest.raises(getattr(pkg, exception)) as caught:
        harness.call(method, *args)
    error = caught.value
    assert isinstance(error, pkg.GeneralityError) and isinstance(error, pkg.APIStatusError)
    assert type(error) is getattr(pkg.client, exception)
    assert (error.status_code, error.code) == (status, code)
    assert fragment in error.message
    assert error.request_id == harness.backend.last.request_id == error.response.headers["X-Request-Id"]
    assert error.body == {"code": code, "message": error.message}


def test_undocumented_error_status_raises_the_apis_base_error(harness: Harness, pkg: ModuleType) -> None:
    """Not the runtime's bare `APIStatusError`: `except GeneralityError` catches every error response of the API."""
    with pytest.raises(pkg.GeneralityError) as caught:
        harness.call("create_widget", {"name": "Teapot", "kind": "gadget", "sku": "S"})
    assert type(caught.value) is pkg.GeneralityError
    assert (caught.value.status_code, caught.value.code) == (418, "Teapot")


def test_exception_classes_cover_every_documented_error_status(pkg: ModuleType) -> None:
    assert {status: cls.__name__ for status, cls in pkg.client.ERRORS.items()} == {
        400: "BadRequestError",
        404: "NotFoundError",
        409: "ConflictError",
        500: "InternalServerError",
    }
    assert set(pkg.__all__) >= {"BadRequestError", "NotFoundError", "ConflictError", "InternalServerError"}


# --------------------------------------------------------------------------- client-side validation


INVALID_CALLS = [
    ("owner-empty", "list_widgets", (), {"owner": ""}),
    ("limit-below-min", "list_widgets", (), {"owner": "a", "limit": 0}),
    ("limit-above-max", "list_widgets", (), {"owner": "a", "limit": 101}),
    ("limit-as-string", "list_widgets", (), {"owner": "a", "limit": "5"}),
    ("limit-as-bool", "list_widgets", (), {"owner": "a", "limit": True}),
    ("active-as-string", "list_widgets", (), {"owner": "a", "active": "yes"}),
    ("color-not-in-enum", "list_widgets", (), {"owner": "a", "colors": ["purple"]}),
    ("header-pattern", "list_widgets", (), {"owner": "a", "x_trace_id": "UPPER"}),
    ("header-range", "list_widgets", (), {"owner": "a", "x_page_token": -1}),
    ("path-pattern", "show_widget", ("bad-id",), {}),
    ("path-integer-range", "show_widget_part", ("w-1", 100), {}),
    ("rpc-param-length", "ping", (), {"echo": "x" * 11}),
    ("body-neither-sku-nor-serial", "create_widget", ({"name": "A", "kind": "gadget"},), {}),
    ("body-both-sku-and-serial", "create_widget", ({"name": "A", "kind": "gadget", "sku": "S", "serial": 1},), {}),
    ("body-extra-field", "create_widget", ({**SPROCKET, "colour": "red"},), {}),
    ("body-int-as-string", "create_widget", ({**SPROCKET, "size": "1"},), {}),
    ("body-nested-missing", "create_widget", ({**SPROCKET, "dimensions": {"width": 1}},), {}),
    ("body-null-not-nullable", "update_widget", ("w-1", {"size": None}), {}),
    ("body-uri-too-long", "create_widget", ({**SPROCKET, "homepage": "https://example.com/" + "a" * 21},), {}),
]


@pytest.mark.parametrize("client_kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("method", "args", "kwargs"), [c[1:] for c in INVALID_CALLS], ids=[c[0] for c in INVALID_CALLS]
)
def test_invalid_input_is_rejected_before_sending(
    pkg: ModuleType,
    loop: asyncio.AbstractEventLoop,
    client_kind: str,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    transport = httpx.MockTransport(record)
    if client_kind == "sync":
        with pytest.raises(pkg.APIRequestValidationError) as caught:
            getattr(pkg.Client(base_url=BASE_URL, auth=NO_AUTH, transport=transport), method)(*args, **kwargs)
    else:
        client = pkg.AsyncClient(base_url=BASE_URL, auth=NO_AUTH, transport=transport)
        with pytest.raises(pkg.APIRequestValidationError) as caught:
            loop.run_until_complete(getattr(client, method)(*args, **kwargs))
    assert sent == []
    assert isinstance(caught.value, pkg.APIError)
    assert caught.value.operation and str(caught.value).startswith(f"{caught.value.operation}: invalid request: ")
    assert caught.value.errors and all(field for field, _ in caught.value.errors)


def test_requests_builds_the_wire_form_without_sending(pkg: ModuleType) -> None:
    call = pkg.Requests().list_widgets(
        owner="a b", active=True, colors=["red", "green"], fields=["x", "y"], x_page_token=3
    )
    assert list(call.query) == [
        ("owner", "a b"),
        ("active", "true"),
        ("colors", "red"),
        ("colors", "green"),
        ("fields", "x,y"),
    ]
    assert dict(call.headers) == {"X-Page-Token": "3"}
    ping = pkg.Requests().ping()
    assert list(ping.query) == [("Action", "Ping"), ("Version", "2024-01-01")]


# --------------------------------------------------------------------------- the server on raw HTTP


RAW_INVALID = [
    # (id, method, url, headers, body, code)
    ("query-missing", "GET", "/widgets", {}, None, "MissingParameter"),
    ("query-range", "GET", "/widgets?owner=a&limit=0", {}, None, "OutOfRange"),
    ("query-not-an-integer", "GET", "/widgets?owner=a&limit=abc", {}, None, "InvalidFormat"),
    ("query-float-for-integer", "GET", "/widgets?owner=a&limit=1.0", {}, None, "InvalidFormat"),
    ("query-repeated-scalar", "GET", "/widgets?owner=a&limit=1&limit=2", {}, None, "InvalidFormat"),
    ("query-not-a-boolean", "GET", "/widgets?owner=a&active=yes", {}, None, "InvalidFormat"),
    ("query-enum", "GET", "/widgets?owner=a&colors=red&colors=purple", {}, None, "OutOfRange"),
    ("query-number", "GET", "/widgets?owner=a&min_weight=heavy", {}, None, "InvalidFormat"),
    ("header-pattern", "GET", "/widgets?owner=a", {"X-Trace-Id": "NOPE"}, None, "InvalidFormat"),
    ("header-integer", "GET", "/widgets?owner=a", {"X-Page-Token": "x"}, None, "InvalidFormat"),
    ("path-pattern", "GET", "/widgets/bad", {}, None, "InvalidFormat"),
    ("path-integer", "GET", "/widgets/w-1/parts/first", {}, None, "InvalidFormat"),
    ("path-integer-range", "GET", "/widgets/w-1/parts/100", {}, None, "OutOfRange"),
    ("body-missing", "POST", "/widgets", {}, b"", "MissingParameter"),
    ("body-not-json", "POST", "/widgets", {"Content-Type": "application/json"}, b"{nope", "MalformedRequest"),
    (
        "body-wrong-media-type",
        "POST",
        "/widgets",
        {"Content-Type": "text/plain"},
        json.dumps(SPROCKET).encode(),
        "MalformedRequest",
    ),
    ("body-array", "POST", "/widgets", {"Content-Type": "application/json"}, b"[]", "MalformedRequest"),
    (
        "body-required-field",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        b'{"kind": "gadget", "sku": "S"}',
        "MissingParameter",
    ),
    (
        "body-extra-field",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "x": 1}).encode(),
        "MalformedRequest",
    ),
    (
        "body-string-for-integer",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "size": "1"}).encode(),
        "MalformedRequest",
    ),
    (
        "body-false-for-integer",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "size": False}).encode(),
        "MalformedRequest",
    ),
    (
        "body-range",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "size": 11}).encode(),
        "OutOfRange",
    ),
    (
        "body-pattern",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "name": "1st"}).encode(),
        "InvalidFormat",
    ),
    (
        "body-uri-format",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "homepage": "not a uri"}).encode(),
        "InvalidFormat",
    ),
    (
        "body-exactly-one",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "serial": 1}).encode(),
        "InvalidParameter",
    ),
    (
        "body-not-together-own-code",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "discount": 5, "coupon": "C"}).encode(),
        "DiscountAndCoupon",
    ),
    (
        "body-required-if",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "gift": True}).encode(),
        "InvalidParameter",
    ),
    (
        "body-unique-items",
        "POST",
        "/widgets",
        {"Content-Type": "application/json"},
        json.dumps({**SPROCKET, "tags": ["a", "a"]}).encode(),
        "InvalidParameter",
    ),
    (
        "body-null-not-nullable",
        "PUT",
        "/widgets/w-1",
        {"Content-Type": "application/json"},
        b'{"size": null}',
        "MalformedRequest",
    ),
    ("rpc-no-action", "GET", "/", {}, None, "MissingParameter"),
    ("rpc-no-version", "GET", "/?Action=Ping", {}, None, "MissingParameter"),
]


@pytest.mark.parametrize(
    ("method", "url", "headers", "body", "code"), [c[1:] for c in RAW_INVALID], ids=[c[0] for c in RAW_INVALID]
)
def test_invalid_http_input_gets_400_in_the_plain_envelope(
    raw: TestClient, method: str, url: str, headers: dict[str, str], body: bytes | None, code: str
) -> None:
    response = raw.request(method, url, headers=headers, content=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"code", "message"}
    assert response.json()["code"] == code, response.json()["message"]
    assert REQUEST_ID.match(response.headers["X-Request-Id"])


ROUTING = [
    # (id, method, url, status, code, allow)
    ("unknown-path", "GET", "/nothing/here", 404, "NotFound", None),
    ("unknown-action", "GET", "/?Action=Pong&Version=2024-01-01", 404, "NotFound", None),
    ("unknown-version", "GET", "/?Action=Ping&Version=1999-01-01", 404, "NotFound", None),
    ("collection", "DELETE", "/widgets", 405, "MethodNotAllowed", "GET, POST"),
    ("item", "PATCH", "/widgets/w-1", 405, "MethodNotAllowed", "DELETE, GET, PUT"),
    ("nested-item", "POST", "/widgets/w-1/parts/0", 405, "MethodNotAllowed", "GET"),
    ("rpc", "POST", "/?Action=Ping&Version=2024-01-01", 405, "MethodNotAllowed", "GET"),
]


@pytest.mark.parametrize(
    ("method", "url", "status", "code", "allow"), [c[1:] for c in ROUTING], ids=[c[0] for c in ROUTING]
)
def test_routing_errors(raw: TestClient, method: str, url: str, status: int, code: str, allow: str | None) -> None:
    response = raw.request(method, url)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert set(response.json()) == {"code", "message"}
    assert response.headers.get("Allow") == allow
    assert REQUEST_ID.match(response.headers["X-Request-Id"])


def test_openapi_json_answers_other_methods_with_405(raw: TestClient) -> None:
    response = raw.post("/openapi.json")
    assert (response.status_code, response.headers.get("Allow")) == (405, "GET")


def test_json_media_type_parameters_are_accepted(raw: TestClient) -> None:
    response = raw.post(
        "/widgets", content=json.dumps(SPROCKET), headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201, response.text


def test_every_response_carries_a_fresh_request_id(raw: TestClient) -> None:
    created = raw.post("/widgets", json=SPROCKET)
    responses = [
        created,
        raw.get("/widgets", params={"owner": "a"}),
        raw.get(f"/widgets/{created.json()['id']}"),
        raw.get("/", params={"Action": "Ping", "Version": "2024-01-01"}),
        raw.delete(f"/widgets/{created.json()['id']}"),
        raw.get("/widgets/w-404"),
        raw.get("/widgets"),
        raw.put("/widgets"),
        raw.get("/openapi.json"),
    ]
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 204, 404, 400, 405, 200]
    ids = [r.headers.get("X-Request-Id", "") for r in responses]
    assert all(REQUEST_ID.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids)


def test_openapi_json_serves_the_spec(raw: TestClient, generated: Generated) -> None:
    response = raw.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == yaml.safe_load(GENERALITY.read_text(encoding="utf-8"))
    assert response.content == generated.files_on_disk("generality")["openapi.json"]


def test_handler_reply_sets_status_and_headers(pkg: ModuleType) -> None:
    class Replying(Backend):
        async def ping(self, ctx: Any, params: Any) -> Any:
            return self.runtime.Reply(200, self.models.PingResponse(pong=False), {"X-Extra": "1"})

    with TestClient(pkg.server.create_app(Replying(pkg))) as http:
        response = http.get("/", params={"Action": "Ping", "Version": "2024-01-01"})
    assert (response.status_code, response.json(), response.headers["X-Extra"]) == (200, {"pong": False}, "1")


# --------------------------------------------------------------------------- configuration


def test_regions_come_from_the_servers(pkg: ModuleType) -> None:
    assert pkg.REGIONS == {
        "eu-west-1": "https://eu.widgets.example.test",
        "us-east-1": "https://us.widgets.example.test",
    }
    assert pkg.Client(auth=NO_AUTH).base_url == "https://eu.widgets.example.test"
    assert pkg.Client(region="us-east-1", auth=NO_AUTH).base_url == "https://us.widgets.example.test"
    assert pkg.Client(region="us-east-1", base_url="http://local", auth=NO_AUTH).base_url == "http://local"
    with pytest.raises(ValueError, match="unknown region 'mars-1'"):
        pkg.Client(region="mars-1", auth=NO_AUTH)


def test_client_needs_no_auth_for_an_unsigned_api(pkg: ModuleType) -> None:
    assert pkg.Client(base_url=BASE_URL).base_url == BASE_URL


def test_several_success_statuses_on_one_operation(tmp_path: Path) -> None:
    document = yaml.safe_load(GENERALITY.read_text(encoding="utf-8"))
    responses = document["paths"]["/widgets"]["post"]["responses"]
    responses["200"] = copy.deepcopy(responses["201"])
    spec = write_spec(tmp_path, "generality.yaml", yaml.safe_dump(document, sort_keys=False))
    try:
        package = build_package(spec)
    except GenerationError as exc:
        pytest.fail(str(exc))
    client = package.files["client.py"].decode()
    assert "if response.status_code == 200:\n        value: models.Widget = from_value(models.Widget," in client
    assert "if response.status_code == 201:\n        value1: models.Widget = from_value(models.Widget," in client


@pytest.mark.parametrize("name", [spec.stem for spec in [*VENDOR_SPECS, GENERALITY]])
def test_generated_code_has_no_undefined_names(generated: Generated, name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F821,F822,F823,E9", "--quiet", name],
        cwd=generated.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
