# Vendored by streamspec (runtime module model); do not edit.
"""The base of every generated model: pydantic plus the rules pydantic's field types cannot say.

Cross-field rules (exactly one of, not together, required if), string formats whose checks must not change the
value (a `uri` stays the string it was, so that payloads round-trip byte for byte), JSON documents carried inside
strings, and unique array items. A broken rule is a pydantic validation error whose context names the vendor's
error code when the spec gives one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import TracebackType, UnionType
from typing import (
    Annotated,
    Any,
    ClassVar,
    Final,
    ForwardRef,
    Self,
    TypeGuard,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    overload,
)

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    ModelWrapValidatorHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from .client import APIRequestValidationError
from .json_text import read_json
from .receiving import kept, strictly, tolerating

Group = tuple[tuple[str, ...], str | None]
"""Wire names of the fields a rule is about, and the vendor error code to answer with (if any)."""

PRESENT = "__present__"
"""A `required_if` condition that holds whenever the field is present (JSON Schema `dependentRequired`)."""


@dataclass(frozen=True)
class RequiredIf:
    field: str
    equals: object
    required: tuple[str, ...]
    code: str | None = None


@dataclass(frozen=True)
class SchemaCheck:
    """A schema keyword the field types cannot say, checked on the model's JSON form.

    `at`: where in the model's value (wire names; `*` for every item or map value). `keyword`: `not` (the value
    must not be a `targets[0]`), `if` (a value that is a `targets[0]` must be a `targets[1]`, else a `targets[2]`;
    `""` for a branch that is absent), `contains` (between `args[0]` and `args[1]` items are `targets[0]`s) or
    `dependent` (when property `args[0]` is present, the object is a `targets[0]`) or `prefix` (the item at each
    position is a `targets[position]`)."""

    at: tuple[str, ...]
    keyword: str
    targets: tuple[object, ...]
    args: tuple[Any, ...] = ()

    def check(self, document: object) -> None:
        for value in _values_at(document, self.at):
            if self.keyword == "not" and _is(self.targets[0], value):
                _fail(None, f"{_where(self.at)} must not be a {_label(self.targets[0])}")
            elif self.keyword == "if":
                condition, then, otherwise = self.targets
                branch = then if _is(condition, value) else otherwise
                if branch and not _is(branch, value):
                    _fail(None, f"{_where(self.at)} must be a {_label(branch)}")
            elif self.keyword == "prefix" and isinstance(value, list):
                for position, (target, item) in enumerate(zip(self.targets, value, strict=False)):
                    if not _is(target, item):
                        _fail(None, f"{_where(self.at)}[{position}] must be a {_label(target)}")
            elif self.keyword == "contains" and isinstance(value, list):
                count = sum(1 for item in value if _is(self.targets[0], item))
                low, high = self.args
                if count < low or (high is not None and count > high):
                    _fail(None, f"{_where(self.at)} has {count} items that are {_label(self.targets[0])}")
            elif (
                self.keyword == "dependent"
                and isinstance(value, dict)
                and self.args[0] in value
                and not _is(self.targets[0], value)
            ):
                _fail(None, f"{_where(self.at)} must be a {_label(self.targets[0])} when {self.args[0]} is given")


def _values_at(document: object, at: tuple[str, ...]) -> list[object]:
    values = [document]
    for step in at:
        found: list[object] = []
        for value in values:
            if step == "*" and isinstance(value, list):
                found += value
            elif step == "*" and isinstance(value, dict):
                found += value.values()
            elif isinstance(value, dict) and step in value:
                found.append(value[step])
        values = found
    return values


def _is(target: object, value: object) -> bool:
    """Whether `value` (JSON, wire names) is a `target`, judged strictly even in a tolerant read."""
    try:
        with strictly():
            _adapter(target).validate_python(value, by_name=False)
    except ValidationError:
        return False
    return True


def _label(target: object) -> str:
    if get_origin(target) is Annotated:  # a constrained primitive (`StrictInt`): its type
        target = get_args(target)[0]
    return str(getattr(target, "__name__", target))


def _where(at: tuple[str, ...]) -> str:
    return ".".join(at) or "the value"


@dataclass(frozen=True)
class ModelRules:
    """Rules of one model, by wire (alias) name."""

    exactly_one: tuple[Group, ...] = ()
    at_least_one: tuple[Group, ...] = ()
    not_together: tuple[Group, ...] = ()
    required_if: tuple[RequiredIf, ...] = ()
    formats: tuple[tuple[str, str, bool], ...] = ()
    json_content: tuple[tuple[str, object], ...] = ()
    """Fields holding JSON text, with the type (a model or a union alias) that text must validate as."""
    unique: tuple[str, ...] = ()
    exact_ints: tuple[str, ...] = ()
    """Integer enum fields: `Literal[0, 1]` alone would take `True` or `1.0` for 1."""
    checks: tuple[SchemaCheck, ...] = ()

    def check(self, values: Mapping[str, object]) -> None:
        """Raise PydanticCustomError for the first broken rule; `values` holds only the fields that are set."""
        for fields, code in self.exactly_one:
            given = [f for f in fields if f in values]
            if len(given) != 1:
                _fail(code, f"exactly one of {', '.join(fields)} must be given, got {len(given)}")
        for fields, code in self.at_least_one:
            if not any(f in values for f in fields):
                _fail(code, f"at least one of {', '.join(fields)} must be given")
        for fields, code in self.not_together:
            if all(f in values for f in fields):
                _fail(code, f"{' and '.join(fields)} cannot be given together")
        for rule in self.required_if:
            holds = rule.field in values and (rule.equals == PRESENT or _same(values[rule.field], rule.equals))
            missing = [f for f in rule.required if f not in values]
            if holds and missing:
                condition = "is given" if rule.equals == PRESENT else f"is {json.dumps(rule.equals)}"
                _fail(rule.code, f"{', '.join(missing)} is required when {rule.field} {condition}")
        for name, fmt, is_array in self.formats:
            value = values.get(name)
            if value is not None:
                items: list[object] = [value]
                if is_array and isinstance(value, list):
                    items = list(value)
                for item in items:
                    if isinstance(item, str) and not FORMAT_CHECKS[fmt](item):
                        _fail(None, f"{name} is not a valid {fmt}: {item!r}", kind="format")
        for name, target in self.json_content:
            raw = values.get(name)
            if isinstance(raw, str):
                try:
                    _adapter(target).validate_json(raw)
                except ValidationError as exc:
                    label = getattr(target, "__name__", "document")
                    _fail(None, f"{name} must hold a JSON {label}: {exc.errors()[0]['msg']}", kind="format")
        for name in self.unique:
            array = values.get(name)
            if isinstance(array, list):
                seen = [json.dumps(_plain(i), sort_keys=True) for i in array]
                if len(set(seen)) != len(seen):
                    _fail(None, f"{name} must not repeat items")


class KnownValues:
    """Marks an open enum: a field typed `Literal[...] | str` (so that callers handle values the spec does not list
    yet, while still matching on the known ones) is validated as the `Literal` alone. Only a tolerant read of a
    response (`receiving`) keeps another value, as received."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return handler(get_args(source)[0])


