"""The whole story over HTTP: campaign → code → validate → redeem → stats → rollback; idempotency; gift cards."""

import uuid

import pytest
from api import Api, assert_error, assert_refused, item, order, uid, unique_code

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


def _is_utc_iso(value: str) -> bool:
    return isinstance(value, str) and value.endswith("Z") and "T" in value


def test_story_campaign_code_validate_redeem_stats_rollback(api):
    # Given a 10 % campaign (capped at 15.00 EUR) with a public code
    story_customer = uid("cust-")
    r = api.post(
        "/v1/campaigns",
        json={
            "name": f"Spring {uid()}",
            "type": "discount",
            "discount": {"type": "percent", "percent_off": 10, "amount_limit": 1500},
            "rules": {
                "expires_at": "2999-01-31T23:00:00Z",
                "max_redemptions_per_code": 5,
                "max_redemptions_per_customer": 1,
                "min_order_amount": 2000,
                "currency": "EUR",
                "exclude_categories": ["gift-cards"],
            },
        },
    )
    assert r.status_code == 201, r.text
    campaign = r.json()
    cid = campaign["id"]
    assert campaign["enabled"] is True
    assert isinstance(campaign["version"], int)
    assert campaign["stats"]["codes_issued"] == 0
    assert campaign["stats"]["redemptions"] == 0
    assert _is_utc_iso(campaign["created_at"]), campaign

    code = unique_code("SUMMER")
    r = api.post(f"/v1/campaigns/{cid}/codes", json={"code": code})
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 1
    assert r.json()["codes"][0]["code"] == code

    cart = order(
        items=[item("SHOE", 2, 5000, ["shoes"]), item("GIFT", 1, 2500, ["gift-cards"])],
    )  # amount 12500, of which 10000 is discountable

    # When the storefront validates it (publishable key), lower-case and padded
    r = api.post(
        "/v1/coupons/validate",
        json={"code": f"  {code.lower()} ", "customer_id": story_customer, "order": cart},
        key="publishable",
    )
    # Then it is valid and shows the effect on the cart, changing nothing
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["valid"] is True, v
    assert v["code"] == code
    assert v["campaign_id"] == cid
    assert v["currency"] == "EUR"
    assert v["discount_amount"] == 1000
    assert v["order_amount_after"] == 11500
    assert v["applicable_items"] == [{"sku": "SHOE", "quantity": 2, "amount": 10000, "discount_amount": 1000}]
    assert api.code(code)["redemptions"] == 0

    # When the server redeems it (secret key)
    order_id = uid("ord_")
    r = api.redeem(code, {**cart, "id": order_id}, customer_id=story_customer)
    assert r.status_code == 201, r.text
    red = r.json()
    assert red["id"]
    assert red["code"] == code
    assert red["campaign_id"] == cid
    assert red["customer_id"] == story_customer
    assert red["order_id"] == order_id
    assert red["discount_amount"] == 1000
    assert red["order_amount_after"] == 11500
    assert red["status"] == "succeeded"
    assert _is_utc_iso(red["created_at"]), red

    # Then GET /v1/redemptions/{id} returns it and the code shows the use
    r = api.get(f"/v1/redemptions/{red['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == red["id"] and r.json()["status"] == "succeeded"
    c = api.code(code)
    assert c["redemptions"] == 1
    assert [u["id"] for u in c["uses"]] == [red["id"]]

    # And the campaign stats count it
    stats = api.campaign(cid)["stats"]
    assert stats["codes_issued"] == 1
    assert stats["redemptions"] == 1
    assert stats["discount_given"] == {"EUR": 1000}

    # When it is rolled back
    r = api.rollback(red["id"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rolled_back"
    assert _is_utc_iso(r.json()["rolled_back_at"]), r.json()
    assert api.get(f"/v1/redemptions/{red['id']}").json()["status"] == "rolled_back"

    # Then the stats and the code's count come back
    stats = api.campaign(cid)["stats"]
    assert stats["redemptions"] == 0
    assert stats["rolled_back"] == 1
    assert stats["discount_given"].get("EUR", 0) == 0
    assert api.code(code)["redemptions"] == 0

    # And a second rollback is refused
    assert_error(api.rollback(red["id"]), 409, "already_rolled_back")


def test_given_a_rolled_back_redemption_then_the_use_and_the_customer_allowance_come_back(api):
    cmp_ = api.create_campaign(rules={"max_redemptions_per_code": 1, "max_redemptions_per_customer": 1})
    code = api.create_code(cmp_["id"])
    rb_customer = uid("cust-")
    r = api.redeem(code, order(5000), customer_id=rb_customer)
    assert r.status_code == 201, r.text
    assert_refused(api.validate(code, order(5000), customer_id=uid("cust-")), "redemption_limit_reached")

    assert api.rollback(r.json()["id"]).status_code == 200

    r2 = api.redeem(code, order(5000), customer_id=rb_customer)
    assert r2.status_code == 201, r2.text


def test_redeeming_the_same_code_for_the_same_order_returns_the_same_redemption_and_counts_once(api):
    cmp_ = api.create_campaign()
    code = api.create_code(cmp_["id"])
    cart = order(4000, id=uid("ord_"))
    first = api.redeem(code, cart)
    assert first.status_code == 201, first.text
    again = api.redeem(code, cart)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 1
    assert api.code(code)["redemptions"] == 1


def test_unknown_redemption_is_404(api):
    assert_error(api.get(f"/v1/redemptions/red_{uuid.uuid4().hex}"), 404, "not_found")
    assert_error(api.rollback(f"red_{uuid.uuid4().hex}"), 404, "not_found")


# -- Idempotency-Key ----------------------------------------------------------------------------------


def test_retried_redemption_with_the_same_idempotency_key_has_one_effect_and_the_same_response(api):
    cmp_ = api.create_campaign()
    code = api.create_code(cmp_["id"])
    key = f"idem-{uuid.uuid4()}"
    cart = order(3000, id=uid("ord_"))

    first = api.redeem(code, cart, idempotency_key=key)
    second = api.redeem(code, cart, idempotency_key=key)

    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert second.json() == first.json()
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 1

    # Same key, different body → idempotency_conflict, and still one redemption
    other = api.redeem(code, order(3100, id=uid("ord_")), idempotency_key=key)
    assert_error(other, 409, "idempotency_conflict")
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 1


def test_retried_campaign_creation_with_the_same_idempotency_key_creates_one_campaign(api):
    key = f"idem-{uuid.uuid4()}"
    body = {"name": f"idem {uid()}", "type": "discount", "discount": {"type": "percent", "percent_off": 5}}
    first = api.post("/v1/campaigns", json=body, idempotency_key=key)
    second = api.post("/v1/campaigns", json=body, idempotency_key=key)
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert second.json() == first.json()

    named = [c for c in api.list_all("/v1/campaigns") if c["name"] == body["name"]]
    assert len(named) == 1, named

    conflict = api.post("/v1/campaigns", json={**body, "name": body["name"] + " changed"}, idempotency_key=key)
    assert_error(conflict, 409, "idempotency_conflict")


def test_retried_code_creation_with_the_same_idempotency_key_creates_the_codes_once(api):
    cmp_ = api.create_campaign()
    key = f"idem-{uuid.uuid4()}"
    path = f"/v1/campaigns/{cmp_['id']}/codes"
    first = api.post(path, json={"count": 3}, idempotency_key=key)
    second = api.post(path, json={"count": 3}, idempotency_key=key)
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert second.json() == first.json()
    assert api.campaign(cmp_["id"])["stats"]["codes_issued"] == 3
    assert_error(api.post(path, json={"count": 4}, idempotency_key=key), 409, "idempotency_conflict")


def test_retried_rollback_with_the_same_idempotency_key_returns_the_same_answer(api):
    cmp_ = api.create_campaign()
    code = api.create_code(cmp_["id"])
    red = api.redeem(code, order(3000)).json()
    key = f"idem-{uuid.uuid4()}"
    first = api.rollback(red["id"], idempotency_key=key)
    second = api.rollback(red["id"], idempotency_key=key)
    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text  # a replay, not a second rollback
    assert second.json() == first.json()
    stats = api.campaign(cmp_["id"])["stats"]
    assert stats["rolled_back"] == 1 and stats["redemptions"] == 0
    # without the key, a second rollback is a conflict
    assert_error(api.rollback(red["id"]), 409, "already_rolled_back")


# -- Gift cards -----------------------------------------------------------------------------------------


def test_gift_card_balance_is_spent_across_orders_and_restored_by_rollback(api):
    # Given a gift card of 50.00 EUR
    cmp_ = api.create_campaign(discount={"type": "gift_card", "balance": 5000}, rules={"currency": "EUR"})
    code = api.create_code(cmp_["id"])
    assert api.code(code)["balance"] == 5000

    # When two orders of 30.00 use it, then the first takes 30.00 and the second the remaining 20.00
    first = api.redeem(code, order(3000))
    assert first.status_code == 201, first.text
    assert first.json()["discount_amount"] == 3000
    assert first.json()["order_amount_after"] == 0
    second = api.redeem(code, order(3000))
    assert second.status_code == 201, second.text
    assert second.json()["discount_amount"] == 2000
    assert second.json()["order_amount_after"] == 1000
    assert api.code(code)["balance"] == 0

    # And a third is refused, by validate and by redeem
    assert_refused(api.validate(code, order(3000)), "gift_card_balance_exhausted")
    assert_error(api.redeem(code, order(3000)), 422, "gift_card_balance_exhausted")

    # When the first is rolled back, then its 30.00 come back
    assert api.rollback(first.json()["id"]).status_code == 200
    assert api.code(code)["balance"] == 3000
    v = api.validate(code, order(4000))
    assert v["valid"] is True and v["discount_amount"] == 3000, v
    stats = api.campaign(cmp_["id"])["stats"]
    assert stats["redemptions"] == 1
    assert stats["discount_given"] == {"EUR": 2000}
