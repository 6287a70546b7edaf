"""`--lenient` (generator/lenient.py): deviations with one obvious meaning are repaired and reported, located;
strict stays the default."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.errors import GenerationError
from generator.lenient import repaired
from generator.pipeline import build_package
from tests.generator.conftest import write_spec

ALMOST_VALID = """\
openapi: 3.1.0
info: {title: Almost, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: ShowThing
      title: Show a thing
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, id, size]
                properties:
                  id: {type: string}
                  size: {type: integer, minimum: 0, exclusiveMinimum: true, default: "none"}
"""


def test_strict_refuses_and_lenient_repairs_with_located_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "almost.yaml", ALMOST_VALID)
    with pytest.raises(GenerationError):
        build_package(spec)
    package = build_package(spec, lenient=True)
    found = {(w.code, w.pointer, w.line) for w in package.warnings}
    schema = "/paths/~1things~1{id}/get/responses/200/content/application~1json/schema"
    assert found == {
        ("lenient.unknown-field", "/paths/~1things~1{id}/get/title", 7),
        ("lenient.path-parameter", "/paths/~1things~1{id}/get", 5),
        ("lenient.duplicate-required", f"{schema}/required", 15),
        ("lenient.exclusive-bound", f"{schema}/properties/size/exclusiveMinimum", 18),
        ("lenient.default", f"{schema}/properties/size/default", 18),
    }
    assert all(w.level == "warning" for w in package.warnings)
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--output", str(out), "--lenient"]) == 0
    captured = capsys.readouterr()
    assert "almost: 1 operations" in captured.out and "5 warnings" in captured.out
    assert "warning: [lenient.duplicate-required]" in captured.err
    assert main(["check", str(spec), "--output", str(out), "--lenient"]) == 0


@pytest.mark.parametrize(
    ("openapi", "schema", "expected"),
    [
        ("3.1.0", {"required": ["a", "b", "a"]}, {"required": ["a", "b"]}),
        ("3.1.0", {"minimum": 1, "exclusiveMinimum": True}, {"exclusiveMinimum": 1}),
        ("3.1.0", {"maximum": 1, "exclusiveMaximum": False}, {"maximum": 1}),
        ("3.0.3", {"exclusiveMaximum": 5}, {"maximum": 5, "exclusiveMaximum": True}),
        ("3.0.3", {"type": ["string", "null"]}, {"type": "string", "nullable": True}),
        ("3.0.3", {"type": "array", "items": [{"type": "string"}]}, {"type": "array", "items": {"type": "string"}}),
        ("3.0.3", {"type": "string", "default": 1}, {"type": "string"}),
        ("3.0.3", {"type": "integer", "default": True}, {"type": "integer"}),
    ],
    ids=[
        "duplicate-required",
        "boolean-exclusive-in-3.1",
        "false-exclusive-in-3.1",
        "numeric-exclusive-in-3.0",
        "type-array-in-3.0",
        "one-item-tuple",
        "default-of-another-type",
        "boolean-is-no-integer",
    ],
)
def test_each_repair(openapi: str, schema: dict[str, Any], expected: dict[str, Any]) -> None:
    document = {"openapi": openapi, "components": {"schemas": {"X": copy.deepcopy(schema)}}}
    fixed, repairs = repaired(document)
    assert fixed["components"]["schemas"]["X"] == expected
    assert len(repairs) == 1 and repairs[0].pointer.startswith("/components/schemas/X/")
    assert document["components"]["schemas"]["X"] == schema  # the original is left alone


def test_a_valid_document_needs_no_repair() -> None:
    document = {
        "openapi": "3.1.0",
        "paths": {"/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True}]}}},
        "components": {"schemas": {"X": {"type": "integer", "exclusiveMinimum": 0, "default": 1}}},
    }
    assert repaired(document) == (document, [])
