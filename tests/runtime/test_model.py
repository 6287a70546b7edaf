"""`read_json`: the runtime's one JSON reader (request bodies, parameters, responses, webhook payloads) refuses nesting
deeper than its bound with a `ValueError` at any depth, never a `RecursionError`."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.runtime.json_text import MAX_JSON_DEPTH, _json_number, _not_json, read_json, write_json


def _arrays(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _objects(depth: int, leaf: bytes = b"1") -> bytes:
    return b'{"a":' * depth + leaf + b"}" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 10_000, 1_000_000])
@pytest.mark.parametrize("nested", [_arrays, _objects])
def test_nesting_deeper_than_the_bound_is_a_value_error(depth: int, nested: Callable[[int], bytes]) -> None:
    with pytest.raises(ValueError, match="nested deeper"):
        read_json(nested(depth))


def test_nesting_up_to_the_bound_is_read() -> None:
    assert read_json(_arrays(MAX_JSON_DEPTH)) is not None
    value = read_json(_objects(MAX_JSON_DEPTH, b"5.0"))
    for _ in range(MAX_JSON_DEPTH):
        value = value["a"]
    assert value == 5 and isinstance(value, int)


def test_brackets_inside_strings_are_text_not_nesting() -> None:
    text = "[" * 5000 + '\\"{' + "{" * 600
    assert read_json(b'{"s": "' + text.encode() + b'", "t": ["]]]"]}') == {"s": text.replace("\\", ""), "t": ["]]]"]}


@pytest.mark.parametrize("content", [b'["unterminated', b"[" * 600 + b'"', b"[NaN]", b"[1,]"])
def test_invalid_json_stays_a_value_error(content: bytes) -> None:
    with pytest.raises(ValueError):
        read_json(content)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON, st.sampled_from(["utf-8", "utf-16", "utf-32-le", "utf-8-sig"]))
def test_read_json_reads_as_json_loads_with_its_hooks(value: object, encoding: str) -> None:
    """The kept decoder reads every encoding `json.loads` detects, with the same integral numbers."""
    content = json.dumps(value, ensure_ascii=False).encode(encoding)
    assert read_json(content) == json.loads(content, parse_float=_json_number, parse_constant=_not_json)


@given(_JSON)
def test_write_json_writes_as_json_dumps(value: object) -> None:
    assert write_json(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


@pytest.mark.parametrize("value", [float("nan"), [float("inf")], {"a": -float("inf")}])
def test_write_json_refuses_what_is_not_json(value: object) -> None:
    with pytest.raises(ValueError):
        write_json(value)


def test_wire_values_remembers_only_what_validates_the_same() -> None:
    """Parameters validated once are remembered by value and type: `True` is not `1`, an invalid set raises every
    time, and each caller gets a dict of its own."""
    from typing import Literal

    from pydantic import Field, ValidationError

    from generator.runtime.model import ApiModel, ModelRules, wire_values

    class Params(ApiModel):
        __streamspec_rules__ = ModelRules(exact_ints=("Level",))
        project_id: str = Field(alias="ProjectId", min_length=2)
        level: Literal[0, 1] | None = Field(default=None, alias="Level")

    first = wire_values(Params, {"ProjectId": "p1", "Level": 1})
    assert first == {"ProjectId": "p1", "Level": 1}
    first["ProjectId"] = "changed"
    assert wire_values(Params, {"ProjectId": "p1", "Level": 1}) == {"ProjectId": "p1", "Level": 1}
    for _ in range(2):
        with pytest.raises(ValidationError):
            wire_values(Params, {"ProjectId": "p1", "Level": True})
        with pytest.raises(ValidationError):
            wire_values(Params, {"ProjectId": "p"})
    assert wire_values(Params, {"project_id": "p2"}) == {"ProjectId": "p2"}
    assert wire_values(Params, {"ProjectId": "p3", "Level": [1][0]}) == {"ProjectId": "p3", "Level": 1}


def test_invalid_request_names_the_operation_and_each_field() -> None:
    from pydantic import BaseModel, Field

    from generator.runtime.client import APIRequestValidationError
    from generator.runtime.model import invalid_request

    class Body(BaseModel):
        size: int = Field(alias="Size", ge=1)

    with pytest.raises(APIRequestValidationError) as caught, invalid_request("Create", "body"):
        Body.model_validate({"Size": 0})
    assert caught.value.operation == "Create"
    assert [field for field, _ in caught.value.errors] == ["body.Size"]
    assert isinstance(caught.value.__cause__, ValueError)
    with pytest.raises(KeyError), invalid_request("Create"):  # anything else passes through unchanged
        raise KeyError("x")
    with invalid_request("Create"):
        pass
