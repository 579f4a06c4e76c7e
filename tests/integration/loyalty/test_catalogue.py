"""The rewards catalogue: spending points on coupons, store credit and recognitions, in one transaction.

Concurrent purchases never spend more than the balance nor give more than the stock.
"""

import pytest
from api import assert_error, uid

from loyalty import DINNER_NOTE, GOLD_ENTRY_POINTS, assert_consistent, cid, in_parallel, where

pytestmark = pytest.mark.integration


def with_points(lo, clock, *orders):
    """Customers whose orders (EUR minor units each) were released: their ids."""
    shoppers = []
    for amount in orders:
        shopper = cid()
        lo.order(shopper, amount)
        shoppers.append(shopper)
    clock.advance(days=15)
    lo.daily()
    clock.tick()
    return shoppers


def test_a_coupon_reward_is_a_code_of_the_coupon_engine_bound_to_the_customer(lo, program, clock):
    (shopper,) = with_points(lo, clock, 60000)
    # When the customer spends 500 points on 10 EUR off
    bought = lo.bought(shopper, "ten-off")
    # Then a LoyaltyRedemption with a code
    assert bought["customer_id"] == shopper and bought["campaign_id"] == program["id"]
    assert (bought["reward_id"], bought["name"], bought["type"]) == ("ten-off", "10 EUR off", "coupon")
    assert (bought["cost"], bought["balance_after"]) == (500, 100)
    assert bought["id"] and bought["created_at"] and bought["coupon_code"]
    ledger = lo.ledger(shopper)
    assert ledger[-1]["type"] == "spend" and ledger[-1]["points"] == -500 and ledger[-1]["source_id"] == bought["id"]
    # And the code takes 10.00 EUR off this customer's order, and no one else's
    cart = {"amount": 5000, "currency": "EUR", "items": [{"sku": "SHOE", "quantity": 1, "unit_price": 5000}]}
    valid = lo.validate(bought["coupon_code"], cart, customer_id=shopper)
    assert valid["valid"] is True and valid["discount_amount"] == 1000, valid
    other = lo.validate(bought["coupon_code"], cart, customer_id=cid())
    assert other["valid"] is False and other["error"]["code"] == "customer_not_allowed", other


def test_free_shipping_and_store_credit_rewards(lo, program, clock):
    (shopper,) = with_points(lo, clock, 140000)  # 1400 points, Gold: + 200
    assert lo.status(shopper)["balance"] == 1400 + GOLD_ENTRY_POINTS
    # When the customer spends 300 points on free shipping
    shipping = lo.bought(shopper, "free-shipping")
    assert (shipping["type"], shipping["balance_after"]) == ("coupon", 1300)
    cart = {
        "amount": 5000,
        "currency": "EUR",
        "shipping_amount": 490,
        "items": [{"sku": "S", "quantity": 1, "unit_price": 5000}],
    }
    valid = lo.validate(shipping["coupon_code"], cart, customer_id=shopper)
    assert valid["valid"] is True and valid["discount_amount"] == 490, valid
    # And 1000 points on 15.00 EUR of store credit: a gift card bound to the customer
    credit = lo.bought(shopper, "store-credit")
    assert (credit["type"], credit["amount"], credit["currency"], credit["balance_after"]) == (
        "credit",
        1500,
        "EUR",
        300,
    )
    assert credit["coupon_code"], credit
    coupons = {c["code"]: c for c in lo.wallet(shopper)["coupons"]}
    assert coupons[credit["coupon_code"]]["balance"] == 1500
    assert coupons[credit["coupon_code"]]["currency"] == "EUR"
    assert coupons[credit["coupon_code"]]["source"] == "loyalty"
    assert shipping["coupon_code"] in coupons


