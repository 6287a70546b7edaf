"""The structural layer and the engine: alignment, `$ref`s and cycles, guards, order, the Python API layer."""

from __future__ import annotations

import copy
from pathlib import Path

from generator.diff.compare import compare
from generator.diff.model import Change, Finding, Rule
from generator.diff.python_api import python_changes
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
        base, revision = parse_api(read_spec(str(spec))), parse_api(read_spec(str(spec)))
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
