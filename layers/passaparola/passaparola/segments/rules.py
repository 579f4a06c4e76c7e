"""Pure rules of segment reports: sizes over time rebuilt from the current count and each day's moves."""

from collections.abc import Mapping, Sequence
from datetime import date

from passaparola.customers.models import SegmentDay


def sizes(name: str, current: int, days: Sequence[date], moves: Mapping[str, Mapping[str, int]]) -> list[SegmentDay]:
    """The size at the end of each day of `days` (oldest first, ending today), walking back from `current`.

    A day's end size is the next day's end size minus what that next day added (entries − exits); today's end
    is the current count. Days before the daily items existed therefore show the earliest known size.
    """
    out: list[SegmentDay] = []
    members = current
    for day in reversed(days):
        item = moves.get(day.isoformat(), {})
        entered, exited = int(item.get(f"in_{name}", 0)), int(item.get(f"out_{name}", 0))
        out.append(SegmentDay(day=day, members=max(members, 0), entered=entered, exited=exited))
        members -= entered - exited
    return out[::-1]
