"""Every amount of money a campaign holds names its currency, wherever it sits in the campaign."""

import pytest
from pydantic import TypeAdapter, ValidationError

from passaparola.campaigns.models import CampaignCreate

_create = TypeAdapter(CampaignCreate)
CAPPED = {"type": "percent", "percent_off": 20, "amount_limit": 1000}


def _loyalty(reward):
    return {
        "name": "Club",
        "type": "loyalty",
        "earning_rules": [{"event": "order_paid", "points_per_unit": 1, "unit_amount": 100}],
        "rewards": [{"id": "r1", "name": "20% off", "cost": 100, "reward": reward}],
    }


def _referral(**fields):
    return {
        "name": "Friends",
        "type": "referral",
        "landing_url": "https://shop.example/",
        "referee_reward": {"type": "points", "points": 10},
        "referrer_reward": {"type": "points", "points": 10},
        **fields,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "type": "discount", "discount": CAPPED}, "rules.currency"),
        (_loyalty({"type": "coupon", "discount": CAPPED}), "rewards.0.reward.currency"),
        (_referral(conversion={"min_order_amount": 3000}), "conversion.currency"),
        (_referral(tiers=[{"referrals": 3, "reward": {"type": "coupon", "discount": CAPPED}}]), "tiers.0.reward"),
    ],
    ids=["discount cap", "loyalty catalogue coupon", "referral minimum", "referral tier coupon"],
)
def test_an_amount_without_its_currency_is_refused_where_it_sits(body, field):
    with pytest.raises(ValidationError) as caught:
        _create.validate_python(body)
    assert field in str(caught.value)


def test_the_same_with_their_currency_pass():
    _create.validate_python({"name": "x", "type": "discount", "discount": CAPPED, "rules": {"currency": "JPY"}})
    _create.validate_python(_loyalty({"type": "coupon", "discount": CAPPED, "currency": "EUR"}))
    _create.validate_python(_referral(conversion={"min_order_amount": 3000, "currency": "EUR"}))
    _create.validate_python({"name": "x", "type": "discount", "discount": {"type": "percent", "percent_off": 5}})
