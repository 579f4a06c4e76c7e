"""Code patterns and generation: readable charset, literals kept, unguessable, unique, fast."""

import random
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.coupons.codes import (
    CHARSET,
    DEFAULT_PATTERN,
    DIGITS,
    GUESS_FACTOR,
    LETTERS,
    CodePattern,
    check_not_guessable,
    generate,
    parse_pattern,
)
from passaparola.coupons.models import CODE_PATTERN, normalize_code
from passaparola.errors import CodesGuessable, InvalidRequest

LOOK_ALIKES = set("01ILO")


def test_charset_has_no_look_alikes_and_no_duplicates() -> None:
    assert not LOOK_ALIKES & set(CHARSET)
    assert len(set(CHARSET)) == len(CHARSET) == 31
    assert set(DIGITS) == set("23456789")
    assert set(LETTERS) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set("ILO")


def test_given_no_pattern_when_parsed_then_default_of_eight_charset_characters() -> None:
    pattern = parse_pattern(None, None, None)
    assert pattern == CodePattern(DEFAULT_PATTERN)
    assert pattern.length == 8
    assert pattern.combinations() == 31**8


def test_given_lowercase_pattern_and_affixes_when_parsed_then_upper_cased() -> None:
    pattern = parse_pattern("promo-##??*", "x_", "-eu")
    assert pattern == CodePattern("PROMO-##??*", "X_", "-EU")
    assert pattern.length == 16
    assert pattern.combinations() == 8**2 * 23**2 * 31


