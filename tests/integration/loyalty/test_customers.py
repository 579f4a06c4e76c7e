"""Customer profiles (PUT/GET), the facts computed from orders, input validation, and the right to be forgotten."""

from datetime import timedelta

import pytest
from api import assert_error, uid

from loyalty import cid, line, parse_ts, where

pytestmark = pytest.mark.integration

FULL_PROFILE = {
    "email": "giulia.rossi@example.org",
    "phone": "+393331234567",
    "name": "Giulia Rossi",
    "birthday": {"month": 7, "day": 14, "year": 1990},
    "country": "IT",
    "locale": "it-IT",
    "consent": {"email": {"granted": True, "at": "2025-01-01T10:00:00Z", "source": "checkout"}},
    "attributes": {"favourite_colour": "green", "newsletter_issues": 12, "vip": True},
}


def test_a_profile_is_created_then_replaced(lo, program, clock):
    shopper = cid()
    # When the shop PUTs a new customer: 201 with the profile
    r = lo.put_customer(shopper, **FULL_PROFILE)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["id"] == shopper
    for field in ("email", "phone", "name", "birthday", "country", "locale", "attributes"):
        assert created[field] == FULL_PROFILE[field], field
    assert created["consent"]["email"]["granted"] is True
    assert parse_ts(created["consent"]["email"]["at"]) == parse_ts("2025-01-01T10:00:00Z")
    assert created["erased"] is False
    assert parse_ts(created["created_at"]) == clock.now
    # And GET answers the same profile, with empty facts
    got = lo.customer(shopper)
    assert {k: got[k] for k in FULL_PROFILE} == {k: created[k] for k in FULL_PROFILE}
    assert got["facts"]["order_count"] == 0 and got["facts"]["total_spent"] == {}
    assert got["loyalty"]["balance"] == 0 and got["loyalty"]["pending"] == 0

    # When it PUTs it again without phone and attributes: 200, and those are cleared
    clock.advance(hours=1)
    r = lo.put_customer(shopper, email="giulia@example.org", name="Giulia")
    assert r.status_code == 200, r.text
    replaced = r.json()
    assert (replaced["email"], replaced["name"]) == ("giulia@example.org", "Giulia")
    assert replaced["phone"] is None and replaced["birthday"] is None and replaced["attributes"] == {}
    # (consent history is kept when consent is left out)
    assert replaced["consent"]["email"]["granted"] is True
    assert parse_ts(replaced["created_at"]) == clock.now - timedelta(hours=1)
    assert parse_ts(replaced["updated_at"]) == clock.now

    # When consent is withdrawn, it says so, with the time
    withdrawn = lo.profile(shopper, email="giulia@example.org", consent={"email": {"granted": False}})
    assert withdrawn["consent"]["email"]["granted"] is False
    assert parse_ts(withdrawn["consent"]["email"]["at"]) == clock.now


def test_an_unknown_customer_is_404(lo, program):
    assert_error(lo.get_customer(cid("nobody-")), 404, "not_found")


def test_orders_make_the_facts(lo, program, clock):
    shopper = cid()
    first_at = clock.now
    lo.order(shopper, 2000, currency="USD")
    clock.advance(days=3)
    lo.order(shopper, 4000)
    clock.advance(days=3)
    lo.order(shopper, 6000, email=f"{shopper.lower()}@example.org")
    facts = lo.customer(shopper)["facts"]
    assert facts["order_count"] == 3
    assert facts["total_spent"] == {"EUR": 10000, "USD": 2000}
    assert facts["ltv"] == {"EUR": 10000, "USD": 2000}
    assert parse_ts(facts["first_order_at"]) == first_at
    assert parse_ts(facts["last_order_at"]) == clock.now
    assert facts["basket"]["average"] == 5000 and facts["basket"]["currency"] == "EUR"
    assert facts["coupon_orders"] == 0


