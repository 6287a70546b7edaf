"""What besides the spec shapes a package: the stamp's fingerprint of the generator (see `generator.writer`).

Kept apart from the pipeline so that a run that finds everything up to date imports nothing heavy."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable
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
    "spec_files",
    "tidy",
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
    tools = installed_versions(("datamodel-code-generator", "ruff"))
    digest = hashlib.sha256(f"{__version__}\0{tools['datamodel-code-generator']}\0{tools['ruff']}".encode())
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


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution named ("-" for one not installed): the version in the name of its
    first `.dist-info` folder on `sys.path` (the one imported), which changes whenever the distribution is installed
    in another version. Read from folder names because the first stage of every run needs it, and importing
    `importlib.metadata` (or a tool, to ask it) takes longer than such a run's own work (about 40 ms of a 0.13 s run
    that finds everything up to date). A name whose folder does not say it (an `.egg-info` found first, two versions
    in one folder) is asked of `importlib.metadata`."""
    wanted = {_normalized(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listed = os.listdir(entry or ".")
        except OSError:
            continue
        here: dict[str, set[str]] = {}
        for folder in listed:
            match = _DIST_INFO.fullmatch(folder)
            version = match[2] if match else ""  # an `.egg-info` folder's name does not always hold its version
            match = match or _EGG_INFO.fullmatch(folder)
            if match is not None and _normalized(match[1]) in wanted:
                here.setdefault(wanted[_normalized(match[1])], set()).add(version)
        for name, versions in here.items():
            found.setdefault(name, versions.pop() if len(versions) == 1 else "")
        if len(found) == len(wanted):
            break
    return {name: found.get(name) or _metadata_version(name) for name in wanted.values()}


_DIST_INFO = re.compile(r"([^-]+)-([^-]+)\.dist-info")
"""A wheel's installed metadata folder: `{name}-{version}.dist-info`, each with `-` escaped as `_` (PEP 427)."""
_EGG_INFO = re.compile(r"([^-]+?)(?:-.*)?\.egg-info")
"""An older installation's metadata folder: `{name}.egg-info`, `{name}-{version}-py{python}.egg-info`."""


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "-"
