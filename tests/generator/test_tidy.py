"""`generator.tidy`: the templates' imports and `__all__` as ruff's fixes leave them, so that ruff lints each file
once; whatever is not certain is left for ruff."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruff import find_ruff_bin

from generator.loader import load_spec
from generator.parser import parse_api
from generator.pipeline import render_files
from generator.tidy import tidy_python
from tests.corpus.harness import corpus_documents
from tests.generator.conftest import ALL_SPECS

_FIXES = ["--isolated", "--line-length", "120", "--target-version", "py311", "--select", "I,F401,UP,RUF022,RUF036"]
"""The fixes ruff applies to generated code (`pipeline._run_ruff_steps`), bar the relative imports' report."""


def _ruff_fixed(files: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], str]:
    """The files as ruff's fixes leave them, and what it reported before fixing."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    ruff = [find_ruff_bin(), "check", *_FIXES, "--no-cache", "--output-format", "concise"]
    report = subprocess.run([*ruff, "--exit-zero", "."], cwd=tmp_path, capture_output=True, text=True).stdout
    subprocess.run([*ruff, "--fix", "--exit-zero", "--quiet", "."], cwd=tmp_path, check=True)
    return {name: (tmp_path / name).read_text(encoding="utf-8") for name in files}, report


MESSY = '''"""A module."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any, Literal, TypeVar

import httpx

from . import models
from ._runtime.zeta import (
    ZETA_MAX, Zeta, zeta
)
from ._runtime.alpha import Beta, ALPHA, alpha10, alpha9
from datetime import timedelta

from ._runtime.alpha import Gamma
from ._runtime.unused import Nothing
from .client import (
    Client,
)

__all__ = ["zeta", "Zeta", "ZETA_MAX", "Client", "Beta", "ALPHA", "alpha10", "alpha9", "Gamma", "models"]

T = TypeVar("T")
WAIT = timedelta(seconds=1)


def f(x: Mapping[str, Any]) -> httpx.Client | Zeta | Beta | Gamma:
    return zeta(x, ALPHA, alpha9, alpha10, ZETA_MAX, Client, models.X)
'''


def test_a_messy_head_is_tidied_as_ruff_fixes_it(tmp_path: Path) -> None:
    tidied = tidy_python(MESSY)
    assert tidied != MESSY
    fixed, report = _ruff_fixed({"a/m.py": tidied}, tmp_path / "tidied")
    assert report.strip() == "All checks passed!"
    assert fixed["a/m.py"] == tidied
    assert _ruff_fixed({"a/m.py": MESSY}, tmp_path / "messy")[0]["a/m.py"] == tidied
    assert "IO" not in tidied.split("__all__")[0] and "Nothing" not in tidied  # unused, gone


@pytest.mark.parametrize(
    "text",
    [
        MESSY.replace("import httpx\n", "import httpx  # the client\n"),  # a comment ruff keeps in its place
        MESSY.replace("from ._runtime.unused import Nothing", "from ._runtime.unused import Nothing as N"),
        MESSY.replace("from ._runtime.unused import Nothing", "from ._runtime.unused import *"),
        MESSY.replace("__all__ = [", "__all__: list[str] = ["),  # no head ends where it is looked for
        MESSY.replace("from . import models\n", "from . import models\nX = 1\n"),  # not imports alone
    ],
)
def test_what_is_not_certain_is_left_for_ruff(text: str) -> None:
    assert tidy_python(text).split("__all__")[0] == text.split("__all__")[0]


def test_all_is_sorted_as_ruff_sorts_it_in_either_layout(tmp_path: Path) -> None:
    one_line = '__all__ = ["b", "A2", "A10", "HuaweicloudX", "HuaweiTokenAuth", "__version__", "REGIONS"]\n'
    several = "__all__ = [\n" + "".join(f'    "{n}",\n' for n in ["b", "A2", "A10", "REGIONS", "_x"]) + "]\n"
    for text in (one_line, several):
        tidied = tidy_python(text)
        fixed, report = _ruff_fixed({"m.py": tidied}, tmp_path / str(len(text)))
        assert report.strip() == "All checks passed!", report
        assert fixed["m.py"] == tidied
        assert tidied.count("\n") == text.count("\n")


def test_the_templates_python_needs_no_ruff_fix(tmp_path: Path) -> None:
    """For every profile and construct the specs here and the corpus hold: ruff then lints each file once."""
    files: dict[str, str] = {}
    for path in [*ALL_SPECS, *corpus_documents()]:
        try:
            api, _ = parse_api(load_spec(path, validate=False))
            rendered, _ = render_files(api, held=False)
        except Exception:  # a document the generator refuses: nothing rendered to tidy
            continue
        files |= {f"{api.package}/{name}": text for name, text in rendered.items()}
    fixed, report = _ruff_fixed(files, tmp_path)
    assert report.strip() == "All checks passed!", report[:3000]
    assert fixed == files
    assert len(files) > 12


def test_every_file_a_package_hands_ruff_needs_no_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The models as assembled (imports in isort's order, `None` last in their unions) and the templates' files,
    for every spec here: ruff formats them and lints each once."""
    from generator import pipeline
    from generator.cache import Cache

    handed: dict[str, str] = {}
    run = pipeline._run_ruff_steps

    def spy(files: dict[str, str], packages: list[str], specs: dict[str, str]) -> Any:
        handed.update(files)
        return run(files, packages, specs)

    monkeypatch.setattr(pipeline, "_run_ruff_steps", spy)
    pipeline.build_packages(ALL_SPECS, cache=Cache(tmp_path / "cache"), output=tmp_path / "out")
    assert any("/models/_" in name for name in handed)
    fixed, report = _ruff_fixed(handed, tmp_path / "ruff")
    assert report.strip() == "All checks passed!", report[:3000]
    assert fixed == handed


@pytest.mark.parametrize(
    ("code", "schemas", "expected"),
    [
        ("a: B | None | MISSING = MISSING", "{}", "a: B | MISSING | None = MISSING"),
        ("a: None | MISSING\nb: C | None | MISSING", "{}", "a: MISSING | None\nb: C | MISSING | None"),
        # the schemas write the words: one of the code's strings could, so ruff judges
        ("a: Literal['x None | MISSING'] | None | MISSING", '{"enum": ["x None | MISSING"]}', None),
        ("a: x.None | MISSING_B", "{}", None),  # not the sentinel's union
    ],
)
def test_the_models_unions_end_in_none_as_ruff_writes_them(code: str, schemas: str, expected: str | None) -> None:
    from generator.models import _none_last

    assert _none_last(code, schemas) == (code if expected is None else expected)
