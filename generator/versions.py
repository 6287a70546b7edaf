"""A generated package's version and changelog, derived from the package it replaces.

The version lives in `_version.py` and the history in `CHANGELOG.md` (the *release files*). Both are computed from
the previous package on disk, so that a fresh generation reproduces them and `generated/` stays equal to one:

- no previous package (or one from before versioning): the first release, `INITIAL_VERSION`;
- the new files equal the previous ones (release files aside) and no release is asked for: the release files are
  carried over unchanged, so regenerating from the same spec is a fixed point;
- otherwise a release: `diff` between the spec the previous package was made from (its `openapi.json`) and the new
  one decides the level (`level_of`), the previous version is raised by it, and the entry goes on top of the
  changelog. `--bump` and `--version` (`ReleaseRequest`) override the level or the number.

Entries carry no date or digest: the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from generator.cache import Recent
from generator.errors import GenerationError, Problem

if TYPE_CHECKING:
    from generator.diff.engine import Parse, Report
    from generator.diff.model import Change
    from generator.ir import Api
    from generator.jobs import Submit
    from generator.loader import LoadedSpec

INITIAL_VERSION: Final = "1.0.0"
"""The version of a package's first generation."""
VERSION_FILE: Final = "_version.py"
CHANGELOG: Final = "CHANGELOG.md"
RELEASE_FILES: Final = frozenset({VERSION_FILE, CHANGELOG})
SPEC_FILE: Final = "openapi.json"
LEVELS: Final = ("major", "minor", "patch")

_VERSION = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_VERSION_LINE = re.compile(rb'^__version__ = "([^"\n]*)"$', re.M)
_NOT_ADDITIONS: Final = frozenset({"pattern-added", "all-of-added", "default-value-added"})
"""Change kinds named `*-added` that narrow or alter what exists rather than add to it."""


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version | None:
        """`X.Y.Z` (semantic versioning's core, no leading zeros), or None."""
        found = _VERSION.fullmatch(text.strip())
        return None if found is None else cls(*(int(part) for part in found.groups()))

    def bumped(self, level: str) -> Version:
        if level == "major":
            return Version(self.major + 1, 0, 0)
        if level == "minor":
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class ReleaseRequest:
    """What `generate --bump LEVEL` or `--version X.Y.Z` asks: a release even when nothing changed, at that level
    or number."""

    bump: str | None = None
    version: Version | None = None

    def __bool__(self) -> bool:
        return self.bump is not None or self.version is not None

    def describe(self) -> str:
        return f"--version {self.version}" if self.version is not None else f"--bump {self.bump}"


NO_REQUEST: Final = ReleaseRequest()


@dataclass(frozen=True)
class Previous:
    """The package a generation replaces: its files on disk and, where the stamp knows them, the digests of the files
    the writer put there, so that a hand edit of generated code is not taken for a change that calls for a release."""

    files: Mapping[str, bytes] = field(default_factory=dict)
    written: Mapping[str, str] | None = None

    def same_code(self, files: Mapping[str, bytes]) -> bool:
        """Whether `files` are what the previous package holds (or held when written), release files aside."""
        if self.written is None:
            names = (set(files) | set(self.files)) - RELEASE_FILES
            return all(files.get(name) == self.files.get(name) for name in names)
        names = (set(files) | set(self.written)) - RELEASE_FILES
        return all(_digest(files.get(name)) == self.written.get(name) for name in names)


NO_PREVIOUS: Final = Previous()


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Release:
    """The version a package gets and why."""

    version: str
    previous: str | None
    """The version it replaces; None for a first generation."""
    level: str | None
    """`major`, `minor` or `patch` for a release; None for a first generation or when nothing changed."""
    report: Report | None = None
    """The diff against the previous package's spec (None when the documents are equal or unknown)."""

    @property
    def released(self) -> bool:
        """Whether this generation makes a new version (a first one included)."""
        return self.previous != self.version

    def describe(self) -> str:
        if self.previous is None:
            return f"version {self.version} (first generation)"
        if not self.released:
            return f"version {self.version} (unchanged)"
        return f"version {self.previous} -> {self.version} ({self.level})"


