"""The two-proportion z-test: textbook values, symmetry, and every edge (nobody exposed, 0%, 100%, equal)."""

import math

import pytest

from passaparola.reports.significance import ZTest, two_proportion


def test_a_textbook_example() -> None:
    # 200/1000 vs 250/1000: pooled 0.225, SE = sqrt(.225 × .775 × 2/1000) = 0.018675, z = 2.6774
    test = two_proportion((200, 1000), (250, 1000))
    assert test.z == 2.6774 and test.p_value == 0.0074
    assert test.significant and test.winner == "B"


def test_the_p_value_is_two_sided() -> None:
    test = two_proportion((250, 1000), (200, 1000), ("control", "bold"))
    assert test.z == -2.6774 and test.p_value == 0.0074 and test.winner == "control"


def test_z_of_1_96_is_p_0_05() -> None:
    assert math.isclose(math.erfc(1.959964 / math.sqrt(2)), 0.05, abs_tol=1e-6)


def test_equal_rates_are_z_0_p_1() -> None:
    assert two_proportion((10, 100), (20, 200)) == ZTest(0.0, 1.0, False, None)


@pytest.mark.parametrize("arms", [((0, 50), (0, 80)), ((50, 50), (80, 80))])
def test_both_at_0_or_100_percent_is_no_difference(arms: tuple[tuple[int, int], tuple[int, int]]) -> None:
    assert two_proportion(*arms) == ZTest(0.0, 1.0, False, None)


def test_0_against_100_percent_is_significant() -> None:
    test = two_proportion((0, 40), (40, 40))
    assert test.z == pytest.approx(8.9443, abs=1e-4) and test.p_value == 0.0 and test.winner == "B"


@pytest.mark.parametrize(
    "arms",
    [
        ((0, 0), (5, 50)),
        ((5, 50), (0, 0)),
        ((0, 0), (0, 0)),
        ((6, 5), (1, 10)),
        ((-1, 10), (1, 10)),
        ((1, -10), (1, 10)),
    ],
)
def test_no_proportion_no_test(arms: tuple[tuple[int, int], tuple[int, int]]) -> None:
    assert two_proportion(*arms) == ZTest(None, None, False, None)


def test_below_30_exposed_in_an_arm_is_never_significant() -> None:
    small = two_proportion((0, 29), (29, 29))
    assert small.p_value is not None and small.p_value < 0.05 and not small.significant and small.winner is None
    assert two_proportion((0, 30), (30, 30)).significant


def test_a_small_difference_is_not_significant() -> None:
    test = two_proportion((50, 500), (55, 500))
    assert test.z is not None and 0 < test.z < 1.96 and test.p_value is not None and test.p_value > 0.05
    assert not test.significant and test.winner is None


def test_p_is_just_under_and_just_over_the_threshold() -> None:
    # (x, n) pairs around z = 1.96 with 1,000 in each arm
    assert two_proportion((100, 1000), (128, 1000)).significant
    assert not two_proportion((100, 1000), (126, 1000)).significant
