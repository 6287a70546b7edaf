"""A small base document that covers every family of the diff rules, and helpers to diff mutated copies of it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from generator.diff.engine import Report, diff_specs
from generator.diff.sources import read_spec

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
STRIPE = SHARED / "bench" / "stripe-spec3.yaml"

_ERRORS = [{"code": "PET.400", "message": "Bad pet", "description": "The pet is invalid."}]

_BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1"},
    "servers": [
        {"url": "https://r1.pets.example.com", "x-region": "r1"},
        {"url": "https://r2.pets.example.com", "x-region": "r2"},
    ],
    "security": [{"ApiKey": []}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "ListPets",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["available", "sold"]}},
                    {"name": "X-Request-Id", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "The pets.",
                        "headers": {"X-Rate": {"required": True, "schema": {"type": "integer"}}},
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
                            }
                        },
                    },
                    "400": {"$ref": "#/components/responses/BadRequest"},
                },
            },
            "post": {
                "operationId": "CreatePet",
                "security": [{"ApiKey": []}, {"Bearer": ["pets:write"]}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}},
                        "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewPet"}},
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
                            "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}},
                        },
                    },
                    "400": {"$ref": "#/components/responses/BadRequest"},
                },
            },
        },
        "/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "ShowPet",
                "responses": {
                    "200": {
                        "description": "The pet.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                    }
                },
            },
            "delete": {"operationId": "DeletePet", "deprecated": True, "responses": {"204": {"description": "Gone."}}},
        },
        "/trees/{treeId}": {
            "get": {
                "operationId": "ShowTree",
                "security": [],
                "parameters": [{"name": "treeId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "A recursive tree.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}},
                    }
                },
            }
        },
        "/legacy": {
            "get": {"operationId": "Legacy", "responses": {"200": {"description": "Old."}}},
        },
        "/#Action=Ping": {
            "post": {
                "operationId": "Ping",
                "x-rpc": {"action": "Ping", "version": "2024-01-01"},
                "parameters": [
                    {"name": "Action", "in": "query", "required": True, "schema": {"type": "string", "enum": ["Ping"]}},
                    {
                        "name": "Version",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "enum": ["2024-01-01"]},
                    },
                ],
                "responses": {"200": {"description": "Pong."}},
            }
        },
    },
    "webhooks": {
        "PetEvent": {
            "post": {
                "operationId": "PetEvent",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["event", "pet_id"],
                                "properties": {
                                    "event": {"type": "string", "enum": ["created", "deleted"]},
                                    "pet_id": {"type": "integer"},
                                    "note": {"type": "string"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "Received."}},
            }
        }
    },
    "components": {
        "securitySchemes": {
            "ApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            "Bearer": {"type": "http", "scheme": "bearer"},
        },
        "responses": {
            "BadRequest": {
                "description": "Invalid input.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                "x-error-codes": _ERRORS,
            }
        },
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name", "status"],
                "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 64},
                    "status": {"type": "string", "enum": ["available", "sold"]},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
                    "nickname": {"type": "string"},
                    "secret": {"type": "string", "writeOnly": True},
                },
            },
            "NewPet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z]+$"},
                    "status": {"type": "string", "enum": ["available", "sold"], "default": "available"},
                    "age": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 30},
                    "nickname": {"type": "string"},
                    "id": {"type": "integer", "readOnly": True},
                },
            },
            "Node": {
                "type": "object",
                "required": ["label"],
                "properties": {
                    "label": {"type": "string", "maxLength": 20},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                    "partner": {"$ref": "#/components/schemas/Partner"},
                },
            },
            "Partner": {"type": "object", "properties": {"node": {"$ref": "#/components/schemas/Node"}}},
            "Error": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def base_document() -> dict[str, Any]:
    """A fresh copy of the base document (tests mutate it)."""
    return copy.deepcopy(_BASE)


def write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def diff_documents(folder: Path, base: dict[str, Any], revision: dict[str, Any]) -> Report:
    """The report between two documents, written as YAML files (so findings have lines)."""
    return diff_specs(
        read_spec(str(write(folder, "base.yaml", base))), read_spec(str(write(folder, "new.yaml", revision)))
    )
