# Vendored by streamspec (runtime module lazy); do not edit.
"""A package whose names live in its submodules, each imported the first time one of its names is used (PEP 562).

The generated `models` package is one: importing a large API builds none of its models, and using one builds the
models of its module and of the modules it names. A name once loaded is an ordinary attribute of the package.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, modules: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of `package`, whose `modules` (submodule name -> the names it defines,
    separated by spaces: a large API's table stays small) are imported on first use."""
    where = {name: module for module, names in modules.items() for name in names.split()}
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
