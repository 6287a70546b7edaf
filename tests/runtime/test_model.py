"""`read_json`: the runtime's one JSON reader (request bodies, parameters, responses, webhook payloads) refuses nesting
deeper than its bound with a `ValueError` at any depth, never a `RecursionError`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from generator.runtime.json_text import MAX_JSON_DEPTH, read_json


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
