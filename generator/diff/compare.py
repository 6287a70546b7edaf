"""The structural layer: two loaded specs -> the `Change`s between them, aligned by operation and JSON pointer.

Nothing here decides what breaks whom; `rules/` does. Operations are aligned by method and path template (path
parameter names do not matter on the wire), then leftovers by their RPC action (`x-rpc`). Local `$ref`s are followed
(3.1 siblings of a `$ref` are merged over its target), and pointers name where a thing really is, so a change inside
a component schema points into `components` wherever it is used.

Schemas are compared once per pair of real locations and the result is reused wherever the pair is met again, so a
spec whose components reference each other everywhere (Stripe) costs one walk of each; a pair met again while it is
still being compared is a cycle, and the walk stops there.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Final, TypeGuard

from generator.diff.model import Change
from generator.errors import escape_pointer_token
from generator.ir import HTTP_METHODS
from generator.loader import LoadedSpec, description_at, resolve_pointer
from generator.runtime.media import essence

BOUNDS: Final[dict[str, tuple[str, str]]] = {
    "maximum": ("max", "decreased"),
    "exclusiveMaximum": ("exclusive-max", "decreased"),
    "minimum": ("min", "increased"),
    "exclusiveMinimum": ("exclusive-min", "increased"),
    "maxLength": ("max-length", "decreased"),
    "minLength": ("min-length", "increased"),
    "maxItems": ("max-items", "decreased"),
    "minItems": ("min-items", "increased"),
}
"""Each bound keyword: its name in change kinds, and which move of its value narrows what it accepts.

A bound set where there was none also narrows; unset widens. Change kinds are `<name>-<set|unset|increased|decreased>`.
"""

COMPOSITIONS: Final = {"oneOf": "one-of", "anyOf": "any-of", "allOf": "all-of"}
_ANNOTATIONS: Final = frozenset({"description", "title", "example", "examples", "externalDocs", "$comment", "xml"})
_WIDER_FORMATS: Final = {("int64", "int32"), ("double", "float"), ("number", "integer")}
_MAX_REF_HOPS: Final = 32


def compare(base: LoadedSpec, revision: LoadedSpec) -> list[Change]:
    """Every change from `base` to `revision` (pure: reads the two parsed documents only)."""
    return list(_Comparison(_Doc(base.document), _Doc(revision.document)).changes())


def dotted(path: Iterable[str]) -> str:
    """A property path as people write it: `items[].name`, `meta.*.id`."""
    out = ""
    for token in path:
        out += token if token == "[]" or not out else "." + token
    return out


def _subject(below: str, whole: str) -> Callable[[str], str]:
    """How a schema change names its place: `whole` for the root schema, `below` and the path under it."""
    return lambda path: f"{below} `{path}`" if path else whole


def _dict(value: Any) -> dict[str, Any]:
    """A mapping with text keys (YAML reads `200:` as a number), or empty for anything else."""
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _mapping(value: Any) -> dict[str, Any]:
    """A schema node as a mapping, without copying (schemas are walked once per node, Stripe has many)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _key(value: Any) -> str:
    """A value's identity for set comparisons (`1` and `true` differ, key order does not matter)."""
    return json.dumps(value, sort_keys=True, default=str)


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _child(ptr: str, *tokens: str | int) -> str:
    return ptr + "".join("/" + escape_pointer_token(t) for t in tokens)


def _at(node: dict[str, Any], ptr: str, keyword: str) -> str:
    """The keyword's pointer when it is there, else the schema's: lines then point at what changed."""
    return _child(ptr, keyword) if keyword in node else ptr


class _Doc:
    """One document and its `$ref` resolution."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any, ptr: str) -> tuple[Any, str]:
        """The node behind local `$ref`s and the pointer of where it really is; external or dangling refs stay."""
        node, ptr, _ = self.resolve_merged(node, ptr)
        return node, ptr

    def resolve_merged(self, node: Any, ptr: str) -> tuple[Any, str, bool]:
        """`resolve`, and whether `$ref` siblings were merged (then the node is not the one at the pointer)."""
        merged = False
        for _ in range(_MAX_REF_HOPS):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                break
            target = resolve_pointer(self.document, ref[1:])
            if not isinstance(target, dict):
                break
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            merged = merged or bool(siblings)
            node, ptr = ({**target, **siblings} if siblings else target), ref[1:]
        return node, ptr, merged


@dataclass(frozen=True)
class _Delta:
    """A schema change relative to the schema a comparison started from (`path`: property tokens below it)."""

    kind: str
    base: str | None
    revision: str | None
    path: tuple[str, ...] = ()
    before: Any = None
    after: Any = None
    flags: frozenset[str] = frozenset()

    def identity(self) -> tuple[str, str | None, str | None, str, str, frozenset[str]]:
        return (self.kind, self.base, self.revision, _key(self.before), _key(self.after), self.flags)


def _under(token: str | None, flags: frozenset[str], deltas: Iterable[_Delta]) -> Iterator[_Delta]:
    for d in deltas:
        yield replace(d, path=(token, *d.path) if token else d.path, flags=d.flags | flags)


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The non-null types a schema allows; None when `type` leaves it open."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return frozenset({kind}) - {"null"} or None
    if isinstance(kind, list):
        return frozenset(str(k) for k in kind) - {"null"} or None
    return None


def _covers(outer: tuple[frozenset[str] | None, Any], inner: tuple[frozenset[str] | None, Any]) -> bool:
    """Whether every value of the `inner` (types, format) is a value of the `outer`."""
    (outer_types, outer_format), (inner_types, inner_format) = outer, inner
    if outer_types is not None and (
        inner_types is None
        or any(t not in outer_types and not (t == "integer" and "number" in outer_types) for t in inner_types)
    ):
        return False
    return outer_format is None or outer_format == inner_format or (outer_format, inner_format) in _WIDER_FORMATS


def _type_text(types: frozenset[str] | None, fmt: Any) -> str:
    text = "|".join(sorted(types)) if types else "any"
    return f"{text}/{fmt}" if fmt is not None else text


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return (
        schema.get("nullable") is True
        or kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or (None in _list(schema.get("enum")))
    )


def _enum(schema: dict[str, Any]) -> list[Any] | None:
    """Allowed values (`const` is an enum of one; null belongs to nullability); None when unrestricted."""
    if isinstance(schema.get("enum"), list):
        return [v for v in schema["enum"] if v is not None]
    if "const" in schema and schema["const"] is not None:
        return [schema["const"]]
    return None


def _bounds(schema: dict[str, Any]) -> dict[str, Any]:
    """Numeric bounds, with OpenAPI 3.0's boolean `exclusiveMaximum: true` turned into the 3.1 form."""
    out = {kw: schema[kw] for kw in BOUNDS if _number(schema.get(kw))}
    for exclusive, inclusive in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")):
        if schema.get(exclusive) is True and inclusive in out:
            out[exclusive] = out.pop(inclusive)
    return out


