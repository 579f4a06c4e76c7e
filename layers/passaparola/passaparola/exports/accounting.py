"""Rewards and points ledger lines across customers, for accounting: read by day through the by_day index.

Items written before the index existed carry no `day` and are not listed (docs/integrations.md)."""

from datetime import datetime, timedelta

from passaparola import clock
from passaparola.data import rewards as store
from passaparola.errors import InvalidRequest
from passaparola.loyalty.models import PointsLedgerPage
from passaparola.loyalty.service import ledger_entry
from passaparola.referrals.models import RewardPage

MAX_RANGE = timedelta(days=366)


def _range(since: datetime, until: datetime | None) -> tuple[datetime, datetime]:
    """`since <= at < until` (until: now), at most 366 days: each day is one Query."""
    end = until or clock.now()
    if end <= since:
        raise InvalidRequest("until must be after since.", {"fields": [{"field": "until", "message": "before since"}]})
    if end - since > MAX_RANGE:
        raise InvalidRequest(
            "At most 366 days per listing: ask for the next range separately.",
            {"fields": [{"field": "since", "message": "range longer than 366 days"}]},
        )
    return since, end


def rewards(since: datetime, until: datetime | None, status: str | None, limit: int, cursor: str | None) -> RewardPage:
    """Rewards created in the range, oldest first, with their status now (filtered by it when asked)."""
    start, end = _range(since, until)
    items, next_cursor = store.rewards_by_day(start, end, status, limit, cursor)
    return RewardPage(items=[store.to_reward(i) for i in items], next_cursor=next_cursor)


def points_ledger(since: datetime, until: datetime | None, limit: int, cursor: str | None) -> PointsLedgerPage:
    """Points ledger lines of every customer written in the range, oldest first."""
    start, end = _range(since, until)
    items, next_cursor = store.points_by_day(start, end, limit, cursor)
    return PointsLedgerPage(items=[ledger_entry(i) for i in items], next_cursor=next_cursor)
