"""The program itself: issuing campaigns of rewards, PATCH of a reward, a coupon from an existing campaign,
A/B variants."""

import pytest
from api import uid

from referrals import assert_converted, reward_of

pytestmark = pytest.mark.integration

CART = {"amount": 5000, "currency": "EUR", "items": [{"sku": "SHOE", "quantity": 1, "unit_price": 5000}]}


def coupon_of(rf, code: str) -> tuple[str, dict]:
    """A new friend converts with `code`: (friend id, their released referee reward)."""
    friend = uid("friend-")
    outcome = rf.refer(code, customer_id=friend)
    assert_converted(outcome, code)
    return friend, reward_of(outcome, "referee")


def test_a_changed_reward_gets_a_new_issuing_campaign_and_issued_codes_keep_their_terms(rf):
    # Given a program giving friends 5.00 off, and a friend who got her coupon
    program = rf.create_program()
    cid = program["id"]
    old_issuer = program["referee_reward"]["campaign_id"]
    referrer_issuer = program["referrer_reward"]["campaign_id"]
    code = rf.link(cid)["code"]
    early_friend, early = coupon_of(rf, code)

    # When the referee reward becomes 7.00 off
    r = rf.patch(
        f"/v1/campaigns/{cid}",
        json={
            "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 700}, "currency": "EUR"}
        },
    )
    assert r.status_code == 200, r.text
    patched = r.json()
    # Then it is issued by a new campaign, and the unchanged referrer reward keeps its own
    new_issuer = patched["referee_reward"]["campaign_id"]
    assert new_issuer and new_issuer != old_issuer, patched
    assert rf.campaign(new_issuer)["metadata"]["reward_of"] == cid
    assert patched["referrer_reward"]["campaign_id"] == referrer_issuer

    # And a new friend gets 7.00 off while the code already issued still gives 5.00
    late_friend, late = coupon_of(rf, code)
    v = rf.validate(late["coupon_code"], CART, customer_id=late_friend)
    assert v["valid"] is True and v["discount_amount"] == 700, v
    v = rf.validate(early["coupon_code"], CART, customer_id=early_friend)
    assert v["valid"] is True and v["discount_amount"] == 500, v


def test_a_coupon_reward_can_be_issued_from_an_existing_discount_campaign(rf):
    # Given a 10 % discount campaign of the shop
    discount = rf.create_campaign(discount={"type": "percent", "percent_off": 10})
    # When a program's friend reward names it
    program = rf.create_program(referee_reward={"type": "coupon", "campaign_id": discount["id"]})
    assert program["referee_reward"]["campaign_id"] == discount["id"]
    code = rf.link(program["id"])["code"]
    friend, coupon = coupon_of(rf, code)
    # Then the friend's code comes from that campaign, bound to her
    assert rf.code(coupon["coupon_code"])["campaign_id"] == discount["id"]
    v = rf.validate(coupon["coupon_code"], CART, customer_id=friend)
    assert v["valid"] is True and v["discount_amount"] == 500, v


def test_variants_assign_each_referrer_once_and_reward_by_variant(rf):
    # Given two equally weighted variants with different friend rewards
    program = rf.create_program(
        variants=[
            {
                "name": "small",
                "weight": 1,
                "referee_reward": {
                    "type": "coupon",
                    "discount": {"type": "amount", "amount_off": 300},
                    "currency": "EUR",
                },
            },
            {
                "name": "large",
                "weight": 1,
                "referee_reward": {
                    "type": "coupon",
                    "discount": {"type": "amount", "amount_off": 900},
                    "currency": "EUR",
                },
            },
        ],
        fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    )
    cid = program["id"]
    # When 16 referrers ask for links (and ask again)
    links = [rf.link(cid, uid("ref-")) for _ in range(16)]
    # Then each is in one of the variants and keeps it
    assert {link["variant"] for link in links} == {"small", "large"}, [link["variant"] for link in links]
    for link in links[:4]:
        assert rf.link(cid, link["customer_id"])["variant"] == link["variant"]
    # And a friend of each variant gets that variant's reward
    for name, amount in (("small", 300), ("large", 900)):
        link = next(x for x in links if x["variant"] == name)
        friend, coupon = coupon_of(rf, link["code"])
        v = rf.validate(coupon["coupon_code"], CART, customer_id=friend)
        assert v["discount_amount"] == amount, (name, v)
    # And the funnel reports per variant
    funnel = rf.report("funnel", campaign_id=cid)
    by_name = {v["variant"]: v["totals"] for v in funnel["variants"]}
    assert set(by_name) == {"small", "large"}, funnel
    for name in ("small", "large"):
        assert by_name[name]["referrers"]["shared"] == sum(1 for x in links if x["variant"] == name), funnel
        assert by_name[name]["friends"]["conversions"] == 1, funnel
    assert funnel["totals"]["referrers"]["shared"] == 16
    assert funnel["totals"]["friends"]["conversions"] == 2
