"""A customer's referral rewards and the append-only rewards ledger; rewards and points ledger lines across
customers for accounting (JSON or CSV); the monthly payouts of cash rewards."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import AwareDatetime

from passaparola.api.app import Api, handler
from passaparola.api.exports import ExportLimit, Format, csv_answer, csv_or_json, json_answer, page_size
from passaparola.api.params import AnyCustomerIdPath
from passaparola.exports import accounting, rows
from passaparola.loyalty.models import PointsLedgerPage
from passaparola.payouts import service as payouts
from passaparola.payouts.models import PAYOUT_ID_PATTERN, PaidRequest, Payout, PayoutList, Period
from passaparola.referrals import rewards
from passaparola.referrals.models import LedgerPage, RewardPage

app = Api()
CustomerId = AnyCustomerIdPath
Status = Annotated[Literal["pending", "released", "voided", "reversed"] | None, Query()]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]


@app.get("/v1/customers/<customer_id>/rewards", summary="A customer's rewards, newest first", tags=["rewards"])
def list_rewards(
    customer_id: CustomerId, status: Status = None, limit: Limit = 100, cursor: Cursor = None
) -> RewardPage:
    return rewards.of_customer(customer_id, status, limit, cursor)


@app.get(
    "/v1/customers/<customer_id>/rewards/ledger", summary="A customer's rewards ledger, oldest first", tags=["rewards"]
)
def ledger(customer_id: CustomerId, limit: Limit = 100, cursor: Cursor = None) -> LedgerPage:
    return rewards.ledger(customer_id, limit, cursor)


Since = Annotated[AwareDatetime, Query(description="From this instant (inclusive), ISO-8601 with an offset.")]
Until = Annotated[
    AwareDatetime | None,
    Query(description="Up to this instant (exclusive; default now); at most 366 days after since."),
]


@app.get(
    "/v1/rewards",
    summary="Rewards of every customer created in a time range, oldest first (accounting); JSON or CSV",
    tags=["rewards"],
    responses=csv_or_json(RewardPage, rows.REWARD_COLUMNS),
)
def all_rewards(
    since: Since,
    until: Until = None,
    status: Status = None,
    limit: ExportLimit = None,
    cursor: Cursor = None,
    format: Format = "json",
) -> Response[str]:
    page = accounting.rewards(since, until, status, page_size(format, limit, 100, 1000), cursor)
    if format == "csv":
        return csv_answer(rows.REWARD_COLUMNS, map(rows.reward, page.items), page.next_cursor)
    return json_answer(page)


@app.get(
    "/v1/points/ledger",
    summary="Points ledger lines of every customer in a time range, oldest first (accounting); JSON or CSV",
    tags=["loyalty"],
    responses=csv_or_json(PointsLedgerPage, rows.LEDGER_COLUMNS),
)
def all_points(
    since: Since, until: Until = None, limit: ExportLimit = None, cursor: Cursor = None, format: Format = "json"
) -> Response[str]:
    page = accounting.points_ledger(since, until, page_size(format, limit, 100, 1000), cursor)
    if format == "csv":
        return csv_answer(rows.LEDGER_COLUMNS, map(rows.ledger_line, page.items), page.next_cursor)
    return json_answer(page)


@app.get(
    "/v1/payouts",
    summary="The payouts of a month: one per referrer and currency, for the cash rewards released in it",
    tags=["payouts"],
    responses={
        200: {
            "description": "The payouts (JSON), or with `format=csv` one CSV row each and a `total` row per currency.",
            "content": {
                "application/json": {"model": PayoutList},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
def list_payouts(
    period: Annotated[Period, Query()],
    format: Annotated[Literal["json", "csv"], Query(description="`csv` for a spreadsheet.")] = "json",
) -> Response[str]:
    found = payouts.of_period(period)
    if format == "csv":
        return Response(200, "text/csv; charset=utf-8", payouts.to_csv(found))
    return Response(200, "application/json", found.model_dump_json())


@app.post("/v1/payouts/<payout_id>/paid", summary="Mark a payout settled (once)", tags=["payouts"])
def mark_paid(
    payout_id: Annotated[str, Path(pattern=PAYOUT_ID_PATTERN)], body: Annotated[PaidRequest, Body()]
) -> Payout:
    return payouts.mark_paid(payout_id, body.reference)


lambda_handler = handler(app)
