"""Delivers events to webhook endpoints: first attempts from the FIFO WebhookQueue (in order per customer),
retries and replays from WebhookRetryQueue. A record fails (and comes back) only when the engine itself failed;
an endpoint's failure is a retry on the schedule, never a failed record."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.observability import logger, tracer
from passaparola.webhooks import delivery, ssrf
from passaparola.webhooks.service import MAX_ENDPOINTS

fifo = SqsFifoPartialProcessor()
standard = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
SAFE_MILLIS = (MAX_ENDPOINTS * ssrf.TIMEOUT_SECONDS + 10) * 1000
"""A record is started only with time left for every endpoint to time out; otherwise it (and, on the FIFO queue,
every later one) is reported failed and comes back, in order."""
_context: list[LambdaContext] = []


class NoTimeLeft(Exception):
    pass


def record_handler(record: SQSRecord) -> None:
    if _context and _context[0].get_remaining_time_in_millis() < SAFE_MILLIS:
        raise NoTimeLeft(record.message_id)
    message: dict[str, Any] = json.loads(record.body)
    if record.event_source_arn.endswith(".fifo"):
        delivery.fan_out(message)
    else:
        delivery.handle_retry(message)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _context[:] = [context]
    records = event.get("Records") or []
    processor = fifo if records and str(records[0].get("eventSourceARN", "")).endswith(".fifo") else standard
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
