"""Friend coupons in the pure coupon rules: bound to an email hash, then to the customer of its first redemption;
single use; for a first order only. Plain data, no I/O."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.coupons.models import Code
from passaparola.coupons.rules import CustomerFacts, check_friend, evaluate, new_customers_only, per_code_limit
from passaparola.errors import CouponRejected
from tests.unit.coupons.test_rules import NOW, make_campaign, make_order

HASH = "a" * 32
OTHER = "b" * 32


def friend_code(**fields: Any) -> Code:
    return Code(
        **{
            "code": "F-ABC123",
            "campaign_id": "cmp_1",
            "created_at": NOW - timedelta(days=1),
            "issued_at": NOW - timedelta(days=1),
            "referral_code": "ANNA-XYZ",
            "bound_email_hash": HASH,
            **fields,
        }
    )


def judge(code: Code, customer_id: str | None = None, email_hash: str | None = None, orders: int = 0) -> int:
    facts = CustomerFacts(order_count=orders) if customer_id or email_hash else None
    amount = make_order(10_000)
    return evaluate(make_campaign(), code, customer_id, facts, amount, NOW, email_hash=email_hash).discount_amount


def refusal(code: Code, customer_id: str | None = None, email_hash: str | None = None, orders: int = 0) -> str:
    with pytest.raises(CouponRejected) as refused:
        judge(code, customer_id, email_hash, orders)
    return refused.value.code


def test_the_bound_email_may_use_it_without_a_customer_id() -> None:
    assert judge(friend_code(), email_hash=HASH) == 1000
    assert judge(friend_code(), customer_id="c1", email_hash=HASH) == 1000


def test_another_email_or_none_is_not_allowed() -> None:
    assert refusal(friend_code(), email_hash=OTHER) == "customer_not_allowed"
    assert refusal(friend_code()) == "customer_not_allowed"
    assert refusal(friend_code(), customer_id="c1") == "customer_not_allowed"


def test_once_bound_to_a_customer_that_customer_or_the_email_without_an_id() -> None:
    bound = friend_code(customer_id="c1")
    assert judge(bound, customer_id="c1") == 1000
    assert judge(bound, email_hash=HASH) == 1000
    assert refusal(bound, customer_id="c2", email_hash=HASH) == "customer_not_allowed"


def test_single_use_and_first_orders_only_whatever_the_campaign_says() -> None:
    campaign = make_campaign()
    assert not campaign.rules.new_customers_only and campaign.rules.max_redemptions_per_code is None
    assert per_code_limit(campaign, friend_code()) == 1 and new_customers_only(campaign, friend_code())
    assert refusal(friend_code(redemptions=1), email_hash=HASH) == "redemption_limit_reached"
    assert refusal(friend_code(), customer_id="c1", email_hash=HASH, orders=1) == "not_new_customer"
    assert refusal(friend_code(), email_hash=HASH, orders=1) == "not_new_customer"


def test_an_ordinary_code_ignores_the_email() -> None:
    plain = Code(code="SPRING10", campaign_id="cmp_1", created_at=NOW - timedelta(days=1))
    assert judge(plain, email_hash=OTHER) == 1000
    assert per_code_limit(make_campaign(), plain) is None and not new_customers_only(make_campaign(), plain)


def test_it_expires_at_its_own_date() -> None:
    code = friend_code(expires_at=NOW)
    assert refusal(code, email_hash=HASH) == "coupon_expired"
    assert judge(friend_code(expires_at=datetime(2030, 1, 1, tzinfo=UTC)), email_hash=HASH) == 1000


ids = st.sampled_from([None, "c1", "c2"])
hashes = st.sampled_from([None, HASH, OTHER])


@given(bound_to=ids, customer_id=ids, email_hash=hashes)
def test_who_may_use_a_friend_coupon(bound_to: str | None, customer_id: str | None, email_hash: str | None) -> None:
    """Allowed exactly when the caller is the bound customer, or (no other customer claiming it) has the email."""
    code = friend_code(customer_id=bound_to)
    by_customer = customer_id is not None and customer_id == bound_to
    other_customer = customer_id is not None and bound_to is not None and customer_id != bound_to
    allowed = by_customer or (not other_customer and email_hash == HASH)
    try:
        check_friend(code, customer_id, email_hash)
    except CouponRejected as refused:
        assert not allowed and refused.code == "customer_not_allowed"
    else:
        assert allowed
