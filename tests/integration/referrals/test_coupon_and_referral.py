"""A friend's first order that carries both a referral code and a coupon: one call does both."""

from referrals import Referrals, assert_converted, new_email


def test_a_first_order_with_a_coupon_and_a_referral_code_redeems_and_converts(rf: Referrals) -> None:
    # Given a referral program (minimum 30.00 EUR) and a shop-wide 10 % coupon
    program = rf.create_program()
    code = rf.link(program["id"])["code"]
    coupon_campaign = rf.create_campaign()
    coupon = rf.create_code(coupon_campaign["id"])
    # When a new friend's first order of 50.00 EUR uses both
    outcome = rf.order_outcome(amount=5000, referral_code=code, email=new_email(), coupon_code=coupon)
    # Then the coupon is redeemed and the referral converts on the amount paid (45.00 EUR)
    assert outcome["coupon"]["redeemed"] is True and outcome["coupon"]["discount_amount"] == 500
    assert outcome["amount"] == 4500
    assert_converted(outcome, code)
    # And the order is recorded: a replay answers the same outcome without redeeming again
    replay = rf.place_order(order_id=outcome["order_id"], customer_id=outcome["customer_id"], referral_code=code)
    assert replay.status_code == 200 and replay.json() == outcome
    assert rf.code(coupon)["redemptions"] == 1


def test_a_coupon_that_brings_the_order_below_the_minimum_blocks_the_referral(rf: Referrals) -> None:
    program = rf.create_program()
    code = rf.link(program["id"])["code"]
    coupon = rf.create_code(rf.create_campaign()["id"])
    outcome = rf.order_outcome(amount=3200, referral_code=code, email=new_email(), coupon_code=coupon)
    assert outcome["amount"] == 2880 and outcome["referral"]["status"] == "blocked"
    assert outcome["referral"]["reasons"] == ["below_minimum"]
