"""The daily job: what time alone changes — pending points released, points expired, tiers reviewed,
birthdays, customers leaving `new_customers` or entering `lapsed_180d`.

It reads only what is due: each item carries `due=<kind>#<day>` in the customers table's sparse index, and
the job queries today's keys (and the last LOOKBACK_DAYS', so a missed run catches up). Each item is handled
in its own transaction, conditioned on the item still being due, so a second run or an overlapping one
never applies anything twice; an item that fails is logged and skipped, never blocking the others.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import DoesNotExist

from passaparola import clock
from passaparola.customers import service as customers
from passaparola.customers.record import Change, parse
from passaparola.data import customers as store
from passaparola.data.models.customers import LotModel, TimerModel
from passaparola.data.models.loyalty import EarnModel
from passaparola.data.transactions import Transaction
from passaparola.loyalty import rules
from passaparola.observability import logger, metrics

LOOKBACK_DAYS = 7
MAX_LOTS_PER_CHANGE = 25
"""Lot deletes + ledger lines + record + segment changes stay well under DynamoDB's 100 items."""
KINDS = ("release", "expire", "inactive", "tier", "new", "lapse")


class _Gone(Exception):
    """The item is no longer due (handled by another run, or moved): nothing to do."""


@dataclass
class DailyReport:
    handled: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    read: int = 0
    points_released: int = 0
    points_expired: int = 0
    birthdays: int = 0
    expired_customers: set[tuple[str, str]] = field(default_factory=set, repr=False)


def run(now: datetime | None = None) -> DailyReport:
    now = now or clock.now()
    report = DailyReport()
    for back in range(LOOKBACK_DAYS, -1, -1):
        day = (now - timedelta(days=back)).date()
        for kind in KINDS:
            key = f"{kind}#{day.isoformat()}"
            for item in store.due(key):
                report.read += 1
                _handle(report, kind, key, item, now)
    # a missed run's birthdays too (this year's only: the guard is the calendar year, paid once)
    days = [(now - timedelta(days=back)).date() for back in range(LOOKBACK_DAYS, -1, -1)]
    birthday_keys = {k for day in days if day.year == now.year for k in _birthday_keys(day)}
    for key in sorted(birthday_keys):
        for item in store.due(key):
            report.read += 1
            _handle(report, "birthday", key, item, now)
    metrics.add_metric(name="PointsReleased", unit=MetricUnit.Count, value=report.points_released)
    metrics.add_metric(name="PointsExpired", unit=MetricUnit.Count, value=report.points_expired)
    logger.info("daily run", extra={k: v for k, v in report.__dict__.items() if k != "expired_customers"})
    return report


def _birthday_keys(today: date) -> list[str]:
    """Today's birthdays; on 28 February of a common year, 29 February's too."""
    keys = [f"birthday#{today.month:02d}-{today.day:02d}"]
    if (today.month, today.day) == (2, 28) and not _leap(today.year):
        keys.append("birthday#02-29")
    return keys


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _handle(report: DailyReport, kind: str, key: str, item: TimerModel, now: datetime) -> None:
    """One due item in its own transaction; the report counts what the committed change did (a retried build
    never counts twice)."""
    handler: Callable[[Change, Transaction, TimerModel, str, DailyReport], None] = HANDLERS[kind]
    if kind == "expire" and (item.customer_id, key) in report.expired_customers:
        return  # its lots due by this day were expired together with the first one met
    try:
        change, _ = customers.mutate(
            item.customer_id, lambda change, tx: handler(change, tx, item, key, report), f"daily:{kind}"
        )
    except _Gone:
        return
    except Exception:
        logger.exception("daily item not handled", extra={"customer_id": item.customer_id, "sk": item.sk, "due": key})
        report.skipped += 1
        return
    report.handled[kind] = report.handled.get(kind, 0) + 1
    report.points_expired += change.effects.expired
    if kind == "release":
        report.points_released += change.effects.points
    if kind == "birthday":
        report.birthdays += 1
    if kind == "expire":
        report.expired_customers.add((item.customer_id, key))


