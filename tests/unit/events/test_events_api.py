"""GET /v1/events (oldest first, filters, a range of at most 31 days, pages that never split nor repeat) and
GET /v1/events/{id}."""

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest

from passaparola.data import events as store
from passaparola.events import outbox
from tests.unit.functions import call

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def events_fn(aws: None) -> ModuleType:
    from tests.unit.functions import load_function

    return load_function("events")


def listing(events_fn: ModuleType, **query: Any) -> Any:
    from infra.local.invoke import api_event
    from infra.local.invoke import call as invoke
    from tests.unit.functions import SECRET

    event = api_event(
        "GET",
        "/v1/events",
        "/v1/events",
        None,
        {"Authorization": f"Bearer {SECRET}"},
        {k: str(v) for k, v in query.items()},
    )
    return invoke(events_fn, event)


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def test_events_oldest_first_filtered_and_paged_without_repeats(events_fn: ModuleType) -> None:
    made = []
    for n in range(7):  # across hours, three in one millisecond
        at = T0 + timedelta(minutes=25 * n) if n < 4 else T0 + timedelta(hours=3)
        made.append(outbox.record_now("customer.erased", {}, customer_id=f"c{n % 2}", at=at))
    outbox.record_now("loyalty.enrolled", {}, customer_id="c0", at=T0 + timedelta(minutes=1))
    since, until = iso(T0), iso(T0 + timedelta(hours=4))

    seen, cursor, pages = [], None, 0
    while True:
        query = {"since": since, "until": until, "type": "customer.erased", "limit": 2}
        reply = listing(events_fn, **query, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, (reply.body, cursor)
        seen += [e["id"] for e in reply.body["items"]]
        pages += 1
        cursor = reply.body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(made) and pages >= 3

    mine = listing(events_fn, since=since, until=until, customer_id="c0").body["items"]
    assert [e["type"] for e in mine] == [
        "customer.erased",
        "loyalty.enrolled",
        "customer.erased",
        "customer.erased",
        "customer.erased",
    ]
    assert all(e["customer_id"] == "c0" for e in mine)
    before = listing(events_fn, since=since, until=iso(T0 + timedelta(minutes=25))).body["items"]
    assert len(before) == 2  # until is exclusive


def test_a_sparse_range_answers_short_pages_with_a_cursor(events_fn: ModuleType) -> None:
    late = outbox.record_now("customer.erased", {}, at=T0 + timedelta(days=20))
    since, until = iso(T0), iso(T0 + timedelta(days=21))
    ids, cursor = [], None
    for _ in range(20):
        reply = listing(events_fn, since=since, until=until, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, (reply.body, cursor)
        ids += [e["id"] for e in reply.body["items"]]
        cursor = reply.body["next_cursor"]
        if not cursor:
            break
    assert ids == [late]
    assert store.MAX_HOURS_PER_PAGE < 20 * 24


def test_ranges_are_checked(events_fn: ModuleType) -> None:
    too_long = listing(events_fn, since=iso(T0), until=iso(T0 + timedelta(days=32)))
    assert too_long.status == 400 and too_long.body["error"]["code"] == "invalid_request"
    backwards = listing(events_fn, since=iso(T0), until=iso(T0 - timedelta(hours=1)))
    assert backwards.status == 400
    assert listing(events_fn, type="coupon.melted").status == 400
    assert listing(events_fn, cursor="bm9wZQ").status == 400


def test_one_event_by_id(events_fn: ModuleType) -> None:
    event_id = outbox.record_now("loyalty.enrolled", {"points": 5}, customer_id="c9")
    reply = call(events_fn, "GET", f"/v1/events/{event_id}", "/v1/events/{event_id}")
    assert reply.status == 200
    assert reply.body == {
        "id": event_id,
        "type": "loyalty.enrolled",
        "version": 1,
        "created_at": reply.body["created_at"],
        "customer_id": "c9",
        "data": {"tier": None, "points": 5},
    }
    missing = call(events_fn, "GET", "/v1/events/evt_NOPE", "/v1/events/{event_id}")
    assert missing.status == 404
