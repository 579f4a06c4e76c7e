"""Signed one-click unsubscribe links: whoever holds one can turn off one channel for one customer, nothing else.

No expiry (a link in a years-old email must still work); the key is this purpose's own secret
(`passaparola.keyring`), so a customer token can never pass for an unsubscribe token or the other way round.
Links are signed with the current key and accepted under the current or the previous one: rotating the secret
keeps links in emails sent before the rotation working until the next rotation.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from passaparola.errors import InvalidToken
from passaparola.keyring import Purpose
from passaparola.loyalty.tokens import seal, unseal
from passaparola.messages.models import CHANNELS, Channel

PURPOSE = Purpose.UNSUBSCRIBE


@dataclass(frozen=True)
class Claims:
    customer_id: str
    channel: Channel
    message_id: str


def token(customer_id: str, channel: Channel, message_id: str) -> str:
    return seal({"cid": customer_id, "ch": channel, "mid": message_id}, PURPOSE)


def url(base_url: str, customer_id: str, channel: Channel, message_id: str) -> str:
    return f"{base_url.rstrip('/')}/v1/unsubscribe?{urlencode({'token': token(customer_id, channel, message_id)})}"


def verify(value: str) -> Claims:
    invalid = InvalidToken("This unsubscribe link is malformed or its signature is wrong.")
    try:
        claims = unseal(value, PURPOSE)
    except InvalidToken as exc:
        raise invalid from exc
    customer_id, channel, message_id = claims.get("cid"), claims.get("ch"), claims.get("mid")
    if not isinstance(customer_id, str) or channel not in CHANNELS or not isinstance(message_id, str):
        raise invalid
    return Claims(customer_id=customer_id, channel=channel, message_id=message_id)
