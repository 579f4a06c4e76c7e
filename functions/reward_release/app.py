"""Hourly (EventBridge Scheduler): release rewards whose holding period ended, and the tiers they complete."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.observability import logger, metrics, tracer
from passaparola.referrals import release


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    report = release.release_due()
    return {"released": report.released, "tiers": report.tiers, "skipped": report.skipped}
