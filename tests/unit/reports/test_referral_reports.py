"""A referral program's funnels and ROI: the link's funnel state, the pure reports over daily items, and the
function over items seeded as the writes store them (`DAY#<campaign>`, `DAY#shop`, `STATS#` outstanding)."""

from collections.abc import Iterator
from datetime import date
from types import ModuleType
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.loyalty.models import PointValue
from passaparola.referrals import funnel as link_funnel
from passaparola.reports import periods, referral
from tests.unit.functions import PUBLISHABLE, call, load_function

# ===================================================================================== a link's funnel


def test_a_code_typed_at_checkout_is_counted_in_every_step_before_as_inferred() -> None:
    moved = link_funnel.moved({}, {"conversions": 1})
    assert moved == {
        "clicked": 1,
        "brought": 1,
        "clicks": 1,
        "visits": 1,
        "signups": 1,
        "conversions": 1,
        "inferred_clicks": 1,
        "inferred_visits": 1,
        "inferred_signups": 1,
    }
    # a real click later explains the inferred one: the step does not grow, its inferred part shrinks
    assert link_funnel.moved({"conversions": 1}, {"conversions": 1, "clicks": 1}) == {"inferred_clicks": -1}
    assert link_funnel.moved(None, {}) == {"shared": 1}


raw_counters = st.fixed_dictionaries({name: st.integers(0, 6) for name in link_funnel.RAW})


@given(st.lists(raw_counters, min_size=1, max_size=8))
def test_the_moves_of_any_history_add_up_to_nested_steps(history: list[dict[str, int]]) -> None:
    total: dict[str, int] = {}
    for before, after in zip([None, *history], history, strict=False):
        periods.add(total, link_funnel.moved(before, after))
    final = link_funnel.state(history[-1])
    assert {k: v for k, v in total.items() if v} == {k: v for k, v in final.items() if v}
    steps = [final[s] for s in link_funnel.FRIEND_STEPS]
    assert steps == sorted(steps, reverse=True)
    referrers = [final[s] for s in link_funnel.REFERRER_STEPS]
    assert referrers == sorted(referrers, reverse=True) and referrers[0] == 1


# ======================================================================================== pure reports

WINDOW = periods.window("2026-03-01", "2026-03-14", "week", now=date(2026, 3, 14))
DAYS = {
    "2026-03-02": {
        "shared@a": 4,
        "clicked@a": 3,
        "brought@a": 2,
        "rewarded_referrers@a": 1,
        "clicks@a": 10,
        "visits@a": 6,
        "signups@a": 4,
        "conversions@a": 3,
        "rewarded@a": 1,
        "inferred_clicks@a": 1,
        "inferred_visits@a": 1,
        "inferred_signups@a": 1,
        "conversions": 99,  # the overview's flat counters are not the funnel's
    },
    "2026-03-10": {"shared@b": 2, "clicked@b": 1, "clicks@b": 5, "visits@b": 5, "shared@old": 1},
    "2026-02-28": {"shared@a": 100},  # outside the window
}


def test_the_funnel_per_variant_bucket_and_total_with_rates_of_the_step_before() -> None:
    body = referral.funnel("cmp_x", WINDOW, ["b", "a"], DAYS).model_dump(mode="json", by_alias=True)
    assert [v["variant"] for v in body["variants"]] == ["b", "a", "old"]
    a = body["variants"][1]["totals"]
    assert a["referrers"] == {
        "shared": 4,
        "clicked": 3,
        "brought": 2,
        "rewarded": 1,
        "rates": {"clicked_per_shared": 0.75, "brought_per_clicked": 0.6667, "rewarded_per_brought": 0.5},
    }
    assert a["friends"] == {
        "clicks": 10,
        "visits": 6,
        "signups": 4,
        "conversions": 3,
        "rewarded": 1,
        "inferred": {"clicks": 1, "visits": 1, "signups": 1},
        "rates": {
            "visits_per_click": 0.6,
            "signups_per_visit": 0.6667,
            "conversions_per_signup": 0.75,
            "rewarded_per_conversion": 0.3333,
        },
    }
    assert a["clicks_per_referrer"] == 2.5
    total = body["totals"]
    assert (total["referrers"]["shared"], total["friends"]["clicks"], total["friends"]["visits"]) == (7, 15, 11)
    assert [(b["from"], b["to"], b["referrers"]["shared"]) for b in body["series"]] == [
        ("2026-03-01", "2026-03-01", 0),
        ("2026-03-02", "2026-03-08", 4),
        ("2026-03-09", "2026-03-14", 3),
    ]
    assert body["series"][0]["friends"]["rates"]["visits_per_click"] is None


