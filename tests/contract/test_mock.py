"""The validating mock, and what a `fuzz` run leaves behind: coverage, JUnit, events, shards, cassettes and replay.

`tests/fixtures/mock_pets.yaml` is a plain-profile spec with an API key, enums, a required response header, an
example, links (create → get/delete) and an error schema that is not `{code, message}`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from generator import coverage
from generator.cli import main
from generator.conformance import CHECKS, Answer, check_answer
from generator.contract import shard_operations
from generator.emulator import load_generated
from generator.emulator.credentials import DEFAULT_CREDENTIALS
from generator.emulator.live import LiveEmulator
from generator.emulator.serve import BackgroundServer
from generator.mock import MOCK_CREDENTIALS, MockOptions, load_package, mock_app
from tests.conftest import SPECS

ROOT = Path(__file__).resolve().parents[2]
PETS = ROOT / "tests" / "fixtures" / "mock_pets.yaml"
KEY = {"X-Api-Key": MOCK_CREDENTIALS.api_key}


@pytest.fixture(scope="module")
def pets() -> Iterator[Any]:
    with load_package(PETS) as package:
        yield package


def _send(package: Any, requests: list[tuple[str, str, dict[str, Any]]], stateful: bool = False) -> list[Any]:
    """Send `requests` in order to a fresh mock of `package` in process; a `{id}` in a path is the last JSON `id`."""
    app = mock_app(package, MockOptions(seed=3, stateful=stateful))

    async def run() -> list[httpx.Response]:
        answers: list[httpx.Response] = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock/api") as client:
            for method, path, kwargs in requests:
                last = next((a.json()["id"] for a in reversed(answers) if a.content and "id" in a.json()), "")
                answers.append(await client.request(method, path.replace("{id}", str(last)), **kwargs))
        return answers

    answers = asyncio.run(run())
    assert app.nonconforming == []  # every answer the mock sent was checked, and conforms
    return answers


def test_the_mock_answers_the_spec_examples_with_documented_headers(pets: Any) -> None:
    (answer,) = _send(pets, [("GET", "/pets", {"headers": KEY})])
    assert answer.status_code == 200
    assert answer.json() == [{"id": 7, "name": "Rex", "kind": "dog"}]  # the example, not a generated body
    assert int(answer.headers["X-Total"]) >= 0 and answer.headers["X-Request-Id"]


def test_generated_bodies_are_deterministic_under_a_seed(pets: Any) -> None:
    first = _send(pets, [("POST", "/pets", {"headers": KEY, "json": {"name": "a", "kind": "cat"}})])
    again = _send(pets, [("POST", "/pets", {"headers": KEY, "json": {"name": "b", "kind": "dog"}})])
    assert first[0].status_code == 201 and first[0].content == again[0].content


def test_invalid_requests_get_the_documented_error_schema(pets: Any) -> None:
    invalid, unauthenticated = _send(
        pets, [("GET", "/pets", {"headers": KEY, "params": {"limit": 99}}), ("GET", "/pets", {})]
    )
    assert invalid.status_code == 400 and unauthenticated.status_code == 401
    for answer in (invalid, unauthenticated):
        assert set(answer.json()["error"]) == {"code", "message", "retryable"}  # the spec's envelope
    assert invalid.json()["error"]["code"] == "InvalidParameter" and "limit" in invalid.json()["error"]["message"]


def test_the_stateful_mock_remembers_what_links_created(pets: Any) -> None:
    created, read, deleted, gone, stateless = _send(
        pets,
        [
            ("POST", "/pets", {"headers": KEY, "json": {"name": "a", "kind": "cat"}}),
            ("GET", "/pets/{id}", {"headers": KEY}),
            ("DELETE", "/pets/{id}", {"headers": KEY}),
            ("GET", "/pets/{id}", {"headers": KEY}),
        ],
        stateful=True,
    ) + _send(pets, [("GET", "/pets/1", {"headers": KEY})])
    assert created.status_code == 201 and read.json() == created.json()
    assert deleted.status_code == 204 and gone.status_code == 404
    assert stateless.status_code == 200


def test_conformance_checks_have_stable_codes(pets: Any) -> None:
    assert sorted(CHECKS) == [
        "conformance.body-schema",
        "conformance.body-syntax",
        "conformance.content-type",
        "conformance.header-missing",
        "conformance.header-value",
        "conformance.status",
    ]
    from generator.conformance import SpecResponses
    from generator.mock.package import operation_nodes

    spec = SpecResponses(pets.document, operation_nodes(pets.document, pets.api))
    wrong = Answer(200, {"Content-Type": "application/json", "X-Total": "-1"}, b'[{"id": 0}]')
    assert {p.code for p in check_answer(spec, "listPets", wrong)} == {
        "conformance.header-value",
        "conformance.body-schema",
    }
    assert [p.code for p in check_answer(spec, "listPets", Answer(418, {}, b""))] == ["conformance.status"]


# --------------------------------------------------------------------------- fuzz outputs


def _fuzz(*args: str) -> int:
    return main(["fuzz", str(PETS), "--max-examples", "5", "--seed", "7", *args])


def test_fuzz_against_the_mock_writes_coverage_junit_and_events(capsys: pytest.CaptureFixture[str]) -> None:
    assert _fuzz("--junit-xml", "junit.xml", "--ndjson", "events.ndjson") == 0
    out = capsys.readouterr().out
    assert "mock_pets against mock: ok" in out and "operations reached          4/4" in out
    data = json.loads(Path("fuzz-results/coverage.json").read_text())
    jsonschema.Draft202012Validator(json.loads(coverage.SCHEMA_PATH.read_text())).validate(data)
    (spec,) = data["specs"]
    listing = next(op for op in spec["operations"] if op["operation"] == "GET /pets")
    kind = next(p for p in listing["parameters"] if p["name"] == "kind")
    assert kind["present"] and kind["absent"] and sorted(kind["enum"]["sent"]) == ["cat", "dog"]
    assert listing["statuses"]["documented_never_seen"] == [] and listing["phases"]["fuzzing"]
    assert "parameters sent" in Path("fuzz-results/coverage.txt").read_text()

    suite = ET.parse("junit.xml").getroot().find("testsuite")
    assert suite is not None
    names = [case.get("name") for case in suite.iter("testcase")]
    assert len(names) == len(set(names)) == int(suite.get("tests", "0"))
    assert "GET /pets · not_a_server_error" in names and "POST /pets · streamspec_conformance" in names
    events = [json.loads(line) for line in Path("events.ndjson").read_text().splitlines()]
    assert events[0]["event"] == "spec-started" and events[-1]["event"] == "spec-finished"
    assert sum(e["event"] == "case" for e in events) == events[-1]["cases"]


def _without_shards(data: dict[str, Any]) -> dict[str, Any]:
    for spec in data["specs"]:
        spec["shards"] = []
    return data


def test_shards_add_up_to_the_unsharded_run(capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(json.dumps(__import__("yaml").safe_load(PETS.read_text())))
    parts = [shard_operations(document, i, 2) for i in (1, 2)]
    assert sorted(parts[0] + parts[1]) == sorted(coverage.shape("", document, None).operations)
    assert parts[0] and parts[1] and not set(parts[0]) & set(parts[1])
    assert _fuzz("--output-dir", "whole") == 0
    assert _fuzz("--shard", "1/2", "--output-dir", "one") == 0
    assert _fuzz("--shard", "2/2", "--output-dir", "two") == 0
    assert main(["fuzz-merge", "one", "two", "--output-dir", "merged", "--junit-xml", "merged.xml"]) == 0
    whole = json.loads(Path("whole/coverage.json").read_text())
    merged = json.loads(Path("merged/coverage.json").read_text())
    assert merged["specs"][0]["shards"] == ["1/2", "2/2"]
    assert _without_shards(merged) == whole
    report = json.loads(Path("merged/report.json").read_text())["specs"][0]
    assert report["checks"] == json.loads(Path("whole/report.json").read_text())["specs"][0]["checks"]


def test_jobs_give_the_unsharded_run(capsys: pytest.CaptureFixture[str]) -> None:
    """`--jobs 2`: the spec's shards in two processes, merged into what the unsharded run of the seed reports and
    writes (no shard labels), one spec-started and one spec-finished event, the same JUnit cases. The unsharded run
    gets a fresh interpreter too: a stateful phase run after other runs in the same process sends other cases."""
    command = [sys.executable, "-m", "generator", "fuzz", str(PETS), "--max-examples", "5", "--seed", "7"]
    whole_run = [*command, "--output-dir", "whole", "--junit-xml", "whole.xml"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    assert subprocess.run(whole_run, capture_output=True, check=False, env=environment).returncode == 0
    assert _fuzz("--jobs", "2", "--output-dir", "jobs", "--junit-xml", "jobs.xml", "--ndjson", "jobs.ndjson") == 0
    assert "mock_pets against mock: ok" in capsys.readouterr().out
    assert json.loads(Path("jobs/coverage.json").read_text()) == json.loads(Path("whole/coverage.json").read_text())
    whole, jobs = (json.loads(Path(f"{d}/report.json").read_text())["specs"][0] for d in ("whole", "jobs"))
    assert jobs["shards"] == [] and all(jobs[key] == whole[key] for key in ("cases", "checks", "failures", "seed"))
    names = [[case.get("name") for case in ET.parse(f).getroot().iter("testcase")] for f in ("whole.xml", "jobs.xml")]
    assert names[0] == names[1]
    events = [json.loads(line) for line in Path("jobs.ndjson").read_text().splitlines()]
    assert [e["event"] for e in events].count("spec-started") == 1 and events[-1]["event"] == "spec-finished"
    assert sum(e["event"] == "case" for e in events) == events[-1]["cases"] == sum(whole["cases"].values())


def test_jobs_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert _fuzz("--jobs", "2", "--shard", "1/2") == 2
    assert "--shard or --jobs" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _fuzz("--jobs", "0")


def test_a_worker_that_dies_fails_its_spec() -> None:
    """A worker process that raised (or died: BrokenProcessPool) is a failure of its spec, not a crash of the run."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from generator.contract import FuzzOptions
    from generator.fuzz_cli import Fuzzed, SpecJob, _outcome

    future: Future[Fuzzed] = Future()
    future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
    done = _outcome(SpecJob(PETS, None, None), FuzzOptions(seed=7, shard=(2, 3)), future)
    (failure,) = done.report.failures
    assert (done.report.spec, done.report.shard, done.report.seed) == ("mock_pets", "2/3", 7)
    assert (failure.check, failure.title) == ("error", "BrokenProcessPool") and not done.report.ok


