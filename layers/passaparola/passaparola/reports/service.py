"""Report use cases: read the campaign and its aggregates, let the pure rules compute.

Each report is a fixed handful of reads (the campaign, then one or two Queries of aggregates), never a
scan and never a read of conversions, so its cost does not grow with the program.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from passaparola import clock
from passaparola.campaigns import service as campaigns
from passaparola.data import campaigns as campaign_store
from passaparola.data import reports as store
from passaparola.data import stats
from passaparola.errors import InvalidRequest
from passaparola.referrals.models import Leaderboard
from passaparola.reports import overview as overview_rules
from passaparola.reports import periods, referral, rules
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


def funnel(campaign_id: str, first: str | None, last: str | None, granularity: str) -> referral.Funnel:
    """Both funnels per variant and in total over the period (1 read + 1 Query of the program's daily items)."""
    win = periods.window(first, last, granularity)
    campaign = campaigns.get_referral(campaign_id)
    days = store.days(campaign_id, *win.keys())
    return referral.funnel(campaign_id, win, [v.name for v in campaign.variants], days)


def roi(campaign_id: str, first: str | None, last: str | None) -> referral.Roi:
    """Per currency and variant, ROI and its inputs over the period: the program, its daily items, the shop's
    daily items and its outstanding coupons (1 read + 3 Queries, run together), whatever the program's size."""
    win = periods.window(first, last)
    campaign = campaigns.get_referral(campaign_id)
    loyalty = campaign_store.loyalty_program()
    with ThreadPoolExecutor(max_workers=3) as pool:
        days = pool.submit(store.days, campaign_id, *win.keys())
        shop = pool.submit(store.days, "shop", *win.keys())
        outstanding = pool.submit(store.outstanding, campaign_id)
        found = days.result(), shop.result(), outstanding.result()
    point_value = loyalty.point_value if loyalty is not None else None
    return referral.roi(
        campaign_id, win, [v.name for v in campaign.variants], found[0], found[2], found[1], point_value
    )


def overview(days: int) -> Overview:
    """Every campaign's figures over the last `days` shop-local days: the campaigns' list, then one Query of
    daily items per campaign (at most `days` items each, run a few at a time), whatever the traffic."""
    window = overview_rules.window(date.fromisoformat(stats.day_of(clock.now())), days)
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
