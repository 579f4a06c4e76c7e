"""Pure figures of the shop-wide reports, from daily items already summed per bucket (reports.periods)."""

from collections.abc import Mapping, Sequence
from datetime import date

from passaparola.reports import periods
from passaparola.reports.periods import Window
from passaparola.reports.shop_models import (
    CampaignCoupons,
    CouponBucket,
    CouponFigures,
    CouponsReport,
    ReferralRate,
    ReferralRateFigures,
    ReferralRateMonth,
    VariantLine,
    VariantsReport,
    VariantTest,
    WordOfMouth,
    WordOfMouthBucket,
    WordOfMouthFigures,
)
from passaparola.reports.significance import two_proportion

RATE_DECIMALS = 4


def ratio(numerator: float, denominator: float) -> float | None:
    """A rate rounded to 4 decimals; null (never 0) when the denominator is 0 or negative (a window holding
    only reversals, e.g. the rollback of a new customer's redemption made before it), as `rules.divide`."""
    return round(numerator / denominator, RATE_DECIMALS) if denominator > 0 else None


def word_of_mouth_figures(item: Mapping[str, int], a: int, b: int) -> WordOfMouthFigures:
    promoters, passives, detractors = (int(item.get(f"nps_{g}", 0)) for g in ("promoters", "passives", "detractors"))
    answers = promoters + passives + detractors
    positive, negative = promoters * a, detractors * b
    return WordOfMouthFigures(
        answers=answers,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        nps=ratio(100 * (promoters - detractors), answers),
        positive=positive,
        negative=negative,
        balance=positive - negative,
    )


def word_of_mouth(win: Window, items: Mapping[str, Mapping[str, int]], a: int, b: int) -> WordOfMouth:
    series, totals = periods.sum_days(win, items)
    return WordOfMouth(
        from_=win.first,
        to=win.last,
        granularity=win.granularity,
        a=a,
        b=b,
        totals=word_of_mouth_figures(totals, a, b),
        series=[
            WordOfMouthBucket(from_=bucket.first, to=bucket.last, **word_of_mouth_figures(s, a, b).model_dump())
            for bucket, s in series
        ],
    )


def coupon_figures(item: Mapping[str, int]) -> CouponFigures:
    """A discount campaign's summed daily counters → its figures. Each currency's discount is divided by the
    new customers of that currency's redemptions (`new_customers_<CUR>`); days written before those existed
    count only in the flat `new_customers`, used when no currency has any."""
    discount, new_customers = periods.money(item, "discount"), periods.count(item, "new_customers")
    by_currency = periods.money(item, "new_customers") or dict.fromkeys(discount, new_customers)
    return CouponFigures(
        redemptions=periods.count(item, "redemptions"),
        discount=discount,
        orders=periods.count(item, "orders"),
        revenue=periods.money(item, "revenue"),
        new_customers=new_customers,
        cost_per_new_customer={
            currency: ratio(amount, by_currency.get(currency, 0)) for currency, amount in discount.items()
        },
    )


def coupons(
    win: Window,
    campaign_id: str | None,
    campaigns: Sequence[tuple[str, str, bool, Mapping[str, Mapping[str, int]]]],
) -> CouponsReport:
    """Each campaign's (id, name, enabled, daily items) figures per bucket, and all of them added up."""
    listed, all_series, all_totals = [], [], []
    for cid, name, enabled, items in campaigns:
        series, totals = periods.sum_days(win, items)
        all_series.append([s for _, s in series])
        all_totals.append(totals)
        listed.append(
            CampaignCoupons(
                id=cid,
                name=name,
                status="enabled" if enabled else "disabled",
                totals=coupon_figures(totals),
                series=[_coupon_bucket(bucket.first, bucket.last, s) for bucket, s in series],
            )
        )
    summed = [periods.total(parts) for parts in zip(*all_series, strict=True)] or [{} for _ in win.buckets]
    return CouponsReport(
        from_=win.first,
        to=win.last,
        granularity=win.granularity,
        campaign_id=campaign_id,
        campaigns=listed,
        totals=coupon_figures(periods.total(all_totals)),
        series=[_coupon_bucket(b.first, b.last, s) for b, s in zip(win.buckets, summed, strict=True)],
    )


def _coupon_bucket(first: date, last: date, item: Mapping[str, int]) -> CouponBucket:
    return CouponBucket(from_=first, to=last, **coupon_figures(item).model_dump())


PointValue = tuple[int, int, str]
"""(points, amount, currency): `points` points are worth `amount` minor units of `currency`."""


def variant_names(declared: Sequence[str], item: Mapping[str, int]) -> list[str]:
    """The declared variants (or `default`), then any other variant the items name (one removed since)."""
    names = list(declared) or ["default"]
    found = sorted({key.rpartition("@")[2] for key in item if "@" in key} - set(names))
    return names + found


