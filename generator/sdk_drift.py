"""`python -m generator sdk-drift [SPEC ...]`: each spec against the vendor's installed official SDK.

The vendors generate their SDKs from metadata they do not publish; what an SDK says about an operation (its
method, path, RPC version, parameters with their locations, request and response fields with their wire names and
types) is that metadata's shadow. This module is vendor-neutral: a spec names its SDK and scope in
`info.x-sdk-drift`, its profile reads the SDK into `SdkOperation`s (`Profile.sdk`: the module of a
`read_sdk(module) -> SdkApi` function), the spec is read into the same shape, and the two are compared into
findings with stable rule ids and `diff`'s levels, printed by `diff`'s report (text, JSON, Markdown).

Known differences are recorded in the spec beside the SDK's name, each with its reason, and are reported as
ignored; one that no longer happens is reported (`sdk-known-difference-gone`), so the list stays true:

    info:
      x-sdk-drift:
        sdk: vendorsdk.v1                     # the module the profile reads
        scope: '^/v1/things'                  # SDK operations whose name or path this matches
        known:
          - rule: sdk-field-type-mismatch
            operation: ListThings             # or '*': every operation
            at: response.things[].created
            reason: ...
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Final

from generator.diff.model import ERROR, NONE, WARNING, Change, Rule
from generator.errors import GenerationError, pointer

if TYPE_CHECKING:
    from generator.diff.engine import Report
    from generator.loader import LoadedSpec

__all__ = ["RULES", "SdkApi", "SdkField", "SdkOperation", "SdkParameter", "add_parser", "drift", "run"]

EXTENSION: Final = "x-sdk-drift"
ASPECTS: Final = frozenset({"method", "path", "version", "parameters", "request", "response"})
"""What an SDK may describe of an operation; each profile's reader says which of these its SDK does."""


@dataclass(frozen=True)
class SdkField:
    """A body field: its type (`string`, `integer`, `number`, `boolean`, `object`, `array`, `map`, `any`) and, for
    objects, arrays and maps of objects, its fields by wire name (an array's items and a map's values stand for it)."""

    type: str
    fields: Mapping[str, SdkField] = field(default_factory=dict)
    items: SdkField | None = None


ANY: Final = SdkField("any")


@dataclass(frozen=True)
class SdkParameter:
    name: str
    location: str
    """`path`, `query`, `header`, `cookie`, or `response-header`."""
    type: SdkField = ANY


@dataclass(frozen=True)
class SdkOperation:
    """One operation as a spec or an SDK describes it (None: that side does not say)."""

    name: str
    method: str
    path: str
    version: str | None = None
    parameters: tuple[SdkParameter, ...] = ()
    request: SdkField | None = None
    response: SdkField | None = None


@dataclass(frozen=True)
class SdkApi:
    """What an SDK describes: its distribution and version, its operations by name, and which aspects it says."""

    distribution: str
    operations: Mapping[str, SdkOperation]
    aspects: frozenset[str]

    @property
    def label(self) -> str:
        try:
            return f"{self.distribution} {version(self.distribution)}"
        except PackageNotFoundError:
            return self.distribution


def _rule(rule_id: str, level: str, direction: str, description: str) -> Rule:
    return Rule(rule_id, level, direction, "sdk", description, rule_id, "{c.subject}")


RULES: Final = (
    _rule(
        "sdk-operation-missing-in-spec", WARNING, NONE, "the SDK has an operation in the spec's scope the spec lacks"
    ),
    _rule("sdk-operation-missing-in-sdk", ERROR, NONE, "the spec has an operation the SDK does not"),
    _rule("sdk-operation-method-mismatch", ERROR, NONE, "the spec and the SDK send an operation with other methods"),
    _rule("sdk-operation-path-mismatch", ERROR, NONE, "the spec and the SDK send an operation to other paths"),
    _rule("sdk-rpc-version-mismatch", ERROR, NONE, "the spec and the SDK give an RPC action other versions"),
    _rule("sdk-parameter-missing-in-spec", WARNING, NONE, "the SDK sends a parameter the spec does not have"),
    _rule("sdk-parameter-missing-in-sdk", WARNING, NONE, "the spec has a parameter the SDK does not send"),
    _rule("sdk-parameter-location-mismatch", ERROR, NONE, "a parameter travels elsewhere in the SDK"),
    _rule("sdk-parameter-type-mismatch", ERROR, NONE, "a parameter has another type in the SDK"),
    _rule("sdk-field-missing-in-spec", WARNING, NONE, "the SDK has a body field the spec does not"),
    _rule("sdk-field-missing-in-sdk", WARNING, NONE, "the spec has a body field the SDK does not"),
    _rule("sdk-field-wire-name-mismatch", ERROR, NONE, "a body field has another wire name in the SDK"),
    _rule("sdk-field-type-mismatch", ERROR, NONE, "a body field has another type in the SDK"),
    _rule("sdk-known-difference-gone", WARNING, NONE, "a difference the spec records as known no longer happens"),
)
BY_ID: Final[Mapping[str, Rule]] = {rule.id: rule for rule in RULES}


