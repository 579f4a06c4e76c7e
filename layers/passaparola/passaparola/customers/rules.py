"""Engagement score and segment membership as pure functions over plain data (docs/loyalty.md).

No I/O and no clock: the caller reads the customer, passes `now`, and writes what these functions answer.
That keeps segments current "as customers change, never by scanning": every write recomputes the set from
the customer's own state, and `timers` says when time alone would change it.
"""

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Literal

from passaparola.customers.models import Basket, Condition, EngagementConfig, SegmentCreate

BUILT_IN: dict[str, str] = {
    "new_customers": "Signed up within new_customer_days (30) with at most one order.",
    "lapsed_180d": "Has ordered, and no order for lapsed_days (180).",
    "basket_declining": "Recent half of the last 6 orders' average basket is basket_decline_percent (20 %) below the earlier half.",
    "ambassadors": "At least one of their referrals converted.",
    "future_ambassadors": "Engaged (score >= engaged_score), a loyalty member or 2+ orders, no converted referral yet.",
    "opportunists": "2+ orders and at least half with a coupon, or 2+ loyalty rewards bought while not engaged.",
    "top_referrers": "At least top_referrer_min (5) converted referrals.",
}

BASKET_ORDERS = 6
"""How many of the latest orders the basket looks at."""
TREND_PERCENT = 5
"""A basket change smaller than this (either way) is `flat`."""
SITE_VISIT_FULL_SECONDS = 300
"""A site visit this long (or longer) counts its full weight."""

Scalar = str | int | float | bool
Trend = Literal["rising", "flat", "declining", "unknown"]


@dataclass(frozen=True)
class CustomerState:
    """What the rules need of one customer, read by the caller at `now`."""

    now: datetime
    signed_up_at: datetime | None = None
    order_count: int = 0
    last_order_at: datetime | None = None
    baskets: tuple[tuple[int, str], ...] = ()
    """The last (up to 6) paid orders as (amount, currency), oldest first."""
    total_spent: Mapping[str, int] = field(default_factory=dict)
    coupon_orders: int = 0
    engagement: float = 0.0
    """Already decayed to `now`."""
    referrals_converted: int = 0
    loyalty_member: bool = False
    loyalty_redemptions: int = 0
    points_balance: int = 0
    tier: str | None = None
    tier_rank: int | None = None
    """Index of `tier` among the program's tiers sorted by min_points (0 = lowest)."""
    country: str | None = None
    locale: str | None = None
    attributes: Mapping[str, Scalar] = field(default_factory=dict)
    consent_email: bool = False
    consent_sms: bool = False
    referred: bool = False
    tier_ranks: Mapping[str, int] = field(default_factory=dict)
    """Optional: every tier name of the program -> its rank, so `tier gte "Gold"` can be answered."""


# ------------------------------------------------------------------------------------------ engagement


def _elapsed_days(since: datetime, now: datetime) -> float:
    """Days from `since` to `now`; never negative, so a score is never inflated by a clock in the past."""
    return max(0.0, (now - since).total_seconds() / 86400)


def decayed(score: float, since: datetime | None, now: datetime, half_life_days: int) -> float:
    """`score` as it stands at `now`: every contribution halves every `half_life_days`.

    Storing (score, reference time) and decaying on read is what lets the score be kept as one number
    instead of the list of signals.
    """
    if since is None:
        return score
    return score * 0.5 ** (_elapsed_days(since, now) / half_life_days)


def add_signal(
    score: float, score_at: datetime | None, at: datetime, weight: float, half_life_days: int
) -> tuple[float, datetime]:
    """Add a signal of `weight` that happened `at`; answers (new score, its reference time).

    The reference time only moves forward: a late or backdated event is decayed from when it happened,
    so it counts as much as it would have had it arrived on time. Hence the result does not depend on
    the order signals arrive in (up to float rounding).
    """
    reference = at if score_at is None else max(score_at, at)
    return decayed(score, score_at, reference, half_life_days) + decayed(
        weight, at, reference, half_life_days
    ), reference


def nps_group(score: int) -> str:
    """The daily counter an NPS answer moves: promoters answer 9-10, passives 7-8, detractors 0-6."""
    if score >= 9:
        return "nps_promoters"
    return "nps_passives" if score >= 7 else "nps_detractors"


def signal_weight(
    config: EngagementConfig,
    signal: str,
    *,
    score: int | None = None,
    rating: int | None = None,
    duration_seconds: int | None = None,
) -> float:
    """The weight one signal adds to the score (before decay).

    Unknown signals (and signals the shop removed from its weights) weigh as `custom`. NPS counts
    weight x score/10 (no score: nothing), a review weight x rating/5 (no rating: nothing), a site visit
    weight x min(duration/300 s, 1), half the weight when the duration is unknown. Out-of-range inputs
    are clamped, so a weight never exceeds the configured one nor goes negative.
    """
    weight = config.weights.get(signal, config.weights.get("custom", 0.0))
    if signal == "nps_answer":
        return weight * min(max(score, 0), 10) / 10 if score is not None else 0.0
    if signal == "review":
        return weight * min(max(rating, 0), 5) / 5 if rating is not None else 0.0
    if signal == "site_visit":
        if duration_seconds is None:
            return weight / 2
        return weight * min(max(duration_seconds, 0) / SITE_VISIT_FULL_SECONDS, 1.0)
    return weight