def test_a_declining_basket_shows_in_the_facts_and_the_segment(lo, program, clock):
    shopper = cid()
    start = clock.now
    # Given three orders of 100.00 EUR, then three of 50.00, a day apart
    for amount in (10000, 10000, 10000, 5000, 5000, 5000):
        lo.order(shopper, amount)
        clock.advance(days=1)
    # Then the basket is declining by 50 %
    customer = lo.customer(shopper)
    basket = customer["facts"]["basket"]
    assert (basket["average"], basket["currency"], basket["trend"]) == (7500, "EUR", "declining")
    assert basket["change_percent"] == pytest.approx(-50.0)
    assert "basket_declining" in customer["segments"]
    changes = lo.changes(start, shopper)
    assert [c["change"] for c in changes if c["segment"] == "basket_declining"] == ["entered"]
    # When the baskets grow again, the trend follows and the customer leaves the segment
    for amount in (12000, 12000, 12000):
        lo.order(shopper, amount)
        clock.advance(days=1)
    customer = lo.customer(shopper)
    assert customer["facts"]["basket"]["trend"] == "rising"
    assert "basket_declining" not in customer["segments"]
    assert [c["change"] for c in lo.changes(start, shopper) if c["segment"] == "basket_declining"] == [
        "entered",
        "exited",
    ]


