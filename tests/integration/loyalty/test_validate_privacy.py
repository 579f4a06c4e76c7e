"""A browser validating a coupon for a customer learns nothing about that customer without a customer token.

Before customer tokens existed, `POST /v1/coupons/validate` with the publishable key answered
`customer_limit_reached` / `not_new_customer` for any customer id: anyone could probe who had ordered.
"""

import pytest
from api import order, uid

pytestmark = pytest.mark.integration


@pytest.fixture
def used_once(lo):
    """A campaign usable once per customer, already used by `customer`."""
    campaign = lo.create_campaign(rules={"max_redemptions_per_customer": 1})
    code = lo.create_code(campaign["id"])
    customer = uid("cust-")
    r = lo.redeem(code, order(5000), customer_id=customer)
    assert r.status_code == 201, r.text
    return code, customer


def _validate(lo, code, customer, token=None):
    headers = {"X-Customer-Token": token} if token else None
    body = {"code": code, "order": order(5000), "customer_id": customer}
    return lo.post("/v1/coupons/validate", json=body, key="publishable", headers=headers)


def test_the_shop_backend_sees_the_customer_limit(lo, used_once):
    code, customer = used_once
    answer = lo.validate(code, order(5000), customer_id=customer)
    assert (answer["valid"], answer["error"]["code"]) == (False, "customer_limit_reached")


def test_a_browser_without_a_token_is_answered_as_for_a_customer_with_no_history(lo, used_once):
    code, customer = used_once
    r = _validate(lo, code, customer)
    assert r.status_code == 200, r.text
    assert r.json()["valid"] is True  # nothing revealed; the redemption itself still enforces the limit


def test_a_browser_with_the_customers_own_token_gets_the_full_answer(lo, used_once):
    code, customer = used_once
    r = _validate(lo, code, customer, lo.token(customer)["token"])
    assert r.status_code == 200, r.text
    assert r.json()["error"]["code"] == "customer_limit_reached"


def test_a_token_for_someone_else_is_refused(lo, used_once):
    code, customer = used_once
    r = _validate(lo, code, customer, lo.token(uid("cust-"))["token"])
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", r.text


def test_a_forged_token_is_refused(lo, used_once):
    code, customer = used_once
    token = lo.token(customer)["token"]
    r = _validate(lo, code, customer, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token", r.text
