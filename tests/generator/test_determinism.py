"""The same spec always gives the same bytes: across runs, working directories, output folders and hash seeds."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import jobs, pipeline
from generator.cli import main
from generator.pipeline import build_package
from tests.generator.conftest import ALL_SPECS, GENERALITY, REPO, Generated, snapshot


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def test_building_twice_gives_identical_files(generated: Generated) -> None:
    again = build_package(GENERALITY)
    assert list(again.files) == sorted(again.files)
    assert again.files == generated.packages["generality"].files


def test_spec_location_and_working_directory_do_not_matter(
    generated: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "some" / "where" / GENERALITY.name
    elsewhere.parent.mkdir(parents=True)
    shutil.copy(GENERALITY, elsewhere)
    monkeypatch.chdir(elsewhere.parent.parent)
    assert build_package(Path("where") / GENERALITY.name).files == generated.packages["generality"].files


def test_output_folders_get_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trees = []
    for run in ("one", "two"):
        work = tmp_path / run
        work.mkdir()
        monkeypatch.chdir(work)
        assert main(["generate", str(GENERALITY), "--output", f"out-{run}"]) == 0
        trees.append(snapshot(work / f"out-{run}"))
    assert trees[0] == trees[1]
    assert ".streamspec-stamp.json" in trees[0]


SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from generator.pipeline import build_package
print(json.dumps({
    spec: {name: hashlib.sha256(data).hexdigest() for name, data in build_package(Path(spec)).files.items()}
    for spec in sys.argv[1:]
}))
"""


@pytest.mark.parametrize("seed", ["0", "4242"])
def test_hash_seed_does_not_matter(generated: Generated, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *map(str, ALL_SPECS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = {str(spec): digests(generated.packages[spec.stem].files) for spec in ALL_SPECS}
    assert json.loads(done.stdout) == expected


@pytest.mark.parametrize(("count", "warm_up_bytes"), [(1, 10**9), (2, 0), (3, 10**9)])
def test_cores_and_warm_up_do_not_matter(
    generated: Generated, monkeypatch: pytest.MonkeyPatch, count: int, warm_up_bytes: int
) -> None:
    monkeypatch.setattr(jobs, "cores", lambda: count)
    monkeypatch.setattr(pipeline, "_WARM_UP_BYTES", warm_up_bytes)
    packages = pipeline.build_packages(ALL_SPECS)
    assert {p.name: p.files for p in packages} == {spec.stem: generated.packages[spec.stem].files for spec in ALL_SPECS}
