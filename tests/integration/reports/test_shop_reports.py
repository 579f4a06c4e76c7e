"""The shop-wide reports over HTTP on a small shop with known answers: word of mouth (NPS answers), a discount
campaign's coupons (a new customer's order, a repeat customer's, a refund and a rollback), the referral rate
(an order, a click of the referrer's link, a friend's converted order) and the variants report's refusals.

The clock is frozen on a day after anything the session saw, so the shop's items of that day hold this test's
events only; the referral rate's month is shared with the session's other tests, so it is asserted as a change.
"""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api import assert_error, uid

pytestmark = pytest.mark.integration

ROME = ZoneInfo("Europe/Rome")


def report(lo, path: str, **params: Any) -> dict[str, Any]:
    r = lo.get(path, params=params)
    assert r.status_code == 200, f"{path} {params} → {r.status_code} {r.text}"
    return r.json()


def test_word_of_mouth_counts_each_answer_once_on_its_day(lo, clock):
    day = clock.now.astimezone(ROME).date().isoformat()
    for score in (10, 9, 8, 3, 0):
        answer = {"id": uid("nps_"), "customer_id": uid("cus_"), "type": "nps_answer", "score": score}
        for _ in range(2):  # a retried event counts once
            r = lo.post("/v1/events", json=answer)
            assert r.status_code in (200, 201), r.text
    body = report(lo, "/v1/reports/word-of-mouth", **{"from": day, "to": day})
    assert body["totals"] == {
        "answers": 5,
        "promoters": 2,
        "passives": 1,
        "detractors": 2,
        "nps": 0.0,
        "positive": 10,
        "negative": 20,
        "balance": -10,
    }
    assert body["series"] == [{"from": day, "to": day, **body["totals"]}]
    tarp = report(lo, "/v1/reports/word-of-mouth", **{"from": day, "to": day, "a": 8, "b": 16})["totals"]
    assert (tarp["positive"], tarp["negative"], tarp["balance"]) == (16, 32, -16)
    assert_error(lo.get("/v1/reports/word-of-mouth", params={"a": 0}), 400, "invalid_request", "query.a")
    refused = lo.get("/v1/reports/word-of-mouth", params={"from": day, "to": "2000-01-01"})
    assert_error(refused, 400, "invalid_request", "query.from")


def test_coupons_orders_revenue_and_new_customers(lo, clock):
    first_day = clock.now.astimezone(ROME).date()
    r = lo.post(
        "/v1/campaigns",
        json={
            "name": f"coupons {uid()}",
            "type": "discount",
            "discount": {"type": "amount", "amount_off": 500},
            "rules": {"currency": "EUR"},
        },
    )
    assert r.status_code == 201, r.text
    campaign_id = r.json()["id"]
    code = uid("SAVE").upper()
    assert lo.post(f"/v1/campaigns/{campaign_id}/codes", json={"code": code}).status_code == 201
    new, repeat = uid("cus_"), uid("cus_")
    first = lo.place_order(new, 5000, coupon_code=code)  # a new customer: paid 4,500
    assert first.status_code == 201 and first.json()["coupon"]["redeemed"], first.text
    assert lo.place_order(repeat, 1000).status_code == 201  # an earlier order without the code
    clock.tick()
    again = lo.place_order(repeat, 3000, coupon_code=code)  # not new: paid 2,500
    assert again.status_code == 201 and again.json()["coupon"]["redeemed"], again.text
    clock.advance(days=1)
    refund = lo.post(f"/v1/orders/{first.json()['order_id']}/refund", json={"amount": 1000})
    assert refund.status_code == 200, refund.text
    rollback = lo.post(f"/v1/redemptions/{again.json()['coupon']['redemption_id']}/rollback", json={})
    assert rollback.status_code == 200, rollback.text

    second_day = first_day + timedelta(days=1)
    body = report(
        lo,
        "/v1/reports/coupons",
        campaign_id=campaign_id,
        **{"from": first_day.isoformat(), "to": second_day.isoformat()},
    )
    assert body["totals"] == {
        "redemptions": 1,
        "discount": {"EUR": 500},
        "orders": 1,
        "revenue": {"EUR": 3500},
        "new_customers": 1,
        "cost_per_new_customer": {"EUR": 500.0},
    }
    assert [(b["from"], b["redemptions"], b["orders"], b["revenue"], b["new_customers"]) for b in body["series"]] == [
        (first_day.isoformat(), 2, 2, {"EUR": 7000}, 1),
        (second_day.isoformat(), -1, -1, {"EUR": -3500}, 0),
    ]
    every = report(lo, "/v1/reports/coupons", **{"from": first_day.isoformat(), "to": second_day.isoformat()})
    assert campaign_id in [c["id"] for c in every["campaigns"]] and every["campaign_id"] is None


def test_the_referral_rate_moves_with_an_order_a_click_and_a_conversion(lo, clock):
    month = clock.now.astimezone(ROME).strftime("%Y-%m")

    def rate() -> dict[str, Any]:
        return report(lo, "/v1/reports/referral-rate", **{"from": month, "to": month})

    r = lo.post(
        "/v1/campaigns",
        json={
            "name": f"friends {uid()}",
            "type": "referral",
            "landing_url": "https://shop.example/",
            "referee_reward": {"type": "points", "points": 300},
            "referrer_reward": {"type": "points", "points": 100},
        },
    )
    assert r.status_code == 201, r.text
    before = rate()
    referrer, friend = uid("cus_"), uid("cus_")
    assert lo.place_order(referrer, 2000).status_code == 201  # active this month
    link = lo.post("/v1/referrals", json={"customer_id": referrer, "campaign_id": r.json()["id"]})
    assert link.status_code == 201, link.text
    code = link.json()["code"]
    for _ in range(2):  # the month's second click counts nothing
        followed = lo.session.get(f"{lo.url}/r/{code}", allow_redirects=False, timeout=30)
        assert followed.status_code == 302, followed.status_code
    clock.tick()
    converted = lo.place_order(friend, 5000, referral_code=code)
    assert converted.json()["referral"]["status"] == "converted", converted.text
    after = rate()
    moved = {
        name: after["months"][0][name] - before["months"][0][name]
        for name in ("active_customers", "sharing", "bringing")
    }
    assert moved == {"active_customers": 2, "sharing": 1, "bringing": 1}
    ever = {name: after["all_time"][name] - before["all_time"][name] for name in moved}
    assert ever == moved


def test_variants_need_a_referral_or_reengagement_campaign(lo):
    r = lo.post(
        "/v1/campaigns",
        json={
            "name": f"d {uid()}",
            "type": "discount",
            "discount": {"type": "percent", "percent_off": 10},
            "rules": {},
        },
    )
    assert r.status_code == 201, r.text
    refused = lo.get("/v1/reports/variants", params={"campaign_id": r.json()["id"]})
    assert_error(refused, 422, "campaign_type_mismatch")
    assert_error(lo.get("/v1/reports/variants", params={"campaign_id": "cmp_missing"}), 404, "not_found")
