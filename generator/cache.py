"""A cache of generation's costly steps, keyed by content, so that regenerating after an edit redoes only what the edit
changed: model chunks (by the schemas datamodel-code-generator is given), ruff's output (by each file's text),
validation and the parsed document (by the spec's bytes), the rendered templates (by the IR, `value_key`), the
runtime modules a package carries (by those its code imports), what the version diff reads of the IR of each spec
generated (by the text of the `openapi.json` it made: the next run's version diff compares with it), and which spec
was read last at each path, with a YAML one's text and where its entries are (by its path: a starting point only,
compared with the spec read next, which is then read as an edit of it, `loader._read`).

Every key also holds a fingerprint of the generator itself: the source of every module and template under
`generator/`, and the versions of Python and of every tool whose output it keeps (datamodel-code-generator, ruff,
pydantic, PyYAML, openapi-spec-validator, ...). An upgrade or an edit of the generator therefore misses, never reads a
stale entry; nothing is ever looked up by name or date.

- **Where**: `$STREAMSPEC_CACHE_DIR`, else `$XDG_CACHE_HOME/streamspec`, else `~/.cache/streamspec`.
  `STREAMSPEC_CACHE=off` (or `0`, `no`, `false`) turns it off; so does a folder that cannot be created.
- **Bounded**: at most `$STREAMSPEC_CACHE_MB` megabytes (default 512); after a run that added entries beyond it,
  the least recently used go first, down to 90 % of it (room for the next runs). What the folder holds is counted
  by walking it (about 0.06 s for 4,500 entries) when the count it recorded last, plus what runs added since, no
  longer fits, or is an hour old; otherwise the record is added to.
- **Safe**: an entry is written to a temporary file beside it and renamed into place, so concurrent runs (which
  would write the same bytes for the same key) and killed ones never leave a partial entry. Each entry carries a
  digest of its content: one that does not check out (a torn disk, a hand edit) is deleted and counts as a miss,
  never as a crash or a wrong result.
- **Transparent**: a hit gives what the step would compute; `tests/generator/test_cache.py` compares cached and
  uncached output over many random edits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

CACHE_DIR_ENV = "STREAMSPEC_CACHE_DIR"
SWITCH_ENV = "STREAMSPEC_CACHE"
SIZE_ENV = "STREAMSPEC_CACHE_MB"
DEFAULT_MB = 512
_FORMAT = 1
"""The layout of entries; part of every key."""
_TOOLS = (
    "datamodel-code-generator",
    "ruff",
    "pydantic",
    "pydantic-core",
    "PyYAML",
    "openapi-spec-validator",
    "openapi-schema-validator",
    "jsonschema",
    "jsonschema-path",
    "jsonschema-rs",
    "Jinja2",
)
"""Distributions whose behaviour shapes what is cached."""
_STALE_TEMPORARY = 3600.0
"""Seconds after which a temporary file is taken for a crashed writer's and removed when pruning."""
_LOW_WATER = 0.9
"""A cache over its limit is pruned to this share of it, so that the runs after have room before the next walk."""
_USAGE = "usage"
"""The file (in the cache's folder) that records its size in bytes, and when it was last counted."""
_RECOUNT = 3600.0
"""Seconds after which the recorded size is counted again, whatever it says (runs that wrote at once may each have
added to the same record, entries deleted as corrupt are still in it, crashed writers leave temporary files)."""


def cache_root() -> Path | None:
    """The cache's folder, or None when it is turned off."""
    if os.environ.get(SWITCH_ENV, "").strip().lower() in ("off", "0", "no", "false"):
        return None
    explicit = os.environ.get(CACHE_DIR_ENV, "").strip()
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "streamspec"


