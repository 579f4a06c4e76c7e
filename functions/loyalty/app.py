"""Loyalty: the wallet, customer tokens, buying rewards with points, the points ledger, the enrollment QR."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from passaparola.api.app import Api, customer_token, handler, public_base_url
from passaparola.api.openapi import media
from passaparola.api.params import CustomerIdPath
from passaparola.coupons.qr import qr_svg
from passaparola.loyalty import service
from passaparola.loyalty.models import (
    CustomerToken,
    LoyaltyRedemption,
    PointsAdjustment,
    PointsAdjustmentRequest,
    PointsLedgerPage,
    RedeemLoyaltyReward,
    TokenRequest,
    TokensRevoked,
    Wallet,
)

app = Api(browser_routes={"GET /v1/me/wallet"}, public_routes={"GET /l/{campaign_id}/qr"})
CustomerId = CustomerIdPath
CampaignId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]


@app.get(
    "/v1/customers/<customer_id>/wallet", summary="Points, tier, rewards, referral link and coupons", tags=["loyalty"]
)
def wallet(customer_id: CustomerId) -> Wallet:
    return service.wallet(customer_id, public_base_url(app))


@app.get(
    "/v1/me/wallet", summary="The signed-in shopper's wallet (publishable key + X-Customer-Token)", tags=["loyalty"]
)
def my_wallet() -> Wallet:
    claim = customer_token(app, required=True)
    assert claim is not None
    return service.wallet(claim.customer_id, public_base_url(app), token_epoch=claim.epoch)


@app.post(
    "/v1/customers/<customer_id>/token",
    summary="A signed customer token for the storefront",
    tags=["loyalty"],
    responses={201: {"description": "Issued.", "content": {"application/json": {"model": CustomerToken}}}},
)
def token(customer_id: CustomerId, body: TokenRequest | None = None) -> tuple[CustomerToken, int]:
    return service.token(customer_id, (body or TokenRequest()).ttl_seconds), 201


@app.post(
    "/v1/customers/<customer_id>/tokens/revoke",
    summary="Revoke every customer token issued to this customer so far",
    tags=["loyalty"],
)
def revoke_tokens(customer_id: CustomerId) -> TokensRevoked:
    return service.revoke_tokens(customer_id)


@app.post(
    "/v1/customers/<customer_id>/rewards",
    summary="Spend points on a catalogue reward",
    tags=["loyalty"],
    responses={201: {"description": "Redeemed.", "content": {"application/json": {"model": LoyaltyRedemption}}}},
)
def redeem(customer_id: CustomerId, body: RedeemLoyaltyReward) -> tuple[LoyaltyRedemption, int]:
    return service.redeem(customer_id, body.reward_id), 201


@app.post(
    "/v1/customers/<customer_id>/points/adjustments",
    summary="Add or take points by hand, with a reason (an `adjustment` ledger line)",
    tags=["loyalty"],
    responses={201: {"description": "Adjusted.", "content": {"application/json": {"model": PointsAdjustment}}}},
)
def adjust(customer_id: CustomerId, body: PointsAdjustmentRequest) -> tuple[PointsAdjustment, int]:
    return service.adjust(customer_id, body.points, body.reason), 201


@app.get("/v1/customers/<customer_id>/points/ledger", summary="The points ledger, oldest first", tags=["loyalty"])
def ledger(customer_id: CustomerId, limit: Limit = 100, cursor: Cursor = None) -> PointsLedgerPage:
    return service.ledger(customer_id, limit, cursor)


@app.get(
    "/l/<campaign_id>/qr",
    summary="A QR image (SVG) of the loyalty program's enrollment link",
    tags=["loyalty"],
    responses={200: media("The QR code.", "image/svg+xml")},
)
def enrollment_qr(campaign_id: CampaignId) -> Response[str]:
    return Response(
        200, "image/svg+xml", qr_svg(service.enrollment_target(campaign_id)), {"Cache-Control": "max-age=3600"}
    )


lambda_handler = handler(app)
