"""Report use cases: read the campaign and its aggregates, let the pure rules compute.

Each report is a fixed handful of reads (the campaign, then one or two Queries of aggregates), never a
scan and never a read of conversions, so its cost does not grow with the program.
"""

from passaparola import clock
from passaparola.campaigns import service as campaigns
from passaparola.data import reports as store
from passaparola.errors import InvalidRequest
from passaparola.referrals.models import Funnel, Leaderboard, Roi
from passaparola.reports import rules


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
