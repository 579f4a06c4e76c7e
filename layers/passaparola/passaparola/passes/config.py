"""The wallet credentials, from the one secret `WALLET_PASS_SECRET_ARN` names (JSON: an `apple` and a `google` part).

Read like the signing keys (`passaparola.keyring`): at first use, kept SECRETS_MAX_AGE_SECONDS, a failed re-read
keeps what was read. No ARN means passes are off (501 `passes_not_configured`), except with STAGE=local on a
developer's machine (unit tests, the local stack): there a self-signed chain is generated once per process
(`passes.devcerts`), so a pass can be built and verified with nothing configured.
"""

import json
import threading
import time
from typing import Any

from pydantic import BaseModel, ValidationError

from passaparola.data import secrets
from passaparola.errors import ConfigurationError, PassesNotConfigured
from passaparola.observability import logger
from passaparola.settings import get_settings

RETRY_SECONDS = 60.0


class AppleConfig(BaseModel):
    """The shop's Pass Type ID certificate (and its key), Apple's WWDR intermediate, and the APNs token key."""

    pass_type_id: str
    team_id: str
    certificate_pem: str
    private_key_pem: str
    wwdr_pem: str
    apns_key_id: str = ""
    apns_private_key_pem: str = ""
    apns_topic: str = ""


class GoogleConfig(BaseModel):
    issuer_id: str
    class_suffix: str = "loyalty"
    service_account_email: str
    private_key_pem: str


class WalletConfig(BaseModel):
    apple: AppleConfig | None = None
    google: GoogleConfig | None = None
    ca_pem: str = ""
    """Only for the generated local chain: the root that verifies it (`openssl smime -verify -CAfile`)."""


_lock = threading.Lock()
_cache: tuple[float, WalletConfig, float] | None = None
"""When it was read, what was read, before when a failed re-read is not tried again."""


def _load() -> WalletConfig:
    settings = get_settings()
    arn = settings.wallet_pass_secret_arn
    if not arn:
        if settings.development_keys:
            from passaparola.passes import devcerts

            return devcerts.development_config()
        return WalletConfig()
    try:
        raw = secrets.read(arn, "AWSCURRENT")
    except secrets.SecretUnavailable as exc:
        logger.error("wallet pass secret unreadable", extra={"secret": arn, "reason": str(exc)})
        raise ConfigurationError(details={"unreadable": "WALLET_PASS_SECRET_ARN"}) from exc
    try:
        found: Any = json.loads(raw or "{}")
        return WalletConfig.model_validate(found)
    except (ValueError, ValidationError) as exc:
        logger.error("wallet pass secret malformed", extra={"secret": arn, "reason": str(exc)[:500]})
        raise ConfigurationError(details={"malformed": "WALLET_PASS_SECRET_ARN"}) from exc


def wallet() -> WalletConfig:
    """The configuration, from this container's cache unless it is older than SECRETS_MAX_AGE_SECONDS."""
    global _cache
    now = time.monotonic()
    with _lock:
        hit = _cache
    if hit is not None:
        read_at, found, retry_at = hit
        if now < retry_at or now - read_at < get_settings().secrets_max_age_seconds:
            return found
    try:
        found = _load()
    except ConfigurationError:
        if hit is None:
            raise
        logger.warning("wallet pass secret unreadable, keeping the cached one")
        with _lock:
            _cache = (hit[0], hit[1], now + RETRY_SECONDS)
        return hit[1]
    with _lock:
        _cache = (now, found, 0.0)
    return found


def apple() -> AppleConfig:
    """The Apple part, or 501 `passes_not_configured`."""
    found = wallet().apple
    if found is None:
        raise PassesNotConfigured(details={"missing": "apple"})
    return found


def google() -> GoogleConfig:
    """The Google part, or 501 `passes_not_configured`."""
    found = wallet().google
    if found is None:
        raise PassesNotConfigured(details={"missing": "google"})
    return found


def forget() -> None:
    """Drop the cached configuration (tests; a new container)."""
    global _cache
    with _lock:
        _cache = None
