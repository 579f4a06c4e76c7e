"""The loyalty rules as pure functions over plain data: what an event earns, caps, tiers, expiry, refunds.

No I/O and no clock: every time is a parameter (`at`, `now`), so the services decide when, and the tests can
pin every boundary. Times are aware datetimes; calendar periods (caps, months, years) are taken in UTC.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from passaparola.loyalty.models import (
    ONCE_EVENTS,
    ORDER_EVENT,
    YEARLY_EVENTS,
    EarningRule,
    LoyaltyProgram,
    LoyaltyTier,
)

Reason = Literal[
    "earned", "no_rule", "outside_window", "capped", "already_earned", "nothing_eligible", "birthday_too_recent"
]
Period = Literal["day", "week", "month", "year"]

BIRTHDAY_COOLDOWN = timedelta(days=30)
"""A birthday set or changed less than this before the day earns nothing (no birthday-hopping for points)."""
MONTHS_KEPT = 24
"""`Account.months` keeps this many months before the current one: twice the longest tier window."""


@dataclass(frozen=True)
class Line:
    """An order line."""

    sku: str
    categories: tuple[str, ...]
    quantity: int
    unit_price: int  # minor units


@dataclass(frozen=True)
class Account:
    """What is stored about a member (the service maps its item to this)."""

    balance: int = 0
    pending: int = 0
    earned_total: int = 0
    """Points ever released into the balance: the running total that numbers the FIFO lots."""
    consumed: int = 0
    """Points ever taken out after release: spent + expired + reversed."""
    months: Mapping[str, int] = field(default_factory=dict)
    """"YYYY-MM" -> points earned that month, net of reversals (what tier windows sum)."""
    caps: Mapping[str, int] = field(default_factory=dict)
    """Cap counters: "<event>/<bucket>" -> points or times used (see `cap_key`)."""
    tier: str | None = None
    tier_since: datetime | None = None
    signup_earned: bool = False
    birthday_year: int | None = None
    """The last year birthday points were given."""
    tiers_reached: frozenset[str] = frozenset()
    """Tiers whose entry_reward was already given."""


@dataclass(frozen=True)
class Earn:
    points: int
    """What the customer gets, after the multiplier and the cap (>= 0)."""
    base: int
    """Before multiplier and cap; 0 when the earn was refused before it was computed."""
    rule: int | None
    """Index in program.earning_rules of the rule used; None when no rule applied."""
    caps: dict[str, int]
    """The account's new cap counters (other rules' untouched; stale buckets of this rule's event dropped)."""
    reason: Reason


# ------------------------------------------------------------------------------------------- earning


