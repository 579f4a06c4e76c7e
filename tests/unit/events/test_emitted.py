"""The engine's own events, written in the transactions of the changes they report: a redemption and its rollback,
a code issued to a customer, an enrollment, an erasure; a refused change writes none."""

import json
from types import ModuleType
from typing import Any

from passaparola.customers import service as customers
from passaparola.data.models.events import EventModel
from tests.unit.coupons.test_redemptions import make_campaign, make_code, redeem
from tests.unit.functions import call


def events(event_type: str | None = None) -> list[dict[str, Any]]:
    items = sorted((e for i in EventModel.scan() for e in json.loads(i.events)), key=lambda e: e["id"])
    return [
        {"id": e["id"], "type": e["type"], "customer_id": e["customer_id"], **e["data"]}
        for e in items
        if event_type is None or e["type"] == event_type
    ]


def test_a_redemption_and_its_rollback_are_events(coupons_fn: ModuleType, campaigns_fn: ModuleType) -> None:
    campaign_id = make_campaign(campaigns_fn, max_redemptions=1)
    code = make_code(campaigns_fn, campaign_id, code="EVT10")
    redeemed = redeem(coupons_fn, code, "o-1", "c-1")
    assert redeemed.status == 201
    assert redeem(coupons_fn, code, "o-2", "c-2").status == 422  # over the limit: no event
    (event,) = events("coupon.redeemed")
    assert event == {
        "id": event["id"],
        "type": "coupon.redeemed",
        "customer_id": "c-1",
        "code": "EVT10",
        "campaign_id": campaign_id,
        "redemption_id": redeemed.body["id"],
        "order_id": "o-1",
        "discount": 500,
        "currency": "EUR",
    }
    path = f"/v1/redemptions/{redeemed.body['id']}/rollback"
    assert call(coupons_fn, "POST", path, "/v1/redemptions/{redemption_id}/rollback", {}).status == 200
    assert call(coupons_fn, "POST", path, "/v1/redemptions/{redemption_id}/rollback", {}).status == 409
    (rolled,) = events("coupon.rolled_back")
    assert (rolled["redemption_id"], rolled["discount"], rolled["customer_id"]) == (redeemed.body["id"], 500, "c-1")
    assert rolled["id"] > event["id"]


def test_a_code_issued_to_a_customer_is_an_event_a_public_code_is_not(campaigns_fn: ModuleType) -> None:
    campaign_id = make_campaign(campaigns_fn)
    make_code(campaigns_fn, campaign_id, code="PUBLIC")
    make_code(campaigns_fn, campaign_id, code="FORANNA", customer_id="anna")
    issued = events("coupon.issued")
    assert sorted((e["customer_id"], e["source"]) for e in issued) == [("anna", "manual")]
    assert {e["code"] for e in issued if e["customer_id"] == "anna"} == {"FORANNA"}


def test_enrollment_and_erasure_are_events(aws: None) -> None:
    customers.mutate("cus_e", lambda change, tx: change.enroll(change.now), "enrolled")
    customers.mutate("cus_e", lambda change, tx: change.enroll(change.now), "enrolled")  # already a member
    customers.erase("cus_e")
    mine = [e for e in events() if not e["type"].startswith("segment.")]  # joining enters loyalty_members
    assert [(e["type"], e["customer_id"]) for e in mine] == [
        ("loyalty.enrolled", "cus_e"),
        ("customer.erased", "cus_e"),
    ]


def test_marking_a_payout_paid_is_an_event_once(aws: None) -> None:
    from datetime import UTC, datetime

    from passaparola.data import payouts

    def paid() -> bool:
        at = datetime(2027, 2, 3, tzinfo=UTC)
        return payouts.mark_paid(
            "pay_x", "cus_r", "2027-01", "EUR", changes=0, amount=1500, rewards=2, reference="SEPA-1", at=at
        )

    assert paid() is True
    assert paid() is False  # already paid: no second event
    (event,) = events("payout.paid")
    assert {k: v for k, v in event.items() if k != "id"} == {
        "type": "payout.paid",
        "customer_id": "cus_r",
        "payout_id": "pay_x",
        "referrer_id": "cus_r",
        "amount": 1500,
        "currency": "EUR",
    }
