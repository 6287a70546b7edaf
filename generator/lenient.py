"""`generate --lenient`: documents that break OpenAPI's rules in ways with one obvious meaning, repaired.

Real vendor documents often fail strict validation on points any reader understands: a property listed twice in
`required`, JSON Schema draft 4's `exclusiveMinimum: true` in an OpenAPI 3.1 document (or 3.1's numeric form in 3.0),
a type array in 3.0, a path parameter used in the path but never declared (or declared optional), a `default` of the
wrong JSON type, a one-element tuple `items: [X]`, an annotation keyword where OpenAPI has none. Each repair here is
applied to a copy of the document before validation and reported as a located warning (`lenient.<kind>`); anything
else still fails as strictly as without `--lenient`. The default stays strict.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.errors import escape_pointer_token
from generator.ir import HTTP_METHODS

__all__ = ["Repair", "repaired"]

_TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_OPERATION_FIELDS = frozenset(
    {
        "tags",
        "summary",
        "description",
        "externalDocs",
        "operationId",
        "parameters",
        "requestBody",
        "responses",
        "callbacks",
        "deprecated",
        "security",
        "servers",
    }
)
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_REQUIRED = "path parameters are required: read as required"


@dataclass(frozen=True)
class Repair:
    """One deviation repaired: where, which kind, and what was done."""

    pointer: str
    code: str
    message: str


def repaired(document: dict[str, Any]) -> tuple[dict[str, Any], list[Repair]]:
    """A repaired copy of `document` and the repairs made (none: the copy equals the document)."""
    fixed = copy.deepcopy(document)
    v31 = str(fixed.get("openapi", "")).startswith("3.1")
    repairs: list[Repair] = []
    for ptr, node in list(_dicts(fixed, "")):
        repairs += _repair_schema_keywords(ptr, node, v31=v31)
    repairs += _repair_operations(fixed)
    return fixed, sorted(repairs, key=lambda r: (r.pointer, r.code))


def _dicts(node: Any, ptr: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield ptr, node
        for key, value in node.items():
            yield from _dicts(value, f"{ptr}/{escape_pointer_token(key)}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _dicts(value, f"{ptr}/{i}")


def _repair_schema_keywords(ptr: str, node: dict[str, Any], *, v31: bool) -> list[Repair]:
    repairs = []
    required = node.get("required")
    if isinstance(required, list) and all(isinstance(r, str) for r in required) and len(set(required)) < len(required):
        node["required"] = list(dict.fromkeys(required))
        repairs.append(Repair(f"{ptr}/required", "lenient.duplicate-required", "repeated names listed once"))
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(bound)
        if v31 and isinstance(value, bool):
            if value and isinstance(node.get(limit), int | float):
                node[bound] = node.pop(limit)
            else:
                del node[bound]
            repairs.append(Repair(f"{ptr}/{bound}", "lenient.exclusive-bound", f"the 3.0 form read as 3.1's {bound}"))
        elif not v31 and isinstance(value, int | float) and not isinstance(value, bool):
            node[limit], node[bound] = value, True
            repairs.append(Repair(f"{ptr}/{bound}", "lenient.exclusive-bound", f"the 3.1 form read as 3.0's {bound}"))
    kind = node.get("type")
    if not v31 and isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) == 1:
            node["type"] = kinds[0]
            if "null" in kind:
                node["nullable"] = True
            repairs.append(Repair(f"{ptr}/type", "lenient.type-array", "a 3.1 type array read as type and nullable"))
    items = node.get("items")
    if isinstance(items, list) and len(items) == 1 and isinstance(items[0], dict):
        node["items"] = items[0]
        repairs.append(Repair(f"{ptr}/items", "lenient.items-list", "a one-schema list read as that schema"))
    if "default" in node and isinstance(kind, str) and kind in _TYPES:
        default = node["default"]
        fits = isinstance(default, _TYPES[kind]) and not (kind in ("integer", "number") and isinstance(default, bool))
        if default is not None and not fits:
            del node["default"]
            repairs.append(Repair(f"{ptr}/default", "lenient.default", f"a default that is not a {kind} is ignored"))
    return repairs


def _repair_operations(document: dict[str, Any]) -> list[Repair]:
    """Path parameters the path uses but nobody declared (a required string), or declared optional; fields an
    operation object has no place for (annotations such as `title`)."""
    repairs = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        item_ptr = "/paths/" + escape_pointer_token(path)
        shared = [p for p in item.get("parameters", []) or [] if isinstance(p, dict)]
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            op_ptr = f"{item_ptr}/{method}"
            for key in [k for k in operation if k not in _OPERATION_FIELDS and not k.startswith("x-")]:
                del operation[key]
                message = f"{key!r} has no place in an operation: ignored"
                repairs.append(Repair(f"{op_ptr}/{key}", "lenient.unknown-field", message))
            own = [p for p in operation.get("parameters", []) or [] if isinstance(p, dict)]
            declared = {p.get("name") for p in [*shared, *own] if p.get("in") == "path"}
            for i, parameter in enumerate(own):
                if parameter.get("in") == "path" and parameter.get("required") is not True:
                    parameter["required"] = True
                    repairs.append(Repair(f"{op_ptr}/parameters/{i}/required", "lenient.path-required", _REQUIRED))
            for name in _PLACEHOLDER.findall(path.split("#", 1)[0]):
                if name not in declared:
                    operation.setdefault("parameters", []).append(
                        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    )
                    repairs.append(
                        Repair(op_ptr, "lenient.path-parameter", f"{{{name}}} is used but not declared: a string")
                    )
        for i, parameter in enumerate(shared):
            if parameter.get("in") == "path" and parameter.get("required") is not True:
                parameter["required"] = True
                repairs.append(Repair(f"{item_ptr}/parameters/{i}/required", "lenient.path-required", _REQUIRED))
    return repairs
