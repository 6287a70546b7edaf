"""Every spec is valid OpenAPI, and every example in it (media type, parameter, header or schema) fits its schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.conftest import VENDOR_PACKAGES
from tests.specs._schema import load_spec, validator_at


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_spec_is_valid_openapi(name: str) -> None:
    validate(load_spec(name))


def _examples(node: Any, ptr: str) -> Iterator[tuple[str, str, Any]]:
    """(pointer of the schema, pointer of the example, example value) for every example under `node`."""
    if isinstance(node, dict):
        schema_ptr = f"{ptr}/schema" if "schema" in node else None
        if schema_ptr is not None:
            if "example" in node:
                yield schema_ptr, f"{ptr}/example", node["example"]
            for key, example in (node.get("examples") or {}).items():
                if isinstance(example, dict) and "value" in example:
                    yield schema_ptr, f"{ptr}/examples/{key}/value", example["value"]
        if isinstance(node.get("examples"), list):  # a schema's examples (a media type's are a map)
            for i, example in enumerate(node["examples"]):
                yield ptr, f"{ptr}/examples/{i}", example
        for key, value in node.items():
            if key not in ("examples", "example"):
                yield from _examples(value, f"{ptr}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _examples(value, f"{ptr}/{i}")


CASES = [
    pytest.param(name, schema_ptr, value, id=f"{name}:{example_ptr}")
    for name in VENDOR_PACKAGES
    for schema_ptr, example_ptr, value in _examples(load_spec(name), "")
]


def test_specs_have_examples() -> None:
    for name in VENDOR_PACKAGES:
        assert sum(1 for case in CASES if case.values[0] == name) >= 10, name


@pytest.mark.parametrize(("name", "schema_ptr", "value"), CASES)
def test_example_validates_against_its_schema(name: str, schema_ptr: str, value: Any) -> None:
    errors = sorted(validator_at(load_spec(name), schema_ptr).iter_errors(value), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
