"""Generated Python as ruff's import fixes would leave it, where that is certain: import blocks in isort's order
(`import_block`, which the models' modules are written with too), and the templates' files tidied (`tidy_python`:
unused imported names gone, the relative imports merged and ordered, `__all__` sorted).

ruff formats and lint-fixes every generated file (`pipeline._ruff`); a file its fixes change is linted again, and
every file was: the profiles' imports come in their own order, whether a client needs `IO`, `Literal` or
`media_encoding` depends on its operations, and the models' imports were left for ruff to sort. Written so, ruff
finds nothing to fix and lints each file once: Stripe's client, server and `__init__` 0.35 -> 0.23 s of ruff (which
a Stripe operation edit waits for), its models 0.38 -> 0.28 s (the end of a cold run). What is not certain here (a
comment in the imports, an alias, a shape of `__all__` other than a list of names) is left as it is, for ruff to
fix: the output is ruff's either way.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LINE_LENGTH", "FromImport", "import_block", "isort_names", "tidy_python"]

LINE_LENGTH = 120
"""ruff's line length for generated code (`pipeline._SETTINGS`)."""


def tidy_python(text: str) -> str:
    """`text` with its module-level imports and `__all__` as ruff's I001, F401 and RUF022 fixes leave them (see the
    module's docstring); unchanged where that is not certain. The head (up to `__all__`) is read, the rest searched
    for the names imported: a client of megabytes is neither split nor scanned whole."""
    at = 0 if text.startswith(_ALL) else text.find("\n" + _ALL) + 1  # where the line of `__all__` begins
    if not at and not text.startswith(_ALL):
        return text
    head = _tidied_imports(text[:at], text, at)
    end, listed = _sorted_all(text, at)
    if head == text[:at] and listed == text[at:end]:
        return text
    return head + listed + text[end:]


_ALL = "__all__ = ["


@dataclass
class FromImport:
    """A `from ... import` statement's parts, as isort merges and orders them (no aliases)."""

    level: int
    module: str
    names: list[str]
    expanded: bool = False
    """Written over several lines with a trailing comma (a "magic trailing comma": isort keeps it so)."""

    def render(self, indent: str = "") -> str:
        head = f"{indent}from {'.' * self.level}{self.module} import "
        line = head + ", ".join(self.names)
        if not self.expanded and len(line) <= LINE_LENGTH:
            return line
        return head + "(\n" + "".join(f"{indent}    {name},\n" for name in self.names) + f"{indent})"


def import_block(straight: Iterable[str], froms: Iterable[FromImport], indent: str = "") -> str:
    """Import statements as isort writes them (ruff's I001 with its defaults): `__future__`, the standard library,
    third parties and relative imports, a blank line between them; in each, `import x` first, then `from` imports
    merged by module; modules and names in isort's order. `straight` holds the modules of `import x` statements."""
    modules: list[set[str]] = [set() for _ in _SECTIONS]
    merged: list[dict[tuple[int, str], FromImport]] = [{} for _ in _SECTIONS]
    for module in straight:
        modules[_section(0, module)].add(module)
    for statement in froms:
        kept = merged[_section(statement.level, statement.module)].setdefault(
            (statement.level, statement.module), FromImport(statement.level, statement.module, [])
        )
        kept.names += [name for name in statement.names if name not in kept.names]
        kept.expanded = kept.expanded or statement.expanded
    sections = []
    for plain, statements in zip(modules, merged, strict=True):
        written = [f"{indent}import {module}" for module in sorted(plain, key=_module_key)]
        for statement in sorted(statements.values(), key=lambda s: (-s.level, *_module_key(s.module))):
            if statement.names:
                statement.names.sort(key=_member_key)
                written.append(statement.render(indent))
        if written:
            sections.append("\n".join(written))
    return "\n\n".join(sections)


def isort_names(names: Iterable[str]) -> list[str]:
    """Imported names in the order isort lists them in one statement."""
    return sorted(names, key=_member_key)


