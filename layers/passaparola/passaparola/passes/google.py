"""Google Wallet: the loyalty object of a member's card and the signed "save" link that adds it to a phone.

The link carries the whole object in an RS256 JWT signed with the shop's service account key, so saving needs
no call to Google from us; later changes PATCH the object (`passes.push.update_google_object`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SAVE_URL = "https://pay.google.com/gp/v/save/"
AUDIENCE = "google"
TYPE = "savetowallet"


@dataclass(frozen=True)
class GoogleConfig:
    """The `google` part of WalletPassSecret."""

    issuer_id: str
    class_suffix: str
    service_account_email: str
    private_key_pem: str

    @classmethod
    def from_secret(cls, part: Mapping[str, Any] | None) -> GoogleConfig | None:
        """None when the part is absent or incomplete: Google Wallet is off."""
        if not part:
            return None
        values = {name: str(part.get(name) or "") for name in cls.__dataclass_fields__}
        return cls(**values) if all(values.values()) else None

    @property
    def class_id(self) -> str:
        return f"{self.issuer_id}.{self.class_suffix}"

    def object_id(self, serial: str) -> str:
        return f"{self.issuer_id}.{serial}"


@dataclass(frozen=True)
class Card:
    """What a member's card shows, on either wallet."""

    serial: str
    customer_id: str
    balance: int
    tier: str | None = None
    name: str | None = None
    barcode: str | None = None  # default: the customer id


def loyalty_object(config: GoogleConfig, card: Card) -> dict[str, Any]:
    """The Google Wallet `LoyaltyObject` (REST shape) of a card: the same body saves and PATCHes it."""
    obj: dict[str, Any] = {
        "id": config.object_id(card.serial),
        "classId": config.class_id,
        "state": "ACTIVE",
        "accountId": card.customer_id,
        "accountName": card.name or card.customer_id,
        "loyaltyPoints": {"label": "Points", "balance": {"int": int(card.balance)}},
        "textModulesData": [{"id": "tier", "header": "Tier", "body": card.tier or "-"}],
        "barcode": {"type": "QR_CODE", "value": card.barcode or card.customer_id},
    }
    return obj


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
