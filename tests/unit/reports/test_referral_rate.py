"""Referral rate: monthly distinct marks on the customer record (ordered, link clicked, brought a friend),
moved with the order, the click and the accepted conversion; read back per month and all time."""

from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest

from passaparola import clock
from passaparola.errors import InvalidRequest
from passaparola.reports import shop_rules
from tests.unit.functions import call, load_function
from tests.unit.reports.test_overview import LOYALTY, PROGRAM

NONE = {"active": None, "shared": None, "brought": None}


def test_a_first_order_counts_the_month_and_all_time() -> None:
    assert shop_rules.mark_moves("active", "2026-05", NONE) == ({"active_customers": 1}, {"active_customers": 1})


def test_a_second_order_of_the_month_or_an_older_one_counts_nothing() -> None:
    assert shop_rules.mark_moves("active", "2026-05", NONE | {"active": "2026-05"}) is None
    assert shop_rules.mark_moves("active", "2026-04", NONE | {"active": "2026-05"}) is None


def test_a_new_month_counts_the_month_only() -> None:
    assert shop_rules.mark_moves("active", "2026-06", NONE | {"active": "2026-05"}) == ({"active_customers": 1}, {})


def test_sharing_counts_when_both_marks_reach_the_month_whichever_is_second() -> None:
    # clicked first, ordered later in the month: the order counts the sharing
    marks = NONE | {"shared": "2026-05", "active": "2026-04"}
    assert shop_rules.mark_moves("active", "2026-05", marks) == ({"active_customers": 1, "sharing": 1}, {})
    # ordered first, clicked later: the click counts it
    assert shop_rules.mark_moves("shared", "2026-05", NONE | {"active": "2026-05"}) == ({"sharing": 1}, {"sharing": 1})
    # clicked, but no order this month: not an active customer's share
    assert shop_rules.mark_moves("shared", "2026-05", NONE | {"active": "2026-04"}) == ({}, {"sharing": 1})
    # never ordered: counted nowhere, until the first order
    assert shop_rules.mark_moves("brought", "2026-05", NONE) == ({}, {})
    first = shop_rules.mark_moves("active", "2026-06", NONE | {"brought": "2026-05"})
    assert first == ({"active_customers": 1}, {"active_customers": 1, "bringing": 1})


def test_month_ranges_default_and_are_bounded() -> None:
    today = date(2026, 5, 4)
    assert shop_rules.month_range(None, None, today)[0] == "2025-06"
    assert shop_rules.month_range(None, None, today)[-1] == "2026-05"
    assert shop_rules.month_range("2025-11", "2026-02", today) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(shop_rules.month_range("2023-01", "2026-01", today)) == 37
    for first, last, field in [
        ("2023-01", "2026-02", "query.from"),
        ("2026-03", "2026-02", "query.from"),
        ("2026-13", None, "query.from"),
        ("2026-1", None, "query.from"),
        (None, "2026-05-01", "query.to"),
    ]:
        with pytest.raises(InvalidRequest) as exc:
            shop_rules.month_range(first, last, today)
        assert exc.value.details["fields"][0]["field"] == field


def test_rates_are_null_without_active_customers() -> None:
    figures = shop_rules.referral_rate_figures({"active_customers": 3, "sharing": 1, "bringing": 2})
    assert (figures.share_rate, figures.bring_rate) == (0.3333, 0.6667)
    assert shop_rules.referral_rate_figures({}).share_rate is None


def at(moment: str) -> None:
    frozen = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set_clock(lambda: frozen)


def order(fn: ModuleType, order_id: str, customer: str, **extra: Any) -> dict[str, Any]:
    body = {"id": order_id, "customer_id": customer, "amount": 5000, "currency": "EUR"} | extra
    reply = call(fn, "POST", "/v1/orders", "/v1/orders", body)
    assert reply.status in (200, 201), reply.body
    return dict(reply.body)


def click(fn: ModuleType, code: str) -> None:
    reply = call(fn, "GET", f"/r/{code}", "/r/{code}", key=None)
    assert reply.status == 302


def test_marks_move_with_orders_clicks_and_conversions(campaigns_fn: ModuleType) -> None:
    referrals_fn, conversions_fn, redirects_fn, reports_fn = (
        load_function(n) for n in ("referrals", "conversions", "redirects", "reports")
    )
    at("2026-05-04T10:00:00")
    assert call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY).status == 201
    program = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM)
    assert program.status == 201, program.body
    anna = call(
        referrals_fn,
        "POST",
        "/v1/referrals",
        "/v1/referrals",
        {"customer_id": "anna", "campaign_id": program.body["id"]},
    )
    dave = call(
        referrals_fn,
        "POST",
        "/v1/referrals",
        "/v1/referrals",
        {"customer_id": "dave", "campaign_id": program.body["id"]},
    )
    order(conversions_fn, "o1", "anna")
    order(conversions_fn, "o1", "anna")  # a replay counts nothing
    order(conversions_fn, "o2", "bob")
    click(redirects_fn, anna.body["code"])
    click(redirects_fn, anna.body["code"])  # a second click of the month counts nothing
    click(redirects_fn, dave.body["code"])  # dave never ordered: no share of an active customer
    friend = order(conversions_fn, "o3", "carl", referral_code=anna.body["code"])
    assert friend["referral"]["status"] == "converted", friend
    at("2026-06-02T10:00:00")
    click(redirects_fn, anna.body["code"])  # June: anna has not ordered yet
    order(conversions_fn, "o4", "anna")  # now she has: her June share counts

    reply = call(
        reports_fn,
        "GET",
        "/v1/reports/referral-rate",
        "/v1/reports/referral-rate",
        query={"from": "2026-04", "to": "2026-06"},
    )
    assert reply.status == 200, reply.body
    assert reply.body == {
        "from": "2026-04",
        "to": "2026-06",
        "months": [
            {
                "month": "2026-04",
                "active_customers": 0,
                "sharing": 0,
                "bringing": 0,
                "share_rate": None,
                "bring_rate": None,
            },
            {
                "month": "2026-05",
                "active_customers": 3,
                "sharing": 1,
                "bringing": 1,
                "share_rate": 0.3333,
                "bring_rate": 0.3333,
            },
            {
                "month": "2026-06",
                "active_customers": 1,
                "sharing": 1,
                "bringing": 0,
                "share_rate": 1.0,
                "bring_rate": 0.0,
            },
        ],
        "all_time": {"active_customers": 3, "sharing": 1, "bringing": 1, "share_rate": 0.3333, "bring_rate": 0.3333},
    }
    bad = call(
        reports_fn,
        "GET",
        "/v1/reports/referral-rate",
        "/v1/reports/referral-rate",
        query={"from": "2026-07", "to": "2026-06"},
    )
    assert bad.status == 400 and bad.body["error"]["details"]["fields"][0]["field"] == "query.from"
