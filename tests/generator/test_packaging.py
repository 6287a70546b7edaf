"""The package metadata's view of the generated code: which third-party modules it imports."""

from __future__ import annotations

import ast

import pytest

from generator.packaging import _third_party, third_party_imports
from tests.generator.conftest import REPO

_SOURCES = {
    "imports at the top": "import httpx\nfrom pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int\n",
    "after the classes": "import os\n\n\nclass A:\n    pass\n\n\nfrom pydantic import Field  # noqa: E402\n",
    "in a function": "def f():\n    import yaml\n\n    return yaml\n\n\nx = 1\n",
    "parenthesized, last": "from typing import (\n    Any,\n)\nfrom starlette.requests import (\n    Request,\n)\n",
    "continued, last": "from starlette.responses \\\n    import Response\n",
    "only relative": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from ._a import (\n        A,\n)\n",
    "none": '"""Nothing imported."""\n\nX = 1\n',
    "a docstring line": 'import httpx\n\n\nclass A:\n    """Text.\n\nimport rich\n    """\n',
    "a string's line, last": 'import httpx\nx = """\nfrom rich import print\n"""\n',
}


def _walked(source: str) -> tuple[str, ...]:
    """The modules named by the whole module's tree (what the cut must not change)."""
    return tuple(sorted(set(_third_party(ast.parse(source)))))


_GENERATED = sorted((REPO / "generated").glob("*/**/*.py"))


@pytest.mark.parametrize(
    "source",
    [*_SOURCES.values(), *(path.read_text(encoding="utf-8") for path in _GENERATED)],
    ids=[*_SOURCES, *(str(path.relative_to(REPO / "generated")) for path in _GENERATED)],
)
def test_third_party_imports_are_those_of_the_whole_module(source: str) -> None:
    """Read from the module up to its last line that may be an absolute import (the rest parsed only where that cut
    falls inside a statement or a string): what the whole module's tree names."""
    assert third_party_imports(source) == _walked(source)


def test_the_sources_name_what_they_should() -> None:
    assert [third_party_imports(s) for s in _SOURCES.values()] == [
        ("httpx", "pydantic"),
        ("pydantic",),
        ("yaml",),
        ("starlette",),
        ("starlette",),
        (),
        (),
        ("httpx",),
        ("httpx",),
    ]