def _divisor(schema: dict[str, Any]) -> int | float | None:
    """`multipleOf` when it is a usable (positive) number."""
    value = schema.get("multipleOf")
    return value if _number(value) and value > 0 else None


def _is_multiple(a: Any, b: Any) -> bool:
    """Whether `a` is an integer multiple of `b` (then every multiple of `a` is one of `b`)."""
    ratio = Fraction(str(a)) / Fraction(str(b))
    return ratio.denominator == 1


def _signature(node: Any) -> str:
    """A schema without its annotations, to tell a renamed property from a replaced one."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): strip(v) for k, v in value.items() if k not in _ANNOTATIONS and not str(k).startswith("x-")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return _key(strip(node))


def _branch_keys(branches: list[Any]) -> dict[str, int]:
    """Composition branches by identity: the `$ref` they name, else their position among the inline ones."""
    keys: dict[str, int] = {}
    inline = 0
    for i, branch in enumerate(branches):
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(ref, str):
            keys.setdefault(ref, i)
        else:
            keys[f"#{inline}"] = i
            inline += 1
    return keys


def _branch_label(key: str) -> str:
    return key.rsplit("/", 1)[-1] if key.startswith("#/") else f"inline schema {key}"


def _members(
    doc: _Doc, schema: dict[str, Any], ptr: str, depth: int = 0
) -> tuple[dict[str, tuple[Any, str]], set[str]]:
    """An object's properties (name -> (node, pointer)) and required names, its `allOf` schemas' included.

    `allOf` is how specs compose and extend objects, so a property that moves into an `allOf` schema has not gone.
    """
    props = {str(n): (v, _child(ptr, "properties", n)) for n, v in _mapping(schema.get("properties")).items()}
    required = {str(n) for n in _list(schema.get("required"))}
    if depth < _MAX_REF_HOPS:
        for i, branch in enumerate(_list(schema.get("allOf"))):
            node, branch_ptr = doc.resolve(branch, _child(ptr, "allOf", i))
            inherited, also_required = _members(doc, _mapping(node), branch_ptr, depth + 1)
            for name, found in inherited.items():
                props.setdefault(name, found)
            required |= also_required
    return props, required


def _effective_types(doc: _Doc, schema: dict[str, Any], depth: int = 0) -> frozenset[str] | None:
    """The types a schema allows, its `allOf` schemas' included (all of them must hold)."""
    types = _types(schema)
    if depth < _MAX_REF_HOPS:
        for branch in _list(schema.get("allOf")):
            node, _ = doc.resolve(branch, "")
            inherited = _effective_types(doc, _mapping(node), depth + 1)
            if inherited is not None:
                types = inherited if types is None else types & inherited
    return types


class _Unchanged:
    """Which locations hold the same schema in both documents, down to everything it references.

    Comparing such a pair finds nothing, so it is not walked: after a one-field edit of Stripe, the comparison
    walks the schemas that reach the edit, not all three thousand. Found from where the documents differ (pruned by
    equality, so equal subtrees cost next to nothing) and the revision's `$ref`s: a reference target is changed
    when something in or around it differs, or when a reference inside it leads to a changed target. (A reference
    only the base has sits where the documents differ, so the revision's references are enough.)
    """

    def __init__(self, base: Any, revision: Any) -> None:
        differences: list[str] = []
        _differences(base, revision, "", differences)
        self.differences = frozenset(differences)
        self.around = frozenset(outer for found in differences for outer in _enclosing(found))
        """Every difference and every pointer above one."""
        self.refs: list[tuple[str, str]] = sorted(_local_refs(revision, [], []))
        referring: dict[str, list[str]] = {}
        for location, target in self.refs:
            referring.setdefault(target, []).append(location)
        changed = {target for target in referring if self._touched(target)}
        pending = list(changed)
        while pending:  # a target whose inside refers to a changed one is changed too
            for location in referring[pending.pop()]:
                for outer in _enclosing(location):
                    if outer in referring and outer not in changed:
                        changed.add(outer)
                        pending.append(outer)
        self.changed = changed

    def __contains__(self, ptr: str) -> bool:
        """Whether the schema at `ptr` and everything it refers to are the same in both documents."""
        if self._touched(ptr):
            return False
        below = ptr + "/"
        for index in range(bisect.bisect_left(self.refs, (ptr, "")), len(self.refs)):
            location, target = self.refs[index]
            if location != ptr and not location.startswith(below):
                break
            if target in self.changed:
                return False
        return True

    def _touched(self, ptr: str) -> bool:
        """Whether something differs at `ptr`, below it or above it."""
        return ptr in self.around or any(outer in self.differences for outer in _enclosing(ptr))


