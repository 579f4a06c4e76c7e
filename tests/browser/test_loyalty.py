"""Joining the loyalty program and reading the wallet from a storefront page (passaparola.js), cross-origin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.integration.api import Api, uid

pytestmark = pytest.mark.browser


@pytest.fixture
def api(stack: Any) -> Api:
    return Api(stack)


@pytest.fixture
def loyalty_program(api: Api) -> dict:
    """The shop's one loyalty program: the session's if it exists (other tests may have made it), else a new one."""
    r = api.post(
        "/v1/campaigns",
        json={
            "name": "Club",
            "type": "loyalty",
            "earning_rules": [{"event": "signup", "points": 100}, {"event": "review", "points": 50}],
        },
    )
    if r.status_code == 201:
        return r.json()
    assert r.status_code == 409 and r.json()["error"]["code"] == "loyalty_program_exists", r.text
    return api.get(f"/v1/campaigns/{r.json()['error']['details']['campaign_id']}").json()


def test_a_shopper_joins_from_the_page_and_reads_the_wallet_with_a_token(browser, api, stack, loyalty_program):
    port = urlsplit(stack.url).port
    browser.open(f"http://localhost:{port}/demo")  # the shop's origin; the API is on 127.0.0.1: CORS
    browser.js("Passaparola.init({api: arguments[0]});", stack.url)
    email = f"{uid('join-').lower()}@example.com"

    joined = browser.js_async(
        "Passaparola.enroll({email: arguments[0], consent: {email: true}, source: 'web'})"
        ".then(function (r) { done(r); }, function (e) { done('rejected ' + e); });",
        email,
    )
    assert joined["status"] == 201, joined
    customer_id = joined["body"]["customer_id"]
    again = browser.js_async(
        "Passaparola.enroll({email: arguments[0]}).then(function (r) { done(r); }, function (e) { done('rejected ' + e); });",
        email.upper(),
    )
    assert (again["status"], again["body"]["enrolled"], again["body"]["customer_id"]) == (200, False, customer_id)

    # the shop's backend vouches for the shopper; the page reads the wallet with that token (preflighted header)
    token = api.post(f"/v1/customers/{customer_id}/token", json={}).json()["token"]
    wallet = browser.js_async(
        "Passaparola.wallet(arguments[0]).then(function (r) { done(r); }, function (e) { done('rejected ' + e); });",
        token,
    )
    assert wallet["status"] == 200, wallet
    assert wallet["body"]["customer_id"] == customer_id and wallet["body"]["member"] is True
    assert (
        wallet["body"]["points"]["balance"]
        == api.get(f"/v1/customers/{customer_id}/wallet").json()["points"]["balance"]
    )

    refused = browser.js_async(
        "Passaparola.wallet('forged.token').then(function (r) { done(r); }, function (e) { done('rejected ' + e); });"
    )
    assert refused["status"] == 401 and refused["body"]["error"]["code"] == "invalid_token", refused
    assert browser.errors() == []
