"""Engagement score and segment membership, as a specification (docs/loyalty.md)."""

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.customers.models import Basket, Condition, EngagementConfig, SegmentCreate
from passaparola.customers.rules import (
    BUILT_IN,
    CustomerState,
    add_signal,
    basket,
    built_in_segments,
    decayed,
    diff,
    matches,
    segments,
    signal_weight,
    timers,
)

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)
CONFIG = EngagementConfig()


def state(**fields: Any) -> CustomerState:
    return CustomerState(now=NOW, **fields)


def eur(*amounts: int) -> tuple[tuple[int, str], ...]:
    return tuple((amount, "EUR") for amount in amounts)


# ------------------------------------------------------------------------------------------ built-ins


def test_built_in_names_in_documented_order_with_descriptions() -> None:
    assert list(BUILT_IN) == [
        "new_customers",
        "lapsed_180d",
        "basket_declining",
        "ambassadors",
        "future_ambassadors",
        "opportunists",
        "top_referrers",
    ]
    assert all(description.strip() and "\n" not in description for description in BUILT_IN.values())


# -------------------------------------------------------------------------------------------- decay


def test_decay_halves_at_exactly_one_half_life() -> None:
    assert decayed(10.0, NOW - 90 * DAY, NOW, 90) == 5.0
    assert decayed(10.0, NOW - 180 * DAY, NOW, 90) == 2.5
    assert decayed(8.0, NOW - 7 * DAY, NOW, 7) == 4.0


def test_decay_without_time_or_reference_keeps_the_score() -> None:
    assert decayed(10.0, NOW, NOW, 90) == 10.0
    assert decayed(10.0, None, NOW, 90) == 10.0


def test_decay_never_increases_when_now_is_before_the_reference() -> None:
    assert decayed(10.0, NOW + 30 * DAY, NOW, 90) == 10.0


def test_decay_is_continuous_between_half_lives() -> None:
    assert decayed(16.0, NOW - 45 * DAY, NOW, 90) == pytest.approx(16 / math.sqrt(2))
    assert decayed(16.0, NOW - 12 * timedelta(hours=1), NOW, 1) == pytest.approx(16 / math.sqrt(2))


def test_add_signal_first_signal_sets_the_reference() -> None:
    assert add_signal(0.0, None, NOW, 10.0, 90) == (10.0, NOW)


def test_add_signal_decays_the_stored_score_to_the_new_signal() -> None:
    score, at = add_signal(10.0, NOW - 90 * DAY, NOW, 3.0, 90)
    assert (score, at) == (8.0, NOW)


def test_backdated_signal_counts_less_and_keeps_the_reference() -> None:
    score, at = add_signal(10.0, NOW, NOW - 90 * DAY, 4.0, 90)
    assert at == NOW
    assert score == 12.0


def test_backdated_signal_counts_as_if_it_had_arrived_on_time() -> None:
    late = add_signal(*add_signal(0.0, None, NOW, 10.0, 90), NOW - 30 * DAY, 6.0, 90)
    on_time = add_signal(*add_signal(0.0, None, NOW - 30 * DAY, 6.0, 90), NOW, 10.0, 90)
    assert late[1] == on_time[1] == NOW
    assert late[0] == pytest.approx(on_time[0])
    assert late[0] == pytest.approx(10 + 6 * 0.5 ** (30 / 90))


events = st.lists(
    st.tuples(st.integers(min_value=0, max_value=3 * 365 * 86400), st.floats(min_value=0, max_value=1000)),
    min_size=1,
    max_size=12,
)


