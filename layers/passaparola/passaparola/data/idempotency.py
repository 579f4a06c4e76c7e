"""An Idempotency-Key's record read and written with the request's own transaction (the one-transaction path).

The generic path (passaparola.api.idempotency, on powertools) costs two round trips of its own: a lock written
before the request runs (INPROGRESS), the answer written after it (COMPLETED). A route whose work is one DynamoDB
transaction opts out of both: its first read round also reads the key's record (a replay ends there, one round
trip), and its transaction also puts the COMPLETED record holding the answer, conditioned on no live record —
so the redemption and its record land together or not at all. The records are in powertools' format, so either
path answers the other's.

The pending record reaches the data layer through a context variable set by the middleware for one request
(`PENDING`); code that runs without it (another route, a queue consumer) reads and writes nothing more.

Routes on this path: `POST /v1/redemptions` and its rollback (passaparola.data.coupons), `POST /v1/orders`, its
refund and `POST /v1/referrals/events` (passaparola.data.conversions: the record rides the order's transaction).
An order with a coupon is two transactions: the coupon's redemption first, run `aside()` (it writes no record; it
`guard`s on it, so a request whose key another body took redeems nothing), then the order's, which holds the record.
An answer no transaction committed (a refusal, an order reported before without the key) costs one PutItem (`keep`).
"""

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.expressions.condition import Condition
from pynamodb.models import _ModelFuture
from pynamodb.transactions import TransactGet, TransactWrite

from passaparola.data import transactions
from passaparola.data.models.idempotency import IdempotencyModel
from passaparola.errors import IdempotencyConflict, IdempotencyInProgress

COMPLETED, INPROGRESS = "COMPLETED", "INPROGRESS"


@dataclass
class Pending:
    """The record a request with an Idempotency-Key will write: where, for which body, until when, and how its
    outcome (what the domain call returns) becomes the stored answer."""

    key_id: str
    payload_hash: str
    expires_at: int
    """Epoch seconds (the table's TTL)."""
    render: Callable[[Any], dict[str, Any]]
    """The domain outcome → {"status", "headers", "body"}, the HTTP answer as the route gives it."""
    written: bool = False
    """Set once a transaction holding the record committed."""


PENDING: ContextVar[Pending | None] = ContextVar("passaparola_idempotency_pending", default=None)


@contextmanager
def aside() -> Iterator[Pending | None]:
    """Run a nested call without the pending record: it commits its own outcome, not this request's answer (an
    order's coupon redemption, a transaction of its own before the order's). Yields the record set aside, for the
    nested transaction to `guard` on."""
    hidden = PENDING.get()
    token = PENDING.set(None)
    try:
        yield hidden
    finally:
        PENDING.reset(token)


class Replay(Exception):
    """An earlier request with this key and body has its answer stored: give it again, do nothing."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("replay")
        self.answer = answer


def read(tx: TransactGet) -> _ModelFuture[IdempotencyModel] | None:
    """Add the pending key's record to a read round (None without a pending key)."""
    pending = PENDING.get()
    return tx.get(IdempotencyModel, pending.key_id) if pending else None


def check(future: _ModelFuture[IdempotencyModel] | None) -> None:
    """Raise what a record read with `read` means: Replay, IdempotencyConflict, IdempotencyInProgress."""
    pending = PENDING.get()
    if pending is not None:
        judge(pending, transactions.maybe(future))


def judge(pending: Pending, record: IdempotencyModel | None) -> None:
    """A live record with another body is a conflict; an INPROGRESS one (the generic path's lock) is in progress;
    a COMPLETED one is replayed. No record, or an expired one (TTL deletes late), lets the request run."""
    if record is None or _expired(record):
        return
    if record.validation != pending.payload_hash:
        raise IdempotencyConflict()
    if record.status != COMPLETED:
        raise IdempotencyInProgress()
    raise Replay(json.loads(record.data or "{}"))


def _expired(record: IdempotencyModel) -> bool:
    now = time.time()
    if int(record.expiration) < now:
        return True
    lock_ends = record.in_progress_expiration
    return record.status == INPROGRESS and lock_ends is not None and int(lock_ends) < now * 1000


def _free() -> Condition:
    """powertools' own condition: no record, an expired one, or an INPROGRESS lock whose Lambda timed out."""
    now = time.time()
    return (
        IdempotencyModel.id.does_not_exist()
        | (IdempotencyModel.expiration < int(now))
        | ((IdempotencyModel.status == INPROGRESS) & (IdempotencyModel.in_progress_expiration < int(now * 1000)))
    )


def _record(pending: Pending, answer: dict[str, Any]) -> IdempotencyModel:
    return IdempotencyModel(
        pending.key_id,
        status=COMPLETED,
        expiration=pending.expires_at,
        validation=pending.payload_hash,
        data=json.dumps(answer, sort_keys=True),
    )


def put(tx: TransactWrite, outcome: Any) -> None:
    """Append the pending key's COMPLETED record, holding the answer `outcome` gives, to a transaction.

    Its condition fails when another request with the key committed first: the caller reads again (`check` then
    replays that request's answer, or refuses another body)."""
    pending = PENDING.get()
    if pending is not None:
        tx.save(_record(pending, pending.render(outcome)), condition=_free())


def guard(tx: TransactWrite, pending: Pending | None) -> None:
    """Check, in a nested transaction that commits before the request's answer (an order's coupon redemption), that
    the key is not taken by another body: its record absent, expired, or of this body. No round trip more; without it
    a request that lost the key to another body would redeem a coupon for an order it then refuses to record."""
    if pending is not None:
        mine = IdempotencyModel.validation == pending.payload_hash
        tx.condition_check(IdempotencyModel, pending.key_id, condition=_free() | mine)


def refused(pending: Pending | None) -> None:
    """After a cancelled transaction that held `guard`: read the record (one GetItem) and raise what it means when
    another request with the key committed first (IdempotencyConflict, or Replay of this body's answer)."""
    if pending is not None:
        judge(pending, _get(pending.key_id))


def committed() -> None:
    """The transaction holding the pending record committed: the middleware has nothing left to write."""
    pending = PENDING.get()
    if pending is not None:
        pending.written = True


def recheck() -> None:
    """After a cancelled transaction that held the pending record: read the record (one GetItem) and raise what it
    means when another request with the key committed first; nothing when there is none (another condition failed)."""
    pending = PENDING.get()
    if pending is not None:
        judge(pending, _get(pending.key_id))


def _get(key_id: str) -> IdempotencyModel | None:
    try:
        return IdempotencyModel.get(key_id, consistent_read=True)
    except DoesNotExist:
        return None


def keep(pending: Pending, answer: dict[str, Any]) -> None:
    """Store an answer no transaction stored (a refusal, an order that had its redemption already): one PutItem.

    When another request with the key stored its answer meanwhile, that one stands: `judge` raises what it means."""
    try:
        transactions.retrying(lambda: _record(pending, answer).save(condition=_free()))
    except PutError as exc:
        if not transactions.condition_failed(exc):
            raise
        judge(pending, _get(pending.key_id))
        raise IdempotencyInProgress() from exc  # gone again already: the caller may simply retry
    pending.written = True
