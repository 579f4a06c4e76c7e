"""The overview: daily aggregates moved in the writes of redemptions, conversions, points and messages, read
back per shop-local day (Europe/Rome in these tests) by GET /v1/reports/overview."""

from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest

from passaparola import clock
from passaparola.data import messages as message_store
from passaparola.data.models.messages import MessageModel
from passaparola.errors import InvalidRequest
from passaparola.reports import overview
from passaparola.reports.models import Figures
from tests.unit.coupons.test_redemptions import make_campaign, make_code, redeem
from tests.unit.functions import call, load_function

# ================================================================================ pure computations


def test_the_window_ends_today_and_only_7_30_90_are_offered() -> None:
    days = overview.window(date(2026, 3, 2), 7)
    assert days[0] == date(2026, 2, 24) and days[-1] == date(2026, 3, 2) and len(days) == 7
    assert len(overview.window(date(2026, 3, 2), 90)) == 90
    with pytest.raises(InvalidRequest, match="days is invalid"):
        overview.window(date(2026, 3, 2), 14)


def test_a_daily_item_becomes_figures_with_money_per_currency() -> None:
    raw = {"redemptions": 3, "discount_EUR": 1500, "discount_USD": 0, "rewards_cost_EUR": 700, "other": 9}
    assert overview.figures(raw) == Figures(redemptions=3, discount={"EUR": 1500}, rewards_cost={"EUR": 700})


def test_figures_add_up_per_counter_and_currency() -> None:
    total = overview.add(
        [
            Figures(redemptions=2, discount={"EUR": 100}),
            Figures(redemptions=-1, discount={"EUR": -100, "USD": 5}, messages_sent=4),
        ]
    )
    assert total == Figures(redemptions=1, discount={"USD": 5}, messages_sent=4)


# ============================================================================== through the functions


def at(moment: str) -> None:
    frozen = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set_clock(lambda: frozen)


def read(fn: ModuleType, days: int = 7) -> dict[str, Any]:
    reply = call(fn, "GET", "/v1/reports/overview", "/v1/reports/overview", query={"days": str(days)})
    assert reply.status == 200, reply.body
    return dict(reply.body)


def campaign(body: dict[str, Any], campaign_id: str) -> dict[str, Any]:
    return next(c for c in body["campaigns"] if c["id"] == campaign_id)


def day(figures: dict[str, Any], when: str) -> dict[str, Any]:
    return next(d for d in figures["series"] if d["day"] == when)


def test_redemptions_and_rollbacks_count_on_the_shops_day(coupons_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    reports_fn = load_function("reports")
    campaign_id = make_campaign(campaigns_fn)  # 10 % off, at most 15.00: 500 off a 50.00 order
    code = make_code(
        campaigns_fn,
        campaign_id,
        code="DAYS10",
    )
    # 22:59 UTC is 23:59 in Rome (15 March); 23:01 UTC is already the 16th there
    at("2026-03-15T22:59:00")
    first = redeem(coupons_fn, code, "ord_1")
    assert first.status == 201, first.body
    at("2026-03-15T23:01:00")
    assert redeem(coupons_fn, code, "ord_2").status == 201
    assert redeem(coupons_fn, code, "ord_2").status == 200  # the same order again: no second count
    assert redeem(coupons_fn, code, "ord_3").status == 201
    rollback = f"/v1/redemptions/{first.body['id']}/rollback"
    assert call(coupons_fn, "POST", rollback, "/v1/redemptions/{redemption_id}/rollback").status == 200
    assert call(coupons_fn, "POST", rollback, "/v1/redemptions/{redemption_id}/rollback").status == 409

    body = read(reports_fn)
    assert (body["from"], body["to"], body["days"]) == ("2026-03-10", "2026-03-16", 7)
    figures = campaign(body, campaign_id)
    assert (figures["type"], figures["status"], figures["name"]) == ("discount", "enabled", "Spring")
    assert [d["day"] for d in figures["series"]] == [f"2026-03-{n}" for n in range(10, 17)]
    assert (day(figures, "2026-03-15")["redemptions"], day(figures, "2026-03-15")["discount"]) == (1, {"EUR": 500})
    # two redemptions and the rollback of the 15th's, on the day it happened
    assert (day(figures, "2026-03-16")["redemptions"], day(figures, "2026-03-16")["discount"]) == (1, {"EUR": 500})
    assert day(figures, "2026-03-14")["redemptions"] == 0 and day(figures, "2026-03-14")["discount"] == {}
    assert figures["totals"]["redemptions"] == 2 and figures["totals"]["discount"] == {"EUR": 1000}
    assert body["totals"]["redemptions"] == 2 and body["totals"]["discount"] == {"EUR": 1000}
    # the campaign's own counters agree
    stats = call(campaigns_fn, "GET", f"/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}").body["stats"]
    assert stats["redemptions"] == 2
    # a week later the 15th has left the 7-day window, not the 30-day one
    at("2026-03-22T12:00:00")
    assert campaign(read(reports_fn), campaign_id)["totals"]["redemptions"] == 1
    assert campaign(read(reports_fn, 30), campaign_id)["totals"]["redemptions"] == 2
    refused = call(reports_fn, "GET", "/v1/reports/overview", "/v1/reports/overview", query={"days": "14"})
    assert refused.status == 400 and refused.body["error"]["code"] == "invalid_request", refused.body


PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "points", "points": 200},
    "referrer_reward": {"type": "points", "points": 300},
    "holding_days": 0,
}
LOYALTY = {
    "name": "Club",
    "type": "loyalty",
    "earning_rules": [{"event": "review", "points": 50}],
    "rewards": [
        {"id": "thanks", "name": "Thanks", "cost": 30, "reward": {"type": "recognition", "kind": "gift", "note": "!"}}
    ],
}


