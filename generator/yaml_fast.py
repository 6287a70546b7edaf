"""YAML documents exactly as PyYAML's safe loader gives them (with OpenAPI's reading of keys and dates), faster.

`fast_yaml` builds the values straight from LibYAML's events; `reparsed` reads an edited document again by parsing
only the mapping entries the edit falls in, and sharing the rest with the document it read before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import takewhile
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


# Reading an edited document again: only the entries the edit falls in.

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

    @property
    def column(self) -> int:
        """The column of its key."""
        return self.key - self.start


@dataclass(frozen=True)
class ParsedText:
    """A YAML document with its text and where its entries are: what reading an edit of it starts from."""

    text: str
    document: Any
    entries: tuple[_Entry, ...]
    edited: tuple[tuple[str, ...], ...] = ()
    """For an edit read in part (`reparsed`), the paths of the entries read: the document is the one read before but
    for the values there."""

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
    """`text`, an edit of `previous.text`, parsed by parsing only the entries that hold its changes: each value read
    replaces the previous one in a copy of the mappings that lead to it (everything else is shared with
    `previous.document`, which stays as it was). None when a change is outside every entry, or no entry holding it reads
    alone as itself (a key renamed or added at the top level), or the changes are too many (`_MAX_READ`): then parse the
    whole text.

    From the first character where the texts differ, the innermost entry holding it is read (the entry just before it,
    where that reads, for a change at the start of a line: lines added at the entry's end); the texts agree after it to
    the next change, read the same way. Whole entries inserted into a mapping of recorded entries, at their column,
    are parsed alone and put in their place (`_inserted`). An entry that does not read as itself (its key renamed, a
    key added beside it) has the entry holding it read instead. An entry's text runs from its key's line to the next
    line that starts neither deeper than the key, nor at its column with a block sequence's item (a mapping's value may
    be one, at its key's indentation), nor with a comment, nor is blank: parsed alone, at the same indentation, it
    means what it means in place, since YAML's block structure is told by relative indentation (a line that would
    continue a flow scalar or collection of the entry there is cut off, and the rest does not parse alone). It is read
    only where it reads as one key, the entry's, at the entry's column. What could mean otherwise is never read in
    parts: anchors and aliases, tags, merge keys (`fast_yaml` refuses them), repeated keys and keys within flow
    collections (never recorded), line breaks other than `\\n` and `\\r\\n`."""
    old = previous.text
    if old == text:
        return previous
    entries = previous.entries
    reads: list[_Read] = []
    at = delta = 0  # the texts agree from `at` in the old one, `at + delta` in the new one, to the next change
    while True:
        first = at + _common_prefix(old, text, at, at + delta)
        if first == len(old) and first + delta == len(text):
            break
        index = bisect.bisect_right(previous.starts, first) - 1
        while index >= 0 and not (first < entries[index].end or first == entries[index].end == len(old)):
            index = entries[index].parent
        read = _inserted(previous, text, first, at, delta) or _appended(previous, text, first, at, delta)
        while index >= 0 and read is None:
            entry = entries[index]
            while reads and entries[reads[-1].index].start >= entry.start:  # within it: read again with it
                reads.pop()
            read = _read_entry(previous, text, index, reads[-1].delta if reads else 0, first + delta)
            index = entry.parent
        if read is None or len(reads) == _MAX_READ:
            return None
        reads.append(read)
        at, delta = entries[read.index].end, read.delta
    found: list[_Key] = []
    shift = after = 0
    for read in reads:
        found += [(e.path, e.start + shift, e.key + shift) for e in entries[after : read.index]]
        found += read.keys
        after = read.index + 1
        while after < len(entries) and entries[after].start < entries[read.index].end:  # the entry's own entries
            after += 1
        shift = read.delta
    found += [(e.path, e.start + shift, e.key + shift) for e in entries[after:]]
    values = {entries[read.index].path: read.value for read in reads}
    return ParsedText(text, _spliced(previous.document, values), _linked(found, len(text)), tuple(values))


_MAX_READ = 16
"""Changes read in part at most: more make a rewrite, which the whole text's parse reads at once."""


