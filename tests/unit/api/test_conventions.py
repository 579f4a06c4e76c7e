"""The HTTP conventions every route shares: keys, error shape, body limits, CORS."""

import pytest

from tests.unit.functions import PUBLISHABLE, SECRET, call

ORDER = {"amount": 1000, "currency": "EUR", "items": []}


@pytest.mark.parametrize("key", [None, "sk_test_wrong", "pk_unknown"])
def test_no_key_or_an_unknown_key_is_401_before_the_body_is_even_read(coupons_fn, key):
    reply = call(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", "{not json", key=key)
    assert reply.status == 401
    assert reply.body == {"error": {"code": "unauthorized", "message": "A valid API key is required.", "details": {}}}


def test_the_publishable_key_reaches_validate_but_no_secret_route(coupons_fn, campaigns_fn):
    assert (
        call(
            coupons_fn,
            "POST",
            "/v1/coupons/validate",
            "/v1/coupons/validate",
            {"code": "X", "order": ORDER},
            key=PUBLISHABLE,
        ).status
        == 200
    )
    assert call(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", {}, key=PUBLISHABLE).status == 403
    forbidden = call(campaigns_fn, "GET", "/v1/campaigns", "/v1/campaigns", key=PUBLISHABLE)
    assert forbidden.status == 403 and forbidden.body["error"]["code"] == "forbidden"


def test_a_revoked_key_stops_working(coupons_fn, monkeypatch):
    from passaparola.api import keys

    raw = keys.new_key("secret")
    keys.store_key(raw, "secret", "to revoke")
    assert call(coupons_fn, "GET", "/v1/codes/X", "/v1/codes/{code}", key=raw).status == 404
    assert keys.main(["revoke", raw]) == 0
    keys._cache.clear()
    assert call(coupons_fn, "GET", "/v1/codes/X", "/v1/codes/{code}", key=raw).status == 401


def test_keys_are_stored_hashed_never_raw(aws):
    from passaparola.data.models.keys import ApiKeyModel

    stored = {item.id for item in ApiKeyModel.scan()}
    assert SECRET not in stored and all(len(h) == 64 for h in stored)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{bad json", "body"),
        ({"code": "X", "order": {**ORDER, "amount": "ten"}}, "order.amount"),
        ({"code": "X", "order": {**ORDER, "amount": -1}}, "order.amount"),
        ({"code": "X", "order": ORDER, "coupon": "extra"}, "coupon"),
        ({"code": "X", "order": {**ORDER, "currency": "euro"}}, "order.currency"),
        ({"code": "\u202eX\u0000", "order": ORDER}, "code"),
        ({"code": "💥", "order": ORDER}, "code"),
        ({"order": ORDER}, "code"),
    ],
)
def test_malformed_requests_are_400_with_the_offending_field(coupons_fn, body, field):
    reply = call(coupons_fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", body)
    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_request"
    assert field in [f["field"] for f in reply.body["error"]["details"]["fields"]]


def test_an_oversized_body_is_refused_with_400(coupons_fn):
    body = {"code": "X", "order": {**ORDER, "items": [{"sku": "s" * 100, "quantity": 1, "unit_price": 1}] * 1000}}
    reply = call(coupons_fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", body)
    assert reply.status == 400 and reply.body["error"]["details"]["field"] == "body"


def test_an_unknown_route_is_a_json_404(coupons_fn):
    reply = call(coupons_fn, "GET", "/v1/nothing", "/v1/nothing")
    assert reply.status == 404 and reply.body["error"]["code"] == "not_found"


def test_errors_found_before_routing_carry_cors_headers(coupons_fn):
    reply = call(
        coupons_fn,
        "POST",
        "/v1/coupons/validate",
        "/v1/coupons/validate",
        {},
        key=None,
        headers={"Origin": "https://shop.example"},
    )
    assert reply.status == 401 and reply.headers.get("Access-Control-Allow-Origin") == "*"


def test_a_malformed_idempotency_key_is_400(coupons_fn, campaigns_fn):
    reply = call(
        campaigns_fn,
        "POST",
        "/v1/campaigns",
        "/v1/campaigns",
        {"name": "n", "type": "discount", "discount": {"type": "free_shipping"}},
        headers={"Idempotency-Key": "x" * 300},
    )
    assert reply.status == 400 and reply.body["error"]["details"]["field"] == "Idempotency-Key"


def test_a_json_body_sent_as_a_form_is_still_read_as_json(coupons_fn):
    # curl -d sends Content-Type: application/x-www-form-urlencoded by default
    reply = call(
        coupons_fn,
        "POST",
        "/v1/coupons/validate",
        "/v1/coupons/validate",
        {"code": "NOPE", "order": ORDER},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 200 and reply.body["error"]["code"] == "coupon_not_found"


def test_a_form_body_is_a_400_invalid_json(coupons_fn):
    reply = call(
        coupons_fn,
        "POST",
        "/v1/coupons/validate",
        "/v1/coupons/validate",
        "code=NOPE&x=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 400 and reply.body["error"]["details"]["fields"][0]["field"] == "body"
