"""The friend's first-order offer over HTTP (docs/shopper.md, "The friend's first-order offer").

A friend who arrives through a share link sees the offer, leaves an email, gets a single-use coupon bound to
it, and the order that redeems it converts the referral, with every fraud rule judged at the order.
"""

from typing import Any

import requests
from api import assert_error, uid

from referrals import (
    EXAMPLE_PROGRAM,
    Referrals,
    assert_converted,
    in_parallel,
    new_email,
    one,
    reward_of,
)


def gmail() -> tuple[str, str]:
    """A Gmail address written two ways that reach one mailbox (dots and a +tag)."""
    local = uid("fr").lower()
    return f"{local}@gmail.com", f"{local[:3]}.{local[3:]}+shop@GMail.com"


def offer(rf: Referrals, code: str, locale: str | None = None) -> requests.Response:
    return rf.get(f"/v1/referrals/{code}/offer", params={"locale": locale} if locale else None, key="publishable")


def claim(rf: Referrals, code: str, email: str, **extra: Any) -> requests.Response:
    return rf.post(f"/v1/referrals/{code}/friends", json={"email": email, **extra}, key="publishable")


def coupon_of(rf: Referrals, code: str, email: str) -> dict:
    r = claim(rf, code, email)
    assert r.status_code == 201, f"POST friends → {r.status_code} {r.text}"
    return r.json()


def validate(rf: Referrals, code: str, email: str | None, amount: int = 5000, **extra: Any) -> dict:
    body: dict[str, Any] = {"code": code, "order": {"amount": amount, "currency": "EUR"}, **extra}
    if email:
        body["email"] = email
    r = rf.post("/v1/coupons/validate", json=body, key="publishable")
    assert r.status_code == 200, r.text
    return r.json()


def test_the_whole_story_link_offer_coupon_order_conversion_refund(rf: Referrals) -> None:
    # Given a program created now: the friend's coupon comes before the first order by default
    program = rf.create_program()
    assert program["referee_reward"]["when"] == "first_order"
    link = rf.link(program["id"], name="Anna Rossi")
    code = link["code"]
    # When a friend follows the share link and the page asks for the offer
    assert rf.follow(link["share_url"]).status_code == 302
    r = offer(rf, code.lower(), "it")
    assert r.status_code == 200, r.text
    shown = r.json()
    assert shown["code"] == code and shown["referrer_name"] == "Anna" and shown["active"] is True
    assert shown["reward"] == {"type": "coupon", "text": shown["reward"]["text"], "when": "first_order"}
    assert "5,00 EUR" in shown["reward"]["text"]
    # And leaves an email
    email, same_mailbox = gmail()
    got = coupon_of(rf, code, email)
    assert got["code"].startswith("F-") and got["referral_code"] == code and got["email"] == email
    assert got["discount"] == {"type": "amount", "amount_off": 500}
    assert got["reward"]["type"] == "coupon" and got["expires_at"]
    # Then the signup is counted on the link (a touch for attribution)
    assert rf.counts(code)["signups"] == 1
    # And the coupon is valid for that email only (any spelling of the mailbox), from the browser
    assert validate(rf, got["code"], same_mailbox)["discount_amount"] == 500
    assert validate(rf, got["code"], new_email())["error"]["code"] == "customer_not_allowed"
    assert validate(rf, got["code"], None)["error"]["code"] == "customer_not_allowed"
    # When the friend's first order uses it (no referral code needed)
    friend = uid("friend-")
    outcome = rf.order_outcome(customer_id=friend, amount=5000, email=same_mailbox, coupon_code=got["code"])
    # Then it is redeemed, the referral converts through the coupon, nothing new is issued to the friend
    assert outcome["coupon"]["redeemed"] is True and outcome["amount"] == 4500
    assert_converted(outcome, code)
    assert outcome["referral"]["source"] == "friend_offer"
    referee = reward_of(outcome, "referee")
    assert referee["status"] == "released" and referee["coupon_code"] == got["code"]
    assert reward_of(outcome, "referrer")["status"] == "pending"
    used = rf.code(got["code"])
    assert used["redemptions"] == 1 and used["customer_id"] == friend and used["referral_code"] == code
    assert len(rf.rewards(friend)) == 1
    # And it is single use, now the friend's
    assert validate(rf, got["code"], email, customer_id=friend)["valid"] is False
    # When the order is refunded, the friend's reward cannot be taken back (the coupon was used)
    r = rf.refund(outcome["order_id"])
    assert r.status_code == 200, r.text
    change = one(r.json()["rewards"], reward_id=referee["id"])
    assert change["action"] == "not_reversible" and change["not_reversed"] == 500


