"""The reads behind the reports: a Query or two of aggregates, whatever the number of conversions.

Nothing here scans or touches conversion items: the writes keep `STATS#` and `BOARD#` items current, so a
report costs the same at ten conversions or ten million. Eventually consistent reads (half the cost):
a report may lag a write by a moment.
"""

from decimal import Decimal
from typing import Any

from passaparola.data.conversions import board_keys
from passaparola.data.models.reports import BoardModel, StatsModel
from passaparola.data.stats import ALL_TIME, MONTHS, day_pk, raw_days, stats_pk
from passaparola.reports.rules import BoardLine

VARIANT = "VARIANT#"


def _int(value: Any) -> int:
    return int(value or 0)


def board(campaign_id: str, period: str, limit: int) -> list[BoardLine]:
    """The top `limit` lines of one leaderboard, best first: one Query of the `board` index.

    `score > 0` is a key condition, so lines voided back to zero cost nothing and never take a place.
    """
    query = BoardModel.by_score.query(
        board_keys(campaign_id, [period])[0], BoardModel.score > 0, scan_index_forward=False, limit=limit
    )
    return [BoardLine(item.code, item.customer_id, item.name, _int(item.score)) for item in query]


SHARD_DAYS_END = "#~"
"""`<last>#~` sorts after every `<last>#s<i>` and before the next day."""


def days(campaign_id: str, first: str, last: str) -> dict[str, dict[str, int]]:
    """The campaign's daily items from `first` to `last` (YYYY-MM-DD): one Query, at most one item a day, and a
    hot campaign's shard day items (`<day>#s<i>`, in the same Query) summed into their day."""
    found: dict[str, dict[str, int]] = {}
    for key, numbers in raw_days(StatsModel, day_pk(campaign_id), first, last + SHARD_DAYS_END).items():
        day = key.split("#", 1)[0]
        if day not in found:
            found[day] = dict(numbers)
            continue
        into = found[day]
        for name, value in numbers.items():
            into[name] = into.get(name, 0) + value
    return found


def outstanding(campaign_id: str) -> dict[str, dict[str, int]]:
    """The program's coupons outstanding now, per variant: its `VARIANT#` items' numbers (one Query)."""
    connection = StatsModel._get_connection()
    found: dict[str, dict[str, int]] = {}
    start: dict[str, Any] | None = None
    while True:
        page = connection.query(
            stats_pk(campaign_id), range_key_condition=StatsModel.sk.startswith(VARIANT), exclusive_start_key=start
        )
        for raw in page.get("Items", []):
            numbers = {name: int(Decimal(v["N"])) for name, v in raw.items() if "N" in v}
            found[raw["sk"]["S"][len(VARIANT) :]] = numbers
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def months(first: str, last: str) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """The referral rate's month items from `first` to `last` (YYYY-MM: one Query) and the all-time item."""
    found = raw_days(StatsModel, MONTHS, first, last)
    ever = raw_days(StatsModel, MONTHS, ALL_TIME, ALL_TIME)
    return found, ever.get(ALL_TIME, {})
