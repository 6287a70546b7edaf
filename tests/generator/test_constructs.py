"""One minimal instance of each construct real-world documents use (tests/fixtures/constructs.yaml), generated and
run for real: the generated client against the generated server in process, or against a recording transport.

The corpus (tests/corpus) shows the same constructs in documents nobody here wrote; this module pins each down.
"""

from __future__ import annotations

import asyncio
import base64
import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from pydantic import ValidationError

from generator.pipeline import Package, build_package
from generator.writer import write_packages
from tests.corpus.harness import exercise, imported
from tests.generator.conftest import FIXTURES

SPEC = FIXTURES / "constructs.yaml"
BASE = "http://constructs.test/api"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Package]:
    out = tmp_path_factory.mktemp("constructs")
    package = build_package(SPEC)
    write_packages(out, [(package.name, package.files, "")])
    return out, package


@pytest.fixture(scope="module")
def pkg(built: tuple[Path, Package]) -> Iterator[ModuleType]:
    out, package = built
    with imported(out, package.name) as module:
        __import__(f"{package.name}.server")
        __import__(f"{package.name}.webhooks")
        yield module


def test_the_package_is_clean_and_every_success_parses(built: tuple[Path, Package]) -> None:
    out, package = built
    assert package.warnings == ()
    for args in (["ruff", "check", "--config", "../../pyproject.toml"], ["mypy", "--strict", "--no-incremental"]):
        config = ["--config-file", str(Path(__file__).parents[2] / "pyproject.toml")] if args[0] == "mypy" else []
        command = [sys.executable, "-m", *(a for a in args if "pyproject" not in a and a != "--config"), *config]
        if args[0] == "ruff":
            command += ["--config", str(Path(__file__).parents[2] / "pyproject.toml")]
        done = subprocess.run([*command, package.name], cwd=out, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    assert exercise(out, package, SPEC) == []


def test_operations_without_an_operation_id_are_named_from_method_and_path(built: tuple[Path, Package]) -> None:
    _, package = built
    names = {op.path + " " + op.method: op.py_name for op in package.api.operations}
    assert names["/items GET"] == "get_items"
    assert names["/blobs/{id} PUT"] == "put_blobs_id"
    assert names["/files/{file_id}#shared_link GET"] == "get_files_file_id_shared_link"
    assert names["/items/{labels}/{matrix}/{simple} GET"] == "styled_path"  # an operationId is used as written
    assert names["/models POST"] == "echo_model"


def test_an_optional_parameter_with_one_allowed_value_is_an_argument(pkg: ModuleType) -> None:
    requests, transport = recording(200, b"{}")
    with pkg.Client(base_url=BASE, transport=transport) as client:
        client.get_files_file_id("f1")
        client.get_files_file_id("f1", view="compact")
    assert [r.url.query for r in requests] == [b"", b"view=compact"]
    assert call(pkg, "get_files_file_id", "f1").model_dump()["operation"] == "get_files_file_id"


def test_an_operation_named_like_a_client_method_keeps_both(pkg: ModuleType) -> None:
    assert call(pkg, "close_", "s1").model_dump()["operation"] == "close"
    _, transport = recording(200, b"{}")
    client = pkg.Client(base_url=BASE, transport=transport)
    client.close()  # still the client's own


# --------------------------------------------------------------------------- through the generated server


class Echoing:
    """Handlers answering with what they received."""

    def __init__(self, pkg: ModuleType) -> None:
        self.models = pkg.models
        self.reply = pkg.server.Reply

    def __getattr__(self, name: str) -> Callable[..., Any]:
        async def handle(ctx: Any, *args: Any) -> Any:
            received: dict[str, Any] = {}
            for value in args:
                if hasattr(value, "model_dump"):
                    received.update(value.model_dump(mode="json", by_alias=True, exclude_unset=True))
                elif isinstance(value, bytes):
                    received["bytes"] = base64.b64encode(value).decode()
                elif isinstance(value, str):
                    received["text"] = value
            received["operation"] = ctx.operation_id
            if name in ("put_blobs_id", "get_public", "get_secured", "delete_errors_only"):
                return None
            if name == "echo_model":
                return args[0]
            return self.models.Echo.model_validate(received)

        return handle


def call(pkg: ModuleType, method: str, *args: Any, **kwargs: Any) -> Any:
    app = pkg.server.create_app(Echoing(pkg))

    async def run() -> Any:
        async with pkg.AsyncClient(base_url=BASE, transport=httpx.ASGITransport(app=app)) as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(run())


def test_every_query_header_and_cookie_style_arrives_as_sent(pkg: ModuleType) -> None:
    sent = {
        "ids": [1, 2, 3],
        "repeated": ["a", "b"],
        "tags": ["x", "y z"],
        "words": ["one", "two"],
        "filter": {"color": "red", "size": 2},
        "point": {"x": 1, "y": 2},
        "box": {"w": 3, "h": 4},
        "doc": {"q": "a&b", "n": 5},
        "session": "s 1;2",
        "theme": "dark",
        "x_rates": [5, 6],
        "x_meta": {"a": "q", "b": 7},
        "class_": "keyword",
    }
    echoed = call(pkg, "get_items", **sent).model_dump()
    wire = {"x_rates": "X-Rates", "x_meta": "X-Meta", "class_": "class"}
    assert {k: echoed[wire.get(k, k)] for k in sent} == sent


def test_path_styles_arrive_as_sent(pkg: ModuleType) -> None:
    echoed = call(pkg, "styled_path", ["a", "b/c"], {"a": 1, "b": "x/y"}, [7, 8]).model_dump()
    assert (echoed["labels"], echoed["matrix"], echoed["simple"]) == (["a", "b/c"], {"a": 1, "b": "x/y"}, [7, 8])


@pytest.mark.parametrize("matrix", [";matrix=a,1,,x", ";matrix=a,1,b", ";other=a,1"], ids=["empty-name", "odd", "name"])
def test_a_path_object_without_a_name_for_each_value_is_refused(pkg: ModuleType, matrix: str) -> None:
    app = pkg.server.create_app(Echoing(pkg))

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            return await client.get(f"{BASE}/items/.a/{matrix}/1,2")

    response = asyncio.run(run())
    assert response.status_code == 400 and "matrix" in response.text


def recording(
    status: int = 200, content: bytes = b"{}", media: str = "application/json"
) -> tuple[list[httpx.Request], httpx.MockTransport]:
    requests: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, content=content, headers={"Content-Type": media})

    return requests, httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("style", "value", "expected"),
    [
        ("labels", ["a", "b"], ".a.b"),
        ("matrix", {"a": 1, "b": "x"}, ";matrix=a,1,b,x"),
        ("simple", [1, 2], "1,2"),
    ],
)
def test_path_styles_on_the_wire(pkg: ModuleType, style: str, value: Any, expected: str) -> None:
    requests, transport = recording()
    args = {"labels": ["l"], "matrix": {"a": 0}, "simple": [0], style: value}
    with pkg.Client(base_url=BASE, transport=transport) as client:
        client.styled_path(args["labels"], args["matrix"], args["simple"])
    segments = requests[0].url.raw_path.decode().split("?")[0].split("/")
    assert unquote(segments[{"labels": 3, "matrix": 4, "simple": 5}[style]]) == expected


