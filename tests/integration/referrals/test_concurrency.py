"""Replays and concurrency: an order id counts once however often and however concurrently it is sent;
concurrent friends lose no counter; the release job pays each reward and each tier exactly once."""

import pytest
from api import uid

from referrals import RELEASE_JOB, assert_converted, days_ago, in_parallel, new_email, new_ip, where

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def program(rf):
    """Tiers at 3 and 5 rewarded referrals; velocity and IP rules out of the way for crowds of friends."""
    return rf.create_program(
        tiers=[
            {"referrals": 3, "reward": {"type": "points", "points": 500}},
            {"referrals": 5, "reward": {"type": "points", "points": 1500}},
        ],
        fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    )


def funnel_total(rf, campaign_id):
    return rf.report("funnel", campaign_id=campaign_id)["totals"]


def test_the_same_order_twice_answers_the_first_outcome_and_counts_once(rf, program):
    # Given a friend's converted order
    link = rf.link(program["id"])
    code = link["code"]
    order_id, friend, email = uid("ord_"), uid("friend-"), new_email()
    first = rf.place_order(friend, 5000, referral_code=code, email=email, order_id=order_id)
    assert first.status_code == 201, first.text
    assert_converted(first.json(), code)
    counts, funnel = rf.counts(code), funnel_total(rf, program["id"])
    rewards = rf.rewards(link["customer_id"])

    # When the shop sends it again (a retry), then 200 with the identical outcome
    again = rf.place_order(friend, 5000, referral_code=code, email=email, order_id=order_id)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    # And even with another body, the first outcome, unchanged
    changed = rf.place_order(uid("friend-"), 9900, referral_code=code, order_id=order_id)
    assert changed.status_code == 200, changed.text
    assert changed.json() == first.json()

    # And nothing is counted twice
    assert rf.counts(code) == counts
    assert rf.counts(code)["conversions"] == 1
    assert funnel_total(rf, program["id"]) == funnel
    assert rf.rewards(link["customer_id"]) == rewards
    assert len(rf.rewards(friend)) == 1
    assert rf.get_order(order_id).json() == first.json()


def test_concurrent_replays_of_one_order_make_one_conversion(rf, program):
    link = rf.link(program["id"])
    code = link["code"]
    order_id, friend, email = uid("ord_"), uid("friend-"), new_email()
    ip = new_ip()

    responses = in_parallel(
        lambda _: rf.place_order(friend, 5000, referral_code=code, email=email, order_id=order_id, ip=ip),
        range(10),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201], [(r.status_code, r.text[:300]) for r in responses]
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies), bodies
    assert_converted(bodies[0], code)
    assert rf.counts(code)["conversions"] == 1
    assert len(rf.rewards(link["customer_id"])) == 1
    assert len(rf.rewards(friend)) == 1


