"""The loyalty rules, as a specification: earning, caps, tiers, expiry, birthdays and refunds."""

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.loyalty import rules
from passaparola.loyalty.models import LoyaltyProgram
from passaparola.loyalty.rules import Account, Earn, Line, earn

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)  # a Tuesday, ISO week 48
ORDER = {"event": "order_paid", "points_per_unit": 1, "unit_amount": 100}
REVIEW = {"event": "review", "points": 50}
TIERS: list[dict[str, Any]] = [
    {"name": "Bronze", "min_points": 0},
    {"name": "Silver", "min_points": 1000, "multiplier": 1.25, "entry_reward": {"type": "points", "points": 100}},
    {"name": "Gold", "min_points": 3000, "multiplier": 1.5, "entry_reward": {"type": "recognition", "note": "Hi"}},
    {"name": "Platinum", "min_points": 6000, "multiplier": 2.0, "entry_reward": {"type": "points", "points": 500}},
]


def program(earning_rules: list[dict[str, Any]] | None = None, **overrides: Any) -> LoyaltyProgram:
    body: dict[str, Any] = {"earning_rules": earning_rules or [ORDER, REVIEW], "tiers": TIERS}
    return LoyaltyProgram.model_validate(body | overrides)


def capped(period: str, event: str = "review", points: int = 50, **cap: int) -> LoyaltyProgram:
    return program([{"event": event, "points": points, "cap": {"period": period, **cap}}])


def names(tiers: list[Any]) -> list[str]:
    return [t.name for t in tiers]


# ------------------------------------------------------------------------------------------- order base points

RULE = program().earning_rules[0]
SHIRT = Line(sku="shirt", categories=("apparel",), quantity=2, unit_price=3000)
GIFT_CARD = Line(sku="gift-card-40", categories=("gift-cards",), quantity=1, unit_price=4000)
BOOK = Line(sku="book", categories=("books", "sale"), quantity=1, unit_price=4000)


def order_rule(**fields: Any) -> Any:
    return program([ORDER | fields]).earning_rules[0]


def test_without_lines_every_paid_unit_earns_and_part_units_do_not() -> None:
    assert rules.order_base_points(RULE, [], 0, 12_399, "EUR") == 123
    assert rules.order_base_points(RULE, [], 0, 99, "EUR") == 0
    assert rules.order_base_points(order_rule(points_per_unit=5, unit_amount=1000), [], 0, 2_999, "EUR") == 10


def test_an_order_in_another_currency_earns_nothing_when_the_rule_names_one() -> None:
    assert rules.order_base_points(order_rule(currency="EUR"), [], 0, 10_000, "USD") == 0
    assert rules.order_base_points(order_rule(currency="EUR"), [], 0, 10_000, "EUR") == 100
    assert rules.order_base_points(RULE, [], 0, 10_000, "JPY") == 100


def test_an_excluded_sku_takes_its_share_of_the_coupon_with_it() -> None:
    # 6000 shirts + 4000 gift card = 10000, a 2000 coupon: 8000 paid, 60 % of it on eligible lines = 4800.
    rule = order_rule(exclude_skus=["gift-card-40"])
    assert rules.order_base_points(rule, [SHIRT, GIFT_CARD], 10_000, 8_000, "EUR") == 48


def test_an_excluded_category_is_enough_to_exclude_a_line() -> None:
    rule = order_rule(exclude_categories=["sale"])
    assert rules.order_base_points(rule, [SHIRT, BOOK], 10_000, 7_500, "EUR") == 45  # 7500 x 6000/10000 = 4500
    assert rules.order_base_points(rule, [SHIRT, BOOK], 10_000, 10_000, "EUR") == 60


def test_lines_that_match_no_exclusion_leave_the_whole_payment_eligible() -> None:
    rule = order_rule(exclude_skus=["other"], exclude_categories=["other"])
    assert rules.order_base_points(rule, [SHIRT, BOOK], 10_000, 9_950, "EUR") == 99


def test_an_order_of_excluded_lines_only_earns_nothing() -> None:
    rule = order_rule(exclude_skus=["gift-card-40"], exclude_categories=["sale"])
    assert rules.order_base_points(rule, [GIFT_CARD, BOOK], 8_000, 8_000, "EUR") == 0
    assert rules.order_base_points(rule, [GIFT_CARD, BOOK], 5_000, 5_000, "EUR") == 0  # excluded > amount
    assert rules.order_base_points(rule, [GIFT_CARD], 0, 5_000, "EUR") == 0  # amount 0