# --------------------------------------------------------------------------- the spec's side


def spec_api(spec: LoadedSpec) -> tuple[dict[str, SdkOperation], dict[str, str]]:
    """The spec's operations in the SDKs' shape by name (the RPC action where there is one, else operationId), and
    the pointer of each."""
    document = spec.document
    found: dict[str, SdkOperation] = {}
    pointers: dict[str, str] = {}
    for raw_path, item in (document.get("paths") or {}).items():
        item = _deref(document, item)
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options") or not isinstance(op, dict):
                continue
            rpc: dict[str, Any] = op["x-rpc"] if isinstance(op.get("x-rpc"), dict) else {}
            name = str(rpc.get("action") or op.get("operationId") or f"{method.upper()} {raw_path}")
            pointers[name] = pointer("paths", raw_path, method)
            parameters = [_deref(document, p) for p in [*shared, *(op.get("parameters") or [])]]
            success: dict[str, Any] = next(
                (_deref(document, r) for s, r in sorted((op.get("responses") or {}).items()) if str(s).startswith("2")),
                {},
            )
            found[name] = SdkOperation(
                name=name,
                method=method.upper(),
                path=raw_path.split("#", 1)[0],
                version=str(rpc["version"]) if "version" in rpc else None,
                parameters=tuple(
                    [SdkParameter(p["name"], p["in"], _spec_type(document, p.get("schema", {}))) for p in parameters]
                    + [
                        SdkParameter(
                            header, "response-header", _spec_type(document, _deref(document, h).get("schema", {}))
                        )
                        for header, h in (success.get("headers") or {}).items()
                    ]
                ),
                request=_json_body(document, op.get("requestBody")),
                response=_json_body(document, success),
            )
    return found, pointers


def _json_body(document: Mapping[str, Any], holder: Any) -> SdkField | None:
    holder = _deref(document, holder or {})
    media = (holder.get("content") or {}).get("application/json")
    return None if media is None else _spec_type(document, media.get("schema", {}))


