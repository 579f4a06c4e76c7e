"""Delivers queued messages (SQS MessageQueue) through SES and SNS; transient failures back off and retry."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from passaparola.data import channels, queues
from passaparola.messages import sender
from passaparola.observability import logger, metrics, tracer
from passaparola.settings import get_settings

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
SAFE_MILLIS = 25_000
"""Never claim a message with less time left than this, or than two sends that time out (a refused send is
tried twice): a send cut off by the function's timeout would be an unknown outcome."""
_context: list[LambdaContext] = []
METRICS = {
    "sent": "MessagesSent",
    "failed": "MessagesFailed",
    "cancelled": "MessagesCancelled",
    "retry": "MessagesRetried",
    "unknown": "MessagesOutcomeUnknown",
}


class QueuedMessage(BaseModel):
    message_id: str


class RetryLater(Exception):
    """Reported as a batch item failure: the message comes back after its backoff."""


def safe_millis() -> int:
    one_send = channels.CONNECT_TIMEOUT + get_settings().message_send_timeout_seconds
    return max(SAFE_MILLIS, int(1000 * (2 * one_send + 1)))


def record_handler(record: SQSRecord) -> None:
    message_id = QueuedMessage.model_validate_json(record.body).message_id
    if _context and _context[0].get_remaining_time_in_millis() < safe_millis():
        raise RetryLater(message_id)  # not claimed: it comes back after the visibility timeout
    delivery = sender.deliver(message_id)
    if delivery.outcome in METRICS:
        metrics.add_metric(name=METRICS[delivery.outcome], unit=MetricUnit.Count, value=1)
    if delivery.outcome == "retry":
        queues.delay(record.receipt_handle, delivery.delay)
        raise RetryLater(message_id)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _context[:] = [context]
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
