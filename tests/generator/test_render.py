"""The rendering helpers' escaping: whatever a spec's text says, the generated code parses and says the same; and
the texts held while rendering (`hold_texts`) give the files their texts give."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from generator import pipeline, render
from generator.cache import Cache
from generator.loader import load_spec
from generator.parser import parse_api
from generator.pipeline import _ruff, build_packages
from generator.render import _docstring, _docstring_or_mark, _held_lines, hold_texts, reveal_texts
from tests.generator.conftest import write_spec


@given(st.text(alphabet=st.sampled_from(['"', "'", "\\", " ", "\n", "a", "é", "🔄"]), max_size=40))
def test_any_text_makes_a_docstring_that_parses_and_says_it(text: str) -> None:
    rendered = _docstring(text)
    value = ast.literal_eval(f'"""{rendered}"""')
    assert " ".join(value.split()) == " ".join(text.replace('"""', "'''").split())


def test_a_text_ending_in_a_quote_keeps_it() -> None:
    text = 'Action can be "triggerFullSync" or "triggerChangedUsersSync"'
    assert ast.literal_eval(f'"""{_docstring(text)}"""') == text


# Held texts (`render.hold_texts`): the files rendered with their marks, formatted, then given the texts back, are
# the files rendered from the texts, formatted; and an edit of the texts alone renders and formats nothing again.
_WORDS = st.text(alphabet=st.sampled_from(["a", "Z", "'", ".", "é", "名", "🔄", "-", "`"]), min_size=1, max_size=60)
_TEXTS = st.lists(_WORDS, min_size=1, max_size=40).map(" ".join) | st.lists(_WORDS, max_size=8).map("\n\n".join)


def _module(docs: list[str]) -> str:
    """Docstrings as the templates write them: in one line, a summary alone, and a summary above a description."""
    methods = [
        f'    def f{i}(self) -> None:\n        """{doc}"""\n\n'
        f'    def g{i}(self) -> None:\n        """{doc}\n        """\n\n'
        f'    def h{i}(self) -> None:\n        """{doc}\n\n        {doc}\n        """\n'
        for i, doc in enumerate(docs)
    ]
    return "class Api:\n" + "\n".join(methods)


@settings(max_examples=15, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=30))
@example([" ".join(["wörd"] * 30), "A line.", "名前 " * 40])  # in several lines, in one
def test_ruff_leaves_a_held_texts_docstring_as_it_leaves_its_mark(texts: list[str]) -> None:
    held = tuple(dict.fromkeys(text for text in texts if _held_lines(text)))
    assume(held)
    context = {"held_marks": []}
    marks = [_docstring_or_mark(context, f"zzStreamspecText{n}{_held_lines(t)}zz", 8) for n, t in enumerate(held)]
    written = [_docstring(text, 8) for text in held]
    packages = {"pkg": "spec.yaml"}
    formatted = _ruff({"pkg/m.py": _module(marks)}, packages)["pkg/m.py"].text
    assert reveal_texts(formatted, held) == _ruff({"pkg/m.py": _module(written)}, packages)["pkg/m.py"].text


def test_plain_texts_are_held_and_only_they() -> None:
    assert _held_lines("Lists the streams. 名前 'quoted' `code` é") == "S"
    assert _held_lines(" ".join(["word"] * 30)) == "M"  # more than a line's 100 characters
    assert _held_lines("x" * 100) == "S" and not _held_lines("x" * 101)  # one word is one line
    assert _held_lines("名" * 50) and not _held_lines("名" * 51)  # twice as wide
    for text in ['Say "hi"', "a \\ b", "", "   ", "tab\there\x00"]:
        assert not _held_lines(text), text


TEXTS = """\
openapi: 3.0.3
info: {title: Texts, version: "1"}
paths:
  /streams:
    get:
      operationId: listStreams
      summary: SUMMARY
      description: |-
        DESCRIPTION

        Second paragraph, with `code` and 名前.
      parameters:
        - {name: q, in: query, description: What to look for., schema: {type: string}}
      responses:
        "200": {description: Listed., content: {application/json: {schema: {type: array, items: {type: string}}}}}
    post:
      operationId: createStream
      summary: Same text.
      description: Same text.
      responses: {"201": {description: Created.}}
  /streams/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: showStream
      summary: Say "hi"
      responses: {"200": {description: Shown.}}
    delete:
      operationId: deleteStream
      summary: LONG
      description: Only a description, no summary; ends in a quote'
      responses: {"204": {description: Deleted.}}
"""
_LONG = " ".join(["a rather long sentence that wraps"] * 12)


def _texts_spec(folder: Path, summary: str = _LONG, description: str = "What the streams are.") -> Path:
    text = TEXTS.replace("SUMMARY", summary).replace("DESCRIPTION", description)
    return write_spec(folder, "texts.yaml", text.replace("LONG", " ".join(["名前は"] * 30)))


@pytest.mark.parametrize("marked", [True, False], ids=["held", "a mark in a text not held"])
def test_held_texts_give_the_files_the_texts_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marked: bool
) -> None:
    spec = _texts_spec(tmp_path / "specs")
    if not marked:  # a text not held (its double quote) writing a mark: every text rendered as it is
        spec.write_text(spec.read_text(encoding="utf-8").replace("Say ", "Say zzStreamspecText1Dzz "))
    api, _ = parse_api(load_spec(spec, validate=False))
    _, texts = hold_texts(api)
    assert {_LONG, "Same text.", "What to look for.", "Listed."} <= set(texts)
    assert not any('"' in text for text in texts)
    written: list[bool] = []
    monkeypatch.setattr(pipeline, "marks_written", lambda *a: written.append(render.marks_written(*a)) or written[-1])
    [held] = build_packages([spec], cache=Cache(tmp_path / "a"), output=tmp_path / "out")
    assert written == [marked]
    monkeypatch.setattr(pipeline, "hold_texts", lambda api: (api, ()))
    [whole] = build_packages([spec], cache=Cache(tmp_path / "b"), output=tmp_path / "out")
    assert held.files == whole.files
    client = held.files["client.py"].decode()
    assert "a rather long sentence that wraps a rather" in client
    assert ("Say zzStreamspecText1Dzz" in client) is not marked  # the spec's text, as it is


def test_an_edit_of_texts_alone_renders_and_formats_nothing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Cache(tmp_path / "cache")
    spec = _texts_spec(tmp_path / "specs")
    build_packages([spec], cache=store, output=tmp_path / "out")
    # each text written in as many lines as before (one, or several): a text that goes from one to several renders
    # again, as its docstring's closing quotes move
    words = _LONG.replace("rather", "fairly")
    edited = _texts_spec(tmp_path / "specs", words, "Newest first.\n\n          indented, paged")
    [fresh] = build_packages([edited], cache=Cache(tmp_path / "fresh"), output=tmp_path / "out")
    monkeypatch.setattr(render, "environment", None)  # a template rendered would call it
    monkeypatch.setattr(pipeline, "_run_ruff_steps", None)  # and a file formatted, this
    [package] = build_packages([edited], cache=store, output=tmp_path / "out")
    assert package.files == fresh.files
    assert "a fairly long sentence" in package.files["client.py"].decode()
    assert "Newest first. indented, paged Second paragraph" in package.files["client.py"].decode()
