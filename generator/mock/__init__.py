"""A validating mock for any spec: the spec's own generated server, answered by handlers made from the spec.

    python -m generator mock SPEC [--port N] [--seed N] [--stateful]

Requests go through the generated server exactly as a real backend's would (routing, parameter, body and
credential checks, the documented error envelope); the handlers (`MockHandlers`, usable with any generated
server's `create_app`) answer with the documented success response: the spec's examples first, then a body
generated from the response schema (`generator.instances`), deterministic under the seed, with the documented
status and headers. Every response the mock sends is checked by `generator.conformance`; what does not conform is
logged and kept on the app (`MockApp.nonconforming`).

`--stateful` remembers what was created where the spec's links say so: a response with links makes the resource
its link parameters name; reading it again answers what was created, and after a DELETE of it the mock answers 404.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.mock.app import MockApp, MockOptions, mock_app
    from generator.mock.auth import MOCK_CREDENTIALS, MockCredentials
    from generator.mock.handlers import MockHandlers
    from generator.mock.package import MockPackage, load_package

_HOMES = {
    "MOCK_CREDENTIALS": "auth",
    "MockApp": "app",
    "MockCredentials": "auth",
    "MockHandlers": "handlers",
    "MockOptions": "app",
    "MockPackage": "package",
    "load_package": "package",
    "mock_app": "app",
}
"""Where each public name lives: imported on first use, so that the CLI (which registers `mock` beside every other
verb) does not import the mock's server, instance generation and conformance checks on every run."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "MOCK_CREDENTIALS",
    "MockApp",
    "MockCredentials",
    "MockHandlers",
    "MockOptions",
    "MockPackage",
    "load_package",
    "mock_app",
]
