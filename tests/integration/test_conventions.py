"""API conventions: keys and kinds, the error envelope, bad input is a 400 (never a 500), docs and health."""

import re

import pytest
from api import Api, assert_error, item, order, uid, unique_code
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


@pytest.fixture(scope="module")
def campaign(api):
    return api.create_campaign()


def _campaign_body(**overrides):
    body = {"name": f"conv {uid()}", "type": "discount", "discount": {"type": "percent", "percent_off": 10}}
    body.update(overrides)
    return body


def _validate_body(**overrides):
    body = {"code": "SUMMER500", "order": order(5000)}
    body.update(overrides)
    return body


# Every secret route, with dummy path parameters and a plausible body.
SECRET_ROUTES = [
    ("POST", "/v1/campaigns", _campaign_body()),
    ("GET", "/v1/campaigns", None),
    ("GET", "/v1/campaigns/cmp_dummy", None),
    ("PATCH", "/v1/campaigns/cmp_dummy", {"name": "renamed"}),
    ("POST", "/v1/campaigns/cmp_dummy/enable", {}),
    ("POST", "/v1/campaigns/cmp_dummy/disable", {}),
    ("POST", "/v1/campaigns/cmp_dummy/codes", {"code": "DUMMY-CODE"}),
    ("GET", "/v1/campaigns/cmp_dummy/codes", None),
    ("GET", "/v1/campaigns/cmp_dummy/batches/bat_dummy", None),
    ("GET", "/v1/campaigns/cmp_dummy/batches/bat_dummy/codes", None),
    ("GET", "/v1/customers/cus_dummy/export", None),
    ("GET", "/v1/rewards", None),
    ("GET", "/v1/codes/DUMMY-CODE", None),
    ("GET", "/v1/codes/DUMMY-CODE/qr", None),
    ("POST", "/v1/redemptions", {"code": "DUMMY-CODE", "order": order(5000, id="ord_dummy")}),
    ("GET", "/v1/redemptions/red_dummy", None),
    ("POST", "/v1/redemptions/red_dummy/rollback", {}),
]
BROWSER_ROUTES = [("POST", "/v1/coupons/validate", _validate_body())]
ALL_ROUTES = SECRET_ROUTES + BROWSER_ROUTES


def _ids(routes):
    return [f"{m} {p}" for m, p, _ in routes]


def _send(api, method, path, body, key=None, headers=None):
    if body is None:
        return api.request(method, path, key=key, headers=headers)
    return api.request(method, path, json=body, key=key, headers=headers)


# -- Authentication and key kinds ---------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES, ids=_ids(ALL_ROUTES))
def test_every_route_without_a_key_is_401(api, method, path, body):
    assert_error(_send(api, method, path, body), 401, "unauthorized")


BODY_ROUTES = [r for r in ALL_ROUTES if r[2] is not None]


@pytest.mark.parametrize(("method", "path", "body"), BODY_ROUTES, ids=_ids(BODY_ROUTES))
def test_every_route_checks_the_key_before_the_body(api, method, path, body):
    r = api.request(method, path, key=None, data=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(r, 401, "unauthorized")


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer sk_test_not_a_real_key"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "sk_test_not_a_real_key"},
        {"X-Publishable-Key": "pk_test_not_a_real_key"},
        {"X-Publishable-Key": ""},
    ],
    ids=["unknown secret", "empty bearer", "basic", "no scheme", "unknown publishable", "empty publishable"],
)
@pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES, ids=_ids(ALL_ROUTES))
def test_an_invalid_key_is_401(api, method, path, body, headers):
    assert_error(_send(api, method, path, body, headers=headers), 401, "unauthorized")


@pytest.mark.parametrize(("method", "path", "body"), SECRET_ROUTES, ids=_ids(SECRET_ROUTES))
def test_the_publishable_key_on_a_secret_route_is_403(api, method, path, body):
    assert_error(_send(api, method, path, body, key="publishable"), 403, "forbidden")


def test_validate_accepts_the_publishable_and_the_secret_key(api, campaign):
    code = api.create_code(campaign["id"])
    for key in ("publishable", "secret"):
        r = api.post("/v1/coupons/validate", json=_validate_body(code=code), key=key)
        assert r.status_code == 200, r.text
        assert r.json()["valid"] is True


def test_the_publishable_key_cannot_redeem_a_real_code(api, campaign):
    code = api.create_code(campaign["id"])
    r = api.post("/v1/redemptions", json={"code": code, "order": order(5000, id=uid("ord_"))}, key="publishable")
    assert_error(r, 403, "forbidden")
    assert api.code(code)["redemptions"] == 0


# -- Bad input: 400 invalid_request with field details, never 500 ------------------------------------


