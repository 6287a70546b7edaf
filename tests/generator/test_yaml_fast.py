"""The fast YAML path (`yaml_fast.fast_yaml`, LibYAML's events built straight into values) gives exactly what PyYAML's
loader gives, or leaves the document to it: on every document of the corpus, Stripe's, the vendor specs and the
fixtures, on YAML 1.1's odd scalars, and on random documents and random damage to real ones. An edit read in part
(`yaml_fast.reparsed`) gives what reading the whole edited text gives, and leaves the document it starts from as it
was: over chains of random edits of real documents, structural ones included."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yaml_fast
from generator.errors import GenerationError
from generator.loader import parse_document
from generator.yaml_fast import UNSURE, ParsedText, SpecLoader, fast_yaml, parse_text, reparsed
from tests.corpus.harness import CORPUS, STRIPE

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [
        *ROOT.glob("specs/*.yaml"),
        *ROOT.glob("tests/fixtures/*.yaml"),
        *(CORPUS.glob("*.yaml") if CORPUS.is_dir() else []),
        *([STRIPE] if STRIPE.is_file() else []),
    ]
)


def pyyaml(text: str | bytes) -> tuple[str, Any]:
    try:
        return "ok", yaml.load(text, Loader=SpecLoader)
    except Exception as exc:
        return "error", type(exc)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, keys in the same order (the generated code follows the spec's order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def agrees(text: str | bytes) -> bool:
    """The fast path agrees with PyYAML's loader: the same value, or it leaves the document to it."""
    fast = fast_yaml(text.encode() if isinstance(text, str) else text)
    if fast is UNSURE:
        return True
    outcome, value = pyyaml(text)
    return outcome == "ok" and same(fast, value)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_every_document_reads_as_pyyaml_reads_it(path: Path) -> None:
    raw = path.read_bytes()
    fast = fast_yaml(raw)
    outcome, value = pyyaml(raw)
    assert outcome == "ok"
    if path.name == "huaweicloud_live.yaml":  # its error responses are YAML anchors: PyYAML's loader reads it
        assert fast is UNSURE
    else:
        assert fast is not UNSURE and same(fast, value)


YAML_11 = """\
bools: [yes, No, ON, off, y, n, true, False]
ints: [012, 0x1F, 0b101, 1_000, 1:20, +12, -0]
floats: [.inf, -.Inf, .NaN, 1.0e+3, 1e3, 6.8523015e+5, 685.230_15e+03, 190:20:30.15]
nulls: [~, null, Null, '']
times: [2002-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10]
strings:
  - "yes"
  - 'no'
  - "012"
  - |
    literal
  - >-
    folded
    text
200: as written
on: kept
~: a key
1.5: too
"quoted key": v
? explicit
: value
dup: first
dup: second
multi: plain scalar
  over lines
empty:
"""


def test_yaml_1_1_scalars_and_keys_as_written() -> None:
    fast = fast_yaml(YAML_11.encode())
    assert fast is not UNSURE
    assert same(fast, yaml.load(YAML_11, Loader=SpecLoader))
    assert fast["bools"] == [True, False, True, False, "y", "n", True, False]
    assert list(fast)[6:10] == ["200", "on", "~", "1.5"]
    assert fast["dup"] == "second" and list(fast).index("dup") < list(fast).index("multi")
    assert fast["times"] == ["2002-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10"]  # as written


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases (PyYAML's loader also refuses alias bombs)
        "a: !!str 1\n",  # tags
        "base: &b {x: 1}\nderived:\n  <<: *b\n",  # merge keys
        "<<: {x: 1}\n",
        "? [a, b]\n: c\n",  # a collection as a key
        "a: 1\n---\nb: 2\n",  # several documents
        "a: =\n",  # a value PyYAML has no constructor for
        "a: [\n",  # syntax errors: PyYAML reports them, located
        'a: "b\n',
        "summary: a: b\n",
        b"a: \xff\n",
    ],
)
def test_what_it_leaves_to_pyyaml(text: str | bytes) -> None:
    assert fast_yaml(text.encode() if isinstance(text, str) else text) is UNSURE