@pytest.mark.parametrize("text", ["PROMO", "-", "ABC-DEF"])
def test_given_pattern_without_placeholder_when_parsed_then_invalid_request(text: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_pattern(text, None, None)
    assert caught.value.details == {"pattern": text}


@pytest.mark.parametrize(
    ("pattern", "prefix", "suffix", "invalid"),
    [("SALE ####", None, None, [" "]), ("##.##", None, None, ["."]), ("####", "Ü", "!", ["!", "Ü"])],
)
def test_given_invalid_literal_when_parsed_then_invalid_request(
    pattern: str, prefix: str | None, suffix: str | None, invalid: list[str]
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_pattern(pattern, prefix, suffix)
    assert caught.value.details["invalid_characters"] == invalid


def test_given_code_longer_than_64_when_parsed_then_invalid_request() -> None:
    assert parse_pattern("#" * 44, "P" * 10, "S" * 10).length == 64
    with pytest.raises(InvalidRequest) as caught:
        parse_pattern("#" * 45, "P" * 10, "S" * 10)
    assert caught.value.details == {"length": 65, "max_length": 64}


@pytest.mark.parametrize(("pattern", "prefix"), [("-####", None), ("_####", None), ("####", "-")])
def test_given_code_starting_with_punctuation_when_parsed_then_invalid_request(
    pattern: str, prefix: str | None
) -> None:
    with pytest.raises(InvalidRequest):
        parse_pattern(pattern, prefix, None)


def test_given_short_pattern_when_many_codes_then_codes_guessable() -> None:
    pattern = parse_pattern("####", None, None)
    with pytest.raises(CodesGuessable) as caught:
        check_not_guessable(pattern, 100)
    assert caught.value.details == {"combinations": 4096, "count": 100, "live": 0, "required": 100 * GUESS_FACTOR}
    assert caught.value.status == 422


def test_given_enough_combinations_when_checked_then_accepted_at_the_boundary() -> None:
    pattern = parse_pattern("####", None, None)  # 4096 combinations
    check_not_guessable(pattern, 0)
    with pytest.raises(CodesGuessable):
        check_not_guessable(pattern, 1)
    check_not_guessable(parse_pattern("********", None, None), 85_289_103)  # 31**8 / 10_000 = 85_289_103.7
    with pytest.raises(CodesGuessable):
        check_not_guessable(parse_pattern("********", None, None), 85_289_104)


def test_given_pattern_when_generated_then_literals_affixes_and_classes_kept() -> None:
    pattern = parse_pattern("sale-##??-**", "it", "_x")
    shape = re.compile(rf"ITSALE-[{DIGITS}]{{2}}[{LETTERS}]{{2}}-[{CHARSET}]{{2}}_X")
    codes = generate(pattern, 2_000, random.Random(7))
    assert len(set(codes)) == 2_000
    for code in codes:
        assert shape.fullmatch(code), code
        assert re.fullmatch(CODE_PATTERN, code)
        assert normalize_code(code) == code


def test_given_seeded_rng_when_generated_twice_then_same_codes() -> None:
    pattern = parse_pattern(None, None, None)
    assert generate(pattern, 50, random.Random(1)) == generate(pattern, 50, random.Random(1))


def test_given_default_rng_when_generated_twice_then_different_codes() -> None:
    pattern = parse_pattern(None, None, None)
    assert set(generate(pattern, 50)).isdisjoint(generate(pattern, 50))


def test_given_count_equal_to_all_combinations_when_generated_then_every_code_once() -> None:
    pattern = parse_pattern("X#", None, None)
    assert sorted(generate(pattern, 8)) == [f"X{digit}" for digit in DIGITS]


def test_given_count_above_combinations_when_generated_then_invalid_request() -> None:
    with pytest.raises(InvalidRequest):
        generate(parse_pattern("#", None, None), 9)


def test_given_zero_count_when_generated_then_no_codes() -> None:
    assert generate(parse_pattern(None, None, None), 0) == []


def test_given_negative_count_when_generated_then_invalid_request() -> None:
    with pytest.raises(InvalidRequest):
        generate(parse_pattern(None, None, None), -1)


def test_given_each_placeholder_when_generated_then_characters_uniformly_spread() -> None:
    codes = generate(parse_pattern("*", None, None), 31, random.Random(3))
    assert set(codes) == set(CHARSET)
    sample = "".join(generate(parse_pattern("?" * 8, None, None), 20_000, random.Random(5)))
    counts = [sample.count(letter) for letter in LETTERS]
    expected = len(sample) / len(LETTERS)
    assert all(abs(count - expected) < expected * 0.1 for count in counts)


def test_given_100k_codes_when_generated_then_unique_and_fast() -> None:
    pattern = parse_pattern(None, None, None)
    started = time.perf_counter()
    codes = generate(pattern, 100_000)
    elapsed = time.perf_counter() - started
    assert len(codes) == len(set(codes)) == 100_000
    assert not LOOK_ALIKES & set("".join(codes))
    assert elapsed < 1.0


@given(pattern=st.text(alphabet="#?*AB9-_", min_size=1, max_size=12), seed=st.integers(0, 2**32))
def test_generated_codes_always_valid_and_without_look_alikes(pattern: str, seed: int) -> None:
    try:
        parsed = parse_pattern(pattern, None, None)
    except InvalidRequest:
        return
    count = min(parsed.combinations(), 20)
    codes = generate(parsed, count, random.Random(seed))
    assert len(set(codes)) == count
    for code in codes:
        assert len(code) == parsed.length
        assert re.fullmatch(CODE_PATTERN, code)
        for template, char in zip(parsed.pattern, code, strict=True):
            if template == "#":
                assert char in DIGITS
            elif template == "?":
                assert char in LETTERS
            elif template == "*":
                assert char in CHARSET
            else:
                assert char == template


def test_codes_the_campaign_already_has_count_against_the_pattern() -> None:
    pattern = parse_pattern("######", None, None)  # 8**6 = 262,144: 26 codes at most
    check_not_guessable(pattern, 26, live=0)
    check_not_guessable(pattern, 1, live=25)
    with pytest.raises(CodesGuessable) as caught:
        check_not_guessable(pattern, 1, live=26)
    assert caught.value.details["live"] == 26
