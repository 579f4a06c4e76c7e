"""Customer tokens: the shop's backend vouches for a shopper so the storefront can read their wallet.

`base64url(payload).base64url(HMAC-SHA256(key, payload))`, payload `{"cid", "exp", "ep"}`. Each purpose
(customer tokens, unsubscribe links) has its own secret (`passaparola.keyring`), so a token can never pass
for another kind of token. A token is signed with the current key and accepted under the current or the
previous one, so rotating a secret leaves tokens already issued valid until the next rotation.

`ep` is the customer's token epoch when the token was issued; erasing the customer or revoking their tokens
raises the epoch on the customer record, and a token whose epoch is lower answers `token_revoked` wherever the
record is read (`check_epoch`).
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from passaparola import keyring
from passaparola.errors import InvalidToken, TokenExpired, TokenRevoked

CUSTOMER_TOKEN = keyring.Purpose.CUSTOMER_TOKEN


@dataclass(frozen=True)
class Claim:
    """Who a valid token vouches for, and the token epoch it was issued under."""

    customer_id: str
    epoch: int = 0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(claims: dict[str, Any], purpose: keyring.Purpose = CUSTOMER_TOKEN) -> str:
    """`base64url(claims).base64url(HMAC)` under the purpose's current key."""
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(keyring.sign(purpose, payload))}"


def unseal(token: str, purpose: keyring.Purpose = CUSTOMER_TOKEN) -> dict[str, Any]:
    """The claims of a token signed for this purpose; InvalidToken if forged, altered or malformed."""
    try:
        head, sig = token.strip().split(".")
        payload, signature = _unb64(head), _unb64(sig)
    except (ValueError, TypeError) as exc:
        raise InvalidToken() from exc
    if not keyring.verify(purpose, payload, signature):
        raise InvalidToken()
    try:
        claims = json.loads(payload)
    except ValueError as exc:
        raise InvalidToken() from exc
    if not isinstance(claims, dict):
        raise InvalidToken()
    return claims


def issue(customer_id: str, now: datetime, ttl: timedelta, epoch: int = 0) -> tuple[str, datetime]:
    expires = now + ttl
    return seal({"cid": customer_id, "exp": int(expires.timestamp()), "ep": epoch}), expires


def verify(token: str, now: datetime) -> Claim:
    """Who the token was issued for; InvalidToken or TokenExpired otherwise (the epoch is checked by the caller)."""
    claims = unseal(token)
    if claims.get("pur"):  # a single-purpose token sealed with this key (a pass download link) vouches for nothing
        raise InvalidToken()
    try:
        customer_id, expires, epoch = str(claims["cid"]), int(claims["exp"]), int(claims.get("ep", 0))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken() from exc
    if now.timestamp() >= expires:
        raise TokenExpired(details={"expired_at": datetime.fromtimestamp(expires, now.tzinfo).isoformat()})
    return Claim(customer_id, epoch)


def check_epoch(token_epoch: int | None, record_epoch: float | None) -> None:
    """A token issued before the customer's tokens were revoked (or the customer erased) is refused.

    `token_epoch=None`: no token was presented (the secret key), nothing to check.
    """
    if token_epoch is not None and token_epoch < int(record_epoch or 0):
        raise TokenRevoked()
