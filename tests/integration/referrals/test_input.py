"""Malformed input and keys on the referral routes: a clean 4xx in the error envelope, never a 5xx."""

import pytest
from api import assert_error, uid

from referrals import new_email, program_body

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def program(rf):
    return rf.create_program()


@pytest.fixture(scope="module")
def link(rf, program):
    return rf.link(program["id"])


@pytest.fixture(scope="module")
def order_id(rf):
    return rf.order_outcome(uid("shopper-"), 5000)["order_id"]


def _routes(program, link, order_id):
    """(method, path, plausible body or None) of every keyed referral route."""
    cid, code = program["id"], link["code"]
    return [
        ("POST", "/v1/referrals", {"customer_id": uid("c-"), "campaign_id": cid}),
        ("GET", f"/v1/referrals/{code}", None),
        ("GET", "/v1/referrals/conversions?status=flagged", None),
        ("POST", "/v1/referrals/conversions/cnv_dummy/approve", {}),
        ("POST", "/v1/referrals/conversions/cnv_dummy/reject", {}),
        ("POST", "/v1/orders", {"id": uid("ord_"), "customer_id": uid("c-"), "amount": 5000, "currency": "EUR"}),
        ("GET", f"/v1/orders/{order_id}", None),
        ("POST", f"/v1/orders/{order_id}/refund", {"amount": 1}),
        ("POST", "/v1/referrals/events", {"id": uid("evt_"), "event": "signup_done", "customer_id": uid("c-")}),
        ("GET", f"/v1/customers/{uid('c-')}/rewards", None),
        ("GET", f"/v1/customers/{uid('c-')}/rewards/ledger", None),
        ("GET", f"/v1/reports/leaderboard?campaign_id={cid}", None),
        ("GET", f"/v1/reports/funnel?campaign_id={cid}", None),
        ("GET", f"/v1/reports/roi?campaign_id={cid}", None),
    ]


def _send(rf, method, path, body, key):
    if body is None:
        return rf.request(method, path, key=key)
    return rf.request(method, path, json=body, key=key)


# -- keys ----------------------------------------------------------------------------------------------


def test_every_referral_route_without_a_key_is_401(rf, program, link, order_id):
    routes = _routes(program, link, order_id) + [
        ("POST", "/v1/referrals/track", {"type": "visit", "ref": link["code"]})
    ]
    for method, path, body in routes:
        r = _send(rf, method, path, body, key=None)
        assert r.status_code == 401, f"{method} {path} → {r.status_code} {r.text[:300]}"
        assert_error(r, 401, "unauthorized")


def test_the_publishable_key_on_a_secret_referral_route_is_403(rf, program, link, order_id):
    for method, path, body in _routes(program, link, order_id):
        r = _send(rf, method, path, body, key="publishable")
        assert r.status_code == 403, f"{method} {path} → {r.status_code} {r.text[:300]}"
        assert_error(r, 403, "forbidden")
    # and nothing happened: the referral was not changed by the refused calls
    assert rf.counts(link["code"])["conversions"] == 0


def test_an_unknown_key_is_401_even_on_the_storefront_route(rf, link):
    r = rf.request(
        "POST",
        "/v1/referrals/track",
        json={"type": "visit", "ref": link["code"]},
        key=None,
        headers={"X-Publishable-Key": "pk_test_not_a_real_key"},
    )
    assert_error(r, 401, "unauthorized")


def test_the_share_link_and_its_qr_need_no_key(rf, link):
    assert rf.follow(link["code"]).status_code == 302
    assert rf.session.get(f"{rf.url}/r/{link['code']}/qr", timeout=30).status_code == 200


# -- bad bodies ----------------------------------------------------------------------------------------


def test_malformed_json_is_400_on_every_referral_body_route(rf, link, order_id):
    for path, key in [
        ("/v1/referrals", "secret"),
        ("/v1/referrals/track", "publishable"),
        ("/v1/orders", "secret"),
        (f"/v1/orders/{order_id}/refund", "secret"),
        ("/v1/referrals/events", "secret"),
    ]:
        for raw in (b"{not json", b"[", b'{"id": "x",}', b"\xff\xfe\xfa", b"null", b"42"):
            r = rf.request("POST", path, data=raw, key=key, headers={"Content-Type": "application/json"})
            assert r.status_code == 400, f"POST {path} {raw!r} → {r.status_code} {r.text[:300]}"
            assert_error(r, 400, "invalid_request")


