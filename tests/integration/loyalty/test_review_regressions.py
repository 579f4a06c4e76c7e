"""Inputs a review of the loyalty change showed could answer 500: each is now a clear 400."""

import base64
import json

import pytest
from api import uid

pytestmark = pytest.mark.integration


def _error(r, status=400, code="invalid_request"):
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code, r.text


def test_a_nan_weight_is_refused_and_customers_stay_writable(lo):
    body = '{"weights": {"email_opened": NaN}}'
    _error(lo.request("PUT", "/v1/engagement", data=body, headers={"Content-Type": "application/json"}))
    assert lo.review(uid("cust-"))["engagement_score"] >= 0


@pytest.mark.parametrize("when", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00+01:00", "1969-12-31T23:00:00Z"])
def test_out_of_range_event_times_are_refused(lo, when):
    _error(lo.send_event(uid("cust-"), "review", rating=5, occurred_at=when))


def test_an_out_of_range_signup_date_is_refused(lo):
    _error(lo.request("PUT", f"/v1/customers/{uid('cust-')}", json={"created_at": "9999-12-31T00:00:00Z"}))


def test_an_order_in_the_year_9999_is_refused(lo):
    body = {
        "id": uid("ord_"),
        "customer_id": uid("cust-"),
        "amount": 1000,
        "currency": "EUR",
        "created_at": "9999-12-30T00:00:00Z",
    }
    _error(lo.post("/v1/orders", json=body))


def test_segment_changes_need_a_time_zone(lo):
    _error(lo.get("/v1/segments/changes", params={"since": "2026-03-01T00:00:00"}))


def test_a_hand_made_changes_cursor_from_year_one_answers_quickly(lo):
    raw = {"day": {"S": "0001-01-01"}, "after": {"S": "x"}}
    cursor = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")
    r = lo.get("/v1/segments/changes", params={"since": "2026-03-01T00:00:00Z", "cursor": cursor})
    assert r.status_code == 200, r.text
