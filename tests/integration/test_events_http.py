"""Events over HTTP: a redemption and its rollback reach the EventBridge rule of the local stack (GET /local/events)
and GET /v1/events, each once, with the same id; the stack polls EventsTable's stream as Lambda does."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from api import Api, order, uid

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


def on_the_rule(stack: Any, event_type: str) -> list[dict[str, Any]]:
    resp = requests.get(
        f"{stack.url}/local/events",
        params={"type": event_type, "limit": 1000},
        headers={"Authorization": f"Bearer {stack.secret_key}"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return list(resp.json()["events"])


def wait_for(stack: Any, event_type: str, redemption_id: str, timeout: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in on_the_rule(stack, event_type) if e["detail"]["data"].get("redemption_id") == redemption_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_redemption_and_its_rollback_reach_the_event_rule_and_the_api_once(api, stack):
    campaign = api.create_campaign()
    code = api.create_code(campaign["id"])
    customer = uid("cus_")
    redeemed = api.redeem(code, order(5000, id=uid("o-")), customer)
    assert redeemed.status_code == 201, redeemed.text
    redemption_id = redeemed.json()["id"]

    (delivered,) = wait_for(stack, "coupon.redeemed", redemption_id)
    assert delivered["source"] == "passaparola" and delivered["detail-type"] == "coupon.redeemed"
    event = delivered["detail"]
    assert (event["type"], event["version"], event["customer_id"]) == ("coupon.redeemed", 1, customer)
    assert event["data"]["code"] == code and event["data"]["campaign_id"] == campaign["id"]

    assert api.get(f"/v1/events/{event['id']}").json() == event
    listed = api.get("/v1/events", params={"customer_id": customer, "type": "coupon.redeemed"}).json()["items"]
    assert [e["id"] for e in listed] == [event["id"]]

    assert api.rollback(redemption_id).status_code == 200
    (rolled,) = wait_for(stack, "coupon.rolled_back", redemption_id)
    assert rolled["detail"]["id"] > event["id"]
    mine = api.get("/v1/events", params={"customer_id": customer}).json()["items"]
    assert [e["type"] for e in mine] == ["coupon.redeemed", "coupon.rolled_back"]

    # both went to the webhook queue too and were marked published: the republisher, minutes later, finds nothing
    stack.set_clock(datetime.now(UTC) + timedelta(minutes=3))
    try:
        assert stack.run_job("EventRepublishFunction") == {"published": 0, "failed": 0}
    finally:
        stack.set_clock(None)
    time.sleep(1)  # a second publish would have arrived by now
    assert len(wait_for(stack, "coupon.redeemed", redemption_id, 0)) == 1
    assert len(wait_for(stack, "coupon.rolled_back", redemption_id, 0)) == 1


def test_the_local_event_rule_needs_the_secret_key(stack):
    assert requests.get(f"{stack.url}/local/events", timeout=30).status_code == 401
    bad = requests.get(f"{stack.url}/local/events", headers={"Authorization": "Bearer sk_nope"}, timeout=30)
    assert bad.status_code == 403
