"""Referral links, storefront tracking, a referral's view, and the fraud review queue."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from passaparola.api.app import Api, handler, public_base_url
from passaparola.campaigns import service as campaigns
from passaparola.referrals import friends, links, review
from passaparola.referrals.models import (
    Conversion,
    ConversionPage,
    CreateReferral,
    FriendCoupon,
    FriendOffer,
    FriendRequest,
    Referral,
    ReferralView,
    SharePreview,
    SharePreviewRequest,
    Tracked,
    TrackRequest,
)

app = Api(
    browser_routes={
        "POST /v1/referrals/track",
        "GET /v1/referrals/{code}/offer",
        "POST /v1/referrals/{code}/friends",
    }
)
Code = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ConversionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Status = Annotated[
    Literal["flagged", "converted", "rejected", "blocked", "refunded"], Query(description="Conversions in this state.")
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]
CampaignFilter = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Locale = Annotated[
    str | None, Query(max_length=10, pattern=r"^[A-Za-z]{2}([-_][A-Za-z]{2})?$", description="it, es, ro, fr, de, en.")
]


@app.post(
    "/v1/referrals",
    summary="Get a customer's referral code and share links (created once per customer and program)",
    tags=["referrals"],
    responses={
        201: {"description": "Created.", "content": {"application/json": {"model": Referral}}},
        200: {
            "description": "The code this customer already has.",
            "content": {"application/json": {"model": Referral}},
        },
    },
)
def create(request: CreateReferral) -> tuple[Referral, int]:
    referral, created = links.create(request, public_base_url(app))
    return referral, 201 if created else 200


@app.get("/v1/referrals/conversions", summary="Conversions by status: the review queue", tags=["referrals"])
def conversions(
    status: Status = "flagged", campaign_id: CampaignFilter = None, limit: Limit = 50, cursor: Cursor = None
) -> ConversionPage:
    return review.queue(status, campaign_id, limit, cursor)


@app.post(
    "/v1/referrals/conversions/<conversion_id>/approve", summary="Approve a flagged conversion", tags=["referrals"]
)
def approve(conversion_id: ConversionId) -> Conversion:
    return review.approve(conversion_id)


@app.post("/v1/referrals/conversions/<conversion_id>/reject", summary="Reject a flagged conversion", tags=["referrals"])
def reject(conversion_id: ConversionId) -> Conversion:
    return review.reject(conversion_id)


@app.post(
    "/v1/referrals/track",
    summary="Record a storefront visit or signup that came with a referral code",
    tags=["referrals"],
    responses={202: {"description": "Recorded.", "content": {"application/json": {"model": Tracked}}}},
)
def track(request: TrackRequest) -> tuple[Tracked, int]:
    return links.track(request, verified=app.context["principal"].kind == "secret"), 202


@app.get("/v1/referrals/<code>", summary="A referral with its counts, conversions and rewards", tags=["referrals"])
def get(code: Code) -> ReferralView:
    return links.view(code, public_base_url(app))


@app.get(
    "/v1/referrals/<code>/offer",
    summary="What a friend who came through a share link is offered (storefront)",
    tags=["referrals"],
)
def offer(code: Code, locale: Locale = None) -> FriendOffer:
    return friends.offer(code, locale)


@app.post(
    "/v1/referrals/<code>/friends",
    summary="Give a referred friend their first-order coupon, bound to their email (storefront; once per email)",
    tags=["referrals"],
    responses={
        201: {
            "description": "The email's coupon: issued now, or the same one again (the answer never tells which).",
            "content": {"application/json": {"model": FriendCoupon}},
        },
    },
)
def claim(code: Code, request: FriendRequest) -> tuple[FriendCoupon, int]:
    coupon, _ = friends.claim(code, request)
    return coupon, 201


@app.post(
    "/v1/referrals/preview",
    summary="A referral program's share texts (saved or draft) for a sample referrer in a locale",
    tags=["referrals"],
)
def share_preview(body: SharePreviewRequest) -> SharePreview:
    return campaigns.share_preview(body, public_base_url(app))


lambda_handler = handler(app)
