"""From a validated spec document to the IR (`generator.ir.Api`) and its schema registry, collecting problems.

Operations without an `operationId` are named after their method and path (`docs/constructs.md`): `GET
/pets/{petId}` is `get_pets_pet_id`, a path fragment adds its words (`/files/{id}#shared_link` ->
`get_files_id_shared_link`), `/` is `root`, and a name already taken (by another derived name or an explicit
`operationId`) gets `_2`, `_3` ... in document order. A name the client uses itself (`close`, `send_raw`,
`requests`, `base_url`) gets a trailing `_`.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from generator.errors import GenerationError, Problem, pointer
from generator.ir import (
    ENCODINGS,
    HTTP_METHODS,
    IDEMPOTENT_METHODS,
    Api,
    Body,
    BodyVariant,
    ErrorCode,
    Operation,
    Parameter,
    Response,
    ResponseVariant,
    SecurityScheme,
    Server,
    Webhook,
)
from generator.loader import LoadedSpec, resolve_pointer
from generator.profiles import Profile, resolve
from generator.render import pyrepr
from generator.runtime.media import is_xml, media_encoding
from generator.schemas import SchemaRegistry, class_name, is_binary_string, snake_name

_KINDS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
"""Header parameters OpenAPI says to ignore: the client sets them from the body and the security schemes."""
_STYLES = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
_RESERVED_ARGUMENTS = frozenset(
    {"self", "options", "body", "content_type", "models", "dump", "to_wire", "encode_body", "httpx"}
)
"""Names a client method's parameters may not take: its other arguments, and module names its body uses."""
_CLIENT_ATTRIBUTES = frozenset({"base_url", "requests", "send_raw", "close"})
"""Names a generated client uses itself, so an operation cannot take them as its method name."""
_STATUS_KEY = re.compile(r"^[1-5](\d\d|XX)$", re.IGNORECASE)
_CODE_FIELD = re.compile(r"code|^type$|^error$|^status$", re.IGNORECASE)
_MESSAGE_FIELD = re.compile(r"message|msg|detail|description|reason|^title$", re.IGNORECASE)


def parse_api(spec: LoadedSpec) -> tuple[Api, SchemaRegistry]:
    """The IR of one spec; every problem found is raised together in one GenerationError."""
    profile, problems = resolve(spec)
    registry = SchemaRegistry(spec, problems)
    parser = _Parser(spec, registry, problems, profile)
    api = parser.api()
    problems[:] = [parser.relocated(problem) for problem in problems]
    problems += profile.check(spec, api)
    if any(problem.level == "error" for problem in problems):
        raise GenerationError(problems)
    return api, registry  # warnings stay in `registry.problems`


def derived_name(method: str, path: str) -> str:
    """The method name of an operation without an operationId: method and path words in snake case."""
    words = [word for word in re.split(r"[/#{}]+", path) if word]
    return snake_name("_".join([method, *words]) if words else f"{method}_root")


