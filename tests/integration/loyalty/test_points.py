"""Earning points from orders and events, and a points' life: pending → released → spent → expired.

The program: 1 point per full EUR paid (gift cards excluded, EUR only), review 50, nps_answer 20; order points
pending 14 days; points expire 365 days after release, oldest first.
"""

from datetime import timedelta

import pytest
from api import assert_error, uid

from loyalty import cid, in_parallel, line, parse_ts

pytestmark = pytest.mark.integration


def test_an_order_earns_a_point_per_full_euro_paid_pending_for_14_days(lo, program, clock):
    shopper = cid()
    # When a shopper buys two pairs of shoes at 45.99 and a 50.00 EUR gift card
    outcome = lo.order(
        shopper,
        items=[line("SHOE", 2, 4599, ["shoes"]), line("GIFT-50", 1, 5000, ["gift-cards"])],
    )
    assert outcome["amount"] == 14198
    # Then 91 points (91.98 EUR of shoes, the gift card earns nothing) are pending, none spendable yet
    assert lo.moves(shopper) == [("pend", 91, 0)]
    entry = lo.ledger(shopper)[0]
    assert parse_ts(entry["at"]) == clock.now
    status = lo.status(shopper)
    assert (status["member"], status["balance"], status["pending"]) == (True, 0, 91)
    wallet = lo.wallet(shopper)["points"]
    assert (wallet["balance"], wallet["pending"]) == (0, 91)
    # And the line names the order it came from
    assert entry["source_id"] == outcome["order_id"]


def test_points_follow_what_was_paid_after_the_coupon(lo, program):
    # Given a 10.00 EUR off coupon that does not apply to gift cards
    campaign = lo.create_campaign(
        discount={"type": "amount", "amount_off": 1000},
        rules={"currency": "EUR", "exclude_categories": ["gift-cards"]},
    )
    code = lo.create_code(campaign["id"])
    shopper = cid()
    # When the shopper pays 70.00 EUR of shoes and a 20.00 EUR gift card with it (80.00 paid)
    outcome = lo.order(
        shopper,
        items=[line("SHOE", 1, 7000, ["shoes"]), line("GIFT-20", 1, 2000, ["gift-cards"])],
        coupon_code=code,
    )
    assert outcome["coupon"]["redeemed"] is True and outcome["coupon"]["discount_amount"] == 1000, outcome
    # Then 60 points: the 60.00 EUR paid for the shoes
    assert lo.moves(shopper) == [("pend", 60, 0)]
    assert lo.status(shopper)["pending"] == 60


def test_fractions_of_a_euro_earn_nothing_and_other_currencies_earn_nothing(lo, program):
    shopper = cid()
    lo.order(shopper, 99)  # 0.99 EUR
    lo.order(shopper, 20000, currency="USD")  # the rule is for EUR orders
    lo.order(shopper, 1999)  # 19.99 EUR → 19
    assert lo.moves(shopper) == [("pend", 19, 0)]
    assert lo.status(shopper)["pending"] == 19


def test_a_replayed_order_earns_once(lo, program):
    shopper, order_id = cid(), uid("ord_")
    first = lo.place_order(shopper, 12000, order_id=order_id)
    assert first.status_code == 201, first.text
    again = lo.place_order(shopper, 12000, order_id=order_id)
    assert again.status_code == 200 and again.json() == first.json()
    assert lo.moves(shopper) == [("pend", 120, 0)]
    assert lo.customer(shopper)["facts"]["order_count"] == 1


def test_events_earn_their_fixed_points_at_once(lo, program):
    shopper = cid()
    # When the shopper answers an NPS survey and writes a review
    nps = lo.event(shopper, "nps_answer", score=9)
    review = lo.review(shopper, rating=4)
    # Then 20 and 50 points, spendable now
    assert (nps["points"], review["points"]) == (20, 50)
    assert lo.moves(shopper) == [("earn", 20, 20), ("earn", 50, 70)]
    sources = [e["source_id"] for e in lo.ledger(shopper)]
    # And events without a rule earn nothing (and write no ledger line)
    for type_, fields in [("email_opened", {}), ("site_visit", {"duration_seconds": 120}), ("social_share", {})]:
        assert lo.event(shopper, type_, **fields)["points"] == 0
    assert lo.event(shopper, "custom", name="unrewarded_thing")["points"] == 0
    # And a custom event with a rule earns its points
    assert lo.event(shopper, "custom", name="quiz")["points"] == 20
    assert lo.moves(shopper)[-1] == ("earn", 20, 90)
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (90, 0)
    # And each line names the event it came from
    assert sources == [nps["id"], review["id"]]


