"""EventsTable's stream (new events only) -> the event bus and the webhook queue, then marked published.

An event that failed is reported alone (partial batch response, by its sequence number) and retried by Lambda;
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


def _event(image: dict[str, Any]) -> Event:
    item = {k: _deserializer.deserialize(v) for k, v in image.items()}
    return Event.model_validate(
        {
            "id": item["id"],
            "type": item["type"],
            "version": int(item["version"]),
            "created_at": item["created_at"],
            "customer_id": item.get("customer_id"),
            "data": json.loads(item["data"]),
        }
    )


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
        parsed = _event(image)
        sequence[parsed.id] = stream["SequenceNumber"]
        events.append(parsed)
    failed = publish.publish(events) if events else set()
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(events) - len(failed))
    if failed:
        metrics.add_metric(name="EventsNotPublished", unit=MetricUnit.Count, value=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": sequence[i]} for i in sorted(failed)]}
