"""Daily (EventBridge Scheduler): release pending points, expire points, review tiers, birthdays, time-based segments."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.loyalty import jobs
from passaparola.observability import logger, metrics, tracer
from passaparola.segments import service as segments


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = jobs.run()
    backfilled = segments.backfill()
    figures = {k: v for k, v in report.__dict__.items() if k != "expired_customers"}
    return {**figures, "segment_backfill_customers": backfilled}
