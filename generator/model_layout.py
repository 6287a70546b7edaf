"""Which module of a package's `models` each model lives in, so that models are built on first use.

`models/__init__.py` names every model (for type checkers, and as `__all__`) and imports a model's module the first
time the model is used (`runtime/lazy.py`): importing a package builds no model, and using one builds the models of
its module and of the modules that module imports. Each module holds whole strongly connected groups of models
(models that name one another, directly or not), after every group they name, so modules import one another without
cycles.

The groups are put in dependency order by a depth-first walk from the models in name order (a model's module then
holds mostly what it names), and a module ends after a group whose first name hashes to a cut, about one group in
`MODULE_GROUPS` (content-defined chunking): which module a model lands in depends on its neighbours in that order,
not on the size of the whole spec, so an edit changes few modules.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache

from generator.schemas import snake_name

MODULE_GROUPS = 64
"""Groups of models per module, on average."""
MODULE_LIMIT = 256
"""Models per module at most, unless one group is larger: a run of groups without a cut ends there."""

MODULE_NAME = 48
"""Characters of a model's snake_case name that name its module, at most (file names have limits; some paths of
the spec make names hundreds of characters long)."""

_STRINGS_AND_COMMENTS = re.compile(
    r'"""[\s\S]*?"""' r"|'''[\s\S]*?'''" r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|#[^\n]*"
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


@lru_cache(maxsize=1 << 15)
def names_used(code: str) -> frozenset[str]:
    """The identifiers `code` uses outside strings and comments: the models a definition names, among others.
    (Kept per definition: a long-lived process regenerates mostly the same ones.)"""
    return frozenset(_IDENTIFIER.findall(_STRINGS_AND_COMMENTS.sub(" ", code)))


def modules(order: Sequence[str], uses: Mapping[str, AbstractSet[str]]) -> list[tuple[str, list[str]]]:
    """The modules (name, the models it holds in `order`'s order), each after those it imports from; `uses` gives
    the other models each model names."""
    position = {name: i for i, name in enumerate(order)}
    layout: list[tuple[str, list[str]]] = []
    taken: set[str] = set()
    current: list[str] = []
    groups = _groups(sorted(order), uses)
    for index, group in enumerate(groups):
        current += group
        last = index == len(groups) - 1
        if last or _cut(group[0]) or len(current) + len(groups[index + 1]) > MODULE_LIMIT:
            module = base = f"_{snake_name(group[0])[:MODULE_NAME]}".rstrip("_")
            count = 1
            while module in taken:
                count += 1
                module = f"{base}_{count}"
            taken.add(module)
            layout.append((module, sorted(current, key=position.__getitem__)))
            current = []
    return layout


def _cut(name: str) -> bool:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % MODULE_GROUPS == 0


def _groups(names: Sequence[str], uses: Mapping[str, AbstractSet[str]]) -> list[list[str]]:
    """The strongly connected groups of the models, each sorted, every group after the groups it names (Tarjan's
    algorithm, walked without recursion: a spec's references can be deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    known = set(names)
    edges = {name: sorted((uses.get(name, set()) & known) - {name}) for name in names}
    for root in names:
        if root in index:
            continue
        walk = [(root, 0)]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while walk:
            name, next_edge = walk[-1]
            targets = edges[name]
            if next_edge < len(targets):
                walk[-1] = (name, next_edge + 1)
                target = targets[next_edge]
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    walk.append((target, 0))
                elif target in on_stack:
                    low[name] = min(low[name], index[target])
                continue
            walk.pop()
            if walk:
                parent = walk[-1][0]
                low[parent] = min(low[parent], low[name])
            if low[name] == index[name]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == name:
                        break
                found.append(sorted(group))
    return found
