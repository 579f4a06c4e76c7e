"""Report periods: from/to/granularity parsed and bounded, buckets clipped to the window, daily items summed."""

import itertools
from datetime import UTC, date, datetime

import pytest

from passaparola.errors import InvalidRequest
from passaparola.reports import periods
from passaparola.reports.periods import Bucket

TODAY = date(2026, 3, 4)  # a Wednesday


def field_of(exc: pytest.ExceptionInfo[InvalidRequest]) -> str:
    return str(exc.value.details["fields"][0]["field"])


def test_defaults_are_the_30_days_ending_today() -> None:
    win = periods.window(now=TODAY)
    assert (win.first, win.last, win.granularity, win.days) == (date(2026, 2, 3), TODAY, "day", 30)
    assert len(win.buckets) == 30 and win.buckets[0] == Bucket(date(2026, 2, 3), date(2026, 2, 3))
    assert win.keys() == ("2026-02-03", "2026-03-04")


def test_from_defaults_to_29_days_before_to_and_to_to_today() -> None:
    assert periods.window(last="2026-01-31", now=TODAY).first == date(2026, 1, 2)
    assert periods.window(first="2026-03-01", now=TODAY).last == TODAY


def test_today_is_the_shops_calendar_day() -> None:
    # 23:30 UTC on 3 March is already 4 March in Europe/Rome (the tests' SHOP_TIMEZONE)
    assert periods.today(datetime(2026, 3, 3, 23, 30, tzinfo=UTC)) == date(2026, 3, 4)


def test_a_single_day_and_the_longest_window_are_allowed() -> None:
    assert periods.window("2026-03-04", "2026-03-04", now=TODAY).days == 1
    assert periods.window("2023-03-04", "2026-03-04", now=TODAY).days == 1097


@pytest.mark.parametrize(
    ("first", "last", "granularity", "field"),
    [
        ("2026-03-05", "2026-03-04", "day", "query.from"),
        ("2023-03-03", "2026-03-04", "day", "query.from"),
        ("2026-3-4", None, "day", "query.from"),
        ("2026-02-30", None, "day", "query.from"),
        ("yesterday", None, "day", "query.from"),
        (None, "2026-13-01", "day", "query.to"),
        (None, "20260304", "day", "query.to"),
        ("1899-12-31", "1900-01-10", "day", "query.from"),
        (None, "9999-12-31", "week", "query.to"),
        (None, "0001-01-01", "day", "query.to"),
        (None, None, "year", "query.granularity"),
        (None, None, "", "query.granularity"),
    ],
)
def test_invalid_periods_name_their_field(first: str | None, last: str | None, granularity: str, field: str) -> None:
    with pytest.raises(InvalidRequest) as exc:
        periods.window(first, last, granularity, now=TODAY)
    assert field_of(exc) == field and exc.value.details["fields"][0]["type"] == "value_error"


def test_weeks_start_on_monday_and_are_clipped_to_the_window() -> None:
    win = periods.window("2026-03-04", "2026-03-17", "week")
    assert win.buckets == (
        Bucket(date(2026, 3, 4), date(2026, 3, 8)),
        Bucket(date(2026, 3, 9), date(2026, 3, 15)),
        Bucket(date(2026, 3, 16), date(2026, 3, 17)),
    )


def test_weeks_across_a_year_end_are_iso_weeks() -> None:
    win = periods.window("2025-12-28", "2026-01-05", "week")
    assert [(b.first.isoformat(), b.last.isoformat()) for b in win.buckets] == [
        ("2025-12-28", "2025-12-28"),
        ("2025-12-29", "2026-01-04"),
        ("2026-01-05", "2026-01-05"),
    ]


def test_months_are_calendar_months_clipped_across_a_year_and_a_leap_february() -> None:
    win = periods.window("2023-12-15", "2024-03-02", "month")
    assert win.buckets == (
        Bucket(date(2023, 12, 15), date(2023, 12, 31)),
        Bucket(date(2024, 1, 1), date(2024, 1, 31)),
        Bucket(date(2024, 2, 1), date(2024, 2, 29)),
        Bucket(date(2024, 3, 1), date(2024, 3, 2)),
    )


def test_buckets_cover_every_day_once() -> None:
    for granularity in periods.GRANULARITIES:
        win = periods.window("2023-03-04", "2026-03-04", granularity)
        covered = sum((b.last - b.first).days + 1 for b in win.buckets)
        assert covered == win.days
        assert all(a.last.toordinal() + 1 == b.first.toordinal() for a, b in itertools.pairwise(win.buckets))


def test_daily_items_sum_into_buckets_and_totals_with_negative_moves() -> None:
    win = periods.window("2026-03-01", "2026-03-10", "week")
    items = {
        "2026-02-28": {"orders": 100},  # outside the window: ignored
        "2026-03-01": {"orders": 2, "revenue_EUR": 5000},
        "2026-03-02": {"orders": 1, "revenue_EUR": 1000},
        "2026-03-08": {"orders": -1, "revenue_EUR": -1000, "revenue_USD": 700},
        "2026-03-10": {"nps_promoters": 1},
    }
    series, totals = periods.sum_days(win, items)
    assert [b for b, _ in series] == list(win.buckets)
    assert [s for _, s in series] == [
        {"orders": 2, "revenue_EUR": 5000},
        {"orders": 0, "revenue_EUR": 0, "revenue_USD": 700},
        {"nps_promoters": 1},
    ]
    assert totals == {"orders": 2, "revenue_EUR": 5000, "revenue_USD": 700, "nps_promoters": 1}


def test_quiet_buckets_are_present_and_empty() -> None:
    series, totals = periods.sum_days(periods.window("2026-03-01", "2026-03-03"), {})
    assert [s for _, s in series] == [{}, {}, {}] and totals == {}


def test_money_and_counts_per_currency_and_variant() -> None:
    item = {
        "revenue_EUR": 900,
        "revenue_USD": 0,
        "revenue_EUR@A": 400,
        "revenue_EUR@B": 500,
        "revenue_referred_EUR": 7,
        "sent": 3,
        "sent@A": 1,
    }
    assert periods.money(item, "revenue") == {"EUR": 900}
    assert periods.money(item, "revenue", "B") == {"EUR": 500}
    assert periods.money(item, "revenue", "C") == {}
    assert periods.money(item, "revenue_referred") == {"EUR": 7}
    assert (periods.count(item, "sent"), periods.count(item, "sent", "A"), periods.count(item, "sent", "Z")) == (
        3,
        1,
        0,
    )


def test_the_calendars_edges_are_reachable() -> None:
    assert periods.window(None, "1900-01-30").first == date(1900, 1, 1)
    assert periods.window("9998-12-01", "9998-12-31", "month").buckets[-1].last == date(9998, 12, 31)
    assert periods.window("9998-12-25", "9998-12-31", "week").buckets[-1].last == date(9998, 12, 31)
