"""Reports: a referral program's leaderboard, funnel and ROI, and the overview of every campaign over time,
each a handful of reads of aggregates."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from passaparola.api.app import Api, handler
from passaparola.api.params import From, Granularity, To
from passaparola.referrals.models import Leaderboard
from passaparola.reports import referral, service, shop_service
from passaparola.reports.models import Overview
from passaparola.reports.shop_models import CouponsReport, ReferralRate, VariantsReport, WordOfMouth

app = Api()
CampaignId = Annotated[
    str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="A referral campaign's id.")
]
Period = Annotated[
    str,
    Query(
        min_length=1,
        max_length=16,
        # documented here, checked by reports.rules.period_key (whose message names the choices)
        json_schema_extra={"pattern": r"^(all|year|month|[0-9]{4}|[0-9]{4}-(0[1-9]|1[0-2]))$"},
        description="`all`, `year` / `month` (the current one, UTC), or an explicit `YYYY` or `YYYY-MM`.",
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="How many referrers.")]
Days = Annotated[
    int, Query(json_schema_extra={"enum": [7, 30, 90]}, description="The window: the last 7, 30 or 90 shop-local days.")
]


@app.get("/v1/reports/leaderboard", summary="Top referrers by accepted conversions in a period", tags=["reports"])
def leaderboard(campaign_id: CampaignId, period: Period = "all", limit: Limit = 10) -> Leaderboard:
    return service.leaderboard(campaign_id, period, limit)


@app.get(
    "/v1/reports/funnel",
    summary="Referrer funnel (shared → clicked → brought → rewarded) and friend funnel (clicks → visits → signups "
    "→ conversions → rewarded), per variant, over a period",
    tags=["reports"],
)
def funnel(
    campaign_id: CampaignId, from_: From = None, to: To = None, granularity: Granularity = "day"
) -> referral.Funnel:
    return service.funnel(campaign_id, from_, to, granularity)


@app.get(
    "/v1/reports/roi",
    summary="Return on investment per currency and variant over a period, with every input",
    tags=["reports"],
)
def roi(campaign_id: CampaignId, from_: From = None, to: To = None) -> referral.Roi:
    return service.roi(campaign_id, from_, to)


@app.get(
    "/v1/reports/overview",
    summary="Every campaign's figures over the last 7, 30 or 90 days, per day and in total",
    tags=["reports"],
)
def overview(days: Days = 30) -> Overview:
    return service.overview(days)


TellGood = Annotated[int, Query(ge=1, le=20, description="People a satisfied customer tells (TARP: 5-8).")]
TellBad = Annotated[int, Query(ge=1, le=40, description="People a dissatisfied customer tells (TARP: 10-16).")]


@app.get(
    "/v1/reports/word-of-mouth",
    summary="NPS answers per period: promoters, passives, detractors, NPS and the word-of-mouth balance",
    tags=["reports"],
)
def word_of_mouth(
    from_: From = None, to: To = None, granularity: Granularity = "day", a: TellGood = 5, b: TellBad = 10
) -> WordOfMouth:
    return shop_service.word_of_mouth(from_, to, granularity, a, b)


AnyCampaignId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A discount campaign's id; without it, every discount campaign.",
    ),
]


@app.get(
    "/v1/reports/coupons",
    summary="Discount campaigns: redemptions, discount, orders, revenue and new customers per period",
    tags=["reports"],
)
def coupons(
    campaign_id: AnyCampaignId = None, from_: From = None, to: To = None, granularity: Granularity = "day"
) -> CouponsReport:
    return shop_service.coupons(campaign_id, from_, to, granularity)


VariantCampaignId = Annotated[
    str,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A referral program's or a re-engagement campaign's id.",
    ),
]


@app.get(
    "/v1/reports/variants",
    summary="Per variant: exposed, conversions, revenue, cost, ROI, and a z-test against the control",
    tags=["reports"],
)
def variants(campaign_id: VariantCampaignId, from_: From = None, to: To = None) -> VariantsReport:
    return shop_service.variants(campaign_id, from_, to)


MONTH = {"pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"}
FromMonth = Annotated[
    str | None,
    Query(alias="from", json_schema_extra=MONTH, description="First month `YYYY-MM`. Default: 11 months before `to`."),
]
ToMonth = Annotated[
    str | None,
    Query(json_schema_extra=MONTH, description="Last month `YYYY-MM` (at most 36 after `from`). Default: this month."),
]


@app.get(
    "/v1/reports/referral-rate",
    summary="Per month and all time: the share of active customers who shared, and who brought a friend",
    tags=["reports"],
)
def referral_rate(from_: FromMonth = None, to: ToMonth = None) -> ReferralRate:
    return shop_service.referral_rate(from_, to)


lambda_handler = handler(app)