# -------------------------------------------------------------------------------------------- basket


def _latest(baskets: Sequence[tuple[int, str]]) -> Sequence[tuple[int, str]]:
    return baskets[-BASKET_ORDERS:]


def _amounts(baskets: Sequence[tuple[int, str]], currency: str) -> list[int]:
    return [amount for amount, in_currency in _latest(baskets) if in_currency == currency]


def _round_1(value: Fraction) -> float:
    """Round to one decimal, halves away from zero (exact: no float surprise at the thresholds)."""
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    return math.copysign(tenths / 10, value) if tenths else 0.0


def basket(baskets: Sequence[tuple[int, str]]) -> Basket | None:
    """Average basket and its trend over the last 6 orders, in the latest order's currency.

    Orders in other currencies are left out (amounts in different currencies do not average). The trend
    compares the mean of the recent half with the earlier half (with an odd count the middle order is in
    neither); it needs 4 orders in the currency, and an earlier mean above 0, else it is `unknown`.
    `change_percent` is rounded to one decimal and the trend is decided on that rounded number, so what is
    shown and what is decided agree.
    """
    if not baskets:
        return None
    currency = baskets[-1][1]
    amounts = _amounts(baskets, currency)
    average = sum(amounts) // len(amounts)
    half = len(amounts) // 2
    earlier = Fraction(sum(amounts[:half]), half) if len(amounts) >= 4 else Fraction(0)
    if earlier <= 0:
        return Basket(average=average, currency=currency, trend="unknown", change_percent=None)
    recent = Fraction(sum(amounts[-half:]), half)
    change = _round_1((recent - earlier) / earlier * 100)
    trend: Trend = "declining" if change <= -TREND_PERCENT else "rising" if change >= TREND_PERCENT else "flat"
    return Basket(average=average, currency=currency, trend=trend, change_percent=change)


def average_basket(baskets: Sequence[tuple[int, str]], currency: str) -> int | None:
    """Integer mean of the last 6 orders' amounts in `currency`; None when none of them is in it."""
    amounts = _amounts(baskets, currency)
    return sum(amounts) // len(amounts) if amounts else None


# ------------------------------------------------------------------------------------------ segments


def _new_until(state: CustomerState, config: EngagementConfig) -> datetime | None:
    """The instant the customer stops being new (exclusive), or None when they cannot be new."""
    if state.signed_up_at is None or state.order_count > 1:
        return None
    return state.signed_up_at + timedelta(days=config.new_customer_days)


def _lapses_at(state: CustomerState, config: EngagementConfig) -> datetime | None:
    if state.order_count < 1 or state.last_order_at is None:
        return None
    return state.last_order_at + timedelta(days=config.lapsed_days)


def built_in_segments(state: CustomerState, config: EngagementConfig) -> set[str]:
    """The built-in segments the customer is in at `state.now` (thresholds from `config`).

    Time boundaries are half-open so each has one instant where membership flips: a customer is new
    strictly before signup + new_customer_days, and lapsed from last order + lapsed_days on.
    """
    found: set[str] = set()
    new_until = _new_until(state, config)
    if new_until is not None and state.now < new_until:
        found.add("new_customers")
    lapses_at = _lapses_at(state, config)
    if lapses_at is not None and state.now >= lapses_at:
        found.add("lapsed_180d")
    facts = basket(state.baskets)
    if facts and facts.change_percent is not None and facts.change_percent <= -config.basket_decline_percent:
        found.add("basket_declining")
    if state.referrals_converted >= 1:
        found.add("ambassadors")
    engaged = state.engagement >= config.engaged_score
    if engaged and (state.loyalty_member or state.order_count >= 2) and state.referrals_converted <= 0:
        found.add("future_ambassadors")
    # The share is read as the decimal the shop typed (0.28 x 25 orders is 7, not 7.000000000000001).
    share = Fraction(str(config.opportunist_coupon_share))
    coupon_hunter = state.order_count >= 2 and state.coupon_orders >= share * state.order_count
    if coupon_hunter or (state.loyalty_redemptions >= 2 and not engaged):
        found.add("opportunists")
    if state.referrals_converted >= config.top_referrer_min:
        found.add("top_referrers")
    return found


