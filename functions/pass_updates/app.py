"""Keeps wallet cards current: the customers table's stream (filtered to pass holders) -> touch the pass, push to
Apple devices, PATCH the Google object. A record that fails is reported alone (partial batch response) and retried
by Lambda; after its retries the batch's metadata lands in JobsDLQ."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola import clock
from passaparola.observability import logger, metrics, tracer
from passaparola.passes import push, updates

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def record_handler(record: DynamoDBRecord) -> None:
    stream = record.dynamodb
    card = updates.card_if_changed(stream.old_image if stream else None, stream.new_image if stream else None)
    if card is None:
        return
    try:
        outcome = updates.send(card, updates.wallets(), clock.now())
    except push.PushFailed:
        # a partial batch failure is no Lambda error: this metric (alarm PassUpdateFailuresAlarm) is what tells
        metrics.add_metric(name="PassUpdateFailures", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name="PassesUpdated", unit=MetricUnit.Count, value=1)
    if outcome.pushed:
        metrics.add_metric(name="PassPushes", unit=MetricUnit.Count, value=len(outcome.pushed))
    logger.info(
        "pass updated",
        extra={
            "serial": card.serial,
            "pushed": len(outcome.pushed),
            "gone": len(outcome.unregistered),
            "google": outcome.google,
        },
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