def test_query_styles_on_the_wire(pkg: ModuleType) -> None:
    requests, transport = recording()
    with pkg.Client(base_url=BASE, transport=transport) as client:
        client.get_items(
            session="s",
            ids=[1, 2],
            repeated=["a", "b"],
            tags=["x", "y"],
            words=["p", "q"],
            filter={"color": "red"},
            point={"x": 1},
            box={"w": 3, "h": 4},
            doc={"q": "z"},
            x_rates=[5, 6],
        )
    request = requests[0]
    assert request.url.params.multi_items() == [
        ("ids", "1,2"),
        ("repeated", "a"),
        ("repeated", "b"),
        ("tags", "x|y"),
        ("words", "p q"),
        ("filter[color]", "red"),
        ("x", "1"),
        ("box", "w,3,h,4"),
        ("doc", '{"q":"z"}'),
    ]
    assert request.headers["Cookie"] == "session=s"
    assert request.headers["X-Rates"] == "5,6"


def test_multipart_file_parts_keep_their_bytes_filename_and_type(pkg: ModuleType) -> None:
    requests, transport = recording(201)
    with pkg.Client(base_url=BASE, transport=transport) as client:
        client.post_uploads(
            {
                "file": ("report.pdf", io.BytesIO(b"%PDF-\x00\xff"), "application/pdf"),
                "note": "hello",
                "pictures": [b"\x89PNG"],
            }
        )
    request = requests[0]
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + request.headers["Content-Type"].encode() + b"\r\n\r\n" + request.content
    )
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert parts["file"].get_filename() == "report.pdf"
    assert parts["file"].get_content_type() == "application/pdf"
    assert parts["file"].get_payload(decode=True) == b"%PDF-\x00\xff"
    assert parts["note"].get_payload(decode=True) == b"hello"
    assert parts["pictures"].get_payload(decode=True) == b"\x89PNG"


