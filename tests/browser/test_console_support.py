"""A support agent on the phone with a customer: finds them, gives them a code from a campaign the owner opened
to support, adjusts their points with a reason, and cannot edit campaigns (no editor in the console, 403 from
the API)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.support.ui import Select

from tests.browser.console import axe, go, menu, screenshot, sign_in
from tests.browser.console_actions import as_user, click_text, el, fill, main_text, page_errors, wait_css, wait_text
from tests.browser.console_seed import Shop

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(stack: Any) -> Shop:
    return Shop.of(stack)


def test_a_support_agent_finds_a_customer_gives_a_code_and_adjusts_points(browser, stack, shop):
    shop.loyalty()
    giulia = shop.customer("Giulia Bianchi", "IT", "it")
    open_one = shop.discount("Sorry for the delay", open_to_support=True)
    closed = shop.discount("Staff only")

    sign_in(browser, stack, "support")
    assert "campaigns" not in menu(browser) and "customers" in menu(browser)

    # Finds the customer by email (one match: the profile opens)
    go(browser, "#/customers", ready="input[name=query]")
    fill(browser, "input[name=query]", giulia["email"].upper())
    el(browser, "form[role=search] button[type=submit]").click()
    wait_text(browser, giulia["email"], "main")
    assert f"#/customers/{giulia['id']}" in browser.url

    # Only campaigns open to support are offered
    select = Select(wait_css(browser, "select[name=campaign_id]"))
    offered = {o.get_attribute("value") for o in select.options}
    assert open_one["id"] in offered and closed["id"] not in offered
    select.select_by_value(open_one["id"])
    click_text(browser, "Give the code")
    code = wait_css(browser, ".issued-code").text
    issued = shop.api.code(code)
    assert (issued["customer_id"], issued["campaign_id"]) == (giulia["id"], open_one["id"]), issued

    # Adjusts points with a reason: a ledger line the customer's page shows
    fill(browser, "input[name=points]", "150")
    fill(browser, "input[name=reason]", "Goodwill: parcel arrived late")
    click_text(browser, "Adjust")
    wait_text(browser, "Goodwill: parcel arrived late", "main")
    ledger = shop.api.get(f"/v1/customers/{giulia['id']}/points/ledger").json()["items"]
    assert any(e["points"] == 150 and e["reason"] == "Goodwill: parcel arrived late" for e in ledger), ledger

    assert axe(browser) == []
    screenshot(browser, "support-customer")

    # No campaign editor for support: the page refuses, and so does the API
    go(browser, f"#/campaigns/{open_one['id']}")
    assert browser.js("return !!document.querySelector('main .error-panel') && !document.querySelector('main form');")
    assert "Support" in main_text(browser)
    refused = as_user(stack, browser, "PATCH", f"/v1/campaigns/{open_one['id']}", json={"name": "Free for all"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden_role", refused.text
    assert shop.api.campaign(open_one["id"])["name"] == open_one["name"]
    assert page_errors(browser) == []


def test_a_support_agent_sees_a_customers_coupons_and_messages_but_no_erasure(browser, stack, shop):
    shop.loyalty()
    person = shop.customer("Andrei Popescu", "RO", "ro")
    campaign = shop.discount("Sorry again", open_to_support=True)
    code = shop.api.create_code(campaign["id"], customer_id=person["id"])

    sign_in(browser, stack, "support", hash_=f"#/customers/{person['id']}")
    wait_text(browser, person["email"], "main")
    click_text(browser, "Coupons", "main [role=tab]")
    wait_text(browser, code, "main [role=tabpanel]:not([hidden])")
    click_text(browser, "Messages", "main [role=tab]")
    assert not browser.js("return !!document.querySelector('main .danger-zone');"), "erasure is the owner's"
    assert page_errors(browser) == []
