"""The rendering helpers' escaping: whatever a spec's text says, the generated code parses and says the same."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from generator.render import _docstring


@given(st.text(alphabet=st.sampled_from(['"', "'", "\\", " ", "\n", "a", "é", "🔄"]), max_size=40))
def test_any_text_makes_a_docstring_that_parses_and_says_it(text: str) -> None:
    rendered = _docstring(text)
    value = ast.literal_eval(f'"""{rendered}"""')
    assert " ".join(value.split()) == " ".join(text.replace('"""', "'''").split())


def test_a_text_ending_in_a_quote_keeps_it() -> None:
    text = 'Action can be "triggerFullSync" or "triggerChangedUsersSync"'
    assert ast.literal_eval(f'"""{_docstring(text)}"""') == text