def _kind(value: object) -> str | None:
    """bool is its own kind (True is not 1 here); int and float compare together; str with str."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return None


_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _compare(actual: Scalar | None, op: str, expected: object) -> bool:
    """One condition on a value the customer has (`actual` None: nothing matches but `exists`).

    Incompatible types never raise: eq is False, ne is True (the values differ), ordering is False.
    Ordering works between numbers and between strings (lexicographic), never on booleans.
    """
    if actual is None:
        return False
    if op == "in":
        return isinstance(expected, list) and isinstance(actual, str) and actual in expected
    kind, expected_kind = _kind(actual), _kind(expected)
    if kind is None or expected_kind is None:
        return False
    same = kind == expected_kind
    if op == "eq":
        return same and actual == expected
    if op == "ne":
        return not (same and actual == expected)
    if not same or kind == "bool" or op not in _ORDERINGS:
        return False
    return bool(_ORDERINGS[op](actual, expected))


def _field(state: CustomerState, condition: Condition) -> tuple[bool, Scalar | None]:
    """(does the customer have this value, the value to compare)."""
    name = condition.field
    if name in ("country", "locale"):
        value = state.country if name == "country" else state.locale
        return value is not None, value
    if name == "attribute":
        attribute = state.attributes.get(condition.name or "")
        return (condition.name or "") in state.attributes, attribute
    if name == "total_spent":
        present = condition.currency is not None and condition.currency in state.total_spent
        return present, state.total_spent.get(condition.currency or "", 0)
    if name == "average_basket":
        average = average_basket(state.baskets, condition.currency) if condition.currency else None
        return average is not None, average
    if name == "tier":
        return state.tier is not None, state.tier
    values: dict[str, Scalar] = {
        "order_count": state.order_count,
        "engagement_score": state.engagement,
        "points_balance": state.points_balance,
        "referred": state.referred,
        "referrals_converted": state.referrals_converted,
        "coupon_orders": state.coupon_orders,
        "consent_email": state.consent_email,
        "consent_sms": state.consent_sms,
    }
    return True, values[name]


def _tier_rank(state: CustomerState) -> int | None:
    if state.tier_rank is not None:
        return state.tier_rank
    return state.tier_ranks.get(state.tier) if state.tier is not None else None


def condition_holds(state: CustomerState, condition: Condition) -> bool:
    """One condition of a custom segment (see `matches`)."""
    present, actual = _field(state, condition)
    if condition.op == "exists":
        return present if condition.value is not False else not present
    if condition.field == "tier" and condition.op in ("gt", "gte", "lt", "lte"):
        expected = condition.value
        if isinstance(expected, str):
            target = state.tier_ranks.get(expected)
            return target is not None and _compare(_tier_rank(state), condition.op, target)
        return _compare(_tier_rank(state), condition.op, expected)
    return _compare(actual, condition.op, condition.value)


def matches(state: CustomerState, segment: SegmentCreate) -> bool:
    """Is the customer in a custom segment: `all` or `any` of its conditions hold.

    Choices (also in docs for the shop):
    - A value the customer does not have (no country, no such attribute, no tier, no order in the currency
      for `average_basket`) matches nothing but `exists: false` - not even `ne` (unknown is not different).
    - `total_spent` in a currency never spent in is 0 (so `lt` matches it); `exists` asks whether the
      customer ever paid in that currency.
    - `average_basket` is the integer mean of the last 6 orders in the condition's currency (the same
      number `basket` shows when the latest order is in that currency); no order in it: no value.
    - `tier`: eq/ne/in compare the name; gt/gte/lt/lte compare the rank - with a number value directly,
      with a tier name through `state.tier_ranks` (unknown name: False).
    - Types must agree: True is not 1, "3" is not 3; strings compare case-sensitively. An ordering
      between incompatible types is False; `ne` between them is True.
    - `exists` with value False means "does not exist"; any other value (or none) means "exists".
    """
    results = (condition_holds(state, condition) for condition in segment.conditions)
    return all(results) if segment.match == "all" else any(results)


def segments(state: CustomerState, config: EngagementConfig, custom: Sequence[SegmentCreate]) -> set[str]:
    """Every segment the customer is in: the built-in ones and the shop's custom ones."""
    return built_in_segments(state, config) | {segment.name for segment in custom if matches(state, segment)}


def timers(state: CustomerState, config: EngagementConfig) -> dict[str, datetime]:
    """When built-in membership changes with time alone, so a job can re-evaluate then instead of scanning.

    `new_customers`: the instant a current new customer stops being new. `lapsed_180d`: the instant a
    customer who has ordered lapses. Only instants strictly after `now`. (Score decay also moves
    future_ambassadors and opportunists; it is re-evaluated at the customer's next change.)
    """
    found: dict[str, datetime] = {}
    new_until = _new_until(state, config)
    if new_until is not None and new_until > state.now:
        found["new_customers"] = new_until
    lapses_at = _lapses_at(state, config)
    if lapses_at is not None and lapses_at > state.now:
        found["lapsed_180d"] = lapses_at
    return found


def diff(before: set[str], after: set[str]) -> tuple[list[str], list[str]]:
    """(entered, exited), each sorted: the segment change events to write."""
    return sorted(after - before), sorted(before - after)