@given(events=events, order=st.randoms(use_true_random=False), half_life=st.integers(min_value=1, max_value=3650))
def test_signals_in_any_order_give_the_same_score(events: list[tuple[int, float]], order: Any, half_life: int) -> None:
    start = NOW - timedelta(days=3 * 365)
    shuffled = list(events)
    order.shuffle(shuffled)
    later = NOW + 10 * DAY

    def final(sequence: list[tuple[int, float]]) -> float:
        score, at = 0.0, None
        for seconds, weight in sequence:
            score, at = add_signal(score, at, start + timedelta(seconds=seconds), weight, half_life)
        assert at == start + timedelta(seconds=max(seconds for seconds, _ in sequence))
        return decayed(score, at, later, half_life)

    expected = sum(
        weight * 0.5 ** ((later - start - timedelta(seconds=seconds)).total_seconds() / 86400 / half_life)
        for seconds, weight in events
    )
    assert math.isclose(final(events), final(shuffled), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(final(events), expected, rel_tol=1e-9, abs_tol=1e-9)


# ------------------------------------------------------------------------------------------- weights


@pytest.mark.parametrize(
    ("signal", "expected"),
    [
        ("order", 10.0),
        ("email_opened", 1.0),
        ("email_clicked", 2.0),
        ("social_follow", 5.0),
        ("social_share", 6.0),
        ("profile_completed", 3.0),
        ("referral", 15.0),
        ("loyalty_enrolled", 5.0),
        ("custom", 1.0),
        ("something_new", 1.0),
    ],
)
def test_default_weights(signal: str, expected: float) -> None:
    assert signal_weight(CONFIG, signal) == expected


def test_unknown_signal_weighs_as_custom_or_nothing() -> None:
    assert signal_weight(EngagementConfig(weights={"custom": 4.0}), "order") == 4.0
    assert signal_weight(EngagementConfig(weights={"order": 7.0}), "mystery") == 0.0
    assert signal_weight(EngagementConfig(weights={"order": 7.0}), "order") == 7.0


@pytest.mark.parametrize(("score", "expected"), [(10, 5.0), (0, 0.0), (7, 3.5), (None, 0.0), (11, 5.0), (-1, 0.0)])
def test_nps_counts_weight_times_score_over_ten(score: int | None, expected: float) -> None:
    assert signal_weight(CONFIG, "nps_answer", score=score) == pytest.approx(expected)


@pytest.mark.parametrize(("rating", "expected"), [(5, 8.0), (1, 1.6), (3, 4.8), (None, 0.0), (6, 8.0)])
def test_review_counts_weight_times_rating_over_five(rating: int | None, expected: float) -> None:
    assert signal_weight(CONFIG, "review", rating=rating) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("duration", "expected"), [(300, 1.0), (600, 1.0), (150, 0.5), (0, 0.0), (30, 0.1), (None, 0.5), (-5, 0.0)]
)
def test_site_visit_counts_up_to_five_minutes_and_half_without_duration(duration: int | None, expected: float) -> None:
    assert signal_weight(CONFIG, "site_visit", duration_seconds=duration) == pytest.approx(expected)
    heavy = EngagementConfig(weights={"site_visit": 4.0})
    assert signal_weight(heavy, "site_visit", duration_seconds=duration) == pytest.approx(4 * expected)


def test_modifiers_apply_only_to_their_signal() -> None:
    assert signal_weight(CONFIG, "order", score=1, rating=1, duration_seconds=1) == 10.0


# -------------------------------------------------------------------------------------------- basket


def test_no_orders_no_basket() -> None:
    assert basket(()) is None


def test_one_to_three_orders_have_an_unknown_trend() -> None:
    assert basket(eur(1000)) == Basket(average=1000, currency="EUR", trend="unknown", change_percent=None)
    assert basket(eur(1000, 10)) == Basket(average=505, currency="EUR", trend="unknown", change_percent=None)
    assert basket(eur(1000, 500, 10)) == Basket(average=503, currency="EUR", trend="unknown", change_percent=None)


def test_average_is_floored() -> None:
    assert basket(eur(1, 2)) == Basket(average=1, currency="EUR", trend="unknown")
    assert basket(eur(10, 10, 11)) is not None and basket(eur(10, 10, 11)).average == 10  # type: ignore[union-attr]


def test_four_orders_compare_two_and_two() -> None:
    assert basket(eur(100, 100, 80, 80)) == Basket(average=90, currency="EUR", trend="declining", change_percent=-20.0)
    assert basket(eur(100, 80, 100, 80)) == Basket(average=90, currency="EUR", trend="flat", change_percent=0.0)


def test_odd_count_leaves_the_middle_order_out() -> None:
    assert basket(eur(100, 100, 9999, 80, 80)) == Basket(
        average=2071, currency="EUR", trend="declining", change_percent=-20.0
    )
    assert basket(eur(100, 100, 0, 80, 80)).change_percent == -20.0  # type: ignore[union-attr]


