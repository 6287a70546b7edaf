"""YAML documents exactly as PyYAML's safe loader gives them (with OpenAPI's reading of keys and dates), faster.

`fast_yaml` builds the values straight from LibYAML's events; `Reparser` reads an edited document again by parsing
only the mapping entry the edit falls in, and sharing the rest with the document it read before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import yaml

BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecLoader(BaseLoader):  # type: ignore[misc]
    """PyYAML's safe loader with mapping keys as written: every OpenAPI key is a string, so `200:` is "200" and `on:`
    is "on" (YAML 1.1 would make them an integer and True); and dates as written: `2020-01-01` is that text, not a
    `datetime.date` (OpenAPI limits YAML to what JSON can say, where a date is a string: a date object could be
    neither validated as the string it stands for nor served as JSON)."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key: Any = key_node.value
            else:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int | float | bool | None):
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
                    )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


SpecLoader.add_constructor("tag:yaml.org,2002:timestamp", BaseLoader.construct_scalar)


UNSURE = object()
"""`fast_yaml` leaves the document to PyYAML's loader."""


class _Unsure(Exception):
    """A construct `fast_yaml` leaves to PyYAML's loader (aliases, anchors, tags, merge keys, several documents)."""


def fast_yaml(raw: bytes) -> Any:
    """The YAML document in `raw` exactly as `yaml.load(raw, Loader=SpecLoader)` gives it, several times faster; or
    `UNSURE`, for PyYAML's loader to read (and report any error, located, as it does).

    The same C parser (LibYAML) reads the same events; what is skipped is the node graph PyYAML composes in Python
    before constructing values from it. Values are built straight from the events, by the same rules: scalars
    resolved by PyYAML's own resolver and constructed by its constructors (`yes` is True, `012` is 10, `2020-01-01`
    a date), mapping keys as written, a repeated key's last value in its first place. What the events alone cannot
    settle that way (aliases and anchors, explicit tags, `<<` merge keys, keys that are collections, several
    documents) is left to PyYAML's loader, and so is a document that does not parse."""
    return _parsed(raw)


def _parsed(text: str | bytes, keys: list[tuple[tuple[str, ...], int]] | None = None, depth: int = 0) -> Any:
    """`fast_yaml` of `text`, with the keys `_from_events` records."""
    parse = getattr(getattr(yaml, "cyaml", None), "CParser", None)
    if parse is None:  # PyYAML without LibYAML: its own loader
        return UNSURE
    try:
        return _from_events(parse(text), keys, depth)
    except (_Unsure, yaml.YAMLError, ValueError, RecursionError, TypeError):  # PyYAML's loader reports it, located
        return UNSURE


def _from_events(parser: Any, keys: list[tuple[tuple[str, ...], int]] | None = None, depth: int = 0) -> Any:
    """The document the events make. With `keys`, each key of a block mapping at most `depth` mappings deep (within
    mappings only, none within a flow collection) is added to it with its path and where it starts (a character
    index); a key repeated there empties it and ends the recording (such a document is never read in parts)."""
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    document_start = yaml.DocumentStartEvent
    plain = _plain_scalars()
    no_key = UNSURE
    stack: list[tuple[Any, Any]] = []  # the enclosing collections, each with its pending key
    top: Any = None  # the collection being filled: a dict or a list
    key: Any = no_key  # in a mapping, the key whose value comes next, or `no_key` when a key comes next
    root: Any = UNSURE
    documents = 0
    path: list[str] = []  # recording: the keys down to the mapping being filled
    flow_at: int | None = None  # recording: the depth of the outermost flow collection open
    get_event = parser.get_event
    try:
        while True:
            event = get_event()
            cls = event.__class__
            if cls is scalar_event:
                if event.anchor is not None or event.tag is not None:
                    raise _Unsure
                text = event.value
                if top.__class__ is dict and key is no_key:  # a key: as written
                    if event.implicit[0] and text == "<<":  # a merge key
                        raise _Unsure
                    if keys is not None and len(stack) <= depth and flow_at is None:
                        if text in top:  # a repeated key: its last value in its first place
                            keys.clear()
                            keys = None
                        elif all(t.__class__ is dict for t, _ in stack[1:]):
                            del path[len(stack) - 1 :]
                            path.append(text)
                            keys.append((tuple(path), event.start_mark.index))
                    key = text
                    continue
                if event.implicit[0]:
                    value = plain.get(text, no_key)
                    if value is no_key:
                        value = plain[text] = _resolved(text)
                else:
                    value = text
            elif cls is mapping_start or cls is sequence_start:
                if event.anchor is not None or event.tag is not None:
                    raise _Unsure
                if keys is not None and event.flow_style and flow_at is None:
                    flow_at = len(stack) + 1
                value = {} if cls is mapping_start else []
            elif cls is mapping_end or cls is sequence_end:
                top, key = stack.pop()
                if flow_at is not None and len(stack) < flow_at:
                    flow_at = None
                continue
            elif cls is alias_event:
                raise _Unsure
            elif cls is document_start:
                documents += 1
                if documents > 1:
                    raise _Unsure
                continue
            elif cls is yaml.StreamEndEvent:
                return None if root is UNSURE else root
            else:  # stream start, document end
                continue
            if top is None:
                root = value
            elif top.__class__ is list:
                top.append(value)
            elif key is no_key:  # a collection as a key
                raise _Unsure
            else:
                top[key] = value
                key = no_key
            if value.__class__ is dict or value.__class__ is list:
                stack.append((top, key))
                top, key = value, no_key
    finally:
        parser.dispose()


