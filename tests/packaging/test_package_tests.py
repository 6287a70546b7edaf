"""`generate --with-tests` (issue 13 point 6): each package carries a test module that calls every operation through
its own client against its own server in process. It passes vendored (the folder copied into a project) and in a
clean venv that has nothing but the installed package (with its `[server]` extra) and pytest.

pip reaches the package index as configured on the machine (as tests/packaging/test_install.py does).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import GENERATED, SPECS, VENDOR_PACKAGES


@pytest.fixture(scope="module")
def with_tests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """generated/ copied, then generated again with --with-tests (the copy keeps versions and changelogs)."""
    output = tmp_path_factory.mktemp("with-tests") / "generated"
    shutil.copytree(GENERATED, output)
    specs = [str(SPECS / f"{name}.yaml") for name in VENDOR_PACKAGES]
    assert main(["generate", *specs, "--output", str(output), "--with-tests"]) == 0
    return output


def test_tests_are_opt_in_and_checked(with_tests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = [str(SPECS / f"{name}.yaml") for name in VENDOR_PACKAGES]
    for name in VENDOR_PACKAGES:
        assert sorted(p.name for p in (with_tests / name / "tests").iterdir()) == [
            f"cases_{name}.json",
            f"test_{name}.py",
        ]
        assert not (GENERATED / name / "tests").exists()  # the committed packages are generated without
        data = json.loads((with_tests / name / "tests" / f"cases_{name}.json").read_text(encoding="utf-8"))
        assert data["cases"] and not data["skipped"]
    assert main(["check", *specs, "--output", str(with_tests), "--with-tests"]) == 0
    assert main(["check", *specs, "--output", str(with_tests)]) == 1  # without the flag the tests are extra files
    capsys.readouterr()
    # generating again with the flag is a no-op; without it, the tests go
    assert main(["generate", *specs, "--output", str(with_tests), "--with-tests"]) == 0
    assert "up to date" in capsys.readouterr().out


def _pytest(python: Path, folders: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(python), "-I", "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, folders)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600)


def test_vendored_tests_pass(with_tests: Path, tmp_path: Path) -> None:
    """A project that copied the package folders runs them with its own interpreter (here: this one)."""
    project = tmp_path / "project" / "vendor"
    for name in VENDOR_PACKAGES:
        shutil.copytree(with_tests / name, project / name)
    done = _pytest(Path(sys.executable), [project / name / "tests" for name in VENDOR_PACKAGES], tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout


def test_generated_tests_pass_in_a_clean_venv(with_tests: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pytest"]
    done = subprocess.run(
        [*install, *(f"{with_tests / name}[server]" for name in VENDOR_PACKAGES)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    where = subprocess.run(
        [str(python), "-I", "-c", "import huaweicloud_live; print(huaweicloud_live.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert str(venv) in where.stdout  # the installed package, not the folder
    done = _pytest(python, [with_tests / name / "tests" for name in VENDOR_PACKAGES], tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    count = sum(
        1
        for name in VENDOR_PACKAGES
        for _ in json.loads((with_tests / name / "tests" / f"cases_{name}.json").read_text(encoding="utf-8"))["cases"]
    )
    assert f"{count + len(VENDOR_PACKAGES)} passed" in done.stdout, done.stdout[-2000:]
