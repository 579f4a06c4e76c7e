"""Segments: the built-in and custom ones, their members, and the feed of entries and exits."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import AwareDatetime

from passaparola.api.app import Api, handler
from passaparola.api.exports import ExportLimit, Format, csv_answer, csv_or_json, json_answer, page_size
from passaparola.customers.models import (
    Segment,
    SegmentChangePage,
    SegmentCreate,
    SegmentList,
    SegmentMemberPage,
    SegmentSizes,
)
from passaparola.exports import rows
from passaparola.segments import service

app = Api()
Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
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
    "/v1/segments/changes",
    summary="Entries and exits since a time, oldest first (kept 35 days); JSON or CSV",
    tags=["segments"],
    responses=csv_or_json(SegmentChangePage, rows.CHANGE_COLUMNS),
)
def changes(
    since: Annotated[AwareDatetime, Query(description="ISO-8601 with an offset, e.g. 2026-11-01T00:00:00Z")],
    limit: ExportLimit = None,
    cursor: Cursor = None,
    format: Format = "json",
) -> Response[str]:
    page = service.changes(since, page_size(format, limit, 100, 1000), cursor)
    if format == "csv":
        return csv_answer(rows.CHANGE_COLUMNS, map(rows.change, page.items), page.next_cursor)
    return json_answer(page)


@app.delete("/v1/segments/<name>", summary="Remove a custom segment", tags=["segments"])
def delete(name: Name) -> dict[str, str]:
    service.delete(name)
    return {"deleted": name}


@app.get(
    "/v1/segments/<name>/customers",
    summary="A segment's members, paginated; as CSV with the profile a marketing tool imports",
    tags=["segments"],
    responses=csv_or_json(SegmentMemberPage, rows.MEMBER_COLUMNS),
)
def members(name: Name, limit: ExportLimit = None, cursor: Cursor = None, format: Format = "json") -> Response[str]:
    page = service.members(name, page_size(format, limit, 100, 1000), cursor)
    if format == "csv":
        records = service.member_records([m.customer_id for m in page.items])
        lines = (rows.member(m, records.get(m.customer_id)) for m in page.items)
        return csv_answer(rows.MEMBER_COLUMNS, lines, page.next_cursor)
    return json_answer(page)


lambda_handler = handler(app)
