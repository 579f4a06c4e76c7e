"""Google Wallet: the loyalty object of a member's card and the signed "save" link that adds it to a phone.

The link carries the whole object in an RS256 JWT signed with the shop's service account key, so saving needs
no call to Google from us; later changes PATCH the object (`passes.push.update_google_object`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from passaparola.passes.config import GoogleConfig

SAVE_URL = "https://pay.google.com/gp/v/save/"
AUDIENCE = "google"
TYPE = "savetowallet"


def class_id(config: GoogleConfig) -> str:
    return f"{config.issuer_id}.{config.class_suffix}"


def object_id(config: GoogleConfig, serial: str) -> str:
    return f"{config.issuer_id}.{serial}"


@dataclass(frozen=True)
class Card:
    """What a member's card shows, on either wallet."""

    serial: str
    customer_id: str
    balance: int
    tier: str | None = None
    name: str | None = None
    barcode: str | None = None  # default: the customer id
    google: bool = True  # False: only what the Apple pass shows changed (pending points)
    apple: bool = True  # False: nothing to push to Apple devices (an erasure: they were unregistered)
    erased: bool = False  # the customer was erased: the Google object expires and loses the name


def loyalty_object(config: GoogleConfig, card: Card) -> dict[str, Any]:
    """The Google Wallet `LoyaltyObject` (REST shape) of a card: the same body saves and PATCHes it."""
    obj: dict[str, Any] = {
        "id": object_id(config, card.serial),
        "classId": class_id(config),
        "state": "ACTIVE",
        "accountId": card.customer_id,
        "accountName": card.name or card.customer_id,
        "loyaltyPoints": {"label": "Points", "balance": {"int": int(card.balance)}},
        "textModulesData": [{"id": "tier", "header": "Tier", "body": card.tier or "-"}],
        "barcode": {"type": "QR_CODE", "value": card.barcode or card.customer_id},
    }
    return obj


def change_body(card: Card) -> dict[str, Any]:
    """What a change PATCHes: only what moves (points, tier), so a PATCH of an object the customer never saved
    (404) sent nothing personal. An erasure expires the card and clears its name (null clears a field in a
    PATCH); the id and barcode are the customer id, which erasure keeps."""
    if card.erased:
        return {"state": "EXPIRED", "accountName": None}
    return {
        "state": "ACTIVE",
        "loyaltyPoints": {"label": "Points", "balance": {"int": int(card.balance)}},
        "textModulesData": [{"id": "tier", "header": "Tier", "body": card.tier or "-"}],
    }


def save_jwt(config: GoogleConfig, card: Card, origins: list[str], now: datetime) -> str:
    """The signed JWT of the save link (claims per Google's "Add to Google Wallet" JWT reference)."""
    import jwt

    claims = {
        "iss": config.service_account_email,
        "aud": AUDIENCE,
        "typ": TYPE,
        "iat": int(now.timestamp()),
        "origins": [o for o in origins if o != "*"],
        "payload": {"loyaltyObjects": [loyalty_object(config, card)]},
    }
    return jwt.encode(claims, config.private_key_pem, algorithm="RS256")


def save_url(config: GoogleConfig, card: Card, origins: list[str], now: datetime) -> str:
    return SAVE_URL + save_jwt(config, card, origins, now)


def save_link(customer_id: str, base_url: str, token_epoch: int | None = None) -> str:
    """The member's "Add to Google Wallet" link, issuing the pass (the same serial as the Apple pass) at the first
    call; from then on a change of balance or tier PATCHes the object (a 404 there means the customer never saved
    the card: nothing is created). 501 without the `google` part, 404 for a customer who is not a loyalty member."""
    from passaparola import clock
    from passaparola.data import customers as customer_store
    from passaparola.data import passes as store
    from passaparola.errors import NotFound
    from passaparola.loyalty import service as loyalty
    from passaparola.passes import config, service
    from passaparola.settings import get_settings

    settings = config.google()
    wallet = loyalty.wallet(customer_id, base_url, token_epoch=token_epoch)
    if not wallet.member:
        raise NotFound("This customer is not a loyalty member.", {"customer_id": customer_id})
    now = clock.now()
    item = store.issue_pass(customer_id, service.serial_of(customer_id), now)
    if item.google_object_id != object_id(settings, item.serial):
        store.set_google_object(item.serial, object_id(settings, item.serial))
    record = customer_store.read(customer_id)
    card = Card(
        serial=item.serial,
        customer_id=customer_id,
        balance=wallet.points.balance,
        tier=wallet.tier.name,
        name=record.name if record else None,
    )
    return save_url(settings, card, get_settings().origins, now)