def test_the_funnel_of_a_program_without_variants_or_data() -> None:
    body = referral.funnel("cmp_x", WINDOW, [], {}).model_dump(mode="json", by_alias=True)
    assert [v["variant"] for v in body["variants"]] == ["default"]
    assert body["totals"]["friends"]["clicks"] == 0 and body["totals"]["clicks_per_referrer"] is None


PROGRAM = {
    "shared": 4,
    "clicks": 8,
    "conversions": 2,
    "customers_EUR": 2,
    "revenue_EUR": 12000,
    "reward_cost_EUR": 1000,
    "coupon_cost_EUR": 500,
    "points": 300,
}
SHOP = {
    "customers_other_EUR": 3,
    "revenue_other_EUR": 9000,
    "customers_referred_EUR": 2,
    "revenue_referred_EUR": 12000,
    "orders_EUR": 10,
    "sales_EUR": 60000,
}
EUROS = PointValue(points=100, amount=100, currency="EUR")


def test_roi_values_points_and_coupons_and_follows_its_formula() -> None:
    outstanding = {"coupons_outstanding": 3, "coupon_expected_EUR": 1000, "coupon_expected_bp_EUR": 1000}
    line = referral.roi_line("EUR", PROGRAM, outstanding, SHOP, EUROS)
    i = line.inputs
    assert (i.points_cost, i.cost) == (300.0, 1800.0)  # 300 points at 1.00 EUR per 100, + 10.00 + 5.00
    assert i.average_order_value == 6000.0
    assert i.expected_coupon_cost == 1000 + 0.1 * 6000  # 10.00 off, and 10% of an average order
    assert (i.clicks_per_referrer, i.conversion_rate, i.k) == (2.0, 0.25, 0.5)
    assert (i.avg_ltv, i.avg_ltv_other, i.avg_ltv_shop_referred) == (6000.0, 3000.0, 6000.0)
    assert line.roi == (6000 * 1.5 * 2 - 1800) / 1800 and line.roi_unavailable is None


def test_points_without_a_value_make_the_roi_unavailable_never_free() -> None:
    line = referral.roi_line("EUR", PROGRAM, {}, SHOP, None)
    assert (line.roi, line.roi_unavailable, line.inputs.points_cost, line.inputs.cost) == (
        None,
        "points_without_value",
        None,
        None,
    )
    # points valued in another currency cost nothing in this one
    usd = referral.roi_line("EUR", PROGRAM, {}, SHOP, PointValue(points=1, amount=1, currency="USD"))
    assert usd.inputs.points_cost == 0.0 and usd.inputs.cost == 1500.0
    # an outstanding percent coupon without any order to average has no expected cost
    none = referral.roi_line("EUR", PROGRAM, {"coupon_expected_bp_EUR": 500}, {}, EUROS)
    assert none.inputs.expected_coupon_cost is None and none.inputs.average_order_value is None


money = st.integers(-5000, 50000)
flat = st.fixed_dictionaries(
    {
        name: st.integers(0, 50)
        for name in ("shared", "clicks", "conversions", "customers_EUR", "points", "customers_other_EUR")
    }
    | dict.fromkeys(("revenue_EUR", "reward_cost_EUR", "coupon_cost_EUR", "revenue_other_EUR"), money)
)


