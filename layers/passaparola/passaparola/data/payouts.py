"""Payouts: a month's payable lines through the by_day index (`payout#<month>`, never a scan), and the paid marks.

A payout is (referrer, month, currency): its lines are the cash rewards released that month and the clawbacks of
paid ones refunded later; whether it was settled is one `PAYOUT#<month>#<currency>` item, written once.
"""

from collections.abc import Iterator
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from passaparola.data import transactions
from passaparola.data.models.rewards import PayableLineModel, PayoutModel
from passaparola.data.rewards import payout_day, payout_key
from passaparola.data.transactions import Transaction
from passaparola.events import outbox
from passaparola.referrals.models import IssuedReward


def payout_sk(period: str, currency: str) -> str:
    return f"PAYOUT#{period}#{currency}"


def lines(period: str, prefix: str | None = None, page_size: int = 500) -> Iterator[PayableLineModel]:
    """The month's lines ordered by payout (referrer hash, currency), or one payout's (`prefix` `<hash>#<cur>#`)."""
    condition = PayableLineModel.at.startswith(prefix) if prefix else None
    return iter(PayableLineModel.payable.query(payout_day(period), condition, page_size=page_size))


def marks(keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], PayoutModel]:
    """The paid marks of (customer, period, currency) payouts, in batches of 100 (absent: never touched)."""
    found: dict[tuple[str, str, str], PayoutModel] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 100):
        chunk = unique[start : start + 100]
        for item in PayoutModel.batch_get([(c, payout_sk(p, cur)) for c, p, cur in chunk]):
            _, period, currency = item.sk.split("#", 2)
            found[(item.customer_id, period, currency)] = item
    return found


def mark(customer_id: str, period: str, currency: str) -> PayoutModel | None:
    try:
        return PayoutModel.get(customer_id, payout_sk(period, currency), consistent_read=True)
    except DoesNotExist:
        return None


def mark_paid(
    payout_id: str,
    customer_id: str,
    period: str,
    currency: str,
    *,
    changes: int,
    amount: int,
    rewards: int,
    reference: str,
    at: datetime,
) -> bool:
    """Settle the payout once, only if no reversal changed it since `changes` was read, with its `payout.paid` event
    in the same transaction. False when it failed."""
    seen = PayoutModel.changes == changes if changes else PayoutModel.changes.does_not_exist()

    def build(tx: Transaction) -> None:
        tx.update(
            PayoutModel(customer_id, payout_sk(period, currency)),
            actions=[
                PayoutModel.paid_at.set(at.isoformat()),
                PayoutModel.reference.set(reference),
                PayoutModel.amount.set(amount),
                PayoutModel.rewards.set(rewards),
            ],
            condition=PayoutModel.paid_at.does_not_exist() & seen,
        )
        paid = {"payout_id": payout_id, "referrer_id": customer_id, "amount": amount, "currency": currency}
        outbox.record(tx, "payout.paid", paid, customer_id=customer_id, at=at)

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        if transactions.failed_items(exc):
            return False
        raise
    return True


def leave_unpaid(tx: Transaction, customer_id: str, period: str, currency: str) -> None:
    """A reward leaves a payout: only while it is unpaid, and counted, so a concurrent `paid` decides again."""
    tx.update(
        PayoutModel(customer_id, payout_sk(period, currency)),
        actions=[PayoutModel.changes.add(1)],
        condition=PayoutModel.paid_at.does_not_exist(),
    )


def clawback(tx: Transaction, reward: IssuedReward, period: str, at: datetime) -> None:
    """A paid cash reward refunded: its negative line in the payout of `period` (written once per reward)."""
    assert reward.currency and reward.amount, "a cash reward has an amount and a currency"
    sk = f"CLAWBACK#{reward.id}"
    tx.save(
        PayableLineModel(
            reward.customer_id,
            sk,
            day=payout_day(period),
            at=payout_key(reward.customer_id, reward.currency, sk),
            amount=-reward.amount,
            currency=reward.currency,
            status="clawback",
            reward_id=reward.id,
            created_at=at.isoformat(),
        ),
        condition=PayableLineModel.sk.does_not_exist(),
    )
