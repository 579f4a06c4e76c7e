"""Telling the wallets that a card changed: an APNs push to every device that registered an Apple pass, and a
PATCH of the Google Wallet loyalty object.

APNs speaks HTTP/2 only (httpx with h2, imported at the first push: the API functions never load it). It
authenticates with a provider token (ES256 JWT of the shop's APNs key, `apns_key_id` + `team_id`) when the secret
has one, else with the Pass Type ID certificate as a TLS client certificate (what Apple documents for passes).
The body is `{}`: the device then asks the PassKit web service which serials changed and fetches them.
Locally APNS_URL, GOOGLE_WALLET_API_URL and GOOGLE_OAUTH_URL point at the stack's `/local/push` recorder (plain
HTTP/1.1: httpx negotiates HTTP/2 by ALPN on TLS only).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from passaparola.observability import logger, trace_httpx
from passaparola.passes.config import GoogleConfig
from passaparola.passes.google import Card, change_body, object_id
from passaparola.settings import get_settings

PROVIDER_TOKEN_SECONDS = 50 * 60
"""APNs refuses a provider token older than an hour and one refreshed more often than every 20 minutes."""
GOOGLE_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
CONNECT_TIMEOUT, READ_TIMEOUT = 3.0, 10.0
GONE, BAD_REQUEST = 410, 400
DEAD_TOKEN = frozenset({"BadDeviceToken", "DeviceTokenNotForTopic"})
"""APNs's 400 reasons that mean this token will never work for this topic: unregistered like a 410."""
PUSH_TOKEN = re.compile(r"[0-9a-fA-F]{64}")
"""An APNs device token: 32 bytes in hex. The registration route refuses anything else (it goes into a URL)."""
PUSH_WORKERS = 10
"""As many as a pass may have registrations (data.passes.MAX_DEVICES): one round of pushes per change."""

_lock = threading.Lock()
_provider_tokens: dict[str, tuple[float, str]] = {}
_access_tokens: dict[str, tuple[float, str]] = {}
_clients: dict[str, Any] = {}


class PushFailed(Exception):
    """A wallet service could not be reached or answered an error worth retrying: the stream record retries."""


@dataclass(frozen=True)
class ApnsConfig:
    """What APNs needs from the `apple` part of WalletPassSecret."""

    topic: str  # the pass type id
    team_id: str = ""
    key_id: str = ""
    key_pem: str = ""  # the APNs auth key (.p8), ES256
    certificate_pem: str = ""  # the Pass Type ID certificate, used when there is no APNs key
    certificate_key_pem: str = ""

    @classmethod
    def from_secret(cls, part: Mapping[str, Any] | None) -> ApnsConfig | None:
        if not part:
            return None
        get = lambda name: str(part.get(name) or "")  # noqa: E731 - a local shorthand
        topic = get("apns_topic") or get("pass_type_id")
        config = cls(
            topic=topic,
            team_id=get("team_id"),
            key_id=get("apns_key_id"),
            key_pem=get("apns_private_key_pem"),
            certificate_pem=get("certificate_pem"),
            certificate_key_pem=get("private_key_pem"),
        )
        return config if topic and (config.token_auth or config.certificate_pem) else None

    @property
    def token_auth(self) -> bool:
        return bool(self.key_id and self.key_pem and self.team_id)


class Registration(Protocol):
    device: str
    push_token: str


@dataclass
class PushReport:
    sent: list[str] = field(default_factory=list)  # devices
    gone: list[str] = field(default_factory=list)  # devices unregistered after a 410


# ----------------------------------------------------------------------------------------------- APNs
def provider_token(config: ApnsConfig, now: float | None = None) -> str:
    """The ES256 provider token, reused for up to 50 minutes per key."""
    import jwt

    now = time.time() if now is None else now
    cache_key = f"{config.team_id}:{config.key_id}:{_digest(config.key_pem)}"
    with _lock:  # signed under the lock: concurrent pushes share one token (APNs throttles frequent refreshes)
        hit = _provider_tokens.get(cache_key)
        if hit and now - hit[0] < PROVIDER_TOKEN_SECONDS:
            return hit[1]
        token = jwt.encode(
            {"iss": config.team_id, "iat": int(now)}, config.key_pem, algorithm="ES256", headers={"kid": config.key_id}
        )
        _provider_tokens[cache_key] = (now, token)
    return token


def apns_request(config: ApnsConfig, push_token: str) -> tuple[str, dict[str, str], bytes]:
    """URL, headers and body of the push that tells a device one of its passes changed."""
    headers = {
        "apns-topic": config.topic,
        "apns-push-type": "background",
        "apns-priority": "5",  # required with the background push type
        "content-type": "application/json",
    }
    if config.token_auth:
        headers["authorization"] = f"bearer {provider_token(config)}"
    return f"{get_settings().apns_url.rstrip('/')}/3/device/{push_token}", headers, b"{}"


