"""A referral program's funnels and ROI over a period, from its daily items (docs/reports.md).

Pure: the service reads the program, its `DAY#<campaign>` items of the window, the shop's `DAY#shop` items
and its coupons outstanding now, and passes them here as flat maps of numbers. Per variant, the attributes
are `<name>@<variant>` (`clicks@a`, `revenue_EUR@default`); the total is the sum of the variants.

Funnel steps count per link cohort (the day the link was created, `referrals.funnel`), so they nest in any
window and every rate is a share of the step before it. Money counts in the cohort of the day the customer
was acquired (revenue, customers) or on the day it is spent (costs).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from passaparola.loyalty.models import PointValue
from passaparola.reports import periods
from passaparola.reports.periods import Window
from passaparola.reports.rules import divide, ratio

DEFAULT_VARIANT = "default"
Unavailable = Literal["points_without_value"]

# ------------------------------------------------------------------------------------------------ answers


class ReferrerRates(BaseModel):
    clicked_per_shared: float | None = Field(description="clicked / shared.")
    brought_per_clicked: float | None = Field(description="brought / clicked.")
    rewarded_per_brought: float | None = Field(description="rewarded / brought.")


class ReferrerFunnel(BaseModel):
    """Referrers, once each: shared a link in the period → of them, whose link got a click → brought a friend
    (an accepted conversion) → got a referrer reward released."""

    shared: int
    clicked: int
    brought: int
    rewarded: int
    rates: ReferrerRates


class Inferred(BaseModel):
    """Friends counted in a step they skipped (a code typed at checkout: no click, no visit recorded)."""

    clicks: int
    visits: int
    signups: int


class FriendRates(BaseModel):
    visits_per_click: float | None
    signups_per_visit: float | None
    conversions_per_signup: float | None
    rewarded_per_conversion: float | None


class FriendFunnel(BaseModel):
    """Friends of the links shared in the period: clicks → visits → signups → accepted conversions →
    conversions whose referrer reward was released; each step includes its `inferred` friends."""

    clicks: int
    visits: int
    signups: int
    conversions: int
    rewarded: int
    inferred: Inferred
    rates: FriendRates


class FunnelFigures(BaseModel):
    referrers: ReferrerFunnel
    friends: FriendFunnel
    clicks_per_referrer: float | None = Field(description="clicks / shared: not a share (the `k` input).")


class FunnelBucket(FunnelFigures):
    from_: date = Field(alias="from")
    to: date

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class VariantFunnel(BaseModel):
    variant: str
    totals: FunnelFigures
    series: list[FunnelBucket]


class Funnel(BaseModel):
    campaign_id: str
    from_: date = Field(alias="from")
    to: date
    granularity: periods.Granularity
    totals: FunnelFigures
    series: list[FunnelBucket] = Field(description="One entry per bucket of the period, oldest first.")
    variants: list[VariantFunnel] = Field(description="The configured variants (`default` when none), then others.")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class RoiInputs(BaseModel):
    """Every input of one currency's ROI, unrounded (money in minor units)."""

    currency: str
    revenue: int = Field(description="Net revenue of the program's referred customers acquired in the period.")
    customers: int = Field(description="The program's referred customers acquired in the period.")
    avg_ltv: float | None = Field(description="revenue / customers.")
    reward_cost: int = Field(description="Money rewards (credit, cash) released in the period, net.")
    points: int = Field(description="Points rewards released in the period, net (every currency's line).")
    points_cost: float | None = Field(
        description="points × point_value in its currency (0 in other currencies); null without a point_value."
    )
    coupon_cost: int = Field(description="Discount given by the program's reward and friend coupons redeemed, net.")
    cost: float | None = Field(description="reward_cost + points_cost + coupon_cost; null when points have no value.")
    expected_coupon_cost: float | None = Field(
        description="Coupons outstanding now × the expected discount of one (amount off, or percent × "
        "average_order_value); not in `cost`. Null when a percent coupon has no order to average."
    )
    average_order_value: float | None = Field(description="The shop's sales / orders in the period.")
    shared: int = Field(description="Referrers who shared a link in the period.")
    clicks: int
    conversions: int
    clicks_per_referrer: float | None
    conversion_rate: float | None = Field(description="conversions / clicks.")
    k: float | None = Field(description="clicks_per_referrer × conversion_rate.")
    other_customers: int = Field(description="The shop's customers acquired in the period without a referral.")
    avg_ltv_other: float | None
    shop_referred_customers: int = Field(description="The shop's referred customers acquired in the period.")
    avg_ltv_shop_referred: float | None


