"""Transaction helpers: retry DynamoDB's TransactionConflict and read cancellation reasons.

Every redemption writes its campaign item in a transaction, so a busy campaign's item is often part of
an ongoing transaction: DynamoDB then cancels a TransactGetItems that reads it, and refuses a plain
UpdateItem on it with TransactionConflictException. Neither is retried by botocore; both are retried here.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import PynamoDBException, TransactGetError, TransactWriteError
from pynamodb.transactions import TransactGet, TransactWrite

from passaparola.data.models import connection
from passaparola.errors import Conflict

T = TypeVar("T")
CONFLICT_ATTEMPTS = 8


def failed_items(error: TransactWriteError) -> list[int]:
    """Indexes of the transaction items whose condition failed."""
    return [i for i, r in enumerate(error.cancellation_reasons) if r is not None and r.code == "ConditionalCheckFailed"]


def is_conflict(error: PynamoDBException) -> bool:
    """Contention, not an answer: another transaction held the item, or DynamoDB throttled us."""
    if error.cause_response_code in ("TransactionConflictException", "ThrottlingException"):
        return True
    reasons = [r for r in getattr(error, "cancellation_reasons", None) or [] if r is not None]
    return bool(reasons) and all(r.code in ("TransactionConflict", "None") for r in reasons)


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


def write(build: Callable[[TransactWrite], None]) -> None:
    """One TransactWriteItems. Conditional-check failures propagate as TransactWriteError: they are answers."""

    def attempt() -> None:
        with TransactWrite(connection=connection()) as tx:
            build(tx)

    retrying(attempt)


def read(build: Callable[[TransactGet], T]) -> T:
    """One TransactGetItems; `build` registers the gets and returns their futures."""

    def attempt() -> T:
        with TransactGet(connection=connection()) as tx:
            futures = build(tx)
        return futures

    return retrying(attempt)


def condition_failed(error: PynamoDBException) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


__all__ = [
    "TransactGet",
    "TransactGetError",
    "TransactWrite",
    "condition_failed",
    "failed_items",
    "read",
    "retrying",
    "write",
]
