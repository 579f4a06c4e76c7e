"""Every 5 minutes (EventBridge Scheduler): publishes the events a failed publish left unpublished."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.events import publish
from passaparola.observability import logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    published, failed = publish.republish()
    metrics.add_metric(name="EventsRepublished", unit=MetricUnit.Count, value=published)
    if failed:
        logger.warning("events still unpublished", extra={"failed": failed})
    return {"published": published, "failed": failed}
