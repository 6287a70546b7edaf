"""Server-side contract fuzzing: schemathesis drives a hand-written spec against a server and checks every answer.

One engine serves the test suite (`tests/contract/`), `python -m generator fuzz` and the benchmark, so CI, users and
the benchmark run exactly the same thing. The target is either an emulator in process (ASGI, a fresh in-memory
store per run) or any running server given its base URL: a vendor's deployment or another implementation.

All of schemathesis' default checks run in its examples, coverage, fuzzing and stateful phases (the spec's links
drive the stateful phase). Where the vendor documents an answer a check would call wrong (`generator.answers`: the
profile's vendor-wide `documented_answers`, a spec's `x-documented-answers` on an operation), that check is replaced
for the operations affected by a `streamspec_` version that accepts exactly those answers (`generator.answer_checks`);
nothing is switched off.

Signing: the vendors sign the request itself (method, path, query, headers, body), so credentials cannot be fixed
headers, and they must come through schemathesis' auth mechanism so that its negative cases can leave them out.
`SigningAuthProvider` is a schemathesis auth provider: schemathesis skips it for cases that deliberately omit or
corrupt the credentials, and otherwise it attaches `WireSigner`, a `requests` auth hook that `requests` calls on the
fully prepared request, after serialisation: it signs the exact URL, headers and body bytes that go on the wire
(through the runtime's own signers in `runtime/auth.py`), for the in-process ASGI transport and the network alike.
Headers the signer owns (`x-auth-managed` in the spec: X-Sdk-Date, X-Project-Id, X-Date, ...) are dropped from
generated cases, as an SDK would set them, unless the case is a negative one that corrupted such a header on
purpose: then the corrupted value is what is sent, so the server must reject it.
"""

from __future__ import annotations

import copy
import json
import shlex
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import requests
import schemathesis
from schemathesis.auths import AuthContext, RequestsAuth
from schemathesis.core.parameters import ParameterLocation
from schemathesis.engine import events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.generation.case import Case
from schemathesis.generation.meta import negated_parameters

from generator.answer_checks import answered
from generator.answers import Answers, answers_of
from generator.conformance import Answer, SpecResponses, check_answer
from generator.coverage import SpecCoverage, shape
from generator.emulator import NAMES
from generator.emulator.serve import DEFAULT_PORT
from generator.inprocess import wrap
from generator.loader import load_spec
from generator.profiles import resolve
from generator.profiles.base import ContractHooks, Profile, Signer
from generator.spec_files import package_name

if TYPE_CHECKING:
    from schemathesis.schemas import BaseSchema

    from generator.emulator.credentials import LocalCredentials

__all__ = [
    "PHASES",
    "Credentials",
    "Failure",
    "FuzzOptions",
    "SigningAuthProvider",
    "SpecReport",
    "Target",
    "WireSigner",
    "contract_hooks",
    "emulator_run",
    "emulator_target",
    "emulator_variants",
    "format_report",
    "fuzz_spec",
    "job_shards",
    "load_schema",
    "mock_run",
    "profile_of",
    "read_spec",
    "shard_operations",
]

PHASES = ("examples", "coverage", "fuzzing", "stateful")
Credentials = Any
"""A profile's credentials (its `ContractHooks` make and use them)."""
Progress = Callable[[str], None]
Emit = Callable[[dict[str, Any]], None]
"""Receives the run's events (the `--ndjson` stream)."""
HEARTBEAT_SECONDS = 10.0
"""A progress line at most this often while a phase runs (phases of a deep run take minutes)."""
_SECRET_HEADERS = frozenset({"authorization", "x-auth-token", "x-security-token"})
_TRANSPORT_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
_GAP_CHECKS = frozenset({"status_code_conformance", "content_type_conformance", "response_schema_conformance"})


@dataclass(frozen=True)
class Target:
    """Where the requests go: an ASGI app in process, or a running server at `base_url`."""

    base_url: str
    app: Any = None
    local: bool = True
    """A remote target is a real server: its documented rate limits are respected."""
    label: str = ""
    """How reports name the target (default: its base URL)."""
    openapi_auth: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """schemathesis' `auth.openapi` settings: credentials by security scheme (a mock's, for the standard schemes)."""
    on_phase: Callable[[str], None] | None = None
    """Told when each phase starts (a stateful mock starts its memory afresh for the stateful phase)."""
    gaps: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    """Rejections the target must give but the spec does not document (`generator.mock.gaps`), by operation label:
    reported as notes on the spec, not as failures of the target."""
    also: tuple[tuple[str, Any], ...] = ()
    """Further credentials the target accepts, by name: the run repeats its passes with each (an emulator of a
    Huawei spec: an IAM token besides AK/SK), failures naming it beside the phase."""


@dataclass(frozen=True)
class FuzzOptions:
    """How much to run: `max_examples` bounds the fuzzing and stateful phases (examples and coverage are fixed)."""

    max_examples: int = 100
    seed: int | None = None
    phases: tuple[str, ...] = PHASES
    shard: tuple[int, int] | None = None
    """(I, N): run the I-th of N deterministic parts of the operations (`shard_operations`); None runs them all."""
    variant: str | None = None
    """Run the passes of these credentials only (a `Target.also` name, "" the first), so that `fuzz --jobs` can give
    each its own process; None runs them all."""


