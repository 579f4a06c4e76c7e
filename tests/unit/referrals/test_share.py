"""Share links and texts: what a referrer sends."""

from collections import Counter
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from passaparola.campaigns.models import ReferralCampaign
from passaparola.errors import InvalidRequest
from passaparola.referrals import share
from passaparola.referrals.identity import new_referral_code
from passaparola.referrals.models import CreditReward, ShareTemplates

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def program(**overrides: Any) -> ReferralCampaign:
    body: dict[str, Any] = {
        "id": "cmp_x",
        "name": "Friends",
        "enabled": True,
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "landing_url": "https://shop.example/spring?lang=it&ref=OLD",
        "shop_name": "Bottega",
        "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
        "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    }
    return ReferralCampaign.model_validate(body | overrides)


def test_the_landing_url_keeps_its_query_and_gains_ref_and_utm() -> None:
    query = parse_qs(urlsplit(share.landing(program(), "ANNA-7K2M9X")).query)
    assert query["ref"] == ["ANNA-7K2M9X"] and query["lang"] == ["it"]
    assert query["utm_source"] == ["referral"] and query["utm_campaign"] == ["cmp_x"]


def test_share_texts_carry_the_name_the_link_and_the_rewards() -> None:
    texts = share.texts(program(), None, "Anna", "https://api.example/r/ANNA-7K2M9X")
    assert texts.email_subject == "Anna invites you to Bottega"
    assert "5.00 EUR off" in texts.email_body and "https://api.example/r/ANNA-7K2M9X" in texts.social_text


def test_a_template_that_cannot_render_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        share.check_templates(ShareTemplates(email_subject="{{ name ", email_body="x", social_text="y"))
    with pytest.raises(InvalidRequest):
        share.check_templates(ShareTemplates(email_subject="{{ unknown_name }}", email_body="x", social_text="y"))


def test_variants_are_deterministic_and_follow_their_weights() -> None:
    p = program(variants=[{"name": "A", "weight": 3}, {"name": "B", "weight": 1}])
    picks = Counter(share.assign_variant(p, f"customer-{i}") for i in range(4000))
    assert share.assign_variant(p, "customer-1") == share.assign_variant(p, "customer-1")
    assert 0.70 < picks["A"] / 4000 < 0.80 and picks["A"] + picks["B"] == 4000
    assert share.assign_variant(program(), "anyone") is None


def test_referral_codes_are_readable_and_random() -> None:
    code = new_referral_code("Ánna Rossi")
    assert code.startswith("ANNA-") and len(code) == 11
    assert len({new_referral_code(None) for _ in range(1000)}) == 1000


def test_amounts_follow_their_currencys_minor_units() -> None:
    """Amounts are minor units: ¥1000 is 1000 JPY, 1500 KWD fils are 1.500 KWD, not everything divided by 100."""
    assert share.money(1000, "JPY") == "1000 JPY"
    assert share.money(1500, "KWD") == "1.500 KWD"
    assert share.money(1000, "EUR") == "10.00 EUR"
    assert share.money(1000, "EUR", "it") == "10,00 EUR"
    assert share.money(1000, "HRK") == "10.00 HRK"  # a code no longer in the list: two decimals, as before
    credit = CreditReward(type="credit", amount=1000, currency="JPY")
    assert "1000 JPY" in share.describe(credit)
