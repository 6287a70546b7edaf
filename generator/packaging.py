"""What makes a generated folder an installable project: its `pyproject.toml`, with the requirements its code
imports.

The folder is the package itself (so that vendoring stays "copy one folder"); hatchling maps it onto the package's
name in the wheel (`sources = {"" = <package>}`) and builds without writing into it, so `pip install generated/<pkg>`
leaves the folder exactly as `generate` wrote it. The version is read from `_version.py` (`generator.versions`).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from generator.errors import GenerationError, Problem
from generator.ir import Api

PYPROJECT: Final = "pyproject.toml"
TESTS_FOLDER: Final = "tests"
"""Where `generate --with-tests` puts a package's own tests (`generator.package_tests`): not the package's code."""
REQUIRES_PYTHON: Final = ">=3.11"
"""`typing.Self`, `datetime.UTC`, `enum.StrEnum` (runtime modules)."""


@dataclass(frozen=True)
class Requirement:
    """The distribution a top-level import comes from, its lowest version the generated code works with, and the
    extra that carries it (None: always required)."""

    distribution: str
    lowest: str
    extra: str | None = None
    why: str = ""

    def specifier(self) -> str:
        return f"{self.distribution}>={self.lowest}"


REQUIREMENTS: Final[Mapping[str, Requirement]] = {
    "pydantic": Requirement(
        "pydantic",
        "2.14.0",
        why="`from pydantic import MISSING`: 2.12 and 2.13 have it only in `pydantic.experimental.missing_sentinel`",
    ),
    "pydantic_core": Requirement("pydantic", "2.14.0", why="pydantic pins its core"),
    "httpx": Requirement("httpx", "0.21.0", why="`build_request(extensions=...)`: 0.20 fails"),
    "typing_extensions": Requirement(
        "typing-extensions", "4.16.0", why="the lowest pydantic 2.14.0 accepts (`TypeAliasType` alone needs 4.6)"
    ),
    "starlette": Requirement("starlette", "0.13.8", "server", why="the lowest release tried; every one since passes"),
    "anyio": Requirement(
        "anyio",
        "3.4.0",
        "server",
        why="`fail_after` bounds a request body's time; the lowest starlette needing anyio asks 3.4",
    ),
}
"""Every third-party module generated code may import, with the lowest version it works with: measured by
installing older releases in a clean venv and calling every operation against the emulator and through the
package's own server (docs/packages.md); `tests/packaging/test_install.py` installs exactly these and keeps them
true."""


def requirements(package: str, imports: Mapping[str, Iterable[str]]) -> tuple[list[str], dict[str, list[str]]]:
    """(dependencies, extras) of the package whose Python files import the third-party modules `imports` (by file,
    `third_party_imports`); raises GenerationError for an import `REQUIREMENTS` does not know (a generator bug: the
    package would not install what it needs)."""
    needed: dict[str, Requirement] = {}
    unknown: set[str] = set()
    for modules in imports.values():
        for module in modules:
            if module in REQUIREMENTS:
                needed[module] = REQUIREMENTS[module]
            else:
                unknown.add(module)
    if unknown:
        raise GenerationError(
            [
                Problem(
                    package,
                    "",
                    "package.unknown-requirement",
                    f"generated code imports {', '.join(sorted(unknown))}, which generator/packaging.py does not "
                    "know the distribution of",
                )
            ]
        )
    base = sorted({r.specifier() for r in needed.values() if r.extra is None})
    extras: dict[str, set[str]] = {}
    for requirement in needed.values():
        if requirement.extra is not None:
            extras.setdefault(requirement.extra, set()).add(requirement.specifier())
    return base, {extra: sorted(found) for extra, found in sorted(extras.items())}


_ABSOLUTE_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+[A-Za-z_][\w.]*(?:[ \t]+import\b|[ \t]*\\)"
    r"|import[ \t]+[A-Za-z_][\w.]*[ \t]*(?:[,;#\\]|as\b|$))",
    re.M,
)
"""A line that may be an absolute import statement: `from a.b import` (or a continuation after `from a.b`), `import
a.b` alone or followed by `,`, `as`, `;`, a comment or a continuation; not a line of prose that starts with "from"
or "import", as descriptions in docstrings do (a large models module was then parsed whole)."""


def _import_statements(source: str) -> ast.Module:
    """The module's statements as far as its absolute imports go: up to the end of the last line that may be one
    (`_ABSOLUTE_IMPORT`), unless the cut falls inside a statement (then all of it). Parsing a large models module
    whole takes seconds, and its lazy front (Stripe's: 0.9 MB of relative imports and names) a tenth of one."""
    ends = [found.end() for found in _ABSOLUTE_IMPORT.finditer(source)]
    if not ends:
        return ast.Module(body=[], type_ignores=[])
    end = source.find("\n", ends[-1])
    if end != -1:
        try:
            return ast.parse(source[: end + 1])
        except SyntaxError:  # the cut fell inside a statement or a string: parse it all
            pass
    return ast.parse(source)


def third_party_imports(source: str) -> tuple[str, ...]:
    """The top-level modules outside the standard library that a module's absolute imports name."""
    return tuple(sorted(set(_third_party(_import_statements(source)))))


def _third_party(tree: ast.Module) -> Iterable[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top != "__future__":
                yield top


def pyproject(api: Api, imports: Mapping[str, Iterable[str]]) -> bytes:
    """The package's `pyproject.toml`, for Python files importing the third-party modules `imports` (by file)."""
    from generator.render import environment, header

    dependencies, extras = requirements(api.package, imports)
    text = (
        environment()
        .get_template("pyproject.toml.jinja")
        .render(
            api=api,
            header="".join(header(api).splitlines(keepends=True)[:2]),
            distribution=api.package.replace("_", "-"),
            requires_python=REQUIRES_PYTHON,
            dependencies=dependencies,
            extras=extras,
        )
    )
    return text.encode()
