"""OLD and NEW: a spec file, or `REV:PATH` read with `git show REV:PATH` in the current directory's repository.

As in git, PATH is relative to the repository's root (`HEAD:specs/x.yaml`) unless it starts with `./`. A path that
exists as a file is always read as a file, so a file name containing a colon still works.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from generator.errors import GenerationError, Problem
from generator.loader import LoadedSpec, load_spec


def read_spec(source: str) -> LoadedSpec:
    """The parsed spec `source` names (unvalidated: a diff must work on whatever the two versions say)."""
    path = Path(source)
    spec = load_spec(path, validate=False) if path.is_file() or ":" not in source else _from_git(source)
    version = str(spec.document.get("openapi", ""))
    if not version.startswith(("3.0.", "3.1.")):
        raise GenerationError(
            [spec.problem("/openapi", "spec.version", f"expected OpenAPI 3.0.x or 3.1.x, found {version!r}")]
        )
    return spec


def _from_git(source: str) -> LoadedSpec:
    """`git show REV:PATH`, parsed as the file would be; problems name `REV:PATH`."""
    revision, _, inner = source.partition(":")
    try:
        shown = subprocess.run(["git", "show", source], capture_output=True, check=False)
    except OSError as exc:
        raise GenerationError([Problem(source, "", "diff.git", f"cannot run git: {exc.strerror}")]) from exc
    if shown.returncode != 0:
        reason = (shown.stderr.decode(errors="replace").strip().splitlines() or ["git show failed"])[-1]
        reason = reason.removeprefix("fatal: ")
        raise GenerationError([Problem(source, "", "diff.git", f"cannot read {inner!r} at {revision!r}: {reason}")])
    with tempfile.TemporaryDirectory(prefix="streamspec-diff-") as folder:
        copy = Path(folder) / (PurePosixPath(inner).name or "spec.yaml")
        copy.write_bytes(shown.stdout)
        try:
            spec = load_spec(copy, validate=False)
        except GenerationError as exc:
            raise GenerationError([replace(p, file=source) for p in exc.problems]) from exc
    return replace(spec, path=Path(source))
