"""Customer ids never name one of the engine's own partitions in a table keyed by customer id."""

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

import passaparola
from passaparola.coupons.models import RESERVED_CUSTOMER_IDS, CustomerIdStr, ProfileCustomerIdStr
from passaparola.data import models

CUSTOMER_KEYED = {
    model.__name__
    for model, table in models.every_model()
    if table in ("customers_table", "rewards_table") and model.__name__ != "MessageModel"
}
_ids = TypeAdapter(CustomerIdStr)
_profile_ids = TypeAdapter(ProfileCustomerIdStr)


def _literal_partitions() -> set[str]:
    """Every literal first key given to a customer-keyed model anywhere in the package (`Model("x", ...)`,
    `Model.get("x", ...)`), and every `f"name#..."` key of a segment change day."""
    found: set[str] = set()
    names = "|".join(sorted(CUSTOMER_KEYED))
    call = re.compile(rf"\b({names})(?:\.get)?\(\s*f?\"([^\"#{{]+)")
    for path in Path(passaparola.__file__).parent.rglob("*.py"):
        text = path.read_text()
        found |= {m.group(2) for m in call.finditer(text)}
        found |= set(re.findall(r"f\"(segchanges)#", text))
    return found


def test_every_partition_the_engine_writes_by_name_is_reserved():
    literals = _literal_partitions()
    assert {"segments", "config", "segchanges"} <= literals
    assert literals <= RESERVED_CUSTOMER_IDS


RESERVED_OR_COLLIDING = sorted(RESERVED_CUSTOMER_IDS) + [
    "SEGMENTS",
    "Config",
    "segchanges#2026-03-01",
    "a#b",
    "a\nb",
    "\x00",
    "",
]


@pytest.mark.parametrize("value", RESERVED_OR_COLLIDING + ["x" * 129])
def test_reserved_or_colliding_ids_are_refused_in_bodies(value):
    with pytest.raises(ValidationError):
        _ids.validate_python(value)


@pytest.mark.parametrize("value", RESERVED_OR_COLLIDING + ["with space", "auth0|abc"])
def test_profile_routes_keep_their_stricter_shape(value):
    with pytest.raises(ValidationError):
        _profile_ids.validate_python(value)


@pytest.mark.parametrize("value", ["c1", "segments2", "config.shop@example.com", "cus_01:ab+x-y", "x" * 128])
def test_ordinary_ids_pass(value):
    assert _ids.validate_python(value) == value
    assert _profile_ids.validate_python(value) == value


@pytest.mark.parametrize(
    "value", ["auth0|abc", "gid://shopify/Customer/1", "google-oauth2|1234", "Jean Dupont", "clienté/42", "ü" * 128]
)
def test_real_shops_ids_pass_in_bodies(value):
    """Orders, coupons, referrals and codes take whatever id the shop uses, as before the reserved names."""
    assert _ids.validate_python(value) == value


def test_the_body_models_take_those_ids():
    from passaparola.campaigns.models import CreateCodesRequest
    from passaparola.coupons.models import RedeemRequest, ValidateRequest
    from passaparola.referrals.models import CreateReferral, EventConversionRequest, OrderRequest, TrackRequest

    shop_id = "auth0|abc"
    order = {"id": "o1", "amount": 5000, "currency": "EUR"}
    ValidateRequest.model_validate({"code": "SPRING", "customer_id": shop_id, "order": order})
    RedeemRequest.model_validate({"code": "SPRING", "customer_id": shop_id, "order": order})
    OrderRequest.model_validate(order | {"customer_id": shop_id})
    CreateReferral.model_validate({"customer_id": shop_id, "campaign_id": "cmp_1"})
    TrackRequest.model_validate({"type": "signup", "ref": "r", "customer_id": shop_id})
    CreateCodesRequest.model_validate({"customer_id": shop_id})
    EventConversionRequest.model_validate({"id": "e1", "event": "subscription_started", "customer_id": shop_id})
