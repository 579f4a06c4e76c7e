"""Run scheduled functions on their EventBridge schedule (rate(...) and AWS 6-field cron(...)), in UTC.

Supported cron syntax: `*`, `?`, lists, ranges, steps and month/day names. `L`, `W` and `#` are not
supported: such schedules are logged and skipped (they can still be run on demand via /local/jobs).
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local.template import ACCOUNT_ID, DEFAULT_REGION, ScheduleEvent

log = logging.getLogger("infra.local")

MONTHS = {
    m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}
DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}  # AWS: 1 = Sunday
RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


class UnsupportedSchedule(ValueError):
    pass


def _field(text: str, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int] | None:
    """Values a cron field allows; None for `?` (no constraint, the other day field decides)."""
    if text == "?":
        return None
    if re.search(r"[LW#]", text.replace("WED", "").replace("JUL", "")):
        raise UnsupportedSchedule(f"cron field {text!r} uses L/W/# which the local scheduler does not support")
    out: set[int] = set()
    for part in text.split(","):
        rng, _, step_s = part.partition("/")
        step = int(step_s) if step_s else 1

        def num(s: str) -> int:
            return names[s.upper()] if names and s.upper() in names else int(s)

        if rng == "*":
            start, end = lo, hi
        elif "-" in rng:
            a, b = rng.split("-", 1)
            start, end = num(a), num(b)
        else:
            start = num(rng)
            end = hi if step_s else start
        if not (lo <= start <= hi and lo <= end <= hi) or step < 1:
            raise UnsupportedSchedule(f"cron field {text!r} out of range {lo}-{hi}")
        out.update(range(start, end + 1, step))
    return out


@dataclass
class Cron:
    minutes: set[int]
    hours: set[int]
    dom: set[int] | None
    months: set[int]
    dow: set[int] | None
    years: set[int]

    @classmethod
    def parse(cls, body: str) -> Cron:
        parts = body.split()
        if len(parts) != 6:
            raise UnsupportedSchedule(f"cron needs 6 fields (min hour dom month dow year): {body!r}")
        minutes, hours, dom, month, dow, year = parts
        return cls(
            _field(minutes, 0, 59) or set(),
            _field(hours, 0, 23) or set(),
            _field(dom, 1, 31),
            _field(month, 1, 12, MONTHS) or set(),
            _field(dow, 1, 7, DAYS),
            _field(year, 1970, 2199) or set(),
        )

    def _day_ok(self, d: datetime) -> bool:
        if d.year not in self.years or d.month not in self.months:
            return False
        aws_dow = (d.isoweekday() % 7) + 1  # Sunday=1 ... Saturday=7
        dom_ok = self.dom is None or d.day in self.dom
        dow_ok = self.dow is None or aws_dow in self.dow
        return dom_ok and dow_ok

    def next_after(self, now: datetime) -> datetime | None:
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_ok(day):
                for h in sorted(self.hours):
                    for m in sorted(self.minutes):
                        t = day.replace(hour=h, minute=m)
                        if t >= start:
                            return t
            day += timedelta(days=1)
        return None


def next_fire(expression: str, now: datetime) -> datetime | None:
    """The next UTC fire time strictly after `now`, or raise UnsupportedSchedule."""
    expr = expression.strip()
    m = re.fullmatch(r"rate\(\s*(\d+)\s+(\w+)\s*\)", expr)
    if m:
        unit = m.group(2).lower()
        if unit not in RATE_UNITS or int(m.group(1)) < 1:
            raise UnsupportedSchedule(f"bad rate expression {expression!r}")
        return now + timedelta(seconds=int(m.group(1)) * RATE_UNITS[unit])
    m = re.fullmatch(r"cron\((.*)\)", expr)
    if m:
        return Cron.parse(m.group(1)).next_after(now)
    m = re.fullmatch(r"at\((.*)\)", expr)  # EventBridge Scheduler one-off
    if m:
        at = datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC)
        return at if at > now else None
    raise UnsupportedSchedule(f"unknown schedule expression {expression!r}")


def scheduled_event(schedule: ScheduleEvent, when: datetime | None = None) -> Any:
    """What EventBridge delivers: the configured Input, else the standard "Scheduled Event"."""
    if schedule.input is not None:
        return schedule.input
    when = when or datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": DEFAULT_REGION,
        "resources": [f"arn:aws:events:{DEFAULT_REGION}:{ACCOUNT_ID}:rule/{schedule.function_id}-{schedule.name}"],
        "detail": {},
    }


class Scheduler:
    """One background thread firing every enabled schedule at its next UTC time."""

    def __init__(self, schedules: list[ScheduleEvent], invoke: Callable[[str, Any], Any]) -> None:
        self._invoke = invoke
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.next: dict[tuple[str, str], datetime] = {}
        self._schedules: dict[tuple[str, str], ScheduleEvent] = {}
        now = datetime.now(UTC)
        for s in schedules:
            if not s.enabled:
                continue
            try:
                t = next_fire(s.expression, now)
            except (UnsupportedSchedule, ValueError) as exc:
                log.warning("schedule %s.%s skipped: %s", s.function_id, s.name, exc)
                continue
            if t:
                self.next[(s.function_id, s.name)] = t
                self._schedules[(s.function_id, s.name)] = s

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = datetime.now(UTC)
            for key, when in list(self.next.items()):
                if when <= now:
                    sched = self._schedules[key]
                    nxt = next_fire(sched.expression, now)
                    if nxt:
                        self.next[key] = nxt
                    else:
                        del self.next[key]
                    threading.Thread(target=self._fire, args=(sched, when), daemon=True).start()
            wait = min((t - now).total_seconds() for t in self.next.values()) if self.next else 60.0
            self._stop.wait(max(0.05, min(wait, 30.0)))

    def _fire(self, sched: ScheduleEvent, when: datetime) -> None:
        log.info("schedule %s.%s firing", sched.function_id, sched.name)
        try:
            self._invoke(sched.function_id, scheduled_event(sched, when))
        except Exception:
            log.exception("scheduled run of %s failed", sched.function_id)