@given(flat, st.sampled_from([None, EUROS]))
def test_roi_never_fails_and_is_null_exactly_where_undefined(program: dict[str, int], value: PointValue | None) -> None:
    for line in referral.roi_lines(program, {}, program, value):
        i = line.inputs
        assert (i.avg_ltv is None) == (i.customers == 0)
        assert (i.k is None) == (i.shared == 0 or i.clicks == 0)
        if i.cost is None or i.cost <= 0 or i.avg_ltv is None or i.k is None:
            assert line.roi is None
        line.model_dump_json()  # always serialisable (no inf, no NaN)


# ======================================================================================== the function

REFERRAL = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
}
LOYALTY = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]}
FUNNEL, ROI = "/v1/reports/funnel", "/v1/reports/roi"


@pytest.fixture
def fns(aws: None) -> dict[str, ModuleType]:
    return {name: load_function(name) for name in ("campaigns", "reports")}


def create(fn: ModuleType, body: dict[str, Any]) -> dict[str, Any]:
    reply = call(fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def report(fn: ModuleType, path: str, **query: str) -> Any:
    return call(fn, "GET", path, path, query=query)


def seed(pk: str, sk: str, numbers: dict[str, int]) -> None:
    """An aggregate item with numbers named on the fly, as the writes' ADDs leave it."""
    from passaparola.data.models.reports import StatsModel

    item = {"pk": {"S": pk}, "sk": {"S": sk}} | {name: {"N": str(n)} for name, n in numbers.items()}
    boto3.client("dynamodb", region_name=StatsModel.Meta.region).put_item(
        TableName=StatsModel.Meta.table_name, Item=item
    )


@pytest.fixture
def dynamodb_calls(aws: None) -> Iterator[list[str]]:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call  # type: ignore[attr-defined]
    calls: list[str] = []

    def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return original(client, operation, params)

    BaseClient._make_api_call = recording  # type: ignore[attr-defined]
    yield calls
    BaseClient._make_api_call = original  # type: ignore[attr-defined]


def test_funnel_and_roi_over_a_period_from_daily_items(fns: dict[str, ModuleType]) -> None:
    loyalty = create(fns["campaigns"], LOYALTY)
    patched = call(
        fns["campaigns"],
        "PATCH",
        f"/v1/campaigns/{loyalty['id']}",
        "/v1/campaigns/{campaign_id}",
        {"point_value": {"points": 100, "amount": 100, "currency": "EUR"}},
    )
    assert patched.status == 200 and patched.body["point_value"]["currency"] == "EUR", patched.body
    points = {"referrer_reward": {"type": "points", "points": 300}, "variants": [{"name": "b"}, {"name": "a"}]}
    cid = create(fns["campaigns"], REFERRAL | points)["id"]
    for day, numbers in DAYS.items():
        seed(f"DAY#{cid}", day, numbers)
    seed(f"DAY#{cid}", "2026-03-03", {"customers_EUR@a": 2, "revenue_EUR@a": 12000, "points@a": 300})
    seed("DAY#shop", "2026-03-03", SHOP)
    seed(f"STATS#{cid}", "VARIANT#a", {"coupons_outstanding": 2, "coupon_expected_EUR": 1000})

    funnel = report(fns["reports"], FUNNEL, campaign_id=cid, **{"from": "2026-03-01", "to": "2026-03-14"})
    assert funnel.status == 200, funnel.body
    expected = referral.funnel(cid, periods.window("2026-03-01", "2026-03-14"), ["b", "a"], DAYS)
    assert funnel.body == expected.model_dump(mode="json", by_alias=True)

    roi = report(fns["reports"], ROI, campaign_id=cid, **{"from": "2026-03-01", "to": "2026-03-14"})
    assert roi.status == 200, roi.body
    body = roi.body
    assert body["point_value"] == {"points": 100, "amount": 100, "currency": "EUR"}
    assert body["coupons_outstanding"] == 2
    assert [v["variant"] for v in body["variants"]] == ["b", "a", "old"]
    (line,) = body["variants"][1]["items"]
    assert (line["currency"], line["inputs"]["points_cost"], line["inputs"]["cost"]) == ("EUR", 300.0, 300.0)
    assert line["inputs"]["expected_coupon_cost"] == 1000.0
    # a: clicks_per_referrer 10 / 4, conversions 3 / 10 clicks: k = 0.75; ROI = (6000 × 1.75 × 2 − 300) / 300
    assert line["roi"] == pytest.approx((6000 * 1.75 * 2 - 300) / 300)
    assert body["items"][0]["inputs"]["other_customers"] == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-03-10", "to": "2026-03-01"}, "query.from"),
        ({"from": "01/03/2026"}, "query.from"),
        ({"granularity": "year"}, "query.granularity"),
    ],
)
def test_a_bad_period_is_400_naming_the_field(fns: dict[str, ModuleType], query: dict[str, str], field: str) -> None:
    cid = create(fns["campaigns"], REFERRAL)["id"]
    reply = report(fns["reports"], FUNNEL, campaign_id=cid, **query)
    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request", reply.body
    assert [f["field"] for f in reply.body["error"]["details"]["fields"]] == [field]