def level_of(report: Report | None) -> str:
    """The release a diff calls for: major for any error-level finding, minor for any warning or addition (an
    operation, parameter, property, enum value, media type, status, error code, server, security scheme or webhook
    added), patch for everything else, including no finding at all (descriptions, examples, the generator)."""
    if report is None:
        return "patch"
    from generator.diff.rules import BY_ID

    if report.count("error"):
        return "major"
    for finding in report.findings:
        kind = BY_ID[finding.code].kind
        if finding.level == "warning" or (kind.endswith("-added") and kind not in _NOT_ADDITIONS):
            return "minor"
    return "patch"


class Comparison:
    """The diff from the spec of the package a generation replaces (its `openapi.json`) to the new spec, worked out
    once, by whoever asks first: `release` when the code changed, or the pipeline ahead of it, while worker
    processes generate the models and this process would wait (the diff needs the two specs only); the documents'
    comparison perhaps by a worker (`work_elsewhere`). `parse` gives what the diff reads of each spec's IR (default:
    `parse_surface`, which parses it)."""

    def __init__(self, replaced: Previous, spec: LoadedSpec, folder: Path, parse: Parse | None = None) -> None:
        self._previous_spec = replaced.files.get(SPEC_FILE) if VERSION_FILE in replaced.files else None
        self._spec, self._folder, self._parse = spec, folder, parse
        self._result: Report | _Unknown | None = None
        self._done = False
        self._structural: Callable[[], list[Change] | None] | None = None

    def ahead(self) -> None:
        """Work out now what can be, while this process would wait for others (the workers, ruff): the diff, or, where
        a worker compares the documents (`work_elsewhere`), the previous spec's document read. An error is raised
        again where the release asks, if it does."""
        if self._previous_spec is None or self._done:
            return  # `release` never asks, the answer takes no work, or it is known
        with contextlib.suppress(Exception):
            if self._structural is None:
                self.result()
            else:
                _previous_document(self._previous_spec, self._folder)

    def work_elsewhere(self, submit: Submit, served: str) -> None:
        """Have a worker process (`submit`) compare the two documents (`structural_changes`: most of the diff's time,
        0.2 s after a constraint edit of Stripe, where 668 operations' responses change), given the new one as the
        package serves it (`served`). What is left here is quick: whether the documents are equal, the Python API's
        changes (from surfaces made already), the rules."""
        if self._previous_spec is not None and not self._done:
            self._structural = submit(structural_changes, self._previous_spec, self._folder, served)

    def result(self) -> Report | _Unknown | None:
        """The diff; None when the documents are equal, `_UNKNOWN` when the previous spec is unreadable."""
        if not self._done:
            found = _compare(self._previous_spec, self._spec, self._folder, self._parse, self._structural)
            self._result, self._done = found, True
        return self._result


def release(
    spec: LoadedSpec,
    api: Api,
    files: Mapping[str, bytes],
    replaced: Previous,
    request: ReleaseRequest = NO_REQUEST,
    *,
    folder: Path,
    comparison: Comparison | None = None,
) -> tuple[Release, dict[str, bytes]]:
    """The release of the package whose files (release files aside) are `files`, replacing the package `replaced`
    (`NO_PREVIOUS` when there is none), and its release files. `folder` names the previous package in problems;
    `comparison` is the diff of `replaced`'s spec with `spec`, perhaps worked out already (default: one that parses
    both specs when asked).
    Raises GenerationError when the previous version is unreadable or `--version` does not raise it."""
    previous = replaced.files
    old_version = previous.get(VERSION_FILE)
    if old_version is None:
        version = request.version or Version.parse(INITIAL_VERSION)
        assert version is not None
        return Release(str(version), None, None), _release_files(api, version, _first_entry(api, version), b"")
    before = _previous_version(old_version, folder)
    same_code = replaced.same_code(files)
    if same_code and not request:
        kept = {name: previous[name] for name in RELEASE_FILES if name in previous}
        if CHANGELOG not in kept:  # deleted by hand: started anew rather than lost for good
            lost = f"## {before}\n\nThe changelog of the versions up to {before} was lost; it starts again here.\n"
            kept[CHANGELOG] = _changelog(api, lost, b"")
        return Release(str(before), str(before), None), kept
    report = (comparison or Comparison(replaced, spec, folder)).result()
    computed = "major" if isinstance(report, _Unknown) else level_of(report)
    level = request.bump or computed
    version = request.version or before.bumped(level)
    if version <= before:
        raise GenerationError(
            [
                Problem(
                    str(folder),
                    "",
                    "version.not-raised",
                    f"--version {version} must be greater than the package's current version {before}",
                )
            ]
        )
    if request.version is not None:
        level = next(name for name in LEVELS if before.bumped(name) <= version)
    entry = _entry(api, version, before, computed, request, report, same_code)
    done = Release(str(version), str(before), level, None if isinstance(report, _Unknown) else report)
    return done, _release_files(api, version, entry, previous.get(CHANGELOG, b""))


