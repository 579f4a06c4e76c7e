"""Payouts: a month's cash rewards per referrer and currency (their lines in the by_day index), settled once each."""

import re
from datetime import UTC, datetime, timedelta

from passaparola import clock
from passaparola.data import customers as customer_store
from passaparola.data import payouts as store
from passaparola.data import rewards as reward_store
from passaparola.data.models.rewards import PayableLineModel, PayoutModel
from passaparola.errors import Conflict, NotFound, PayoutAlreadyPaid, PayoutNotPositive, PayoutPeriodOpen
from passaparola.exports import csvfile
from passaparola.observability import logger
from passaparola.payouts.models import PAYOUT_ID_PATTERN, Payout, PayoutList, PayoutTotal

ATTEMPTS = 5
SETTLING = timedelta(minutes=15)
"""How long after a month's end its payouts stay open: the lines are read from an eventually consistent index, so a
reward released in the month's last second must have reached it before an amount is frozen."""
COLUMNS = [
    "payout_id",
    "period",
    "customer_id",
    "email",
    "currency",
    "amount",
    "rewards",
    "clawbacks",
    "status",
    "paid_at",
    "reference",
]


def payout_id(period: str, customer_id: str, currency: str) -> str:
    return f"po_{period}_{reward_store.payee_hash(customer_id)}_{currency}"


def next_period(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def period_end(period: str) -> datetime:
    """The instant a month ends (UTC): the first of the next one."""
    return datetime.fromisoformat(f"{next_period(period)}-01T00:00:00").replace(tzinfo=UTC)


def clawback_period(paid_period: str, now: datetime) -> str:
    """The payout a clawback goes in: this month's, always after the paid one."""
    current = reward_store.payout_period(now)
    return current if current > paid_period else next_period(paid_period)


def _group(found: list[PayableLineModel]) -> dict[tuple[str, str], list[PayableLineModel]]:
    groups: dict[tuple[str, str], list[PayableLineModel]] = {}
    for line in found:
        groups.setdefault((line.customer_id, line.currency), []).append(line)
    return groups


def _payout(
    period: str, customer_id: str, currency: str, found: list[PayableLineModel], mark: PayoutModel | None
) -> Payout:
    rewards = sum(1 for line in found if _is_reward(line))
    payout = Payout(
        id=payout_id(period, customer_id, currency),
        period=period,
        customer_id=customer_id,
        currency=currency,
        amount=sum(int(line.amount) for line in found),
        rewards=rewards,
        clawbacks=len(found) - rewards,
        status="open",
    )
    if mark is not None and mark.paid_at:  # what was paid, as it was computed then
        payout.status, payout.paid_at, payout.reference = "paid", datetime.fromisoformat(mark.paid_at), mark.reference
        payout.amount, payout.rewards = int(mark.amount or 0), int(mark.rewards or 0)
    return payout


def of_period(period: str) -> PayoutList:
    """Every payout of the month, by referrer then currency, with totals per currency."""
    groups = _group(list(store.lines(period)))
    marks = store.marks([(c, period, cur) for c, cur in groups])
    items = [_payout(period, c, cur, found, marks.get((c, period, cur))) for (c, cur), found in groups.items()]
    ids = list(dict.fromkeys(p.customer_id for p in items))
    emails: dict[str, str | None] = {}
    for start in range(0, len(ids), 100):
        emails |= {cid: r.email for cid, r in customer_store.records(ids[start : start + 100]).items()}
    for payout in items:
        payout.email = emails.get(payout.customer_id)
    totals: dict[str, PayoutTotal] = {}
    for payout in items:
        total = totals.setdefault(
            payout.currency, PayoutTotal(currency=payout.currency, amount=0, rewards=0, payouts=0)
        )
        total.amount += payout.amount
        total.rewards += payout.rewards
        total.payouts += 1
    return PayoutList(period=period, items=items, totals=sorted(totals.values(), key=lambda t: t.currency))


def mark_paid(payout_id_: str, reference: str) -> Payout:
    """Settle a payout of an ended month, once: its amount as computed now, guarded against a concurrent reversal.

    Refused until `SETTLING` after the month's end, and when the amount is not positive (clawbacks exceeding the
    month's rewards: nothing to pay; the payout stays open and listed). Losing every race to reversals is a 409
    `conflict` (retry), never `payout_already_paid`."""
    if not re.match(PAYOUT_ID_PATTERN, payout_id_):
        raise NotFound("No such payout.", {"payout_id": payout_id_})
    _, period, payee, currency = payout_id_.split("_")
    now = clock.now()
    if now < period_end(period) + SETTLING:
        opens = clock.iso(period_end(period) + SETTLING)
        raise PayoutPeriodOpen(details={"payout_id": payout_id_, "period": period, "payable_from": opens})
    for _ in range(ATTEMPTS):
        found = list(store.lines(period, f"{payee}#{currency}#"))
        if not found:
            raise NotFound("No such payout.", {"payout_id": payout_id_})
        customer_id = found[0].customer_id
        mark = store.mark(customer_id, period, currency)
        if mark is not None and mark.paid_at:
            raise PayoutAlreadyPaid(details={"payout_id": payout_id_, "paid_at": mark.paid_at})
        changes = int(mark.changes or 0) if mark is not None else 0
        current = _current(found, period)
        payout = _payout(period, customer_id, currency, current, None)
        if payout.amount <= 0:
            raise PayoutNotPositive(details={"payout_id": payout_id_, "amount": payout.amount})
        if store.mark_paid(
            payout.id,
            customer_id,
            period,
            currency,
            changes=changes,
            amount=payout.amount,
            rewards=payout.rewards,
            reference=reference,
            at=now,
        ):
            payout.status, payout.paid_at, payout.reference = "paid", now, reference
            payout.email = getattr(customer_store.read(customer_id), "email", None)
            logger.info("payout paid", extra={"payout_id": payout.id, "amount": payout.amount})
            return payout
    raise Conflict(
        "The payout kept changing (refunds) while it was being marked paid; retry.", {"payout_id": payout_id_}
    )


def _current(found: list[PayableLineModel], period: str) -> list[PayableLineModel]:
    """The lines still in the payout, re-read consistently (the index may lag a reversal by a moment)."""
    reward_ids = [str(line.reward_id) for line in found if _is_reward(line)]
    if not reward_ids:
        return found
    customer_id = found[0].customer_id
    still = {
        item.id
        for start in range(0, len(reward_ids), 100)
        for item in reward_store.items([(customer_id, r) for r in reward_ids[start : start + 100]])
        if item.payout_period == period
    }
    return [line for line in found if not _is_reward(line) or line.reward_id in still]


def _is_reward(line: PayableLineModel) -> bool:
    return line.sk.startswith("PAYABLE#")


def to_csv(payouts: PayoutList) -> str:
    """The payouts, then one `total` row per currency (the exports' CSV: formulas neutralised)."""
    rows: list[list[csvfile.Cell]] = [
        [
            p.id,
            p.period,
            p.customer_id,
            p.email,
            p.currency,
            p.amount,
            p.rewards,
            p.clawbacks,
            p.status,
            clock.iso(p.paid_at) if p.paid_at else "",
            p.reference,
        ]
        for p in payouts.items
    ]
    rows += [["total", payouts.period, "", "", t.currency, t.amount, t.rewards, "", "", "", ""] for t in payouts.totals]
    return csvfile.write(COLUMNS, rows)
