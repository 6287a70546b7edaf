"""What a fuzzing run exercised, per operation: documented statuses seen and never seen, parameters and body
properties sent present and absent, enum values sent, the phases that reached it; totals per spec.

Kept as counts, so that shard runs add up (`merge`): derived lists (never seen, never sent) are computed when the
JSON is written. The JSON follows `coverage.schema.json` (beside this module; docs/ci.md describes it); `summary`
is the readable form and `html` a single self-contained page (the numbers are rendered by its own script from the
JSON it embeds, so a page that shows them was read by a browser, not just stored).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.conformance import documented_key
from generator.loader import follow_refs

__all__ = ["FORMAT", "SCHEMA_PATH", "OperationCoverage", "SpecCoverage", "html", "merge", "shape", "summary"]

FORMAT = "streamspec-coverage/1"
SCHEMA_PATH = Path(__file__).with_name("coverage.schema.json")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class Item:
    """A parameter or a top-level body property: how often it was sent and left out, and which enum values went."""

    name: str
    location: str
    """`path`, `query`, `header`, `cookie`, or `body` for a property of the JSON body."""
    required: bool
    enum: list[Any] | None = None
    present: int = 0
    absent: int = 0
    sent: set[str] = field(default_factory=set)
    """Enum values sent, as JSON text."""

    def record(self, container: Any, key: str) -> None:
        """One case: was it sent (under `key` in `container`), and with which enum values."""
        if not isinstance(container, Mapping) or key not in container:
            self.absent += 1
            return
        self.present += 1
        if self.enum is not None:
            allowed = {json.dumps(e, sort_keys=True) for e in self.enum}
            values = container[key] if isinstance(container[key], list) else [container[key]]
            self.sent |= {text for value in values if (text := json.dumps(value, sort_keys=True)) in allowed}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "in": self.location,
            "required": self.required,
            "present": self.present,
            "absent": self.absent,
        }
        if self.enum is not None:
            texts = [json.dumps(e, sort_keys=True) for e in self.enum]
            data["enum"] = {
                "values": self.enum,
                "sent": [e for e, t in zip(self.enum, texts, strict=True) if t in self.sent],
                "never_sent": [e for e, t in zip(self.enum, texts, strict=True) if t not in self.sent],
            }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Item:
        enum = data.get("enum")
        return cls(
            data["name"],
            data["in"],
            data["required"],
            enum["values"] if enum else None,
            data["present"],
            data["absent"],
            {json.dumps(v, sort_keys=True) for v in enum["sent"]} if enum else set(),
        )

    def add(self, other: Item) -> None:
        self.present += other.present
        self.absent += other.absent
        self.sent |= other.sent


@dataclass
class OperationCoverage:
    operation: str
    """The label: `GET /pets/{id}`."""
    operation_id: str | None
    documented: list[str]
    """Documented response keys (`200`, `4XX`, `default`)."""
    parameters: list[Item]
    properties: list[Item]
    seen: Counter[str] = field(default_factory=Counter)
    """Statuses received, with how often."""
    phases: Counter[str] = field(default_factory=Counter)
    """Cases sent per phase."""

    @property
    def cases(self) -> int:
        return sum(self.phases.values())

    def record(self, phase: str, case: Any, status: int | None) -> None:
        self.phases[phase] += 1
        if status is not None:
            self.seen[str(status)] += 1
        headers = {k.lower(): v for k, v in (case.headers or {}).items()}  # header names are case-insensitive
        containers = {"path": case.path_parameters, "query": case.query, "header": headers, "cookie": case.cookies}
        for item in self.parameters:
            key = item.name.lower() if item.location == "header" else item.name
            item.record(containers.get(item.location), key)
        for item in self.properties:
            item.record(case.body, item.name)

    def statuses(self) -> dict[str, Any]:
        responses = {key: key for key in self.documented}
        matched = {status: documented_key(responses, int(status)) for status in self.seen}
        documented_seen = sorted({key for key in matched.values() if key is not None})
        return {
            "documented": self.documented,
            "seen": dict(sorted(self.seen.items())),
            "documented_seen": documented_seen,
            "documented_never_seen": [key for key in self.documented if key not in documented_seen],
            "undocumented_seen": sorted(status for status, key in matched.items() if key is None),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "operationId": self.operation_id,
            "cases": self.cases,
            "phases": dict(sorted(self.phases.items())),
            "statuses": self.statuses(),
            "parameters": [item.to_json() for item in self.parameters],
            "body_properties": [item.to_json() for item in self.properties],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OperationCoverage:
        return cls(
            data["operation"],
            data["operationId"],
            list(data["statuses"]["documented"]),
            [Item.from_json(item) for item in data["parameters"]],
            [Item.from_json(item) for item in data["body_properties"]],
            Counter(data["statuses"]["seen"]),
            Counter(data["phases"]),
        )

    def add(self, other: OperationCoverage) -> None:
        self.seen += other.seen
        self.phases += other.phases
        for mine, theirs in zip(
            [*self.parameters, *self.properties], [*other.parameters, *other.properties], strict=True
        ):
            mine.add(theirs)


@dataclass
class SpecCoverage:
    spec: str
    seed: int | None
    operations: dict[str, OperationCoverage]
    shards: list[str] = field(default_factory=list)
    """The shards (`I/N`) whose runs this coverage adds up; empty for an unsharded run."""

    def record(self, phase: str, case: Any, status: int | None) -> None:
        operation = self.operations.get(case.operation.label)
        if operation is not None:
            operation.record(phase, case, status)

    def totals(self) -> dict[str, int]:
        ops = list(self.operations.values())
        items = [item for op in ops for item in op.parameters]
        props = [item for op in ops for item in op.properties]
        enums = [(item, value) for item in [*items, *props] if item.enum for value in item.enum]
        statuses = [op.statuses() for op in ops]
        return {
            "operations": len(ops),
            "operations_reached": sum(1 for op in ops if op.cases),
            "cases": sum(op.cases for op in ops),
            "statuses_documented": sum(len(s["documented"]) for s in statuses),
            "statuses_documented_seen": sum(len(s["documented_seen"]) for s in statuses),
            "statuses_undocumented_seen": sum(len(s["undocumented_seen"]) for s in statuses),
            "parameters": len(items),
            "parameters_sent": sum(1 for item in items if item.present),
            "parameters_left_out": sum(1 for item in items if item.absent),
            "body_properties": len(props),
            "body_properties_sent": sum(1 for item in props if item.present),
            "body_properties_left_out": sum(1 for item in props if item.absent),
            "enum_values": len(enums),
            "enum_values_sent": sum(1 for item, value in enums if json.dumps(value, sort_keys=True) in item.sent),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "seed": self.seed,
            "shards": self.shards,
            "totals": self.totals(),
            "operations": [op.to_json() for op in self.operations.values()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SpecCoverage:
        operations = [OperationCoverage.from_json(op) for op in data["operations"]]
        return cls(data["spec"], data["seed"], {op.operation: op for op in operations}, list(data["shards"]))


def document(coverages: Iterable[SpecCoverage]) -> dict[str, Any]:
    """The coverage JSON of a run (`coverage.schema.json`)."""
    return {"format": FORMAT, "specs": [coverage.to_json() for coverage in coverages]}


def load(data: Mapping[str, Any]) -> list[SpecCoverage]:
    if data.get("format") != FORMAT:
        raise ValueError(f"not a coverage file of format {FORMAT}")
    return [SpecCoverage.from_json(spec) for spec in data["specs"]]


def merge(parts: Iterable[SpecCoverage]) -> list[SpecCoverage]:
    """Coverages of the same spec and seed added up (shard runs into one), in order of first appearance."""
    merged: dict[tuple[str, int | None], SpecCoverage] = {}
    for part in parts:
        key = (part.spec, part.seed)
        if key not in merged:
            merged[key] = SpecCoverage.from_json(part.to_json())
            continue
        target = merged[key]
        target.shards = sorted({*target.shards, *part.shards})
        for label, op in part.operations.items():
            target.operations[label].add(op)
    return list(merged.values())


# --- the shape of a spec's operations --------------------------------------------------------------------------


def _enum(document: Mapping[str, Any], schema: Any) -> list[Any] | None:
    schema = follow_refs(document, schema)
    if not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    items = follow_refs(document, schema.get("items"))
    return list(items["enum"]) if isinstance(items, Mapping) and isinstance(items.get("enum"), list) else None


def _properties(document: Mapping[str, Any], schema: Any, depth: int = 0) -> Iterator[tuple[str, Any, bool]]:
    """Top-level properties of a body schema (through `$ref` and `allOf`): name, schema, required."""
    schema = follow_refs(document, schema)
    if not isinstance(schema, Mapping) or depth > 8:
        return
    required = set(schema.get("required") or [])
    for name, sub in (schema.get("properties") or {}).items():
        yield str(name), sub, name in required
    for member in schema.get("allOf") or []:
        yield from _properties(document, member, depth + 1)


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """Every operation: its label (`GET /pets/{id}`), path item and operation object (path-item `$ref`s followed)."""
    for path, item in (document.get("paths") or {}).items():
        item = follow_refs(document, item)
        if not isinstance(item, Mapping):
            continue
        for method in _METHODS:
            if isinstance(item.get(method), Mapping):
                yield f"{method.upper()} {path}", item, item[method]


def operation_shape(
    document: Mapping[str, Any], item: Mapping[str, Any], op: Mapping[str, Any]
) -> tuple[list[Item], list[Item]]:
    """An operation's parameters and top-level JSON body properties, as coverage items."""
    parameters: dict[tuple[str, str], Item] = {}
    for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        p = follow_refs(document, raw)
        if isinstance(p, Mapping) and "name" in p and "in" in p:
            content: Mapping[str, Any] = p.get("content") or {}
            schema = p.get("schema") or next((media.get("schema") for media in content.values()), None)
            parameters[(p["in"], p["name"])] = Item(
                str(p["name"]), str(p["in"]), bool(p.get("required")), _enum(document, schema)
            )
    body = follow_refs(document, op.get("requestBody")) or {}
    content = body.get("content") or {} if isinstance(body, Mapping) else {}
    media = next((m for name, m in content.items() if "json" in str(name) or "form" in str(name)), None)
    properties: dict[str, Item] = {}
    if isinstance(media, Mapping):
        for name, schema, required in _properties(document, media.get("schema")):
            properties.setdefault(name, Item(name, "body", required, _enum(document, schema)))
    return list(parameters.values()), list(properties.values())


