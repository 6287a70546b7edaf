"""`sdk-drift`: each spec against the official SDK pinned in the test extra.

The committed specs have no unexplained difference (a bump of an SDK in the test extra fails here with what the
vendor changed); a copy of a spec with a field renamed, a parameter moved, an operation dropped and so on is
reported with the rule of each difference; known differences recorded in the spec are set aside with their reason,
and one that no longer happens is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.cli import main
from generator.diff.report import SCHEMA
from generator.errors import GenerationError
from generator.loader import load_spec
from generator.sdk_drift import drift
from tests.conftest import SPECS, VENDOR_PACKAGES

pytest.importorskip("huaweicloudsdklive")
pytest.importorskip("huaweicloudsdkmetastudio")
pytest.importorskip("volcengine")


@pytest.mark.parametrize("name", VENDOR_PACKAGES)
def test_no_unexplained_difference_with_the_pinned_sdk(name: str) -> None:
    report = drift(load_spec(SPECS / f"{name}.yaml", validate=False))
    assert [str(f) for f in report.findings] == []
    for _, reason in report.ignored:
        assert len(reason) > 40, "a known difference says why"


def _copy(tmp_path: Path, name: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    document = yaml.safe_load((SPECS / f"{name}.yaml").read_text(encoding="utf-8"))
    edit(document)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _found(path: Path) -> set[tuple[str, str, str]]:
    return {(f.code, f.operation, f.message) for f in drift(load_spec(path, validate=False)).findings}


def _rename(schema: dict[str, Any], old: str, new: str) -> None:
    schema["properties"] = {new if k == old else k: v for k, v in schema["properties"].items()}
    schema["required"] = [new if k == old else k for k in schema.get("required", [])]


def test_a_field_renamed_in_a_copy_is_reported(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        _rename(document["components"]["schemas"]["RecordCallbackConfigRequest"], "publish_domain", "domain")

    found = _found(_copy(tmp_path, "huaweicloud_live", edit))
    for operation in ("CreateRecordCallbackConfig", "UpdateRecordCallbackConfig"):
        assert ("sdk-field-missing-in-sdk", operation, "request.domain is not in the SDK") in found
        assert ("sdk-field-missing-in-spec", operation, "request.publish_domain is not in the spec") in found
    assert len(found) == 4, found


def test_a_wire_name_spelt_otherwise_is_a_wire_name_mismatch(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        _rename(document["components"]["schemas"]["RecordCallbackConfig"], "notify_callback_url", "notifyCallbackUrl")

    found = _found(_copy(tmp_path, "huaweicloud_live", edit))
    assert (
        "sdk-field-wire-name-mismatch",
        "ShowRecordCallbackConfig",
        "response.notifyCallbackUrl is sent as notify_callback_url by the SDK",
    ) in found
    assert ("sdk-field-wire-name-mismatch", "ListRecordCallbackConfigs") in {(c, o) for c, o, _ in found}


def _parameter(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    parameters = document["paths"][path][method]["parameters"]
    found = next(p for p in parameters if "$ref" not in p and p["name"] == name)
    assert isinstance(found, dict)
    return found


LIST = "/v1/{project_id}/record/callbacks"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda d: _parameter(d, LIST, "get", "limit").update({"in": "header"}),
            ("sdk-parameter-location-mismatch", "parameter limit: in header in the spec, query in the SDK"),
            id="parameter moved",
        ),
        pytest.param(
            lambda d: _parameter(d, LIST, "get", "limit").update({"schema": {"type": "string"}}),
            ("sdk-parameter-type-mismatch", "parameter limit: string in the spec, integer in the SDK"),
            id="parameter retyped",
        ),
        pytest.param(
            lambda d: _parameter(d, LIST, "get", "limit").update({"name": "page_size"}),
            ("sdk-parameter-missing-in-sdk", "query parameter page_size is not in the SDK"),
            id="parameter renamed",
        ),
        pytest.param(
            lambda d: d["components"]["schemas"]["ListRecordCallbackConfigsResponse"]["properties"]["total"].update(
                {"type": "string"}
            ),
            ("sdk-field-type-mismatch", "response.total: string in the spec, integer in the SDK"),
            id="field retyped",
        ),
        pytest.param(
            lambda d: d["paths"].update({"/v1/{project_id}/record/cb": d["paths"].pop(LIST)}),
            ("sdk-operation-path-mismatch", "path /v1/{project_id}/record/cb in the spec, " + LIST + " in the SDK"),
            id="path changed",
        ),
    ],
)
def test_each_kind_of_difference_has_its_rule(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], expected: tuple[str, str]
) -> None:
    assert expected in {(code, message) for code, _, message in _found(_copy(tmp_path, "huaweicloud_live", edit))}


def test_an_operation_missing_from_the_spec_in_its_scope_is_reported(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["paths"][LIST + "/{id}"]["delete"]

    found = _found(_copy(tmp_path, "huaweicloud_live", edit))
    message = "DELETE /v1/{project_id}/record/callbacks/{id} is not in the spec"
    assert found == {("sdk-operation-missing-in-spec", "DeleteRecordCallbackConfig", message)}


def test_an_operation_the_sdk_lacks_and_a_method_or_version_mismatch(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        for item in document["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and op.get("operationId") == "DeleteCallback":
                    op["x-rpc"]["version"] = "2024-01-01"
                if isinstance(op, dict) and op.get("operationId") == "DescribeCallback":
                    op["x-rpc"]["action"] = op["operationId"] = "DescribeCallbacks"

    found = _found(_copy(tmp_path, "volcengine_live", edit))
    assert (
        "sdk-rpc-version-mismatch",
        "DeleteCallback",
        "version 2024-01-01 in the spec, 2023-01-01 in the SDK",
    ) in found
    assert ("sdk-operation-missing-in-sdk", "DescribeCallbacks", "DescribeCallbacks is not in the SDK") in found
    assert ("sdk-operation-missing-in-spec", "DescribeCallback", "POST / is not in the spec") in found


def test_a_known_difference_that_no_longer_happens_is_reported(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["info"]["x-sdk-drift"]["known"].append(
            {
                "rule": "sdk-field-missing-in-sdk",
                "operation": "ShowRecordCallbackConfig",
                "at": "response.x",
                "reason": "r",
            }
        )

    found = _found(_copy(tmp_path, "huaweicloud_live", edit))
    assert found == {
        (
            "sdk-known-difference-gone",
            "ShowRecordCallbackConfig",
            "sdk-field-missing-in-sdk at response.x no longer happens",
        )
    }


def test_a_malformed_known_difference_is_a_located_problem(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["info"]["x-sdk-drift"]["known"].append({"rule": "no-such-rule", "operation": "X"})

    with pytest.raises(GenerationError) as caught:
        drift(load_spec(_copy(tmp_path, "huaweicloud_live", edit), validate=False))
    assert [(p.code, p.pointer) for p in caught.value.problems] == [("sdk-drift.known", "/info/x-sdk-drift/known/1")]


def test_cli_formats_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = [str(SPECS / f"{name}.yaml") for name in VENDOR_PACKAGES]
    assert main(["sdk-drift", *specs, "--fail-on", "warning"]) == 0
    out = capsys.readouterr().out
    assert out.count("0 findings") == len(VENDOR_PACKAGES)
    assert out.count("== specs/") == len(VENDOR_PACKAGES), "each report is headed by its spec and SDK"
    assert main(["sdk-drift", *specs, "--format", "json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [r["base"].rsplit("/", 1)[-1] for r in reports] == [f"{n}.yaml" for n in VENDOR_PACKAGES]
    for each in reports:
        jsonschema.validate(each, json.loads(SCHEMA.read_text(encoding="utf-8")))

    def edit(document: dict[str, Any]) -> None:
        _rename(document["components"]["schemas"]["RecordCallbackConfigRequest"], "app", "application")

    renamed = str(_copy(tmp_path, "huaweicloud_live", edit))
    assert main(["sdk-drift", renamed]) == 0
    assert main(["sdk-drift", renamed, "--fail-on", "warning"]) == 1
    capsys.readouterr()
    assert main(["sdk-drift", renamed, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert report["revision"].startswith("huaweicloudsdklive ")
    assert {f["id"] for f in report["findings"]} == {"sdk-field-missing-in-sdk", "sdk-field-missing-in-spec"}
    assert report["summary"]["ignored"] == 5
    assert main(["sdk-drift", renamed, "--format", "markdown"]) == 0
    assert "sdk-field-missing-in-spec" in capsys.readouterr().out


def test_a_spec_without_an_sdk_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["info"]["x-sdk-drift"]

    assert main(["sdk-drift", str(_copy(tmp_path, "huaweicloud_live", edit))]) == 2
    assert "[sdk-drift.no-sdk]" in capsys.readouterr().err
