"""Coupons report: a discount campaign's orders, revenue and new customers, moved by redemptions, rollbacks and
refunds of orders carrying its codes, read back per period (and for every discount campaign)."""

from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from passaparola import clock
from passaparola.data import reports as report_store
from passaparola.reports import periods, shop_rules
from tests.unit.coupons.test_redemptions import make_campaign, make_code, redeem
from tests.unit.functions import call, load_function
from tests.unit.reports.test_overview import LOYALTY, PROGRAM


def test_cost_per_new_customer_is_per_currency_and_null_without_one() -> None:
    figures = shop_rules.coupon_figures(
        {"redemptions": 3, "orders": 3, "new_customers": 2, "discount_EUR": 1000, "discount_USD": 301}
    )
    assert figures.cost_per_new_customer == {"EUR": 500.0, "USD": 150.5}
    assert shop_rules.coupon_figures({"discount_EUR": 1000}).cost_per_new_customer == {"EUR": None}


def test_cost_per_new_customer_divides_each_currency_by_its_own_new_customers() -> None:
    """Review F4: EUR's discount over EUR's new customers, not over every currency's."""
    figures = shop_rules.coupon_figures(
        {
            "new_customers": 3,
            "new_customers_EUR": 2,
            "new_customers_USD": 1,
            "discount_EUR": 1000,
            "discount_USD": 600,
            "discount_GBP": 100,
        }
    )
    assert figures.new_customers == 3
    assert figures.cost_per_new_customer == {"EUR": 500.0, "GBP": None, "USD": 600.0}


def test_no_campaign_is_every_bucket_at_zero() -> None:
    report = shop_rules.coupons(periods.window("2026-05-01", "2026-05-03"), None, [])
    assert [b.orders for b in report.series] == [0, 0, 0] and report.campaigns == []


def at(moment: str) -> None:
    frozen = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set_clock(lambda: frozen)


def order(fn: ModuleType, order_id: str, customer: str, amount: int, code: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": order_id, "customer_id": customer, "amount": amount, "currency": "EUR"}
    if code:
        body["coupon_code"] = code
    reply = call(fn, "POST", "/v1/orders", "/v1/orders", body)
    assert reply.status in (200, 201), reply.body
    return dict(reply.body)


def report(fn: ModuleType, **query: str) -> dict[str, Any]:
    reply = call(fn, "GET", "/v1/reports/coupons", "/v1/reports/coupons", query=query)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def test_orders_revenue_and_new_customers_of_a_campaigns_codes(
    campaigns_fn: ModuleType, coupons_fn: ModuleType
) -> None:
    conversions_fn, reports_fn = load_function("conversions"), load_function("reports")
    at("2026-05-04T10:00:00")
    spring = make_campaign(campaigns_fn, {"type": "amount", "amount_off": 500})
    make_code(campaigns_fn, spring, code="SAVE5")
    other = make_campaign(campaigns_fn, {"type": "amount", "amount_off": 200})
    make_code(campaigns_fn, other, code="SAVE2")
    first = order(conversions_fn, "o1", "ann", 5000, "SAVE5")  # ann's first order: a new customer
    order(conversions_fn, "o1", "ann", 5000, "SAVE5")  # a replay counts nothing
    order(conversions_fn, "o0", "bob", 1000)
    repeat = order(conversions_fn, "o2", "bob", 3000, "SAVE5")  # bob ordered before: not new
    assert redeem(coupons_fn, "SAVE5", "r3").status == 201  # no customer: an order, not a new customer
    order(conversions_fn, "o4", "cid", 2000, "SAVE2")
    assert first["coupon"]["redeemed"] and repeat["coupon"]["redeemed"]

    at("2026-05-05T10:00:00")
    refund = call(conversions_fn, "POST", "/v1/orders/o1/refund", "/v1/orders/{order_id}/refund", {"amount": 1000})
    assert refund.status == 200, refund.body
    at("2026-05-06T10:00:00")
    rollback = f"/v1/redemptions/{repeat['coupon']['redemption_id']}/rollback"
    assert call(coupons_fn, "POST", rollback, "/v1/redemptions/{redemption_id}/rollback").status == 200
    # a partly refunded order rolled back: only what is left of its revenue goes
    rollback = f"/v1/redemptions/{first['coupon']['redemption_id']}/rollback"
    assert call(coupons_fn, "POST", rollback, "/v1/redemptions/{redemption_id}/rollback").status == 200

    assert report_store.days(spring, "2026-05-04", "2026-05-06") == {
        "2026-05-04": {
            "redemptions": 3,
            "orders": 3,
            "new_customers": 1,
            "new_customers_EUR": 1,
            "discount_EUR": 1500,
            "revenue_EUR": 11500,
        },
        "2026-05-05": {"revenue_EUR": -1000},
        "2026-05-06": {
            "redemptions": -2,
            "orders": -2,
            "new_customers": -1,
            "new_customers_EUR": -1,
            "discount_EUR": -1000,
            "revenue_EUR": -6000,
        },
    }
    one = report(reports_fn, campaign_id=spring, **{"from": "2026-05-04", "to": "2026-05-05"})
    assert one["campaign_id"] == spring and [c["id"] for c in one["campaigns"]] == [spring]
    assert one["totals"] == {
        "redemptions": 3,
        "discount": {"EUR": 1500},
        "orders": 3,
        "revenue": {"EUR": 10500},
        "new_customers": 1,
        "cost_per_new_customer": {"EUR": 1500.0},
    }
    assert [(b["from"], b["orders"], b["revenue"]) for b in one["series"]] == [
        ("2026-05-04", 3, {"EUR": 11500}),
        ("2026-05-05", 0, {"EUR": -1000}),
    ]
    every = report(reports_fn, granularity="week")
    assert every["campaign_id"] is None and [c["id"] for c in every["campaigns"]] == sorted([spring, other])
    assert every["totals"]["orders"] == 2 and every["totals"]["revenue"] == {"EUR": 4500 + 1800}
    assert every["totals"]["new_customers"] == 1 and every["totals"]["discount"] == {"EUR": 500 + 200}
    assert every["series"][-1]["to"] == "2026-05-06" and every["series"][-1]["orders"] == 2

    assert call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY).status == 201
    referral = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM)
    assert referral.status == 201, referral.body
    query = {"campaign_id": referral.body["id"]}
    refused = call(reports_fn, "GET", "/v1/reports/coupons", "/v1/reports/coupons", query=query)
    assert refused.status == 422 and refused.body["error"]["code"] == "campaign_type_mismatch"
    assert [c["id"] for c in report(reports_fn)["campaigns"]] == sorted([spring, other])  # discount campaigns only
    missing = call(reports_fn, "GET", "/v1/reports/coupons", "/v1/reports/coupons", query={"campaign_id": "cmp_none"})
    assert missing.status == 404


