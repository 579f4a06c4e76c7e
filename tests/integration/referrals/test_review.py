"""The review queue: flagged conversions are listed, approved (rewards flow) or rejected (rewards voided)."""

import pytest
from api import assert_error, uid

from referrals import (
    assert_flagged,
    days_ago,
    new_email,
    one,
    parse_ts,
    reward_of,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def program(rf):
    return rf.create_program(fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000})


def flag(rf, program, **order):
    """A friend whose disposable email gets the conversion flagged: (link, friend id, outcome)."""
    link = rf.link(program["id"])
    friend = uid("friend-")
    outcome = rf.refer(link["code"], customer_id=friend, email=new_email(domain="mailinator.com"), **order)
    assert_flagged(outcome, "disposable_email")
    return link, friend, outcome


def test_flagged_conversions_are_listed_for_review(rf, program):
    link, friend, outcome = flag(rf, program)
    conversion_id = outcome["referral"]["conversion_id"]
    queue = rf.conversions(status="flagged", campaign_id=program["id"])
    item = one(queue, id=conversion_id)
    assert item["status"] == "flagged"
    assert item["reasons"] == ["disposable_email"]
    assert item["campaign_id"] == program["id"]
    assert item["code"] == link["code"]
    assert item["referrer_customer_id"] == link["customer_id"]
    assert item["customer_id"] == friend
    assert item["order_id"] == outcome["order_id"]
    assert (item["amount"], item["currency"]) == (5000, "EUR")
    assert sorted(item["reward_ids"]) == sorted(r["id"] for r in outcome["rewards"])
    assert all(c["status"] == "flagged" for c in queue)
    assert all(c["campaign_id"] == program["id"] for c in queue)
    # And any status can be listed: it is not among the converted ones
    assert conversion_id not in {c["id"] for c in rf.conversions(status="converted", campaign_id=program["id"])}


def test_the_queue_pages_with_a_cursor(rf, program):
    for _ in range(3):
        flag(rf, program)
    r = rf.get("/v1/referrals/conversions", params={"status": "flagged", "campaign_id": program["id"], "limit": 2})
    assert r.status_code == 200, r.text
    page = r.json()
    assert len(page["items"]) == 2 and page["next_cursor"], page
    r = rf.get(
        "/v1/referrals/conversions",
        params={"status": "flagged", "campaign_id": program["id"], "limit": 2, "cursor": page["next_cursor"]},
    )
    assert r.status_code == 200, r.text
    assert not {c["id"] for c in r.json()["items"]} & {c["id"] for c in page["items"]}


def test_an_approved_conversion_releases_the_friends_reward_and_keeps_the_referrers_pending(rf, program):
    # Given a flagged conversion
    link, friend, outcome = flag(rf, program)
    conversion_id = outcome["referral"]["conversion_id"]
    referrer_reward = reward_of(outcome, "referrer")
    before = rf.counts(link["code"])
    assert (before["flagged"], before["conversions"]) == (1, 0), before

    # When a reviewer approves it
    r = rf.approve(conversion_id, note="checked by phone")
    # Then it is converted, by review
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["id"] == conversion_id
    assert approved["status"] == "converted"
    assert "approved_by_review" in approved["reasons"], approved
    assert approved["decided_at"], approved

    # And the friend's coupon is released now, with a code
    [coupon] = rf.rewards(friend)
    assert (coupon["status"], coupon["held"]) == ("released", False), coupon
    assert coupon["coupon_code"], coupon
    # And the referrer's credit is pending until its release time, no longer held
    stored = one(rf.rewards(link["customer_id"]), id=referrer_reward["id"])
    assert (stored["status"], stored["held"], stored["coupon_code"]) == ("pending", False, None), stored
    assert parse_ts(stored["release_at"]) > parse_ts(approved["decided_at"]), stored

    # And the counts move from flagged to conversions
    after = rf.counts(link["code"])
    assert (after["flagged"], after["conversions"]) == (0, 1), after
    assert conversion_id not in {c["id"] for c in rf.conversions(status="flagged", campaign_id=program["id"])}
    assert conversion_id in {c["id"] for c in rf.conversions(status="converted", campaign_id=program["id"])}

    # And deciding it again is refused
    assert_error(rf.approve(conversion_id), 409, "conversion_not_flagged")
    assert_error(rf.reject(conversion_id), 409, "conversion_not_flagged")


