"""The deployment's keys, one per purpose, from Secrets Manager: the current one signs, current and previous verify.

Each purpose has its own secret (template.yaml) and a function gets the ARN of — and the right to read — only
the secrets it needs. A container reads a secret at its first use and keeps it SECRETS_MAX_AGE_SECONDS, then
reads it again, so a rotation reaches every container within that time; a signature that matches neither key
makes a container re-read early (at most once a minute), so a token signed elsewhere with a fresher key is
accepted at once. Outside STAGE=local there is no default key: a function whose secret is missing or unreadable
refuses the work (`ConfigurationError`, logged) instead of signing with a key everybody knows; a re-read that
fails once a key is cached keeps the cached key (a warning) and is tried again a minute later.
"""

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from enum import Enum

from passaparola.data import secrets
from passaparola.errors import ConfigurationError
from passaparola.observability import logger
from passaparola.settings import get_settings

EARLY_REFRESH_SECONDS = 60.0


class Purpose(Enum):
    """What a key is for; the value names the environment variable holding its secret's ARN."""

    CUSTOMER_TOKEN = "CUSTOMER_TOKEN_SECRET_ARN"
    UNSUBSCRIBE = "UNSUBSCRIBE_SECRET_ARN"
    FINGERPRINT = "FINGERPRINT_SECRET_ARN"


LEGACY_LABELS = {Purpose.UNSUBSCRIBE: b"passaparola unsubscribe v1"}
"""Before per-purpose secrets, unsubscribe links were signed with HMAC(fingerprint key, label). A link in an email
sent then must keep working, so a function that has both secrets also accepts that key (to verify, never to sign)."""

DEVELOPMENT_KEYS = {purpose: f"passaparola-local-{purpose.name.lower()}-key".encode() for purpose in Purpose}
"""Published keys for STAGE=local only (unit tests, a developer's stack without Secrets Manager)."""


@dataclass(frozen=True)
class Keys:
    current: bytes
    previous: bytes | None = None

    @property
    def verifying(self) -> tuple[bytes, ...]:
        """The keys a signature may match: the current one, and during the grace period the previous one."""
        return (self.current,) if self.previous is None else (self.current, self.previous)


_lock = threading.Lock()
_cache: dict[Purpose, tuple[float, Keys, float]] = {}
"""Per purpose: when the keys were read, the keys, and before when a failed re-read is not tried again."""


def _arn(purpose: Purpose) -> str:
    """Each purpose is named after its environment variable, which is its settings field in lower case."""
    return str(getattr(get_settings(), purpose.value.lower()))


def _load(purpose: Purpose) -> Keys:
    arn = _arn(purpose)
    if not arn:
        if get_settings().development_keys:
            return Keys(DEVELOPMENT_KEYS[purpose])
        logger.error("signing key not configured", extra={"purpose": purpose.name, "variable": purpose.value})
        raise ConfigurationError(details={"missing": purpose.value})
    try:
        current = secrets.read(arn, "AWSCURRENT")
        previous = None if purpose is Purpose.FINGERPRINT else secrets.read(arn, "AWSPREVIOUS")
    except secrets.SecretUnavailable as exc:
        logger.error("signing key unreadable", extra={"purpose": purpose.name, "secret": arn, "reason": str(exc)})
        raise ConfigurationError(details={"unreadable": purpose.value}) from exc
    if not current:
        logger.error("signing key empty", extra={"purpose": purpose.name, "secret": arn})
        raise ConfigurationError(details={"empty": purpose.value})
    return Keys(current.encode(), previous.encode() if previous and previous != current else None)


def keys(purpose: Purpose, fresh: bool = False) -> Keys:
    """The purpose's keys, from this container's cache unless they are older than SECRETS_MAX_AGE_SECONDS.

    `fresh=True` (a signature matched no key) re-reads them if they were read more than a minute ago. A re-read
    that fails keeps the cached keys (logged) and is tried again a minute later: a Secrets Manager blip must not
    turn every request into a 500. With nothing cached, the failure is the answer.
    """
    now = time.monotonic()
    with _lock:
        hit = _cache.get(purpose)
    if hit is not None:
        read_at, found, retry_at = hit
        age = now - read_at
        if now < retry_at or (
            age < get_settings().secrets_max_age_seconds and not (fresh and age >= EARLY_REFRESH_SECONDS)
        ):
            return found
    try:
        found = _load(purpose)
    except ConfigurationError as exc:
        if hit is None:
            raise
        logger.warning(
            "signing key unreadable, keeping the cached one", extra={"purpose": purpose.name, "details": exc.details}
        )
        with _lock:
            _cache[purpose] = (hit[0], hit[1], now + EARLY_REFRESH_SECONDS)
        return hit[1]
    with _lock:
        _cache[purpose] = (now, found, 0.0)
    return found


def sign(purpose: Purpose, payload: bytes) -> bytes:
    return hmac.new(keys(purpose).current, payload, hashlib.sha256).digest()


def verify(purpose: Purpose, payload: bytes, signature: bytes) -> bool:
    """Does the signature match the current or the previous key (re-reading the keys once if neither)?"""
    for fresh in (False, True):
        for key in keys(purpose, fresh).verifying:
            if hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).digest(), signature):
                return True
    label = LEGACY_LABELS.get(purpose)
    if label is not None and _arn(Purpose.FINGERPRINT):
        legacy = hmac.new(keys(Purpose.FINGERPRINT).current, label, hashlib.sha256).digest()
        return hmac.compare_digest(hmac.new(legacy, payload, hashlib.sha256).digest(), signature)
    return False


def forget() -> None:
    """Drop the cached keys (tests; a new container)."""
    with _lock:
        _cache.clear()
