"""EventsTable's stream (new items only: the events of one transaction each) -> the event bus and the webhook
queue, then marked published.

An item with an event that failed is reported (partial batch response, by its sequence number) and retried by Lambda;
whatever is still unpublished two minutes on is published again by EventRepublishFunction."""

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from boto3.dynamodb.types import TypeDeserializer

from passaparola.events import publish
from passaparola.events.types import Event
from passaparola.observability import logger, metrics, tracer

_deserializer = TypeDeserializer()


def _events(image: dict[str, Any]) -> list[Event]:
    return [Event.model_validate(e) for e in json.loads(_deserializer.deserialize(image["events"]))]


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sequence: dict[str, str] = {}
    events: list[Event] = []
    for record in event.get("Records") or []:
        stream = record.get("dynamodb") or {}
        image = stream.get("NewImage")
        if record.get("eventName") != "INSERT" or not image:
            continue
        parsed = _events(image)
        for e in parsed:
            sequence[e.id] = stream["SequenceNumber"]
        events += parsed
    failed = publish.publish(events) if events else set()
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(events) - len(failed))
    if failed:
        metrics.add_metric(name="EventsNotPublished", unit=MetricUnit.Count, value=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": s} for s in sorted({sequence[i] for i in failed})]}
