"""One pass where httpx or a second reader would take several: the signer's headers set together, a response body
decoded once for its error envelope and its parser. Each is compared with what it replaces."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.profiles.volcengine.runtime.envelope import VolcengineEnvelope
from generator.runtime.envelope import JsonErrorEnvelope, json_object, response_json
from generator.runtime.json_text import MAX_JSON_DEPTH, read_json, read_json_plain
from generator.runtime.signing import set_headers

# --------------------------------------------------------------------------- set_headers

_NAMES = st.sampled_from(["Host", "X-Date", "x-date", "X-DATE", "Authorization", "authorization", "Accept", "X-A"])
_PAIRS = st.lists(st.tuples(_NAMES, st.text("abcé ", max_size=4)), max_size=8)


@given(
    _PAIRS,
    st.dictionaries(
        st.sampled_from(["X-Date", "X-Content-Sha256", "Authorization", "X-New"]),
        st.text("abcé", max_size=4),
        max_size=4,
    ),
    st.sampled_from([None, "utf-8", "latin-1"]),
)
def test_set_headers_is_setitem_per_name(
    pairs: list[tuple[str, str]], values: dict[str, str], encoding: str | None
) -> None:
    raw = [(name.encode(), value.encode()) for name, value in pairs]
    expected = httpx.Headers(raw, encoding=encoding)
    for name, value in values.items():
        expected[name] = value
    got = httpx.Headers(raw, encoding=encoding)
    set_headers(got, values)
    assert got._list == expected._list
    assert got.raw == expected.raw


# --------------------------------------------------------------------------- one decoding, two readers

_ENVELOPE_BODIES = [
    b'{"ResponseMetadata": {"RequestId": "r1", "Error": {"Code": "Bad", "CodeN": 5.0, "Message": "m"}}}',
    b'{"ResponseMetadata": {"RequestId": "r1", "Error": {"CodeN": 5.0}}}',
    b'{"ResponseMetadata": {"RequestId": 7.0, "Error": {"CodeN": 1e2}}}',
    b'{"ResponseMetadata": {"Error": {"CodeN": 0.0}}}',
    b'{"ResponseMetadata": {"Error": {"Code": "X", "CodeN": NaN}}, "Result": {}}',
    b'{"ResponseMetadata": {"Error": {"Code": "X"}}, "Result": {"v": Infinity}}',
    b'{"ResponseMetadata": {"Error": {"Code": "X", "CodeN": 1.5}}, "Result": {"v": -0.0}}',
    b'{"ResponseMetadata": {"RequestId": "r", "Error": {"Code": "X"}}, "Result": {"v": 1e999}}',
    b'{"code": 5.0, "message": "m"}',
    b'{"error": {"code": "c", "message": "m"}, "n": NaN}',
    b'{"ResponseMetadata": {"RequestId": "ok"}, "Result": {"a": [1, 2.5, "x"]}}',
    b"[1, 2]",
    b"not json",
    b"",
    b"\xff\xfe{\x00}\x00",
    ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)).encode(),
    b'{"ResponseMetadata": {"Error": {"Code": "Deep"}}, "x": ' + b"[" * 520 + b"]" * 520 + b"}",
]


def _response(status: int, content: bytes) -> httpx.Response:
    return httpx.Response(status, content=content, request=httpx.Request("POST", "https://example.com/"))


def _old_json_object(response: httpx.Response) -> dict[str, object] | None:
    """`json_object` before the decoding was shared: `response.json()` alone."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _read_json_or_error(content: bytes) -> tuple[str, Any]:
    try:
        return "value", read_json(content)
    except ValueError as exc:
        return "error", str(exc)


def _response_json_or_error(response: httpx.Response) -> tuple[str, Any]:
    try:
        return "value", response_json(response)
    except ValueError as exc:
        return "error", str(exc)


def _same(a: object, b: object) -> bool:
    """Equal, with the types of numbers (5 vs 5.0) and NaN compared too."""
    return type(a) is type(b) and repr(a) == repr(b)


@pytest.mark.parametrize("content", _ENVELOPE_BODIES)
@pytest.mark.parametrize("status", [200, 400])
def test_envelopes_read_what_response_json_reads(content: bytes, status: int) -> None:
    """The envelopes see what `response.json()` gives (integral floats as floats, NaN...), the parser what
    `read_json` gives, whichever asks first."""
    for envelope in (VolcengineEnvelope(), JsonErrorEnvelope()):
        for parser_first in (False, True):
            old, new = _response(status, content), _response(status, content)
            if parser_first:
                _response_json_or_error(new)
            assert _same(json_object(new), _old_json_object(old))
            assert envelope.parse_error(new) == envelope.parse_error(_plain(old))
            assert envelope.request_id(new) == envelope.request_id(_plain(old))
            got, want = _response_json_or_error(new), _read_json_or_error(content)
            assert got[0] == want[0]
            assert _same(got[1], want[1])


def _plain(response: httpx.Response) -> httpx.Response:
    """A response whose envelope decodes with `response.json()` alone, as before."""
    response.extensions["streamspec.shared_json"] = (response.content, None)
    return response


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON)
def test_plain_reading_is_both_readings_or_refused(value: object) -> None:
    """Shared only when `json.loads` and `read_json` read the same value; refused otherwise (each reads its own)."""
    content = json.dumps(value).encode()
    try:
        shared = read_json_plain(content)
    except ValueError:
        return
    assert _same(shared, json.loads(content))
    assert _same(shared, read_json(content))


def test_plain_reading_refuses_what_reads_differently() -> None:
    for content in (b"5.0", b"[1e2]", b'{"a": -0.0}', b"NaN", b"[Infinity]", b"[" * 600 + b"]" * 600):
        with pytest.raises(ValueError):
            read_json_plain(content)
    assert read_json_plain(b'{"a": [1.5, 1e999, -2, "5.0"]}') == {"a": [1.5, math.inf, -2, "5.0"]}


def test_parser_and_envelope_share_one_decoding() -> None:
    response = _response(200, b'{"ResponseMetadata": {"RequestId": "r"}, "Result": {"n": 1}}')
    assert VolcengineEnvelope().parse_error(response) is None
    assert response_json(response) is json_object(response)
