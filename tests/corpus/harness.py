"""Runs documents nobody here wrote through the generator and judges the result as a user would.

For each document: does openapi-spec-validator accept it; does it generate (or is it refused, and where); is the
package clean (it imports, passes ruff under this project's configuration and `mypy --strict`); and does every
operation's every documented success response parse through the generated client (a mock transport answering
with bodies generated from the response schemas, the call made with arguments generated from the request's).
Shared by the corpus test (`test_corpus.py`) and the report in `bench/corpus_report.py`.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from generator.errors import GenerationError, Problem
from generator.instances import InstanceGenerator, UnsatisfiableSchema
from generator.ir import Operation, Response, ResponseVariant
from generator.loader import load_spec, resolve_pointer, validate_document
from generator.package_tests import arguments as valid_arguments
from generator.package_tests import operation_node
from generator.pipeline import Package, build_packages
from generator.writer import write_packages

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
STRIPE = SHARED / "bench" / "stripe-spec3.yaml"
PYPROJECT = ROOT / "pyproject.toml"
UNSATISFIABLE = {
    # Documents that say, on purpose, that nothing valid can be sent: the operation cannot be called with valid
    # arguments, so only its refusal to send invalid ones can be shown.
    ("readme__schema_types_31.yaml", "quirks_entirelyIncompatibleAllOf"): "allOf of a string and an integer",
    ("readme__schema_types_31.yaml", "quirks_partiallyUsableIncompatibleAllOf"): "allOf of a string and an integer",
}


def corpus_documents() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml", ".json")) if CORPUS.is_dir() else []


@dataclass
class Outcome:
    """What became of one document."""

    document: Path
    valid: bool
    """openapi-spec-validator accepts it."""
    package: Package | None = None
    problems: list[Problem] = field(default_factory=list)
    crash: str = ""
    """A traceback: never acceptable."""

    @property
    def status(self) -> str:
        return "crashed" if self.crash else "generated" if self.package else "refused"


def validator_accepts(path: Path) -> bool:
    try:
        return not validate_document(load_spec(path, validate=False))
    except GenerationError:
        return False


def generate(paths: Sequence[Path], out: Path) -> list[Outcome]:
    """Generate each document on its own (one refusal must not hide another's result) into `out`."""
    outcomes = []
    for path in paths:
        outcome = Outcome(path, validator_accepts(path))
        try:
            (outcome.package,) = build_packages([path])
            write_packages(out, [(outcome.package.name, outcome.package.files, "")])
        except GenerationError as exc:
            outcome.problems = exc.problems
        except Exception:
            outcome.crash = traceback.format_exc()
        outcomes.append(outcome)
    return outcomes


def ruff_findings(out: Path, names: Sequence[str]) -> dict[str, list[str]]:
    """Findings of ruff under this project's configuration, by package."""
    found: dict[str, list[str]] = {}
    for args in (["check", "--output-format", "json"], ["format", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(PYPROJECT), *names],
            cwd=out,
            capture_output=True,
            text=True,
            check=False,
        )
        if args[0] == "check":
            for finding in json.loads(done.stdout or "[]"):
                package = Path(finding["filename"]).relative_to(out).parts[0]
                found.setdefault(package, []).append(f"{finding['code']} {finding['filename']}:{finding['location']}")
        else:
            for line in done.stdout.splitlines():
                if line.startswith("Would reformat: "):
                    found.setdefault(line.split(": ", 1)[1].split("/")[0], []).append(line)
    return found


def mypy_errors(out: Path, names: Sequence[str]) -> dict[str, list[str]]:
    """`mypy --strict` errors under this project's configuration (pydantic plugin included), by package."""
    if not names:
        return {}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(PYPROJECT), "--strict", "--no-incremental", *names],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    found: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        if ": error:" in line:
            found.setdefault(line.split("/", 1)[0], []).append(line)
    return found


