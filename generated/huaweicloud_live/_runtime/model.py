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
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any, ClassVar, Self, TypeGuard, TypeVar, cast, overload

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, model_validator
from pydantic_core import PydanticCustomError

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
    try:
        _adapter(target).validate_python(value, by_name=False)
    except ValidationError:
        return False
    return True


def _label(target: object) -> str:
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


class ApiModel(BaseModel):
    """Accepts Python names and wire names, dumps wire names, and enforces `__streamspec_rules__`.

    Validators are built on first use (`defer_build`), so that importing a large API costs little.
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True, defer_build=True)

    __streamspec_rules__: ClassVar[ModelRules | None] = None

    @model_validator(mode="before")
    @classmethod
    def _check_exact_ints(cls, data: Any) -> Any:
        """Before validation, because `Literal[0, 1]` has already turned `True` into `1` by the time it is done."""
        rules = cls.__streamspec_rules__
        if rules is not None and rules.exact_ints and isinstance(data, dict):
            for name, info in cls.model_fields.items():
                alias = info.alias or name
                if alias in rules.exact_ints:
                    value = data.get(alias, data.get(name))
                    for item in value if isinstance(value, list) else [value]:
                        if item is not None and type(item) is not int:
                            _fail(None, f"{alias} must be an integer, got {json.dumps(_plain(item))}", kind="range")
        return data

    @model_validator(mode="after")
    def _check_streamspec_rules(self) -> Self:
        rules = type(self).__streamspec_rules__
        if rules is not None:
            present = {
                info.alias or name: self.__dict__[name]  # not getattr: a deprecated field would warn
                for name, info in type(self).model_fields.items()
                if name in self.model_fields_set
            }
            rules.check(present)
            if rules.checks:
                document = dump(self)
                for check in rules.checks:
                    check.check(document)
        return self


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
    data = read_json(content)
    if _is_model(target):
        return target.model_validate(data, by_name=False)
    return _adapter(target).validate_python(data, by_name=False)


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


MAX_JSON_DEPTH = 512
"""Arrays and objects nested deeper are refused: Python's parser and everything that walks the value afterwards
recurse, and would fail (or the process) at a depth that depends on the stack in use, so the bound is explicit and
well below it. No document of a real API comes near it."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
"""Every byte but brackets: what `bytes.translate` deletes to keep the nesting alone."""
_STEP = tuple(1 if byte in b"[{" else -1 for byte in range(256))


def read_json(content: bytes) -> Any:
    """JSON as JSON Schema reads it: integral numbers (`5.0`) are integers; NaN and Infinity are not JSON; nesting
    deeper than `MAX_JSON_DEPTH` is refused (`ValueError`, as for any other invalid JSON)."""
    if _too_deep(content):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(content, parse_float=_json_number, parse_constant=_not_json)


def _too_deep(content: bytes) -> bool:
    """Whether the brackets outside strings nest deeper than the bound (linear; free for all but bracket-heavy
    documents). An unterminated string leaves brackets counted, which only refuses what is not JSON anyway."""
    if content.count(b"[") + content.count(b"{") <= MAX_JSON_DEPTH:
        return False
    nesting = _STRING.sub(b"", content).translate(None, _BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, nesting)), default=0) > MAX_JSON_DEPTH


def _json_number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