def _deref(document: Mapping[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 50:
        target: Any = document
        for token in node["$ref"][2:].split("/"):
            target = target.get(token.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def _spec_type(document: Mapping[str, Any], schema: Any, depth: int = 0) -> SdkField:
    schema = _deref(document, schema)
    if not isinstance(schema, dict) or depth > 20:
        return ANY
    properties: dict[str, Any] = {}
    for part in [schema, *(_deref(document, s) for s in schema.get("allOf") or [])]:
        if isinstance(part, dict):
            properties.update(part.get("properties") or {})
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "const" in schema:
        kind = {str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(schema["const"]))
    if properties:
        return SdkField("object", {name: _spec_type(document, s, depth + 1) for name, s in properties.items()})
    if kind == "array":
        return SdkField("array", items=_spec_type(document, schema.get("items", {}), depth + 1))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return SdkField("map", items=_spec_type(document, schema["additionalProperties"], depth + 1))
    return SdkField(kind) if kind in ("string", "integer", "number", "boolean", "object") else ANY


# --------------------------------------------------------------------------- comparing


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _change(kind: str, operation: str, at: str, message: str, where: str | None = None) -> Change:
    """A difference located in the spec (`where`); the SDK's side has no pointer."""
    return Change(kind, "sdk", operation, where, None, message, flags=frozenset({at}))


def compare(spec: Mapping[str, SdkOperation], sdk: SdkApi, scope: str, pointers: Mapping[str, str]) -> Iterator[Change]:
    """Every difference between the spec's operations and the SDK's (those in `scope`: a regular expression on an
    SDK operation's name or path)."""
    wanted = re.compile(scope)
    for name in sorted(set(spec) | set(sdk.operations)):
        ours, theirs = spec.get(name), sdk.operations.get(name)
        where = pointers.get(name)
        if theirs is None:
            yield _change("sdk-operation-missing-in-sdk", name, "", f"{name} is not in the SDK", where)
            continue
        if ours is None:
            if wanted.search(theirs.name) or wanted.search(theirs.path):
                yield _change(
                    "sdk-operation-missing-in-spec", name, "", f"{theirs.method} {theirs.path} is not in the spec"
                )
            continue
        yield from _operation(ours, theirs, sdk.aspects, where)


def _operation(
    ours: SdkOperation, theirs: SdkOperation, aspects: frozenset[str], where: str | None
) -> Iterator[Change]:
    name = ours.name
    if "method" in aspects and ours.method != theirs.method:
        yield _change(
            "sdk-operation-method-mismatch",
            name,
            "",
            f"method {ours.method} in the spec, {theirs.method} in the SDK",
            where,
        )
    if "path" in aspects and ours.path != theirs.path:
        yield _change(
            "sdk-operation-path-mismatch", name, "", f"path {ours.path} in the spec, {theirs.path} in the SDK", where
        )
    if "version" in aspects and ours.version != theirs.version:
        yield _change(
            "sdk-rpc-version-mismatch",
            name,
            "",
            f"version {ours.version} in the spec, {theirs.version} in the SDK",
            where,
        )
    if "parameters" in aspects:
        yield from _parameters(name, ours.parameters, theirs.parameters, where)
    for part in ("request", "response"):
        mine, sdks = getattr(ours, part), getattr(theirs, part)
        if part in aspects and (mine is not None or sdks is not None):
            yield from _fields(name, part, mine or SdkField("object"), sdks or SdkField("object"), where)


def _parameters(
    name: str, ours: Sequence[SdkParameter], theirs: Sequence[SdkParameter], where: str | None
) -> Iterator[Change]:
    def key(p: SdkParameter) -> str:
        return p.name.lower() if "header" in p.location else p.name

    mine, sdks = {key(p): p for p in ours}, {key(p): p for p in theirs}
    for k in sorted(set(mine) | set(sdks)):
        a, b = mine.get(k), sdks.get(k)
        if a is not None and b is not None:
            at = f"{a.location}.{a.name}"
            if a.location != b.location:
                yield _change(
                    "sdk-parameter-location-mismatch",
                    name,
                    at,
                    f"parameter {a.name}: in {a.location} in the spec, {b.location} in the SDK",
                    where,
                )
            elif not _same_type(a.type, b.type):
                yield _change(
                    "sdk-parameter-type-mismatch",
                    name,
                    at,
                    f"parameter {a.name}: {_shown(a.type)} in the spec, {_shown(b.type)} in the SDK",
                    where,
                )
        elif a is not None:
            yield _change(
                "sdk-parameter-missing-in-sdk",
                name,
                f"{a.location}.{a.name}",
                f"{a.location} parameter {a.name} is not in the SDK",
                where,
            )
        elif b is not None:
            yield _change(
                "sdk-parameter-missing-in-spec",
                name,
                f"{b.location}.{b.name}",
                f"{b.location} parameter {b.name} is not in the spec",
                where,
            )


def _fields(name: str, at: str, ours: SdkField, theirs: SdkField, where: str | None) -> Iterator[Change]:
    if ours.type == "any" or theirs.type == "any" or (ours.type, theirs.type) == ("object", "map"):
        return
    if ours.type != theirs.type:
        yield _change(
            "sdk-field-type-mismatch", name, at, f"{at}: {_shown(ours)} in the spec, {_shown(theirs)} in the SDK", where
        )
        return
    if ours.items is not None and theirs.items is not None:
        yield from _fields(name, f"{at}[]", ours.items, theirs.items, where)
    mine, sdks = dict(ours.fields), dict(theirs.fields)
    by_normal = {_normal(w): w for w in sdks}
    for wire in sorted(mine):
        if wire in sdks:
            yield from _fields(name, f"{at}.{wire}", mine[wire], sdks.pop(wire), where)
            continue
        other = by_normal.get(_normal(wire))
        if other is not None and other in sdks:
            del sdks[other]
            yield _change(
                "sdk-field-wire-name-mismatch",
                name,
                f"{at}.{wire}",
                f"{at}.{wire} is sent as {other} by the SDK",
                where,
            )
        else:
            yield _change("sdk-field-missing-in-sdk", name, f"{at}.{wire}", f"{at}.{wire} is not in the SDK", where)
    for wire in sorted(sdks):
        yield _change("sdk-field-missing-in-spec", name, f"{at}.{wire}", f"{at}.{wire} is not in the spec", where)


def _same_type(a: SdkField, b: SdkField) -> bool:
    return a.type == "any" or b.type == "any" or a.type == b.type


def _shown(f: SdkField) -> str:
    return f"{f.type}<{_shown(f.items)}>" if f.items is not None else f.type


# --------------------------------------------------------------------------- one spec


@dataclass(frozen=True)
class Known:
    """A difference the spec records as known: its rule, operation (`*`: every one) and place, and why."""

    rule: str
    operation: str
    at: str
    reason: str

    def explains(self, rule: str, operation: str, at: str) -> bool:
        return (self.rule, self.at) == (rule, at) and self.operation in ("*", operation)


def _settings(spec: LoadedSpec) -> tuple[dict[str, Any], list[Known]]:
    info = spec.document.get("info") or {}
    settings = info.get(EXTENSION)
    base = pointer("info", EXTENSION)
    if not isinstance(settings, dict) or not isinstance(settings.get("sdk"), str):
        raise GenerationError([spec.problem(base, "sdk-drift.no-sdk", f"expected info.{EXTENSION}.sdk naming the SDK")])
    known, problems = [], []
    for i, entry in enumerate(settings.get("known") or []):
        fields = {k: entry.get(k) if isinstance(entry, dict) else None for k in ("rule", "operation", "at", "reason")}
        if not all(isinstance(fields[k], str) for k in ("rule", "operation", "reason")) or fields["rule"] not in BY_ID:
            problems.append(
                spec.problem(
                    f"{base}/known/{i}",
                    "sdk-drift.known",
                    f"expected rule (one of {', '.join(BY_ID)}), operation, at and a reason",
                )
            )
            continue
        known.append(
            Known(str(fields["rule"]), str(fields["operation"]), str(fields["at"] or ""), str(fields["reason"]))
        )
    if problems:
        raise GenerationError(problems)
    return settings, known


def drift(spec: LoadedSpec) -> Report:
    """The differences between `spec` and the SDK it names, known ones set aside with their reasons."""
    from generator.diff.engine import Report, locate, sort_key
    from generator.profiles import resolve

    settings, known = _settings(spec)
    profile, _ = resolve(spec)
    if profile.sdk is None:
        raise GenerationError(
            [
                spec.problem(
                    pointer("info", EXTENSION), "sdk-drift.no-reader", f"the {profile.name} profile reads no SDK"
                )
            ]
        )
    try:
        sdk: SdkApi = importlib.import_module(profile.sdk).read_sdk(settings["sdk"])
    except ImportError as exc:
        raise GenerationError(
            [
                spec.problem(
                    pointer("info", EXTENSION, "sdk"), "sdk-drift.not-installed", f"cannot import the SDK: {exc}"
                )
            ]
        ) from exc
    ours, pointers = spec_api(spec)
    changes = list(compare(ours, sdk, str(settings.get("scope") or "$^"), pointers))
    findings, ignored, used = [], [], set()
    for change in changes:
        (at,) = change.flags or {""}
        finding = next(BY_ID[change.kind].check(change))
        entry = next((k for k in known if k.explains(change.kind, change.operation, at)), None)
        if entry is None:
            findings.append(finding)
        else:
            used.add(entry)
            ignored.append((finding, entry.reason))
    for i, entry in enumerate(known):
        if entry not in used:
            where = pointer("info", EXTENSION, "known", i)
            change = _change(
                "sdk-known-difference-gone",
                entry.operation,
                entry.at,
                f"{entry.rule} at {entry.at or 'the operation'} no longer happens",
                where,
            )
            findings.append(next(BY_ID[change.kind].check(change)))
    return Report(
        spec.display,
        sdk.label,
        tuple(sorted((locate(f, spec, spec) for f in findings), key=sort_key)),
        tuple(sorted(((locate(f, spec, spec), why) for f, why in ignored), key=lambda p: sort_key(p[0]))),
        ignored_by=f"info.{EXTENSION}.known",
    )


# --------------------------------------------------------------------------- command line


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verb = subparsers.add_parser("sdk-drift", help="compare each spec with the vendor's installed official SDK")
    verb.add_argument(
        "specs",
        nargs="*",
        metavar="SPEC",
        help="spec files naming their SDK in info.x-sdk-drift (default: every spec in ./specs)",
    )
    verb.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="as `diff`: text (default), json or markdown",
    )
    verb.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        help="exit 1 when an unexplained difference at this level or above exists (default: exit 0 whatever was found)",
    )
    verb.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.cli import spec_paths
    from generator.diff.report import render
    from generator.loader import load_spec

    status = 0
    paths = spec_paths(args.specs)
    documents = []
    for path in paths:
        try:
            report = drift(load_spec(path, validate=False))
        except GenerationError as exc:
            print(f"error: {path}: {len(exc.problems)} problem(s)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            status = 2
            continue
        if args.format == "json":
            documents.append(render(report, "json", BY_ID))
        else:
            if args.format == "text" and len(paths) > 1:
                print(f"== {report.base} against {report.revision}")
            sys.stdout.write(render(report, args.format, BY_ID))
        if status == 0 and report.fails(args.fail_on):
            status = 1
    if documents:  # one report as `diff` prints it; several as a JSON array of them
        sys.stdout.write(
            documents[0] if len(paths) == 1 else "[\n" + ",\n".join(d.rstrip() for d in documents) + "\n]\n"
        )
    return status
