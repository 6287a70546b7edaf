"""The structural layer and the engine: alignment, `$ref`s and cycles, guards, order, the Python API layer."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diff.compare import compare
from generator.diff.model import Change, Finding, Rule
from generator.diff.python_api import python_changes, surface
from generator.diff.rules import RULES, judge
from generator.diff.sources import read_spec
from generator.parser import parse_api
from tests.conftest import SPECS
from tests.diff.conftest import base_document, diff_documents, write


def _codes(findings: tuple[Finding, ...]) -> list[str]:
    return [f.code for f in findings]


def test_a_renamed_path_parameter_is_no_wire_change(tmp_path: Path) -> None:
    base = base_document()
    revision = copy.deepcopy(base)
    item = revision["paths"].pop("/pets/{petId}")
    item["parameters"][0]["name"] = "id"
    revision["paths"]["/pets/{id}"] = item
    codes = _codes(diff_documents(tmp_path, base, revision).findings)
    assert not [c for c in codes if not c.startswith("python-")], codes
    assert "python-argument-removed" in codes and "python-optional-argument-added" not in codes


def test_recursive_schemas_are_compared_once_per_operation(tmp_path: Path) -> None:
    base = base_document()
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["Node"]["properties"]["label"]["enum"] = ["a"]
    revision["components"]["schemas"]["Partner"]["properties"]["since"] = {"type": "string"}
    findings = diff_documents(tmp_path, base, revision).findings
    became_enum = [f for f in findings if f.code == "response-property-became-enum"]
    assert len(became_enum) == 1 and became_enum[0].operation == "ShowTree"
    assert became_enum[0].revision_pointer == "/components/schemas/Node/properties/label/enum"
    added = [f for f in findings if f.code == "response-optional-property-added"]
    assert [f.revision_pointer for f in added] == ["/components/schemas/Partner/properties/since"]


def test_a_schema_that_refers_to_itself_directly_terminates(tmp_path: Path) -> None:
    base = base_document()
    base["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop"}
    base["components"]["schemas"]["Node"]["properties"]["loop"] = {"$ref": "#/components/schemas/Loop"}
    base["components"]["schemas"]["Node"]["allOf"] = [{"$ref": "#/components/schemas/Node"}]
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["Node"]["properties"]["label"]["maxLength"] = 5
    codes = _codes(diff_documents(tmp_path, base, revision).findings)
    assert "response-property-max-length-decreased" in codes


def test_properties_moved_into_all_of_have_not_gone(tmp_path: Path) -> None:
    base = base_document()
    revision = copy.deepcopy(base)
    pet = revision["components"]["schemas"]["Pet"]
    revision["components"]["schemas"]["Pet"] = {
        "allOf": [{"type": "object", "required": pet["required"], "properties": pet["properties"]}]
    }
    codes = _codes(diff_documents(tmp_path, base, revision).findings)
    assert "response-required-property-removed" not in codes and "response-body-type-changed" not in codes
    assert "response-property-all-of-added" in codes


def test_read_only_properties_are_not_judged_in_requests(tmp_path: Path) -> None:
    base = base_document()
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["NewPet"]["properties"]["id"]["maximum"] = 10
    revision["components"]["schemas"]["Pet"]["properties"]["secret"]["maxLength"] = 3
    revision["components"]["schemas"]["Pet"]["properties"].pop("secret")
    codes = _codes(diff_documents(tmp_path, base, revision).findings)
    assert not [c for c in codes if c.startswith(("request-", "response-"))], codes


def test_findings_are_sorted_by_level_operation_pointer_and_id(tmp_path: Path) -> None:
    base = base_document()
    revision = copy.deepcopy(base)
    del revision["paths"]["/legacy"]
    revision["servers"].pop()
    revision["paths"]["/pets"]["get"]["parameters"][0]["schema"]["maximum"] = 1000
    revision["components"]["schemas"]["Pet"]["properties"].pop("name")
    first = diff_documents(tmp_path, base, revision)
    again = diff_documents(tmp_path, base, revision)
    assert first == again
    ranks = [("error", "warning", "info").index(f.level) for f in first.findings]
    assert ranks == sorted(ranks)
    keys = [(f.level, f.operation, f.pointer, f.code) for f in first.findings]
    assert keys == sorted(keys, key=lambda k: (("error", "warning", "info").index(k[0]), *k[1:]))


def test_each_change_is_offered_only_to_rules_of_its_kind() -> None:
    change = Change("operation-removed", "operation", "X", "/paths/~1x/get", None, "GET /x")
    assert [f.code for f in judge([change])] == ["api-removed-without-deprecation"]
    rule: Rule = next(r for r in RULES if r.id == "endpoint-added")
    assert list(rule.check(change)) == []


def test_every_change_between_corpus_like_documents_is_judged(tmp_path: Path) -> None:
    """A change that no rule judges would vanish from the report: the base document's own changes all have one."""
    base = base_document()
    revision = copy.deepcopy(base)
    revision["paths"].pop("/legacy")
    revision["components"]["schemas"]["NewPet"]["properties"]["name"] = {"type": "integer", "multipleOf": 3}
    revision["webhooks"]["PetEvent"]["post"]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}
    changes = compare(
        read_spec(str(write(tmp_path, "a.yaml", base))), read_spec(str(write(tmp_path, "b.yaml", revision)))
    )
    assert changes
    unjudged = [c for c in changes if not judge([c])]
    assert unjudged == []