class _Unknown:
    """The previous spec could not be read: nothing proves the change compatible."""


_UNKNOWN: Final = _Unknown()


def _compare(
    previous_spec: bytes | None,
    spec: LoadedSpec,
    folder: Path,
    parse: Parse | None,
    structural: Callable[[], list[Change] | None] | None = None,
) -> Report | _Unknown | None:
    """The diff from the previous package's spec to `spec`; None when the documents are equal. `structural` gives
    the documents' `compare`, worked out elsewhere (`structural_changes`)."""
    from generator.diff.engine import diff_specs, parse_surface
    from generator.loader import LoadedSpec

    if previous_spec is None:
        return _UNKNOWN
    document = _previous_document(previous_spec, folder)
    if document is None:
        return _UNKNOWN
    if document == spec.document:
        return None
    previous = LoadedSpec(folder / SPEC_FILE, previous_spec, document)
    found = structural() if structural is not None else None
    # the changelog names no line
    return diff_specs(previous, spec, parse=parse or parse_surface, located=False, structural=found)


def structural_changes(previous_spec: bytes, folder: Path, served: str) -> list[Change] | None:
    """`compare` of the previous package's spec with the new spec given as its package serves it (`served`: the
    document as JSON, which is what the next run reads as its previous spec), or None where either is not a
    document: a worker process's job (`Comparison.work_elsewhere`). The documents are not kept here (a kept worker
    would hold one of each package: the previous spec is another every run)."""
    from generator.diff.compare import compare
    from generator.loader import LoadedSpec

    document, revision = _document(previous_spec), _document(served)
    if document is None or revision is None:
        return None
    # compare reads the documents only
    return compare(LoadedSpec(folder / SPEC_FILE, b"", document), LoadedSpec(folder / SPEC_FILE, b"", revision))


def _previous_document(previous_spec: bytes, folder: Path) -> dict[str, Any] | None:
    """The previous package's spec as a document (None: not one), read once per content in this process: the one
    read last for the package in `folder` is kept."""
    key = hashlib.sha256(previous_spec).digest()
    owner = str(folder.absolute())
    held = _DOCUMENTS.get(owner)
    if held is not None and held[0] == key:
        return held[1]
    found = _document(previous_spec)
    _DOCUMENTS[owner] = (key, found)
    return found


def _document(text: bytes | str) -> dict[str, Any] | None:
    """A JSON text's document, or None where it is not one."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def expect_previous(previous_spec: bytes, folder: Path) -> None:
    """Read the spec of the package just written in `folder` (its `openapi.json`) ahead of the next release's diff,
    which starts from it: `generate --watch` and the daemon call this while they wait. The diff only reads the
    document."""
    _previous_document(previous_spec, folder)


_DOCUMENTS: Recent[str, tuple[bytes, dict[str, Any] | None]] = Recent(16)
"""The previous spec's document of each package, by its folder: the digest of its text, and the document."""


