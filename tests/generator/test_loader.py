"""Reading documents: references followed through the document."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import loader
from generator.errors import GenerationError
from generator.loader import follow_refs, load_spec
from generator.pipeline import build_package
from tests.corpus.harness import corpus_documents
from tests.generator.conftest import GENERALITY, REPO, TINY_SPEC, write_spec


def test_references_to_references_are_followed_and_a_cycle_ends() -> None:
    document = {
        "a": {"$ref": "#/b"},
        "b": {"$ref": "#/c"},
        "c": {"type": "string"},
        "loop": {"$ref": "#/loop"},
    }
    assert follow_refs(document, {"$ref": "#/a"}) == {"type": "string"}
    assert follow_refs(document, {"type": "integer"}) == {"type": "integer"}
    assert follow_refs(document, {"$ref": "#/loop"}) == {"$ref": "#/loop"}  # after MAX_REF_CHAIN steps, not a hang


def test_unquoted_dates_are_the_text_written(tmp_path: Path) -> None:
    """YAML 1.1 makes `2020-01-01` a date; OpenAPI's YAML is JSON's data, where it is a string: a string schema's
    default validates, and an example is served in `openapi.json` as written."""
    spec = write_spec(
        tmp_path,
        "dates.yaml",
        TINY_SPEC.replace("schema: {type: string}", "schema: {type: string, default: 2020-01-01, example: 2020-01-02}"),
    )
    assert load_spec(spec).document != {}  # validated: the default is a string
    package = build_package(spec)
    served = json.loads(package.files["openapi.json"])
    assert "2020-01-01" in json.dumps(served) and "2020-01-02" in json.dumps(served)


_STEPS = [
    ({"a": 1, "b": {"c": 2}}, "a"),
    ({"a": 1}, "missing"),
    ([10, 20], 1),
    ([10, 20], 5),
    ([10, 20], "0"),
    ("text", "x"),
    (3, "x"),
    (None, "x"),
]


@pytest.mark.parametrize(("node", "part"), _STEPS)
def test_the_validators_quick_step_answers_as_the_librarys(node: object, part: object) -> None:
    """`_quick_steps` takes the validator's steps into dicts and lists itself: with the library's values and errors."""
    from jsonschema_path.accessors import SchemaAccessor
    from jsonschema_path.nodes import SchemaNode
    from pathable.accessors import SubscriptableAccessor

    from generator.loader import _quick_steps

    def outcome(step: object) -> object:
        try:
            return ("value", step(node, part))  # type: ignore[operator]
        except KeyError as exc:
            return ("KeyError", exc.args)

    library = outcome(SubscriptableAccessor._get_subnode)
    _quick_steps()
    for owner in (SchemaNode, SchemaAccessor):
        taken_over = owner.__dict__.get("_get_subnode")
        assert isinstance(taken_over, classmethod) and taken_over.__func__.__name__ == "step"
        assert outcome(owner._get_subnode) == library


def test_libraries_laid_out_otherwise_leave_the_validators_steps_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A jsonschema-path or pathable without the step `_quick_steps` takes over: nothing taken, nothing broken."""
    import sys

    from jsonschema_path.nodes import SchemaNode
    from pathable.accessors import SubscriptableAccessor

    from generator.loader import _quick_steps

    library = SubscriptableAccessor.__dict__["_get_subnode"]
    monkeypatch.setattr(SchemaNode, "_get_subnode", library)
    nodes = sys.modules["jsonschema_path.nodes"]
    monkeypatch.setitem(sys.modules, "jsonschema_path.nodes", None)  # importing it raises ImportError
    _quick_steps()
    assert SchemaNode.__dict__["_get_subnode"] is library
    sys.modules["jsonschema_path.nodes"] = nodes
    monkeypatch.delattr(SubscriptableAccessor, "_get_subnode")
    _quick_steps()
    assert SchemaNode.__dict__["_get_subnode"] is library


