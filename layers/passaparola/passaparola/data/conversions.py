"""Conversions and what deciding them needs: one read of everything the fraud and scenario rules look at,
and one transaction that writes the order, the conversion, the rewards and every counter together."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactGet

from passaparola.data import idempotency, transactions
from passaparola.data.models.campaigns import CampaignModel
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.orders import OrderModel
from passaparola.data.models.referrals import ConversionModel, CounterModel, IdentityModel, LinkModel, TouchModel
from passaparola.data.models.reports import BoardModel
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.data.transactions import Transaction
from passaparola.errors import NotFound
from passaparola.referrals.models import Conversion


@dataclass
class Person:
    """The friend as the rules see them."""

    facts: CustomerModel | None
    identity: IdentityModel | None


@dataclass
class Context:
    """What a conversion decision reads: the order (replay), the friend, the link, the referrer, counters."""

    order: OrderModel | None = None
    friend: Person = field(default_factory=lambda: Person(None, None))
    link: LinkModel | None = None
    campaign: CampaignModel | None = None
    referrer: CustomerModel | None = None
    counters: dict[str, int] = field(default_factory=dict)


def read_order_and_friend(order_key: str, customer_id: str, email_hash: str | None, code: str | None) -> Context:
    """Round trip 1: the order (already handled?), the friend's facts by id and by email, the named link; with a
    pending Idempotency-Key, its record (a replay ends here; after a lost write, the winner's answer is found here)."""

    def build(tx: TransactGet) -> tuple[Any, ...]:
        return (
            tx.get(OrderModel, order_key),
            tx.get(CustomerModel, customer_id, "facts"),
            tx.get(IdentityModel, f"EMAIL#{email_hash}", "FACTS") if email_hash else None,
            tx.get(LinkModel, f"REF#{code}", "LINK") if code else None,
            idempotency.read(tx),
        )

    f_order, f_facts, f_identity, f_link, f_key = transactions.read(build)
    idempotency.check(f_key)
    return Context(
        order=transactions.maybe(f_order),
        friend=Person(transactions.maybe(f_facts), transactions.maybe(f_identity)),
        link=transactions.maybe(f_link),
    )


def touches(person_key: str) -> list[TouchModel]:
    """The person's touches in every program (one Query of their partition)."""
    return list(TouchModel.query(person_key, TouchModel.sk.startswith("TOUCH#")))


def read_link(code: str) -> LinkModel | None:
    try:
        return LinkModel.get(f"REF#{code}", "LINK", consistent_read=True)
    except DoesNotExist:
        return None


def read_referrer_side(
    ctx: Context, campaign_id: str, referrer_id: str, counter_keys: dict[str, tuple[str, str]]
) -> None:
    """Round trip 2: the program as it is now, the referrer's fingerprints, the fraud counters."""
    names = list(counter_keys)

    def build(tx: TransactGet) -> tuple[Any, ...]:
        return (
            tx.get(CampaignModel, campaign_id),
            tx.get(CustomerModel, referrer_id, "facts"),
            *[tx.get(CounterModel, *counter_keys[n]) for n in names],
        )

    f_campaign, f_referrer, *f_counters = transactions.read(build)
    ctx.campaign = transactions.maybe(f_campaign)
    ctx.referrer = transactions.maybe(f_referrer)
    for name, future in zip(names, f_counters, strict=True):
        item = transactions.maybe(future)
        ctx.counters[name] = int(item.hits or 0) if item else 0


class Rejected(Exception):
    """A condition of the conversion transaction failed: re-read and decide again."""

    def __init__(self, failed: list[int]) -> None:
        super().__init__(failed)
        self.failed = failed


def write(build: Callable[[Transaction], None], outcome: Callable[[], Any] | None = None) -> None:
    """One transaction; with `outcome` (what the call answers, known once `build` ran), it also holds a pending
    Idempotency-Key's record of that answer. The record's condition failing (another request with the key committed
    first) is a Rejected like any other: the caller's next read round finds that record and replays it."""

    def build_all(tx: Transaction) -> None:
        build(tx)
        if outcome is not None:
            idempotency.put(tx, outcome())

    try:
        transactions.write(build_all)
    except TransactWriteError as exc:
        failed = transactions.failed_items(exc)
        if not failed:
            raise
        raise Rejected(failed) from exc
    if outcome is not None:
        idempotency.committed()


def conversion_item(c: Conversion, period_bucket: str | None, boards: list[str]) -> ConversionModel:
    return ConversionModel(
        f"CONV#{c.id}",
        "CONV",
        id=c.id,
        campaign_id=c.campaign_id,
        code=c.code,
        variant=c.variant,
        referrer_customer_id=c.referrer_customer_id,
        customer_id=c.customer_id,
        order_id=c.order_id,
        event=c.event,
        amount=c.amount,
        currency=c.currency,
        conv_status=c.status,
        reasons=set(c.reasons) or None,
        source=c.source,
        reward_ids=set(c.reward_ids) or None,
        period_bucket=period_bucket,
        boards=set(boards) or None,
        created_at=c.created_at.isoformat(),
        decided_at=c.decided_at.isoformat() if c.decided_at else None,
    )


def to_conversion(item: ConversionModel) -> Conversion:
    return Conversion(
        id=item.id,
        campaign_id=item.campaign_id,
        code=item.code,
        variant=item.variant,
        referrer_customer_id=item.referrer_customer_id,
        customer_id=item.customer_id,
        order_id=item.order_id,
        event=item.event,
        amount=int(item.amount),
        currency=item.currency,
        status=item.conv_status,  # type: ignore[arg-type]
        reasons=sorted(item.reasons or []),
        source=item.source,  # type: ignore[arg-type]
        reward_ids=sorted(item.reward_ids or []),
        created_at=datetime.fromisoformat(item.created_at),
        decided_at=datetime.fromisoformat(item.decided_at) if item.decided_at else None,
    )


def get_item(conversion_id: str) -> ConversionModel:
    try:
        return ConversionModel.get(f"CONV#{conversion_id}", "CONV", consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such conversion.", {"conversion_id": conversion_id}) from exc


def read_with_link(conversion_id: str, code: str) -> tuple[ConversionModel, LinkModel | None]:
    """A conversion and its link in one round trip (a refund voids one and moves the link's funnels)."""

    def build(tx: TransactGet) -> tuple[Any, ...]:
        return tx.get(ConversionModel, f"CONV#{conversion_id}", "CONV"), tx.get(LinkModel, f"REF#{code}", "LINK")

    f_conversion, f_link = transactions.read(build)
    found = transactions.maybe(f_conversion)
    if found is None:
        raise NotFound("No such conversion.", {"conversion_id": conversion_id})
    return found, transactions.maybe(f_link)


def of_code(code: str, limit: int = 100) -> list[Conversion]:
    """A referral's conversions, newest first (the index also holds the link item itself: filtered out)."""
    found = ConversionModel.by_code.query(
        code, filter_condition=ConversionModel.sk == "CONV", limit=limit, scan_index_forward=False
    )
    return [to_conversion(i) for i in found]


def by_status(
    status: str, campaign_id: str | None, limit: int, cursor: str | None
) -> tuple[list[Conversion], str | None]:
    start = decode_cursor(cursor, {"pk", "sk", "conv_status", "created_at"}, {"conv_status": status})
    result = ConversionModel.by_status.query(
        status,
        filter_condition=(ConversionModel.campaign_id == campaign_id) if campaign_id else None,
        limit=limit,
        last_evaluated_key=start,
        scan_index_forward=False,
    )
    return [to_conversion(i) for i in result], encode_cursor(result.last_evaluated_key)


def first_read_order(order_key: str) -> OrderModel | None:
    """A call's first read of an order; with a pending Idempotency-Key, its record in the same round trip (a replay
    ends here)."""
    if idempotency.PENDING.get() is None:
        return find_order(order_key)

    def both(tx: TransactGet) -> tuple[Any, ...]:
        return tx.get(OrderModel, order_key), idempotency.read(tx)

    f_order, f_key = transactions.read(both)
    idempotency.check(f_key)
    return transactions.maybe(f_order)


def find_order(order_key: str) -> OrderModel | None:
    try:
        return OrderModel.get(order_key, consistent_read=True)
    except DoesNotExist:
        return None


def get_order(order_key: str) -> OrderModel:
    try:
        return OrderModel.get(order_key, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such order.", {"order_id": order_key}) from exc


def board_keys(campaign_id: str, periods: list[str]) -> list[str]:
    """The leaderboard partitions of a program for these periods (`all`, `YYYY`, `YYYY-MM`)."""
    return [f"BOARD#{campaign_id}#{p}" for p in periods]


def board_update(tx: Transaction, board_pk: str, code: str, customer_id: str, name: str | None, delta: int) -> None:
    item = BoardModel(board_pk, f"REF#{code}")
    actions: list[Action] = [BoardModel.score.add(delta), BoardModel.board.set(board_pk), BoardModel.code.set(code)]
    actions.append(BoardModel.customer_id.set(customer_id))
    if name:
        actions.append(BoardModel.name.set(name))
    tx.update(item, actions=actions)


def counter_update(
    tx: Transaction, key: tuple[str, str], delta: int, expires_at: int | None, below: int | None = None
) -> None:
    """Move a fraud counter; with `below`, only while it stays under that limit (a place is taken)."""
    actions: list[Action] = [CounterModel.hits.add(delta)]
    if expires_at:
        actions.append(CounterModel.expires_at.set(expires_at))
    condition = (CounterModel.hits.does_not_exist() | (CounterModel.hits < below)) if below else None
    tx.update(CounterModel(*key), actions=actions, condition=condition)
