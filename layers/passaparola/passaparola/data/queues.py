"""Queues (SQS): code batches and messages; the client is created lazily so tests can point it anywhere."""

import json
from functools import lru_cache
from typing import Any

from passaparola.settings import get_settings


@lru_cache(maxsize=1)
def _sqs() -> Any:
    import boto3  # only the code-batch path sends messages; keep it off every cold start

    return boto3.client("sqs", region_name=get_settings().aws_region)


def send_code_batch(batch_id: str) -> None:
    _sqs().send_message(QueueUrl=get_settings().code_batch_queue_url, MessageBody=json.dumps({"batch_id": batch_id}))


def send_messages(message_ids: list[str]) -> None:
    """Message ids onto MessageQueue (the sender's), ten per call."""
    url = get_settings().message_queue_url
    for start in range(0, len(message_ids), 10):
        entries = [
            {"Id": str(n), "MessageBody": json.dumps({"message_id": mid})}
            for n, mid in enumerate(message_ids[start : start + 10])
        ]
        result = _sqs().send_message_batch(QueueUrl=url, Entries=entries)
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} messages: {result['Failed'][0]}")


def dead_letter(message_id: str, reason: str, error: str) -> None:
    """A message that cannot be delivered onto MessageDLQ, with its reason (re-driven by MessageRedriveFunction)."""
    _sqs().send_message(
        QueueUrl=get_settings().message_dlq_url,
        MessageBody=json.dumps({"message_id": message_id, "reason": reason, "error": error[:1000]}),
        MessageAttributes={"reason": {"DataType": "String", "StringValue": reason}},
    )


def delay(receipt_handle: str, seconds: int) -> None:
    """Back off: the received message reappears on MessageQueue after `seconds`."""
    _sqs().change_message_visibility(
        QueueUrl=get_settings().message_queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
    )


def receive_dead_letters(max_messages: int = 10) -> list[dict[str, Any]]:
    return list(
        _sqs()
        .receive_message(
            QueueUrl=get_settings().message_dlq_url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=1,
            VisibilityTimeout=300,
        )
        .get("Messages", [])
    )


def release_dead_letter(receipt_handle: str) -> None:
    """A dead letter received and kept: visible again at once (for the next re-drive, not in five minutes)."""
    _sqs().change_message_visibility(
        QueueUrl=get_settings().message_dlq_url, ReceiptHandle=receipt_handle, VisibilityTimeout=0
    )


def delete_dead_letter(receipt_handle: str) -> None:
    _sqs().delete_message(QueueUrl=get_settings().message_dlq_url, ReceiptHandle=receipt_handle)
