"""What the generator makes of webhooks beyond the vendor specs: unsigned callbacks, several callbacks in one spec,
JSON-in-a-string fields, and the problems it reports for an unusable `x-signature`."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.errors import GenerationError
from generator.pipeline import build_package
from generator.runtime.receiver import WebhookRejected, WebhookRoute, accept
from generator.runtime.webhooks import unsigned
from tests.conftest import ROOT
from tests.webhooks.support import deliver, rejected

SPEC = """\
openapi: 3.1.0
info: {title: Hooks, version: "1", x-profile: {profile}}
paths:
  /ping:
    get:
      operationId: Ping
      responses:
        "200": {description: ok}
webhooks:
  thingCreated:
    post:
      summary: A thing was created.
      {signature}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [id, detail]
              properties:
                id: {type: string}
                detail:
                  type: string
                  contentMediaType: application/json
                  contentSchema: {$ref: '#/components/schemas/Detail'}
      responses:
        "200": {description: ok}
  thingDeleted:
    post:
      {signature2}
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [id], properties: {id: {type: string}}}
      responses:
        "200": {description: ok}
components:
  schemas:
    Detail:
      type: object
      required: [size]
      properties:
        size: {type: integer, minimum: 0}
"""


def write(tmp_path: Path, name: str, signature: str = "", signature2: str = "", profile: str = "plain") -> Path:
    path = tmp_path / f"{name}.yaml"
    text = SPEC.replace("{signature}", signature).replace("{signature2}", signature2).replace("{profile}", profile)
    path.write_text(text, encoding="utf-8")
    return path


def test_unsigned_webhooks_each_get_a_path_and_a_content_parser(tmp_path: Path) -> None:
    package = build_package(write(tmp_path, "hooks_unsigned"))
    out = tmp_path / "out"
    for name, content in package.files.items():
        (out / package.name / name).parent.mkdir(parents=True, exist_ok=True)
        (out / package.name / name).write_bytes(content)
    assert "webhooks.py" in package.files and b"import webhooks" not in package.files["__init__.py"]
    assert b"from .webhooks" not in package.files["__init__.py"]  # importing the package needs no Starlette
    for args in (
        ["ruff", "check", "--config", str(ROOT / "pyproject.toml"), f"{package.name}/webhooks.py"],
        ["mypy", "--strict", package.name],
    ):
        done = subprocess.run([sys.executable, "-m", *args], cwd=out, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    sys.path.insert(0, str(out))
    try:
        webhooks = importlib.import_module(f"{package.name}.webhooks")
    finally:
        sys.path.remove(str(out))

    class Handlers:
        def __init__(self) -> None:
            self.created: list[Any] = []
            self.deleted: list[Any] = []

        async def on_thing_created(self, event: Any) -> None:
            self.created.append(event)

        async def on_thing_deleted(self, event: Any) -> None:
            self.deleted.append(event)

    handlers = Handlers()
    app = webhooks.create_receiver(handlers)
    assert deliver(app, "/thingCreated", {"id": "a", "detail": '{"size": 3}'}).status_code == 200
    assert deliver(app, "/thingDeleted", {"id": "a"}).status_code == 200
    assert webhooks.parse_detail(handlers.created[0]).size == 3
    assert [e.id for e in handlers.deleted] == ["a"]
    assert rejected(deliver(app, "/thingCreated", {"id": "a", "detail": '{"size": -1}'}), 400, "invalid_payload")
    assert rejected(deliver(app, "/elsewhere", {"id": "a"}), 404, "not_found")
    assert len(handlers.created) == 1


@pytest.mark.parametrize(
    ("signature", "signature2", "message"),
    [
        ("x-signature: {scheme: rot13}", "", "must be one of the huawei profile's schemes"),
        ("x-signature: {algorithm: md5}", "", "needs a `scheme`"),
        ("x-signature: {scheme: huawei-live-record}", "x-signature: {scheme: metastudio-mss}", "one scheme"),
        ("x-signature: {scheme: huawei-live-record}", "", "one scheme"),
        ("x-signature: {scheme: volcengine-md5}", "", "must be one of the huawei profile's schemes"),
    ],
    ids=["unknown", "missing", "mixed", "signed-and-unsigned", "other-profiles-scheme"],
)
def test_an_unusable_signature_scheme_is_a_located_problem(
    tmp_path: Path, signature: str, signature2: str, message: str
) -> None:
    with pytest.raises(GenerationError) as caught:
        build_package(write(tmp_path, "hooks_bad", signature, signature2, profile="huawei"))
    problems = caught.value.problems
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.code == "webhook.scheme"
    assert problem.pointer.endswith(("/post/x-signature", "/post"))
    assert message in problem.message


def test_the_core_works_without_a_framework() -> None:
    async def ignore(event: object) -> None:
        return None

    route = WebhookRoute("Hook", dict[str, int], unsigned, ignore)
    assert accept(route, method="POST", query="", headers={"Content-Type": "application/json"}, body=b'{"a": 1}') == {
        "a": 1
    }
    with pytest.raises(WebhookRejected) as caught:
        accept(route, method="POST", query="", headers={}, body=json.dumps({"a": "x"}).encode())
    assert (caught.value.status, caught.value.code) == (400, "invalid_payload")
    with pytest.raises(WebhookRejected) as caught:
        accept(route, method="GET", query="", headers={}, body=b"")
    assert (caught.value.status, caught.value.code) == (405, "method_not_allowed")
