"""Refunds: a full refund (or one leaving the order below the minimum) voids the conversion.

Pending rewards → voided; released credit → reversed (unspent balance removed, spent part reported in
not_reversed); released points → reversed; released coupons → disabled when unused (the code no longer
redeems), not_reversible when already used. The referrer's converted count and segments follow. Concurrent
partial refunds of one order all succeed, with exact totals.
"""

from urllib.parse import quote

import pytest
from api import assert_error, uid

from referrals import assert_converted, days_ago, in_parallel, one, reward_of, where

pytestmark = pytest.mark.integration

RELAXED = {"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000}


@pytest.fixture(scope="module")
def program(rf):
    """Friend: 5.00 EUR coupon; referrer: 10.00 EUR credit after 14 days; minimum 30.00; no tiers."""
    return rf.create_program(tiers=[], fraud=RELAXED)


@pytest.fixture(scope="module")
def points_program(rf):
    """Points for both sides: friend 200 now, referrer 300 after 14 days."""
    return rf.create_program(
        referee_reward={"type": "points", "points": 200},
        referrer_reward={"type": "points", "points": 300},
        tiers=[],
        fraud=RELAXED,
    )


def converted(rf, program, **order):
    """A referrer and a friend's converted 50.00 EUR order: (link, outcome)."""
    link = rf.link(program["id"])
    outcome = rf.refer(link["code"], **order)
    assert_converted(outcome, link["code"])
    return link, outcome


def changes(refund: dict) -> dict[str, tuple[str, int | None]]:
    return {c["reward_id"]: (c["action"], c.get("not_reversed")) for c in refund["rewards"]}


def test_a_full_refund_before_release_voids_the_pending_credit_which_is_never_issued(rf, program):
    # Given a converted order (referrer credit pending for 14 days)
    link, outcome = converted(rf, program)
    referee, referrer = reward_of(outcome, "referee"), reward_of(outcome, "referrer")
    # When the whole order is refunded
    r = rf.refund(outcome["order_id"], reason="returned")
    # Then the conversion is voided: pending credit voided, the friend's unused coupon disabled
    assert r.status_code == 200, r.text
    refund = r.json()
    assert refund["order_id"] == outcome["order_id"]
    assert (refund["refunded_amount"], refund["net_amount"], refund["currency"]) == (5000, 0, "EUR")
    assert refund["conversion_voided"] is True
    got = changes(refund)
    assert got[referrer["id"]][0] == "voided", refund
    assert got[referee["id"]][0] == "disabled", refund

    stored = one(rf.rewards(link["customer_id"]), id=referrer["id"])
    assert stored["status"] == "voided" and stored["voided_at"], stored
    assert [e["event"] for e in where(rf.ledger(link["customer_id"]), reward_id=referrer["id"])] == [
        "pending",
        "voided",
    ]
    counts = rf.counts(link["code"])
    assert counts["conversions"] == 0, counts
    # And the conversion is refunded, with the decision's reason
    conversion = one(rf.referral(link["code"])["conversions"], id=outcome["referral"]["conversion_id"])
    assert conversion["status"] == "refunded", conversion
    assert "order_refunded" in conversion["reasons"], conversion
    assert conversion["id"] in {c["id"] for c in rf.conversions(status="refunded", campaign_id=program["id"])}
    # And the order still answers its first outcome
    assert rf.get_order(outcome["order_id"]).json() == outcome

    # And the job never issues it
    rf.release()
    stored = one(rf.rewards(link["customer_id"]), id=referrer["id"])
    assert (stored["status"], stored["coupon_code"]) == ("voided", None), stored
    assert rf.counts(link["code"])["rewarded"] == 0


def test_a_full_refund_after_release_reverses_the_credit_and_reports_the_coupon(rf, program):
    # Given a conversion from 15 days ago whose referrer credit the job released
    link, outcome = converted(rf, program, created_at=days_ago(15))
    referee, referrer = reward_of(outcome, "referee"), reward_of(outcome, "referrer")
    rf.release()
    released = one(rf.rewards(link["customer_id"]), id=referrer["id"])
    assert released["status"] == "released", released
    gift = released["coupon_code"]
    assert rf.code(gift)["balance"] == 1000

    # When the order is refunded in full
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    refund = r.json()
    assert refund["conversion_voided"] is True
    got = changes(refund)
    # Then the credit is reversed (its balance removed) and the unused coupon disabled
    assert got[referrer["id"]][0] == "reversed", refund
    assert got[referrer["id"]][1] in (None, 0), refund
    assert got[referee["id"]][0] == "disabled", refund
    assert rf.code(gift)["balance"] == 0
    stored = one(rf.rewards(link["customer_id"]), id=referrer["id"])
    assert stored["status"] == "reversed" and stored["reversed_at"], stored
    assert where(rf.ledger(link["customer_id"]), reward_id=referrer["id"])[-1]["event"] == "reversed"
    assert rf.counts(link["code"])["conversions"] == 0


def test_a_reversed_credit_reports_the_part_already_spent(rf, program):
    # Given a released 10.00 credit of which the referrer spent 4.00
    link, outcome = converted(rf, program, created_at=days_ago(15))
    referrer = reward_of(outcome, "referrer")
    rf.release()
    gift = one(rf.rewards(link["customer_id"]), id=referrer["id"])["coupon_code"]
    spent = rf.redeem(
        gift,
        {"amount": 400, "currency": "EUR", "items": [{"sku": "SOCKS", "quantity": 1, "unit_price": 400}]},
        customer_id=link["customer_id"],
    )
    assert spent.status_code == 201, spent.text
    assert spent.json()["discount_amount"] == 400
    # When the friend's order is refunded
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    # Then the unspent 6.00 are removed and the spent 4.00 reported
    assert changes(r.json())[referrer["id"]] == ("reversed", 400), r.json()
    assert rf.code(gift)["balance"] == 0
    stored = one(rf.rewards(link["customer_id"]), id=referrer["id"])
    assert (stored["status"], stored["not_reversed"]) == ("reversed", 400), stored


def test_a_full_refund_after_release_reverses_points(rf, points_program):
    # Given points released to both sides (friend now, referrer by the job)
    link, outcome = converted(rf, points_program, created_at=days_ago(15))
    referee, referrer = reward_of(outcome, "referee"), reward_of(outcome, "referrer")
    assert (referee["type"], referee["points"], referee["status"]) == ("points", 200, "released"), referee
    rf.release()
    assert one(rf.rewards(link["customer_id"]), id=referrer["id"])["status"] == "released"
    # When the order is refunded, then both are reversed
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    got = changes(r.json())
    assert got[referee["id"]][0] == "reversed", r.json()
    assert got[referrer["id"]][0] == "reversed", r.json()
    friend_lines = where(rf.ledger(outcome["customer_id"]), reward_id=referee["id"])
    assert friend_lines[-1]["event"] == "reversed" and friend_lines[-1]["points"] == 200, friend_lines
    assert one(rf.rewards(link["customer_id"]), id=referrer["id"])["status"] == "reversed"


def test_a_partial_refund_above_the_minimum_keeps_the_conversion_and_one_below_voids_it(rf, program):
    # Given a converted order of 50.00 (minimum 30.00)
    link, outcome = converted(rf, program)
    referrer = reward_of(outcome, "referrer")
    # When 15.00 are refunded (35.00 left), then the conversion stands
    r = rf.refund(outcome["order_id"], 1500)
    assert r.status_code == 200, r.text
    refund = r.json()
    assert (refund["refunded_amount"], refund["net_amount"]) == (1500, 3500), refund
    assert refund["conversion_voided"] is False
    assert all(c["action"] == "unchanged" for c in refund["rewards"]), refund
    assert one(rf.rewards(link["customer_id"]), id=referrer["id"])["status"] == "pending"
    assert rf.counts(link["code"])["conversions"] == 1
    # When 10.00 more are refunded (25.00 left, below the minimum), then it is voided
    r = rf.refund(outcome["order_id"], 1000)
    assert r.status_code == 200, r.text
    refund = r.json()
    assert (refund["refunded_amount"], refund["net_amount"]) == (2500, 2500), refund
    assert refund["conversion_voided"] is True
    assert changes(refund)[referrer["id"]][0] == "voided", refund
    assert one(rf.rewards(link["customer_id"]), id=referrer["id"])["status"] == "voided"
    assert rf.counts(link["code"])["conversions"] == 0


def test_a_refund_leaving_exactly_the_minimum_keeps_the_conversion(rf, program):
    link, outcome = converted(rf, program)
    r = rf.refund(outcome["order_id"], 2000)
    assert r.status_code == 200, r.text
    assert (r.json()["net_amount"], r.json()["conversion_voided"]) == (3000, False), r.json()


def test_a_refund_beyond_what_is_left_of_the_order_is_refused(rf, program):
    _, outcome = converted(rf, program)
    order_id = outcome["order_id"]
    assert_error(rf.refund(order_id, 5001), 422, "refund_exceeds_order")
    assert rf.refund(order_id, 2000).status_code == 200
    assert_error(rf.refund(order_id, 3001), 422, "refund_exceeds_order")
    r = rf.refund(order_id, 3000)
    assert r.status_code == 200, r.text
    assert (r.json()["refunded_amount"], r.json()["net_amount"]) == (5000, 0)
    # nothing is left: any further refund is beyond the order
    assert_error(rf.refund(order_id, 1), 422, "refund_exceeds_order")


def test_refunding_an_order_without_referral_changes_no_reward(rf):
    order = rf.order_outcome(uid("shopper-"), 5000)
    r = rf.refund(order["order_id"])
    assert r.status_code == 200, r.text
    assert r.json()["conversion_voided"] is False
    assert r.json()["rewards"] == []


def test_refunding_an_unknown_order_is_404(rf):
    assert_error(rf.refund(uid("ord_")), 404, "not_found")
    assert_error(rf.refund(uid("ord_"), 100), 404, "not_found")


def test_a_refund_amount_must_be_positive(rf):
    order = rf.order_outcome(uid("shopper-"), 5000)
    for amount in (0, -100, 12.5, "lots"):
        assert_error(rf.refund(order["order_id"], amount), 400, "invalid_request", mentions="amount")
    assert rf.get_order(order["order_id"]).status_code == 200


def test_a_retried_refund_with_the_same_idempotency_key_refunds_once(rf, program):
    _, outcome = converted(rf, program)
    key = f"refund-{uid()}"
    first = rf.post(f"/v1/orders/{outcome['order_id']}/refund", json={"amount": 1000}, idempotency_key=key)
    again = rf.post(f"/v1/orders/{outcome['order_id']}/refund", json={"amount": 1000}, idempotency_key=key)
    assert first.status_code == 200, first.text
    assert again.status_code == 200, again.text
    assert again.headers.get("Idempotent-Replayed") == "true", again.headers
    assert again.json() == first.json()
    assert first.json()["refunded_amount"] == 1000
    # the next refund (without a key) sees 10.00 refunded, not 20.00
    r = rf.refund(outcome["order_id"], 500)
    assert r.status_code == 200, r.text
    assert (r.json()["refunded_amount"], r.json()["net_amount"]) == (1500, 3500), r.json()


def test_concurrent_full_refunds_with_one_idempotency_key_void_the_conversion_once(rf, program):
    # the key's record rides the refund's transaction: one refund commits, the others replay its answer
    link, outcome = converted(rf, program)
    path, key = f"/v1/orders/{outcome['order_id']}/refund", f"refund-{uid()}"

    responses = in_parallel(lambda _: rf.post(path, json={}, idempotency_key=key), range(6))

    answers = sorted((r.status_code, r.headers.get("Idempotent-Replayed")) for r in responses)
    assert answers == [(200, "false")] + [(200, "true")] * 5, [(r.status_code, r.text[:300]) for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    refund = responses[0].json()
    assert (refund["refunded_amount"], refund["net_amount"], refund["conversion_voided"]) == (5000, 0, True)
    assert rf.counts(link["code"])["conversions"] == 0
    assert_error(rf.refund(outcome["order_id"], 100), 422, "refund_exceeds_order")


def cart(amount: int = 4000) -> dict:
    return {
        "id": uid("ord_"),
        "amount": amount,
        "currency": "EUR",
        "items": [{"sku": "SKU", "quantity": 1, "unit_price": amount}],
    }


def test_a_full_refund_disables_the_friends_unused_coupon(rf, program):
    # Given a converted order: the friend holds an unused 5.00 coupon
    _, outcome = converted(rf, program)
    referee = reward_of(outcome, "referee")
    code, friend = referee["coupon_code"], outcome["customer_id"]
    assert rf.validate(code, cart(), customer_id=friend)["valid"] is True
    # When the friend's order is refunded in full
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    # Then the refund reports the coupon disabled
    change = one(r.json()["rewards"], reward_id=referee["id"])
    assert (change["action"], change["coupon_code"]) == ("disabled", code), r.json()
    # And the code no longer validates nor redeems, with a clear reason
    checked = rf.validate(code, cart(), customer_id=friend)
    assert (checked["valid"], checked["error"]["code"]) == (False, "coupon_disabled"), checked
    assert_error(rf.redeem(code, cart(), customer_id=friend), 422, "coupon_disabled")
    # And the reward says so
    stored = one(rf.rewards(friend), id=referee["id"])
    assert (stored["status"], stored["reason"]) == ("reversed", "order_refunded"), stored


def test_a_coupon_already_used_stays_reported_not_reversible(rf, program):
    # Given a friend who already used the coupon on a second order
    _, outcome = converted(rf, program)
    referee = reward_of(outcome, "referee")
    used = rf.redeem(referee["coupon_code"], cart(), customer_id=outcome["customer_id"])
    assert used.status_code == 201, used.text
    # When the qualifying order is refunded in full, then the coupon is reported, not disabled
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    assert changes(r.json())[referee["id"]] == ("not_reversible", 500), r.json()
    assert one(rf.rewards(outcome["customer_id"]), id=referee["id"])["status"] == "released"


def test_twenty_concurrent_partial_refunds_all_succeed_with_exact_totals(rf, program):
    # Given a converted 100.00 EUR order (minimum 30.00): the friend's order points pending
    link, outcome = converted(rf, program, amount=10000)
    referee, referrer = reward_of(outcome, "referee"), reward_of(outcome, "referrer")
    order_id = outcome["order_id"]
    # When 20 refunds of 5.00 arrive at once
    answers = in_parallel(lambda _: rf.refund(order_id, 500), range(20))
    # Then every one succeeds, each seeing a distinct refunded total
    assert [a.status_code for a in answers] == [200] * 20, [(a.status_code, a.text[:200]) for a in answers]
    bodies = [a.json() for a in answers]
    assert sorted(b["refunded_amount"] for b in bodies) == list(range(500, 10001, 500))
    assert {b["refunded_amount"] + b["net_amount"] for b in bodies} == {10000}
    # And every order point is taken back exactly once
    assert outcome["points"] > 0, outcome
    assert sum(b["points_reversed"] for b in bodies) == outcome["points"], bodies
    # And the conversion is voided once, when what was left fell below the minimum (25.00 left)
    voided = [b for b in bodies if b["conversion_voided"]]
    assert [b["refunded_amount"] for b in voided] == [7500], bodies
    assert changes(voided[0]) == {referee["id"]: ("disabled", None), referrer["id"]: ("voided", None)}, voided
    assert all(b["rewards"] == [] for b in bodies if not b["conversion_voided"]), bodies
    assert rf.counts(link["code"])["conversions"] == 0
    # And nothing more can be refunded
    assert_error(rf.refund(order_id, 1), 422, "refund_exceeds_order")


def test_a_voided_referral_leaves_the_referrers_segments(rf, program):
    # Given a referrer whose friend's order converted: an ambassador
    link, outcome = converted(rf, program)
    referrer = link["customer_id"]
    before = rf.get(f"/v1/customers/{referrer}").json()
    assert before["facts"]["referrals_converted"] == 1, before
    assert "ambassadors" in before["segments"], before
    # When the order is refunded in full
    assert rf.refund(outcome["order_id"]).status_code == 200
    # Then the referral no longer counts and the referrer left the segment
    after = rf.get(f"/v1/customers/{referrer}").json()
    assert after["facts"]["referrals_converted"] == 0, after
    assert "ambassadors" not in after["segments"], after
    feed = rf.list_all(f"/v1/segments/changes?since={quote(days_ago(0.01))}")
    mine = [c for c in feed if c["customer_id"] == referrer and c["segment"] == "ambassadors"]
    assert [(c["change"], c["reason"]) for c in mine] == [
        ("entered", "referral_converted"),
        ("exited", "referral_refunded"),
    ], mine
