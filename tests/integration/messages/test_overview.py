"""The overview (GET /v1/reports/overview) over HTTP: a redemption, a rollback, a referral conversion, points earned
and spent and a welcome email, each counted once on the shop's calendar day (Europe/Rome) it happened."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api import assert_error, order, uid
from loyalty import cid

pytestmark = pytest.mark.integration

ROME = ZoneInfo("Europe/Rome")


def overview(ms, days: int = 7) -> dict[str, Any]:
    r = ms.get("/v1/reports/overview", params={"days": days})
    assert r.status_code == 200, f"overview → {r.status_code} {r.text}"
    return r.json()


def figures(body: dict[str, Any], campaign_id: str) -> dict[str, Any]:
    [found] = [c for c in body["campaigns"] if c["id"] == campaign_id]
    return found


def on(found: dict[str, Any], day: date) -> dict[str, Any]:
    [entry] = [d for d in found["series"] if d["day"] == day.isoformat()]
    return entry


def test_each_event_counts_once_on_the_shops_day(ms, clock, program):
    today = clock.now.astimezone(ROME).date()
    tomorrow = today + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0), tzinfo=ROME)
    # Today: a friend's first order converts a referral; the friend gets 300 points at once and spends them
    r = ms.post(
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
    referral = r.json()
    ms.created.append(referral["id"])
    link = ms.post("/v1/referrals", json={"customer_id": cid(), "campaign_id": referral["id"]})
    assert link.status_code == 201, link.text
    friend, order_id = cid(), uid("ord_")
    for _ in range(2):  # the shop's backend retries the report: one conversion
        placed = ms.place_order(friend, 5000, order_id=order_id, referral_code=link.json()["code"])
        assert placed.status_code in (200, 201) and placed.json()["referral"]["status"] == "converted", placed.text
    clock.tick()
    assert ms.bought(friend, "free-shipping")["cost"] == 300
    # A minute before and a minute after midnight in Rome: a redemption each; the first is rolled back after
    discount = ms.discount()
    code = ms.create_code(discount["id"])
    clock.set(midnight - timedelta(minutes=1))
    late = ms.redeem(code, order(5000))
    assert late.status_code == 201, late.text
    clock.set(midnight + timedelta(minutes=1))
    assert ms.redeem(code, order(5000)).status_code == 201
    assert ms.rollback(late.json()["id"]).status_code == 200
    # Tomorrow at noon (after the messaging hour): a welcome email goes out
    clock.set(datetime.combine(tomorrow, time(12), tzinfo=ROME))
    welcome = ms.reengagement("welcome")
    clock.tick()
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.sent(anna, welcome["id"])

    body = overview(ms)
    assert (body["to"], body["days"]) == (tomorrow.isoformat(), 7)
    coupons = figures(body, discount["id"])
    assert (coupons["type"], coupons["status"]) == ("discount", "enabled")
    discount_given = late.json()["discount_amount"]
    assert (on(coupons, today)["redemptions"], on(coupons, today)["discount"]) == (1, {"EUR": discount_given})
    assert on(coupons, tomorrow)["redemptions"] == 0  # one redemption, one rollback
    assert coupons["totals"]["redemptions"] == 1 and coupons["totals"]["discount"] == {"EUR": discount_given}
    assert on(coupons, today - timedelta(days=1))["redemptions"] == 0
    programs = figures(body, referral["id"])
    assert on(programs, today)["conversions"] == 1 and programs["totals"]["conversions"] == 1
    club = on(figures(body, program["id"]), today)
    assert (club["points_issued"], club["points_spent"]) == (300, 300)
    sent = figures(body, welcome["id"])
    assert (on(sent, today)["messages_sent"], on(sent, tomorrow)["messages_sent"]) == (0, 1)
    assert sum(c["totals"]["messages_sent"] for c in body["campaigns"]) == body["totals"]["messages_sent"]
    assert_error(ms.get("/v1/reports/overview", params={"days": 14}), 400, "invalid_request")


def test_a_code_switched_off_refuses_until_switched_on_and_its_uses_page_newest_first(ms):
    discount = ms.discount()
    code = ms.create_code(discount["id"])
    ids = []
    for _ in range(3):
        r = ms.redeem(code, order(5000))
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    uses = ms.list_all(f"/v1/codes/{code}/redemptions", limit=2)
    assert [u["id"] for u in uses] == ids[::-1]
    assert [u["id"] for u in ms.list_all(f"/v1/campaigns/{discount['id']}/redemptions", limit=2)] == ids[::-1]
    off = ms.post(f"/v1/codes/{code}/disable", json={})
    assert off.status_code == 200 and off.json()["switched_off_at"], off.text
    assert ms.validate(code, order(5000))["error"]["code"] == "code_disabled"
    assert_error(ms.redeem(code, order(5000)), 422, "code_disabled")
    assert ms.post(f"/v1/codes/{code}/enable", json={}).json()["switched_off_at"] is None
    assert ms.redeem(code, order(5000)).status_code == 201