@dataclass(frozen=True)
class _Read:
    """An entry read alone in an edit's text (`reparsed`)."""

    index: int
    """The entry's index in the text before."""
    delta: int
    """How much later than before the text after the entry starts."""
    value: Any
    keys: list[_Key]
    """The recorded keys it holds, itself first, where they are in the edit's text."""


def _inserted(previous: ParsedText, text: str, first: int, at: int, delta: int) -> _Read | None:
    """Where the change is whole entries inserted into a mapping whose entries are recorded (a schema added to
    `components/schemas`), at its entries' column, before one of them or after the last: that mapping read as before,
    with the new entries parsed alone and put in their place and its other values shared (adding a schema to Stripe's
    parses a few lines, not the 3 MB of the mapping). None where the change is not that, or the mapping holds another
    change after them (see `reparsed`).

    In place the new lines mean what they mean alone: they start at a line where the text before starts a key of the
    mapping (or ends the mapping), which closes every construct before it; they end at such a line, which closes
    theirs; alone, they parse as keys at that column, none of them in the mapping already."""
    old, entries = previous.text, previous.entries
    line = old.rfind("\n", 0, first) + 1
    start = line + delta  # where the new lines start in `text`
    column = _indent(text, start)
    following = bisect.bisect_left(previous.starts, line)
    before = following < len(entries) and entries[following].start == line
    if before and entries[following].column == column:  # before an entry of the mapping
        mapping, next_line = entries[following].parent, old[line : old.find("\n", line) + 1 or len(old)]
    else:  # after its last entry: the innermost entry ending there whose entries are at that column
        mapping, next_line = following - 1, ""
        while mapping >= 0 and entries[mapping].end == line and not _holds_at(entries, mapping, column):
            mapping = entries[mapping].parent
        if mapping < 0 or entries[mapping].end != line:
            return None
    if mapping < 0 or entries[mapping].start < at:
        return None
    end = start
    for _ in range(_MAX_INSERTED):  # the new entries, one by one, to the line they go before
        end = _entry_end(text, end, column)
        if next_line and text.startswith(next_line, end):
            break
        if end == len(text) or _indent(text, end) < column:  # the mapping's end
            if next_line:
                return None
            break
    else:
        return None
    entry, segment = entries[mapping], text[start:end]
    held = _value_at(previous.document, entry.path)
    if not (segment and isinstance(held, dict)) or _MARKER.search(segment) or _OTHER_BREAK.search(segment):
        return None
    keys: list[tuple[tuple[str, ...], int]] = []
    value = _parsed(segment, keys, _DEPTH - len(entry.path))
    found = _key_lines(segment, keys, entry.path, start)
    tops = [where for path, where in keys if len(path) == 1]
    if not (isinstance(value, dict) and found and len(tops) == len(value) > 0) or not held.keys().isdisjoint(value):
        return None
    if any(_column(segment, where) != column for where in tops):
        return None
    if next_line and not text.startswith(old[line : entry.end], end):  # another change in the mapping after them
        return None
    merged: dict[str, Any] = {}
    for name, item in held.items():
        if next_line and name == entries[following].path[-1]:
            merged.update(value)
        merged[name] = item
    if not next_line:
        merged.update(value)
    shift = end - line
    inner = list(takewhile(lambda e: e.start < entry.end, entries[mapping + 1 :]))  # its own, in order
    read = [(e.path, e.start + delta, e.key + delta) for e in (entry, *inner) if e.start < line]
    read += found
    read += [(e.path, e.start + shift, e.key + shift) for e in inner if e.start >= line]
    return _Read(mapping, shift, merged, read)


_MAX_INSERTED = 16
"""Entries inserted into a mapping read alone at most (`_inserted`): more are read with the mapping."""


def _indent(text: str, start: int) -> int:
    """The spaces the line starting at `start` is indented by."""
    return _SPACES.match(text, start).end() - start  # type: ignore[union-attr]


_SPACES = re.compile(" *")


def _holds_at(entries: tuple[_Entry, ...], index: int, column: int) -> bool:
    """Whether entry `index` holds recorded entries, at `column`."""
    child = index + 1
    return child < len(entries) and entries[child].parent == index and entries[child].column == column