def _previous_version(source: bytes, folder: Path) -> Version:
    found = _VERSION_LINE.search(source)
    version = Version.parse(found.group(1).decode()) if found else None
    if version is None:
        raise GenerationError(
            [
                Problem(
                    str(folder / VERSION_FILE),
                    "",
                    "version.unreadable",
                    'expected a line `__version__ = "X.Y.Z"`: restore the file (or delete the package folder to '
                    f"start again at {INITIAL_VERSION})",
                )
            ]
        )
    return version


def version_of(files: Mapping[str, bytes]) -> str | None:
    """The version a package's files declare, if they declare one."""
    found = _VERSION_LINE.search(files.get(VERSION_FILE, b""))
    return found.group(1).decode() if found else None


def _release_files(api: Api, version: Version, entry: str, changelog: bytes) -> dict[str, bytes]:
    from generator.render import header

    lines = header(api).splitlines()[:2]  # not the `noqa` line: nothing here is long
    module = "\n".join(
        [
            *lines,
            '"""The package\'s version: raised by `generate` from what changed in the spec (see CHANGELOG.md)."""',
            "",
            f'__version__ = "{version}"',
            "",
        ]
    )
    return {VERSION_FILE: module.encode(), CHANGELOG: _changelog(api, entry, changelog)}


def _changelog(api: Api, entry: str, previous: bytes) -> bytes:
    """`entry` on top of the previous changelog's entries (everything from its first `## ` heading on)."""
    text = previous.decode("utf-8", errors="replace")
    start = text.find("\n## ")
    older = text[start + 1 :] if start >= 0 else ""
    intro = (
        f"Every version of this package, newest first, as `python -m generator generate` wrote it from what changed "
        f"in `{api.spec_file}` (`python -m generator diff`): a major version for breaking changes (error level), a "
        "minor one for additions and changes that may break (warning level), a patch for anything else."
    )
    head = f"# Changelog of {api.package}\n\n{_wrap(intro)}\n\n"
    return (head + entry + ("\n" + older if older else "")).encode()


def _first_entry(api: Api, version: Version) -> str:
    count = len(api.operations)
    about = f"First generation, from `{api.spec_file}` ({api.title}, API version {api.version}): {count} operation"
    return f"## {version}\n\n{_wrap(about + ('s' if count != 1 else '') + '.')}\n"


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=_WIDTH, break_long_words=False, break_on_hyphens=False)


_WIDTH: Final = 100


_HEADINGS: Final = (
    ("error", "Breaking changes (error)"),
    ("warning", "Changes that may break (warning)"),
    ("info", "Other changes (info)"),
)


def _entry(
    api: Api,
    version: Version,
    before: Version,
    computed: str,
    request: ReleaseRequest,
    report: Report | _Unknown | None,
    same_code: bool,
) -> str:
    if isinstance(report, _Unknown):
        why = f"The spec of {before} is unknown, so nothing proves the change compatible: a major version."
    elif report is not None and report.findings:
        counts = ", ".join(
            f"{report.count(level)} {level}{'s' if level != 'info' and report.count(level) != 1 else ''}"
            for level, _ in _HEADINGS
        )
        why = f"`python -m generator diff` against the spec of {before} found {counts}: a {computed} version."
    elif report is not None:
        why = "The spec changed without changing the API (descriptions, examples): a patch version."
    elif not same_code:
        why = "The spec is unchanged; the generated code changed (a new version of streamspec): a patch version."
    else:
        why = f"Nothing changed since {before}."
    if request:
        why += f" The version was set by `{request.describe()}`."
    lines = [f"## {version}", "", _wrap(f"From `{api.spec_file}` ({api.title}, API version {api.version}). {why}"), ""]
    if report is not None and not isinstance(report, _Unknown):
        for level, title in _HEADINGS:
            found = [f for f in report.findings if f.level == level]
            if found:
                lines += [f"### {title}", ""]
                lines += [f"- {f'{f.operation}: ' if f.operation else ''}{f.message} (`{f.code}`)" for f in found]
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
