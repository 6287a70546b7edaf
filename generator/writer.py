"""Writing `generated/` atomically, remembering what it was made from, and comparing it with a fresh generation.

Packages are written to a staging folder beside the output and swapped in by rename only after every spec has
generated, so a failure anywhere leaves the output byte-identical to before.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

STAMP = ".streamspec-stamp.json"


def inputs_digest(spec_bytes: bytes, fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode() + b"\0" + spec_bytes).hexdigest()


def _digest_files(files: Mapping[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def read_package(folder: Path) -> dict[str, bytes]:
    """The files of a package folder on disk by relative path (caches excluded)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def load_stamp(output: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((output / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_fresh(output: Path, package: str, digest: str) -> bool:
    """Whether `package` on disk was made from these inputs and has not been touched since."""
    entry = load_stamp(output).get(package)
    if not isinstance(entry, dict) or entry.get("inputs") != digest:
        return False
    return entry.get("files") == _digest_files(read_package(output / package))


def write_packages(output: Path, packages: Sequence[tuple[str, Mapping[str, bytes], str]]) -> None:
    """Replace each named package folder under `output` with its files, all or (on error before the swap) none."""
    output.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=output))
    try:
        for name, files, _ in packages:
            for rel, data in files.items():
                target = staging / name / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        stamp = load_stamp(output)
        for name, files, digest in packages:
            stamp[name] = {"inputs": digest, "files": _digest_files(files)}
        (staging / STAMP).write_text(json.dumps(dict(sorted(stamp.items())), indent=2) + "\n", encoding="utf-8")
        for name, _, _ in packages:
            _swap(staging / name, output / name, staging)
        os.replace(staging / STAMP, output / STAMP)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(new: Path, target: Path, staging: Path) -> None:
    """Put `new` in place of `target`; if that fails, put the old folder back before the error propagates."""
    old = staging / (target.name + ".old")
    had_old = target.exists()
    if had_old:
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if had_old:
            os.replace(old, target)
        raise


def diff_package(folder: Path, files: Mapping[str, bytes]) -> list[str]:
    """Relative paths that differ between `folder` on disk and `files`: changed, missing or extra."""
    on_disk = read_package(folder)
    names = sorted(set(on_disk) | set(files))
    return [n for n in names if on_disk.get(n) != files.get(n)]
