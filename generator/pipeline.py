"""One spec in, one package's files out (in memory): load, parse, generate models, render, format."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.errors import GenerationError, Problem, display_path
from generator.ir import Api, exception_name
from generator.loader import LoadedSpec, load_spec
from generator.models import generate_models
from generator.parser import parse_api
from generator.render import RUNTIME, header, render, uses_literal

# Runtime modules every package carries; `server` and `receiver` need Starlette and are imported only by `server.py`
# and `webhooks.py`.
RUNTIME_MODULES = (
    "__init__",
    "auth",
    "calls",
    "client",
    "model",
    "params",
    "receiver",
    "server",
    "signing",
    "verify",
    "webhooks",
)
_ENVELOPE_CLASSES = {"huawei": "HuaweiEnvelope", "volcengine": "VolcengineEnvelope", "plain": "HuaweiEnvelope"}


@dataclass(frozen=True)
class Package:
    """A generated package: its name, the IR it came from, and its files by relative path."""

    name: str
    api: Api
    files: dict[str, bytes]
    model_count: int


def generator_fingerprint() -> str:
    """A digest of everything that shapes the output besides the spec: the version, code, templates and runtime."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".jinja")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_package(spec_path: Path) -> Package:
    """Every file of the package generated from `spec_path`; raises GenerationError with all problems found."""
    return build_packages([spec_path])[0]


def build_packages(spec_paths: Sequence[Path]) -> list[Package]:
    """The packages of several specs, or one GenerationError with the problems of every spec that failed.

    Validation (openapi-spec-validator, the slowest step) runs in a forked worker while this process generates
    models and renders templates, so that a regeneration uses both cores; nothing is returned unless both agree.
    """
    with _validation_in_background(spec_paths) as validation:
        drafts: list[tuple[Api, int, dict[str, str], str]] = []
        problems: list[Problem] = []
        for path in spec_paths:
            try:
                drafts.append(_draft(load_spec(path, validate=False)))
            except GenerationError as exc:
                problems.extend(exc.problems)
            except Exception:  # an invalid spec can trip the parser; the validator then says why
                if not validation.problems_for(path):
                    raise
        invalid = validation.problems()
    # For a spec the validator rejected, its problems say it all; what the parser tripped on there is noise.
    rejected = {p.file for p in invalid}
    problems = [*invalid, *(p for p in problems if p.file not in rejected)]
    if problems:
        raise GenerationError(problems)
    specs = {api.package: display_path(path) for (api, *_), path in zip(drafts, spec_paths, strict=True)}
    formatted = _ruff(
        {f"{api.package}/{name}": text for api, _, files, _ in drafts for name, text in files.items()}, specs
    )
    packages = []
    for api, model_count, files, document_json in drafts:
        out = {name: formatted[f"{api.package}/{name}"].encode() for name in files}
        out["py.typed"] = b""
        out["openapi.json"] = document_json.encode()
        packages.append(Package(api.package, api, dict(sorted(out.items())), model_count))
    return packages


def _draft(spec: LoadedSpec) -> tuple[Api, int, dict[str, str], str]:
    """The IR, model count, unformatted Python files and served spec of one (not yet validated) spec."""
    api, registry = parse_api(spec)
    models_code = generate_models(registry)
    context = _template_context(api)
    top = header(api)
    files: dict[str, str] = {
        "__init__.py": render("__init__.py.jinja", api, **context),
        "client.py": render("client.py.jinja", api, **context),
        "server.py": render("server.py.jinja", api, **context),
        "models.py": top
        + "# ruff: noqa: E501 - schema descriptions are kept whole\n"
        + '"""Pydantic models of every schema in the spec (datamodel-code-generator)."""\n\n'
        + models_code,
    }
    if api.webhooks:
        files["webhooks.py"] = render("webhooks.py.jinja", api, **context)
    for module in RUNTIME_MODULES:
        files[f"_runtime/{module}.py"] = top + (RUNTIME / f"{module}.py").read_text(encoding="utf-8")
    document_json = json.dumps(spec.document, indent=2, ensure_ascii=False) + "\n"
    return api, len(registry.schemas), files, document_json