def test_a_window_holding_only_reversals_has_no_cost_per_new_customer_nor_roi() -> None:
    """Review F5: a negative denominator is undefined (null), as in the ROI report, never a flipped sign."""
    reversal = {"redemptions": -1, "new_customers": -1, "new_customers_EUR": -1, "discount_EUR": -500}
    assert shop_rules.coupon_figures(reversal).cost_per_new_customer == {"EUR": None}
    line = shop_rules.variant_line("referral", "default", {"reward_cost_EUR@default": -1000, "revenue_EUR@default": 0})
    assert line.roi == {"EUR": None}


def test_a_refund_landing_during_a_rollback_takes_the_revenue_back_once(
    campaigns_fn: ModuleType, coupons_fn: ModuleType, monkeypatch: Any
) -> None:
    """Review F6: the rollback is conditioned on the refunded amount it read, so it re-reads after the refund."""
    from passaparola.data import coupons as code_store

    conversions_fn = load_function("conversions")
    at("2026-05-04T10:00:00")
    spring = make_campaign(campaigns_fn, {"type": "amount", "amount_off": 500})
    make_code(campaigns_fn, spring, code="SAVE5")
    placed = order(conversions_fn, "o1", "ann", 5000, "SAVE5")
    original = code_store._get_redemption_item
    refunded: list[int] = []

    def read_then_refund(redemption_id: str) -> Any:
        item = original(redemption_id)
        if not refunded:
            refunded.append(1)
            reply = call(
                conversions_fn, "POST", "/v1/orders/o1/refund", "/v1/orders/{order_id}/refund", {"amount": 1000}
            )
            assert reply.status == 200, reply.body
        return item

    monkeypatch.setattr(code_store, "_get_redemption_item", read_then_refund)
    rollback = f"/v1/redemptions/{placed['coupon']['redemption_id']}/rollback"
    assert call(coupons_fn, "POST", rollback, "/v1/redemptions/{redemption_id}/rollback").status == 200
    days = report_store.days(spring, "2026-05-04", "2026-05-04")
    assert days["2026-05-04"]["revenue_EUR"] == 0, days
