"""A bounded mutation fuzz of `generate`: broken specs of many kinds, each answered by a located error.

Every case writes a broken spec (or a path that is no spec: a folder, a FIFO, a symbolic link loop, a huge or an
empty file) named like a package already generated, and runs `generate` on it. Whatever the case, the run must
not raise or print a traceback, must end within `CASE_SECONDS`, must exit 1 (problems) or 2 (usage) with every
problem located (file, JSON pointer, and a stable code), and must leave the output folder byte-identical.

The cases run in one helper process that imports the generator once and generates in itself (jobs on one core), so
the whole fuzz costs seconds, not a process start and a worker pool per case; the test process enforces each case's
time bound and replaces the helper when a case hangs. What only the hand-over to worker processes meets (a document
too deep to pickle) and what only a real process shows (a blocking read) is run through the command line itself,
a process per case. Mutations are deterministic: the same cases every run.
"""

from __future__ import annotations

import copy
import io
import json
import multiprocessing
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec_files import MAX_SPEC_BYTES
from tests.generator.conftest import GENERALITY, REPO, TINY_SPEC, snapshot

CASE_SECONDS = 30.0
"""A case that has not ended by then hangs (generous: the first case pays the generator's imports)."""
PROBLEM = re.compile(r"^  (?P<file>.+?)(?::\d+(?::\d+)?)?: (?P<pointer>/\S*): \[(?P<code>[\w.-]+)\] \S.*$")

Document = dict[str, Any]


# --------------------------------------------------------------------------- the helper process


@dataclass(frozen=True)
class Outcome:
    code: int | str | None
    out: str
    err: str
    raised: str | None
    """The traceback of an exception `main` let through, if any."""


def _serve_cases(conn: Connection) -> None:
    """Run `generate` for each (argv, folder) received, in this process, and send back its `Outcome`."""
    from generator import jobs

    jobs.cores = lambda: 1  # generate here: a worker pool per case would cost most of the fuzz's time
    from generator.cli import main

    while (case := conn.recv()) is not None:
        argv, folder = case
        os.chdir(folder)
        out, err = io.StringIO(), io.StringIO()
        raised = None
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code: int | str | None = main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
        except BaseException:
            code, raised = None, traceback.format_exc()
        conn.send(Outcome(code, out.getvalue(), err.getvalue(), raised))


class Helper:
    """The helper process; `run` gives a case's `Outcome`, or None when it did not end in time."""

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve_cases, args=(theirs,), daemon=True)
        self._process.start()

    def run(self, argv: list[str], folder: Path) -> Outcome | None:
        self._conn.send((argv, str(folder)))
        if self._conn.poll(CASE_SECONDS):
            outcome: Outcome = self._conn.recv()
            return outcome
        self._process.kill()
        self._process.join()
        self._start()
        return None

    def close(self) -> None:
        self._conn.send(None)
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


@dataclass
class Workspace:
    helper: Helper
    root: Path
    output: Path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A helper, and an output folder holding a package `tiny` generated from the valid tiny spec."""
    root = tmp_path_factory.mktemp("mutations")
    (root / "tiny.yaml").write_text(TINY_SPEC, encoding="utf-8")
    helper = Helper()
    try:
        outcome = helper.run(["generate", "tiny.yaml", "--output", "out"], root)
        assert outcome is not None and outcome.code == 0, outcome
        yield Workspace(helper, root, root / "out")
    finally:
        helper.close()


# --------------------------------------------------------------------------- mutations of documents


TINY: Document = yaml.safe_load(TINY_SPEC)
WIDGETS: Document = yaml.safe_load(GENERALITY.read_text(encoding="utf-8"))


def _operations(doc: Document) -> Iterator[Document]:
    for item in doc.get("paths", {}).values():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield operation


def _first_operation(doc: Document) -> Document:
    return next(_operations(doc))


def _first_parameter(doc: Document) -> Document:
    return next(p for op in _operations(doc) for p in op.get("parameters", []) if "$ref" not in p)


def _first_response(doc: Document) -> Document:
    return next(r for op in _operations(doc) for r in op["responses"].values() if "$ref" not in r)


def _schemas(doc: Document) -> Document:
    return doc.setdefault("components", {}).setdefault("schemas", {})


def _first_schema(doc: Document) -> Document:
    return next(s for s in _schemas(doc).values() if "properties" in s)


def _delete(find: Callable[[Document], Document], key: str) -> Callable[[Document], None]:
    return lambda doc: find(doc).pop(key)


def _set(find: Callable[[Document], Document], key: str, value: object) -> Callable[[Document], None]:
    def mutate(doc: Document) -> None:
        find(doc)[key] = value

    return mutate


def _root(doc: Document) -> Document:
    return doc


def _info(doc: Document) -> Document:
    return doc["info"]


def _ref_everywhere(target: str) -> Callable[[Document], None]:
    """Point the first operation's first response body at `target`."""

    def mutate(doc: Document) -> None:
        _first_operation(doc)["responses"]["200"] = {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": target}}},
        }

    return mutate


