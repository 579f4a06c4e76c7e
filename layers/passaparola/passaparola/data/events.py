"""The events table (the outbox): put in a transaction, read by id or by hour, marked published."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from passaparola import clock
from passaparola.data.models import EventModel
from passaparola.events.types import Event
from passaparola.settings import get_settings

UNPUBLISHED = "1"


def _attributes(event: Event) -> dict[str, Any]:
    created = datetime.fromisoformat(event.created_at.replace("Z", "+00:00")).astimezone(UTC)
    expires = created + timedelta(days=get_settings().event_retention_days)
    return {
        "type": event.type,
        "version": event.version,
        "created_at": event.created_at,
        "hour": event.created_at[:13],
        "customer_id": event.customer_id,
        "data": json.dumps(event.data, separators=(",", ":")),
        "unpublished": UNPUBLISHED,
        "expires_at": int(expires.timestamp()),
    }


def put(tx: TransactWrite, event: Event) -> None:
    """One Put more in the caller's transaction (ids are unique: no condition needed)."""
    tx.save(EventModel(event.id, **_attributes(event)))


def put_now(event: Event) -> None:
    EventModel(event.id, **_attributes(event)).save()


def to_event(item: EventModel) -> Event:
    return Event(
        id=item.id,
        type=item.type,
        version=int(item.version),
        created_at=item.created_at,
        customer_id=item.customer_id,
        data=json.loads(item.data),
    )


def mark_published(event_id: str) -> None:
    """Remove `unpublished` (the sparse index forgets it); an event already gone (TTL) is left alone."""
    try:
        EventModel(event_id).update(actions=[EventModel.unpublished.remove()], condition=EventModel.id.exists())
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def unpublished_before(before: datetime, limit: int) -> list[Event]:
    """Oldest first, from the sparse index: only the events not yet published."""
    query = EventModel.unpublished_index.query(
        UNPUBLISHED, EventModel.created_at < clock.iso(before), limit=limit, page_size=min(limit, 500)
    )
    return [to_event(item) for item in query]