def test_six_orders_compare_three_and_three() -> None:
    # earlier 100, 200, 300 -> 200; recent 300, 300, 300 -> 300
    assert basket(eur(100, 200, 300, 300, 300, 300)) == Basket(
        average=250, currency="EUR", trend="rising", change_percent=50.0
    )


def test_only_the_last_six_orders_count() -> None:
    assert basket(eur(1_000_000, 100, 200, 300, 300, 300, 300)) == basket(eur(100, 200, 300, 300, 300, 300))


@pytest.mark.parametrize(
    ("amounts", "change", "trend"),
    [
        ((100, 100, 95, 95), -5.0, "declining"),
        ((1000, 1000, 951, 951), -4.9, "flat"),
        ((1000, 1000, 951, 950), -5.0, "declining"),  # -4.95 rounds to -5.0: shown and decided agree
        ((1000, 1000, 952, 951), -4.9, "flat"),  # -4.85 rounds (half away from zero) to -4.9
        ((100, 100, 105, 105), 5.0, "rising"),
        ((1000, 1000, 1049, 1049), 4.9, "flat"),
        ((1000, 1000, 1049, 1050), 5.0, "rising"),  # 4.95
        ((300, 300, 100, 100), -66.7, "declining"),
        ((300, 300, 200, 200), -33.3, "declining"),
    ],
)
def test_trend_thresholds_and_rounding(amounts: tuple[int, ...], change: float, trend: str) -> None:
    found = basket(eur(*amounts))
    assert found is not None
    assert (found.change_percent, found.trend) == (change, trend)


def test_earlier_mean_zero_is_unknown() -> None:
    assert basket(eur(0, 0, 10, 10)) == Basket(average=5, currency="EUR", trend="unknown", change_percent=None)


def test_only_the_latest_orders_currency_counts() -> None:
    mixed = ((100, "EUR"), (99999, "USD"), (100, "EUR"), (100, "EUR"), (50, "EUR"))
    assert basket(mixed) == Basket(average=87, currency="EUR", trend="declining", change_percent=-25.0)
    assert basket((*mixed, (500, "USD"))) == Basket(average=50249, currency="USD", trend="unknown", change_percent=None)


def test_fewer_than_four_in_the_latest_currency_is_unknown() -> None:
    mixed = ((100, "USD"), (100, "EUR"), (100, "EUR"), (1, "EUR"), (1, "USD"), (1, "USD"))
    assert basket(mixed) == Basket(average=34, currency="USD", trend="unknown", change_percent=None)


# ----------------------------------------------------------------------------------- built-in segments


def test_new_customer_until_exactly_new_customer_days() -> None:
    assert "new_customers" in built_in_segments(state(signed_up_at=NOW), CONFIG)
    assert "new_customers" in built_in_segments(state(signed_up_at=NOW - 30 * DAY + TICK), CONFIG)
    assert "new_customers" not in built_in_segments(state(signed_up_at=NOW - 30 * DAY), CONFIG)
    assert "new_customers" not in built_in_segments(state(signed_up_at=NOW - 31 * DAY), CONFIG)
    shorter = EngagementConfig(new_customer_days=7)
    assert "new_customers" not in built_in_segments(state(signed_up_at=NOW - 7 * DAY), shorter)
    assert "new_customers" in built_in_segments(state(signed_up_at=NOW - 6 * DAY), shorter)


def test_new_customer_has_at_most_one_order_and_a_signup() -> None:
    assert "new_customers" in built_in_segments(state(signed_up_at=NOW - DAY, order_count=1), CONFIG)
    assert "new_customers" not in built_in_segments(state(signed_up_at=NOW - DAY, order_count=2), CONFIG)
    assert "new_customers" not in built_in_segments(state(order_count=0), CONFIG)


def test_lapsed_from_exactly_lapsed_days() -> None:
    assert "lapsed_180d" in built_in_segments(state(order_count=1, last_order_at=NOW - 180 * DAY), CONFIG)
    assert "lapsed_180d" in built_in_segments(state(order_count=3, last_order_at=NOW - 400 * DAY), CONFIG)
    assert "lapsed_180d" not in built_in_segments(state(order_count=1, last_order_at=NOW - 180 * DAY + TICK), CONFIG)
    assert "lapsed_180d" not in built_in_segments(state(order_count=1, last_order_at=NOW), CONFIG)
    shorter = EngagementConfig(lapsed_days=60)
    assert "lapsed_180d" in built_in_segments(state(order_count=1, last_order_at=NOW - 60 * DAY), shorter)


