"""Hostile or careless input over HTTP (issue 11, "Input"): 400s with the field, never 500s."""

import pytest
from api import Api, assert_error, order, uid
from referrals.conftest import with_loyalty_program

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


# -- JSON nesting depth --------------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


DEEP_ROUTES = [
    ("POST", "/v1/coupons/validate", "publishable"),
    ("POST", "/v1/coupons/validate", "secret"),
    ("POST", "/v1/campaigns", "secret"),
    ("PATCH", "/v1/campaigns/cmp_dummy", "secret"),
    ("POST", "/v1/redemptions", "secret"),
    ("POST", "/v1/orders", "secret"),
    ("PUT", "/v1/customers/cus-deep", "secret"),
    ("POST", "/v1/referrals/track", "publishable"),
    ("POST", "/v1/loyalty/enroll", "publishable"),
]


@pytest.mark.parametrize(("method", "path", "key"), DEEP_ROUTES, ids=[f"{m} {p} {k}" for m, p, k in DEEP_ROUTES])
def test_json_nested_1000_deep_is_a_400_on_every_route(api, method, path, key):
    for body in (_nested(1000), '{"a":' * 1000 + "1" + "}" * 1000, '{"code": "X", "order": ' + _nested(40) + "}"):
        r = api.request(method, path, key=key, data=body, headers={"Content-Type": "application/json"})
        error = assert_error(r, 400, "invalid_request")
        assert error["details"] == {"field": "body", "max_depth": 32}


def test_json_nesting_within_the_limit_and_brackets_inside_strings_are_fine(api):
    campaign = api.create_campaign()
    code = api.create_code(campaign["id"])
    tricky = "[{" * 100
    body = {"code": code, "order": order(5000, id=tricky[:100])}
    r = api.post("/v1/coupons/validate", json=body, key="publishable")
    assert r.status_code == 200, r.text
    assert r.json()["valid"] is True
    # 32 levels in all is still parsed (and refused by the schema, not by the depth cap)
    items: list = []
    for _ in range(29):
        items = [items]
    r = api.post("/v1/coupons/validate", json={"code": code, "order": {"items": items}})
    assert_error(r, 400, "invalid_request")
    assert "max_depth" not in r.json()["error"]["details"]


# -- Idempotency-Key on routes without an API key ----------------------------------------------------------


def test_idempotency_key_on_unsubscribe_is_ignored_not_a_500(api):
    for method in ("POST", "GET"):
        r = api.request(method, "/v1/unsubscribe", key=None, params={"token": "a.b"}, idempotency_key=uid("idem-"))
        assert r.status_code < 500, r.text
        plain = api.request(method, "/v1/unsubscribe", key=None, params={"token": "a.b"})
        assert (r.status_code, r.json()["error"]["code"]) == (plain.status_code, plain.json()["error"]["code"])


def test_idempotency_key_on_redirect_and_track_is_not_a_500(api):
    for path in ("/r/NOSUCHLINK", "/r/NOSUCHLINK/qr"):
        r = api.session.get(api.url + path, headers={"Idempotency-Key": uid("idem-")}, allow_redirects=False)
        assert r.status_code < 500, r.text
    key = uid("idem-")
    body = {"type": "visit", "ref": "NOSUCHLINK"}
    first = api.post("/v1/referrals/track", json=body, key="publishable", idempotency_key=key)
    assert first.status_code < 500, first.text
    again = api.post("/v1/referrals/track", json=body, key="publishable", idempotency_key=key)
    assert again.status_code == first.status_code, again.text


# -- Customer ids that are the engine's own partitions ---------------------------------------------------

RESERVED = ["segments", "config", "Config", "segchanges", "stats", "shop"]


