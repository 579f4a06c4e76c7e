"""Referral program reports over HTTP: issue 15's wrong figures, then a small shop with known answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from api import uid
from loyalty import Clock, next_start
from referrals import Referrals, assert_blocked, assert_converted, new_email
from referrals.conftest import CACHE_SECONDS, with_loyalty_program

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


# ------------------------------------------------------------------------------------ a shop with known answers

POINT_VALUE = {"points": 100, "amount": 100, "currency": "EUR"}
KNOWN_PROGRAM: dict[str, Any] = {
    "name": "Known shop",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {
        "type": "coupon",
        "discount": {"type": "amount", "amount_off": 500},
        "currency": "EUR",
        "when": "after_conversion",
    },
    "referrer_reward": {"type": "points", "points": 300},
    "conversion": {"event": "first_order"},
    "holding_days": 14,
    "tiers": [],
    "fraud": {"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    "variants": [
        {"name": "a"},
        {
            "name": "b",
            "referrer_reward": {
                "type": "coupon",
                "discount": {"type": "percent", "percent_off": 10},
                "currency": "EUR",
            },
        },
    ],
}


@pytest.fixture
def clock(stack) -> Iterator[Clock]:
    """The stack's clock frozen on days after anything the session saw: this shop's days are its own."""
    try:
        yield Clock(stack, next_start())
    finally:
        stack.set_clock(None)


@pytest.fixture
def valued_points(rf: Referrals) -> Iterator[None]:
    """The session's loyalty program with a point value (100 points = 1.00 EUR), removed afterwards."""
    (loyalty,) = [c for c in rf.list_all("/v1/campaigns", limit=100) if c.get("type") == "loyalty"]
    r = rf.patch(f"/v1/campaigns/{loyalty['id']}", json={"point_value": POINT_VALUE})
    assert r.status_code == 200 and r.json()["point_value"] == POINT_VALUE, r.text
    time.sleep(CACHE_SECONDS)  # every container now sees it
    try:
        yield
    finally:
        rf.patch(f"/v1/campaigns/{loyalty['id']}", json={"point_value": None})
        time.sleep(CACHE_SECONDS)


def ratio(numerator: int, denominator: int) -> float | None:
    """A reported rate: 4 decimals, null without a denominator."""
    return round(numerator / denominator, 4) if denominator else None


