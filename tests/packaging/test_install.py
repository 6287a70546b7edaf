"""`pip install generated/<pkg>` in a clean venv, then every operation against the emulator.

Each venv has nothing but pip (and what pip installs for the package): the client runs in the venv's interpreter
(`driver.py`, which imports nothing from this repository), the emulator in this process on a free loopback port.
Three venvs: the packages with the `[server]` extra and the latest releases; the packages alone (no Starlette:
the client works, the server needs the extra); and the packages with exactly the lowest versions their
`pyproject.toml` allows (`generator.packaging.REQUIREMENTS`), so that those bounds stay true.

pip reaches the package index as configured on the machine (build isolation fetches hatchling too).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator.emulator.app import create_emulator
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.emulator.serve import BackgroundServer
from generator.emulator.store import Store
from generator.packaging import REQUIREMENTS
from generator.versions import version_of
from generator.writer import edited_since_written, ownership_problems, read_package
from tests.conftest import GENERATED, VENDOR_PACKAGES
from tests.contract._spec import api

DRIVER = Path(__file__).with_name("driver.py")
_HUAWEI = DEFAULT_CREDENTIALS.huawei[0]
_VOLC = DEFAULT_CREDENTIALS.volcengine[0]
CREDENTIALS = {
    "huaweicloud_live": {"class": "HuaweiCredentials", "args": [_HUAWEI.ak, _HUAWEI.sk, _HUAWEI.project_id]},
    "huaweicloud_metastudio": {"class": "HuaweiCredentials", "args": [_HUAWEI.ak, _HUAWEI.sk, _HUAWEI.project_id]},
    "volcengine_live": {"class": "VolcengineCredentials", "args": [_VOLC.ak, _VOLC.sk]},
}


def _venv(folder: Path, *requirements: str, no_deps: bool = False) -> Path:
    """A clean venv in `folder` with `requirements` installed; its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, capture_output=True)
    python = folder / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    packages = [str(GENERATED / name) for name in VENDOR_PACKAGES]
    steps = [[*install, "--no-deps", *packages], [*install, *requirements]] if no_deps else [[*install, *requirements]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return python


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three venvs, built at once (pip mostly waits on the index)."""
    pins = sorted({f"{r.distribution}=={r.lowest}" for r in REQUIREMENTS.values()})
    plans: dict[str, tuple[list[str], bool]] = {
        "server": ([f"{GENERATED / name}[server]" for name in VENDOR_PACKAGES], False),
        "client": ([str(GENERATED / name) for name in VENDOR_PACKAGES], False),
        "lowest": (pins, True),
    }
    with ThreadPoolExecutor(len(plans)) as pool:
        futures = {
            label: pool.submit(_venv, tmp_path_factory.mktemp(label), *requirements, no_deps=no_deps)
            for label, (requirements, no_deps) in plans.items()
        }
        return {label: future.result() for label, future in futures.items()}


@pytest.fixture(scope="module")
def with_server(venvs: dict[str, Path]) -> Path:
    return venvs["server"]


@pytest.fixture(scope="module")
def client_only(venvs: dict[str, Path]) -> Path:
    return venvs["client"]


@pytest.fixture(scope="module")
def lowest(venvs: dict[str, Path]) -> Path:
    return venvs["lowest"]


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, str]]:
    store = Store()
    with (
        BackgroundServer(create_emulator("huaweicloud_metastudio", store)) as metastudio,
        BackgroundServer(create_emulator("huaweicloud_live", store)) as live,
        BackgroundServer(create_emulator("volcengine_live", store)) as volcengine,
    ):
        yield {
            "huaweicloud_metastudio": metastudio.base_url,
            "huaweicloud_live": live.base_url,
            "volcengine_live": volcengine.base_url,
        }


def _drive(python: Path, name: str, base_url: str, *, server: bool) -> dict[str, Any]:
    config = {"package": name, "base_url": base_url, "credentials": CREDENTIALS[name], "server": server}
    done = subprocess.run(
        [str(python), "-I", str(DRIVER), json.dumps(config)], capture_output=True, text=True, cwd=python.parent
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _check(report: dict[str, Any], name: str, *, server: bool) -> None:
    every = sorted(op.py_name for op in api(name).operations)
    assert report["operations"] == every
    assert report["called"] == every, "driver.py calls every operation"
    assert report["version"] == version_of(read_package(GENERATED / name))
    if server:
        assert report["replayed"] == dict.fromkeys(every, True)
        assert sorted(report["malformed"]) == sorted(op.operation_id for op in api(name).operations if op.body)
        assert all(400 <= status < 500 and has_id for status, has_id in report["malformed"].values())


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_installed_with_the_server_extra_every_operation_works(
    name: str, with_server: Path, emulators: dict[str, str]
) -> None:
    _check(_drive(with_server, name, emulators[name], server=True), name, server=True)


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_installed_alone_the_client_works_and_the_server_needs_the_extra(
    name: str, client_only: Path, emulators: dict[str, str]
) -> None:
    _check(_drive(client_only, name, emulators[name], server=False), name, server=False)
    done = subprocess.run([str(client_only), "-I", "-c", f"import {name}.server"], capture_output=True, text=True)
    assert done.returncode != 0 and "starlette" in done.stderr


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_the_lowest_allowed_versions_work(name: str, lowest: Path, emulators: dict[str, str]) -> None:
    freeze = subprocess.run([str(lowest), "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    for requirement in REQUIREMENTS.values():
        assert f"{requirement.distribution}=={requirement.lowest}".lower() in freeze.lower().replace("_", "-")
    _check(_drive(lowest, name, emulators[name], server=True), name, server=True)


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_installing_leaves_the_folder_as_generated(name: str, with_server: Path) -> None:
    """hatchling builds out of tree: no `build/`, no `*.egg-info` that would make the folder foreign to the writer."""
    assert edited_since_written(GENERATED, name) == []
    assert ownership_problems(GENERATED, [name]) == []


def test_the_installed_metadata_names_version_requirements_and_extra(with_server: Path) -> None:
    code = (
        "import json; from importlib.metadata import metadata; m = metadata('huaweicloud-live');"
        "print(json.dumps({'version': m['Version'], 'python': m['Requires-Python'],"
        " 'requires': m.get_all('Requires-Dist')}))"
    )
    done = subprocess.run([str(with_server), "-I", "-c", code], capture_output=True, text=True, check=True)
    meta = json.loads(done.stdout)
    assert meta["version"] == version_of(read_package(GENERATED / "huaweicloud_live"))
    assert meta["python"] == ">=3.11"
    assert "pydantic>=2.14.0" in meta["requires"]
    assert any(r.startswith("starlette>=0.13.8") and "extra" in r and "server" in r for r in meta["requires"])