def test_lapsed_needs_an_order() -> None:
    assert "lapsed_180d" not in built_in_segments(state(order_count=0, last_order_at=NOW - 999 * DAY), CONFIG)
    assert "lapsed_180d" not in built_in_segments(state(order_count=1, last_order_at=None), CONFIG)
    assert "lapsed_180d" not in built_in_segments(state(signed_up_at=NOW - 999 * DAY), CONFIG)


def test_basket_declining_at_exactly_the_threshold() -> None:
    assert "basket_declining" in built_in_segments(state(baskets=eur(100, 100, 80, 80)), CONFIG)
    assert "basket_declining" in built_in_segments(state(baskets=eur(1000, 1000, 700, 700)), CONFIG)
    assert "basket_declining" not in built_in_segments(state(baskets=eur(1000, 1000, 801, 801)), CONFIG)  # -19.9
    assert "basket_declining" not in built_in_segments(state(baskets=eur(100, 100, 80)), CONFIG)
    assert "basket_declining" not in built_in_segments(state(baskets=eur(80, 80, 100, 100)), CONFIG)
    assert "basket_declining" not in built_in_segments(state(), CONFIG)
    lenient = EngagementConfig(basket_decline_percent=10)
    assert "basket_declining" in built_in_segments(state(baskets=eur(1000, 1000, 900, 900)), lenient)
    assert "basket_declining" not in built_in_segments(state(baskets=eur(1000, 1000, 900, 900)), CONFIG)


def test_basket_declining_counts_the_latest_currency_only() -> None:
    usd_last = ((100, "EUR"), (100, "EUR"), (50, "EUR"), (50, "EUR"), (10, "USD"))
    assert "basket_declining" not in built_in_segments(state(baskets=usd_last), CONFIG)
    assert "basket_declining" in built_in_segments(state(baskets=(*usd_last, (40, "EUR"))), CONFIG)


def test_ambassadors_and_top_referrers() -> None:
    assert built_in_segments(state(referrals_converted=1), CONFIG) == {"ambassadors"}
    assert built_in_segments(state(referrals_converted=4), CONFIG) == {"ambassadors"}
    assert built_in_segments(state(referrals_converted=5), CONFIG) == {"ambassadors", "top_referrers"}
    assert built_in_segments(state(referrals_converted=2), EngagementConfig(top_referrer_min=2)) == {
        "ambassadors",
        "top_referrers",
    }
    assert built_in_segments(state(), CONFIG) == set()


@pytest.mark.parametrize(
    ("fields", "member"),
    [
        ({"engagement": 25.0, "loyalty_member": True}, True),
        ({"engagement": 25.0, "order_count": 2}, True),
        ({"engagement": 24.999, "loyalty_member": True}, False),
        ({"engagement": 100.0, "order_count": 1}, False),
        ({"engagement": 100.0, "order_count": 2, "referrals_converted": 1}, False),
    ],
)
def test_future_ambassadors(fields: dict[str, Any], member: bool) -> None:
    assert ("future_ambassadors" in built_in_segments(state(**fields), CONFIG)) is member


def test_future_ambassadors_threshold_is_configurable() -> None:
    assert "future_ambassadors" in built_in_segments(
        state(engagement=5.0, loyalty_member=True), EngagementConfig(engaged_score=5)
    )


@pytest.mark.parametrize(
    ("fields", "member"),
    [
        ({"order_count": 2, "coupon_orders": 1}, True),
        ({"order_count": 2, "coupon_orders": 2}, True),
        ({"order_count": 3, "coupon_orders": 1}, False),
        ({"order_count": 3, "coupon_orders": 2}, True),
        ({"order_count": 4, "coupon_orders": 2}, True),
        ({"order_count": 1, "coupon_orders": 1}, False),
        ({"order_count": 0, "coupon_orders": 0}, False),
        ({"loyalty_redemptions": 2, "engagement": 24.9}, True),
        ({"loyalty_redemptions": 2, "engagement": 25.0}, False),
        ({"loyalty_redemptions": 1, "engagement": 0.0}, False),
    ],
)
def test_opportunists(fields: dict[str, Any], member: bool) -> None:
    assert ("opportunists" in built_in_segments(state(**fields), CONFIG)) is member


