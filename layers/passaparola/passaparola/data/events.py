"""The events table (the outbox): put in a transaction, read by id or by hour, marked published."""

import json
from datetime import UTC, datetime, timedelta

from pynamodb.transactions import TransactWrite

from passaparola.data.models import EventModel
from passaparola.events.types import Event
from passaparola.settings import get_settings

UNPUBLISHED = "1"


def _item(event: Event) -> EventModel:
    created = datetime.fromisoformat(event.created_at.replace("Z", "+00:00")).astimezone(UTC)
    expires = created + timedelta(days=get_settings().event_retention_days)
    return EventModel(
        event.id,
        type=event.type,
        version=event.version,
        created_at=event.created_at,
        hour=event.created_at[:13],
        customer_id=event.customer_id,
        data=json.dumps(event.data, separators=(",", ":")),
        unpublished=UNPUBLISHED,
        expires_at=int(expires.timestamp()),
    )


def put(tx: TransactWrite, event: Event) -> None:
    """One Put more in the caller's transaction (ids are unique: no condition needed)."""
    tx.save(_item(event))


def put_now(event: Event) -> None:
    _item(event).save()


def to_event(item: EventModel) -> Event:
    return Event(
        id=item.id,
        type=item.type,
        version=int(item.version),
        created_at=item.created_at,
        customer_id=item.customer_id,
        data=json.loads(item.data),
    )
