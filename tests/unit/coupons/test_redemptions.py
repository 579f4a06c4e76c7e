"""Validate → redeem → roll back through the coupons function, against moto (tables from template.yaml)."""

from types import ModuleType
from typing import Any

from tests.unit.functions import PUBLISHABLE, Reply, call

ORDER = {"amount": 5000, "currency": "EUR", "items": [{"sku": "shoe", "quantity": 2, "unit_price": 2500}]}


def make_campaign(campaigns_fn: ModuleType, discount: dict[str, Any] | None = None, **rules: Any) -> str:
    body = {
        "name": "Spring",
        "type": "discount",
        "discount": discount or {"type": "percent", "percent_off": 10, "amount_limit": 1500},
        "rules": {"currency": "EUR", **rules},
    }
    reply = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


def make_code(campaigns_fn: ModuleType, campaign_id: str, **body: Any) -> str:
    reply = call(
        campaigns_fn,
        "POST",
        f"/v1/campaigns/{campaign_id}/codes",
        "/v1/campaigns/{campaign_id}/codes",
        body or {"count": 1},
    )
    assert reply.status == 201, reply.body
    return str(reply.body["codes"][0]["code"])


def redeem(coupons_fn: ModuleType, code: str, order_id: str, customer_id: str | None = None, **kw: Any) -> Reply:
    body: dict[str, Any] = {"code": code, "order": {**ORDER, "id": order_id, **kw.pop("order", {})}}
    if customer_id:
        body["customer_id"] = customer_id
    return call(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", body, **kw)


def campaign_stats(campaigns_fn: ModuleType, campaign_id: str) -> dict[str, Any]:
    return dict(call(campaigns_fn, "GET", f"/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}").body["stats"])


def test_validate_with_the_publishable_key_shows_the_effect_and_changes_nothing(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    make_code(campaigns_fn, campaign_id, code="SPRING10")

    reply = call(
        coupons_fn,
        "POST",
        "/v1/coupons/validate",
        "/v1/coupons/validate",
        {"code": " spring10 ", "order": ORDER},
        key=PUBLISHABLE,
    )

    assert reply.status == 200
    assert reply.body["valid"] is True
    assert reply.body["code"] == "SPRING10"
    assert reply.body["discount_amount"] == 500
    assert reply.body["order_amount_after"] == 4500
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == 0


def test_an_unknown_code_is_not_valid_and_cannot_be_redeemed(coupons_fn, campaigns_fn):
    reply = call(coupons_fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", {"code": "NOPE", "order": ORDER})
    assert reply.body["valid"] is False and reply.body["error"]["code"] == "coupon_not_found"

    redeemed = redeem(coupons_fn, "NOPE", "o-1")
    assert redeemed.status == 404 and redeemed.body["error"]["code"] == "coupon_not_found"


def test_redeem_then_rollback_gives_back_the_use_and_the_counters(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn, max_redemptions_per_customer=1)
    code = make_code(campaigns_fn, campaign_id, code="BACK")

    first = redeem(coupons_fn, code, "o-1", "c-1")
    assert first.status == 201 and first.body["status"] == "succeeded"
    assert campaign_stats(campaigns_fn, campaign_id) | {} == {
        "codes_issued": 1,
        "redemptions": 1,
        "rolled_back": 0,
        "discount_given": {"EUR": 500},
    }
    assert redeem(coupons_fn, code, "o-2", "c-1").body["error"]["code"] == "customer_limit_reached"

    rolled = call(
        coupons_fn, "POST", f"/v1/redemptions/{first.body['id']}/rollback", "/v1/redemptions/{redemption_id}/rollback"
    )
    assert rolled.status == 200 and rolled.body["status"] == "rolled_back"
    assert campaign_stats(campaigns_fn, campaign_id)["discount_given"] == {"EUR": 0}
    assert redeem(coupons_fn, code, "o-2", "c-1").status == 201

    again = call(
        coupons_fn, "POST", f"/v1/redemptions/{first.body['id']}/rollback", "/v1/redemptions/{redemption_id}/rollback"
    )
    assert again.status == 409 and again.body["error"]["code"] == "already_rolled_back"


def test_the_same_order_redeeming_the_same_code_twice_gets_the_first_redemption(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    code = make_code(campaigns_fn, campaign_id)

    first, second = redeem(coupons_fn, code, "o-1"), redeem(coupons_fn, code, "o-1")

    assert (first.status, second.status) == (201, 200)
    assert first.body == second.body
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == 1


def test_idempotency_key_replays_the_first_response_and_refuses_another_body(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    code = make_code(campaigns_fn, campaign_id)
    key = {"Idempotency-Key": "retry-1"}

    first = redeem(coupons_fn, code, "o-1", headers=key)
    replay = redeem(coupons_fn, code, "o-1", headers=key)
    other = redeem(coupons_fn, code, "o-2", headers=key)

    assert first.status == replay.status == 201 and first.body == replay.body
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert other.status == 409 and other.body["error"]["code"] == "idempotency_conflict"
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == 1


def test_a_gift_card_balance_is_spent_across_orders_and_restored_by_rollback(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn, {"type": "gift_card", "balance": 8000})
    code = make_code(campaigns_fn, campaign_id)

    first = redeem(coupons_fn, code, "o-1")
    second = redeem(coupons_fn, code, "o-2")
    third = redeem(coupons_fn, code, "o-3")

    assert (first.body["discount_amount"], second.body["discount_amount"]) == (5000, 3000)
    assert third.status == 422 and third.body["error"]["code"] == "gift_card_balance_exhausted"
    call(coupons_fn, "POST", f"/v1/redemptions/{first.body['id']}/rollback", "/v1/redemptions/{redemption_id}/rollback")
    shown = call(coupons_fn, "GET", f"/v1/codes/{code}", "/v1/codes/{code}")
    assert shown.body["balance"] == 5000
    assert [u["status"] for u in shown.body["uses"]] == ["succeeded", "rolled_back"]  # newest first


def test_switching_a_campaign_off_refuses_its_codes_at_once_and_on_again_accepts_them(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    code = make_code(campaigns_fn, campaign_id)
    assert redeem(coupons_fn, code, "o-1").status == 201

    call(campaigns_fn, "POST", f"/v1/campaigns/{campaign_id}/disable", "/v1/campaigns/{campaign_id}/disable")
    refused = redeem(coupons_fn, code, "o-2")
    call(campaigns_fn, "POST", f"/v1/campaigns/{campaign_id}/enable", "/v1/campaigns/{campaign_id}/enable")
    accepted = redeem(coupons_fn, code, "o-2")

    assert refused.status == 422 and refused.body["error"]["code"] == "campaign_disabled"
    assert accepted.status == 201


def test_a_rule_change_applies_to_the_next_redemption(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    code = make_code(campaigns_fn, campaign_id)
    assert redeem(coupons_fn, code, "o-1").status == 201

    patched = call(
        campaigns_fn,
        "PATCH",
        f"/v1/campaigns/{campaign_id}",
        "/v1/campaigns/{campaign_id}",
        {"rules": {"currency": "EUR", "min_order_amount": 9000}},
    )

    assert patched.status == 200 and patched.body["version"] == 2
    assert redeem(coupons_fn, code, "o-2").body["error"]["code"] == "order_below_minimum"


def test_new_customers_only_refuses_a_customer_who_already_ordered(coupons_fn, campaigns_fn):
    welcome = make_campaign(campaigns_fn, new_customers_only=True)
    other = make_campaign(campaigns_fn)
    assert redeem(coupons_fn, make_code(campaigns_fn, other), "o-1", "c-1").status == 201

    refused = redeem(coupons_fn, make_code(campaigns_fn, welcome), "o-2", "c-1")
    accepted = redeem(coupons_fn, make_code(campaigns_fn, welcome), "o-3", "c-new")

    assert refused.body["error"]["code"] == "not_new_customer"
    assert accepted.status == 201


def test_a_customer_bound_code_serves_only_its_customer(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    code = make_code(campaigns_fn, campaign_id, customer_id="c-sad")

    assert redeem(coupons_fn, code, "o-1").body["error"]["code"] == "customer_required"
    assert redeem(coupons_fn, code, "o-2", "c-other").body["error"]["code"] == "customer_not_allowed"
    assert redeem(coupons_fn, code, "o-3", "c-sad").status == 201


def test_campaign_wide_limit_counts_every_code(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn, max_redemptions=2)
    codes = [make_code(campaigns_fn, campaign_id) for _ in range(3)]

    statuses = [redeem(coupons_fn, c, f"o-{i}").status for i, c in enumerate(codes)]

    assert statuses == [201, 201, 422]
