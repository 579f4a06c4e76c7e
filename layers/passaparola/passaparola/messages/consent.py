"""Double opt-in: the confirmation link sent when a browser gives consent, and what confirming it does.

Anyone can type anyone's email into a storefront form, so consent given with only the publishable key is recorded
`confirmed: false` and counts (segments, messages) only once the person clicks the link sent to that address. The
link is signed with the unsubscribe secret under its own label (an unsubscribe token can never pass for a
confirmation or the other way round) and is valid 7 days. A link confirms only the channel it was delivered by, and
only while the customer's address on that channel is still the one it was sent to (the keyed hash of the address is
in the signed payload): an email link never vouches for a phone number typed beside it, which gets its own SMS link.
The messages go through the outbox like every message: written in the enrollment's own transaction, delivered by the
sender; at most one round per customer per 24 h.
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
from passaparola.messages import pages, rules
from passaparola.messages.models import CHANNELS, Channel, Message
from passaparola.observability import logger
from passaparola.referrals.identity import keyed_hash

PURPOSE = Purpose.UNSUBSCRIBE
LABEL = b"passaparola consent-confirm v1\n"
"""Signed payloads start with this label: the unsubscribe key signs both, never interchangeably."""
VALIDITY = timedelta(days=7)
RESEND_AFTER = timedelta(hours=24)
TRIGGER = "consent_confirm"


@dataclass(frozen=True)
class Claims:
    customer_id: str
    channel: Channel
    address_hash: str


def address_hash(channel: Channel, address: str) -> str:
    """Keyed: the payload is readable, and an address must not be guessable from it."""
    return keyed_hash(f"consent-confirm:{channel}:{address}")[:32]


def token(customer_id: str, channel: Channel, address: str, now: datetime) -> str:
    expires = int((now + VALIDITY).timestamp())
    claims = {"cid": customer_id, "ch": channel, "to": address_hash(channel, address), "exp": expires}
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(keyring.sign(PURPOSE, LABEL + payload))}"


def url(base_url: str, customer_id: str, channel: Channel, address: str, now: datetime) -> str:
    query = urlencode({"token": token(customer_id, channel, address, now)})
    return f"{base_url.rstrip('/')}/v1/consent/confirm?{query}"


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
    if not isinstance(claims, dict):
        raise invalid
    customer_id, channel, hashed, expires = (claims.get(k) for k in ("cid", "ch", "to", "exp"))
    if (
        not isinstance(customer_id, str)
        or channel not in CHANNELS
        or not isinstance(hashed, str)
        or not isinstance(expires, int)
    ):
        raise invalid
    if expires <= int(now.timestamp()):
        raise TokenExpired("This confirmation link has expired; join again to get a new one.")
    return Claims(customer_id=customer_id, channel=channel, address_hash=hashed)


def pending(consent: dict[str, Any]) -> list[Channel]:
    """Channels granted in a browser and not confirmed yet."""
    return [c for c in CHANNELS if (e := consent.get(c)) and e.get("granted") and e.get("confirmed") is False]


def request(change: Change, tx: Transaction, base_url: str) -> list[str]:
    """Queue, in the caller's transaction, one confirmation per pending channel that has an address — the email
    link to the email, the SMS link to the phone — each confirming only its own channel; the message ids (none:
    nothing pending, no address, or a round was sent in the last 24 h)."""
    consent = json.loads(change.value("consent") or "{}")
    addresses: dict[Channel, str | None] = {"email": change.value("email"), "sms": change.value("phone")}
    channels = [c for c in pending(consent) if addresses[c]]
    last = parse(change.value("consent_requested_at"))
    if not channels or (last is not None and change.now - last < RESEND_AFTER):
        return []
    ids = [_queue(change, tx, base_url, channel, str(addresses[channel])) for channel in channels]
    change.put("consent_requested_at", iso(change.now))
    change.effects.after_commit.append(lambda: _enqueue(ids))
    return ids


def _queue(change: Change, tx: Transaction, base_url: str, channel: Channel, to: str) -> str:
    now = change.now
    locale = i18n.language(change.value("locale"))
    link = url(base_url, change.customer_id, channel, to, now)
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
        id=rules.message_id(TRIGGER, change.customer_id, f"{iso(now)}#{channel}"),
        campaign_id="",
        customer_id=change.customer_id,
        trigger=TRIGGER,
        occasion=f"consent:{iso(now)}",
        reason="Double opt-in: confirm the consent given in the storefront.",
        channel=channel,
        locale=locale,
        to=to,
        subject=subject,
        body=body,
        status="queued",
        created_at=now,
        updated_at=now,
    )
    store.put_confirmation(tx, message, text)
    return message.id


def _enqueue(message_ids: list[str]) -> None:
    try:
        queues.send_messages(message_ids)
    except Exception:  # the watch job re-sends what the outbox still holds
        logger.exception("enqueue failed; the outbox keeps the message", extra={"message_ids": message_ids})


def confirm(
    consent: dict[str, Any], claims: Claims, address: str | None, now: datetime
) -> tuple[dict[str, Any], list[Channel]]:
    """Consent after a click: the link's own channel, still granted and still at the address the link was sent to,
    becomes confirmed (withdrawn consent stays withdrawn; a changed address confirms nothing); the channels whose
    consent now counts, of the one the link names."""
    channel = claims.channel
    entry = consent.get(channel)
    if not entry or not entry.get("granted") or not address or address_hash(channel, address) != claims.address_hash:
        return consent, []
    if entry.get("confirmed") is False:
        consent[channel] = entry | {"confirmed": True, "confirmed_at": iso(now)}
    return consent, [channel]


CSP = pages.CSP


def prompt_page(value: str, locale: str | None) -> str:
    """What the link opens: a button that confirms (a POST), so that a mail scanner fetching the link confirms
    nothing."""
    lang = i18n.language(locale)
    action = html.escape("?" + urlencode({"token": value}), quote=True)
    button = html.escape(i18n.text("confirm_button", lang))
    form = f"<form method='post' action='{action}'><button type='submit'>{button}</button></form>"
    ask = html.escape(i18n.text("confirm_ask", lang))
    return pages.page_html(lang, i18n.text("confirm_subject", lang), f"<p>{ask}</p>{form}")


def page(confirmed: bool, locale: str | None) -> str:
    """The page a person sees after confirming, in their language."""
    lang = i18n.language(locale)
    title = i18n.text("confirm_title" if confirmed else "confirm_nothing", lang)
    said = html.escape(i18n.text("confirm_done" if confirmed else "confirm_nothing", lang))
    return pages.page_html(lang, title, f"<p>{said}</p>")


def error_page(expired: bool, locale: str | None) -> str:
    """A bad or expired link opened in a browser: words, not the API's JSON."""
    lang = i18n.language(locale)
    said = i18n.text("confirm_expired" if expired else "confirm_invalid", lang)
    return pages.page_html(lang, said, "")
