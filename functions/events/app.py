"""Events, oldest first, and one event by id (secret key, owner or marketer): what a consumer uses to catch up."""

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from passaparola.api.app import Api, handler
from passaparola.events import service
from passaparola.events.types import Event, EventPage, EventType

app = Api()
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]
CustomerId = Annotated[str | None, Query(max_length=128, description="Only this customer's events.")]
TypeFilter = Annotated[EventType | None, Query(description="Only events of this type.")]
Since = Annotated[datetime | None, Query(description="From this instant (inclusive); default: a day before until.")]
Until = Annotated[datetime | None, Query(description="Up to this instant (exclusive); default: now. At most 31 days.")]
EventId = Annotated[str, Path(max_length=64, description="The event's id (evt_...).")]


@app.get(
    "/v1/events",
    summary="Events in a time range, oldest first (a page may be short: follow next_cursor until it is null)",
    tags=["events"],
)
def list_events(
    type: TypeFilter = None,  # noqa: A002 - the contract's parameter name
    customer_id: CustomerId = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> EventPage:
    return service.page(type, customer_id, since, until, limit, cursor)


@app.get("/v1/events/<event_id>", summary="One event by id", tags=["events"])
def get_event(event_id: EventId) -> Event:
    return service.get(event_id)


lambda_handler = handler(app)
