"""Problems as values: every failure has a stable code and a location, and several are reported together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a spec, located by file, JSON pointer and (when known) line.

    `level` is last so that sorting and equality of existing problems (all errors) are unchanged; `diff` findings
    and constructs accepted with a warning use `warning` or `info`.
    """

    file: str
    pointer: str
    code: str
    message: str
    line: int | None = None
    level: str = "error"
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.line and self.column:
            where += f":{self.column}"
        label = "" if self.level == "error" else f"{self.level}: "
        return f"{where}: {self.pointer or '/'}: {label}[{self.code}] {self.message}"


class GenerationError(Exception):
    """Raised with every problem found, so that users fix them in one pass rather than one per run (warnings found
    on the way are kept: they are reported with the errors)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def __reduce__(self) -> tuple[type[GenerationError], tuple[list[Problem]]]:
        """Pickle by problems (the message is derived), so that the error crosses from a worker process intact."""
        return (GenerationError, (self.problems,))


def escape_pointer_token(token: str | int) -> str:
    """RFC 6901 escaping of one reference token."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer from raw tokens."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def display_path(path: Path) -> str:
    """A path as users typed it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a symbolic link loop
        return str(path)