@cache
def fingerprint() -> str:
    """A digest of the generator's own source and of the versions of the tools it runs."""
    from generator.fingerprint import installed_versions

    digest = hashlib.sha256(f"{_FORMAT}\0{sys.version}\0".encode())
    for name, version in installed_versions(_TOOLS).items():
        digest.update(f"{name}={version}\0".encode())
    root = Path(__file__).parent
    for path in generator_sources():
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def generator_sources() -> list[Path]:
    """The generator's own modules and templates, sorted: what its fingerprint reads (and `generate --watch` looks at
    to tell that the generator changed)."""
    return sorted(p for p in Path(__file__).parent.rglob("*") if p.suffix in (".py", ".jinja") and p.is_file())


FileStats = dict[Path, tuple[int, int, int] | None]
"""What tells that a file changed, by path: its inode, modification time and size (None: unreadable or gone)."""


def file_stats(paths: Iterable[Path]) -> FileStats:
    """`FileStats` of `paths`."""
    found: FileStats = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            found[path] = None
            continue
        found[path] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return found


class LoadedGenerator:
    """The generator a long-lived process loaded (`generate --watch`, the daemon), to tell when the one on disk is
    another: then the process must start again, since the code it runs is the code it loaded."""

    def __init__(self) -> None:
        from generator.fingerprint import installed_versions

        # Looked at before the fingerprint is read: a change in between shows as a change, never the reverse.
        self._stats, self._versions = file_stats(generator_sources()), installed_versions(_TOOLS)
        self.fingerprint = fingerprint()
        """Read (once per process) before the generation's modules load: what they are read from."""

    def changed(self) -> bool:
        """Whether the generator on disk is not the one loaded. Its files' stats and the tools' versions are looked
        at first (a few ms); the fingerprint is read again only when they differ (every file read: up to 80 ms after
        an idle spell, which every run of a watching process or a daemon would pay)."""
        from generator.fingerprint import installed_versions

        stats, versions = file_stats(generator_sources()), installed_versions(_TOOLS)
        if stats == self._stats and versions == self._versions:
            return False
        if fingerprint.__wrapped__() != self.fingerprint:
            return True
        self._stats, self._versions = stats, versions  # written again, or touched, the same
        return False