def push_devices(
    config: ApnsConfig, registrations: Iterable[Registration], unregister: Callable[[str], None]
) -> PushReport:
    """Push to every registration at once (threads sharing the HTTP/2 connection: a change costs one round trip,
    not one per device). A token APNs says is dead (410, or 400 BadDeviceToken / DeviceTokenNotForTopic) and a
    token that is not 64 hex digits (never sent) are unregistered. Any other failure raises PushFailed after
    trying them all (the record retries: a second push to a device is harmless)."""
    report = PushReport()
    failures: list[str] = []
    sendable: list[Registration] = []
    for reg in registrations:
        if PUSH_TOKEN.fullmatch(reg.push_token):
            sendable.append(reg)
        else:
            unregister(reg.device)
            report.gone.append(reg.device)
    if not sendable:
        return report
    with ThreadPoolExecutor(max_workers=min(PUSH_WORKERS, len(sendable))) as pool:
        outcomes = list(pool.map(lambda reg: _push(config, reg.push_token), sendable))
    for reg, (status, reason) in zip(sendable, outcomes, strict=True):
        if status == 200:
            report.sent.append(reg.device)
        elif status == GONE or (status == BAD_REQUEST and reason in DEAD_TOKEN):
            unregister(reg.device)
            report.gone.append(reg.device)
        else:
            if reason in ("ExpiredProviderToken", "InvalidProviderToken"):
                with _lock:
                    _provider_tokens.clear()
            if status:
                logger.warning("APNs refused a push", extra={"status": status, "reason": reason})
            failures.append(f"{reg.device}: {status or ''} {reason}".replace("  ", " "))
    if failures:
        raise PushFailed("APNs: " + "; ".join(failures))
    return report


def _push(config: ApnsConfig, push_token: str) -> tuple[int, str]:
    """(status, APNs reason) of one push; (0, the exception's name) when APNs could not be reached."""
    url, headers, body = apns_request(config, push_token)
    try:
        answer = _client(config).post(url, headers=headers, content=body)
    except Exception as exc:  # httpx.HTTPError and h2 protocol errors alike: transient
        return 0, type(exc).__name__
    return answer.status_code, "" if answer.status_code == 200 else _reason(answer)


# --------------------------------------------------------------------------------------------- Google
def google_access_token(config: GoogleConfig, now: float | None = None) -> str:
    """An OAuth2 access token for the Wallet API by the JWT bearer grant, kept until a minute before it expires."""
    import jwt

    now = time.time() if now is None else now
    url = get_settings().google_oauth_url
    with _lock:
        hit = _access_tokens.get(config.service_account_email)
        if hit and hit[0] > now:
            return hit[1]
    assertion = jwt.encode(
        {
            "iss": config.service_account_email,
            "scope": GOOGLE_SCOPE,
            "aud": url,
            "iat": int(now),
            "exp": int(now) + 3600,
        },
        config.private_key_pem,
        algorithm="RS256",
    )
    answer = _call(
        "POST",
        url,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
    )
    if answer.status_code != 200:
        raise PushFailed(f"Google OAuth: {answer.status_code}")
    payload = answer.json()
    token = str(payload["access_token"])
    with _lock:
        _access_tokens[config.service_account_email] = (now + int(payload.get("expires_in") or 3600) - 60, token)
    return token


def update_google_object(config: GoogleConfig, card: Card) -> str:
    """PATCH the card's loyalty object with what changed ("patched"). A 404 means the customer got a save link but
    never saved the card ("not_saved"): nothing is inserted, so Google never holds a card nobody added (saving
    later creates it from the link's JWT, with the values signed then; the next change corrects them)."""
    url = f"{get_settings().google_wallet_api_url.rstrip('/')}/walletobjects/v1/loyaltyObject/"
    answer = _google(config, "PATCH", url + object_id(config, card.serial), change_body(card))
    if answer.status_code == 404:
        return "not_saved"
    if answer.status_code != 200:
        raise PushFailed(f"Google Wallet: {answer.status_code}")
    return "patched"


def _google(config: GoogleConfig, method: str, url: str, body: dict[str, Any]) -> Any:
    answer = _call(method, url, json=body, headers={"authorization": f"Bearer {google_access_token(config)}"})
    if answer.status_code == 401:  # revoked or expired early: one fresh token
        with _lock:
            _access_tokens.pop(config.service_account_email, None)
        answer = _call(method, url, json=body, headers={"authorization": f"Bearer {google_access_token(config)}"})
    return answer


def _call(method: str, url: str, **kwargs: Any) -> Any:
    try:
        return _client(None).request(method, url, **kwargs)
    except Exception as exc:  # httpx.HTTPError: transient
        raise PushFailed(f"{method} {url.split('?')[0]}: {type(exc).__name__}") from exc


# ------------------------------------------------------------------------------------------- clients
def _client(config: ApnsConfig | None) -> Any:
    """One HTTP/2 client per container (and per certificate, for APNs certificate auth): connections are reused."""
    key = "" if config is None or config.token_auth else _digest(config.certificate_pem)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _new_client(None if config is None or config.token_auth else config)
        return client


def _new_client(certificate: ApnsConfig | None) -> Any:
    import ssl

    import httpx

    verify: Any = True
    if certificate is not None:
        verify = ssl.create_default_context()
        with tempfile.TemporaryDirectory() as folder:  # load_cert_chain reads files only
            pem = Path(folder) / "pass-type-id.pem"
            pem.write_text(certificate.certificate_pem.strip() + "\n" + certificate.certificate_key_pem.strip() + "\n")
            verify.load_cert_chain(str(pem))
    trace_httpx()
    return httpx.Client(http2=True, verify=verify, timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT))


def _reason(answer: Any) -> str:
    try:
        return str(answer.json().get("reason") or "")
    except ValueError:
        return ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reset() -> None:
    """Forget cached tokens and clients (tests, and a secret that changed)."""
    with _lock:
        _provider_tokens.clear()
        _access_tokens.clear()
        _clients.clear()
