"""JSON Merge Patch (RFC 7396), the semantics of PATCH /v1/campaigns/{id}."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.campaigns.models import merge_patch

# RFC 7396, Appendix A: (target, patch, result)
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_EXAMPLES)
def test_the_rfc_examples(target, patch, result):
    assert merge_patch(target, patch) == result


def test_an_object_whose_type_changes_is_replaced_not_merged():
    discount = {"type": "percent", "percent_off": 10, "amount_limit": 1500}
    assert merge_patch(discount, {"type": "amount", "amount_off": 500}, kind="type") == {
        "type": "amount",
        "amount_off": 500,
    }
    assert merge_patch(discount, {"type": "percent", "percent_off": 20}, kind="type") == {
        "type": "percent",
        "percent_off": 20,
        "amount_limit": 1500,
    }
    assert merge_patch(discount, {"percent_off": 20, "amount_limit": None}, kind="type") == {
        "type": "percent",
        "percent_off": 20,
    }


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abcd"), inner, max_size=4),
    max_leaves=20,
)
OBJECTS = st.dictionaries(st.sampled_from("abcd"), JSON, max_size=4)


def _no_nulls_in_objects(value):
    if isinstance(value, dict):
        return all(v is not None and _no_nulls_in_objects(v) for v in value.values())
    return True


@given(OBJECTS, JSON)
def test_the_target_and_the_patch_are_never_changed(target, patch):
    before = copy.deepcopy((target, patch))
    merge_patch(target, patch)
    assert (target, patch) == before


@given(OBJECTS, OBJECTS)
def test_absent_stays_null_clears_and_the_patch_wins(target, patch):
    merged = merge_patch(target, patch)
    for key, value in target.items():
        if key not in patch:
            assert merged[key] == value
    for key, value in patch.items():
        if value is None:
            assert key not in merged
        elif not isinstance(value, dict):
            assert merged[key] == value


@given(OBJECTS, OBJECTS)
def test_applying_the_same_patch_twice_changes_nothing_more(target, patch):
    once = merge_patch(target, patch)
    assert merge_patch(once, patch) == once


@given(OBJECTS)
def test_a_patch_without_nulls_merged_into_nothing_is_itself(patch):
    if _no_nulls_in_objects(patch):
        assert merge_patch({}, patch) == patch