class _Validation:
    """Problems per spec from openapi-spec-validator, fetched on first use (possibly from a worker)."""

    def __init__(self, results: Callable[[], dict[str, list[Problem]]]) -> None:
        self._results = results

    def problems_for(self, path: Path) -> list[Problem]:
        return self._results().get(str(path), [])

    def problems(self) -> list[Problem]:
        return [p for problems in self._results().values() for p in problems]


def _validate_all(spec_paths: Sequence[Path]) -> dict[str, list[Problem]]:
    results: dict[str, list[Problem]] = {}
    for path in spec_paths:
        try:
            load_spec(path)
        except GenerationError as exc:
            results[str(path)] = exc.problems
    return results


@contextmanager
def _validation_in_background(spec_paths: Sequence[Path]) -> Iterator[_Validation]:
    """Validate in a forked worker where fork exists (Linux), else in this process before generating."""
    if "fork" not in multiprocessing.get_all_start_methods():
        results = _validate_all(spec_paths)
        yield _Validation(lambda: results)
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        future = pool.submit(_validate_all, list(spec_paths))
        yield _Validation(future.result)


def _template_context(api: Api) -> dict[str, object]:
    base_error = "".join(p[:1].upper() + p[1:] for p in api.package.split("_")) + "Error"
    scope: dict[str, object] = next(
        (s.details.get("credential-scope", {}) for s in api.security_schemes if s.details), {}
    )
    return {
        "base_error": base_error,
        "error_classes": [(status, exception_name(status)) for status in api.error_statuses],
        "envelope_class": _ENVELOPE_CLASSES[api.envelope],
        "envelope_service": str(scope.get("service", "")),
        "envelope_region": str(scope.get("region", "")),
        "default_url": api.servers[0].url if api.servers else "http://localhost",
        "uses_literal": uses_literal(api),
        "body_encoders": sorted({f"encode_{op.body.encoding}" for op in api.operations if op.body} - {"encode_json"}),
        "uses_optional_json_body": any(
            op.body is not None and not op.body.required and op.body.encoding == "json" for op in api.operations
        ),
        "vendor_auth": "huawei"
        if {"huawei-sdk-hmac-sha256", "huawei-token"} & set(api.signings)
        else "volcengine"
        if "volcengine-hmac-sha256-v4" in api.signings
        else "",
        "has_empty_success": any(op.has_empty_success for op in api.operations),
    }


def _ruff(files: dict[str, str], specs: dict[str, str]) -> dict[str, str]:
    """Format and lint-fix the Python files with ruff, isolated from any project configuration (determinism).

    A file ruff cannot parse is a template bug met by this spec: the problem names the spec and the file.
    """
    with tempfile.TemporaryDirectory(prefix="streamspec-ruff-") as tmp:
        root = Path(tmp)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        settings = ["--isolated", "--line-length", "120", "--target-version", "py311"]
        lint = [*settings, "--select", "I,F401,UP,RUF022", "--fix", "--exit-zero", "--quiet"]
        # pydantic copies mutable defaults, so RUF012 is silenced where a spec default is a list or object.
        models = sorted(name for name in files if name.endswith("/models.py"))
        mutable = [*settings, "--select", "RUF012", "--add-noqa", "--quiet", *models]
        for args in (["check", *lint, "."], ["check", *mutable], ["format", *settings, "."]):
            done = subprocess.run(
                [sys.executable, "-m", "ruff", *args], cwd=root, capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                output = (done.stderr + done.stdout).strip()
                broken = sorted({m for m in re.findall(r"([\w.-]+/[\w./-]+\.py)", output) if m in files}) or ["?"]
                package = broken[0].split("/", 1)[0]
                raise GenerationError(
                    [
                        Problem(
                            specs.get(package, package),
                            "",
                            "render.ruff",
                            f"rendered {broken[0]} is not valid Python (ruff {args[0]}): {output[:2000]}",
                        )
                    ]
                )
        return {name: (root / name).read_text(encoding="utf-8") for name in files}
