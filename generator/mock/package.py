"""The generated package a mock serves: generated for the spec (or taken from `generated/` for the built-in specs)
and imported, beside the spec's IR and its document."""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.ir import Api, Operation
from generator.loader import load_spec, resolve_pointer
from generator.spec_files import package_name

__all__ = ["MockPackage", "load_package", "operation_nodes"]


@dataclass(frozen=True)
class MockPackage:
    """A spec's generated server module (imported), its IR and its document."""

    api: Api
    document: Mapping[str, Any]
    server: ModuleType
    """The package's `server` module: `ROUTES`, `ENVELOPE`, `BASE_PATH`, `create_app`."""

    @property
    def runtime(self) -> ModuleType:
        """The package's own `_runtime.server` (its `build_app`, `Reply` and `ServiceError`)."""
        return importlib.import_module(f"{self.api.package}._runtime.server")

    def operation(self, operation_id: str) -> Operation:
        return next(op for op in self.api.operations if op.operation_id == operation_id)


def operation_nodes(document: Mapping[str, Any], api: Api) -> dict[str, Mapping[str, Any]]:
    """Each operation object as written (path-item `$ref`s followed), by operation id."""
    nodes: dict[str, Mapping[str, Any]] = {}
    for op in api.operations:
        item = document["paths"][op.path]
        if isinstance(item, Mapping) and "$ref" in item:
            item = resolve_pointer(document, item["$ref"][1:])
        nodes[op.operation_id] = item[op.method.lower()]
    return nodes


def _import(folder: Path, name: str) -> ModuleType:
    """Package `name` from `folder`, replacing any package of that name imported from elsewhere."""
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(f"{name}.server")
    finally:
        sys.path.remove(str(folder))


@contextmanager
def load_package(spec_path: Path) -> Iterator[MockPackage]:
    """The package of the spec at `spec_path`, generated into a temporary folder and imported for the duration.

    The built-in specs' packages are those in `generated/` (the emulators import them from there too, and one import
    path means one set of model classes); raises GenerationError when the spec does not generate.
    """
    from generator.emulator import GENERATED_DIR, NAMES, load_generated
    from generator.parser import parse_api
    from generator.pipeline import build_packages
    from generator.writer import write_packages

    name = package_name(spec_path)
    if name in NAMES and spec_path.resolve() == (GENERATED_DIR.parent / "specs" / spec_path.name).resolve():
        api, _ = parse_api(load_spec(spec_path))
        yield MockPackage(api, load_spec(spec_path).document, load_generated(f"{name}.server"))
        return
    (package,) = build_packages([spec_path])
    folder = Path(tempfile.mkdtemp(prefix="streamspec-mock-"))
    try:
        write_packages(folder, [(package.name, package.files, "")])
        server = _import(folder, package.name)
        yield MockPackage(package.api, load_spec(spec_path, validate=False).document, server)
    finally:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]
        shutil.rmtree(folder, ignore_errors=True)