KNOWN_VALUES = KnownValues()


@dataclass(frozen=True)
class OneOf:
    """Marks a union (`Annotated[A | B, OneOf(...)]`) with what JSON Schema and OpenAPI say beyond "some member
    validates", which is all a pydantic union checks.

    `exclusive`: exactly one member validates (`oneOf` whose members a value may match together). `tag`, `tags`: a
    discriminator; when the value is an object that has the `tag` property, its value selects the member the value
    must be (`tags`: each value with its member; members no value selects take the values none names), and the
    result is that member. Members are judged on the value's JSON form (wire names), as JSON Schema reads it.
    """

    exclusive: bool = True
    tag: str | None = None
    tags: tuple[tuple[str, object], ...] = ()

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        members = tuple(get_args(source)) if get_origin(source) in (Union, UnionType) else (source,)

        def check(value: Any, validate: ValidatorFunctionWrapHandler) -> Any:
            if not tolerating():
                return self._check(members, validate(value))
            try:  # a tolerant read (of a response): the members tried strictly first, so none is kept by mistake
                with strictly():
                    result = validate(value)
            except ValidationError:
                return validate(value)  # invalid as it stands: whatever the tolerant read keeps of it
            return self._check(members, result)

        return core_schema.no_info_wrap_validator_function(check, handler(source))

    def _check(self, members: tuple[object, ...], result: object) -> object:
        document = dump_value(None, result)
        if self.tag is not None and isinstance(document, dict) and self.tag in document:
            given = document[self.tag]
            chosen = next((member for value, member in self.tags if value == given and isinstance(given, str)), None)
            if chosen is not None:
                try:
                    with strictly():
                        return _adapter(chosen).validate_python(document, by_name=False)
                except ValidationError as exc:
                    error = exc.errors()[0]
                    where = ".".join(str(step) for step in error["loc"])
                    detail = f"{where}: {error['msg']}" if where else error["msg"]
                    _fail(
                        None, f"the {self.tag} {given!r} selects {_label(chosen)}, and the value is not one: {detail}"
                    )
            named = [member for _, member in self.tags]
            members = tuple(m for m in members if not any(m is n for n in named))
            if not members:
                known = ", ".join(dict.fromkeys(repr(value) for value, _ in self.tags))
                _fail(None, f"{self.tag} must be one of {known}, got {json.dumps(given)}")
            if not any(_is(member, document) for member in members):
                _fail(None, f"{self.tag} {json.dumps(given)} selects no schema the value is")
        if self.exclusive:
            matching = [member for member in members if _is(member, document)]
            if len(matching) > 1:
                names = ", ".join(_label(member) for member in matching)
                _fail(None, f"the value must be exactly one of the schemas, and it is {len(matching)}: {names}")
        return result