def test_syntax_errors_are_located_as_before() -> None:
    with pytest.raises(GenerationError) as caught:
        parse_document(b"openapi: 3.1.0\npaths: {a: [\n", "x.yaml", as_json=False)
    (problem,) = caught.value.problems
    assert (problem.code, problem.line) == ("spec.syntax", 3)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(
        ["yes", "off", "012", "1:20", "~", "", "- a", "a: b", "#c", "'", '"', "2001-01-01", ".inf", "=", "<<"]
    ),
)
KEYS = st.one_of(st.text(max_size=8), st.sampled_from(["on", "200", "~", "<<", "1.5", "y"]))
DOCUMENTS_ = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=25
)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS_, st.sampled_from([None, False, True]), st.sampled_from([None, "'", '"', "|", ">"]))
def test_random_documents_in_every_style(document: Any, flow: bool | None, style: str | None) -> None:
    text = yaml.dump(document, default_flow_style=flow, default_style=style, allow_unicode=True, width=20)
    assert agrees(text)


DAMAGE = [*":-?[]{},#&*!|>'\"%@` \n\t\\", "  ", "\n  ", "- ", ": ", "yes", "~", "\n- ", "<<: ", "---\n"]


@pytest.mark.parametrize("seed", range(4))
def test_random_damage_to_real_documents(seed: int) -> None:
    """Damaged documents, valid or not: wherever the fast path gives a value, PyYAML's loader gives the same."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in DOCUMENTS if p.stat().st_size < 100_000]
    for _ in range(500):
        lines = rng.choice(texts).split("\n")
        start = rng.randrange(len(lines))
        text = "\n".join(lines[start : start + rng.randint(3, 40)]) + "\n"
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text) + 1)
            cut = rng.randint(0, 3)
            text = text[:i] + rng.choice(DAMAGE) + text[i + cut :]
        assert agrees(text), text


def whole(text: str) -> Any:
    """What reading the whole text gives: the fast path's value, or PyYAML's loader's (or the error it raises)."""
    fast = fast_yaml(text.encode())
    return pyyaml(text) if fast is UNSURE else ("ok", fast)


EDITS = [*DAMAGE, "x", "word ", "\n    extra: 1", "\n  - item", "\n  key: value\n", "  \n", "# note\n"]


def edited(text: str, rng: random.Random) -> str:
    """One random edit: characters typed, deleted or replaced anywhere, a line duplicated (a repeated key), indented
    or dedented, or removed."""
    lines = text.split("\n")
    choice = rng.randrange(6)
    at = rng.randrange(len(lines))
    if choice == 0:
        lines.insert(at, lines[at])
    elif choice == 1:
        lines[at] = "  " + lines[at]
    elif choice == 2:
        lines[at] = lines[at][2:] if lines[at].startswith("  ") else lines[at]
    elif choice == 3:
        del lines[at]
    else:
        i = rng.randrange(len(text) + 1)
        return text[:i] + rng.choice(EDITS) + text[i + rng.randint(0, 4) :]
    return "\n".join(lines)


def _at(document: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if p.stat().st_size < 400_000], ids=lambda p: p.name)
def test_an_edit_read_in_part_reads_as_the_whole_text(path: Path) -> None:
    """Chains of random edits, each of one to four changes anywhere: an edit read in part gives what reading the
    whole text gives, with its entries, and says which values it read."""
    rng = random.Random(path.name)
    original = path.read_text(encoding="utf-8")
    previous = parse_text(original)
    if previous is None:
        pytest.skip("left to PyYAML's loader: never read in part")
    text, in_part = original, 0
    for _ in range(80):
        text = text if rng.random() < 0.8 else original
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            text = edited(text, rng)
        before = copy.deepcopy(previous.document)
        read = reparsed(previous, text)
        assert same(previous.document, before)  # what it started from is untouched
        if read is not None:
            in_part += 1
            outcome, value = whole(text)
            assert outcome == "ok" and same(read.document, value), text
            assert read.entries == parse_text(text).entries  # type: ignore[union-attr]
            if read is not previous:  # what it says it read: the document before but for the values there
                olds = {path: _at(previous.document, path) for path in read.edited}
                assert same(yaml_fast._spliced(read.document, olds), previous.document), text
        previous = read or parse_text(text) or parse_text(original)  # type: ignore[assignment]
        if previous.text != text:
            text = original
    assert in_part >= 10, "too few edits read in part to tell anything"