def test_opportunist_share_is_read_as_the_decimal_typed() -> None:
    # in floats 0.28 * 25 is 7.000000000000001, which 7 coupon orders would miss
    config = EngagementConfig(opportunist_coupon_share=0.28)
    assert "opportunists" in built_in_segments(state(order_count=25, coupon_orders=7), config)
    assert "opportunists" not in built_in_segments(state(order_count=25, coupon_orders=6), config)
    assert "opportunists" in built_in_segments(state(order_count=100, coupon_orders=55), replace_share(0.55))


def replace_share(share: float) -> EngagementConfig:
    return EngagementConfig(opportunist_coupon_share=share)


def test_a_customer_can_be_in_many_built_ins_at_once() -> None:
    customer = state(
        signed_up_at=NOW - 400 * DAY,
        order_count=6,
        last_order_at=NOW - 200 * DAY,
        baskets=eur(100, 100, 100, 50, 50, 50),
        coupon_orders=3,
        referrals_converted=6,
        engagement=40.0,
    )
    assert built_in_segments(customer, CONFIG) == {
        "lapsed_180d",
        "basket_declining",
        "ambassadors",
        "opportunists",
        "top_referrers",
    }


# ------------------------------------------------------------------------------------ custom segments


def condition(field: str, op: str, value: Any = None, **extra: Any) -> Condition:
    return Condition.model_validate({"field": field, "op": op, "value": value, **extra})


def holds(customer: CustomerState, field: str, op: str, value: Any = None, **extra: Any) -> bool:
    segment = SegmentCreate(name="s", conditions=[condition(field, op, value, **extra)])
    return matches(customer, segment)


RICH = state(
    country="IT",
    locale="it-IT",
    order_count=3,
    total_spent={"EUR": 12000, "USD": 0},
    baskets=((1000, "EUR"), (5000, "USD"), (2001, "EUR")),
    engagement=30.5,
    points_balance=700,
    tier="Gold",
    tier_rank=1,
    tier_ranks={"Silver": 0, "Gold": 1, "Platinum": 2},
    referred=True,
    referrals_converted=2,
    coupon_orders=1,
    consent_email=True,
    consent_sms=False,
    attributes={"plan": "pro", "seats": 5, "ratio": 0.5, "vip": True, "joined": "2024-03-01"},
)
BARE = state()


