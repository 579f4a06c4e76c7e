"""Customer tokens die with the customer: erasure and an explicit revocation refuse every token issued before.

Each token carries the customer's token epoch; DELETE /v1/customers/{id} and POST /v1/customers/{id}/tokens/revoke
raise it, and every route that accepts a token (the wallet, validate, enroll) compares it with the customer record
it reads anyway.
"""

import pytest
from api import assert_error, order, uid

pytestmark = pytest.mark.integration


def _validate(lo, code, customer, token):
    body = {"code": code, "order": order(5000), "customer_id": customer}
    return lo.post("/v1/coupons/validate", json=body, key="publishable", headers={"X-Customer-Token": token})


@pytest.fixture
def shopper(lo):
    customer = uid("tok-")
    lo.profile(customer, email=f"{customer.lower()}@example.com", name="Anna")
    return customer


@pytest.fixture
def code(lo):
    return lo.create_code(lo.create_campaign()["id"])


def test_a_token_issued_before_the_customer_was_erased_answers_401(lo, program, shopper, code):
    token = lo.token(shopper)["token"]
    assert lo.my_wallet(token).status_code == 200
    assert _validate(lo, code, shopper, token).status_code == 200
    # When the shop erases the customer
    assert lo.erase(shopper).status_code == 200
    # Then the token is refused on every route that takes one
    assert_error(lo.my_wallet(token), 401, "token_revoked")
    assert_error(_validate(lo, code, shopper, token), 401, "token_revoked")
    assert_error(lo.enroll(token=token, email="again@example.com"), 401, "token_revoked")
    # And a token issued after the erasure works (the id, points and orders stay)
    assert lo.my_wallet(lo.token(shopper)["token"]).status_code == 200


def test_the_shop_revokes_one_customers_tokens(lo, shopper, code):
    first, second = lo.token(shopper)["token"], lo.token(shopper, 86400)["token"]
    other = uid("tok-")
    lo.profile(other, name="Bruno")
    others = lo.token(other)["token"]
    r = lo.post(f"/v1/customers/{shopper}/tokens/revoke", json={})
    assert r.status_code == 200, r.text
    assert r.json()["customer_id"] == shopper and r.json()["token_epoch"] == 1
    for token in (first, second):
        assert_error(lo.my_wallet(token), 401, "token_revoked")
        assert_error(_validate(lo, code, shopper, token), 401, "token_revoked")
    assert lo.my_wallet(others).status_code == 200  # another customer's tokens are untouched
    fresh = lo.token(shopper)["token"]
    assert lo.my_wallet(fresh).status_code == 200
    assert _validate(lo, code, shopper, fresh).status_code == 200
    # revoking again revokes the token issued in between
    assert lo.post(f"/v1/customers/{shopper}/tokens/revoke", json={}).json()["token_epoch"] == 2
    assert_error(lo.my_wallet(fresh), 401, "token_revoked")
    # the shop's own reads (secret key) are not affected
    assert lo.get(f"/v1/customers/{shopper}/wallet").status_code == 200


def test_revoking_needs_the_secret_key(lo, shopper):
    assert_error(lo.post(f"/v1/customers/{shopper}/tokens/revoke", json={}, key="publishable"), 403, "forbidden")


def test_a_customer_without_a_record_can_have_its_tokens_revoked(lo, code):
    """Tokens are issued for any id, record or not: a leaked one can always be revoked."""
    nobody = uid("nobody-")
    token = lo.token(nobody)["token"]
    assert _validate(lo, code, nobody, token).status_code == 200
    r = lo.post(f"/v1/customers/{nobody}/tokens/revoke", json={})
    assert r.status_code == 200, r.text
    assert r.json()["customer_id"] == nobody and r.json()["token_epoch"] == 1
    assert_error(_validate(lo, code, nobody, token), 401, "token_revoked")
    assert_error(lo.my_wallet(token), 401, "token_revoked")
    assert _validate(lo, code, nobody, lo.token(nobody)["token"]).status_code == 200