def test_what_is_never_read_in_part() -> None:
    base = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      summary: one\n"
    start = parse_text(base)
    assert start is not None
    assert [e.path for e in start.entries] == [
        ("openapi",),
        ("info",),
        ("paths",),
        ("paths", "/a"),
        ("paths", "/a", "get"),
    ]
    inside = reparsed(start, base.replace("summary: one", "summary: two"))
    assert inside is not None and inside.document["paths"]["/a"]["get"] == {"summary": "two"}
    assert inside.edited == (("paths", "/a", "get"),)
    assert inside.document["info"] is start.document["info"]  # shared, not copied
    flow = reparsed(start, base.replace("title: T", "title: U"))  # within a flow mapping: its whole entry
    assert flow is not None and flow.document["info"] == {"title": "U", "version": "1"} and flow.edited == (("info",),)
    sibling = base.replace("      summary: one\n", "      summary: one\n    post:\n      summary: new\n")
    assert reparsed(start, sibling) is None or same(reparsed(start, sibling).document, whole(sibling)[1])  # type: ignore[union-attr]
    assert reparsed(start, base + "components: {}\n") is None  # after every entry: read whole
    repeated = parse_text(base + "paths:\n  /b: {}\n")
    assert repeated is not None and repeated.entries == ()  # a repeated key: entries unknown
    anchored = base.replace("summary: one", "summary: &s one")
    assert parse_text(anchored) is None and reparsed(start, anchored) is None


def test_changes_in_several_entries_read_each_alone() -> None:
    """Each change is read in the innermost entry that holds it, lines added at an entry's end in that entry, a key
    added beside an entry in the entry around it; the document shares every other value with the one before."""
    base = (
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      summary: first\n"
        "    put:\n      summary: second\n      tags:\n      - x\n  /b:\n    get:\n      summary: third\n"
        "components:\n  schemas:\n    A:\n      type: string\n    B:\n      type: integer\n"
    )
    start = parse_text(base)
    assert start is not None

    def read(text: str) -> tuple[tuple[str, ...], ...]:
        found = reparsed(start, text)
        assert found is not None and same(found.document, whole(text)[1]), text
        assert found.entries == parse_text(text).entries  # type: ignore[union-attr]
        return found.edited

    three = base.replace("first", "FIRST").replace("third", "THIRD").replace("type: integer", "type: number")
    assert read(three) == (("paths", "/a", "get"), ("paths", "/b", "get"), ("components", "schemas", "B"))
    found = reparsed(start, three)
    assert found is not None and found.document["paths"]["/a"]["put"] is start.document["paths"]["/a"]["put"]
    assert found.document["components"]["schemas"]["A"] is start.document["components"]["schemas"]["A"]
    assert found.document["info"] is start.document["info"]
    # lines added at an entry's end, a sequence's items at its key's column among them: that entry
    assert read(base.replace("      - x\n", "      - x\n      - y\n")) == (("paths", "/a", "put"),)
    format_added = base.replace("type: string\n", "type: string\n      format: date\n")
    assert read(format_added) == (("components", "schemas", "A"),)
    listed = parse_text(base + "tags:\n- name: pets\n  description: Pets.\n- name: users\n")
    assert listed is not None  # a sequence at its key's column: the entry holds its items
    found = reparsed(listed, listed.text.replace("Pets.", "All pets.").replace("first", "FIRST"))
    assert found is not None and found.edited == (("paths", "/a", "get"), ("tags",))
    assert found.document["tags"][0] == {"name": "pets", "description": "All pets."}
    # a key added beside an entry, or one renamed: the entry around them
    added = base.replace("  /b:\n", "    delete:\n      summary: gone\n  /b:\n")
    assert read(added) == (("paths", "/a"),)
    renamed = base.replace("    B:\n", "    C:\n").replace("first", "FIRST")
    assert read(renamed) == (("paths", "/a", "get"), ("components", "schemas"))
    # a flow collection or scalar that PyYAML reads on at a lower column: cut off, it does not read alone
    for lenient in ("      tags: [a,\nb]\n", '      title: "a\n  b"\n'):
        continued = parse_text(base.replace("      summary: first\n", "      summary: first\n" + lenient))
        assert continued is not None
        edit = continued.text.replace("first", "FIRST")
        read_again = reparsed(continued, edit)
        assert read_again is None or (
            ("paths", "/a", "get") not in read_again.edited and same(read_again.document, whole(edit)[1])
        )
    # a change that leaves the entries' block structure: read whole
    assert reparsed(start, base.replace("      summary: first\n", "      summary: first\n  summary: x\n")) is None
    assert reparsed(start, base + "webhooks: {}\n") is None
    assert reparsed(start, base.replace("first", "fi\rrst")) is None  # a line break YAML 1.1 knows beside \n
    crlf = base.replace("\n", "\r\n")
    start = parse_text(crlf)  # type: ignore[assignment]
    assert start is not None
    crlf_two = crlf.replace("first", "FIRST").replace("third", "THIRD")
    assert read(crlf_two) == (("paths", "/a", "get"), ("paths", "/b", "get"))


