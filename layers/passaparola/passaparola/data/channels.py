"""The providers that deliver messages: SES (email, raw MIME) and SNS (SMS to a phone number).

A send is not idempotent: the provider may have taken a request it did not answer in time, and sending it again
would deliver a second copy. So botocore never retries a send (one attempt, a read timeout from settings); a
refusal the provider is known not to have acted on (throttled, the connection never made) is tried once more
here, and whatever still fails comes back as a `ChannelError` for the sender to retry later, dead-letter, or
mark `outcome_unknown` (`messages.rules.transient` / `ambiguous`).
"""

import random
import time
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ProxyConnectionError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from passaparola.messages import rules
from passaparola.settings import get_settings

CONNECT_TIMEOUT = 5
REFUSED_PAUSE = (0.05, 0.3)
"""Seconds (jittered) before the one immediate retry of a refused send."""


class ChannelError(Exception):
    def __init__(self, code: str, message: str, http_status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.http_status = code, message, http_status


@lru_cache(maxsize=2)
def _client(service: str) -> Any:
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},  # never a blind resend
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=get_settings().message_send_timeout_seconds,
    )
    return boto3.client(service, region_name=get_settings().aws_region, config=config)  # type: ignore[call-overload]


def _call(operation: Any, **kwargs: Any) -> dict[str, Any]:
    """One send; tried a second time only when the first was refused (never when its outcome is unknown)."""
    try:
        return _once(operation, kwargs)
    except ChannelError as exc:
        if not rules.transient(exc.code):
            raise
    time.sleep(random.uniform(*REFUSED_PAUSE))  # noqa: S311 - jitter, not a secret
    return _once(operation, kwargs)


def _once(operation: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(operation(**kwargs))
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code, text = str(error.get("Code") or "ClientError"), str(error.get("Message") or exc)
        raise ChannelError(code, text, int(status) if status else None) from exc
    except (EndpointConnectionError, ConnectTimeoutError, ProxyConnectionError) as exc:
        raise ChannelError("connect", str(exc)) from exc  # no byte of the request reached the provider
    except ReadTimeoutError as exc:
        raise ChannelError("timeout", str(exc)) from exc  # sent, no answer in time: it may have gone out
    except ConnectionClosedError as exc:
        raise ChannelError("connection_closed", str(exc)) from exc
    except (HTTPClientError, BotoConnectionError) as exc:  # TLS or socket errors mid-request
        raise ChannelError("connection", str(exc)) from exc
    except BotoCoreError as exc:  # credentials, parameters: failed before any request was made
        raise ChannelError("client", str(exc)) from exc


def send_email(sender: str, to: str, raw: bytes, configuration_set: str = "") -> str:
    """SES SendRawEmail (with the configuration set that publishes its feedback, when there is one); the provider's
    message id."""
    extra = {"ConfigurationSetName": configuration_set} if configuration_set else {}
    result = _call(_client("ses").send_raw_email, Source=sender, Destinations=[to], RawMessage={"Data": raw}, **extra)
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