@pytest.mark.parametrize(
    ("field", "op", "value", "extra", "expected"),
    [
        # strings
        ("country", "eq", "IT", {}, True),
        ("country", "eq", "it", {}, False),
        ("country", "ne", "IT", {}, False),
        ("country", "ne", "FR", {}, True),
        ("country", "in", ["FR", "IT"], {}, True),
        ("country", "in", ["FR"], {}, False),
        ("country", "in", [], {}, False),
        ("country", "gt", "FR", {}, True),
        ("country", "lt", "FR", {}, False),
        ("country", "gte", "IT", {}, True),
        ("country", "lte", "IT", {}, True),
        ("country", "eq", 1, {}, False),
        ("country", "ne", 1, {}, True),
        ("country", "gt", 1, {}, False),
        ("locale", "eq", "it-IT", {}, True),
        ("locale", "in", ["it", "it-IT"], {}, True),
        # numbers
        ("order_count", "eq", 3, {}, True),
        ("order_count", "eq", 3.0, {}, True),
        ("order_count", "ne", 3, {}, False),
        ("order_count", "ne", 4, {}, True),
        ("order_count", "gt", 2, {}, True),
        ("order_count", "gt", 3, {}, False),
        ("order_count", "gte", 3, {}, True),
        ("order_count", "gte", 4, {}, False),
        ("order_count", "lt", 4, {}, True),
        ("order_count", "lt", 3, {}, False),
        ("order_count", "lte", 3, {}, True),
        ("order_count", "lte", 2.5, {}, False),
        ("order_count", "eq", "3", {}, False),
        ("order_count", "gt", "2", {}, False),
        ("order_count", "eq", True, {}, False),
        ("order_count", "in", ["3"], {}, False),
        ("engagement_score", "gte", 30.5, {}, True),
        ("engagement_score", "gt", 30.5, {}, False),
        ("engagement_score", "lt", 31, {}, True),
        ("points_balance", "gte", 700, {}, True),
        ("points_balance", "gt", 700, {}, False),
        ("referrals_converted", "eq", 2, {}, True),
        ("coupon_orders", "lt", 2, {}, True),
        # booleans
        ("referred", "eq", True, {}, True),
        ("referred", "eq", False, {}, False),
        ("referred", "ne", False, {}, True),
        ("referred", "eq", 1, {}, False),
        ("referred", "gt", False, {}, False),
        ("consent_email", "eq", True, {}, True),
        ("consent_sms", "eq", False, {}, True),
        ("consent_sms", "eq", "false", {}, False),
        # money
        ("total_spent", "gte", 12000, {"currency": "EUR"}, True),
        ("total_spent", "gt", 12000, {"currency": "EUR"}, False),
        ("total_spent", "eq", 0, {"currency": "GBP"}, True),
        ("total_spent", "lt", 1, {"currency": "GBP"}, True),
        ("total_spent", "exists", None, {"currency": "EUR"}, True),
        ("total_spent", "exists", None, {"currency": "USD"}, True),
        ("total_spent", "exists", None, {"currency": "GBP"}, False),
        ("total_spent", "exists", False, {"currency": "GBP"}, True),
        ("average_basket", "eq", 1500, {"currency": "EUR"}, True),  # (1000 + 2001) // 2, USD left out
        ("average_basket", "eq", 5000, {"currency": "USD"}, True),
        ("average_basket", "lt", 1_000_000, {"currency": "GBP"}, False),  # never ordered in GBP: no value
        ("average_basket", "ne", 1, {"currency": "GBP"}, False),
        ("average_basket", "exists", True, {"currency": "GBP"}, False),
        ("average_basket", "exists", False, {"currency": "GBP"}, True),
        ("average_basket", "exists", None, {"currency": "USD"}, True),
        # tier: name for eq/ne/in, rank for ordering
        ("tier", "eq", "Gold", {}, True),
        ("tier", "eq", "gold", {}, False),
        ("tier", "ne", "Silver", {}, True),
        ("tier", "in", ["Gold", "Platinum"], {}, True),
        ("tier", "in", ["Silver"], {}, False),
        ("tier", "gte", "Gold", {}, True),
        ("tier", "gt", "Gold", {}, False),
        ("tier", "gt", "Silver", {}, True),
        ("tier", "lt", "Platinum", {}, True),
        ("tier", "lte", "Silver", {}, False),
        ("tier", "gte", "Diamond", {}, False),
        ("tier", "gte", 1, {}, True),
        ("tier", "gt", 1, {}, False),
        ("tier", "lt", 2, {}, True),
        ("tier", "gt", True, {}, False),
        ("tier", "exists", None, {}, True),
        # attributes keep their type
        ("attribute", "eq", "pro", {"name": "plan"}, True),
        ("attribute", "ne", "pro", {"name": "plan"}, False),
        ("attribute", "in", ["pro", "team"], {"name": "plan"}, True),
        ("attribute", "gt", 3, {"name": "plan"}, False),
        ("attribute", "lt", 3, {"name": "plan"}, False),
        ("attribute", "ne", 3, {"name": "plan"}, True),
        ("attribute", "gte", 5, {"name": "seats"}, True),
        ("attribute", "gt", 4.5, {"name": "seats"}, True),
        ("attribute", "eq", "5", {"name": "seats"}, False),
        ("attribute", "gt", "4", {"name": "seats"}, False),
        ("attribute", "in", ["5"], {"name": "seats"}, False),
        ("attribute", "eq", 0.5, {"name": "ratio"}, True),
        ("attribute", "lte", 0.5, {"name": "ratio"}, True),
        ("attribute", "eq", True, {"name": "vip"}, True),
        ("attribute", "eq", 1, {"name": "vip"}, False),
        ("attribute", "ne", 1, {"name": "vip"}, True),
        ("attribute", "gte", True, {"name": "vip"}, False),
        ("attribute", "gt", 0, {"name": "vip"}, False),
        ("attribute", "gte", "2024-01-01", {"name": "joined"}, True),
        ("attribute", "lt", "2024-01-01", {"name": "joined"}, False),
        ("attribute", "exists", None, {"name": "plan"}, True),
        ("attribute", "exists", True, {"name": "plan"}, True),
        ("attribute", "exists", False, {"name": "plan"}, False),
        ("attribute", "exists", None, {"name": "missing"}, False),
        ("attribute", "exists", False, {"name": "missing"}, True),
        ("attribute", "eq", "pro", {"name": "missing"}, False),
        ("attribute", "ne", "pro", {"name": "missing"}, False),
        # exists on always-present facts
        ("order_count", "exists", None, {}, True),
        ("order_count", "exists", False, {}, False),
        ("country", "exists", None, {}, True),
        ("country", "exists", False, {}, False),
    ],
)
def test_condition_on_a_known_customer(field: str, op: str, value: Any, extra: dict[str, Any], expected: bool) -> None:
    assert holds(RICH, field, op, value, **extra) is expected


