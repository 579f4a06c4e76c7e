"""Customer tokens: the shop's backend vouches for a shopper so the storefront can read their wallet.

`base64url(payload).base64url(HMAC-SHA256(key, payload))`, payload `{"cid", "exp"}`. The key is derived
from the deployment's secret (FINGERPRINT_KEY) for this one purpose, so a token can never be confused with
a hashed email or IP.
"""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from passaparola.errors import InvalidToken, TokenExpired
from passaparola.settings import get_settings

CUSTOMER_TOKEN = b"passaparola customer token v1"


def _key(purpose: bytes = CUSTOMER_TOKEN) -> bytes:
    """A key for one purpose only, derived from the deployment's secret."""
    return hmac.new(get_settings().fingerprint_key.encode(), purpose, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(claims: dict[str, Any], purpose: bytes = CUSTOMER_TOKEN) -> str:
    """`base64url(claims).base64url(HMAC)` under the purpose's key."""
    payload = json.dumps(claims, separators=(",", ":")).encode()
    signature = hmac.new(_key(purpose), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def unseal(token: str, purpose: bytes = CUSTOMER_TOKEN) -> dict[str, Any]:
    """The claims of a token signed for this purpose; InvalidToken if forged, altered or malformed."""
    try:
        head, sig = token.strip().split(".")
        payload, signature = _unb64(head), _unb64(sig)
    except (ValueError, TypeError) as exc:
        raise InvalidToken() from exc
    if not hmac.compare_digest(hmac.new(_key(purpose), payload, hashlib.sha256).digest(), signature):
        raise InvalidToken()
    try:
        claims = json.loads(payload)
    except ValueError as exc:
        raise InvalidToken() from exc
    if not isinstance(claims, dict):
        raise InvalidToken()
    return claims


def issue(customer_id: str, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    expires = now + ttl
    return seal({"cid": customer_id, "exp": int(expires.timestamp())}), expires


def verify(token: str, now: datetime) -> str:
    """The customer id a token was issued for; InvalidToken or TokenExpired otherwise."""
    claims = unseal(token)
    try:
        customer_id, expires = str(claims["cid"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken() from exc
    if now.timestamp() >= expires:
        raise TokenExpired(details={"expired_at": datetime.fromtimestamp(expires, now.tzinfo).isoformat()})
    return customer_id
