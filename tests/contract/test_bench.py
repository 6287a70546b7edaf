"""bench/fuzz_bench.py works (no timed assertion: figures belong in the README, measured on a quiet machine): one
measurement of a spec and of the anchor, and the table that puts them side by side."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.conftest import ROOT, SPECS

pytest.importorskip("fastapi")


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_bench", ROOT / "bench" / "fuzz_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_one_spec_and_the_anchor_measure_and_tabulate() -> None:
    bench = _bench()
    spec = str(SPECS / "huaweicloud_metastudio.yaml")
    ours = bench.measure(spec, max_examples=2, seed=1)
    anchor = bench.measure(bench.ANCHOR, max_examples=2, seed=1)
    for result in (ours, anchor):
        assert result["failures"] == [] and result["seconds"] > 0 and result["cpu"] > 0
        assert result["cases"].get("coverage") and result["cases"].get("fuzzing"), result
    assert ours["cases"].get("examples") and ours["cases"].get("stateful"), ours  # the anchor has no examples, links
    table = bench.table({spec: [ours]}, [anchor])
    assert "anchor (FastAPI)" in table and "huaweicloud_metastudio" in table and "ratio" in table
