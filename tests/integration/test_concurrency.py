"""Limits hold under concurrent redemptions: never one redemption too many, never a 5xx."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from api import Api, error_code, order, uid

pytestmark = pytest.mark.integration

WORKERS = 50


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


def _race(api: Api, calls: list[tuple[str, str | None, int]]) -> list:
    """Redeem (code, customer_id, amount) for each call concurrently, each with its own order id."""

    def one(call):
        code, customer, amount = call
        order_id = uid("ord_")
        r = api.redeem(code, order(amount, id=order_id), customer_id=customer)
        r.sent_order_id = order_id  # type: ignore[attr-defined]
        return r.status_code, error_code(r) if r.status_code != 201 else None, r

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, calls))


def _outcomes(results: list) -> Counter:
    return Counter((status, code) for status, code, _ in results)


def _odd(results: list, expected: set) -> str:
    """The responses outside the expected outcomes, with the order id each request sent (for the report)."""
    return "\n".join(
        f"  sent order {r.sent_order_id} → {status} {r.text[:400]}"
        for status, code, r in results
        if (status, code) not in expected
    )


def test_given_a_code_limited_to_50_when_200_orders_race_then_exactly_50_succeed(api):
    cmp_ = api.create_campaign(rules={"max_redemptions_per_code": 50})
    code = api.create_code(cmp_["id"])

    results = _race(api, [(code, None, 2000)] * 200)

    outcomes = _outcomes(results)
    expected = Counter({(201, None): 50, (422, "redemption_limit_reached"): 150})
    assert outcomes == expected, f"{outcomes}\n{_odd(results, set(expected))}"
    assert len({r.json()["id"] for s, _, r in results if s == 201}) == 50
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 50
    assert api.code(code)["redemptions"] == 50


def test_given_a_campaign_limited_to_50_across_4_codes_when_200_orders_race_then_exactly_50_succeed(api):
    cmp_ = api.create_campaign(rules={"max_redemptions": 50})
    codes = [api.create_code(cmp_["id"]) for _ in range(4)]

    results = _race(api, [(codes[i % 4], None, 2000) for i in range(200)])

    outcomes = _outcomes(results)
    expected = Counter({(201, None): 50, (422, "redemption_limit_reached"): 150})
    assert outcomes == expected, f"{outcomes}\n{_odd(results, set(expected))}"
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 50
    assert sum(api.code(c)["redemptions"] for c in codes) == 50


def test_given_one_use_per_customer_when_one_customer_races_20_orders_then_exactly_1_succeeds(api):
    cmp_ = api.create_campaign(rules={"max_redemptions_per_customer": 1})
    code = api.create_code(cmp_["id"])
    customer = uid("cust-")

    results = _race(api, [(code, customer, 2000)] * 20)

    outcomes = _outcomes(results)
    expected = Counter({(201, None): 1, (422, "customer_limit_reached"): 19})
    assert outcomes == expected, f"{outcomes}\n{_odd(results, set(expected))}"
    assert api.campaign(cmp_["id"])["stats"]["redemptions"] == 1


def test_given_a_gift_card_of_5000_when_20_orders_of_1000_race_then_exactly_the_balance_is_spent(api):
    cmp_ = api.create_campaign(discount={"type": "gift_card", "balance": 5000}, rules={"currency": "EUR"})
    code = api.create_code(cmp_["id"])

    results = _race(api, [(code, None, 1000)] * 20)

    outcomes = _outcomes(results)
    expected = Counter({(201, None): 5, (422, "gift_card_balance_exhausted"): 15})
    assert outcomes == expected, f"{outcomes}\n{_odd(results, set(expected))}"
    assert sum(r.json()["discount_amount"] for s, _, r in results if s == 201) == 5000
    assert api.code(code)["balance"] == 0
    assert api.campaign(cmp_["id"])["stats"]["discount_given"] == {"EUR": 5000}
