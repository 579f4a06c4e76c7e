"""A customer's referral rewards and the append-only rewards ledger; the monthly payouts of cash rewards."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from passaparola.api.app import Api, handler
from passaparola.api.params import AnyCustomerIdPath
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