def test_an_edit_is_read_in_part_from_what_an_earlier_run_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-off run reads an edit in part too: from the text, entries and document the run before left in the
    cache. The kept text is only a starting point: a file replaced by another reads whole, and right."""
    from generator import loader, yaml_fast
    from generator.cache import Cache, content_key

    original = (REPO / "specs" / "volcengine_live.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "api.yaml"
    spec.write_text(original, encoding="utf-8")
    load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
    whole: list[str] = []
    monkeypatch.setattr(loader, "parse_text", lambda text: whole.append(text) or yaml_fast.parse_text(text))

    edits: list[loader.Edit | None] = []

    def read_anew(text: str) -> dict[str, object]:
        """`text` read by a new process (nothing in memory) with the cache the runs before filled."""
        monkeypatch.setattr(loader, "_READ", loader.Recent(4))
        spec.write_text(text, encoding="utf-8")
        read = load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
        edits.append(read.edit)
        assert read.digest == content_key(text.encode())
        return read.document

    def as_read_whole(text: str) -> object:
        return loader.parse_document(text.encode(), "api.yaml", as_json=False)

    edited = original.replace("Callback receiver URL", "Callback receiver URL (edited)", 1)
    assert read_anew(edited) == as_read_whole(edited) and not whole  # in part
    again = edited.replace("(edited)", "(again)", 1)
    assert read_anew(again) == as_read_whole(again) and not whole  # from the edit's own entry
    both = again.replace("(again)", "(both)", 1).replace("Adds or updates the", "Adds (edited) or updates the", 1)
    assert read_anew(both) == as_read_whole(both) and not whole  # two places: each entry alone
    other = (REPO / "specs" / "huaweicloud_metastudio.yaml").read_text(encoding="utf-8")
    assert read_anew(other) == as_read_whole(other) and whole == [other]  # another file: whole
    # each edit read in part names the text it was read from and where it differs; the text read whole, none
    entry = ("components", "schemas", "CallbackDetail")
    operation = ("paths", "/#Action=UpdateCallback", "post")
    assert edits == [
        loader.Edit(content_key(original.encode()), (entry,)),
        loader.Edit(content_key(edited.encode()), (entry,)),
        loader.Edit(content_key(again.encode()), (operation, entry)),
        None,
    ]
    # with the value the entry had before, which alone tells whether the edit is one of descriptions
    read = [cast(dict[str, Any], as_read_whole(text)) for text in (original, edited, again)]
    assert [edit.before for edit in edits[:2] if edit] == [
        (r["components"]["schemas"]["CallbackDetail"],) for r in read[:2]
    ]
    assert edits[2] is not None and edits[2].constraints_changed(cast(dict[str, Any], as_read_whole(both))) == ()
    assert all(edit and edit.constraints_changed(r) == () for edit, r in zip(edits[:2], read[1:], strict=True))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_text_read_again_from_the_cache_is_the_one_the_next_edit_is_read_against(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spec edited, then put back as it was (its document then comes from the cache, by content), then edited
    again: the last edit is read as an edit of the text put back, by a new process and by the same one, and not as
    the larger edit of the text read before it."""
    from generator import loader
    from generator.cache import Cache, content_key

    original = (REPO / "specs" / "volcengine_live.yaml").read_text(encoding="utf-8")
    if suffix == ".json":
        original = json.dumps(loader.parse_document(original.encode(), "api.yaml", as_json=False), indent=2)
    spec = tmp_path / f"api{suffix}"
    entry = ("components", "schemas", "CallbackDetail")
    for fresh in (True, False):
        cache = Cache(tmp_path / f"cache-{fresh}")
        monkeypatch.setattr(loader, "_READ", loader.Recent(4))

        def read(text: str, fresh: bool = fresh, cache: Cache = cache) -> loader.LoadedSpec:
            if fresh:  # a new process: nothing in memory
                monkeypatch.setattr(loader, "_READ", loader.Recent(4))
            spec.write_text(text, encoding="utf-8")
            return load_spec(spec, validate=False, cache=cache)

        read(original)
        read(original.replace("Callback receiver URL", "Callback receiver URL (edited)", 1))
        assert read(original).edit is None  # the document kept by content: not read again
        last = original.replace("Adds or updates the", "Adds (edited) or updates the", 1)
        edit = read(last).edit
        assert edit is not None and edit.previous == content_key(original.encode())
        assert entry not in edit.paths and len(edit.paths) == 1


