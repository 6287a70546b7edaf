"""The pipeline: its ruff step (formatting, fixes, the relative imports each file is left with), and what an edit
skips: a docs edit validates and generates nothing again, an edit of constraints validates nothing again where no
default is validated against them, and a verdict so kept is the validator's (over random edits)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from generator import jobs, pipeline, render
from generator.cache import Cache, content_key
from generator.errors import GenerationError, Problem
from generator.loader import (
    _BOUNDS,
    _COUNTS,
    _VALUE_KEYS,
    Edit,
    LoadedSpec,
    default_reach,
    load_spec,
    validate_document,
)
from generator.pipeline import _ruff, build_packages
from generator.versions import Comparison, Previous
from tests.generator.conftest import REPO, VENDOR_SPECS, write_spec

MODULE = '''"""Imports of every shape: \\
from .in_a_docstring import nothing
"""
from typing import Any
from ..shared.model import (
    First,
    Second,
)
from . import a, b  # noqa
from .unused import Gone
import json


def late() -> Any:
    from ._runtime.http import send
    text = """
from .in_a_string import nothing
"""
    return send, json, First, Second, a, b, text
'''


def test_relative_imports_are_those_the_fixed_file_keeps_each_once() -> None:
    formatted = _ruff({"pkg/sub/mod.py": MODULE}, {"pkg": "spec.yaml"})["pkg/sub/mod.py"]
    # the unused one went with its fix; strings are no statements; `noqa` hides none; one entry per statement
    assert sorted(formatted.relative) == [(1, ""), (1, "_runtime.http"), (2, "shared.model")]
    assert "Gone" not in formatted.text
    assert '"""\n\nimport json\nfrom typing import Any\n\nfrom ..shared' in formatted.text  # sorted, formatted
    assert "from . import a, b\n\n\ndef late" in formatted.text  # a `noqa` nothing needs went
    assert "from .in_a_string import nothing" in formatted.text


def test_a_file_ruff_cannot_parse_names_the_spec_and_the_file() -> None:
    with pytest.raises(GenerationError) as caught:
        _ruff({"pkg/client.py": "def broken(:\n"}, {"pkg": "specs/pkg.yaml"})
    [problem] = caught.value.problems
    assert problem.code == "render.ruff" and "pkg/client.py" in problem.message


def _validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The specs validated from now on, as the validator is asked (the jobs run in this process, where the
    stand-ins are)."""
    validated: list[str] = []
    real = pipeline._validate_each

    def validate(specs: Sequence[LoadedSpec], store: Cache) -> list[list[Problem]]:
        validated.extend(spec.display for spec in specs)
        return real(specs, store)

    monkeypatch.setattr(jobs, "cores", lambda: 1)
    monkeypatch.setattr(pipeline, "_validate_each", validate)
    return validated


def test_a_docs_edit_of_a_valid_spec_keeps_its_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spec edited in its descriptions alone is not validated again (the verdict of the valid spec before stands),
    nor are its models generated again, nor any template rendered (`pyproject.toml`'s included: Jinja2 need not
    be imported); any other edit is validated, and an invalid one refused."""
    store = Cache(tmp_path / "cache")
    original = (REPO / "specs" / "volcengine_live.yaml").read_text(encoding="utf-8")
    spec = write_spec(tmp_path / "specs", "volcengine_live.yaml", original)
    build_packages([spec], cache=store)
    validated = _validations(monkeypatch)
    monkeypatch.setattr(pipeline, "run_chunks", None)  # a chunk generated would call it
    monkeypatch.setattr(render, "environment", None)  # and a template rendered, this
    assert original.count("description: Callback receiver URL.") == 1
    spec.write_text(original.replace("Callback receiver URL.", "Where callbacks are sent.", 1), encoding="utf-8")
    [package] = build_packages([spec], cache=store)
    assert not validated
    assert any(b"Where callbacks are sent." in text for name, text in package.files.items() if "models" in name)
    spec.write_text(original.replace("type: string", "type: strin", 1), encoding="utf-8")
    with pytest.raises(GenerationError) as caught:
        build_packages([spec], cache=store)
    assert validated and {p.code for p in caught.value.problems} == {"spec.invalid"}


LIMITS = """\
openapi: 3.0.3
info: {title: Limits, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        "200": {description: Created.}
        default: {description: Refused.}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string, maxLength: 64}
        code: {$ref: '#/components/schemas/Code'}
        label:
          allOf: [{$ref: '#/components/schemas/Label'}]
          default: abcdef
        size: {type: integer, minimum: 1, maximum: 10, default: 5}
    Code: {type: string, maxLength: 8}
    Label: {type: string, maxLength: 10}
"""


