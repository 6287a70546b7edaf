"""Malformed specs: every problem is located (file, JSON pointer, line), has a stable code, and nothing is written.

Each YAML case marks the line the problem must point at with a trailing `# <-` comment.
"""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import GenerationError, Problem, display_path
from generator.pipeline import build_package
from tests.generator.conftest import TINY_SPEC, snapshot, write_spec

MARK = "# <-"

HEAD = """\
openapi: 3.1.0
info: {title: T, version: "1"}
"""


def op(body: str = "", responses: str = '"200": {description: ok}') -> str:
    """A spec with one operation `GET /a` whose extra keys are `body` (indented under the operation)."""
    return HEAD + textwrap.dedent(
        """\
        paths:
          /a:
            get:
              operationId: A
        {body}      responses:
                {responses}
        """
    ).format(body=textwrap.indent(body, "      "), responses=responses)


def schema(definition: str) -> str:
    """A spec whose 200 response is `components/schemas/X`, defined by `definition` (indented under X)."""
    return op(
        responses="\"200\": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/X'}}}}"
    ) + ("components:\n  schemas:\n    X:\n" + textwrap.indent(definition, "      "))


def marked_line(text: str) -> int | None:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if line.rstrip().endswith(MARK)]
    return lines[0] if lines else None


CASES = [
    # (id, spec text, code, pointer)
    ("yaml-syntax", HEAD + "paths:\n  /a:\n    get: {operationId: A}\n    summary: a: b # <-\n", "spec.syntax", ""),
    ("not-a-mapping", "- openapi\n- 3.1.0\n", "spec.not-a-mapping", ""),
    ("version", "openapi: 2.0.0 # <-\ninfo: {title: T, version: '1'}\npaths: {}\n", "spec.version", "/openapi"),
    (
        "unresolved-ref",
        op(
            responses='"200": {description: ok, content: {application/json: '
            "{schema: {$ref: '#/components/schemas/Nope'}}}} # <-"
        ),
        "spec.invalid",
        "/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
    ),
    (
        "external-ref",
        op(responses="\"200\": {description: ok, content: {application/json: {schema: {$ref: 'other.yaml#/X'}}}} # <-"),
        "spec.invalid",
        "/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
    ),
    (
        "invalid-document",
        op("parameters:\n  - {name: q, in: nowhere, schema: {type: string}} # <-\n"),
        "spec.invalid",
        "/paths/~1a/get/parameters/0/in",
    ),
    ("missing-required-field", "openapi: 3.1.0\ninfo: {version: '1'} # <-\npaths: {}\n", "spec.invalid", "/info"),
    (
        "rpc-path-without-x-rpc",
        "openapi: 3.1.0\nx-rpc-convention: path-fragment\ninfo: {title: T, version: '1', x-profile: volcengine}\n"
        "paths:\n  /#Action=A:\n    get: # <-\n      operationId: A\n      responses: {'200': {description: ok}}\n",
        "volcengine.rpc",
        "/paths/~1#Action=A/get",
    ),
    (
        "rpc-convention-not-offered",
        "openapi: 3.1.0\nx-rpc-convention: path-fragment # <-\ninfo: {title: T, version: '1'}\npaths: {}\n",
        "profile.rpc-convention",
        "/x-rpc-convention",
    ),
    (
        "unknown-profile",
        op().replace('version: "1"}', 'version: "1", x-profile: soap} # <-'),
        "profile.unknown",
        "/info/x-profile",
    ),
    (
        "unknown-signing",
        op()
        + "components:\n  securitySchemes:\n    Magic:\n"
        + "      {type: apiKey, in: header, name: X-Magic, x-signing: magic} # <-\n",
        "profile.unknown-signing",
        "/components/securitySchemes/Magic/x-signing",
    ),
    (
        "profiles-mixed",
        op()
        + "components:\n  securitySchemes: # <-\n"
        + "    A: {type: apiKey, in: header, name: Authorization, x-signing: huawei-sdk-hmac-sha256}\n"
        + "    B: {type: apiKey, in: header, name: Authorization, x-signing: volcengine-hmac-sha256-v4}\n",
        "profile.ambiguous",
        "/components/securitySchemes",
    ),
    (
        "dynamic-ref",
        schema("type: object\nproperties:\n  a: {$dynamicRef: '#meta'} # <-\n"),
        "schema.unsupported",
        "/components/schemas/X/properties/a/$dynamicRef",
    ),
    (
        "style-of-another-location",
        op("parameters:\n  - {name: q, in: query, style: label, schema: {type: string}} # <-\n"),
        "spec.invalid",
        "/paths/~1a/get/parameters/0/style",
    ),
    (
        "webhook-not-post",
        op() + "webhooks:\n  Hook: # <-\n    get: {responses: {'200': {description: ok}}}\n",
        "webhook.unsupported",
        "/webhooks/Hook",
    ),
]


