"""Shared fixtures: the repository layout and importing generated packages by name."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"
SPECS = ROOT / "specs"
VENDOR_PACKAGES = ("huaweicloud_live", "huaweicloud_metastudio", "volcengine_live")


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