def _order(**overrides):
    body = {"id": uid("ord_"), "customer_id": uid("c-"), "amount": 5000, "currency": "EUR"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


ORDER_BAD = [
    ({"id": None}, "id"),
    ({"customer_id": None}, "customer_id"),
    ({"amount": None}, "amount"),
    ({"currency": None}, "currency"),
    ({"amount": -1}, "amount"),
    ({"amount": "lots"}, "amount"),
    ({"amount": 10.5}, "amount"),
    ({"currency": "euro"}, "currency"),
    ({"email": "not-an-email"}, "email"),
    ({"created_at": "yesterday"}, "created_at"),
    ({"created_at": "2030-01-01T00:00:00"}, "created_at"),
    ({"items": [{"sku": "A", "unit_price": -5}]}, "unit_price"),
    ({"referral_code": ""}, "referral_code"),
    ({"customer_id": ""}, "customer_id"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("overrides", "field"), ORDER_BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(ORDER_BAD)])
def test_a_bad_order_is_400_naming_the_field(rf, overrides, field):
    assert_error(rf.post("/v1/orders", json=_order(**overrides)), 400, "invalid_request", mentions=field)


LINK_BAD = [
    ({"customer_id": None}, "customer_id"),
    ({"campaign_id": None}, "campaign_id"),
    ({"customer_id": ""}, "customer_id"),
    ({"customer_id": 42}, "customer_id"),
    ({"email": "nope"}, "email"),
    ({"campaign_id": "cmp with spaces"}, "campaign_id"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("overrides", "field"), LINK_BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(LINK_BAD)])
def test_a_bad_link_request_is_400_naming_the_field(rf, program, overrides, field):
    body = {"customer_id": uid("c-"), "campaign_id": program["id"], **overrides}
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(rf.post("/v1/referrals", json=body), 400, "invalid_request", mentions=field)


TRACK_BAD = [
    ({"type": "purchase"}, "type"),
    ({"type": None}, "type"),
    ({"ref": None}, "ref"),
    ({"ref": ""}, "ref"),
    ({"email": "nope"}, "email"),
    ({"visitor_id": "has spaces"}, "visitor_id"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("overrides", "field"), TRACK_BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(TRACK_BAD)])
def test_a_bad_tracking_call_is_400_naming_the_field(rf, link, overrides, field):
    body = {"type": "visit", "ref": link["code"], **overrides}
    body = {k: v for k, v in body.items() if v is not None}
    r = rf.post("/v1/referrals/track", json=body, key="publishable")
    assert_error(r, 400, "invalid_request", mentions=field)


PROGRAM_BAD = [
    ({"landing_url": "ftp://shop.example/"}, "landing_url"),
    ({"landing_url": "shop.example"}, "landing_url"),
    ({"landing_url": None}, "landing_url"),
    ({"referee_reward": None}, "referee_reward"),
    ({"referee_reward": {"type": "coupon"}}, "referee_reward"),
    ({"referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}}}, "currency"),
    ({"referee_reward": {"type": "cash", "amount": 5}}, "referee_reward"),
    ({"referrer_reward": {"type": "credit", "amount": -1000, "currency": "EUR"}}, "amount"),
    ({"referrer_reward": {"type": "credit", "amount": 1000}}, "currency"),
    ({"referrer_reward": {"type": "points", "points": 0}}, "points"),
    ({"holding_days": -1}, "holding_days"),
    ({"holding_days": "two weeks"}, "holding_days"),
    ({"attribution": {"window_days": 0}}, "window_days"),
    ({"attribution": {"model": "linear"}}, "model"),
    ({"conversion": {"event": "First Order"}}, "event"),
    ({"conversion": {"min_order_amount": -1}}, "min_order_amount"),
    (
        {
            "tiers": [
                {"referrals": 3, "reward": {"type": "points", "points": 1}},
                {"referrals": 3, "reward": {"type": "points", "points": 2}},
            ]
        },
        "tiers",
    ),
    ({"limits": {"max_rewarded_per_referrer": 0}}, "max_rewarded_per_referrer"),
    ({"fraud": {"max_conversions_per_ip": 0}}, "max_conversions_per_ip"),
    ({"discount": {"type": "percent", "percent_off": 10}}, "discount"),
]


@pytest.mark.parametrize(("overrides", "field"), PROGRAM_BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(PROGRAM_BAD)])
def test_a_bad_referral_program_is_400_naming_the_field(rf, overrides, field):
    body = program_body(**overrides)
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(rf.post("/v1/campaigns", json=body), 400, "invalid_request", mentions=field)


def test_a_coupon_reward_from_an_unknown_campaign_is_refused_cleanly(rf):
    body = program_body(referee_reward={"type": "coupon", "campaign_id": f"cmp_{uid().lower()}"})
    r = rf.post("/v1/campaigns", json=body)
    assert 400 <= r.status_code < 500, r.text
    assert set(r.json()["error"]) >= {"code", "message", "details"}, r.text


def test_a_link_for_an_unknown_campaign_is_404(rf):
    assert_error(rf.create_link(f"cmp_{uid().lower()}", email=new_email()), 404, "not_found")


def test_an_order_with_an_unknown_referral_code_is_not_attributed(rf):
    r = rf.place_order(uid("friend-"), 5000, referral_code=f"NOPE-{uid()}")
    assert r.status_code == 201, r.text
    assert r.json()["referral"] is None, r.json()
    assert r.json()["rewards"] == []


def test_an_unknown_order_is_404(rf):
    assert_error(rf.get_order(uid("ord_")), 404, "not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/referrals/conversions?status=lost",
        "/v1/referrals/conversions?limit=many",
        "/v1/customers/c1/rewards?status=stolen",
        "/v1/reports/leaderboard",
        "/v1/reports/funnel",
        "/v1/reports/roi",
        "/v1/reports/leaderboard?campaign_id=CID&period=yesterday",
        "/v1/reports/leaderboard?campaign_id=CID&limit=many",
    ],
)
def test_bad_queries_are_a_clean_400(rf, program, path):
    r = rf.get(path.replace("CID", program["id"]))
    assert_error(r, 400, "invalid_request")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/referrals/conversions?limit=0",
        "/v1/referrals/conversions?limit=-1",
        "/v1/referrals/conversions?limit=1000000000",
        "/v1/referrals/conversions?cursor=not-a-cursor!!",
        "/v1/customers/c1/rewards?cursor=not-a-cursor!!",
        "/v1/customers/c1/rewards/ledger?limit=0",
        "/v1/reports/funnel?campaign_id=cmp_unknown_campaign",
        "/v1/reports/roi?campaign_id=cmp_unknown_campaign",
        "/v1/reports/leaderboard?campaign_id=cmp_unknown_campaign",
    ],
)
def test_odd_queries_are_never_a_server_error(rf, path):
    r = rf.get(path)
    assert r.status_code in (200, 400, 404), f"GET {path} → {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        assert set(r.json()["error"]) >= {"code", "message", "details"}, r.text


def test_junk_in_every_field_never_causes_a_5xx(rf, program, order_id):
    link = rf.link(program["id"])
    junk_values = [None, "", "x" * 5000, -1, 10**20, 1.5, True, [], {}, "\u0000😀"]
    bodies = {
        "/v1/referrals": {"customer_id": "c", "campaign_id": program["id"], "email": "a@b.c", "name": "A"},
        "/v1/orders": _order(email="a@b.c", referral_code=link["code"], ip="1.2.3.4"),
        f"/v1/orders/{order_id}/refund": {"amount": 1, "reason": "x"},
        "/v1/referrals/track": {"type": "signup", "ref": link["code"], "email": "a@b.c"},
    }
    for path, base in bodies.items():
        key = "publishable" if path.endswith("/track") else "secret"
        for field in base:
            for junk in junk_values:
                body = {**base, field: junk}
                if path == "/v1/orders":
                    body["id"] = uid("ord_") if field != "id" else junk
                r = rf.post(path, json=body, key=key)
                assert r.status_code < 500, f"POST {path} {field}={junk!r} → {r.status_code} {r.text[:300]}"
                if r.status_code >= 400:
                    assert set(r.json()["error"]) >= {"code", "message", "details"}, r.text
