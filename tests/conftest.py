"""Shared fixtures: the repository layout and importing generated packages by name."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"
SPECS = ROOT / "specs"
VENDOR_PACKAGES = ("huaweicloud_live", "huaweicloud_metastudio", "volcengine_live")


_CACHE = tempfile.mkdtemp(prefix="streamspec-test-cache-")


def pytest_configure(config: pytest.Config) -> None:
    """The generator's cache (`generator.cache`) in a folder of this run's own: tests never read or fill the user's,
    and every entry they read was written by this run. No generation daemon (`generator.daemon`) a user started runs
    the tests' `generate`s: the daemon's own tests start theirs."""
    os.environ["STREAMSPEC_CACHE_DIR"] = _CACHE
    os.environ.pop("STREAMSPEC_CACHE", None)
    os.environ["STREAMSPEC_DAEMON"] = "off"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


def mypy_strict_on(usage: Path, source: str) -> subprocess.CompletedProcess[str]:
    """`mypy --strict` on a file `usage` holding `source`, code that uses the vendor packages (`generated/`)."""
    usage.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(usage)],
        cwd=usage.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(GENERATED)},
    )


def import_generated(name: str, folder: Path = GENERATED) -> ModuleType:
    """Import a generated package (and its server module) from `folder` as a top-level package."""
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    package = importlib.import_module(name)
    importlib.import_module(f"{name}.server")
    return package


@pytest.fixture(params=VENDOR_PACKAGES)
def vendor_package(request: pytest.FixtureRequest) -> ModuleType:
    return import_generated(request.param)