def test_an_edit_of_a_json_spec_or_one_read_whole_is_told_by_comparing_the_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON spec (never read in part) edited between runs is read as an edit of the document the run before read,
    the entries that differ named: the validator's verdict on a description's edit then stands (`_verdict_stands`)."""
    from generator.cache import Cache, Recent, content_key

    document = cast(dict[str, Any], loader.parse_document(TINY_SPEC.encode(), "tiny.yaml", as_json=False))
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps(document, indent=2), encoding="utf-8")
    first = load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
    assert first.edit is None
    (path, item), *_ = document["paths"].items()
    (method, operation), *_ = item.items()
    operation["responses"]["200"]["description"] = "Edited."
    spec.write_text(json.dumps(document, indent=2), encoding="utf-8")
    monkeypatch.setattr(loader, "_READ", Recent(4))  # a new process: the run before's document from the cache
    read = load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
    assert read.document == document
    assert read.edit == loader.Edit(content_key(first.raw), (("paths", path, method),))
    assert read.edit.constraints_changed(read.document) == ()


def test_changed_entries_are_where_documents_differ_in_content_order_or_types() -> None:
    before = {
        "info": {"title": "T", "version": "1"},
        "paths": {"/a": {"get": {"summary": "a"}, "put": {"summary": "b"}}},
        "components": {"schemas": {"A": {"properties": {"x": {}, "y": {}}}, "B": {"maximum": 1}}},
    }

    def changed(change: Callable[[dict[str, Any]], None]) -> tuple[tuple[str, ...], ...] | None:
        after = copy.deepcopy(before)
        change(after)
        return loader.changed_entries(before, after)

    assert changed(lambda d: None) == ()
    assert changed(lambda d: d["paths"]["/a"]["get"].update(summary="c")) == (("paths", "/a", "get"),)
    assert changed(lambda d: d["info"].update(title="U")) == (("info", "title"),)
    schemas = ("components", "schemas")
    # the order of a schema's properties, a number's type, a key of another type: what `==` does not tell
    assert changed(lambda d: d["components"]["schemas"]["A"].update(properties={"y": {}, "x": {}})) == (
        (*schemas, "A"),
    )
    assert changed(lambda d: d["components"]["schemas"]["B"].update(maximum=1.0)) == ((*schemas, "B"),)
    assert changed(lambda d: d["components"]["schemas"]["B"].update(maximum=True)) == ((*schemas, "B"),)
    assert changed(lambda d: d["components"]["schemas"]["B"].update({1: 2})) == ((*schemas, "B"),)
    # a key added, removed or moved: the mapping that holds it; at the top: none
    assert changed(lambda d: d["paths"]["/a"].update(post={})) == (("paths", "/a"),)
    assert changed(
        lambda d: d["components"].update(schemas={"B": {"maximum": 1}, "A": d["components"]["schemas"]["A"]})
    ) == (schemas,)
    assert changed(lambda d: d.update(webhooks={})) is None
    assert changed(lambda d: d["paths"]["/a"]["get"].update(x=b"bytes")) == (("paths", "/a", "get"),)
    both = changed(lambda d: (d["info"].update(version="2"), d["components"]["schemas"]["B"].update(minimum=0)))
    assert both == (("info", "version"), (*schemas, "B"))


def test_changed_entries_of_random_edits_give_the_edited_document_back() -> None:
    """Random edits anywhere in a real document (values changed, retyped, keys added, removed or moved): the values
    of the edited document at the paths named, put in the document before, give the edited document (in order and
    types), and each named value differs."""
    import random

    from generator.errors import pointer
    from generator.yaml_fast import _spliced
    from tests.generator.test_yaml_fast import same

    original = loader.parse_document(GENERALITY.read_bytes(), "generality.yaml", as_json=False)
    rng = random.Random(3)

    def containers(node: Any, path: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        found = [path] if isinstance(node, dict) and node else []
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        return found + [p for key, child in children for p in containers(child, (*path, key))]

    told = 0
    for _ in range(300):
        after = copy.deepcopy(original)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(containers(after, ()))
            node = after
            for key in path:
                node = node[key]
            key = rng.choice(list(node))
            choice = rng.randrange(5)
            if choice == 0:
                node[key] = rng.choice([0, 1, 1.0, True, "x", None, [], {}])
            elif choice == 1:
                node[f"added{rng.randrange(9)}"] = "new"
            elif choice == 2:
                del node[key]
            elif choice == 3:  # moved to the end
                node[key] = node.pop(key)
            else:
                node[key] = copy.deepcopy(node[key])  # the same value, another object
        paths = loader.changed_entries(original, after)
        if paths is None:
            assert list(original) != list(after)
            continue
        told += 1
        values = {at: loader.resolve_pointer(after, pointer(*at)) for at in paths}
        assert same(_spliced(original, values), after)
        for at in paths:
            before = loader.resolve_pointer(original, pointer(*at))
            assert before is loader.ABSENT or not same(before, values[at])
    assert told > 200


def test_anchors_are_found_as_the_look_behind_pattern_finds_them() -> None:
    """`_anchored` (ampersands found first, then what precedes each) says what the pattern it replaced said: an
    `&name` at the start, or after a space or one of `:-[{,`."""
    import random
    import re

    from generator.loader import _anchored

    pattern = re.compile(rb"(?<![^\s:\-\[{,])&[^\s,\[\]{}]")
    rng = random.Random(0)
    alphabet = b" \t\n\r\f\v:-[{,&ab]}x"
    for _ in range(20_000):
        text = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert _anchored(text) == (pattern.search(text) is not None), text


_REF_TARGETS = st.sampled_from(["#/a", "#/a/b", "#/c/0", "#/missing", "other.yaml#/a", "/a", "#", "#/a~1b", 7])
_REF_DOCUMENTS = st.recursive(
    st.none() | st.integers() | st.text(max_size=3) | st.builds(lambda ref: {"$ref": ref}, _REF_TARGETS),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "a/b"]), inner, max_size=3)
    ),
    max_leaves=15,
)


@given(_REF_DOCUMENTS)
def test_dangling_references_are_found_as_the_located_walk_finds_them(document: object) -> None:
    """The quick look (references read alone, each resolved once) answers what the walk that locates every bad
    reference answers: none when it finds none, and its findings otherwise."""
    from generator.loader import LoadedSpec, _dangling_refs_first, _located_ref_errors

    spec = LoadedSpec(Path("refs.yaml"), b"", {"root": document, "a": {"b": 1}, "c": [2]})
    assert _dangling_refs_first(spec) == _located_ref_errors(spec)


def test_an_edit_read_in_part_is_checked_for_depth_in_the_value_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of a document that did not nest too deep walks only the value edited for depth, and is refused where
    that value nests too deep for where it is."""
    from generator.cache import Cache

    original = (REPO / "specs" / "volcengine_live.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "api.yaml"
    spec.write_text(original, encoding="utf-8")
    load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
    walked: list[object] = []
    real = loader.nests_deeper
    monkeypatch.setattr(loader, "nests_deeper", lambda value, limit: walked.append(value) or real(value, limit))
    spec.write_text(original.replace("Callback receiver URL", "Callback receiver URL (edited)", 1), encoding="utf-8")
    read = load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
    assert read.edit is not None and walked == [read.document["components"]["schemas"]["CallbackDetail"]]
    deep = "{a: " * 97 + "1" + "}" * 97  # the entry is at the fourth level: 3 + 97 levels fit, 98 do not
    fits = original.replace("\n  schemas:\n", f"\n  schemas:\n    Deep: {deep}\n", 1)
    spec.write_text(fits, encoding="utf-8")
    load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
    spec.write_text(fits.replace(deep, "{a: " + deep + "}"), encoding="utf-8")
    with pytest.raises(GenerationError) as caught:
        load_spec(spec, validate=False, cache=Cache(tmp_path / "cache"))
    assert [p.code for p in caught.value.problems] == ["spec.too-deep"]
    assert len(walked) == 3 and isinstance(walked[-1], dict) and "openapi" not in walked[-1]  # read in part


def test_an_edit_of_descriptions_names_no_constraint_where_descriptions_alone_differ() -> None:
    """Strings under `description` keys differ, and nothing else: but not inside values (a default, an example,
    an enum, an extension, a link, a discriminator's mapping), where the text is data or a name."""
    before = {
        "type": "object",
        "description": "A pet.",
        "properties": {
            "name": {"type": "string", "description": "Its name."},
            "description": {"type": "string"},
            "meta": {"type": "object", "default": {"description": "a value"}, "x-note": {"description": "x"}},
        },
        "discriminator": {"propertyName": "kind", "mapping": {"description": "#/components/schemas/A"}},
    }
    path = ("components", "schemas", "Pet")

    def edited(change: Callable[[dict[str, Any]], None]) -> bool:
        after = copy.deepcopy(before)
        change(after)
        document = {"components": {"schemas": {"Pet": after}}}
        return loader.Edit("previous", (path,), (before,)).constraints_changed(document) == ()

    assert edited(lambda s: s.update(description="A pet, kept by an owner."))
    assert edited(lambda s: s["properties"]["name"].update(description="Its name,\nas given."))
    assert edited(lambda s: None)
    assert not edited(lambda s: s["properties"]["name"].update(type="integer"))
    assert not edited(lambda s: s["properties"]["name"].update(title="Name"))
    assert not edited(lambda s: s["properties"].update(description={"type": "integer"}))
    assert not edited(lambda s: s["properties"]["meta"]["default"].update(description="another value"))
    assert not edited(lambda s: s["properties"]["meta"]["x-note"].update(description="y"))
    assert not edited(lambda s: s["discriminator"]["mapping"].update(description="#/components/schemas/B"))
    assert not edited(lambda s: s.update(description=["A pet."]))
    assert (
        loader.Edit("previous", (path,), (loader.ABSENT,)).constraints_changed(
            {"components": {"schemas": {"Pet": before}}}
        )
        is None
    )
    assert loader.Edit("previous", (path,), (before,)).constraints_changed({"components": {"schemas": {}}}) is None


def test_an_edit_of_constraints_names_them_where_values_of_their_kind_replace_them() -> None:
    """Numeric constraints given another value of the kind their keyword asks for (a count: an integer >= 0; a
    bound: a finite number) are named, with descriptions' text changed beside them; another kind, another keyword,
    or a number inside a value is no such edit."""
    before = {
        "type": "object",
        "description": "A pet.",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Its name."},
            "age": {"type": "number", "minimum": 0, "maximum": 40.5, "multipleOf": 0.5},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5, "example": {"maxItems": 3}},
        },
        "x-limits": {"maxLength": 3},
    }
    path = ("components", "schemas", "Pet")
    at = "/components/schemas/Pet/properties"

    def changed(change: Callable[[dict[str, Any]], None]) -> tuple[str, ...] | None:
        after = copy.deepcopy(before)
        change(after)
        document = {"components": {"schemas": {"Pet": after}}}
        return loader.Edit("previous", (path,), (before,)).constraints_changed(document)

    properties: Callable[[dict[str, Any]], dict[str, Any]] = lambda s: s["properties"]  # noqa: E731
    assert changed(lambda s: properties(s)["name"].update(maxLength=128)) == (f"{at}/name/maxLength",)
    assert changed(lambda s: properties(s)["name"].update(minLength=0, description="Its name, as given.")) == (
        f"{at}/name/minLength",
    )
    assert changed(lambda s: properties(s)["age"].update(maximum=50.25)) == (f"{at}/age/maximum",)
    assert changed(lambda s: properties(s)["tags"].update(maxItems=0)) == (f"{at}/tags/maxItems",)
    assert changed(lambda s: s.update(description="Another pet.")) == ()
    assert changed(lambda s: properties(s)["name"].update(maxLength=-1)) is None  # not a count
    assert changed(lambda s: properties(s)["name"].update(maxLength=64.5)) is None  # another type
    assert changed(lambda s: properties(s)["name"].update(maxLength=True)) is None
    assert changed(lambda s: properties(s)["age"].update(maximum=40)) is None  # a float before
    assert changed(lambda s: properties(s)["age"].update(maximum=float("inf"))) is None
    assert changed(lambda s: properties(s)["age"].update(multipleOf=0.25)) is None  # not a count or a bound
    assert changed(lambda s: properties(s)["tags"]["example"].update(maxItems=4)) is None  # a value
    assert changed(lambda s: s["x-limits"].update(maxLength=4)) is None  # an extension's
    assert changed(lambda s: properties(s)["name"].update(type="integer", maxLength=10)) is None