_IMPORT_ALL = """
import importlib, json, os, sys, traceback
failed = {}
for name in sys.argv[1:]:
    for module in ("", ".models", ".client", ".server", ".webhooks"):
        if module and not os.path.exists(os.path.join(name, module[1:] + ".py")):
            continue
        try:
            importlib.import_module(name + module)
        except Exception:
            failed[name] = traceback.format_exc(limit=2)
print(json.dumps(failed))
"""


def import_errors(out: Path, names: Sequence[str]) -> dict[str, str]:
    """Packages whose modules (package, models, client, server, webhooks) do not import, in one fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _IMPORT_ALL, *names], cwd=out, capture_output=True, text=True)
    if done.returncode:
        return {"(interpreter)": done.stderr}
    found: dict[str, str] = json.loads(done.stdout)
    return found


@contextmanager
def imported(out: Path, name: str) -> Iterator[ModuleType]:
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(out))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


# --------------------------------------------------------------------------- exercising the client


def _response_schema(document: Mapping[str, Any], op: Operation, response: Response, media: str) -> Any:
    raw = operation_node(document, op)["responses"]
    key = next(k for k in raw if str(k).upper() == response.key or str(k) == response.key)
    obj = raw[key]
    if isinstance(obj, dict) and "$ref" in obj:
        obj = resolve_pointer(document, obj["$ref"][1:])
    return obj["content"][media].get("schema", {})


def _reply_body(generator: InstanceGenerator, schema: Any, variant: ResponseVariant) -> tuple[bytes, Any]:
    if variant.kind == "json":
        value = generator.generate(schema, direction="response", variant="full") if schema else {"any": "json"}
        return json.dumps(value).encode(), value
    if variant.kind == "text":
        return b"some text", "some text"
    return b"\x00\x01binary", b"\x00\x01binary"


def _status(response: Response) -> int:
    if response.status is not None:
        return response.status
    return (response.status_class or 2) * 100


def exercise(out: Path, package: Package, document_path: Path) -> list[str]:
    """Call every operation through the generated client once per documented success response and media type,
    answered by a mock transport with a body generated from that response's schema; the failures, described."""
    document = load_spec(document_path, validate=False).document
    generator = InstanceGenerator(document)
    failures: list[str] = []
    with imported(out, package.name) as module:
        runtime_model = importlib.import_module(f"{package.name}._runtime.model")
        for op in package.api.operations:
            try:
                arguments = valid_arguments(generator, document, op)
            except UnsatisfiableSchema as exc:
                failures.append(f"{op.operation_id}: no valid arguments to send: {exc}")
                continue
            for response in op.successes:
                variants = response.variants or (None,)
                for variant in variants:
                    label = f"{op.operation_id} -> {response.key} {variant.media_type if variant else '(no body)'}"
                    try:
                        if variant is None:
                            content, expected, media = b"", None, None
                        else:
                            schema = _response_schema(document, op, response, variant.media_type)
                            content, expected = _reply_body(generator, schema, variant)
                            media = variant.media_type.replace("*", "x")
                    except UnsatisfiableSchema as exc:
                        failures.append(f"{label}: no valid body to answer with: {exc}")
                        continue
                    reply = httpx.Response(
                        _status(response), content=content, headers={"Content-Type": media} if media else {}
                    )
                    transport = httpx.MockTransport(lambda request, reply=reply: reply)
                    client = module.Client(base_url="http://api.test", transport=transport)
                    try:
                        result = getattr(client, op.py_name)(**arguments)
                    except Exception as exc:
                        failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:400]}")
                        continue
                    finally:
                        client.close()
                    if variant is not None and variant.kind == "json" and variant.model:
                        dumped = runtime_model.dump_value(None, result)
                        if dumped != expected:  # nothing received is lost or changed
                            failures.append(
                                f"{label}: parsed {dumped!r:.300} is not the body received {expected!r:.300}"
                            )
    return failures