def test_one_coupon_per_mailbox_and_program(rf: Referrals) -> None:
    program = rf.create_program()
    code = rf.link(program["id"])["code"]
    email, same_mailbox = gmail()
    first = coupon_of(rf, code, email)
    again = claim(rf, code, same_mailbox.upper())
    assert again.status_code == 201 and again.json()["code"] == first["code"]  # the same answer as the first
    assert again.json()["email"] == same_mailbox.upper()
    other = coupon_of(rf, code, new_email())
    assert other["code"] != first["code"]
    # another referrer's link of the same program: still the one coupon of this email in this program
    second = rf.link(program["id"], customer_id=uid("ref-"))["code"]
    assert claim(rf, second, email).json()["code"] == first["code"]


def test_another_email_cannot_use_the_code_at_the_order(rf: Referrals) -> None:
    code = rf.link(rf.create_program()["id"])["code"]
    got = coupon_of(rf, code, new_email())
    outcome = rf.order_outcome(email=new_email(), coupon_code=got["code"])
    assert outcome["coupon"]["redeemed"] is False
    assert outcome["coupon"]["error"]["code"] == "customer_not_allowed"
    assert rf.code(got["code"])["redemptions"] == 0


def test_the_answer_tells_nothing_of_the_email_and_the_referrer_cannot_use_their_own(rf: Referrals) -> None:
    """Not an oracle: the referrer's own email, or one that ordered here, gets the same 201 as any other."""
    program = rf.create_program()
    referrer, own = uid("ref-"), new_email()
    r = rf.request("PUT", f"/v1/customers/{referrer}", json={"email": own})
    assert r.status_code in (200, 201), r.text
    code = rf.link(program["id"], customer_id=referrer, email=own)["code"]
    ordered = new_email()
    rf.order_outcome(email=ordered)
    for email in (own.upper(), ordered, new_email()):
        assert claim(rf, code, email).status_code == 201
    got = coupon_of(rf, code, own)
    outcome = rf.order_outcome(customer_id=referrer, email=own, coupon_code=got["code"])
    assert outcome["coupon"]["redeemed"] is False and outcome["coupon"]["error"]["code"] == "customer_not_allowed"


def test_a_repeat_customer_cannot_use_a_coupon(rf: Referrals) -> None:
    code = rf.link(rf.create_program()["id"])["code"]
    # an email that ordered before gets a coupon it cannot use
    ordered, customer = new_email(), uid("buyer-")
    rf.order_outcome(customer_id=customer, email=ordered)
    mine = coupon_of(rf, code, ordered)
    refused = rf.order_outcome(customer_id=customer, email=ordered, coupon_code=mine["code"])
    assert refused["coupon"]["redeemed"] is False and refused["coupon"]["error"]["code"] == "not_new_customer"
    # a friend who took the coupon but ordered without it first cannot use it on a later order
    email, customer = new_email(), uid("friend-")
    got = coupon_of(rf, code, email)
    rf.order_outcome(customer_id=customer, email=email)
    later = rf.order_outcome(customer_id=customer, email=email, coupon_code=got["code"])
    assert later["coupon"]["redeemed"] is False and later["coupon"]["error"]["code"] == "not_new_customer"


def test_a_switched_off_program_offers_nothing(rf: Referrals) -> None:
    program = rf.create_program()
    code = rf.link(program["id"])["code"]
    rf.set_enabled(program["id"], False)
    shown = offer(rf, code)
    assert shown.status_code == 200 and shown.json()["active"] is False
    assert_error(claim(rf, code, new_email()), 422, "campaign_disabled")


