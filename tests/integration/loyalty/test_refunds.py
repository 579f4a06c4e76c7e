"""Refunds take an order's points back: pending points are voided (the refunded part's), released ones reversed.

Released points are taken back in full: what the balance cannot cover is a points debt (a negative balance),
paid first by the next earnings; no catalogue reward is bought while in debt.
"""

import pytest
from api import assert_error

from loyalty import assert_consistent, cid, in_parallel

pytestmark = pytest.mark.integration

REVERSING = ("reverse", "pend")
"""A voided pending line is a `reverse` (or a negative `pend`): either way it moves no balance."""


def pending_voided(lo, shopper, points):
    last = lo.ledger(shopper)[-1]
    assert last["type"] in REVERSING and last["points"] == -points, last
    return last


def test_a_full_refund_before_release_voids_the_pending_points(lo, program, clock):
    # Given a 100.00 EUR order: 100 points pending
    shopper = cid()
    order = lo.order(shopper, 10000)
    clock.tick()
    # When it is refunded in full before the 14 days are over
    refund = lo.refund(order["order_id"])
    assert (refund["refunded_amount"], refund["net_amount"]) == (10000, 0)
    # Then nothing is pending any more, and nothing was ever spendable
    pending_voided(lo, shopper, 100)
    assert lo.ledger(shopper)[-1]["balance_after"] == 0
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (0, 0)
    # And the daily job after 14 days releases nothing
    clock.advance(days=15)
    lo.daily()
    assert [e["type"] for e in lo.ledger(shopper)].count("release") == 0
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (0, 0)
    # And the customer's total spent is net of the refund
    assert lo.customer(shopper)["facts"]["total_spent"] == {"EUR": 0}


def test_a_partial_refund_before_release_voids_the_refunded_parts_points(lo, program, clock):
    # Given a 100.00 EUR order: 100 points pending
    shopper = cid()
    order = lo.order(shopper, 10000)
    clock.tick()
    # When 25.00 EUR are refunded
    lo.refund(order["order_id"], 2500)
    # Then 25 points are voided and 75 stay pending
    pending_voided(lo, shopper, 25)
    assert lo.status(shopper)["pending"] == 75
    # And after 14 days the 75 are released
    clock.advance(days=15)
    lo.daily()
    assert lo.moves(shopper)[-1] == ("release", 75, 75)
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (75, 0)
    assert lo.customer(shopper)["facts"]["total_spent"] == {"EUR": 7500}


def test_partial_refunds_add_up_to_the_whole_order(lo, program, clock):
    # Given a 99.99 EUR order: 99 points pending
    shopper = cid()
    order = lo.order(shopper, 9999)
    clock.tick()
    # When it is refunded in three parts
    for amount in (3333, 3333, 3333):
        lo.refund(order["order_id"], amount)
        clock.tick()
    # Then every pending point is voided, none twice
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (0, 0)
    voided = [e["points"] for e in lo.ledger(shopper) if e["type"] in REVERSING and e["points"] < 0]
    assert sum(voided) == -99


def test_a_refund_after_release_reverses_the_points(lo, program, clock):
    # Given a 100.00 EUR order whose 100 points were released, and a review (50)
    shopper = cid()
    order = lo.order(shopper, 10000)
    clock.advance(days=15)
    lo.daily()
    clock.tick()
    lo.review(shopper)
    assert lo.status(shopper)["balance"] == 150
    clock.tick()
    # When 40.00 EUR are refunded
    lo.refund(order["order_id"], 4000)
    # Then 40 points are reversed
    assert lo.moves(shopper)[-1] == ("reverse", -40, 110)
    clock.tick()
    # When the rest is refunded, the remaining 60 are reversed too
    lo.refund(order["order_id"])
    assert lo.moves(shopper) == [
        ("pend", 100, 0),
        ("release", 100, 100),
        ("earn", 50, 150),
        ("reverse", -40, 110),
        ("reverse", -60, 50),
    ]
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (50, 0)
    assert lo.ledger(shopper)[-1]["source_id"] == order["order_id"]


def test_a_refund_of_points_already_spent_leaves_a_points_debt_paid_by_the_next_earnings(lo, program, clock):
    # Given 600 points released from a 600.00 EUR order, 500 of them spent on a coupon
    shopper = cid()
    order = lo.order(shopper, 60000)
    clock.advance(days=15)
    lo.daily()
    clock.tick()
    lo.bought(shopper, "ten-off")
    assert lo.status(shopper)["balance"] == 100
    clock.tick()
    # When the order is refunded in full
    refund = lo.refund(order["order_id"])
    # Then all 600 points are taken back: the 500 the balance cannot cover are a debt
    assert refund["points_reversed"] == 600, refund
    last = lo.ledger(shopper)[-1]
    assert (last["type"], last["points"], last["balance_after"]) == ("reverse", -600, -500), last
    assert last["source_id"] == order["order_id"], last
    points = lo.wallet(shopper)["points"]
    assert (points["balance"], points["debt"]) == (-500, 500), points
    mine = lo.my_wallet(lo.token(shopper)["token"])
    assert mine.status_code == 200, mine.text
    assert mine.json()["points"]["debt"] == 500, mine.json()
    status = lo.status(shopper)
    assert (status["balance"], status["debt"]) == (-500, 500), status
    assert not any(r["affordable"] or r["available"] for r in lo.wallet(shopper)["rewards"])
    # And no reward can be bought while in debt
    err = assert_error(lo.buy(shopper, "free-shipping"), 422, "points_debt")
    assert err["details"]["debt"] == 500, err
    # When the customer earns again, the earnings pay the debt first
    clock.tick()
    lo.review(shopper)
    assert lo.moves(shopper)[-1] == ("earn", 50, -450)
    assert lo.wallet(shopper)["points"]["debt"] == 450
    clock.tick()
    lo.order(shopper, 60000)
    clock.advance(days=15)
    lo.daily()
    assert lo.moves(shopper)[-1] == ("release", 600, 150), lo.moves(shopper)
    points = lo.wallet(shopper)["points"]
    assert (points["balance"], points["debt"]) == (150, 0), points
    # And with the debt paid, the balance alone decides again
    assert_error(lo.buy(shopper, "free-shipping"), 422, "insufficient_points")


def test_a_purchase_racing_the_refund_of_the_points_it_spends_never_keeps_them(lo, program, clock):
    # Given 600 points released from a 600.00 EUR order
    shopper = cid()
    order = lo.order(shopper, 60000)
    clock.advance(days=15)
    lo.daily()
    clock.tick()
    # When the 500-point coupon is bought while the order is refunded in full
    bought, refunded = in_parallel(
        lambda job: lo.buy(shopper, "ten-off") if job == "buy" else lo.refund(order["order_id"]), ["buy", "refund"]
    )
    # Then the refund took all 600 points back either way: spent first → a 500-point debt, else nothing bought
    assert refunded["points_reversed"] == 600, refunded
    points = lo.wallet(shopper)["points"]
    if bought.status_code == 201:
        assert (points["balance"], points["debt"]) == (-500, 500), points
    else:
        assert_error(bought, 422, "insufficient_points")
        assert (points["balance"], points["debt"]) == (0, 0), points
    assert_consistent(lo.ledger(shopper))