class ApiModel(BaseModel):
    """Accepts Python names and wire names, dumps wire names, and enforces `__streamspec_rules__`.

    Validators are built on first use (`defer_build`), so that importing a large API costs little. A response read
    tolerantly (`receiving`) keeps what the spec does not allow as received (`_validate`).
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True, defer_build=True)

    __streamspec_rules__: ClassVar[ModelRules | None] = None

    @model_validator(mode="wrap")
    @classmethod
    def _validate(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Strict validation, then the model's rules; when either fails while a response is read tolerantly, each
        field is validated on its own and a field that fails keeps its value as received, with a warning. A required
        field that is missing, or data that is no object at all, cannot be kept: the error stands.

        One validator rather than a before, an after and a wrap one: pydantic calls each validator of every model it
        validates, and most models have no rules."""
        rules = cls.__streamspec_rules__
        try:
            if rules is None:
                return handler(data)
            if rules.exact_ints and isinstance(data, dict):
                cls._check_exact_ints(data, rules.exact_ints)
            instance = handler(data)
            instance._check_rules(rules)
            return instance
        except ValidationError as exc:
            if not tolerating() or not isinstance(data, dict) or any(e["type"] == "missing" for e in exc.errors()):
                raise
            return cls._kept_as_received(data, exc)
        except PydanticCustomError as error:  # a broken rule: pydantic reports it as it would from any validator
            if not tolerating() or not isinstance(data, dict):
                raise
            broken = ValidationError.from_exception_data(cls.__name__, [{"type": error, "loc": (), "input": data}])
            return cls._kept_as_received(data, broken)

    @classmethod
    def _check_exact_ints(cls, data: dict[str, Any], exact_ints: tuple[str, ...]) -> None:
        """Before validation, because `Literal[0, 1]` has already turned `True` into `1` by the time it is done."""
        for name, alias in _wire_names(cls):
            if alias in exact_ints:
                value = data.get(alias, data.get(name))
                for item in value if isinstance(value, list) else [value]:
                    if item is not None and type(item) is not int:
                        _fail(None, f"{alias} must be an integer, got {json.dumps(_plain(item))}", kind="range")

    def _check_rules(self, rules: ModelRules) -> None:
        given, values = self.model_fields_set, self.__dict__  # not getattr: a deprecated field would warn
        present = {alias: values[name] for name, alias in _wire_names(type(self)) if name in given}
        rules.check(present)
        if rules.checks:
            document = dump(self)
            for check in rules.checks:
                check.check(document)

    @classmethod
    def _kept_as_received(cls, data: dict[str, Any], exc: ValidationError) -> Self:
        by_wire = {info.alias or name: name for name, info in cls.model_fields.items()}
        failed = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        for error in exc.errors():
            if not error["loc"]:  # a rule across fields (exactly one of, a format, ...): the values stay as they are
                kept(f"{cls.__name__}: {error['msg']}; kept as received")
        values: dict[str, Any] = {}
        for wire, raw in data.items():
            name = by_wire.get(wire)
            if name is None:
                if wire in failed:  # an unknown field of a closed object
                    kept(f"{cls.__name__} has no field {wire!r}; ignored (the raw response has it)")
                elif cls.model_config.get("extra") == "allow":
                    values[wire] = raw
                continue
            try:
                values[name] = _field_adapter(cls, name).validate_python(raw, by_name=False)
            except ValidationError as field_error:
                shown = json.dumps(raw, ensure_ascii=False, default=str)[:200]
                kept(f"{cls.__name__}.{wire} = {shown} kept as received: {field_error.errors()[0]['msg']}")
                values[name] = raw
        model: Any = cls  # pydantic's mypy plugin types `model_construct` as returning the base class
        instance: Self = model.model_construct(_fields_set={by_wire[w] for w in data if w in by_wire}, **values)
        return instance