@cache
def _plain_scalars() -> dict[str, Any]:
    """Plain scalars already resolved, by text (the same few recur throughout a document: `string`, `object`)."""
    return {}


@cache
def _scalar_loader() -> Any:
    return SpecLoader("")


def _resolved(text: str) -> Any:
    """A plain scalar's value as PyYAML's loader makes it: tag by its resolver, value by its constructor for the tag
    (a tag without one, `=`'s, raises)."""
    loader = _scalar_loader()
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    construct = loader.yaml_constructors.get(tag)
    if construct is None:  # PyYAML's loader refuses it
        raise _Unsure
    value = construct(loader, yaml.ScalarNode(tag, text))
    if isinstance(value, list | dict | set):  # never for a scalar: not shared between documents, to be sure
        raise _Unsure
    return value


# Reading an edited document again: only the entry the edit falls in.

_DEPTH = 3
"""How many mappings deep entries are recorded: an OpenAPI document's paths and each path's operations, its
components and each schema."""


@dataclass(frozen=True)
class _Entry:
    """A mapping entry of the document: its keys from the root, where the line of its key starts, and where the next
    entry at its depth or above starts (the text's end after the last)."""

    path: tuple[str, ...]
    start: int
    end: int
    parent: int
    """The index of the enclosing entry, -1 for one of the root mapping."""
    key: int
    """Where its key starts."""


@dataclass(frozen=True)
class ParsedText:
    """A YAML document with its text and where its entries are: what reading an edit of it starts from."""

    text: str
    document: Any
    entries: tuple[_Entry, ...]
    edited: tuple[str, ...] = ()
    """For an edit read in part (`reparsed`), the path of the entry read: the document is the one read before but
    for the value there."""

    @cached_property
    def starts(self) -> list[int]:
        return [entry.start for entry in self.entries]

    def keys(self) -> list[tuple[tuple[str, ...], int, int]]:
        """Its entries as `from_keys` takes them again: each one's path, where its line starts and its key starts."""
        return [(entry.path, entry.start, entry.key) for entry in self.entries]

    @classmethod
    def from_keys(cls, text: str, document: Any, keys: list[tuple[tuple[str, ...], int, int]]) -> ParsedText:
        return cls(text, document, _linked(keys, len(text)))


def parse_text(text: str) -> ParsedText | None:
    """`text` parsed as `fast_yaml` parses it, with where its entries are (none where they cannot be told apart);
    None when `fast_yaml` leaves it to PyYAML's loader."""
    keys: list[tuple[tuple[str, ...], int]] = []
    document = _parsed(text, keys, _DEPTH)
    if document is UNSURE:
        return None
    found = _key_lines(text, keys, (), 0)
    return ParsedText(text, document, _linked(found or [], len(text)))