def _value_at(document: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` of a document, None where a mapping on the way is not one."""
    for key in path:
        document = document.get(key) if isinstance(document, dict) else None
    return document


def _appended(previous: ParsedText, text: str, first: int, at: int, delta: int) -> _Read | None:
    """Where a change starts at a line's indentation, just after an entry (lines added at its end, say), the innermost
    entry ending there that reads with it (see `reparsed`); None if none does. `at`: where the texts agree from (no
    entry before it is read again); `delta`: how much later than before the text there starts."""
    line = previous.text.rfind("\n", 0, first) + 1
    if line <= at or previous.text[line:first].strip(" "):
        return None
    index = bisect.bisect_left(previous.starts, line) - 1
    while index >= 0 and previous.entries[index].end == line and previous.entries[index].start >= at:
        read = _read_entry(previous, text, index, delta, first + delta)
        if read is not None:
            return read
        index = previous.entries[index].parent
    return None


def _read_entry(previous: ParsedText, text: str, index: int, delta: int, change: int) -> _Read | None:
    """The entry `index` of `previous` read alone in `text`, where it starts `delta` characters later than before;
    None where its text there is not that entry alone (see `reparsed`), or ends before `change` (where the change
    being read starts in `text`)."""
    entry = previous.entries[index]
    column = entry.column
    start = entry.start + delta
    end = _entry_end(text, start, column)
    if end <= change:
        return None
    segment = text[start:end]
    if _MARKER.search(segment) or _OTHER_BREAK.search(segment):
        return None
    keys: list[tuple[tuple[str, ...], int]] = []
    value = _parsed(segment, keys, _DEPTH - len(entry.path) + 1)
    name = entry.path[-1]
    if not isinstance(value, dict) or len(value) != 1 or name not in value:
        return None
    inner = _key_lines(segment, keys, entry.path[:-1], start)
    if not inner or _column(segment, keys[0][1]) != column:  # indented otherwise: a key of another mapping
        return None
    return _Read(index, end - entry.end, value[name], inner)


def _entry_end(text: str, start: int, column: int) -> int:
    """Where the entry whose key's line starts at `start`, at `column`, ends in `text` (see `reparsed`)."""
    found = _ends(column).search(text, start)
    return found.start() + 1 if found is not None else len(text)


@cache
def _ends(column: int) -> re.Pattern[str]:
    """A line break followed by a line that ends an entry whose key is at `column` (see `reparsed`)."""
    starts = "[^ \\n\\r\\t#\\x85\\u2028\\u2029\\ufeff]"
    above = f" {{0,{column - 1}}}{starts}|" if column else ""
    return re.compile(f"\\n(?:{above} {{{column}}}(?!-(?:[ \\t\\n]|$)){starts})")


_OTHER_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029\ufeff]")
"""A line break other than `\\n` and `\\r\\n` (YAML 1.1's others, which PyYAML's reader follows), or a byte order
mark: where lines are not told by `\\n` alone."""


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


def _spliced(document: dict[str, Any], values: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """A copy of `document` with the value at each path of `values` replaced (no path within another): the mappings
    on the way copied once (their keys in their order), the rest shared."""
    root = dict(document)
    copies: dict[tuple[str, ...], dict[str, Any]] = {(): root}
    for path, value in values.items():
        node = root
        for depth in range(1, len(path)):
            child = copies.get(path[:depth])
            if child is None:
                child = copies[path[:depth]] = dict(node[path[depth - 1]])
                node[path[depth - 1]] = child
            node = child
        node[path[-1]] = value
    return root


_MARKER = re.compile("(?:^|[\r\x85\u2028\u2029])(?:---|\\.\\.\\.|%)", re.M)
"""A line (after any of YAML's line breaks) that marks a document's end or start (`...`, `---`) or is a directive."""
_BLOCK = 1 << 16
"""Characters compared at once while looking for where two texts first differ."""


def _common_prefix(a: str, b: str, at_a: int = 0, at_b: int = 0) -> int:
    """How many characters `a` from `at_a` and `b` from `at_b` share."""
    return _agreeing(lambda i, j: a[at_a + i : at_a + j] == b[at_b + i : at_b + j], min(len(a) - at_a, len(b) - at_b))


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
