"""The publisher: each new event to the bus (a rule's SQS target sees it) and the FIFO webhook queue, then marked
published; a refused publish leaves it unpublished, and the republisher picks it up two minutes on."""

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from types import ModuleType
from typing import Any
from unittest import mock

import boto3
import pytest

from passaparola import clock
from passaparola.data import transactions
from passaparola.data.models.audit import AuditModel
from passaparola.data.models.events import EventModel
from passaparola.events import outbox, publish, service
from passaparola.events.types import Event
from passaparola.settings import get_settings
from tests.unit.functions import load_function

BUS = "passaparola-unit"
ERASED: dict[str, Any] = {}


@pytest.fixture
def wired(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    events = boto3.client("events", region_name="us-east-1")
    webhooks = sqs.create_queue(
        QueueName="webhooks.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    )["QueueUrl"]
    seen = sqs.create_queue(QueueName="seen")["QueueUrl"]
    seen_arn = sqs.get_queue_attributes(QueueUrl=seen, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.create_event_bus(Name=BUS)
    events.put_rule(Name="all", EventBusName=BUS, EventPattern=json.dumps({"source": ["passaparola"]}))
    events.put_targets(Rule="all", EventBusName=BUS, Targets=[{"Id": "q", "Arn": seen_arn}])
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", webhooks)
    get_settings.cache_clear()
    publish.reset_clients()
    yield {"webhooks": webhooks, "seen": seen}
    publish.reset_clients()
    get_settings.cache_clear()


def drain(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if not got:
            return bodies
        for m in got:
            bodies.append({**json.loads(m["Body"]), "_attributes": m.get("Attributes", {})})
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def stream_event(*event_ids: str) -> dict[str, Any]:
    records = []
    for n, event_id in enumerate(event_ids):
        image = EventModel.get(event_id[:30]).serialize()
        records.append(
            {
                "eventName": "INSERT",
                "dynamodb": {"Keys": {"id": {"S": event_id[:30]}}, "NewImage": image, "SequenceNumber": str(100 + n)},
            }
        )
    return {"Records": records}


@pytest.fixture
def publisher(wired: dict[str, str]) -> ModuleType:
    return load_function("event_publish")


def test_a_new_event_goes_to_the_bus_and_the_webhook_queue_then_is_published(
    publisher: ModuleType, wired: dict[str, str]
) -> None:
    first = outbox.record_now("customer.erased", ERASED, customer_id="cus_1")
    second = outbox.record_now("loyalty.enrolled", {"points": 10})
    answer = publisher.lambda_handler(stream_event(first, second), mock.MagicMock())
    assert answer == {"batchItemFailures": []}
    on_bus = drain(wired["seen"])
    assert sorted((e["detail-type"], e["source"], e["detail"]["id"]) for e in on_bus) == [
        ("customer.erased", "passaparola", first),
        ("loyalty.enrolled", "passaparola", second),
    ]
    queued = drain(wired["webhooks"])
    assert [q["id"] for q in queued] == [first, second]
    groups = {q["id"]: q["_attributes"].get("MessageGroupId") for q in queued}
    assert groups == {first: group("cus_1"), second: "shop"}
    assert {q["_attributes"].get("MessageDeduplicationId") for q in queued} == {first, second}
    assert EventModel.get(first[:30]).unpublished is None and EventModel.get(second[:30]).unpublished is None
    assert list(EventModel.unpublished_index.query("1")) == []


def test_the_events_of_one_transaction_are_each_published_once_and_found_by_id(
    publisher: ModuleType, wired: dict[str, str]
) -> None:
    ids: list[str] = []

    def build(tx: transactions.Transaction) -> None:
        tx.save(AuditModel("AUDIT", "x", id="x", at="t", action="a", actor="{}", target_type="t", target_id="t"))
        ids.append(outbox.record(tx, "loyalty.enrolled", {"points": 10}, customer_id="cus_1"))
        ids.append(outbox.record(tx, "tier.changed", {"from": None, "to": "gold"}, customer_id="cus_1"))
        ids.append(outbox.record(tx, "customer.erased", ERASED, customer_id="cus_2"))

    transactions.write(build)
    (item,) = EventModel.scan()
    assert publisher.lambda_handler(stream_event(ids[0]), mock.MagicMock()) == {"batchItemFailures": []}
    assert [e["detail"]["id"] for e in sorted(drain(wired["seen"]), key=lambda e: e["detail"]["id"])] == ids
    queued = drain(wired["webhooks"])
    assert sorted(q["id"] for q in queued) == ids
    assert {q["id"]: q["_attributes"]["MessageGroupId"] for q in queued} == dict(
        zip(ids, [group("cus_1"), group("cus_1"), group("cus_2")], strict=True)
    )
    assert EventModel.get(item.id).unpublished is None
    found = [service.get(i) for i in ids]
    assert [(e.id, e.type) for e in found] == list(
        zip(ids, ["loyalty.enrolled", "tier.changed", "customer.erased"], strict=True)
    )
    assert service.get(ids[0]).data == {"tier": None, "points": 10}


def test_a_refused_publish_stays_unpublished_and_is_republished(publisher: ModuleType, wired: dict[str, str]) -> None:
    event_id = outbox.record_now("customer.erased", ERASED, customer_id="cus_1")
    bus, _ = publish._clients()
    refused = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "boom"}]}
    with mock.patch.object(bus, "put_events", return_value=refused):
        answer = publisher.lambda_handler(stream_event(event_id), mock.MagicMock())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "100"}]}
    assert EventModel.get(event_id[:30]).unpublished == "1"
    assert [q["id"] for q in drain(wired["webhooks"])] == [event_id]  # a bus outage does not hold webhooks back

    assert publish.republish() == (0, 0)  # not two minutes old yet: the stream's retry comes first
    now = clock.now()
    clock.set_clock(lambda: now + timedelta(minutes=3))
    assert publish.republish() == (1, 0)
    assert [e["detail"]["id"] for e in drain(wired["seen"])] == [event_id]
    assert [q["id"] for q in drain(wired["webhooks"])] in ([event_id], [])  # FIFO de-duplication may drop it
    assert EventModel.get(event_id[:30]).unpublished is None


