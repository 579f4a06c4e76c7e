"""Pure figures of the shop-wide reports, from daily items already summed per bucket (reports.periods)."""

from collections.abc import Mapping

from passaparola.reports import periods
from passaparola.reports.periods import Window
from passaparola.reports.shop_models import WordOfMouth, WordOfMouthBucket, WordOfMouthFigures

RATE_DECIMALS = 4


def ratio(numerator: float, denominator: float) -> float | None:
    """A rate rounded to 4 decimals; null (never 0) when the denominator is 0."""
    return round(numerator / denominator, RATE_DECIMALS) if denominator else None


def word_of_mouth_figures(item: Mapping[str, int], a: int, b: int) -> WordOfMouthFigures:
    promoters, passives, detractors = (int(item.get(f"nps_{g}", 0)) for g in ("promoters", "passives", "detractors"))
    answers = promoters + passives + detractors
    positive, negative = promoters * a, detractors * b
    return WordOfMouthFigures(
        answers=answers,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        nps=ratio(100 * (promoters - detractors), answers),
        positive=positive,
        negative=negative,
        balance=positive - negative,
    )


def word_of_mouth(win: Window, items: Mapping[str, Mapping[str, int]], a: int, b: int) -> WordOfMouth:
    series, totals = periods.sum_days(win, items)
    return WordOfMouth(
        from_=win.first,
        to=win.last,
        granularity=win.granularity,
        a=a,
        b=b,
        totals=word_of_mouth_figures(totals, a, b),
        series=[
            WordOfMouthBucket(from_=bucket.first, to=bucket.last, **word_of_mouth_figures(s, a, b).model_dump())
            for bucket, s in series
        ],
    )
