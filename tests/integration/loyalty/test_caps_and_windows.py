"""Caps (per customer and UTC calendar period) and rule windows: points above a cap or outside the window are
not earned. Reviews: 50, at most twice a day; quiz: 20, at most 40 points a week; social_follow: 30, March 2100."""

from datetime import UTC, datetime, timedelta

import pytest

from loyalty import FOLLOW_ENDS, FOLLOW_STARTS, GOLD_ENTRY_POINTS, cid, in_parallel, where

pytestmark = pytest.mark.integration


def test_three_reviews_in_a_day_earn_twice_and_the_next_day_again(lo, program, clock):
    shopper = cid()
    # Given it is 23:58 UTC
    clock.set(datetime.combine(clock.today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23, minutes=58))
    # When the customer writes three reviews
    earned = []
    for _ in range(3):
        earned.append(lo.review(shopper)["points"])
        clock.tick()
    # Then the first two earn 50, the third nothing (and writes no ledger line)
    assert earned == [50, 50, 0]
    assert lo.moves(shopper) == [("earn", 50, 50), ("earn", 50, 100)]
    # When a review comes after midnight UTC, it earns again
    clock.advance(minutes=2)
    assert lo.review(shopper)["points"] == 50
    assert lo.review(shopper)["points"] == 50
    assert lo.review(shopper)["points"] == 0
    assert lo.status(shopper)["balance"] == 200
    # And every review still counts for engagement
    assert lo.customer(shopper)["facts"]["signals"]["review"] == 6


def test_a_weekly_points_cap_earns_up_to_the_cap(lo, program, clock):
    shopper = cid()
    # Given a Monday
    clock.advance(days=(7 - clock.today.weekday()) % 7)
    assert clock.today.weekday() == 0
    # When the customer completes the quiz three times this week
    earned = []
    for _ in range(3):
        earned.append(lo.event(shopper, "custom", name="quiz")["points"])
        clock.advance(days=1)
    # Then 20 + 20, then nothing: the week's 40 are reached
    assert earned == [20, 20, 0]
    # And the next week (Monday) it earns again
    clock.advance(days=7 - clock.today.weekday())
    assert lo.event(shopper, "custom", name="quiz")["points"] == 20
    assert [e["points"] for e in where(lo.ledger(shopper), type="earn")] == [20, 20, 20]


def test_a_points_cap_cuts_a_multiplied_earn_to_what_is_left(lo, program, clock):
    # Given a Gold member (x1.5: a quiz earns 30)
    shopper = cid()
    lo.order(shopper, 100000)
    clock.advance(days=15)
    lo.daily()
    assert lo.status(shopper)["tier"] == "Gold"
    # Go to a Monday so the two quizzes share a week
    clock.advance(days=7 - clock.today.weekday())
    # When the member completes the quiz twice in a week: 30, then 10 (the cap is 40 points)
    assert lo.event(shopper, "custom", name="quiz")["points"] == 30
    clock.tick()
    assert lo.event(shopper, "custom", name="quiz")["points"] == 10
    clock.tick()
    assert lo.event(shopper, "custom", name="quiz")["points"] == 0
    assert lo.status(shopper)["balance"] == 1000 + GOLD_ENTRY_POINTS + 40


def test_a_rule_with_a_window_pays_only_inside_it(lo, program, clock):
    shopper = cid()
    # Before the window: nothing
    assert lo.event(shopper, "social_follow", network="instagram")["points"] == 0
    clock.set(FOLLOW_STARTS - timedelta(seconds=1))
    assert lo.event(shopper, "social_follow", network="instagram")["points"] == 0
    # Inside it: 30 each time, to its last second
    clock.set(FOLLOW_STARTS + timedelta(seconds=1))
    assert lo.event(shopper, "social_follow", network="tiktok")["points"] == 30
    clock.set(FOLLOW_ENDS - timedelta(seconds=1))
    assert lo.event(shopper, "social_follow", network="x")["points"] == 30
    # After it: nothing
    clock.set(FOLLOW_ENDS + timedelta(seconds=1))
    assert lo.event(shopper, "social_follow", network="youtube")["points"] == 0
    assert lo.moves(shopper) == [("earn", 30, 30), ("earn", 30, 60)]
    # And every follow still counts as a signal
    assert lo.customer(shopper)["facts"]["signals"]["social_follow"] == 5


def test_concurrent_reviews_still_earn_only_twice_a_day(lo, program, clock):
    shopper = cid()
    responses = in_parallel(lambda _: lo.send_event(shopper, "review", rating=5), range(6))
    assert [r.status_code for r in responses] == [201] * 6, [r.text[:200] for r in responses]
    assert sorted(r.json()["points"] for r in responses) == [0, 0, 0, 0, 50, 50]
    assert lo.status(shopper)["balance"] == 100
    assert sorted(lo.moves(shopper)) == [("earn", 50, 50), ("earn", 50, 100)]
    # and the ledger lists them in the order they moved the balance
    assert lo.moves(shopper) == [("earn", 50, 50), ("earn", 50, 100)]
    assert lo.customer(shopper)["facts"]["signals"]["review"] == 6
