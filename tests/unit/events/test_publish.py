"""The publisher: each new event to the bus (a rule's SQS target sees it) and the FIFO webhook queue, then marked
published; a refused publish leaves it unpublished, and the republisher picks it up two minutes on."""

import json
from collections.abc import Iterator
from datetime import timedelta
from types import ModuleType
from typing import Any
from unittest import mock

import boto3
import pytest

from passaparola import clock
from passaparola.data.models import EventModel
from passaparola.events import outbox, publish
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
        image = EventModel.get(event_id).serialize()
        records.append(
            {
                "eventName": "INSERT",
                "dynamodb": {"Keys": {"id": {"S": event_id}}, "NewImage": image, "SequenceNumber": str(100 + n)},
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
    assert groups == {first: "cus_1", second: "shop"}
    assert {q["_attributes"].get("MessageDeduplicationId") for q in queued} == {first, second}
    assert EventModel.get(first).unpublished is None and EventModel.get(second).unpublished is None
    assert list(EventModel.unpublished_index.query("1")) == []


def test_a_refused_publish_stays_unpublished_and_is_republished(publisher: ModuleType, wired: dict[str, str]) -> None:
    event_id = outbox.record_now("customer.erased", ERASED, customer_id="cus_1")
    bus, _ = publish._clients()
    refused = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "boom"}]}
    with mock.patch.object(bus, "put_events", return_value=refused):
        answer = publisher.lambda_handler(stream_event(event_id), mock.MagicMock())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "100"}]}
    assert EventModel.get(event_id).unpublished == "1"
    assert drain(wired["webhooks"]) == []

    assert publish.republish() == (0, 0)  # not two minutes old yet: the stream's retry comes first
    now = clock.now()
    clock.set_clock(lambda: now + timedelta(minutes=3))
    assert publish.republish() == (1, 0)
    assert [e["detail"]["id"] for e in drain(wired["seen"])] == [event_id]
    assert [q["id"] for q in drain(wired["webhooks"])] == [event_id]
    assert EventModel.get(event_id).unpublished is None


def test_a_webhook_queue_refusal_keeps_the_event_unpublished(publisher: ModuleType, wired: dict[str, str]) -> None:
    event_id = outbox.record_now("customer.erased", ERASED, customer_id="cus_1")
    _, sqs = publish._clients()
    with mock.patch.object(sqs, "send_message_batch", return_value={"Failed": [{"Id": "0", "Code": "x"}]}):
        answer = publisher.lambda_handler(stream_event(event_id), mock.MagicMock())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "100"}]}
    assert EventModel.get(event_id).unpublished == "1"
