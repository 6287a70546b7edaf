"""Load a spec file, validate it with openapi-spec-validator, and locate problems by JSON pointer and line.

Line numbers are computed only when there is something to report, so that the fast path (a valid spec) pays for
one YAML parse and nothing more: LibYAML's events, built straight into exactly the values PyYAML's loader gives
(`fast_yaml`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import yaml

from generator.cache import Cache, Recent, content_key
from generator.errors import GenerationError, Problem, display_path, escape_pointer_token, pointer
from generator.ir import HTTP_METHODS
from generator.served_json import SPANNED_DEPTH
from generator.spec_files import package_name, read_spec_bytes
from generator.yaml_fast import UNSURE, BaseLoader, ParsedText, SpecLoader, fast_yaml, parse_text, reparsed

MAX_EXPANDED_NODES = 5_000_000
"""A document whose YAML aliases expand to more values than this is refused (an alias bomb: a few kilobytes that
expand to billions of values would exhaust memory in whatever walks it). Stripe's spec has about 100,000."""
MAX_DOCUMENT_DEPTH = 100
"""A document nesting objects and arrays deeper than this is refused: the validator, the generator and the
hand-over to worker processes all recurse, and would fail at a depth that depends on the stack in use. The deepest
spec of the corpus nests 15 levels."""
_AMPERSAND = re.compile(rb"&[^\s,\[\]{}]")
_BEFORE_ANCHOR = frozenset(b" \t\n\r\f\v:-[{,")


def _anchored(raw: bytes) -> bool:
    """Whether `raw` may hold an anchor (`&name` at the start of a node: at the start, or after a space or one of
    `:-[{,`). The ampersands are found first (a literal search), then what precedes each is looked at: a pattern
    with the look-behind first is tried at every position (60 ms for Stripe's 4 MB)."""
    return any(m.start() == 0 or raw[m.start() - 1] in _BEFORE_ANCHOR for m in _AMPERSAND.finditer(raw))


ABSENT: Any = object()
"""No value at a place (`resolve_pointer`, `Edit.before`)."""


@dataclass(frozen=True)
class Edit:
    """A document read as an edit (`yaml_fast.reparsed`): equal to the document of the text read before, the one
    `content_key` names `previous`, but for the values at `paths` (each mapping keys from the root, none within
    another), which were `before`."""

    previous: str
    paths: tuple[tuple[str, ...], ...]
    before: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    """The value at each of `paths` in the document before (`ABSENT`: none, or not known; none known when empty)."""

    def constraints_changed(self, document: dict[str, Any]) -> tuple[str, ...] | None:
        """Where `document` (the edited one) differs from the one before in schemas' numeric constraints alone, and
        perhaps descriptions' text: the pointers of the constraints given another value of their kind (none for a
        docs edit), or None where it differs otherwise. Descriptions' text: strings under `description` keys outside
        values (defaults, examples, enums, extensions, links, discriminator mappings). Where the document before was
        valid, openapi-spec-validator checks such a string only for being one (the description keyword, or an OAuth
        scope's), and such a number for its kind alone, except in validating a default against a schema that holds
        it (`default_reach`)."""
        if len(self.before) != len(self.paths):
            return None
        found: list[str] = []
        for path, before in zip(self.paths, self.before, strict=True):
            after = resolve_pointer(document, pointer(*path))
            if after is ABSENT or before is ABSENT or not _checked_alone(before, after, path, found):
                return None
        return tuple(found)


_VALUE_KEYS = frozenset({"default", "example", "examples", "enum", "const", "mapping", "links", "value"})
"""Keys whose value holds values, or names to resolve, rather than the spec's own objects."""


def description_at(tokens: Sequence[str | int]) -> bool:
    """Whether a string at `tokens` (from the root) is a description: under a `description` key, outside values
    (defaults, examples, enums, extensions, links, discriminator mappings). In a valid document such a string is the
    description keyword (or an OAuth scope's): documentation, which nothing checks or compares but as a string."""
    return bool(tokens) and tokens[-1] == "description" and not any(_holds_values(k) for k in tokens)


def _holds_values(key: str | int) -> bool:
    """Whether what is under `key` holds values, or names to resolve (`_VALUE_KEYS`), or is an extension's."""
    return isinstance(key, str) and (key in _VALUE_KEYS or key.startswith("x-"))


_COUNTS = frozenset({"maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"})
"""Constraints whose value is an integer >= 0, in OpenAPI 3.0 and in every JSON Schema draft."""
_BOUNDS = frozenset({"maximum", "minimum"})
"""Constraints whose value is a number, in OpenAPI 3.0 and in every JSON Schema draft."""


def constraint_at(tokens: Sequence[str | int], value: Any) -> bool:
    """Whether `value` at `tokens` (from the root) is a numeric constraint of the kind its keyword asks for (a count:
    an integer >= 0; a bound: a finite number), outside values. In a valid OpenAPI 3 document a number under such a
    key is a schema's (parameters and headers have no such keys), or a 3.1 schema's unknown keyword's, which nothing
    checks: another value of that kind is as valid there."""
    if not tokens or isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if any(_holds_values(k) for k in tokens):
        return False
    if tokens[-1] in _COUNTS:
        return isinstance(value, int) and value >= 0
    return tokens[-1] in _BOUNDS and math.isfinite(value)


