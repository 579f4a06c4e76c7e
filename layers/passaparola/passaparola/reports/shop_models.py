"""Answers of the shop-wide and cross-campaign reports: word of mouth, coupons, variants, referral rate.

Every report over days answers `{from, to, granularity, totals, series}`: `series` holds one entry per
bucket of the period (zeros when quiet), each with its own `from` and `to` (docs/reports.md).
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Money = dict[str, int]


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Period(Aliased):
    from_: date = Field(alias="from", description="First day (shop calendar, SHOP_TIMEZONE), inclusive.")
    to: date = Field(description="Last day, inclusive.")


class Report(Period):
    granularity: Literal["day", "week", "month"]


# ------------------------------------------------------------------------------------------- word of mouth


class WordOfMouthFigures(BaseModel):
    answers: int = Field(description="NPS answers (`nps_answer` events) = promoters + passives + detractors.")
    promoters: int = Field(description="Answers scoring 9-10.")
    passives: int = Field(description="Answers scoring 7-8.")
    detractors: int = Field(description="Answers scoring 0-6.")
    nps: float | None = Field(
        description="100 × (promoters − detractors) / answers, rounded to 4 decimals; null without answers."
    )
    positive: int = Field(description="promoters × a: people told good things.")
    negative: int = Field(description="detractors × b: people told bad things.")
    balance: int = Field(description="positive − negative.")


class WordOfMouthBucket(Period, WordOfMouthFigures):
    pass


class WordOfMouth(Report):
    a: int = Field(description="People a satisfied customer tells (TARP: 5-8).")
    b: int = Field(description="People a dissatisfied customer tells (TARP: 10-16).")
    totals: WordOfMouthFigures
    series: list[WordOfMouthBucket]


# ------------------------------------------------------------------------------------------------ coupons


class CouponFigures(BaseModel):
    redemptions: int = Field(description="Redemptions, net of rollbacks.")
    discount: Money = Field(description="Discount given per currency (minor units), net of rollbacks.")
    orders: int = Field(description="Orders carrying a code of the campaign (its redemptions), net of rollbacks.")
    revenue: Money = Field(
        description="What those orders paid per currency (amount − discount), net of rollbacks and refunds."
    )
    new_customers: int = Field(description="Of those orders, the customer's first (customers acquired), net.")
    cost_per_new_customer: dict[str, float | None] = Field(
        description="discount / new_customers per currency (4 decimals); null when no new customer."
    )


class CouponBucket(Period, CouponFigures):
    pass


class CampaignCoupons(BaseModel):
    id: str
    name: str
    status: Literal["enabled", "disabled"]
    totals: CouponFigures
    series: list[CouponBucket]


class CouponsReport(Report):
    campaign_id: str | None = Field(description="The campaign asked for; null: every discount campaign.")
    campaigns: list[CampaignCoupons] = Field(description="Each discount campaign (oldest first).")
    totals: CouponFigures = Field(description="Every listed campaign's figures added up.")
    series: list[CouponBucket] = Field(description="Every listed campaign's buckets added up.")


# ----------------------------------------------------------------------------------------------- variants


class VariantTest(BaseModel):
    against: str = Field(description="The control: the first variant.")
    z: float | None = Field(description="(rate − control's rate) / pooled standard error, 4 decimals.")
    p_value: float | None = Field(description="Two-sided p-value, erfc(|z| / √2), 4 decimals.")
    significant: bool = Field(description="p < 0.05 and at least 30 exposed in each arm.")
    winner: str | None = Field(description="The variant with the higher conversion rate, when significant.")


class VariantLine(BaseModel):
    variant: str
    exposed: int = Field(description="Referral: clicks (friend funnel); re-engagement: messages sent.")
    conversions: int = Field(
        description="Referral: accepted conversions; re-engagement: coupons of its messages redeemed (net)."
    )
    conversion_rate: float | None = Field(description="conversions / exposed, 4 decimals; null when none exposed.")
    revenue: Money = Field(
        description="Referral: net revenue of the customers it acquired; re-engagement: paid by orders with its coupons."
    )
    points: int = Field(0, description="Referral: points awarded (valued by the loyalty program's point_value).")
    cost: dict[str, float] = Field(
        description="Referral: rewards released + coupon discounts + points × point_value; "
        "re-engagement: discount given by its coupons. Per currency."
    )
    roi: dict[str, float | None] = Field(description="(revenue − cost) / cost per currency; null when cost is 0.")
    roi_unavailable: str | None = Field(
        None, description="`points_without_value`: points were awarded and the loyalty program has no point_value."
    )
    test: VariantTest | None = Field(description="Against the control (null for the control itself).")


class VariantsReport(Period):
    campaign_id: str
    campaign_type: Literal["referral", "reengagement"]
    variants: list[VariantLine] = Field(description="The control (first declared variant) first.")


# ------------------------------------------------------------------------------------------ referral rate


class ReferralRateFigures(BaseModel):
    active_customers: int = Field(description="Customers with at least one order.")
    sharing: int = Field(description="Of them, referrers whose link was clicked (in the same month).")
    bringing: int = Field(description="Of them, referrers with an accepted conversion (in the same month).")
    share_rate: float | None = Field(description="sharing / active_customers, 4 decimals; null without customers.")
    bring_rate: float | None = Field(description="bringing / active_customers, 4 decimals; null without customers.")


class ReferralRateMonth(ReferralRateFigures):
    month: str = Field(description="`YYYY-MM` (shop calendar).")


class ReferralRate(BaseModel):
    from_: str = Field(alias="from", description="First month, `YYYY-MM`.")
    to: str = Field(description="Last month, `YYYY-MM`.")
    months: list[ReferralRateMonth] = Field(description="Every month of the range, oldest first (0 when quiet).")
    all_time: ReferralRateFigures = Field(description="Distinct customers since the first mark, whatever the range.")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