def test_the_default_reach_is_each_default_holder_and_what_it_refers_to() -> None:
    """What openapi-spec-validator validates defaults against: each object holding a `default` with what its
    references reach, transitively; an operation's responses are no holder (their `default` is a response), though a
    property named `responses` is; a discriminator reaches every component schema; a reference that could resolve
    elsewhere makes the reach unknown."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "paths": {
            "/a": {
                "get": {
                    "parameters": [{"name": "n", "in": "query", "schema": {"$ref": "#/components/schemas/N"}}],
                    "responses": {"default": {"description": "x", "content": {}}},
                    "callbacks": {"cb": {"{$url}": {"post": {"responses": {"default": {"description": "y"}}}}}},
                }
            }
        },
        "components": {
            "responses": {"default": {"description": "a response named default"}},
            "schemas": {
                "N": {"type": "integer", "maximum": 9},
                "Holder": {"allOf": [{"$ref": "#/components/schemas/Middle"}], "default": {"m": 1}},
                "Middle": {"properties": {"m": {"$ref": "#/components/schemas/Le%7E0af"}}},
                "Le~af": {"type": "integer", "maximum": 5},
                "Envelope": {"properties": {"responses": {"type": "integer", "default": 1, "maximum": 3}}},
                "Free": {"type": "string", "maxLength": 3, "example": {"default": 1, "$ref": "elsewhere.json"}},
            },
        },
    }
    reach = loader.default_reach(document)
    assert reach == (
        "/components/schemas/Envelope/properties/responses",
        "/components/schemas/Holder",
        "/components/schemas/Le~0af",
        "/components/schemas/Middle",
    )
    assert loader.reaches(reach, "/components/schemas/Le~0af/maximum")
    assert loader.reaches(reach, "/components/schemas/Envelope/properties/responses/maximum")
    assert not loader.reaches(reach, "/components/schemas/N/maximum")  # a parameter's schema holds no default
    assert not loader.reaches(reach, "/components/schemas/Free/maxLength")
    assert not loader.reaches(reach, "/components/schemas/Holder2/maxLength")  # a name that merely starts alike
    with_discriminator = copy.deepcopy(document)
    with_discriminator["components"]["schemas"]["Middle"]["discriminator"] = {"propertyName": "m"}
    assert loader.reaches(loader.default_reach(with_discriminator) or (), "/components/schemas/N/maximum")
    for elsewhere in ({"$ref": "other.yaml#/N"}, {"$id": "https://example.com/n"}, {"$dynamicRef": "#meta"}):
        unknown = copy.deepcopy(document)
        unknown["components"]["schemas"]["N"].update(elsewhere)
        assert loader.default_reach(unknown) is None


def test_the_pinned_schemas_are_those_another_schemas_check_reads() -> None:
    """The component schemas whose content the validator reads in judging another schema (`pinned_schemas`): one a
    reference points within, and those a schema holding `allOf` collects property names from, through `allOf`,
    `anyOf`, `oneOf`, `items` and `not` and the references on the way (not through `properties`: their names
    alone are read); a reference that could resolve elsewhere, or a required name that the check would not find
    (a reference's siblings are unseen), makes them unknown."""
    schemas: dict[str, Any] = {
        "Holder": {"allOf": [{"$ref": "#/components/schemas/Either"}, {"required": ["a", "w"]}]},
        "Either": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"not": {"$ref": "#/components/schemas/Li%7E1st"}}]},
        "A": {"properties": {"a": {"$ref": "#/components/schemas/Free"}}},
        "Li/st": {"items": {"$ref": "#/components/schemas/W"}},
        "W": {"properties": {"w": {"type": "string"}}},
        "Free": {"type": "string", "default": {"$ref": "elsewhere.json"}},
        "Pointing": {"properties": {"p": {"$ref": "#/components/schemas/Inner/properties/q"}}},
        "Inner": {"properties": {"q": {"type": "string"}}},
        "Alone": {"type": "integer"},
    }
    document: dict[str, Any] = {"openapi": "3.1.0", "paths": {}, "components": {"schemas": schemas}}
    assert loader.pinned_schemas(document) == ("A", "Either", "Inner", "Li/st", "W")
    cyclic = copy.deepcopy(document)
    cyclic["components"]["schemas"]["W"]["allOf"] = [{"$ref": "#/components/schemas/Holder"}]
    assert loader.pinned_schemas(cyclic) == ("A", "Either", "Holder", "Inner", "Li/st", "W")
    for odd in (
        {"required": ["a", "b"]},  # not among the collected names
        {"required": [["a"]]},  # not a name
        {"allOf": [{"$ref": "#/components/schemas/W", "properties": {"b": {}}}], "required": ["b"]},  # sibling unseen
        {"$ref": "other.yaml#/W"},
        {"$id": "https://example.com/alone"},
    ):
        unknown = copy.deepcopy(document)
        unknown["components"]["schemas"]["Holder" if "required" in odd and "allOf" not in odd else "Alone"].update(odd)
        assert loader.pinned_schemas(unknown) is None, odd


