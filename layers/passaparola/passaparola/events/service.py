"""Reading events back (GET /v1/events, /v1/events/{id}): what a consumer uses to catch up after an outage."""

import base64
import json
from datetime import UTC, datetime, timedelta

from passaparola import clock
from passaparola.data import events as store
from passaparola.errors import InvalidRequest, NotFound
from passaparola.events.types import Event, EventPage

MAX_RANGE = timedelta(days=31)
DEFAULT_RANGE = timedelta(days=1)


def get(event_id: str) -> Event:
    event = store.get(event_id) if event_id.startswith("evt_") else None
    if event is None:
        raise NotFound("No such event (or it expired).", {"event_id": event_id})
    return event


def page(
    event_type: str | None,
    customer_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
) -> EventPage:
    """Oldest first within [since, until): until defaults to now, since to a day before until; at most 31 days."""
    end = _utc(until) if until else clock.now()
    start = _utc(since) if since else end - DEFAULT_RANGE
    if start >= end:
        raise InvalidRequest("since must be before until.", {"field": "since"})
    if end - start > MAX_RANGE:
        raise InvalidRequest("A range spans at most 31 days.", {"field": "since", "max_days": 31})
    start_iso, after_id = clock.iso(start), ""
    if cursor:
        start_iso, after_id = _decode(cursor, clock.iso(start), clock.iso(end))
    items, last = store.range_page(start_iso, clock.iso(end), after_id, limit, event_type, customer_id)
    return EventPage(items=items, next_cursor=_encode(last) if last else None)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _encode(position: tuple[str, str]) -> str:
    raw = json.dumps({"t": position[0], "id": position[1]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, start: str, end: str) -> tuple[str, str]:
    """(created_at, id) to continue from; refused unless it lies within this request's range."""
    invalid = InvalidRequest("The cursor is not valid for this listing.", {"field": "cursor"})
    try:
        value = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except ValueError as exc:
        raise invalid from exc
    if not isinstance(value, dict) or set(value) != {"t", "id"}:
        raise invalid
    position, event_id = value["t"], value["id"]
    if not (isinstance(position, str) and isinstance(event_id, str) and len(event_id) <= 64):
        raise invalid
    if not start <= position < end:
        raise invalid
    return position, event_id