@given(
    paid=st.integers(0, 10**7),
    extra=st.integers(0, 10**6),
    excluded=st.integers(0, 10**6),
    ppu=st.integers(1, 10),
    unit=st.integers(1, 1000),
)
def test_base_points_never_exceed_the_paid_units(paid: int, extra: int, excluded: int, ppu: int, unit: int) -> None:
    rule = order_rule(points_per_unit=ppu, unit_amount=unit, exclude_skus=["x"])
    amount = excluded + extra + 1
    lines = [Line("x", (), 1, excluded), Line("y", (), 1, extra + 1)]
    base = rules.order_base_points(rule, lines, amount, paid, "EUR")
    assert 0 <= base <= (paid // unit) * ppu
    assert base <= rules.order_base_points(rule, lines, amount, paid + unit, "EUR")


# ------------------------------------------------------------------------------------------- rules and windows


def test_a_fixed_event_earns_its_points_and_names_the_rule() -> None:
    assert earn(program(), "review", NOW, Account()) == Earn(50, 50, 1, {}, "earned")


def test_an_order_earns_on_what_was_paid() -> None:
    got = earn(program(), "order_paid", NOW, Account(), lines=[SHIRT], amount=6_000, paid=5_450, currency="EUR")
    assert got == Earn(54, 54, 0, {}, "earned")


def test_an_event_without_a_rule_earns_nothing() -> None:
    assert earn(program(), "nps_answer", NOW, Account(caps={"review/2026-11-24": 1})) == Earn(
        0, 0, None, {"review/2026-11-24": 1}, "no_rule"
    )


def test_an_order_too_small_for_one_unit_is_nothing_eligible() -> None:
    assert earn(program(), "order_paid", NOW, Account(), paid=99, currency="EUR") == Earn(
        0, 0, 0, {}, "nothing_eligible"
    )


PROMO = {"event": "review", "points": 100, "starts_at": "2026-11-27T00:00:00Z", "ends_at": "2026-11-30T00:00:00Z"}


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 11, 26, 23, 59, 59, 999_999, tzinfo=UTC), Earn(0, 0, None, {}, "outside_window")),
        (datetime(2026, 11, 27, tzinfo=UTC), Earn(100, 100, 0, {}, "earned")),
        (datetime(2026, 11, 29, 23, 59, 59, 999_999, tzinfo=UTC), Earn(100, 100, 0, {}, "earned")),
        (datetime(2026, 11, 30, tzinfo=UTC), Earn(0, 0, None, {}, "outside_window")),
        (datetime(2026, 11, 27, 0, 30, tzinfo=timezone(timedelta(hours=1))), Earn(0, 0, None, {}, "outside_window")),
    ],
)
def test_rule_windows_are_half_open(at: datetime, expected: Earn) -> None:
    assert earn(program([PROMO]), "review", at, Account()) == expected


def test_open_bounds_are_open() -> None:
    only_start = program([{"event": "review", "points": 5, "starts_at": "2026-01-01T00:00:00Z"}])
    only_end = program([{"event": "review", "points": 5, "ends_at": "2026-01-01T00:00:00Z"}])
    assert earn(only_start, "review", datetime(2100, 1, 1, tzinfo=UTC), Account()).points == 5
    assert earn(only_end, "review", datetime(2000, 1, 1, tzinfo=UTC), Account()).points == 5


def test_the_first_rule_in_its_window_wins_so_a_promotion_replaces_the_standard_rule() -> None:
    p = program([ORDER, PROMO, REVIEW])
    assert earn(p, "review", datetime(2026, 11, 28, tzinfo=UTC), Account()) == Earn(100, 100, 1, {}, "earned")
    assert earn(p, "review", datetime(2026, 12, 1, tzinfo=UTC), Account()) == Earn(50, 50, 2, {}, "earned")


# ------------------------------------------------------------------------------------------- signup and birthday

SIGNUP_BIRTHDAY = program([{"event": "signup", "points": 200}, {"event": "birthday", "points": 300}])
BIRTHDAY = datetime(2026, 5, 12, 3, tzinfo=UTC)


def test_signup_earns_once_ever() -> None:
    assert earn(SIGNUP_BIRTHDAY, "signup", NOW, Account()) == Earn(200, 200, 0, {}, "earned")
    assert earn(SIGNUP_BIRTHDAY, "signup", NOW, Account(signup_earned=True)) == Earn(0, 0, 0, {}, "already_earned")


@pytest.mark.parametrize(
    ("set_before", "expected"),
    [
        (timedelta(days=10), Earn(0, 0, 1, {}, "birthday_too_recent")),
        (timedelta(days=30) - timedelta(microseconds=1), Earn(0, 0, 1, {}, "birthday_too_recent")),
        (timedelta(days=30), Earn(300, 300, 1, {}, "earned")),
        (timedelta(days=40), Earn(300, 300, 1, {}, "earned")),
        (timedelta(days=-1), Earn(0, 0, 1, {}, "birthday_too_recent")),  # changed after the job's instant
    ],
)
def test_a_birthday_set_in_the_30_days_before_earns_nothing(set_before: timedelta, expected: Earn) -> None:
    assert earn(SIGNUP_BIRTHDAY, "birthday", BIRTHDAY, Account(), birthday_set_at=BIRTHDAY - set_before) == expected


