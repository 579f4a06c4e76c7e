"""The events table (the outbox): put in a transaction, read by id or by hour, marked published."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.transactions import TransactWrite

from passaparola import clock
from passaparola.data.models.events import EventModel
from passaparola.events.types import Event
from passaparola.settings import get_settings

UNPUBLISHED = "1"
BATCH_ID_LENGTH = 30
"""`evt_` and the batch's 26-char ULID; an event's id adds its 2-digit index in the batch."""
MAX_EVENTS = 100


def batch_of(event_id: str) -> tuple[str, int] | None:
    """(the batch item's id, the event's index in it), or None for an id of another shape."""
    batch, index = event_id[:BATCH_ID_LENGTH], event_id[BATCH_ID_LENGTH:]
    if not (event_id.startswith("evt_") and len(index) == 2 and index.isdigit()):
        return None
    return batch, int(index)


def _attributes(events: list[Event]) -> dict[str, Any]:
    created = datetime.fromisoformat(events[0].created_at.replace("Z", "+00:00")).astimezone(UTC)
    expires = created + timedelta(days=get_settings().event_retention_days)
    customers = {e.customer_id for e in events if e.customer_id}
    return {
        "created_at": events[0].created_at,
        "hour": events[0].created_at[:13],
        "types": {e.type for e in events},
        "customer_ids": customers or None,
        "events": json.dumps([e.model_dump(mode="json") for e in events], separators=(",", ":")),
        "unpublished": UNPUBLISHED,
        "expires_at": int(expires.timestamp()),
    }


class Batch:
    """The events of one TransactWrite, kept in the one Put the transaction already holds.

    The first event adds the Put; each later one rewrites that Put's serialised request in place (pynamodb
    serialises at save() and keeps the dict until commit), so the transaction's items keep their positions."""

    def __init__(self, tx: TransactWrite, batch_id: str) -> None:
        self.id = batch_id
        self.events: list[Event] = []
        self._tx = tx
        self._request: dict[str, Any] | None = None

    def add_event(self, event: Event) -> None:
        if len(self.events) >= MAX_EVENTS:
            raise ValueError(f"a transaction records at most {MAX_EVENTS} events")
        self.events.append(event)
        if self._request is None:
            self._tx.save(EventModel(self.id, **_attributes(self.events)))
            self._request = self._tx._put_items[-1]
            return
        request = EventModel(self.id, **_attributes(self.events)).get_save_kwargs_from_instance()
        self._request.clear()
        self._request.update(request)


def put_now(batch_id: str, events: list[Event]) -> None:
    EventModel(batch_id, **_attributes(events)).save()


def to_events(item: EventModel) -> list[Event]:
    return [Event.model_validate(e) for e in json.loads(item.events)]


def mark_published(batch_id: str) -> None:
    """Remove `unpublished` (the sparse index forgets it); a batch already gone (TTL) is left alone."""
    try:
        EventModel(batch_id).update(actions=[EventModel.unpublished.remove()], condition=EventModel.id.exists())
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def unpublished_before(before: datetime, limit: int) -> list[Event]:
    """Oldest first, from the sparse index: the events of the batches not yet published (about `limit` events)."""
    query = EventModel.unpublished_index.query(
        UNPUBLISHED, EventModel.created_at < clock.iso(before), page_size=min(limit, 500)
    )
    found: list[Event] = []
    for item in query:
        found += to_events(item)
        if len(found) >= limit:
            break
    return found


def get(event_id: str) -> Event | None:
    """One GetItem: the batch named by the id's first part, then the event at its index."""
    key = batch_of(event_id)
    if key is None:
        return None
    try:
        events = to_events(EventModel.get(key[0]))
    except DoesNotExist:
        return None
    return next((e for e in events if e.id == event_id), None)


MAX_HOURS_PER_PAGE = 72
"""Hours (index partitions) one page reads at most: a sparse range answers a short page and a cursor, not a long wait."""


def range_page(
    start: str, end: str, after_id: str, limit: int, event_type: str | None, customer_id: str | None
) -> tuple[list[Event], tuple[str, str] | None]:
    """Events with `start` <= created_at < `end` (UTC ISO), oldest first, from the by_hour index, hour by hour.

    `after_id` skips what a previous page answered at `start` itself. A page ends at `limit` events (never inside a
    run of events of the same millisecond, whose order the index does not keep) or after MAX_HOURS_PER_PAGE hours;
    the cursor is then (created_at, id) to continue from."""
    found: list[Event] = []
    hour = datetime.fromisoformat(start[:13] + ":00:00+00:00")
    last_hour = (datetime.fromisoformat(end.replace("Z", "+00:00")) - timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H")
    scanned = 0
    condition = None
    if event_type:
        condition = EventModel.types.contains(event_type)
    if customer_id:
        by_customer = EventModel.customer_ids.contains(customer_id)
        condition = by_customer if condition is None else condition & by_customer

    def wanted(event: Event) -> bool:
        return (not event_type or event.type == event_type) and (not customer_id or event.customer_id == customer_id)

    while hour.strftime("%Y-%m-%dT%H") <= last_hour:
        key = hour.strftime("%Y-%m-%dT%H")
        low = max(start, key + ":00:00.000Z")
        taken: list[Event] = []
        for item in EventModel.by_hour.query(
            key,
            EventModel.created_at.between(low, key + ":59:59.999Z"),
            filter_condition=condition,
            page_size=min(max(limit, 25), 500),
        ):
            if item.created_at >= end:
                continue
            events = [e for e in to_events(item) if wanted(e) and not (e.created_at == start and e.id <= after_id)]
            if taken and len(found) + len(taken) >= limit and item.created_at != taken[-1].created_at:
                taken.sort(key=lambda e: (e.created_at, e.id))
                found.extend(taken)
                return found, (found[-1].created_at, found[-1].id)
            taken.extend(events)
        taken.sort(key=lambda e: (e.created_at, e.id))
        found.extend(taken)
        hour += timedelta(hours=1)
        scanned += 1
        more = hour.strftime("%Y-%m-%dT%H") <= last_hour
        if more and len(found) >= limit:
            return found, (found[-1].created_at, found[-1].id)
        if more and scanned >= MAX_HOURS_PER_PAGE:
            return found, (clock.iso(hour), "")
    return found, None
