"""Payouts: a month's cash rewards per referrer and currency (from the `payable` index), settled once each."""

import csv
import io
import re
from datetime import datetime

from passaparola import clock
from passaparola.data import customers as customer_store
from passaparola.data import payouts as store
from passaparola.data import rewards as reward_store
from passaparola.data.models import PayableLineModel, PayoutModel
from passaparola.errors import NotFound, PayoutAlreadyPaid, PayoutPeriodOpen
from passaparola.observability import logger
from passaparola.payouts.models import PAYOUT_ID_PATTERN, Payout, PayoutList, PayoutTotal

ATTEMPTS = 5
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
    rewards = sum(1 for line in found if line.sk.startswith("REWARD#"))
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
    """Settle a payout of an ended month, once: its amount as computed now, guarded against a concurrent reversal."""
    if not re.match(PAYOUT_ID_PATTERN, payout_id_):
        raise NotFound("No such payout.", {"payout_id": payout_id_})
    _, period, payee, currency = payout_id_.split("_")
    now = clock.now()
    if period >= reward_store.payout_period(now):
        raise PayoutPeriodOpen(details={"payout_id": payout_id_, "period": period})
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
        if store.mark_paid(
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
    raise PayoutAlreadyPaid(details={"payout_id": payout_id_})


def _current(found: list[PayableLineModel], period: str) -> list[PayableLineModel]:
    """The lines still in the payout, re-read consistently (the index may lag a reversal by a moment)."""
    reward_ids = [line.sk.removeprefix("REWARD#") for line in found if line.sk.startswith("REWARD#")]
    if not reward_ids:
        return found
    customer_id = found[0].customer_id
    still = {
        item.id
        for start in range(0, len(reward_ids), 100)
        for item in reward_store.items([(customer_id, r) for r in reward_ids[start : start + 100]])
        if item.payout_period == period
    }
    return [line for line in found if not line.sk.startswith("REWARD#") or line.sk.removeprefix("REWARD#") in still]


def _cell(value: object) -> str:
    """Formulas neutralised: a spreadsheet must not run a cell that starts like one."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+", text) is not None


def to_csv(payouts: PayoutList) -> str:
    """The payouts, then one `total` row per currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in payouts.items:
        paid_at = clock.iso(p.paid_at) if p.paid_at else ""
        row = [p.id, p.period, p.customer_id, p.email, p.currency, p.amount, p.rewards, p.clawbacks, p.status, paid_at]
        writer.writerow([_cell(v) for v in [*row, p.reference]])
    for t in payouts.totals:
        writer.writerow(
            [_cell(v) for v in ["total", payouts.period, "", "", t.currency, t.amount, t.rewards, "", "", "", ""]]
        )
    return out.getvalue()
