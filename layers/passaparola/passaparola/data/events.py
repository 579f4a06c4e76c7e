"""The events table (the outbox): put in a transaction, read by id or by hour, marked published."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
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


def get(event_id: str) -> Event | None:
    try:
        return to_event(EventModel.get(event_id))
    except DoesNotExist:
        return None


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
        condition = EventModel.type == event_type
    if customer_id:
        by_customer = EventModel.customer_id == customer_id
        condition = by_customer if condition is None else condition & by_customer
    while hour.strftime("%Y-%m-%dT%H") <= last_hour:
        key = hour.strftime("%Y-%m-%dT%H")
        low = max(start, key + ":00:00.000Z")
        taken: list[EventModel] = []
        for item in EventModel.by_hour.query(
            key,
            EventModel.created_at.between(low, key + ":59:59.999Z"),
            filter_condition=condition,
            page_size=min(max(limit, 25), 500),
        ):
            if item.created_at >= end or (item.created_at == start and item.id <= after_id):
                continue
            if len(found) + len(taken) >= limit and item.created_at != taken[-1].created_at:
                taken.sort(key=lambda i: (i.created_at, i.id))
                found.extend(to_event(i) for i in taken)
                return found, (found[-1].created_at, found[-1].id)
            taken.append(item)
        taken.sort(key=lambda i: (i.created_at, i.id))
        found.extend(to_event(i) for i in taken)
        hour += timedelta(hours=1)
        scanned += 1
        more = hour.strftime("%Y-%m-%dT%H") <= last_hour
        if more and len(found) >= limit:
            return found, (found[-1].created_at, found[-1].id)
        if more and scanned >= MAX_HOURS_PER_PAGE:
            return found, (clock.iso(hour), "")
    return found, None
