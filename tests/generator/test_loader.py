"""Reading documents: references followed through the document."""

from __future__ import annotations

import json
from pathlib import Path

from generator.loader import follow_refs, load_spec
from generator.pipeline import build_package
from tests.generator.conftest import TINY_SPEC, write_spec


def test_references_to_references_are_followed_and_a_cycle_ends() -> None:
    document = {
        "a": {"$ref": "#/b"},
        "b": {"$ref": "#/c"},
        "c": {"type": "string"},
        "loop": {"$ref": "#/loop"},
    }
    assert follow_refs(document, {"$ref": "#/a"}) == {"type": "string"}
    assert follow_refs(document, {"type": "integer"}) == {"type": "integer"}
    assert follow_refs(document, {"$ref": "#/loop"}) == {"$ref": "#/loop"}  # after MAX_REF_CHAIN steps, not a hang


def test_unquoted_dates_are_the_text_written(tmp_path: Path) -> None:
    """YAML 1.1 makes `2020-01-01` a date; OpenAPI's YAML is JSON's data, where it is a string: a string schema's
    default validates, and an example is served in `openapi.json` as written."""
    spec = write_spec(
        tmp_path,
        "dates.yaml",
        TINY_SPEC.replace("schema: {type: string}", "schema: {type: string, default: 2020-01-01, example: 2020-01-02}"),
    )
    assert load_spec(spec).document != {}  # validated: the default is a string
    package = build_package(spec)
    served = json.loads(package.files["openapi.json"])
    assert "2020-01-01" in json.dumps(served) and "2020-01-02" in json.dumps(served)