@pytest.mark.parametrize("customer_id", RESERVED)
def test_reserved_customer_ids_are_refused_wherever_a_customer_id_enters(api, customer_id):
    campaign = api.create_campaign()
    code = api.create_code(campaign["id"])
    order_id = uid("ord-")
    calls = [
        ("PUT", f"/v1/customers/{customer_id}", {"email": "x@example.com"}, "secret"),
        ("GET", f"/v1/customers/{customer_id}", None, "secret"),
        ("POST", f"/v1/customers/{customer_id}/token", {}, "secret"),
        ("GET", f"/v1/customers/{customer_id}/wallet", None, "secret"),
        ("GET", f"/v1/customers/{customer_id}/rewards", None, "secret"),
        ("GET", f"/v1/customers/{customer_id}/messages", None, "secret"),
        (
            "POST",
            "/v1/orders",
            {"id": order_id, "customer_id": customer_id, "amount": 5000, "currency": "EUR"},
            "secret",
        ),
        (
            "POST",
            "/v1/coupons/validate",
            {"code": code, "customer_id": customer_id, "order": order(5000)},
            "publishable",
        ),
        (
            "POST",
            "/v1/redemptions",
            {"code": code, "customer_id": customer_id, "order": order(5000, id=order_id)},
            "secret",
        ),
        ("POST", "/v1/events", {"id": uid("ev-"), "customer_id": customer_id, "type": "review"}, "secret"),
        ("POST", "/v1/referrals", {"customer_id": customer_id, "campaign_id": campaign["id"]}, "secret"),
        ("POST", f"/v1/campaigns/{campaign['id']}/codes", {"customer_id": customer_id}, "secret"),
    ]
    for method, path, body, key in calls:
        r = api.request(method, path, json=body, key=key) if body is not None else api.request(method, path, key=key)
        error = assert_error(r, 400, "invalid_request")
        assert "reserved" in str(error["details"]), (method, path, r.text)
    assert api.code(code)["redemptions"] == 0


def test_ordinary_customer_ids_still_work_including_lookalikes(api):
    for customer_id in (uid("segments-"), "config.shop@example.com", uid("cus_")):
        r = api.request("PUT", f"/v1/customers/{customer_id}", json={"email": "x@example.com"})
        assert r.status_code in (200, 201), r.text


# -- Guessable codes: what the campaign already has counts -------------------------------------------------


def test_small_requests_cannot_add_up_to_a_guessable_campaign_even_at_once(api):
    from concurrent.futures import ThreadPoolExecutor

    campaign = api.create_campaign()
    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(
            pool.map(lambda _: Api(api.stack).create_codes(campaign["id"], count=26, pattern="######"), range(10))
        )
    assert sorted(r.status_code for r in replies) == [201] + [422] * 9, [r.text for r in replies]
    assert len(api.list_all(f"/v1/campaigns/{campaign['id']}/codes")) == 26
    for r in replies:
        if r.status_code == 422:
            assert_error(r, 422, "codes_guessable")


# -- PATCH /v1/campaigns/{id} is a JSON Merge Patch (RFC 7396) ---------------------------------------------


def test_patching_one_rule_keeps_every_other_rule(api):
    rules = {"countries": ["IT"], "min_order_amount": 2000, "currency": "EUR", "max_redemptions_per_customer": 1}
    campaign = api.create_campaign(rules=rules, metadata={"team": "growth", "season": "spring"})
    path = f"/v1/campaigns/{campaign['id']}"

    r = api.patch(path, json={"rules": {"expires_at": "2999-01-01T00:00:00Z"}, "metadata": {"season": None}})

    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["rules"] == campaign["rules"] | {"expires_at": "2999-01-01T00:00:00Z"}
    assert patched["metadata"] == {"team": "growth"}
    assert patched["discount"] == campaign["discount"] and patched["version"] == campaign["version"] + 1
    # null clears a rule (back to its default); an array replaces the old one
    r = api.patch(path, json={"rules": {"min_order_amount": None, "countries": ["FR", "DE"], "timezone": None}})
    assert r.status_code == 200, r.text
    assert r.json()["rules"] == patched["rules"] | {"min_order_amount": None, "countries": ["FR", "DE"]}