def problems_of(spec: Path) -> list[Problem]:
    with pytest.raises(GenerationError) as caught:
        build_package(spec)
    return caught.value.problems


@pytest.mark.parametrize(("text", "code", "pointer"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_problem_is_located_and_coded(tmp_path: Path, text: str, code: str, pointer: str) -> None:
    spec = write_spec(tmp_path, "bad.yaml", text)
    problems = problems_of(spec)
    assert [(p.code, p.pointer) for p in problems] == [(code, pointer)], problems
    (problem,) = problems
    assert problem.file == display_path(spec)
    assert problem.line == marked_line(text)
    assert problem.message
    where = f"{display_path(spec)}{':' + str(problem.line) if problem.line else ''}"
    assert str(problem).startswith((f"{where}: ", f"{where}:{problem.column}: "))
    assert f"[{code}]" in str(problem)


def test_json_syntax_error_has_its_line(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "bad.json", '{"openapi": "3.1.0",\n "info": {"title": "T"},\n "paths": }\n')
    (problem,) = problems_of(spec)
    assert (problem.code, problem.pointer, problem.line) == ("spec.syntax", "", 3)
    assert problem.message.startswith("not valid JSON")


def test_unreadable_spec(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "missing.yaml")
    assert (problem.code, problem.pointer, problem.line) == ("spec.unreadable", "", None)


def test_json_spec_problems_have_lines_too(tmp_path: Path) -> None:
    text = '{\n  "openapi": "3.1.0",\n  "info": {"title": "T", "version": "1", "x-profile": "soap"},\n'
    text += '  "paths": {}\n}\n'
    (problem,) = problems_of(write_spec(tmp_path, "bad.json", text))
    assert (problem.code, problem.pointer, problem.line) == ("profile.unknown", "/info/x-profile", 3)


JSON_200 = '"200": {description: ok, content: {application/json: {schema: {type: object}}}}'


def test_default_response_beside_a_success_is_an_error_response(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "ok.yaml", op(responses=JSON_200 + "\n        default: {description: any}"))
    (operation,) = build_package(spec).api.operations
    assert [(r.key, r.success) for r in operation.responses] == [("200", True), ("default", False)]


def test_spec_without_any_schema_generates(tmp_path: Path) -> None:
    build_package(write_spec(tmp_path, "ok.yaml", op(responses='"204": {description: done}')))


def test_every_problem_of_a_spec_is_reported_together(tmp_path: Path) -> None:
    text = (
        HEAD.replace('version: "1"}', 'version: "1", x-profile: soap}')
        + "paths:\n"
        + "  /a:\n    get:\n      parameters: [{name: q, in: header, style: form, schema: {type: string}}]\n"
        + "      responses: {'200': {description: ok}}\n"
        + "webhooks:\n  Hook:\n    get: {responses: {'200': {description: ok}}}\n"
        + "components:\n  schemas:\n    X: {$dynamicRef: '#meta'}\n"
    )
    problems = problems_of(write_spec(tmp_path, "bad.yaml", text))
    assert sorted(p.code for p in problems) == [
        "profile.unknown",
        "schema.unsupported",
        "spec.invalid",
        "webhook.unsupported",
    ]
    assert all(p.line for p in problems)


def test_problems_of_several_specs_are_reported_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_spec(tmp_path, "first.yaml", schema("type: object\nproperties: {a: {$dynamicRef: '#m'}}\n"))
    second = write_spec(tmp_path, "second.yaml", op().replace('version: "1"}', 'version: "1", x-profile: soap}'))
    assert main(["generate", str(first), str(second), "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "error: 2 problems found; nothing was written" in err
    assert f"{display_path(first)}:" in err and f"{display_path(second)}:" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --------------------------------------------------------------------------- the CLI leaves the output untouched


@pytest.fixture
def existing_output(tmp_path: Path) -> Path:
    """An output folder that already holds a generated package (and a stray user file)."""
    out = tmp_path / "out"
    assert main(["generate", str(write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)), "--output", str(out)]) == 0
    (out / "notes.txt").write_text("not the generator's\n", encoding="utf-8")
    return out


BAD = schema("type: object\nproperties:\n  a: {type: string}\n$dynamicRef: '#meta' # <-\n")


@pytest.mark.parametrize("with_good_spec", [False, True], ids=["bad-alone", "good-and-bad"])
def test_failed_generate_exits_1_reports_and_leaves_output_byte_identical(
    tmp_path: Path, existing_output: Path, capsys: pytest.CaptureFixture[str], with_good_spec: bool
) -> None:
    before = snapshot(existing_output)
    capsys.readouterr()
    bad = write_spec(tmp_path / "specs", "broken.yaml", BAD)
    # A changed good spec: on its own it would be regenerated.
    good = write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC.replace("title: Tiny", "title: Tiny 2"))
    specs = [str(good), str(bad)] if with_good_spec else [str(bad)]
    assert main(["generate", *specs, "--output", str(existing_output), "--force"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == "error: 1 problem found; nothing was written"
    assert lines[1] == (
        f"  {display_path(bad)}:{marked_line(BAD)}: /components/schemas/X/$dynamicRef: [schema.unsupported] "
        "the keyword '$dynamicRef' is not supported"
    )
    assert snapshot(existing_output) == before


def test_failed_check_exits_1_and_reports(
    tmp_path: Path, existing_output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(existing_output)
    capsys.readouterr()
    bad = write_spec(tmp_path / "specs", "broken.yaml", BAD)
    assert main(["check", str(bad), "--output", str(existing_output)]) == 1
    assert "[schema.unsupported]" in capsys.readouterr().err
    assert snapshot(existing_output) == before


# --------------------------------------------------------------------------- known mislocations (generator bugs)


def test_invalid_schema_keyword_is_located_in_the_document(tmp_path: Path) -> None:
    text = schema("type: object\nproperties:\n  a: {type: 12} # <-\n")
    (problem,) = problems_of(write_spec(tmp_path, "bad.yaml", text))
    assert problem.code == "spec.invalid"
    assert (problem.pointer, problem.line) == ("/components/schemas/X/properties/a/type", marked_line(text))


def test_invalid_schema_keyword_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_of(write_spec(tmp_path, "bad.yaml", schema("type: object\nproperties:\n  a: {type: 12}\n")))
    assert problem.code == "spec.invalid"
    assert problem.pointer.endswith("/properties/a/type")
    assert "12" in problem.message


PATH_LEVEL = HEAD + textwrap.dedent(
    """\
    paths:
      /a:
        parameters:
          - {name: shared, in: query, schema: {type: string}}
          - {name: blob, in: query, style: matrix, schema: {type: object}}
        get:
          operationId: A
          parameters:
            - {name: deep, in: header, style: deepObject, schema: {type: object}}
          responses: {'200': {description: ok}}
    """
)


def test_parameter_problems_point_at_the_parameter(tmp_path: Path) -> None:
    problems = problems_of(write_spec(tmp_path, "bad.yaml", PATH_LEVEL))
    assert [(p.pointer, p.line) for p in problems] == [
        ("/paths/~1a/get/parameters/0/style", 11),
        ("/paths/~1a/parameters/1/style", 7),
    ]


DUPLICATE_ID = (
    HEAD
    + "paths:\n  /a:\n    get:\n      operationId: Same\n      responses: {'200': {description: ok}}\n"
    + "  /b:\n    get:\n      operationId: Same # <-\n      responses: {'200': {description: ok}}\n"
)
UNDECLARED_PATH_PARAMETER = (
    HEAD + "paths:\n  /a/{id}:\n    get: # <-\n      operationId: A\n      responses: {'200': {description: ok}}\n"
)


@pytest.mark.parametrize(
    ("text", "pointer"),
    [(DUPLICATE_ID, "/paths/~1b/get/operationId"), (UNDECLARED_PATH_PARAMETER, "/paths/~1a~1{id}/get")],
    ids=["duplicate-operation-id", "undeclared-path-parameter"],
)
def test_document_level_validator_errors_are_located(tmp_path: Path, text: str, pointer: str) -> None:
    (problem,) = problems_of(write_spec(tmp_path, "bad.yaml", text))
    assert (problem.pointer, problem.line) == (pointer, marked_line(text))


def test_duplicate_operation_id_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_of(write_spec(tmp_path, "bad.yaml", DUPLICATE_ID))
    assert problem.code in ("spec.invalid", "operation.duplicate-id")
    assert "Same" in problem.message


def test_validator_crash_becomes_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = HEAD + "paths:\n  /a:\n    get:\n      operationId: A\n      responses: 12 # <-\n"
    spec = write_spec(tmp_path, "bad.yaml", text)
    assert main(["generate", str(spec), "--output", str(tmp_path / "out")]) == 1
    assert "[spec.invalid]" in capsys.readouterr().err


def test_render_failure_names_the_spec_and_the_broken_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.render import render as real

    monkeypatch.setenv("STREAMSPEC_CACHE", "off")  # the cache keys know the templates, not this stand-in for them
    monkeypatch.setattr(
        "generator.pipeline.render",
        lambda template, *a, **kw: "def broken(:\n" if template.startswith("client") else real(template, *a, **kw),
    )
    spec = write_spec(tmp_path, "tiny.yaml", TINY_SPEC)
    (problem,) = problems_of(spec)
    assert problem.code == "render.ruff"
    assert problem.file == display_path(spec)
    assert "client.py" in problem.message


def test_generation_error_crosses_processes_intact() -> None:
    error = GenerationError([Problem("b.yaml", "/b", "x.two", "second", 4), Problem("a.yaml", "/a", "x.one", "first")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert str(again) == str(error)
