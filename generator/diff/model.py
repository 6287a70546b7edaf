"""The records both layers share: a `Change` (what differs), a `Rule` (how bad it is), a `Finding` (the verdict)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from generator.errors import Problem

ERROR: Final = "error"
WARNING: Final = "warning"
INFO: Final = "info"
LEVELS: Final = (ERROR, WARNING, INFO)
"""Most severe first: `error` breaks existing callers or servers, `warning` may break them, `info` does not."""

REQUEST: Final = "request"
RESPONSE: Final = "response"
NONE: Final = "none"
"""Directions: whose data a rule is about (what callers send, what they receive, or neither: paths, servers)."""


def level_rank(level: str) -> int:
    """0 for `error`, 1 for `warning`, 2 for `info`: sorting and `--fail-on` compare ranks."""
    return LEVELS.index(level)


def shown(value: Any) -> str:
    """A value as it reads in a message: compact JSON (`"a"`, `5`, `["x", "y"]`, `null`)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True)
class Change:
    """One difference between the two documents, before anyone judges it.

    `kind` is the structural vocabulary rules dispatch on (`operation-removed`, `max-length-decreased`, ...); `root`
    says where it happened (`operation`, `parameter`, `request-body`, `response-body`, `webhook`, `security`,
    `server`, `python`...); `base`/`revision` are JSON pointers into each document, None where the thing does not
    exist on that side. `nested` marks a schema change below the root schema (a property rather than the body).
    """

    kind: str
    root: str
    operation: str
    base: str | None
    revision: str | None
    subject: str
    before: Any = field(default=None, hash=False)
    after: Any = field(default=None, hash=False)
    nested: bool = False
    flags: frozenset[str] = frozenset()

    @property
    def was(self) -> str:
        return shown(self.before)

    @property
    def now(self) -> str:
        return shown(self.after)


@dataclass(frozen=True, order=True)
class Finding(Problem):
    """A `Problem` with both sides' locations and the operation it concerns.

    `file`/`pointer`/`line` (the `Problem` fields) name the revision when the thing exists there, else the base, so
    a finding prints and sorts like any other problem. Rules leave files and lines empty: `engine.locate` fills them.
    """

    operation: str = ""
    base_pointer: str | None = None
    revision_pointer: str | None = None
    base_line: int | None = None
    revision_line: int | None = None


def _always(_: Change) -> bool:
    return True


def flagged(*present: str, absent: tuple[str, ...] = ()) -> Callable[[Change], bool]:
    """A rule condition on a change's flags: all of `present` and none of `absent`."""
    need, avoid = frozenset(present), frozenset(absent)
    return lambda change: need <= change.flags and not avoid & change.flags


def rooted(root: str) -> Callable[[Change], bool]:
    """A rule condition for change kinds shared by several roots (`media-type-added` of a request or a response)."""
    return lambda change: change.root == root


@dataclass(frozen=True)
class Rule:
    """One judgement with a stable id: which change `kind` it reads, when it applies, and what it says."""

    id: str
    level: str
    direction: str
    area: str
    description: str
    kind: str
    template: str
    """The finding's one sentence, formatted with the change as `c` (`{c.subject}`, `{c.was}`, `{c.now}`)."""
    applies: Callable[[Change], bool] = _always

    def check(self, change: Change) -> Iterator[Finding]:
        """The finding for `change` when this rule judges it (pure: no files, no lines)."""
        if change.kind == self.kind and self.applies(change):
            yield Finding(
                file="",
                pointer=change.revision if change.revision is not None else change.base or "",
                code=self.id,
                message=self.template.format(c=change),
                level=self.level,
                operation=change.operation,
                base_pointer=change.base,
                revision_pointer=change.revision,
            )
