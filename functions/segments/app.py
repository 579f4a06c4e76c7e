"""Segments: the built-in and custom ones, their members, and the feed of entries and exits."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import AwareDatetime

from passaparola.api.app import Api, handler
from passaparola.customers.models import (
    Segment,
    SegmentChangePage,
    SegmentCreate,
    SegmentList,
    SegmentMemberPage,
    SegmentSizes,
)
from passaparola.segments import service

app = Api()
Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]
Days = Annotated[
    int, Query(json_schema_extra={"enum": [7, 30, 90]}, description="The window: the last 7, 30 or 90 shop-local days.")
]


@app.get("/v1/segments", summary="Built-in and custom segments with member counts", tags=["segments"])
def list_segments() -> SegmentList:
    return service.list_all()


@app.post(
    "/v1/segments",
    summary="Define a custom segment",
    tags=["segments"],
    responses={201: {"description": "Created.", "content": {"application/json": {"model": Segment}}}},
)
def create(body: SegmentCreate) -> tuple[Segment, int]:
    return service.create(body), 201


@app.get(
    "/v1/segments/sizes",
    summary="Every segment's size at the end of each day of the last 7, 30 or 90 days",
    tags=["segments"],
)
def sizes(days: Days = 30) -> SegmentSizes:
    return service.sizes(days)


@app.get(
    "/v1/segments/changes", summary="Entries and exits since a time, oldest first (kept 35 days)", tags=["segments"]
)
def changes(
    since: Annotated[AwareDatetime, Query(description="ISO-8601 with an offset, e.g. 2026-11-01T00:00:00Z")],
    limit: Limit = 100,
    cursor: Cursor = None,
) -> SegmentChangePage:
    return service.changes(since, limit, cursor)


@app.delete("/v1/segments/<name>", summary="Remove a custom segment", tags=["segments"])
def delete(name: Name) -> dict[str, str]:
    service.delete(name)
    return {"deleted": name}


@app.get("/v1/segments/<name>/customers", summary="A segment's members, paginated", tags=["segments"])
def members(name: Name, limit: Limit = 100, cursor: Cursor = None) -> SegmentMemberPage:
    return service.members(name, limit, cursor)


lambda_handler = handler(app)