def test_concurrent_orders_with_one_idempotency_key_convert_once_and_answer_the_same(rf, program):
    # the key's record rides the order's transaction: one request commits, the others replay its answer
    link = rf.link(program["id"])
    code = link["code"]
    order_id, friend, email, ip, key = uid("ord_"), uid("friend-"), new_email(), new_ip(), uid("k-")

    responses = in_parallel(
        lambda _: rf.place_order(
            friend, 5000, referral_code=code, email=email, order_id=order_id, ip=ip, idempotency_key=key
        ),
        range(8),
    )
    answers = [(r.status_code, r.headers.get("Idempotent-Replayed")) for r in responses]
    assert sorted(answers) == [(201, "false")] + [(201, "true")] * 7, [(r.status_code, r.text[:300]) for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert_converted(responses[0].json(), code)
    assert rf.counts(code)["conversions"] == 1
    assert len(rf.rewards(link["customer_id"])) == 1
    assert len(rf.rewards(friend)) == 1


def test_concurrent_orders_with_a_coupon_and_one_idempotency_key_redeem_once_and_answer_the_same(rf, program):
    # the coupon's transaction checks the key's record (absent or this body's), the order's holds it
    link = rf.link(program["id"])
    code = link["code"]
    coupon = rf.create_code(rf.create_campaign()["id"])
    order_id, friend, email, ip, key = uid("ord_"), uid("friend-"), new_email(), new_ip(), uid("k-")

    responses = in_parallel(
        lambda _: rf.place_order(
            friend,
            5000,
            referral_code=code,
            email=email,
            order_id=order_id,
            ip=ip,
            idempotency_key=key,
            coupon_code=coupon,
        ),
        range(6),
    )
    answers = [(r.status_code, r.headers.get("Idempotent-Replayed")) for r in responses]
    assert sorted(answers) == [(201, "false")] + [(201, "true")] * 5, [(r.status_code, r.text[:300]) for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert responses[0].json()["coupon"]["redeemed"] is True
    assert rf.code(coupon)["redemptions"] == 1
    assert rf.counts(code)["conversions"] == 1

    other = rf.place_order(uid("friend-"), 5000, idempotency_key=key, coupon_code=coupon)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    assert rf.code(coupon)["redemptions"] == 1


def test_concurrent_first_orders_of_one_friend_convert_once(rf, program):
    # Two different orders of one new friend at the same moment: only one can be her first order
    link = rf.link(program["id"])
    code = link["code"]
    friend, email = uid("friend-"), new_email()
    responses = in_parallel(lambda _: rf.place_order(friend, 5000, referral_code=code, email=email), range(6))
    assert all(r.status_code == 201 for r in responses), [(r.status_code, r.text[:300]) for r in responses]
    # the others are later orders of a friend the program converted: no conversion attempt, nothing blocked
    statuses = sorted(str(r.json()["referral"] and r.json()["referral"]["status"]) for r in responses)
    assert statuses == ["None"] * 5 + ["converted"], [r.json()["referral"] for r in responses]
    assert rf.counts(code)["blocked"] == 0
    assert rf.counts(code)["conversions"] == 1
    assert len(rf.rewards(friend)) == 1


def test_ten_friends_at_once_then_concurrent_release_jobs_pay_each_reward_and_tier_once(rf, stack, program):
    # Given a referrer and ten friends whose orders (placed 15 days ago) arrive all at once
    link = rf.link(program["id"])
    code, referrer = link["code"], link["customer_id"]
    outcomes = in_parallel(lambda _: rf.refer(code, created_at=days_ago(15)), range(10))
    # Then ten conversions, no counter lost
    for outcome in outcomes:
        assert_converted(outcome, code)
    assert len({o["referral"]["conversion_id"] for o in outcomes}) == 10
    counts = rf.counts(code)
    assert (counts["conversions"], counts["flagged"], counts["blocked"]) == (10, 0, 0), counts
    assert len(where(rf.rewards(referrer), role="referrer", status="pending")) == 10

    # When two release jobs run at the same time
    in_parallel(lambda _: stack.run_job(RELEASE_JOB), range(2))
    # Then each credit is released once, with its own gift-card code
    mine = rf.rewards(referrer)
    credits = where(mine, role="referrer")
    assert [c["status"] for c in credits] == ["released"] * 10, credits
    assert len({c["coupon_code"] for c in credits}) == 10
    assert rf.counts(code)["rewarded"] == 10
    # And each tier once
    tiers = sorted((t["tier"], t["points"], t["status"]) for t in where(mine, role="tier"))
    assert tiers == [(3, 500, "released"), (5, 1500, "released")], tiers
    ledger = rf.ledger(referrer)
    for credit in credits:
        assert [e["event"] for e in where(ledger, reward_id=credit["id"])].count("released") == 1

    # And the rewards page through with a cursor to the same 12, newest first
    paged, cursor = [], None
    for _ in range(10):
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = rf.get(f"/v1/customers/{referrer}/rewards", params=params).json()
        assert len(page["items"]) <= 5, page
        paged += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert [x["id"] for x in paged] == [x["id"] for x in mine], "pages differ from the full list"
    assert len(paged) == 12

    # When the job runs again, then nothing changes
    rf.release()
    assert sorted(rf.rewards(referrer), key=lambda x: x["id"]) == sorted(mine, key=lambda x: x["id"])
    assert rf.ledger(referrer) == ledger
    # And the funnel and leaderboard count all ten
    assert funnel_total(rf, program["id"])["friends"]["rewarded"] == 10
    board = rf.report("leaderboard", campaign_id=program["id"], period="all")
    assert [(e["code"], e["conversions"]) for e in board["items"] if e["code"] == code] == [(code, 10)]


def test_concurrent_link_requests_of_one_customer_get_one_code(rf, program):
    customer = uid("ref-")
    responses = in_parallel(lambda _: rf.create_link(program["id"], customer, name="Anna"), range(8))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 7 + [201], [(r.status_code, r.text[:300]) for r in responses]
    assert len({r.json()["code"] for r in responses}) == 1
    assert rf.report("funnel", campaign_id=program["id"])["totals"]["referrers"]["shared"] >= 1


def test_the_referrer_cap_holds_under_concurrent_conversions(rf):
    # Given a cap of 3 rewarded referrals per referrer
    capped = rf.create_program(
        limits={"max_rewarded_per_referrer": 3, "period_days": 30},
        fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    )
    code = rf.link(capped["id"])["code"]
    # When 8 friends order at once, then exactly 3 convert and the others are flagged for the cap
    outcomes = in_parallel(lambda _: rf.refer(code), range(8))
    decisions = sorted((o["referral"]["status"], tuple(o["referral"]["reasons"])) for o in outcomes)
    assert decisions == [("converted", ())] * 3 + [("flagged", ("referrer_cap_reached",))] * 5, decisions
    counts = rf.counts(code)
    assert (counts["conversions"], counts["flagged"]) == (3, 5), counts


def test_concurrent_refunds_never_refund_more_than_the_order(rf, program):
    # Given a 50.00 order, and five refunds of 20.00 sent at once
    order = rf.order_outcome(uid("shopper-"), 5000)
    responses = in_parallel(lambda _: rf.refund(order["order_id"], 2000), range(5))
    # Then two succeed and three are refused: never more than the order
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 422, 422, 422], [(r.status_code, r.text[:300]) for r in responses]
    assert sorted(r.json()["refunded_amount"] for r in responses if r.status_code == 200) == [2000, 4000]
    assert all(r.json()["error"]["code"] == "refund_exceeds_order" for r in responses if r.status_code == 422)
    last = rf.refund(order["order_id"], 1000)
    assert (last.json()["refunded_amount"], last.json()["net_amount"]) == (5000, 0), last.text


def test_a_flagged_conversion_decided_twice_at_once_is_decided_once(rf):
    program = rf.create_program()
    code = rf.link(program["id"])["code"]
    outcome = rf.refer(code, email=new_email(domain="mailinator.com"))
    assert outcome["referral"]["status"] == "flagged", outcome
    conversion_id = outcome["referral"]["conversion_id"]
    responses = in_parallel(
        lambda decide: (rf.approve if decide == "approve" else rf.reject)(conversion_id),
        ["approve", "reject", "approve", "reject"],
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409], [(r.status_code, r.text[:300]) for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    counts = rf.counts(code)
    if winner["status"] == "converted":
        assert (counts["conversions"], counts["flagged"]) == (1, 0), counts
        assert [x["status"] for x in rf.rewards(outcome["customer_id"])] == ["released"]
    else:
        assert winner["status"] == "rejected", winner
        assert (counts["conversions"], counts["flagged"]) == (0, 0), counts
        assert [x["status"] for x in rf.rewards(outcome["customer_id"])] == ["voided"]
