"""The mock's `Handlers`: one method per operation (by its Python name, as the generated `Handlers` Protocol has them),
each answering the documented success response (`generator.mock.responses`), plus the error envelope of mocks of
specs without a vendor profile, built from the documented error schemas."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from generator.conformance import SpecResponses
from generator.ir import Operation
from generator.loader import follow_refs
from generator.mock.auth import UNAUTHORIZED_CODE
from generator.mock.package import MockPackage, operation_nodes
from generator.mock.responses import Canned, error_body, success

__all__ = ["NOT_FOUND_CODE", "MockEnvelope", "MockHandlers", "Served"]

NOT_FOUND_CODE = "NotFound"
"""The code of the stateful mock's 404 for a resource it saw deleted."""
Handler = Callable[..., Awaitable[object]]


@dataclass
class Served:
    """What the mock answered, by request id, until the app has checked the response (then it is dropped)."""

    operations: MutableMapping[str, str] = field(default_factory=dict)

    def note(self, request_id: str, operation: str | None) -> None:
        if operation is not None:
            self.operations[request_id] = operation

    def take(self, request_id: str) -> str | None:
        return self.operations.pop(request_id, None)


_EXPRESSION = re.compile(r"^\$(request|response)\.(path|query|header|body)(?:\.([^#]+))?(?:#(.*))?$")


def _pointer(value: Any, pointer: str) -> Any:
    for token in [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]:
        if isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        elif isinstance(value, dict) and token in value:
            value = value[token]
        else:
            return None
    return value


@dataclass(frozen=True)
class _Link:
    """Where a response's link leads: the target operation and its parameters' runtime expressions."""

    target: str
    parameters: Mapping[str, str]


class _State:
    """What `--stateful` remembers: resources by (path template, path parameter values), and those deleted."""

    def __init__(self) -> None:
        self.resources: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
        self.deleted: set[tuple[str, tuple[tuple[str, str], ...]]] = set()


class MockHandlers:
    """A `Handlers` implementation for the package's generated server, made from the spec (see the package docs)."""

    def __init__(self, package: MockPackage, *, seed: int = 0, stateful: bool = False, served: Served | None = None):
        self.package = package
        self.seed = seed
        self.spec = SpecResponses(package.document, operation_nodes(package.document, package.api))
        self.routes = {route.operation_id: route for route in package.server.ROUTES}
        self.by_name = {op.py_name: op for op in package.api.operations}
        self.served = served or Served()
        self.links = self._links()
        self.state: _State | None = None
        self.remember(stateful)

    def __getattr__(self, name: str) -> Handler:
        op = self.__dict__.get("by_name", {}).get(name)
        if op is None:
            raise AttributeError(name)

        async def handle(ctx: Any, params: Any = None, body: Any = None) -> object:
            return self.answer(op, ctx, params)

        return handle

    def remember(self, on: bool) -> None:
        """Start remembering afresh (`--stateful`), or stop: the fuzzer remembers only in its stateful phase, so
        that the other phases' answers depend on nothing but the request (and shards add up to a whole run)."""
        self.state = _State() if on else None

    def canned(self, op: Operation) -> Canned:
        """The operation's documented success answer (pure: the same for the same seed)."""
        route = self.routes[op.operation_id]
        return success(self.spec, op.operation_id, route.success_status, route.success_media, self.seed)

    def answer(self, op: Operation, ctx: Any, params: Any) -> object:
        self.served.note(ctx.request_id, op.operation_id)
        runtime = self.package.runtime
        canned = self.canned(op)
        if self.state is not None:
            key = (op.path, self._path_values(op, params))
            if key in self.state.deleted:
                raise runtime.ServiceError(404, NOT_FOUND_CODE, f"{op.path} was deleted")
            if op.method == "DELETE" and key[1]:
                self.state.deleted.add(key)
                self.state.resources.pop(key, None)
            elif op.method != "GET":
                self._recreate(canned.value)
            remembered = self.state.resources.get(key)
            if remembered is not None and op.method == "GET" and canned.value is not None:
                media = self.routes[op.operation_id].success_media
                schema = ((self.spec.response(op.operation_id, canned.status) or {}).get("content") or {}).get(media)
                if isinstance(schema, Mapping) and self.spec.instances.is_valid(schema.get("schema"), remembered):
                    canned = Canned(canned.status, _json(remembered), canned.media_type, canned.headers, remembered)
            self._remember(op, params, canned)
        headers = dict(canned.headers)
        if canned.body is not None and canned.media_type:
            headers["Content-Type"] = canned.media_type
        return runtime.Reply(canned.status, canned.body, headers)

    # --- state -----------------------------------------------------------------------------------------------

    def _links(self) -> dict[str, list[_Link]]:
        """The links of each operation's success responses, by operation id."""
        found: dict[str, list[_Link]] = {}
        by_id = {op.operation_id: op for op in self.package.api.operations}
        for op in self.package.api.operations:
            route = self.routes[op.operation_id]
            response = self.spec.response(op.operation_id, route.success_status) or {}
            for link in (response.get("links") or {}).values():
                link = follow_refs(self.spec.document, link)
                target = link.get("operationId") if isinstance(link, Mapping) else None
                if target in by_id and isinstance(link.get("parameters"), Mapping):
                    parameters = {str(k): v for k, v in link["parameters"].items() if isinstance(v, str)}
                    found.setdefault(op.operation_id, []).append(_Link(target, parameters))
        return found

    @staticmethod
    def _path_values(op: Operation, params: Any) -> tuple[tuple[str, str], ...]:
        if params is None:
            return ()
        values = []
        for p in op.params_in("path"):
            value: Any = getattr(params, p.py_name, None)
            values.append((p.name, str(getattr(value, "value", value))))  # an enum member by its value
        return tuple(values)

    def _recreate(self, value: Any) -> None:
        """A write answering with a deleted resource's identifiers (the mock's answers repeat) creates it again."""
        assert self.state is not None
        scalars = {str(v) for v in _scalars(value)}
        for key in [key for key in self.state.deleted if all(v in scalars for _, v in key[1])]:
            self.state.deleted.discard(key)

    def _remember(self, op: Operation, params: Any, canned: Canned) -> None:
        """Make the resources this answer's links name (their path parameters resolved from request and body)."""
        assert self.state is not None
        request_values = dict(self._path_values(op, params))
        for link in self.links.get(op.operation_id, []):
            target = self.package.operation(link.target)
            values = []
            for p in target.params_in("path"):
                expression = link.parameters.get(p.name) or link.parameters.get(f"path.{p.name}")
                value = _evaluate(expression, request_values, canned.value) if expression else None
                if value is None:
                    break
                values.append((p.name, str(value)))
            else:
                key = (target.path, tuple(values))
                self.state.deleted.discard(key)
                self.state.resources.setdefault(key, canned.value)


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif value is not None:
        yield value


