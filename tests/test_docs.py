"""The README states what the code does: the emulators' ports, the limits and their defaults, the admin API's
access rule, where the tests' outside data lives; and pyproject.toml builds without deprecation warnings."""

from __future__ import annotations

import tomllib

from generator.emulator import NAMES
from generator.emulator.serve import DEFAULT_PORT, ServerOptions
from generator.runtime.asgi import DEFAULT_LIMITS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
TITLES = dict(zip(NAMES, ("MetaStudio", "Huawei Live", "Volcengine Live"), strict=True))


def test_the_readme_gives_each_emulator_its_port() -> None:
    for offset, name in enumerate(NAMES):
        assert f"{TITLES[name]} :{DEFAULT_PORT + offset}" in README
        assert f"{TITLES[name]} on {DEFAULT_PORT + offset}" in README


def test_the_readme_states_the_limits_as_the_code_sets_them() -> None:
    assert f"{DEFAULT_LIMITS.max_body_size} bytes" in README
    assert f"| {DEFAULT_LIMITS.body_timeout:g} s |" in README
    assert f"| {ServerOptions.header_timeout:g} s from their first byte |" in README
    for flag in ("--max-body-size", "--body-timeout", "--header-timeout", "--log-requests"):
        assert flag in README


def test_the_readme_states_the_admin_apis_access_rule_and_the_outside_data() -> None:
    assert "The admin API's access rule" in README and "Only `GET /_emulator/health` is open" in README
    assert "../shared/seeds/" in README and "they skip" in README


def test_the_licence_is_an_spdx_string() -> None:
    """A TOML table is deprecated by setuptools (a warning on every build until it becomes an error)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(project["project"]["license"], str)
    assert any(r.startswith("setuptools>=77") for r in project["build-system"]["requires"])  # reads SPDX strings