def _cycle(doc: Document) -> None:
    _schemas(doc).update({"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}})
    _ref_everywhere("#/components/schemas/A")(doc)


def _self_reference(doc: Document) -> None:
    _schemas(doc)["Self"] = {"$ref": "#/components/schemas/Self"}
    _ref_everywhere("#/components/schemas/Self")(doc)


def _duplicate_operation_ids(doc: Document) -> None:
    for operation in _operations(doc):
        operation["operationId"] = "Same"


def _pattern(regex: str) -> Callable[[Document], None]:
    def mutate(doc: Document) -> None:
        schema = _first_schema(doc)
        name = next(iter(schema["properties"]))
        schema["properties"][name] = {"type": "string", "pattern": regex}

    return mutate


def _path_template_without_parameter(doc: Document) -> None:
    paths = doc["paths"]
    path = next(p for p in paths if "{" in p)
    paths[re.sub(r"\{[^}]+\}", "{unbound}", path, count=1)] = paths.pop(path)


DEEP = "deep-schema-goes-here"
"""Replaced by a deeply nested schema once the document is YAML text (emitters recurse too)."""


def _deep_schema(doc: Document) -> None:
    _schemas(doc)["Deep"] = DEEP
    _ref_everywhere("#/components/schemas/Deep")(doc)


def _deep(depth: int) -> str:
    return "{type: object, properties: {a: " * depth + "{type: string}" + "}}" * depth


def _status(code: str) -> Callable[[Document], None]:
    def mutate(doc: Document) -> None:
        responses = _first_operation(doc)["responses"]
        responses[code] = responses.pop(next(iter(responses)))

    return mutate


DOCUMENT_MUTATIONS: dict[str, Callable[[Document], None]] = {
    "delete-openapi": _delete(_root, "openapi"),
    "delete-info": _delete(_root, "info"),
    "delete-info-title": _delete(_info, "title"),
    "delete-info-version": _delete(_info, "version"),
    "delete-parameter-name": _delete(_first_parameter, "name"),
    "delete-parameter-in": _delete(_first_parameter, "in"),
    "delete-response-description": _delete(_first_response, "description"),
    "type-info-list": _set(_root, "info", ["T", "1"]),
    "type-paths-string": _set(_root, "paths", "/everywhere"),
    "type-openapi-number": _set(_root, "openapi", 3.1),
    "type-responses-number": _set(_first_operation, "responses", 5),
    "type-parameters-mapping": _set(_first_operation, "parameters", {"name": "q"}),
    "type-operation-id-number": _set(_first_operation, "operationId", 7),
    "type-schema-type-number": _set(_first_schema, "type", 5),
    "type-required-string": _set(_first_schema, "required", "yes"),
    "type-properties-list": _set(_first_schema, "properties", ["a", "b"]),
    "type-servers-mapping": _set(_root, "servers", {"url": "https://x.test"}),
    "ref-dangling": _ref_everywhere("#/components/schemas/Nope"),
    "ref-into-nothing": _ref_everywhere("#/nowhere/at/all"),
    "ref-external": _ref_everywhere("other.yaml#/X"),
    "ref-malformed": _ref_everywhere("::not a pointer::"),
    "ref-cycle": _cycle,
    "ref-self": _self_reference,
    "duplicate-operation-ids": _duplicate_operation_ids,
    "regex-unclosed-group": _pattern("([a-z"),
    "regex-bad-quantifier": _pattern("*abc"),
    "regex-bad-escape": _pattern("\\"),
    "regex-unclosed-class": _pattern("[a-"),
    "path-parameter-unbound": _path_template_without_parameter,
    "status-not-a-code": _status("2000"),
    "status-words": _status("ok"),
    "schema-nested-300-deep": _deep_schema,
    "schema-nested-3000-deep": _deep_schema,
}


@pytest.mark.parametrize("base", ["tiny", "widgets"])
@pytest.mark.parametrize("mutation", list(DOCUMENT_MUTATIONS))
def test_a_broken_document_is_a_located_error(workspace: Workspace, base: str, mutation: str) -> None:
    if mutation == "duplicate-operation-ids" and base == "tiny":
        pytest.skip("tiny has one operation")
    doc = copy.deepcopy(TINY if base == "tiny" else WIDGETS)
    DOCUMENT_MUTATIONS[mutation](doc)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    text = text.replace(DEEP, _deep(int(mutation.split("-")[2])) if "deep" in mutation else DEEP)
    _check(workspace, f"{base}-{mutation}", lambda folder: _write(folder, "tiny.yaml", text.encode()))


# --------------------------------------------------------------------------- mutations of bytes


def _bomb(levels: int, width: int) -> bytes:
    """A YAML alias bomb: `width`^`levels` values from a few hundred bytes."""
    lines = ["a0: &a0 [x]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return ("\n".join(lines) + "\n").encode()


def _inside_tiny(fragment: bytes) -> bytes:
    """The valid tiny spec with `fragment` (YAML mapping lines) under an extension key."""
    return TINY_SPEC.encode() + b"x-extra:\n" + b"".join(b"  " + line + b"\n" for line in fragment.splitlines())


RAW = TINY_SPEC.encode()
BYTE_MUTATIONS: dict[str, tuple[str, bytes]] = {
    "empty": ("tiny.yaml", b""),
    "whitespace": ("tiny.yaml", b" \n\t\n"),
    "null": ("tiny.yaml", b"~\n"),
    "scalar": ("tiny.yaml", b"42\n"),
    "list": ("tiny.yaml", b"- openapi\n- 3.1.0\n"),
    "non-utf8-in-a-string": ("tiny.yaml", RAW.replace(b"title: Tiny", b"title: Ti\xff\xfe\x80ny")),
    "latin-1": ("tiny.yaml", RAW.replace(b"title: Tiny", "title: Tïny".encode("latin-1"))),
    "nul-bytes": ("tiny.yaml", RAW.replace(b"summary", b"sum\x00mary")),
    "bom-and-garbage": ("tiny.yaml", b"\xef\xbb\xbf\x00\x01\x02" + RAW),
    "truncated-a-third": ("tiny.yaml", RAW[: len(RAW) // 3]),
    "truncated-two-thirds": ("tiny.yaml", RAW[: 2 * len(RAW) // 3]),
    "tab-indentation": ("tiny.yaml", RAW.replace(b"\n  /things", b"\n\t/things")),
    "unclosed-flow-mapping": ("tiny.yaml", RAW.replace(b"{title: Tiny, ", b"{title: Tiny, [")),
    "nested-100000-deep": ("tiny.yaml", b"x: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
    "alias-bomb-9-9": ("tiny.yaml", _bomb(9, 9)),
    "alias-bomb-in-a-valid-spec": ("tiny.yaml", _inside_tiny(_bomb(7, 10))),
    "recursive-alias": ("tiny.yaml", _inside_tiny(b"loop: &loop [*loop]")),
    "json-trailing-comma": ("tiny.json", json.dumps(TINY).encode()[:-1] + b",}"),
    "json-nan": ("tiny.json", json.dumps({**TINY, "x-n": float("nan")}).encode()),
    "json-non-utf8": ("tiny.json", json.dumps(TINY).encode().replace(b"Tiny", b"T\xffny")),
    "json-deep": ("tiny.json", b"[" * 100_000 + b"]" * 100_000),
}


@pytest.mark.parametrize("mutation", list(BYTE_MUTATIONS))
def test_broken_bytes_are_a_located_error(workspace: Workspace, mutation: str) -> None:
    name, content = BYTE_MUTATIONS[mutation]
    _check(workspace, mutation, lambda folder: _write(folder, name, content))


# --------------------------------------------------------------------------- paths that are no spec


def _huge(folder: Path) -> list[str]:
    path = folder / "tiny.yaml"
    with path.open("wb") as sparse:
        sparse.truncate(MAX_SPEC_BYTES + 1)
    return [path.name]


def _folder(folder: Path) -> list[str]:
    (folder / "tiny.yaml").mkdir()
    return ["tiny.yaml"]


def _fifo(folder: Path) -> list[str]:
    os.mkfifo(folder / "tiny.yaml")
    return ["tiny.yaml"]


def _symlink_loop(folder: Path) -> list[str]:
    (folder / "tiny.yaml").symlink_to(folder / "loop.yaml")
    (folder / "loop.yaml").symlink_to(folder / "tiny.yaml")
    return ["tiny.yaml"]


def _dangling_symlink(folder: Path) -> list[str]:
    (folder / "tiny.yaml").symlink_to(folder / "nowhere.yaml")
    return ["tiny.yaml"]


def _missing(folder: Path) -> list[str]:
    return ["tiny.yaml"]


def _output_is_a_file(folder: Path) -> list[str]:
    (folder / "output").write_text("not a folder")
    return [*_write(folder, "tiny.yaml", RAW), "--output", "output"]


def _output_under_a_file(folder: Path) -> list[str]:
    (folder / "output").write_text("not a folder")
    return [*_write(folder, "tiny.yaml", RAW), "--output", "output/inside"]


PATH_CASES: dict[str, Callable[[Path], list[str]]] = {
    "huge": _huge,
    "a-folder": _folder,
    "a-fifo": _fifo,
    "a-symlink-loop": _symlink_loop,
    "a-dangling-symlink": _dangling_symlink,
    "missing": _missing,
    "output-is-a-file": _output_is_a_file,
    "output-under-a-file": _output_under_a_file,
}


@pytest.mark.parametrize("case", list(PATH_CASES))
def test_a_path_that_is_no_spec_is_a_located_error(workspace: Workspace, case: str) -> None:
    _check(workspace, case, PATH_CASES[case])


# --------------------------------------------------------------------------- through the command line itself


COMMAND_LINE_CASES: dict[str, Callable[[Path], list[str]]] = {
    "document-nested-600-deep": lambda folder: _write(
        folder, "tiny.yaml", TINY_SPEC.encode() + b"x-deep: " + _deep(300).encode() + b"\n"
    ),
    "alias-bomb-in-a-valid-spec": lambda folder: _write(
        folder, "tiny.yaml", BYTE_MUTATIONS["alias-bomb-in-a-valid-spec"][1]
    ),
    "a-fifo": _fifo,
}


@pytest.mark.parametrize("case", list(COMMAND_LINE_CASES))
def test_the_command_line_answers_what_its_workers_or_a_blocking_read_would_choke_on(
    workspace: Workspace, case: str
) -> None:
    folder = workspace.root / "command-line" / case
    folder.mkdir(parents=True)
    arguments = [*COMMAND_LINE_CASES[case](folder), "--output", str(workspace.output)]
    before = snapshot(workspace.output)
    command = [sys.executable, "-m", "generator", "generate", *arguments]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        done = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=CASE_SECONDS, env=environment, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: no answer within {CASE_SECONDS} s")
    _assert_located(case, Outcome(done.returncode, done.stdout, done.stderr, None), folder, workspace)
    assert snapshot(workspace.output) == before, f"{case}: the output folder changed"


# --------------------------------------------------------------------------- the check


def _write(folder: Path, name: str, content: bytes) -> list[str]:
    (folder / name).write_bytes(content)
    return [name]


def _check(workspace: Workspace, case: str, prepare: Callable[[Path], list[str]]) -> None:
    """Run `generate` in a fresh folder on what `prepare` made there (paths relative to it): bounded, no traceback,
    exit 1 or 2 with every problem located in a path the case named, and the output folder byte-identical."""
    folder = workspace.root / "cases" / case
    folder.mkdir(parents=True)
    arguments = prepare(folder)
    if "--output" not in arguments:
        arguments += ["--output", str(workspace.output)]
    before = snapshot(workspace.output)
    outcome = workspace.helper.run(["generate", *arguments], folder)
    assert outcome is not None, f"{case}: no answer within {CASE_SECONDS} s"
    _assert_located(case, outcome, folder, workspace)
    assert snapshot(workspace.output) == before, f"{case}: the output folder changed"


def _assert_located(case: str, outcome: Outcome, folder: Path, workspace: Workspace) -> None:
    """No traceback, exit 1 or 2, and every problem located in the case's folder or the output."""
    assert outcome.raised is None, outcome.raised
    assert "Traceback" not in outcome.err + outcome.out, outcome.err
    assert outcome.code in (1, 2), (outcome.code, outcome.out, outcome.err)
    problems = [line for line in outcome.err.splitlines() if line.startswith("  ")]
    assert problems, outcome.err
    for line in problems:
        located = PROBLEM.match(line)
        assert located is not None, line
        where = Path(os.path.abspath(folder / located["file"]))
        assert where.is_relative_to(folder) or where.is_relative_to(workspace.output), (case, line)
