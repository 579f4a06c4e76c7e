"""Fraud rules: each block and flag of docs/referrals.md with its stable reason code.

Blocks (no reward): self_referral, not_first_order, already_referred, below_minimum.
Flags (rewards recorded pending and held for review): same_ip_as_referrer, ip_reused, disposable_email,
velocity, referrer_cap_reached.
"""

import pytest
from api import uid

from referrals import (
    assert_blocked,
    assert_converted,
    assert_flagged,
    days_ago,
    decision,
    new_email,
    new_ip,
    reward_of,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def program(rf):
    """Minimum 30.00 EUR; at most 2 conversions per IP in 24 h; velocity and cap out of the way."""
    return rf.create_program(
        conversion={"event": "first_order", "min_order_amount": 3000, "currency": "EUR"},
        fraud={"max_conversions_per_ip": 2, "max_conversions_per_hour": 1000, "flag_disposable_emails": True},
        limits={"max_rewarded_per_referrer": None, "period_days": 30},
    )


# -- blocks --------------------------------------------------------------------------------------------


def test_a_referrer_ordering_with_her_own_code_is_a_self_referral(rf, program):
    link = rf.link(program["id"], email=new_email())
    outcome = rf.order_outcome(link["customer_id"], 5000, referral_code=link["code"])
    assert_blocked(outcome, "self_referral")
    counts = rf.counts(link["code"])
    assert (counts["conversions"], counts["blocked"]) == (0, 1), counts
    assert rf.rewards(link["customer_id"]) == []


def test_a_friend_with_the_referrers_gmail_address_written_otherwise_is_a_self_referral(rf, program):
    # Given Jane's link, created with her Gmail address
    tag = uid().lower()
    link = rf.link(program["id"], email=f"Jane.Doe.{tag}@gmail.com")
    # When a "friend" (another customer id) orders with the same mailbox: no dots, a +tag, other case
    outcome = rf.refer(link["code"], email=f"JANEDOE{tag.upper()}+deals@GMail.com")
    # Then it is blocked as a self-referral
    assert_blocked(outcome, "self_referral")


def test_a_friend_with_the_referrers_email_in_another_case_is_a_self_referral(rf, program):
    tag = uid().lower()
    link = rf.link(program["id"], email=f"Max.{tag}@Example.org")
    outcome = rf.refer(link["code"], email=f"max.{tag}@EXAMPLE.ORG")
    assert_blocked(outcome, "self_referral")


def test_a_friend_who_ordered_before_is_not_a_first_order(rf, program):
    # Given a customer who already ordered without any referral
    code = rf.link(program["id"])["code"]
    friend = uid("friend-")
    first = rf.order_outcome(friend, 5000)
    assert first["referral"] is None, first
    # When they order again with a referral code, then it is blocked
    outcome = rf.order_outcome(friend, 5000, referral_code=code)
    assert_blocked(outcome, "not_first_order")
    assert rf.counts(code)["conversions"] == 0


def test_a_friend_who_ordered_before_under_another_id_with_the_same_email_is_not_a_first_order(rf, program):
    # Given a guest order with an email
    code = rf.link(program["id"])["code"]
    local = uid("guest.").lower()
    rf.order_outcome(uid("guest-"), 4000, email=f"{local}@example.org")
    # When the same person, now with an account, orders with a code and the same email (other case)
    outcome = rf.refer(code, customer_id=uid("account-"), email=f"{local.upper()}@Example.org")
    # Then it is blocked: this email ordered before
    assert_blocked(outcome, "not_first_order")


def test_a_friend_already_referred_cannot_be_referred_again(rf, program):
    # Given a friend converted by Anna
    anna = rf.link(program["id"], name="Anna")["code"]
    bob = rf.link(program["id"], name="Bob")["code"]
    friend, email = uid("friend-"), new_email()
    assert_converted(rf.refer(anna, customer_id=friend, email=email), anna)
    # When the same friend orders again with Anna's code, then it is no conversion attempt: Anna's friend's revenue
    assert rf.refer(anna, customer_id=friend, email=email)["referral"] is None
    # But with Bob's code it is a real block on Bob's link (review F7: a harvested customer stays visible)
    outcome = rf.refer(bob, customer_id=friend, email=email)
    assert_blocked(outcome, "already_referred")
    assert rf.counts(bob)["blocked"] == 1
    # And the same email under another customer id is already referred (a block)
    outcome = rf.refer(bob, customer_id=uid("friend-"), email=email)
    assert_blocked(outcome, "already_referred")
    assert rf.counts(bob)["conversions"] == 0
    assert rf.counts(anna)["conversions"] == 1


def test_an_order_below_the_minimum_does_not_convert(rf, program):
    code = rf.link(program["id"])["code"]
    assert_blocked(rf.refer(code, amount=2999), "below_minimum")
    assert_converted(rf.refer(code, amount=3000), code)
    counts = rf.counts(code)
    assert (counts["conversions"], counts["blocked"]) == (1, 1), counts


def test_an_order_in_another_currency_than_the_minimums_does_not_convert(rf, program):
    code = rf.link(program["id"])["code"]
    assert_blocked(rf.refer(code, amount=9000, currency="USD"), "below_minimum")


# -- flags ---------------------------------------------------------------------------------------------


def test_a_friend_ordering_from_the_referrers_ip_is_flagged(rf, program):
    # Given a referrer whose own order came from IP X
    link = rf.link(program["id"])
    ip = new_ip()
    rf.order_outcome(link["customer_id"], 5000, ip=ip)
    # When a friend orders with her code from IP X
    outcome = rf.refer(link["code"], ip=ip)
    # Then the conversion is flagged, both rewards pending and held, nothing paid
    assert_flagged(outcome, "same_ip_as_referrer")
    counts = rf.counts(link["code"])
    assert (counts["conversions"], counts["flagged"]) == (0, 1), counts


def test_a_friend_ordering_from_the_ip_the_link_was_created_from_is_flagged(rf, program):
    ip = new_ip()
    link = rf.link(program["id"], ip=ip, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    outcome = rf.refer(link["code"], ip=ip, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    assert_flagged(outcome, "same_ip_as_referrer")


def test_a_friend_from_another_ip_than_the_referrer_converts(rf, program):
    link = rf.link(program["id"], ip=new_ip())
    rf.order_outcome(link["customer_id"], 5000, ip=new_ip())
    assert_converted(rf.refer(link["code"], ip=new_ip()), link["code"])


def test_more_conversions_from_one_ip_than_allowed_are_flagged(rf, program):
    # Given max_conversions_per_ip = 2, and three friends of three referrers behind one IP
    ip = new_ip()
    codes = [rf.link(program["id"])["code"] for _ in range(3)]
    # Then the first two convert and the third is flagged ip_reused
    assert_converted(rf.refer(codes[0], ip=ip), codes[0])
    assert_converted(rf.refer(codes[1], ip=ip), codes[1])
    outcome = rf.refer(codes[2], ip=ip)
    assert_flagged(outcome, "ip_reused")
    assert decision(outcome)[1] == ["ip_reused"], outcome


def test_a_friend_with_a_disposable_email_is_flagged(rf, program):
    code = rf.link(program["id"])["code"]
    outcome = rf.refer(code, email=new_email(domain="mailinator.com"))
    assert_flagged(outcome, "disposable_email")
    assert decision(outcome)[1] == ["disposable_email"], outcome


def test_disposable_emails_are_not_flagged_when_the_rule_is_off(rf):
    lenient = rf.create_program(fraud={"flag_disposable_emails": False})
    code = rf.link(lenient["id"])["code"]
    assert_converted(rf.refer(code, email=new_email(domain="mailinator.com")), code)


def test_more_conversions_in_an_hour_than_allowed_are_flagged_velocity(rf):
    # Given at most 2 conversions per referrer per hour
    fast = rf.create_program(fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 2})
    code = rf.link(fast["id"])["code"]
    # When three friends convert within the hour, then the third is flagged
    assert_converted(rf.refer(code), code)
    assert_converted(rf.refer(code), code)
    outcome = rf.refer(code)
    assert_flagged(outcome, "velocity")
    assert decision(outcome)[1] == ["velocity"], outcome


def test_a_referrer_over_her_cap_is_flagged(rf):
    # Given a cap of one rewarded referral per referrer
    capped = rf.create_program(limits={"max_rewarded_per_referrer": 1, "period_days": 30})
    anna = rf.link(capped["id"], name="Anna")["code"]
    bob = rf.link(capped["id"], name="Bob")["code"]
    # Then Anna's second conversion is flagged, and Bob (another referrer) is not capped by her
    assert_converted(rf.refer(anna), anna)
    outcome = rf.refer(anna)
    assert_flagged(outcome, "referrer_cap_reached")
    assert decision(outcome)[1] == ["referrer_cap_reached"], outcome
    assert_converted(rf.refer(bob), bob)


def test_the_referrer_cap_counts_within_its_period(rf):
    # Given a cap of one per 30 days: a conversion 45 days ago does not count against one today
    capped = rf.create_program(limits={"max_rewarded_per_referrer": 1, "period_days": 30})
    code = rf.link(capped["id"])["code"]
    assert_converted(rf.refer(code, created_at=days_ago(45)), code)
    assert_converted(rf.refer(code), code)


def test_conversions_from_one_ip_count_within_24_hours(rf, program):
    # Given two conversions from one IP three days ago (max 2 per IP in 24 h)
    ip = new_ip()
    codes = [rf.link(program["id"])["code"] for _ in range(3)]
    for code in codes[:2]:
        assert_converted(rf.refer(code, ip=ip, created_at=days_ago(3)), code)
    # Then a third from that IP today is not flagged
    assert_converted(rf.refer(codes[2], ip=ip), codes[2])


def test_velocity_counts_within_the_clock_hour(rf):
    fast = rf.create_program(fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 2})
    code = rf.link(fast["id"])["code"]
    for _ in range(2):
        assert_converted(rf.refer(code, created_at=days_ago(0.25)), code)  # 6 hours ago
    assert_converted(rf.refer(code), code)


def test_a_flagged_referee_reward_has_no_code_until_reviewed(rf, program):
    code = rf.link(program["id"])["code"]
    friend = uid("friend-")
    outcome = rf.refer(code, customer_id=friend, email=new_email(domain="mailinator.com"))
    assert_flagged(outcome, "disposable_email")
    referee = reward_of(outcome, "referee")
    [stored] = rf.rewards(friend)
    assert stored["id"] == referee["id"]
    assert (stored["status"], stored["held"], stored["coupon_code"]) == ("pending", True, None), stored
