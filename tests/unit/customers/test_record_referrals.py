"""A refunded referral leaves segments: the referrer's converted count goes down with a voided conversion,
and `ambassadors` / `top_referrers` follow it (the change's exits are what the segment feed records)."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from passaparola.customers.models import EngagementConfig
from passaparola.customers.record import Change

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
CONFIG = EngagementConfig()


def referrer(converted: int) -> Change:
    change = Change("cus_anna", None, NOW, None, CONFIG, [])
    for _ in range(converted):
        change.referral_converted(NOW)
    return change


def test_the_last_voided_referral_leaves_ambassadors() -> None:
    change = referrer(1)
    assert "ambassadors" in change.segments_after()
    change.referral_voided()
    assert change.referrals_converted == 0
    assert "ambassadors" not in change.segments_after()


@given(st.integers(0, 30), st.integers(0, 30))
def test_segments_follow_the_net_count(converted: int, voided: int) -> None:
    voided = min(voided, converted)
    change = referrer(converted)
    for _ in range(voided):
        change.referral_voided()
    net = converted - voided
    segments = change.segments_after()
    assert change.referrals_converted == net
    assert ("ambassadors" in segments) == (net >= 1)
    assert ("top_referrers" in segments) == (net >= CONFIG.top_referrer_min)
