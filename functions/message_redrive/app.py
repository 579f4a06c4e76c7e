"""On demand: dead-lettered messages back onto the message queue (`sam remote invoke MessageRedriveFunction`)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.messages import sender
from passaparola.observability import logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """`{"include_unknown": true}` also re-sends messages whose first send may have arrived."""
    return sender.redrive(include_unknown=bool((event or {}).get("include_unknown")))