def test_schemas_added_or_changed_alone_are_told_and_their_part_holds_what_the_validator_reads() -> None:
    """An edit that adds or changes component schemas and nothing else names them (`schemas_changed`), and the part
    that decides the verdict (`schemas_part`) holds them and what the validator reads in judging them, with the
    document's version, info and dialect and no paths: a schema a reference points within, those a default is
    validated against (all of them, where a discriminator is among them), those a schema holding `allOf` collects
    properties from; any other schema referred to is `{}`. An edit that removes a schema or changes anything else,
    or a part that could resolve otherwise than in the document (a reference elsewhere, a keyword that names a
    schema), is no such case."""
    schemas = ("components", "schemas")

    def ref(name: str) -> str:
        return f"#/components/schemas/{name}"

    before: dict[str, Any] = {
        "A": {"type": "integer", "maximum": 1},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
        "Lone": {"type": "string"},
    }

    def spec(after: dict[str, Any], *, before: Any = before, dialect: bool = False) -> loader.LoadedSpec:
        document: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}}
        if dialect:
            document["jsonSchemaDialect"] = "https://spec.openapis.org/oas/3.1/dialect/base"
        document["paths"] = {"/a": {}}
        document["components"] = {"schemas": after}
        return loader.LoadedSpec(Path("t.yaml"), b"", document, edit=loader.Edit("previous", (schemas,), (before,)))

    added = spec({**copy.deepcopy(before), "C": {"items": {"$ref": "#/components/schemas/B/properties/a"}}})
    assert loader.parts_changed(added) == loader.PartsChanged(("C",), ())
    part = loader.schemas_part(added, ("C",))
    assert part is not None and part.document == {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": {}, "B": before["B"], "C": added.document["components"]["schemas"]["C"]}},
    }
    for c, read in (
        ({"properties": {"b": {"$ref": "#/components/schemas/B"}}}, {"C"}),
        ({"properties": {"b": {"$ref": "#/components/schemas/B"}}, "default": {"b": {"a": 1}}}, {"A", "B", "C"}),
        ({"allOf": [{"anyOf": [{"$ref": "#/components/schemas/B"}]}], "required": ["a"]}, {"B", "C"}),
        ({"oneOf": [{"$ref": "#/components/schemas/B"}], "discriminator": {"propertyName": "a"}}, {"C"}),
        ({"oneOf": [{"$ref": "#/components/schemas/B"}], "discriminator": {"propertyName": "a"}, "default": {}}, None),
    ):
        part = loader.schemas_part(spec({**copy.deepcopy(before), "C": c}), ("C",))
        assert part is not None
        kept = part.document["components"]["schemas"]
        assert {name for name, schema in kept.items() if schema} == (read or {"A", "B", "C", "Lone"}), c
        assert all(kept[name] == {} for name in kept if name not in (read or kept)), c
    responses = {"default": {"description": "x", "content": {"application/json": {"schema": {"$ref": ref("B")}}}}}
    parameter = {"name": "n", "in": "query", "schema": {"type": "array", "items": {"$ref": ref("A")}, "default": [1]}}
    item = {"get": {"parameters": [parameter], "responses": responses}}
    paths = spec(copy.deepcopy(before))
    paths.document["paths"] = {"/a": item, "/b": {"get": {"responses": {}}}}
    part = loader.schemas_part(paths, (), ("/a",))
    assert part is not None and part.document["paths"] == {"/a": item}
    assert part.document["components"]["schemas"] == {"A": before["A"], "B": {}}  # a responses map holds no default
    with_dialect = spec({"C": {"type": "string"}, **copy.deepcopy(before)}, dialect=True)  # added first: moved keys
    assert loader.parts_changed(with_dialect) == loader.PartsChanged(("C",), ())
    part = loader.schemas_part(with_dialect, ("C",))
    assert part is not None
    assert part.document["jsonSchemaDialect"] == with_dialect.document["jsonSchemaDialect"]
    assert list(part.document["components"]["schemas"]) == ["C"]

    changed = copy.deepcopy(before)
    changed["A"]["maximum"] = 1.0  # equal, of another type
    assert loader.parts_changed(spec({**changed, "C": {}})) == loader.PartsChanged(("C",), ("A",))
    assert loader.parts_changed(spec(changed)) == loader.PartsChanged((), ("A",))
    within = loader.Edit("previous", ((*schemas, "A", "maximum"), (*schemas, "B")), (1, 2))
    assert loader.parts_changed(replace(spec(changed), edit=within)) == loader.PartsChanged((), ("A", "B"))
    assert loader.parts_changed(spec({**copy.deepcopy(before), "C": {}}, before=loader.ABSENT)) is None
    assert loader.parts_changed(spec({"A": before["A"], "B": before["B"], "C": {}})) is None  # `Lone` removed
    assert loader.parts_changed(spec(copy.deepcopy(before))) is None  # nothing added or changed
    other = spec({**copy.deepcopy(before), "C": {}})
    wider = loader.Edit("previous", (("components",),), ({"schemas": before},))
    assert loader.parts_changed(replace(other, edit=wider)) is None
    beside = loader.Edit("previous", (("components", "schemas", "A"), ("paths", "/a")), (1, {}))
    assert loader.parts_changed(replace(other, edit=beside)) == loader.PartsChanged((), ("A",), ("/a",))
    paths = loader.Edit("previous", (("paths",),), ({"/gone": {}, "/a": {"get": {}}},))
    assert loader.parts_changed(replace(other, edit=paths)) == loader.PartsChanged((), (), ("/gone", "/a"))
    elsewhere = loader.Edit("previous", (("components", "schemas", "A"), ("info", "title")), (1, "U"))
    assert loader.parts_changed(replace(other, edit=elsewhere)) is None
    gone = loader.Edit("previous", (("components", "schemas", "Gone", "type"),), ("string",))
    assert loader.parts_changed(replace(other, edit=gone)) is None

    for elsewhere in (
        {"$ref": "#/paths/~1a"},
        {"$ref": "other.yaml#/A"},
        {"$ref": "#/components/schemas/L%6Fne"},
        {"$ref": "#/components/schemas/Missing"},
        {"properties": {"p": {"$id": "https://example.com/p"}}},
        {"$dynamicRef": "#meta"},
    ):
        odd = spec({**copy.deepcopy(before), "C": elsewhere})
        assert loader.parts_changed(odd) == loader.PartsChanged(("C",), ())
        assert loader.schemas_part(odd, ("C",)) is None, elsewhere


