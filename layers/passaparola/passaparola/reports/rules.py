"""Pure report computations over plain aggregates: periods, rates, k, LTV and ROI.

Nothing here does I/O or reads the clock: the service reads the aggregates (`passaparola.data.reports`)
and passes `now`, so every figure can be tested with plain data. A ratio whose denominator is 0 is None
(undefined), never a ZeroDivisionError nor an invented 0; so is one whose denominator is negative, which
only a faulty write could produce. Money is integer minor units; averages are floats in minor units.
Funnel rates are rounded to 4 decimals; ROI and its inputs are not (see `roi_line`).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from passaparola.referrals.models import FunnelStage, LeaderboardEntry, RoiInputs, RoiLine

DEFAULT_VARIANT = "default"
"""The variant of every referrer of a program without variants."""
TOTAL = "total"
DECIMALS = 4
PERIODS = "all, year, month, YYYY or YYYY-MM"
_EXPLICIT_PERIOD = re.compile(r"all|\d{4}|\d{4}-(?:0[1-9]|1[0-2])")

# ------------------------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class VariantStats:
    """`STATS#<campaign>` / `VARIANT#<v>`: what conversion and reward transactions count, per variant."""

    referrers: int = 0
    conversions: int = 0
    flagged: int = 0
    blocked: int = 0
    rejected: int = 0
    refunded: int = 0
    rewards_released: int = 0
    points_awarded: int = 0
    revenue: Mapping[str, int] = field(default_factory=dict)
    ltv_revenue: Mapping[str, int] = field(default_factory=dict)
    customers: Mapping[str, int] = field(default_factory=dict)
    """Referred customers (accepted or under review) per currency of their first order: LTV's divisor."""
    reward_cost: Mapping[str, int] = field(default_factory=dict)


COUNTERS = (
    "referrers",
    "conversions",
    "flagged",
    "blocked",
    "rejected",
    "refunded",
    "rewards_released",
    "points_awarded",
)


@dataclass(frozen=True)
class Traffic:
    """`STATS#<campaign>` / `TRAFFIC#<v>`: plain counters, apart so clicks never contend with orders."""

    clicks: int = 0
    visits: int = 0
    signups: int = 0


@dataclass(frozen=True)
class CampaignStats:
    """Everything in a campaign's `STATS#` partition, by variant name."""

    variants: Mapping[str, VariantStats] = field(default_factory=dict)
    traffic: Mapping[str, Traffic] = field(default_factory=dict)


@dataclass(frozen=True)
class ShopLtv:
    """`STATS#shop` / `LTV#referred|other`: customers and their net revenue, per currency."""

    customers: Mapping[str, int] = field(default_factory=dict)
    revenue: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BoardLine:
    """A referrer's line on one leaderboard, as stored."""

    code: str
    customer_id: str
    name: str | None
    score: int


# ---------------------------------------------------------------------------------------- numbers