def test_malformed_json_is_400_on_every_body_route(api, campaign):
    cid = campaign["id"]
    for method, path in [
        ("POST", "/v1/campaigns"),
        ("PATCH", f"/v1/campaigns/{cid}"),
        ("POST", f"/v1/campaigns/{cid}/codes"),
        ("POST", "/v1/coupons/validate"),
        ("POST", "/v1/redemptions"),
    ]:
        for raw in (b"{not json", b"", b"[", b'{"name": "x",}', b"\xff\xfe\xfa"):
            r = api.request(method, path, data=raw, headers={"Content-Type": "application/json"})
            assert r.status_code == 400, f"{method} {path} {raw!r} → {r.status_code} {r.text[:500]}"
            assert_error(r, 400, "invalid_request")


@pytest.mark.parametrize(
    "body",
    [None, [], "a string", 42, True],
    ids=["null", "array", "string", "number", "bool"],
)
def test_a_body_that_is_not_an_object_is_400(api, body):
    for path in ("/v1/campaigns", "/v1/coupons/validate", "/v1/redemptions"):
        assert_error(api.post(path, json=body), 400, "invalid_request")


CAMPAIGN_BAD = [
    ({"name": 5}, "name"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"type": "loyalty"}, "type"),
    ({"discount": {"type": "percent", "percent_off": "ten"}}, "percent_off"),
    ({"discount": {"type": "percent", "percent_off": 0}}, "percent_off"),
    ({"discount": {"type": "percent", "percent_off": 101}}, "percent_off"),
    ({"discount": {"type": "bogus"}}, "discount"),
    ({"discount": {"type": "percent", "percent_off": 10, "amount_off": 5}}, "amount_off"),
    ({"discount": {"type": "amount", "amount_off": 500}}, "currency"),
    ({"discount": {"type": "fixed_price", "price": 500}}, "currency"),
    ({"discount": {"type": "gift_card", "balance": 500}}, "currency"),
    ({"discount": {"type": "amount", "amount_off": -5}, "rules": {"currency": "EUR"}}, "amount_off"),
    ({"discount": {"type": "amount", "amount_off": 1.5}, "rules": {"currency": "EUR"}}, "amount_off"),
    ({"rules": {"max_redemptions": "many"}}, "max_redemptions"),
    ({"rules": {"max_redemptions": 0}}, "max_redemptions"),
    ({"rules": {"expires_at": "tomorrow"}}, "expires_at"),
    ({"rules": {"expires_at": "2030-01-01T00:00:00"}}, "expires_at"),
    ({"rules": {"starts_at": "2031-01-01T00:00:00Z", "expires_at": "2030-01-01T00:00:00Z"}}, "expires_at"),
    ({"rules": {"days_of_week": ["monday"]}}, "days_of_week"),
    ({"rules": {"days_of_week": []}}, "days_of_week"),
    ({"rules": {"hours": [24]}}, "hours"),
    ({"rules": {"timezone": "Mars/Olympus_Mons"}}, "timezone"),
    ({"rules": {"currency": "eur"}}, "currency"),
    ({"rules": {"countries": ["ITA"]}}, "countries"),
    ({"rules": {"valid_days_after_issue": 0}}, "valid_days_after_issue"),
    ({"rules": {"new_customers_only": "perhaps"}}, "new_customers_only"),
    ({"colour": "red"}, "colour"),
    ({"rules": {"max_uses": 3}}, "max_uses"),
    ({"metadata": {"a": 1}}, "metadata"),
]


@pytest.mark.parametrize(("overrides", "field"), CAMPAIGN_BAD, ids=[f for _, f in CAMPAIGN_BAD])
def test_campaign_creation_refuses_bad_fields_with_details(api, overrides, field):
    assert_error(api.post("/v1/campaigns", json=_campaign_body(**overrides)), 400, "invalid_request", mentions=field)


def test_missing_required_campaign_fields_are_named(api):
    for field in ("name", "type", "discount"):
        body = _campaign_body()
        del body[field]
        assert_error(api.post("/v1/campaigns", json=body), 400, "invalid_request", mentions=field)


def test_patch_refuses_unknown_fields_and_bad_rules(api, campaign):
    path = f"/v1/campaigns/{campaign['id']}"
    assert_error(api.patch(path, json={"colour": "red"}), 400, "invalid_request", mentions="colour")
    assert_error(api.patch(path, json={"rules": {"max_uses": 1}}), 400, "invalid_request", mentions="max_uses")
    assert_error(api.patch(path, json={"id": "cmp_other"}), 400, "invalid_request", mentions="id")
    assert_error(api.patch(path, json={"enabled": False}), 400, "invalid_request", mentions="enabled")
    assert api.campaign(campaign["id"])["enabled"] is True


