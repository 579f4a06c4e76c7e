"""Reports: the pure computations exhaustively, then the function over aggregates seeded as the writes store them."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola import clock
from passaparola.referrals.models import Funnel, Roi
from passaparola.reports import rules
from passaparola.reports.rules import BoardLine, CampaignStats, ShopLtv, Traffic, VariantStats
from tests.unit.functions import call, load_function

NOW = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)

# ================================================================================ pure computations


@pytest.mark.parametrize(
    ("period", "key"),
    [
        ("all", "all"),
        ("year", "2026"),
        ("month", "2026-03"),
        ("2025", "2025"),
        ("2025-12", "2025-12"),
        ("2025-01", "2025-01"),
    ],
)
def test_period_names_a_board(period: str, key: str) -> None:
    assert rules.period_key(period, NOW) == key


def test_current_year_and_month_are_utc_whatever_the_clock_zone() -> None:
    new_year_in_rome = datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))  # 2025-12-31 23:30 UTC
    assert rules.period_key("year", new_year_in_rome) == "2025"
    assert rules.period_key("month", new_year_in_rome) == "2025-12"


@pytest.mark.parametrize(
    "period",
    ["", "ALL", "week", "26", "20265", "2026-1", "2026-13", "2026-00", "2026/03", "2026-03\n", " all", "x2026"],
)
def test_a_bad_period_is_refused(period: str) -> None:
    with pytest.raises(ValueError, match="period must be one of"):
        rules.period_key(period, NOW)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(1, 3, 0.3333), (2, 3, 0.6667), (5, 5, 1.0), (0, 5, 0.0), (7, 2, 3.5), (1, 0, None), (0, 0, None), (3, -1, None)],
)
def test_ratio_is_rounded_and_undefined_without_a_positive_denominator(
    numerator: int, denominator: int, expected: float | None
) -> None:
    assert rules.ratio(numerator, denominator) == expected


def test_leaderboard_ranks_in_order_and_omits_zero_scores() -> None:
    lines = [BoardLine("ANNA-X", "c1", "Anna", 5), BoardLine("BOB-Y", "c2", None, 3), BoardLine("CY-Z", "c3", None, 0)]
    entries = rules.leaderboard_entries(lines)
    assert [(e.rank, e.code, e.conversions, e.name) for e in entries] == [
        (1, "ANNA-X", 5, "Anna"),
        (2, "BOB-Y", 3, None),
    ]
    assert rules.leaderboard_entries([]) == []


@pytest.mark.parametrize(
    ("configured", "found", "expected"),
    [
        ([], [], ["default"]),
        ([], ["default"], ["default"]),
        (["b", "a"], [], ["b", "a"]),
        (["b", "a"], ["a", "default", "old"], ["b", "a", "default", "old"]),
        (["a", "a"], ["a"], ["a"]),
    ],
)
def test_funnel_rows_are_the_configured_variants_then_any_other_found(
    configured: list[str], found: list[str], expected: list[str]
) -> None:
    assert rules.funnel_variants(configured, found) == expected


def test_aggregates_created_ahead_of_use_are_no_extra_row() -> None:
    """The writes create `VARIANT#default` (and every variant's item) with the program, all zero."""
    empty = CampaignStats(variants={"default": VariantStats(revenue={}, reward_cost={"EUR": 0}), "a": VariantStats()})
    rows, _ = rules.funnel(["a", "b"], empty)
    assert [r.variant for r in rows] == ["a", "b"]
    legacy = CampaignStats(variants={"default": VariantStats(referrers=1)}, traffic={"old": Traffic(clicks=1)})
    rows, _ = rules.funnel(["a", "b"], legacy)
    assert [r.variant for r in rows] == ["a", "b", "default", "old"]
    assert rules.counted(VariantStats(ltv_revenue={"EUR": 5})) and not rules.counted(Traffic())


def test_funnel_without_any_data_has_zero_rows_and_no_rates() -> None:
    rows, total = rules.funnel(["a", "b"], CampaignStats())
    assert [r.variant for r in rows] == ["a", "b"]
    for stage in [*rows, total]:
        assert (stage.referrers, stage.clicks, stage.visits, stage.signups) == (0, 0, 0, 0)
        assert (stage.first_orders, stage.rewards_released) == (0, 0)
        assert set(stage.rates) == {
            "visit_per_click",
            "signup_per_visit",
            "order_per_click",
            "order_per_visit",
            "reward_per_order",
        }
        assert all(v is None for v in stage.rates.values())
    assert total.variant == "total"


def test_funnel_rates_between_stages() -> None:
    rates = rules.funnel_rates(clicks=30, visits=20, signups=8, first_orders=3, rewards_released=2)
    assert rates == {
        "visit_per_click": 0.6667,
        "signup_per_visit": 0.4,
        "order_per_click": 0.1,
        "order_per_visit": 0.15,
        "reward_per_order": 0.6667,
    }
    # conversions by an explicit code need no click: rates with a zero denominator are None, the others stand
    rates = rules.funnel_rates(clicks=0, visits=0, signups=0, first_orders=2, rewards_released=1)
    assert rates == {
        "visit_per_click": None,
        "signup_per_visit": None,
        "order_per_click": None,
        "order_per_visit": None,
        "reward_per_order": 0.5,
    }


def test_variants_add_up_counters_and_money_per_currency() -> None:
    a = VariantStats(referrers=1, conversions=2, points_awarded=10, revenue={"EUR": 100}, reward_cost={"EUR": 5})
    b = VariantStats(referrers=3, conversions=1, revenue={"EUR": 50, "USD": 7}, ltv_revenue={"USD": 9})
    total = rules.total_variants([a, b])
    assert (total.referrers, total.conversions, total.points_awarded) == (4, 3, 10)
    assert total.revenue == {"EUR": 150, "USD": 7}
    assert total.ltv_revenue == {"USD": 9} and total.reward_cost == {"EUR": 5}
    assert rules.total_variants([]) == VariantStats()
    assert rules.total_traffic([Traffic(1, 2, 3), Traffic(10, 20, 30)]) == Traffic(11, 22, 33)


@pytest.mark.parametrize(
    ("ltv", "k", "reward", "expected"),
    [
        (9000.0, 0.4, 750.0, 15.8),  # ((9000 × 1.4) − 750) / 750
        (1000.0, 0.0, 1000.0, 0.0),
        (500.0, 0.0, 1000.0, -0.5),
        (None, 0.4, 750.0, None),
        (9000.0, None, 750.0, None),
        (9000.0, 0.4, None, None),
        (9000.0, 0.4, 0.0, None),  # no money reward (points only): ROI undefined, not infinite
    ],
)
def test_roi_formula(ltv: float | None, k: float | None, reward: float | None, expected: float | None) -> None:
    assert rules.roi(ltv, k, reward) == pytest.approx(expected)


AB = CampaignStats(
    variants={
        "a": VariantStats(
            referrers=4,
            conversions=3,
            rewards_released=2,
            points_awarded=300,
            revenue={"EUR": 15000},
            ltv_revenue={"EUR": 30000},
            customers={"EUR": 3},
            reward_cost={"EUR": 2000},
        ),
        "b": VariantStats(
            referrers=6,
            conversions=1,
            rewards_released=1,
            points_awarded=100,
            revenue={"EUR": 5000, "USD": 7000},
            ltv_revenue={"EUR": 6000, "USD": 7000},
            customers={"EUR": 1, "USD": 4},
            reward_cost={"EUR": 1000},
        ),
    },
    traffic={"a": Traffic(clicks=30, visits=20, signups=8), "b": Traffic(clicks=10, visits=5, signups=2)},
)
REFERRED = ShopLtv(customers={"EUR": 10}, revenue={"EUR": 80000})
OTHER = ShopLtv(customers={"EUR": 100, "USD": 4}, revenue={"EUR": 500000, "USD": 10000})


def test_roi_per_currency_shows_every_input() -> None:
    eur, usd = rules.roi_lines(AB, REFERRED, OTHER)
    assert eur.currency == "EUR" and eur.roi == 15.8
    assert eur.inputs.model_dump() == {
        "currency": "EUR",
        "reward_cost": 3000,
        "points_awarded": 400,
        "attributed_revenue": 20000,
        "referred_customers": 4,
        "avg_ltv_referred": 9000.0,
        "other_customers": 100,
        "avg_ltv_other": 5000.0,
        "shop_referred_customers": 10,
        "avg_ltv_shop_referred": 8000.0,
        "referrers": 10,
        "invitations": 40,
        "conversions": 4,
        "invitations_per_referrer": 4.0,
        "conversion_rate": 0.1,
        "k": 0.4,
        "reward_per_conversion": 750.0,
    }
    # no money reward in USD: the cost per conversion is 0, so the ROI is undefined
    assert usd.currency == "USD" and usd.roi is None
    assert usd.inputs.reward_cost == 0 and usd.inputs.reward_per_conversion == 0.0
    assert usd.inputs.avg_ltv_referred == 1750.0 and usd.inputs.avg_ltv_other == 2500.0
    assert usd.inputs.shop_referred_customers == 0 and usd.inputs.avg_ltv_shop_referred is None


def test_roi_and_its_inputs_are_exact_so_the_roi_follows_from_what_is_shown() -> None:
    data = CampaignStats(
        variants={
            "default": VariantStats(
                referrers=3, conversions=4, ltv_revenue={"EUR": 20000}, customers={"EUR": 4}, reward_cost={"EUR": 2000}
            )
        },
        traffic={"default": Traffic(clicks=3)},
    )
    (line,) = rules.roi_lines(data, ShopLtv(), ShopLtv())
    i = line.inputs
    assert (i.avg_ltv_referred, i.invitations_per_referrer, i.reward_per_conversion) == (5000.0, 1.0, 500.0)
    assert i.conversion_rate == 4 / 3 and i.k == 1.0 * (4 / 3)
    ltv, k, reward = i.avg_ltv_referred, i.k, i.reward_per_conversion
    assert ltv is not None and k is not None and reward is not None
    assert line.roi == (ltv * (1 + k) - reward) / reward
    assert line.roi != 22.333  # what rounding k to 4 decimals first would have given


def test_roi_without_data_has_no_line_and_without_clicks_no_k() -> None:
    assert rules.roi_lines(CampaignStats(), ShopLtv(), ShopLtv()) == []
    data = CampaignStats(variants={"default": VariantStats(referrers=2, conversions=2, reward_cost={"EUR": 500})})
    (line,) = rules.roi_lines(data, ShopLtv(), ShopLtv())
    assert line.inputs.invitations == 0 and line.inputs.conversion_rate is None and line.inputs.k is None
    assert line.inputs.invitations_per_referrer == 0.0
    assert line.inputs.avg_ltv_referred is None and line.inputs.reward_per_conversion == 250.0
    assert line.roi is None
    # the shop's currencies alone give no line: the program has no money in them
    shop_only = ShopLtv(customers={"CHF": 2}, revenue={"CHF": 300})
    assert rules.roi_lines(CampaignStats(), shop_only, shop_only) == []
    (line,) = rules.roi_lines(data, shop_only, ShopLtv(customers={"EUR": 2}, revenue={"EUR": 300}))
    assert line.currency == "EUR" and line.inputs.avg_ltv_other == 150.0 and line.inputs.shop_referred_customers == 0


counts = st.integers(0, 10**9)
money = st.dictionaries(st.sampled_from(["EUR", "USD", "JPY"]), st.integers(-(10**6), 10**12), max_size=3)
variant_stats = st.builds(
    VariantStats,
    referrers=counts,
    conversions=counts,
    rewards_released=counts,
    points_awarded=counts,
    revenue=money,
    ltv_revenue=money,
    customers=money,
    reward_cost=money,
)
traffic = st.builds(Traffic, clicks=counts, visits=counts, signups=counts)
names = st.sampled_from(["default", "a", "b", "c"])
campaign_stats = st.builds(
    CampaignStats,
    variants=st.dictionaries(names, variant_stats, max_size=4),
    traffic=st.dictionaries(names, traffic, max_size=4),
)
shop = st.builds(ShopLtv, customers=st.dictionaries(st.sampled_from(["EUR", "GBP"]), counts), revenue=money)


@given(campaign_stats, st.lists(names, max_size=3), shop, shop)
def test_reports_never_fail_and_are_none_exactly_where_a_denominator_is_zero(
    data: CampaignStats, configured: list[str], referred: ShopLtv, other: ShopLtv
) -> None:
    rows, total = rules.funnel(configured, data)
    with_data = {n for n, v in data.variants.items() if rules.counted(v)} | {
        n for n, t in data.traffic.items() if rules.counted(t)
    }
    assert {r.variant for r in rows} == (set(configured) or {"default"}) | with_data
    for stage in [*rows, total]:
        assert (stage.rates["visit_per_click"] is None) == (stage.clicks == 0)
        assert (stage.rates["signup_per_visit"] is None) == (stage.visits == 0)
        assert (stage.rates["reward_per_order"] is None) == (stage.first_orders == 0)
    assert total.clicks == sum(r.clicks for r in rows) and total.first_orders == sum(r.first_orders for r in rows)
    for line in rules.roi_lines(data, referred, other):
        i = line.inputs
        assert (i.reward_per_conversion is None) == (i.conversions == 0)
        assert (i.conversion_rate is None) == (i.invitations == 0)
        assert (i.k is None) == (i.invitations == 0 or i.referrers == 0)
        if i.reward_per_conversion is None or i.k is None or i.reward_cost <= 0:
            assert line.roi is None
        Roi(campaign_id="x", items=[line]).model_dump_json()  # always serialisable (no inf, no NaN)
    Funnel(campaign_id="x", variants=rows, total=total).model_dump_json()


# ====================================================================================== the function

REFERRAL = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
}
LEADERBOARD, FUNNEL, ROI = "/v1/reports/leaderboard", "/v1/reports/funnel", "/v1/reports/roi"