class _Parser:
    def __init__(self, spec: LoadedSpec, registry: SchemaRegistry, problems: list[Problem], profile: Profile) -> None:
        self.profile = profile
        self.spec = spec
        self.doc = spec.document
        self.registry = registry
        self.problems = problems
        self.error_schemas: list[Any] = []
        self._auth_models: dict[str, str] = {}
        self.relocations: list[tuple[str, str]] = []
        """(pointer into a schema this parser put together, where that part is in the document)."""

    def relocated(self, problem: Problem) -> Problem:
        """`problem` located in the document where it was found in a schema put together here (a parameter's
        schema inside the operation's parameters model)."""
        for made, real in self.relocations:
            if problem.pointer == made or problem.pointer.startswith(made + "/"):
                moved = self.spec.problem(real + problem.pointer[len(made) :], problem.code, problem.message)
                return replace(moved, level=problem.level)
        return problem

    def fail(self, ptr: str, code: str, message: str) -> None:
        self.problems.append(self.spec.problem(ptr, code, message))

    def deref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            node, seen = resolve_pointer(self.doc, node["$ref"][1:]), seen + 1
        return node if isinstance(node, dict) else {}

    def api(self) -> Api:
        info = self.doc.get("info", {})
        operations = self.operations()
        return Api(
            package=self.spec.name,
            title=str(info.get("title", self.spec.name)),
            version=str(info.get("version", "")),
            description=str(info.get("description", "")).strip(),
            profile=self.profile.name,
            spec_file=self.spec.path.name,
            servers=self.servers(),
            security_schemes=self.security_schemes(),
            operations=tuple(operations),
            webhooks=self.webhooks(),
            error_fields=self.error_fields(),
            aliases=frozenset(self.registry.aliases),
        )

    def servers(self) -> tuple[Server, ...]:
        servers = []
        for server in self.doc.get("servers", []) or []:
            url = str(server.get("url", "/"))
            for name, variable in (server.get("variables") or {}).items():
                url = url.replace("{" + name + "}", str((variable or {}).get("default", "")))
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):  # relative to where the spec is served from
                url = "http://localhost" + ("" if url.startswith("/") else "/") + url
            servers.append(Server(url.rstrip("/") or url, server.get("x-region"), str(server.get("description", ""))))
        return tuple(servers)

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

    # ----------------------------------------------------------------------------------------------- operations

    def operations(self) -> list[Operation]:
        found: list[tuple[str, str, dict[str, Any], list[Any], str]] = []
        for path, item in (self.doc.get("paths", {}) or {}).items():
            item = self.deref(item)
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    ptr = f"{pointer('paths', path)}/{method}"
                    found.append((path, method, item[method], item.get("parameters", []) or [], ptr))
        names = self._names([(path, method, raw) for path, method, raw, _, _ in found])
        return [
            self.operation(op_id, py_name, path, method, raw, shared, ptr)
            for (op_id, py_name), (path, method, raw, shared, ptr) in zip(names, found, strict=True)
        ]

    @staticmethod
    def _names(found: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str]]:
        """(operation id, method name) of each operation: explicit operationIds first claim their names, then the
        derived ones (see the module docstring); a taken name gets a number."""
        taken: set[str] = set()
        names: list[tuple[str, str] | None] = [None] * len(found)

        def claim(index: int, op_id: str) -> None:
            base = snake_name(op_id)
            base += "_" if base in _CLIENT_ATTRIBUTES else ""
            py_name, n = base, 2
            while py_name in taken:
                py_name, n = f"{base}_{n}", n + 1
            taken.add(py_name)
            names[index] = (op_id if py_name == base else py_name, py_name)

        for index, (_, _, raw) in enumerate(found):
            op_id = raw.get("operationId")
            if isinstance(op_id, str) and op_id.strip():
                claim(index, op_id)
        for index, (path, method, _) in enumerate(found):
            if names[index] is None:
                claim(index, derived_name(method, path))
        return [name for name in names if name is not None]

    def operation(
        self, op_id: str, py_name: str, path: str, method: str, raw: dict[str, Any], shared: list[Any], ptr: str
    ) -> Operation:
        wire_path = path.split("#", 1)[0] or "/"  # a fragment never goes on the wire: it tells operations apart
        item_ptr = ptr.rsplit("/", 1)[0]
        located = [(p, f"{item_ptr}/parameters/{i}") for i, p in enumerate(shared)] + [
            (p, f"{ptr}/parameters/{i}") for i, p in enumerate(raw.get("parameters", []) or [])
        ]
        effective, managed = self._effective_params(located)
        params = self.parameters(effective)
        params_model = self.params_model(f"{op_id}Params", effective, ptr) if params else None
        auth_headers = self.parameters(managed)
        auth_model = self.auth_headers_model(managed, ptr) if auth_headers else None
        idempotent = raw.get("x-idempotent")
        return Operation(
            operation_id=op_id,
            py_name=py_name,
            method=method.upper(),
            path=path,
            wire_path=wire_path,
            summary=str(raw.get("summary", "")).strip(),
            description=str(raw.get("description", "")).strip(),
            parameters=tuple(params),
            params_model=params_model,
            body=self.body(op_id, raw.get("requestBody"), f"{ptr}/requestBody"),
            responses=self.responses(op_id, raw.get("responses", {}) or {}, f"{ptr}/responses"),
            security=tuple(tuple(sorted(req)) for req in raw.get("security", self.doc.get("security", [])) or []),
            idempotent=bool(idempotent) if isinstance(idempotent, bool) else method.upper() in IDEMPOTENT_METHODS,
            rate_limit=raw.get("x-rate-limit"),
            deprecated=bool(raw.get("deprecated", False)),
            auth_headers=tuple(auth_headers),
            auth_headers_model=auth_model,
        )

    # ----------------------------------------------------------------------------------------------- parameters

    def _effective_params(
        self, located: list[tuple[Any, str]]
    ) -> tuple[list[tuple[dict[str, Any], str]], list[tuple[dict[str, Any], str]]]:
        """(the operation's parameters, the headers its auth flow sets): operation-level parameters override
        path-level ones with the same name and location; headers OpenAPI ignores are left out, and those the auth
        flow sets (`x-auth-managed`) are never client arguments, but a server checks them as the spec says."""
        by_key: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for raw, p_ptr in located:
            p = self.deref(raw)
            for _ in range(32):  # where it is written: through its `$ref`s (a cycle is the validator's to report)
                if not (isinstance(raw, dict) and isinstance(raw.get("$ref"), str) and raw["$ref"].startswith("#/")):
                    break
                p_ptr, raw = raw["$ref"][1:], resolve_pointer(self.doc, raw["$ref"][1:])
            by_key[(str(p.get("name", "")), str(p.get("in", "")))] = (p, p_ptr)
        kept = [
            (p, p_ptr)
            for (name, location), (p, p_ptr) in by_key.items()
            if not (location == "header" and name.lower() in _IGNORED_HEADERS)
        ]
        return [k for k in kept if not k[0].get("x-auth-managed")], [k for k in kept if k[0].get("x-auth-managed")]

    def _param_schema(self, p: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The parameter's schema and, for a `content` parameter, its media type."""
        content = p.get("content")
        if isinstance(content, dict) and content:
            media, obj = next(iter(content.items()))
            return self.deref((obj or {}).get("schema", {})), str(media)
        return self.deref(p.get("schema", {})), None

    def parameters(self, effective: list[tuple[dict[str, Any], str]]) -> list[Parameter]:
        params = []
        used = set(_RESERVED_ARGUMENTS)
        for p, p_ptr in effective:
            location = str(p["in"])
            schema, media = self._param_schema(p)
            kind = self.kind(schema)
            item_kind = self.kind(self.deref(schema.get("items", {}))) if kind == "array" else None
            style = str(p.get("style", ""))
            if style and style not in _STYLES.get(location, ()):
                self.fail(f"{p_ptr}/style", "parameter.style", f"style {style!r} is not defined for {location}")
                continue
            explode = bool(p.get("explode", (style or _STYLES[location][0]) == "form"))
            fields: tuple[tuple[str, str], ...] = ()
            if media is not None:
                kind, item_kind = ("json", None) if media_encoding(media) == "json" else ("string", None)
            elif style == "deepObject":
                kind, item_kind = "object", None  # bracket notation carries nested arrays and objects alike
            if kind == "object":
                fields = tuple((name, self.kind(self.deref(sub))) for name, sub in self._properties(schema).items())
            py_name = snake_name(p["name"])
            while py_name in used:
                py_name += "_"
            used.add(py_name)
            # A required parameter with one allowed value is fixed: never an argument, always sent, and what the
            # server routes on (an RPC `Action`); an optional one stays an argument the caller may leave out.
            required = bool(p.get("required", False)) or location == "path"
            enum = schema.get("enum")
            const = schema.get("const") if required else None
            if const is None and isinstance(enum, list) and len(enum) == 1 and required:
                const = enum[0]
            params.append(
                Parameter(
                    name=p["name"],
                    py_name=py_name,
                    location=location,
                    required=required,
                    annotation=self.annotation(schema),
                    kind=kind,
                    item_kind=item_kind,
                    description=" ".join(str(p.get("description", "")).split()),
                    explode=explode,
                    const=const if isinstance(const, str | int | float | bool) else None,
                    client_setting=p.get("x-client-setting"),
                    style=style,
                    fields=fields,
                    null_text=media is None
                    and _null_text(
                        self.deref(schema.get("items", {})) if kind == "array" else schema, item_kind or kind
                    ),
                )
            )
        return params

    def auth_headers_model(self, managed: list[tuple[dict[str, Any], str]], ptr: str) -> str:
        """The model of a set of auth-managed headers, one per distinct set (they are the signer's, so operations
        usually share one)."""
        key = json.dumps([p for p, _ in managed], sort_keys=True, default=str)
        if key not in self._auth_models:
            self._auth_models[key] = self.params_model("AuthHeaders", managed, ptr)
        return self._auth_models[key]

    def params_model(self, name: str, effective: list[tuple[dict[str, Any], str]], ptr: str) -> str:
        """One closed object schema over the parameters, so client and server validate them with one model."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for p, p_ptr in effective:
            content = p.get("content")
            if isinstance(content, dict) and content:
                schema = dict((next(iter(content.values())) or {}).get("schema", {}) or {})
                real = f"{p_ptr}/content{pointer(next(iter(content)))}/schema"
            else:
                schema = dict(p.get("schema", {}) or {})
                real = f"{p_ptr}/schema"
            self.relocations.append((f"{ptr}/parameters/properties{pointer(p['name'])}", real))
            if p.get("description") and "description" not in schema and "$ref" not in schema:
                schema["description"] = p["description"]
            properties[p["name"]] = schema
            if p.get("required") or p.get("in") == "path":
                required.append(p["name"])
        schema = {"type": "object", "additionalProperties": False, "properties": properties}
        if required:
            schema["required"] = list(dict.fromkeys(required))
        return self.registry.add(name, schema, f"{ptr}/parameters")

    # ----------------------------------------------------------------------------------------------- bodies

    def body(self, op_id: str, raw: Any, ptr: str) -> Body | None:
        if raw is None:
            return None
        body = self.deref(raw)
        content = body.get("content", {}) or {}
        variants = []
        models: list[tuple[Any, str]] = []
        for media, obj in content.items():
            encoding = media_encoding(media)
            schema = (obj or {}).get("schema") if isinstance(obj, dict) else None
            model = None
            if encoding in ("json", "form", "multipart") and isinstance(schema, dict):
                model = self.registry.add(f"{op_id}Request", schema, f"{ptr}/content/{pointer(media)[1:]}/schema")
                models.append((schema, model))
            files = tuple(self._file_fields(schema)) if encoding == "multipart" and schema else ()
            variants.append(BodyVariant(str(media), encoding, model, files))
        for i, variant in enumerate(variants):  # after the others: an XML body reuses their model of its schema
            xml = self._xml_body(op_id, raw, ptr, variant.media_type, content[variant.media_type], models)
            if xml is not None:
                variants[i] = replace(variant, model=xml[0], xml=xml[1])
        if not variants:
            return None
        variants.sort(key=lambda v: ENCODINGS.index(v.encoding))
        return Body(tuple(variants), bool(body.get("required", False)))

    def _xml_body(
        self, op_id: str, raw: Any, ptr: str, media: str, obj: Any, models: list[tuple[Any, str]]
    ) -> tuple[str, str] | None:
        """(model, JSON pointer of the schema) of an XML body whose schema has a structure to check (an object or an
        array); None for any other body, and for XML described as a string, which stays opaque text."""
        schema = obj.get("schema") if isinstance(obj, dict) else None
        if not is_xml(media) or not isinstance(schema, dict) or not _structured(self.deref(schema)):
            return None
        where = ptr
        while isinstance(raw, dict) and isinstance(raw.get("$ref"), str) and where != raw["$ref"][1:]:
            where = raw["$ref"][1:]  # a body written elsewhere (`components/requestBodies`): where it is
            raw = resolve_pointer(self.doc, where)
        schema_ptr = f"{where}/content/{pointer(media)[1:]}/schema"
        model = next((name for other, name in models if other == schema), None)
        return model or self.registry.add(f"{op_id}Request", schema, schema_ptr), schema_ptr

    def _file_fields(self, schema: Any) -> list[str]:
        """Multipart properties that are files: binary strings, or arrays of them."""
        found = []
        for name, sub in self._properties(self.deref(schema) if "$ref" in schema else schema).items():
            target = self.deref(sub) if "$ref" in sub else sub
            items = self.deref(target.get("items", {})) if target.get("type") == "array" else None
            if is_binary_string(target) or (items is not None and is_binary_string(items)):
                found.append(name)
        return found

    def _properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An object schema's properties, `allOf` members' included."""
        merged: dict[str, Any] = {}
        for member in schema.get("allOf", []) or []:
            merged.update(self._properties(self.deref(member)))
        properties = schema.get("properties")
        merged.update({k: v for k, v in (properties or {}).items() if isinstance(v, dict)})
        return merged

    # ----------------------------------------------------------------------------------------------- responses

    def responses(self, op_id: str, raw: dict[str, Any], ptr: str) -> tuple[Response, ...]:
        result = []
        for status_key, value in raw.items():
            key = str(status_key).upper() if str(status_key) != "default" else "default"
            r_ptr = f"{ptr}/{pointer(str(status_key))[1:]}"
            if key != "default" and not _STATUS_KEY.match(key):
                self.fail(r_ptr, "response.status", f"{status_key!r} is not a status code, a range (2XX) or default")
                continue
            response = self.deref(value)
            status = int(key) if key.isdigit() else None
            is_error = (status or 0) >= 400 or key[0] in "45"
            suffix = "" if not is_error and key != "default" else ("Default" if key == "default" else key)
            variants = []
            for media, obj in (response.get("content", {}) or {}).items():
                kind = media_encoding(media)
                kind = kind if kind in ("json", "text") else "binary"
                schema = (obj or {}).get("schema") if isinstance(obj, dict) else None
                model = None
                if kind == "json" and isinstance(schema, dict):
                    model = self.registry.add(
                        f"{op_id}Response{suffix}", schema, f"{r_ptr}/content/{pointer(media)[1:]}/schema"
                    )
                    if is_error or key == "default":
                        self.error_schemas.append(schema)
                variants.append(ResponseVariant(str(media), kind, model))
            variants.sort(key=lambda v: ("json", "text", "binary").index(v.kind))
            codes = tuple(
                ErrorCode(str(c.get("code", "")), str(c.get("message", "")), str(c.get("description", "")))
                for c in response.get("x-error-codes", []) or []
            )
            mapping = response.get("x-validation-error-codes", {}) or {}
            result.append(
                Response(
                    key=key,
                    description=" ".join(str(response.get("description", "")).split()),
                    variants=tuple(variants),
                    error_codes=codes,
                    validation_codes=tuple(sorted((str(k), str(v)) for k, v in mapping.items())),
                    success=not is_error and key != "default",
                )
            )
        if not any(r.success for r in result):
            # `default` is the success when nothing else is; with only errors documented, any 2xx is a success
            # without a documented body.
            default = next((r for r in result if r.key == "default"), None)
            if default is not None:
                result[result.index(default)] = Response(**{**default.__dict__, "success": True})
            else:
                result.append(Response(key="2XX", description="undocumented success", variants=(), success=True))
        return tuple(sorted(result, key=_response_order))

    def error_fields(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Property names the documented error bodies use for a code and a message (top level or under `error`)."""
        codes: list[str] = []
        messages: list[str] = []
        resolved = {id(found): found for found in map(self.deref, self.error_schemas)}  # each operation's, often one
        for schema in resolved.values():
            properties = self._properties(schema)
            nested = self.deref(properties.get("error", {}))
            for name, sub in [*properties.items(), *self._properties(nested).items()]:
                kind = self.kind(self.deref(sub))
                if _CODE_FIELD.search(name) and kind in ("string", "integer"):
                    codes.append(name)
                elif _MESSAGE_FIELD.search(name) and kind == "string":
                    messages.append(name)
        return tuple(dict.fromkeys(codes)), tuple(dict.fromkeys(messages))

    # ----------------------------------------------------------------------------------------------- webhooks

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
            model = body.model if body is not None else None
            rules = self.registry.rules.get(model) if model else None
            hook = Webhook(
                name=name,
                py_name=snake_name(name),
                model=model,
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

    # ----------------------------------------------------------------------------------------------- types

    def kind(self, schema: dict[str, Any], depth: int = 0) -> str:
        """The JSON kind of a schema's values (`string`, `integer`, ... `object`); `string` when it cannot tell."""
        if depth > 16:
            return "string"
        for key in ("anyOf", "oneOf"):
            alternatives = schema.get(key)
            if isinstance(alternatives, list) and "type" not in schema:
                branches = {self.kind(self.deref(a), depth + 1) for a in alternatives} - {"null"}
                return "object" if "object" in branches else (branches.pop() if len(branches) == 1 else "string")
        for member in schema.get("allOf", []) or []:
            found = self.kind(self.deref(member), depth + 1)
            if found != "string" or "type" in self.deref(member):
                return found
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if len(kinds) == 1 else ("string" if kinds else "null")
        if kind is None and "enum" in schema and schema["enum"]:
            values = [v for v in schema["enum"] if v is not None]
            kind = (
                _value_kind(values[0])
                if values and all(_value_kind(v) == _value_kind(values[0]) for v in values)
                else "string"
            )
        if kind is None and "const" in schema:
            kind = _value_kind(schema["const"])
        if kind is None and "properties" in schema:
            kind = "object"
        return str(kind) if kind in ("string", "integer", "number", "boolean", "array", "object", "null") else "string"

    def annotation(self, schema: dict[str, Any], depth: int = 0) -> str:
        """The Python type a client method takes for a parameter."""
        if depth > 16:
            return "Any"
        for key in ("anyOf", "oneOf"):
            alternatives = schema.get(key)
            if isinstance(alternatives, list) and alternatives and "type" not in schema:
                parts = [self.annotation(self.deref(a), depth + 1) for a in alternatives]
                return _union(parts)
        values = schema.get("enum")
        if isinstance(values, list) and values:
            known = [v for v in values if v is not None and not isinstance(v, dict | list)]
            literal = "Literal[" + ", ".join(pyrepr(v) for v in known) + "]" if known else "Any"
            return _union([literal, *(["None"] if None in values else [])])
        if "const" in schema and not isinstance(schema["const"], dict | list):
            return f"Literal[{pyrepr(schema['const'])}]" if schema["const"] is not None else "None"
        kind = self.kind(schema, depth)
        nullable = schema.get("nullable") is True or (isinstance(schema.get("type"), list) and "null" in schema["type"])
        if kind == "array":
            found = f"list[{self.annotation(self.deref(schema.get('items', {})), depth + 1)}]"
        elif kind == "object":
            found = "dict[str, Any]"
        elif "type" not in schema and not any(k in schema for k in ("allOf", "enum", "const", "properties")):
            found = "Any"
        else:
            found = _KINDS.get(kind, "str")
        return _union([found, "None"]) if nullable and found not in ("Any", "None") else found


def _union(parts: list[str]) -> str:
    """A union of annotations, `None` last, without repeats; `Any` absorbs everything."""
    flat = list(dict.fromkeys(piece for part in parts for piece in part.split(" | ")))
    if "Any" in flat:
        return "Any"
    return " | ".join([*(p for p in flat if p != "None"), *(["None"] if "None" in flat else [])])


def _value_kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _response_order(response: Response) -> tuple[int, str]:
    """Exact statuses in order, then ranges, then `default`."""
    if response.status is not None:
        return (0, f"{response.status:03d}")
    return (1, response.key) if response.key != "default" else (2, "")


def _structured(schema: dict[str, Any]) -> bool:
    """Whether a (dereferenced) schema describes XML with a structure: an object or an array, not text."""
    kind = schema.get("type")
    kinds = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()
    return bool(kinds & {"object", "array"}) or bool(
        {"properties", "items", "additionalProperties", "allOf", "oneOf", "anyOf"} & schema.keys()
    )


def _null_text(schema: dict[str, Any], kind: str) -> bool:
    """Whether the wire text `null` of a parameter value (or item) of `schema` can only mean null: the schema allows
    null (`type` lists it, `nullable`, an `enum` or `const` with null) and no string `null` in its place (a kind other
    than string, or an `enum`/`const` without the string). The client spells null `null` (`params.render`)."""
    kinds = schema.get("type")
    enum = schema.get("enum")
    allows = (
        (isinstance(kinds, list) and "null" in kinds)
        or kinds == "null"
        or schema.get("nullable") is True
        or (isinstance(enum, list) and None in enum)
        or ("const" in schema and schema["const"] is None)
    )
    if not allows:
        return False
    if isinstance(enum, list):
        return "null" not in enum
    if "const" in schema:
        return bool(schema["const"] != "null")
    return kind != "string"