def test_a_shard_of_a_spec_with_documented_answers_runs_its_own_operations_only() -> None:
    """Volcengine's documented answers put `[[operations]]` entries in the configuration, whose include filter
    matches every operation: a shard has to exclude the others' operations, or every shard runs them all."""
    from generator.contract import FuzzOptions, emulator_run, fuzz_spec

    spec = SPECS / "volcengine_live.yaml"
    document = __import__("yaml").safe_load(spec.read_text())
    for index in (1, 2):
        target, credentials = emulator_run(spec, DEFAULT_CREDENTIALS)
        options = FuzzOptions(max_examples=1, seed=7, phases=("examples",), shard=(index, 2))
        report = fuzz_spec(spec, target, credentials, options)
        assert report.coverage is not None
        reached = sorted(op.operation for op in report.coverage.operations.values() if op.cases)
        assert reached == shard_operations(document, index, 2)


def test_shard_usage() -> None:
    with pytest.raises(SystemExit):
        _fuzz("--shard", "3/2")


# --------------------------------------------------------------------------- cassettes and replay


class _Broken(LiveEmulator):
    """Huawei Live listing a configuration without its required `id`: a broken emulator behaviour."""

    async def list_record_callback_configs(self, ctx: Any, params: Any) -> Any:
        await super().list_record_callback_configs(ctx, params)  # authorised as before, then answers wrongly
        reply = load_generated("huaweicloud_live._runtime.server").Reply
        return reply(200, {"total": -1, "callback_config": [{"publish_domain": "x"}]})


