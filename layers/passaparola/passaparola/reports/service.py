"""Report use cases: read the campaign and its aggregates, let the pure rules compute.

Each report is a fixed handful of reads (the campaign, then one or two Queries of aggregates), never a
scan and never a read of conversions, so its cost does not grow with the program.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from passaparola import clock
from passaparola.campaigns import service as campaigns
from passaparola.data import reports as store
from passaparola.data import stats
from passaparola.errors import InvalidRequest
from passaparola.referrals.models import Funnel, Leaderboard, Roi
from passaparola.reports import overview as overview_rules
from passaparola.reports import rules
from passaparola.reports.models import Overview

CAMPAIGN_PAGE = 100
QUERY_THREADS = 8


def leaderboard(campaign_id: str, period: str, limit: int) -> Leaderboard:
    """Referrers by accepted conversions in the period (1 read of the campaign + 1 Query of the board)."""
    try:
        key = rules.period_key(period, clock.now())
    except ValueError as exc:
        raise InvalidRequest(
            "The period is invalid; see details.fields.",
            {"fields": [{"field": "query.period", "message": str(exc), "type": "value_error"}]},
        ) from exc
    campaigns.get_referral(campaign_id)
    lines = store.board(campaign_id, key, limit)
    return Leaderboard(campaign_id=campaign_id, period=key, items=rules.leaderboard_entries(lines))


def funnel(campaign_id: str) -> Funnel:
    """Per variant and in total, from clicks to released rewards (1 read + 1 Query)."""
    campaign = campaigns.get_referral(campaign_id)
    rows, total = rules.funnel([v.name for v in campaign.variants], store.campaign_stats(campaign_id))
    return Funnel(campaign_id=campaign_id, variants=rows, total=total)


def roi(campaign_id: str) -> Roi:
    """Per currency, ROI and its inputs (1 read + 1 Query of the campaign's stats + 1 of the shop's LTV)."""
    campaigns.get_referral(campaign_id)
    stats = store.campaign_stats(campaign_id)
    referred, other = store.shop_ltv()
    return Roi(campaign_id=campaign_id, items=rules.roi_lines(stats, referred, other))


def overview(days: int) -> Overview:
    """Every campaign's figures over the last `days` shop-local days: the campaigns' list, then one Query of
    daily items per campaign (at most `days` items each, run a few at a time), whatever the traffic."""
    try:
        window = overview_rules.window(date.fromisoformat(stats.day_of(clock.now())), days)
    except ValueError as exc:
        raise InvalidRequest(
            "days is invalid; see details.fields.",
            {"fields": [{"field": "query.days", "message": str(exc), "type": "value_error"}]},
        ) from exc
    listed, cursor = campaigns.list_page(CAMPAIGN_PAGE, None)
    while cursor:
        more, cursor = campaigns.list_page(CAMPAIGN_PAGE, cursor)
        listed += more
    listed.sort(key=lambda c: (c.created_at, c.id))
    first, last = window[0].isoformat(), window[-1].isoformat()
    with ThreadPoolExecutor(max_workers=QUERY_THREADS) as pool:
        items = list(pool.map(lambda c: store.days(c.id, first, last), listed))
    return overview_rules.overview(
        window,
        [
            overview_rules.campaign_figures(c.id, c.name, c.type, c.enabled, window, found)
            for c, found in zip(listed, items, strict=True)
        ],
    )