def test_code_creation_refuses_bad_bodies(api):
    cid = api.create_campaign()["id"]
    cases = [  # (body, field the details must name; None for cross-field rules)
        ({"code": "BAD CODE"}, "code"),
        ({"code": "💥"}, "code"),
        ({"code": "\u200fSUMMER"}, "code"),
        ({"code": unique_code(), "count": 5}, None),
        ({"count": 2, "customer_id": "c1"}, None),
        ({"count": 0}, "count"),
        ({"count": "many"}, "count"),
        ({"count": 10, "pattern": ""}, "pattern"),
        ({"prefix": "no spaces"}, "prefix"),
        ({"colour": "red"}, "colour"),
    ]
    for body, field in cases:
        r = api.create_codes(cid, **body)
        assert r.status_code == 400, f"{body} → {r.status_code} {r.text[:500]}"
        assert_error(r, 400, "invalid_request", mentions=field)
    assert api.campaign(cid)["stats"]["codes_issued"] == 0


VALIDATE_BAD = [
    ({"order": {**order(5000), "amount": -1}}, "amount"),
    ({"order": {**order(5000), "amount": "abc"}}, "amount"),
    ({"order": {**order(5000), "amount": 10.5}}, "amount"),
    ({"order": {**order(5000), "amount": 10**13}}, "amount"),
    ({"order": {**order(5000), "currency": "EURO"}}, "currency"),
    ({"order": {**order(5000), "country": "Italy"}}, "country"),
    ({"order": {**order(5000), "items": [item("A", 0, 100)]}}, "quantity"),
    ({"order": {**order(5000), "items": [{"sku": "A", "quantity": 1}]}}, "unit_price"),
    ({"order": {**order(5000), "items": [{**item("A"), "colour": "red"}]}}, "colour"),
    ({"order": {**order(5000), "coupon": "x"}}, "coupon"),
    ({"order": {"currency": "EUR"}}, "amount"),
    ({"order": None}, "order"),
    ({"customer_id": ""}, "customer_id"),
    ({"customer_id": 7}, "customer_id"),
    ({"discount": 100}, "discount"),
    ({"code": ""}, "code"),
    ({"code": 123}, "code"),
    ({"code": None}, "code"),
    ({"code": "A" * 65}, "code"),
    ({"code": "💥"}, "code"),
    ({"code": "\u0000"}, "code"),
    ({"code": "SUMMER\u0000500"}, "code"),
    ({"code": "\u200fSUMMER500"}, "code"),  # RTL mark
    ({"code": "SUMMER500\u202e"}, "code"),  # RTL override
    ({"code": "SUMME\u0301R500"}, "code"),  # combining acute accent
    ({"code": "ＳＵＭＭＥＲ５００"}, "code"),  # full-width
    ({"code": "SUMMER 500"}, "code"),
    ({"code": "summer'; DROP TABLE codes;--"}, "code"),
]


@pytest.mark.parametrize(("overrides", "field"), VALIDATE_BAD, ids=[f"{f}:{o!r}"[:60] for o, f in VALIDATE_BAD])
def test_validate_refuses_bad_input_with_details(api, overrides, field):
    r = api.post("/v1/coupons/validate", json=_validate_body(**overrides), key="publishable")
    assert_error(r, 400, "invalid_request", mentions=field)


def test_redeem_needs_an_order_id(api, campaign):
    code = api.create_code(campaign["id"])
    assert_error(api.post("/v1/redemptions", json={"code": code, "order": order(5000)}), 400, "invalid_request")
    r = api.post("/v1/redemptions", json={"code": code, "order": {**order(5000), "id": ""}})
    assert_error(r, 400, "invalid_request", mentions="id")
    assert api.code(code)["redemptions"] == 0


@pytest.mark.parametrize("path", ["/v1/campaigns", "/v1/coupons/validate", "/v1/redemptions"])
def test_an_oversized_body_is_400(api, path):
    huge = "x" * 200_000
    body = {"name": huge, "type": "discount", "discount": {"type": "percent", "percent_off": 10}}
    if path != "/v1/campaigns":
        body = {"code": "SUMMER500", "customer_id": huge, "order": order(5000, id="ord_big")}
    assert_error(api.post(path, json=body), 400, "invalid_request")


@pytest.mark.parametrize("raw", ["%F0%9F%92%A5", "%00", "%E2%80%8FSUMMER", "SUMME%CC%81R", "A" * 300])
def test_odd_path_parameters_are_never_a_server_error(api, raw):
    for path in (f"/v1/codes/{raw}", f"/v1/codes/{raw}/qr", f"/v1/campaigns/{raw}", f"/v1/redemptions/{raw}"):
        r = api.get(path)
        assert r.status_code in (400, 404), f"{path} → {r.status_code} {r.text[:300]}"
        assert r.json()["error"]["code"] in ("invalid_request", "not_found", "coupon_not_found"), r.text


