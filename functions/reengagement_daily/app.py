"""Daily (EventBridge Scheduler, shop-local hour): birthdays, anniversaries, win-back, points expiring, nudges."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.messages import jobs
from passaparola.observability import logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = jobs.run_daily()
    metrics.add_metric(name="MessagesQueued", unit=MetricUnit.Count, value=report.queued)
    return report.model_dump()
