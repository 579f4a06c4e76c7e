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

from passaparola.errors import InvalidToken, TokenExpired
from passaparola.settings import get_settings


def _key() -> bytes:
    return hmac.new(get_settings().fingerprint_key.encode(), b"passaparola customer token v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(customer_id: str, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    expires = now + ttl
    payload = json.dumps({"cid": customer_id, "exp": int(expires.timestamp())}, separators=(",", ":")).encode()
    signature = hmac.new(_key(), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}", expires


def verify(token: str, now: datetime) -> str:
    """The customer id a token was issued for; InvalidToken or TokenExpired otherwise."""
    try:
        head, sig = token.strip().split(".")
        payload, signature = _unb64(head), _unb64(sig)
    except (ValueError, TypeError) as exc:
        raise InvalidToken() from exc
    if not hmac.compare_digest(hmac.new(_key(), payload, hashlib.sha256).digest(), signature):
        raise InvalidToken()
    try:
        claims = json.loads(payload)
        customer_id, expires = str(claims["cid"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken() from exc
    if now.timestamp() >= expires:
        raise TokenExpired(details={"expired_at": datetime.fromtimestamp(expires, now.tzinfo).isoformat()})
    return customer_id