def test_bad_pagination_parameters_are_never_a_server_error(api, campaign):
    for path in ("/v1/campaigns", f"/v1/campaigns/{campaign['id']}/codes"):
        assert_error(api.get(path, params={"limit": "many"}), 400, "invalid_request", mentions="limit")
        for params in ({"limit": 0}, {"limit": -1}, {"limit": 10**9}, {"cursor": "not-a-cursor!!"}):
            r = api.get(path, params=params)
            assert r.status_code in (200, 400), f"{path} {params} → {r.status_code} {r.text[:300]}"
            if r.status_code == 400:
                assert r.json()["error"]["code"] == "invalid_request", r.text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
fuzzed_validate = st.fixed_dictionaries(
    {
        "code": st.one_of(st.text(max_size=70), json_values),
        "order": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "amount": st.one_of(st.integers(), json_values),
                    "currency": st.one_of(st.text(max_size=4), st.sampled_from(["EUR", "USD"])),
                    "items": st.lists(
                        st.fixed_dictionaries(
                            {"sku": st.text(max_size=5), "quantity": st.integers(), "unit_price": st.integers()}
                        ),
                        max_size=3,
                    ),
                }
            ),
        ),
    },
    optional={"customer_id": json_values, "extra": json_values},
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.one_of(fuzzed_validate, json_values))
def test_fuzzed_validate_bodies_are_200_or_400_never_500(api, body):
    r = api.post("/v1/coupons/validate", json=body, key="publishable")
    assert r.status_code in (200, 400), f"{body!r} → {r.status_code} {r.text[:500]}"
    if r.status_code == 400:
        assert r.json()["error"]["code"] == "invalid_request"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.fixed_dictionaries(
        {"name": st.one_of(st.text(max_size=30), json_values), "type": st.just("discount"), "discount": json_values},
        optional={
            "rules": st.one_of(
                json_values,
                st.dictionaries(
                    st.sampled_from(
                        ["starts_at", "expires_at", "hours", "days_of_week", "timezone", "currency", "max_redemptions"]
                    ),
                    json_values,
                ),
            )
        },
    )
)
def test_fuzzed_campaign_bodies_are_201_or_400_never_500(api, body):
    r = api.post("/v1/campaigns", json=body)
    assert r.status_code in (201, 400), f"{body!r} → {r.status_code} {r.text[:500]}"


# -- Envelope and formats ---------------------------------------------------------------------------


def test_timestamps_are_utc_iso_8601_with_z_and_money_is_integer(api):
    cmp_ = api.create_campaign(
        discount={"type": "amount", "amount_off": 1000},
        rules={"currency": "EUR", "starts_at": "2020-01-01T01:00:00+01:00", "expires_at": "2999-01-01T00:00:00Z"},
    )
    for field in ("created_at", "updated_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", cmp_[field]), cmp_[field]
    assert cmp_["rules"]["starts_at"].startswith("2020-01-01T00:00:00"), cmp_["rules"]
    assert cmp_["rules"]["starts_at"].endswith("Z"), cmp_["rules"]
    assert isinstance(cmp_["discount"]["amount_off"], int)


# -- Health and docs ---------------------------------------------------------------------------------

EXPECTED_OPERATIONS = {
    ("post", "/v1/campaigns"),
    ("get", "/v1/campaigns"),
    ("get", "/v1/campaigns/{}"),
    ("patch", "/v1/campaigns/{}"),
    ("post", "/v1/campaigns/{}/enable"),
    ("post", "/v1/campaigns/{}/disable"),
    ("post", "/v1/campaigns/{}/codes"),
    ("get", "/v1/campaigns/{}/codes"),
    ("get", "/v1/campaigns/{}/batches/{}"),
    ("get", "/v1/codes/{}"),
    ("get", "/v1/codes/{}/qr"),
    ("post", "/v1/coupons/validate"),
    ("post", "/v1/redemptions"),
    ("get", "/v1/redemptions/{}"),
    ("post", "/v1/redemptions/{}/rollback"),
}


def test_health_is_200_without_a_key(api):
    r = api.get("/health", key=None)
    assert r.status_code == 200, r.text


def test_openapi_is_3_1_and_documents_every_route(api):
    r = api.get("/openapi.json", key=None)
    assert r.status_code == 200, r.text
    spec = r.json()
    assert str(spec["openapi"]).startswith("3.1"), spec.get("openapi")
    documented = {
        (method.lower(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, ops in spec["paths"].items()
        for method in ops
        if method.lower() in ("get", "post", "put", "patch", "delete")
    }
    missing = EXPECTED_OPERATIONS - documented
    assert not missing, f"undocumented: {sorted(missing)}"


def test_docs_is_html(api):
    r = api.get("/docs", key=None)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    assert "<html" in r.text.lower()
