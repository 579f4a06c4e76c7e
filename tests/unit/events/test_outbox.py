"""The outbox: an event commits or fails with the change it reports; ids sort in the order they were made."""

import json
from datetime import UTC, datetime
from typing import get_args

import pytest
from pynamodb.exceptions import TransactWriteError

from passaparola.data import transactions
from passaparola.data.models.audit import AuditModel
from passaparola.data.models.events import EventModel
from passaparola.events import outbox
from passaparola.events.types import TYPES, EventType

REDEEMED = {
    "code": "SPRING",
    "campaign_id": "cmp_1",
    "redemption_id": "red_1",
    "order_id": "o1",
    "discount": 500,
    "currency": "EUR",
}


def test_the_event_is_written_with_the_change(aws: None) -> None:
    ids: list[str] = []

    def build(tx: transactions.Transaction) -> None:
        tx.save(AuditModel("AUDIT", "x", id="x", at="t", action="a", actor="{}", target_type="t", target_id="t"))
        ids.append(outbox.record(tx, "coupon.redeemed", REDEEMED, customer_id="cus_1"))

    transactions.write(build)
    item = EventModel.get(ids[0][:30])
    assert (item.types, item.customer_ids, item.unpublished) == ({"coupon.redeemed"}, {"cus_1"}, "1")
    (event,) = json.loads(item.events)
    assert (event["id"], event["type"], event["version"], event["customer_id"]) == (
        ids[0],
        "coupon.redeemed",
        1,
        "cus_1",
    )
    assert event["data"] == REDEEMED and event["created_at"] == item.created_at
    assert item.hour == item.created_at[:13]
    assert ids[0].startswith("evt_") and len(ids[0]) == 32 and ids[0].endswith("00")


def test_a_transaction_of_many_facts_writes_one_events_item(aws: None) -> None:
    ids: list[str] = []

    def build(tx: transactions.Transaction) -> None:
        ids.append(outbox.record(tx, "coupon.redeemed", REDEEMED, customer_id="cus_1"))
        tx.save(AuditModel("AUDIT", "x", id="x", at="t", action="a", actor="{}", target_type="t", target_id="t"))
        ids.append(outbox.record(tx, "tier.changed", {"from": "silver", "to": "gold"}, customer_id="cus_1"))
        ids.append(outbox.record(tx, "loyalty.enrolled", {"points": 5}, customer_id="cus_2"))
        assert len(tx._put_items) == 2  # the audit item and ONE events item

    transactions.write(build)
    (item,) = EventModel.scan()
    assert [i[:30] for i in ids] == [item.id] * 3 and [i[30:] for i in ids] == ["00", "01", "02"]
    assert item.types == {"coupon.redeemed", "tier.changed", "loyalty.enrolled"}
    assert item.customer_ids == {"cus_1", "cus_2"}
    assert [e["id"] for e in json.loads(item.events)] == ids
    assert {e["created_at"] for e in json.loads(item.events)} == {item.created_at}


def test_a_failed_change_leaves_no_event(aws: None) -> None:
    AuditModel("AUDIT", "x", id="x", at="t", action="a", actor="{}", target_type="t", target_id="t").save()

    def build(tx: transactions.Transaction) -> None:
        item = AuditModel("AUDIT", "x", id="x", at="t", action="a", actor="{}", target_type="t", target_id="t")
        tx.save(item, condition=AuditModel.sk.does_not_exist())
        outbox.record(tx, "customer.erased", {}, customer_id="cus_1")

    with pytest.raises(TransactWriteError):
        transactions.write(build)
    assert list(EventModel.scan()) == []


def test_ids_sort_in_the_order_they_were_made() -> None:
    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    made = [outbox.build("customer.erased", {}, at=at).id for _ in range(50)]
    made.append(outbox.build("customer.erased", {}, at=datetime(2026, 12, 7, 8, 0, tzinfo=UTC)).id)  # clock stepped
    assert made == sorted(made) and len(set(made)) == len(made)
    later = outbox.build("customer.erased", {}, at=datetime(2030, 1, 1, tzinfo=UTC)).id
    assert later > made[-1]


def test_data_is_checked_against_its_type() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        outbox.build("coupon.melted", {})
    with pytest.raises(ValueError):
        outbox.build("coupon.redeemed", {**REDEEMED, "email": "a@b.c"})
    assert outbox.build("tier.changed", {"from": "silver", "to": "gold"}).data == {"from": "silver", "to": "gold"}


def test_record_now_writes_one_event(aws: None) -> None:
    event_id = outbox.record_now("loyalty.enrolled", {"points": 50}, customer_id="cus_2")
    (event,) = json.loads(EventModel.get(event_id[:30]).events)
    assert event["id"] == event_id and event["data"] == {"tier": None, "points": 50}


def test_every_type_of_the_contract_is_registered() -> None:
    contract = """coupon.redeemed coupon.rolled_back coupon.issued referral.converted referral.flagged referral.blocked
    referral.reviewed reward.issued reward.released reward.voided reward.reversed points.earned points.spent
    points.expired points.adjusted points.reversed tier.changed segment.entered segment.exited message.sent
    message.failed message.bounced message.complained customer.erased loyalty.enrolled payout.paid"""
    assert set(contract.split()) <= set(TYPES) == set(get_args(EventType))
