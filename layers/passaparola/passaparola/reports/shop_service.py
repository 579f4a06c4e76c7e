"""Shop-wide and cross-campaign reports: one read of the campaign(s), one Query of daily items per partition.

Nothing here reads conversions, codes, customers or messages: a report costs the same whatever the shop's
size (bench: `python -m bench reports`).
"""

from concurrent.futures import ThreadPoolExecutor

from passaparola.campaigns import service as campaigns
from passaparola.campaigns.models import AnyCampaign, DiscountCampaign, ReengagementCampaign, ReferralCampaign
from passaparola.data import reports as store
from passaparola.data.stats import SHOP_DAYS
from passaparola.errors import CampaignTypeMismatch
from passaparola.reports import periods, shop_rules
from passaparola.reports.shop_models import CouponsReport, ReferralRate, VariantsReport, WordOfMouth

CAMPAIGN_PAGE = 100
QUERY_THREADS = 8


def word_of_mouth(first: str | None, last: str | None, granularity: str, a: int, b: int) -> WordOfMouth:
    """NPS answers of the period and the word of mouth they stand for (1 Query of `DAY#shop`)."""
    win = periods.window(first, last, granularity)
    return shop_rules.word_of_mouth(win, store.days(SHOP_DAYS, *win.keys()), a, b)


def all_campaigns() -> list[AnyCampaign]:
    """Every campaign, oldest first (the list's pages: one read per 100 campaigns)."""
    listed, cursor = campaigns.list_page(CAMPAIGN_PAGE, None)
    while cursor:
        more, cursor = campaigns.list_page(CAMPAIGN_PAGE, cursor)
        listed += more
    return sorted(listed, key=lambda c: (c.created_at, c.id))


def coupons(campaign_id: str | None, first: str | None, last: str | None, granularity: str) -> CouponsReport:
    """A discount campaign's (or every discount campaign's) redemptions, orders, revenue and customers
    acquired: the campaign (or the list), then one Query of daily items per campaign (a few at a time)."""
    win = periods.window(first, last, granularity)
    if campaign_id is not None:
        campaign = campaigns.get(campaign_id)
        if not isinstance(campaign, DiscountCampaign):
            raise CampaignTypeMismatch("This needs a discount campaign.", {"campaign_id": campaign_id})
        chosen = [campaign]
    else:
        chosen = [c for c in all_campaigns() if isinstance(c, DiscountCampaign)]
    with ThreadPoolExecutor(max_workers=QUERY_THREADS) as pool:
        items = list(pool.map(lambda c: store.days(c.id, *win.keys()), chosen))
    found = [(c.id, c.name, c.enabled, days) for c, days in zip(chosen, items, strict=True)]
    return shop_rules.coupons(win, campaign_id, found)


def variants(campaign_id: str, first: str | None, last: str | None) -> VariantsReport:
    """A referral program's or re-engagement campaign's variants over the period, with the z-test against the
    control: the campaign, one Query of its daily items (and the loyalty program, for points, cached)."""
    win = periods.window(first, last)
    campaign = campaigns.get(campaign_id)
    if isinstance(campaign, ReferralCampaign):
        kind, declared = "referral", [v.name for v in campaign.variants]
    elif isinstance(campaign, ReengagementCampaign):
        kind, declared = "reengagement", [v.name for v in campaign.variants or []]
    else:
        raise CampaignTypeMismatch("This needs a referral or re-engagement campaign.", {"campaign_id": campaign_id})
    point_value = _point_value() if kind == "referral" else None
    items = store.days(campaign_id, *win.keys())
    return shop_rules.variants(win, campaign_id, kind, declared, items, point_value)


def _point_value() -> shop_rules.PointValue | None:
    """The loyalty program's declared point value (`point_value: {points, amount, currency}`), if any."""
    value = getattr(campaigns.get_loyalty(), "point_value", None)
    if value is None:
        return None
    fields = value if isinstance(value, dict) else value.__dict__
    return int(fields["points"]), int(fields["amount"]), str(fields["currency"])


def referral_rate(first: str | None, last: str | None) -> ReferralRate:
    """Per month and all time, the share of active customers who shared and who brought a friend (1 Query of
    the months, 1 of the all-time item)."""
    months = shop_rules.month_range(first, last, periods.today())
    items, ever = store.months(months[0], months[-1])
    return shop_rules.referral_rate(months, items, ever)