def test_conversions_points_and_messages_count_in_their_programs_days(campaigns_fn: ModuleType) -> None:
    referrals_fn, conversions_fn, customers_fn, loyalty_fn, reports_fn = (
        load_function(n) for n in ("referrals", "conversions", "customers", "loyalty", "reports")
    )
    at("2026-05-04T10:00:00")
    club = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY)
    assert club.status == 201, club.body
    program = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM)
    assert program.status == 201, program.body
    # a conversion: the friend's 200 points are issued at once
    link = call(
        referrals_fn,
        "POST",
        "/v1/referrals",
        "/v1/referrals",
        {"customer_id": "anna", "campaign_id": program.body["id"]},
    )
    order = {"id": "ord_1", "customer_id": "bob", "amount": 5000, "currency": "EUR"}
    for _ in range(2):  # a retried order report counts once
        outcome = call(conversions_fn, "POST", "/v1/orders", "/v1/orders", order | {"referral_code": link.body["code"]})
        assert outcome.body["referral"]["status"] == "converted", outcome.body
    # a review earns 50; spending 30 on a recognition
    review = {"id": "ev_1", "customer_id": "bob", "type": "review", "rating": 5}
    assert call(customers_fn, "POST", "/v1/events", "/v1/events", review).status == 201
    spent = call(
        loyalty_fn, "POST", "/v1/customers/bob/rewards", "/v1/customers/{customer_id}/rewards", {"reward_id": "thanks"}
    )
    assert spent.status == 201, spent.body
    # a message the provider accepted, recorded twice (a redelivery): one message sent
    message = MessageModel("msg_1", campaign_id="cmp_reengage", status="sending", created_at="2026-05-04T10:00:00Z")
    message.save()
    now = clock.now()
    message_store.sent(message, "ses-1", now)
    message_store.sent(message, "ses-1", now)

    body = read(reports_fn)
    referral = campaign(body, program.body["id"])
    assert day(referral, "2026-05-04")["conversions"] == 1 and referral["totals"]["conversions"] == 1
    loyalty = campaign(body, club.body["id"])
    assert (loyalty["totals"]["points_issued"], loyalty["totals"]["points_spent"]) == (250, 30)
    assert body["totals"]["points_issued"] == 250 and body["totals"]["conversions"] == 1
    from passaparola.data import reports as report_store

    assert report_store.days("cmp_reengage", "2026-05-04", "2026-05-04") == {
        "2026-05-04": {"messages_sent": 1, "sent@default": 1}
    }

    # the friend's order is refunded in full: the conversion is voided, on the day of the refund
    at("2026-05-06T10:00:00")
    refunded = call(conversions_fn, "POST", "/v1/orders/ord_1/refund", "/v1/orders/{order_id}/refund", {})
    assert refunded.status == 200, refunded.body
    body = read(reports_fn)
    referral = campaign(body, program.body["id"])
    assert (day(referral, "2026-05-04")["conversions"], day(referral, "2026-05-06")["conversions"]) == (1, -1)
    assert referral["totals"]["conversions"] == 0
    # and the friend's 200 points are taken back: issued net of the reversal, on that day too
    loyalty = campaign(body, club.body["id"])
    assert day(loyalty, "2026-05-06")["points_issued"] == -200
    assert (loyalty["totals"]["points_issued"], loyalty["totals"]["points_spent"]) == (50, 30)


def test_moves_of_one_day_in_one_transaction_are_one_update(aws: None) -> None:
    from passaparola.data import reports as report_store
    from passaparola.data import stats, transactions

    moment = datetime(2026, 7, 1, 21, 59, tzinfo=UTC)  # 23:59 in Rome (summer time)

    def build(tx: transactions.Transaction) -> None:
        stats.daily(tx, "cmp_x", {"redemptions": 1}, {"discount": ("EUR", 500)}, at=moment)
        stats.daily(tx, "cmp_x", {"redemptions": 1}, {"discount": ("USD", 300)}, at=moment)
        stats.daily(tx, "cmp_x", {"redemptions": 0}, at=moment + timedelta(minutes=2))  # nothing moves: no write
        assert len(tx._counters) == 1

    transactions.write(build)
    assert report_store.days("cmp_x", "2026-07-01", "2026-07-02") == {
        "2026-07-01": {"redemptions": 2, "discount_EUR": 500, "discount_USD": 300}
    }


def test_a_send_is_recorded_even_when_its_day_stays_busy(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The day's counter is worth less than the status: a send whose transaction kept conflicting is recorded
    alone (never left `sending`, which would end `outcome_unknown`), its count lost and logged."""
    from passaparola.data import reports as report_store
    from passaparola.data import transactions
    from passaparola.errors import Conflict

    real_write, calls = transactions.write, []

    def busy(build: Any) -> Any:  # the counted transaction stays busy; the status alone then goes through
        calls.append(build)
        if len(calls) == 1:
            raise Conflict()
        return real_write(build)

    message = MessageModel("msg_busy", campaign_id="cmp_busy", status="sending", created_at="2026-05-04T10:00:00Z")
    message.save()
    monkeypatch.setattr(transactions, "write", busy)
    message_store.sent(message, "ses-9", datetime(2026, 5, 4, 10, 0, tzinfo=UTC))
    stored = MessageModel.get("msg_busy", consistent_read=True)
    assert (stored.status, stored.provider_message_id) == ("sent", "ses-9")
    assert report_store.days("cmp_busy", "2026-05-04", "2026-05-04") == {}