@cache
def _wire_names(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(Python name, wire name) of each field, in order (cached: the rules validators ask on every validation)."""
    return tuple((name, info.alias or name) for name, info in model.model_fields.items())


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A field's type with its constraints, to validate one field of a response read tolerantly."""
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if isinstance(annotation, ForwardRef):  # a name defined later in the module: it is defined by now
        annotation = eval(annotation.__forward_arg__, vars(sys.modules[model.__module__]))
    elif info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    return adapter


class invalid_request:
    """Turn a validation error of what a caller passed into `APIRequestValidationError`, naming `operation` and
    each field: a parameter by its wire name, or a field of the body under `part` ("body").

    A class rather than a `contextmanager` generator: every call enters one or two, and a generator costs several
    times as much to set up."""

    __slots__ = ("operation", "part")

    def __init__(self, operation: str, part: str | None = None) -> None:
        self.operation = operation
        self.part = part

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not isinstance(exc, ValidationError):
            return
        part = self.part
        errors = []
        for error in exc.errors():
            where = [part] if part else []
            where += [str(step) for step in error["loc"]]
            errors.append((".".join(where) or (part or "request"), error["msg"]))
        raise APIRequestValidationError(self.operation, errors) from exc


@cache
def _adapter(target: object) -> TypeAdapter[Any]:
    """One TypeAdapter per JSON-content type: building one is far costlier than validating with it."""
    adapter: TypeAdapter[Any] = TypeAdapter(cast(Any, target))
    return adapter


def _fail(code: str | None, message: str, *, kind: str = "rule") -> None:
    raise PydanticCustomError(f"streamspec_{kind}", message, {"error_code": code} if code else None)


def _same(value: object, expected: object) -> bool:
    return type(value) is type(expected) and value == expected


def _plain(value: object) -> object:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# RFC 3986 §3 (the grammar JSON Schema's `uri` names): only these ASCII characters, other text percent-encoded.
_PCT = r"%[0-9A-Fa-f]{2}"
_SUB = r"A-Za-z0-9\-._~!$&'()*+,;="  # unreserved and sub-delims
_PCHAR = rf"(?:[{_SUB}:@]|{_PCT})"
_AUTHORITY = (
    rf"(?:(?:[{_SUB}:]|{_PCT})*@)?"  # userinfo
    rf"(?P<host>\[(?:[0-9A-Fa-f:.]*|v[0-9A-Fa-f]+\.[{_SUB}:]+)\]|(?:[{_SUB}]|{_PCT})*)"  # IP literal or name
    r"(?::[0-9]*)?"  # port
)
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:"  # scheme
    rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|(?!//)(?:{_PCHAR}|/)*)"  # after an authority, a path starts with "/"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?",  # query, fragment
    re.ASCII,
)


def _is_date_time(value: str) -> bool:
    if not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        return len(value) == 10 and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _is_uri(value: str) -> bool:
    found = _URI.fullmatch(value)
    if found is None:
        return False
    host = found.group("host") or ""
    if host.startswith("[") and not host.startswith("[v"):  # an IP literal (not IPvFuture) must be real IPv6
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
    return True


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _is_ip(version: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return ipaddress.ip_address(value).version == version
        except ValueError:
            return False

    return check


_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")

FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "byte": lambda v: bool(_BASE64.match(v)),
    "uri": _is_uri,
    "uri-reference": lambda v: not any(c.isspace() for c in v),
    "date-time": _is_date_time,
    "date": _is_date,
    "time": lambda v: bool(_TIME.match(v)),
    "email": lambda v: bool(_EMAIL.match(v)),
    "uuid": _is_uuid,
    "ipv4": _is_ip(4),
    "ipv6": _is_ip(6),
}


def dump(model: BaseModel) -> Any:
    """The JSON-ready form of a model as it goes on the wire: wire names, unset fields left out."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def wire_values(model: type[BaseModel], values: Mapping[str, object]) -> dict[str, Any]:
    """`dump(model.model_validate(values))`: an operation's parameters validated, by wire name.

    Remembered for values that are all strings, integers or booleans (the parameters most calls repeat: a project
    id, an API version, constant actions): validating them again would give the same answer, and an invalid set is
    never remembered (it raises each time). The answer is a fresh dict; its values are plain JSON values."""
    key = tuple((name, type(value), value) for name, value in values.items())
    if tolerating() or not all(kind in _PLAIN for _, kind, _ in key):  # tolerance would keep a bad value
        return cast(dict[str, Any], dump(model.model_validate(values)))
    return dict(_wire_values(model, key))


_PLAIN: Final = frozenset({str, int, bool})


@lru_cache(maxsize=512)
def _wire_values(model: type[BaseModel], key: tuple[tuple[str, type, object], ...]) -> dict[str, Any]:
    return cast(dict[str, Any], dump(model.model_validate({name: value for name, _, value in key})))


M = TypeVar("M", bound=BaseModel)


def _is_model(target: object) -> TypeGuard[type[BaseModel]]:
    return isinstance(target, type) and issubclass(target, BaseModel)


@overload
def from_json(target: type[M], content: bytes) -> M: ...


@overload
def from_json(target: object, content: bytes) -> Any: ...


def from_json(target: object, content: bytes) -> Any:
    """A model (or a value of a type alias: a list, a union, a primitive) from JSON received on the wire, read as
    JSON Schema reads it.

    Only wire names count (an open object's extra `request_id` is not the field `RequestId`), and an integral number
    is an integer whatever its spelling (`5.0`), since JSON Schema's `integer` is a mathematical property.
    """
    return from_value(target, read_json(content))


@overload
def from_value(target: type[M], data: object) -> M: ...


@overload
def from_value(target: object, data: object) -> Any: ...


def from_value(target: object, data: object) -> Any:
    """`from_json` of a body already read as `read_json` reads it (a client's response, decoded once for its error
    envelope and its parser)."""
    if _is_model(target):
        return target.model_validate(data, by_name=False)
    try:
        return _adapter(target).validate_python(data, by_name=False)
    except ValidationError as exc:
        if not tolerating() or any(e["type"] == "missing" for e in exc.errors()):
            raise
        kept(f"the body kept as received: {exc.errors()[0]['msg']}")
        return data


def validate_value(target: object, value: object, *, by_name: bool = True) -> Any:
    """`value` validated as `target` (a model class or a type alias); a model instance of `target` is kept.

    `by_name=False` reads wire names only, as received data must be."""
    if _is_model(target):
        return value if isinstance(value, target) else target.model_validate(value, by_name=by_name)
    return _adapter(target).validate_python(value, by_name=by_name)


def dump_value(target: object, value: object) -> Any:
    """The JSON-ready form of a value validated as `target` (see `dump`); `target` None: whatever `value` holds."""
    if isinstance(value, BaseModel):
        return dump(value)
    return _adapter(Any if target is None else target).dump_python(
        value, mode="json", by_alias=True, exclude_unset=True
    )


def dump_json(value: object) -> bytes:
    """`dump_value(None, value)` as compact JSON text (UTF-8), made by pydantic's serializer in one pass rather than
    dumped and then encoded by `json` (a third of the time; a server answers every request with it)."""
    if isinstance(value, BaseModel):
        return value.model_dump_json(by_alias=True, exclude_unset=True).encode()
    return _adapter(Any).dump_json(value, by_alias=True, exclude_unset=True)
