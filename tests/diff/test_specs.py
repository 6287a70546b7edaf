"""Real specs: the vendor specs, every third-party corpus document and Stripe, against themselves and each other."""

from __future__ import annotations

import itertools
import json
import time
import traceback
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main
from generator.diff.compare import compare
from generator.diff.engine import diff_specs
from generator.diff.report import FORMATS, render
from generator.diff.rules import judge
from generator.diff.sources import read_spec
from tests.conftest import SPECS
from tests.diff.conftest import CORPUS, SHARED, STRIPE

VENDOR_SPECS = sorted(SPECS.glob("*.yaml"))
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared test data ({SHARED}) is not here")


def _corpus() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json")) if CORPUS.is_dir() else []


@pytest.mark.parametrize("spec", VENDOR_SPECS, ids=[p.stem for p in VENDOR_SPECS])
def test_a_vendor_spec_against_itself_finds_nothing(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(spec), str(spec)]) == 0
    assert capsys.readouterr().out == "0 findings: 0 errors, 0 warnings, 0 info\n"


def test_a_renamed_request_field_of_huawei_live_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document: dict[str, Any] = yaml.safe_load((SPECS / "huaweicloud_live.yaml").read_bytes())
    schema = document["components"]["schemas"]["RecordCallbackConfigRequest"]
    schema["properties"] = {
        ("ingest_domain" if name == "publish_domain" else name): value for name, value in schema["properties"].items()
    }
    schema["required"] = ["ingest_domain" if n == "publish_domain" else n for n in schema["required"]]
    renamed = tmp_path / "huaweicloud_live.yaml"
    renamed.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")

    assert (
        main(["diff", str(SPECS / "huaweicloud_live.yaml"), str(renamed), "--fail-on", "error", "--format", "json"])
        == 1
    )
    findings = json.loads(capsys.readouterr().out)["findings"]
    spec_level = [f for f in findings if f["id"] == "request-property-renamed"]
    assert {f["operation"] for f in spec_level} == {"CreateRecordCallbackConfig", "UpdateRecordCallbackConfig"}
    assert all(f["level"] == "error" for f in spec_level)
    assert (
        spec_level[0]["base"]["pointer"] == "/components/schemas/RecordCallbackConfigRequest/properties/publish_domain"
    )
    assert spec_level[0]["revision"]["pointer"].endswith("/properties/ingest_domain")
    assert spec_level[0]["base"]["line"] and spec_level[0]["revision"]["line"]
    assert any(f["id"] == "python-model-field-removed" for f in findings)


@needs_shared
def test_consecutive_corpus_documents_diff_without_a_traceback() -> None:
    specs = [read_spec(str(p)) for p in _corpus()]
    failures = []
    unjudged = []
    for base, revision in itertools.pairwise(specs):
        try:
            report = diff_specs(base, revision)
            for fmt in FORMATS:
                render(report, fmt)
            unjudged += [
                (base.path.name, c)
                for c in compare(base, revision)
                if not judge([c]) and not {"read-only", "write-only"} & c.flags
            ]
        except Exception:
            failures.append(f"{base.path.name} -> {revision.path.name}\n{traceback.format_exc()}")
    assert len(specs) > 40
    assert failures == [], "\n".join(failures)
    assert unjudged == []  # every change the structural layer sees has a rule


@needs_shared
@pytest.mark.parametrize("spec", _corpus(), ids=[p.name for p in _corpus()])
def test_a_corpus_document_against_itself_finds_nothing(spec: Path) -> None:
    report = diff_specs(read_spec(str(spec)), read_spec(str(spec)))
    assert report.findings == ()


@needs_shared
def test_stripe_against_itself_finds_nothing_in_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    assert main(["diff", str(STRIPE), str(STRIPE), "--format", "json"]) == 0
    elapsed = time.perf_counter() - started
    document = json.loads(capsys.readouterr().out)
    with capsys.disabled():
        print(f"\nStripe self-diff (load both sides, compare, judge): {elapsed:.2f} s")
    assert document["findings"] == []
