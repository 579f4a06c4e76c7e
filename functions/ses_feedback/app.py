"""SES bounces and complaints, published by SES to SesFeedbackTopic: into the message log and the suppressions."""

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.messages import feedback
from passaparola.observability import logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"outcomes": [asdict(o) for o in feedback.handle_sns_event(event)]}
