"""Helpers shared by the spec tests: load a spec and build JSON Schema validators against it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_URI = "urn:streamspec:spec"


@cache
def load_spec(name: str) -> dict[str, Any]:
    """The parsed YAML of ``specs/<name>.yaml`` (cached: do not mutate the result)."""
    with (REPO_ROOT / "specs" / f"{name}.yaml").open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.safe_load(fh)
    return spec


def validator_at(spec: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A validator for the schema at JSON pointer ``pointer`` (e.g. ``/components/schemas/X``) of ``spec``.

    Every ``$ref: '#/...'`` inside the spec resolves against the whole spec document.
    """
    registry: Registry = Registry().with_resource(SPEC_URI, Resource(contents=spec, specification=DRAFT202012))
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def validator(spec: dict[str, Any], schema_name: str) -> Draft202012Validator:
    """A validator for ``#/components/schemas/<schema_name>`` of ``spec``."""
    return validator_at(spec, f"/components/schemas/{schema_name}")