def test_a_birthday_with_no_known_change_earns() -> None:
    assert earn(SIGNUP_BIRTHDAY, "birthday", BIRTHDAY, Account()).points == 300


def test_birthday_points_come_once_a_calendar_year() -> None:
    first = earn(SIGNUP_BIRTHDAY, "birthday", BIRTHDAY, Account(birthday_year=2025))
    assert first.points == 300
    # the customer moves their birthday to December, long after setting it: same year, nothing more
    after = Account(birthday_year=2026)
    december = datetime(2026, 12, 20, tzinfo=UTC)
    assert earn(SIGNUP_BIRTHDAY, "birthday", december, after, birthday_set_at=BIRTHDAY) == Earn(
        0, 0, 1, {}, "already_earned"
    )
    assert earn(SIGNUP_BIRTHDAY, "birthday", datetime(2027, 5, 12, tzinfo=UTC), after).points == 300


def test_the_birthday_year_is_the_utc_year() -> None:
    new_years_eve_in_new_york = datetime(2026, 12, 31, 21, tzinfo=timezone(timedelta(hours=-5)))  # 2027 in UTC
    assert earn(SIGNUP_BIRTHDAY, "birthday", new_years_eve_in_new_york, Account(birthday_year=2026)).points == 300


# ------------------------------------------------------------------------------------------- multiplier


def test_multiplier_is_the_tiers_or_one() -> None:
    p = program()
    assert rules.multiplier(p, "Gold") == 1.5
    assert rules.multiplier(p, None) == 1.0
    assert rules.multiplier(p, "Deleted") == 1.0
    assert rules.multiplier(program(tiers=[]), "Gold") == 1.0


@pytest.mark.parametrize(
    ("base", "factor", "points"),
    [(3, 1.25, 3), (101, 1.25, 126), (100, 1.15, 115), (7, 1.5, 10), (1, 1.99, 1), (29, 1.1, 31), (50, 1.0, 50)],
)
def test_the_multiplier_rounds_down_in_decimal(base: int, factor: float, points: int) -> None:
    assert rules.apply_multiplier(base, factor) == points


def test_an_earn_applies_the_tier_multiplier_rounded_down() -> None:
    p = program([{"event": "review", "points": 7}])
    assert earn(p, "review", NOW, Account(tier="Gold")) == Earn(10, 7, 0, {}, "earned")
    assert earn(p, "review", NOW, Account(tier="Silver")) == Earn(8, 7, 0, {}, "earned")
    assert earn(p, "review", NOW, Account(tier="Gone")) == Earn(7, 7, 0, {}, "earned")
    got = earn(program(), "order_paid", NOW, Account(tier="Silver"), paid=10_100, currency="EUR")
    assert (got.points, got.base) == (126, 101)


# ------------------------------------------------------------------------------------------- caps