def test_twenty_concurrent_purchases_on_a_balance_for_three_buy_exactly_three(lo, program, clock):
    # Given 1800 points (1600 from an order, 200 for reaching Gold): three 500-point coupons, not four
    (shopper,) = with_points(lo, clock, 160000)
    assert lo.status(shopper)["balance"] == 1800
    # When 20 purchases of the coupon arrive at once
    responses = in_parallel(lambda i: lo.buy(shopper, "ten-off", idempotency_key=uid(f"race{i}-")), range(20))
    # Then exactly three succeed and seventeen are refused for insufficient points
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 3 + [422] * 17, [(r.status_code, r.text[:200]) for r in responses]
    for r in responses:
        if r.status_code == 422:
            assert_error(r, 422, "insufficient_points")
    won = [r.json() for r in responses if r.status_code == 201]
    assert sorted(w["balance_after"] for w in won) == [300, 800, 1300]
    assert len({w["coupon_code"] for w in won}) == 3
    # And the balance and the ledger agree: three spends
    assert lo.status(shopper)["balance"] == 300
    spends = where(lo.ledger(shopper), type="spend")
    assert [s["points"] for s in spends] == [-500, -500, -500]
    assert sorted(s["balance_after"] for s in spends) == [300, 800, 1300]
    assert len(lo.wallet(shopper)["coupons"]) == 3
    # and the ledger lists the spends in the order they moved the balance
    assert_consistent(lo.ledger(shopper))


def test_concurrent_purchases_of_a_reward_with_stock_two_give_two(lo, program, clock):
    stocked = program["stocked_reward_id"]
    shoppers = with_points(lo, clock, *([15000] * 10))  # 150 points each
    # When ten members ask for the dinner (100 points, 2 seats) at once
    responses = in_parallel(lambda s: lo.buy(s, stocked), shoppers)
    # Then two get a seat, eight are told it is out of stock
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 201] + [409] * 8, [(r.status_code, r.text[:200]) for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert_error(r, 409, "out_of_stock")
    winners = {s for s, r in zip(shoppers, responses, strict=True) if r.status_code == 201}
    for s, r in zip(shoppers, responses, strict=True):
        if s in winners:
            got = r.json()
            assert (got["type"], got["note"], got["cost"], got["balance_after"]) == (
                "recognition",
                DINNER_NOTE,
                100,
                50,
            )
            assert got["coupon_code"] is None
    # And only the winners paid
    for s in shoppers:
        assert lo.status(s)["balance"] == (50 if s in winners else 150)
        assert len(where(lo.ledger(s), type="spend")) == (1 if s in winners else 0)
    # And a later purchase is refused too
    loser = next(s for s in shoppers if s not in winners)
    assert_error(lo.buy(loser, stocked), 409, "out_of_stock")


def test_a_purchase_retried_with_its_idempotency_key_is_paid_once(lo, program, clock):
    (shopper,) = with_points(lo, clock, 70000)
    key = uid("idem-")
    first = lo.buy(shopper, "ten-off", idempotency_key=key)
    assert first.status_code == 201, first.text
    again = lo.buy(shopper, "ten-off", idempotency_key=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert lo.status(shopper)["balance"] == 200
    assert len(where(lo.ledger(shopper), type="spend")) == 1


def test_refusals_leave_the_balance_alone(lo, program, clock):
    (shopper,) = with_points(lo, clock, 40000)  # 400 points
    # Not enough points
    assert_error(lo.buy(shopper, "ten-off"), 422, "insufficient_points")
    # No such reward
    assert_error(lo.buy(shopper, "no-such-reward"), 404, "reward_not_found")
    # A malformed body
    r = lo.post(f"/v1/customers/{shopper}/rewards", json={"reward_id": "ten-off", "points": 1})
    assert_error(r, 400, "invalid_request", mentions="points")
    r = lo.post(f"/v1/customers/{shopper}/rewards", json={})
    assert_error(r, 400, "invalid_request", mentions="reward_id")
    assert lo.status(shopper)["balance"] == 400
    assert not where(lo.ledger(shopper), type="spend")
    # Someone the shop never told us about is not a member
    assert_error(lo.buy(cid("nobody-"), "free-shipping"), 422, "not_a_member")
    # And the publishable key cannot spend anyone's points
    r = lo.post(f"/v1/customers/{shopper}/rewards", json={"reward_id": "free-shipping"}, key="publishable")
    assert_error(r, 403, "forbidden")
    assert lo.status(shopper)["balance"] == 400