@pytest.fixture
def reports_fn(aws: None) -> ModuleType:
    return load_function("reports")


def create(campaigns_fn: ModuleType, **fields: Any) -> dict[str, Any]:
    reply = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", REFERRAL | fields)
    assert reply.status == 201, reply.body
    return reply.body  # type: ignore[no-any-return]


def report(reports_fn: ModuleType, path: str, **query: Any) -> Any:
    return call(reports_fn, "GET", path, path, query={k: str(v) for k, v in query.items()})


def seed_board(campaign_id: str, period: str, code: str, score: int, name: str | None = None) -> None:
    """A board item as the conversion transaction keeps it (`pk` = `board` = BOARD#<campaign>#<period>)."""
    from passaparola.data.models import BoardModel

    pk = f"BOARD#{campaign_id}#{period}"
    BoardModel(pk, f"REF#{code}", board=pk, score=score, code=code, customer_id=f"cus_{code.lower()}", name=name).save()


def seed_stats(pk: str, sk: str, **attributes: Any) -> None:
    from passaparola.data.models import StatsModel

    StatsModel(pk, sk, **attributes).save()


def seed_ab(campaign_id: str) -> None:
    """The AB fixture above, as items: VARIANT and TRAFFIC per variant, and the shop's LTV."""
    for name, stats in AB.variants.items():
        seed_stats(
            f"STATS#{campaign_id}",
            f"VARIANT#{name}",
            referrers=stats.referrers,
            conversions=stats.conversions,
            rewards_released=stats.rewards_released,
            points_awarded=stats.points_awarded,
            revenue=dict(stats.revenue),
            ltv_revenue=dict(stats.ltv_revenue),
            customers=dict(stats.customers),
            reward_cost=dict(stats.reward_cost),
        )
    for name, t in AB.traffic.items():
        seed_stats(f"STATS#{campaign_id}", f"TRAFFIC#{name}", clicks=t.clicks, visits=t.visits, signups=t.signups)
    seed_stats("STATS#shop", "LTV#referred", customers=dict(REFERRED.customers), revenue=dict(REFERRED.revenue))
    seed_stats("STATS#shop", "LTV#other", customers=dict(OTHER.customers), revenue=dict(OTHER.revenue))


