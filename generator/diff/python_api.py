"""What changes for callers of the generated Python package, from both sides' IR (root `python` changes).

The IR is being reworked on another branch, so this module is the only one in `diff` that reads it, and it reads
only attributes that the rework keeps: each operation's `operation_id`, `py_name`, `method`, `path`, `parameters`
(`py_name`, `annotation`, `required`, `location`, `is_argument`), `body` (`model`, `required`), `successes` and
`errors` (`status`, `model`), `exception_name`, and the registry's `schemas` (each converted schema's `properties`
and `required`). Methods pair by name, then by HTTP method and path (a renamed method); arguments by name; models
by class name; fields by wire name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from generator.diff.model import Change
from generator.errors import pointer
from generator.ir import Api, Operation, exception_name
from generator.schemas import SchemaRegistry

_TYPING_KEYWORDS = frozenset(
    {"type", "format", "enum", "const", "$ref", "items", "anyOf", "oneOf", "allOf", "nullable", "additionalProperties"}
)
"""The keywords that shape a field's Python type (bounds, patterns and defaults are checked, not typed)."""


Surface = tuple[Api, Mapping[str, Any]]
"""What this module reads of a side: its IR's API and the registry's converted schemas (`surface`)."""


def surface(parsed: tuple[Api, SchemaRegistry]) -> Surface:
    """The part of `parse_api`'s result that the Python API diff reads: small to keep for the next diff."""
    api, registry = parsed
    return api, registry.schemas


def python_changes(base: Surface, revision: Surface) -> Iterator[Change]:
    """Every change to the generated package's methods, models and exceptions."""
    (b_api, b_models), (r_api, r_models) = base, revision
    yield from _methods(b_api, r_api)
    yield from _models(b_models, r_models)
    b_errors, r_errors = _exceptions(b_api), _exceptions(r_api)
    for name in sorted(r_errors - b_errors):
        yield Change("python-exception-added", "python", "", None, None, name)
    for name in sorted(b_errors - r_errors):
        yield Change("python-exception-removed", "python", "", None, None, name)


def _ptr(op: Operation) -> str:
    return pointer("paths", op.path, op.method.lower())


def _methods(base: Api, revision: Api) -> Iterator[Change]:
    b_ops = {op.py_name: op for op in base.operations}
    r_ops = {op.py_name: op for op in revision.operations}
    pairs = [(b_ops[n], r_ops[n]) for n in sorted(b_ops.keys() & r_ops.keys())]
    removed = {(op.method, op.path): op for n, op in sorted(b_ops.items()) if n not in r_ops}
    added = {(op.method, op.path): op for n, op in sorted(r_ops.items()) if n not in b_ops}
    for route in sorted(removed.keys() & added.keys()):
        old, new = removed.pop(route), added.pop(route)
        yield Change(
            "python-method-renamed", "python", new.operation_id, _ptr(old), _ptr(new), new.py_name, old.py_name
        )
        pairs.append((old, new))
    for op in removed.values():
        yield Change("python-method-removed", "python", op.operation_id, _ptr(op), None, op.py_name)
    for op in added.values():
        yield Change("python-method-added", "python", op.operation_id, None, _ptr(op), op.py_name)
    for old, new in pairs:
        yield from _arguments(old, new)
        b_result, r_result = _result(old), _result(new)
        if b_result != r_result:
            subject = f"the result of {new.py_name}()"
            yield Change(
                "python-result-type-changed",
                "python",
                new.operation_id,
                _ptr(old),
                _ptr(new),
                subject,
                b_result,
                r_result,
            )


def _argument_table(op: Operation) -> dict[str, tuple[str, bool]]:
    """The method's arguments: name -> (annotation, required); the body is the argument `body`."""
    args = {p.py_name: (p.annotation, p.required) for p in op.parameters if p.is_argument}
    if op.body is not None:
        args["body"] = (f"models.{op.body.model}", op.body.required)
    return args


def _arguments(old: Operation, new: Operation) -> Iterator[Change]:
    before, after = _argument_table(old), _argument_table(new)
    name, b_ptr, r_ptr = new.operation_id, _ptr(old), _ptr(new)
    for arg in sorted(after.keys() - before.keys()):
        flags = frozenset({"required"}) if after[arg][1] else frozenset()
        subject = f"argument `{arg}` of {new.py_name}()"
        yield Change("python-argument-added", "python", name, None, r_ptr, subject, None, after[arg][0], flags=flags)
    for arg in sorted(before.keys() - after.keys()):
        subject = f"argument `{arg}` of {new.py_name}()"
        yield Change("python-argument-removed", "python", name, b_ptr, None, subject, before[arg][0])
    for arg in sorted(before.keys() & after.keys()):
        (b_type, b_required), (r_type, r_required) = before[arg], after[arg]
        subject = f"argument `{arg}` of {new.py_name}()"
        if b_required != r_required:
            kind = "python-argument-became-required" if r_required else "python-argument-became-optional"
            yield Change(kind, "python", name, b_ptr, r_ptr, subject)
        if b_type != r_type:
            yield Change("python-argument-type-changed", "python", name, b_ptr, r_ptr, subject, b_type, r_type)


def _result(op: Operation) -> list[str]:
    """What the method returns: its success models (`None` for a success without one)."""
    return sorted({r.model or "None" for r in op.successes})


def _exceptions(api: Api) -> set[str]:
    return {exception_name(r.status) for op in api.operations for r in op.errors if r.status is not None}


def _field_type(schema: Any) -> Any:
    """The part of a field's schema that makes its Python type: what code that reads or sets the field relies on."""
    if isinstance(schema, dict):
        return {k: _field_type(v) for k, v in schema.items() if k in _TYPING_KEYWORDS}
    if isinstance(schema, list):
        return [_field_type(v) for v in schema]
    return schema


def _fields(schema: dict[str, Any]) -> dict[str, Any]:
    fields = schema.get("properties")
    return fields if isinstance(fields, dict) else {}


def _models(b_models: Mapping[str, Any], r_models: Mapping[str, Any]) -> Iterator[Change]:
    for model in sorted(r_models.keys() - b_models.keys()):
        yield Change("python-model-added", "python", "", None, None, f"models.{model}")
    for model in sorted(b_models.keys() - r_models.keys()):
        yield Change("python-model-removed", "python", "", None, None, f"models.{model}")
    for model in sorted(b_models.keys() & r_models.keys()):
        old, new = b_models[model], r_models[model]
        if old == new:  # everything below is read from the schema: the same one changes nothing
            continue
        b_fields, r_fields = _fields(old), _fields(new)
        b_required, r_required = set(old.get("required") or ()), set(new.get("required") or ())
        for field in sorted(r_fields.keys() - b_fields.keys()):
            flags = frozenset({"required"}) if field in r_required else frozenset()
            subject = f"field `{field}` of models.{model}"
            yield Change("python-field-added", "python", "", None, None, subject, flags=flags)
        for field in sorted(b_fields.keys() - r_fields.keys()):
            yield Change("python-field-removed", "python", "", None, None, f"field `{field}` of models.{model}")
        for field in sorted(b_fields.keys() & r_fields.keys()):
            subject = f"field `{field}` of models.{model}"
            if (field in b_required) != (field in r_required):
                kind = "python-field-became-required" if field in r_required else "python-field-became-optional"
                yield Change(kind, "python", "", None, None, subject)
            b_type, r_type = _field_type(b_fields[field]), _field_type(r_fields[field])
            if json.dumps(b_type, sort_keys=True, default=str) != json.dumps(r_type, sort_keys=True, default=str):
                yield Change("python-field-type-changed", "python", "", None, None, subject, b_type, r_type)
