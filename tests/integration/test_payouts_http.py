"""Cash rewards and payouts over HTTP (docs/integrations.md, "Cash rewards and payouts").

A referrer's cash reward is released after the holding period as payable (no code), listed in the payout of the
month it was released in, marked paid once that month has ended; a refund afterwards reverses it and claws it back
in a later payout, while a refund before payment takes it out of its payout.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from loyalty import Clock, next_start
from referrals import Referrals, one, program_body, reward_of

CASH = {"type": "cash", "amount": 1500, "currency": "EUR"}


@pytest.fixture(scope="module")
def rf(stack) -> Referrals:
    return Referrals(stack)


@pytest.fixture
def clock(stack) -> Iterator[Clock]:
    """The stack's clock frozen at noon of the 2nd of a month after anything the session saw."""
    start = next_start()
    first = (start.replace(day=1) + timedelta(days=32)).replace(day=2)
    c = Clock(stack, datetime.combine(first.date(), time(12, 0), tzinfo=UTC))
    try:
        yield c
    finally:
        stack.set_clock(None)


@pytest.fixture
def program(rf: Referrals) -> dict:
    return rf.create_program(referrer_reward=CASH, tiers=[])


def period_of(when: datetime) -> str:
    return when.strftime("%Y-%m")


def payouts(rf: Referrals, period: str) -> list[dict]:
    r = rf.get("/v1/payouts", params={"period": period})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def released_cash(rf: Referrals, program: dict, clock: Clock) -> tuple[dict, dict, dict]:
    """A referral converted now, its referrer's cash reward released by the job 15 days later."""
    link = rf.link(program["id"])
    outcome = rf.refer(link["code"])
    pending = reward_of(outcome, "referrer")
    assert (pending["type"], pending["status"], pending["amount"]) == ("cash", "pending", 1500), pending
    clock.advance(days=15)
    rf.release()
    reward = one(rf.rewards(link["customer_id"]), id=pending["id"])
    assert reward["status"] == "released" and reward["coupon_code"] is None, reward
    return link, outcome, reward


def test_a_cash_reward_for_the_referee_is_refused(rf: Referrals) -> None:
    r = rf.post("/v1/campaigns", json=program_body(referrer_reward=CASH, referee_reward=CASH, tiers=[]))
    assert r.status_code == 400, r.text
    assert "cash" in r.text


def test_released_cash_is_paid_once_and_a_later_refund_is_clawed_back(rf: Referrals, program: dict, clock: Clock):
    # Given a cash reward released this month
    link, outcome, reward = released_cash(rf, program, clock)
    month = period_of(clock.now)
    payout = one(payouts(rf, month), customer_id=link["customer_id"])
    assert (payout["amount"], payout["currency"], payout["rewards"], payout["status"]) == (1500, "EUR", 1, "open")
    assert payout["id"].startswith(f"po_{month}_") and payout["id"].endswith("_EUR")

    # the CSV has the payout and a total row per currency
    r = rf.get("/v1/payouts", params={"period": month, "format": "csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv"), r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert one(rows, payout_id=payout["id"])["amount"] == "1500"
    total = one(rows, payout_id="total", currency="EUR")
    assert int(total["amount"]) == sum(p["amount"] for p in payouts(rf, month) if p["currency"] == "EUR")

    # When the month is not over, it cannot be marked paid
    r = rf.post(f"/v1/payouts/{payout['id']}/paid", json={"reference": "SEPA-1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "payout_period_open", r.text

    # Then, the next month, it is paid once
    clock.set(datetime.combine((clock.now.replace(day=1) + timedelta(days=32)).replace(day=3), time(9), tzinfo=UTC))
    r = rf.post(f"/v1/payouts/{payout['id']}/paid", json={"reference": "SEPA-1"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["amount"], r.json()["reference"]) == ("paid", 1500, "SEPA-1")
    audit = rf.get("/v1/audit", params={"limit": 1}).json()["items"][0]
    assert (audit["action"], audit["target"], audit["after"]["reference"]) == (
        "payout.paid",
        {"type": "payout", "id": payout["id"]},
        "SEPA-1",
    )
    again = rf.post(f"/v1/payouts/{payout['id']}/paid", json={"reference": "SEPA-2"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "payout_already_paid", again.text
    assert one(payouts(rf, month), id=payout["id"])["status"] == "paid"

    # When the friend's order is refunded after the payment
    refund = rf.refund(outcome["order_id"])
    assert refund.status_code == 200, refund.text
    assert one(refund.json()["rewards"], reward_id=reward["id"])["action"] == "clawback"

    # Then the paid payout stays as paid and this month's payout carries the negative line
    assert one(payouts(rf, month), id=payout["id"])["amount"] == 1500
    later = one(payouts(rf, period_of(clock.now)), customer_id=link["customer_id"])
    assert (later["amount"], later["rewards"], later["clawbacks"], later["status"]) == (-1500, 0, 1, "open")
    assert one(rf.rewards(link["customer_id"]), id=reward["id"])["status"] == "reversed"


def test_a_refund_before_payment_takes_the_reward_out_of_its_payout(rf: Referrals, program: dict, clock: Clock):
    link, outcome, reward = released_cash(rf, program, clock)
    assert one(payouts(rf, period_of(clock.now)), customer_id=link["customer_id"])["amount"] == 1500

    refund = rf.refund(outcome["order_id"])
    assert refund.status_code == 200, refund.text
    assert one(refund.json()["rewards"], reward_id=reward["id"])["action"] == "reversed"
    assert not [p for p in payouts(rf, period_of(clock.now)) if p["customer_id"] == link["customer_id"]]


def test_pending_cash_is_voided_by_a_refund_and_never_payable(rf: Referrals, program: dict, clock: Clock):
    link = rf.link(program["id"])
    outcome = rf.refer(link["code"])
    pending = reward_of(outcome, "referrer")
    refund = rf.refund(outcome["order_id"])
    assert one(refund.json()["rewards"], reward_id=pending["id"])["action"] == "voided"
    clock.advance(days=15)
    rf.release()
    assert one(rf.rewards(link["customer_id"]), id=pending["id"])["status"] == "voided"
    assert not [p for p in payouts(rf, period_of(clock.now)) if p["customer_id"] == link["customer_id"]]


def test_bad_periods_and_unknown_payouts(rf: Referrals) -> None:
    assert rf.get("/v1/payouts", params={"period": "2026-13"}).status_code == 400
    r = rf.post("/v1/payouts/po_2001-01_0123456789abcdef_EUR/paid", json={"reference": "x"})
    assert r.status_code == 404, r.text
