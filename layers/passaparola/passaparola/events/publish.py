"""Publishing: each event to the EventBridge bus and the webhook queue, then marked published.

One pass over a batch: PutEvents (10 a call), SendMessageBatch to the FIFO WebhookQueue (10 a call, group = the
customer, or "shop", de-duplicated on the event id), then `unpublished` removed from the events that went to both.
An event refused anywhere keeps `unpublished`: the stream retries it, EventRepublishFunction catches what is left.
Consumers may see an event twice; they de-duplicate on its id."""

from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from typing import Any

from passaparola import clock
from passaparola.data import events as store
from passaparola.events.types import Event
from passaparola.observability import logger
from passaparola.settings import get_settings

SOURCE = "passaparola"
REPUBLISH_AFTER = timedelta(minutes=2)
SHOP_GROUP = "shop"


@lru_cache(maxsize=1)
def _clients() -> tuple[Any, Any]:
    import boto3

    region = get_settings().aws_region
    return boto3.client("events", region_name=region), boto3.client("sqs", region_name=region)


def reset_clients() -> None:
    """Tests: clients made under one mock must not outlive it."""
    _clients.cache_clear()


def _tens(events: list[Event]) -> Iterator[list[Event]]:
    for start in range(0, len(events), 10):
        yield events[start : start + 10]


def to_bus(events: list[Event]) -> set[str]:
    """PutEvents; the ids of the events the bus refused."""
    bus, _ = _clients()
    name = get_settings().event_bus_name
    failed: set[str] = set()
    for chunk in _tens(events):
        entries = [
            {
                "Source": SOURCE,
                "DetailType": e.type,
                "Detail": e.model_dump_json(),
                "EventBusName": name,
                "Resources": [],
            }
            for e in chunk
        ]
        result = bus.put_events(Entries=entries)
        if result.get("FailedEntryCount"):
            for event, entry in zip(chunk, result["Entries"], strict=False):
                if entry.get("ErrorCode"):
                    failed.add(event.id)
                    logger.warning("event bus refused an event", extra={"id": event.id, "error": entry["ErrorCode"]})
    return failed


def to_webhooks(events: list[Event]) -> set[str]:
    """SendMessageBatch to the FIFO webhook queue; the ids SQS refused."""
    _, sqs = _clients()
    url = get_settings().webhook_queue_url
    failed: set[str] = set()
    for chunk in _tens(events):
        entries = [
            {
                "Id": str(n),
                "MessageBody": e.model_dump_json(),
                "MessageGroupId": e.customer_id or SHOP_GROUP,
                "MessageDeduplicationId": e.id,
            }
            for n, e in enumerate(chunk)
        ]
        result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        for entry in result.get("Failed") or []:
            failed.add(chunk[int(entry["Id"])].id)
            logger.warning("webhook queue refused an event", extra={"id": chunk[int(entry["Id"])].id})
    return failed


def publish(events: list[Event]) -> set[str]:
    """Publish (oldest first) and mark published; the ids that failed (still unpublished, to retry)."""
    ordered = sorted(events, key=lambda e: e.id)
    failed = to_bus(ordered)
    failed |= to_webhooks([e for e in ordered if e.id not in failed])
    for event in ordered:
        if event.id not in failed:
            store.mark_published(event.id)
    return failed


def republish(limit: int = 1000) -> tuple[int, int]:
    """Events still unpublished REPUBLISH_AFTER after they were recorded: publish them; (published, failed)."""
    events = store.unpublished_before(clock.now() - REPUBLISH_AFTER, limit)
    failed = publish(events) if events else set()
    return len(events) - len(failed), len(failed)