class RoiLine(BaseModel):
    currency: str
    roi: float | None = Field(description="(avg_ltv × (1 + k) × customers − cost) / cost; null when undefined.")
    roi_unavailable: Unavailable | None = None
    inputs: RoiInputs


class VariantRoi(BaseModel):
    variant: str
    coupons_outstanding: int
    items: list[RoiLine]


class Roi(BaseModel):
    campaign_id: str
    from_: date = Field(alias="from")
    to: date
    point_value: PointValue | None = Field(description="The loyalty program's value of points (null: none).")
    coupons_outstanding: int = Field(description="The program's coupons issued and not redeemed, now.")
    items: list[RoiLine] = Field(description="Per currency, every variant together.")
    variants: list[VariantRoi]

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


# ------------------------------------------------------------------------------------------------ rules


def variants_of(configured: Sequence[str], items: Iterable[Mapping[str, int]]) -> list[str]:
    """The configured variants in order (`default` without any), then any other variant the data names."""
    names = list(dict.fromkeys(configured)) or [DEFAULT_VARIANT]
    found = {key.rsplit("@", 1)[1] for item in items for key, value in item.items() if "@" in key and value}
    return names + sorted(found - set(names))


def of_variant(item: Mapping[str, int], variant: str | None) -> dict[str, int]:
    """One variant's attributes without their suffix; every variant's summed with `variant` None."""
    out: dict[str, int] = {}
    for key, value in item.items():
        if "@" not in key:
            continue
        name, tag = key.rsplit("@", 1)
        if variant is None or tag == variant:
            out[name] = out.get(name, 0) + int(value)
    return out


def funnel_figures(item: Mapping[str, int]) -> FunnelFigures:
    def n(name: str) -> int:
        return int(item.get(name, 0))

    shared, clicked, brought, rewarded_referrers = n("shared"), n("clicked"), n("brought"), n("rewarded_referrers")
    clicks, visits, signups, conversions, rewarded = (
        n("clicks"),
        n("visits"),
        n("signups"),
        n("conversions"),
        n("rewarded"),
    )
    return FunnelFigures(
        referrers=ReferrerFunnel(
            shared=shared,
            clicked=clicked,
            brought=brought,
            rewarded=rewarded_referrers,
            rates=ReferrerRates(
                clicked_per_shared=ratio(clicked, shared),
                brought_per_clicked=ratio(brought, clicked),
                rewarded_per_brought=ratio(rewarded_referrers, brought),
            ),
        ),
        friends=FriendFunnel(
            clicks=clicks,
            visits=visits,
            signups=signups,
            conversions=conversions,
            rewarded=rewarded,
            inferred=Inferred(clicks=n("inferred_clicks"), visits=n("inferred_visits"), signups=n("inferred_signups")),
            rates=FriendRates(
                visits_per_click=ratio(visits, clicks),
                signups_per_visit=ratio(signups, visits),
                conversions_per_signup=ratio(conversions, signups),
                rewarded_per_conversion=ratio(rewarded, conversions),
            ),
        ),
        clicks_per_referrer=ratio(clicks, shared),
    )


def _figures(
    win: Window, days: Mapping[str, Mapping[str, int]], variant: str | None
) -> tuple[FunnelFigures, list[FunnelBucket]]:
    mine = {day: of_variant(item, variant) for day, item in days.items()}
    series, total = periods.sum_days(win, mine)
    buckets = [
        FunnelBucket(from_=bucket.first, to=bucket.last, **funnel_figures(summed).model_dump())
        for bucket, summed in series
    ]
    return funnel_figures(total), buckets


def funnel(campaign_id: str, win: Window, configured: Sequence[str], days: Mapping[str, Mapping[str, int]]) -> Funnel:
    totals, series = _figures(win, days, None)
    variants = []
    for name in variants_of(configured, days.values()):
        v_totals, v_series = _figures(win, days, name)
        variants.append(VariantFunnel(variant=name, totals=v_totals, series=v_series))
    return Funnel(
        campaign_id=campaign_id,
        from_=win.first,
        to=win.last,
        granularity=win.granularity,
        totals=totals,
        series=series,
        variants=variants,
    )


def _currencies(
    program: Mapping[str, int], outstanding: Mapping[str, int], point_value: PointValue | None
) -> list[str]:
    found: set[str] = set()
    for name in ("revenue", "customers", "reward_cost", "coupon_cost"):
        found |= set(periods.money(program, name))
    for name in ("coupon_expected", "coupon_expected_bp"):
        found |= set(periods.money(outstanding, name))
    if program.get("points") and point_value is not None:
        found.add(point_value.currency)
    return sorted(found)


