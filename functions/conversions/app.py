"""Conversion tracking: orders and custom events (attribution, fraud rules, rewards), and refunds."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from passaparola.api.app import Api, handler
from passaparola.referrals import conversions, refunds
from passaparola.referrals.models import (
    EventConversionRequest,
    OrderOutcome,
    OrderRequest,
    RefundOutcome,
    RefundRequest,
)

app = Api()
OrderId = Annotated[str, Path(min_length=1, max_length=128)]
REPLAY: OpenAPIResponse = {
    "description": "Already reported: the first answer, unchanged.",
    "content": {"application/json": {"model": OrderOutcome}},
}


@app.post(
    "/v1/orders",
    summary="Report an order: attribute it, apply the fraud rules, issue or hold rewards, redeem its coupon",
    tags=["conversions"],
    responses={
        201: {"description": "Recorded.", "content": {"application/json": {"model": OrderOutcome}}},
        200: REPLAY,
    },
)
def create_order(request: OrderRequest) -> tuple[OrderOutcome, int]:
    return reported(conversions.record_order(request))


def reported(result: tuple[OrderOutcome, bool]) -> tuple[OrderOutcome, int]:
    """201 when this call recorded the order (or event), 200 when it had been reported already."""
    outcome, created = result
    return outcome, 201 if created else 200


# the key's record rides the order's (the refund's, the event's) transaction: no round trip of its own
app.idempotent_in_transaction("POST /v1/orders", reported)


@app.get("/v1/orders/<order_id>", summary="What reporting an order did", tags=["conversions"])
def get_order(order_id: OrderId) -> OrderOutcome:
    return conversions.get_order(order_id)


@app.post("/v1/orders/<order_id>/refund", summary="Refund an order, fully or partly", tags=["conversions"])
def refund(order_id: OrderId, request: RefundRequest) -> RefundOutcome:
    return refunds.refund(order_id, request)


app.idempotent_in_transaction("POST /v1/orders/{order_id}/refund", lambda outcome: (outcome, 200))


@app.post(
    "/v1/referrals/events",
    summary="Report a custom conversion event (programs whose conversion is not an order)",
    tags=["conversions"],
    responses={
        201: {"description": "Recorded.", "content": {"application/json": {"model": OrderOutcome}}},
        200: REPLAY,
    },
)
def create_event(request: EventConversionRequest) -> tuple[OrderOutcome, int]:
    return reported(conversions.record_event(request))


app.idempotent_in_transaction("POST /v1/referrals/events", reported)


lambda_handler = handler(app)