def _tidied_imports(head: str, text: str, at: int) -> str:
    """`head`, a module's text up to its `__all__`, with its imports tidied; `text[at:]` is the rest of the module."""
    lines = head.split("\n")
    try:
        body = ast.parse(head).body
    except SyntaxError:
        return head
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the module's docstring
    imports = [node for node in body if isinstance(node, ast.Import | ast.ImportFrom)]
    if not imports or len(imports) != len(body):
        return head
    first, last = imports[0].lineno - 1, imports[-1].end_lineno or imports[-1].lineno
    if any("#" in line for line in lines[first:last]):  # a comment ruff keeps where it is
        return head
    after = "\n".join(lines[last:])

    def used(name: str) -> bool:
        return _named(name, after, 0) or _named(name, text, at)

    straight: list[str] = []
    froms: list[FromImport] = []
    for node in imports:
        if any(alias.asname or alias.name == "*" for alias in node.names):
            return head
        if isinstance(node, ast.Import):
            straight += [alias.name for alias in node.names if used(alias.name.split(".")[0])]
            continue
        segment = "\n".join(lines[node.lineno - 1 : node.end_lineno])  # a statement begins its line
        names = [alias.name for alias in node.names if node.module == "__future__" or used(alias.name)]
        froms.append(FromImport(node.level, node.module or "", names, bool(re.search(r",\s*\)\s*$", segment))))
    return "\n".join([*lines[:first], import_block(straight, froms), *lines[last:]])


_SECTIONS = ("future", "standard library", "third party", "relative")
"""isort's sections, in order, as generated code has them: whatever is not the standard library is a third party
(a package imports its own modules relatively)."""


def _section(level: int, module: str) -> int:
    if level:
        return 3
    top = module.split(".")[0]
    return 0 if top == "__future__" else 1 if top in sys.stdlib_module_names else 2


def _module_key(module: str) -> tuple[list[tuple[int, int | str]], str]:
    return _natural(module.lower()), module


def _named(name: str, text: str, start: int) -> bool:
    """Whether `name` occurs in `text` from `start` as a whole word (in code, a string or a comment alike: kept where
    in doubt). `str.find` skips the megabytes between its occurrences at C's pace; a regular expression with word
    boundaries takes ten times as long on a client of Stripe's size."""
    at = text.find(name, start)
    while at >= 0:
        end = at + len(name)
        if not (at > start and _word(text[at - 1])) and not (end < len(text) and _word(text[end])):
            return True
        at = text.find(name, end)
    return False


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _member_key(name: str) -> tuple[int, list[tuple[int, int | str]], str]:
    """isort's order of imported names (ruff's `order-by-type`): by `_kind`, then by name, ignoring case, numbers by
    value."""
    return _kind(name), _natural(name.lower()), name


def _all_key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
    """ruff's order of `__all__` (RUF022, "isort-style"): by `_kind`, then by name, case and all, numbers by value."""
    return _kind(name), _natural(name)


def _kind(name: str) -> int:
    """Both orders' first key: constants (two or more characters, upper case), then classes, then the rest."""
    return 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2


def _natural(text: str) -> list[tuple[int, int | str]]:
    """A key comparing runs of digits by value (natural order); in names, a digit comes before any other character."""
    return [(0, int(run)) if run.isdigit() else (1, run) for run in re.split(r"(\d+)", text) if run]


def _sorted_all(text: str, at: int) -> tuple[int, str]:
    """Where the `__all__` beginning at `at` ends, and its text with its names sorted, in the layout it has."""
    newline = text.find("\n", at)
    first_line = text[at:] if newline < 0 else text[at:newline]
    end = at + len(first_line) if first_line.endswith("]") else text.find("\n]", at) + 2
    if end < at + 2:
        return at, ""
    kept = end, text[at:end]
    try:
        (statement,) = ast.parse(kept[1]).body
    except (SyntaxError, ValueError):
        return kept
    if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.List)):
        return kept
    values = [item.value for item in statement.value.elts if isinstance(item, ast.Constant)]
    names = [value for value in values if isinstance(value, str) and value.isidentifier()]
    if len(names) != len(statement.value.elts):
        return kept
    quoted = [f'"{name}"' for name in sorted(names, key=_all_key)]
    if end == at + len(first_line):
        return end, f"{_ALL}{', '.join(quoted)}]"
    return end, _ALL + "\n" + "".join(f"    {name},\n" for name in quoted) + "]"
