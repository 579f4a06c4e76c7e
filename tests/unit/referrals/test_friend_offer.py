"""The friend's first-order offer in-process (moto): `referee_reward.when` defaults and stored programs, one coupon
per email under a race, and a friend coupon bound to the customer of its first redemption."""

import json
from types import ModuleType
from typing import Any

import pytest

from passaparola.data.models.campaigns import CampaignModel
from passaparola.data.models.coupons import CodeModel
from passaparola.data.models.customers import CouponMirrorModel
from passaparola.data.models.referrals import LinkFriendModel
from passaparola.referrals import friends
from tests.unit.functions import PUBLISHABLE, call, load_function

COUPON = {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"}
PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": COUPON,
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
}


@pytest.fixture
def referrals_fn(aws: None) -> ModuleType:
    return load_function("referrals")


def create(fn: ModuleType, body: dict[str, Any]) -> dict[str, Any]:
    reply = call(fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert reply.status == 201, reply.body
    return reply.body


def patch(fn: ModuleType, campaign_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = call(fn, "PATCH", f"/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}", body)
    assert reply.status == 200, reply.body
    return reply.body


def link(fn: ModuleType, campaign_id: str) -> str:
    reply = call(fn, "POST", "/v1/referrals", "/v1/referrals", {"customer_id": "anna", "campaign_id": campaign_id})
    assert reply.status == 201, reply.body
    return str(reply.body["code"])


def claim(fn: ModuleType, code: str, email: str) -> Any:
    path = f"/v1/referrals/{code}/friends"
    return call(fn, "POST", path, "/v1/referrals/{code}/friends", {"email": email}, key=PUBLISHABLE)


def forget_when(campaign_id: str) -> None:
    """Make the stored program look like one saved before `when` existed."""
    item = CampaignModel.get(campaign_id)
    spec = json.loads(item.spec)
    spec["referee_reward"].pop("when")
    item.update(actions=[CampaignModel.spec.set(json.dumps(spec))])


def test_when_defaults_for_new_programs_and_stays_absent_for_stored_ones(
    campaigns_fn: ModuleType, referrals_fn: ModuleType
) -> None:
    assert create(campaigns_fn, PROGRAM)["referee_reward"]["when"] == "first_order"
    ab = create(
        campaigns_fn, PROGRAM | {"name": "AB", "variants": [{"name": "a"}, {"name": "b", "referee_reward": COUPON}]}
    )
    assert ab["variants"][1]["referee_reward"]["when"] == "first_order"
    custom = create(campaigns_fn, PROGRAM | {"name": "Subs", "conversion": {"event": "subscription_started"}})
    assert custom["referee_reward"]["when"] == "after_conversion"
    assert (
        create(campaigns_fn, PROGRAM | {"name": "Credit", "referee_reward": PROGRAM["referrer_reward"]})[
            "referee_reward"
        ].get("when")
        is None
    )
    # a program stored before `when`: read as after_conversion, and kept so by unrelated changes
    old = create(campaigns_fn, PROGRAM | {"name": "Old"})
    forget_when(old["id"])
    code = link(referrals_fn, old["id"])
    offer = call(referrals_fn, "GET", f"/v1/referrals/{code}/offer", "/v1/referrals/{code}/offer", key=PUBLISHABLE)
    assert offer.status == 200 and offer.body["reward"]["when"] == "after_conversion", offer.body
    assert claim(referrals_fn, code, "friend@example.org").body["error"]["code"] == "offer_after_conversion"
    assert patch(campaigns_fn, old["id"], {"holding_days": 7})["referee_reward"]["when"] is None
    changed = patch(campaigns_fn, old["id"], {"referee_reward": {"discount": {"amount_off": 700}}})
    assert changed["referee_reward"]["when"] == "first_order"


def test_when_is_refused_where_it_means_nothing(campaigns_fn: ModuleType) -> None:
    for body in (
        PROGRAM | {"referrer_reward": COUPON | {"when": "first_order"}},
        PROGRAM | {"tiers": [{"referrals": 3, "reward": COUPON | {"when": "after_conversion"}}]},
        PROGRAM | {"referee_reward": {"type": "credit", "amount": 5, "currency": "EUR", "when": "first_order"}},
        PROGRAM | {"referee_reward": COUPON | {"when": "first_order"}, "conversion": {"event": "signed_up"}},
    ):
        reply = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
        assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request", reply.body


def test_a_claim_that_loses_the_race_answers_the_winners_coupon(
    campaigns_fn: ModuleType, referrals_fn: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = create(campaigns_fn, PROGRAM)
    code = link(referrals_fn, program["id"])
    first = claim(referrals_fn, code, "Mario.Rossi@gmail.com")
    assert first.status == 201, first.body
    issuer = first.body["campaign_id"]
    # the second call reads before the first one's write lands: its conditional write is refused
    real = friends.store.coupon_of
    calls = iter([True])
    monkeypatch.setattr(friends.store, "coupon_of", lambda *a: None if next(calls, False) else real(*a))
    second = claim(referrals_fn, code, "mariorossi+x@gmail.com")
    assert second.status == 201 and second.body["code"] == first.body["code"], second.body
    assert int(CampaignModel.get(issuer).codes_issued) == 1


def test_the_first_redemption_binds_the_friend_coupon_to_the_customer(
    campaigns_fn: ModuleType, referrals_fn: ModuleType, coupons_fn: ModuleType
) -> None:
    program = create(campaigns_fn, PROGRAM)
    code = link(referrals_fn, program["id"])
    coupon = claim(referrals_fn, code, "friend@example.org").body["code"]
    order = {"id": "ord-1", "amount": 5000, "currency": "EUR"}
    body = {"code": coupon, "customer_id": "mario", "email": "FRIEND@example.org", "order": order}
    redeemed = call(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", body)
    assert redeemed.status == 201, redeemed.body
    assert CodeModel.get(coupon).customer_id == "mario"
    assert int(CouponMirrorModel.get("mario", f"coupon#{coupon}").uses) == 1
    rolled = f"/v1/redemptions/{redeemed.body['id']}/rollback"
    assert call(coupons_fn, "POST", rolled, "/v1/redemptions/{redemption_id}/rollback", {}).status == 200
    assert int(CouponMirrorModel.get("mario", f"coupon#{coupon}").uses) == 0
    # bound now: the customer may use it again without the email, another customer may not even with it
    validate = "/v1/coupons/validate"
    mine = call(coupons_fn, "POST", validate, validate, {"code": coupon, "customer_id": "mario", "order": order})
    assert mine.body["valid"] is True, mine.body
    theirs = {"code": coupon, "customer_id": "luigi", "email": "friend@example.org", "order": order}
    assert call(coupons_fn, "POST", validate, validate, theirs).body["error"]["code"] == "customer_not_allowed"
    # erasing the customer removes the email's hash from the coupon; it stays theirs by customer id
    customers_fn = load_function("customers")
    erased = call(customers_fn, "DELETE", "/v1/customers/mario", "/v1/customers/{customer_id}")
    assert erased.status == 200 and "hashed email on 1 friend coupons" in erased.body["erased"], erased.body
    assert CodeModel.get(coupon).bound_email_hash is None
    again = {"code": coupon, "customer_id": "mario", "order": order}
    assert call(coupons_fn, "POST", validate, validate, again).body["valid"] is True


def test_the_coupon_keeps_the_terms_it_was_issued_with(campaigns_fn: ModuleType, referrals_fn: ModuleType) -> None:
    program = create(campaigns_fn, PROGRAM)
    code = link(referrals_fn, program["id"])
    first = claim(referrals_fn, code, "friend@example.org").body
    patch(campaigns_fn, program["id"], {"referee_reward": {"discount": {"amount_off": 700}}})
    again = claim(referrals_fn, code, "friend@example.org")
    assert again.status == 201 and again.body["code"] == first["code"], again.body
    assert again.body["discount"] == {"type": "amount", "amount_off": 500}
    assert "5.00 EUR" in again.body["reward"]["text"]
    assert claim(referrals_fn, code, "another@example.org").body["discount"]["amount_off"] == 700


def test_the_answer_never_reveals_the_emails_past_and_the_referrer_never_redeems_it(
    campaigns_fn: ModuleType, referrals_fn: ModuleType, coupons_fn: ModuleType
) -> None:
    """Anyone can ask with any email: ordered before, referred before or the referrer's own, the answer is the same
    201 with a coupon; what the past forbids is refused when the coupon is used."""
    program = create(campaigns_fn, PROGRAM)
    profile = {"email": "anna@example.org", "name": "Anna"}
    customers_fn = load_function("customers")
    assert call(customers_fn, "PUT", "/v1/customers/anna", "/v1/customers/{customer_id}", profile).status in (200, 201)
    code = link(referrals_fn, program["id"])
    order = {"id": "ord-old", "amount": 5000, "currency": "EUR"}
    first = {"code": claim(referrals_fn, code, "first@example.org").body["code"], "customer_id": "paolo"}
    first |= {"email": "first@example.org", "order": order}
    ordered = call(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", first)
    assert ordered.status == 201, ordered.body
    for email in ("first@example.org", "anna@example.org", "new@example.org", "first@example.org"):
        reply = claim(referrals_fn, code, email)
        assert reply.status == 201 and reply.body["code"].startswith("F-"), (email, reply.body)
    own = claim(referrals_fn, code, "anna@example.org").body["code"]
    assert CodeModel.get(own).referrer_id == "anna"
    cart = {"id": "ord-2", "amount": 5000, "currency": "EUR"}
    body = {"code": own, "customer_id": "anna", "email": "anna@example.org", "order": cart}
    refused = call(coupons_fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", body)
    assert refused.body["error"]["code"] == "customer_not_allowed", refused.body


def test_unchanged_terms_keep_their_when_even_when_resent_without_it(campaigns_fn: ModuleType) -> None:
    variants = [{"name": "a"}, {"name": "b", "referee_reward": COUPON | {"when": "first_order"}}]
    program = create(campaigns_fn, PROGRAM | {"name": "Keep", "variants": variants})
    # a client that does not know `when` resends the variants (arrays are replaced whole) and the main reward
    resent = patch(campaigns_fn, program["id"], {"variants": [{"name": "a"}, {"name": "b", "referee_reward": COUPON}]})
    assert resent["variants"][1]["referee_reward"]["when"] == "first_order", resent["variants"]
    again = patch(campaigns_fn, program["id"], {"referee_reward": COUPON | {"when": None}})
    assert again["referee_reward"]["when"] == "first_order", again["referee_reward"]
    # chosen explicitly: changed
    chosen = COUPON | {"when": "after_conversion"}
    changed = patch(campaigns_fn, program["id"], {"variants": [{"name": "a"}, {"name": "b", "referee_reward": chosen}]})
    assert changed["variants"][1]["referee_reward"]["when"] == "after_conversion"


def test_a_friend_coupon_order_gets_no_second_referee_reward_after_the_program_changed(
    campaigns_fn: ModuleType, referrals_fn: ModuleType
) -> None:
    program = create(campaigns_fn, PROGRAM)
    code = link(referrals_fn, program["id"])
    coupon = claim(referrals_fn, code, "friend@example.org").body["code"]
    # the shop now gives friends store credit: a coupon issued before is still the friend's whole reward
    patch(campaigns_fn, program["id"], {"referee_reward": {"type": "credit", "amount": 700, "currency": "EUR"}})
    order = {"id": "ord-f1", "customer_id": "mario", "email": "friend@example.org", "amount": 5000}
    reply = call(
        load_function("conversions"),
        "POST",
        "/v1/orders",
        "/v1/orders",
        order | {"currency": "EUR", "coupon_code": coupon},
    )
    assert reply.status == 201 and reply.body["coupon"]["redeemed"] is True, reply.body
    [referee] = [r for r in reply.body["rewards"] if r["role"] == "referee"]
    assert referee["type"] == "coupon" and referee["coupon_code"] == coupon and referee["status"] == "released"
    assert referee["amount"] == 500, referee


def test_erasure_deletes_the_link_entry_of_a_signup_tracked_by_customer_id(
    campaigns_fn: ModuleType, referrals_fn: ModuleType
) -> None:
    program = create(campaigns_fn, PROGRAM)
    code = link(referrals_fn, program["id"])
    customers_fn = load_function("customers")
    put = call(customers_fn, "PUT", "/v1/customers/luca", "/v1/customers/{customer_id}", {"name": "Luca"})
    assert put.status in (200, 201), put.body
    signup = {"type": "signup", "ref": code, "customer_id": "luca"}
    tracked = call(referrals_fn, "POST", "/v1/referrals/track", "/v1/referrals/track", signup, key=PUBLISHABLE)
    assert tracked.status in (200, 201, 202), tracked.body
    entry = (f"REF#{code}", "FRIEND#CUST#luca")
    assert LinkFriendModel.count(entry[0], LinkFriendModel.sk == entry[1]) == 1
    erased = call(customers_fn, "DELETE", "/v1/customers/luca", "/v1/customers/{customer_id}")
    assert erased.status == 200, erased.body
    assert LinkFriendModel.count(entry[0], LinkFriendModel.sk == entry[1]) == 0
