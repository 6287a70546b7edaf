"""`generate --with-tests`: a test module shipped in each package, so a project that vendors it can run `pytest`.

`tests/test_<package>.py` (with its data, `tests/cases_<package>.json`) calls every operation through the
package's own asynchronous client against the package's own server (`server.create_app`, the `[server]` extra), in
process over `httpx.ASGITransport`. Each call sends valid arguments (every required parameter and the body,
instances of their schemas) and the server's handler answers the operation's documented success response (the
spec's example, else an instance of the schema: what the mock answers, `generator.mock.responses`); the test checks
that the request reached that operation's handler with the arguments sent, and that the client returns what was
answered. Everything it sends and answers is written beside it as data at generation time: it imports nothing but
the package, httpx and pytest, so it runs wherever the package is installed or vendored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.conformance import SpecResponses
from generator.instances import InstanceGenerator, UnsatisfiableSchema
from generator.ir import Api, Operation
from generator.loader import resolve_pointer

__all__ = ["arguments", "operation_node", "test_files"]

SEED = 0


def operation_node(document: Mapping[str, Any], op: Operation) -> Mapping[str, Any]:
    """The operation object of `op` in the document, through a `$ref` of its path item."""
    item = document["paths"][op.path]
    if isinstance(item, Mapping) and "$ref" in item:
        item = resolve_pointer(document, item["$ref"][1:])
    node: Mapping[str, Any] = item[op.method.lower()]
    return node


def arguments(generator: InstanceGenerator, document: Mapping[str, Any], op: Operation) -> dict[str, Any]:
    """Valid arguments for `op`'s client method: every required parameter (the client's settings aside), and the
    body (its first media type) when required. Raises UnsatisfiableSchema when a schema has no instance."""
    node = operation_node(document, op)
    item = document["paths"][op.path]
    if isinstance(item, Mapping) and "$ref" in item:
        item = resolve_pointer(document, item["$ref"][1:])
    schemas: dict[tuple[str, str], Any] = {}
    for raw in [*(item.get("parameters") or []), *(node.get("parameters") or [])]:
        param = resolve_pointer(document, raw["$ref"][1:]) if "$ref" in raw else raw
        content = param.get("content")
        schema = next(iter(content.values())).get("schema", {}) if content else param.get("schema", {})
        schemas[(param["name"], param["in"])] = schema
    found: dict[str, Any] = {}
    for param in op.parameters:
        if not param.is_argument or not param.required or param.client_setting:
            continue
        schema = schemas[(param.name, param.location)]
        value = generator.generate(schema, direction="request", variant="minimal")
        if param.location == "path" and value in ("", [], {}, None):  # a path segment cannot be empty or null
            value = generator.generate(schema, direction="request", variant="full", seed=1)
        found[param.py_name] = value
    if op.body is not None and op.body.required:
        variant = op.body.variants[0]
        body_node = node["requestBody"]
        if "$ref" in body_node:
            body_node = resolve_pointer(document, body_node["$ref"][1:])
        schema = body_node["content"][variant.media_type].get("schema", {})
        if variant.encoding in ("json", "form", "multipart"):
            body = generator.generate(schema, direction="request", variant="minimal")
            if body is None:  # a nullable body: None is no body to the client, so send a value
                body = generator.generate(schema, direction="request", variant="full", seed=1)
            found["body"] = body
        else:
            found["body"] = "text" if variant.encoding == "text" else b"\x00binary"
    return found


def _case(spec: SpecResponses, document: Mapping[str, Any], op: Operation) -> dict[str, Any]:
    from generator.mock.responses import success

    response = next((r for r in op.successes if r.status is not None), None)
    status = response.status if response is not None and response.status is not None else 200
    variant = next(iter(response.variants), None) if response is not None else None
    media = variant.media_type if variant is not None else None
    canned = success(spec, op.operation_id, status, media, SEED)
    json_body = canned.media_type is not None and canned.value is not None and variant is not None
    return {
        "operation_id": op.operation_id,
        "arguments": arguments(spec.instances, document, op),
        "status": canned.status,
        "headers": {**canned.headers, **({"Content-Type": canned.media_type} if canned.media_type else {})},
        "body": canned.body.decode("latin-1") if canned.body is not None else None,
        "json": json_body and variant is not None and variant.kind == "json",
    }


def test_files(api: Api, document: Mapping[str, Any], credentials: Any) -> dict[str, str]:
    """The package's test module and its data (`cases_<package>.json`), by name in `generator.packaging.TESTS_FOLDER`.
    `credentials`: an instance of the package's public credentials class (the emulator's local keys, which the
    test's server does not check; None for a package that signs nothing)."""
    from generator.mock.package import operation_nodes

    spec = SpecResponses(document, operation_nodes(document, api))
    cases: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for op in api.operations:
        try:
            cases[op.py_name] = _case(spec, document, op)
        except UnsatisfiableSchema as exc:
            skipped[op.py_name] = f"no valid arguments or answer: {exc}"
    made = None
    if credentials is not None:
        fields = {k: v for k, v in vars(credentials).items() if not k.startswith("_")}
        made = [type(credentials).__name__, fields]
    data = json.dumps({"cases": cases, "skipped": skipped, "credentials": made}, indent=1, sort_keys=True)
    template = (Path(__file__).parent / "templates" / "package_test.py.txt").read_text(encoding="utf-8")
    return {
        f"test_{api.package}.py": template.replace("@PACKAGE@", api.package),
        f"cases_{api.package}.json": data + "\n",
    }
