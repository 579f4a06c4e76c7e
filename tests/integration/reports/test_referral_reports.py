"""Referral program reports over HTTP: issue 15's wrong figures, then a small shop with known answers."""

from __future__ import annotations

from typing import Any

import pytest
from api import uid
from referrals import Referrals, assert_blocked, assert_converted, new_email
from referrals.conftest import with_loyalty_program

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def rf(stack) -> Referrals:
    return with_loyalty_program(stack)


def shop_inputs(rf: Referrals, campaign_id: str) -> dict[str, Any]:
    return rf.report("roi", campaign_id=campaign_id)["items"][0]["inputs"]


def discount_code(rf: Referrals, code: str, amount_off: int = 900) -> None:
    body = {"name": code, "type": "discount", "discount": {"type": "amount", "amount_off": amount_off}}
    made = rf.post("/v1/campaigns", json=body | {"rules": {"currency": "EUR"}})
    assert made.status_code == 201, made.text
    r = rf.post(f"/v1/campaigns/{made.json()['id']}/codes", json={"code": code})
    assert r.status_code == 201, r.text


def test_a_customer_whose_first_order_carried_a_coupon_is_a_customer(rf):
    # Given a referral program with one conversion (so that it has a ROI line) and a code ZZ
    program = rf.create_program(tiers=[])
    anna = rf.link(program["id"])["code"]
    assert_converted(rf.refer(anna), anna)
    code = uid("ZZ").upper()
    discount_code(rf, code)
    before = shop_inputs(rf, program["id"])
    # When a new customer's first order carries the coupon
    outcome = rf.order_outcome(uid("zz-"), 5900, coupon_code=code, order_id=uid("z2-"))
    assert outcome["coupon"]["redeemed"] is True, outcome
    # Then they count as one more customer of the shop, with the 59.00 they paid less the 9.00 off
    after = shop_inputs(rf, program["id"])
    assert after["other_customers"] == before["other_customers"] + 1, (before, after)
    revenue_before = (before["avg_ltv_other"] or 0) * before["other_customers"]
    assert after["avg_ltv_other"] * after["other_customers"] == pytest.approx(revenue_before + 5000), (before, after)


def test_a_converted_friends_later_orders_are_revenue_not_blocks(rf):
    # Given a friend who signed up through Anna's link and converted
    program = rf.create_program(tiers=[])
    anna = rf.link(program["id"], name="Anna")["code"]
    friend, email = uid("friend-"), new_email()
    assert rf.track("signup", anna, key="secret", email=email, customer_id=friend).status_code == 202
    assert_converted(rf.order_outcome(friend, 5000, email=email), anna)
    # When they order again, without a code (the touch is in the window) and with Anna's code
    later = [
        rf.order_outcome(friend, 4000, email=email),
        rf.order_outcome(friend, 3000, email=email, referral_code=anna),
    ]
    # Then neither is a conversion attempt: nothing blocked, and both are the friend's revenue
    assert [o["referral"] for o in later] == [None, None], later
    assert (rf.counts(anna)["conversions"], rf.counts(anna)["blocked"]) == (1, 0)
    inputs = shop_inputs(rf, program["id"])
    assert (inputs["customers"], inputs["avg_ltv"]) == (1, 12000), inputs
    # And a real block still counts: another customer id with the friend's email
    assert_blocked(rf.refer(anna, email=email), "already_referred")
    assert rf.counts(anna)["blocked"] == 1