@pytest.mark.parametrize(
    ("field", "op", "value", "extra", "expected"),
    [
        ("country", "eq", "IT", {}, False),
        ("country", "ne", "IT", {}, False),  # unknown is not "different"
        ("country", "in", ["IT"], {}, False),
        ("country", "gt", "A", {}, False),
        ("country", "exists", None, {}, False),
        ("country", "exists", False, {}, True),
        ("locale", "exists", None, {}, False),
        ("tier", "eq", "Gold", {}, False),
        ("tier", "ne", "Gold", {}, False),
        ("tier", "gte", 0, {}, False),
        ("tier", "gte", "Silver", {}, False),
        ("tier", "exists", None, {}, False),
        ("tier", "exists", False, {}, True),
        ("order_count", "eq", 0, {}, True),
        ("order_count", "lt", 1, {}, True),
        ("engagement_score", "eq", 0, {}, True),
        ("referred", "eq", False, {}, True),
        ("consent_email", "eq", False, {}, True),
        ("total_spent", "eq", 0, {"currency": "EUR"}, True),
        ("total_spent", "exists", None, {"currency": "EUR"}, False),
        ("average_basket", "eq", 0, {"currency": "EUR"}, False),
        ("average_basket", "lt", 100, {"currency": "EUR"}, False),
        ("attribute", "exists", None, {"name": "plan"}, False),
        ("attribute", "lt", 1, {"name": "plan"}, False),
    ],
)
def test_condition_on_an_unknown_customer(
    field: str, op: str, value: Any, extra: dict[str, Any], expected: bool
) -> None:
    assert holds(BARE, field, op, value, **extra) is expected


def test_tier_ordering_without_ranks() -> None:
    unranked = state(tier="Gold")
    assert holds(unranked, "tier", "eq", "Gold")
    assert not holds(unranked, "tier", "gte", 0)
    assert not holds(unranked, "tier", "gte", "Gold")
    via_names = state(tier="Gold", tier_ranks={"Silver": 0, "Gold": 1})
    assert holds(via_names, "tier", "gt", "Silver")
    assert holds(via_names, "tier", "eq", "Gold")
    assert holds(via_names, "tier", "gte", 1)
    rank_only = state(tier="Gold", tier_rank=3)
    assert holds(rank_only, "tier", "gt", 2)
    assert not holds(rank_only, "tier", "gt", "Silver")


def test_condition_in_with_number_field_is_false_not_an_error() -> None:
    assert not holds(RICH, "points_balance", "in", ["700"])


def test_exists_for_empty_or_falsy_values_is_still_true() -> None:
    customer = state(attributes={"note": "", "zero": 0, "off": False}, country="")
    assert holds(customer, "attribute", "exists", None, name="note")
    assert holds(customer, "attribute", "exists", None, name="zero")
    assert holds(customer, "attribute", "exists", None, name="off")
    assert holds(customer, "country", "exists", None)


def segment(match: str, *conditions: Condition, name: str = "s") -> SegmentCreate:
    return SegmentCreate(name=name, match=match, conditions=list(conditions))  # type: ignore[arg-type]


YES = condition("country", "eq", "IT")
NO = condition("order_count", "gt", 100)


@pytest.mark.parametrize(
    ("match", "conditions", "expected"),
    [
        ("all", (YES,), True),
        ("all", (NO,), False),
        ("all", (YES, YES), True),
        ("all", (YES, NO), False),
        ("all", (NO, YES), False),
        ("any", (YES,), True),
        ("any", (NO,), False),
        ("any", (NO, YES), True),
        ("any", (NO, NO), False),
        ("any", (YES, YES), True),
    ],
)
def test_all_and_any(match: str, conditions: tuple[Condition, ...], expected: bool) -> None:
    assert matches(RICH, segment(match, *conditions)) is expected


