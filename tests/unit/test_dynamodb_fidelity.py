"""What real DynamoDB answers that neither moto nor DynamoDB Local produce: the data layer handles it anyway."""

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import CancellationReason, TransactWriteError, UpdateError, VerboseClientError

from passaparola.data.transactions import is_conflict


def cancelled(*codes: str | None) -> TransactWriteError:
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code=c) if c else None for c in codes],
    )
    return TransactWriteError("cancelled", cause=cause)


@pytest.mark.parametrize(
    "codes",
    [("TransactionConflict", None), (None, "ThrottlingError"), ("ProvisionedThroughputExceeded", "None")],
)
def test_a_transaction_cancelled_by_contention_or_throttling_is_tried_again(codes):
    assert is_conflict(cancelled(*codes))


@pytest.mark.parametrize("codes", [("ConditionalCheckFailed", None), ("ThrottlingError", "ConditionalCheckFailed")])
def test_a_failed_condition_is_an_answer_not_contention(codes):
    assert not is_conflict(cancelled(*codes))


@pytest.mark.parametrize(
    "code", ["TransactionConflictException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"]
)
def test_a_busy_table_after_botocore_gave_up_is_tried_again(code):
    assert is_conflict(
        UpdateError("busy", cause=ClientError({"Error": {"Code": code, "Message": "busy"}}, "UpdateItem"))
    )