@pytest.fixture
def dynamodb_calls(aws: None) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every DynamoDB call made while the test runs: (operation, parameters)."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call  # type: ignore[attr-defined]
    calls: list[tuple[str, dict[str, Any]]] = []

    def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls.append((operation, params))
        return original(client, operation, params)

    BaseClient._make_api_call = recording  # type: ignore[attr-defined]
    yield calls
    BaseClient._make_api_call = original  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------------- leaderboard


def test_leaderboard_ranks_referrers_of_the_period(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    clock.set_clock(lambda: NOW)
    cid = create(campaigns_fn)["id"]
    for code, score in [("ANNA-AAAAAA", 7), ("BOB-BBBBBB", 12), ("CY-CCCCCC", 3), ("DEE-DDDDDD", 0)]:
        seed_board(cid, "all", code, score, name=code.split("-")[0].title())
    seed_board(cid, "2026", "CY-CCCCCC", 3)
    seed_board(cid, "2026", "ANNA-AAAAAA", 1)
    seed_board(cid, "2026-03", "ANNA-AAAAAA", 1)
    seed_board(cid, "2025-11", "BOB-BBBBBB", 9)
    seed_board("cmp_other", "all", "ZED-ZZZZZZ", 99)

    reply = report(reports_fn, LEADERBOARD, campaign_id=cid)
    assert reply.status == 200, reply.body
    assert reply.body["campaign_id"] == cid and reply.body["period"] == "all"
    assert reply.body["items"] == [
        {"rank": 1, "code": "BOB-BBBBBB", "customer_id": "cus_bob-bbbbbb", "name": "Bob", "conversions": 12},
        {"rank": 2, "code": "ANNA-AAAAAA", "customer_id": "cus_anna-aaaaaa", "name": "Anna", "conversions": 7},
        {"rank": 3, "code": "CY-CCCCCC", "customer_id": "cus_cy-cccccc", "name": "Cy", "conversions": 3},
    ]
    codes = lambda **q: [e["code"] for e in report(reports_fn, LEADERBOARD, campaign_id=cid, **q).body["items"]]  # noqa: E731
    assert codes(limit=2) == ["BOB-BBBBBB", "ANNA-AAAAAA"]
    assert codes(limit=1) == ["BOB-BBBBBB"]
    assert codes(period="year") == ["CY-CCCCCC", "ANNA-AAAAAA"]
    assert codes(period="month") == ["ANNA-AAAAAA"]
    assert codes(period="2025-11") == ["BOB-BBBBBB"]
    assert codes(period="2025") == []
    assert report(reports_fn, LEADERBOARD, campaign_id=cid, period="month").body["period"] == "2026-03"
    assert report(reports_fn, LEADERBOARD, campaign_id=cid, period="year").body["period"] == "2026"


def test_leaderboard_of_a_new_program_is_empty(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    cid = create(campaigns_fn)["id"]
    reply = report(reports_fn, LEADERBOARD, campaign_id=cid, period="month")
    assert reply.status == 200 and reply.body["items"] == []


def test_a_bad_period_is_400_with_the_field(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    cid = create(campaigns_fn)["id"]
    reply = report(reports_fn, LEADERBOARD, campaign_id=cid, period="2026-13")
    assert reply.status == 400
    error = reply.body["error"]
    assert error["code"] == "invalid_request"
    assert error["details"]["fields"][0]["field"] == "query.period"
    assert "YYYY-MM" in error["details"]["fields"][0]["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"limit": "0"}, "query.limit"), ({"limit": "101"}, "query.limit"), ({"limit": "ten"}, "query.limit")],
)
def test_a_bad_limit_is_400(
    reports_fn: ModuleType, campaigns_fn: ModuleType, query: dict[str, str], field: str
) -> None:
    cid = create(campaigns_fn)["id"]
    reply = report(reports_fn, LEADERBOARD, campaign_id=cid, **query)
    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request"
    assert [f["field"] for f in reply.body["error"]["details"]["fields"]] == [field]


@pytest.mark.parametrize("path", [LEADERBOARD, FUNNEL, ROI])
def test_every_report_needs_a_known_referral_campaign(
    reports_fn: ModuleType, campaigns_fn: ModuleType, path: str
) -> None:
    missing = report(reports_fn, path)
    assert missing.status == 400 and missing.body["error"]["details"]["fields"][0]["field"] == "query.campaign_id"
    unknown = report(reports_fn, path, campaign_id="cmp_nope")
    assert unknown.status == 404 and unknown.body["error"]["code"] == "not_found"
    discount = call(
        campaigns_fn,
        "POST",
        "/v1/campaigns",
        "/v1/campaigns",
        {"name": "10%", "type": "discount", "discount": {"type": "percent", "percent_off": 10}},
    ).body
    mismatch = report(reports_fn, path, campaign_id=discount["id"])
    assert mismatch.status == 422 and mismatch.body["error"]["code"] == "campaign_type_mismatch"
    bad_id = report(reports_fn, path, campaign_id="../etc")
    assert bad_id.status == 400


@pytest.mark.parametrize("path", [LEADERBOARD, FUNNEL, ROI])
def test_reports_need_the_secret_key(reports_fn: ModuleType, campaigns_fn: ModuleType, path: str) -> None:
    from tests.unit.functions import PUBLISHABLE

    cid = create(campaigns_fn)["id"]
    assert call(reports_fn, "GET", path, path, key=None, query={"campaign_id": cid}).status == 401
    assert call(reports_fn, "GET", path, path, key=PUBLISHABLE, query={"campaign_id": cid}).status == 403


# ---------------------------------------------------------------------------------------------- funnel


def test_funnel_per_variant_and_total(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    cid = create(campaigns_fn, variants=[{"name": "b"}, {"name": "a", "weight": 2}, {"name": "c"}])["id"]
    seed_ab(cid)
    # links made before the program had variants count as `default`: shown, and in the total
    seed_stats(f"STATS#{cid}", "VARIANT#default", referrers=1, conversions=1)
    seed_stats(f"STATS#{cid}", "TRAFFIC#default", clicks=2, visits=1)
    seed_stats("STATS#cmp_other", "VARIANT#a", referrers=1000, conversions=1000)

    reply = report(reports_fn, FUNNEL, campaign_id=cid)
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["campaign_id"] == cid
    rows = {r["variant"]: r for r in body["variants"]}
    assert [r["variant"] for r in body["variants"]] == ["b", "a", "c", "default"]
    assert rows["a"] == {
        "variant": "a",
        "referrers": 4,
        "clicks": 30,
        "visits": 20,
        "signups": 8,
        "first_orders": 3,
        "rewards_released": 2,
        "rates": {
            "visit_per_click": 0.6667,
            "signup_per_visit": 0.4,
            "order_per_click": 0.1,
            "order_per_visit": 0.15,
            "reward_per_order": 0.6667,
        },
    }
    assert rows["c"]["clicks"] == 0 and rows["c"]["rates"]["visit_per_click"] is None
    total = body["total"]
    assert total["variant"] == "total"
    assert (total["referrers"], total["clicks"], total["visits"], total["signups"]) == (11, 42, 26, 10)
    assert (total["first_orders"], total["rewards_released"]) == (5, 3)
    assert total["rates"]["order_per_click"] == round(5 / 42, 4)


def test_funnel_of_a_new_program_without_variants(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    cid = create(campaigns_fn)["id"]
    body = report(reports_fn, FUNNEL, campaign_id=cid).body
    assert [r["variant"] for r in body["variants"]] == ["default"]
    assert body["variants"][0]["first_orders"] == 0 and body["total"]["clicks"] == 0
    assert all(v is None for v in body["total"]["rates"].values())


# ------------------------------------------------------------------------------------------------- ROI


def test_roi_per_currency(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    cid = create(campaigns_fn, variants=[{"name": "a"}, {"name": "b"}])["id"]
    seed_ab(cid)
    reply = report(reports_fn, ROI, campaign_id=cid)
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["campaign_id"] == cid and body["formula"].startswith("ROI = ")
    assert [(line["currency"], line["roi"]) for line in body["items"]] == [("EUR", 15.8), ("USD", None)]
    assert body["items"][0]["inputs"] == rules.roi_lines(AB, REFERRED, OTHER)[0].inputs.model_dump()


def test_roi_of_a_new_program_in_a_new_shop_has_no_line(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    cid = create(campaigns_fn)["id"]
    reply = report(reports_fn, ROI, campaign_id=cid)
    assert reply.status == 200 and reply.body["items"] == []


def test_aggregates_written_without_their_maps_read_as_zero(reports_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    """The writes create maps lazily: an item with counters only (or none at all) is no error."""
    cid = create(campaigns_fn)["id"]
    seed_stats(f"STATS#{cid}", "VARIANT#default", conversions=2, referrers=1)
    seed_stats(f"STATS#{cid}", "VARIANT#legacy", reward_cost={"EUR": 500})
    seed_stats(f"STATS#{cid}", "TRAFFIC#default")
    seed_stats("STATS#shop", "LTV#other", customers={"EUR": 3})
    funnel = report(reports_fn, FUNNEL, campaign_id=cid)
    assert funnel.status == 200 and funnel.body["total"]["first_orders"] == 2
    assert [r["variant"] for r in funnel.body["variants"]] == ["default", "legacy"]
    roi = report(reports_fn, ROI, campaign_id=cid)
    assert roi.status == 200
    (line,) = roi.body["items"]
    assert line["currency"] == "EUR" and line["roi"] is None
    inputs = line["inputs"]
    assert inputs["avg_ltv_other"] == 0.0 and inputs["avg_ltv_referred"] is None  # no referred customers counted
    assert inputs["reward_per_conversion"] == 250.0 and inputs["k"] is None


# ------------------------------------------------------------------------------------------------ cost


def test_each_report_is_a_handful_of_reads_of_aggregates(
    reports_fn: ModuleType, campaigns_fn: ModuleType, dynamodb_calls: list[tuple[str, dict[str, Any]]]
) -> None:
    from passaparola.data.models import ConversionModel

    cid = create(campaigns_fn, variants=[{"name": "a"}, {"name": "b"}])["id"]
    seed_ab(cid)
    seed_board(cid, "all", "ANNA-AAAAAA", 2)
    for i in range(3):
        ConversionModel(
            f"CONV#cnv_{i}",
            id=f"cnv_{i}",
            campaign_id=cid,
            code="ANNA-AAAAAA",
            referrer_customer_id="c1",
            customer_id=f"f{i}",
            order_id=f"o{i}",
            event="first_order",
            amount=5000,
            currency="EUR",
            conv_status="converted",
            source="explicit",
            created_at="2026-03-01T00:00:00.000Z",
        ).save()
    report(reports_fn, LEADERBOARD, campaign_id=cid)  # warms the API key cache
    expected = {
        LEADERBOARD: ["GetItem", "Query"],
        FUNNEL: ["GetItem", "Query"],
        ROI: ["GetItem", "Query", "Query"],
    }
    for path, operations in expected.items():
        dynamodb_calls.clear()
        assert report(reports_fn, path, campaign_id=cid).status == 200
        assert [op for op, _ in dynamodb_calls] == operations, path
        for op, params in dynamodb_calls:
            if op == "Query":
                strings = [v["S"] for v in params["ExpressionAttributeValues"].values() if "S" in v]
                assert len([s for s in strings if s.startswith(("STATS#", "BOARD#"))]) == 1, strings
                assert not [s for s in strings if s.startswith(("CONV", "REF#"))], strings
                assert params.get("IndexName") in (None, "board")