def divide(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, unrounded; None when undefined (denominator 0, or negative)."""
    if denominator <= 0:
        return None
    return numerator / denominator


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def ratio(numerator: float, denominator: float) -> float | None:
    """A reported rate: rounded to 4 decimals, None when undefined."""
    return rounded(divide(numerator, denominator))


# ------------------------------------------------------------------------------------- leaderboard


def period_key(period: str, now: datetime) -> str:
    """The board a `period` names: `all`, the current (UTC) `YYYY` or `YYYY-MM`, or an explicit one.

    Raises ValueError for anything else, so a typo is an error rather than an empty leaderboard.
    """
    utc = now.astimezone(UTC) if now.tzinfo else now
    if period == "year":
        return f"{utc:%Y}"
    if period == "month":
        return f"{utc:%Y-%m}"
    if _EXPLICIT_PERIOD.fullmatch(period):
        return period
    raise ValueError(f"period must be one of {PERIODS}")


def leaderboard_entries(lines: Iterable[BoardLine]) -> list[LeaderboardEntry]:
    """Lines already in descending score order → ranks 1..n; a score of 0 (all voided) is no entry."""
    scored = [line for line in lines if line.score > 0]
    return [
        LeaderboardEntry(
            rank=rank, code=line.code, customer_id=line.customer_id, name=line.name, conversions=line.score
        )
        for rank, line in enumerate(scored, start=1)
    ]


# ------------------------------------------------------------------------------------------ funnel


def total_variants(items: Iterable[VariantStats]) -> VariantStats:
    """The sum of variants: counters added, money maps added per currency."""
    items = list(items)

    def money(attr: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in items:
            for currency, amount in getattr(item, attr).items():
                out[currency] = out.get(currency, 0) + amount
        return out

    counts = {attr: sum(getattr(item, attr) for item in items) for attr in COUNTERS}
    return VariantStats(
        **counts,
        revenue=money("revenue"),
        ltv_revenue=money("ltv_revenue"),
        customers=money("customers"),
        reward_cost=money("reward_cost"),
    )


def total_traffic(items: Iterable[Traffic]) -> Traffic:
    items = list(items)
    return Traffic(
        clicks=sum(t.clicks for t in items),
        visits=sum(t.visits for t in items),
        signups=sum(t.signups for t in items),
    )


def funnel_rates(
    clicks: int, visits: int, signups: int, first_orders: int, rewards_released: int
) -> dict[str, float | None]:
    """The rates between stages; first orders are accepted conversions, rewards are referrer rewards released."""
    return {
        "visit_per_click": ratio(visits, clicks),
        "signup_per_visit": ratio(signups, visits),
        "order_per_click": ratio(first_orders, clicks),
        "order_per_visit": ratio(first_orders, visits),
        "reward_per_order": ratio(rewards_released, first_orders),
    }


def funnel_stage(variant: str, stats: VariantStats, traffic: Traffic) -> FunnelStage:
    return FunnelStage(
        variant=variant,
        referrers=stats.referrers,
        clicks=traffic.clicks,
        visits=traffic.visits,
        signups=traffic.signups,
        first_orders=stats.conversions,
        rewards_released=stats.rewards_released,
        rates=funnel_rates(traffic.clicks, traffic.visits, traffic.signups, stats.conversions, stats.rewards_released),
    )


def funnel_variants(configured: Sequence[str], found: Iterable[str]) -> list[str]:
    """The configured variants in their order (`default` when none), then any other variant the data has.

    A variant removed from the program, or `default` from links made before variants were added, still
    has referrers and conversions: they are shown rather than silently dropped from the total.
    """
    names = list(dict.fromkeys(configured)) or [DEFAULT_VARIANT]
    return names + sorted(set(found) - set(names))


def counted(item: VariantStats | Traffic) -> bool:
    """Whether an aggregate holds anything: the writes create items ahead of use (all zero, empty maps)."""
    if isinstance(item, Traffic):
        return any((item.clicks, item.visits, item.signups))
    money = (item.revenue, item.ltv_revenue, item.reward_cost)
    return any(getattr(item, f) for f in COUNTERS) or any(any(m.values()) for m in money)


def funnel(configured: Sequence[str], data: CampaignStats) -> tuple[list[FunnelStage], FunnelStage]:
    """One row per configured variant, even with no data yet, one per other variant with data, and the total."""
    found = [name for name, v in data.variants.items() if counted(v)]
    found += [name for name, t in data.traffic.items() if counted(t)]
    names = funnel_variants(configured, found)
    rows = [
        funnel_stage(name, data.variants.get(name, VariantStats()), data.traffic.get(name, Traffic())) for name in names
    ]
    total = funnel_stage(TOTAL, total_variants(data.variants.values()), total_traffic(data.traffic.values()))
    return rows, total


# --------------------------------------------------------------------------------------------- ROI


def roi(avg_ltv_referred: float | None, k: float | None, reward_per_conversion: float | None) -> float | None:
    """ROI = ((LTV × (1 + k)) − reward) / reward; None when any input is undefined or there is no money reward."""
    if avg_ltv_referred is None or k is None or reward_per_conversion is None:
        return None
    return divide(avg_ltv_referred * (1 + k) - reward_per_conversion, reward_per_conversion)


def roi_line(currency: str, data: CampaignStats, referred: ShopLtv, other: ShopLtv) -> RoiLine:
    """One currency's ROI with every input it was computed from, unrounded.

    Unlike the funnel's rates, nothing here is rounded: the ROI is exactly the formula applied to the inputs
    shown (recomputing it from rounded inputs would disagree), and a client formats figures as it likes.
    """
    stats = total_variants(data.variants.values())
    invitations = total_traffic(data.traffic.values()).clicks
    conversions = stats.conversions
    reward_cost = stats.reward_cost.get(currency, 0)
    referred_customers = stats.customers.get(currency, 0)
    avg_ltv_referred = divide(stats.ltv_revenue.get(currency, 0), referred_customers)
    invitations_per_referrer = divide(invitations, stats.referrers)
    conversion_rate = divide(conversions, invitations)
    k = None
    if invitations_per_referrer is not None and conversion_rate is not None:
        k = invitations_per_referrer * conversion_rate
    reward_per_conversion = divide(reward_cost, conversions)
    other_customers = other.customers.get(currency, 0)
    shop_referred = referred.customers.get(currency, 0)
    inputs = RoiInputs(
        currency=currency,
        reward_cost=reward_cost,
        points_awarded=stats.points_awarded,
        attributed_revenue=stats.revenue.get(currency, 0),
        referred_customers=referred_customers,
        avg_ltv_referred=avg_ltv_referred,
        other_customers=other_customers,
        avg_ltv_other=divide(other.revenue.get(currency, 0), other_customers),
        shop_referred_customers=shop_referred,
        avg_ltv_shop_referred=divide(referred.revenue.get(currency, 0), shop_referred),
        referrers=stats.referrers,
        invitations=invitations,
        conversions=conversions,
        invitations_per_referrer=invitations_per_referrer,
        conversion_rate=conversion_rate,
        k=k,
        reward_per_conversion=reward_per_conversion,
    )
    return RoiLine(currency=currency, roi=roi(avg_ltv_referred, k, reward_per_conversion), inputs=inputs)


def roi_currencies(data: CampaignStats) -> list[str]:
    """The currencies the program's own money is in, sorted.

    The shop's other currencies give no line: a program that never saw a currency has no ROI in it, and
    the shop's figures in that currency are only the comparison, not the program.
    """
    found: set[str] = set()
    for stats in data.variants.values():
        found |= set(stats.revenue) | set(stats.ltv_revenue) | set(stats.reward_cost)
    return sorted(found)


def roi_lines(data: CampaignStats, referred: ShopLtv, other: ShopLtv) -> list[RoiLine]:
    return [roi_line(currency, data, referred, other) for currency in roi_currencies(data)]
