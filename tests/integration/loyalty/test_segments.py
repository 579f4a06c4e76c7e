"""Segments: built in and custom, kept current as orders, events and the daily job change a customer; entries and
exits are listed (oldest first) for the campaigns that react to them."""

from datetime import timedelta

import pytest
from api import assert_error, uid

from loyalty import cid, entered, exited, parse_ts

pytestmark = pytest.mark.integration

BUILT_IN = {
    "new_customers",
    "lapsed_180d",
    "basket_declining",
    "ambassadors",
    "future_ambassadors",
    "opportunists",
    "top_referrers",
}


def segment_name() -> str:
    return f"it_{uid().lower()}"


def create_segment(lo, **body):
    body.setdefault("name", segment_name())
    r = lo.post("/v1/segments", json=body)
    assert r.status_code == 201, f"POST /v1/segments {body} → {r.status_code} {r.text}"
    return r.json()


def test_the_built_in_segments_are_listed_with_their_members(lo, program):
    segments = {s["name"]: s for s in lo.segments()}
    assert set(segments) >= BUILT_IN
    for name in BUILT_IN:
        assert segments[name]["kind"] == "built_in" and segments[name]["description"], segments[name]
        assert isinstance(segments[name]["members"], int) and segments[name]["members"] >= 0


def test_a_new_customer_enters_new_customers_and_leaves_it_with_a_second_order(lo, program, clock):
    start = clock.now
    shopper = cid()
    before = lo.segment("new_customers")["members"]
    # When the shop creates a customer
    lo.profile(shopper, email=f"{shopper.lower()}@example.org")
    # Then they are a new customer, listed as an entry with the time
    assert "new_customers" in lo.customer(shopper)["segments"]
    changes = lo.changes(start, shopper)
    assert [(c["segment"], c["change"]) for c in changes] == [("new_customers", "entered")]
    assert parse_ts(changes[0]["at"]) == clock.now and changes[0]["reason"]
    assert lo.segment("new_customers")["members"] == before + 1
    # When they order once they stay; twice, they leave
    clock.tick()
    first = lo.order(shopper, 3000)
    assert first["customer_id"] == shopper
    assert "new_customers" in lo.customer(shopper)["segments"]
    clock.tick()
    lo.order(shopper, 3000)
    assert "new_customers" not in lo.customer(shopper)["segments"]
    assert [c["change"] for c in lo.changes(start, shopper) if c["segment"] == "new_customers"] == [
        "entered",
        "exited",
    ]
    assert lo.segment("new_customers")["members"] == before


def test_a_new_customer_leaves_new_customers_after_30_days(lo, program, clock):
    start = clock.now
    shopper = cid()
    lo.order(shopper, 3000)  # first seen with this order
    assert "new_customers" in lo.customer(shopper)["segments"]
    clock.advance(days=29)
    lo.daily()
    assert "new_customers" in lo.customer(shopper)["segments"]
    clock.advance(days=2)
    lo.daily()
    assert "new_customers" not in lo.customer(shopper)["segments"]
    assert len(exited(lo.changes(start, shopper), "new_customers")) == 1


def test_a_customer_lapses_180_days_after_the_last_order_and_comes_back_with_an_order(lo, program, clock):
    start = clock.now
    shopper = cid()
    lo.order(shopper, 4000)
    # 179 days later: not yet lapsed
    clock.advance(days=179)
    lo.daily()
    assert "lapsed_180d" not in lo.customer(shopper)["segments"]
    # 181 days later and the daily job: lapsed, with an entry to react to (a win-back campaign)
    clock.advance(days=2)
    lapsed_at = clock.now
    lo.daily()
    assert "lapsed_180d" in lo.customer(shopper)["segments"]
    entries = entered(lo.changes(start, shopper), "lapsed_180d")
    assert len(entries) == 1 and parse_ts(entries[0]["at"]) == lapsed_at
    listed_while_lapsed = {m["customer_id"] for m in lo.members("lapsed_180d", limit=100)}
    # The changes since a later time do not repeat it
    assert not entered(lo.changes(lapsed_at + timedelta(seconds=1), shopper), "lapsed_180d")
    # And a new order brings them back
    clock.tick()
    lo.order(shopper, 4000)
    assert "lapsed_180d" not in lo.customer(shopper)["segments"]
    assert len(exited(lo.changes(start, shopper), "lapsed_180d")) == 1
    assert shopper in listed_while_lapsed
    assert shopper not in {m["customer_id"] for m in lo.members("lapsed_180d", limit=100)}


