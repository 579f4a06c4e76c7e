"""Word of mouth: NPS answers counted per shop day in the answer's own transaction, read back per period."""

from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

from passaparola import clock
from passaparola.customers.rules import nps_group
from passaparola.data import reports as report_store
from passaparola.reports import periods, shop_rules
from tests.unit.functions import call, load_function


def test_scores_fall_in_their_group() -> None:
    groups = [nps_group(score) for score in range(11)]
    assert groups == ["nps_detractors"] * 7 + ["nps_passives"] * 2 + ["nps_promoters"] * 2


def test_figures_follow_the_formulas() -> None:
    figures = shop_rules.word_of_mouth_figures({"nps_promoters": 3, "nps_passives": 3, "nps_detractors": 1}, 5, 10)
    assert figures.model_dump() == {
        "answers": 7,
        "promoters": 3,
        "passives": 3,
        "detractors": 1,
        "nps": 28.5714,
        "positive": 15,
        "negative": 10,
        "balance": 5,
    }
    empty = shop_rules.word_of_mouth_figures({}, 8, 16)
    assert (empty.answers, empty.nps, empty.balance) == (0, None, 0)
    assert shop_rules.word_of_mouth_figures({"nps_detractors": 2}, 5, 16).nps == -100.0


def test_the_report_has_every_bucket_and_totals() -> None:
    win = periods.window("2026-03-01", "2026-03-10", "week")
    report = shop_rules.word_of_mouth(
        win, {"2026-03-01": {"nps_promoters": 1}, "2026-03-09": {"nps_detractors": 1, "nps_passives": 2}}, 5, 10
    )
    dumped = report.model_dump()
    assert (dumped["from"], dumped["to"], dumped["granularity"]) == (date(2026, 3, 1), date(2026, 3, 10), "week")
    assert [(b["from"], b["to"], b["answers"], b["balance"]) for b in dumped["series"]] == [
        (date(2026, 3, 1), date(2026, 3, 1), 1, 5),
        (date(2026, 3, 2), date(2026, 3, 8), 0, 0),
        (date(2026, 3, 9), date(2026, 3, 10), 3, -10),
    ]
    assert dumped["totals"]["nps"] == 0.0 and dumped["totals"]["balance"] == -5


def at(moment: str) -> None:
    frozen = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set_clock(lambda: frozen)


def answer(fn: ModuleType, event_id: str, customer: str, score: int, occurred_at: str | None = None) -> None:
    body: dict[str, Any] = {"id": event_id, "customer_id": customer, "type": "nps_answer", "score": score}
    if occurred_at:
        body["occurred_at"] = occurred_at
    reply = call(fn, "POST", "/v1/events", "/v1/events", body)
    assert reply.status in (200, 201), reply.body


def test_answers_count_once_on_their_shop_day_and_are_reported(aws: None) -> None:
    customers_fn, reports_fn = load_function("customers"), load_function("reports")
    at("2026-05-04T10:00:00")
    answer(customers_fn, "nps_1", "ada", 10)
    answer(customers_fn, "nps_1", "ada", 10)  # a replay counts nothing
    answer(customers_fn, "nps_2", "bea", 7)
    answer(customers_fn, "nps_3", "cid", 3)
    answer(customers_fn, "nps_4", "dan", 9, "2026-05-02T22:30:00Z")  # 3 May in Rome (the tests' SHOP_TIMEZONE)
    review = {"id": "rev_1", "customer_id": "ada", "type": "review", "rating": 5}
    assert call(customers_fn, "POST", "/v1/events", "/v1/events", review).status == 201  # not an answer
    assert report_store.days("shop", "2026-05-01", "2026-05-31") == {
        "2026-05-03": {"nps_promoters": 1},
        "2026-05-04": {"nps_promoters": 1, "nps_passives": 1, "nps_detractors": 1},
    }
    query = {"from": "2026-05-03", "to": "2026-05-04", "a": "6", "b": "12"}
    reply = call(reports_fn, "GET", "/v1/reports/word-of-mouth", "/v1/reports/word-of-mouth", query=query)
    assert reply.status == 200, reply.body
    assert reply.body["totals"] == {
        "answers": 4,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
        "nps": 25.0,
        "positive": 12,
        "negative": 12,
        "balance": 0,
    }
    assert [(b["from"], b["answers"]) for b in reply.body["series"]] == [("2026-05-03", 1), ("2026-05-04", 3)]
    defaults = call(reports_fn, "GET", "/v1/reports/word-of-mouth", "/v1/reports/word-of-mouth")
    assert (defaults.body["from"], defaults.body["to"], defaults.body["a"], defaults.body["b"]) == (
        "2026-04-05",
        "2026-05-04",
        5,
        10,
    )
    assert len(defaults.body["series"]) == 30 and defaults.body["totals"]["answers"] == 4


def test_bad_periods_and_weights_are_400_naming_the_field(aws: None) -> None:
    reports_fn = load_function("reports")
    at("2026-05-04T10:00:00")
    for query, field in [
        ({"from": "2026-05-05"}, "query.from"),
        ({"to": "2026-02-30"}, "query.to"),
        ({"granularity": "year"}, "query.granularity"),
        ({"a": "21"}, "query.a"),
        ({"b": "0"}, "query.b"),
    ]:
        reply = call(reports_fn, "GET", "/v1/reports/word-of-mouth", "/v1/reports/word-of-mouth", query=query)
        assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request", (query, reply.body)
        assert [f["field"] for f in reply.body["error"]["details"]["fields"]] == [field], reply.body
