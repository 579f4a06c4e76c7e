"""`?format=csv` on a listing: the same rows as its JSON, as CSV, one page per call (docs/integrations.md).

The next page's cursor travels in the `X-Next-Cursor` header (absent on the last page), so the body is only rows;
CSV pages are larger (default 1000, at most 5000) than JSON ones, whose limits stay what they were.
"""

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from passaparola.errors import InvalidRequest
from passaparola.exports import csvfile

CSV_TYPE = "text/csv; charset=utf-8"
CSV_DEFAULT_LIMIT = 1000
CSV_MAX_LIMIT = 5000
NEXT_CURSOR = "X-Next-Cursor"

Format = Annotated[
    Literal["json", "csv"],
    Query(description="`csv`: the rows as CSV (a header row; the next page's cursor in the X-Next-Cursor header)."),
]
ExportLimit = Annotated[
    int | None,
    Query(
        ge=1,
        le=CSV_MAX_LIMIT,
        description="Page size. CSV: default 1000, at most 5000. JSON: the listing's own default and maximum "
        "(100 and 1000; a campaign's redemptions 50 and 100); more is 400 invalid_request.",
    ),
]


def page_size(fmt: str, limit: int | None, json_default: int, json_max: int) -> int:
    """The page size asked for, refused (400) when a JSON page would be larger than it ever was."""
    if fmt == "csv":
        return limit or CSV_DEFAULT_LIMIT
    if limit is not None and limit > json_max:
        raise InvalidRequest(
            f"limit is at most {json_max} for JSON (at most {CSV_MAX_LIMIT} with format=csv).",
            {"fields": [{"field": "limit", "message": f"at most {json_max}", "type": "less_than_equal"}]},
        )
    return limit or json_default


def csv_answer(header: Sequence[str], rows: Iterable[Sequence[csvfile.Cell]], next_cursor: str | None) -> Response[str]:
    headers = {NEXT_CURSOR: next_cursor} if next_cursor else {}
    return Response(200, CSV_TYPE, csvfile.write(header, rows), headers | {"Cache-Control": "no-store"})


def json_answer(page: BaseModel) -> Response[str]:
    return Response(200, "application/json", page.model_dump_json(by_alias=True))


def csv_or_json(model: type[BaseModel], header: Sequence[str]) -> dict[int, OpenAPIResponse]:
    """The 200 of a listing that answers both: its JSON model, or CSV with these columns."""
    content: dict[str, Any] = {
        "application/json": {"model": model},
        "text/csv": {"schema": {"type": "string", "description": "Columns: " + ",".join(header)}},
    }
    return {
        200: {
            "description": f"A page: JSON, or with format=csv CSV (the next page's cursor in {NEXT_CURSOR}).",
            "content": content,
            "headers": {
                NEXT_CURSOR: {
                    "description": "CSV: the cursor of the next page (absent on the last page).",
                    "schema": {"type": "string"},
                }
            },
        }
    }
