"""Coupons: validate a code against a cart, redeem it on an order, roll a redemption back, read codes."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from passaparola.api.app import Api, customer_vouched, handler
from passaparola.api.openapi import media
from passaparola.coupons import service
from passaparola.coupons.models import (
    Code,
    CodeStr,
    CodeWithUses,
    RedeemRequest,
    Redemption,
    RedemptionPage,
    ValidateRequest,
    Validation,
)

app = Api(browser_routes={"POST /v1/coupons/validate"})
RedemptionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
CodeParam = Annotated[CodeStr, Path(description="A coupon code (case-insensitive).")]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]


@app.post("/v1/coupons/validate", summary="Check a code against a cart (changes nothing)", tags=["coupons"])
def validate(request: ValidateRequest) -> Validation:
    vouched = customer_vouched(app, request.customer_id)
    principal = app.context.get("principal")
    # a browser naming only an email proves nothing: that email's history is not shown to it
    anonymous = request.customer_id is None and principal is not None and principal.kind == "publishable"
    return service.validate(request, customer_facts=vouched.facts and not anonymous, token_epoch=vouched.token_epoch)


@app.post(
    "/v1/redemptions",
    summary="Redeem a code on an order",
    tags=["coupons"],
    responses={
        201: {"description": "Redeemed.", "content": {"application/json": {"model": Redemption}}},
        200: {
            "description": "This order already redeemed this code: the first redemption, unchanged.",
            "content": {"application/json": {"model": Redemption}},
        },
    },
)
def redeem(request: RedeemRequest) -> tuple[Redemption, int]:
    return redeemed(service.redeem(request))


def redeemed(result: service.Redeemed) -> tuple[Redemption, int]:
    """201 when this call redeemed, 200 when the order had redeemed the code already."""
    return result.redemption, 201 if result.created else 200


app.idempotent_in_transaction("POST /v1/redemptions", redeemed)  # the key's record rides the redemption's write


@app.get("/v1/redemptions/<redemption_id>", summary="Read a redemption", tags=["coupons"])
def get_redemption(redemption_id: RedemptionId) -> Redemption:
    return service.get_redemption(redemption_id)


@app.post("/v1/redemptions/<redemption_id>/rollback", summary="Roll a redemption back", tags=["coupons"])
def rollback(redemption_id: RedemptionId) -> Redemption:
    return service.rollback(redemption_id)


app.idempotent_in_transaction("POST /v1/redemptions/{redemption_id}/rollback", lambda rolled: (rolled, 200))


@app.get("/v1/codes/<code>", summary="Read a code and its uses", tags=["codes"])
def get_code(code: CodeParam) -> CodeWithUses:
    return service.get_code(code)


@app.get("/v1/codes/<code>/redemptions", summary="A code's uses, newest first (paged)", tags=["codes"])
def code_uses(code: CodeParam, limit: Limit = 50, cursor: Cursor = None) -> RedemptionPage:
    items, next_cursor = service.code_uses(code, limit, cursor)
    return RedemptionPage(items=items, next_cursor=next_cursor)


@app.post(
    "/v1/codes/<code>/disable", summary="Switch one code off (validate and redeem: code_disabled)", tags=["codes"]
)
def disable_code(code: CodeParam) -> Code:
    return service.switch_code(code, enabled=False)


@app.post("/v1/codes/<code>/enable", summary="Switch one code on again", tags=["codes"])
def enable_code(code: CodeParam) -> Code:
    return service.switch_code(code, enabled=True)


@app.get(
    "/v1/codes/<code>/qr",
    summary="A QR image (SVG) of a code",
    tags=["codes"],
    responses={200: media("The QR code.", "image/svg+xml")},
)
def code_qr(code: CodeParam) -> Response[str]:
    return Response(status_code=200, content_type="image/svg+xml", body=service.code_qr(code))


lambda_handler = handler(app)
