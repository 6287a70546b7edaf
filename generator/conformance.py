"""Response conformance: does an answer match what the spec documents for its operation? Named checks, stable codes.

One library for the mock (it runs every check on every response it sends), the contract fuzzer (a schemathesis
check runs them on every response it receives) and the tests. Each check is registered by its code in `CHECKS`
(as schemathesis' `CHECKS` registry) and returns typed `Nonconformance` values, never raises.

It lives in the generator, not in the packages' runtime: it judges an answer against the spec document itself (the
ground truth the generated models were made from), with openapi-schema-validator through `generator.instances`,
which vendored packages do not carry (their runtime needs only pydantic, httpx and starlette). Judging a generated
server by its own models would only prove the models agree with themselves.

Codes (docs/spec-conventions.md lists them too):

- `conformance.status` — the status is not documented for the operation (exactly, as a range, or by `default`);
- `conformance.content-type` — a body whose media type the documented response does not list;
- `conformance.header-missing` — a documented required response header is absent;
- `conformance.header-value` — a documented header's value does not match its schema;
- `conformance.body-syntax` — a JSON media type whose body is not JSON;
- `conformance.body-schema` — the body does not match the documented schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator.instances import InstanceGenerator
from generator.loader import follow_refs

__all__ = ["CHECKS", "Answer", "Nonconformance", "SpecResponses", "check_answer"]


@dataclass(frozen=True)
class Nonconformance:
    """One way an answer differs from the spec: a stable code, the operation and a readable message."""

    code: str
    operation: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.operation}: {self.message}"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as sent: status, headers (any case) and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == lowered), None)

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


def documented_key(responses: Mapping[str, Any], status: int) -> str | None:
    """The response key that documents `status`: the exact code, its range (`4XX`), else `default`."""
    keys = {str(key).upper(): str(key) for key in responses}
    return keys.get(str(status)) or keys.get(f"{status // 100}XX") or keys.get("DEFAULT")


def media_matches(documented: str, actual: str) -> bool:
    """Whether an actual media type is one a documented (possibly wildcard) media type allows."""
    documented = documented.split(";")[0].strip().lower()
    if documented in ("*/*", actual):
        return True
    major, _, minor = documented.partition("/")
    return minor == "*" and actual.partition("/")[0] == major


def is_json_media(media: str) -> bool:
    media = media.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class SpecResponses:
    """The documented responses of one spec's operations, by operation id, with a validator for their schemas."""

    def __init__(self, document: Mapping[str, Any], operations: Mapping[str, Mapping[str, Any]]) -> None:
        self.document = document
        self.operations = operations
        """Operation objects as written, by operation id."""
        self.instances = InstanceGenerator(document)

    def responses(self, operation: str) -> Mapping[str, Any]:
        node = self.operations.get(operation, {})
        responses = node.get("responses") or {}
        return responses if isinstance(responses, Mapping) else {}

    def response(self, operation: str, status: int) -> Mapping[str, Any] | None:
        """The response object documenting `status` for `operation` ($ref followed), or None."""
        responses = self.responses(operation)
        key = documented_key(responses, status)
        found = follow_refs(self.document, responses[key]) if key is not None else None
        return found if isinstance(found, Mapping) else None

    def headers(self, response: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Documented headers (`$ref`s followed), Content-Type excepted (OpenAPI says it is ignored there)."""
        for name, header in (response.get("headers") or {}).items():
            header = follow_refs(self.document, header)
            if isinstance(header, Mapping) and str(name).lower() != "content-type":
                yield str(name), header


Check = Callable[[SpecResponses, str, Answer], Iterator[Nonconformance]]
CHECKS: dict[str, Check] = {}
"""Every conformance check by its code."""


def check(code: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[code] = function
        return function

    return register


@check("conformance.status")
def _status(spec: SpecResponses, operation: str, answer: Answer) -> Iterator[Nonconformance]:
    if spec.response(operation, answer.status) is None:
        documented = ", ".join(str(key) for key in spec.responses(operation)) or "none"
        yield Nonconformance("conformance.status", operation, f"status {answer.status} (documented: {documented})")


def _content(spec: SpecResponses, operation: str, answer: Answer) -> Mapping[str, Any]:
    response = spec.response(operation, answer.status)
    content = response.get("content") if response is not None else None
    return content if isinstance(content, Mapping) else {}


@check("conformance.content-type")
def _content_type(spec: SpecResponses, operation: str, answer: Answer) -> Iterator[Nonconformance]:
    content = _content(spec, operation, answer)
    if not content or not answer.body:
        return
    if not any(media_matches(str(media), answer.media_type) for media in content):
        listed = ", ".join(str(media) for media in content)
        yield Nonconformance(
            "conformance.content-type", operation, f"{answer.media_type or 'no Content-Type'} (documented: {listed})"
        )


def _header_value(text: str, schema: Mapping[str, Any]) -> Any:
    """A header's text as the value its (simple-style) schema describes."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    for candidate in kinds:
        try:
            if candidate == "integer":
                return int(text)
            if candidate == "number":
                return float(text)
        except ValueError:
            continue
        if candidate == "boolean" and text in ("true", "false"):
            return text == "true"
        if candidate == "array":
            return text.split(",") if text else []
    return text


@check("conformance.header-missing")
def _header_missing(spec: SpecResponses, operation: str, answer: Answer) -> Iterator[Nonconformance]:
    response = spec.response(operation, answer.status)
    for name, header in spec.headers(response or {}):
        if header.get("required") is True and answer.header(name) is None:
            yield Nonconformance("conformance.header-missing", operation, f"required header {name} is absent")


@check("conformance.header-value")
def _header_values(spec: SpecResponses, operation: str, answer: Answer) -> Iterator[Nonconformance]:
    response = spec.response(operation, answer.status)
    for name, header in spec.headers(response or {}):
        text, schema = answer.header(name), follow_refs(spec.document, header.get("schema"))
        if text is None or not isinstance(schema, Mapping):
            continue
        errors = spec.instances.validate(header.get("schema"), _header_value(text, schema))
        if errors:
            yield Nonconformance("conformance.header-value", operation, f"header {name}: {text!r}: {errors[0]}")


def _json_schema(spec: SpecResponses, operation: str, answer: Answer) -> tuple[str, Any] | None:
    """The documented JSON media type matching the answer and its schema, when the answer should be JSON."""
    for media, entry in _content(spec, operation, answer).items():
        if is_json_media(str(media)) and media_matches(str(media), answer.media_type) and isinstance(entry, Mapping):
            return str(media), entry.get("schema")
    return None


@check("conformance.body-syntax")
def _body_syntax(spec: SpecResponses, operation: str, answer: Answer) -> Iterator[Nonconformance]:
    if _json_schema(spec, operation, answer) is None or not answer.body:
        return
    try:
        json.loads(answer.body)
    except ValueError as exc:
        yield Nonconformance("conformance.body-syntax", operation, f"the body is not JSON: {exc}")


@check("conformance.body-schema")
def _body_schema(spec: SpecResponses, operation: str, answer: Answer) -> Iterator[Nonconformance]:
    found = _json_schema(spec, operation, answer)
    if found is None or found[1] is None or not answer.body:
        return
    try:
        value = json.loads(answer.body)
    except ValueError:
        return  # conformance.body-syntax says so
    errors = spec.instances.validate(found[1], value)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        yield Nonconformance("conformance.body-schema", operation, f"{errors[0]}{more}")


def check_answer(
    spec: SpecResponses, operation: str, answer: Answer, skip: frozenset[str] = frozenset()
) -> list[Nonconformance]:
    """Every nonconformance of `answer` to what `operation` documents (checks named in `skip` are not run)."""
    return [found for code, run in CHECKS.items() if code not in skip for found in run(spec, operation, answer)]
