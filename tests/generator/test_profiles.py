"""Vendor profiles (generator/profiles): how a spec selects one, and that a package carries its own profile's
runtime and nothing of another's."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import generator.profiles as registry
from generator.loader import load_spec
from generator.pipeline import build_package
from generator.profiles import PROFILES, resolve
from tests.generator.conftest import GENERALITY, VENDOR_SPECS, Generated, write_spec

SPEC = """\
openapi: 3.1.0
info: {{title: T, version: "1"{info}}}
paths:
  /a:
    get:
      operationId: A
      responses: {{"200": {{description: ok}}}}
components:
  securitySchemes:
{schemes}
"""
HUAWEI = "    H: {type: apiKey, in: header, name: Authorization, x-signing: huawei-sdk-hmac-sha256}"
VOLC = "    V: {type: apiKey, in: header, name: Authorization, x-signing: volcengine-hmac-sha256-v4}"
KEY = "    K: {type: apiKey, in: header, name: X-Key}"


def selected(tmp_path: Path, schemes: str, info: str = "") -> tuple[str, list[str]]:
    spec = load_spec(write_spec(tmp_path, "t.yaml", SPEC.format(info=info, schemes=schemes)), validate=False)
    profile, problems = resolve(spec)
    return profile.name, [p.code for p in problems]


@pytest.mark.parametrize(
    ("schemes", "info", "expected"),
    [
        (KEY, "", ("plain", [])),
        (HUAWEI, "", ("huawei", [])),
        (VOLC + "\n" + KEY, "", ("volcengine", [])),
        (KEY, ", x-profile: huawei", ("huawei", [])),
        (KEY, ", x-profile: soap", ("plain", ["profile.unknown"])),
        (HUAWEI + "\n" + VOLC, "", ("plain", ["profile.ambiguous"])),
        (HUAWEI, ", x-profile: volcengine", ("volcengine", ["profile.ambiguous"])),
        ("    M: {type: apiKey, in: header, name: X, x-signing: magic}", "", ("plain", ["profile.unknown-signing"])),
    ],
    ids=["standard", "inferred", "inferred-beside-standard", "explicit", "unknown", "mixed", "conflict", "magic"],
)
def test_a_spec_selects_its_profile(tmp_path: Path, schemes: str, info: str, expected: tuple[str, list[str]]) -> None:
    assert selected(tmp_path, schemes, info) == expected


def vendored_profiles(files: dict[str, bytes]) -> set[str]:
    return {name.split("/")[1] for name in files if name.startswith("_runtime/") and name.count("/") == 2}


@pytest.mark.parametrize("spec", VENDOR_SPECS, ids=lambda p: p.stem)
def test_a_vendor_package_carries_its_profile_and_no_other(spec: Path, generated: Generated) -> None:
    package = generated.packages[spec.stem]
    own = package.api.profile
    assert vendored_profiles(package.files) == {own}
    others = [name for name in PROFILES if name not in (own, "plain")]
    text = b"".join(package.files.values()).decode("utf-8").lower()
    for other in others:
        assert other not in text, f"{spec.stem} mentions the {other} profile"


def test_a_plain_package_is_vendor_neutral(generated: Generated) -> None:
    package = generated.packages[GENERALITY.stem]
    assert package.api.profile == "plain"
    assert vendored_profiles(package.files) == set()
    text = b"".join(package.files.values()).decode("utf-8")
    assert not re.search(r"huawei|volc|project_id|metastudio", text, re.IGNORECASE)
    assert {"_runtime/signing.py", "_runtime/verify.py", "_runtime/receiver.py"}.isdisjoint(package.files)


def test_a_package_carries_only_the_runtime_it_imports(tmp_path: Path) -> None:
    """No security scheme, no webhooks: no credentials module, no signing, no receiver."""
    text = SPEC.format(info="", schemes="").replace("components:\n  securitySchemes:\n", "")
    spec = write_spec(tmp_path, "bare.yaml", text)
    runtime = sorted(name for name in build_package(spec).files if name.startswith("_runtime/"))
    assert runtime == [
        f"_runtime/{module}.py"
        for module in (
            "__init__",
            "asgi",
            "bodies",
            "calls",
            "client",
            "envelope",
            "json_text",
            "media",
            "model",
            "params",
            "receiving",
            "server",
        )
    ]


def test_a_new_profile_package_is_found_by_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a vendor is one package beside the others: nothing else names it."""
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "__init__.py").write_text(
        "from generator.profiles.plain import PlainProfile\n"
        "PROFILE = PlainProfile(name='acme', description='Acme', signings=frozenset({'acme-hmac'}))\n"
    )
    monkeypatch.setattr(registry, "__path__", [*registry.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "generator.profiles.acme", raising=False)
    found = registry.discover()
    assert list(found)[:1] == ["plain"] and {"huawei", "volcengine", "acme"} <= found.keys()
    monkeypatch.setattr(registry, "PROFILES", found)
    spec = "    A: {type: apiKey, in: header, name: Authorization, x-signing: acme-hmac}"
    assert selected(tmp_path, spec) == ("acme", [])
    (tmp_path / "acme" / "__init__.py").write_text("PROFILE = None\n")
    monkeypatch.delitem(sys.modules, "generator.profiles.acme")
    with pytest.raises(TypeError, match="must define PROFILE"):
        registry.discover()
