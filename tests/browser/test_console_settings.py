"""Settings (owner): an API key is created (the whole key shown once), works, and is revoked (confirmed);
console users are listed with their roles."""

from __future__ import annotations

import pytest
import requests
from selenium.webdriver.support.ui import Select

from tests.browser.console import axe, screenshot, sign_in
from tests.browser.console_actions import click_text, confirm, fill, page_errors, wait_css, wait_text
from tests.integration.api import uid

pytestmark = pytest.mark.browser


def test_the_owner_creates_and_revokes_an_api_key(browser, stack):
    name = f"Warehouse sync {uid()[:5]}"
    sign_in(browser, stack, "owner", hash_="#/settings")
    wait_text(browser, "marketer@example.com", "main")

    fill(browser, "input[name=name]", name)
    click_text(browser, "Create")
    key = wait_css(browser, ".key-once code.secret-key").text
    assert key.startswith("sk_"), key
    wait_text(browser, name, "main table")
    works = requests.get(f"{stack.url}/v1/campaigns", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert works.status_code == 200, works.text
    assert axe(browser) == []
    screenshot(browser, "settings")

    # revoke it, confirmed: the key is revoked (refused once the API's key cache lets it go, API_KEY_CACHE_SECONDS)
    browser.driver.find_element("css selector", f"button[aria-label='Revoke {name}']").click()
    confirm(browser)
    wait_text(browser, "Key revoked.", ".toasts")
    browser.wait_for(
        lambda: not browser.js("return !!document.querySelector(arguments[0]);", f"button[aria-label='Revoke {name}']")
    )
    listed = requests.get(f"{stack.url}/v1/keys", headers={"Authorization": f"Bearer {stack.secret_key}"}, timeout=30)
    [mine] = [k for k in listed.json()["items"] if k["name"] == name]
    assert mine["revoked_at"] and key.startswith(mine["prefix"]), mine
    assert page_errors(browser) == []


def test_the_owner_invites_someone_changes_their_role_and_disables_them(browser, stack):
    email = f"new-{uid()[:6].lower()}@example.com"
    sign_in(browser, stack, "owner", hash_="#/settings")
    wait_text(browser, "marketer@example.com", "main")
    fill(browser, "input[name=email]", email)
    click_text(browser, "Invite")
    wait_text(browser, f"{email} invited", ".toasts")

    role = wait_css(browser, f"select[aria-label='Role of {email}']")
    Select(role).select_by_value("marketer")
    confirm(browser)
    wait_text(browser, f"{email} is now marketer.", ".toasts")
    browser.driver.find_element("css selector", f"button[aria-label='Disable {email}']").click()
    confirm(browser)
    wait_text(browser, f"{email} disabled.", ".toasts")
    users = requests.get(
        f"{stack.url}/v1/console/users", headers={"Authorization": f"Bearer {stack.secret_key}"}, timeout=30
    ).json()["items"]
    [user] = [u for u in users if u["email"] == email]
    assert (user["role"], user["enabled"]) == ("marketer", False), user
    assert page_errors(browser) == []
