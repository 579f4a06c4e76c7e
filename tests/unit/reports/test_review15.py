"""Review 15's wrong figures, in-process (moto): each test fails without its fix."""

from types import ModuleType
from typing import Any

import pytest

from tests.unit.functions import call, load_function

PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "credit", "amount": 500, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    "attribution": {"window_days": 30, "model": "last_touch"},
}


@pytest.fixture
def fns(aws: None) -> dict[str, ModuleType]:
    return {name: load_function(name) for name in ("campaigns", "referrals", "conversions", "reports")}


def program_and_link(fns: dict[str, ModuleType], customer_id: str = "anna") -> tuple[str, str]:
    program = call(fns["campaigns"], "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM).body
    link = call(
        fns["referrals"],
        "POST",
        "/v1/referrals",
        "/v1/referrals",
        {"customer_id": customer_id, "campaign_id": program["id"]},
    ).body
    return program["id"], link["code"]


def order(fns: dict[str, ModuleType], **body: Any) -> dict[str, Any]:
    reply = call(fns["conversions"], "POST", "/v1/orders", "/v1/orders", {"amount": 5900, "currency": "EUR", **body})
    assert reply.status in (200, 201), reply.body
    return dict(reply.body)


def roi(fns: dict[str, ModuleType], campaign_id: str) -> dict[str, Any]:
    reply = call(fns["reports"], "GET", "/v1/reports/roi", "/v1/reports/roi", query={"campaign_id": campaign_id})
    assert reply.status == 200, reply.body
    return dict(reply.body)


def test_spending_a_credit_reward_is_not_coupon_cost(fns: dict[str, ModuleType]) -> None:
    """F0: a credit's face value is its cost when released; spending its gift-card code adds nothing."""
    campaign_id, code = program_and_link(fns)
    first = order(fns, id="o1", customer_id="friend", referral_code=code)
    credit = next(r for r in first["rewards"] if r["role"] == "referee")
    assert credit["coupon_code"]
    order(fns, id="o2", customer_id="friend", amount=300, coupon_code=credit["coupon_code"])
    order(fns, id="o3", customer_id="friend", amount=5000, coupon_code=credit["coupon_code"])
    report = roi(fns, campaign_id)
    inputs = report["items"][0]["inputs"]
    assert inputs["coupon_cost"] == 0, inputs
    assert report["coupons_outstanding"] == 0


def funnel_totals(fns: dict[str, ModuleType], campaign_id: str) -> dict[str, Any]:
    reply = call(fns["reports"], "GET", "/v1/reports/funnel", "/v1/reports/funnel", query={"campaign_id": campaign_id})
    assert reply.status == 200, reply.body
    return dict(reply.body["totals"])


def test_a_click_between_the_orders_read_and_its_commit_counts_once(
    fns: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    """F1: the order's funnel delta was worked out from a stale link; now its write is conditioned on the read
    counters, so the click makes it re-read and the click counts once."""
    from passaparola.data import conversions as conversion_store
    from passaparola.referrals import links

    campaign_id, code = program_and_link(fns)
    original = conversion_store.read_order_and_friend
    clicked: list[int] = []

    def read_then_click(*args: Any, **kwargs: Any) -> Any:
        ctx = original(*args, **kwargs)
        if not clicked:
            clicked.append(1)
            links.follow(code, None, None)
        return ctx

    monkeypatch.setattr(conversion_store, "read_order_and_friend", read_then_click)
    assert order(fns, id="o1", customer_id="friend", referral_code=code)["referral"]["status"] == "converted"
    totals = funnel_totals(fns, campaign_id)
    assert totals["referrers"]["shared"] == 1 and totals["referrers"]["clicked"] == 1, totals
    assert totals["referrers"]["brought"] == 1, totals
    assert totals["friends"]["clicks"] == 1, totals


def test_a_converted_friend_using_their_own_or_another_code_is_still_blocked(fns: dict[str, ModuleType]) -> None:
    """F7: only the same link (or a touch) skips the decision; self-referral and another referrer's code
    are real blocks, counted as such."""
    campaign_id, anna = program_and_link(fns)
    assert order(fns, id="o1", customer_id="friend", referral_code=anna)["referral"]["status"] == "converted"
    link = {"campaign_id": campaign_id}
    own = call(fns["referrals"], "POST", "/v1/referrals", "/v1/referrals", {**link, "customer_id": "friend"}).body
    bob = call(fns["referrals"], "POST", "/v1/referrals", "/v1/referrals", {**link, "customer_id": "bob"}).body
    again = order(fns, id="o2", customer_id="friend", referral_code=anna)
    assert again["referral"] is None, again
    selfie = order(fns, id="o3", customer_id="friend", referral_code=own["code"])["referral"]
    assert selfie is not None and selfie["status"] == "blocked" and "self_referral" in selfie["reasons"], selfie
    other = order(fns, id="o4", customer_id="friend", referral_code=bob["code"])["referral"]
    assert other is not None and other["status"] == "blocked" and "already_referred" in other["reasons"], other


COUPON: dict[str, Any] = {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"}


def test_rolling_back_a_friend_coupon_redeemed_without_customer_id_takes_its_cost_back(
    fns: dict[str, ModuleType],
) -> None:
    """F3: the rollback reads the code whatever the redemption carried, so the coupon's cost leaves the ROI and
    the coupon is outstanding again."""
    from tests.unit.functions import PUBLISHABLE

    coupons_fn = load_function("coupons")
    program = call(fns["campaigns"], "POST", "/v1/campaigns", "/v1/campaigns", {**PROGRAM, "referee_reward": COUPON})
    campaign_id = program.body["id"]
    code = call(
        fns["referrals"], "POST", "/v1/referrals", "/v1/referrals", {"customer_id": "anna", "campaign_id": campaign_id}
    ).body["code"]
    path = f"/v1/referrals/{code}/friends"
    got = call(
        fns["referrals"], "POST", path, "/v1/referrals/{code}/friends", {"email": "f@example.org"}, key=PUBLISHABLE
    )
    friend_code = got.body["coupon"]["code"] if "coupon" in got.body else got.body["code"]
    order_body = {
        "id": "x1",
        "amount": 5000,
        "currency": "EUR",
        "items": [{"sku": "A", "quantity": 1, "unit_price": 5000}],
    }
    redeemed = call(
        coupons_fn,
        "POST",
        "/v1/redemptions",
        "/v1/redemptions",
        {"code": friend_code, "email": "f@example.org", "order": order_body},
        headers={"Idempotency-Key": "k1"},
    )
    assert redeemed.status == 201, redeemed.body
    assert roi(fns, campaign_id)["coupons_outstanding"] == 0
    rollback = f"/v1/redemptions/{redeemed.body['id']}/rollback"
    assert call(coupons_fn, "POST", rollback, "/v1/redemptions/{redemption_id}/rollback", {}).status == 200
    report = roi(fns, campaign_id)
    assert report["coupons_outstanding"] == 1, report
    assert all(item["inputs"]["coupon_cost"] == 0 for item in report["items"]), report["items"]