def test_match_defaults_to_all() -> None:
    assert not matches(RICH, SegmentCreate(name="s", conditions=[YES, NO]))


def test_realistic_segment() -> None:
    vip_italians = segment(
        "all",
        condition("country", "in", ["IT", "SM", "VA"]),
        condition("total_spent", "gte", 10000, currency="EUR"),
        condition("consent_email", "eq", True),
        condition("attribute", "ne", "free", name="plan"),
    )
    assert matches(RICH, vip_italians)
    assert not matches(replace(RICH, consent_email=False), vip_italians)
    assert not matches(replace(RICH, total_spent={"EUR": 9999}), vip_italians)
    assert not matches(replace(RICH, country=None), vip_italians)
    assert not matches(replace(RICH, attributes={"plan": "free"}), vip_italians)
    assert not matches(replace(RICH, attributes={}), vip_italians)


# ------------------------------------------------------------------------------------ all segments


def test_segments_is_built_ins_plus_matching_custom() -> None:
    customer = state(referrals_converted=1, country="IT")
    custom = [segment("all", YES, name="italians"), segment("all", NO, name="whales")]
    assert segments(customer, CONFIG, custom) == {"ambassadors", "italians"}
    assert segments(customer, CONFIG, []) == {"ambassadors"}
    assert segments(BARE, CONFIG, custom) == set()


# -------------------------------------------------------------------------------------------- timers


def test_timer_for_a_new_customer_is_when_they_stop_being_new() -> None:
    signed_up = NOW - 10 * DAY
    assert timers(state(signed_up_at=signed_up), CONFIG) == {"new_customers": signed_up + 30 * DAY}
    assert timers(state(signed_up_at=signed_up, order_count=1, last_order_at=NOW), CONFIG) == {
        "new_customers": signed_up + 30 * DAY,
        "lapsed_180d": NOW + 180 * DAY,
    }


def test_no_new_customer_timer_when_not_new() -> None:
    assert timers(state(signed_up_at=NOW - 30 * DAY), CONFIG) == {}
    assert timers(state(signed_up_at=NOW - DAY, order_count=2), CONFIG) == {}
    assert timers(state(), CONFIG) == {}


def test_timer_for_lapsing_only_in_the_future() -> None:
    last = NOW - 100 * DAY
    assert timers(state(order_count=3, last_order_at=last), CONFIG) == {"lapsed_180d": last + 180 * DAY}
    assert timers(state(order_count=3, last_order_at=NOW - 180 * DAY), CONFIG) == {}
    assert timers(state(order_count=3, last_order_at=NOW - 180 * DAY + TICK), CONFIG) == {"lapsed_180d": NOW + TICK}
    assert timers(state(order_count=0, last_order_at=last), CONFIG) == {}
    assert timers(state(order_count=3, last_order_at=last), EngagementConfig(lapsed_days=7)) == {}


def test_timers_flip_membership_at_their_instant() -> None:
    customer = state(signed_up_at=NOW - 5 * DAY, order_count=1, last_order_at=NOW - 5 * DAY)
    before = built_in_segments(customer, CONFIG)
    assert "new_customers" in before and "lapsed_180d" not in before
    due = timers(customer, CONFIG)
    assert "new_customers" not in built_in_segments(replace(customer, now=due["new_customers"]), CONFIG)
    assert "new_customers" in built_in_segments(replace(customer, now=due["new_customers"] - TICK), CONFIG)
    assert "lapsed_180d" in built_in_segments(replace(customer, now=due["lapsed_180d"]), CONFIG)
    assert "lapsed_180d" not in built_in_segments(replace(customer, now=due["lapsed_180d"] - TICK), CONFIG)


def test_diff_answers_sorted_entries_and_exits() -> None:
    assert diff({"b", "a", "keep"}, {"keep", "z", "c"}) == (["c", "z"], ["a", "b"])
    assert diff(set(), {"x"}) == (["x"], [])
    assert diff({"x"}, set()) == ([], ["x"])
    assert diff({"x"}, {"x"}) == ([], [])