def test_a_constraint_edit_of_a_valid_spec_keeps_its_verdict_where_no_default_is_checked_against_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `maxLength` made larger, where no default is validated against it, is not validated again, and its model is
    generated by one worker, warmed up at once (nothing else is left to the workers); one that a default is
    validated against, through references (`Label`), is validated, and refused where the default no longer fits;
    so is a value not of the keyword's kind."""
    store = Cache(tmp_path / "cache")
    spec = write_spec(tmp_path / "specs", "limits.yaml", LIMITS)
    build_packages([spec], cache=store)
    validated = _validations(monkeypatch)
    pools: list[tuple[object, int | None]] = []
    real_workers = pipeline.workers

    def workers(warm_up: Callable[[], None] | None = None, *, count: int | None = None) -> Any:
        pools.append((warm_up, count))
        return real_workers(warm_up, count=count)

    monkeypatch.setattr(pipeline, "workers", workers)
    spec.write_text(LIMITS.replace("maxLength: 64", "maxLength: 128"), encoding="utf-8")
    [package] = build_packages([spec], cache=store)
    assert not validated and pools == [(pipeline.warm_models, 1)]
    assert any(b"max_length=128" in text for name, text in package.files.items() if "models" in name)
    spec.write_text(LIMITS.replace("maxLength: 64", "maxLength: 256").replace("maxLength: 8", "maxLength: 9"))
    build_packages([spec], cache=store)  # an edit of the edit: the verdict and the default reach carried on
    assert not validated
    for old, new, refused in (("maxLength: 10", "maxLength: 3", True), ("maxLength: 10", "maxLength: 12", False)):
        spec.write_text(LIMITS.replace(old, new), encoding="utf-8")  # `Label`, which the default of `label` reaches
        validated.clear()
        pools.clear()
        if refused:
            with pytest.raises(GenerationError) as caught:
                build_packages([spec], cache=store)
            assert {p.code for p in caught.value.problems} == {"spec.invalid"}
        else:
            build_packages([spec], cache=store)
        assert len(validated) == 1 and pools == [(None, None)]
    spec.write_text(LIMITS.replace("maxLength: 10", "maxLength: 12").replace("maxLength: 8", "maxLength: -1"))  # `Code`
    validated.clear()
    with pytest.raises(GenerationError):
        build_packages([spec], cache=store)
    assert len(validated) == 1


@pytest.mark.parametrize("behind", [0, pipeline._DIFF_BEHIND])
def test_the_version_diff_of_an_edit_with_a_model_job_is_compared_in_a_worker(
    behind: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that leaves one model job to the workers has the documents of its version diff compared there too
    (the rest of the diff here); with more jobs ahead (here: with none allowed), here, as the workers work. The
    release is the same either way: the level, the findings, the changelog."""
    monkeypatch.setattr(jobs, "cores", lambda: 2)  # worker processes even on one core
    monkeypatch.setattr(pipeline, "_DIFF_BEHIND", behind)
    elsewhere: list[str] = []
    real = Comparison.work_elsewhere

    def work_elsewhere(self: Comparison, submit: jobs.Submit, served: str) -> None:
        def recorded(job: Callable[..., Any], /, *args: Any) -> Callable[[], Any]:
            elsewhere.append(job.__name__)
            return submit(job, *args)

        real(self, recorded, served)

    monkeypatch.setattr(Comparison, "work_elsewhere", work_elsewhere)
    store = Cache(tmp_path / "cache")
    spec = write_spec(tmp_path / "specs", "limits.yaml", LIMITS)
    [first] = build_packages([spec], cache=store)
    assert not elsewhere  # no previous package, no diff
    edited = LIMITS.replace("maxLength: 64", "maxLength: 32").replace("maximum: 10", "maximum: 20")
    spec.write_text(edited, encoding="utf-8")
    [package] = build_packages([spec], cache=store, previous={first.name: Previous(first.files)})
    assert elsewhere == (["structural_changes"] if behind else [])
    report = package.release.report
    assert package.release.describe() == "version 1.0.0 -> 2.0.0 (major)" and report is not None
    assert {f.code for f in report.findings} == {
        "request-property-max-length-decreased",
        "request-property-max-increased",
    }
    assert b"maxLength decreased from 64 to 32" in package.files["CHANGELOG.md"]


def _constraints(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    """Every numeric constraint of a document, outside values, with its path."""
    if isinstance(node, list):
        return [found for i, item in enumerate(node) for found in _constraints(item, (*path, i))]
    if not isinstance(node, dict):
        return []
    found = []
    for key, value in node.items():
        if key in _VALUE_KEYS or str(key).startswith("x-"):
            continue
        if key in _COUNTS | _BOUNDS and isinstance(value, int | float) and not isinstance(value, bool):
            found.append(((*path, key), value))
        found += _constraints(value, (*path, key))
    return found


def test_a_kept_verdict_is_the_validators_over_random_constraint_edits(tmp_path: Path) -> None:
    """Random constraint edits of valid specs (the vendor specs and one whose defaults reach constraints through
    references): wherever the pipeline keeps the verdict before (`_verdict_stands`), the validator finds the edited
    document valid; and some edits the validator refuses are among those not kept."""
    rng = random.Random(14)
    kept = refused = 0
    store = Cache(tmp_path / "cache")
    for path in [*VENDOR_SPECS, write_spec(tmp_path, "limits.yaml", LIMITS)]:
        loaded = load_spec(path, validate=False)
        assert validate_document(loaded) == []
        reach = default_reach(loaded.document)
        assert reach is not None
        store.put("validation", content_key("strict", loaded.digest), ())
        store.put("default-reach", content_key("strict", loaded.digest), reach)
        places = _constraints(loaded.document)
        for _ in range(25):
            tokens, old = rng.choice(places)
            new = rng.choice([0, 1, 2, 3, -1, old + 1, old * 2, rng.randint(0, 200)])
            new = float(new) + 0.5 if isinstance(old, float) and rng.random() < 0.5 else new
            edited = copy.deepcopy(loaded.document)
            parent = edited
            for token in tokens[:-1]:
                parent = parent[token]
            parent[tokens[-1]] = new
            keys = tokens[: next((i for i, t in enumerate(tokens) if not isinstance(t, str)), len(tokens))]
            before: Any = loaded.document
            for token in keys:
                before = before[token]
            edit = Edit(loaded.digest, (tuple(str(k) for k in keys),), (before,))
            stands = pipeline._verdict_stands(LoadedSpec(path, b"", edited, edit=edit), "strict", store)
            valid = validate_document(LoadedSpec(path, loaded.raw, edited)) == []
            assert valid or not stands, f"{path.name}: {tokens} {old!r} -> {new!r} kept an invalid document's verdict"
            kept += stands
            refused += not valid
    assert kept > 20 and refused > 5


def test_the_validator_checks_defaults_against_constraints_and_nothing_else() -> None:
    """What keeping a verdict over a constraint edit rests on (`_verdict_stands`): openapi-spec-validator validates a
    schema's default against its constraints, and not its examples; should a version validate examples too, this
    fails, and the edits' reach must take examples in."""
    for key, refused in (("default", True), ("example", False), ("examples", False)):
        value: Any = ["too long"] if key == "examples" else "too long"
        schema = {"type": "string", "maxLength": 3, key: value}
        document = {
            "openapi": "3.1.0" if key == "examples" else "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": {"S": schema}},
        }
        found = validate_document(LoadedSpec(Path("t.yaml"), b"", document))
        assert bool(found) == refused, (key, found)