def test_an_engaged_repeat_customer_is_a_future_ambassador(lo, program, clock):
    start = clock.now
    shopper = cid()
    lo.order(shopper, 3000, currency="USD")
    lo.order(shopper, 3000, currency="USD")  # score 20, two orders (no points: not a member yet)
    assert "future_ambassadors" not in lo.customer(shopper)["segments"]
    outcome = lo.review(shopper)  # + 8 ≥ 25
    assert "future_ambassadors" in outcome["segments_entered"], outcome
    assert "future_ambassadors" in lo.customer(shopper)["segments"]
    assert len(entered(lo.changes(start, shopper), "future_ambassadors")) == 1
    # When the score decays under 25 (90 days: half), the next signal shows they left
    clock.advance(days=90)
    outcome = lo.event(shopper, "email_opened")
    assert "future_ambassadors" in outcome["segments_exited"], outcome
    assert "future_ambassadors" not in lo.customer(shopper)["segments"]


def test_coupon_hunters_are_opportunists(lo, program, clock):
    campaign = lo.create_campaign(discount={"type": "percent", "percent_off": 10})
    shopper = cid()
    lo.order(shopper, 5000, coupon_code=lo.create_code(campaign["id"]))
    assert "opportunists" not in lo.customer(shopper)["segments"]
    clock.tick()
    lo.order(shopper, 5000, coupon_code=lo.create_code(campaign["id"]))
    customer = lo.customer(shopper)
    assert customer["facts"]["coupon_orders"] == 2
    assert "opportunists" in customer["segments"]


def test_a_custom_segment_is_filled_by_the_daily_job_then_kept_current(lo, program, clock):
    start = clock.now
    # Given an Italian customer (of this test's cohort) with two orders before the segment exists
    cohort = uid().lower()
    early = cid("it-")
    lo.profile(early, country="IT", attributes={"cohort": cohort})
    lo.order(early, 3000)
    lo.order(early, 3000)
    clock.tick()
    # When the shop creates "Italians with at least two orders"
    name = segment_name()
    segment = create_segment(
        lo,
        name=name,
        description="Italian repeat customers",
        match="all",
        conditions=[
            {"field": "country", "op": "eq", "value": "IT"},
            {"field": "order_count", "op": "gte", "value": 2},
            {"field": "attribute", "name": "cohort", "op": "eq", "value": cohort},
        ],
    )
    assert (segment["name"], segment["kind"], segment["match"], segment["members"]) == (name, "custom", "all", 0)
    assert [c["field"] for c in segment["conditions"]] == ["country", "order_count", "attribute"]
    # Then it is filled by the daily job
    assert lo.members(name) == []
    clock.tick()
    lo.daily()
    assert [m["customer_id"] for m in lo.members(name)] == [early]
    # And kept current as customers change: an Italian's second order enters them at once
    later, french = cid("it-"), cid("fr-")
    lo.profile(later, country="IT", attributes={"cohort": cohort})
    lo.profile(french, country="FR", attributes={"cohort": cohort})
    for shopper in (later, french):
        lo.order(shopper, 3000)
        clock.tick()
    assert name not in lo.customer(later)["segments"]
    outcome = lo.order(later, 3000)
    assert outcome["customer_id"] == later
    assert name in lo.customer(later)["segments"]
    lo.order(french, 3000)
    assert name not in lo.customer(french)["segments"]
    assert {m["customer_id"] for m in lo.members(name)} == {early, later}
    assert lo.segment(name)["members"] == 2
    assert len(entered(lo.changes(start, later), name)) == 1
    # And a profile change takes them out
    clock.tick()
    lo.profile(later, country="FR", attributes={"cohort": cohort})
    assert name not in lo.customer(later)["segments"]
    assert len(exited(lo.changes(start, later), name)) == 1
    assert lo.segment(name)["members"] == 1
    # And a second daily run adds nobody twice
    lo.daily()
    assert [m["customer_id"] for m in lo.members(name)] == [early]


def test_segment_members_page_with_a_cursor(lo, program):
    cohort = uid().lower()
    name = create_segment(lo, conditions=[{"field": "attribute", "name": "cohort", "op": "eq", "value": cohort}])[
        "name"
    ]
    shoppers = {cid() for _ in range(5)}
    for shopper in shoppers:
        lo.profile(shopper, attributes={"cohort": cohort})
    members = lo.members(name, limit=2)
    assert len(members) == 5 and {m["customer_id"] for m in members} == shoppers
    assert all(m["entered_at"] for m in members)
    first = lo.get(f"/v1/segments/{name}/customers", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]


