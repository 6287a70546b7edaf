"""The pipeline's ruff step: formatting, fixes, and the relative imports each file is left with."""

from __future__ import annotations

import pytest

from generator.errors import GenerationError
from generator.pipeline import _ruff

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
