"""Reading documents: references followed through the document."""

from __future__ import annotations

from generator.loader import follow_refs


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
