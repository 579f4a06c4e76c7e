"""Publishing: each event to the EventBridge bus and the webhook queue, then marked published.

One pass over a batch: PutEvents (10 a call) and, independently, SendMessageBatch to the FIFO WebhookQueue (10 a
call, group = a hash of the customer id, or "shop", de-duplicated on the event id), then `unpublished` removed from
the batches (the events items of a transaction) whose every event went to both. A call that fails (throttling, a
wrong bus) fails its ten events only; a batch with an event refused anywhere keeps `unpublished`: the stream retries
it, EventRepublishFunction catches what is left. Consumers may see an event twice; they de-duplicate on its id."""

import hashlib
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
        try:
            result = bus.put_events(Entries=entries)
        except Exception:  # one call's failure must not keep the others' events from being marked
            logger.exception("event bus call failed", extra={"ids": [e.id for e in chunk]})
            failed.update(e.id for e in chunk)
            continue
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
                "MessageGroupId": group_of(e),
                "MessageDeduplicationId": e.id,
            }
            for n, e in enumerate(chunk)
        ]
        try:
            result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        except Exception:
            logger.exception("webhook queue call failed", extra={"ids": [e.id for e in chunk]})
            failed.update(e.id for e in chunk)
            continue
        for entry in result.get("Failed") or []:
            failed.add(chunk[int(entry["Id"])].id)
            logger.warning("webhook queue refused an event", extra={"id": chunk[int(entry["Id"])].id})
    return failed


def group_of(event: Event) -> str:
    """The FIFO group: per customer (their events in order), as hex, since SQS takes only ASCII punctuation and
    alphanumerics there and customer ids may hold spaces or any letter."""
    if not event.customer_id:
        return SHOP_GROUP
    return hashlib.sha256(event.customer_id.encode()).hexdigest()[:64]


def batch_id(event: Event) -> str:
    return event.id[: store.BATCH_ID_LENGTH]


def publish(events: list[Event]) -> set[str]:
    """Publish (oldest first) and mark each batch published; the ids that failed (their batch stays unpublished)."""
    ordered = sorted(events, key=lambda e: e.id)
    failed = to_bus(ordered) | to_webhooks(ordered)  # independent: a bus outage does not hold webhooks back
    unfinished = {batch_id(e) for e in ordered if e.id in failed}
    for batch in sorted({batch_id(e) for e in ordered} - unfinished):
        store.mark_published(batch)
    return failed


def republish(limit: int = 1000) -> tuple[int, int]:
    """Events still unpublished REPUBLISH_AFTER after they were recorded: publish them; (published, failed)."""
    events = store.unpublished_before(clock.now() - REPUBLISH_AFTER, limit)
    failed = publish(events) if events else set()
    return len(events) - len(failed), len(failed)
