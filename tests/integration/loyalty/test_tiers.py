"""Tiers: reached at once when the window's points reach the threshold (entry reward the first time only,
multiplier on later earns), kept 365 days, then reviewed: at most one level down (`fallback: one_level`).

Silver 0 / Gold 1000 (x1.5, 200 points on entry) / Platinum 5000 (x2); order points count once released.
The daily job catches up a week of missed days, so stories run it within days of each due date.
"""

from datetime import timedelta

import pytest

from loyalty import GOLD_ENTRY_POINTS, cid, parse_ts

pytestmark = pytest.mark.integration


def entry_rewards(ledger):
    """The Gold entry rewards in a ledger (nothing else in these stories earns 200 points at once)."""
    return [e for e in ledger if e["type"] == "earn" and e["points"] == GOLD_ENTRY_POINTS]


def release(lo, clock, days=15):
    clock.advance(days=days)
    lo.daily()
    clock.tick()


def test_a_new_member_is_silver_with_the_way_to_gold(lo, program):
    shopper = cid()
    lo.review(shopper)
    assert lo.status(shopper)["tier"] == "Silver"
    tier = lo.wallet(shopper)["tier"]
    assert (tier["name"], tier["next"], tier["points_to_next"]) == ("Silver", "Gold", 950)
    assert tier["window_points"] == 50 and tier["multiplier"] == 1.0


def test_reaching_gold_gives_the_entry_reward_once_and_the_multiplier_on_later_earns(lo, program, clock):
    shopper = cid()
    # Given a 1,000.00 EUR order: 1000 points pending (not yet earned for the tier)
    lo.order(shopper, 100000)
    assert lo.status(shopper)["tier"] == "Silver"
    # When its points are released
    release(lo, clock)
    # Then the shopper is Gold at once, with the 200 entry points
    status = lo.status(shopper)
    assert status["tier"] == "Gold"
    assert status["balance"] == 1000 + GOLD_ENTRY_POINTS
    ledger = lo.ledger(shopper)
    assert [(e["type"], e["points"]) for e in ledger] == [
        ("pend", 1000),
        ("release", 1000),
        ("earn", GOLD_ENTRY_POINTS),
    ]
    assert ledger[-1]["balance_after"] == 1200
    tier = lo.wallet(shopper)["tier"]
    assert (tier["name"], tier["next"], tier["multiplier"]) == ("Gold", "Platinum", 1.5)
    assert tier["points_to_next"] == 5000 - tier["window_points"]
    assert tier["window_points"] in (1000, 1200), tier
    assert parse_ts(tier["review_at"]) - parse_ts(tier["since"]) == timedelta(days=365)

    # When the Gold member writes a review and orders 100.00 EUR
    assert lo.review(shopper)["points"] == 75  # 50 x 1.5
    clock.tick()
    lo.order(shopper, 10000)
    assert lo.moves(shopper)[-2:] == [("earn", 75, 1275), ("pend", 150, 1275)]  # 100 x 1.5
    # And the order is released: 1425, and no second entry reward
    release(lo, clock)
    assert lo.status(shopper)["balance"] == 1425
    assert len(entry_rewards(lo.ledger(shopper))) == 1


def test_the_gold_only_reward_needs_gold(lo, program, clock):
    # Given a Silver member with 300 points
    silver = cid()
    lo.order(silver, 30000)
    # And a Gold member
    gold = cid()
    lo.order(gold, 100000)
    release(lo, clock)
    assert lo.status(silver)["tier"] == "Silver" and lo.status(gold)["tier"] == "Gold"
    # When both ask for the Gold mug (200 points)
    r = lo.buy(silver, "gold-mug")
    # Then the Silver member is refused, and keeps the points
    assert r.status_code == 403 and r.json()["error"]["code"] == "tier_required", r.text
    assert lo.status(silver)["balance"] == 300
    rewards = {w["id"]: w for w in lo.wallet(silver)["rewards"]}
    assert rewards["gold-mug"]["affordable"] is True and rewards["gold-mug"]["available"] is False
    # And the Gold member gets it: a coupon for a free mug
    bought = lo.bought(gold, "gold-mug")
    assert bought["type"] == "coupon" and bought["coupon_code"], bought
    assert bought["balance_after"] == 1000 + GOLD_ENTRY_POINTS - 200


def test_status_is_kept_a_year_then_drops_one_level_at_a_time_and_the_entry_reward_is_never_given_again(
    lo, program, clock
):
    shopper = cid()
    # Given Gold (1000 points released) ...
    lo.order(shopper, 100000)
    release(lo, clock)
    assert lo.status(shopper)["tier"] == "Gold"
    # ... then Platinum: 2,800.00 EUR at x1.5 = 4200 more points
    lo.order(shopper, 280000)
    assert lo.moves(shopper)[-1] == ("pend", 4200, 1200)
    release(lo, clock)
    platinum_since = clock.now
    status = lo.status(shopper)
    assert status["tier"] == "Platinum"
    assert status["balance"] == 1000 + GOLD_ENTRY_POINTS + 4200
    wallet_tier = lo.wallet(shopper)["tier"]
    assert (wallet_tier["name"], wallet_tier["next"], wallet_tier["points_to_next"]) == ("Platinum", None, None)
    assert lo.review(shopper)["points"] == 100  # 50 x 2
    assert len(entry_rewards(lo.ledger(shopper))) == 1

    # When 300 days pass without an earn, the status is kept
    clock.set(platinum_since + timedelta(days=300))
    lo.daily()
    assert lo.status(shopper)["tier"] == "Platinum"
    # (a year after the first release its 1200 points expire, the status stays until its review)
    clock.set(platinum_since + timedelta(days=351))
    lo.daily()
    status = lo.status(shopper)
    assert (status["tier"], status["balance"]) == ("Platinum", 4200 + 100)

    # When the year of status is over and the window (12 months) is empty, the review drops it one level only
    clock.set(platinum_since + timedelta(days=366))
    lo.daily()
    status = lo.status(shopper)
    assert (status["tier"], status["balance"]) == ("Gold", 0)
    gold_again = lo.wallet(shopper)["tier"]
    assert (gold_again["name"], gold_again["window_points"], gold_again["points_to_next"]) == ("Gold", 0, 5000)
    assert parse_ts(gold_again["since"]) == clock.now
    # And a review at Gold: x1.5 again
    clock.tick()
    assert lo.review(shopper)["points"] == 75

    # When another year passes with only that review, the next review drops it to Silver
    clock.set(platinum_since + timedelta(days=366 + 366))
    lo.daily()
    status = lo.status(shopper)
    assert (status["tier"], status["balance"]) == ("Silver", 0)

    # When the shopper climbs back to Gold, the entry reward is not given again
    clock.tick()
    lo.order(shopper, 100000)
    release(lo, clock)
    status = lo.status(shopper)
    assert (status["tier"], status["balance"]) == ("Gold", 1000)
    assert len(entry_rewards(lo.ledger(shopper))) == 1