@pytest.mark.parametrize("backend", ["jsonschema", "jsonschema-rs", "auto"])
def test_the_document_is_checked_and_worded_alike_whichever_backend_the_environment_asks_for(
    tmp_path: Path, backend: str
) -> None:
    """openapi-spec-validator checks the document against the OpenAPI schema with the backend the environment names
    (or jsonschema-rs where installed), each wording its problems its own way: ours is the same in every install."""
    spec = write_spec(
        tmp_path, "bad.yaml", "openapi: 3.0.3\ninfo:\n  title: x\npaths:\n  /a: {get: {responses: {'200': 1}}}\n"
    )
    env = {**os.environ, "OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND": backend, "STREAMSPEC_CACHE": "off"}
    env["STREAMSPEC_DAEMON"] = "off"
    done = subprocess.run(
        [sys.executable, "-m", "generator", "check", str(spec)], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    problems = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "[spec.invalid]" in line]
    assert problems == [
        '/info: [spec.invalid] "version" is a required property',
        "/paths/~1a/get/responses/200: [spec.invalid] 1 is not valid under any of the schemas listed in the 'oneOf' "
        "keyword",
    ]


# The meta-schema check of a schema told quickly (`loader._meta_schema_passes`, jsonschema-rs): a pass only where
# openapi-schema-validator's own check passes, for OpenAPI 3.0 (Draft 4's meta-schema) and 3.1 (OpenAPI's dialect of
# Draft 2020-12, with OpenAPI's vocabulary).
_ODD = st.recursive(  # values of any kind, JSON's and others a YAML document can hold
    st.none()
    | st.booleans()
    | st.integers(-2, 3)
    | st.just(2**64)
    | st.floats()
    | st.sampled_from(["string", "", "[", "x"])
    | st.dates()
    | st.frozensets(st.integers(0, 2), max_size=2),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["a", "type", 1]), inner, max_size=2),
    max_leaves=6,
)
_NAMES = st.sampled_from(["a", "b", "c"])
_NUMBERS = st.integers(-1, 3) | st.floats(allow_nan=False, allow_infinity=False)
_PATTERNS = st.sampled_from(["^a+$", "[", "\\p{L}", "(?<x>a)", "(?P<x>a)", "\\d{2,}"])