def _still_due(change: Change, item: TimerModel, key: str) -> TimerModel:
    """Re-read the timer: it must still be due on this key (a newer change may have moved or removed it)."""
    try:
        current = TimerModel.get(item.customer_id, item.sk, consistent_read=True)
    except DoesNotExist as exc:
        raise _Gone() from exc
    if current.due != key:
        raise _Gone()
    change.clear_timer(item.sk, condition=TimerModel.due == key)
    return current


def _release(change: Change, tx: Transaction, item: TimerModel, key: str, report: DailyReport) -> None:
    timer = _still_due(change, item, key)
    order_id = timer.ref or ""
    try:
        earn = EarnModel.get(change.customer_id, f"EARN#order#{order_id}", consistent_read=True)
    except DoesNotExist:
        return
    if earn.status != "pending":
        return
    points = int(earn.points) - int(earn.reversed or 0)
    if points > 0 and change.program is not None:
        change.release(order_id, points)


def _expire(change: Change, tx: Transaction, item: TimerModel, key: str, report: DailyReport) -> None:
    """Expire every lot of this customer that is due by now, oldest first in one change.

    FIFO needs the order: a lot's remaining points are what is left of it once everything consumed has been
    taken from the lots released before it, so lots are expired in release order (a later run finds the
    ones handled here gone).
    """
    in_order = sorted(store.lots(change.customer_id), key=lambda lot: int(lot.cum_before))
    lots = [
        lot
        for lot in in_order
        if lot.due and lot.due.startswith("expire#") and lot.due.removeprefix("expire#") <= key.removeprefix("expire#")
    ][:MAX_LOTS_PER_CHANGE]
    if not any(lot.sk == item.sk for lot in lots):
        raise _Gone()
    keep = change.program is None or change.program.expiry.policy != "fixed"  # policy changed: nothing expires
    for lot in lots:
        tx.delete(LotModel(lot.customer_id, lot.sk), condition=LotModel.due == lot.due)
        if keep:
            continue
        remaining = rules.lot_remaining(int(lot.cum_before), int(lot.points), change.consumed)
        change.take(remaining, "expire", "points_expired", lot.sk)


def _inactive(change: Change, tx: Transaction, item: TimerModel, key: str, report: DailyReport) -> None:
    timer = _still_due(change, item, key)
    at = parse(timer.at)
    program = change.program
    if program is None or program.expiry.policy != "inactivity":
        return  # the policy changed since: the timer is simply dropped
    if at is not None and at.date() > change.now.date():
        change.set_timer("inactive", at)  # not today after all: keep it
        return
    change.take(change.balance, "expire", "inactivity", None)


def _tier(change: Change, tx: Transaction, item: TimerModel, key: str, report: DailyReport) -> None:
    _still_due(change, item, key)
    if change.program is None or not change.program.tiers:
        return
    program = change.program
    # a calendar year's status is judged on the year that just ended (the review runs on 1 January)
    judged_at = change.now - timedelta(days=1) if program.tier_policy.window == "calendar_year" else change.now
    new = rules.review(program, change.tier, change.months, judged_at)
    change.set_tier(new)


def _segments(change: Change, tx: Transaction, item: TimerModel, key: str, report: DailyReport) -> None:
    """new_customers / lapsed_180d: the write recomputes segments at `now`; the timer is done."""
    _still_due(change, item, key)


def _birthday(change: Change, tx: Transaction, item: TimerModel, key: str, report: DailyReport) -> None:
    r = change.record
    if r is None or not r.birthday or not r.birthday.endswith(key.removeprefix("birthday#")):
        raise _Gone()
    if r.birthday_year and int(r.birthday_year) == change.now.year:
        raise _Gone()
    points = change.earn_event("birthday", change.now, f"birthday#{change.now.year}", parse(r.birthday_set_at))
    if not points:
        raise _Gone()


HANDLERS: dict[str, Callable[[Change, Transaction, TimerModel, str, DailyReport], None]] = {
    "release": _release,
    "expire": _expire,
    "inactive": _inactive,
    "tier": _tier,
    "new": _segments,
    "lapse": _segments,
    "birthday": _birthday,
}
