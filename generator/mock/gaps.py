"""Answers a spec leaves undocumented but a server must give: the generated server's own rejections.

A spec that documents no success response (or no response at all) for an operation still has it answer valid
requests (with the status the generated server chose for it). A spec that documents no client error for an
operation still gets invalid requests, and the generated server rejects them (with the route's invalid-input
status, 401 without credentials, 404 for what the stateful mock saw deleted), in JSON. Where the spec documents
no such status, or documents it without a JSON body, no answer can both reject and conform: these are gaps in the
spec, reported as notes that say what to document, not as failures of the mock. Every other status and body is
checked in full.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.conformance import SpecResponses, is_json_media
from generator.mock.package import MockPackage

__all__ = ["Gaps", "rejection_gaps"]

Gaps = Mapping[str, Mapping[int, str]]
"""By operation label (`GET /pets/{id}`, as schemathesis names operations): status -> what the spec lacks."""


def _gap(spec: SpecResponses, operation: str, status: int) -> str | None:
    response = spec.response(operation, status)
    if not spec.responses(operation):
        return "documents no responses at all"
    if response is None and status < 400:
        return "documents no success response"
    if response is None:
        return f"documents no {status} response (nor {status // 100}XX or default)"
    content = response.get("content") or {}
    if content and not any(is_json_media(str(media)) or str(media) == "*/*" for media in content):
        return f"documents its {status} response without a JSON body ({', '.join(map(str, content))})"
    return None


def rejection_gaps(package: MockPackage, spec: SpecResponses, *, secured: bool, stateful: bool) -> Gaps:
    """For each operation, the rejections of the generated server the spec leaves undocumented, and why."""
    gaps: dict[str, dict[int, str]] = {}
    for route in package.server.ROUTES:
        statuses = [int(route.success_status), int(route.invalid_status)]
        statuses += [401] if secured and route.secured else []
        statuses += [404] if stateful else []
        found = {status: why for status in statuses if (why := _gap(spec, route.operation_id, status))}
        if found:
            gaps[f"{route.method} {package.operation(route.operation_id).path}"] = found
    return gaps