def test_a_patch_merged_into_an_invalid_campaign_is_refused_and_changes_nothing(api):
    campaign = api.create_campaign(rules={"starts_at": "2030-01-01T00:00:00Z"})
    path = f"/v1/campaigns/{campaign['id']}"
    assert_error(api.patch(path, json={"rules": {"expires_at": "2029-01-01T00:00:00Z"}}), 400, "invalid_request")
    assert_error(api.patch(path, json={"discount": {"percent_off": 150}}), 400, "invalid_request", mentions="percent")
    assert_error(api.patch(path, json={"name": None}), 400, "invalid_request", mentions="name")
    assert api.campaign(campaign["id"]) == campaign
    # a discount of another type replaces the old one (its members mean nothing to the new type)
    r = api.patch(path, json={"discount": {"type": "amount", "amount_off": 500}, "rules": {"currency": "EUR"}})
    assert r.status_code == 200, r.text
    assert r.json()["discount"] == {"type": "amount", "amount_off": 500}


def test_a_referral_program_is_merged_too(stack):
    rf = with_loyalty_program(stack)  # its points rewards need the shop's loyalty program
    program = rf.create_program()
    path = f"/v1/campaigns/{program['id']}"

    r = rf.patch(
        path,
        json={
            "conversion": {"min_order_amount": 4000},
            "limits": {"period_days": 7},
            "referee_reward": {"discount": {"amount_off": 700}},
        },
    )

    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["conversion"] == program["conversion"] | {"min_order_amount": 4000}
    assert patched["limits"] == program["limits"] | {"period_days": 7}
    reward, before = patched["referee_reward"], program["referee_reward"]
    assert reward["discount"] == before["discount"] | {"amount_off": 700}
    assert reward["currency"] == before["currency"]
    assert reward["campaign_id"] != before["campaign_id"]  # new terms: a new issuer, old codes keep theirs
    assert patched["referrer_reward"] == program["referrer_reward"]


# -- Currencies: ISO 4217, and every amount with its currency -----------------------------------------------

NOT_CURRENCIES = ["ABC", "XXX", "XTS", "EUROS", "eur"]


@pytest.mark.parametrize("currency", NOT_CURRENCIES)
def test_a_currency_that_is_not_iso_4217_is_refused_wherever_a_currency_is_accepted(stack, currency):
    from referrals import Referrals, program_body

    api = Referrals(stack)
    campaign = api.create_campaign()
    code = api.create_code(campaign["id"])
    customer = uid("cus-")
    credit = {"type": "credit", "amount": 1000, "currency": currency}
    calls = [
        (
            "/v1/campaigns",
            {
                "name": "x",
                "type": "discount",
                "discount": {"type": "amount", "amount_off": 100},
                "rules": {"currency": currency},
            },
            "secret",
            "rules.currency",
        ),
        ("/v1/coupons/validate", {"code": code, "order": order(5000, currency=currency)}, "publishable", "currency"),
        (
            "/v1/redemptions",
            {"code": code, "order": order(5000, currency=currency, id=uid("o-"))},
            "secret",
            "currency",
        ),
        (
            "/v1/orders",
            {"id": uid("o-"), "customer_id": customer, "amount": 5000, "currency": currency},
            "secret",
            "currency",
        ),
        (
            "/v1/referrals/events",
            {"id": uid("e-"), "event": "subscribed", "customer_id": customer, "amount": 100, "currency": currency},
            "secret",
            "currency",
        ),
        ("/v1/campaigns", program_body(referrer_reward=credit), "secret", "referrer_reward"),
        (
            "/v1/campaigns",
            program_body(conversion={"min_order_amount": 3000, "currency": currency}),
            "secret",
            "conversion.currency",
        ),
        (
            "/v1/segments",
            {
                "name": uid("big_").lower(),
                "conditions": [{"field": "total_spent", "op": "gte", "value": 100, "currency": currency}],
            },
            "secret",
            "currency",
        ),
    ]
    for path, body, key, field in calls:
        r = api.post(path, json=body, key=key)
        error = assert_error(r, 400, "invalid_request")
        assert field in str(error["details"]), (path, r.text)
    assert api.code(code)["redemptions"] == 0


