"""Points adjusted by hand (POST /v1/customers/{id}/points/adjustments): one `adjustment` ledger line with its
reason, the balance before and after; never below zero (only refunds make a debt)."""

from passaparola.campaigns import service as campaigns
from passaparola.campaigns.models import LoyaltyCampaignCreate
from passaparola.customers import service as customers
from passaparola.customers.models import CustomerPut
from passaparola.data import campaigns as campaign_store
from tests.unit.functions import call, load_function

ROUTE = "/v1/customers/{customer_id}/points/adjustments"


def program() -> None:
    body = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]}
    campaigns.create(LoyaltyCampaignCreate.model_validate(body))
    campaign_store._CACHE.clear()


def adjust(fn, customer_id, body, headers=None):
    return call(fn, "POST", f"/v1/customers/{customer_id}/points/adjustments", ROUTE, body, headers=headers)


def test_an_adjustment_adds_and_takes_points_with_its_reason_on_the_ledger(aws):
    fn = load_function("loyalty")
    program()
    customers.put("cus_1", CustomerPut(email="a@example.com"))

    added = adjust(fn, "cus_1", {"points": 300, "reason": "Parcel arrived late"})
    assert added.status == 201, added.body
    assert added.body["balance_before"] == 0 and added.body["balance_after"] == 300
    assert added.body["id"].startswith("adj_")
    taken = adjust(fn, "cus_1", {"points": -120, "reason": "Duplicate credit"})
    assert taken.status == 201, taken.body
    assert (taken.body["balance_before"], taken.body["balance_after"]) == (300, 180)

    ledger = call(fn, "GET", "/v1/customers/cus_1/points/ledger", "/v1/customers/{customer_id}/points/ledger")
    lines = [(i["type"], i["points"], i["balance_after"], i["reason"], i["source_type"]) for i in ledger.body["items"]]
    assert lines == [
        ("adjustment", 300, 300, "Parcel arrived late", "adjustment"),
        ("adjustment", -120, 180, "Duplicate credit", "adjustment"),
    ]
    wallet = call(fn, "GET", "/v1/customers/cus_1/wallet", "/v1/customers/{customer_id}/wallet")
    assert wallet.body["points"]["balance"] == 180


def test_taking_more_than_the_balance_is_refused_and_changes_nothing(aws):
    fn = load_function("loyalty")
    program()
    customers.put("cus_1", CustomerPut())
    adjust(fn, "cus_1", {"points": 50, "reason": "goodwill"})

    refused = adjust(fn, "cus_1", {"points": -51, "reason": "too much"})
    assert refused.status == 422 and refused.body["error"]["code"] == "insufficient_points"
    assert refused.body["error"]["details"] == {"balance": 50, "points": -51}
    assert customers.get("cus_1").loyalty.balance == 50


def test_an_adjustment_needs_a_program_a_known_customer_and_a_valid_body(aws):
    fn = load_function("loyalty")
    customers.put("cus_1", CustomerPut())
    none = adjust(fn, "cus_1", {"points": 10, "reason": "x"})
    assert none.status == 422 and none.body["error"]["code"] == "loyalty_program_required"

    program()
    assert adjust(fn, "cus_unknown", {"points": 10, "reason": "x"}).status == 404
    for bad in (
        {"points": 0, "reason": "x"},
        {"points": 5, "reason": "  "},
        {"points": 5, "reason": "r" * 201},
        {"points": 5},
        {"points": 1.5, "reason": "x"},
    ):
        assert adjust(fn, "cus_1", bad).status == 400, bad
    assert adjust(fn, "segments", {"points": 10, "reason": "x"}).status == 400


def test_a_retried_adjustment_with_its_idempotency_key_counts_once(aws):
    fn = load_function("loyalty")
    program()
    customers.put("cus_1", CustomerPut())
    key = {"Idempotency-Key": "adj-1"}
    first = adjust(fn, "cus_1", {"points": 40, "reason": "goodwill"}, key)
    again = adjust(fn, "cus_1", {"points": 40, "reason": "goodwill"}, key)
    assert first.status == again.status == 201
    assert again.body == first.body
    assert customers.get("cus_1").loyalty.balance == 40
