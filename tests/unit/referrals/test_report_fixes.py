"""Issue 15's two wrong figures, in-process (moto): a coupon first order makes a customer, and a converted
friend's later order is revenue, not a blocked conversion."""

from types import ModuleType
from typing import Any

import pytest

from tests.unit.functions import call, load_function

PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "credit", "amount": 500, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    "attribution": {"window_days": 30, "model": "last_touch"},
}


@pytest.fixture
def fns(aws: None) -> dict[str, ModuleType]:
    return {name: load_function(name) for name in ("campaigns", "referrals", "conversions", "reports")}


def create(fn: ModuleType, body: dict[str, Any]) -> dict[str, Any]:
    reply = call(fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def order(fn: ModuleType, **body: Any) -> dict[str, Any]:
    reply = call(fn, "POST", "/v1/orders", "/v1/orders", {"amount": 5900, "currency": "EUR", **body})
    assert reply.status in (200, 201), reply.body
    return dict(reply.body)


def roi_inputs(fns: dict[str, ModuleType], campaign_id: str) -> dict[str, Any]:
    reply = call(fns["reports"], "GET", "/v1/reports/roi", "/v1/reports/roi", query={"campaign_id": campaign_id})
    assert reply.status == 200, reply.body
    return dict(reply.body["items"][0]["inputs"])


def test_a_customer_whose_first_order_carried_a_coupon_counts_as_a_customer(fns: dict[str, ModuleType]) -> None:
    program = create(fns["campaigns"], PROGRAM)
    link = call(
        fns["referrals"],
        "POST",
        "/v1/referrals",
        "/v1/referrals",
        {"customer_id": "anna", "campaign_id": program["id"]},
    )
    order(fns["conversions"], id="r1", customer_id="friend", referral_code=link.body["code"])
    discount = create(
        fns["campaigns"],
        {
            "name": "ZZ",
            "type": "discount",
            "discount": {"type": "amount", "amount_off": 900},
            "rules": {"currency": "EUR"},
        },
    )
    made = call(
        fns["campaigns"],
        "POST",
        f"/v1/campaigns/{discount['id']}/codes",
        "/v1/campaigns/{campaign_id}/codes",
        {"code": "ZZ"},
    )
    assert made.status == 201, made.body
    order(fns["conversions"], id="z1", customer_id="zz1")
    before = roi_inputs(fns, program["id"])
    assert before["other_customers"] == 1, before

    outcome = order(fns["conversions"], id="z2", customer_id="zz2", coupon_code="ZZ")

    assert outcome["coupon"]["redeemed"] is True, outcome
    after = roi_inputs(fns, program["id"])
    assert after["other_customers"] == 2, after
    assert after["avg_ltv_other"] == (5900 + 5000) / 2, after


def test_a_converted_friends_later_order_is_revenue_not_a_blocked_conversion(fns: dict[str, ModuleType]) -> None:
    program = create(fns["campaigns"], PROGRAM)
    code = call(
        fns["referrals"],
        "POST",
        "/v1/referrals",
        "/v1/referrals",
        {"customer_id": "anna", "campaign_id": program["id"]},
    ).body["code"]
    signup = {"type": "signup", "ref": code, "email": "friend@example.org", "customer_id": "friend"}
    assert call(fns["referrals"], "POST", "/v1/referrals/track", "/v1/referrals/track", signup).status == 202
    first = order(fns["conversions"], id="f1", customer_id="friend", email="friend@example.org")
    assert first["referral"]["status"] == "converted", first

    again = order(fns["conversions"], id="f2", customer_id="friend", email="friend@example.org", referral_code=code)
    touched = order(fns["conversions"], id="f3", customer_id="friend", email="friend@example.org")

    assert again["referral"] is None and touched["referral"] is None, (again, touched)
    counts = call(fns["referrals"], "GET", f"/v1/referrals/{code}", "/v1/referrals/{code}").body["counts"]
    assert (counts["conversions"], counts["blocked"]) == (1, 0), counts
    inputs = roi_inputs(fns, program["id"])
    assert inputs["customers"] == 1 and inputs["avg_ltv"] == 3 * 5900, inputs
    assert inputs["shop_referred_customers"] == 1 and inputs["avg_ltv_shop_referred"] == 3 * 5900, inputs
    # a real block still counts: the same email under another customer id is already referred
    other = order(fns["conversions"], id="f4", customer_id="friend-2", email="friend@example.org", referral_code=code)
    assert other["referral"]["status"] == "blocked" and "already_referred" in other["referral"]["reasons"], other
    counts = call(fns["referrals"], "GET", f"/v1/referrals/{code}", "/v1/referrals/{code}").body["counts"]
    assert counts["blocked"] == 1, counts