def test_unknown_code_and_malformed_email(rf: Referrals) -> None:
    assert_error(offer(rf, "NOPE-" + uid()), 404, "not_found")
    assert_error(claim(rf, "NOPE-" + uid(), new_email()), 404, "not_found")
    code = rf.link(rf.create_program()["id"])["code"]
    assert_error(claim(rf, code, "not-an-email"), 400, "invalid_request")
    # a key is needed (the publishable one is enough)
    assert rf.post(f"/v1/referrals/{code}/friends", json={"email": new_email()}, key=None).status_code == 401


def test_an_after_conversion_program_keeps_todays_behaviour(rf: Referrals) -> None:
    referee = {**EXAMPLE_PROGRAM["referee_reward"], "when": "after_conversion"}
    program = rf.create_program(referee_reward=referee)
    code = rf.link(program["id"])["code"]
    assert offer(rf, code).json()["reward"]["when"] == "after_conversion"
    assert_error(claim(rf, code, new_email()), 422, "offer_after_conversion")
    outcome = rf.refer(code)
    assert_converted(outcome, code)
    assert outcome["referral"]["source"] == "explicit"
    assert reward_of(outcome, "referee")["coupon_code"].startswith("R-")  # issued after the order, as before


def test_when_is_refused_outside_the_referees_coupon(rf: Referrals) -> None:
    body = {**EXAMPLE_PROGRAM, "name": uid("when-")}
    for field, reward in (
        ("referrer_reward", {**EXAMPLE_PROGRAM["referee_reward"], "when": "first_order"}),
        ("referee_reward", {"type": "credit", "amount": 500, "currency": "EUR", "when": "first_order"}),
    ):
        r = rf.post("/v1/campaigns", json={**body, field: reward})
        assert_error(r, 400, "invalid_request")


def test_the_referrer_never_redeems_a_friend_coupon_of_their_link(rf: Referrals) -> None:
    program = rf.create_program()
    referrer = uid("ref-")
    code = rf.link(program["id"], customer_id=referrer)["code"]
    got = coupon_of(rf, code, new_email())
    # the referrer orders with the coupon bound to a friend's email they typed in: their own customer id never
    # redeems their link's friend coupon (it travels on the code)
    outcome = rf.order_outcome(customer_id=referrer, email=got["email"], coupon_code=got["code"])
    assert outcome["coupon"]["redeemed"] is False and outcome["coupon"]["error"]["code"] == "customer_not_allowed"


def test_two_parallel_claims_for_one_email_give_one_coupon(rf: Referrals) -> None:
    code = rf.link(rf.create_program()["id"])["code"]
    email, same_mailbox = gmail()
    answers = in_parallel(lambda e: claim(rf, code, e), [email, same_mailbox, email])
    assert [a.status_code for a in answers] == [201, 201, 201], [a.text for a in answers]
    assert len({a.json()["code"] for a in answers}) == 1


def test_a_flagged_friend_offer_order_keeps_the_used_coupon_and_approval_issues_nothing_more(rf: Referrals) -> None:
    code = rf.link(rf.create_program()["id"])["code"]
    got = coupon_of(rf, code, new_email(domain="mailinator.com"))
    friend = uid("friend-")
    outcome = rf.order_outcome(customer_id=friend, email=got["email"], coupon_code=got["code"])
    assert outcome["coupon"]["redeemed"] is True
    assert outcome["referral"]["status"] == "flagged" and outcome["referral"]["reasons"] == ["disposable_email"]
    referee, referrer = reward_of(outcome, "referee"), reward_of(outcome, "referrer")
    assert referee["status"] == "released" and referee["coupon_code"] == got["code"] and referee["held"] is False
    assert referrer["status"] == "pending" and referrer["held"] is True
    r = rf.approve(outcome["referral"]["conversion_id"])
    assert r.status_code == 200 and r.json()["status"] == "converted", r.text
    assert [w["coupon_code"] for w in rf.rewards(friend)] == [got["code"]]
    assert one(rf.rewards(referrer["customer_id"]), id=referrer["id"])["held"] is False
