"""Double opt-in: the confirmation link sent when a browser gives consent, and what confirming it does.

Anyone can type anyone's email into a storefront form, so consent given with only the publishable key is recorded
`confirmed: false` and counts (segments, messages) only once the person clicks the link sent to that address. The
link is signed with the unsubscribe secret under its own label (an unsubscribe token can never pass for a
confirmation or the other way round) and is valid 7 days. The message goes through the outbox like every message:
written in the enrollment's own transaction, delivered by the sender; at most one per customer per 24 h.
"""

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from passaparola import i18n, keyring
from passaparola.clock import iso
from passaparola.customers.record import Change, parse
from passaparola.data import messages as store
from passaparola.data import queues
from passaparola.data.transactions import Transaction
from passaparola.errors import InvalidToken, TokenExpired
from passaparola.keyring import Purpose
from passaparola.loyalty.tokens import _b64, _unb64
from passaparola.messages import rules
from passaparola.messages.models import CHANNELS, Channel, Message
from passaparola.observability import logger

PURPOSE = Purpose.UNSUBSCRIBE
LABEL = b"passaparola consent-confirm v1\n"
"""Signed payloads start with this label: the unsubscribe key signs both, never interchangeably."""
VALIDITY = timedelta(days=7)
RESEND_AFTER = timedelta(hours=24)
TRIGGER = "consent_confirm"


@dataclass(frozen=True)
class Claims:
    customer_id: str
    channels: tuple[Channel, ...]


def token(customer_id: str, channels: list[Channel], now: datetime) -> str:
    expires = int((now + VALIDITY).timestamp())
    payload = json.dumps({"cid": customer_id, "ch": channels, "exp": expires}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(keyring.sign(PURPOSE, LABEL + payload))}"


def url(base_url: str, customer_id: str, channels: list[Channel], now: datetime) -> str:
    return f"{base_url.rstrip('/')}/v1/consent/confirm?{urlencode({'token': token(customer_id, channels, now)})}"


def verify(value: str, now: datetime) -> Claims:
    invalid = InvalidToken("This confirmation link is malformed or its signature is wrong.")
    try:
        head, sig = value.strip().split(".")
        payload, signature = _unb64(head), _unb64(sig)
    except (ValueError, TypeError) as exc:
        raise invalid from exc
    if not keyring.verify(PURPOSE, LABEL + payload, signature):
        raise invalid
    try:
        claims: Any = json.loads(payload)
    except ValueError as exc:
        raise invalid from exc
    customer_id = claims.get("cid") if isinstance(claims, dict) else None
    channels = claims.get("ch") if isinstance(claims, dict) else None
    expires = claims.get("exp") if isinstance(claims, dict) else None
    if (
        not isinstance(customer_id, str)
        or not isinstance(channels, list)
        or not all(c in CHANNELS for c in channels)
        or not isinstance(expires, int)
    ):
        raise invalid
    if expires <= int(now.timestamp()):
        raise TokenExpired("This confirmation link has expired; join again to get a new one.")
    return Claims(customer_id=customer_id, channels=tuple(channels))


def pending(consent: dict[str, Any]) -> list[Channel]:
    """Channels granted in a browser and not confirmed yet."""
    return [c for c in CHANNELS if (e := consent.get(c)) and e.get("granted") and e.get("confirmed") is False]


def request(change: Change, tx: Transaction, base_url: str) -> str | None:
    """Queue the confirmation of the customer's pending consent in the caller's transaction (email, else SMS to a
    phone-only customer); the message id, or None: nothing pending, no address, or one was sent in the last 24 h."""
    consent = json.loads(change.value("consent") or "{}")
    channels = pending(consent)
    email, phone = change.value("email"), change.value("phone")
    last = parse(change.value("consent_requested_at"))
    if not channels or not (email or phone) or (last is not None and change.now - last < RESEND_AFTER):
        return None
    now = change.now
    channel: Channel = "email" if email else "sms"
    locale = i18n.language(change.value("locale"))
    link = url(base_url, change.customer_id, channels, now)
    if channel == "email":
        subject = i18n.text("confirm_subject", locale)
        text = i18n.text("confirm_body", locale, link=link)
        parts = i18n.text("confirm_body", locale, link="\0").split("\n\n")
        paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in parts)
        anchor = f"<a href='{html.escape(link, quote=True)}'>{html.escape(link)}</a>"
        body = paragraphs.replace("\0", anchor)
    else:
        subject, text, body = None, None, i18n.text("confirm_sms", locale, link=link)
    message = Message(
        id=rules.message_id(TRIGGER, change.customer_id, iso(now)),
        campaign_id="",
        customer_id=change.customer_id,
        trigger=TRIGGER,
        occasion=f"consent:{iso(now)}",
        reason="Double opt-in: confirm the consent given in the storefront.",
        channel=channel,
        locale=locale,
        to=email if channel == "email" else phone,
        subject=subject,
        body=body,
        status="queued",
        created_at=now,
        updated_at=now,
    )
    store.put_confirmation(tx, message, text)
    change.put("consent_requested_at", iso(now))
    change.effects.after_commit.append(lambda: _enqueue(message.id))
    return message.id


def _enqueue(message_id: str) -> None:
    try:
        queues.send_messages([message_id])
    except Exception:  # the watch job re-sends what the outbox still holds
        logger.exception("enqueue failed; the outbox keeps the message", extra={"message_id": message_id})


def confirm(
    consent: dict[str, Any], channels: tuple[Channel, ...], now: datetime
) -> tuple[dict[str, Any], list[Channel]]:
    """Consent after a click: the link's channels still granted become confirmed (withdrawn ones stay withdrawn);
    the channels whose consent now counts, of those the link names."""
    done: list[Channel] = []
    for channel in channels:
        entry = consent.get(channel)
        if not entry or not entry.get("granted"):
            continue
        if entry.get("confirmed") is False:
            consent[channel] = entry | {"confirmed": True, "confirmed_at": iso(now)}
        done.append(channel)
    return consent, done


def page(confirmed: bool, locale: str | None) -> str:
    """The page a person sees after clicking the link, in their language."""
    lang = i18n.language(locale)
    title = html.escape(i18n.text("confirm_title" if confirmed else "confirm_nothing", lang))
    said = html.escape(i18n.text("confirm_done" if confirmed else "confirm_nothing", lang))
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title></head><body><h1>{title}</h1><p>{said}</p></body></html>"
    )
