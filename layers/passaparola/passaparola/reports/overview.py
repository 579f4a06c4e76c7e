"""Pure overview computations: a window of shop-local days and the figures of the daily items in it.

Nothing here does I/O or reads the clock. A daily item is a flat map of numbers as stored
(`redemptions`, `discount_EUR`, ...): names of per-currency amounts end in `_<currency>`.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from passaparola.errors import InvalidRequest
from passaparola.reports.models import OVERVIEW_DAYS, CampaignFigures, DayFigures, Figures, Overview

COUNTS = ("redemptions", "conversions", "points_issued", "points_spent", "messages_sent")
MONEY = ("discount", "rewards_cost")


def window(today: date, days: int) -> list[date]:
    """The `days` calendar days ending today, oldest first."""
    if days not in OVERVIEW_DAYS:
        message = f"days must be one of {', '.join(map(str, OVERVIEW_DAYS))}"
        raise InvalidRequest(
            "days is invalid; see details.fields.",
            {"fields": [{"field": "query.days", "message": message, "type": "value_error"}]},
        )
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def figures(raw: Mapping[str, int]) -> Figures:
    """One daily item's numbers → its figures (unknown attributes and per-variant ones are ignored)."""
    money: dict[str, dict[str, int]] = {name: {} for name in MONEY}
    for key, value in raw.items():
        name, _, currency = key.rpartition("_")
        if name in money and currency and "@" not in currency and value:  # `<money>_<CUR>@<v>`: a variant's share
            money[name][currency] = value
    return Figures.model_validate({**{name: int(raw.get(name, 0)) for name in COUNTS}, **money})


def add(parts: Iterable[Figures]) -> Figures:
    counts = dict.fromkeys(COUNTS, 0)
    money: dict[str, dict[str, int]] = {name: {} for name in MONEY}
    for part in parts:
        for name in COUNTS:
            counts[name] += getattr(part, name)
        for name in MONEY:
            for currency, amount in getattr(part, name).items():
                money[name][currency] = money[name].get(currency, 0) + amount
    return Figures.model_validate({**counts, **{name: {c: a for c, a in m.items() if a} for name, m in money.items()}})


def campaign_figures(
    campaign_id: str, name: str, kind: str, enabled: bool, days: Sequence[date], items: Mapping[str, Mapping[str, int]]
) -> CampaignFigures:
    """A campaign's series over the window (a day without an item is all zeros) and its totals."""
    series = [DayFigures(day=day, **figures(items.get(day.isoformat(), {})).model_dump()) for day in days]
    return CampaignFigures(
        id=campaign_id,
        name=name,
        type=kind,  # type: ignore[arg-type]
        status="enabled" if enabled else "disabled",
        totals=add(series),
        series=series,
    )


def overview(days: Sequence[date], campaigns: Sequence[CampaignFigures]) -> Overview:
    return Overview(
        from_=days[0], to=days[-1], days=len(days), campaigns=list(campaigns), totals=add(c.totals for c in campaigns)
    )
