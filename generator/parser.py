"""From a validated spec document to the IR (`generator.ir.Api`) and its schema registry, collecting problems."""

from __future__ import annotations

from typing import Any

from generator.errors import GenerationError, Problem, pointer
from generator.ir import (
    HTTP_METHODS,
    IDEMPOTENT_METHODS,
    Api,
    Body,
    ErrorCode,
    Operation,
    Parameter,
    Response,
    SecurityScheme,
    Server,
    Webhook,
    essence,
)
from generator.loader import LoadedSpec, resolve_pointer
from generator.profiles import Profile, resolve
from generator.schemas import SchemaRegistry, class_name, snake_name

JSON_MEDIA_TYPES = ("application/json",)
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MULTIPART_MEDIA_TYPE = "multipart/form-data"
_KINDS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def parse_api(spec: LoadedSpec) -> tuple[Api, SchemaRegistry]:
    """The IR of one spec; every problem found is raised together in one GenerationError."""
    profile, problems = resolve(spec)
    registry = SchemaRegistry(spec, problems)
    parser = _Parser(spec, registry, problems, profile)
    api = parser.api()
    problems += profile.check(spec, api)
    if problems:
        raise GenerationError(problems)
    return api, registry


class _Parser:
    def __init__(self, spec: LoadedSpec, registry: SchemaRegistry, problems: list[Problem], profile: Profile) -> None:
        self.profile = profile
        self.spec = spec
        self.doc = spec.document
        self.registry = registry
        self.problems = problems

    def fail(self, ptr: str, code: str, message: str) -> None:
        self.problems.append(self.spec.problem(ptr, code, message))

    def deref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            node, seen = resolve_pointer(self.doc, node["$ref"][1:]), seen + 1
        return node

    def api(self) -> Api:
        info = self.doc.get("info", {})
        operations = self.operations()
        ids: dict[str, str] = {}
        for op, ptr in operations:
            if op.operation_id in ids:
                self.fail(
                    f"{ptr}/operationId",
                    "operation.duplicate-id",
                    f"operationId {op.operation_id!r} is already used at {ids[op.operation_id]}",
                )
            ids.setdefault(op.operation_id, ptr)
        return Api(
            package=self.spec.name,
            title=str(info.get("title", self.spec.name)),
            version=str(info.get("version", "")),
            description=str(info.get("description", "")).strip(),
            profile=self.profile.name,
            spec_file=self.spec.path.name,
            spec_sha256=self.spec.sha256,
            servers=self.servers(),
            security_schemes=self.security_schemes(),
            operations=tuple(op for op, _ in operations),
            webhooks=self.webhooks(),
        )

    def servers(self) -> tuple[Server, ...]:
        return tuple(
            Server(str(s.get("url", "/")), s.get("x-region"), str(s.get("description", "")))
            for s in self.doc.get("servers", []) or []
        )

    def security_schemes(self) -> tuple[SecurityScheme, ...]:
        schemes = []
        for name, raw in (self.doc.get("components", {}).get("securitySchemes", {}) or {}).items():
            scheme = self.deref(raw)
            signing = scheme.get("x-signing")
            schemes.append(
                SecurityScheme(
                    name=name,
                    kind=str(scheme.get("type", "")),
                    signing=signing if isinstance(signing, str) else None,
                    http_scheme=str(scheme.get("scheme", "")).lower(),
                    location=str(scheme.get("in", "header")),
                    parameter=str(scheme.get("name", "")),
                    details={k[2:]: v for k, v in scheme.items() if k.startswith("x-") and k != "x-signing"},
                )
            )
        return tuple(schemes)

    def operations(self) -> list[tuple[Operation, str]]:
        result = []
        for path, item in (self.doc.get("paths", {}) or {}).items():
            item_ptr = pointer("paths", path)
            item = self.deref(item)
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    op_ptr = f"{item_ptr}/{method}"
                    op = self.operation(path, method, item[method], shared, op_ptr)
                    if op is not None:
                        result.append((op, op_ptr))
        return result

    def operation(self, path: str, method: str, raw: dict[str, Any], shared: list[Any], ptr: str) -> Operation | None:
        op_id = raw.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            self.fail(ptr, "operation.no-id", "every operation needs an operationId (it names the client method)")
            return None
        wire_path = path.split("#", 1)[0] or "/"  # a fragment never goes on the wire: it tells operations apart
        item_ptr = ptr.rsplit("/", 1)[0]
        located = [(p, f"{item_ptr}/parameters/{i}") for i, p in enumerate(shared)] + [
            (p, f"{ptr}/parameters/{i}") for i, p in enumerate(raw.get("parameters", []))
        ]
        params = self.parameters(located)
        params_model = self.params_model(op_id, located, ptr) if params else None
        idempotent = raw.get("x-idempotent")
        return Operation(
            operation_id=op_id,
            py_name=snake_name(op_id),
            method=method.upper(),
            path=path,
            wire_path=wire_path,
            summary=str(raw.get("summary", "")).strip(),
            description=str(raw.get("description", "")).strip(),
            parameters=tuple(params),
            params_model=params_model,
            body=self.body(op_id, raw.get("requestBody"), f"{ptr}/requestBody"),
            responses=self.responses(op_id, raw.get("responses", {}), f"{ptr}/responses"),
            security=tuple(tuple(sorted(req)) for req in raw.get("security", self.doc.get("security", [])) or []),
            idempotent=bool(idempotent) if isinstance(idempotent, bool) else method.upper() in IDEMPOTENT_METHODS,
            rate_limit=raw.get("x-rate-limit"),
            deprecated=bool(raw.get("deprecated", False)),
        )

    def _effective_params(self, located: list[tuple[Any, str]]) -> list[tuple[dict[str, Any], str]]:
        """Operation-level parameters override path-level ones with the same name and location."""
        by_key: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for raw, p_ptr in located:
            p = self.deref(raw)
            by_key[(p.get("name", ""), p.get("in", ""))] = (p, p_ptr)
        return [v for v in by_key.values() if v[0].get("in") != "cookie" and not v[0].get("x-auth-managed")]

    def parameters(self, located: list[tuple[Any, str]]) -> list[Parameter]:
        params = []
        used: set[str] = set()
        for p, p_ptr in self._effective_params(located):
            schema = self.deref(p.get("schema", {}))
            if "content" in p:
                self.fail(p_ptr, "parameter.unsupported", "parameters with `content` are not supported; use `schema`")
                continue
            if p["in"] == "header" and p["name"].lower() in ("accept", "content-type", "authorization"):
                continue
            kind = _kind(schema, self.deref)
            item_kind = _kind(self.deref(schema.get("items", {})), self.deref) if kind == "array" else None
            deep = p["in"] == "query" and p.get("style") == "deepObject"
            if "object" in (kind, item_kind) and not deep:
                self.fail(p_ptr, "parameter.unsupported", "object parameters are supported as query deepObject only")
                continue
            if deep and kind == "array":
                kind, item_kind = "object", None  # bracket notation carries nested arrays and objects alike
            if kind not in ("string", "integer", "number", "boolean", "array", "object") or item_kind == "array":
                self.fail(p_ptr, "parameter.unsupported", f"parameter type {kind!r} is not supported")
                continue
            py_name = snake_name(p["name"])
            while py_name in used:
                py_name += "_"
            used.add(py_name)
            enum = schema.get("enum")
            const = schema.get("const")
            if const is None and isinstance(enum, list) and len(enum) == 1 and p.get("required"):
                const = enum[0]
            params.append(
                Parameter(
                    name=p["name"],
                    py_name=py_name,
                    location=p["in"],
                    required=bool(p.get("required", False)),
                    annotation=_annotation(schema, self.deref),
                    kind=kind,
                    item_kind=item_kind,
                    description=" ".join(str(p.get("description", "")).split()),
                    explode=bool(p.get("explode", p.get("style", "form") == "form")),
                    const=str(const) if const is not None else None,
                    client_setting=p.get("x-client-setting"),
                )
            )
        return params

    def params_model(self, op_id: str, located: list[tuple[Any, str]], ptr: str) -> str:
        """One closed object schema over the parameters, so client and server validate them with one model."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for p, _ in self._effective_params(located):
            if p["in"] == "header" and p["name"].lower() in ("accept", "content-type", "authorization"):
                continue
            schema = dict(p.get("schema", {}))
            if p.get("description") and "description" not in schema:
                schema["description"] = p["description"]
            properties[p["name"]] = schema
            if p.get("required"):
                required.append(p["name"])
        schema = {"type": "object", "additionalProperties": False, "properties": properties}
        if required:
            schema["required"] = required
        return self.registry.add(f"{op_id}Params", schema, f"{ptr}/parameters")

    def body(self, op_id: str, raw: Any, ptr: str) -> Body | None:
        if raw is None:
            return None
        body = self.deref(raw)
        content = body.get("content", {})
        media = _first_media(content, JSON_MEDIA_TYPES) or _first_media(
            content, (FORM_MEDIA_TYPE, MULTIPART_MEDIA_TYPE)
        )
        if media is None:
            self.fail(
                f"{ptr}/content",
                "body.unsupported",
                f"request media types {sorted(content)} are not supported "
                f"(expected application/json, {FORM_MEDIA_TYPE} or {MULTIPART_MEDIA_TYPE})",
            )
            return None
        schema = content[media].get("schema", {})
        model = self.registry.add(f"{op_id}Request", schema, f"{ptr}/content/{pointer(media)[1:]}/schema")
        return Body(media, model, bool(body.get("required", False)))

    def responses(self, op_id: str, raw: dict[str, Any], ptr: str) -> tuple[Response, ...]:
        result = []
        for status_key, value in raw.items():
            r_ptr = f"{ptr}/{status_key}"
            status = str(status_key)
            if status == "default":
                continue  # undocumented statuses: the client raises the API's base error, parsed by its envelope
            if not status.isdigit():
                self.fail(r_ptr, "response.status", f"status {status!r} is not supported: list exact statuses")
                continue
            response = self.deref(value)
            content = response.get("content", {}) or {}
            json_media = _first_media(content, JSON_MEDIA_TYPES)
            media = json_media or next(iter(content), None)
            model = None
            if json_media is not None and "schema" in content[json_media]:
                model = self.registry.add(
                    f"{op_id}Response{status}" if int(status) >= 400 else f"{op_id}Response",
                    content[json_media]["schema"],
                    f"{r_ptr}/content/{pointer(json_media)[1:]}/schema",
                )
            codes = tuple(
                ErrorCode(str(c.get("code", "")), str(c.get("message", "")), str(c.get("description", "")))
                for c in response.get("x-error-codes", []) or []
            )
            mapping = response.get("x-validation-error-codes", {}) or {}
            result.append(
                Response(
                    status=int(status),
                    description=" ".join(str(response.get("description", "")).split()),
                    model=model,
                    media_type=media,
                    error_codes=codes,
                    validation_codes=tuple(sorted((str(k), str(v)) for k, v in mapping.items())),
                )
            )
        if not any(not r.is_error for r in result):
            self.fail(ptr, "response.no-success", f"{op_id} documents no success status")
        return tuple(sorted(result, key=lambda r: r.status))

    def webhooks(self) -> tuple[Webhook, ...]:
        hooks: list[Webhook] = []
        schemes: set[str] = set()
        for name, item in (self.doc.get("webhooks", {}) or {}).items():
            ptr = pointer("webhooks", name)
            post = self.deref(item).get("post")
            if not isinstance(post, dict):
                self.fail(ptr, "webhook.unsupported", "webhooks are supported as `post` operations only")
                continue
            body = self.body(class_name(name) + "Event", post.get("requestBody"), f"{ptr}/post/requestBody")
            if body is None:
                self.fail(f"{ptr}/post", "webhook.no-body", "a webhook needs a JSON request body")
                continue
            rules = self.registry.rules.get(body.model)
            hook = Webhook(
                name=name,
                py_name=snake_name(name),
                model=body.model,
                description=" ".join(str(post.get("description", post.get("summary", ""))).split()),
                signature=dict(post.get("x-signature", {}) or {}),
                json_content=tuple(sorted(rules.json_content.items())) if rules else (),
            )
            known = sorted(self.profile.webhook_schemes)
            if hook.signature and hook.scheme not in known:
                offered = f"the {self.profile.name} profile's schemes: {', '.join(known) or 'none'}"
                self.fail(
                    f"{ptr}/post/x-signature",
                    "webhook.scheme",
                    f"x-signature.scheme must be one of {offered}; got {hook.scheme!r}"
                    if "scheme" in hook.signature
                    else f"x-signature needs a `scheme` ({offered})",
                )
            elif schemes and hook.scheme not in schemes:
                where = f"{ptr}/post/x-signature" if hook.signature else f"{ptr}/post"
                self.fail(where, "webhook.scheme", "every webhook of a spec must use one scheme")
            else:
                schemes.add(hook.scheme)
            hooks.append(hook)
        return tuple(hooks)


def _first_media(content: dict[str, Any], kinds: tuple[str, ...]) -> str | None:
    """The first media type key of `content` whose essence is one of `kinds`."""
    return next((m for m in content if essence(m) in kinds), None)


def _kind(schema: dict[str, Any], deref: Any) -> str:
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list) and "type" not in schema:
        branches = {_kind(deref(a), deref) for a in alternatives}
        return "object" if "object" in branches else (branches.pop() if len(branches) == 1 else "string")
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None and "enum" in schema:
        values = schema["enum"]
        kind = "string" if all(isinstance(v, str) for v in values) else "integer"
    if kind is None and "const" in schema:
        kind = "string"
    return str(kind)


def _annotation(schema: dict[str, Any], deref: Any) -> str:
    """The Python type a client method takes for a parameter."""
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list) and "type" not in schema:
        return " | ".join(dict.fromkeys(_annotation(deref(a), deref) for a in alternatives))
    values = schema.get("enum")
    if isinstance(values, list) and values:
        return "Literal[" + ", ".join(repr(v) if not isinstance(v, str) else f'"{v}"' for v in values) + "]"
    kind = _kind(schema, deref)
    if kind == "array":
        return f"list[{_annotation(deref(schema.get('items', {})), deref)}]"
    if kind == "object":
        return "dict[str, Any]"
    return _KINDS.get(kind, "str")
