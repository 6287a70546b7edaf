"""The pipeline: its ruff step (formatting, fixes, the relative imports each file is left with), and what a docs edit
skips."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from generator import jobs, pipeline, render
from generator.cache import Cache
from generator.errors import GenerationError, Problem
from generator.loader import LoadedSpec
from generator.pipeline import _ruff, build_packages
from tests.generator.conftest import REPO, write_spec

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


def test_a_docs_edit_of_a_valid_spec_keeps_its_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spec edited in its descriptions alone is not validated again (the verdict of the valid spec before stands),
    nor are its models generated again, nor any template rendered (`pyproject.toml`'s included: Jinja2 need not
    be imported); any other edit is validated, and an invalid one refused."""
    store = Cache(tmp_path / "cache")
    original = (REPO / "specs" / "volcengine_live.yaml").read_text(encoding="utf-8")
    spec = write_spec(tmp_path / "specs", "volcengine_live.yaml", original)
    build_packages([spec], cache=store)
    validated: list[str] = []
    real = pipeline._validate_each

    def validate(specs: Sequence[LoadedSpec], store: Cache) -> list[list[Problem]]:
        validated.extend(spec.display for spec in specs)
        return real(specs, store)

    monkeypatch.setattr(jobs, "cores", lambda: 1)  # jobs run here, where the stand-ins are
    monkeypatch.setattr(pipeline, "_validate_each", validate)
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
