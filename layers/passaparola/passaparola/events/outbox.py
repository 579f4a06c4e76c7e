"""The outbox: the events of a transaction are ONE more Put in it, whatever their number (docs/integrations.md).

The change and its events commit or fail together; EventPublishFunction publishes it from the table's stream,
EventRepublishFunction whatever is still unpublished, so a failed publish loses nothing."""

from datetime import datetime
from typing import Any

from pynamodb.transactions import TransactWrite

from passaparola import clock
from passaparola.data import events as store
from passaparola.events.types import TYPES, Event, EventData
from passaparola.ids import new_ulid


def build(
    event_type: str,
    data: EventData | dict[str, Any],
    customer_id: str | None = None,
    at: datetime | None = None,
    *,
    event_id: str | None = None,
) -> Event:
    """The event, its data checked against its type's model (an unknown type or field is a bug: ValueError)."""
    if event_type not in TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    version, model = TYPES[event_type]
    checked = data if isinstance(data, model) else model.model_validate(data)
    when = at or clock.now()
    return Event(
        id=event_id or new_batch_id(when) + "00",
        type=event_type,
        version=version,
        created_at=clock.iso(when),
        customer_id=customer_id,
        data=checked.model_dump(mode="json", by_alias=True),
    )


def new_batch_id(at: datetime) -> str:
    """`evt_<ULID>`: unique, sorts by time (ids made in one process sort in the order they were made)."""
    return "evt_" + new_ulid(int(at.timestamp() * 1000))


_BATCH = "_passaparola_events"


def record(
    tx: TransactWrite,
    event_type: str,
    data: EventData | dict[str, Any],
    *,
    customer_id: str | None = None,
    at: datetime | None = None,
) -> str:
    """Add the event to the transaction's one events item; the event id (`<batch id><2-digit index>`).

    The events of a transaction share its first event's created_at (one instant: the moment of the change)."""
    batch: store.Batch | None = getattr(tx, _BATCH, None)
    if batch is None:
        when = at or clock.now()
        batch = store.Batch(tx, new_batch_id(when))
        setattr(tx, _BATCH, batch)
    else:
        when = datetime.fromisoformat(batch.events[0].created_at.replace("Z", "+00:00"))
    event = build(event_type, data, customer_id, when, event_id=f"{batch.id}{len(batch.events):02d}")
    batch.add_event(event)
    return event.id


def record_now(
    event_type: str, data: EventData | dict[str, Any], *, customer_id: str | None = None, at: datetime | None = None
) -> str:
    """Record a fact that has no transaction of its own (one PutItem of a batch of one); the event id."""
    when = at or clock.now()
    batch_id = new_batch_id(when)
    event = build(event_type, data, customer_id, when, event_id=batch_id + "00")
    store.put_now(batch_id, [event])
    return event.id