def test_a_failure_is_stored_and_replayed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.emulator import app as emulator_app
    from generator.emulator.app import create_emulator
    from generator.emulator.store import Store

    monkeypatch.setattr(emulator_app, "LiveEmulator", _Broken)
    spec = str(SPECS / "huaweicloud_live.yaml")
    assert main(["fuzz", spec, "--max-examples", "2", "--seed", "3", "--output-dir", "run"]) == 1
    cassette = Path("run/cassettes/huaweicloud_live.json")
    stored = json.loads(cassette.read_text())
    assert stored["seed"] == 3 and stored["interactions"]
    assert all("***" in str(i["request"]["headers"]) for i in stored["interactions"] if i["check"] != "error")
    assert DEFAULT_CREDENTIALS.huawei[0].sk not in cassette.read_text()
    key = DEFAULT_CREDENTIALS.huawei[0]
    credentials = ["--ak", key.ak, "--sk", key.sk, "--project-id", key.project_id]
    capsys.readouterr()
    with BackgroundServer(create_emulator("huaweicloud_live", Store())) as broken:
        assert main(["fuzz", spec, "--replay", str(cassette), "--url", broken.base_url, *credentials]) == 1
    assert "still fail" in capsys.readouterr().out
    monkeypatch.setattr(emulator_app, "LiveEmulator", LiveEmulator)
    with BackgroundServer(create_emulator("huaweicloud_live", Store())) as fixed:
        assert main(["fuzz", spec, "--replay", str(cassette), "--url", fixed.base_url, *credentials]) == 0
    assert ": 0 still fail" in capsys.readouterr().out