def group(customer_id: str) -> str:
    return hashlib.sha256(customer_id.encode()).hexdigest()[:64]


def test_any_customer_id_makes_a_valid_fifo_group() -> None:
    """SQS takes only ASCII alphanumerics and punctuation (1-128) as MessageGroupId; ids may hold spaces or any letter."""
    for customer_id in ("Müller Anna", "客户 1", "a" * 128, "x y\tz"):
        event = Event(
            id="evt_" + "0" * 28,
            type="customer.erased",
            version=1,
            created_at="2026-12-07T00:00:00.000Z",
            customer_id=customer_id,
            data={},
        )
        assert re.fullmatch(r"[\x21-\x7e]{1,128}", publish.group_of(event))


def test_a_failing_call_fails_its_events_only_and_webhooks_still_get_them(
    publisher: ModuleType, wired: dict[str, str]
) -> None:
    event_id = outbox.record_now("customer.erased", ERASED, customer_id="Müller Anna")
    bus, _ = publish._clients()
    with mock.patch.object(bus, "put_events", side_effect=RuntimeError("throttled")):
        answer = publisher.lambda_handler(stream_event(event_id), mock.MagicMock())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "100"}]}
    assert [q["id"] for q in drain(wired["webhooks"])] == [event_id]
    assert EventModel.get(event_id[:30]).unpublished == "1"


def test_a_webhook_queue_refusal_keeps_the_event_unpublished(publisher: ModuleType, wired: dict[str, str]) -> None:
    event_id = outbox.record_now("customer.erased", ERASED, customer_id="cus_1")
    _, sqs = publish._clients()
    with mock.patch.object(sqs, "send_message_batch", return_value={"Failed": [{"Id": "0", "Code": "x"}]}):
        answer = publisher.lambda_handler(stream_event(event_id), mock.MagicMock())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "100"}]}
    assert EventModel.get(event_id[:30]).unpublished == "1"