def test_an_approved_conversion_past_its_holding_period_is_released_by_the_job(rf, program):
    # Given a flagged conversion of an order placed 15 days ago (release_at already passed)
    link, _, outcome = flag(rf, program, created_at=days_ago(15))
    referrer_reward = reward_of(outcome, "referrer")
    # When the job runs before the review, then the held reward stays pending
    rf.release()
    assert one(rf.rewards(link["customer_id"]), id=referrer_reward["id"])["status"] == "pending"
    # When it is approved and the job runs, then the credit is released
    assert rf.approve(outcome["referral"]["conversion_id"]).status_code == 200
    rf.release()
    stored = one(rf.rewards(link["customer_id"]), id=referrer_reward["id"])
    assert stored["status"] == "released", stored
    assert stored["coupon_code"], stored
    assert rf.counts(link["code"])["rewarded"] == 1


def test_a_rejected_conversion_voids_both_rewards(rf, program):
    # Given a flagged conversion of an order placed 15 days ago
    link, friend, outcome = flag(rf, program, created_at=days_ago(15))
    conversion_id = outcome["referral"]["conversion_id"]
    # When a reviewer rejects it
    r = rf.reject(conversion_id, note="same household")
    # Then it is rejected and both rewards are voided
    assert r.status_code == 200, r.text
    rejected = r.json()
    assert rejected["status"] == "rejected"
    assert "rejected_by_review" in rejected["reasons"], rejected
    for customer, role in ((friend, "referee"), (link["customer_id"], "referrer")):
        stored = one(rf.rewards(customer), id=reward_of(outcome, role)["id"])
        assert stored["status"] == "voided", stored
        assert stored["voided_at"], stored
        assert stored["coupon_code"] is None, stored
    counts = rf.counts(link["code"])
    assert (counts["flagged"], counts["conversions"]) == (0, 0), counts
    assert conversion_id in {c["id"] for c in rf.conversions(status="rejected", campaign_id=program["id"])}

    # And the job never releases them
    rf.release()
    assert [x["status"] for x in rf.rewards(link["customer_id"])] == ["voided"]
    assert rf.counts(link["code"])["rewarded"] == 0

    # And deciding it again is refused
    assert_error(rf.reject(conversion_id), 409, "conversion_not_flagged")
    assert_error(rf.approve(conversion_id), 409, "conversion_not_flagged")


def test_a_conversion_that_was_never_flagged_cannot_be_decided(rf, program):
    code = rf.link(program["id"])["code"]
    outcome = rf.refer(code)
    assert outcome["referral"]["status"] == "converted", outcome
    assert_error(rf.approve(outcome["referral"]["conversion_id"]), 409, "conversion_not_flagged")
    assert_error(rf.reject(outcome["referral"]["conversion_id"]), 409, "conversion_not_flagged")


def test_deciding_an_unknown_conversion_is_404(rf):
    assert_error(rf.approve(f"cnv_{uid().lower()}"), 404, "not_found")
    assert_error(rf.reject(f"cnv_{uid().lower()}"), 404, "not_found")


def test_a_refunded_flagged_conversion_voids_its_held_rewards_and_leaves_the_queue(rf, program):
    # Given a flagged conversion
    link, friend, outcome = flag(rf, program)
    conversion_id = outcome["referral"]["conversion_id"]
    # When the order is refunded in full before anyone reviewed it
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    assert r.json()["conversion_voided"] is True, r.json()
    # Then both held rewards are voided, and it is no longer waiting for review
    for customer, role in ((friend, "referee"), (link["customer_id"], "referrer")):
        assert one(rf.rewards(customer), id=reward_of(outcome, role)["id"])["status"] == "voided"
    assert rf.counts(link["code"])["flagged"] == 0
    assert conversion_id not in {c["id"] for c in rf.conversions(status="flagged", campaign_id=program["id"])}
    assert_error(rf.approve(conversion_id), 409, "conversion_not_flagged")
