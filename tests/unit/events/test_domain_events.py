"""The domain's facts as events (docs/integrations.md, "Events"): referrals, rewards, points, tiers, segments and
messages, each recorded in the transaction of the change it reports — once, never by a replay, never when the
change's condition fails."""

import json
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from pynamodb.exceptions import TransactWriteError

from passaparola import clock
from passaparola.campaigns.models import LoyaltyCampaign
from passaparola.customers.models import EngagementConfig
from passaparola.customers.record import Change
from passaparola.data import customers as customer_store
from passaparola.data import messages as message_store
from passaparola.data import transactions
from passaparola.data.models.events import EventModel
from passaparola.data.models.messages import MessageModel
from passaparola.loyalty import service as loyalty
from passaparola.referrals import release, review
from tests.unit.functions import call, load_function

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LOYALTY: dict[str, Any] = {
    "name": "Club",
    "type": "loyalty",
    "earning_rules": [{"event": "order_paid", "points_per_unit": 1, "unit_amount": 100, "currency": "EUR"}],
    "pending_days": 0,
    "expiry": {"policy": "never"},
    "tiers": [{"name": "Bronze", "min_points": 0}, {"name": "Gold", "min_points": 1000}],
    "rewards": [
        {
            "id": "five-off",
            "name": "5 EUR off",
            "cost": 500,
            "reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
        }
    ],
}
PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "credit", "amount": 500, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    "conversion": {"event": "first_order", "min_order_amount": 3000, "currency": "EUR"},
    "holding_days": 14,
}