def test_segment_changes_page_oldest_first(lo, program, clock):
    start = clock.now
    name = create_segment(
        lo, conditions=[{"field": "attribute", "name": "flag", "op": "eq", "value": start.isoformat()}]
    )["name"]
    shopper = cid()
    for _ in range(3):
        lo.profile(shopper, attributes={"flag": start.isoformat()})
        clock.tick()
        lo.profile(shopper, attributes={})
        clock.tick()
    changes = [c for c in lo.changes(start, shopper, limit=1) if c["segment"] == name]
    assert [c["change"] for c in changes] == ["entered", "exited"] * 3
    ats = [parse_ts(c["at"]) for c in changes]
    assert ats == sorted(ats) and len(set(ats)) == 6


def test_a_custom_segment_can_match_any_condition_and_be_deleted(lo, program, clock):
    name = create_segment(
        lo,
        match="any",
        conditions=[
            {"field": "country", "op": "in", "value": ["AT", "CH"]},
            {"field": "points_balance", "op": "gte", "value": 70},
        ],
    )["name"]
    austrian, reviewer, neither = cid(), cid(), cid()
    lo.profile(austrian, country="AT")
    lo.profile(neither, country="DE")
    lo.review(reviewer)
    assert name not in lo.customer(reviewer)["segments"]  # 50 points
    lo.event(reviewer, "nps_answer", score=10)  # 70
    assert name in lo.customer(austrian)["segments"]
    assert name in lo.customer(reviewer)["segments"]
    assert name not in lo.customer(neither)["segments"]
    # A second segment with the same name is refused
    assert_error(
        lo.post("/v1/segments", json={"name": name, "conditions": [{"field": "tier", "op": "exists"}]}),
        409,
        "segment_exists",
    )
    # When it is deleted, it is gone from the list
    r = lo.request("DELETE", f"/v1/segments/{name}")
    assert r.status_code in (200, 204), r.text
    assert name not in {s["name"] for s in lo.segments()}
    # A built-in segment cannot be deleted
    r = lo.request("DELETE", "/v1/segments/new_customers")
    assert r.status_code in (400, 403, 404, 409, 422), r.text
    assert "new_customers" in {s["name"] for s in lo.segments()}


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"name": "VIP!", "conditions": [{"field": "country", "op": "eq", "value": "IT"}]}, "name"),
        ({"name": "ok_name", "conditions": []}, "conditions"),
        ({"name": "ok_name", "conditions": [{"field": "attribute", "op": "eq", "value": 1}]}, "attribute"),
        ({"name": "ok_name", "conditions": [{"field": "total_spent", "op": "gt", "value": 1}]}, "currency"),
        ({"name": "ok_name", "conditions": [{"field": "country", "op": "in", "value": "IT"}]}, "list"),
        ({"name": "ok_name", "conditions": [{"field": "country", "op": "eq"}]}, "value"),
        ({"name": "ok_name", "conditions": [{"field": "shoe_size", "op": "eq", "value": 42}]}, "field"),
        ({"name": "ok_name", "conditions": [{"field": "country", "op": "like", "value": "I%"}]}, "op"),
        (
            {"name": "ok_name", "match": "most", "conditions": [{"field": "country", "op": "eq", "value": "IT"}]},
            "match",
        ),
    ],
)
def test_an_invalid_segment_is_400(lo, program, body, mentions):
    assert_error(lo.post("/v1/segments", json=body), 400, "invalid_request", mentions=mentions)


def test_a_built_in_segment_name_cannot_be_taken(lo, program):
    r = lo.post(
        "/v1/segments", json={"name": "new_customers", "conditions": [{"field": "country", "op": "eq", "value": "IT"}]}
    )
    assert r.status_code in (400, 409), r.text
    assert r.json()["error"]["code"] in ("invalid_request", "segment_exists")


def test_an_unknown_segment_is_404(lo, program):
    assert_error(lo.get(f"/v1/segments/{segment_name()}/customers"), 404, "not_found")


def test_segment_listings_refuse_bad_parameters(lo, program):
    assert_error(lo.get("/v1/segments/changes"), 400, "invalid_request", mentions="since")
    assert_error(
        lo.get("/v1/segments/changes", params={"since": "yesterday"}), 400, "invalid_request", mentions="since"
    )
    r = lo.get("/v1/segments/new_customers/customers", params={"cursor": "not-a-cursor"})
    assert_error(r, 400, "invalid_request")
    r = lo.get("/v1/segments/changes", params={"since": "2030-01-01T00:00:00Z", "cursor": "not-a-cursor"})
    assert_error(r, 400, "invalid_request")