def variant_line(
    kind: str, variant: str, item: Mapping[str, int], point_value: PointValue | None = None
) -> VariantLine:
    """One variant's figures from the period's summed daily item (no test yet)."""
    if kind == "referral":
        exposed, conversions = periods.count(item, "clicks", variant), periods.count(item, "conversions", variant)
        revenue = periods.money(item, "revenue", variant)
        points = periods.count(item, "points", variant)
        cost: dict[str, float] = {}
        for name in ("reward_cost", "coupon_cost"):
            for currency, amount in periods.money(item, name, variant).items():
                cost[currency] = cost.get(currency, 0) + amount
        if points and point_value:
            per, amount, currency = point_value
            cost[currency] = cost.get(currency, 0) + points * amount / per
        unavailable = "points_without_value" if points and not point_value else None
    else:
        exposed, conversions = periods.count(item, "sent", variant), periods.count(item, "redeemed", variant)
        revenue = periods.money(item, "revenue", variant)
        cost = {currency: float(a) for currency, a in periods.money(item, "discount", variant).items()}
        points, unavailable = 0, None
    currencies = sorted(set(revenue) | set(cost))
    # a window holding only a reward's reversal has a negative cost: no ROI (as the ROI report), not its opposite
    roi = {
        c: None if unavailable or cost.get(c, 0) <= 0 else (revenue.get(c, 0) - cost[c]) / cost[c] for c in currencies
    }
    return VariantLine(
        variant=variant,
        exposed=exposed,
        conversions=conversions,
        conversion_rate=ratio(conversions, exposed) if exposed > 0 else None,
        revenue=revenue,
        points=points,
        cost={c: a for c, a in sorted(cost.items()) if a},
        roi=roi,
        roi_unavailable=unavailable,
        test=None,
    )


def variants(
    win: Window,
    campaign_id: str,
    kind: str,
    declared: Sequence[str],
    items: Mapping[str, Mapping[str, int]],
    point_value: PointValue | None = None,
) -> VariantsReport:
    """Every variant's figures over the period, and each challenger's z-test against the control (the first)."""
    _, summed = periods.sum_days(win, items)
    lines = [variant_line(kind, name, summed, point_value) for name in variant_names(declared, summed)]
    control = lines[0]
    for line in lines[1:]:
        test = two_proportion(
            (control.conversions, control.exposed), (line.conversions, line.exposed), (control.variant, line.variant)
        )
        line.test = VariantTest(
            against=control.variant, z=test.z, p_value=test.p_value, significant=test.significant, winner=test.winner
        )
    return VariantsReport(
        from_=win.first,
        to=win.last,
        campaign_id=campaign_id,
        campaign_type=kind,  # type: ignore[arg-type]
        variants=lines,
    )


MARKS = ("active", "shared", "brought")
MARK_COUNTER = {"shared": "sharing", "brought": "bringing"}


def mark_moves(kind: str, month: str, marks: Mapping[str, str | None]) -> tuple[dict[str, int], dict[str, int]] | None:
    """A customer reaches `kind` (active: ordered; shared: their link was clicked; brought: an accepted
    conversion) in `month`, with their marks as read ({kind: last month or None}): the counters of the month
    and of all time to add, or None when already counted (marked in this month or a later one).

    `sharing` and `bringing` count customers that are also active in the month: whichever of the two marks
    reaches the month second counts them, so each is counted once and never outside `active_customers`.
    """
    current = marks.get(kind)
    if current is not None and current >= month:
        return None
    in_month: dict[str, int] = {}
    ever: dict[str, int] = {}
    if kind == "active":
        in_month["active_customers"] = 1
        if current is None:
            ever["active_customers"] = 1
        for other, counter in MARK_COUNTER.items():
            if marks.get(other) == month:
                in_month[counter] = 1
            if current is None and marks.get(other) is not None:
                ever[counter] = 1
    else:
        counter = MARK_COUNTER[kind]
        if marks.get("active") == month:
            in_month[counter] = 1
        if current is None and marks.get("active") is not None:
            ever[counter] = 1
    return in_month, ever


MAX_MONTHS = 37
"""A range of at most 37 months (3 years and the month it started in)."""


def _month(value: str | None, field: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if len(value) != 7 or value[4] != "-" or not (value[:4].isdigit() and value[5:].isdigit()):
        raise periods.invalid(field, f"{field} must be a month YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12:
        raise periods.invalid(field, f"{field} must be a month YYYY-MM")
    return year, month


def month_range(first: str | None, last: str | None, today: date) -> list[str]:
    """The months from `from` to `to` (`YYYY-MM`, inclusive): `to` defaults to this month, `from` to 11 months
    before `to`; from ≤ to and at most MAX_MONTHS months, else InvalidRequest naming the field."""
    end = _month(last, "to") or (today.year, today.month)
    end_index = end[0] * 12 + end[1] - 1
    start = _month(first, "from")
    start_index = start[0] * 12 + start[1] - 1 if start else end_index - 11
    if start_index > end_index:
        raise periods.invalid("from", "from must be on or before to")
    if end_index - start_index >= MAX_MONTHS:
        raise periods.invalid("from", f"the range must be at most {MAX_MONTHS} months")
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start_index, end_index + 1)]


def referral_rate_figures(item: Mapping[str, int]) -> ReferralRateFigures:
    active, sharing, bringing = (int(item.get(n, 0)) for n in ("active_customers", "sharing", "bringing"))
    return ReferralRateFigures(
        active_customers=active,
        sharing=sharing,
        bringing=bringing,
        share_rate=ratio(sharing, active),
        bring_rate=ratio(bringing, active),
    )


def referral_rate(
    months: Sequence[str], items: Mapping[str, Mapping[str, int]], all_time: Mapping[str, int]
) -> ReferralRate:
    return ReferralRate(
        from_=months[0],
        to=months[-1],
        months=[ReferralRateMonth(month=m, **referral_rate_figures(items.get(m, {})).model_dump()) for m in months],
        all_time=referral_rate_figures(all_time),
    )