def _evaluate(expression: str, path: Mapping[str, str], body: Any) -> Any:
    """A link's runtime expression over the request's path parameters and the response body; None otherwise."""
    found = _EXPRESSION.match(expression.strip())
    if found is None:
        return None
    source, where, name, pointer = found.groups()
    if source == "request" and where == "path":
        return path.get(name or "")
    if source == "response" and where == "body":
        return _pointer(body, pointer or "")
    return None


def _json(value: Any) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class MockEnvelope:
    """A `ServerEnvelope` answering with each operation's documented error schema, code and message filled in.

    The server tells the envelope the code, not the status; the status follows from the code, as the route's facts
    assign them (invalid input, internal error), the routing codes and the mock's own (401, 404).
    """

    def __init__(
        self, package: MockPackage, base: Any, spec: SpecResponses, served: Served, seed: int, documented: bool
    ) -> None:
        self.base = base
        self.documented = documented
        self.spec = spec
        self.served = served
        self.seed = seed
        self.fields = package.api.error_fields
        self.routes = {route.operation_id: route for route in package.server.ROUTES}

    def status_of(self, operation: str | None, code: str) -> int:
        route = self.routes.get(operation or "")
        if code == UNAUTHORIZED_CODE:
            return 401
        if code == NOT_FOUND_CODE:
            return 404
        if route is not None and code in route.invalid_codes.values():
            return int(route.invalid_status)
        if route is not None and code == route.internal_code:
            return 500
        return 400

    def error_body(self, context: Any, code: str, message: str, code_n: int | None) -> object:
        self.served.note(context.request_id, context.operation_id)
        if not self.documented:
            return self.base.error_body(context, code, message, code_n)
        status = self.status_of(context.operation_id, code)
        body = error_body(self.spec, context.operation_id, status, code, message, self.seed, self.fields)
        return self.base.error_body(context, code, message, code_n) if body is None else body

    def routing_code(self, problem: str) -> str:
        return str(self.base.routing_code(problem))