class Cache:
    """Entries by (kind, key); values are what `marshal` can write (strings, numbers, tuples, lists, dicts)."""

    def __init__(self, root: Path | None, *, limit_mb: float | None = None) -> None:
        self.root = root / f"v{_FORMAT}" if root is not None else None
        self.limit = int((limit_mb if limit_mb is not None else _limit_mb()) * 1024 * 1024)
        self.written = 0
        self.written_bytes = 0
        if self.root is not None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError:  # read-only home, a file in the way: no cache rather than no generation
                self.root = None

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None
        name = hashlib.sha256(f"{fingerprint()}\0{kind}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()
        return self.root / kind / name[:2] / name[2:]

    def get(self, kind: str, key: str) -> Any:
        """The value stored under (kind, key), or None: missing, unreadable or corrupt (then deleted)."""
        payload = self._payload(kind, key)
        if payload is None:
            return None
        try:
            return marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            with contextlib.suppress(OSError):
                self._path(kind, key).unlink()
            return None

    def has(self, kind: str, key: str) -> bool:
        """Whether a sound entry is stored under (kind, key), without decoding it (its digest checks out)."""
        return self._payload(kind, key) is not None

    def _payload(self, kind: str, key: str) -> bytes | None:
        """The bytes of the entry under (kind, key), marked as used for pruning; None when it is missing, unreadable
        or its digest does not check out (then it is deleted)."""
        if self.root is None:
            return None
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if len(data) < 32 or hashlib.sha256(data[32:]).digest() != data[:32]:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data[32:]

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store `value` (not None) under (kind, key), atomically; silently nothing when it cannot be written."""
        if self.root is None or value is None:
            return
        try:
            payload = marshal.dumps(value)
        except (ValueError, RecursionError):  # a value marshal cannot write (a datetime in a document): not cached
            return
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(hashlib.sha256(payload).digest() + payload)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return
        self.written += 1
        self.written_bytes += 32 + len(payload)

    def prune(self) -> None:
        """Keep the cache within its limit: the least recently used entries go first, and crashed writers' leftovers.
        The folder is walked only when its recorded size, with what this cache wrote, does not fit (or is old)."""
        if self.root is None:
            return
        now = time.time()
        recorded = self._usage()
        if recorded is not None:
            size, counted = recorded
            if 0 <= now - counted < _RECOUNT and size + self.written_bytes <= self.limit:
                self._record_usage(size + self.written_bytes, counted)
                self.written_bytes = 0
                return
        entries: list[tuple[float, int, str]] = []
        for folder, _, files in os.walk(self.root):
            for name in files:
                if folder == str(self.root) and name == _USAGE:
                    continue
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                if name.startswith(".tmp-"):
                    if now - info.st_mtime > _STALE_TEMPORARY:
                        with contextlib.suppress(OSError):
                            os.unlink(path)
                    continue
                entries.append((info.st_mtime, info.st_size, path))
        total = sum(size for _, size, _ in entries)
        target = self.limit if total <= self.limit else int(self.limit * _LOW_WATER)
        for _, size, path in sorted(entries):
            if total <= target:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
            total -= size
        self._record_usage(total, now)
        self.written_bytes = 0

    def _usage(self) -> tuple[int, float] | None:
        """(bytes, when counted) as recorded, or None: no record, or one that does not read as one."""
        assert self.root is not None
        try:
            size, counted = (self.root / _USAGE).read_text(encoding="ascii").split()
            return int(size), float(counted)
        except (OSError, ValueError):
            return None

    def _record_usage(self, size: int, counted: float) -> None:
        assert self.root is not None
        with contextlib.suppress(OSError):
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.root)
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(f"{size} {counted!r}\n")
            os.replace(temporary, self.root / _USAGE)


K = TypeVar("K")
V = TypeVar("V")


class Recent(dict[K, V]):
    """What a long-lived process (`generate --watch`, the daemon) made last, by key, kept in memory for its next run:
    beyond `kept` entries, the least recently set go."""

    def __init__(self, kept: int) -> None:
        super().__init__()
        self.kept = kept

    def __setitem__(self, key: K, value: V) -> None:
        self.pop(key, None)
        super().__setitem__(key, value)
        while len(self) > self.kept:
            del self[next(iter(self))]


def _limit_mb() -> float:
    try:
        return max(float(os.environ.get(SIZE_ENV, DEFAULT_MB)), 0.0)
    except ValueError:
        return float(DEFAULT_MB)


def open_cache() -> Cache:
    """The cache as the environment configures it (see the module's docstring)."""
    return Cache(cache_root())


def text_files(value: Any) -> dict[str, str] | None:
    """A cached value as files by name (text by text), or None for anything of another shape."""
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    return None


def content_key(*parts: str | bytes) -> str:
    """A digest of several strings or byte strings, each delimited."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def value_key(value: object) -> str:
    """A digest of a value made of dataclasses, tuples, lists, dicts, sets, strings, numbers and None (the IR), equal
    for equal values in every process. pickle's is not: a set pickles in its iteration order, which follows string
    hashing, seeded anew in each process; and pickle shares what is shared in memory, not what is equal."""
    digest = hashlib.sha256()
    _feed(digest, value)
    return digest.hexdigest()


def _feed(digest: Any, value: object) -> None:
    if value is None or isinstance(value, bool | int | float):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        digest.update(b"s%d:" % len(data) + data)
    elif isinstance(value, bytes):
        digest.update(b"b%d:" % len(value) + value)
    elif isinstance(value, tuple | list):
        digest.update(b"%s%d:" % (b"(" if isinstance(value, tuple) else b"[", len(value)))
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        digest.update(b"{%d:" % len(value))
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    elif isinstance(value, set | frozenset):
        digest.update(b"<%d:" % len(value) + b"".join(sorted(bytes.fromhex(value_key(item)) for item in value)))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(f"@{type(value).__module__}.{type(value).__qualname__}:".encode())
        for item in dataclasses.fields(value):
            _feed(digest, getattr(value, item.name))
    else:
        raise TypeError(f"value_key: no canonical form for {type(value).__name__}")
