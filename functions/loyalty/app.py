"""Loyalty: the wallet, customer tokens, buying rewards with points, the points ledger, the enrollment QR, and the
shopper's routes of the storefront panel (the program explained, spending points, activity, the referral card)."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from passaparola.api.app import Api, customer_token, handler, public_base_url, text_body
from passaparola.api.openapi import error_responses, media
from passaparola.api.params import CustomerIdPath
from passaparola.coupons.qr import qr_svg
from passaparola.loyalty import imports, service
from passaparola.loyalty.models import (
    CustomerToken,
    ImportReport,
    LoyaltyRedemption,
    PointsAdjustment,
    PointsAdjustmentRequest,
    PointsLedgerPage,
    RedeemLoyaltyReward,
    TokenRequest,
    TokensRevoked,
    Wallet,
)
from passaparola.shopper import service as shopper
from passaparola.shopper.models import MyReferral, PublicProgram

app = Api(
    browser_routes={
        "GET /v1/me/wallet",
        "GET /v1/program",
        "POST /v1/me/rewards",
        "GET /v1/me/points/ledger",
        "POST /v1/me/referral",
    },
    public_routes={"GET /l/{campaign_id}/qr"},
    text_routes={"POST /v1/points/imports": "text/csv"},
)
CustomerId = CustomerIdPath
CampaignId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]
Order = Annotated[Literal["oldest", "newest"], Query(description="oldest first (default) or newest first.")]
Locale = Annotated[
    str | None,
    Query(max_length=35, pattern=r"^([A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*)?$", description="it, es, ro, fr, de, en"),
]


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


@app.post(
    "/v1/points/imports",
    summary="Import points balances from a CSV (`customer_id,email,points,reason`), idempotent per name and customer",
    tags=["loyalty"],
)
def import_points(
    name: Annotated[
        str,
        Query(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9_.-]+$",
            description="The import's name: a row is applied once per name and customer, however often it is sent.",
        ),
    ],
) -> ImportReport:
    return imports.run(name, text_body(app))


@app.get("/v1/customers/<customer_id>/points/ledger", summary="The points ledger, oldest first", tags=["loyalty"])
def ledger(
    customer_id: CustomerId, limit: Limit = 100, cursor: Cursor = None, order: Order = "oldest"
) -> PointsLedgerPage:
    return service.ledger(customer_id, limit, cursor, order)


# ------------------------------------------------------------- the shopper's routes (publishable key, docs/shopper.md)


@app.get(
    "/v1/program",
    summary="The shop's programs explained to a shopper, in their language (publishable key)",
    tags=["shopper"],
    responses={200: {"description": "The programs.", "content": {"application/json": {"model": PublicProgram}}}},
)
def public_program(locale: Locale = None) -> Response[str]:
    body = shopper.program(locale).model_dump_json()
    return Response(200, "application/json", body, {"Cache-Control": "public, max-age=60", "Vary": "Origin"})


@app.post(
    "/v1/me/rewards",
    summary="Spend the signed-in shopper's points on a catalogue reward (publishable key + X-Customer-Token)",
    tags=["shopper"],
    responses={201: {"description": "Redeemed.", "content": {"application/json": {"model": LoyaltyRedemption}}}},
)
def my_redeem(body: RedeemLoyaltyReward) -> tuple[LoyaltyRedemption, int]:
    claim = customer_token(app, required=True)
    assert claim is not None
    return service.redeem(claim.customer_id, body.reward_id, token_epoch=claim.epoch), 201


@app.get(
    "/v1/me/points/ledger",
    summary="The signed-in shopper's points ledger (publishable key + X-Customer-Token)",
    tags=["shopper"],
)
def my_ledger(limit: Limit = 100, cursor: Cursor = None, order: Order = "oldest") -> PointsLedgerPage:
    claim = customer_token(app, required=True)
    assert claim is not None
    return service.ledger(claim.customer_id, limit, cursor, order, token_epoch=claim.epoch)


@app.post(
    "/v1/me/referral",
    summary="The signed-in shopper's referral card, created on first call (publishable key + X-Customer-Token)",
    tags=["shopper"],
    responses={
        200: {"description": "Their card.", "content": {"application/json": {"model": MyReferral}}},
        201: {"description": "Created.", "content": {"application/json": {"model": MyReferral}}},
        **error_responses(422),
    },
)
def my_referral() -> tuple[MyReferral, int]:
    claim = customer_token(app, required=True)
    assert claim is not None
    card, created = shopper.my_referral(claim, public_base_url(app))
    return card, 201 if created else 200


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
