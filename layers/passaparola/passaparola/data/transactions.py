"""Transaction helpers: retry DynamoDB's TransactionConflict and read cancellation reasons.

Every redemption writes its campaign item in a transaction, so a busy campaign's item is often part of
an ongoing transaction: DynamoDB then cancels a TransactGetItems that reads it, and refuses a plain
UpdateItem on it with TransactionConflictException. Neither is retried by botocore; both are retried here.
"""

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactGetError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action
from pynamodb.models import Model, _ModelFuture
from pynamodb.transactions import TransactGet, TransactWrite

from passaparola.data.models import connection
from passaparola.errors import Conflict

T = TypeVar("T")
M = TypeVar("M", bound=Model)
CONFLICT_ATTEMPTS = 8


def failed_items(error: TransactWriteError) -> list[int]:
    """Indexes of the transaction items whose condition failed."""
    return [i for i, r in enumerate(error.cancellation_reasons) if r is not None and r.code == "ConditionalCheckFailed"]


BUSY_ERRORS = (
    "TransactionConflictException",
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
)
BUSY_REASONS = ("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "None")
"""A transaction cancelled only for these reasons can be tried again (DynamoDB throttles a hot item's
partition inside a transaction as a cancellation reason, not as an error botocore retries)."""


def is_conflict(error: PynamoDBException) -> bool:
    """Contention, not an answer: another transaction held the item, or DynamoDB throttled us."""
    if error.cause_response_code in BUSY_ERRORS:
        return True
    reasons = [r for r in getattr(error, "cancellation_reasons", None) or [] if r is not None]
    return bool(reasons) and all(r.code in BUSY_REASONS for r in reasons)


def retrying(operation: Callable[[], T]) -> T:
    """Run an operation, retrying contention with jittered backoff; other errors propagate as they are."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            return operation()
        except PynamoDBException as exc:
            if not is_conflict(exc):
                raise
            if attempt == CONFLICT_ATTEMPTS - 1:
                raise Conflict() from exc
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")


def backoff(attempt: int, cap: float = 0.2) -> None:
    """Before re-reading after a lost conditional write: a jittered, growing pause lets the winner land."""
    if attempt:
        time.sleep(random.uniform(0, min(0.005 * 2**attempt, cap)))


def maybe(future: _ModelFuture[M] | None) -> M | None:
    """The item a TransactGet future holds, or None when it was not asked for or does not exist."""
    if future is None:
        return None
    try:
        return future.get()
    except DoesNotExist:
        return None


class Transaction(TransactWrite):
    """A TransactWrite that merges counter moves on the same item into one update.

    DynamoDB refuses two operations on one item in a transaction; a conversion moves an aggregate item from
    several places (the conversion itself, each reward's cost...), so `add` and `add_money` collect the
    deltas per item and write each item once, at commit.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counters: dict[tuple[str, Any, Any], tuple[Model, dict[str, int], dict[tuple[str, str], int]]] = {}
        self._guards: dict[tuple[str, Any, Any], Condition] = {}

    @staticmethod
    def _key(item: Model) -> tuple[str, Any, Any]:
        range_name = item._range_keyname
        return (
            type(item).__name__,
            getattr(item, item._hash_keyname or ""),
            getattr(item, range_name) if range_name else None,
        )

    def _slot(self, item: Model) -> tuple[Model, dict[str, int], dict[tuple[str, str], int]]:
        return self._counters.setdefault(self._key(item), (item, {}, {}))

    def guard(self, item: Model, condition: Condition) -> None:
        """Condition the item's merged counter update (or, without one, check the item): the deltas were worked
        out from a read of it, so a concurrent change must fail the transaction and make the caller re-read."""
        self._slot(item)
        key = self._key(item)
        self._guards[key] = self._guards[key] & condition if key in self._guards else condition

    def add(self, item: Model, deltas: dict[str, int]) -> None:
        """ADD each delta to the named number attribute of the item (created if absent; undeclared names too)."""
        _, counts, _ = self._slot(item)
        for name, delta in deltas.items():
            counts[name] = counts.get(name, 0) + delta

    def add_money(self, item: Model, attribute: str, currency: str, amount: int) -> None:
        """Move one currency's entry of a map attribute (the map must exist)."""
        _, _, money = self._slot(item)
        money[(attribute, currency)] = money.get((attribute, currency), 0) + amount

    def put_serialized(self, model: type[Model], operation: dict[str, Any]) -> None:
        """A Put of `model`'s table already in DynamoDB's low-level form (TableName, Item, condition): for a caller
        that writes many items of one shape and builds them with the model's own attribute serialisers, not a Model
        each. The model is named so that the static IAM check (tests/unit/iam_static.py) sees the PutItem."""
        assert operation["TableName"] == model.Meta.table_name
        self._put_items.append(operation)

    def _commit(self) -> Any:
        for key, (item, counts, money) in self._counters.items():
            model = type(item)
            guard = self._guards.get(key)
            actions: list[Action] = [number(model, n).add(d) for n, d in counts.items() if d]
            for (attribute, currency), amount in money.items():
                if amount:
                    entry = getattr(model, attribute)[currency]
                    actions.append(entry.set((entry | 0) + amount))
            if actions:
                self.update(item, actions=actions, condition=guard)
            elif guard is not None:
                self.condition_check(model, key[1], key[2], condition=guard)
        self._counters.clear()
        self._guards.clear()
        return super()._commit()


def number(model: type[Model], name: str) -> Any:
    """A declared attribute, or a top-level one named on the fly (the daily items' `discount_EUR`...)."""
    return getattr(model, name) if name in model.get_attributes() else Path([name])


def write(build: Callable[[Transaction], None]) -> None:
    """One TransactWriteItems. Conditional-check failures propagate as TransactWriteError: they are answers."""

    def attempt() -> None:
        with Transaction(connection=connection()) as tx:
            build(tx)

    retrying(attempt)


def read(build: Callable[[TransactGet], T]) -> T:
    """One TransactGetItems; `build` registers the gets and returns their futures."""

    def attempt() -> T:
        with TransactGet(connection=connection()) as tx:
            futures = build(tx)
        return futures

    return retrying(attempt)


def position(tx: TransactWrite, kind: str, n: int = 0) -> int:
    """Where the `n`-th operation of a kind sits in the request (what cancellation reasons are indexed by).

    pynamodb sends condition checks first, then deletes, puts and updates, each in the order they were added.
    """
    order = ["condition_check", "delete", "put", "update"]
    before = order[: order.index(kind)]
    return sum(len(getattr(tx, f"_{k}_items")) for k in before) + n


def condition_failed(error: PynamoDBException) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


__all__ = [
    "TransactGet",
    "TransactGetError",
    "TransactWrite",
    "backoff",
    "condition_failed",
    "failed_items",
    "position",
    "read",
    "retrying",
    "write",
]