@pytest.mark.parametrize(
    ("period", "at", "bucket"),
    [
        ("day", datetime(2026, 11, 24, 23, 59, 59, tzinfo=UTC), "2026-11-24"),
        ("day", datetime(2026, 11, 25, 0, 30, tzinfo=timezone(timedelta(hours=1))), "2026-11-24"),
        ("week", NOW, "2026-W48"),
        ("week", datetime(2026, 12, 31, tzinfo=UTC), "2026-W53"),
        ("week", datetime(2027, 1, 3, 23, 59, tzinfo=UTC), "2026-W53"),
        ("week", datetime(2027, 1, 4, tzinfo=UTC), "2027-W01"),
        ("week", datetime(2024, 12, 30, tzinfo=UTC), "2025-W01"),
        ("month", datetime(2026, 11, 30, 23, 59, tzinfo=UTC), "2026-11"),
        ("month", datetime(2026, 12, 1, tzinfo=UTC), "2026-12"),
        ("year", datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2026"),
        ("year", datetime(2027, 1, 1, tzinfo=UTC), "2027"),
    ],
)
def test_cap_buckets_are_utc_calendar_periods(period: Any, at: datetime, bucket: str) -> None:
    assert rules.cap_bucket(period, at) == bucket


def test_a_points_cap_pays_up_to_the_cap_then_nothing() -> None:
    p = capped("day", max_points=120)
    first = earn(p, "review", NOW, Account())
    assert first == Earn(50, 50, 0, {"review/2026-11-24": 50}, "earned")
    second = earn(p, "review", NOW, Account(caps=first.caps))
    assert second == Earn(50, 50, 0, {"review/2026-11-24": 100}, "earned")
    third = earn(p, "review", NOW, Account(caps=second.caps))
    assert third == Earn(20, 50, 0, {"review/2026-11-24": 120}, "earned")
    fourth = earn(p, "review", NOW.replace(hour=23, minute=59, second=59), Account(caps=third.caps))
    assert fourth == Earn(0, 50, 0, {"review/2026-11-24": 120}, "capped")
    midnight = earn(p, "review", datetime(2026, 11, 25, tzinfo=UTC), Account(caps=fourth.caps))
    assert midnight == Earn(50, 50, 0, {"review/2026-11-25": 50}, "earned")  # yesterday's bucket dropped


def test_a_points_cap_counts_the_multiplied_points() -> None:
    p = capped("day", max_points=120)
    first = earn(p, "review", NOW, Account(tier="Platinum"))
    assert first == Earn(100, 50, 0, {"review/2026-11-24": 100}, "earned")
    assert earn(p, "review", NOW, Account(tier="Platinum", caps=first.caps)).points == 20


def test_a_times_cap_counts_earns_not_points_and_a_capped_earn_does_not_count() -> None:
    p = capped("week", max_times=2)
    caps: dict[str, int] = {}
    got = []
    for at in (NOW, NOW + timedelta(days=1), NOW + timedelta(days=2)):
        outcome = earn(p, "review", at, Account(caps=caps))
        got.append((outcome.points, outcome.reason))
        caps = outcome.caps
    assert got == [(50, "earned"), (50, "earned"), (0, "capped")]
    assert caps == {"review/2026-W48": 2}
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    assert earn(p, "review", monday, Account(caps=caps)) == Earn(50, 50, 0, {"review/2026-W49": 1}, "earned")


def test_a_weekly_cap_spans_the_new_year_as_iso_weeks_do() -> None:
    p = capped("week", max_times=2)
    first = earn(p, "review", datetime(2026, 12, 31, 10, tzinfo=UTC), Account())
    second = earn(p, "review", datetime(2027, 1, 1, 10, tzinfo=UTC), Account(caps=first.caps))
    third = earn(p, "review", datetime(2027, 1, 3, 23, 59, tzinfo=UTC), Account(caps=second.caps))
    fourth = earn(p, "review", datetime(2027, 1, 4, tzinfo=UTC), Account(caps=third.caps))
    assert [o.reason for o in (first, second, third, fourth)] == ["earned", "earned", "capped", "earned"]
    assert third.caps == {"review/2026-W53": 2}
    assert fourth.caps == {"review/2027-W01": 1}


def test_monthly_and_yearly_caps_reset_at_the_utc_boundary() -> None:
    monthly = capped("month", max_points=50)
    full = Account(caps={"review/2026-11": 50})
    assert earn(monthly, "review", datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC), full).reason == "capped"
    assert earn(monthly, "review", datetime(2026, 12, 1, tzinfo=UTC), full).caps == {"review/2026-12": 50}
    yearly = capped("year", max_times=1)
    done = Account(caps={"review/2026": 1})
    assert earn(yearly, "review", datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), done).reason == "capped"
    assert earn(yearly, "review", datetime(2027, 1, 1, tzinfo=UTC), done) == Earn(
        50, 50, 0, {"review/2027": 1}, "earned"
    )


def test_caps_of_other_events_are_untouched_and_this_events_stale_buckets_go() -> None:
    p = capped("day", max_points=500)
    account = Account(caps={"email_clicked/2026-11-24": 3, "email_clicked/2026-11-20": 9, "review/2026-11-23": 40})
    assert earn(p, "review", NOW, account).caps == {
        "email_clicked/2026-11-24": 3,
        "email_clicked/2026-11-20": 9,
        "review/2026-11-24": 50,
    }


def test_a_capped_earn_still_drops_stale_buckets() -> None:
    p = capped("day", max_points=50)
    account = Account(caps={"review/2026-11-24": 50, "review/2026-11-01": 50, "review/2026-W40": 1})
    assert earn(p, "review", NOW, account) == Earn(0, 50, 0, {"review/2026-11-24": 50}, "capped")


def test_an_uncapped_rule_leaves_the_counters_alone() -> None:
    account = Account(caps={"review/2026-11-01": 50})
    assert earn(program(), "review", NOW, account).caps == {"review/2026-11-01": 50}


def test_a_cap_over_its_limit_already_pays_nothing_rather_than_negative() -> None:
    p = capped("day", max_points=100)
    assert earn(p, "review", NOW, Account(caps={"review/2026-11-24": 150})) == Earn(
        0, 50, 0, {"review/2026-11-24": 150}, "capped"
    )


def test_the_earn_does_not_mutate_the_accounts_counters() -> None:
    caps = {"review/2026-11-24": 10}
    earn(capped("day", max_points=100), "review", NOW, Account(caps=caps))
    assert caps == {"review/2026-11-24": 10}


@given(st.lists(st.integers(1, 400), min_size=1, max_size=30), st.integers(1, 2000))
def test_a_day_of_earns_pays_exactly_up_to_a_points_cap(amounts: list[int], cap: int) -> None:
    total, caps = 0, dict[str, int]()
    for points in amounts:
        p = capped("day", points=points, max_points=cap)
        outcome = earn(p, "review", NOW, Account(caps=caps))
        assert 0 <= outcome.points <= points
        total, caps = total + outcome.points, outcome.caps
    assert total == min(sum(amounts), cap)
    assert caps == {"review/2026-11-24": total}


