"""The providers that deliver messages: SES (email, raw MIME) and SNS (SMS to a phone number).

botocore retries throttling once within the call (standard mode, 2 calls at most); what still fails comes back
as a `ChannelError` with the provider's error code, for the sender to retry later or dead-letter.
"""

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from passaparola.settings import get_settings

_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 2}, connect_timeout=5, read_timeout=10)


class ChannelError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@lru_cache(maxsize=2)
def _client(service: str) -> Any:
    return boto3.client(service, region_name=get_settings().aws_region, config=_CONFIG)  # type: ignore[call-overload]


def _call(operation: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return dict(operation(**kwargs))
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise ChannelError(str(error.get("Code") or "ClientError"), str(error.get("Message") or exc)) from exc
    except BotoCoreError as exc:  # timeouts, connection failures
        raise ChannelError("connection", str(exc)) from exc


def send_email(sender: str, to: str, raw: bytes) -> str:
    """SES SendRawEmail; the provider's message id."""
    result = _call(_client("ses").send_raw_email, Source=sender, Destinations=[to], RawMessage={"Data": raw})
    return str(result["MessageId"])


def send_sms(phone: str, text: str) -> str:
    """SNS Publish to a phone number, as a promotional SMS; the provider's message id."""
    result = _call(
        _client("sns").publish,
        PhoneNumber=phone,
        Message=text,
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Promotional"}},
    )
    return str(result["MessageId"])
