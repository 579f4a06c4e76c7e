"""The reads behind the reports: a Query or two of aggregates, whatever the number of conversions.

Nothing here scans or touches conversion items: the writes keep `STATS#` and `BOARD#` items current, so a
report costs the same at ten conversions or ten million. Eventually consistent reads (half the cost):
a report may lag a write by a moment.
"""

from typing import Any

from passaparola.data.conversions import board_keys
from passaparola.data.models import BoardModel, StatsModel
from passaparola.data.stats import ALL_TIME, MONTHS, SHOP, day_pk, raw_days, stats_pk
from passaparola.reports.rules import BoardLine, CampaignStats, ShopLtv, Traffic, VariantStats

VARIANT, TRAFFIC = "VARIANT#", "TRAFFIC#"


def _money(value: Any) -> dict[str, int]:
    """A per-currency map as stored (absent until the first amount) → {currency: minor units}."""
    if value is None:
        return {}
    raw = value.as_dict() if hasattr(value, "as_dict") else dict(value)
    return {str(currency): int(amount or 0) for currency, amount in raw.items()}


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


def campaign_stats(campaign_id: str) -> CampaignStats:
    """Every `VARIANT#` and `TRAFFIC#` item of the campaign: one Query of its `STATS#` partition."""
    variants: dict[str, VariantStats] = {}
    traffic: dict[str, Traffic] = {}
    for item in StatsModel.query(stats_pk(campaign_id)):
        if item.sk.startswith(VARIANT):
            variants[item.sk[len(VARIANT) :]] = VariantStats(
                referrers=_int(item.referrers),
                conversions=_int(item.conversions),
                flagged=_int(item.flagged),
                blocked=_int(item.blocked),
                rejected=_int(item.rejected),
                refunded=_int(item.refunded),
                rewards_released=_int(item.rewards_released),
                points_awarded=_int(item.points_awarded),
                revenue=_money(item.revenue),
                ltv_revenue=_money(item.ltv_revenue),
                customers=_money(item.customers),
                reward_cost=_money(item.reward_cost),
            )
        elif item.sk.startswith(TRAFFIC):
            traffic[item.sk[len(TRAFFIC) :]] = Traffic(
                clicks=_int(item.clicks), visits=_int(item.visits), signups=_int(item.signups)
            )
    return CampaignStats(variants=variants, traffic=traffic)


def shop_ltv() -> tuple[ShopLtv, ShopLtv]:
    """(referred, other) customers and revenue of the whole shop: one Query of `STATS#shop`, `LTV#…`."""
    found: dict[str, ShopLtv] = {}
    for item in StatsModel.query(SHOP, StatsModel.sk.startswith("LTV#")):
        found[item.sk] = ShopLtv(customers=_money(item.customers), revenue=_money(item.revenue))
    return found.get("LTV#referred", ShopLtv()), found.get("LTV#other", ShopLtv())


def days(campaign_id: str, first: str, last: str) -> dict[str, dict[str, int]]:
    """The campaign's daily items from `first` to `last` (YYYY-MM-DD): one Query, at most one item a day."""
    return raw_days(StatsModel, day_pk(campaign_id), first, last)


def months(first: str, last: str) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """The referral rate's month items from `first` to `last` (YYYY-MM: one Query) and the all-time item."""
    found = raw_days(StatsModel, MONTHS, first, last)
    ever = raw_days(StatsModel, MONTHS, ALL_TIME, ALL_TIME)
    return found, ever.get(ALL_TIME, {})
