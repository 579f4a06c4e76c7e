"""A customer's referral rewards and the append-only rewards ledger."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from passaparola.api.app import Api, handler
from passaparola.api.params import AnyCustomerIdPath
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


lambda_handler = handler(app)