def _differences(base: Any, revision: Any, ptr: str, found: list[str]) -> None:
    """The pointers where two documents differ, as deep as they can be told apart; a description's words
    (`loader.description_at`) are no difference, since no rule reads them (schemas are compared without them)."""
    if base == revision and type(base) is type(revision):
        return
    if isinstance(base, dict) and isinstance(revision, dict):
        for key in base.keys() | revision.keys():
            if key in base and key in revision:
                _differences(base[key], revision[key], _child(ptr, str(key)), found)
            else:
                found.append(_child(ptr, str(key)))
    elif isinstance(base, list) and isinstance(revision, list) and len(base) == len(revision):
        for index, (b, r) in enumerate(zip(base, revision, strict=True)):
            _differences(b, r, _child(ptr, index), found)
    elif not (isinstance(base, str) and isinstance(revision, str) and description_at(ptr.split("/"))):
        found.append(ptr)


def _local_refs(node: Any, path: list[str | int], found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(where, the pointer it names) of every local `$ref` in a document (`path`: the tokens down to `node`)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            found.append((_child("", *path), ref[1:]))
        items: Iterable[tuple[Any, Any]] = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return found
    for key, value in items:
        if isinstance(value, dict | list):
            path.append(key if isinstance(node, list) else str(key))
            _local_refs(value, path, found)
            path.pop()
    return found


_REFERENCED_ONLY: Final = frozenset(
    {"schemas", "parameters", "requestBodies", "responses", "headers", "examples", "links"}
)
"""The component kinds an operation reads only through a `$ref` (path items and callbacks hold operations)."""


def _enclosing(ptr: str) -> Iterator[str]:
    """`ptr` and every pointer above it, the document's root included."""
    while True:
        yield ptr
        if not ptr:
            return
        ptr = ptr.rpartition("/")[0]


class _Schemas:
    """Schema pairs compared once each (memoised by real location), stopping at cycles; a pair the same in both
    documents, with everything it refers to (`_Unchanged`), is not walked at all."""

    def __init__(self, base: _Doc, revision: _Doc) -> None:
        self.base, self.revision = base, revision
        self.memo: dict[tuple[str, str], tuple[_Delta, ...]] = {}
        self.active: set[tuple[str, str]] = set()
        self.unchanged = _Unchanged(base.document, revision.document)

    def compare(self, base_node: Any, base_ptr: str, revision_node: Any, revision_ptr: str) -> tuple[_Delta, ...]:
        b, bp, b_merged = self.base.resolve_merged(base_node, base_ptr)
        r, rp, r_merged = self.revision.resolve_merged(revision_node, revision_ptr)
        key = (bp, rp)
        reusable = not (b_merged or r_merged)  # a `$ref` with siblings says more than its target: not memoised
        if reusable and key in self.memo:
            return self.memo[key]
        if (
            reusable
            and bp == rp
            and b is resolve_pointer(self.base.document, bp)  # the document's own node, not one put together
            and r is resolve_pointer(self.revision.document, rp)
            and bp in self.unchanged
        ):
            return ()
        if key in self.active:
            return ()
        self.active.add(key)
        try:
            seen: set[tuple[str, str | None, str | None, str, str, frozenset[str]]] = set()
            result = []
            for delta in self._compare(_mapping(b), bp, _mapping(r), rp):
                if delta.identity() not in seen:
                    seen.add(delta.identity())
                    result.append(delta)
        finally:
            self.active.discard(key)
        if reusable:
            self.memo[key] = tuple(result)
        return tuple(result)

    def _compare(self, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str) -> Iterator[_Delta]:
        yield from self._type(b, bp, r, rp)
        yield from self._values(b, bp, r, rp)
        yield from self._bounds(b, bp, r, rp)
        yield from self._properties(b, bp, r, rp)
        for keyword, token in (("items", "[]"), ("additionalProperties", "*")):
            if isinstance(b.get(keyword), dict) and isinstance(r.get(keyword), dict):
                yield from _under(
                    token,
                    frozenset(),
                    self.compare(b[keyword], _child(bp, keyword), r[keyword], _child(rp, keyword)),
                )
        for keyword, name in COMPOSITIONS.items():
            yield from self._composition(keyword, name, b, bp, r, rp)

    def _type(self, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str) -> Iterator[_Delta]:
        before = (_effective_types(self.base, b), b.get("format"))
        after = (_effective_types(self.revision, r), r.get("format"))
        if before != after:
            wider, narrower = _covers(after, before), _covers(before, after)
            kind = "type-generalized" if wider else "type-specialized" if narrower else "type-changed"
            yield _Delta(
                kind, _at(b, bp, "type"), _at(r, rp, "type"), before=_type_text(*before), after=_type_text(*after)
            )
        if _nullable(b) != _nullable(r):
            kind = "became-nullable" if _nullable(r) else "became-not-nullable"
            yield _Delta(kind, _at(b, bp, "nullable"), _at(r, rp, "nullable"))

    def _values(self, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str) -> Iterator[_Delta]:
        before, after = _enum(b), _enum(r)
        b_enum, r_enum = _at(b, bp, "enum" if "enum" in b else "const"), _at(r, rp, "enum" if "enum" in r else "const")
        if before is None and after is not None:
            yield _Delta("became-enum", bp, r_enum, after=after)
        elif before is not None and after is None:
            yield _Delta("became-not-enum", b_enum, rp, before=before)
        elif before is not None and after is not None:
            kept_before, kept_after = {_key(v) for v in before}, {_key(v) for v in after}
            for value in after:
                if _key(value) not in kept_before:
                    yield _Delta("enum-value-added", b_enum, r_enum, after=value)
            for value in before:
                if _key(value) not in kept_after:
                    yield _Delta("enum-value-removed", b_enum, r_enum, before=value)
        for keyword, name in (("pattern", "pattern"), ("default", "default-value")):
            if keyword in b or keyword in r:
                if keyword not in b:
                    yield _Delta(f"{name}-added", bp, _child(rp, keyword), after=r[keyword])
                elif keyword not in r:
                    yield _Delta(f"{name}-removed", _child(bp, keyword), rp, before=b[keyword])
                elif _key(b[keyword]) != _key(r[keyword]):
                    yield _Delta(
                        f"{name}-changed", _child(bp, keyword), _child(rp, keyword), before=b[keyword], after=r[keyword]
                    )

    def _bounds(self, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str) -> Iterator[_Delta]:
        before, after = _bounds(b), _bounds(r)
        for keyword, (name, _) in BOUNDS.items():
            old, new = before.get(keyword), after.get(keyword)
            if old == new:
                continue
            if old is None or new is None:
                event = "set" if old is None else "unset"
            else:
                event = "increased" if new > old else "decreased"
            yield _Delta(f"{name}-{event}", _at(b, bp, keyword), _at(r, rp, keyword), before=old, after=new)
        was, now = _divisor(b), _divisor(r)
        if was != now:
            if was is None or now is None:
                event = "set" if was is None else "unset"
            else:
                event = (
                    "specialized" if _is_multiple(now, was) else "generalized" if _is_multiple(was, now) else "changed"
                )
            yield _Delta(
                f"multiple-of-{event}", _at(b, bp, "multipleOf"), _at(r, rp, "multipleOf"), before=was, after=now
            )

    def _properties(self, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str) -> Iterator[_Delta]:
        b_props, b_required = _members(self.base, b, bp)
        r_props, r_required = _members(self.revision, r, rp)
        if not (b_props or r_props):
            return
        removed = sorted(b_props.keys() - r_props.keys())
        added = sorted(r_props.keys() - b_props.keys())
        if len(removed) == 1 == len(added):
            (old_node, old_ptr), (new_node, new_ptr) = b_props[removed[0]], r_props[added[0]]
            if _signature(self.base.resolve(old_node, old_ptr)[0]) == _signature(
                self.revision.resolve(new_node, new_ptr)[0]
            ):
                flags = self._flags(self.revision, new_node, required=added[0] in r_required)
                yield _Delta("property-renamed", old_ptr, new_ptr, (added[0],), removed[0], added[0], flags)
                removed, added = [], []
        for name in sorted(b_props.keys() & r_props.keys()):
            (old_node, old_ptr), (new_node, new_ptr) = b_props[name], r_props[name]
            flags = self._flags(self.base, old_node) | self._flags(self.revision, new_node)
            was, now = name in b_required, name in r_required
            if was != now:
                kind = "property-became-required" if now else "property-became-optional"
                yield _Delta(kind, old_ptr, new_ptr, (name,), flags=flags)
            yield from _under(name, flags, self.compare(old_node, old_ptr, new_node, new_ptr))
        for name in removed:
            node, ptr = b_props[name]
            yield _Delta(
                "property-removed", ptr, None, (name,), flags=self._flags(self.base, node, required=name in b_required)
            )
        for name in added:
            node, ptr = r_props[name]
            yield _Delta(
                "property-added",
                None,
                ptr,
                (name,),
                flags=self._flags(self.revision, node, required=name in r_required),
            )

    @staticmethod
    def _flags(doc: _Doc, node: Any, *, required: bool = False) -> frozenset[str]:
        schema, _ = doc.resolve(node, "")
        schema = _dict(schema)
        flags = {"read-only"} if schema.get("readOnly") is True else set()
        if schema.get("writeOnly") is True:
            flags.add("write-only")
        if required:
            flags.add("required")
        return frozenset(flags)

    def _composition(
        self, keyword: str, name: str, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str
    ) -> Iterator[_Delta]:
        b_branches, r_branches = _list(b.get(keyword)), _list(r.get(keyword))
        if not (b_branches or r_branches):
            return
        b_keys, r_keys = _branch_keys(b_branches), _branch_keys(r_branches)
        b_ptr, r_ptr = _child(bp, keyword), _child(rp, keyword)
        for key in r_keys.keys() - b_keys.keys():
            yield _Delta(f"{name}-added", _at(b, bp, keyword), _child(r_ptr, r_keys[key]), after=_branch_label(key))
        for key in b_keys.keys() - r_keys.keys():
            yield _Delta(f"{name}-removed", _child(b_ptr, b_keys[key]), _at(r, rp, keyword), before=_branch_label(key))
        for key in sorted(b_keys.keys() & r_keys.keys()):
            i, j = b_keys[key], r_keys[key]
            yield from self.compare(b_branches[i], _child(b_ptr, i), r_branches[j], _child(r_ptr, j))


@dataclass(frozen=True)
class _Op:
    """One operation of one side: where it is and what it says."""

    method: str
    path: str
    ptr: str
    node: dict[str, Any]
    item: dict[str, Any]
    item_ptr: str

    @property
    def name(self) -> str:
        op_id = self.node.get("operationId")
        return op_id if isinstance(op_id, str) and op_id else f"{self.method.upper()} {self.path}"

    @property
    def route(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def rpc_action(self) -> str | None:
        rpc = self.node.get("x-rpc")
        return str(rpc.get("action")) if isinstance(rpc, dict) and "action" in rpc else None


_TEMPLATE_PARAM = re.compile(r"\{([^}/]*)\}")


def _template(path: str) -> str:
    return _TEMPLATE_PARAM.sub("{}", path)


def _operations(doc: _Doc, section: str) -> dict[tuple[str, str], _Op]:
    """The operations of `paths` (or `webhooks`), keyed by method and path template.

    Two paths that differ only in parameter names are keyed by their own text, so neither hides the other.
    """
    items = _dict(doc.document.get(section))
    templates = Counter(_template(p) for p in items)
    ops: dict[tuple[str, str], _Op] = {}
    for path, raw in items.items():
        item_ptr = _child("", section, path)
        item, item_ptr = doc.resolve(raw, item_ptr)
        item = _dict(item)
        route = _template(path) if section == "paths" and templates[_template(path)] == 1 else path
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                ops[(method, route)] = _Op(method, path, _child(item_ptr, method), item[method], item, item_ptr)
    return ops


def _align(
    base: dict[tuple[str, str], _Op], revision: dict[tuple[str, str], _Op]
) -> tuple[list[tuple[_Op, _Op]], list[_Op], list[_Op]]:
    """(matched pairs, removed, added): by method and path template, then leftovers by their unique RPC action."""
    matched = [(base[k], revision[k]) for k in sorted(base.keys() & revision.keys())]
    removed = [base[k] for k in sorted(base.keys() - revision.keys())]
    added = [revision[k] for k in sorted(revision.keys() - base.keys())]

    def by_action(ops: list[_Op]) -> dict[tuple[str, str], list[_Op]]:
        groups: dict[tuple[str, str], list[_Op]] = {}
        for op in ops:
            if op.rpc_action is not None:
                groups.setdefault((op.method, op.rpc_action), []).append(op)
        return groups

    old, new = by_action(removed), by_action(added)
    for key in sorted(old.keys() & new.keys()):
        if len(old[key]) == 1 == len(new[key]):
            matched.append((old[key][0], new[key][0]))
            removed.remove(old[key][0])
            added.remove(new[key][0])
    return matched, removed, added


@dataclass(frozen=True)
class _Param:
    name: str
    location: str
    node: dict[str, Any]
    usage_ptr: str
    ptr: str

    @property
    def required(self) -> bool:
        return self.location == "path" or self.node.get("required") is True

    @property
    def subject(self) -> str:
        return f"{self.location} parameter `{self.name}`"


class _Comparison:
    """Both documents, walked side by side."""

    def __init__(self, base: _Doc, revision: _Doc) -> None:
        self.base, self.revision = base, revision
        self.schemas = _Schemas(base, revision)

    def changes(self) -> Iterator[Change]:
        b_ops, r_ops = _operations(self.base, "paths"), _operations(self.revision, "paths")
        matched, removed, added = _align(b_ops, r_ops)
        r_routes = {_template(op.path) for op in r_ops.values()}
        for op in removed:
            flags = {"deprecated"} if op.node.get("deprecated") is True else set()
            if _template(op.path) not in r_routes:
                flags.add("path-removed")
            yield Change("operation-removed", "operation", op.name, op.ptr, None, op.route, flags=frozenset(flags))
        for op in added:
            yield Change("operation-added", "operation", op.name, None, op.ptr, op.route)
        local = self._differences_local({op.ptr for op in (*b_ops.values(), *r_ops.values())})
        for b, r in matched:
            if not (local and self._same_operation(b, r)):
                yield from self._operation(b, r)
        yield from self._webhooks()
        yield from self._servers()
        yield from self._security_schemes()

    # operations

    def _differences_local(self, operations: set[str]) -> bool:
        """Whether every difference of the documents is inside an operation or inside a component that only a `$ref`
        reaches: then comparing one operation reads nothing that differs but through its own references, its path
        item's parameters and its place (the root's security, the security schemes, a shared path item are none of
        these, so a difference there walks every operation)."""
        for found in self.schemas.unchanged.differences:
            parts = found.split("/")
            if len(parts) > 3 and parts[1] == "components" and parts[2] in _REFERENCED_ONLY:
                continue
            if not any(outer in operations for outer in _enclosing(found)):
                return False
        return True

    def _same_operation(self, b: _Op, r: _Op) -> bool:
        """Whether the pair is the same operation in both documents down to everything it refers to, with its path
        item's parameters (so that comparing it finds nothing, given `_differences_local`)."""
        unchanged = self.schemas.unchanged
        return b.ptr == r.ptr and r.ptr in unchanged and _child(r.item_ptr, "parameters") in unchanged

    def _operation(self, b: _Op, r: _Op) -> Iterator[Change]:
        name = r.name
        b_id, r_id = b.node.get("operationId"), r.node.get("operationId")
        if b_id != r_id:
            yield Change(
                "operation-id-changed",
                "operation",
                name,
                _at(b.node, b.ptr, "operationId"),
                _at(r.node, r.ptr, "operationId"),
                r.route,
                b_id,
                r_id,
            )
        was, now = b.node.get("deprecated") is True, r.node.get("deprecated") is True
        if was != now:
            kind = "operation-deprecated" if now else "operation-reactivated"
            yield Change(kind, "operation", name, b.ptr, r.ptr, r.route)
        yield from self._rpc(name, b, r)
        yield from self._security(name, b, r)
        yield from self._parameters(name, b, r)
        yield from self._request_body(name, b, r)
        yield from self._responses(name, b, r)

    def _rpc(self, name: str, b: _Op, r: _Op) -> Iterator[Change]:
        b_rpc, r_rpc = _dict(b.node.get("x-rpc")), _dict(r.node.get("x-rpc"))
        if not (b_rpc and r_rpc):
            return
        bp, rp = _child(b.ptr, "x-rpc"), _child(r.ptr, "x-rpc")
        for part in ("action", "version"):
            if str(b_rpc.get(part)) != str(r_rpc.get(part)):
                yield Change(f"rpc-{part}-changed", "rpc", name, bp, rp, name, b_rpc.get(part), r_rpc.get(part))

    def _security(self, name: str, b: _Op, r: _Op) -> Iterator[Change]:
        """Effective requirements (the operation's, else the document's) as alternatives of schemes and scopes."""

        def effective(doc: _Doc, op: _Op) -> tuple[dict[frozenset[str], dict[str, set[str]]], bool, str]:
            owner, ptr = (op.node, op.ptr) if "security" in op.node else (doc.document, "")
            requirements = [_dict(req) for req in _list(owner.get("security"))]
            alternatives = {
                frozenset(req): {scheme: {str(s) for s in _list(scopes)} for scheme, scopes in req.items()}
                for req in requirements
                if req
            }
            return alternatives, not requirements or any(not req for req in requirements), _child(ptr, "security")

        (b_alts, b_open, bp), (r_alts, r_open, rp) = effective(self.base, b), effective(self.revision, r)
        if b_open != r_open:
            kind = "security-anonymous-access-added" if r_open else "security-anonymous-access-removed"
            yield Change(kind, "security", name, bp, rp, r.route)
        for alt in sorted(r_alts.keys() - b_alts.keys(), key=sorted):
            yield Change("security-requirement-added", "security", name, None, rp, " and ".join(sorted(alt)))
        for alt in sorted(b_alts.keys() - r_alts.keys(), key=sorted):
            flags = frozenset({"revision-open"}) if r_open else frozenset()
            yield Change(
                "security-requirement-removed", "security", name, bp, None, " and ".join(sorted(alt)), flags=flags
            )
        for alt in sorted(b_alts.keys() & r_alts.keys(), key=sorted):
            for scheme in sorted(alt):
                old, new = b_alts[alt][scheme], r_alts[alt][scheme]
                for scope in sorted(new - old):
                    flags = frozenset({"revision-open"}) if r_open else frozenset()
                    yield Change("security-scope-added", "security", name, bp, rp, scheme, None, scope, flags=flags)
                for scope in sorted(old - new):
                    yield Change("security-scope-removed", "security", name, bp, rp, scheme, scope)

    def _params(self, doc: _Doc, op: _Op) -> dict[tuple[str, str], _Param]:
        """Path-level then operation-level parameters (the latter win), keyed by location and name.

        Path parameters are keyed by their position in the template: renaming `{id}` to `{petId}` changes nothing
        on the wire. Header names are case-insensitive.
        """
        names = _TEMPLATE_PARAM.findall(op.path)
        params: dict[tuple[str, str], _Param] = {}
        for owner, owner_ptr in ((op.item, op.item_ptr), (op.node, op.ptr)):
            for i, raw in enumerate(_list(owner.get("parameters"))):
                usage = _child(owner_ptr, "parameters", i)
                node, ptr = doc.resolve(raw, usage)
                node = _dict(node)
                name, location = node.get("name"), node.get("in")
                if not isinstance(name, str) or not isinstance(location, str):
                    continue
                key = name.lower() if location == "header" else name
                if location == "path" and name in names:
                    key = f"{{{names.index(name)}}}"
                params[(location, key)] = _Param(name, location, node, usage, ptr)
        return params

    def _parameters(self, name: str, b: _Op, r: _Op) -> Iterator[Change]:
        b_params, r_params = self._params(self.base, b), self._params(self.revision, r)
        removed = {k: b_params[k] for k in sorted(b_params.keys() - r_params.keys())}
        added = {k: r_params[k] for k in sorted(r_params.keys() - b_params.keys())}
        for old_key, old in list(removed.items()):
            moved = [k for k, p in added.items() if p.name == old.name]
            if len(moved) == 1:
                new = added.pop(moved[0])
                del removed[old_key]
                yield Change(
                    "parameter-location-changed",
                    "parameter",
                    name,
                    old.usage_ptr,
                    new.usage_ptr,
                    f"parameter `{new.name}`",
                    old.location,
                    new.location,
                )
        for p in removed.values():
            deprecated = frozenset({"deprecated"}) if p.node.get("deprecated") is True else frozenset()
            yield Change("parameter-removed", "parameter", name, p.usage_ptr, None, p.subject, flags=deprecated)
        for p in added.values():
            flags = {"required"} if p.required else set()
            if p.location == "path":
                flags.add("path")
            yield Change("parameter-added", "parameter", name, None, p.usage_ptr, p.subject, flags=frozenset(flags))
        for key in sorted(b_params.keys() & r_params.keys()):
            old, new = b_params[key], r_params[key]
            if old.required != new.required:
                kind = "parameter-became-required" if new.required else "parameter-became-optional"
                yield Change(kind, "parameter", name, old.ptr, new.ptr, new.subject)
            was, now = old.node.get("deprecated") is True, new.node.get("deprecated") is True
            if was != now:
                kind = "parameter-deprecated" if now else "parameter-reactivated"
                yield Change(kind, "parameter", name, old.ptr, new.ptr, new.subject)
            (b_schema, bp), (r_schema, rp) = self._param_schema(old), self._param_schema(new)
            if b_schema is not None and r_schema is not None:
                deltas = self.schemas.compare(b_schema, bp, r_schema, rp)
                yield from self._schema_changes(
                    deltas, "parameter", name, _subject(f"{new.subject} property", new.subject)
                )

    @staticmethod
    def _param_schema(param: _Param) -> tuple[Any, str]:
        if "schema" in param.node:
            return param.node["schema"], _child(param.ptr, "schema")
        for media, content in _dict(param.node.get("content")).items():
            if isinstance(content, dict) and "schema" in content:
                return content["schema"], _child(param.ptr, "content", media, "schema")
        return None, param.ptr

    def _request_body(self, name: str, b: _Op, r: _Op) -> Iterator[Change]:
        b_body, bp = self.base.resolve(b.node.get("requestBody"), _child(b.ptr, "requestBody"))
        r_body, rp = self.revision.resolve(r.node.get("requestBody"), _child(r.ptr, "requestBody"))
        if not isinstance(b_body, dict) and not isinstance(r_body, dict):
            return
        if not isinstance(b_body, dict):
            flags = frozenset({"required"}) if _dict(r_body).get("required") is True else frozenset()
            yield Change("request-body-added", "request-body", name, None, rp, "request body", flags=flags)
            return
        if not isinstance(r_body, dict):
            yield Change("request-body-removed", "request-body", name, bp, None, "request body")
            return
        was, now = b_body.get("required") is True, r_body.get("required") is True
        if was != now:
            kind = "request-body-became-required" if now else "request-body-became-optional"
            yield Change(kind, "request-body", name, bp, rp, "request body")
        yield from self._content(
            name,
            "request-body",
            b_body,
            bp,
            r_body,
            rp,
            _subject("request property", "request body"),
        )

    def _content(
        self,
        name: str,
        root: str,
        b: dict[str, Any],
        bp: str,
        r: dict[str, Any],
        rp: str,
        subject: Callable[[str], str],
    ) -> Iterator[Change]:
        """Media types added and removed, and each shared media type's schema compared."""
        b_content, r_content = _dict(b.get("content")), _dict(r.get("content"))
        b_media = {essence(m): m for m in b_content}
        r_media = {essence(m): m for m in r_content}
        for media in sorted(b_media.keys() - r_media.keys()):
            ptr = _child(bp, "content", b_media[media])
            yield Change("media-type-removed", root, name, ptr, None, subject(""), media)
        for media in sorted(r_media.keys() - b_media.keys()):
            ptr = _child(rp, "content", r_media[media])
            yield Change("media-type-added", root, name, None, ptr, subject(""), None, media)
        for media in sorted(b_media.keys() & r_media.keys()):
            old, new = _dict(b_content[b_media[media]]), _dict(r_content[r_media[media]])
            if "schema" in old and "schema" in new:
                deltas = self.schemas.compare(
                    old["schema"],
                    _child(bp, "content", b_media[media], "schema"),
                    new["schema"],
                    _child(rp, "content", r_media[media], "schema"),
                )
                yield from self._schema_changes(deltas, root, name, subject)

    def _responses(self, name: str, b: _Op, r: _Op) -> Iterator[Change]:
        b_resp, r_resp = _dict(b.node.get("responses")), _dict(r.node.get("responses"))
        bp, rp = _child(b.ptr, "responses"), _child(r.ptr, "responses")
        for status in sorted(b_resp.keys() - r_resp.keys()):
            flags = frozenset({"success"}) if status[:1] in ("2", "3") else frozenset()
            yield Change("response-status-removed", "response", name, _child(bp, status), None, status, flags=flags)
        for status in sorted(r_resp.keys() - b_resp.keys()):
            flags = frozenset({"success"}) if status[:1] in ("2", "3") else frozenset()
            yield Change("response-status-added", "response", name, None, _child(rp, status), status, flags=flags)
        for status in sorted(b_resp.keys() & r_resp.keys()):
            old, old_ptr = self.base.resolve(b_resp[status], _child(bp, status))
            new, new_ptr = self.revision.resolve(r_resp[status], _child(rp, status))
            old, new = _dict(old), _dict(new)
            yield from self._content(
                name,
                "response-body",
                old,
                old_ptr,
                new,
                new_ptr,
                _subject(f"response {status} property", f"response {status} body"),
            )
            yield from self._headers(name, status, old, old_ptr, new, new_ptr)
            yield from self._error_codes(name, status, old, old_ptr, new, new_ptr)

    def _headers(
        self, name: str, status: str, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str
    ) -> Iterator[Change]:
        b_headers = {h.lower(): h for h in _dict(b.get("headers"))}
        r_headers = {h.lower(): h for h in _dict(r.get("headers"))}
        for header in sorted(b_headers.keys() - r_headers.keys()):
            ptr = _child(bp, "headers", b_headers[header])
            node, _ = self.base.resolve(b["headers"][b_headers[header]], ptr)
            flags = frozenset({"required"}) if _dict(node).get("required") is True else frozenset()
            subject = f"response {status} header `{b_headers[header]}`"
            yield Change("response-header-removed", "response", name, ptr, None, subject, flags=flags)
        for header in sorted(r_headers.keys() - b_headers.keys()):
            ptr = _child(rp, "headers", r_headers[header])
            subject = f"response {status} header `{r_headers[header]}`"
            yield Change("response-header-added", "response", name, None, ptr, subject)

    def _error_codes(
        self, name: str, status: str, b: dict[str, Any], bp: str, r: dict[str, Any], rp: str
    ) -> Iterator[Change]:
        def codes(response: dict[str, Any], ptr: str) -> dict[str, tuple[dict[str, Any], str]]:
            return {
                str(entry.get("code")): (entry, _child(ptr, "x-error-codes", i))
                for i, entry in enumerate(_list(response.get("x-error-codes")))
                if isinstance(entry, dict) and "code" in entry
            }

        old, new = codes(b, bp), codes(r, rp)
        for code in sorted(new.keys() - old.keys()):
            yield Change("error-code-added", "response", name, None, new[code][1], f"response {status}", None, code)
        for code in sorted(old.keys() - new.keys()):
            yield Change("error-code-removed", "response", name, old[code][1], None, f"response {status}", code)
        for code in sorted(old.keys() & new.keys()):
            was, now = old[code][0].get("message"), new[code][0].get("message")
            if was != now:
                subject = f"response {status} error code {code}"
                yield Change(
                    "error-code-message-changed", "response", name, old[code][1], new[code][1], subject, was, now
                )

    def _schema_changes(
        self, deltas: Iterable[_Delta], root: str, operation: str, subject: Callable[[str], str]
    ) -> Iterator[Change]:
        for d in deltas:
            yield Change(
                d.kind,
                root,
                operation,
                d.base,
                d.revision,
                subject(dotted(d.path)),
                d.before,
                d.after,
                nested=bool(d.path),
                flags=d.flags,
            )

    # document level

    def _webhooks(self) -> Iterator[Change]:
        b_hooks, r_hooks = _operations(self.base, "webhooks"), _operations(self.revision, "webhooks")
        for key in sorted(b_hooks.keys() - r_hooks.keys()):
            hook = b_hooks[key]
            yield Change("webhook-removed", "webhook", f"webhook {hook.path}", hook.ptr, None, hook.path)
        for key in sorted(r_hooks.keys() - b_hooks.keys()):
            hook = r_hooks[key]
            yield Change("webhook-added", "webhook", f"webhook {hook.path}", None, hook.ptr, hook.path)
        for key in sorted(b_hooks.keys() & r_hooks.keys()):
            b, r = b_hooks[key], r_hooks[key]
            b_body, bp = self.base.resolve(b.node.get("requestBody"), _child(b.ptr, "requestBody"))
            r_body, rp = self.revision.resolve(r.node.get("requestBody"), _child(r.ptr, "requestBody"))
            yield from self._content(
                f"webhook {r.path}",
                "webhook",
                _dict(b_body),
                bp,
                _dict(r_body),
                rp,
                _subject("webhook property", "webhook payload"),
            )

    def _servers(self) -> Iterator[Change]:
        def servers(doc: _Doc) -> dict[str, tuple[str, str]]:
            """Servers by region (`x-region`) when they name one, else by URL: (url, pointer)."""
            out: dict[str, tuple[str, str]] = {}
            for i, server in enumerate(_list(doc.document.get("servers"))):
                server = _dict(server)
                url = str(server.get("url", "/"))
                out.setdefault(str(server.get("x-region") or url), (url, _child("", "servers", i)))
            return out

        old, new = servers(self.base), servers(self.revision)
        for key in sorted(old.keys() - new.keys()):
            yield Change("server-removed", "server", "", old[key][1], None, old[key][0])
        for key in sorted(new.keys() - old.keys()):
            yield Change("server-added", "server", "", None, new[key][1], new[key][0])
        for key in sorted(old.keys() & new.keys()):
            if old[key][0] != new[key][0]:
                yield Change(
                    "server-url-changed", "server", "", old[key][1], new[key][1], key, old[key][0], new[key][0]
                )
        b_first, r_first = next(iter(old.values()), None), next(iter(new.values()), None)
        if b_first and r_first and b_first[0] != r_first[0]:
            yield Change(
                "default-server-changed", "server", "", b_first[1], r_first[1], "default server", b_first[0], r_first[0]
            )

    def _security_schemes(self) -> Iterator[Change]:
        def schemes(doc: _Doc) -> dict[str, tuple[dict[str, Any], str]]:
            raw = _dict(_dict(doc.document.get("components")).get("securitySchemes"))
            out = {}
            for scheme_name, node in raw.items():
                resolved, _ = doc.resolve(node, "")
                out[scheme_name] = (_dict(resolved), _child("", "components", "securitySchemes", scheme_name))
            return out

        old, new = schemes(self.base), schemes(self.revision)
        for scheme in sorted(old.keys() - new.keys()):
            yield Change("security-scheme-removed", "security", "", old[scheme][1], None, scheme)
        for scheme in sorted(new.keys() - old.keys()):
            yield Change("security-scheme-added", "security", "", None, new[scheme][1], scheme)
        for scheme in sorted(old.keys() & new.keys()):
            (b, bp), (r, rp) = old[scheme], new[scheme]
            for kind, fields in (
                ("security-scheme-type-changed", ("type", "scheme", "bearerFormat")),
                ("security-scheme-key-changed", ("in", "name")),
                ("security-scheme-signing-changed", ("x-signing",)),
            ):
                before = {f: b[f] for f in fields if f in b}
                after = {f: r[f] for f in fields if f in r}
                if _key(before) != _key(after):
                    yield Change(kind, "security", "", bp, rp, scheme, before, after)
