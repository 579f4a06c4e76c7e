"""Pure report computations over plain aggregates: leaderboard periods and rates (funnels and ROI:
`reports.referral`).

Nothing here does I/O or reads the clock: the service reads the aggregates (`passaparola.data.reports`)
and passes `now`, so every figure can be tested with plain data. A ratio whose denominator is 0 is None
(undefined), never a ZeroDivisionError nor an invented 0; so is one whose denominator is negative, which
only a faulty write could produce. Money is integer minor units; averages are floats in minor units.
Rates are rounded to 4 decimals.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from passaparola.referrals.models import LeaderboardEntry

DEFAULT_VARIANT = "default"
"""The variant of every referrer of a program without variants."""
TOTAL = "total"
DECIMALS = 4
PERIODS = "all, year, month, YYYY or YYYY-MM"
_EXPLICIT_PERIOD = re.compile(r"all|\d{4}|\d{4}-(?:0[1-9]|1[0-2])")

# ------------------------------------------------------------------------------------- plain data


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
