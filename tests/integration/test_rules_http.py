"""Discount arithmetic and every rule's refusal, over HTTP (validate: 200 valid:false; redeem: 422)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from api import FAR_FUTURE, FAR_PAST, Api, assert_error, assert_refused, item, order, uid, unique_code

pytestmark = pytest.mark.integration

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


# -- Discount arithmetic, one example per type --------------------------------------------------------

DISCOUNT_CASES = [
    pytest.param(
        {"type": "percent", "percent_off": 10},
        {},
        order(items=[item("A", 2, 5000)]),
        1000,
        9000,
        id="percent 10% of 100.00",
    ),
    pytest.param(
        {"type": "percent", "percent_off": 50, "amount_limit": 1500},
        {"currency": "EUR"},
        order(items=[item("A", 1, 10000)]),
        1500,
        8500,
        id="percent capped by amount_limit",
    ),
    pytest.param(
        {"type": "amount", "amount_off": 1500},
        {"currency": "EUR"},
        order(items=[item("A", 1, 10000)]),
        1500,
        8500,
        id="amount 15.00 off",
    ),
    pytest.param(
        {"type": "amount", "amount_off": 5000},
        {"currency": "EUR"},
        order(items=[item("A", 1, 3000)]),
        3000,
        0,
        id="amount never more than the order",
    ),
    pytest.param(
        {"type": "fixed_price", "price": 2000},
        {"currency": "EUR"},
        order(items=[item("A", 1, 5000)]),
        3000,
        2000,
        id="fixed_price 20.00",
    ),
    pytest.param(
        {"type": "free_shipping"},
        {},
        order(amount=5500, items=[item("A", 1, 5000)], shipping_amount=500),
        500,
        5000,
        id="free_shipping",
    ),
    pytest.param(
        {"type": "unit", "sku": "SOCK", "quantity": 1},
        {},
        order(items=[item("SOCK", 3, 800), item("HAT", 1, 2000)]),
        800,
        3600,
        id="unit: one free sock",
    ),
    pytest.param(
        {"type": "gift_card", "balance": 5000},
        {"currency": "EUR"},
        order(items=[item("A", 1, 3000)]),
        3000,
        0,
        id="gift_card 50.00 on a 30.00 order",
    ),
]


@pytest.mark.parametrize(("discount", "rules", "cart", "discount_amount", "after"), DISCOUNT_CASES)
def test_each_discount_type_computes_the_discount_in_minor_units(api, discount, rules, cart, discount_amount, after):
    cmp_ = api.create_campaign(discount=discount, rules=rules)
    code = api.create_code(cmp_["id"])

    v = api.validate(code, cart)
    assert v["valid"] is True, v
    assert v["currency"] == "EUR"
    assert v["discount_amount"] == discount_amount, v
    assert v["order_amount_after"] == after, v

    r = api.redeem(code, cart)
    assert r.status_code == 201, r.text
    assert r.json()["discount_amount"] == discount_amount
    assert r.json()["order_amount_after"] == after


def test_percent_discount_applies_only_to_applicable_items_and_reports_them(api):
    cmp_ = api.create_campaign(
        discount={"type": "percent", "percent_off": 20}, rules={"exclude_categories": ["gift-cards"]}
    )
    code = api.create_code(cmp_["id"])
    v = api.validate(code, order(items=[item("SHOE", 1, 5000, ["shoes"]), item("GC", 1, 5000, ["gift-cards"])]))
    assert v["valid"] is True, v
    assert v["discount_amount"] == 1000
    assert v["order_amount_after"] == 9000
    assert v["applicable_items"] == [{"sku": "SHOE", "quantity": 1, "amount": 5000, "discount_amount": 1000}]


# -- Each rule's refusal ------------------------------------------------------------------------------


def _now_utc() -> datetime:
    return datetime.now(UTC)


def _days_without_today_and_tomorrow() -> list[str]:
    today = _now_utc().weekday()
    return [d for i, d in enumerate(DAYS) if i not in (today, (today + 1) % 7)]


def _hours_without_now_and_next() -> list[int]:
    h = _now_utc().hour
    return [x for x in range(24) if x not in (h, (h + 1) % 24)]


REFUSALS = [
    pytest.param({"expires_at": FAR_PAST}, {}, None, "coupon_expired", id="expired"),
    pytest.param({"starts_at": FAR_FUTURE}, {}, None, "coupon_not_active_yet", id="not active yet"),
    pytest.param(
        {"days_of_week": _days_without_today_and_tomorrow()}, {}, None, "coupon_not_active_now", id="wrong day"
    ),
    pytest.param({"hours": _hours_without_now_and_next()}, {}, None, "coupon_not_active_now", id="wrong hour"),
    pytest.param({"min_order_amount": 2000}, {"amount": 1999}, None, "order_below_minimum", id="below minimum"),
    pytest.param({"currency": "EUR"}, {"currency": "USD"}, None, "currency_mismatch", id="currency"),
    pytest.param({"countries": ["IT"]}, {"country": "FR"}, None, "country_not_allowed", id="country"),
    pytest.param({"include_skus": ["A"]}, {"sku": "B"}, None, "no_applicable_items", id="include_skus"),
    pytest.param({"exclude_skus": ["A"]}, {"sku": "A"}, None, "no_applicable_items", id="exclude_skus"),
    pytest.param(
        {"include_categories": ["shoes"]}, {"categories": ["hats"]}, None, "no_applicable_items", id="include_cats"
    ),
    pytest.param(
        {"exclude_categories": ["gift-cards"]},
        {"categories": ["gift-cards"]},
        None,
        "no_applicable_items",
        id="exclude_cats",
    ),
]


def _cart(tweak: dict, order_id: str | None = None) -> dict:
    amount = tweak.get("amount", 5000)
    line = item(tweak.get("sku", "A"), 1, amount, tweak.get("categories", ["misc"]))
    extra = {k: tweak[k] for k in ("country",) if k in tweak}
    return order(amount, currency=tweak.get("currency", "EUR"), items=[line], id=order_id, **extra)


@pytest.mark.parametrize(("rules", "tweak", "customer", "error"), REFUSALS)
def test_each_rule_refuses_via_validate_and_via_redeem(api, rules, tweak, customer, error):
    cmp_ = api.create_campaign(rules=rules)
    code = api.create_code(cmp_["id"])

    assert_refused(api.validate(code, _cart(tweak), customer_id=customer), error)
    assert_error(api.redeem(code, _cart(tweak, uid("ord_")), customer_id=customer), 422, error)
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 0


@pytest.mark.parametrize(
    ("rules", "tweak"),
    [
        pytest.param({"expires_at": FAR_FUTURE, "starts_at": FAR_PAST}, {}, id="inside the window"),
        pytest.param({"days_of_week": DAYS, "hours": list(range(24))}, {}, id="every day and hour"),
        pytest.param({"min_order_amount": 2000}, {"amount": 2000}, id="exactly the minimum"),
        pytest.param({"currency": "EUR"}, {"currency": "EUR"}, id="same currency"),
        pytest.param({"countries": ["IT", "FR"]}, {"country": "FR"}, id="allowed country"),
        pytest.param({"include_skus": ["A"]}, {"sku": "A"}, id="included sku"),
        pytest.param({"include_categories": ["shoes"]}, {"categories": ["shoes", "sale"]}, id="included category"),
    ],
)
def test_each_rule_lets_a_matching_order_through(api, rules, tweak):
    cmp_ = api.create_campaign(rules=rules)
    code = api.create_code(cmp_["id"])
    v = api.validate(code, _cart(tweak))
    assert v["valid"] is True, v


def test_hours_are_read_in_the_campaigns_timezone(api):
    zone = "Pacific/Kiritimati"  # UTC+14: its hour is never the UTC hour or the next one
    local_hour = datetime.now(ZoneInfo(zone)).hour
    hours = [local_hour, (local_hour + 1) % 24]
    in_zone = api.create_code(api.create_campaign(rules={"hours": hours, "timezone": zone})["id"])
    in_utc = api.create_code(api.create_campaign(rules={"hours": hours})["id"])

    assert api.validate(in_zone, order(5000))["valid"] is True
    assert_refused(api.validate(in_utc, order(5000)), "coupon_not_active_now")


def test_unknown_code_is_not_found(api):
    code = unique_code("NOPE")
    assert_refused(api.validate(code, order(5000)), "coupon_not_found")
    assert_error(api.redeem(code, order(5000)), 404, "coupon_not_found")


def test_validate_changes_nothing(api):
    cmp_ = api.create_campaign(rules={"max_redemptions_per_code": 1})
    code = api.create_code(cmp_["id"])
    for _ in range(3):
        assert api.validate(code, order(5000), customer_id=uid("cust-"))["valid"] is True
    assert api.code(code)["redemptions"] == 0
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 0


# -- Limits -----------------------------------------------------------------------------------------


def test_max_redemptions_per_code(api):
    cmp_ = api.create_campaign(rules={"max_redemptions_per_code": 1})
    code = api.create_code(cmp_["id"])
    other = api.create_code(cmp_["id"])
    assert api.redeem(code, order(5000)).status_code == 201
    assert_refused(api.validate(code, order(5000)), "redemption_limit_reached")
    assert_error(api.redeem(code, order(5000)), 422, "redemption_limit_reached")
    assert api.validate(other, order(5000))["valid"] is True  # the limit is per code


def test_max_redemptions_for_the_whole_campaign(api):
    cmp_ = api.create_campaign(rules={"max_redemptions": 1})
    a, b = api.create_code(cmp_["id"]), api.create_code(cmp_["id"])
    assert api.redeem(a, order(5000)).status_code == 201
    assert_refused(api.validate(b, order(5000)), "redemption_limit_reached")
    assert_error(api.redeem(b, order(5000)), 422, "redemption_limit_reached")


def test_max_redemptions_per_customer(api):
    cmp_ = api.create_campaign(rules={"max_redemptions_per_customer": 1})
    a, b = api.create_code(cmp_["id"]), api.create_code(cmp_["id"])
    alice, bob = uid("alice-"), uid("bob-")
    assert api.redeem(a, order(5000), customer_id=alice).status_code == 201
    # the limit is per customer across the campaign's codes
    assert_refused(api.validate(b, order(5000), customer_id=alice), "customer_limit_reached")
    assert_error(api.redeem(b, order(5000), customer_id=alice), 422, "customer_limit_reached")
    assert api.validate(a, order(5000), customer_id=bob)["valid"] is True


# -- Enable / disable / PATCH take effect immediately ------------------------------------------------


def test_disable_refuses_immediately_and_enable_makes_it_valid_again(api):
    cmp_ = api.create_campaign()
    code = api.create_code(cmp_["id"])

    r = api.post(f"/v1/campaigns/{cmp_['id']}/disable", json={})
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] is False
    assert_refused(api.validate(code, order(5000), key="publishable"), "campaign_disabled")
    assert_error(api.redeem(code, order(5000)), 422, "campaign_disabled")

    r = api.post(f"/v1/campaigns/{cmp_['id']}/enable", json={})
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] is True
    assert api.validate(code, order(5000), key="publishable")["valid"] is True
    assert api.redeem(code, order(5000)).status_code == 201


def test_a_campaign_created_disabled_refuses_its_codes(api):
    cmp_ = api.create_campaign(enabled=False)
    code = api.create_code(cmp_["id"])
    assert_refused(api.validate(code, order(5000)), "campaign_disabled")


def test_patch_rules_take_effect_immediately_and_merge_into_the_rule_set(api):
    cmp_ = api.create_campaign(rules={"countries": ["IT"]})
    code = api.create_code(cmp_["id"])
    assert api.validate(code, order(1000, country="IT"))["valid"] is True

    r = api.patch(f"/v1/campaigns/{cmp_['id']}", json={"rules": {"min_order_amount": 5000}})
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["version"] > cmp_["version"]
    assert patched["rules"]["min_order_amount"] == 5000
    assert patched["rules"]["countries"] == ["IT"]  # merged (RFC 7396): the other rules stay
    assert patched["name"] == cmp_["name"]  # omitted fields stay

    assert_refused(api.validate(code, order(1000, country="IT")), "order_below_minimum")
    assert_refused(api.validate(code, order(5000, country="FR")), "country_not_allowed")
    r = api.patch(f"/v1/campaigns/{cmp_['id']}", json={"rules": {"countries": None}})
    assert r.status_code == 200 and r.json()["rules"]["countries"] is None, r.text
    assert api.validate(code, order(5000, country="FR"))["valid"] is True


def test_patch_discount_takes_effect_immediately(api):
    cmp_ = api.create_campaign()
    code = api.create_code(cmp_["id"])
    r = api.patch(f"/v1/campaigns/{cmp_['id']}", json={"discount": {"type": "percent", "percent_off": 25}})
    assert r.status_code == 200, r.text
    assert api.validate(code, order(10000))["discount_amount"] == 2500


# -- Customers -------------------------------------------------------------------------------------


def test_customer_bound_apology_coupon_only_works_for_that_customer(api):
    # Given a support agent issues an apology code to one customer
    cmp_ = api.create_campaign(discount={"type": "amount", "amount_off": 1000}, rules={"currency": "EUR"})
    customer = uid("cust-")
    r = api.create_codes(cmp_["id"], customer_id=customer)
    assert r.status_code == 201, r.text
    issued = r.json()["codes"][0]
    code = issued["code"]
    assert issued["customer_id"] == customer

    # Then it works for them, and not for anybody else or for nobody
    assert api.validate(code, order(5000), customer_id=customer)["valid"] is True
    assert_refused(api.validate(code, order(5000), customer_id=uid("other-")), "customer_not_allowed")
    assert_refused(api.validate(code, order(5000)), "customer_required")
    assert_error(api.redeem(code, order(5000), customer_id=uid("other-")), 422, "customer_not_allowed")
    assert_error(api.redeem(code, order(5000)), 422, "customer_required")
    r = api.redeem(code, order(5000), customer_id=customer)
    assert r.status_code == 201, r.text
    assert r.json()["customer_id"] == customer


def test_new_customers_only_refuses_a_customer_who_has_already_ordered(api):
    welcome = api.create_code(api.create_campaign(rules={"new_customers_only": True})["id"])
    other = api.create_code(api.create_campaign()["id"])
    customer = uid("cust-")

    # Given a customer never seen before, then the welcome code is valid
    assert api.validate(welcome, order(5000), customer_id=customer)["valid"] is True

    # When they complete an order with another coupon, then they are no longer new
    assert api.redeem(other, order(5000), customer_id=customer).status_code == 201
    assert_refused(api.validate(welcome, order(5000), customer_id=customer), "not_new_customer")
    assert_error(api.redeem(welcome, order(5000), customer_id=customer), 422, "not_new_customer")
    assert api.validate(welcome, order(5000), customer_id=uid("fresh-"))["valid"] is True


def test_valid_days_after_issue_gives_each_code_its_own_expiry(api):
    cmp_ = api.create_campaign(rules={"valid_days_after_issue": 30})
    before = datetime.now(UTC)
    code = api.create_code(cmp_["id"])
    after = datetime.now(UTC)

    c = api.code(code)
    assert c["expires_at"] and c["expires_at"].endswith("Z"), c
    expires = _parse(c["expires_at"])
    slack = timedelta(minutes=2)
    assert before + timedelta(days=30) - slack <= expires <= after + timedelta(days=30) + slack, c
    assert api.validate(code, order(5000))["valid"] is True


def test_valid_days_after_issue_bounded_by_the_campaign_expiry(api):
    # the campaign's own expiry still applies to codes issued with a validity period
    cmp_ = api.create_campaign(rules={"valid_days_after_issue": 30, "expires_at": FAR_PAST})
    code = api.create_code(cmp_["id"])
    assert_refused(api.validate(code, order(5000)), "coupon_expired")