# ------------------------------------------------------------------------------------------- months and windows


def test_add_month_adds_subtracts_and_drops_zeroes() -> None:
    months = {"2026-10": 40}
    assert rules.add_month(months, NOW, 120) == {"2026-10": 40, "2026-11": 120}
    assert rules.add_month({"2026-11": 120, "2026-10": 40}, NOW, -20) == {"2026-11": 100, "2026-10": 40}
    assert rules.add_month({"2026-11": 120, "2026-10": 40}, NOW, -120) == {"2026-10": 40}
    assert months == {"2026-10": 40}  # not mutated


def test_add_month_keeps_24_months_before_the_current_one() -> None:
    months = {"2024-10": 1, "2024-11": 2, "2025-06": 3}
    assert rules.add_month(months, NOW, 5) == {"2024-11": 2, "2025-06": 3, "2026-11": 5}


def test_add_month_uses_the_utc_month() -> None:
    early_december_in_rome = datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert rules.add_month({}, early_december_in_rome, 7) == {"2026-11": 7}


MONTHS = {"2025-10": 1000, "2025-11": 2000, "2025-12": 300, "2026-01": 40, "2026-11": 5, "2026-12": 60_000}


def test_the_rolling_window_is_this_month_and_the_eleven_before() -> None:
    assert rules.window_points(program(), MONTHS, NOW) == 345
    assert rules.window_points(program(), MONTHS, datetime(2026, 10, 31, 23, 59, tzinfo=UTC)) == 2340


def test_the_calendar_window_is_the_year_of_now() -> None:
    calendar = program(tier_policy={"window": "calendar_year"})
    assert rules.window_points(calendar, MONTHS, NOW) == 60_045
    assert rules.window_points(calendar, MONTHS, datetime(2025, 12, 31, tzinfo=UTC)) == 3300
    assert rules.window_points(calendar, MONTHS, datetime(2027, 1, 1, tzinfo=UTC)) == 0


def test_window_points_are_never_negative() -> None:
    assert rules.window_points(program(), {"2026-11": -30, "2026-10": 10}, NOW) == 0


# ------------------------------------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    ("points", "tier"), [(-5, "Bronze"), (0, "Bronze"), (999, "Bronze"), (1000, "Silver"), (10**9, "Platinum")]
)
def test_qualified_is_the_highest_threshold_reached(points: int, tier: str) -> None:
    got = rules.qualified(program(), points)
    assert got is not None and got.name == tier


def test_qualified_sorts_tiers_and_is_none_without_tiers() -> None:
    shuffled = program(tiers=[TIERS[2], TIERS[0], TIERS[3], TIERS[1]])
    got = rules.qualified(shuffled, 3500)
    assert got is not None and got.name == "Gold"
    assert rules.qualified(program(tiers=[]), 5000) is None


def test_a_new_member_starts_at_the_zero_point_tier() -> None:
    assert rules.after_earn(program(), Account(), {"2026-11": 10}, NOW) == ("Bronze", [])


def test_the_zero_point_tiers_entry_reward_is_given_once_too() -> None:
    with_welcome = [TIERS[0] | {"entry_reward": {"type": "points", "points": 10}}, *TIERS[1:]]
    p = program(tiers=with_welcome)
    tier, rewards = rules.after_earn(p, Account(), {}, NOW)
    assert (tier, names(rewards)) == ("Bronze", ["Bronze"])
    assert rules.after_earn(p, Account(tiers_reached=frozenset({"Bronze"})), {}, NOW) == ("Bronze", [])
    assert rules.after_earn(p, Account(tier="Bronze"), {}, NOW) == ("Bronze", [])


def test_one_big_order_climbs_several_tiers_with_every_entry_reward() -> None:
    tier, rewards = rules.after_earn(program(), Account(tier="Bronze"), {"2026-11": 6500}, NOW)
    assert (tier, names(rewards)) == ("Platinum", ["Silver", "Gold", "Platinum"])


def test_a_new_member_can_start_high() -> None:
    tier, rewards = rules.after_earn(program(), Account(), {"2026-11": 3000}, NOW)
    assert (tier, names(rewards)) == ("Gold", ["Silver", "Gold"])


def test_entry_rewards_already_given_are_not_given_again() -> None:
    account = Account(tier="Bronze", tiers_reached=frozenset({"Silver", "Gold"}))
    tier, rewards = rules.after_earn(program(), account, {"2026-11": 7000}, NOW)
    assert (tier, names(rewards)) == ("Platinum", ["Platinum"])