def test_entries_inserted_into_a_mapping_are_read_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries added to a recorded mapping at its entries' column, before one of them or after the last (a schema
    added): the mapping is read as before with them parsed alone in their place, its other values shared. Where the
    mapping holds another change after them, or one of them is there already, it is read whole, as before."""
    base = (
        "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      summary: first\n"
        "components:\n  schemas:\n    B:\n      type: string\n    D:\n      type: integer\n"
        "webhooks: {}\n"
    )
    start = parse_text(base)
    assert start is not None
    schemas = start.document["components"]["schemas"]
    alone: list[bool] = []
    real = yaml_fast._inserted

    def inserted(*args: Any) -> Any:
        result = real(*args)
        alone.append(result is not None)
        return result

    monkeypatch.setattr(yaml_fast, "_inserted", inserted)

    def read(text: str) -> ParsedText:
        alone.clear()
        found = reparsed(start, text)
        assert found is not None and same(found.document, whole(text)[1]), text
        assert found.entries == parse_text(text).entries  # type: ignore[union-attr]
        return found

    for text, order in [
        (base.replace("    B:\n", "    A:\n      type: object\n    B:\n"), "ABD"),  # before the first
        (base.replace("    D:\n", "    C: {type: number}\n\n    # c\n    D:\n"), "BCD"),  # between, a comment
        (base.replace("webhooks", "    E:\n      type: boolean\n    F: {}\nwebhooks"), "BDEF"),  # after the last
    ]:
        found = read(text)
        assert found.edited == (("components", "schemas"),) and alone == [True], text
        assert list(found.document["components"]["schemas"]) == list(order)
        assert all(found.document["components"]["schemas"][name] is schemas[name] for name in "BD")
        assert found.document["paths"] is start.document["paths"]
    also = read(base.replace("    B:\n", "    A: {}\n    B:\n").replace("type: integer", "type: number"))
    assert not any(alone) and also.edited == (("components", "schemas"),)  # another change after them: whole
    assert list(also.document["components"]["schemas"]) == ["A", "B", "D"]
    assert also.document["components"]["schemas"]["D"] == {"type": "number"}
    two = read(base.replace("    B:\n", "    A: {}\n    B:\n").replace("    D:\n", "    C: {}\n    D:\n"))
    assert not any(alone) and list(two.document["components"]["schemas"]) == ["A", "B", "C", "D"]
    again = base.replace("    D:\n", "    B: {}\n    D:\n")  # a key there already: as PyYAML reads it, whole
    assert reparsed(start, again) is None and not any(alone)
    nested = base.replace("      type: string\n", "      type: string\n      format: date\n")  # within an entry
    assert read(nested).edited == (("components", "schemas", "B"),) and not any(alone)


def test_where_two_texts_first_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    """From any offset in each, block by block, then by halves (blocks of 4 characters here, so that both steps are
    taken)."""
    monkeypatch.setattr(yaml_fast, "_BLOCK", 4)
    rng = random.Random(0)
    for _ in range(5000):
        a, b = ("".join(rng.choice("ab") for _ in range(rng.randint(0, 20))) for _ in range(2))
        i, j = rng.randint(0, len(a)), rng.randint(0, len(b))
        first = next((n for n, (x, y) in enumerate(zip(a[i:], b[j:], strict=False)) if x != y), None)
        assert yaml_fast._common_prefix(a, b, i, j) == (min(len(a) - i, len(b) - j) if first is None else first)
