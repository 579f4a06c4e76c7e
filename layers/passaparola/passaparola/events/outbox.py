"""The outbox: an event is one more Put in the transaction of the change it reports (docs/integrations.md).

The change and its event commit or fail together; EventPublishFunction publishes it from the table's stream,
EventRepublishFunction whatever is still unpublished, so a failed publish loses nothing."""

from datetime import datetime
from typing import Any

from pynamodb.transactions import TransactWrite

from passaparola import clock
from passaparola.data import events as store
from passaparola.events.types import TYPES, Event, EventData
from passaparola.ids import new_ulid


def build(
    event_type: str, data: EventData | dict[str, Any], customer_id: str | None = None, at: datetime | None = None
) -> Event:
    """The event, its data checked against its type's model (an unknown type or field is a bug: ValueError)."""
    if event_type not in TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    version, model = TYPES[event_type]
    checked = data if isinstance(data, model) else model.model_validate(data)
    when = at or clock.now()
    return Event(
        id="evt_" + new_ulid(int(when.timestamp() * 1000)),
        type=event_type,
        version=version,
        created_at=clock.iso(when),
        customer_id=customer_id,
        data=checked.model_dump(mode="json", by_alias=True),
    )


def record(
    tx: TransactWrite,
    event_type: str,
    data: EventData | dict[str, Any],
    *,
    customer_id: str | None = None,
    at: datetime | None = None,
) -> str:
    """Add the event's Put to the caller's transaction; the event id."""
    event = build(event_type, data, customer_id, at)
    store.put(tx, event)
    return event.id


def record_now(
    event_type: str, data: EventData | dict[str, Any], *, customer_id: str | None = None, at: datetime | None = None
) -> str:
    """Record a fact that has no transaction of its own (one PutItem); the event id."""
    event = build(event_type, data, customer_id, at)
    store.put_now(event)
    return event.id