@pytest.mark.parametrize("path", [FUNNEL, ROI])
def test_funnel_and_roi_need_the_secret_key_and_a_referral_program(fns: dict[str, ModuleType], path: str) -> None:
    cid = create(fns["campaigns"], REFERRAL)["id"]
    assert call(fns["reports"], "GET", path, path, key=PUBLISHABLE, query={"campaign_id": cid}).status == 403
    assert report(fns["reports"], path, campaign_id="cmp_nope").status == 404
    discount = create(
        fns["campaigns"], {"name": "10%", "type": "discount", "discount": {"type": "percent", "percent_off": 10}}
    )
    assert report(fns["reports"], path, campaign_id=discount["id"]).status == 422


def test_reads_are_bounded_by_the_days_asked_for(fns: dict[str, ModuleType], dynamodb_calls: list[str]) -> None:
    cid = create(fns["campaigns"], REFERRAL)["id"]
    for day in range(1, 29):
        seed(f"DAY#{cid}", f"2026-02-{day:02d}", {"clicks@default": 1})
    report(fns["reports"], FUNNEL, campaign_id=cid)  # warms the key and the loyalty caches
    report(fns["reports"], ROI, campaign_id=cid)
    for path, expected in ((FUNNEL, ["GetItem", "Query"]), (ROI, ["GetItem", "Query", "Query", "Query"])):
        dynamodb_calls.clear()
        assert report(fns["reports"], path, campaign_id=cid, **{"from": "2026-02-01", "to": "2026-02-28"}).status == 200
        assert sorted(dynamodb_calls) == sorted(expected), path


def test_the_loyalty_programs_point_value_is_checked_and_can_be_removed(fns: dict[str, ModuleType]) -> None:
    loyalty = create(fns["campaigns"], LOYALTY | {"point_value": {"points": 100, "amount": 100, "currency": "EUR"}})
    assert loyalty["point_value"] == {"points": 100, "amount": 100, "currency": "EUR"}
    path, resource = f"/v1/campaigns/{loyalty['id']}", "/v1/campaigns/{campaign_id}"
    for bad in ({"points": 0, "amount": 100, "currency": "EUR"}, {"points": 100, "amount": -1, "currency": "EUR"}):
        reply = call(fns["campaigns"], "PATCH", path, resource, {"point_value": bad})
        assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request", reply.body
    cleared = call(fns["campaigns"], "PATCH", path, resource, {"point_value": None})
    assert cleared.status == 200 and cleared.body["point_value"] is None, cleared.body
