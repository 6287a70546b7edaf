"""The modules of a package's `models`: whole groups of models that name one another, after what they name."""

from __future__ import annotations

import pickle
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator import model_layout
from generator.model_layout import modules, names_used
from generator.pipeline import build_package
from generator.writer import write_packages
from tests.conftest import mypy_strict_on
from tests.generator.conftest import imported, write_spec


def _check(layout: list[tuple[str, list[str]]], order: list[str], uses: dict[str, set[str]]) -> None:
    """Every model in one module; a module names only models of itself or of modules before it; models that name
    one another (directly or not) share a module; each module keeps `order`'s order."""
    module_index = {name: i for i, (_, names) in enumerate(layout) for name in names}
    assert sorted(module_index) == sorted(order)
    assert len({module for module, _ in layout}) == len(layout)
    for name, used in uses.items():
        for other in used:
            assert module_index[other] <= module_index[name], (name, other)
    for _, names in layout:
        assert names == [n for n in order if n in set(names)]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 120), st.integers(0, 2**32), st.floats(0.0, 0.1))
def test_modules_come_after_what_they_name_on_random_graphs(count: int, seed: int, density: float) -> None:
    rng = random.Random(seed)
    order = [f"Model{i}" for i in range(count)]
    rng.shuffle(order)
    uses = {name: {other for other in order if other != name and rng.random() < density} for name in order}
    _check(modules(order, uses), order, uses)


def test_models_that_name_one_another_share_a_module() -> None:
    order = ["A", "B", "C", "D"]
    uses = {"A": {"B"}, "B": {"C"}, "C": {"A"}, "D": {"A"}}
    layout = modules(order, uses)
    _check(layout, order, uses)
    (cycle,) = [names for _, names in layout if "A" in names]
    assert {"A", "B", "C"} <= set(cycle)


def test_a_long_run_without_a_cut_is_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_layout, "_cut", lambda name: False)
    order = [f"M{i:04d}" for i in range(3 * model_layout.MODULE_LIMIT)]
    layout = modules(order, {})
    assert [len(names) for _, names in layout] == [model_layout.MODULE_LIMIT] * 3
    _check(layout, order, {})


def test_an_added_model_moves_few_others() -> None:
    """Content-defined cuts: adding one model changes the module of the models near it, not all that follow."""
    rng = random.Random(7)
    order = [f"Schema{i:04d}" for i in range(2000)]
    uses = {name: {rng.choice(order)} - {name} if rng.random() < 0.5 else set() for name in order}
    before = {name: module for module, names in modules(order, uses) for name in names}
    after_order = [*order, "Schema0999x"]
    after = {name: module for module, names in modules(after_order, {**uses, "Schema0999x": set()}) for name in names}
    moved = [name for name in order if before[name] != after[name]]
    assert len(moved) < 200, len(moved)


def test_names_used_skips_strings_and_comments() -> None:
    code = '''class A(ApiModel):
    """Named like B, which this text mentions."""

    b: Bee | MISSING = MISSING  # C in a comment
    c: Literal["D", 'E'] = Field(description="F \\" G")
    d: Annotated[str, Field(pattern=r"^H\\"$")]
    """I as a field's description"""
'''
    found = names_used(code)
    assert {"A", "ApiModel", "Bee", "MISSING", "Literal", "Field", "Annotated"} <= found
    assert not {"B", "C", "D", "E", "F", "G", "H", "I"} & found


def _tree_spec(count: int) -> str:
    """`count` schemas in a binary tree (`Node000` names `Node001` and `Node002`, ...), the last naming the first
    too, and an operation taking the first."""
    schemas = []
    for i in range(count):
        children = [c for c in (2 * i + 1, 2 * i + 2) if c < count] + ([0] if i == count - 1 else [])
        fields = "".join(f"        n{c:03d}: {{$ref: '#/components/schemas/Node{c:03d}'}}\n" for c in children)
        schemas.append(
            f"    Node{i:03d}:\n      type: object\n      properties:\n        label: {{type: string, maxLength: 5}}\n"
            + fields
        )
    return (
        "openapi: 3.1.0\ninfo: {title: Tree, version: '1'}\npaths:\n  /nodes:\n    post:\n      operationId: PostNode\n"
        "      requestBody:\n        required: true\n        content:\n          application/json:\n"
        "            schema: {$ref: '#/components/schemas/Node000'}\n"
        "      responses:\n        '200':\n          description: ok\n"
        "components:\n  schemas:\n" + "".join(schemas)
    )


def test_a_package_imports_without_building_models_and_builds_them_on_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_layout, "MODULE_GROUPS", 8)  # several modules out of a small spec
    package = build_package(write_spec(tmp_path, "tree.yaml", _tree_spec(200)))
    written = [name for name in package.files if name.startswith("models/_") and "__init__" not in name]
    assert len(written) > 3
    write_packages(tmp_path / "out", [("tree_under_test", package.files, "")])
    with imported(tmp_path / "out", "tree_under_test") as module:
        loaded = lambda: sorted(m for m in sys.modules if m.startswith("tree_under_test.models."))  # noqa: E731
        assert loaded() == []  # the package, its client and its server imported: no model built
        models = module.models
        leaf = models.Node150
        assert 1 <= len(loaded()) < len(written)  # its module and what that names, not every module
        assert leaf.model_validate({"label": "x"}).label == "x"
        assert "Node150" in vars(models)  # an ordinary attribute from now on
        root = models.Node000
        assert len(loaded()) == len(written)  # the root names every other model
        with pytest.raises(ValidationError):
            root.model_validate({"n001": {"n003": {"label": "too long"}}})
        assert pickle.loads(pickle.dumps(root(label="a"))) == root(label="a")
        assert {"Node000", "Node199"} <= set(dir(models))
        with pytest.raises(AttributeError, match="no attribute 'Node200'"):
            _ = models.Node200
        namespace: dict[str, object] = {}
        exec("from tree_under_test.models import *", namespace)
        assert sorted(n for n in namespace if n.startswith("Node")) == [f"Node{i:03d}" for i in range(200)]


def test_module_names_are_short_and_distinct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_layout, "_cut", lambda name: True)  # a module for each model
    long = "Very" * 80
    order = [f"{long}A", f"{long}B", "Short"]
    layout = modules(order, {f"{long}A": {f"{long}B"}})
    names = [module for module, _ in layout]
    assert len(names) == 3 and len(set(names)) == 3
    assert all(name.isidentifier() and len(name) <= model_layout.MODULE_NAME + 3 for name in names), names


def test_type_checkers_see_each_model_of_the_lazy_package(tmp_path: Path) -> None:
    """`models` loads lazily at run time only: mypy --strict sees every model with its own type, and no other name
    (a module `__getattr__` would make any name an Any)."""
    done = mypy_strict_on(
        tmp_path / "usage.py",
        "from huaweicloud_live import models\n"
        "from huaweicloud_live.models import RecordCallbackConfig\n\n"
        "config: RecordCallbackConfig = models.RecordCallbackConfig.model_validate({})\n"
        "wrong: int = models.RecordCallbackConfig.model_validate({})\n"
        "missing = models.NoSuchModel\n",
    )
    errors = [line.split(": error: ")[1] for line in done.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 2, done.stdout
    assert errors[0].startswith('Incompatible types in assignment (expression has type "RecordCallbackConfig"')
    assert errors[1].startswith('Module has no attribute "NoSuchModel"')