def test_the_vendor_specs_python_apis_equal_themselves() -> None:
    for spec in sorted(SPECS.glob("*.yaml")):
        base, revision = surface(parse_api(read_spec(str(spec)))), surface(parse_api(read_spec(str(spec))))
        assert list(python_changes(base, revision)) == [], spec.name


def test_a_side_without_a_python_package_is_reported_once(tmp_path: Path) -> None:
    base = base_document()
    revision = copy.deepcopy(base)
    del revision["paths"]["/legacy"]["get"]["operationId"]
    revision["info"]["x-profile"] = "soap"  # no such profile: the generator refuses the revision
    findings = diff_documents(tmp_path, base, revision).findings
    skipped = [f for f in findings if f.code == "python-api-diff-skipped"]
    assert len(skipped) == 1 and skipped[0].level == "warning"
    assert "the revision spec cannot be generated: /info/x-profile: [profile.unknown]" in skipped[0].message
    assert "api-operation-id-removed" in _codes(findings)  # the spec-level diff is there anyway


def test_a_ref_with_siblings_is_compared_with_them(tmp_path: Path) -> None:
    """OpenAPI 3.1 lets a `$ref` carry keywords; two uses of one component may differ only in those."""
    base = base_document()
    schemas = base["components"]["schemas"]
    schemas["Label"] = {"type": "string"}
    schemas["NewPet"]["properties"]["first"] = {"$ref": "#/components/schemas/Label"}
    schemas["NewPet"]["properties"]["second"] = {"$ref": "#/components/schemas/Label"}
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["NewPet"]["properties"]["second"]["maxLength"] = 10
    found = [f for f in diff_documents(tmp_path, base, revision).findings if f.code.startswith("request-")]
    assert [(f.code, f.message) for f in found] == [
        ("request-property-max-length-set", "request property `second`: maxLength set to 10")
    ]


def _containers(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, node
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, dict | list):
            yield from _containers(value, (*path, key))


def _mutate(document: dict[str, Any], rng: random.Random) -> None:
    """One random change somewhere in the document: a value, a key gone or added, a `$ref` pointed elsewhere."""
    schemas = sorted(document.get("components", {}).get("schemas", {}))
    refs = [node for _, node in _containers(document) if isinstance(node, dict) and "$ref" in node]
    if refs and schemas and rng.random() < 0.3:
        rng.choice(refs)["$ref"] = f"#/components/schemas/{rng.choice(schemas)}"
        return
    _, node = rng.choice([found for found in _containers(document) if found[1]])
    if isinstance(node, list):
        node.pop(rng.randrange(len(node))) if rng.random() < 0.5 else node.append({"type": "string"})
        return
    key = rng.choice(sorted(node, key=str))
    choice = rng.randrange(6)
    if choice == 0:
        del node[key]
    elif choice == 1:
        node[key] = rng.choice([7, "x", True, {"type": "integer", "maximum": 3}, ["a", "b"]])
    elif choice == 2:
        node[f"x-added-{rng.randrange(100)}"] = {"type": "string", "enum": ["a"]}
    elif choice == 3:  # prose, which no rule reads (`_PROSE`), or a key of that name holding something else
        prose = rng.choice(["description", "summary", "title", "$comment"])
        node[prose] = rng.choice(["Edited.", {"type": "integer"}, 3]) if rng.random() < 0.5 else f"Edited {key}."
    elif choice == 4 and isinstance(node.get("properties"), dict):  # a property named as prose is
        node["properties"]["description"] = rng.choice([{"type": "integer"}, {"type": "string", "maxLength": 2}])
    else:
        node["maxLength" if rng.random() < 0.5 else "enum"] = 5 if rng.random() < 0.5 else ["z"]