def test_every_currency_in_use_is_accepted(api):
    for currency in ("EUR", "USD", "JPY", "KWD", "CHF", "XOF"):
        r = api.post(
            "/v1/campaigns",
            json={
                "name": "x",
                "type": "discount",
                "rules": {"currency": currency},
                "discount": {"type": "amount", "amount_off": 100},
            },
        )
        assert r.status_code == 201, r.text


def test_a_percent_cap_needs_its_currency_and_refuses_carts_in_another(api):
    capped = {"type": "percent", "percent_off": 50, "amount_limit": 1000}
    r = api.post("/v1/campaigns", json={"name": "x", "type": "discount", "discount": capped})
    assert_error(r, 400, "invalid_request", mentions="rules.currency")
    uncapped = api.create_campaign(discount={"type": "percent", "percent_off": 50})
    r = api.patch(f"/v1/campaigns/{uncapped['id']}", json={"discount": {"amount_limit": 1000}})
    assert_error(r, 400, "invalid_request", mentions="rules.currency")

    campaign = api.create_campaign(discount=capped, rules={"currency": "EUR"})
    code = api.create_code(campaign["id"])
    assert api.validate(code, order(10000, currency="EUR"))["discount_amount"] == 1000
    refused = api.validate(code, order(10000, currency="JPY"))
    assert refused["valid"] is False and refused["error"]["code"] == "currency_mismatch"
    r = api.patch(f"/v1/campaigns/{campaign['id']}", json={"rules": {"currency": None}})
    assert_error(r, 400, "invalid_request", mentions="rules.currency")


def test_a_referral_minimum_and_a_capped_coupon_reward_need_their_currency(stack):
    from referrals import program_body

    rf = with_loyalty_program(stack)
    r = rf.post("/v1/campaigns", json=program_body(conversion={"event": "first_order", "min_order_amount": 3000}))
    assert_error(r, 400, "invalid_request", mentions="conversion.currency")
    capped = {"type": "coupon", "discount": {"type": "percent", "percent_off": 20, "amount_limit": 1000}}
    r = rf.post("/v1/campaigns", json=program_body(referee_reward=capped))
    assert_error(r, 400, "invalid_request", mentions="referee_reward.currency")
    r = rf.post("/v1/campaigns", json=program_body(referee_reward=capped | {"currency": "EUR"}))
    assert r.status_code == 201, r.text

    program = rf.create_program()
    r = rf.patch(f"/v1/campaigns/{program['id']}", json={"conversion": {"currency": None}})
    assert_error(r, 400, "invalid_request", mentions="conversion.currency")
    r = rf.patch(f"/v1/campaigns/{program['id']}", json={"conversion": {"min_order_amount": None, "currency": None}})
    assert r.status_code == 200, r.text


def test_real_shops_customer_ids_work_in_bodies_and_listings(api):
    """Ids such as `auth0|abc` or `gid://shopify/Customer/1` are what shops use; only `#` and the reserved names
    collide with the engine's keys."""
    from urllib.parse import quote

    campaign = api.create_campaign()
    code = api.create_code(campaign["id"])
    for customer_id in (uid("auth0|"), "gid://shopify/Customer/" + uid("")):
        r = api.post("/v1/coupons/validate", json={"code": code, "customer_id": customer_id, "order": order(5000)})
        assert r.status_code == 200, r.text
        r = api.post(
            "/v1/orders", json={"id": uid("ord-"), "customer_id": customer_id, "amount": 5000, "currency": "EUR"}
        )
        assert r.status_code in (200, 201), r.text
        if "/" not in customer_id:
            r = api.request("GET", f"/v1/customers/{quote(customer_id, safe='')}/rewards")
            assert r.status_code == 200, r.text
    r = api.post(
        "/v1/orders", json={"id": uid("ord-"), "customer_id": "segchanges#2026-03-01", "amount": 1, "currency": "EUR"}
    )
    assert_error(r, 400, "invalid_request")
