"""What a support agent does on the phone, over HTTP: find the customer by email, adjust their points with a
reason (seen on the ledger and the wallet), and preview the message a campaign would send them."""

import pytest
from api import uid

from loyalty import Loyalty

pytestmark = pytest.mark.integration


def test_find_a_customer_by_email_and_adjust_their_points(lo: Loyalty, program):
    customer_id = uid("sup-")
    email = f"{customer_id}@Example.org"
    lo.profile(customer_id, email=email, name="Anna Rossi", locale="it")

    found = lo.get("/v1/customers", params={"query": email.upper()})
    assert found.status_code == 200, found.text
    [summary] = found.json()["customers"]
    assert (summary["id"], summary["email"], summary["name"]) == (customer_id, email, "Anna Rossi")
    assert lo.get("/v1/customers", params={"query": customer_id}).json()["customers"][0]["id"] == customer_id

    path = f"/v1/customers/{customer_id}/points/adjustments"
    added = lo.post(path, json={"points": 250, "reason": "Late delivery"}, idempotency_key=uid("adj-"))
    assert added.status_code == 201, added.text
    assert (added.json()["balance_before"], added.json()["balance_after"]) == (0, 250)
    too_much = lo.post(path, json={"points": -251, "reason": "Oops"})
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "insufficient_points"
    taken = lo.post(path, json={"points": -50, "reason": "Duplicate"})
    assert taken.status_code == 201 and taken.json()["balance_after"] == 200

    ledger = lo.get(f"/v1/customers/{customer_id}/points/ledger").json()["items"]
    adjustments = [(i["points"], i["reason"]) for i in ledger if i["type"] == "adjustment"]
    assert adjustments == [(250, "Late delivery"), (-50, "Duplicate")]
    assert lo.get(f"/v1/customers/{customer_id}/wallet").json()["points"]["balance"] == 200

    erased = lo.request("DELETE", f"/v1/customers/{customer_id}")
    assert erased.status_code == 200, erased.text
    assert lo.get("/v1/customers", params={"query": email}).json() == {"customers": []}


def test_preview_a_message_for_a_customer_and_the_share_texts(lo: Loyalty, program):
    customer_id = uid("sup-")
    lo.profile(customer_id, email=f"{customer_id}@example.org", name="Marco Bianchi", locale="it")
    messages = {"email": {"it": {"subject": "Ciao {{ customer.first_name }}", "body": "<p>{{ points }} punti</p>"}}}
    shown = lo.post(
        "/v1/messages/preview",
        json={"messages": messages, "incentive": {"points": 100}, "locale": "it", "customer_id": customer_id},
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["subject"] == "Ciao Marco" and "100 punti" in shown.json()["html"]
    assert lo.post("/v1/messages/preview", json={"messages": messages, "locale": "en"}).status_code == 400

    draft = {
        "name": "Friends",
        "type": "referral",
        "landing_url": "https://shop.example.com/",
        "referee_reward": {"type": "credit", "amount": 500, "currency": "EUR"},
        "referrer_reward": {"type": "credit", "amount": 500, "currency": "EUR"},
    }
    texts = lo.post("/v1/referrals/preview", json={"campaign": draft, "locale": "it", "name": "Marco"})
    assert texts.status_code == 200, texts.text
    assert "5,00 EUR di credito" in texts.json()["email_body"] and texts.json()["link"].endswith("/r/ANNA1")