def reparsed(previous: ParsedText, text: str) -> ParsedText | None:
    """`text`, an edit of `previous.text`, parsed by parsing only the innermost entry that holds every changed
    character, whose value replaces the previous one in a copy of the mappings that lead to it (everything else is
    shared with `previous.document`, which stays as it was). None when no entry holds the change, or the entry's new
    text is not that entry alone (a key added beside it, a line that leaves it): then parse the whole text.

    An entry's text is its key's line up to the next entry at its depth or above; parsed alone at the same
    indentation, it means what it means in place, since YAML's block structure is told by relative indentation and
    the text around it is unchanged. What could mean otherwise is never read in parts: anchors and aliases, tags,
    merge keys (`fast_yaml` refuses them), repeated keys and keys within flow collections (never recorded)."""
    old = previous.text
    if old == text:
        return previous
    first = _common_prefix(old, text)
    old_end = len(old) - _common_suffix(old, text, min(len(old), len(text)) - first)
    delta = len(text) - len(old)
    entries = previous.entries
    index = bisect.bisect_right(previous.starts, first) - 1
    while index >= 0 and entries[index].end < old_end:
        index = entries[index].parent
    if index < 0:
        return None
    entry = entries[index]
    end = entry.end + delta
    if end < len(text) and text[end - 1] != "\n":  # the line after it joined to its last one
        return None
    segment = text[entry.start : end]
    if _MARKER.search(segment):  # where a document ends or starts: the whole text has several, or none
        return None
    keys: list[tuple[tuple[str, ...], int]] = []
    value = _parsed(segment, keys, _DEPTH - len(entry.path) + 1)
    name = entry.path[-1]
    if not isinstance(value, dict) or len(value) != 1 or name not in value:
        return None
    inner = _key_lines(segment, keys, entry.path[:-1], entry.start)
    if not inner or _column(segment, keys[0][1]) != _column(old, entry.key):  # dedented out of its mapping, say
        return None
    after = index + 1
    while after < len(entries) and entries[after].start < entry.end:  # the entry's own entries
        after += 1
    keys_after = [(e.path, e.start + delta, e.key + delta) for e in entries[after:]]
    found = [(e.path, e.start, e.key) for e in entries[:index]] + inner + keys_after
    document = _spliced(previous.document, entry.path, value[name])
    return ParsedText(text, document, _linked(found, len(text)), entry.path)


_Key = tuple[tuple[str, ...], int, int]
"""A recorded key: its path, where its line starts and where it starts."""


def _key_lines(
    text: str, keys: list[tuple[tuple[str, ...], int]], prefix: tuple[str, ...], offset: int
) -> list[_Key] | None:
    """Each recorded key with its path after `prefix`, where its line starts and where it starts (plus `offset`);
    None when a key does not start its line (`? key`, `--- key:`): its entry could not be told by its lines."""
    found = []
    for path, index in keys:
        line = text.rfind("\n", 0, index) + 1
        if text[line:index].strip(" "):
            return None
        found.append((prefix + path, line + offset, index + offset))
    return found


def _column(text: str, index: int) -> int:
    return index - text.rfind("\n", 0, index) - 1


def _linked(keys: list[_Key], length: int) -> tuple[_Entry, ...]:
    """Entries from their keys in document order: each ends where the next at its depth or above starts."""
    ends = [length] * len(keys)
    parents = [-1] * len(keys)
    open_: list[int] = []
    for i, (path, start, _) in enumerate(keys):
        while open_ and len(keys[open_[-1]][0]) >= len(path):
            ends[open_.pop()] = start
        parents[i] = open_[-1] if open_ else -1
        open_.append(i)
    return tuple(_Entry(path, start, ends[i], parents[i], key) for i, (path, start, key) in enumerate(keys))


def _spliced(document: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `document` with the value at `path` replaced: the mappings on the way copied (their keys in their
    order), the rest shared."""
    root = dict(document)
    node = root
    for key in path[:-1]:
        child = dict(node[key])
        node[key] = child
        node = child
    node[path[-1]] = value
    return root


_MARKER = re.compile("(?:^|[\r\x85\u2028\u2029])(?:---|\\.\\.\\.|%)", re.M)
"""A line (after any of YAML's line breaks) that marks a document's end or start (`...`, `---`) or is a directive."""
_BLOCK = 1 << 16
"""Characters compared at once while looking for where two texts first differ."""


def _common_prefix(a: str, b: str) -> int:
    """How many characters `a` and `b` share from their start."""
    return _agreeing(lambda i, j: a[i:j] == b[i:j], min(len(a), len(b)))


def _common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters (at most `limit`) `a` and `b` share at their end."""
    la, lb = len(a), len(b)
    return _agreeing(lambda i, j: a[la - j : la - i] == b[lb - j : lb - i], limit)


def _agreeing(agree: Callable[[int, int], bool], limit: int) -> int:
    """The largest n <= `limit` such that the texts agree on their first n characters (counted from wherever the
    caller counts), `agree(i, j)` telling whether they agree on characters i to j: block by block, then by halves,
    each a C-speed comparison of slices."""
    low = 0
    while low < limit:
        step = min(low + _BLOCK, limit)
        if not agree(low, step):
            break
        low = step
    if low >= limit:
        return limit
    start, high = low, min(low + _BLOCK, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if agree(start, middle):
            low = middle
        else:
            high = middle - 1
    return low
