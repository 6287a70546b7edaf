"""The spec as generated servers serve it (`served_json`): `json.dumps(document, indent=2, ensure_ascii=False)`,
written whole with where its entries are, or, for an edit, spliced into the text served before; the splice gives
the same text and places as writing the edited document whole, on random documents and on chains of random edits of
real ones read in part (`yaml_fast.reparsed`)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.loader import load_spec
from generator.served_json import SPANNED_DEPTH, Spans, indented_json, spanned_json, spliced_json
from generator.yaml_fast import parse_text, reparsed
from tests.generator.conftest import REPO
from tests.generator.test_yaml_fast import DOCUMENTS, edited

_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text() | st.integers() | st.booleans() | st.none() | st.floats(), inner, max_size=4)
    ),
    max_leaves=30,
)
_NAMES = st.sampled_from(["a", "b", "c", "é", 'q"', "\n"])
_DOCUMENTS = st.recursive(
    _JSON_SCALARS | st.lists(_JSON_SCALARS, max_size=2),
    lambda inner: st.dictionaries(_NAMES | st.integers(0, 2), inner, max_size=4),
    max_leaves=25,
)


@given(_JSON_VALUES)
def test_indented_json_is_json_dumps_with_an_indent_of_two(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_indented_json_of_a_spec_and_of_what_json_cannot_write() -> None:
    document = load_spec(REPO / "specs" / "huaweicloud_live.yaml", validate=False).document
    assert indented_json(document) == json.dumps(document, indent=2, ensure_ascii=False)
    for unwritable in ({"a": {1, 2}}, {(1, 2): "tuple key"}, [b"bytes"]):
        with pytest.raises(TypeError):
            json.dumps(unwritable)
        with pytest.raises(TypeError):
            indented_json(unwritable)
        with pytest.raises(TypeError):
            spanned_json(unwritable)


def _entries(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Each entry with a string key down to `SPANNED_DEPTH` levels, in document order, an entry before its own."""
    found: list[tuple[tuple[str, ...], Any]] = []
    if isinstance(value, dict) and len(path) < SPANNED_DEPTH:
        for key, item in value.items():
            if isinstance(key, str):
                found.append(((*path, key), item))
                found += _entries(item, (*path, key))
    return found


def _assert_spanned(document: Any, text: str, spans: Spans) -> None:
    """`text` is `document` written whole, and `spans` says where each entry's value is in it."""
    assert text == json.dumps(document, indent=2, ensure_ascii=False)
    entries = _entries(document)
    assert list(spans.paths) == [path for path, _ in entries]
    for (_, value), start, end in zip(entries, spans.starts, spans.ends, strict=True):
        assert text[start:end] == json.dumps(value, indent=2, ensure_ascii=False).replace(
            "\n", "\n" + text[text.rfind("\n", 0, start) + 1 : start].split('"')[0]
        )


@given(_DOCUMENTS)
def test_spans_say_where_each_entry_is(document: Any) -> None:
    _assert_spanned(document, *spanned_json(document))


def _paths(document: Any) -> list[tuple[str, ...]]:
    return [path for path, _ in _entries(document)]


@given(_DOCUMENTS, st.data())
def test_a_value_spliced_in_gives_what_writing_the_whole_gives(document: Any, data: st.DataObject) -> None:
    text, spans = spanned_json(document)
    paths = _paths(document)
    if not paths:
        assert spliced_json(text, spans, document, ("a",)) is None
        return
    path = data.draw(st.sampled_from(paths))
    new_value = data.draw(_DOCUMENTS)
    changed: Any = {**document}
    node = changed
    for key in path[:-1]:
        node[key] = {**node[key]}
        node = node[key]
    node[path[-1]] = new_value
    spliced = spliced_json(text, spans, changed, path)
    assert spliced is not None
    assert spliced == spanned_json(changed)
    _assert_spanned(changed, *spliced)


@given(_DOCUMENTS, st.data())
def test_a_mapping_spliced_in_copies_the_entries_it_shares_with_the_one_before(
    document: Any, data: st.DataObject
) -> None:
    """A mapping written again in place of one whose values it partly shares (entries kept as the same objects,
    others replaced, removed or added anywhere): the entries shared are copied from the text before, and the text and
    places are those of writing the whole."""
    text, spans = spanned_json(document)
    mappings = [path for path, value in _entries(document) if isinstance(value, dict) and len(path) < SPANNED_DEPTH]
    if not mappings:
        return
    path = data.draw(st.sampled_from(mappings))
    before = document
    for key in path:
        before = before[key]
    items: list[tuple[Any, Any]] = []
    for key, item in before.items():
        fate = data.draw(st.sampled_from(["keep", "keep", "replace", "drop"]))
        if fate != "drop":
            items.append((key, item if fate == "keep" else data.draw(_DOCUMENTS)))
    for _ in range(data.draw(st.integers(0, 2))):
        items.insert(data.draw(st.integers(0, len(items))), (data.draw(_NAMES), data.draw(_DOCUMENTS)))
    changed: Any = {**document}
    node = changed
    for key in path[:-1]:
        node[key] = {**node[key]}
        node = node[key]
    node[path[-1]] = dict(items)
    spliced = spliced_json(text, spans, changed, path, before)
    assert spliced is not None and spliced == spanned_json(changed)
    _assert_spanned(changed, *spliced)


def test_a_splice_needs_the_entry_on_both_sides() -> None:
    document = {"a": {"b": {"c": {"d": 1}}}, "e": 2}
    text, spans = spanned_json(document)
    assert spliced_json(text, spans, document, ("a", "b", "c", "d")) is None  # deeper than recorded
    assert spliced_json(text, spans, document, ()) is None
    assert spliced_json(text, spans, {"e": 2}, ("a",)) is None  # gone from the document
    assert spliced_json(text, spans, {**document, "f": 3}, ("f",)) is None  # not in the text served before
    assert Spans.from_kept(spans.kept()) == spans
    assert Spans.from_kept(([("a",)], [1], [])) is None and Spans.from_kept("text") is None


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if p.stat().st_size < 400_000], ids=lambda p: p.name)
def test_edits_read_in_part_are_served_spliced_as_written_whole(path: Path) -> None:
    """Chains of random edits of a real document: each one read in part is served by a splice into the text served
    for the document before (given the values before, so that those it shares are copied), which gives what writing
    it whole gives."""
    rng = random.Random(path.name)
    original = path.read_text(encoding="utf-8")
    previous = parse_text(original)
    if previous is None:
        pytest.skip("left to PyYAML's loader: never read in part")
    served = spanned_json(previous.document)
    spliced = 0
    for _ in range(40):
        text = edited(previous.text, rng)
        read = reparsed(previous, text)
        if read is None or not read.edited:
            continue
        try:
            whole = spanned_json(read.document)
        except TypeError:  # a value JSON cannot write (a date YAML 1.1 reads): not served either way
            continue
        written: tuple[str, Spans] | None = served
        for at in read.edited:
            before = previous.document
            for key in at:
                before = before[key]
            written = spliced_json(*written, read.document, at, before) if written is not None else None
        assert written == whole, text
        spliced += 1
        previous, served = read, whole
    assert spliced >= 5, "too few edits read in part to tell anything"
