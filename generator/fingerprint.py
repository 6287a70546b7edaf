"""What besides the spec shapes a package: the stamp's fingerprint of the generator (see `generator.writer`).

Kept apart from the pipeline so that a run that finds everything up to date imports nothing heavy."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from generator import __version__

_GENERATION_MODULES = (
    "errors",
    "ir",
    "loader",
    "model_layout",
    "models",
    "packaging",
    "parser",
    "pipeline",
    "render",
    "runtime_files",
    "schemas",
    "served_json",
    "versions",
    "yaml_fast",
)
"""The generator's modules whose code shapes a package's content (the CLI, writer, emulator and others do not)."""
NOT_SHAPING = frozenset({"answers", "cache", "fingerprint", "jobs"})
"""Modules the generation imports whose code leaves what it writes as it is: how it caches and runs, and the types
of the contract hooks that profiles declare."""


@cache
def generator_fingerprint(profile: str, *, with_tests: bool = False) -> str:
    """A digest of everything besides the spec that shapes a package of `profile`: the generator's version and the
    versions of the tools it runs, its generation code, templates and core runtime, the profile registry and that
    profile's own folder (and with `--with-tests`, the test writer). Another profile's folder is not part of it, so
    editing one vendor stales no other's packages.

    Read once per process: the code a process runs is the code it loaded (a daemon whose generator changed on disk
    stops, `generator.daemon`), and a package's stamp names that code."""
    import datamodel_code_generator

    digest = hashlib.sha256(f"{__version__}\0{datamodel_code_generator.get_version()}\0{_ruff_version()}".encode())
    root = Path(__file__).parent
    modules = (*_GENERATION_MODULES, "package_tests") if with_tests else _GENERATION_MODULES
    paths = [root / f"{name}.py" for name in modules]
    for folder in (root / "templates", root / "runtime", root / "profiles" / profile):
        paths += [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".py", ".jinja")]
    paths += [root / "profiles" / "__init__.py", root / "profiles" / "base.py"]
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _ruff_version() -> str:
    from importlib.metadata import version

    return version("ruff")