def shape(spec: str, document: Mapping[str, Any], seed: int | None) -> SpecCoverage:
    """An empty coverage of every operation of the spec (a shard's too: its stateful phase reaches them all)."""
    found: dict[str, OperationCoverage] = {}
    for label, item, op in operations(document):
        parameters, properties = operation_shape(document, item, op)
        documented = [str(key) for key in (op.get("responses") or {})]
        found[label] = OperationCoverage(label, op.get("operationId"), documented, parameters, properties)
    return SpecCoverage(spec, seed, found)


# --- readable forms ----------------------------------------------------------------------------------------------


def _ratio(done: int, total: int) -> str:
    return f"{done}/{total}" + (f" ({100 * done / total:.0f}%)" if total else "")


def summary(coverages: Iterable[SpecCoverage], limit: int = 10) -> str:
    """Per spec, the totals, then what was never reached (at most `limit` lines of each kind)."""
    lines = []
    for coverage in coverages:
        t = coverage.totals()
        shards = f" (shards {', '.join(coverage.shards)})" if coverage.shards else ""
        lines.append(f"{coverage.spec}{shards}: {t['cases']} cases")
        lines.append(f"  operations reached          {_ratio(t['operations_reached'], t['operations'])}")
        lines.append(f"  documented statuses seen    {_ratio(t['statuses_documented_seen'], t['statuses_documented'])}")
        lines.append(f"  parameters sent             {_ratio(t['parameters_sent'], t['parameters'])}")
        lines.append(f"  body properties sent        {_ratio(t['body_properties_sent'], t['body_properties'])}")
        lines.append(f"  enum values sent            {_ratio(t['enum_values_sent'], t['enum_values'])}")
        never = [
            f"    {op.operation}: {', '.join(op.statuses()['documented_never_seen'])}"
            for op in coverage.operations.values()
            if op.statuses()["documented_never_seen"]
        ]
        if never:
            lines.append("  documented statuses never seen:")
            lines += never[:limit] + ([f"    ... and {len(never) - limit} more"] if len(never) > limit else [])
    return "\n".join(lines)


_PAGE = Path(__file__).with_name("coverage.html")


def html(coverages: Iterable[SpecCoverage]) -> str:
    """One self-contained page (no external resources): the coverage JSON and the script that renders it."""
    data = json.dumps(document(coverages), ensure_ascii=False).replace("</", "<\\/")
    return _PAGE.read_text(encoding="utf-8").replace("__DATA__", data)
