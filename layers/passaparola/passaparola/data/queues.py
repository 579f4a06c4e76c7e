"""Outbound queue messages (SQS), created lazily so tests and the local stack can point them anywhere."""

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