def test_tiers_without_an_entry_reward_are_entered_silently() -> None:
    quiet_gold = [*TIERS[:2], {k: v for k, v in TIERS[2].items() if k != "entry_reward"}, TIERS[3]]
    tier, rewards = rules.after_earn(program(tiers=quiet_gold), Account(tier="Silver"), {"2026-11": 6000}, NOW)
    assert (tier, names(rewards)) == ("Platinum", ["Platinum"])


def test_rising_one_level_excludes_the_old_tier() -> None:
    tier, rewards = rules.after_earn(program(), Account(tier="Silver"), {"2026-10": 2000, "2026-11": 1000}, NOW)
    assert (tier, names(rewards)) == ("Gold", ["Gold"])


@pytest.mark.parametrize("points", [0, 2999, 3000])
def test_status_never_falls_or_repeats_after_an_earn(points: int) -> None:
    assert rules.after_earn(program(), Account(tier="Gold"), {"2026-11": points}, NOW) == ("Gold", [])


def test_after_earn_counts_only_the_window() -> None:
    old_points = {"2025-11": 5000, "2026-11": 100}  # 2025-11 is 12 months back: outside
    assert rules.after_earn(program(), Account(tier="Bronze"), old_points, NOW) == ("Bronze", [])
    calendar = program(tier_policy={"window": "calendar_year"})
    tier, _ = rules.after_earn(calendar, Account(tier="Bronze"), {"2026-01": 1000}, NOW)
    assert tier == "Silver"


def test_after_earn_without_tiers_changes_nothing() -> None:
    assert rules.after_earn(program(tiers=[]), Account(), {"2026-11": 10**6}, NOW) == (None, [])


def test_a_member_in_a_deleted_tier_is_placed_where_the_window_says() -> None:
    tier, rewards = rules.after_earn(program(), Account(tier="Diamond"), {"2026-11": 1500}, NOW)
    assert (tier, names(rewards)) == ("Silver", ["Silver"])


ONE_LEVEL = program()
STRAIGHT = program(tier_policy={"fallback": "qualified"})


@pytest.mark.parametrize(
    ("tier", "points", "one_level", "straight"),
    [
        ("Platinum", 0, "Gold", "Bronze"),
        ("Platinum", 1500, "Gold", "Silver"),
        ("Platinum", 3500, "Gold", "Gold"),
        ("Platinum", 6000, "Platinum", "Platinum"),
        ("Gold", 0, "Silver", "Bronze"),
        ("Silver", 0, "Bronze", "Bronze"),
        ("Bronze", 0, "Bronze", "Bronze"),
        ("Silver", 4000, "Gold", "Gold"),  # qualified above: up
        ("Bronze", 9000, "Platinum", "Platinum"),
        (None, 1200, "Silver", "Silver"),
        ("Diamond", 0, "Bronze", "Bronze"),  # a deleted tier: where the window says
    ],
)
def test_review_falls_one_level_or_straight_to_what_qualifies(
    tier: str | None, points: int, one_level: str, straight: str
) -> None:
    months = {"2026-11": points}
    assert rules.review(ONE_LEVEL, tier, months, NOW) == one_level
    assert rules.review(STRAIGHT, tier, months, NOW) == straight


def test_review_without_tiers_is_no_tier() -> None:
    assert rules.review(program(tiers=[]), "Gold", {"2026-11": 5000}, NOW) is None


def test_a_calendar_review_on_new_years_day_starts_the_count_again() -> None:
    months = {"2026-03": 7000}
    new_year = datetime(2027, 1, 1, tzinfo=UTC)
    calendar = program(tier_policy={"window": "calendar_year", "fallback": "qualified"})
    rolling = program(tier_policy={"window": "rolling_12_months", "fallback": "qualified"})
    assert rules.review(calendar, "Platinum", months, new_year) == "Bronze"
    assert rules.review(rolling, "Platinum", months, new_year) == "Platinum"


def test_the_next_review_is_keep_days_later_when_rolling() -> None:
    since = datetime(2026, 3, 10, 8, 15, tzinfo=UTC)
    assert rules.next_review(program(), since) == datetime(2027, 3, 10, 8, 15, tzinfo=UTC)
    assert rules.next_review(program(tier_policy={"keep_days": 30}), since) == datetime(2026, 4, 9, 8, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "review_at"),
    [
        (datetime(2026, 6, 15, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-2))), datetime(2028, 1, 1, tzinfo=UTC)),
    ],
)
def test_the_next_calendar_review_is_the_next_first_of_january(since: datetime, review_at: datetime) -> None:
    got = rules.next_review(program(tier_policy={"window": "calendar_year", "keep_days": 30}), since)
    assert got == review_at and got.tzinfo == UTC


@pytest.mark.parametrize(
    ("tier", "points", "expected"),
    [
        ("Bronze", 400, ("Silver", 600)),
        (None, 0, ("Silver", 1000)),
        ("Silver", 2999, ("Gold", 1)),
        ("Silver", 5000, ("Gold", 0)),  # kept above what the status needs: nothing more to reach Gold
        ("Gold", 3000, ("Platinum", 3000)),
        ("Platinum", 10**6, (None, None)),
    ],
)
def test_progress_names_the_next_tier_and_what_is_missing(
    tier: str | None, points: int, expected: tuple[str | None, int | None]
) -> None:
    assert rules.progress(program(), tier, points) == expected


