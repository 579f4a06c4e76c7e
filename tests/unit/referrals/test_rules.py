"""The conversion decision, as a specification: blocks, flags, and what converts."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.campaigns.models import ReferralCampaign
from passaparola.referrals import rules
from passaparola.referrals.identity import fingerprints, normalize_email
from passaparola.referrals.rules import Counts, Friend, Referrer, decide

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def program(**overrides: Any) -> ReferralCampaign:
    body: dict[str, Any] = {
        "id": "cmp_x",
        "name": "Friends",
        "enabled": True,
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "landing_url": "https://shop.example/",
        "referee_reward": {"type": "points", "points": 100},
        "referrer_reward": {"type": "points", "points": 200},
        "conversion": {"event": "first_order", "min_order_amount": 3000},
        "limits": {"max_rewarded_per_referrer": 2, "period_days": 30},
    }
    return ReferralCampaign.model_validate(body | overrides)


ANNA = Referrer(customer_id="anna", code="ANNA-X", email_hash="h-anna", fingerprints=frozenset({"ip:1"}))


def friend(**overrides: Any) -> Friend:
    fields: dict[str, Any] = {
        "customer_id": "bob",
        "email_hash": "h-bob",
        "email_domain": "example.com",
        "earlier_orders": 0,
        "referred_by": None,
        "fingerprints": frozenset({"ip:2"}),
    }
    return Friend(**(fields | overrides))


def judge(
    p: ReferralCampaign | None = None, f: Friend | None = None, amount: int = 5000, **counts: int
) -> rules.Decision:
    return decide(p or program(), ANNA, f or friend(), "first_order", amount, "EUR", Counts(**counts))


def test_a_new_friend_above_the_minimum_converts() -> None:
    assert judge() == rules.Decision("converted", [])


@pytest.mark.parametrize(
    ("f", "reason"),
    [
        (friend(customer_id="anna"), "self_referral"),
        (friend(email_hash="h-anna"), "self_referral"),
        (friend(earlier_orders=1), "not_first_order"),
        (friend(referred_by="OTHER-1"), "already_referred"),
    ],
)
def test_blocks(f: Friend, reason: str) -> None:
    decision = judge(f=f)
    assert decision.status == "blocked" and reason in decision.reasons


def test_below_the_minimum_or_in_another_currency_is_blocked() -> None:
    assert judge(amount=2999).reasons == ["below_minimum"]
    assert judge(amount=3000).status == "converted"
    euro_only = program(conversion={"event": "first_order", "min_order_amount": 3000, "currency": "EUR"})
    assert decide(euro_only, ANNA, friend(), "first_order", 9000, "USD", Counts()).reasons == ["below_minimum"]


def test_a_switched_off_program_converts_nothing() -> None:
    assert judge(p=program(enabled=False)).reasons == ["campaign_disabled"]


@pytest.mark.parametrize(
    ("f", "counts", "reason"),
    [
        (friend(fingerprints=frozenset({"ip:1"})), {}, "same_ip_as_referrer"),
        (friend(), {"from_ip_today": 3}, "ip_reused"),
        (friend(email_domain="mailinator.com"), {}, "disposable_email"),
        (friend(email_domain="eu.mailinator.com"), {}, "disposable_email"),
        (friend(), {"this_hour": 5}, "velocity"),
        (friend(), {"in_period": 2}, "referrer_cap_reached"),
    ],
)
def test_flags_hold_the_reward_for_review(f: Friend, counts: dict[str, int], reason: str) -> None:
    decision = judge(f=f, **counts)
    assert decision.status == "flagged" and decision.reasons == [reason] and decision.pays


def test_limits_just_below_the_thresholds_do_not_flag() -> None:
    assert judge(from_ip_today=2, this_hour=4, in_period=1).status == "converted"


def test_a_custom_event_program_only_attributes_orders() -> None:
    p = program(conversion={"event": "subscription_started"})
    assert decide(p, ANNA, friend(), "first_order", 5000, "EUR", Counts()).status == "attributed"
    assert decide(p, ANNA, friend(earlier_orders=3), "subscription_started", 0, "EUR", Counts()).status == "converted"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Anna.Rossi+promo@GMail.com", "annarossi@gmail.com"),
        ("a.n.n.a@googlemail.com", "anna@gmail.com"),
        ("anna+x@outlook.com", "anna@outlook.com"),
        ("anna.rossi+x@example.com", "anna.rossi+x@example.com"),
    ],
)
def test_emails_are_normalised_to_the_mailbox_they_reach(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


def test_fingerprints_never_hold_the_raw_ip() -> None:
    prints = fingerprints("203.0.113.9", "Mozilla/5.0")
    assert len(prints) == 2 and not any("203.0.113.9" in p for p in prints)
    assert fingerprints(None, "Mozilla/5.0") == set()


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=365))
def test_a_touch_counts_only_inside_the_window(days_before: int, window: int) -> None:
    touched = NOW - timedelta(days=days_before)
    assert rules.in_window(touched, NOW, timedelta(days=window)) == (days_before <= window)


def test_conversions_count_on_three_leaderboards() -> None:
    assert rules.boards(NOW) == ["all", "2026", "2026-11"]


def test_a_touch_only_a_browser_reported_is_held_for_review() -> None:
    decision = decide(program(), ANNA, friend(), "first_order", 5000, "EUR", Counts(), touch_verified=False)
    assert decision.status == "flagged" and decision.reasons == ["unverified_touch"]