def test_a_points_life_pending_released_spent_and_expired_oldest_first(lo, program, clock):
    shopper = cid()
    start = clock.now
    # Given an order of 599.98 EUR of shoes and a 50.00 EUR gift card: 599 points pending for 14 days
    order = lo.order(shopper, items=[line("SHOE", 2, 29999, ["shoes"]), line("GIFT-50", 1, 5000, ["gift-cards"])])
    clock.tick()
    # And a review a second later: 50 points at once (the oldest spendable points)
    lo.review(shopper)
    assert lo.moves(shopper) == [("pend", 599, 0), ("earn", 50, 50)]

    # When 13 days pass, nothing is released yet
    clock.advance(days=13)
    lo.daily()
    assert lo.status(shopper)["pending"] == 599

    # When 14 days have passed and the daily job runs, the order's points are released
    clock.advance(days=2)
    released_at = clock.now
    lo.daily()
    assert lo.moves(shopper) == [("pend", 599, 0), ("earn", 50, 50), ("release", 599, 649)]
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (649, 0)
    # And a second run the same day releases nothing twice
    lo.daily()
    assert len(lo.ledger(shopper)) == 3

    # When the shopper buys the 10 EUR off coupon (500 points): the review's 50 and 450 of the order's go
    clock.tick()
    bought = lo.bought(shopper, "ten-off")
    assert (bought["cost"], bought["balance_after"], bought["reward_id"]) == (500, 149, "ten-off")
    assert lo.moves(shopper)[-1] == ("spend", -500, 149)

    # Then what is left (149, released with the order) expires 365 days after its release:
    # 20 days before, the wallet warns about it
    clock.set(released_at + timedelta(days=345))
    wallet = lo.wallet(shopper)["points"]
    assert wallet["balance"] == 149
    assert [(e["points"], parse_ts(e["expires_at"])) for e in wallet["expiring"]] == [
        (149, released_at + timedelta(days=365))
    ]
    # and the review's 50 points, spent first, do not expire a year after the review
    clock.set(start + timedelta(days=366))
    lo.daily()
    assert lo.status(shopper)["balance"] == 149
    # When the year after the release is over and the daily job runs, the 149 points expire
    clock.set(released_at + timedelta(days=366))
    lo.daily()
    assert lo.moves(shopper) == [
        ("pend", 599, 0),
        ("earn", 50, 50),
        ("release", 599, 649),
        ("spend", -500, 149),
        ("expire", -149, 0),
    ]
    assert lo.status(shopper)["balance"] == 0
    assert lo.wallet(shopper)["points"]["expiring"] == []
    # And the ledger is in time order, each line stamped with the clock
    ats = [parse_ts(e["at"]) for e in lo.ledger(shopper)]
    assert ats == sorted(ats)
    assert ats[-1] == clock.now
    lo.daily()
    assert len(lo.ledger(shopper)) == 5
    # And the order's lines name the order
    ledger = lo.ledger(shopper)
    assert [ledger[0]["source_id"], ledger[2]["source_id"]] == [order["order_id"], order["order_id"]]


def test_the_ledger_pages_oldest_first(lo, program, clock):
    shopper = cid()
    ids = []
    for score in range(7):
        ids.append(lo.event(shopper, "nps_answer", score=score)["id"])
        clock.tick()
    ledger = lo.ledger(shopper, limit=3)
    assert [e["source_id"] for e in ledger] == ids
    assert [e["balance_after"] for e in ledger] == [20, 40, 60, 80, 100, 120, 140]
    assert len({e["id"] for e in ledger}) == 7


def test_concurrent_orders_of_one_customer_all_count(lo, program):
    shopper = cid()
    orders = [(uid("ord_"), 1000 * (i + 1)) for i in range(10)]

    def place(order):
        order_id, amount = order
        for _ in range(5):  # a 409 conflict is retried with the same order id, as the error says
            r = lo.place_order(shopper, amount, order_id=order_id)
            if r.status_code != 409:
                return r
            assert_error(r, 409, "conflict")
        return r

    responses = in_parallel(place, orders)
    assert [r.status_code for r in responses] == [201] * 10, [r.text[:200] for r in responses]
    # 10 + 20 + ... + 100 EUR: 550 points pending, 10 orders, 550.00 EUR spent
    status = lo.status(shopper)
    assert (status["balance"], status["pending"]) == (0, 550)
    assert sorted(p for _, p, _ in lo.moves(shopper)) == [10 * (i + 1) for i in range(10)]
    facts = lo.customer(shopper)["facts"]
    assert facts["order_count"] == 10 and facts["total_spent"] == {"EUR": 55000}
    assert facts["signals"]["order"] == 10


def test_five_concurrent_orders_of_one_customer_need_no_retry(lo, program):
    shopper = cid()
    responses = in_parallel(lambda i: lo.place_order(shopper, 1000 * (i + 1)), range(5))
    assert [r.status_code for r in responses] == [201] * 5, [r.text[:200] for r in responses]
    assert lo.status(shopper)["pending"] == 150


def test_a_bad_ledger_cursor_is_400(lo, program):
    shopper = cid()
    lo.review(shopper)
    r = lo.get(f"/v1/customers/{shopper}/points/ledger", params={"cursor": "not-a-cursor"})
    assert_error(r, 400, "invalid_request")
    r = lo.get(f"/v1/customers/{shopper}/points/ledger", params={"limit": 0})
    assert_error(r, 400, "invalid_request")


def test_points_earned_the_same_day_all_expire_together_a_year_later(lo, program, clock):
    # Given five NPS answers at the same instant: five lots of 20 points expiring together (the daily job's index
    # gives a customer's lots due the same day in no particular order)
    shopper = cid()
    for _ in range(5):
        lo.event(shopper, "nps_answer", score=10)
    assert lo.status(shopper)["balance"] == 100
    # When the year is over and the daily job runs (whatever order it meets the lots in)
    clock.advance(days=366)
    lo.daily()
    # Then every point expired, each lot once
    expired = [e for e in lo.ledger(shopper) if e["type"] == "expire"]
    assert sorted(e["points"] for e in expired) == [-20] * 5, expired
    assert lo.status(shopper)["balance"] == 0
    assert sorted(e["balance_after"] for e in expired) == [0, 20, 40, 60, 80]
