"""Console users' Cognito id tokens, verified in the function on every request (no API Gateway authorizer).

API keys and tokens share the `Authorization: Bearer` header, so the function tells them apart by shape and
verifies a token itself: RS256 against the pool's JWKS, `iss` the pool, `aud` the console client, `token_use`
`id`, not expired. The JWKS is read once per container and again when a token names an unknown `kid` (Cognito
rotated its keys), at most once a minute so that a flood of forged `kid`s costs one fetch a minute.

PyJWT (and its `cryptography`) is imported at the first token, never on the cold start of an API-key call.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from passaparola.errors import DomainError, InvalidToken, NoRole, TokenExpired
from passaparola.observability import logger
from passaparola.settings import get_settings

ROLES = ("owner", "marketer", "support")
"""Highest first: a user in several groups has the highest of their roles."""
JWKS_REFETCH_SECONDS = 60
JWKS_RETRY_SECONDS = 5
"""While no key could be read yet (an outage of Cognito's key URL), try again at most this often."""
JWKS_TIMEOUT_SECONDS = 5
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def looks_like_jwt(raw: str) -> bool:
    """Three base64url parts: a token, not an API key (keys start with `sk_`/`pk_` and have no dots)."""
    return bool(_JWT.match(raw))


@dataclass(frozen=True)
class ConsoleUser:
    """Who a verified token says is signing in."""

    sub: str
    email: str
    role: str


class KeysUnavailable(DomainError):
    """No key of the pool could be read yet: the caller is not refused (their token may be fine), the API is down."""

    default_message = "The sign-in keys could not be read; retry shortly."


class JwksCache:
    """The pool's public keys by `kid`, fetched lazily and refreshed on an unknown `kid` (rate limited)."""

    def __init__(self) -> None:
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._url = ""
        self._lock = threading.Lock()

    def key(self, kid: str, url: str) -> Any:
        """The key for `kid`, or None. A download is attempted at most once a minute (every JWKS_RETRY_SECONDS
        while no key was ever read), counted from the attempt, so a flood of tokens with unknown `kid`s during an
        outage costs one download per interval, not one per request."""
        with self._lock:
            if url != self._url:  # another pool (tests, a changed setting): start over
                self._keys, self._fetched_at, self._url = {}, None, url
            if kid not in self._keys and self._may_fetch():
                self._fetched_at = time.monotonic()
                self._keys = _read_jwks(url) or self._keys
            if not self._keys:
                raise KeysUnavailable()
            return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        wait = JWKS_REFETCH_SECONDS if self._keys else JWKS_RETRY_SECONDS
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= wait

    def clear(self) -> None:
        with self._lock:
            self._keys, self._fetched_at, self._url = {}, None, ""


_jwks = JwksCache()


def download(url: str) -> dict[str, Any]:
    """The JWKS document at `url` (replaced in unit tests, where moto serves no HTTP)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"COGNITO_JWKS_URL must be an http(s) URL, not {url!r}")
    with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as response:  # noqa: S310 - scheme checked
        return json.loads(response.read())  # type: ignore[no-any-return]


def _read_jwks(url: str) -> dict[str, Any]:
    import jwt

    try:
        document = download(url)
        keys = jwt.PyJWKSet.from_dict(document).keys
    except (OSError, ValueError, AttributeError, TypeError, KeyError, jwt.PyJWTError):
        logger.exception("the console user pool's JWKS could not be read", extra={"url": url})
        return {}
    return {k.key_id: k.key for k in keys if k.key_id}


def verify(raw: str) -> ConsoleUser:
    """The console user a token proves, or InvalidToken / TokenExpired / NoRole."""
    import jwt

    settings = get_settings()
    if not settings.console_user_pool_id or not settings.console_client_id:
        raise InvalidToken("Console sign-in is not configured on this deployment.")
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError as exc:
        raise InvalidToken("The console token is malformed.") from exc
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str):
        raise InvalidToken("The console token is not signed by the user pool.")
    key = _jwks.key(kid, settings.console_jwks_url)
    if key is None:
        raise InvalidToken("The console token is not signed by the user pool.")
    try:
        claims = jwt.decode(
            raw,
            key,
            algorithms=["RS256"],
            audience=settings.console_client_id,
            issuer=settings.console_issuer,
            options={"require": ["exp", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("The console session has expired; refresh it or sign in again.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("The console token is not valid for this console.") from exc
    if claims.get("token_use") != "id":
        raise InvalidToken("Send the id token, not the access token.")
    groups = claims.get("cognito:groups") or []
    role = next((r for r in ROLES if r in groups), None)
    if role is None:
        raise NoRole()
    return ConsoleUser(sub=str(claims["sub"]), email=str(claims.get("email") or ""), role=role)
