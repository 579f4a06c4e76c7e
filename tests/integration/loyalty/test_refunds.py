"""Refunds take an order's points back: pending points are voided (the refunded part's), released ones reversed.

The balance never goes below zero.
"""

import pytest

from loyalty import cid

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


def test_a_refund_of_points_already_spent_never_takes_the_balance_below_zero(lo, program, clock):
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
    lo.refund(order["order_id"])
    # Then the balance is 0, never negative
    last = lo.ledger(shopper)[-1]
    assert last["type"] == "reverse" and last["balance_after"] == 0, last
    assert -600 <= last["points"] <= -100, last
    assert lo.status(shopper)["balance"] == 0
    assert all(e["balance_after"] is None or e["balance_after"] >= 0 for e in lo.ledger(shopper))
    # And a later earn starts from zero
    clock.tick()
    lo.review(shopper)
    assert lo.status(shopper)["balance"] == 50
