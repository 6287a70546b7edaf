"""Table-driven: each row mutates the base document in code and expects one rule id at one level.

Every finding of every row must also point at something that exists on its side, with a line.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.diff.rules import BY_ID, RULES
from generator.loader import resolve_pointer
from tests.diff.conftest import base_document, diff_documents

Mutation = Callable[[dict[str, Any]], None]


def _at(doc: dict[str, Any], keys: tuple[Any, ...]) -> Any:
    for key in keys:
        doc = doc[key]
    return doc


def put(*keys: Any, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        _at(doc, keys[:-1])[keys[-1]] = copy.deepcopy(value)

    return mutate


def drop(*keys: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        container = _at(doc, keys[:-1])
        if isinstance(container, list):
            container.pop(keys[-1])
        else:
            del container[keys[-1]]

    return mutate


def add(*keys: Any, value: Any) -> Mutation:
    """Append to the list at `keys`."""
    return lambda doc: _at(doc, keys).append(copy.deepcopy(value))


def rename(*keys: Any, to: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        container = _at(doc, keys[:-1])
        container[to] = container.pop(keys[-1])

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for m in mutations:
            m(doc)

    return mutate


P = ("paths",)
LIST = ("paths", "/pets", "get")
LIST_PARAMS = (*LIST, "parameters")
CREATE = ("paths", "/pets", "post")
TREE = ("paths", "/trees/{treeId}", "get")
SCHEMAS = ("components", "schemas")
PET = (*SCHEMAS, "Pet")
NEW = (*SCHEMAS, "NewPet")
BAD = ("components", "responses", "BadRequest", "x-error-codes")
HOOK = ("webhooks", "PetEvent", "post", "requestBody", "content", "application/json", "schema")
SCHEMES = ("components", "securitySchemes")
OWNERS = {"get": {"operationId": "ListOwners", "responses": {"200": {"description": "Owners."}}}}


@dataclass(frozen=True)
class Case:
    rule: str
    level: str
    revision: Mutation
    base: Mutation | None = None


CASES = [
    # paths
    Case("api-removed-without-deprecation", "error", drop(*P, "/pets/{petId}", "get")),
    Case("python-method-removed", "error", drop(*P, "/pets/{petId}", "get")),
    Case("api-removed-with-deprecation", "info", drop(*P, "/pets/{petId}", "delete")),
    Case("api-path-removed-without-deprecation", "error", drop(*P, "/legacy")),
    Case(
        "api-path-removed-with-deprecation",
        "info",
        drop(*P, "/legacy"),
        base=put(*P, "/legacy", "get", "deprecated", value=True),
    ),
    Case("endpoint-added", "info", put(*P, "/owners", value=OWNERS)),
    Case("python-method-added", "info", put(*P, "/owners", value=OWNERS)),
    Case("endpoint-deprecated", "info", put(*LIST, "deprecated", value=True)),
    Case("endpoint-reactivated", "info", drop(*LIST, "deprecated"), base=put(*LIST, "deprecated", value=True)),
    Case("api-operation-id-removed", "error", put(*LIST, "operationId", value="FindPets")),
    Case("python-method-renamed", "error", put(*LIST, "operationId", value="FindPets")),
    Case("rpc-version-changed", "error", put(*P, "/#Action=Ping", "post", "x-rpc", "version", value="2025-01-01")),
    # parameters
    Case(
        "new-required-request-parameter",
        "error",
        add(*LIST_PARAMS, value={"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}),
    ),
    Case(
        "python-required-argument-added",
        "error",
        add(*LIST_PARAMS, value={"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}),
    ),
    Case(
        "new-required-request-parameter",
        "error",
        add(*LIST_PARAMS, value={"name": "session", "in": "cookie", "required": True, "schema": {"type": "string"}}),
    ),
    Case(
        "new-optional-request-parameter",
        "info",
        add(*LIST_PARAMS, value={"name": "q", "in": "query", "schema": {"type": "string"}}),
    ),
    Case(
        "python-optional-argument-added",
        "info",
        add(*LIST_PARAMS, value={"name": "q", "in": "query", "schema": {"type": "string"}}),
    ),
    Case("request-parameter-removed", "warning", drop(*LIST_PARAMS, 1)),
    Case("python-argument-removed", "error", drop(*LIST_PARAMS, 1)),
    Case(
        "request-parameter-removed-with-deprecation",
        "info",
        drop(*LIST_PARAMS, 1),
        base=put(*LIST_PARAMS, 1, "deprecated", value=True),
    ),
    Case("request-parameter-removed", "warning", put(*LIST_PARAMS, 1, "name", value="state")),  # renamed
    Case("request-parameter-deprecated", "info", put(*LIST_PARAMS, 1, "deprecated", value=True)),
    Case("request-parameter-became-required", "error", put(*LIST_PARAMS, 0, "required", value=True)),
    Case("python-argument-became-required", "error", put(*LIST_PARAMS, 0, "required", value=True)),
    Case("request-parameter-became-optional", "info", put(*LIST_PARAMS, 2, "required", value=False)),
    Case("request-parameter-location-changed", "error", put(*LIST_PARAMS, 1, "in", value="header")),
    Case("request-parameter-enum-value-removed", "error", put(*LIST_PARAMS, 1, "schema", "enum", value=["available"])),
    Case(
        "request-parameter-enum-value-added",
        "info",
        put(*LIST_PARAMS, 1, "schema", "enum", value=["available", "sold", "pending"]),
    ),
    Case("python-argument-type-changed", "warning", put(*LIST_PARAMS, 1, "schema", "enum", value=["available"])),
    Case("request-parameter-max-decreased", "error", put(*LIST_PARAMS, 0, "schema", "maximum", value=50)),
    Case("request-parameter-max-increased", "info", put(*LIST_PARAMS, 0, "schema", "maximum", value=500)),
    Case("request-parameter-min-increased", "error", put(*LIST_PARAMS, 0, "schema", "minimum", value=5)),
    Case("request-parameter-default-value-changed", "warning", put(*LIST_PARAMS, 0, "schema", "default", value=10)),
    Case("request-parameter-type-changed", "error", put(*LIST_PARAMS, 0, "schema", "type", value="string")),
    Case("request-parameter-type-generalized", "info", put(*LIST_PARAMS, 0, "schema", "type", value="number")),
    # request bodies
    Case("request-property-became-required", "error", put(*NEW, "required", value=["name", "age"])),
    Case("request-property-became-optional", "info", put(*NEW, "required", value=[])),
    Case(
        "new-required-request-property",
        "error",
        both(
            put(*NEW, "properties", "color", value={"type": "string"}), put(*NEW, "required", value=["name", "color"])
        ),
    ),
    Case("new-optional-request-property", "info", put(*NEW, "properties", "color", value={"type": "string"})),
    Case("request-property-removed", "warning", drop(*NEW, "properties", "nickname")),
    Case("python-model-field-removed", "error", drop(*NEW, "properties", "nickname")),
    Case("request-property-renamed", "error", rename(*NEW, "properties", "nickname", to="alias")),
    Case("request-property-max-length-decreased", "error", put(*NEW, "properties", "name", "maxLength", value=32)),
    Case("request-property-max-length-increased", "info", put(*NEW, "properties", "name", "maxLength", value=128)),
    Case("request-property-min-length-increased", "error", put(*NEW, "properties", "name", "minLength", value=3)),
    Case(
        "request-property-pattern-changed", "warning", put(*NEW, "properties", "name", "pattern", value="^[a-z0-9]+$")
    ),
    Case("request-property-pattern-added", "error", put(*NEW, "properties", "nickname", "pattern", value="^\\w+$")),
    Case("request-property-multiple-of-set", "error", put(*NEW, "properties", "age", "multipleOf", value=2)),
    Case(
        "request-property-exclusive-max-set",
        "error",
        both(drop(*NEW, "properties", "age", "maximum"), put(*NEW, "properties", "age", "exclusiveMaximum", value=30)),
    ),
    Case("request-property-type-generalized", "info", put(*NEW, "properties", "age", "format", value="int64")),
    Case(
        "request-property-enum-value-removed", "error", put(*NEW, "properties", "status", "enum", value=["available"])
    ),
    Case(
        "request-property-default-value-changed", "warning", put(*NEW, "properties", "status", "default", value="sold")
    ),
    Case(
        "request-property-one-of-removed",
        "error",
        put(*NEW, "properties", "nickname", value={"oneOf": [{"type": "string"}]}),
        base=put(*NEW, "properties", "nickname", value={"oneOf": [{"type": "string"}, {"type": "integer"}]}),
    ),
    Case(
        "request-body-media-type-removed",
        "error",
        drop(*CREATE, "requestBody", "content", "application/x-www-form-urlencoded"),
    ),
    Case(
        "request-body-media-type-added",
        "info",
        put(*CREATE, "requestBody", "content", "multipart/form-data", value={"schema": {"type": "object"}}),
    ),
    Case("request-body-became-optional", "info", put(*CREATE, "requestBody", "required", value=False)),
    Case("python-argument-became-optional", "info", put(*CREATE, "requestBody", "required", value=False)),
    Case("request-body-removed", "error", drop(*CREATE, "requestBody")),
    Case(
        "request-body-added-required",
        "error",
        put(
            *LIST,
            "requestBody",
            value={"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        ),
    ),
    # responses
    Case("response-required-property-removed", "error", drop(*PET, "properties", "name")),
    Case("response-optional-property-removed", "warning", drop(*PET, "properties", "nickname")),
    Case("response-property-became-optional", "warning", put(*PET, "required", value=["id", "name"])),
    Case("response-property-became-required", "info", put(*PET, "required", value=["id", "name", "status", "tags"])),
    Case(
        "response-required-property-added",
        "info",
        both(
            put(*PET, "properties", "color", value={"type": "string"}),
            put(*PET, "required", value=["id", "name", "status", "color"]),
        ),
    ),
    Case(
        "response-property-enum-value-added",
        "warning",
        put(*PET, "properties", "status", "enum", value=["available", "sold", "pending"]),
    ),
    Case("response-property-enum-value-removed", "info", put(*PET, "properties", "status", "enum", value=["sold"])),
    Case("response-property-max-length-increased", "warning", put(*PET, "properties", "name", "maxLength", value=128)),
    Case("response-property-max-items-increased", "warning", put(*PET, "properties", "tags", "maxItems", value=20)),
    Case("response-property-type-changed", "error", put(*PET, "properties", "id", value={"type": "string"})),
    Case(
        "response-property-became-nullable",
        "error",
        put(*PET, "properties", "nickname", "type", value=["string", "null"]),
    ),
    Case("python-model-field-type-changed", "warning", put(*PET, "properties", "id", value={"type": "string"})),
    Case(
        "response-body-max-items-set",
        "info",
        put(*LIST, "responses", "200", "content", "application/json", "schema", "maxItems", value=100),
    ),
    Case(
        "response-property-max-length-decreased",
        "info",
        put(*SCHEMAS, "Node", "properties", "label", "maxLength", value=10),  # inside a recursive schema
    ),
    Case("response-success-status-removed", "error", rename(*CREATE, "responses", "201", to="200")),
    Case("response-success-status-added", "info", rename(*CREATE, "responses", "201", to="200")),
    Case(
        "response-non-success-status-added",
        "info",
        put(*CREATE, "responses", "409", value={"description": "Conflict."}),
    ),
    Case(
        "python-exception-added",
        "info",
        put(*CREATE, "responses", "409", value={"description": "Conflict."}),
    ),
    Case("response-non-success-status-removed", "info", drop(*LIST, "responses", "400")),
    Case(
        "python-result-type-changed",
        "warning",
        put(
            "paths",
            "/pets/{petId}",
            "get",
            "responses",
            "200",
            "content",
            "application/json",
            "schema",
            "$ref",
            value="#/components/schemas/NewPet",
        ),
    ),
    Case("response-media-type-removed", "error", drop(*CREATE, "responses", "201", "content", "application/xml")),
    Case("required-response-header-removed", "error", drop(*LIST, "responses", "200", "headers", "X-Rate")),
    Case("response-error-code-added", "warning", add(*BAD, value={"code": "PET.401", "message": "Nameless"})),
    Case("response-error-code-removed", "info", drop(*BAD, 0)),
    Case("response-error-code-message-changed", "info", put(*BAD, 0, "message", value="Invalid pet")),
    # security
    Case("api-security-removed", "error", put(*CREATE, "security", value=[{"ApiKey": []}])),
    Case(
        "api-security-added",
        "info",
        put(*CREATE, "security", value=[{"ApiKey": []}, {"Bearer": ["pets:write"]}, {"ApiKey": [], "Bearer": []}]),
    ),
    Case(
        "api-security-scope-added",
        "error",
        put(*CREATE, "security", value=[{"ApiKey": []}, {"Bearer": ["pets:write", "pets:admin"]}]),
    ),
    Case("api-security-scope-removed", "info", put(*CREATE, "security", value=[{"ApiKey": []}, {"Bearer": []}])),
    Case("api-security-anonymous-access-removed", "error", drop(*TREE, "security")),
    Case("api-security-anonymous-access-added", "info", put(*LIST, "security", value=[])),
    Case("api-security-component-key-changed", "error", put(*SCHEMES, "ApiKey", "in", value="query")),
    Case("api-security-component-type-changed", "error", put(*SCHEMES, "Bearer", "scheme", value="basic")),
    Case("api-security-component-added", "info", put(*SCHEMES, "Basic", value={"type": "http", "scheme": "basic"})),
    # servers
    Case("api-server-removed", "warning", drop("servers", 1)),
    Case("api-server-added", "info", add("servers", value={"url": "https://r3.pets.example.com", "x-region": "r3"})),
    Case(
        "api-default-server-changed",
        "warning",
        put("servers", value=list(reversed(base_document()["servers"]))),
    ),
    Case("api-server-url-changed", "warning", put("servers", 1, "url", value="https://r2-new.pets.example.com")),
    # webhooks
    Case("webhook-removed", "error", drop("webhooks", "PetEvent")),
    Case("webhook-added", "info", put("webhooks", "OwnerEvent", value=base_document()["webhooks"]["PetEvent"])),
    Case("webhook-required-property-removed", "error", drop(*HOOK, "properties", "pet_id")),
    Case(
        "webhook-property-enum-value-added",
        "warning",
        put(*HOOK, "properties", "event", "enum", value=["created", "deleted", "adopted"]),
    ),
    Case(
        "webhook-required-property-added",
        "info",
        both(
            put(*HOOK, "properties", "at", value={"type": "string"}),
            put(*HOOK, "required", value=["event", "pet_id", "at"]),
        ),
    ),
    Case("webhook-property-max-length-set", "info", put(*HOOK, "properties", "note", "maxLength", value=100)),
    # models
    Case(
        "python-model-removed",
        "error",
        both(drop(*SCHEMAS, "Partner"), drop(*SCHEMAS, "Node", "properties", "partner")),
    ),
]


def _id(case: Case) -> str:
    return case.rule


@pytest.mark.parametrize("case", CASES, ids=list(map(_id, CASES)))
def test_change_is_judged(case: Case, tmp_path: Path) -> None:
    base = base_document()
    if case.base:
        case.base(base)
    revision = copy.deepcopy(base)
    case.revision(revision)
    report = diff_documents(tmp_path, base, revision)
    found = {(f.code, f.level) for f in report.findings}
    assert (case.rule, case.level) in found, sorted(found)
    assert BY_ID[case.rule].level == case.level
    for f in report.findings:  # every pointer names something that exists on its side, and has a line
        for document, ptr, line in (
            (base, f.base_pointer, f.base_line),
            (revision, f.revision_pointer, f.revision_line),
        ):
            if ptr is not None:
                assert resolve_pointer(document, ptr) is not resolve_pointer({}, "/missing"), (f.code, ptr)
                assert line is not None, (f.code, ptr)


def test_the_table_covers_forty_change_kinds_and_every_family() -> None:
    assert len({c.rule for c in CASES}) >= 40
    assert {BY_ID[c.rule].area for c in CASES} == {r.area for r in RULES}


def test_unchanged_base_gives_nothing(tmp_path: Path) -> None:
    assert diff_documents(tmp_path, base_document(), base_document()).findings == ()