@dataclass(frozen=True)
class Failure:
    """One problem found: which check failed where, what came back, and a request that reproduces it."""

    operation: str
    check: str
    title: str
    message: str
    phase: str
    status: int | None = None
    response: str = ""
    request: str = ""
    exchange: Mapping[str, Any] | None = None
    """The request as sent (`cassettes.exchange`, credentials masked) and the status it got, for `--replay`."""

    def as_json(self, *, with_response: bool = True) -> dict[str, Any]:
        """The failure as JSON data (reports; `with_response=False` for the event stream)."""
        data: dict[str, Any] = {
            "operation": self.operation,
            "check": self.check,
            "title": self.title,
            "message": self.message,
            "phase": self.phase,
            "status": self.status,
        }
        if with_response:
            data["response"] = self.response
        data["request"] = self.request
        return data

    def render(self) -> str:
        lines = [f"{self.operation} — {self.check} ({self.phase}): {self.title}"]
        lines += [f"    {line}" for line in self.message.strip().splitlines()]
        if self.status is not None:
            lines.append(f"    response: {self.status} {self.response}".rstrip())
        if self.request:
            lines.append("    reproduce:")
            lines += [f"      {line}" for line in self.request.splitlines()]
        return "\n".join(lines)


@dataclass
class SpecReport:
    """The outcome of fuzzing one spec."""

    spec: str
    target: str
    seed: int | None = None
    """The run's seed (drawn when none was given): `--seed` repeats the run."""
    cases: dict[str, int] = field(default_factory=dict)
    """Requests sent per phase."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Time spent per phase."""
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the spec leaves undocumented that the run met (see `Target.gaps`)."""
    checks: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    """By operation label and check: [cases that passed it, cases that failed it] (the JUnit report's cases)."""
    coverage: SpecCoverage | None = None
    shard: str | None = None
    """`I/N` for a shard's run."""
    elapsed: float = 0.0

    @property
    def total_cases(self) -> int:
        return sum(self.cases.values())

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def throughput(self) -> float:
        """Cases per second."""
        return self.total_cases / self.elapsed if self.elapsed else 0.0

    def summary(self) -> str:
        phases = ", ".join(f"{phase} {count}" for phase, count in self.cases.items())
        verdict = "ok" if self.ok else f"{len(self.failures)} failure(s)"
        return (
            f"{self.spec} against {self.target}: {verdict}; {self.total_cases} cases ({phases}) "
            f"in {self.elapsed:.1f} s, {self.throughput:.0f} cases/s; seed {self.seed}"
        )


def format_report(reports: Sequence[SpecReport]) -> str:
    """The readable report: every failure with its reproducing request, then one summary line per spec."""
    blocks = [failure.render() for report in reports for failure in report.failures]
    notes = [f"  {report.spec}: {note}" for report in reports for note in report.notes]
    blocks += ["notes on the specs (not failures):", *notes] if notes else []
    lines = [*blocks, *(["", "summary:"] if blocks else ["summary:"])]
    lines += [f"  {report.summary()}" for report in reports]
    return "\n".join(lines)


# --- credentials and signing ---------------------------------------------------------------------------------


def profile_of(spec_path: Path) -> Profile:
    """The profile the spec selects (`generator.profiles.resolve`); a spec whose selection is wrong is refused."""
    profile, problems = resolve(load_spec(spec_path, validate=False))
    if problems:
        raise ValueError("; ".join(str(problem) for problem in problems))
    return profile


def contract_hooks(spec_path: Path) -> ContractHooks | None:
    """The signing hooks of the spec's profile; None when it signs nothing (its requests go out unsigned)."""
    return profile_of(spec_path).contract_hooks()


def _parameters(raw: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every parameter of every operation, `$ref`s to components resolved."""
    components = raw.get("components", {}).get("parameters", {})
    for item in raw.get("paths", {}).values():
        lists = [item.get("parameters", [])]
        lists += [op.get("parameters", []) for op in item.values() if isinstance(op, Mapping)]
        for parameter in (p for group in lists for p in group):
            ref = parameter.get("$ref", "")
            yield components.get(ref.rpartition("/")[2], {}) if ref else parameter


def auth_managed_headers(raw: Mapping[str, Any]) -> frozenset[str]:
    """Lower-cased names of the headers the signer sets (`x-auth-managed: true`)."""
    return frozenset(
        p["name"].lower() for p in _parameters(raw) if p.get("in") == "header" and p.get("x-auth-managed") is True
    )


def _latin1(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("latin-1")


class WireSigner(requests.auth.AuthBase):
    """A `requests` auth hook: signs the prepared request, i.e. exactly what goes on the wire.

    `kept` are signer-owned headers that a negative case corrupted on purpose: they are set aside while signing and
    sent as the case has them, so the signature no longer matches them and the server has to reject the request.
    """

    def __init__(self, signer: Signer, kept: Iterable[str] = ()) -> None:
        self.signer = signer
        self.kept = frozenset(kept)

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        kept = {name: value for name, value in prepared.headers.items() if name.lower() in self.kept}
        sent = prepared.body
        body = sent.encode() if isinstance(sent, str) else sent or b""
        if not isinstance(body, bytes):
            raise TypeError("a streamed request body cannot be signed")
        prepared.body = body  # bytes from here on, so the encoding signed is the one sent
        request = httpx.Request(
            prepared.method or "GET",
            prepared.url or "",
            # Header values travel as Latin-1 (requests and the ASGI transport alike); httpx would assume ASCII.
            headers=[(_latin1(k), _latin1(v)) for k, v in prepared.headers.items() if k not in kept],
            content=body,
        )
        # httpx adds Host (and Content-Length) as the wire will carry them; copied back below, the Host that is
        # signed is the one sent, whatever the transport would have made of the URL.
        self.signer.sign(request)
        prepared.url = str(request.url)  # the Huawei signer sends its canonical query, which is what it signed
        prepared.headers.clear()
        prepared.headers.update((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw)
        prepared.headers.update(kept)
        return prepared


class SigningAuthProvider:
    """A schemathesis auth provider that signs each case with fixed credentials (see the module docstring).

    Like a generated client, it also fills the path parameters that name the caller's own tenant
    (`x-client-setting`, e.g. Huawei's `project_id`), so that valid cases reach the operation instead of stopping
    at "these credentials do not belong to that project"; negative cases that corrupt them keep their value.
    """

    def __init__(
        self,
        signer: Signer,
        managed: frozenset[str],
        path_settings: Mapping[str, str] | None = None,
    ) -> None:
        self.signer = signer
        self.managed = managed
        self.path_settings = dict(path_settings or {})

    def get(self, case: Case[Any], context: AuthContext) -> Signer:
        return self.signer

    def set(self, case: Case[Any], data: Signer, context: AuthContext) -> None:
        corrupted = set(negated_parameters(case.meta))
        kept = self.managed & {name.lower() for name, at in corrupted if at is ParameterLocation.HEADER}
        headers = case.headers
        if isinstance(headers, MutableMapping):
            for name in [n for n in headers if n.lower() in self.managed and n.lower() not in kept]:
                del headers[name]
        for name, value in self.path_settings.items():
            if name in case.path_parameters and (name, ParameterLocation.PATH) not in corrupted:
                case.path_parameters[name] = value
        # `RequestsAuth` is how schemathesis' own `set_from_requests` attaches a requests auth hook to a case.
        RequestsAuth[object](WireSigner(data, kept)).set(case, data, context)


def path_settings(raw: Mapping[str, Any], hooks: ContractHooks, credentials: Credentials) -> dict[str, str]:
    """Path parameters that the credentials fill (`x-client-setting`), by name."""
    values = hooks.settings(credentials)
    return {
        p["name"]: values[p["x-client-setting"]]
        for p in _parameters(raw)
        if p.get("in") == "path" and p.get("x-client-setting") in values
    }


# --- running -------------------------------------------------------------------------------------------------


def emulator_target(name: str, credentials: LocalCredentials) -> Target:
    """Emulator `name` in process over a fresh in-memory store.

    Its rate limit is off: the fuzzer tests the contract, not throttling (tests/emulator cover the limit), and a
    10 requests/s limit would only turn most cases into 429s. The base URL is where `python -m generator serve`
    puts the same emulator, so a reported curl command replays against it.
    """
    from generator.emulator.app import EmulatorOptions, create_emulator
    from generator.emulator.store import Store

    app = create_emulator(name, Store(), EmulatorOptions(credentials=credentials, rate_limit=None))
    return Target(base_url=f"http://127.0.0.1:{DEFAULT_PORT + NAMES.index(name)}", app=app, label="emulator")


MOCK_PORT = 4010
"""Where `python -m generator mock` serves by default: reported requests name it, so they replay against it."""


@contextmanager
def mock_run(spec_path: Path, seed: int | None = None) -> Iterator[Target]:
    """The validating mock of the spec (`generator.mock`) in process: its memory is on for the stateful phase only,
    its credentials are sent for the standard schemes, and the rejections the spec leaves undocumented are notes."""
    from generator.mock import MockOptions, load_package, mock_app
    from generator.mock.auth import schemathesis_auth

    with load_package(spec_path) as package:
        app = mock_app(package, MockOptions(seed=seed or 0, stateful=True))
        yield Target(
            base_url=f"http://127.0.0.1:{MOCK_PORT}{app.base_path}",
            app=app,
            label="mock",
            openapi_auth=schemathesis_auth(package.api.security_schemes),
            on_phase=lambda phase: app.handlers.remember(phase == "stateful"),
            gaps=app.gaps,
        )


def read_spec(spec_path: Path) -> dict[str, Any]:
    """The spec document as data (YAML or JSON), read as the generator reads it (`loader.load_spec`)."""
    document: dict[str, Any] = load_spec(spec_path, validate=False).document
    return document


def _local_variants(spec_path: Path, local: LocalCredentials) -> list[tuple[str, Credentials]]:
    """The local credentials the spec's emulator accepts, by name: the first ("") is the run's, the others its
    `Target.also`; none when its profile signs nothing."""
    hooks = contract_hooks(spec_path)
    if hooks is None:
        return []
    (_, first), *others = hooks.local_variants(local).items()
    return [("", first), *others]


def emulator_run(spec_path: Path, local: LocalCredentials | None = None) -> tuple[Target, Credentials | None]:
    """The built-in emulator of the spec at `spec_path` and the local credentials it accepts (default: those of
    `STREAMSPEC_EMULATOR_CREDENTIALS` or the built-in ones, as `serve` uses)."""
    from generator.emulator.credentials import LocalCredentials

    name = package_name(spec_path)
    if name not in NAMES:
        raise ValueError(f"{spec_path} has no built-in emulator (there are {', '.join(NAMES)}): give its server's URL")
    local = local or LocalCredentials.from_env()
    variants = _local_variants(spec_path, local)
    if not variants:
        return emulator_target(name, local), None
    return replace(emulator_target(name, local), also=tuple(variants[1:])), variants[0][1]


def emulator_variants(spec_path: Path) -> tuple[str, ...]:
    """The names of the credentials an emulator run of the spec repeats its passes with (`FuzzOptions.variant`),
    without building the emulator."""
    from generator.emulator.credentials import LocalCredentials

    return tuple(name for name, _ in _local_variants(spec_path, LocalCredentials.from_env())) or ("",)


def _rate_limit(operation: Mapping[str, Any]) -> str | None:
    """The operation's documented rate limit in schemathesis' notation (`10/s`), to respect it on real servers."""
    limit = operation.get("x-rate-limit")
    if not isinstance(limit, Mapping) or "limit" not in limit:
        return None
    return f"{limit['limit']}/{str(limit.get('period', 'second'))[0]}"


def _operations(raw: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for item in raw.get("paths", {}).values():
        yield from (op for op in item.values() if isinstance(op, Mapping) and "operationId" in op)


def _config(
    spec: str, raw: Mapping[str, Any], target: Target, options: FuzzOptions, answers: Answers | None = None
) -> schemathesis.Config:
    per_operation: dict[str, dict[str, Any]] = {}
    for operation_id, checks in (answers or {}).items():
        for check in checks:  # its `streamspec_` version runs instead (`generator.answer_checks`)
            per_operation.setdefault(operation_id, {}).setdefault("checks", {})[check] = {"enabled": False}
    if not target.local:
        for operation in _operations(raw):
            rate = _rate_limit(operation)
            if rate:
                per_operation.setdefault(operation["operationId"], {})["rate-limit"] = rate
    data: dict[str, Any] = {
        "base-url": target.base_url,
        # One thread: a run in process is bound to one core by the GIL anyway, and concurrent threads hit a CPython
        # 3.11 race in `ast` (gh-106905) through hypothesis. `fuzz --workers` runs specs in processes instead.
        "workers": 1,
        "cache": {"enabled": False},  # no state carried between runs: a run depends on its seed only
        "generation": {"max-examples": options.max_examples, "database": "none"},
        # Values learnt from other operations' responses would make one operation's cases depend on which others
        # ran before it in the same pass: off, so that shards add up to the whole run (the stateful phase, a pass of
        # its own, still follows the spec's links).
        "phases": {
            phase: {"enabled": phase in options.phases}
            | ({} if phase == "stateful" else {"extra-data-sources": {"responses": False}})
            for phase in PHASES
        },
        "operations": [{"include-operation-id": op, **settings} for op, settings in per_operation.items()],
    }
    if target.openapi_auth:
        data["auth"] = {"openapi": {name: dict(values) for name, values in target.openapi_auth.items()}}
    if options.seed is not None:
        data["seed"] = options.seed
    return schemathesis.Config.from_dict(data)


def _curl(recorder: ScenarioRecorder, case_id: str) -> str:
    """The request as it was sent (all headers, raw body), as a curl command with its credentials masked."""
    interaction = recorder.interactions.get(case_id)
    if interaction is None:
        return ""
    request = interaction.request
    parts = ["curl", "-X", request.method, request.uri.partition("#")[0]]
    for name, values in request.headers.items():
        if name.lower() in _TRANSPORT_HEADERS:
            continue
        value = values[0] if name.lower() not in _SECRET_HEADERS or not values[0] else "***"
        parts += ["-H", f"{name}: {value}"]
    if request.body:
        parts += ["--data-binary", request.body.decode("utf-8", errors="replace")]
    command = " ".join(shlex.quote(part) for part in parts)
    return f"# credentials masked: sign again to replay\n{command}"


def _exchange(recorder: ScenarioRecorder, case_id: str) -> dict[str, Any] | None:
    """The request as sent and the status it got, credentials masked (a cassette's interaction)."""
    from generator.cassettes import exchange

    interaction = recorder.interactions.get(case_id)
    if interaction is None:
        return None
    request = interaction.request
    headers = [(name, value) for name, values in request.headers.items() for value in values]
    status = interaction.response.status_code if interaction.response is not None else None
    return exchange(request.method, request.uri.partition("#")[0], headers, request.body or b"", status)


def _failures(recorder: ScenarioRecorder, phase: str) -> Iterator[Failure]:
    for parent_id, checks in recorder.checks.items():
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            case_id = info.failure.case_id or parent_id
            node = recorder.cases.get(case_id)
            if node is not None and _unfounded(check.name, phase, node.value):
                continue  # a note instead (`_unfounded_notes`)
            response = recorder.find_response(case_id=case_id)
            yield Failure(
                operation=node.value.operation.label if node else info.failure.operation or recorder.label,
                check=check.name,
                title=info.failure.title,
                message=info.failure.message,
                phase=phase,
                status=response.status_code if response is not None else None,
                response=response.content[:300].decode("utf-8", errors="replace") if response is not None else "",
                request=_curl(recorder, case_id),
                exchange=_exchange(recorder, case_id),
            )


def _unfounded(check: str, phase: str, case: Case[Any]) -> str:
    """Why a failure of `check` on `case` says nothing about the target, or "".

    The stateful phase fills parameters from the spec's links (`orderId: $response.body#/id`) and counts the request
    as valid data. When the spec's links lead to a value that the parameter's own schema refuses (a created id past
    the path parameter's `maximum`), the request is invalid and refusing it is right: `positive_data_acceptance`
    failing there is a fact about the spec (reported as a note), not about the server. Only path and query values
    are judged (they keep their JSON types; headers and cookies are text), and only against their own schemas."""
    if check == "negative_data_rejection":
        return _one_item_list(case) or _no_body(case)
    if check == "positive_data_acceptance" and phase != "stateful":
        return _undefined_style(case)
    if check != "positive_data_acceptance":
        return ""
    refused = []
    for parameters, values in (
        (case.operation.path_parameters, case.path_parameters),
        (case.operation.query, case.query),
    ):
        for parameter in parameters:
            value = (values or {}).get(parameter.name)
            if value is not None and not parameter.get_validator().is_valid(value):
                refused.append(f"{parameter.name}={json.dumps(value, default=str)}")
    if not refused:
        return ""
    return (
        f"{case.operation.label}: its links lead to {', '.join(refused)}, which the parameter's schema refuses "
        "(the stateful phase's valid data was not valid)"
    )


_FIELD_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


def _one_item_list(case: Case[Any]) -> str:
    """Why a negative case that was accepted is no evidence, or "": every value it mutated turned an array into a
    scalar that, written on the wire, is exactly how the one-item list of it is written.

    In every style OpenAPI defines for parameters (form, simple, label, matrix, space/pipe-delimited) and in form and
    multipart bodies, a list of one item has no delimiter: `;ids=5`, `ids=5`, a single part `ids` holding `5`. So a
    mutation of `ids: [5]` into `ids: 5` (or `true`, or `{}` for a list of files, whose part holds the text `{}`)
    sends the very bytes a valid request sends, and no server can refuse it. Judged only when each mutated value is
    an array made a scalar and the list of that scalar (as sent, or as its text) is valid; anything else stays a
    failure."""
    meta = case._meta
    if meta is None or not meta.generation.mode.is_negative:
        return ""
    mutated = list(negated_parameters(meta))
    negative = {location for location, info in meta.components.items() if info.mode.is_negative}
    if not mutated or not negative <= {location for _, location in mutated}:
        return ""  # a mutation this cannot attribute to a named value
    written = []
    value: object
    for name, location in mutated:
        if location == ParameterLocation.BODY:
            body, media = case.body, (case.media_type or "").split(";")[0].strip().lower()
            if media not in _FIELD_MEDIA or not isinstance(body, dict):
                return ""
            bodies = [b for b in case.operation.body if b.media_type.split(";")[0].strip().lower() == media]
            # the coverage phase names the media type, not the field: then any one field may be the mutated one
            fields = [name] if name in body else [k for k, v in body.items() if not isinstance(v, list)]
            found = next(
                (
                    field
                    for field in fields
                    if not isinstance(body[field], list)
                    and bodies
                    and any(bodies[0].is_valid({**body, field: [item]}) for item in _as_items(body[field]))
                ),
                None,
            )
            if found is None:
                return ""
            name, value = found, body[found]
        else:
            parameter = next((p for p in case.operation.iter_parameters() if p.name == name), None)
            values = {
                ParameterLocation.PATH: case.path_parameters,
                ParameterLocation.QUERY: case.query,
                ParameterLocation.HEADER: case.headers,
                ParameterLocation.COOKIE: case.cookies,
            }.get(location)
            if parameter is None or not values or name not in values or "content" in parameter.definition:
                return ""
            scalar = _style_scalar(parameter.definition, values[name])
            if scalar is None or not any(parameter.is_valid([item]) for item in _as_items(scalar)):
                return ""
            value = scalar
        written.append(f"{name}={json.dumps(value, default=str)}")
    return (
        f"{case.operation.label}: {', '.join(written)} is sent exactly as the one-item list of it is "
        "(no style separates a list of one from its item), so accepting it is right"
    )


def _no_body(case: Case[Any]) -> str:
    """Why an accepted negative case is no evidence, or "": its only invalid part is a form body that encodes to
    nothing (`{}` missing a required field is the empty string), for an operation whose body is optional. Zero
    bytes of body are what a request without its optional body sends, which the spec allows."""
    meta = case._meta
    if meta is None or {location for location, info in meta.components.items() if info.mode.is_negative} != {
        ParameterLocation.BODY
    }:
        return ""
    media = (case.media_type or "").split(";")[0].strip().lower()
    bodies = [b for b in case.operation.body if b.media_type.split(";")[0].strip().lower() == media]
    body = case.body
    empty = isinstance(body, dict) and all(value == [] for value in body.values())  # urlencode writes nothing
    if media != "application/x-www-form-urlencoded" or not empty or not bodies or bodies[0].is_required:
        return ""
    return (
        f"{case.operation.label}: its form body encodes to no bytes at all, which is also a request without its "
        "optional body"
    )


def _as_items(value: object) -> list[object]:
    """A scalar as the item of a list: as it is, and as the text it is written as."""
    text = value if isinstance(value, str) else json.dumps(value)
    return [value, text] if text != value else [value]


def _style_scalar(definition: Mapping[str, Any], sent: object) -> object:
    """The single value a parameter's sent text holds in its style (schemathesis sends path values already
    written: `;ids=5`, `.5`), or None when it holds a delimiter (not one value)."""
    from urllib.parse import unquote

    if not isinstance(sent, str):
        return sent if not isinstance(sent, list | dict) else None
    text, style, name = sent, definition.get("style", ""), str(definition.get("name", ""))
    if style == "matrix":
        if not text.startswith(f";{name}="):
            return None
        text = text[len(name) + 2 :]
    elif style == "label":
        if not text.startswith("."):
            return None
        text = text[1:]
    if any(mark in text for mark in ",;|") or (style == "label" and "." in text):
        return None
    return unquote(text) if definition.get("in") == "path" else text


def _undefined_style(case: Case[Any]) -> str:
    """Why a positive case that was refused is no evidence, or "": a header or cookie parameter holding an object
    whose members may themselves be objects or arrays, sent in a text the parameter's style cannot read.

    OpenAPI defines the styles of objects for primitive members only ("the behavior for nested objects and arrays is
    undefined"), and headers and cookies have no escaping for the style's `,` and `=`: schemathesis writes nested
    members as Python's repr (`k={'a': 1}`), which names no value in any style. Judged only where the schema allows
    such members (open `additionalProperties`, or a non-primitive property) and the text does not read as an object
    in the style; a flat object that fails to read stays a failure."""
    from generator.runtime.params import ParamSpec, from_wire

    undefined = []
    for parameter in case.operation.iter_parameters():
        definition = parameter.definition
        location = definition.get("in")
        sent = (case.headers if location == "header" else case.cookies if location == "cookie" else None) or {}
        if "content" in definition or parameter.name not in sent or not _nests(parameter.validation_schema):
            continue
        spec = ParamSpec(
            parameter.name,
            str(location),
            "object",
            explode=bool(definition.get("explode", False)),
            style=str(definition.get("style", "")),
        )
        headers = {parameter.name: str(sent[parameter.name])}
        if location == "cookie":
            headers = {"cookie": f"{parameter.name}={sent[parameter.name]}"}
        if from_wire([spec], {}, [], headers)[1]:
            undefined.append(parameter.name)
    if not undefined:
        return ""
    return (
        f"{case.operation.label}: {', '.join(undefined)} held nested objects or arrays, which no parameter style "
        "defines a text for (schemathesis wrote Python's repr)"
    )


def _nests(schema: object) -> bool:
    """Whether an object schema lets a member be an object or an array."""
    if not isinstance(schema, Mapping) or schema.get("type") not in ("object", ["object"]):
        return False
    members = [*(schema.get("properties") or {}).values(), schema.get("additionalProperties", True)]
    primitive = {"string", "integer", "number", "boolean", "null"}
    for member in members:
        if member is True or (isinstance(member, Mapping) and not member):
            return True
        kinds = member.get("type") if isinstance(member, Mapping) else None
        kinds = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
        if isinstance(member, Mapping) and (not kinds or kinds - primitive):
            return True
    return False


def _unfounded_notes(recorder: ScenarioRecorder, phase: str) -> Iterator[str]:
    """The notes of the failures `_failures` left out as unfounded."""
    for parent_id, checks in recorder.checks.items():
        for check in checks:
            info = check.failure_info
            node = recorder.cases.get((info.failure.case_id or parent_id) if info is not None else parent_id)
            if info is not None and node is not None and (why := _unfounded(check.name, phase, node.value)):
                yield why


class _Run:
    """Turns the engine's event stream into a `SpecReport` (failures, check tallies, coverage), progress lines and
    events."""

    def __init__(self, report: SpecReport, target: Target, progress: Progress | None, emit: Emit | None) -> None:
        self.report = report
        self.target = target
        self.progress = progress
        self.emit = emit or (lambda event: None)
        self.seen: set[tuple[str, str, str, str]] = set()
        self.variant = ""
        """The credentials in use when not the first (`Target.also`): failures name them beside the phase."""
        self.phase = ""
        self.phase_started = self.last_line = time.monotonic()

    def say(self, text: str) -> None:
        if self.progress is not None:
            self.progress(f"[{self.report.spec}] {text}")
        self.last_line = time.monotonic()

    def add(self, failure: Failure) -> None:
        """Record a failure once: schemathesis reports a flaky one again when it replays it. A failure that only
        says the spec leaves a rejection undocumented (`Target.gaps`) becomes a note."""
        why = self.target.gaps.get(failure.operation, {}).get(failure.status or 0)
        if why is not None and failure.check in _GAP_CHECKS:
            note = f"{failure.operation} {why}: document it, the server has to answer invalid requests somehow"
            if note not in self.report.notes:
                self.report.notes.append(note)
            return
        if self.variant:
            failure = replace(failure, phase=f"{failure.phase} ({self.variant})")
        key = (failure.operation, failure.check, failure.title, failure.message)
        if key not in self.seen:
            self.seen.add(key)
            self.report.failures.append(failure)
            self.emit({"event": "failure", "spec": self.report.spec, **failure.as_json(with_response=False)})

    def tally(self, recorder: ScenarioRecorder, phase: str) -> None:
        """Check outcomes per operation, and what each case exercised (coverage)."""
        for case_id, checks in recorder.checks.items():
            node = recorder.cases.get(case_id)
            label = node.value.operation.label if node else recorder.label
            for check in checks:
                counts = self.report.checks.setdefault(label, {}).setdefault(check.name, [0, 0])
                counts[check.failure_info is not None] += 1
        for case_id, node in recorder.cases.items():
            interaction = recorder.interactions.get(case_id)
            if interaction is None:
                continue
            status = interaction.response.status_code if interaction.response is not None else None
            if self.report.coverage is not None:
                self.report.coverage.record(phase, node.value, status)
            self.emit(
                {
                    "event": "case",
                    "spec": self.report.spec,
                    "phase": phase,
                    "operation": node.value.operation.label,
                    "method": interaction.request.method,
                    "status": status,
                }
            )

    def handle(self, event: events.EngineEvent) -> None:
        if isinstance(event, events.PhaseStarted) and event.phase.name.value in PHASES:
            self.phase = event.phase.name.value
            self.phase_started = time.monotonic()
            if self.target.on_phase is not None:
                self.target.on_phase(self.phase)
            self.emit({"event": "phase-started", "spec": self.report.spec, "phase": self.phase})
            self.say(f"{self.phase} ...")
        elif isinstance(event, events.PhaseFinished) and event.phase.name.value == self.phase:
            self.report.seconds[self.phase] = self.report.seconds.get(self.phase, 0.0) + (
                time.monotonic() - self.phase_started
            )
            count = self.report.cases.get(self.phase, 0)
            self.emit({"event": "phase-finished", "spec": self.report.spec, "phase": self.phase, "cases": count})
            self.say(f"{self.phase}: {count} cases, {len(self.report.failures)} failure(s) so far")
        elif isinstance(event, events.ScenarioFinished) and event.phase.value in PHASES:
            phase = event.phase.value
            self.report.cases[phase] = self.report.cases.get(phase, 0) + len(event.recorder.interactions)
            self.tally(event.recorder, phase)
            for failure in _failures(event.recorder, phase):
                self.add(failure)
            for note in _unfounded_notes(event.recorder, phase):
                if note not in self.report.notes:
                    self.report.notes.append(note)
            if time.monotonic() - self.last_line >= HEARTBEAT_SECONDS:
                self.say(f"{phase}: {self.report.cases[phase]} cases ...")
        elif isinstance(event, events.NonFatalError):
            message = str(event.info).strip()
            self.add(Failure(event.label, "error", event.info.title, message, str(event.phase or "")))
        elif isinstance(event, events.FatalError):
            self.add(Failure("(run)", "error", type(event.exception).__name__, str(event.exception), self.phase))
        elif isinstance(event, events.EngineFinished):
            for found in event.failures:
                self.add(Failure(found.operation or "(run)", "after_run", found.title, found.message, "run"))


@dataclass(frozen=True)
class _Loaded:
    """A spec read once for a run: as data for streamspec, as schemathesis loads it, and its profile's hooks."""

    path: Path
    raw: dict[str, Any]
    content: Any
    """The document as schemathesis' own loader reads it (a fresh copy goes into each schema it loads)."""
    hooks: ContractHooks | None
    answers: Answers
    """The vendor's documented answers, by operation and check (the profile's and the spec's own)."""


def _load(spec_path: Path) -> _Loaded:
    from schemathesis.openapi.loaders import detect_content_type, load_content

    text = spec_path.read_text(encoding="utf-8")
    content = load_content(text, detect_content_type(headers=None, path=str(spec_path)))
    raw = read_spec(spec_path)
    profile = profile_of(spec_path)
    return _Loaded(spec_path, raw, content, profile.contract_hooks(), answers_of(raw, profile.documented_answers))


def load_schema(
    spec_path: Path,
    target: Target,
    credentials: Credentials | None,
    options: FuzzOptions,
    loaded: _Loaded | None = None,
) -> BaseSchema:
    """The spec loaded for `target`, with the check overrides and a signing auth provider for `credentials`.

    As `schemathesis.openapi.from_path` loads it, from the document `loaded` read once for the run (a run loads
    a schema per pass: reading and parsing the YAML each time was a tenth of a run). An app in process is reached
    in the sending thread (`generator.inprocess`)."""
    from schemathesis.openapi.loaders import _from_dict

    loaded = loaded or _load(spec_path)
    spec = package_name(spec_path)
    raw = loaded.raw
    config = _config(spec, raw, target, options, loaded.answers)
    schema = _from_dict(copy.deepcopy(loaded.content), config=config, stringify=False)
    schema.location = spec_path.absolute().as_uri()
    if target.app is not None:
        schema.app = wrap(target.app)
    hooks = loaded.hooks
    if credentials is not None and hooks is not None:
        provider = SigningAuthProvider(
            hooks.signer(credentials, raw), auth_managed_headers(raw), path_settings(raw, hooks, credentials)
        )
        schema.auth.providers.append(provider)
    return schema


def shard_operations(raw: Mapping[str, Any], index: int, count: int) -> list[str]:
    """The operation labels of shard `index` of `count` (1-based): a deterministic split of the spec's operations,
    balanced by expected cost (the coverage phase's cases grow with parameters, body properties and enum values),
    largest first onto the lightest shard. The operations of one path stay together: schemathesis probes a path's
    undeclared methods once per run, so a path split across shards would be probed twice. Shard 1 also runs the
    stateful phase over every operation (its sequences span operations), so it starts with that phase's cost."""
    paths: dict[str, list[str]] = {}
    costs: dict[str, int] = {}
    for op in shape("", raw, None).operations.values():
        path = op.operation.partition(" ")[2]
        paths.setdefault(path, []).append(op.operation)
        cost = 1 + len(op.parameters) + len(op.properties) + sum(len(i.enum or ()) for i in op.parameters)
        costs[path] = costs.get(path, 0) + cost
    loads = [0] * count
    loads[0] = sum(len(labels) for labels in paths.values())  # the stateful phase: a step per operation, about
    shards: list[list[str]] = [[] for _ in range(count)]
    for path in sorted(costs, key=lambda path: (-costs[path], path)):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        loads[lightest] += costs[path]
        shards[lightest] += paths[path]
    return sorted(shards[index - 1])


JOB_SHARDS_PER_PROCESS = 4
"""`fuzz --jobs`: at most this many shards per process, so that a spec of many paths is not loaded once per path."""


def job_shards(raw: Mapping[str, Any], jobs: int) -> int:
    """How many shards `fuzz --jobs N` splits a spec into, for its N processes to take in turn as each finishes.

    More shards than processes, because a shard's cost is only estimated and the stateful phase cannot be split:
    with a shard per path plus one, `shard_operations` leaves shard 1 the stateful phase alone (its head start puts
    every path on an empty shard first), and whichever process is free takes the next shard."""
    paths = {op.operation.partition(" ")[2] for op in shape("", raw, None).operations.values()}
    return max(1, min(len(paths) + 1, JOB_SHARDS_PER_PROCESS * jobs))


def _only(schema: BaseSchema, raw: Mapping[str, Any], shard: tuple[int, int]) -> BaseSchema:
    """`schema` restricted to the operations of `shard`, by excluding those of the other shards.

    Not by including its own: schemathesis ORs include filters, and a configuration with `[[operations]]` entries
    (documented answers) already holds one that matches every operation. And only the other shards' operations by
    name: the coverage phase asks the filter about its probes of undeclared methods (operations without a label),
    which belong to the shard of their path."""
    index, count = shard
    others = frozenset(label for i in range(1, count + 1) if i != index for label in shard_operations(raw, i, count))
    return schema.exclude(func=lambda ctx: ctx.operation.label in others)


_CONFORMANCE: dict[int, tuple[SpecResponses, Mapping[str, Mapping[int, str]]]] = {}
"""The spec of each running schema (by the id of its raw document), for `streamspec_conformance`."""


@schemathesis.check
def streamspec_conformance(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """`generator.conformance` on every response: the checks the mock runs on what it sends, here on what any
    target answers (the spec's undocumented rejections excepted, as for schemathesis' own status checks)."""
    found = _CONFORMANCE.get(id(case.operation.schema.raw_schema))
    if found is None:
        return None
    spec, gaps = found
    label = case.operation.label
    if response.status_code in gaps.get(label, {}) or response.request.method != case.operation.method.upper():
        return None  # a documented gap, or a probe with another method (it reached no operation)
    headers = {name: ", ".join(values) for name, values in response.headers.items()}  # schemathesis keeps lists
    answer = Answer(response.status_code, headers, response.content or b"")
    problems = check_answer(spec, label, answer)
    if problems:
        raise AssertionError("\n".join(str(problem) for problem in problems))
    return None


@contextmanager
def seed_only() -> Iterator[None]:
    """Hypothesis draws, now and then, the literal constants of every local module the process has imported (this
    generator's, the generated packages'), so that one seed's cases would depend on the generator's code and on what
    else the process imported: a `--jobs` worker and the unsharded run, or two versions of the generator, would send
    different cases. Within this, that pool is empty, so the seed alone decides (the constants of a generator are
    nothing to the API under test). Hypothesis has no setting for it: its module-level function is replaced for the
    duration, and the draws it cached are dropped before and after. A Hypothesis without it is left as it is."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants

        collect, cache = providers._get_local_constants, providers.CONSTANTS_CACHE.cache
    except (ImportError, AttributeError):  # pragma: no cover - another Hypothesis
        yield
        return
    none = Constants()
    providers._get_local_constants = lambda: none
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = collect
        cache.clear()


def _spec_responses(raw: Mapping[str, Any]) -> SpecResponses:
    from generator.coverage import operations

    return SpecResponses(raw, {label: op for label, _, op in operations(raw)})


def fuzz_spec(
    spec_path: Path,
    target: Target,
    credentials: Credentials | None,
    options: FuzzOptions | None = None,
    progress: Progress | None = None,
    emit: Emit | None = None,
) -> SpecReport:
    """Fuzz `target` with the spec at `spec_path`; every check failure and engine error is in the report.

    A shard runs the non-stateful phases on its operations only, and shard 1 the stateful phase on all of them, so
    that the shards of one seed together send what the unsharded run sends.
    """
    options = options or FuzzOptions()
    started = time.perf_counter()
    loaded = _load(spec_path)
    raw = loaded.raw
    seed = _config(package_name(spec_path), raw, target, options).seed  # drawn here when none was given
    report = SpecReport(spec=package_name(spec_path), target=target.label or target.base_url, seed=seed)
    # The stateful phase runs as a pass of its own, over every operation (its sequences span operations): the
    # other phases then send the same whether they run whole or in shards (schemathesis feeds what one phase learnt
    # to the next).
    rest = tuple(phase for phase in options.phases if phase != "stateful")
    seeded = replace(options, seed=report.seed)
    if options.shard is not None and rest:
        report.shard = "{}/{}".format(*options.shard)

    def passes(using: Credentials | None) -> list[BaseSchema]:
        first = load_schema(spec_path, target, using, replace(seeded, phases=rest), loaded) if rest else None
        if options.shard is not None and first is not None:
            first = _only(first, raw, options.shard)
        found = [first] if first is not None else []
        if "stateful" in options.phases and (options.shard is None or options.shard[0] == 1):
            found.append(load_schema(spec_path, target, using, replace(seeded, phases=("stateful",)), loaded))
        return found

    report.coverage = shape(report.spec, raw, report.seed)
    if report.shard:
        report.coverage.shards = [report.shard]
    run = _Run(report, target, progress, emit)
    run.emit({"event": "spec-started", "spec": report.spec, "target": report.target, "seed": report.seed})
    # Every way the target authenticates in turn (`Target.also`): the same passes, other credentials.
    for variant, using in [("", credentials), *(target.also if credentials is not None else ())]:
        if options.variant is not None and variant != options.variant:
            continue
        run.variant = variant
        signer = loaded.hooks.signer(using, raw) if using is not None and loaded.hooks is not None else None
        for part in passes(using):
            _CONFORMANCE[id(part.raw_schema)] = (_spec_responses(raw), target.gaps)
            try:
                with (
                    answered(part.raw_schema, loaded.answers, WireSigner(signer) if signer is not None else None),
                    seed_only(),
                ):
                    for event in from_schema(part).execute():
                        run.handle(event)
            finally:
                _CONFORMANCE.pop(id(part.raw_schema), None)
    report.elapsed = time.perf_counter() - started
    run.emit(
        {"event": "spec-finished", "spec": report.spec, "cases": report.total_cases, "failures": len(report.failures)}
    )
    return report
