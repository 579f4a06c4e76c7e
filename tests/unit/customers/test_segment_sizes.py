"""Segment sizes over time (GET /v1/segments/sizes): each membership change moves its shop-local day's entries and
exits in the same transaction; sizes are rebuilt backwards from today's member count."""

from datetime import UTC, date, datetime

from passaparola import clock
from passaparola.customers import service as customers
from passaparola.customers.models import CustomerPut
from passaparola.segments import rules
from tests.unit.functions import call, load_function


def at(moment: str) -> None:
    frozen = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set_clock(lambda: frozen)


def test_sizes_walk_back_from_the_current_count_through_each_days_moves() -> None:
    days = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    moves = {"2026-03-02": {"in_vip": 1, "out_vip": 1}, "2026-03-03": {"in_vip": 2, "in_other": 7}}
    series = rules.sizes("vip", 5, days, moves)
    assert [(d.members, d.entered, d.exited) for d in series] == [(3, 0, 0), (3, 1, 1), (5, 2, 0)]


def test_new_customers_grow_day_by_day_in_the_shops_calendar(aws: None) -> None:
    segments = load_function("segments")
    at("2026-03-01T10:00:00")
    customers.put("cus_1", CustomerPut(email="a@example.com"))
    at("2026-03-02T22:30:00")  # 23:30 in Rome: still the 2nd
    customers.put("cus_2", CustomerPut(email="b@example.com"))
    at("2026-03-02T23:30:00")  # 00:30 in Rome: the 3rd
    customers.put("cus_3", CustomerPut(email="c@example.com"))

    reply = call(segments, "GET", "/v1/segments/sizes", "/v1/segments/sizes", query={"days": "7"})
    assert reply.status == 200, reply.body
    assert reply.body["from"] == "2026-02-25" and reply.body["to"] == "2026-03-03"
    (new,) = [s for s in reply.body["items"] if s["name"] == "new_customers"]
    assert new["members"] == 3
    assert [(d["day"], d["members"], d["entered"]) for d in new["series"][-4:]] == [
        ("2026-02-28", 0, 0),
        ("2026-03-01", 1, 1),
        ("2026-03-02", 2, 1),
        ("2026-03-03", 3, 1),
    ]
    refused = call(segments, "GET", "/v1/segments/sizes", "/v1/segments/sizes", query={"days": "14"})
    assert refused.status == 400 and refused.body["error"]["code"] == "invalid_request"
