"""Shared fixtures of the generator tests: each spec is generated once per session and imported from a temp folder."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from generator.pipeline import Package, build_package
from generator.writer import read_package, write_packages

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
GENERALITY = FIXTURES / "generality.yaml"
VENDOR_SPECS = sorted((REPO / "specs").glob("*.yaml"))
ALL_SPECS = [*VENDOR_SPECS, GENERALITY]

# The smallest spec the generator accepts: fast to generate, for the writer and CLI tests.
TINY_SPEC = """\
openapi: 3.1.0
info: {title: Tiny, version: "1"}
servers:
  - {url: https://tiny.example.test, x-region: here}
paths:
  /things/{id}:
    get:
      operationId: ShowThing
      summary: Show a thing.
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
        "404":
          description: missing
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
components:
  schemas:
    Error:
      type: object
      required: [code, message]
      properties:
        code: {type: string}
        message: {type: string}
"""


def write_spec(folder: Path, name: str, text: str) -> Path:
    """`text` saved as `folder/<name>` (the stem names the package)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones and caches included), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@contextmanager
def imported(root: Path, name: str) -> Iterator[ModuleType]:
    """Import the generated package `root/name` by its own name; forget it (and `root`) afterwards."""
    sys.path.insert(0, str(root))
    try:
        package = importlib.import_module(name)
        for sub in ("models", "client", "server"):
            importlib.import_module(f"{name}.{sub}")
        yield package
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


@dataclass(frozen=True)
class Generated:
    """Every spec generated once into one output folder."""

    root: Path
    packages: dict[str, Package]

    def files_on_disk(self, name: str) -> dict[str, bytes]:
        return read_package(self.root / name)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    packages = {spec.stem: build_package(spec) for spec in ALL_SPECS}
    root = tmp_path_factory.mktemp("generated")
    write_packages(root, [(p.name, p.files, "") for p in packages.values()])
    return Generated(root, packages)


IMPORT_PREFIX = "streamspec_under_test_"


@pytest.fixture(scope="session")
def modules(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """Every generated package, imported (`modules["generality"].client`, `.server`, `.models`).

    Each is imported from a copy named `streamspec_under_test_<name>` (generated code imports itself only
    relatively), so it never collides with the committed `generated/<name>` that other tests import by name.
    """
    root = tmp_path_factory.mktemp("imports")
    write_packages(root, [(IMPORT_PREFIX + name, p.files, "") for name, p in generated.packages.items()])
    with ExitStack() as stack:
        yield {name: stack.enter_context(imported(root, IMPORT_PREFIX + name)) for name in generated.packages}