def _checked_alone(a: Any, b: Any, path: tuple[str | int, ...], constraints: list[str]) -> bool:
    """Whether `b` differs from `a` in descriptions' text and numeric constraints alone (`Edit.constraints_changed`);
    the pointers of the constraints that differ are added to `constraints`."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_checked_alone(a[k], b[k], (*path, k), constraints) for k in a)
    if isinstance(a, list):
        pairs = enumerate(zip(a, b, strict=True)) if len(a) == len(b) else None
        return pairs is not None and all(_checked_alone(x, y, (*path, i), constraints) for i, (x, y) in pairs)
    if a == b or (isinstance(a, str) and description_at(path)):
        return True
    if constraint_at(path, b):
        constraints.append(pointer(*path))
        return True
    return False


def default_reach(document: dict[str, Any]) -> tuple[str, ...] | None:
    """The pointers of the parts of a valid `document` that openapi-spec-validator validates a default against: each
    object holding a `default` key (outside values, and but for the responses of an operation), with what its
    references reach, transitively; a `discriminator` reaches every component schema (the default's own value may
    name one). None where a reference could resolve elsewhere than the document's JSON pointers: one into another
    document, a dynamic or recursive one, or beside an `$id` or an anchor."""
    holders: list[str] = []
    refs: list[tuple[str, str]] = []  # (where, the pointer it names)
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while pending:
        node, tokens = pending.pop()
        if isinstance(node, list):
            pending += [(item, (*tokens, i)) for i, item in enumerate(node) if isinstance(item, dict | list)]
            continue
        if not _RESOLVED_ELSEWHERE.isdisjoint(node):
            return None
        if "default" in node and not _responses(tokens):
            holders.append(pointer(*tokens))
        for key, value in node.items():
            if key == "$ref":
                if not isinstance(value, str) or not value.startswith("#"):
                    return None
                refs.append((pointer(*tokens), unquote(value[1:])))
            elif key == "discriminator":
                refs.append((pointer(*tokens), "/components/schemas"))
            if isinstance(value, dict | list) and not _holds_values(key):
                pending.append((value, (*tokens, key)))
    refs.sort()
    where = [location for location, _ in refs]
    reached: set[str] = set()
    while holders:
        root = holders.pop()
        if root in reached:
            continue
        reached.add(root)
        start = bisect_left(where, root)
        end = bisect_left(where, f"{root}/\U0010ffff")
        holders += [target for location, target in refs[start:end] if reaches((root,), location)]
    return tuple(sorted(reached))


def added_reach(before: Sequence[str], part: Sequence[str]) -> tuple[str, ...]:
    """The `default_reach` of a document that adds or changes component schemas alone (`schemas_changed`) of one
    whose reach was `before`, from the reach of the part that decides its verdict (`schemas_part`), as `reaches` reads
    it: the same parts are reached, or more (a changed schema's roots before, which nothing else reaches). The other
    schemas are as they were, referred to no schema added (the document before was valid) and validate no default
    against a changed one (`_deciding_part` asks that), so their defaults reach what they reached; the added and
    changed ones' defaults reach within the part, which holds every schema they refer to. A root the part adds that
    the whole reaches through a broader root (a `discriminator` reaches every component schema) is within that root.
    Why: the whole document's reach costs a walk of all of it (0.07 s for Stripe), the part's is found where it was
    validated. `pinned_schemas` joins in the same way."""
    return tuple(sorted({*before, *part}))


def pinned_schemas(document: dict[str, Any]) -> tuple[str, ...] | None:
    """The component schemas of a valid `document` whose content openapi-spec-validator reads in judging a schema
    other than them, beside their defaults (`default_reach`), by name: those a reference points within
    (`#/components/schemas/S/properties/p`), and those whose properties a schema holding `allOf` collects (through
    `allOf`, `anyOf`, `oneOf`, `items` and `not`, following references) to find its `required` names among. None
    where a reference could resolve elsewhere than the document's JSON pointers (as for `default_reach`), or points
    into the paths (what it names is judged with the path item that holds it: `schemas_part`), and where a schema
    holding `allOf` requires a name it would not find: the validator checks that only where it meets the schema
    first outside another (a component schema that a path's schema refers to is met there first), so an edit that
    drops a reference could bring the check out.

    Why: a schema none of these reads, nor any default, is judged by its own content and by the schemas it refers to
    alone, so an edit changing it is judged by it and them (`schemas_part`)."""
    pinned: set[str] = set()
    holders: list[dict[str, Any]] = []
    pending: list[Any] = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending += [item for item in node if isinstance(item, dict | list)]
            continue
        if not _RESOLVED_ELSEWHERE.isdisjoint(node):
            return None
        if isinstance(node.get("allOf"), list):
            holders.append(node)
        if "$ref" in node:
            target = _schema_target(node["$ref"])
            if target is None:
                return None
            if len(target) > 1:
                pinned.add(target[0])
        pending += [value for key, value in node.items() if isinstance(value, dict | list) and not _holds_values(key)]
    collected: dict[int, frozenset[str]] = {}

    def names(node: Any, trail: frozenset[int]) -> frozenset[str]:
        """The property names the validator collects from `node` (its `_collect_properties`: a reference stands for
        what it names, its siblings unseen), the component schemas it follows added to `pinned`."""
        seen = set(trail)
        while isinstance(node, dict) and "$ref" in node and id(node) not in seen:
            seen.add(id(node))
            target = _schema_target(node["$ref"])
            if target is None:
                raise _NotLocal
            if target:
                pinned.add(target[0])
            node = resolve_pointer(document, unquote(node["$ref"][1:]))
        if isinstance(node, list):
            return frozenset().union(*(names(item, trail) for item in node))
        if not isinstance(node, dict) or id(node) in trail or "$ref" in node:
            return frozenset()
        if id(node) not in collected:
            inner = trail | {id(node)}
            found = set(node["properties"]) if isinstance(node.get("properties"), dict) else set()
            for key in _COLLECTED:
                if key in node:
                    found |= names(node[key], inner)
            collected[id(node)] = frozenset(found)
        return collected[id(node)]

    try:
        for holder in holders:
            required = holder.get("required")
            found = names(holder["allOf"], frozenset({id(holder)}))
            own = holder["properties"] if isinstance(holder.get("properties"), dict) else {}
            if isinstance(required, list) and any(name not in own and name not in found for name in required):
                return None
    except (_NotLocal, RecursionError, TypeError):  # (TypeError: a required name that is no string)
        return None
    return tuple(sorted(pinned))


_COLLECTED = ("allOf", "anyOf", "oneOf", "items", "not")
"""Where openapi-spec-validator collects a schema's property names from (its `_collect_properties`), beside its own
`properties`: for a schema holding `allOf`, the names its `required` may list (`pinned_schemas`, `_collected_from`)."""


class _NotLocal(Exception):
    """A reference is not to the document's own JSON pointers (`pinned_schemas`), or not to a component schema, or
    could resolve otherwise (`schemas_part`)."""


def _schema_target(ref: Any) -> tuple[str, ...] | None:
    """The tokens below `/components/schemas` of the pointer a local reference `ref` names (none for another part of
    the document); None for a reference that is not local, names the component schemas' map itself, or points into
    the paths (an edit of a path item would change what it names under it)."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in unquote(ref[1:]).split("/")[1:])
    if tokens[:1] == ("paths",):
        return None
    if tokens[:2] != _SCHEMAS:
        return ()
    return tokens[2:] or None


def reaches(roots: Sequence[str], at: str) -> bool:
    """Whether pointer `at` is within the part of the document at one of the pointers `roots`."""
    return any(not root or at == root or at.startswith(f"{root}/") for root in roots)


_RESOLVED_ELSEWHERE = frozenset(
    {"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"}
)
"""Keywords beside which a reference may resolve elsewhere than the document's own JSON pointers."""


def _responses(tokens: tuple[str | int, ...]) -> bool:
    """Whether `tokens` are those of a map of responses (whose `default` is a response, not a default value)."""
    if tokens == ("components", "responses"):
        return True
    return len(tokens) >= 3 and tokens[-1] == "responses" and tokens[-2] in HTTP_METHODS and _path_item(tokens[:-2])


def _path_item(tokens: tuple[str | int, ...]) -> bool:
    """Whether `tokens` are those of a path item: of `paths`, `webhooks`, components, or a callback's."""
    if len(tokens) == 2 and tokens[0] in ("paths", "webhooks"):
        return True
    if tokens[:2] in (("components", "pathItems"), ("components", "callbacks")):
        return len(tokens) == (3 if tokens[1] == "pathItems" else 4)
    return len(tokens) >= 5 and tokens[-3] == "callbacks" and tokens[-4] in HTTP_METHODS and _path_item(tokens[:-4])


@dataclass(frozen=True)
class LoadedSpec:
    """A parsed spec document with what later stages need to cite it."""

    path: Path
    raw: bytes
    document: dict[str, Any]
    warnings: tuple[Problem, ...] = ()
    """Deviations `--lenient` repaired, located (see `generator.lenient`)."""
    edit: Edit | None = None
    """How the document was read, when it was read as an edit of one read before (see `Edit`)."""

    @property
    def name(self) -> str:
        return package_name(self.path)

    @cached_property
    def digest(self) -> str:
        """`content_key` of its bytes: what `Edit.previous` names a document by."""
        return content_key(self.raw)

    @property
    def display(self) -> str:
        return display_path(self.path)

    @cached_property
    def _node_tree(self) -> yaml.Node | None:
        """YAML's node tree (with line marks), composed once and only when a problem needs a line number."""
        try:
            return yaml.compose(self.raw, Loader=BaseLoader)
        except (yaml.YAMLError, RecursionError):
            return None

    def problem(self, ptr: str, code: str, message: str) -> Problem:
        """A problem in this spec, with the line of `ptr` when the pointer can be found."""
        return Problem(self.display, ptr, code, message, line_in(self._node_tree, ptr))


def parse_document(raw: bytes, shown: str, *, as_json: bool) -> Any:
    """The document in `raw` (JSON or YAML); a GenerationError located at the line and column of a syntax error."""
    if not as_json:
        fast = fast_yaml(raw)
        if fast is not UNSURE:
            return fast
    try:
        return json.loads(raw, parse_constant=_not_json) if as_json else yaml.load(raw, Loader=SpecLoader)
    except yaml.reader.ReaderError as exc:  # bytes that are no text: where they are, and why, on one line
        before = raw[: exc.position]
        at = before.count(b"\n") + 1, len(before) - before.rfind(b"\n")
        reason = str(exc).split("\n", 1)[0]
        raise GenerationError(
            [Problem(shown, "", "spec.syntax", f"not valid YAML: {reason}", at[0], column=at[1])]
        ) from exc
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        line = column = None
        # A YAML error's context (an unclosed bracket or quote) is where the fault is; its problem mark, where the
        # parser noticed, is often the next line.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
        elif isinstance(exc, json.JSONDecodeError):
            line, column = exc.lineno, exc.colno
        problem = getattr(exc, "problem", None) or str(exc) or type(exc).__name__
        context = getattr(exc, "context", None)
        found = getattr(exc, "problem_mark", None)
        if context and found is not None and mark is not found:
            problem = f"{problem} ({context} at line {line}, column {column}; noticed at line {found.line + 1})"
        kind = "JSON" if as_json else "YAML"
        raise GenerationError(
            [Problem(shown, "", "spec.syntax", f"not valid {kind}: {problem}", line, column=column)]
        ) from exc


def load_spec(path: Path, *, validate: bool = True, lenient: bool = False, cache: Cache | None = None) -> LoadedSpec:
    """Read and parse one spec, and validate it unless the caller validates elsewhere; raise GenerationError.

    `lenient`: deviations with one obvious meaning are repaired first, each a warning (`generator.lenient`).
    `cache`: a document parsed before (the same bytes) is read from it (`generator.cache`), and one edited since the
    last read at `path` is read as an `Edit` of it (`_read`)."""
    shown = display_path(path)
    raw = read_spec_bytes(path)
    as_json = path.suffix == ".json"
    key = content_key(raw) if cache is not None else ""
    cached = cache.get("document", key) if cache is not None and key else None
    edit: Edit | None = None
    if isinstance(cached, dict):
        document = cached
        if cache is not None and cache.enabled:
            _read_again(path, raw, document, (cache, key))
    elif cache is not None and cache.enabled:
        document, edit = _read(path, raw, shown, as_json, (cache, key))
    else:
        document = parse_document(raw, shown, as_json=as_json)
    if not isinstance(document, dict):
        raise GenerationError([Problem(shown, "", "spec.not-a-mapping", "expected a mapping at the top level")])
    anchored = not as_json and _anchored(raw)  # (JSON has no aliases: an `&name` there is in a string)
    if cache is not None and key and cached is None and not anchored:  # no shared (aliased) values to keep shared
        cache.put("document", key, document)
    if anchored and expanded_size(document) > MAX_EXPANDED_NODES:
        raise GenerationError(
            [
                Problem(
                    shown,
                    "",
                    "spec.alias-bomb",
                    f"its YAML aliases expand to more than {MAX_EXPANDED_NODES} values: refused as an alias bomb",
                )
            ]
        )
    if _too_deep(document, edit, cache):
        message = f"objects and arrays nest deeper than {MAX_DOCUMENT_DEPTH} levels: refused"
        raise GenerationError([Problem(shown, "", "spec.too-deep", message)])
    if cache is not None and key and cached is None:  # (a document read from the cache was told so when parsed)
        cache.put("shallow", key, True)
    spec = LoadedSpec(path, raw, document, edit=edit)
    if lenient:  # (a repair of one place may depend on others: the edit is not told)
        from generator.lenient import repaired

        fixed, repairs = repaired(document)
        warnings = tuple(replace(spec.problem(r.pointer, r.code, r.message), level="warning") for r in repairs)
        spec = LoadedSpec(path, raw, fixed, warnings)
    problems = validate_document(spec) if validate else []
    if problems:
        raise GenerationError(problems)
    return spec


_READ: Recent[str, tuple[ParsedText, str]] = Recent(4)
"""The specs this process read last, by absolute path, each with its `content_key`, and for a YAML one where its
entries are (`yaml_fast`): an edit of one is read as an `Edit` of it."""


def _read(
    path: Path, raw: bytes, shown: str, as_json: bool, kept: tuple[Cache, str] | None = None
) -> tuple[Any, Edit | None]:
    """`parse_document` of a spec, and what the next read of an edit of it starts from; with the document, the `Edit`
    it was read as, if it is an edit of the text read last at `path` (by this process, or by the run that left it in
    the cache): a YAML text's as `yaml_fast.reparsed` reads it, parsing only the entries it changed, where it can;
    any text's otherwise as the documents compare (`changed_entries`). `kept`: the cache, and the key `load_spec`
    keeps this text's document under (`content_key(raw)`)."""
    text = _utf8(raw)
    if text is None:
        return parse_document(raw, shown, as_json=as_json), None
    where = str(path.absolute())
    previous = _READ.get(where) or (_read_before(kept[0], where) if kept is not None else None)
    parsed = reparsed(previous[0], text) if previous is not None and not as_json else None
    if previous is not None and parsed is previous[0]:
        return parsed.document, None
    paths = parsed.edited if parsed is not None else None
    if parsed is None:
        parsed = (None if as_json else parse_text(text)) or ParsedText(
            text, parse_document(raw, shown, as_json=as_json), ()
        )
        paths = changed_entries(previous[0].document, parsed.document) if previous is not None else None
    key = kept[1] if kept is not None else content_key(raw)
    _READ[where] = (parsed, key)
    if kept is not None:  # the text itself only where an edit of it can be read in part
        kept[0].put("read", content_key(where), (raw if parsed.entries else b"", key))
        kept[0].put("entries", key, parsed.keys())  # by content: `_read_again` finds them too
    if previous is None or paths is None:
        return parsed.document, None
    before = tuple(resolve_pointer(previous[0].document, pointer(*at)) for at in paths)
    return parsed.document, Edit(previous[1], paths, before)


def _read_again(path: Path, raw: bytes, document: Any, kept: tuple[Cache, str]) -> None:
    """A text whose document the cache had (by content: `kept`, the cache and the key) is the one read last at
    `path` all the same, so that the next edit is read as an edit of it: after an undo, or a branch switched back to,
    the next edit would otherwise be told against the text read before, a larger edit than it is. Where its entries
    were kept with it (`_read`), as `_read` would have left it; otherwise, as before, not at all."""
    where = str(path.absolute())
    known = _READ.get(where)
    text = _utf8(raw)
    if (known is not None and known[1] == kept[1]) or text is None:
        return
    try:
        parsed = _kept_text(text, document, kept[0].get("entries", kept[1]))
    except (TypeError, ValueError):  # none kept, or of another shape
        return
    _READ[where] = (parsed, kept[1])
    kept[0].put("read", content_key(where), (raw if parsed.entries else b"", kept[1]))


def _kept_text(text: str, document: Any, entries: Any) -> ParsedText:
    """`text` with its `document` and its entries as the cache keeps them (`ParsedText.keys`); TypeError or
    ValueError where they are not kept in that shape."""
    return ParsedText.from_keys(text, document, [(tuple(p), int(s), int(k)) for p, s, k in entries])


def changed_entries(before: Any, after: Any) -> tuple[tuple[str, ...], ...] | None:
    """Where document `after` differs from document `before`: the paths (mapping keys from the root, at most
    `SPANNED_DEPTH` deep, none within another) of the innermost values that differ in content, order or types, on
    the way to each of which the mappings have the same keys in the same order; None where the roots' keys differ."""
    if not (isinstance(before, dict) and isinstance(after, dict)) or list(before) != list(after):
        return None
    found: list[tuple[str, ...]] = []

    def walk(a: dict[str, Any], b: dict[str, Any], path: tuple[str, ...]) -> None:
        for key, value in a.items():
            other = b[key]
            if value is other or _same(value, other):
                continue
            at = (*path, key)
            if len(at) < SPANNED_DEPTH and type(value) is dict and type(other) is dict and list(value) == list(other):
                walk(value, other, at)
            else:
                found.append(at)

    walk(before, after, ())
    return tuple(found)


def _same(a: Any, b: Any) -> bool:
    """Equal values with their keys in the same order and numbers of the same types (`==` tells neither): their JSON
    texts agree. A value JSON cannot write counts as different."""
    if a != b:
        return False
    try:
        return _JSON_TEXT(a) == _JSON_TEXT(b)
    except (TypeError, ValueError, RecursionError):
        return False


_JSON_TEXT = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

_SCHEMAS = ("components", "schemas")
_COMPONENT_REF = "#/components/"
_RESOLVING = frozenset(
    {"$id", "$anchor", "$dynamicAnchor", "$dynamicRef", "$recursiveAnchor", "$recursiveRef", "$schema"}
)
"""Keywords that give a schema a name to resolve, or change how the references around it resolve (JSON Schema 2019
and 2020, OpenAPI 3.1): a schema holding one can change what other schemas mean."""


_KEPT = ("openapi", "info", "jsonSchemaDialect")
"""What a part of a document (`schemas_part`) keeps of the whole beside its schemas."""


@dataclass(frozen=True)
class PartsChanged:
    """What an edit did where it added or changed component schemas, or added, changed or removed path items, alone
    (`parts_changed`)."""

    added: tuple[str, ...]
    """Component schemas added."""
    changed: tuple[str, ...]
    """Component schemas changed."""
    paths: tuple[str, ...] = ()
    """Path items added, changed or removed."""


def parts_changed(spec: LoadedSpec) -> PartsChanged | None:
    """The component schemas `spec` adds to the document read before it (`spec.edit`), those whose content it
    changes, and the path items it adds, changes or removes, where that is all the edit did: every schema before is
    there, and nothing else changed; None otherwise (a schema removed or renamed, or anything else edited)."""
    edit = spec.edit
    schemas = resolve_pointer(spec.document, pointer(*_SCHEMAS))
    schemas = {} if schemas is ABSENT else schemas
    paths = spec.document.get("paths", {})
    if edit is None or not edit.paths or len(edit.before) != len(edit.paths):
        return None
    if not (isinstance(schemas, dict) and isinstance(paths, dict)):
        return None
    added: dict[str, None] = {}
    changed: dict[str, None] = {}
    urls: dict[str, None] = {}
    for path, before in zip(edit.paths, edit.before, strict=True):
        if path == _SCHEMAS and isinstance(before, dict) and all(name in schemas for name in before):
            added.update((name, None) for name in schemas if name not in before)
            changed.update((name, None) for name, value in before.items() if not _same(value, schemas[name]))
        elif len(path) > len(_SCHEMAS) and path[: len(_SCHEMAS)] == _SCHEMAS and path[2] in schemas:
            changed[path[2]] = None
        elif path == ("paths",) and isinstance(before, dict):
            urls.update((url, None) for url in before if url not in paths or not _same(before[url], paths[url]))
            urls.update((url, None) for url in paths if url not in before)
        elif len(path) > 1 and path[0] == "paths" and path[1] in paths:
            urls[path[1]] = None
        else:
            return None
    return PartsChanged(tuple(added), tuple(changed), tuple(urls)) if added or changed or urls else None


def schemas_part(spec: LoadedSpec, names: Sequence[str], paths: Sequence[str] = ()) -> LoadedSpec | None:
    """The document of `spec`'s component schemas `names` and path items `paths` (those it holds), with what the
    validator reads of other parts in judging them, with the document's version, info and dialect; None where a
    reference leaves the components, or a schema holds a keyword that changes how references resolve
    (`_RESOLVING`).

    What it reads: the schemas a default is validated against (those a default's holder refers to, and all they
    refer to: every component schema, where a `discriminator` is among them), the schemas whose properties a schema
    holding `allOf` collects (through `allOf`, `anyOf`, `oneOf`, `items` and `not`, as in `pinned_schemas`), the
    schemas a reference points within, and the other components referred to (parameters, responses and the like:
    a path item's are judged through them); these are in the part as they are, and so is what the validator reads
    in judging them. Any other schema referred to is there as `{}`, for the reference to resolve: the validator
    visits it, but finds nothing in it that depends on what is judged, and it was valid before.

    Why: where the rest of the document was valid before these schemas were added (`parts_changed`), the document
    is valid if and only if this part is. openapi-spec-validator judges a component schema by its own content and
    by the schemas it reads in judging it, never by the schemas beside it, and a valid document held no reference
    to a schema it lacked; so only the new schemas and what they read can be wrong. Where schemas or path items were
    changed instead, none of them read in judging another part (`pinned_schemas`, `default_reach`), and no
    operation's id taken twice (`operation_ids_clash`), the same holds of a clean part; the part may be stricter
    (the validator checks a schema's required names where it meets the schema first outside another, as it meets
    every schema of a part), so a part with problems has the whole judged."""
    schemas = resolve_pointer(spec.document, pointer(*_SCHEMAS))
    schemas = {} if schemas is ABSENT else schemas
    components = spec.document.get("components", {})
    every_path = spec.document.get("paths", {})
    if not (isinstance(schemas, dict) and isinstance(components, dict) and isinstance(every_path, dict)):
        return None
    kept_paths = {url: item for url, item in every_path.items() if url in paths}
    walk = _PartWalk(schemas, components)
    try:
        walk.read([(name, False) for name in names], list(kept_paths.values()))
    except _NotLocal:
        return None
    if not walk.referred <= schemas.keys():
        return None
    document: dict[str, Any] = {key: spec.document[key] for key in _KEPT if key in spec.document}
    document["paths"] = kept_paths
    kept: dict[str, Any] = {kind: dict(found) for kind, found in sorted(walk.others.items())}
    read, referred = walk.read_schemas, walk.referred
    kept["schemas"] = {
        name: schema if name in read else {} for name, schema in schemas.items() if name in read | referred
    }
    document["components"] = kept
    return LoadedSpec(spec.path, b"", document)


class _PartWalk:
    """`schemas_part`'s walk: what the validator reads in judging the schemas and path items it is given."""

    def __init__(self, schemas: dict[str, Any], components: dict[str, Any]) -> None:
        self.schemas, self.components = schemas, components
        self.read_schemas: set[str] = set()  # in the part as they are
        self.wholly: set[str] = set()  # and everything they refer to, as they are (a default may be validated)
        self.referred: set[str] = set()
        self.others: dict[str, dict[str, Any]] = {}  # other components, as they are, by kind and name

    def read(self, todo: list[tuple[str, bool]], items: list[Any]) -> None:
        """Read the schemas of `todo` (each with whether all it refers to is read too) and the path `items`, and what
        the validator reads in judging them. Raises `_NotLocal` where a schema is missing or a reference leaves the
        components, or a schema holds a keyword that changes how references resolve.

        An object holding `default` has all it refers to read as it is (a default may be validated against it), but
        for an operation's responses, whose `default` is a response (`default_reach` tells them apart so too)."""
        stack: list[tuple[Any, bool, str]] = [(item, False, "path item") for item in items]
        while todo or stack:
            if not stack:
                name, whole = todo.pop()
                if name in self.wholly or (name in self.read_schemas and not whole):
                    continue
                if name not in self.schemas:
                    raise _NotLocal(name)
                self.read_schemas.add(name)
                if whole:
                    self.wholly.add(name)
                stack.append((self.schemas[name], whole, ""))
                continue
            node, within, place = stack.pop()
            if isinstance(node, list):
                stack += [(item, within, "") for item in node]
                continue
            if not isinstance(node, dict):
                continue
            if not _RESOLVING.isdisjoint(node):
                raise _NotLocal(node)
            within = within or ("default" in node and place != "responses")
            if within and "discriminator" in node:
                todo += [(other, True) for other in self.schemas]
            target = _part_target(node)
            if target is not None:
                kind, tokens = target
                if kind != "schemas":
                    stack.append((self._other(kind, tokens[0]), within, ""))
                elif within or len(tokens) > 1:
                    todo.append((tokens[0], within))
                else:
                    self.referred.add(tokens[0])
            if isinstance(node.get("allOf"), list):
                todo += [(other, False) for other in _collected_from(self.schemas, node["allOf"])]
            stack += [(value, within, _PLACES.get((place, key), "")) for key, value in node.items()]

    def _other(self, kind: str, name: str) -> Any:
        """Component `name` of `kind` (not a schema), kept in the part; `_NotLocal` where there is none."""
        found = self.components.get(kind)
        if not isinstance(found, dict) or name not in found:
            raise _NotLocal(name)
        if name in self.others.get(kind, {}):
            return None  # read already
        self.others.setdefault(kind, {})[name] = found[name]
        return found[name]


_PLACES = {**{("path item", method): "operation" for method in HTTP_METHODS}, ("operation", "responses"): "responses"}
"""Where a value of a path item sits (`_PartWalk.read`), by where its holder sits and its key."""


def _part_target(node: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """The kind of component and the tokens below it that `node`'s reference names (None: it holds none); raises
    `_NotLocal` for a reference a part cannot hold (to another document, or not to a component)."""
    ref = node.get("$ref")
    if ref is None:
        return None
    if not (isinstance(ref, str) and ref.startswith(_COMPONENT_REF)) or "%" in ref:
        raise _NotLocal(ref)
    tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in ref[len(_COMPONENT_REF) :].split("/"))
    if len(tokens) < 2 or (tokens[0] != "schemas" and len(tokens) > 2):
        raise _NotLocal(ref)
    return tokens[0], tokens[1:]


def _collected_from(schemas: dict[str, Any], members: list[Any]) -> set[str]:
    """The component schemas the validator collects properties from, through `members` of an `allOf` (following
    `allOf`, `anyOf`, `oneOf`, `items`, `not` and references, as `pinned_schemas` does)."""
    found: set[str] = set()
    followed: set[tuple[str, ...]] = set()
    chain: list[Any] = list(members)
    while chain:
        node = chain.pop()
        if isinstance(node, list):
            chain += node
            continue
        if not isinstance(node, dict):
            continue
        target = _part_target(node)
        if target is not None:
            kind, tokens = target
            if kind != "schemas":
                raise _NotLocal(tokens)
            if tokens not in followed:
                followed.add(tokens)
                found.add(tokens[0])
                chain.append(resolve_pointer(schemas, pointer(*tokens)))
        chain += [node[key] for key in _COLLECTED if key in node]
    return found


def operation_ids_clash(document: dict[str, Any], paths: Sequence[str]) -> bool:
    """Whether an operation of path items `paths` of `document` has an id another operation of its paths has (or
    might: a path item that is a reference, an id that is not a string), as openapi-spec-validator tells
    (`DuplicateOperationIDError`)."""
    every = document.get("paths", {})
    if not isinstance(every, dict):
        return True
    ours: list[Any] = []
    others: list[Any] = []
    for url, item in every.items():
        if not isinstance(item, dict) or "$ref" in item:
            return True
        ids = [op.get("operationId") for method, op in item.items() if method in HTTP_METHODS and isinstance(op, dict)]
        (ours if url in paths else others).extend(i for i in ids if i is not None)
    if not all(isinstance(i, str) for i in ours + others):
        return True
    return len(set(ours)) != len(ours) or not set(ours).isdisjoint(others)


def _read_before(store: Cache, where: str) -> tuple[ParsedText, str] | None:
    """The spec read last at `where` by an earlier run, with its document (`store`'s entry of it, kept by content:
    `load_spec` keeps every document it reads) and its key, and a YAML one's text and entries (none kept for another:
    never read in part). It is a starting point only: `reparsed` compares its text with the one read now, and
    `changed_entries` its document, so an entry of another file, or of an older text, reads as one would from it."""
    try:
        raw, key = store.get("read", content_key(where))
        document = store.get("document", str(key))
        text = _utf8(bytes(raw))
        if not isinstance(document, dict) or text is None:
            return None
        return _kept_text(text, document, store.get("entries", str(key))), str(key)
    except (TypeError, ValueError):  # none kept, or of another shape
        return None


def remember(path: Path) -> None:
    """Read a spec now, for its next edit to be read as one (see `_READ`): `generate --watch` and the daemon call
    this while they wait, for specs whose document came from the cache (which keeps no entries)."""
    with contextlib.suppress(OSError, GenerationError):
        raw = read_spec_bytes(path)
        previous = _READ.get(str(path.absolute()))
        if previous is None or previous[0].text.encode() != raw:
            _read(path, raw, display_path(path), path.suffix == ".json")


def _utf8(raw: bytes) -> str | None:
    """The text of UTF-8 bytes without a byte order mark (how LibYAML counts characters for its marks), or None."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _too_deep(document: dict[str, Any], edit: Edit | None, cache: Cache | None) -> bool:
    """Whether `document` nests deeper than `MAX_DOCUMENT_DEPTH`: for an edit of a document that did not (as the
    cache remembers), within the values edited alone (walking the rest is 0.02-0.04 s of an edit of Stripe's spec)."""
    if edit is not None and cache is not None and cache.has("shallow", edit.previous):
        values = ((resolve_pointer(document, pointer(*path)), path) for path in edit.paths)
        return any(nests_deeper(value, MAX_DOCUMENT_DEPTH - len(path)) for value, path in values)
    return nests_deeper(document, MAX_DOCUMENT_DEPTH)


def nests_deeper(document: Any, limit: int) -> bool:
    """Whether objects and arrays nest deeper than `limit` levels (the document itself is the first): level by
    level, each shared (aliased) container once per level, so neither recursion nor aliases can make it costly."""
    level = [document] if isinstance(document, dict | list) else []
    for _ in range(limit):
        below: dict[int, Any] = {}
        for node in level:
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, dict | list):
                    below[id(child)] = child
        level = list(below.values())
    return bool(level)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def expanded_size(document: Any) -> int:
    """How many values `document` holds once every shared (aliased) value is counted where it is used.

    Counted per distinct container and memoised, so the cost is that of the document as parsed, never as expanded;
    a container that contains itself (a recursive alias) counts as too many."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            return MAX_EXPANDED_NODES + 1
        active.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                break
        active.discard(key)
        sizes[key] = total
        return total

    try:
        return size(document)
    except RecursionError:
        return MAX_EXPANDED_NODES + 1


def validate_document(spec: LoadedSpec) -> list[Problem]:
    """Every openapi-spec-validator error, plus every local `$ref` that does not resolve."""
    version = str(spec.document.get("openapi", ""))
    if not version.startswith(("3.0.", "3.1.")):
        return [spec.problem("/openapi", "spec.version", f"expected OpenAPI 3.0.x or 3.1.x, found {version!r}")]
    problems = [
        spec.problem(
            "".join("/" + escape_pointer_token(p) for p in error.absolute_path),
            "spec.invalid",
            error.message,
        )
        for error in _dangling_refs_first(spec)
    ]
    if problems:
        return problems
    validator = _located_validator(version)
    seen: set[tuple[str, str]] = set()
    _META_SCOPE[0] = f"{version[:3]}\0{spec.document.get('jsonSchemaDialect')!r}\0"
    try:
        for error in validator(spec.document).iter_errors():
            message = str(getattr(error, "message", error)).strip().splitlines()[0]
            key = (_locate(spec.document, error, message), message)
            if key not in seen:
                seen.add(key)
                problems.append(spec.problem(key[0], "spec.invalid", message))
    except Exception as exc:  # the validator trips over some malformed documents instead of reporting them
        problems.append(
            spec.problem("", "spec.invalid", f"openapi-spec-validator could not check this document: {exc!r}")
        )
    return problems


META_PASSED: set[bytes] = set()
"""Digests of (OpenAPI version, dialect, schema) whose meta-schema check passed (see `_located_validator`)."""
_META_SCOPE = [""]
"""What besides a schema's content its meta-schema check depends on: the document's version and default dialect."""


class _SeenList(list[int]):
    """A list whose membership test is a set's (the validator appends and asks `in`)."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set[int] = set()

    def append(self, item: int) -> None:
        super().append(item)
        self._members.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _unjsonable(value: Any) -> str:
    return f"{type(value).__qualname__}:{value!r}"


_LOCATION = "streamspec_pointer"
"""Attribute of a validator error: the document pointer where it was found (see `_located_validator`)."""


@cache
def _located_validator(version: str) -> Any:
    """openapi-spec-validator's validator for `version`, whose schema and default checks say where they are.

    Those checks validate each schema (and each schema's `default`) on its own, so their errors carry paths
    relative to it, or none; the schema being checked knows its place in the document, and the wrappers here
    attach it to each error they pass on (`_LOCATION`)."""
    from openapi_spec_validator.schemas import schema_v30, schema_v31
    from openapi_spec_validator.schemas.backend.jsonschema_rs import create_validator as rust_validator
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    _quick_steps()
    v31 = version.startswith("3.1.")
    base = OpenAPIV31SpecValidator if v31 else OpenAPIV30SpecValidator
    schema_cls = base.keyword_validators["schema"]
    default_cls = base.keyword_validators["default"]

    def located(error: Any, where: tuple[Any, ...]) -> Any:
        # The validator wraps other errors in its own class on the way out, which would drop the location.
        found = error if isinstance(error, OpenAPIValidationError) else OpenAPIValidationError.create_from(error)
        if getattr(found, _LOCATION, None) is None:
            setattr(found, _LOCATION, (*where, *getattr(error, "absolute_path", ())))
        return found

    class LocatedSchema(schema_cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # The validator asks these "already seen?" for every schema: lists make that quadratic.
            self.visited_schema_ids = _SeenList()
            self.meta_checked_schema_ids = _SeenList()

        def __call__(self, schema: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for error in super().__call__(schema, *args, **kwargs):
                yield located(error, tuple(schema.parts))

        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            """A schema checked against the JSON Schema meta-schema before (the same content, the same dialect)
            passes again: `META_PASSED` remembers passes (kept in the cache between runs), never failures."""
            try:
                text = json.dumps(schema_value, ensure_ascii=False, default=_unjsonable)
            except (TypeError, ValueError):
                return super()._validate_schema_meta(schema, schema_value)
            key = hashlib.sha256(f"{_META_SCOPE[0]}{text}".encode("utf-8", "surrogatepass")).digest()[:16]
            if key in META_PASSED:
                return None
            try:
                check = self._get_schema_checker(schema, schema_value)
            except ValueError:  # a dialect the library knows no validator for: its problem, worded by it
                check = None
            passes = check is not None and _meta_schema_passes(check, schema_value)
            error = None if passes else super()._validate_schema_meta(schema, schema_value)
            if error is None:
                META_PASSED.add(key)
            return error

    class LocatedDefault(default_cls):  # type: ignore[misc, valid-type]
        def __call__(self, schema: Any, value: Any) -> Iterator[Any]:
            for error in super().__call__(schema, value):
                yield located(error, (*schema.parts, "default"))

    class Located(base):  # type: ignore[misc, valid-type]
        keyword_validators: ClassVar = {**base.keyword_validators, "schema": LocatedSchema, "default": LocatedDefault}
        # The document against the OpenAPI schema by jsonschema-rs, whichever backend the environment asks the
        # library for (OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND; it takes jsonschema-rs where installed):
        # the same problems, worded the same, in every install, and Stripe's checked in 0.01 s, where jsonschema
        # takes 1.7 s.
        schema_validator: ClassVar = rust_validator(dict(schema_v31 if v31 else schema_v30))

    return Located


def _meta_schema_passes(check: Any, schema: Any) -> bool:
    """Whether `schema` passes the meta-schema check openapi-spec-validator makes of it with `check` (the library's
    `check_schema` of the dialect's validator class, with the format checker it is given), told quickly: the
    library's own check was half of a validation of Stripe (991 schemas, 0.5 s) and most of Adyen's (3.1, 265
    schemas, 1.3 s). jsonschema-rs checks the structure, and each regular expression the meta-schema reads (a
    `pattern`, a `patternProperties` name) is checked by the library's format checker (jsonschema-rs would use its
    own regex dialect). False where that is not certain: a value JSON has no form for (a set, a date, a key that is
    no string, NaN), where the two could read the schema apart, or a check or meta-schema `_quick_meta_check` does
    not take; the library then judges, and words the problem."""
    cls, checker = _check_parts(check)
    quick = _quick_meta_check(cls, checker)
    if quick is None:
        return False
    patterns: list[str] = []
    if not _plain_json(schema, patterns):
        return False
    try:
        if not quick.is_valid(schema):
            return False
    except Exception:  # a value it cannot read: the library's to judge
        return False
    return checker is None or all(checker.conforms(pattern, "regex") for pattern in patterns)


def _check_parts(check: Any) -> tuple[Any, Any]:
    """(validator class, format checker) of the library's meta-schema check: `cls.check_schema`, bound, or a
    `functools.partial` of it with `format_checker`; (None, None) for any other form."""
    keywords: dict[str, Any] = {}
    if isinstance(check, partial) and not check.args:
        keywords, check = dict(check.keywords), check.func
    cls = getattr(check, "__self__", None)
    if cls is None or set(keywords) - {"format_checker"}:
        return None, None
    return cls, keywords.get("format_checker", getattr(cls, "FORMAT_CHECKER", None))


def _plain_json(value: Any, patterns: list[str]) -> bool:
    """Whether `value` is made of JSON's values alone (finite numbers), each string under a `pattern` key and each
    name in a `patternProperties` mapping, anywhere, added to `patterns` (a superset of the regular expressions a
    meta-schema check reads)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str):
                    return False
                if key == "pattern" and isinstance(item, str):
                    patterns.append(item)
                elif key == "patternProperties" and isinstance(item, dict):
                    patterns.extend(name for name in item if isinstance(name, str))
                stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, float):
            if not math.isfinite(node):
                return False
        elif not (node is None or isinstance(node, str | int)):  # bool is an int
            return False
    return True


@cache
def _quick_meta_check(cls: Any, checker: Any) -> Any:
    """jsonschema-rs's validator of `cls`'s meta-schema, as the library's `check_schema` builds it (its registry of
    OpenAPI's meta-schemas; JSON Schema's own are jsonschema-rs's), formats off; None where that would not be the
    library's check: another `check_schema` than openapi-schema-validator's, a format the meta-schemas name that
    `checker` checks besides `regex` (`_meta_schema_passes` checks those), a meta-schema jsonschema-rs cannot take."""
    import jsonschema_rs
    from openapi_schema_validator._specifications import REGISTRY
    from openapi_schema_validator.validators import check_openapi_schema

    if getattr(getattr(cls, "check_schema", None), "__func__", None) is not check_openapi_schema:
        return None
    resources = {uri: REGISTRY[uri].contents for uri in REGISTRY}
    named: set[str] = set()
    for contents in (cls.META_SCHEMA, *resources.values()):
        _formats_named(contents, named)
    if (named - {"regex"}) & set(getattr(checker, "checkers", ())):
        return None
    own = [(uri, contents) for uri, contents in resources.items() if "//json-schema.org/" not in uri]
    try:
        registry = jsonschema_rs.Registry(own)
        return jsonschema_rs.validator_for(cls.META_SCHEMA, registry=registry, validate_formats=False, offline=True)
    except Exception:  # a later meta-schema it cannot build: the library judges every schema
        return None


def _formats_named(node: Any, named: set[str]) -> None:
    """Every string under a `format` key in `node`, into `named` (a superset of the formats a meta-schema asks)."""
    if isinstance(node, dict):
        for key, item in node.items():
            if key == "format" and isinstance(item, str):
                named.add(item)
            _formats_named(item, named)
    elif isinstance(node, list):
        for item in node:
            _formats_named(item, named)


def _quick_steps() -> None:
    """Let jsonschema-path step into a dict or a list of the document without pathable's protocol check.

    Every step the validator takes into the document goes through pathable's `SubscriptableAccessor._get_subnode`,
    which first asks `isinstance(node, Subscriptable)`; that is a runtime-checkable `Protocol`, and on Python 3.11
    each such check collects the protocol's members anew: a third of a validation of Stripe's document went to it.
    A JSON document's containers are dicts and lists, which the check admits, so for them the step is taken
    directly, with the library's errors; anything else goes the library's way. Done only while jsonschema-path's
    classes still inherit the library's step unchanged (a later version may differ)."""
    try:
        from jsonschema_path.accessors import SchemaAccessor
        from jsonschema_path.nodes import SchemaNode
        from pathable.accessors import SubscriptableAccessor
    except ImportError:  # other versions, laid out otherwise: the libraries' own way
        return
    library = getattr(SubscriptableAccessor.__dict__.get("_get_subnode"), "__func__", None)
    if library is None:
        return

    def step(cls: type[Any], node: Any, part: Any) -> Any:
        if type(node) is dict or type(node) is list:
            try:
                return node[part]
            except (KeyError, IndexError, TypeError) as exc:
                raise KeyError(part) from exc
        return library(cls, node, part)

    for owner in (SchemaNode, SchemaAccessor):
        if getattr(owner._get_subnode, "__func__", None) is library:
            owner._get_subnode = classmethod(step)  # type: ignore[method-assign, assignment]


def located_pointer(document: Any, tokens: Sequence[str | int]) -> str:
    """The pointer of what the path `tokens` reaches, `$ref`s on the way followed: where it is written."""
    node, ptr = document, ""
    for token in tokens:
        key = str(token)
        while isinstance(node, dict) and key not in node and isinstance(node.get("$ref"), str):
            ptr = node["$ref"][1:]
            node = resolve_pointer(document, ptr)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return ptr
        ptr += "/" + escape_pointer_token(key)
    return ptr


_OPERATION_IN_MESSAGE = re.compile(r"for '(\w+)'(?: operation)? in '([^']+)'")


def _locate(document: dict[str, Any], error: object, message: str) -> str:
    """A document pointer for a validator error.

    Errors inside a schema come with a path relative to that schema, so the schema is found by following that
    path from every schema in the document to the offending value; document-level errors (duplicate operationId,
    undeclared path parameter) name the operation only in their message.
    """
    located = getattr(error, _LOCATION, None)
    if isinstance(located, tuple):
        return located_pointer(document, located)
    path = [str(p) for p in getattr(error, "absolute_path", ())]
    relative = pointer(*path)
    if path and resolve_pointer(document, relative) is not ABSENT:
        return relative
    if path:
        instance = getattr(error, "instance", ABSENT)
        for root in _schema_roots(document, ""):
            if resolve_pointer(document, root + relative) == instance:
                return root + relative
    found = _OPERATION_IN_MESSAGE.search(message)
    if found:
        method, route = found.groups()
        suffix = "/operationId" if "Operation ID" in message else ""
        return f"/paths/{escape_pointer_token(route)}/{method}{suffix}"
    return relative


def _schema_roots(node: Any, ptr: str) -> Iterator[str]:
    """Pointers of every schema object: component schemas and each `schema` of a parameter, header or media type."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{ptr}/{escape_pointer_token(key)}"
            if key == "schema" or ptr == "/components/schemas":
                yield child
            if ptr != "/components/schemas" or key:
                yield from _schema_roots(value, child)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _schema_roots(value, f"{ptr}/{i}")


@dataclass(frozen=True)
class _RefError:
    absolute_path: tuple[str | int, ...]
    message: str


def _dangling_refs_first(spec: LoadedSpec) -> list[_RefError]:
    """Unresolvable local references, found before the validator (which stops at the first one).

    The references are read first, alone, each distinct one resolved once; the document is walked again for where
    each bad one is only when there is one (building the path of every node costs more than the walk)."""
    refs: set[str] = set()
    stack: list[Any] = [spec.document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                refs.add(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if all(ref.startswith("#") and resolve_pointer(spec.document, ref[1:]) is not ABSENT for ref in refs):
        return []
    return _located_ref_errors(spec)


def _located_ref_errors(spec: LoadedSpec) -> list[_RefError]:
    """Every external or unresolvable reference, with where it is."""
    errors: list[_RefError] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(spec.document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                if not ref.startswith("#"):
                    errors.append(_RefError((*path, "$ref"), f"external reference {ref!r} is not supported"))
                elif resolve_pointer(spec.document, ref[1:]) is ABSENT:
                    errors.append(_RefError((*path, "$ref"), f"reference {ref!r} does not resolve"))
            stack.extend((v, (*path, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))
    return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


def resolve_pointer(document: Any, ptr: str) -> Any:
    """The value at `ptr` (RFC 6901) or the `ABSENT` sentinel."""
    node = document
    if not ptr:
        return node
    for raw_token in ptr.lstrip("/").split("/"):
        token = raw_token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return ABSENT
    return node


MAX_REF_CHAIN = 32
"""References to references followed at most: a cycle of them ends there."""


def follow_refs(document: Any, node: Any) -> Any:
    """`node` with its local `$ref` followed, and the references it names, up to `MAX_REF_CHAIN` of them."""
    for _ in range(MAX_REF_CHAIN):
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        node = resolve_pointer(document, node["$ref"][1:])
    return node


def pointer_exists(document: Any, ptr: str) -> bool:
    return resolve_pointer(document, ptr) is not ABSENT


def line_in(node: yaml.Node | None, ptr: str) -> int | None:
    """The 1-based line where the node at `ptr` (or its deepest existing ancestor) starts."""
    if node is None:
        return None
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in ptr.lstrip("/").split("/")] if ptr else []
    line = node.start_mark.line + 1
    for token in tokens:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == token), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
            line = node.start_mark.line + 1
        else:
            break
    return int(line)
