"""The intermediate representation: typed objects that templates receive instead of raw spec dictionaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def essence(media_type: str) -> str:
    """A media type without its parameters (`application/json; charset=utf-8` -> `application/json`)."""
    return media_type.split(";")[0].strip().lower()


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
    """One path, query or header parameter."""

    name: str
    py_name: str
    location: str
    required: bool
    annotation: str
    kind: str
    """How the server turns the wire string into JSON: `string`, `integer`, `number`, `boolean`, `array`."""
    item_kind: str | None
    description: str
    explode: bool = True
    const: str | None = None
    """The single allowed value (RPC `Action`/`Version`): the client fills it, callers never pass it."""
    client_setting: str | None = None
    """A client configuration value that fills the parameter when the caller leaves it out."""

    @property
    def is_argument(self) -> bool:
        """Whether generated client methods take it as an argument."""
        return self.const is None


@dataclass(frozen=True)
class Body:
    """A request body: its media type and the model that validates it."""

    media_type: str
    model: str
    required: bool

    @property
    def encoding(self) -> str:
        """How the client encodes it: `json`, `form` or `multipart`."""
        return {"application/x-www-form-urlencoded": "form", "multipart/form-data": "multipart"}.get(
            essence(self.media_type), "json"
        )


@dataclass(frozen=True)
class Response:
    """One documented status of an operation."""

    status: int
    description: str
    model: str | None
    media_type: str | None
    error_codes: tuple[ErrorCode, ...] = ()
    validation_codes: tuple[tuple[str, str], ...] = ()
    """For a 400: which documented code answers which kind of invalid input (`default`, `missing`, `range` ...)."""

    @property
    def is_error(self) -> bool:
        return self.status >= 400

    @property
    def exception_name(self) -> str:
        return exception_name(self.status)


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

    @property
    def successes(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if not r.is_error)

    @property
    def errors(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.is_error)

    @property
    def result_models(self) -> tuple[str, ...]:
        """Distinct success models, in status order."""
        return tuple(dict.fromkeys(r.model for r in self.successes if r.model))

    @property
    def has_empty_success(self) -> bool:
        return any(r.model is None and r.media_type is None for r in self.successes)

    @property
    def has_binary_success(self) -> bool:
        """A success whose body is not JSON (a PDF, say): returned as bytes."""
        return any(r.model is None and r.media_type is not None for r in self.successes)

    def params_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    @property
    def selectors(self) -> tuple[tuple[str, str], ...]:
        """Query parameters with one allowed value: what selects this operation among those sharing its URL (an RPC
        `Action` and `Version`)."""
        return tuple((p.name, p.const) for p in self.params_in("query") if p.const is not None)

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
    model: str
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
    spec_sha256: str
    servers: tuple[Server, ...]
    security_schemes: tuple[SecurityScheme, ...]
    operations: tuple[Operation, ...]
    webhooks: tuple[Webhook, ...]
    error_fields: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    """Field names the documented error bodies use for a code and for a message."""

    @property
    def error_statuses(self) -> tuple[int, ...]:
        return tuple(sorted({r.status for op in self.operations for r in op.errors}))

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
