"""The runtime a package carries: exactly the modules its generated files import, and what those import in turn.

Core modules (`generator/runtime/`) land in `_runtime/`, a profile's (`generator/profiles/<name>/runtime/`) in
`_runtime/<name>/`. In this repository a profile module imports the core absolutely (`from generator.runtime.client
import ...`), so that it runs and is tested in place; vendored, those imports become relative (`from ..client import
...`) and the folder stays self-contained. Which modules go in is read from the import statements themselves, so a
package never carries a module nothing imports (another vendor's signing, say) and never misses one that is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from generator.cache import Cache, content_key, text_files
from generator.ir import Api
from generator.profiles.base import Profile

RUNTIME = Path(__file__).parent / "runtime"
_CORE_IMPORT = re.compile(r"^(\s*from )generator\.runtime\.(\w+)( import)", re.M)
_PACKAGE_RUNTIME = "_runtime"


def runtime_files(
    profile: Profile, api: Api, imports: Iterable[tuple[int, str]], store: Cache | None = None
) -> dict[str, str]:
    """`_runtime/...` files by package path: the modules the generated code imports (`imports`: the (level, module)
    of each of its relative import statements, as ruff reports them), and their imports.

    They follow from the modules wanted alone (the runtime is the generator's code, in every key of `store`), so
    `store` keeps them by those: reading the import graph parses every runtime module."""
    wanted = {module for level, name in imports if level == 1 and (module := _runtime_module(name))}
    wanted |= {f"{profile.name}/{module}" for module in profile.runtime_modules(api)}
    key = content_key(profile.name, *sorted(wanted))
    cached = text_files(store.get("runtime", key)) if store is not None else None
    if cached is not None:
        return cached
    files = _files(profile, wanted)
    if store is not None:
        store.put("runtime", key, files)
    return files


def _files(profile: Profile, wanted: set[str]) -> dict[str, str]:
    pending, seen = list(wanted), set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        pending += _dependencies(profile, module)
    files = {f"{_PACKAGE_RUNTIME}/__init__.py": _vendored("__init__", (RUNTIME / "__init__.py").read_text("utf-8"))}
    for module in sorted(seen):
        owner, _, name = module.rpartition("/")
        if owner:
            source = _profile_source(profile, name)
            files[f"{_PACKAGE_RUNTIME}/{owner}/__init__.py"] = _vendored(
                f"{owner}/__init__", (_profile_dir(profile) / "__init__.py").read_text("utf-8")
            )
            files[f"{_PACKAGE_RUNTIME}/{module}.py"] = _vendored(module, _relative(source, module))
        else:
            files[f"{_PACKAGE_RUNTIME}/{module}.py"] = _vendored(module, (RUNTIME / f"{name}.py").read_text("utf-8"))
    return files


def _runtime_module(name: str) -> str | None:
    """`_runtime.huawei.auth` -> `huawei/auth`; None for a module outside the runtime, or the runtime package."""
    parts = name.split(".")
    return "/".join(parts[1:]) if parts[0] == _PACKAGE_RUNTIME and len(parts) > 1 else None


def _profile_dir(profile: Profile) -> Path:
    if profile.runtime is None:
        raise ValueError(f"the {profile.name} profile has no runtime modules")
    return profile.runtime


def _profile_source(profile: Profile, name: str) -> str:
    return (_profile_dir(profile) / f"{name}.py").read_text("utf-8")


def _vendored(module: str, source: str) -> str:
    return f"# Vendored by streamspec (runtime module {module}); do not edit.\n{source}"


def _relative(source: str, module: str) -> str:
    """A profile module's source with its absolute imports of the core made relative to `_runtime/<profile>/`.

    In the repository the core's imports and the module's own relative ones are two import blocks; vendored, all are
    relative and isort wants one block, so the blank lines between them go."""
    rewritten = _CORE_IMPORT.sub(r"\1..\2\3", source)
    tree = ast.parse(rewritten)
    imports = [node for node in tree.body if isinstance(node, ast.ImportFrom)]
    if any(node.level == 0 and (node.module or "").startswith("generator") for node in imports):
        raise ValueError(f"runtime module {module} imports the generator other than `from generator.runtime.X import`")
    parents = [node for node in imports if node.level == 2]
    own = [node for node in imports if node.level == 1]
    if parents and own and own[0].lineno > parents[-1].lineno:
        lines = rewritten.split("\n")
        between = lines[parents[-1].end_lineno or parents[-1].lineno : own[0].lineno - 1]
        if not any(line.strip() for line in between):
            del lines[parents[-1].end_lineno or parents[-1].lineno : own[0].lineno - 1]
            rewritten = "\n".join(lines)
    return rewritten


def _dependencies(profile: Profile, module: str) -> list[str]:
    """The runtime modules `module` imports (type-checking imports included: vendored code must type-check)."""
    owner, _, name = module.rpartition("/")
    if not owner:
        return list(_imported((RUNTIME / f"{name}.py").read_text("utf-8"), level=1, package=None))
    source = _profile_source(profile, name)
    core = _imported(source, level=0, package="generator.runtime")
    own = [f"{owner}/{m}" for m in _imported(source, level=1, package=None)]
    return [*core, *own]


@cache
def _imported(source: str, *, level: int, package: str | None) -> tuple[str, ...]:
    """Modules imported from `package` (relative at `level`, or absolute when `level` is 0) in `source`, as
    `module` or `<profile>/module` paths."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a template bug: ruff reports it later, located (render.ruff)
        return ()
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level != level or node.module is None:
            continue
        parts = node.module.split(".")
        if package is not None:
            prefix = package.split(".")
            if parts[: len(prefix)] != prefix or len(parts) == len(prefix):
                continue
            parts = parts[len(prefix) :]
        found.append("/".join(parts))
    return tuple(dict.fromkeys(found))