def test_progress_without_tiers_is_nothing() -> None:
    assert rules.progress(program(tiers=[]), None, 100) == (None, None)
    assert rules.progress(program(tiers=[TIERS[0]]), "Bronze", 100) == (None, None)


def test_a_year_of_a_member() -> None:
    """Orders earn, the window fills, status rises with its rewards, and later earns are multiplied."""
    p = program()
    account = Account()
    rewards: list[str] = []
    for day, paid in [(1, 50_000), (2, 60_000), (3, 200_000), (4, 10_000)]:
        at = datetime(2026, 3, day, tzinfo=UTC)
        got = earn(p, "order_paid", at, account, paid=paid, currency="EUR")
        months = rules.add_month(account.months, at, got.points)
        tier, entered = rules.after_earn(p, account, months, at)
        rewards += names(entered)
        account = Account(
            months=months,
            tier=tier,
            tiers_reached=account.tiers_reached | {t.name for t in entered},
            earned_total=account.earned_total + got.points,
        )
    # 500 (Bronze) + 600 (-> Silver) + 2000 x 1.25 = 2500 (-> Gold) + 100 x 1.5 = 150
    assert account.earned_total == 3750
    assert (account.tier, rewards) == ("Gold", ["Silver", "Gold"])
    assert rules.progress(p, account.tier, rules.window_points(p, account.months, NOW)) == ("Platinum", 2250)


# ------------------------------------------------------------------------------------------- FIFO expiry


@pytest.mark.parametrize(
    ("cum_before", "points", "consumed", "left"),
    [(0, 100, 0, 100), (0, 100, 40, 60), (0, 100, 100, 0), (0, 100, 500, 0), (100, 50, 120, 30), (100, 50, 90, 50)],
)
def test_lot_remaining_is_what_lies_above_the_consumed_total(
    cum_before: int, points: int, consumed: int, left: int
) -> None:
    assert rules.lot_remaining(cum_before, points, consumed) == left


@st.composite
def lots_and_consumed(draw: st.DrawFn) -> tuple[list[tuple[int, int]], int, int]:
    sizes = draw(st.lists(st.integers(1, 10_000), max_size=40))
    lots, total = [], 0
    for size in sizes:
        lots.append((total, size))
        total += size
    return lots, total, draw(st.integers(0, total))


@given(lots_and_consumed())
def test_fifo_lots_hold_exactly_the_unconsumed_points(case: tuple[list[tuple[int, int]], int, int]) -> None:
    lots, earned_total, consumed = case
    left = [rules.lot_remaining(cum, points, consumed) for cum, points in lots]
    assert sum(left) == earned_total - consumed
    assert all(0 <= r <= points for r, (_, points) in zip(left, lots, strict=True))
    # oldest first: empty lots, at most one partly used lot, then untouched lots
    states = ["empty" if r == 0 else "full" if r == p else "part" for r, (_, p) in zip(left, lots, strict=True)]
    assert states == sorted(states, key=["empty", "part", "full"].index)
    assert states.count("part") <= 1


def test_expiring_lists_what_is_left_per_day_within_the_horizon() -> None:
    lots = [
        (0, 100, NOW - timedelta(days=1)),  # already expired (the job's business)
        (100, 100, NOW + timedelta(days=3)),  # partly spent: 150 consumed leaves 50
        (200, 70, NOW + timedelta(days=3, hours=5)),  # same UTC day: grouped, earliest instant
        (270, 30, datetime(2026, 11, 27, 13, tzinfo=timezone(timedelta(hours=2)))),  # 11:00 UTC, the earliest
        (300, 40, NOW + timedelta(days=30)),  # exactly at the horizon: included
        (340, 60, NOW + timedelta(days=30, seconds=1)),  # beyond
    ]
    shown = rules.expiring(lots, 150, NOW, 30)
    assert shown == [(150, datetime(2026, 11, 27, 11, tzinfo=UTC)), (40, NOW + timedelta(days=30))]
    assert shown[0][1].tzinfo == UTC


def test_expiring_groups_by_the_utc_day() -> None:
    late = datetime(2026, 11, 28, 0, 30, tzinfo=timezone(timedelta(hours=2)))  # 27 Nov 22:30 UTC
    lots = [(0, 10, datetime(2026, 11, 27, 1, tzinfo=UTC)), (10, 20, late), (30, 5, datetime(2026, 11, 28, tzinfo=UTC))]
    assert rules.expiring(lots, 0, NOW, 30) == [
        (30, datetime(2026, 11, 27, 1, tzinfo=UTC)),
        (5, datetime(2026, 11, 28, tzinfo=UTC)),
    ]


