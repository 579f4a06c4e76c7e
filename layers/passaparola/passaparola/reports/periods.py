"""Report periods: a window of shop calendar days (`from`..`to`, inclusive) cut into day, week or month buckets.

Every report over time reads the daily items of its window (one per day at most) and sums them into the
window's buckets here; nothing here does I/O except `today()`, which reads the clock. A daily item is a
flat map of numbers as stored ({"redemptions": 3, "discount_EUR": 1500}).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from passaparola import clock
from passaparola.errors import InvalidRequest
from passaparola.settings import get_settings

Granularity = Literal["day", "week", "month"]
GRANULARITIES: tuple[str, ...] = get_args(Granularity)
DEFAULT_DAYS = 30
"""Without `from`, the window is the 30 days ending on `to`."""
MAX_SPAN_DAYS = 1096
"""`to - from` at most 1,096 days (3 years and a leap day)."""
FIRST_YEAR, LAST_YEAR = 1900, 9998


@dataclass(frozen=True)
class Bucket:
    """One entry of a series: its first and last day, both inside the window."""

    first: date
    last: date


@dataclass(frozen=True)
class Window:
    first: date
    last: date
    granularity: Granularity
    buckets: tuple[Bucket, ...]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def keys(self) -> tuple[str, str]:
        """The sort keys bounding the window's daily items (`YYYY-MM-DD`, inclusive)."""
        return self.first.isoformat(), self.last.isoformat()


def today(at: datetime | None = None) -> date:
    """The shop's calendar day (SHOP_TIMEZONE) of an instant, now by default."""
    return (at or clock.now()).astimezone(ZoneInfo(get_settings().shop_timezone)).date()


def invalid(field: str, message: str) -> InvalidRequest:
    """A 400 naming the query parameter, shaped like the API's validation errors."""
    return InvalidRequest(
        f"{field} is invalid; see details.fields.",
        {"fields": [{"field": f"query.{field}", "message": message, "type": "value_error"}]},
    )


def parse_day(value: str | date | None, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise invalid(field, f"{field} must be a calendar day YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # the buckets' arithmetic stays within the calendar
        raise invalid(field, f"{field} must be a day of the years {FIRST_YEAR}-{LAST_YEAR}")
    return day


def window(
    first: str | date | None = None,
    last: str | date | None = None,
    granularity: str = "day",
    now: date | None = None,
) -> Window:
    """The window a report asked for: `to` defaults to today, `from` to 29 days before `to`.

    Raises InvalidRequest naming `from`, `to` or `granularity` when a value is malformed, `from` is after
    `to`, or the window spans more than MAX_SPAN_DAYS.
    """
    if granularity not in GRANULARITIES:
        raise invalid("granularity", f"granularity must be one of {', '.join(GRANULARITIES)}")
    end = parse_day(last, "to") or (now or today())
    start = parse_day(first, "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise invalid("from", "from must be on or before to")
    if (end - start).days > MAX_SPAN_DAYS:
        raise invalid("from", f"to - from must be at most {MAX_SPAN_DAYS} days")
    grain: Granularity = granularity  # type: ignore[assignment]
    return Window(start, end, grain, tuple(buckets(start, end, grain)))


def bucket_start(day: date, granularity: Granularity) -> date:
    """The first day of the (unclipped) bucket holding `day`: itself, its ISO week's Monday, its month's 1st."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_start(start: date, granularity: Granularity) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def buckets(first: date, last: date, granularity: Granularity) -> list[Bucket]:
    """The buckets covering first..last, oldest first, the first and last clipped to the window."""
    found = []
    start = bucket_start(first, granularity)
    while start <= last:
        following = _next_start(start, granularity)
        found.append(Bucket(max(start, first), min(following - timedelta(days=1), last)))
        start = following
    return found


def add(into: dict[str, int], item: Mapping[str, int]) -> dict[str, int]:
    """Add a flat map of numbers into another (in place; returns it)."""
    for name, value in item.items():
        into[name] = into.get(name, 0) + int(value)
    return into


def total(items: Iterable[Mapping[str, int]]) -> dict[str, int]:
    summed: dict[str, int] = {}
    for item in items:
        add(summed, item)
    return summed


def sum_days(
    win: Window, items: Mapping[str, Mapping[str, int]]
) -> tuple[list[tuple[Bucket, dict[str, int]]], dict[str, int]]:
    """Daily items ({`YYYY-MM-DD`: {attribute: n}}) summed into the window's buckets and in total.

    Every bucket is present (an empty map when quiet); days outside the window are ignored. An attribute
    that sums to 0 is kept: callers read figures with `.get(name, 0)` either way.
    """
    series: list[tuple[Bucket, dict[str, int]]] = []
    for bucket in win.buckets:
        summed: dict[str, int] = {}
        day = bucket.first
        while day <= bucket.last:
            add(summed, items.get(day.isoformat(), {}))
            day += timedelta(days=1)
        series.append((bucket, summed))
    return series, total(summed for _, summed in series)


def money(item: Mapping[str, int], name: str, variant: str | None = None) -> dict[str, int]:
    """`{name}_<CUR>` attributes of a flat item (or `{name}_<CUR>@{variant}`) → {currency: amount}, zero
    amounts left out, currencies sorted."""
    prefix, suffix = f"{name}_", f"@{variant}" if variant is not None else ""
    found = {}
    for key, value in sorted(item.items()):
        if not key.startswith(prefix) or not value:
            continue
        rest = key[len(prefix) :]
        if suffix:
            if not rest.endswith(suffix):
                continue
            rest = rest[: -len(suffix)]
        if len(rest) == 3 and rest.isalpha() and rest.isupper():
            found[rest] = int(value)
    return found


def count(item: Mapping[str, int], name: str, variant: str | None = None) -> int:
    """A counter of a flat item (`name`, or `name@variant`), 0 when absent."""
    return int(item.get(name if variant is None else f"{name}@{variant}", 0))
