"""The parser (spec -> IR): what it reads beside the operations and models."""

from __future__ import annotations

from pathlib import Path

from generator.loader import load_spec
from generator.parser import parse_api
from tests.generator.conftest import write_spec

ERRORS = """\
openapi: 3.1.0
info: {title: Errors, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200": {description: OK.}
        "400":
          description: Refused.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
  /b:
    get:
      operationId: getB
      responses:
        "200": {description: OK.}
        "404":
          description: Missing.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
        default:
          description: Other.
          content:
            application/json:
              schema:
                type: object
                properties:
                  error:
                    type: object
                    properties:
                      status: {type: integer}
                      reason: {type: string}
                      detail: {type: object}
                  title: {type: string}
components:
  schemas:
    Problem:
      type: object
      properties:
        code: {type: string}
        message: {type: string}
        type: {type: array, items: {type: string}}
"""


def test_error_fields_are_read_from_every_documented_error_body_once(tmp_path: Path) -> None:
    """The code and message fields the documented error bodies use (top level, then under `error`), in the order they
    first appear: a schema several operations share is read once, one of its own each; a field of another kind than
    a code's or a message's is none."""
    api, _ = parse_api(load_spec(write_spec(tmp_path, "errors.yaml", ERRORS)))
    assert api.error_fields == (("code", "status"), ("message", "title", "reason"))
