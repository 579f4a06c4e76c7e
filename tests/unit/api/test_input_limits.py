"""The JSON depth scan that guards every route: it agrees with a real parse, and never recurses."""

import json
import time

from hypothesis import given
from hypothesis import strategies as st

from passaparola.api.app import json_depth

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('[]{}"\\ab')),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=30,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(JSON)
def test_the_scan_agrees_with_the_parsed_document(value):
    text = json.dumps(value)
    assert json_depth(text) == _depth(value)
    assert json_depth(text.encode()) == _depth(value)


def test_a_million_brackets_are_scanned_without_recursion():
    assert json_depth("[" * 1_000_000) == 1_000_000
    assert json_depth('{"a": "[[[[[[", "b": "\\"[[["}') == 1


def test_an_unclosed_string_is_scanned_in_linear_time():
    """A string never closed used to make the scan restart at every later quote: quadratic, seconds per body."""
    hostile = '"' + '\\"' * 32_768
    started = time.perf_counter()
    assert json_depth(hostile) == 0
    assert json_depth(hostile.encode()) == 0
    assert time.perf_counter() - started < 0.5
    assert json_depth('[[{"a": "]]' + '\\"' * 1000) == 3
    assert json_depth('[[1, "\\\\"], "x\\') == 2