def post_raw(pkg: ModuleType, path: str, content: bytes, content_type: str) -> httpx.Response:
    app = pkg.server.create_app(Echoing(pkg))

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(base_url=BASE, transport=httpx.ASGITransport(app=app)) as client:
            return await client.post(BASE + path, content=content, headers={"Content-Type": content_type})

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            "name=12345&count=3&tags=1&tags=2&flag=true&size[w]=1.5&either=false",
            {"name": "12345", "count": 3, "tags": [1, 2], "flag": True, "size": {"w": 1.5}, "either": False},
        ),
        ("tags=7&name=true", {"tags": [7], "name": "true"}),
        ("tags[0]=4&tags[1]=5&either=6", {"tags": [4, 5], "either": 6}),
    ],
    ids=["typed-by-schema", "one-item-list", "bracket-notation"],
)
def test_a_form_body_is_read_as_its_schema_says(pkg: ModuleType, form: str, expected: dict[str, Any]) -> None:
    response = post_raw(pkg, "/forms", form.encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    assert {k: v for k, v in response.json().items() if k != "operation"} == expected


@pytest.mark.parametrize("form", ["count=x", "count=1.5", "flag=yes", "tags=a", "either=z"])
def test_a_form_value_that_does_not_fit_is_refused(pkg: ModuleType, form: str) -> None:
    response = post_raw(pkg, "/forms", form.encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 400, response.text


def test_a_form_body_round_trips_through_client_and_server(pkg: ModuleType) -> None:
    sent = {"name": "007", "count": 2, "tags": [3], "flag": False, "size": {"w": 2.5}}
    requests, transport = recording(200, b"{}")
    with pkg.Client(base_url=BASE, transport=transport) as client:
        client.post_forms(body=sent, content_type="application/x-www-form-urlencoded")
    assert b"tags=3" in requests[0].content
    echoed = call(pkg, "post_forms", body=sent, content_type="application/x-www-form-urlencoded").model_dump()
    assert {k: v for k, v in echoed.items() if k != "operation"} == sent


def test_multipart_text_parts_are_read_as_the_schema_says(pkg: ModuleType) -> None:
    boundary = "b0undary"
    parts = [("file", "f.bin", b"\x00"), ("note", None, b"42"), ("pictures", "p.png", b"PNG")]
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'.encode()
            + (f'; filename="{filename}"'.encode() if filename else b"")
            + b"\r\n\r\n"
            + content
            + b"\r\n"
            for name, filename, content in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    response = post_raw(pkg, "/uploads", body, f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.text
    echoed = response.json()
    assert echoed["note"] == "42" and echoed["pictures"] == ["PNG"]


def test_a_multipart_body_without_parts_is_an_empty_form(pkg: ModuleType) -> None:
    response = post_raw(pkg, "/uploads", b"--b0undary--\r\n", "multipart/form-data; boundary=b0undary")
    assert response.status_code == 400 and "file" in response.json()["message"]  # valid multipart, missing `file`
    garbled = post_raw(pkg, "/uploads", b"no parts here", "multipart/form-data; boundary=b0undary")
    assert garbled.status_code == 400 and "media type" in garbled.json()["message"]


def test_multipart_reaches_the_server_with_its_file(pkg: ModuleType) -> None:
    echoed = call(pkg, "post_uploads", {"file": b"\x00\x01binary", "note": "n"}).model_dump()
    assert (echoed["file"], echoed["note"]) == ("\x00\x01binary", "n")


@pytest.mark.parametrize(
    ("body", "content_type", "sent_type"),
    [
        (b"\x00\xff", None, "application/octet-stream"),
        (io.BytesIO(b"file"), None, "application/octet-stream"),
        ("text", None, "text/plain"),
        ("<a/>", "application/xml", "application/xml"),
    ],
    ids=["bytes", "file-object", "text", "xml-as-text"],
)
def test_a_body_goes_as_the_media_type_its_value_fits(
    pkg: ModuleType, body: Any, content_type: str | None, sent_type: str
) -> None:
    requests, transport = recording(204, b"")
    with pkg.Client(base_url=BASE, transport=transport) as client:
        assert client.put_blobs_id("b1", body, content_type=content_type) is None
    assert requests[0].headers["Content-Type"] == sent_type


def test_a_body_in_an_undocumented_media_type_is_refused_before_sending(pkg: ModuleType) -> None:
    requests, transport = recording()
    with pkg.Client(base_url=BASE, transport=transport) as client, pytest.raises(ValueError, match="not documented"):
        client.put_blobs_id("b1", b"x", content_type="image/gif")
    assert requests == []


@pytest.mark.parametrize(
    ("media", "content", "expected"),
    [("image/png", b"\x89PNG", b"\x89PNG"), ("text/plain; charset=utf-8", b"hi", "hi")],
)
def test_a_response_is_read_by_its_media_type(pkg: ModuleType, media: str, content: bytes, expected: Any) -> None:
    _, transport = recording(200, content, media)
    with pkg.Client(base_url=BASE, transport=transport) as client:
        assert client.get_blobs_id("b1") == expected


def test_a_range_status_and_a_default_response(pkg: ModuleType) -> None:
    _, transport = recording(207, b'{"made": true}')
    with pkg.Client(base_url=BASE, transport=transport) as client:
        assert client.post_forms(body={"name": "a", "count": 1}).model_dump() == {"made": True}
    _, transport = recording(200, b'["a", "b"]')
    with pkg.Client(base_url=BASE, transport=transport) as client:
        assert client.get_defaults_only() == ["a", "b"]
    _, transport = recording(418, b'{"type": "teapot", "detail": "short and stout"}', "application/problem+json")
    with pkg.Client(base_url=BASE, transport=transport) as client, pytest.raises(pkg.APIStatusError) as raised:
        client.put_blobs_id("b1", b"x")
    assert (raised.value.code, raised.value.message) == ("teapot", "short and stout")


def test_only_errors_documented_means_any_2xx_is_a_success(pkg: ModuleType) -> None:
    _, transport = recording(204, b"")
    with pkg.Client(base_url=BASE, transport=transport) as client:
        assert client.delete_errors_only() is None
    _, transport = recording(404, b"{}")
    with pkg.Client(base_url=BASE, transport=transport) as client, pytest.raises(pkg.NotFoundError):
        client.delete_errors_only()


@pytest.mark.parametrize(
    ("status", "content", "kind"),
    [
        (200, b'{"name": "t", "children": []}', "Tree"),
        (201, b'{"kind": "circle", "radius": 1.5}', "Circle"),
        (202, b"", None),
    ],
)
def test_several_success_statuses_with_different_bodies(
    pkg: ModuleType, status: int, content: bytes, kind: str | None
) -> None:
    _, transport = recording(status, content)
    with pkg.Client(base_url=BASE, transport=transport) as client:
        result = client.post_several()
    assert (type(result).__name__ if result is not None else None) == kind


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [("names", b'["a"]', ["a"]), ("either", b'"x"', "x"), ("count", b"3", 3), ("nested", b"[[[]]]", [[[]]])],
)
def test_responses_that_name_an_alias_parse(pkg: ModuleType, kind: str, content: bytes, expected: Any) -> None:
    _, transport = recording(200, content)
    with pkg.Client(base_url=BASE, transport=transport) as client:
        assert client.get_aliases_kind(kind) == expected


def test_a_fragment_tells_operations_on_one_url_apart(pkg: ModuleType) -> None:
    assert call(pkg, "get_files_file_id", "f1").model_dump()["operation"] == "get_files_file_id"
    link = call(pkg, "get_files_file_id_shared_link", "f1").model_dump()
    assert (link["operation"], link["fields"]) == ("get_files_file_id_shared_link", "shared_link")
    requests, transport = recording()
    with pkg.Client(base_url=BASE, transport=transport) as client:
        client.get_files_file_id_shared_link("f1")
    assert str(requests[0].url) == f"{BASE}/files/f1?fields=shared_link"  # no fragment on the wire


# --------------------------------------------------------------------------- security schemes


def sent_with(pkg: ModuleType, method: str, **credentials: Any) -> httpx.Request:
    requests, transport = recording(200, b"[]") if method == "get_defaults_only" else recording(204, b"")
    with pkg.Client(base_url=BASE, transport=transport, **credentials) as client:
        getattr(client, method)()
    return requests[0]


def test_each_scheme_puts_its_credential_where_it_says(pkg: ModuleType) -> None:
    request = sent_with(pkg, "get_secured", qkey="Q", ckey="C")
    assert (request.url.params["api_key"], request.headers["Cookie"]) == ("Q", "sid=C")
    request = sent_with(pkg, "get_secured", username="u", password="p")
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    request = sent_with(pkg, "get_secured", token="T")  # OAuth 2 and OpenID Connect take an access token
    assert request.headers["Authorization"] == "Bearer T"
    request = sent_with(pkg, "get_defaults_only", key="K")  # the document's default requirement
    assert request.headers["X-Api-Key"] == "K" and "Authorization" not in request.headers


def test_a_requirement_of_several_schemes_needs_all_of_them(pkg: ModuleType) -> None:
    request = sent_with(pkg, "get_secured", qkey="Q")  # ckey missing: the requirement is not met
    assert "api_key" not in request.url.params and "Cookie" not in request.headers


def test_a_public_operation_sends_no_credentials(pkg: ModuleType) -> None:
    request = sent_with(pkg, "get_public", key="K", token="T")
    assert "X-Api-Key" not in request.headers and "Authorization" not in request.headers


def test_credentials_come_from_the_environment(pkg: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSTRUCTS_KEY", "from-env")
    request = sent_with(pkg, "get_defaults_only")
    assert request.headers["X-Api-Key"] == "from-env"
    assert "from-env" not in repr(pkg.Client(base_url=BASE)._api._auth)


def test_any_httpx_auth_replaces_the_schemes(pkg: ModuleType) -> None:
    request = sent_with(pkg, "get_secured", auth=httpx.DigestAuth("u", "p"), token="T")
    assert "Authorization" not in request.headers  # digest answers a challenge; nothing is sent up front


# --------------------------------------------------------------------------- schemas


EVERYTHING = {
    "keywords": {"class": "c"},
    "none": "n",
    "klass": 3,
    "annotated": {"name": "x"},
    "combined": {"name": "y", "children": [{"name": "z"}]},
    "patterned": {"x-one": 1},
    "closed": {"a": "b"},
    "pair": ["p", 2],
    "fixed": "fixed",
    "anything_but_text": 5,
    "odd_or_small": 12,
    "with_a_seven": [1, 7],
    "maybe": None,
    "tree": {"name": "root", "children": [{"name": "leaf", "children": []}]},
    "ping": {"pong": {"ping": {}}},
    "shape": {"kind": "square", "side": 2.5},
    "pet": {"pet_type": "Dog", "barks": True},
    "described": "red",
    "not_reserved": "mine",
    "long_arn": "arn:aws/role",
    "listed": ["a"],
    "anything_listed": [1, "x", None],
}


def test_every_schema_construct_round_trips_through_client_and_server(pkg: ModuleType) -> None:
    result = call(pkg, "echo_model", EVERYTHING)
    assert result.model_dump(mode="json", by_alias=True, exclude_unset=True) == EVERYTHING
    assert type(result.shape).__name__ == "Square"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("patterned", {"y-no": 1}),
        ("closed", {"a": "b", "extra": 1}),
        ("pair", ["p", "not an int"]),
        ("pair", ["p", 2, "third"]),
        ("fixed", "other"),
        ("anything_but_text", "text"),
        ("odd_or_small", 11),
        ("with_a_seven", [1, 2]),
        ("shape", {"kind": "triangle"}),
        ("described", "blue"),
        ("not_reserved", "aws:theirs"),
        ("long_arn", "arn:has space"),
    ],
    ids=[
        "pattern",
        "unevaluated",
        "prefix-item-type",
        "prefix-item-count",
        "const",
        "not",
        "if-then",
        "contains",
        "discriminator",
        "described-reference",
        "look-ahead-pattern",
        "large-pattern",
    ],
)
def test_every_schema_construct_is_enforced(pkg: ModuleType, field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        pkg.models.Everything.model_validate({**EVERYTHING, field: value})


def test_a_described_reference_is_the_type_it_names(pkg: ModuleType) -> None:
    field = pkg.models.Everything.model_fields["described"]
    assert "Colour" in str(field.annotation) and not hasattr(pkg.models, "EverythingDescribed")


def test_keyword_and_builtin_schema_names_get_usable_classes(pkg: ModuleType) -> None:
    assert pkg.models.TrueModel.model_validate({"class": "x"}).class_ == "x"
    assert {"NoneModel", "Class"} <= set(dir(pkg.models))


# --------------------------------------------------------------------------- webhooks


def test_a_webhook_without_a_body_is_received(pkg: ModuleType) -> None:
    received: list[Any] = []

    class Handlers:
        async def on_pinged(self, event: None) -> None:
            received.append(event)

    app = pkg.webhooks.create_receiver(Handlers())

    async def run() -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://me.test") as http:
            return (await http.post("/hook", content=b"")).status_code

    assert asyncio.run(run()) == 200
    assert received == [None]