def test_a_steady_basket_is_flat_and_a_short_history_unknown(lo, program, clock):
    steady, short = cid(), cid()
    for amount in (5000, 5100, 4900, 5000):
        lo.order(steady, amount)
        clock.tick()
    assert lo.customer(steady)["facts"]["basket"]["trend"] == "flat"
    lo.order(short, 5000)
    basket = lo.customer(short)["facts"]["basket"]
    assert basket is None or basket["trend"] == "unknown", basket


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"phone": "3331234567"}, "phone"),
        ({"birthday": {"month": 2, "day": 31}}, "birthday"),
        ({"birthday": {"month": 2, "day": 29, "year": 2023}}, "birthday"),
        ({"birthday": {"month": 13, "day": 1}}, "birthday"),
        ({"birthday": "1990-07-14"}, "birthday"),
        ({"country": "Italy"}, "country"),
        ({"locale": "italian"}, "locale"),
        ({"consent": {"email": {"granted": "maybe"}}}, "consent"),
        ({"consent": {"email": True}}, "consent"),
        ({"consent": {"fax": {"granted": True}}}, "consent"),
        ({"consent": {"email": {"granted": True, "at": "last week"}}}, "consent"),
        ({"attributes": {"bad key!": 1}}, "attributes"),
        ({"attributes": {"nested": {"a": 1}}}, "attributes"),
        ({"favourite_colour": "green"}, "favourite_colour"),
        ({"erased": False}, "erased"),
        ({"created_at": "2020-01-01"}, "created_at"),
    ],
)
def test_an_invalid_profile_is_400_with_the_field_never_500(lo, program, profile, field):
    shopper = cid()
    r = lo.put_customer(shopper, **profile)
    err = assert_error(r, 400, "invalid_request")
    fields = [f["field"] for f in err["details"]["fields"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), err
    assert all(f["message"] and f["type"] for f in err["details"]["fields"]), err
    # And nothing was stored
    assert lo.get_customer(shopper).status_code == 404


def test_a_profile_body_that_is_not_json_is_400(lo, program):
    r = lo.request("PUT", f"/v1/customers/{cid()}", data="{not json", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_request")
    r = lo.request("PUT", f"/v1/customers/{cid()}", json=["a", "list"])
    assert_error(r, 400, "invalid_request")


def test_a_bad_customer_id_is_400(lo, program):
    r = lo.put_customer("bad id with spaces", email="a@example.org")
    assert_error(r, 400, "invalid_request")
    r = lo.put_customer("x" * 129, email="a@example.org")
    assert_error(r, 400, "invalid_request")


def test_customers_need_the_secret_key(lo, program):
    shopper = cid()
    lo.profile(shopper, email="x@example.org")
    for method, path, body in [
        ("PUT", f"/v1/customers/{shopper}", {"email": "evil@example.org"}),
        ("GET", f"/v1/customers/{shopper}", None),
        ("DELETE", f"/v1/customers/{shopper}", None),
        ("GET", f"/v1/customers/{shopper}/points/ledger", None),
        ("GET", f"/v1/customers/{shopper}/wallet", None),
        ("POST", f"/v1/customers/{shopper}/token", {}),
        ("GET", "/v1/segments", None),
        ("GET", "/v1/loyalty/enrollment", None),
    ]:
        kw = {} if body is None else {"json": body}
        r = lo.request(method, path, key="publishable", **kw)
        assert_error(r, 403, "forbidden")
        r = lo.request(method, path, key=None, **kw)
        assert_error(r, 401, "unauthorized")
    assert lo.customer(shopper)["email"] == "x@example.org"


def test_erasing_a_customer_removes_personal_data_and_keeps_points_and_totals(lo, program, clock):
    from referrals import Referrals

    shopper = cid("gdpr-")
    # Given a customer with a full profile, a referral link with their name, an order and points
    lo.profile(shopper, **{**FULL_PROFILE, "email": f"{shopper.lower()}@example.org"})
    rf = Referrals(lo.stack)
    referral_program = rf.create_program(tiers=[])
    link = rf.link(referral_program["id"], shopper, name="Giulia Rossi")
    order = lo.order(
        shopper, items=[line("SHOE", 1, 8000, ["shoes"])], email=f"{shopper.lower()}@example.org", ip="10.1.2.3"
    )
    lo.review(shopper)
    clock.advance(days=15)
    lo.daily()
    clock.tick()
    before = lo.customer(shopper)
    ledger_before = lo.ledger(shopper)
    assert before["loyalty"]["balance"] == 130 and len(ledger_before) == 3

    # When the shop erases the customer
    r = lo.erase(shopper)
    assert r.status_code == 200, r.text
    erasure = r.json()
    assert erasure["customer_id"] == shopper and parse_ts(erasure["erased_at"]) == clock.now
    assert {"email", "phone", "name", "birthday"} <= set(erasure["erased"]), erasure
    assert erasure["kept"], erasure

    # Then no personal data is left, and it says it was erased
    after = lo.customer(shopper)
    assert after["erased"] is True
    for field in ("email", "phone", "name", "birthday", "locale"):
        assert after[field] is None, (field, after)
    assert after["attributes"] == {} and after["consent"] == {}
    code = link["code"].lower()  # (the code keeps its name-based prefix: it is the link's id, already shared)
    for text in (r.text, lo.get_customer(shopper).text, rf.get(f"/v1/referrals/{link['code']}").text):
        assert "giulia" not in text.lower().replace(code, ""), text
        assert "rossi" not in text.lower() and "+39333" not in text, text
    # And the name is gone from the referral link
    assert rf.referral(link["code"]).get("name") is None
    # And the points, the ledger and the totals are intact
    assert after["loyalty"]["balance"] == 130
    assert lo.ledger(shopper) == ledger_before
    assert after["facts"]["order_count"] == 1 and after["facts"]["total_spent"] == {"EUR": 8000}
    assert lo.wallet(shopper)["points"]["balance"] == 130
    assert lo.get(f"/v1/orders/{order['order_id']}").json()["amount"] == 8000

    # When it is erased again: 200, nothing left to erase
    clock.tick()
    again = lo.erase(shopper)
    assert again.status_code == 200, again.text
    assert again.json()["customer_id"] == shopper and again.json()["erased"] == []
    assert lo.customer(shopper)["loyalty"]["balance"] == 130


def test_erasing_a_customer_never_seen_is_404(lo, program):
    r = lo.erase(cid("nobody-"))
    assert r.status_code in (200, 404), r.text
    if r.status_code == 200:
        assert r.json()["erased"] == []


def test_an_erased_customer_leaves_the_segments_that_depended_on_personal_data(lo, program, clock):
    # Given a segment of customers in Italy, and an Italian customer in it
    name = f"it_{uid().lower()}"
    r = lo.post("/v1/segments", json={"name": name, "conditions": [{"field": "country", "op": "eq", "value": "IT"}]})
    assert r.status_code == 201, r.text
    shopper = cid("gdpr-")
    start = clock.now
    lo.profile(shopper, email=f"{shopper.lower()}@example.org", country="IT")
    assert name in lo.customer(shopper)["segments"]
    clock.tick()
    # When the customer is erased
    lo.erase(shopper)
    # Then the country is gone, and so is the membership, with an exit to react to
    assert name not in lo.customer(shopper)["segments"]
    exits = where(lo.changes(start, shopper), segment=name, change="exited")
    assert len(exits) == 1 and parse_ts(exits[0]["at"]) == clock.now
    assert lo.segment(name)["members"] == 0