@pytest.mark.parametrize("source", ["base", *sorted(p.name for p in SPECS.glob("*.yaml"))])
def test_skipping_unchanged_schemas_changes_nothing(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison skips schemas that are the same in both documents down to what they refer to
    (`_Unchanged`); over random edits, it finds exactly what walking every schema finds."""
    from generator.diff import compare as module
    from generator.loader import LoadedSpec

    original = base_document() if source == "base" else yaml.safe_load((SPECS / source).read_text(encoding="utf-8"))
    rng = random.Random(source)
    for round_ in range(40):
        revision = copy.deepcopy(original)
        for _ in range(rng.randint(1, 3)):
            _mutate(revision, rng)
        base_spec = LoadedSpec(Path("base.yaml"), b"", original)
        revision_spec = LoadedSpec(Path("revision.yaml"), b"", revision)
        skipping = compare(base_spec, revision_spec)
        with monkeypatch.context() as walking_all:
            walking_all.setattr(module._Unchanged, "__contains__", lambda self, ptr: False)
            assert compare(base_spec, revision_spec) == skipping, f"round {round_}"


def test_a_change_two_references_away_is_found() -> None:
    """An operation's schema refers to one that refers to the one edited: neither is the same as before."""
    from generator.loader import LoadedSpec

    def document(kind: str) -> dict[str, Any]:
        def ref(name: str) -> dict[str, Any]:
            return {"type": "object", "properties": {"next": {"$ref": f"#/components/schemas/{name}"}}}

        return {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {
                    "get": {
                        "operationId": "GetA",
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}},
                            }
                        },
                    }
                }
            },
            "components": {
                "schemas": {
                    "A": ref("B"),
                    "B": ref("C"),
                    "C": {"type": "object", "properties": {"n": {"type": kind}}},
                }
            },
        }

    changes = compare(
        LoadedSpec(Path("base.yaml"), b"", document("string")), LoadedSpec(Path("new.yaml"), b"", document("integer"))
    )
    assert [(c.kind, c.revision) for c in changes] == [("type-changed", "/components/schemas/C/properties/n/type")], (
        changes
    )


def test_a_component_parameter_of_a_path_item_is_compared_for_its_operations() -> None:
    """Operations the same in both documents down to their references are not walked; a path item's own parameters
    are outside the operation, so a change in a component they refer to must still be found."""
    from generator.loader import LoadedSpec

    def document(max_length: int) -> dict[str, Any]:
        return {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a/{id}": {
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "get": {"operationId": "GetA", "responses": {"204": {"description": "ok"}}},
                }
            },
            "components": {
                "parameters": {
                    "Id": {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "maxLength": max_length},
                    }
                }
            },
        }

    changes = compare(LoadedSpec(Path("base.yaml"), b"", document(10)), LoadedSpec(Path("new.yaml"), b"", document(5)))
    assert [(c.kind, c.revision) for c in changes] == [
        ("max-length-decreased", "/components/parameters/Id/schema/maxLength")
    ], changes


def test_a_schema_in_a_list_that_changed_length_is_compared() -> None:
    """Lists of different lengths differ as a whole: the item at an index on both sides may still differ."""
    from generator.loader import LoadedSpec

    def document(members: list[dict[str, Any]]) -> dict[str, Any]:
        body = {"content": {"application/json": {"schema": {"oneOf": members}}}}
        operation = {"operationId": "PostA", "requestBody": body, "responses": {"204": {"description": "done"}}}
        return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"post": operation}}}

    base = document([{"type": "string", "maxLength": 5}])
    revision = document([{"type": "string", "maxLength": 3}, {"type": "integer"}])
    changes = compare(LoadedSpec(Path("base.yaml"), b"", base), LoadedSpec(Path("new.yaml"), b"", revision))
    assert "max-length-decreased" in [c.kind for c in changes], changes


def test_a_description_reworded_is_no_difference() -> None:
    """No rule reads a description's words, so a schema whose only change they are is the same as before (and the
    operations that reach it are not compared again); a `description` key inside a value is data, and differs."""
    from generator.diff.compare import _Unchanged

    base: dict[str, Any] = {
        "components": {
            "schemas": {
                "A": {
                    "type": "object",
                    "description": "An A.",
                    "properties": {"d": {"type": "object", "default": {"description": "a value"}}},
                }
            }
        }
    }
    reworded = copy.deepcopy(base)
    reworded["components"]["schemas"]["A"]["description"] = "An A, reworded."
    assert "/components/schemas/A" in _Unchanged(base, reworded)
    data = copy.deepcopy(base)
    data["components"]["schemas"]["A"]["properties"]["d"]["default"]["description"] = "another value"
    assert "/components/schemas/A" not in _Unchanged(base, data)
    retyped = copy.deepcopy(base)
    retyped["components"]["schemas"]["A"]["description"] = ["An A."]
    assert "/components/schemas/A" not in _Unchanged(base, retyped)
