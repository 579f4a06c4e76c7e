"""Re-engagement rules (docs/messages.md): who gets which message, when, on which channel — pure functions."""

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passaparola.messages import rules
from passaparola.messages.models import ReengagementProgram
from passaparola.messages.rules import Decision, Recipient

NOW = datetime(2026, 6, 15, 10, tzinfo=UTC)
EMAIL = {"subject": "Hi", "body": "<p>Hi</p>"}
SMS = {"body": "Hi"}


def program(**fields: Any) -> ReengagementProgram:
    body: dict[str, Any] = {"trigger": {"type": "welcome"}, "messages": {"email": {"en": EMAIL}}} | fields
    return ReengagementProgram.model_validate(body)


def who(**fields: Any) -> Recipient:
    base: dict[str, Any] = {
        "customer_id": "cus_1",
        "email": "a@example.com",
        "phone": "+393331234567",
        "locale": "en",
        "country": "IT",
        "consent": frozenset({"email", "sms"}),
    }
    return Recipient(**(base | fields))


def add_months(day: date, months: int) -> date:
    """The `months`-month anniversary of `day`, clamped to the end of a shorter month."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ------------------------------------------------------------------------------------------ message_id


def test_message_id_is_deterministic_and_names_campaign_customer_and_occasion():
    first = rules.message_id("cmp_1", "cus_1", "welcome")
    assert first == rules.message_id("cmp_1", "cus_1", "welcome")
    assert first.startswith("msg_") and len(first) == 4 + 32
    others = {
        rules.message_id("cmp_2", "cus_1", "welcome"),
        rules.message_id("cmp_1", "cus_2", "welcome"),
        rules.message_id("cmp_1", "cus_1", "birthday:2026"),
    }
    assert first not in others and len(others) == 3


def test_message_id_parts_cannot_run_into_each_other():
    # a naive concatenation would make ("cmp_1", "1x") and ("cmp_11", "x") the same message
    assert rules.message_id("cmp_1", "1x", "o") != rules.message_id("cmp_11", "x", "o")


@settings(max_examples=200)
@given(
    st.tuples(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=20)),
    st.tuples(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=20)),
)
def test_message_ids_differ_for_different_triples(a, b):
    if "\n" in "".join(a + b):
        return  # the separator itself
    assert (rules.message_id(*a) == rules.message_id(*b)) == (a == b)


# ------------------------------------------------------------------------------------------- window


def test_in_window_is_enabled_and_between_starts_at_inclusive_and_ends_at_exclusive():
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)
    p = program(starts_at=start.isoformat(), ends_at=end.isoformat())
    assert not rules.in_window(p, True, start - timedelta(seconds=1))
    assert rules.in_window(p, True, start)
    assert rules.in_window(p, True, end - timedelta(seconds=1))
    assert not rules.in_window(p, True, end)
    assert not rules.in_window(p, False, start + timedelta(days=1))
    assert rules.in_window(program(), True, NOW)
    assert not rules.in_window(program(), False, NOW)


# -------------------------------------------------------------------------------------------- days


@pytest.mark.parametrize(
    ("now", "timezone", "expected"),
    [
        (datetime(2026, 6, 15, 21, 59, tzinfo=UTC), "Europe/Rome", date(2026, 6, 15)),
        (datetime(2026, 6, 15, 22, 0, tzinfo=UTC), "Europe/Rome", date(2026, 6, 16)),  # CEST, UTC+2
        (datetime(2026, 1, 15, 22, 59, tzinfo=UTC), "Europe/Rome", date(2026, 1, 15)),
        (datetime(2026, 1, 15, 23, 0, tzinfo=UTC), "Europe/Rome", date(2026, 1, 16)),  # CET, UTC+1
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "Europe/Rome", date(2026, 3, 29)),  # the night DST starts
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), "Europe/Rome", date(2026, 3, 29)),
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), "Europe/Rome", date(2026, 3, 30)),
        (datetime(2026, 10, 24, 21, 59, tzinfo=UTC), "Europe/Rome", date(2026, 10, 24)),  # the night DST ends
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "Europe/Rome", date(2026, 10, 25)),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "Europe/Rome", date(2026, 10, 26)),
        (datetime(2026, 6, 16, 3, 0, tzinfo=UTC), "America/New_York", date(2026, 6, 15)),
        (datetime(2026, 6, 15, 12, 0, tzinfo=UTC), "Pacific/Kiritimati", date(2026, 6, 16)),  # UTC+14
        (datetime(2026, 6, 15, 23, 0, tzinfo=UTC), "UTC", date(2026, 6, 15)),
    ],
)
def test_local_day_is_the_shops_calendar_day(now, timezone, expected):
    assert rules.local_day(now, timezone) == expected


def test_days_to_run_after_yesterday_is_today():
    today = date(2026, 5, 10)
    assert rules.days_to_run(today - timedelta(days=1), today) == [today]


def test_days_to_run_catches_up_missed_days():
    today = date(2026, 5, 10)
    assert rules.days_to_run(date(2026, 5, 7), today) == [date(2026, 5, 8), date(2026, 5, 9), today]


def test_days_to_run_catches_up_at_most_a_week():
    today = date(2026, 5, 10)
    days = rules.days_to_run(date(2026, 3, 1), today)
    assert len(days) == rules.CATCH_UP_DAYS == 7
    assert days == [today - timedelta(days=n) for n in range(6, -1, -1)]
    assert rules.days_to_run(None, today) == days  # never run: the same week


def test_days_to_run_a_second_time_the_same_day_covers_today_again():
    today = date(2026, 5, 10)
    assert rules.days_to_run(today, today) == [today]


def test_days_to_run_with_a_checkpoint_in_the_future_covers_today_only():
    today = date(2026, 5, 10)
    assert rules.days_to_run(today + timedelta(days=30), today) == [today]


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(-400, 40))
def test_days_to_run_is_consecutive_ends_today_and_is_at_most_a_week(today, back):
    days = rules.days_to_run(today - timedelta(days=back), today)
    assert days[-1] == today
    assert 1 <= len(days) <= 7
    assert all(b - a == timedelta(days=1) for a, b in zip(days, days[1:], strict=False))
    if back >= 1:
        assert days[0] == max(today - timedelta(days=back - 1), today - timedelta(days=6))


def test_month_day_keys_on_28_february_of_a_common_year_adds_29_february():
    assert rules.month_day_keys("birthday", date(2027, 2, 28)) == ["birthday#02-28", "birthday#02-29"]
    assert rules.month_day_keys("birthday", date(2028, 2, 28)) == ["birthday#02-28"]
    assert rules.month_day_keys("birthday", date(2028, 2, 29)) == ["birthday#02-29"]
    assert rules.month_day_keys("signup", date(2027, 3, 1)) == ["signup#03-01"]
    assert rules.month_day_keys("signup", date(2027, 12, 31)) == ["signup#12-31"]


@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)))
def test_every_month_day_is_read_exactly_once_a_year(day):
    """Over a whole year each MM-DD key (29 February included) is read on exactly one day."""
    start = date(day.year, 1, 1)
    seen: dict[str, int] = {}
    for n in range(366 if calendar.isleap(day.year) else 365):
        for key in rules.month_day_keys("b", start + timedelta(days=n)):
            seen[key] = seen.get(key, 0) + 1
    assert len(seen) == 366 and set(seen.values()) == {1}


# ------------------------------------------------------------------------------------ months_before


def test_months_before_a_plain_day():
    assert rules.months_before(date(2026, 9, 15), 6) == [date(2026, 3, 15)]
    assert rules.months_before(date(2027, 1, 10), 2) == [date(2026, 11, 10)]
    assert rules.months_before(date(2027, 1, 10), 24) == [date(2025, 1, 10)]


def test_months_before_a_month_end_takes_the_longer_months_tail():
    assert rules.months_before(date(2027, 2, 28), 6) == [date(2026, 8, d) for d in (28, 29, 30, 31)]
    assert rules.months_before(date(2028, 2, 29), 1) == [date(2028, 1, d) for d in (29, 30, 31)]
    assert rules.months_before(date(2025, 2, 28), 12) == [date(2024, 2, 28), date(2024, 2, 29)]
    assert rules.months_before(date(2026, 4, 30), 1) == [date(2026, 3, 30), date(2026, 3, 31)]


def test_months_before_a_day_the_shorter_source_month_lacks_is_nobodys_anniversary():
    assert rules.months_before(date(2026, 3, 29), 1) == []
    assert rules.months_before(date(2026, 3, 30), 1) == []


def test_months_before_a_month_end_after_a_shorter_month_is_empty():
    assert rules.months_before(date(2026, 3, 31), 1) == []  # 2026-02-28's anniversary is 2026-03-28


@pytest.mark.parametrize("months", [1, 6, 12, 24])
def test_every_order_day_is_found_on_its_anniversary(months):
    for n in range(366 * 2):
        ordered = date(2027, 1, 1) + timedelta(days=n)
        assert ordered in rules.months_before(add_months(ordered, months), months), (ordered, months)


@pytest.mark.parametrize("months", [1, 6, 12, 24])
def test_every_order_day_is_found_on_exactly_one_day(months):
    first = date(2027, 1, 1)
    found: dict[date, list[date]] = {}
    for n in range(366 * 5):
        day = first + timedelta(days=n)
        for ordered in rules.months_before(day, months):
            found.setdefault(ordered, []).append(day)
    twice = {d: days for d, days in found.items() if len(days) > 1}
    assert twice == {}


@settings(max_examples=300)
@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(1, 24))
def test_months_before_returns_only_days_of_one_month_that_far_back(day, months):
    found = rules.months_before(day, months)
    assert len(found) <= 4
    for ordered in found:
        assert (day.year * 12 + day.month) - (ordered.year * 12 + ordered.month) == months
        # the anniversary of each one is `day`, or (the known month-end case) no later than it
        assert add_months(ordered, months) <= day


# ------------------------------------------------------------------------------------------ locales


@pytest.mark.parametrize(
    ("customer", "default", "available", "expected"),
    [
        ("fr-FR", None, {"fr-FR", "fr"}, "fr-FR"),
        ("fr-FR", None, {"fr", "en"}, "fr"),
        ("fr", None, {"fr-FR"}, None),  # a language does not pick one of its regions
        ("fr-FR", "en", {"en"}, None),  # French shoppers never get the English offer
        ("de", "en", {"en", "it"}, None),
        (None, "en", {"en", "it"}, "en"),
        (None, "it-IT", {"it"}, "it"),
        (None, None, {"en"}, None),
        ("it", None, set(), None),
    ],
)
def test_pick_locale(customer, default, available, expected):
    assert rules.pick_locale(customer, default, available) == expected


# ------------------------------------------------------------------------------------------ variants


def _variants(*weights: int) -> ReengagementProgram:
    return program(
        messages=None,
        variants=[
            {"name": f"V{n}", "weight": w, "messages": {"email": {"en": {"subject": f"V{n}", "body": "b"}}}}
            for n, w in enumerate(weights)
        ],
    )


def test_pick_variant_without_variants_is_the_campaigns_messages():
    p = program()
    assert rules.pick_variant(p, "cmp_1", "cus_1") == (None, p.messages)


def test_pick_variant_is_stable_and_its_messages_are_the_variants():
    p = _variants(1, 1, 1)
    name, messages = rules.pick_variant(p, "cmp_1", "cus_7")
    assert all(rules.pick_variant(p, "cmp_1", "cus_7")[0] == name for _ in range(5))
    assert name is not None and messages.email["en"].subject == name


def test_pick_variant_follows_the_weights():
    p = _variants(1, 3)
    picks = [rules.pick_variant(p, "cmp_1", f"cus_{n}")[0] for n in range(4000)]
    share = picks.count("V1") / len(picks)
    assert 0.72 < share < 0.78


def test_pick_variant_depends_on_the_campaign_too():
    p = _variants(1, 1)
    a = [rules.pick_variant(p, "cmp_a", f"cus_{n}")[0] for n in range(200)]
    b = [rules.pick_variant(p, "cmp_b", f"cus_{n}")[0] for n in range(200)]
    assert a != b


# ------------------------------------------------------------------------------------------- decide


def test_decide_a_plain_customer_gets_email_in_their_locale():
    assert rules.decide(program(), "cmp_1", who(), NOW) == Decision("email", "en", None, "a@example.com")


@pytest.mark.parametrize(
    ("countries", "country", "expected"),
    [(["IT"], "IT", True), (["IT", "FR"], "FR", True), (["IT"], "FR", False), (["IT"], None, False), ([], None, True)],
)
def test_decide_countries(countries, country, expected):
    outcome = rules.decide(program(audience={"countries": countries}), "cmp_1", who(country=country), NOW)
    assert isinstance(outcome, Decision) if expected else outcome == "country"


@pytest.mark.parametrize(
    ("locales", "locale", "default", "expected"),
    [
        (["fr"], "fr-FR", None, "fr"),  # fr-FR matches fr
        (["fr"], "fr", None, "fr"),
        (["fr-FR"], "fr", None, "locale"),
        (["fr"], "en", None, "locale"),
        (["fr"], None, None, "locale"),
        (["fr"], None, "fr", "fr"),  # no locale: the default's
        ([], "fr-FR", None, "fr"),
    ],
)
def test_decide_locales(locales, locale, default, expected):
    p = program(audience={"locales": locales}, default_locale=default, messages={"email": {"fr": EMAIL, "en": EMAIL}})
    outcome = rules.decide(p, "cmp_1", who(locale=locale), NOW)
    assert (outcome.locale if isinstance(outcome, Decision) else outcome) == expected


def test_decide_a_locale_without_a_template_gets_nothing_not_another_language():
    p = program(messages={"email": {"en": EMAIL}})
    assert rules.decide(p, "cmp_1", who(locale="fr-FR"), NOW) == "no_template_for_locale"
    assert rules.decide(program(default_locale="en"), "cmp_1", who(locale="fr"), NOW) == "no_template_for_locale"
    assert isinstance(rules.decide(program(default_locale="en"), "cmp_1", who(locale=None), NOW), Decision)
    assert rules.decide(program(), "cmp_1", who(locale=None), NOW) == "no_template_for_locale"


def test_decide_segments_any_of_and_exclusions():
    p = program(audience={"segments": ["vip", "loyal"], "exclude_segments": ["churned"]})
    assert isinstance(rules.decide(p, "c", who(segments=frozenset({"loyal"})), NOW), Decision)
    assert isinstance(rules.decide(p, "c", who(segments=frozenset({"vip", "loyal", "x"})), NOW), Decision)
    assert rules.decide(p, "c", who(segments=frozenset({"x"})), NOW) == "segment"
    assert rules.decide(p, "c", who(segments=frozenset()), NOW) == "segment"
    assert rules.decide(p, "c", who(segments=frozenset({"vip", "churned"})), NOW) == "excluded_segment"
    only_exclude = program(audience={"exclude_segments": ["churned"]})
    assert isinstance(rules.decide(only_exclude, "c", who(), NOW), Decision)
    assert rules.decide(only_exclude, "c", who(segments=frozenset({"churned"})), NOW) == "excluded_segment"


def test_decide_frequency_cap_counts_recent_sends_of_any_campaign_within_the_days():
    p = program(audience={"frequency_cap": {"messages": 2, "days": 7}})
    two_recent = (NOW - timedelta(days=1), NOW - timedelta(days=6, hours=23))
    assert rules.decide(p, "c", who(recent=two_recent), NOW) == "frequency_cap"
    one_old = (NOW - timedelta(days=8), NOW - timedelta(days=1))
    assert isinstance(rules.decide(p, "c", who(recent=one_old), NOW), Decision)
    exactly_at_edge = (NOW - timedelta(days=7), NOW - timedelta(days=1))
    assert isinstance(rules.decide(p, "c", who(recent=exactly_at_edge), NOW), Decision)
    assert isinstance(rules.decide(program(), "c", who(recent=two_recent * 10), NOW), Decision)  # no cap


def test_decide_takes_the_first_channel_the_customer_can_receive():
    both = program(audience={"channels": ["sms", "email"]}, messages={"email": {"en": EMAIL}, "sms": {"en": SMS}})
    assert rules.decide(both, "c", who(), NOW) == Decision("sms", "en", None, "+393331234567")
    assert rules.decide(both, "c", who(consent=frozenset({"email"})), NOW) == Decision(
        "email", "en", None, "a@example.com"
    )
    assert rules.decide(both, "c", who(phone=None), NOW) == Decision("email", "en", None, "a@example.com")
    sms_template_fr_only = program(
        audience={"channels": ["sms", "email"]}, messages={"email": {"en": EMAIL}, "sms": {"fr": SMS}}
    )
    assert rules.decide(sms_template_fr_only, "c", who(), NOW) == Decision("email", "en", None, "a@example.com")


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [
        ({"consent": frozenset()}, "consent"),
        ({"consent": frozenset({"sms"})}, "consent"),  # sms is not among the campaign's channels
        ({"email": None}, "no_address"),
        ({"email": None, "consent": frozenset({"email"})}, "no_address"),
        ({"locale": "de"}, "no_template_for_locale"),
    ],
)
def test_decide_reasons_for_no_channel(recipient, expected):
    assert rules.decide(program(), "c", who(**recipient), NOW) == expected


def test_decide_reason_over_two_channels_is_the_furthest_the_customer_got():
    both = program(audience={"channels": ["email", "sms"]}, messages={"email": {"en": EMAIL}, "sms": {"en": SMS}})
    assert rules.decide(both, "c", who(consent=frozenset()), NOW) == "consent"
    assert rules.decide(both, "c", who(email=None, consent=frozenset({"email"})), NOW) == "no_address"
    assert rules.decide(both, "c", who(email=None, phone=None), NOW) == "no_address"
    assert rules.decide(both, "c", who(locale="de"), NOW) == "no_template_for_locale"


def test_decide_order_of_checks_country_before_consent():
    p = program(audience={"countries": ["FR"]})
    assert rules.decide(p, "c", who(consent=frozenset()), NOW) == "country"


def test_decide_variant_is_reported_with_its_templates():
    p = program(
        messages=None,
        variants=[
            {"name": "A", "messages": {"email": {"en": EMAIL}}},
            {"name": "B", "messages": {"email": {"fr": EMAIL}}},
        ],
    )
    for n in range(40):
        variant, _ = rules.pick_variant(p, "c", f"cus_{n}")
        outcome = rules.decide(p, "c", who(customer_id=f"cus_{n}"), NOW)
        if variant == "A":
            assert outcome == Decision("email", "en", "A", "a@example.com")
        else:
            assert outcome == "no_template_for_locale"  # B has only French


# ------------------------------------------------------------------------------------ bookkeeping


def test_remember_adds_now_and_keeps_at_most_100_within_a_year():
    old = tuple(NOW - timedelta(days=400 - n) for n in range(30))  # 30 older than a year
    recent = tuple(NOW - timedelta(days=300) + timedelta(hours=n) for n in range(150))
    kept = rules.remember(old + recent, NOW)
    assert len(kept) == rules.RECENT_KEPT == 100
    assert kept[-1] == NOW
    assert all(t > NOW - timedelta(days=365) for t in kept)
    assert kept[:-1] == list(recent[-99:])
    assert rules.remember((), NOW) == [NOW]


def test_favourite_is_the_category_with_most_units_ties_alphabetical():
    assert rules.favourite({}) is None
    assert rules.favourite({"shoes": 3, "bags": 5}) == "bags"
    assert rules.favourite({"shoes": 5, "bags": 5}) == "bags"


def test_backoff_is_base_times_four_to_the_attempt_and_capped_at_12_hours():
    assert [rules.backoff_seconds(a, 60) for a in (1, 2, 3, 4)] == [60, 240, 960, 3840]
    assert rules.backoff_seconds(0, 60) == 60
    assert rules.backoff_seconds(10, 60) == 43_200
    assert rules.backoff_seconds(4, 1) == 64


@pytest.mark.parametrize("code", ["Throttling", "ThrottlingException", "ServiceUnavailable", "connect", "client"])
def test_refusals_are_retried(code):
    assert rules.transient(code)
    assert not rules.ambiguous(code, 503 if code == "ServiceUnavailable" else 400)


@pytest.mark.parametrize("code", ["MessageRejected", "MailFromDomainNotVerified", "InvalidParameter", "no_sender"])
def test_permanent_errors(code):
    assert not rules.transient(code)
    assert not rules.ambiguous(code, 400)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("timeout", None),
        ("connection_closed", None),
        ("connection", None),
        ("InternalFailure", 500),
        ("InternalError", 500),
        ("SomethingNew", 502),
        ("RequestTimeoutException", 408),
    ],
)
def test_an_answer_that_may_follow_an_acceptance_is_ambiguous_never_retried(code, status):
    assert rules.ambiguous(code, status)
    assert not rules.transient(code)
