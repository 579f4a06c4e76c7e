"""The domain's events over HTTP, through the whole pipeline: outbox → stream → event bus → a rule's queue.

An order with a referral reports referral.converted, reward.issued and points.earned once each; replaying the
order (the same id, or the same Idempotency-Key) reports nothing more; its refund reports reward.voided and
points.reversed. Read with GET /v1/events when the stack serves it, else from the local EventBridge rule's queue
(GET /local/events), de-duplicated on the event id as a consumer does (delivery is at least once).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from api import uid
from loyalty import program_fields
from referrals import Referrals, new_email

pytestmark = pytest.mark.integration

RELAXED = {"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000}
WAIT = 30.0
CACHE_SECONDS = 5.5


@pytest.fixture(scope="module")
def rf(stack) -> Referrals:
    client = Referrals(stack)
    if not [c for c in client.list_all("/v1/campaigns", limit=100) if c.get("type") == "loyalty"]:
        made = client.post("/v1/campaigns", json={"name": "Club", "type": "loyalty", **program_fields(uid("d-"))})
        assert made.status_code == 201, made.text
        time.sleep(CACHE_SECONDS)  # every container now sees it
    return client


def received(rf: Referrals, customers: set[str]) -> dict[str, dict[str, Any]]:
    """The events of these customers seen so far, by id (GET /v1/events, or the local rule's queue)."""
    found: dict[str, dict[str, Any]] = {}
    for customer in customers:
        r = rf.get("/v1/events", params={"customer_id": customer, "limit": 100})
        if r.status_code != 200:
            break
        found |= {e["id"]: e for e in r.json()["items"]}
    else:
        return found
    r = rf.get("/local/events", params={"limit": 1000})
    assert r.status_code == 200, r.text
    for envelope in r.json()["events"]:
        event = envelope.get("detail") or {}
        if event.get("customer_id") in customers:
            found[event["id"]] = event
    return found


def counts(events: dict[str, dict[str, Any]], customer: str) -> Counter[str]:
    return Counter(e["type"] for e in events.values() if e["customer_id"] == customer)


def wait_for(rf: Referrals, customers: set[str], wanted: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    """Poll until each customer has at least the wanted count of each type (then a moment more for extras)."""
    deadline = time.monotonic() + WAIT
    while True:
        events = received(rf, customers)
        if all(counts(events, c)[t] >= n for c, types in wanted.items() for t, n in types.items()):
            time.sleep(1.5)
            return received(rf, customers)
        assert time.monotonic() < deadline, f"waited {WAIT}s for {wanted}, got {[e['type'] for e in events.values()]}"
        time.sleep(0.3)


def test_an_order_with_a_referral_then_its_refund(rf: Referrals) -> None:
    program = rf.create_program(tiers=[], fraud=RELAXED)
    link = rf.link(program["id"])
    referrer, friend = link["customer_id"], uid("friend-")
    body = {
        "id": uid("ord_"),
        "customer_id": friend,
        "email": new_email(),
        "amount": 5000,
        "currency": "EUR",
        "items": [{"sku": "SKU-REF", "quantity": 1, "unit_price": 5000}],
        "referral_code": link["code"],
    }
    key = {"Idempotency-Key": uid("k-")}
    first = rf.post("/v1/orders", json=body, headers=key)
    assert first.status_code == 201, first.text
    assert first.json()["referral"]["status"] == "converted"
    ordered = {
        friend: {"referral.converted": 1, "reward.issued": 1, "points.earned": 1},
        referrer: {"reward.issued": 1},
    }
    events = wait_for(rf, {friend, referrer}, ordered)
    # an idempotent replay (the same Idempotency-Key; the same order id without one) answers, records nothing
    assert rf.post("/v1/orders", json=body, headers=key).json() == first.json()
    again = rf.post("/v1/orders", json=body)
    assert again.status_code == 200 and again.json() == first.json(), again.text
    converted = next(e for e in events.values() if e["type"] == "referral.converted")
    assert converted["data"]["order_id"] == body["id"] and converted["data"]["referrer_id"] == referrer
    earned = next(e for e in events.values() if e["type"] == "points.earned")
    assert (earned["data"]["points"], earned["data"]["pending"]) == (50, True)
    assert "@" not in str(events)  # ids, never an email
    # the order's facts (both customers') are one events item; each event is found by its own id
    in_order = [e for e in events.values() if e["type"] in ("referral.converted", "reward.issued", "points.earned")]
    assert len(in_order) == 4 and len({e["id"][:30] for e in in_order}) == 1
    for event in in_order:
        assert rf.get(f"/v1/events/{event['id']}").json() == event

    refund = rf.refund(body["id"])
    assert refund.status_code == 200, refund.text
    refunded = {friend: {"reward.reversed": 1, "points.reversed": 1}, referrer: {"reward.voided": 1}}
    events = wait_for(rf, {friend, referrer}, refunded)
    for customer, types in (ordered | {friend: ordered[friend] | refunded[friend]}).items():
        seen = counts(events, customer)
        assert {t: seen[t] for t in types} == types, (customer, seen)
    assert counts(events, referrer)["reward.voided"] == 1 and counts(events, referrer)["reward.issued"] == 1
    voided = next(e for e in events.values() if e["type"] == "reward.voided")
    assert voided["data"]["role"] == "referrer" and voided["data"]["reason"] == "order_refunded"
