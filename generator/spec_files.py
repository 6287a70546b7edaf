"""Spec files as the command line meets them before reading any: the package each one names and its bytes, checked.

Apart from the loader so that a run that finds every package up to date (a digest of each spec's bytes against the
one its package was written from) imports no YAML parser (a fifth of such a run).
"""

from __future__ import annotations

import keyword
import re
import stat
from pathlib import Path

from generator.errors import GenerationError, Problem, display_path

MAX_SPEC_BYTES = 64 << 20
"""Larger files are refused before reading: Stripe's spec, among the largest public ones, is 4 MB."""


def package_name(path: Path) -> str:
    """The generated package's name: the file stem as a Python identifier (`stripe-spec3` -> `stripe_spec3`)."""
    name = re.sub(r"\W+", "_", path.stem).strip("_").lower() or "api"
    return f"api_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


def read_spec_bytes(path: Path) -> bytes:
    """The bytes of a spec file; a located GenerationError for anything that is not a readable regular file of a
    reasonable size (a FIFO would block, a folder or a symbolic link loop cannot be read)."""
    shown = display_path(path)
    try:
        info = path.stat()
    except (OSError, RuntimeError) as exc:
        reason = getattr(exc, "strerror", None) or "a symbolic link loop"
        raise GenerationError([Problem(shown, "", "spec.unreadable", f"cannot read the spec: {reason}")]) from exc
    if not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise GenerationError([Problem(shown, "", "spec.unreadable", f"cannot read the spec: it is {what}")])
    if info.st_size > MAX_SPEC_BYTES:
        raise GenerationError(
            [
                Problem(
                    shown, "", "spec.too-large", f"{info.st_size} bytes; specs larger than {MAX_SPEC_BYTES} are refused"
                )
            ]
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise GenerationError([Problem(shown, "", "spec.unreadable", f"cannot read the spec: {exc.strerror}")]) from exc
