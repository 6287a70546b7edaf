"""The intermediate representation: typed objects that templates receive instead of raw spec dictionaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})


@dataclass(frozen=True)
class ErrorCode:
    """A documented vendor error code for one status."""

    code: str
    message: str
    description: str


@dataclass(frozen=True)
class Parameter:
    """One path, query, header or cookie parameter."""

    name: str
    py_name: str
    location: str
    required: bool
    annotation: str
    kind: str
    """How the value travels: `string`, `integer`, `number`, `boolean`, `array`, `object`, or `json` for a
    parameter whose `content` is a JSON document."""
    item_kind: str | None
    description: str
    explode: bool = True
    const: str | int | float | bool | None = None
    """The single allowed value (RPC `Action`/`Version`): the client fills it, callers never pass it."""
    client_setting: str | None = None
    """A client configuration value that fills the parameter when the caller leaves it out."""
    style: str = ""
    """The OpenAPI style as written (empty: the location's default)."""
    fields: tuple[tuple[str, str], ...] = ()
    """An object's properties and their kinds (for styles that spell the properties as separate names)."""
    null_text: bool = False
    """The value (an array's items) may be null and may not be the string `null`: the wire text `null` is null."""

    @property
    def is_argument(self) -> bool:
        """Whether generated client methods take it as an argument."""
        return self.const is None


ENCODINGS = ("json", "form", "multipart", "text", "binary")
"""How a body of each media type travels, in order of preference when a body documents several."""


@dataclass(frozen=True)
class BodyVariant:
    """One documented media type of a body."""

    media_type: str
    encoding: str
    model: str | None
    """The model (or type alias) of a structured body; None for text, binary, or one without a schema."""
    files: tuple[str, ...] = ()
    """Multipart fields that are file parts."""
    xml: str | None = None
    """An XML body with a structure: the JSON pointer of its schema in the document, whose `xml` objects name its
    elements (the server checks the XML against `model`; the client sends text)."""


@dataclass(frozen=True)
class Body:
    """A request body: each media type it may be sent as, the preferred first."""

    variants: tuple[BodyVariant, ...]
    required: bool

    @property
    def model(self) -> str | None:
        """The model of the first structured variant (what the server hands its handler for JSON and forms; XML is
        checked against its model but handed over as text)."""
        return next((v.model for v in self.variants if v.model and v.encoding != "text"), None)

    @property
    def encoding(self) -> str:
        return self.variants[0].encoding

    @property
    def media_type(self) -> str:
        return self.variants[0].media_type


@dataclass(frozen=True)
class ResponseVariant:
    """One media type of a response: how it is read and the model of a JSON body."""

    media_type: str
    kind: str
    """`json`, `text` or `binary`."""
    model: str | None


@dataclass(frozen=True)
class Response:
    """One documented response: an exact status (`200`), a range (`4XX`) or `default`."""

    key: str
    description: str
    variants: tuple[ResponseVariant, ...]
    error_codes: tuple[ErrorCode, ...] = ()
    validation_codes: tuple[tuple[str, str], ...] = ()
    """For a 400: which documented code answers which kind of invalid input (`default`, `missing`, `range` ...)."""
    success: bool = False
    """Whether the client treats it as a success (set by the parser: 1xx-3xx, and `default` when nothing else is)."""

    @property
    def status(self) -> int | None:
        """The exact status; None for a range or `default`."""
        return int(self.key) if self.key.isdigit() else None

    @property
    def status_class(self) -> int | None:
        """The hundreds digit of a range (`4XX` -> 4)."""
        return int(self.key[0]) if self.key[1:].upper() == "XX" else None

    @property
    def is_error(self) -> bool:
        return not self.success and self.key != "default"

    @property
    def model(self) -> str | None:
        return next((v.model for v in self.variants if v.model), None)

    @property
    def media_type(self) -> str | None:
        return self.variants[0].media_type if self.variants else None

    @property
    def exception_name(self) -> str:
        return exception_name(self.status) if self.status is not None else ""


def wire_text(value: object) -> str:
    """A scalar as a query string spells it (`true`, `5`, `text`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


EXCEPTION_NAMES = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    405: "MethodNotAllowedError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
    500: "InternalServerError",
    502: "BadGatewayError",
    503: "ServiceUnavailableError",
    504: "GatewayTimeoutError",
}


def exception_name(status: int) -> str:
    """The generated exception class of an error status (`NotFoundError`, `Status418Error`)."""
    return EXCEPTION_NAMES.get(status, f"Status{status}Error")


@dataclass(frozen=True)
class Operation:
    """One API operation, everything the client and server templates need."""

    operation_id: str
    py_name: str
    method: str
    path: str
    wire_path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    params_model: str | None
    body: Body | None
    responses: tuple[Response, ...]
    security: tuple[tuple[str, ...], ...]
    idempotent: bool
    rate_limit: dict[str, Any] | None
    deprecated: bool = False
    auth_headers: tuple[Parameter, ...] = ()
    """Headers the auth flow sets (`x-auth-managed`): never client arguments, but a server checks those sent."""
    auth_headers_model: str | None = None

    @property
    def successes(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.success)

    @property
    def errors(self) -> tuple[Response, ...]:
        """Documented error responses with an exact status (each has its exception class)."""
        return tuple(r for r in self.responses if r.is_error and r.status is not None)

    @property
    def success_statuses(self) -> tuple[int, ...]:
        return tuple(r.status for r in self.successes if r.status is not None)

    @property
    def success_classes(self) -> tuple[int, ...]:
        """Status classes that are successes: a documented range (`2XX`), or 2 for a success `default`."""
        classes = {c for r in self.successes if (c := r.status_class) is not None}
        classes |= {2 for r in self.successes if r.key == "default"}
        return tuple(sorted(classes))

    @property
    def has_empty_success(self) -> bool:
        return any(not r.variants for r in self.successes)

    def params_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    @property
    def selectors(self) -> tuple[tuple[str, str], ...]:
        """Query parameters with one allowed value: what selects this operation among those sharing its URL (an RPC
        `Action` and `Version`)."""
        return tuple((p.name, wire_text(p.const)) for p in self.params_in("query") if p.const is not None)

    @property
    def required_query(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params_in("query") if p.required)

    @property
    def target(self) -> str:
        """Method, wire path and selectors, as `list` shows it: `GET /?Action=Ping&Version=1`."""
        query = "&".join(f"{name}={value}" for name, value in self.selectors)
        return f"{self.method} {self.wire_path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Server:
    url: str
    region: str | None
    description: str


@dataclass(frozen=True)
class SecurityScheme:
    """A security scheme: its OpenAPI type and, for a vendor's signing, the signer it names (`x-signing`)."""

    name: str
    kind: str
    """`apiKey`, `http`, `oauth2`, `openIdConnect` or `mutualTLS`."""
    signing: str | None = None
    http_scheme: str = ""
    """For `http`: the scheme, lower case (`bearer`, `basic`, `digest` ...)."""
    location: str = "header"
    """For `apiKey`: `header`, `query` or `cookie`."""
    parameter: str = ""
    """For `apiKey`: the header, query parameter or cookie name."""
    details: dict[str, Any] = field(default_factory=dict)
    """Its `x-` extensions, without the prefix."""


@dataclass(frozen=True)
class Webhook:
    """A callback the vendor sends to users' receivers."""

    name: str
    py_name: str
    model: str | None
    """The payload's model; None for a callback without a body."""
    description: str
    signature: dict[str, Any]
    json_content: tuple[tuple[str, str], ...] = ()
    """Payload fields holding JSON text (`contentSchema`): (wire name, the generated type of that text)."""

    @property
    def scheme(self) -> str:
        """How deliveries are signed (`x-signature.scheme`, a scheme of the profile); `none` without `x-signature`."""
        return str(self.signature.get("scheme", "none")) if self.signature else "none"


@dataclass(frozen=True)
class Api:
    """One spec, parsed."""

    package: str
    title: str
    version: str
    description: str
    profile: str
    """The vendor profile the spec selects (`generator.profiles`)."""
    spec_file: str
    servers: tuple[Server, ...]
    security_schemes: tuple[SecurityScheme, ...]
    operations: tuple[Operation, ...]
    webhooks: tuple[Webhook, ...]
    error_fields: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    """Field names the documented error bodies use for a code and for a message."""
    aliases: frozenset[str] = frozenset()
    """Models that are type aliases (arrays, unions, primitives), not classes: validated through an adapter."""

    @property
    def error_statuses(self) -> tuple[int, ...]:
        return tuple(sorted({s for op in self.operations for r in op.errors if (s := r.status) is not None}))

    @property
    def client_settings(self) -> tuple[str, ...]:
        """Client configuration values that fill parameters (`x-client-setting`), such as a project id."""
        return tuple(sorted({p.client_setting for op in self.operations for p in op.parameters if p.client_setting}))

    @property
    def has_selectors(self) -> bool:
        return any(op.selectors for op in self.operations)

    @property
    def regions(self) -> tuple[tuple[str, str], ...]:
        return tuple((s.region, s.url) for s in self.servers if s.region)
