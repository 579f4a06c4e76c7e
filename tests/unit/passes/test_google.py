"""The Google Wallet save link: an RS256 JWT Google can verify with the service account's public key."""

from datetime import UTC, datetime

import jwt

from passaparola.passes.config import GoogleConfig
from passaparola.passes.google import SAVE_URL, Card, save_url
from tests.unit.passes.keys import rsa_pair

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def config() -> GoogleConfig:
    private, _ = rsa_pair()
    part = {
        "issuer_id": "3388000000012345678",
        "class_suffix": "loyalty",
        "service_account_email": "wallet@shop.iam.gserviceaccount.com",
        "private_key_pem": private,
    }
    return GoogleConfig.model_validate(part)


def test_the_save_link_is_a_signed_jwt_of_the_loyalty_object() -> None:
    card = Card(serial="pp-abc123", customer_id="cust-1", balance=240, tier="Gold", name="Ada")
    url = save_url(config(), card, ["https://shop.example", "*"], NOW)
    assert url.startswith(SAVE_URL)
    _, public = rsa_pair()
    claims = jwt.decode(url[len(SAVE_URL) :], public, algorithms=["RS256"], audience="google")
    assert claims["iss"] == "wallet@shop.iam.gserviceaccount.com"
    assert claims["typ"] == "savetowallet"
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["origins"] == ["https://shop.example"]
    (obj,) = claims["payload"]["loyaltyObjects"]
    assert obj["id"] == "3388000000012345678.pp-abc123"
    assert obj["classId"] == "3388000000012345678.loyalty"
    assert obj["state"] == "ACTIVE"
    assert obj["accountId"] == "cust-1"
    assert obj["accountName"] == "Ada"
    assert obj["loyaltyPoints"]["balance"] == {"int": 240}
    assert obj["textModulesData"] == [{"id": "tier", "header": "Tier", "body": "Gold"}]
    assert obj["barcode"] == {"type": "QR_CODE", "value": "cust-1"}