def test_jobs_report_a_failure_found_in_a_worker(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The broken emulator behind a URL (workers cannot inherit a patched class): what a shard's worker finds is in
    the run's report, its exit status and one cassette for the spec, as for a run in one process."""
    from generator.emulator import app as emulator_app
    from generator.emulator.app import create_emulator
    from generator.emulator.store import Store

    monkeypatch.setattr(emulator_app, "LiveEmulator", _Broken)
    key = DEFAULT_CREDENTIALS.huawei[0]
    credentials = ["--ak", key.ak, "--sk", key.sk, "--project-id", key.project_id]
    spec = str(SPECS / "huaweicloud_live.yaml")
    with BackgroundServer(create_emulator("huaweicloud_live", Store())) as broken:
        args = ["fuzz", spec, "--url", broken.base_url, *credentials, "--max-examples", "2", "--seed", "3"]
        assert main([*args, "--jobs", "2", "--output-dir", "run"]) == 1
    out = capsys.readouterr().out
    assert "GET /v1/{project_id}/record/callbacks — " in out and "failure(s)" in out.split("summary:")[1]
    assert [p.name for p in Path("run/cassettes").iterdir()] == ["huaweicloud_live.json"]
    assert json.loads(Path("run/report.json").read_text())["specs"][0]["failures"]


# --------------------------------------------------------------------------- the HTML page in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_coverage_page_renders_its_numbers_in_a_browser(tmp_path: Path) -> None:
    assert _fuzz() == 0
    data = json.loads(Path("fuzz-results/coverage.json").read_text())
    totals = data["specs"][0]["totals"]
    page = Path("fuzz-results/coverage.html").resolve()
    assert "<link" not in page.read_text() and "src=" not in page.read_text()  # self-contained
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    assert CHROMIUM is not None
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert f'<td data-total="cases">{totals["cases"]}</td>' in dom  # written by the page's script
    assert f"{totals['operations_reached']}/{totals['operations']}" in dom
    assert "GET /pets/{petId}" in dom


LINKED_PAST_ITS_PARAMETER = """
openapi: 3.0.3
info: {title: Linked, version: "1"}
paths:
  /orders:
    post:
      operationId: createOrder
      responses:
        "201":
          description: Created.
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: integer, minimum: 1000, maximum: 2000}}
          links:
            GetOrder:
              operationId: getOrder
              parameters: {orderId: $response.body#/id}
  /orders/{orderId}:
    get:
      operationId: getOrder
      parameters:
        - {name: orderId, in: path, required: true, schema: {type: integer, maximum: 10}}
      responses:
        "200":
          description: The order.
          content:
            application/json:
              schema: {type: object}
        "400":
          description: Invalid.
        "404":
          description: Unknown.
"""


def test_links_that_lead_past_a_parameters_schema_are_a_note_not_a_failure(tmp_path: Path) -> None:
    # The created id (1000..2000) is past `orderId`'s maximum: the stateful phase sends it as valid data, the mock
    # rightly refuses it, and that is a fact about the spec, not about the server.
    from generator.contract import FuzzOptions, fuzz_spec, mock_run

    spec = tmp_path / "linked.yaml"
    spec.write_text(LINKED_PAST_ITS_PARAMETER)
    with mock_run(spec, seed=1) as target:
        report = fuzz_spec(spec, target, None, FuzzOptions(max_examples=10, seed=1, phases=("stateful",)))
    assert report.failures == [], "\n".join(failure.render() for failure in report.failures)
    assert any("which the parameter's schema refuses" in note for note in report.notes), report.notes


WIRE_AMBIGUITIES = """
openapi: 3.0.3
info: {title: Ambiguous, version: "1"}
paths:
  /files:
    put:
      operationId: putFiles
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                filename: {type: array, items: {type: string, format: binary}}
      responses:
        "200": {description: OK}
  /rows/{ids}:
    get:
      operationId: getRows
      parameters:
        - {name: ids, in: path, required: true, style: matrix, schema: {type: array, items: {type: string}}}
      responses:
        "200": {description: OK}
  /search:
    post:
      operationId: search
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, required: [criteria], properties: {criteria: {type: string}}}
      responses:
        "200": {description: OK}
  /headers:
    get:
      operationId: getHeaders
      parameters:
        - name: object
          in: header
          style: simple
          schema: {type: object, properties: {name: {type: string}}}
      responses:
        "200": {description: OK}
"""


def test_requests_whose_wire_form_is_also_valid_data_are_notes(tmp_path: Path) -> None:
    # A list of one is written as its item (`;ids=5`, one part holding `{}`), a form missing its only field is no
    # body at all (optional here), and an object header with nested members has no text in any style:
    # schemathesis' verdicts on those say nothing about the server.
    from generator.contract import FuzzOptions, fuzz_spec, mock_run

    spec = tmp_path / "ambiguous.yaml"
    spec.write_text(WIRE_AMBIGUITIES)
    with mock_run(spec, seed=1) as target:
        report = fuzz_spec(spec, target, None, FuzzOptions(max_examples=25, seed=1))
    assert report.failures == [], "\n".join(failure.render() for failure in report.failures)
    notes = "\n".join(report.notes)
    assert "is sent exactly as the one-item list of it is" in notes, notes
    assert "which is also a request without its optional body" in notes, notes


def test_the_one_item_list_reading_needs_the_list_of_it_to_be_valid() -> None:
    from generator.contract import _as_items, _style_scalar

    assert _style_scalar({"name": "ids", "in": "path", "style": "matrix"}, ";ids=5") == "5"
    assert _style_scalar({"name": "ids", "in": "path", "style": "matrix"}, ";ids=5,6") is None
    assert _style_scalar({"name": "ids", "in": "path", "style": "matrix"}, ";other=5") is None
    assert _style_scalar({"name": "ids", "in": "path", "style": "label"}, ".a%20b") == "a b"
    assert _style_scalar({"name": "ids", "in": "query"}, 7) == 7
    assert _style_scalar({"name": "ids", "in": "query"}, {"a": 1}) is None
    assert _as_items(False) == [False, "false"] and _as_items({}) == [{}, "{}"] and _as_items("x") == ["x"]


def test_the_seed_alone_decides_the_cases_whatever_else_the_process_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hypothesis mixes the literal constants of the local modules a process has imported into its draws (so that
    `fuzz --jobs` workers, which import other modules than the unsharded run, sent other cases for the same seed, by
    the luck of the generator's own literals): during a run that pool is empty, and restored after."""
    import importlib

    from hypothesis.internal.conjecture import providers

    from generator.contract import seed_only

    (tmp_path / "constants_elsewhere.py").write_text("NUMBERS = [1234, 5678]\nWORDS = ['pet-one']\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("constants_elsewhere")
    assert 1234 in providers._get_local_constants().integers
    with seed_only():
        drawn = providers._get_local_constants()
        assert not (drawn.integers or drawn.floats or drawn.bytes or drawn.strings)
    assert 1234 in providers._get_local_constants().integers and "pet-one" in providers._get_local_constants().strings
