"""Domain events and their outbox (events table)."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from passaparola.data.models import register


class EventsByHourIndex(GlobalSecondaryIndex["EventModel"]):
    class Meta:
        index_name = "by_hour"
        projection = AllProjection()

    hour = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class UnpublishedEventsIndex(GlobalSecondaryIndex["EventModel"]):
    class Meta:
        index_name = "unpublished"
        projection = AllProjection()

    unpublished = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class EventModel(Model):
    """The events one transaction recorded (`id=evt_<ULID>`, the batch): written with the change they report in ONE
    Put, published from the stream; `unpublished="1"` (sparse index) until the publisher removed it. An event's id
    is the batch id and its 2-digit index. docs/integrations.md, "Events"."""

    class Meta:
        table_name = "passaparola-events"

    id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute()
    """UTC ISO with milliseconds (`2026-12-07T09:30:00.123Z`), the same for every event of the batch: sorts as time."""
    hour = UnicodeAttribute()
    """`YYYY-MM-DDTHH` of created_at: the by_hour index's partition."""
    types = UnicodeSetAttribute()
    """The types of the batch's events (filter expressions of GET /v1/events)."""
    customer_ids = UnicodeSetAttribute(null=True)
    events = UnicodeAttribute()
    """JSON list of the events' envelopes (docs/events/*.json), in the order they were recorded."""
    unpublished = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()
    by_hour = EventsByHourIndex()
    unpublished_index = UnpublishedEventsIndex()


register(EventModel, "events_table")