def _mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` seven times in eight, anything else the eighth (a schema is valid about one time in four)."""
    return st.one_of(*[good] * 7, _ODD)


_KINDS = st.sampled_from(["string", "object", "array", "integer", "number", "boolean", "null"])
_SCHEMA: st.SearchStrategy[dict[str, Any]] = st.deferred(
    lambda: st.fixed_dictionaries(
        {},
        optional={
            "type": _mostly(_KINDS | st.lists(_KINDS, min_size=1, max_size=2)),
            "properties": _mostly(st.dictionaries(_NAMES, _SCHEMA, max_size=2)),
            "patternProperties": _mostly(st.dictionaries(_PATTERNS, _SCHEMA, max_size=2)),
            "additionalProperties": _mostly(st.booleans() | _SCHEMA),
            "items": _mostly(_SCHEMA | st.lists(_SCHEMA, max_size=2)),
            "prefixItems": _mostly(st.lists(_SCHEMA, min_size=1, max_size=2)),
            "required": _mostly(st.lists(_NAMES, min_size=1, max_size=2, unique=True)),
            "enum": _mostly(st.lists(st.integers(0, 3) | _NAMES | st.none(), min_size=1, max_size=3, unique=True)),
            "const": _ODD,
            "allOf": _mostly(st.lists(_SCHEMA, min_size=1, max_size=2)),
            "oneOf": _mostly(st.lists(_SCHEMA, min_size=1, max_size=2)),
            "not": _mostly(_SCHEMA | st.booleans()),
            "$ref": _mostly(st.sampled_from(["#/components/schemas/a", "b.json#/x"])),
            "$defs": _mostly(st.dictionaries(_NAMES, _SCHEMA, max_size=1)),
            "minLength": _mostly(st.integers(0, 3)),
            "maxItems": _mostly(st.integers(0, 3)),
            "uniqueItems": _mostly(st.booleans()),
            "maximum": _mostly(_NUMBERS),
            "exclusiveMaximum": _mostly(st.booleans() | _NUMBERS),
            "multipleOf": _mostly(st.integers(1, 3) | st.floats(0.5, 2)),
            "pattern": _mostly(_PATTERNS),
            "format": _mostly(st.sampled_from(["date", "int32", "uuid", "whatever"])),
            "default": _ODD,
            "examples": _mostly(st.lists(_ODD, max_size=2)),
            "nullable": _mostly(st.booleans()),
            "discriminator": _mostly(st.fixed_dictionaries({"propertyName": _NAMES})),
            "xml": _mostly(st.fixed_dictionaries({}, optional={"name": _NAMES, "attribute": st.booleans()})),
            "externalDocs": _mostly(st.fixed_dictionaries({"url": st.sampled_from(["https://a", "x y"])})),
            "description": _mostly(st.text(max_size=3)),
            "x-note": _ODD,
        },
    )
)


def _library_check(version: str) -> Callable[[Any], None]:
    """The meta-schema check openapi-spec-validator makes of a schema in a document of `version` (no
    `jsonSchemaDialect`): the validator class's `check_schema`, given 3.1's format checker there."""
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator

    if version == "3.0":
        return cast(Callable[[Any], None], OAS30Validator.check_schema)
    checker = OpenAPIV31SchemaValidator.schema_validator_format_checker
    return partial(OAS31Validator.check_schema, format_checker=checker)


@pytest.mark.parametrize("version", ["3.0", "3.1"])
@settings(max_examples=150)
@given(schema=_SCHEMA)
@example(schema={"type": "string", "pattern": "(?<x>a)"})  # ECMA's named group, not Python's
@example(schema={"properties": {"a": {"pattern": "\\p{L}"}}})
@example(schema={"patternProperties": {"(?<x>a)": {}}})
@example(schema={"required": frozenset({"a"})})
@example(schema={"maximum": float("nan")})
@example(schema={"maximum": 2**64})
def test_a_schema_passes_the_quick_meta_schema_check_only_where_the_library_passes_it(
    version: str, schema: dict[str, Any]
) -> None:
    check = _library_check(version)
    if loader._meta_schema_passes(check, schema):
        check(schema)  # raises where the library finds a problem


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_the_quick_meta_schema_check_is_taken_where_the_library_validates_a_document(
    version: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The library's checks come in the forms `_meta_schema_passes` reads (else it would pass nothing quickly)."""
    told: list[bool] = []

    def passes(check: Any, schema: Any) -> bool:
        told.append(quick(check, schema))
        return told[-1]

    quick = loader._meta_schema_passes
    monkeypatch.setattr(loader, "_meta_schema_passes", passes)
    monkeypatch.setattr(loader, "META_PASSED", set())
    spec = tmp_path / "api.yaml"
    spec.write_text(
        f"openapi: {version}.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n"
        "    A: {type: object, properties: {a: {type: string, pattern: '^a+$'}}}\n"
        "    B: {type: object, properties: {b: {type: string, pattern: '['}}}\n"
    )
    problems = loader.validate_document(load_spec(spec, validate=False))
    assert problems and all(p.pointer.startswith("/components/schemas/B") for p in problems)
    assert told == [True, False]


@pytest.mark.skipif(not corpus_documents(), reason="the corpus (../shared/corpus) is not beside the checkout")
def test_the_quick_meta_schema_check_passes_the_schemas_the_library_passes() -> None:
    """Where it is certain, which is where the time goes: the schemas of real specs (each OpenAPI 3.0 and 3.1
    document of the corpus without a dialect of its own: its first component schemas, and their properties)."""
    from jsonschema.exceptions import SchemaError

    judged = {"3.0": 0, "3.1": 0}
    for path in corpus_documents():
        document = load_spec(path, validate=False).document
        version = str(document.get("openapi", ""))[:3]
        if version not in judged or "jsonSchemaDialect" in document:
            continue
        check = _library_check(version)
        schemas = [s for s in ((document.get("components") or {}).get("schemas") or {}).values()][:40]
        for schema in [
            *schemas,
            *(p for s in schemas if isinstance(s, dict) for p in (s.get("properties") or {}).values()),
        ]:
            try:
                check(schema)
            except SchemaError:
                assert not loader._meta_schema_passes(check, schema)
                continue
            assert loader._meta_schema_passes(check, schema), (path.name, schema)
            judged[version] += 1
    assert judged["3.0"] > 1000
    assert judged["3.1"] > 200