def order_base_points(rule: EarningRule, lines: Sequence[Line], amount: int, paid: int, currency: str) -> int:
    """Points before the multiplier for an order.

    Points follow what was actually paid (after the coupon). Excluded lines take their share of the payment
    with them: a coupon is spread over the lines pro rata, so eligible = paid x (amount - excluded) / amount.
    """
    if not rule.points_per_unit or not rule.unit_amount:
        return 0
    if rule.currency and rule.currency != currency:
        return 0
    eligible = max(paid, 0)
    excluded = sum(line.quantity * line.unit_price for line in lines if _excluded(rule, line))
    if lines and excluded:
        eligible = eligible * max(amount - excluded, 0) // amount if amount > 0 else 0
    return (eligible // rule.unit_amount) * rule.points_per_unit


def _excluded(rule: EarningRule, line: Line) -> bool:
    return line.sku in rule.exclude_skus or any(c in rule.exclude_categories for c in line.categories)


def earn(
    program: LoyaltyProgram,
    event: str,
    at: datetime,
    account: Account,
    *,
    lines: Sequence[Line] = (),
    amount: int = 0,
    paid: int = 0,
    currency: str = "",
    birthday_set_at: datetime | None = None,
) -> Earn:
    """What `event` at `at` earns this account, and the cap counters to store with it.

    The first rule for the event whose window holds `at` wins, so a time-boxed promotion listed before the
    standard rule replaces it while it runs.
    """
    unchanged = dict(account.caps)
    candidates = [i for i, r in enumerate(program.earning_rules) if r.event == event]
    if not candidates:
        return Earn(0, 0, None, unchanged, "no_rule")
    index = next((i for i in candidates if _in_window(program.earning_rules[i], at)), None)
    if index is None:
        return Earn(0, 0, None, unchanged, "outside_window")
    rule = program.earning_rules[index]

    if event in ONCE_EVENTS and account.signup_earned:
        return Earn(0, 0, index, unchanged, "already_earned")
    if event in YEARLY_EVENTS:
        if account.birthday_year == _utc(at).year:
            return Earn(0, 0, index, unchanged, "already_earned")
        if birthday_set_at is not None and at - birthday_set_at < BIRTHDAY_COOLDOWN:
            return Earn(0, 0, index, unchanged, "birthday_too_recent")

    base = order_base_points(rule, lines, amount, paid, currency) if event == ORDER_EVENT else (rule.points or 0)
    if base <= 0:
        return Earn(0, 0, index, unchanged, "nothing_eligible")
    points = apply_multiplier(base, multiplier(program, account.tier))
    if rule.cap is None:
        return Earn(points, base, index, unchanged, "earned")

    key = cap_key(rule, at)
    prefix = f"{rule.event}/"
    caps = {k: v for k, v in account.caps.items() if not k.startswith(prefix) or k == key}
    used = caps.get(key, 0)
    if rule.cap.max_points is not None:
        points = max(min(points, rule.cap.max_points - used), 0)
        spent = points
    else:
        points = 0 if used >= (rule.cap.max_times or 0) else points
        spent = 1  # only counted when points are given (see below)
    if points == 0:
        return Earn(0, base, index, caps, "capped")
    caps[key] = used + spent
    return Earn(points, base, index, caps, "earned")


def _in_window(rule: EarningRule, at: datetime) -> bool:
    """Half-open [starts_at, ends_at): a promotion ending at midnight does not pay at midnight."""
    return (rule.starts_at is None or rule.starts_at <= at) and (rule.ends_at is None or at < rule.ends_at)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def cap_bucket(period: Period, at: datetime) -> str:
    """The UTC calendar period holding `at`: "2026-11-24", ISO week "2026-W48", "2026-11" or "2026".

    The four formats never collide, so a rule whose cap period changes starts a fresh counter.
    """
    u = _utc(at)
    if period == "day":
        return u.strftime("%Y-%m-%d")
    if period == "week":
        iso = u.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period == "month":
        return u.strftime("%Y-%m")
    return f"{u.year:04d}"


def cap_key(rule: EarningRule, at: datetime) -> str:
    """ "<event>/<bucket>": keyed by event, not by rule index, so reordering or editing rules keeps counters.

    Two rules for the same event therefore share a counter (a promotion replacing the standard rule spends
    the same cap).
    """
    assert rule.cap is not None
    return f"{rule.event}/{cap_bucket(rule.cap.period, at)}"


def multiplier(program: LoyaltyProgram, tier: str | None) -> float:
    """The tier's multiplier; 1.0 without a tier or for a tier the program no longer has."""
    return next((t.multiplier for t in program.tiers if t.name == tier), 1.0)


def apply_multiplier(base: int, factor: float) -> int:
    """floor(base x factor) in decimal, so 100 x 1.15 is 115 and not float's 114.99999999999999."""
    return math.floor(base * Decimal(repr(factor)))


# ------------------------------------------------------------------------------------------- tiers


def month_key(at: datetime) -> str:
    return _utc(at).strftime("%Y-%m")


def _month_index(key: str) -> int:
    year, month = key.split("-")
    return int(year) * 12 + int(month) - 1


def add_month(months: Mapping[str, int], at: datetime, points: int) -> dict[str, int]:
    """Adds (or, negative, takes back) points in `at`'s month; keeps the map small enough for one item."""
    key = month_key(at)
    out = dict(months)
    out[key] = out.get(key, 0) + points
    oldest = _month_index(key) - MONTHS_KEPT
    return {k: v for k, v in out.items() if v != 0 and _month_index(k) >= oldest}


def window_points(program: LoyaltyProgram, months: Mapping[str, int], now: datetime) -> int:
    """Points earned in the tier window: the month of `now` and the 11 before it, or `now`'s calendar year.

    Never negative (a reversal can land in a later month than its earn).
    """
    key = month_key(now)
    if program.tier_policy.window == "calendar_year":
        year = key[:4]
        total = sum(v for k, v in months.items() if k[:4] == year)
    else:
        current = _month_index(key)
        total = sum(v for k, v in months.items() if current - 11 <= _month_index(k) <= current)
    return max(total, 0)


def qualified(program: LoyaltyProgram, points: int) -> LoyaltyTier | None:
    """The highest tier whose threshold the points reach (the 0-point tier at worst); None without tiers."""
    reached = [t for t in program.sorted_tiers() if t.min_points <= max(points, 0)]
    return reached[-1] if reached else None


def _level(tiers: Sequence[LoyaltyTier], name: str | None) -> int | None:
    return next((i for i, t in enumerate(tiers) if t.name == name), None)


def after_earn(
    program: LoyaltyProgram, account: Account, months: Mapping[str, int], now: datetime
) -> tuple[str | None, list[LoyaltyTier]]:
    """Status after an earn: it only rises here (losing it waits for the review).

    Returns the tier to hold and the tiers entered for the first time whose entry_reward is due now — every
    level climbed, when one order skips several. A member without a tier (or with one the program no longer
    has) starts from the 0-point tier, which counts as entered: its entry_reward is given once, too.
    """
    tiers = program.sorted_tiers()
    target = qualified(program, window_points(program, months, now))
    if target is None:
        return account.tier, []
    new = tiers.index(target)
    old = _level(tiers, account.tier)
    if old is not None and new <= old:
        return account.tier, []
    start = -1 if old is None else old
    entered = [
        t for t in tiers[start + 1 : new + 1] if t.entry_reward is not None and t.name not in account.tiers_reached
    ]
    return target.name, entered


def review(program: LoyaltyProgram, tier: str | None, months: Mapping[str, int], now: datetime) -> str | None:
    """Status at its review: what the window qualifies for, falling at most one level under `one_level`."""
    tiers = program.sorted_tiers()
    target = qualified(program, window_points(program, months, now))
    if target is None:
        return None
    new = tiers.index(target)
    old = _level(tiers, tier)
    if old is None or new >= old or program.tier_policy.fallback == "qualified":
        return target.name
    return tiers[old - 1].name  # new < old here, so one level down is never below what qualifies


def next_review(program: LoyaltyProgram, since: datetime) -> datetime:
    """When a status reached at `since` is reviewed: `keep_days` later, or the next 1 January (UTC)."""
    if program.tier_policy.window == "calendar_year":
        return datetime(_utc(since).year + 1, 1, 1, tzinfo=UTC)
    return since + timedelta(days=program.tier_policy.keep_days)


def progress(program: LoyaltyProgram, tier: str | None, points: int) -> tuple[str | None, int | None]:
    """The next tier above `tier` and the window points still missing; (None, None) at the top or without tiers.

    Without a tier (or an unknown one) the member is at the 0-point tier.
    """
    tiers = program.sorted_tiers()
    if not tiers:
        return None, None
    level = _level(tiers, tier) or 0
    if level + 1 >= len(tiers):
        return None, None
    following = tiers[level + 1]
    return following.name, max(following.min_points - points, 0)


# ------------------------------------------------------------------------------------------- expiry


def lot_remaining(cum_before: int, points: int, consumed: int) -> int:
    """What is left of a lot under FIFO.

    Lots are numbered by the running total of released points: the lot released when earned_total was
    `cum_before` covers (cum_before, cum_before + points]. Everything ever consumed (spent, expired,
    reversed) eats the oldest points first, so the lot keeps what lies above `consumed`.
    """
    return min(max(cum_before + points - consumed, 0), points)


def expiring(
    lots: Sequence[tuple[int, int, datetime]], consumed: int, now: datetime, horizon_days: int
) -> list[tuple[int, datetime]]:
    """The wallet's "expiring soon": remaining points expiring in (now, now + horizon], one entry per UTC day.

    Each day shows its earliest expiry instant, so the customer is never told a later time than the real one.
    """
    until = now + timedelta(days=horizon_days)
    days: dict[date, tuple[int, datetime]] = {}
    for cum_before, points, expires_at in lots:
        left = lot_remaining(cum_before, points, consumed)
        if left <= 0 or not now < expires_at <= until:
            continue
        instant = _utc(expires_at)
        total, first = days.get(instant.date(), (0, instant))
        days[instant.date()] = (total + left, min(first, instant))
    return sorted(days.values(), key=lambda entry: entry[1])


# ------------------------------------------------------------------------------------------- birthdays, refunds


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def birthday_due(month: int, day: int, on: date) -> bool:
    """`on` is the birthday; a 29 February birthday is celebrated on 28 February in common years."""
    if (on.month, on.day) == (month, day):
        return True
    return (month, day) == (2, 29) and not _leap(on.year) and (on.month, on.day) == (2, 28)


def refund_reversal(points: int, paid: int, refunded_total: int, already_reversed: int) -> int:
    """How many of an order's points to take back now.

    Driven by the refunded total, not by the latest refund, so partial refunds add up to exactly the full
    reversal whatever their order and rounding, and a replayed refund takes nothing twice.
    """
    kept = points * (paid - min(max(refunded_total, 0), paid)) // paid if paid > 0 else 0
    return max(points - kept - already_reversed, 0)


# ------------------------------------------------------------------------------------------- points debt


def debt(balance: int) -> int:
    """Points owed: a balance below zero (only a refund's reversal takes it there)."""
    return max(-balance, 0)


def take_back(balance: int, points: int) -> tuple[int, int]:
    """A refund takes back all of `points` (>= 0): (balance after, debt it created).

    What the balance cannot cover becomes a debt (a negative balance) instead of being forgiven, so spending
    points and then refunding the order that earned them never keeps the points.
    """
    after = balance - points
    return after, debt(after) - debt(balance)


def settle(balance: int, points: int) -> tuple[int, int]:
    """Earned `points` (>= 0) pay the debt first: (balance after, debt settled by them)."""
    return balance + points, min(points, debt(balance))
