"""Reports: the leaderboard's pure computations, then the function over aggregates seeded as the writes store them
(funnel and ROI: test_referral_reports.py)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest

from passaparola import clock
from passaparola.reports import rules
from passaparola.reports.rules import BoardLine
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
    from passaparola.data.models.reports import BoardModel

    pk = f"BOARD#{campaign_id}#{period}"
    BoardModel(pk, f"REF#{code}", board=pk, score=score, code=code, customer_id=f"cus_{code.lower()}", name=name).save()


def seed_stats(pk: str, sk: str, **attributes: Any) -> None:
    from passaparola.data.models.reports import StatsModel

    StatsModel(pk, sk, **attributes).save()


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


# ------------------------------------------------------------------------------------------------ cost


def test_each_report_is_a_handful_of_reads_of_aggregates(
    reports_fn: ModuleType, campaigns_fn: ModuleType, dynamodb_calls: list[tuple[str, dict[str, Any]]]
) -> None:
    from passaparola.data.models.referrals import ConversionModel

    cid = create(campaigns_fn, variants=[{"name": "a"}, {"name": "b"}])["id"]
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
    expected = {LEADERBOARD: ["GetItem", "Query"]}  # funnel and ROI: tests/unit/reports/test_referral_reports.py
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