def test_a_small_shop_with_known_answers(rf, clock, valued_points):
    """Two variants (a: points to the referrer; b: a 10% coupon), a friend who signed up and orders twice
    (the second time with their own 5.00 coupon, then a partial refund), friends who typed a code, a
    non-referred first order with a coupon: every figure of the funnel and the ROI, exactly."""
    program = rf.create_program(**KNOWN_PROGRAM)
    cid = program["id"]
    d0 = clock.today
    # referrers get their variant from their id: links are made until each variant has two (the others only
    # shared, counted in `shared`)
    found: dict[str, list[str]] = {"a": [], "b": []}
    while min(len(c) for c in found.values()) < 2:
        link = rf.link(cid, customer_id=uid("ref-"))
        found[link["variant"]].append(link["code"])
    (a1, a2, *_), (b1, *_) = found["a"], found["b"]
    shared = {v: len(codes) for v, codes in found.items()}
    # variant a: A1's link clicked twice and visited once; F1 signs up through it and orders twice; F2 types it
    for _ in range(2):
        assert rf.follow(a1).status_code == 302
    assert rf.track("visit", a1, visitor_id=uid("v")).status_code == 202
    assert rf.follow(a2).status_code == 302
    f1, f1_email = uid("f1-"), new_email()
    assert rf.track("signup", a1, key="secret", email=f1_email, customer_id=f1).status_code == 202
    clock.tick()
    first = rf.order_outcome(f1, 6000, email=f1_email)
    assert_converted(first, a1)
    clock.tick()
    assert_converted(rf.refer(a1, amount=5000), a1)
    clock.tick()
    own_coupon = next(r for r in first["rewards"] if r["role"] == "referee")["coupon_code"]
    repeat = rf.order_outcome(f1, 4000, email=f1_email, coupon_code=own_coupon)
    assert repeat["referral"] is None and repeat["coupon"]["discount_amount"] == 500, repeat
    clock.tick()
    assert rf.refund(repeat["order_id"], 1000).json()["conversion_voided"] is False
    # variant b: B1's friends type the code (8000 and 7000); B2 only shared
    for amount in (8000, 7000):
        clock.tick()
        assert_converted(rf.refer(b1, amount=amount), b1)
    # the shop's other customers: a first order with a 9.00 coupon, and one without
    clock.tick()
    zz = uid("ZZ").upper()
    discount_code(rf, zz)
    assert rf.order_outcome(uid("c1-"), 5900, coupon_code=zz)["coupon"]["redeemed"] is True
    clock.tick()
    rf.order_outcome(uid("c2-"), 3000)
    # 15 days later the referrer rewards are released: 2 × 300 points (a), 2 percent coupons (b)
    clock.advance(days=15)
    rf.release()
    d15 = clock.today

    window = {"from": d0.isoformat(), "to": d15.isoformat()}
    funnel = rf.report("funnel", campaign_id=cid, **window)
    referrers = {
        "a": {"shared": shared["a"], "clicked": 2, "brought": 1, "rewarded": 1},
        "b": {"shared": shared["b"], "clicked": 1, "brought": 1, "rewarded": 1},
    }
    friends = {
        "a": {"clicks": 3, "visits": 2, "signups": 2, "conversions": 2, "rewarded": 2},
        "b": {"clicks": 2, "visits": 2, "signups": 2, "conversions": 2, "rewarded": 2},
    }
    inferred = {"a": {"clicks": 0, "visits": 1, "signups": 1}, "b": {"clicks": 2, "visits": 2, "signups": 2}}

    def figures(r: dict[str, int], f: dict[str, int], i: dict[str, int]) -> dict[str, Any]:
        return {
            "referrers": r
            | {
                "rates": {
                    "clicked_per_shared": ratio(r["clicked"], r["shared"]),
                    "brought_per_clicked": ratio(r["brought"], r["clicked"]),
                    "rewarded_per_brought": ratio(r["rewarded"], r["brought"]),
                }
            },
            "friends": f
            | {
                "inferred": i,
                "rates": {
                    "visits_per_click": ratio(f["visits"], f["clicks"]),
                    "signups_per_visit": ratio(f["signups"], f["visits"]),
                    "conversions_per_signup": ratio(f["conversions"], f["signups"]),
                    "rewarded_per_conversion": ratio(f["rewarded"], f["conversions"]),
                },
            },
            "clicks_per_referrer": ratio(f["clicks"], r["shared"]),
        }

    def added(*maps: dict[str, int]) -> dict[str, int]:
        return {k: sum(m[k] for m in maps) for k in maps[0]}

    expected = {v: figures(referrers[v], friends[v], inferred[v]) for v in ("a", "b")}
    totals = figures(added(*referrers.values()), added(*friends.values()), added(inferred["a"], inferred["b"]))
    assert totals["referrers"]["rates"]["brought_per_clicked"] == 0.6667
    assert funnel["totals"] == totals, funnel["totals"]
    assert [(v["variant"], v["totals"]) for v in funnel["variants"]] == [("a", expected["a"]), ("b", expected["b"])]
    assert [b["from"] for b in funnel["series"]] == [(d0 + timedelta(days=n)).isoformat() for n in range(16)]
    assert funnel["series"][0] | {"from": None, "to": None} == totals | {"from": None, "to": None}
    assert all(b["friends"]["clicks"] == 0 and b["referrers"]["shared"] == 0 for b in funnel["series"][1:])

    roi = rf.report("roi", campaign_id=cid, **window)
    assert roi["point_value"] == POINT_VALUE
    assert (roi["from"], roi["to"]) == (d0.isoformat(), d15.isoformat())
    orders, sales = 7, 6000 + 5000 + 3500 + 8000 + 7000 + 5000 + 3000  # every order of these days (net of coupons)
    aov = sales / orders
    shop = {
        "other_customers": 2,
        "avg_ltv_other": (5000 + 3000) / 2,
        "shop_referred_customers": 4,
        "avg_ltv_shop_referred": (6000 + 5000 + 3500 - 1000 + 8000 + 7000) / 4,
        "average_order_value": aov,
    }

    def line(
        revenue: int,
        customers: int,
        points: int,
        coupon_cost: int,
        expected_cost: float,
        f: dict[str, int],
        shared: int,
    ) -> dict[str, Any]:
        cost = points * 100 / 100 + coupon_cost
        cpr, rate = f["clicks"] / shared, f["conversions"] / f["clicks"]
        k = cpr * rate
        avg = revenue / customers
        inputs = {
            "currency": "EUR",
            "revenue": revenue,
            "customers": customers,
            "avg_ltv": avg,
            "reward_cost": 0,
            "points": points,
            "points_cost": points * 100 / 100,
            "coupon_cost": coupon_cost,
            "cost": cost,
            "expected_coupon_cost": expected_cost,
            "shared": shared,
            "clicks": f["clicks"],
            "conversions": f["conversions"],
            "clicks_per_referrer": cpr,
            "conversion_rate": rate,
            "k": k,
        } | shop
        roi_value = (avg * (1 + k) * customers - cost) / cost if cost else None
        return {"currency": "EUR", "roi": roi_value, "roi_unavailable": None, "inputs": inputs}

    # a: F1 60.00 + 35.00 − 10.00 refunded, F2 50.00; 600 points (6.00 EUR) and F1's 5.00 coupon redeemed;
    #    F2's 5.00 coupon outstanding
    a = line(6000 + 3500 - 1000 + 5000, 2, 600, 500, 500.0, friends["a"], shared["a"])
    # b: 80.00 + 70.00; nothing spent yet (no ROI); outstanding: 2 friends' 5.00 coupons, B1's two 10% coupons
    b = line(15000, 2, 0, 0, 1000 + 0.2 * aov, friends["b"], shared["b"])
    total = line(28500, 4, 600, 500, 1500 + 0.2 * aov, added(*friends.values()), shared["a"] + shared["b"])
    assert [(v["variant"], v["coupons_outstanding"], v["items"]) for v in roi["variants"]] == [
        ("a", 1, [a]),
        ("b", 4, [b]),
    ], roi["variants"]
    assert roi["coupons_outstanding"] == 5 and roi["items"] == [total], roi["items"]
    assert b["roi"] is None and a["roi"] is not None and total["roi"] is not None

    # and the variants report (h/rep-shop) reads the same per-variant daily attributes
    variants = rf.report("variants", campaign_id=cid, **window)["variants"]
    got = [(v["variant"], v["exposed"], v["conversions"], v["revenue"], v["points"], v["cost"]) for v in variants]
    assert got == [
        ("a", 3, 2, {"EUR": 13500}, 600, {"EUR": 1100.0}),
        ("b", 2, 2, {"EUR": 15000}, 0, {}),
    ], variants
