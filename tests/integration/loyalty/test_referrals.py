"""Referrals and loyalty together: a referrer earns the `referral` rule's points (300) when their referral is
rewarded, a referral program's `points` reward lands in the loyalty balance, and the customer facts know who
referred whom."""

import pytest
from referrals import RELEASE_JOB, Referrals, assert_converted, new_email, new_ip

from loyalty import cid, entered, where

pytestmark = pytest.mark.integration


def test_a_rewarded_referral_earns_the_referrer_points_and_makes_them_an_ambassador(lo, program, clock):
    rf = Referrals(lo.stack)
    start = clock.now
    # Given a referral program paying the referrer 250 points after 14 days
    referral_program = rf.create_program(
        referrer_reward={"type": "points", "points": 250},
        tiers=[],
        fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    )
    anna = cid("anna-")
    link = rf.link(referral_program["id"], anna, name="Anna")
    # When a friend places a first order of 50.00 EUR with Anna's code
    friend = cid("friend-")
    outcome = rf.order_outcome(friend, 5000, referral_code=link["code"], email=new_email(), ip=new_ip())
    assert_converted(outcome, link["code"])
    # Then Anna is an ambassador at once, and the facts say who referred whom
    assert "ambassadors" in lo.customer(anna)["segments"]
    assert len(entered(lo.changes(start, anna), "ambassadors")) == 1
    assert lo.customer(anna)["facts"]["referrals_converted"] == 1
    friend_facts = lo.customer(friend)["facts"]
    assert friend_facts["referred"] is True
    assert friend_facts["referred_by"] == link["code"]
    assert friend_facts["referred_by_customer_id"] == anna
    # And the friend earns the order's points (pending) and has the welcome coupon in their wallet
    assert lo.moves(friend) == [("pend", 50, 0)]
    friend_coupons = lo.wallet(friend)["coupons"]
    assert len(friend_coupons) == 1 and friend_coupons[0]["source"] == "referral", friend_coupons
    # And Anna's wallet shows the conversion, nothing rewarded yet, no points
    referral = lo.wallet(anna)["referral"]
    assert (referral["code"], referral["conversions"], referral["rewarded"]) == (link["code"], 1, 0)
    assert lo.status(anna)["balance"] == 0

    # When the holding period ends and the release job runs
    clock.advance(days=15)
    lo.stack.run_job(RELEASE_JOB)
    # Then Anna has the program's 250 points and the loyalty rule's 300
    earns = where(lo.ledger(anna), type="earn")
    assert sorted(e["points"] for e in earns) == [250, 300]
    assert lo.status(anna)["balance"] == 550
    assert lo.wallet(anna)["referral"]["rewarded"] == 1
    # And a second run pays nothing twice
    lo.stack.run_job(RELEASE_JOB)
    assert lo.status(anna)["balance"] == 550
    # And the friend's points are released by the daily job as usual
    lo.daily()
    assert lo.status(friend)["balance"] == 50


def test_a_referral_refunded_before_release_earns_the_referrer_nothing(lo, program, clock):
    rf = Referrals(lo.stack)
    referral_program = rf.create_program(
        referrer_reward={"type": "points", "points": 250},
        tiers=[],
        fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    )
    bea = cid("bea-")
    link = rf.link(referral_program["id"], bea, name="Bea")
    friend = cid("friend-")
    outcome = rf.order_outcome(friend, 5000, referral_code=link["code"], email=new_email(), ip=new_ip())
    assert_converted(outcome, link["code"])
    clock.tick()
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    clock.advance(days=15)
    lo.stack.run_job(RELEASE_JOB)
    lo.daily()
    assert lo.status(bea)["balance"] == 0
    assert where(lo.ledger(bea), type="earn") == []
    friend_status = lo.status(friend)
    assert (friend_status["balance"], friend_status["pending"]) == (0, 0)


def test_a_referral_refunded_after_release_takes_back_the_referrers_points(lo, program, clock):
    rf = Referrals(lo.stack)
    referral_program = rf.create_program(
        referrer_reward={"type": "points", "points": 250},
        tiers=[],
        fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    )
    cleo = cid("cleo-")
    link = rf.link(referral_program["id"], cleo, name="Cleo")
    friend = cid("friend-")
    outcome = rf.order_outcome(friend, 5000, referral_code=link["code"], email=new_email(), ip=new_ip())
    assert_converted(outcome, link["code"])
    clock.advance(days=15)
    lo.stack.run_job(RELEASE_JOB)
    assert lo.status(cleo)["balance"] == 550  # the program's 250 and the loyalty rule's 300
    # When the friend's order is refunded in full after the release
    clock.tick()
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    # Then both go back, and the wallet no longer counts the referral as rewarded
    assert lo.status(cleo)["balance"] == 0
    assert sorted(e["points"] for e in where(lo.ledger(cleo), type="reverse")) == [-300, -250]
    referral = lo.wallet(cleo)["referral"]
    assert (referral["conversions"], referral["rewarded"]) == (0, 0)
