"""What a package's stamp and the cache's keys name besides the spec (`generator.fingerprint`): the installed
versions of the tools, read from the metadata folders' names, agree with `importlib.metadata` and follow an upgrade;
where a folder's name does not say the version, `importlib.metadata` is asked."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from generator import fingerprint as fingerprint_module
from generator.cache import _TOOLS, fingerprint
from generator.fingerprint import generator_fingerprint, installed_versions


def test_the_versions_are_those_importlib_metadata_gives() -> None:
    names = (*_TOOLS, "Not-Installed.dist")
    expected = {}
    for name in names:
        try:
            expected[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            expected[name] = "-"
    assert installed_versions(names) == expected
    assert list(installed_versions(reversed(names))) == list(reversed(names))  # in the order asked


def _installed(folder: Path, *names: str) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).mkdir()


def test_the_first_folder_on_the_path_names_the_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(tmp_path / "first", "Data_Model.Tool-2.0.1.dist-info", "other-1.0.dist-info")
    _installed(tmp_path / "second", "data_model_tool-1.0.dist-info", "later-3.0.dist-info")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(tmp_path / "first"), str(tmp_path / "second")])
    monkeypatch.setattr(fingerprint_module, "_metadata_version", lambda name: f"asked:{name}")
    assert installed_versions(("data-model-tool", "later", "absent")) == {
        "data-model-tool": "2.0.1",
        "later": "3.0",
        "absent": "asked:absent",
    }


@pytest.mark.parametrize(
    "folders",
    [
        ("tool.egg-info",),  # a development install: no version in the name
        ("tool-1.0-py3.11.egg-info",),
        ("tool-1.0.dist-info", "tool-2.0.dist-info"),  # a broken upgrade left both
    ],
)
def test_a_name_that_does_not_say_the_version_is_asked_of_importlib_metadata(
    folders: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed(tmp_path / "first", *folders)
    _installed(tmp_path / "second", "tool-9.9.dist-info")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "first"), str(tmp_path / "second")])
    monkeypatch.setattr(fingerprint_module, "_metadata_version", lambda name: f"asked:{name}")
    assert installed_versions(("tool",)) == {"tool": "asked:tool"}


def test_another_version_of_a_tool_changes_both_fingerprints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (fingerprint.__wrapped__(), generator_fingerprint.__wrapped__("plain"))
    _installed(tmp_path, "datamodel_code_generator-0.0.1.dist-info")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    after = (fingerprint.__wrapped__(), generator_fingerprint.__wrapped__("plain"))
    assert after[0] != before[0] and after[1] != before[1]
