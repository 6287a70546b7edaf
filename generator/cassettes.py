"""Failures kept as cassettes, and re-sent exactly with `fuzz --replay FILE --url URL`.

A cassette is one JSON file per spec and run (format `streamspec-cassette/1`, documented in docs/ci.md):

    {"format": "streamspec-cassette/1", "spec": "petstore", "spec_path": "specs/petstore.yaml", "seed": 1,
     "target": "mock",
     "interactions": [{"operation": "GET /pets", "check": "not_a_server_error", "phase": "fuzzing",
                       "title": "...", "request": {"method": "GET", "path": "/pets?limit=0",
                       "headers": [["Accept", "*/*"], ["Authorization", "***"]], "body": "<base64>"},
                       "status": 500}]}

`path` is the request target relative to the run's base URL; credential headers are stored masked (`***`, never
the secret) and the request is signed again on replay with the credentials given then, when the spec's profile
signs. A replayed request still fails when its answer breaks the same rule (`still_fails`): the response checks
are judged by `generator.conformance`, the others by the status they got.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from generator.conformance import Answer, SpecResponses, check_answer

__all__ = ["FORMAT", "MASK", "Replayed", "exchange", "load", "replay", "still_fails", "write"]

FORMAT = "streamspec-cassette/1"
MASK = "***"
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "x-auth-token", "x-security-token", "x-api-key", "api_key", "api-key", "cookie"}
)
_TRANSPORT = frozenset({"content-length", "host", "transfer-encoding", "connection", "x-schemathesis-testcaseid"})
_RESPONSE_CHECKS = {
    "status_code_conformance": "conformance.status",
    "content_type_conformance": "conformance.content-type",
    "response_headers_conformance": "conformance.header-missing",
    "response_schema_conformance": "conformance.body-schema",
    "streamspec_conformance": "",
}


def exchange(
    method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes, status: int | None
) -> dict[str, Any]:
    """One recorded request (credential headers masked) and the status it got."""
    kept = [
        [name, MASK if name.lower() in CREDENTIAL_HEADERS and value else value]
        for name, value in headers
        if name.lower() not in _TRANSPORT
    ]
    return {
        "request": {"method": method, "url": url, "headers": kept, "body": base64.b64encode(body).decode()},
        "status": status,
    }


def _relative(url: str, base_url: str) -> str:
    """The request target below the run's base URL (what a replay appends to another base URL)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    path = parts.path[len(base.path.rstrip("/")) :] if parts.path.startswith(base.path.rstrip("/")) else parts.path
    return path + (f"?{parts.query}" if parts.query else "")


def write(
    path: Path, spec: str, spec_path: Path, seed: int | None, target: str, base_url: str, failures: Sequence[Any]
) -> int:
    """Store every failure that has its request as one cassette at `path`; how many were stored."""
    interactions = []
    for failure in failures:
        if not failure.exchange:
            continue
        request = dict(failure.exchange["request"])
        request["path"] = _relative(request.pop("url"), base_url)
        interactions.append(
            {
                "operation": failure.operation,
                "check": failure.check,
                "phase": failure.phase,
                "title": failure.title,
                "request": request,
                "status": failure.exchange["status"],
            }
        )
    data = {
        "format": FORMAT,
        "spec": spec,
        "spec_path": str(spec_path),
        "seed": seed,
        "target": target,
        "interactions": interactions,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(interactions)


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a cassette of format {FORMAT}")
    return data


@dataclass(frozen=True)
class Replayed:
    """One re-sent interaction: what it checked, the status then and now, and whether it still fails."""

    operation: str
    check: str
    recorded: int | None
    status: int | None
    still_failing: bool
    detail: str = ""

    def render(self) -> str:
        verdict = "still fails" if self.still_failing else "passes now"
        return f"{self.operation} — {self.check}: {verdict} (recorded {self.recorded}, now {self.status}){self.detail}"


def still_fails(check: str, recorded: int | None, response: httpx.Response, spec: SpecResponses, label: str) -> str:
    """Why the answer still breaks `check` (empty: it no longer does)."""
    if check == "not_a_server_error":
        return f": {response.status_code}" if response.status_code >= 500 else ""
    if check in _RESPONSE_CHECKS:
        answer = Answer(response.status_code, dict(response.headers), response.content)
        code = _RESPONSE_CHECKS[check]
        found = [p for p in check_answer(spec, label, answer) if not code or p.code == code]
        if check == "response_schema_conformance":
            found += [p for p in check_answer(spec, label, answer) if p.code == "conformance.body-syntax"]
        return f": {found[0]}" if found else ""
    if check in ("negative_data_rejection", "ignored_auth", "missing_required_header", "use_after_free"):
        return f": accepted with {response.status_code}" if response.status_code < 400 else ""
    if check == "positive_data_acceptance":
        return f": rejected with {response.status_code}" if 400 <= response.status_code < 500 else ""
    return f": {response.status_code} again" if response.status_code == recorded else ""


def replay(
    cassette: Mapping[str, Any],
    base_url: str,
    spec: SpecResponses,
    sign: Any = None,
    transport: httpx.BaseTransport | None = None,
) -> list[Replayed]:
    """Re-send every interaction of `cassette` to `base_url`, signed by `sign` (a `Signer`) when given."""
    outcomes = []
    with httpx.Client(base_url=base_url.rstrip("/"), transport=transport, timeout=30.0, trust_env=False) as client:
        for interaction in cassette["interactions"]:
            recorded = interaction["request"]
            headers = [(name, value) for name, value in recorded["headers"] if value != MASK]
            request = client.build_request(
                recorded["method"],
                base_url.rstrip("/") + recorded["path"],
                headers=headers,
                content=base64.b64decode(recorded["body"]),
            )
            if sign is not None:
                sign.sign(request)
            response = client.send(request)
            why = still_fails(interaction["check"], interaction["status"], response, spec, interaction["operation"])
            outcomes.append(
                Replayed(
                    interaction["operation"],
                    interaction["check"],
                    interaction["status"],
                    response.status_code,
                    bool(why),
                    why,
                )
            )
    return outcomes
