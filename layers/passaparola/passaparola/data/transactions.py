"""Transaction helpers: retry DynamoDB's TransactionConflict and read cancellation reasons."""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from passaparola.data.models import connection
from passaparola.errors import Conflict

T = TypeVar("T")
CONFLICT_ATTEMPTS = 8


def failed_items(error: TransactWriteError) -> list[int]:
    """Indexes of the transaction items whose condition failed."""
    return [i for i, r in enumerate(error.cancellation_reasons) if r is not None and r.code == "ConditionalCheckFailed"]


def _is_conflict(error: TransactWriteError) -> bool:
    reasons = [r for r in error.cancellation_reasons if r is not None]
    return error.cause_response_code in ("TransactionConflictException", "ThrottlingException") or (
        bool(reasons) and all(r.code in ("TransactionConflict", "None") for r in reasons)
    )


def write(build: Callable[[TransactWrite], None], token: str | None = None) -> None:
    """Run one TransactWriteItems, retrying transaction conflicts with jittered backoff.

    Conditional-check failures propagate as TransactWriteError: they are business answers, not contention.
    """
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            with TransactWrite(connection=connection(), client_request_token=token) as tx:
                build(tx)
            return
        except TransactWriteError as exc:
            if not _is_conflict(exc) or attempt == CONFLICT_ATTEMPTS - 1:
                if _is_conflict(exc):
                    raise Conflict() from exc
                raise
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
