"""The token epoch is checked on the customer record each route reads anyway: no extra DynamoDB round trip."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.unit.functions import PUBLISHABLE, Reply, call, load_function

ORDER = {"amount": 5000, "currency": "EUR", "items": []}


@pytest.fixture
def dynamodb_calls(aws: None) -> Iterator[Callable[[Callable[[], Reply]], tuple[Reply, list[str]]]]:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call
    calls: list[str] = []

    def counting(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return original(client, operation, params)

    def measure(fn: Callable[[], Reply]) -> tuple[Reply, list[str]]:
        calls.clear()
        reply = fn()
        return reply, list(calls)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield measure
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def test_wallet_and_validate_with_a_token_cost_what_they_cost_with_the_secret_key(dynamodb_calls, coupons_fn) -> None:
    loyalty = load_function("loyalty")
    customers = load_function("customers")
    assert call(customers, "PUT", "/v1/customers/anna", "/v1/customers/{customer_id}", {"name": "Anna"}).status == 201
    token = call(loyalty, "POST", "/v1/customers/anna/token", "/v1/customers/{customer_id}/token").body["token"]
    mine = {"X-Customer-Token": token}
    body = {"code": "NOPE", "customer_id": "anna", "order": ORDER}

    def my_wallet() -> Reply:
        return call(loyalty, "GET", "/v1/me/wallet", "/v1/me/wallet", key=PUBLISHABLE, headers=mine)

    def shop_wallet() -> Reply:
        return call(loyalty, "GET", "/v1/customers/anna/wallet", "/v1/customers/{customer_id}/wallet")

    def browser_validate() -> Reply:
        return call(coupons_fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", body, PUBLISHABLE, mine)

    def shop_validate() -> Reply:
        return call(coupons_fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", body)

    for fn in (my_wallet, shop_wallet, browser_validate, shop_validate):
        assert fn().status == 200  # warm: keys and the loyalty program cached, as in a warm container
    (mine_reply, wallet_with_token), (_, wallet_with_key) = dynamodb_calls(my_wallet), dynamodb_calls(shop_wallet)
    assert mine_reply.status == 200 and wallet_with_token == wallet_with_key
    (_, validate_with_token), (_, validate_with_key) = dynamodb_calls(browser_validate), dynamodb_calls(shop_validate)
    assert validate_with_token == validate_with_key

    revoked = call(loyalty, "POST", "/v1/customers/anna/tokens/revoke", "/v1/customers/{customer_id}/tokens/revoke")
    assert revoked.status == 200 and revoked.body["token_epoch"] == 1
    refused, calls = dynamodb_calls(my_wallet)
    assert refused.status == 401 and refused.body["error"]["code"] == "token_revoked"
    assert len(calls) <= len(wallet_with_key)  # refused on the record the wallet reads first
    assert browser_validate().body["error"]["code"] == "token_revoked"