class _Asked(Cache):
    """A cache that records the kinds of entries this process asked it for."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.asked: list[str] = []

    def get(self, kind: str, key: str) -> Any:
        self.asked.append(kind)
        return super().get(kind, key)


def test_a_long_lived_process_keeps_each_specs_latest_surface_and_diffs_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version diff of an edit compares with the surface the run before made, kept in memory (not read back
    from the cache); one surface a spec is kept, the latest package's: a run the validator refuses keeps none."""
    monkeypatch.setattr(pipeline, "_SURFACES", type(pipeline._SURFACES)(pipeline._SURFACES.kept))
    store = _Asked(tmp_path / "cache")
    original = (REPO / "specs" / "volcengine_live.yaml").read_text(encoding="utf-8")
    spec = write_spec(tmp_path / "specs", "volcengine_live.yaml", original)
    output = tmp_path / "out"
    previous: dict[str, Previous] = {}
    for n in range(3):
        spec.write_text(original.replace("Callback receiver URL", f"Callback receiver URL {n}", 1), encoding="utf-8")
        [package] = build_packages([spec], cache=store, output=output, previous=previous)
        previous = {package.name: Previous(package.files)}
        refused = original.replace("Callback receiver URL", "Refused", 1).replace("maxLength: 100", "maxLength: -1", 1)
        spec.write_text(refused, encoding="utf-8")
        with pytest.raises(GenerationError):
            build_packages([spec], cache=store, output=output, previous=previous)
    assert "ir" not in store.asked  # each diff's previous side was in memory
    [(key, _)] = pipeline._SURFACES.values()
    assert key == content_key(package.files["openapi.json"])


@pytest.mark.parametrize("edited", [16, 17])
def test_an_edit_of_many_entries_is_served_written_whole(
    edited: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The served JSON of an edit is spliced into the text served before up to `_MOST_SPLICED` entries (each splice
    costs about as much as a twentieth of writing the whole text), and written whole beyond; the same text either
    way."""
    from generator.served_json import spanned_json

    before = {"openapi": "3.1.0", "components": {"schemas": {f"S{n}": {"type": "string"} for n in range(20)}}}
    after = copy.deepcopy(before)
    for n in range(edited):
        after["components"]["schemas"][f"S{n}"] = {"type": "integer", "minimum": n}
    store = Cache(tmp_path / "cache")
    old = LoadedSpec(tmp_path / "api.yaml", b"before", before)
    pipeline._served(old, False, store)
    paths = tuple(("components", "schemas", f"S{n}") for n in range(edited))
    values = tuple(before["components"]["schemas"][f"S{n}"] for n in range(edited))
    new = LoadedSpec(tmp_path / "api.yaml", b"after", after, edit=Edit(old.digest, paths, values))
    splices: list[object] = []
    real = pipeline.spliced_json
    monkeypatch.setattr(pipeline, "spliced_json", lambda *a: splices.append(a) or real(*a))
    assert pipeline._served(new, False, store) == spanned_json(after)[0] + "\n"
    assert len(splices) == (edited if edited <= pipeline._MOST_SPLICED else 0)