def events(customer_id: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(type, data) of the recorded events, in the order they were made (of one customer, if named)."""
    items = sorted((e for i in EventModel.scan() for e in json.loads(i.events)), key=lambda e: e["id"])
    return [(e["type"], e["data"]) for e in items if customer_id is None or e["customer_id"] == customer_id]


def types(customer_id: str | None = None) -> list[str]:
    return [t for t, _ in events(customer_id)]


def of(event_type: str, customer_id: str) -> list[dict[str, Any]]:
    return [d for t, d in events(customer_id) if t == event_type]


@pytest.fixture
def shop(campaigns_fn: ModuleType) -> dict[str, Any]:
    clock.set_clock(lambda: START)
    assert call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY).status == 201
    made = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM)
    assert made.status == 201, made.body
    return {
        "program": made.body["id"],
        "referrals": load_function("referrals"),
        "conversions": load_function("conversions"),
    }


def link(shop: dict[str, Any], customer_id: str, ip: str | None = None) -> str:
    body = {"customer_id": customer_id, "campaign_id": shop["program"]} | ({"ip": ip} if ip else {})
    made = call(shop["referrals"], "POST", "/v1/referrals", "/v1/referrals", body)
    assert made.status == 201, made.body
    return str(made.body["code"])


def order(shop: dict[str, Any], order_id: str, customer_id: str, code: str | None, **extra: Any) -> dict[str, Any]:
    body = {"id": order_id, "customer_id": customer_id, "amount": 5000, "currency": "EUR"} | extra
    if code:
        body["referral_code"] = code
    reply = call(shop["conversions"], "POST", "/v1/orders", "/v1/orders", body)
    assert reply.status in (200, 201), reply.body
    return reply.body  # type: ignore[no-any-return]


def test_an_order_with_a_referral_reports_each_fact_once(shop: dict[str, Any]) -> None:
    code = link(shop, "anna")
    outcome = order(shop, "ord_1", "bob", code)
    assert outcome["referral"]["status"] == "converted"
    converted = of("referral.converted", "bob")
    assert converted == [
        {
            "referral_code": code,
            "campaign_id": shop["program"],
            "conversion_id": outcome["referral"]["conversion_id"],
            "referrer_id": "anna",
            "order_id": "ord_1",
            "status": "converted",
        }
    ]
    (friend_reward,) = of("reward.issued", "bob")
    assert (friend_reward["role"], friend_reward["status"], friend_reward["amount"]) == ("referee", "released", 500)
    assert friend_reward["coupon_code"]
    (referrer_reward,) = of("reward.issued", "anna")
    assert (referrer_reward["role"], referrer_reward["status"]) == ("referrer", "pending")
    (earned,) = of("points.earned", "bob")
    assert (earned["points"], earned["balance"], earned["ref"], earned["pending"]) == (50, 50, "order#ord_1", False)
    assert of("tier.changed", "bob") == [{"from": None, "to": "Bronze"}]
    assert "segment.entered" in types("bob")
    before = events()
    # a replay of the order (its stored outcome is answered) records nothing
    assert order(shop, "ord_1", "bob", code) == outcome
    assert events() == before


def test_a_refund_voids_and_reverses_with_their_events(shop: dict[str, Any]) -> None:
    code = link(shop, "anna")
    order(shop, "ord_1", "bob", code)
    before = len(events())
    reply = call(shop["conversions"], "POST", "/v1/orders/ord_1/refund", "/v1/orders/{order_id}/refund", {})
    assert reply.status == 200, reply.body
    after = events()[before:]
    kinds = [t for t, _ in after]
    assert kinds.count("reward.voided") == 1 and kinds.count("reward.reversed") == 1
    (voided,) = of("reward.voided", "anna")
    assert (voided["role"], voided["status"], voided["reason"]) == ("referrer", "voided", "order_refunded")
    (reversed_,) = of("reward.reversed", "bob")
    assert (reversed_["role"], reversed_["status"]) == ("referee", "reversed")
    assert of("points.reversed", "bob") == [
        {"points": 50, "balance": 0, "reason": "order_refunded", "ref": "order#ord_1", "pending": False}
    ]


def test_the_release_job_reports_released_rewards_once(shop: dict[str, Any]) -> None:
    order(shop, "ord_1", "bob", link(shop, "anna"))
    clock.set_clock(lambda: START + timedelta(days=15))
    assert release.release_due().released == 1
    (released,) = of("reward.released", "anna")
    assert (released["role"], released["status"], released["reason"]) == (
        "referrer",
        "released",
        "holding_period_ended",
    )
    assert release.release_due().released == 0
    assert len(of("reward.released", "anna")) == 1


def test_flagged_then_reviewed(shop: dict[str, Any]) -> None:
    first = order(shop, "ord_1", "bob", link(shop, "anna", ip="203.0.113.9"), ip="203.0.113.9")
    second = order(shop, "ord_2", "carl", link(shop, "dora", ip="203.0.113.7"), ip="203.0.113.7")
    assert first["referral"]["status"] == second["referral"]["status"] == "flagged"
    (flagged,) = of("referral.flagged", "bob")
    assert flagged["reasons"] == ["same_ip_as_referrer"] and flagged["referrer_id"] == "anna"
    assert [r["status"] for r in of("reward.issued", "bob")] == ["pending"]  # held for review
    review.approve(first["referral"]["conversion_id"])
    assert of("referral.reviewed", "bob")[0]["decision"] == "approved"
    assert [c["status"] for c in of("referral.converted", "bob")] == ["approved"]
    assert [r["role"] for r in of("reward.released", "bob")] == ["referee"]
    review.reject(second["referral"]["conversion_id"])
    assert of("referral.reviewed", "carl")[0]["decision"] == "rejected"
    assert "referral.converted" not in types("carl")
    assert len(of("reward.voided", "carl")) == len(of("reward.voided", "dora")) == 1


def test_a_self_referral_is_reported_blocked(shop: dict[str, Any]) -> None:
    outcome = order(shop, "ord_1", "anna", link(shop, "anna"))
    assert outcome["referral"]["status"] == "blocked"
    (blocked,) = of("referral.blocked", "anna")
    assert blocked["reasons"] == ["self_referral"] and blocked["conversion_id"]
    assert "reward.issued" not in types()


def test_points_adjusted_spent_and_the_tier(shop: dict[str, Any]) -> None:
    order(shop, "ord_1", "bob", None)
    adjustment = loyalty.adjust("bob", 1000, "goodwill")
    assert of("points.adjusted", "bob") == [
        {"points": 1000, "balance": 1050, "reason": "goodwill", "ref": f"adjustment#{adjustment.id}", "pending": False}
    ]
    assert of("tier.changed", "bob")[-1] == {"from": "Bronze", "to": "Gold"}
    loyalty.redeem("bob", "five-off")
    (spent,) = of("points.spent", "bob")
    assert (spent["points"], spent["balance"]) == (500, 550)
    loyalty.adjust("bob", -50, "correction")
    assert [a["points"] for a in of("points.adjusted", "bob")] == [1000, -50]


def program() -> LoyaltyCampaign:
    return LoyaltyCampaign.model_validate(
        LOYALTY | {"id": "cmp_loyalty", "enabled": True, "version": 1, "created_at": START, "updated_at": START}
    )


def commit(change: Change) -> None:
    def build(tx: transactions.Transaction) -> None:
        change.write(tx)

    transactions.write(build)


def test_pending_points_released_and_expired(aws: None) -> None:
    club = program().model_copy(update={"pending_days": 14})
    config = EngagementConfig()
    earn = Change("cus_1", None, START, club, config, [])
    earn.earn_order("o1", (), 5000, 5000, "EUR", START)
    commit(earn)
    assert of("points.earned", "cus_1") == [
        {"points": 50, "balance": 0, "reason": "order_paid", "ref": "order#o1", "pending": True}
    ]
    later = Change("cus_1", customer_store.read("cus_1"), START + timedelta(days=14), club, config, [])
    later.release("o1", 50)
    later.take(20, "expire", "points_expired", "lot#1")
    commit(later)
    assert [(t, d["points"], d["balance"]) for t, d in events("cus_1") if t.startswith("points.")][1:] == [
        ("points.released", 50, 50),
        ("points.expired", 20, 30),
    ]


def test_a_change_whose_condition_fails_records_no_event(aws: None) -> None:
    club = program()
    config = EngagementConfig()
    first = Change("cus_1", None, START, club, config, [])
    first.enroll(START)
    commit(first)
    read = customer_store.read("cus_1")
    winner = Change("cus_1", read, START, club, config, [])
    winner.credit(10, "review", "r1")
    commit(winner)
    recorded = events()
    stale = Change("cus_1", read, START, club, config, [])  # the record as read before the winner's commit
    stale.credit(2000, "review", "r2")
    with pytest.raises(TransactWriteError):
        commit(stale)
    assert events() == recorded
    assert [d["points"] for d in of("points.earned", "cus_1")] == [10]


def message(status: str) -> MessageModel:
    item = MessageModel("msg_1", campaign_id="cmp_1", customer_id="cus_1", channel="email", status=status)
    item.to = "someone@example.com"
    item.save()
    return item


def test_message_sent_once_and_without_the_address(aws: None) -> None:
    item = message("sending")
    message_store.sent(item, "ses-1", START)
    message_store.sent(item, "ses-1", START)  # a redelivered record: the status moved on, nothing more
    assert events() == [
        ("message.sent", {"message_id": "msg_1", "campaign_id": "cmp_1", "channel": "email", "reason": None})
    ]
    assert "example.com" not in json.dumps(events())


def test_message_failed_rides_with_its_status(aws: None) -> None:
    item = message("sending")
    assert not message_store.settle(item, "failed", "rejected", "no", START, expect="queued")
    assert events() == []
    assert message_store.settle(item, "failed", "rejected", "no", START, expect="sending")
    assert events("cus_1") == [
        ("message.failed", {"message_id": "msg_1", "campaign_id": "cmp_1", "channel": "email", "reason": "rejected"})
    ]
    assert message_store.settle(message("sending"), "cancelled", "campaign_disabled", None, START, expect="sending")
    assert len(events()) == 1  # a cancelled message is no delivery failure


def test_every_function_recording_events_may_put_them() -> None:
    """An event rides in its change's transaction: a function without PutItem on EventsTable would fail the whole
    change with AccessDenied once deployed (the local stack does not enforce IAM, so only this test sees it)."""
    from infra.local.template import Template, load_yaml
    from tests.unit.iam_static import _Graph
    from tests.unit.test_template import TEMPLATE, _dynamodb_grants

    graph = _Graph()
    folders = {spec.code_dir.name: lid for lid, spec in Template(TEMPLATE).functions().items()}
    recording = graph.functions_reaching("passaparola.events.outbox:record")
    recording |= graph.functions_reaching("passaparola.events.outbox:record_now")
    assert {"conversions", "referrals", "reward_release", "loyalty", "message_sender"} <= recording
    resources = load_yaml(TEMPLATE)["Resources"]
    missing = [
        f
        for f in sorted(recording)
        if "PutItem" not in _dynamodb_grants(resources[folders[f]]).get("EventsTable", set())
    ]
    assert not missing
