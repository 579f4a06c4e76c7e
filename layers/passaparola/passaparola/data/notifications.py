"""Messages to the shop's team (SNS topic TeamTopic): recognition rewards to deliver by hand."""

import json
from functools import lru_cache
from typing import Any

from passaparola.observability import logger
from passaparola.settings import get_settings


@lru_cache(maxsize=1)
def _sns() -> Any:
    """Created at the first message, from the models' botocore session: boto3 (some 60 modules) stays off the cold
    start of the functions that import this module (conversions, loyalty, through the customer record)."""
    from passaparola.data.models import _shared_session

    return _shared_session().create_client("sns", region_name=get_settings().aws_region)


def team(subject: str, message: dict[str, Any]) -> None:
    """Publish after the reward is committed; a failure is logged (the redemption record keeps the request)."""
    topic = get_settings().team_topic_arn
    if not topic:
        logger.warning("no TEAM_TOPIC_ARN: team message not sent", extra=message)
        return
    try:
        _sns().publish(TopicArn=topic, Subject=subject[:99], Message=json.dumps(message))
    except Exception:
        logger.exception("team message not sent", extra=message)
