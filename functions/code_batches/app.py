"""Completes large code batches in the background, one SQS message per batch."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from passaparola.coupons import service
from passaparola.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


class BatchMessage(BaseModel):
    batch_id: str


MAX_RECEIVES = 3  # the queue's RedrivePolicy maxReceiveCount in template.yaml


def record_handler(record: SQSRecord) -> None:
    batch_id = BatchMessage.model_validate_json(record.body).batch_id
    try:
        batch = service.run_batch(batch_id)
    except Exception:
        if int(record.attributes.approximate_receive_count) >= MAX_RECEIVES:
            service.fail_batch(batch_id)
        raise
    logger.info("code batch completed", extra={"batch_id": batch.id, "codes_created": batch.created})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