def test_expiring_skips_spent_lots_and_the_present_instant() -> None:
    lots = [(0, 100, NOW + timedelta(days=1)), (100, 50, NOW)]
    assert rules.expiring(lots, 100, NOW, 30) == []
    assert rules.expiring(lots, 0, NOW, 30) == [(100, NOW + timedelta(days=1))]
    assert rules.expiring([], 0, NOW, 30) == []


def test_expiring_days_are_sorted_by_instant_whatever_the_lot_order() -> None:
    lots = [(0, 10, NOW + timedelta(days=9)), (10, 20, NOW + timedelta(days=2)), (30, 30, NOW + timedelta(days=5))]
    assert [p for p, _ in rules.expiring(lots, 0, NOW, 30)] == [20, 30, 10]


@given(lots_and_consumed(), st.lists(st.integers(1, 400), min_size=40, max_size=40), st.integers(0, 400))
def test_expiring_never_shows_more_than_is_left(
    case: tuple[list[tuple[int, int]], int, int], days: list[int], horizon: int
) -> None:
    lots, earned_total, consumed = case
    dated = [(cum, points, NOW + timedelta(days=days[i])) for i, (cum, points) in enumerate(lots)]
    shown = rules.expiring(dated, consumed, NOW, horizon)
    assert sum(p for p, _ in shown) <= earned_total - consumed
    assert all(p > 0 for p, _ in shown)
    assert [at for _, at in shown] == sorted(at for _, at in shown)
    if horizon >= 400:
        assert sum(p for p, _ in shown) == earned_total - consumed


# ------------------------------------------------------------------------------------------- birthdays


@pytest.mark.parametrize(
    ("month", "day", "on", "due"),
    [
        (5, 12, date(2026, 5, 12), True),
        (5, 12, date(2026, 5, 13), False),
        (5, 12, date(2026, 12, 5), False),
        (2, 29, date(2028, 2, 29), True),
        (2, 29, date(2028, 2, 28), False),
        (2, 29, date(2027, 2, 28), True),
        (2, 29, date(2027, 3, 1), False),
        (2, 29, date(2100, 2, 28), True),  # not a leap year
        (2, 29, date(2000, 2, 28), False),  # a leap year
        (2, 28, date(2027, 2, 28), True),
        (2, 28, date(2028, 2, 28), True),
    ],
)
def test_birthday_due(month: int, day: int, on: date, due: bool) -> None:
    assert rules.birthday_due(month, day, on) is due


@given(st.dates(min_value=date(1904, 1, 1), max_value=date(2400, 12, 31)), st.integers(1900, 2399))
def test_every_birthday_comes_exactly_once_a_year(birthday: date, year: int) -> None:
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
    due = [d for d in days if d.year == year and rules.birthday_due(birthday.month, birthday.day, d)]
    assert len(due) == 1


# ------------------------------------------------------------------------------------------- refunds


def test_a_full_refund_takes_every_point_back() -> None:
    assert rules.refund_reversal(120, 12_000, 12_000, 0) == 120
    assert rules.refund_reversal(120, 12_000, 12_000, 120) == 0  # replayed: nothing twice


def test_partial_refunds_add_up_to_the_full_reversal() -> None:
    reversed_ = 0
    taken = []
    for refunded_total in (3_333, 6_666, 10_000):
        now = rules.refund_reversal(99, 10_000, refunded_total, reversed_)
        taken.append(now)
        reversed_ += now
    assert taken == [33, 33, 33]
    assert reversed_ == 99


def test_a_small_refund_may_take_a_point_and_a_replay_takes_nothing() -> None:
    assert rules.refund_reversal(100, 10_000, 1, 0) == 1  # kept 99.99 -> 99
    assert rules.refund_reversal(100, 10_000, 1, 1) == 0


def test_refund_edges() -> None:
    assert rules.refund_reversal(50, 0, 0, 0) == 50  # nothing was paid: nothing is kept
    assert rules.refund_reversal(50, 1_000, 5_000, 0) == 50  # over-refunded: still at most the points
    assert rules.refund_reversal(50, 1_000, -10, 0) == 0
    assert rules.refund_reversal(50, 1_000, 500, 40) == 0  # reversed more than due already: never negative
    assert rules.refund_reversal(0, 1_000, 1_000, 0) == 0


@given(st.integers(0, 10**6), st.lists(st.integers(1, 10**5), min_size=1, max_size=20))
def test_any_sequence_of_partial_refunds_reverses_exactly_the_points(points: int, refunds: list[int]) -> None:
    paid = sum(refunds)
    refunded, reversed_ = 0, 0
    for amount in refunds:
        refunded += amount
        now = rules.refund_reversal(points, paid, refunded, reversed_)
        assert now >= 0
        reversed_ += now
        assert reversed_ == points - points * (paid - refunded) // paid
    assert reversed_ == points
