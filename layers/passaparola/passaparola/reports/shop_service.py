"""Shop-wide and cross-campaign reports: one read of the campaign(s), one Query of daily items per partition.

Nothing here reads conversions, codes, customers or messages: a report costs the same whatever the shop's
size (bench: `python -m bench reports`).
"""

from passaparola.data import reports as store
from passaparola.data.stats import SHOP_DAYS
from passaparola.reports import periods, shop_rules
from passaparola.reports.shop_models import WordOfMouth


def word_of_mouth(first: str | None, last: str | None, granularity: str, a: int, b: int) -> WordOfMouth:
    """NPS answers of the period and the word of mouth they stand for (1 Query of `DAY#shop`)."""
    win = periods.window(first, last, granularity)
    return shop_rules.word_of_mouth(win, store.days(SHOP_DAYS, *win.keys()), a, b)