def roi_line(
    currency: str,
    program: Mapping[str, int],
    outstanding: Mapping[str, int],
    shop: Mapping[str, int],
    point_value: PointValue | None,
) -> RoiLine:
    """One currency's ROI of a variant (or of all), with every input, unrounded."""

    def money(name: str, item: Mapping[str, int] = program) -> int:
        return periods.money(item, name).get(currency, 0)

    revenue, customers = money("revenue"), money("customers")
    reward_cost, coupon_cost, points = money("reward_cost"), money("coupon_cost"), int(program.get("points", 0))
    points_cost: float | None = 0.0
    if points and point_value is None:
        points_cost = None
    elif points and point_value is not None and point_value.currency == currency:
        points_cost = points * point_value.amount / point_value.points
    cost = None if points_cost is None else reward_cost + points_cost + coupon_cost
    aov = divide(money("sales", shop), money("orders", shop))
    basis_points = money("coupon_expected_bp", outstanding)
    fixed = float(money("coupon_expected", outstanding))
    expected: float | None = fixed
    if basis_points:
        expected = None if aov is None else fixed + basis_points / 10_000 * aov
    shared, clicks, conversions = (int(program.get(n, 0)) for n in ("shared", "clicks", "conversions"))
    clicks_per_referrer, conversion_rate = divide(clicks, shared), divide(conversions, clicks)
    k = None if clicks_per_referrer is None or conversion_rate is None else clicks_per_referrer * conversion_rate
    avg_ltv = divide(revenue, customers)
    other, referred = money("customers_other", shop), money("customers_referred", shop)
    inputs = RoiInputs(
        currency=currency,
        revenue=revenue,
        customers=customers,
        avg_ltv=avg_ltv,
        reward_cost=reward_cost,
        points=points,
        points_cost=points_cost,
        coupon_cost=coupon_cost,
        cost=cost,
        expected_coupon_cost=expected,
        average_order_value=aov,
        shared=shared,
        clicks=clicks,
        conversions=conversions,
        clicks_per_referrer=clicks_per_referrer,
        conversion_rate=conversion_rate,
        k=k,
        other_customers=other,
        avg_ltv_other=divide(money("revenue_other", shop), other),
        shop_referred_customers=referred,
        avg_ltv_shop_referred=divide(money("revenue_referred", shop), referred),
    )
    roi = None
    if cost is not None and avg_ltv is not None and k is not None:
        roi = divide(avg_ltv * (1 + k) * customers - cost, cost)
    unavailable: Unavailable | None = "points_without_value" if points_cost is None else None
    return RoiLine(currency=currency, roi=roi, roi_unavailable=unavailable, inputs=inputs)


def roi_lines(
    program: Mapping[str, int], outstanding: Mapping[str, int], shop: Mapping[str, int], point_value: PointValue | None
) -> list[RoiLine]:
    return [
        roi_line(currency, program, outstanding, shop, point_value)
        for currency in _currencies(program, outstanding, point_value)
    ]


def roi(
    campaign_id: str,
    win: Window,
    configured: Sequence[str],
    days: Mapping[str, Mapping[str, int]],
    outstanding: Mapping[str, Mapping[str, int]],
    shop_days: Mapping[str, Mapping[str, int]],
    point_value: PointValue | None,
) -> Roi:
    """`outstanding`: {variant: the program's coupons outstanding now (`STATS#` / `VARIANT#<v>`)}."""
    _, shop = periods.sum_days(win, shop_days)
    _, summed = periods.sum_days(win, days)
    names = variants_of(configured, [summed]) + sorted(
        name for name, item in outstanding.items() if any(item.values()) and name not in configured
    )
    names = list(dict.fromkeys(names))
    all_outstanding = periods.total(outstanding.values())
    variants = [
        VariantRoi(
            variant=name,
            coupons_outstanding=int(outstanding.get(name, {}).get("coupons_outstanding", 0)),
            items=roi_lines(of_variant(summed, name), outstanding.get(name, {}), shop, point_value),
        )
        for name in names
    ]
    return Roi(
        campaign_id=campaign_id,
        from_=win.first,
        to=win.last,
        point_value=point_value,
        coupons_outstanding=int(all_outstanding.get("coupons_outstanding", 0)),
        items=roi_lines(of_variant(summed, None), all_outstanding, shop, point_value),
        variants=variants,
    )
