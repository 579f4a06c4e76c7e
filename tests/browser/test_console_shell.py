"""The console's shell in headless Chromium: sign-in per role, the menu each role sees, the language switch and
locale formats, the first load's size, accessibility and screenshots of the sign-in page and the overview."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.console import (
    axe,
    console_url,
    go,
    menu,
    screenshot,
    set_lang,
    sign_in,
    transferred_bytes,
    wait_css,
    wait_text,
)
from tests.integration.api import Api, uid

pytestmark = pytest.mark.browser

FIRST_LOAD_BUDGET = 300 * 1024
MENUS = {
    "owner": [
        "overview",
        "campaigns",
        "codes",
        "referrals",
        "customers",
        "segments",
        "messages",
        "mailbox",
        "audit",
        "settings",
    ],
    "marketer": ["overview", "campaigns", "codes", "referrals", "customers", "segments", "messages", "mailbox"],
    "support": ["codes", "customers"],
}


@pytest.fixture
def api(stack: Any) -> Api:
    return Api(stack)


@pytest.mark.parametrize("role", ["owner", "marketer", "support"])
def test_each_role_signs_in_and_sees_its_menu(browser, stack, role):
    sign_in(browser, stack, role)
    assert menu(browser) == MENUS[role]
    assert browser.js("return document.querySelector('.topbar .user-email').textContent;") == f"{role}@example.com"
    session = browser.js("return JSON.parse(sessionStorage.getItem('passaparola.session'));")
    assert session["user"] == {"email": f"{role}@example.com", "role": role} and session["id_token"].count(".") == 2
    home = "#/overview" if role != "support" else "#/codes"
    browser.wait_for(lambda: browser.url.endswith(home))
    assert browser.errors() == []


def test_wrong_password_is_said_at_the_form_and_the_page_is_accessible(browser, stack):
    browser.open(console_url(stack))
    email = wait_css(browser, "form.signin-form input[name=email]")
    screenshot(browser, "console-signin")
    assert axe(browser) == []
    email.send_keys("owner@example.com")
    browser.driver.find_element("css selector", "input[name=password]").send_keys("not-the-password")
    browser.driver.find_element("css selector", "form.signin-form button[type=submit]").click()
    wait_text(browser, "Wrong email or password.", ".form-summary")
    assert browser.js("return sessionStorage.getItem('passaparola.session');") is None


def test_support_cannot_open_the_campaign_pages_and_the_api_refuses_it(browser, stack, api):
    campaign = api.create_campaign(name=f"Support may not edit {uid()}")
    sign_in(browser, stack, "support")
    for hash_ in ("#/overview", "#/campaigns", f"#/campaigns/{campaign['id']}"):
        go(browser, hash_, ready=".error-panel")
        assert "Your role (Support) may not open this page." in browser.text("main")
    token = browser.js("return JSON.parse(sessionStorage.getItem('passaparola.session')).id_token;")
    r = api.patch(
        f"/v1/campaigns/{campaign['id']}", json={"name": "x"}, key=None, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role", r.text
    r = api.post(
        f"/v1/campaigns/{campaign['id']}/disable", json={}, key=None, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden_role", r.text


def test_italian_shows_italian_words_and_euro_formats(browser, stack):
    sign_in(browser, stack, "owner")
    wait_css(browser, ".page-overview .stats")
    assert "Discount given" in browser.text("main")
    browser.js(
        "var s = document.querySelector('.topbar select[name=lang]'); s.value = 'it'; s.dispatchEvent(new Event('change'));"
    )
    wait_text(browser, "Panoramica", "#nav")
    wait_css(browser, ".page-overview .stats")
    text = browser.text("main")
    assert "Sconti concessi" in text and "Utilizzi dei coupon" in text
    assert browser.js("return document.documentElement.lang;") == "it"
    formats = browser.js_async(
        "import(arguments[0]).then(function (m) { done([m.fmt.money(1234567, 'EUR'), m.fmt.date('2026-12-07'), "
        "m.fmt.money(1234567, 'JPY')]); });",
        f"{stack.url}/admin/static/js/i18n.js",
    )
    assert formats == ["12.345,67\u00a0€", "7 dic 2026", "1.234.567\u00a0JPY"], formats
    assert "€" in text and ",00" in text  # the overview's money, Italian style
    screenshot(browser, "console-overview-it")
    browser.driver.refresh()  # the choice is kept
    wait_text(browser, "Panoramica", "#nav")


def test_overview_shows_figures_charts_and_every_campaign(browser, stack, api):
    campaign = api.create_campaign(name=f"Overview {uid()}")
    sign_in(browser, stack, "marketer")
    go(browser, "#/overview?days=7", ready=".page-overview .chart .uplot")
    assert browser.js("return document.querySelectorAll('.page-overview .chart .uplot').length;") == 4
    assert browser.js("return document.querySelector('.segmented [aria-pressed=true]').textContent;") == "7 days"
    assert campaign["name"] in browser.text("main")
    switch = browser.js(
        "return document.querySelector('.page-overview [role=switch][data-campaign=\"' + arguments[0] + '\"]');",
        campaign["id"],
    )
    assert switch.get_attribute("aria-checked") == "true"
    go(browser, "#/overview?days=90", ready=".page-overview .chart .uplot")
    assert browser.js("return document.querySelector('.segmented [aria-pressed=true]').textContent;") == "90 days"
    assert axe(browser) == []
    screenshot(browser, "console-overview")
    assert browser.errors() == []


def test_on_a_phone_the_menu_collapses_behind_a_button(browser, stack):
    sign_in(browser, stack, "owner")
    wait_css(browser, ".page-overview .stats")
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        button = wait_css(browser, ".menu-button")
        assert button.get_attribute("aria-expanded") == "false"
        assert not browser.js("return getComputedStyle(document.getElementById('nav')).display !== 'none';")  # hidden
        button.click()
        browser.wait_for(
            lambda: browser.js("return getComputedStyle(document.getElementById('nav')).display !== 'none';")
        )
        assert button.get_attribute("aria-expanded") == "true"
        assert axe(browser) == []
        browser.driver.find_element("css selector", '#nav a[data-page="campaigns"]').click()
        wait_css(browser, ".page-campaigns")
        assert button.get_attribute("aria-expanded") == "false"  # choosing a page closes it
        assert browser.js("return document.documentElement.scrollWidth;") <= 390  # nothing wider than the phone
    finally:
        browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_first_load_is_under_300_kb_compressed(browser, stack):
    """Sign-in page, then the overview with its charts: everything the browser fetched, as transferred (gzip)."""
    sign_in(browser, stack, "owner")
    wait_css(browser, ".page-overview .chart .uplot")
    figures = transferred_bytes(browser)
    print(
        f"\nfirst load: {figures['transferred']} bytes transferred ({figures['decoded']} decoded), {figures['requests']} requests"
    )
    assert 0 < figures["transferred"] <= FIRST_LOAD_BUDGET, figures
    assert figures["transferred"] < figures["decoded"]  # compressed on the wire
    encodings = browser.js(
        "return performance.getEntriesByType('resource').filter(function (r) { return r.name.indexOf('uPlot.iife') >= 0; })"
        ".map(function (r) { return [r.encodedBodySize, r.decodedBodySize]; });"
    )
    assert encodings and encodings[0][0] < encodings[0][1] / 2, encodings


def test_the_page_is_served_with_a_strict_csp(stack):
    import requests

    r = requests.get(console_url(stack), timeout=10)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_the_language_is_chosen_before_sign_in_too(browser, stack):
    browser.open(console_url(stack))
    set_lang(browser, "de")
    browser.driver.refresh()
    wait_text(browser, "Bei der Konsole anmelden", "main")


def test_every_string_of_the_shell_and_campaign_pages_is_in_every_language(browser, stack):
    """en and it are required; es, fr, de and ro too: a key missing in one language would show in English."""
    browser.open(console_url(stack))
    wait_css(browser, "form.signin-form")
    missing = browser.js_async(
        """
        var base = arguments[0];
        Promise.all([import(base + 'app.js'), import(base + 'pages/overview.js'), import(base + 'pages/campaigns.js'),
                     import(base + 'pages/editor.js')]).then(function (mods) {
          var sets = {shell: mods[0].STRINGS, overview: mods[1].default.strings, campaigns: mods[2].default.strings,
                      editor: mods[3].default.strings};
          var out = [];
          Object.keys(sets).forEach(function (name) {
            var en = Object.keys(sets[name].en);
            ['it', 'es', 'fr', 'de', 'ro'].forEach(function (lang) {
              var have = sets[name][lang] || {};
              en.forEach(function (key) { if (!(key in have)) out.push(name + ' ' + lang + ' ' + key); });
            });
          });
          done(out);
        }, function (e) { done(['import failed: ' + e]); });
        """,
        f"{stack.url}/admin/static/js/",
    )
    assert missing == []


def test_a_token_the_api_refuses_leads_back_to_sign_in(browser, stack):
    sign_in(browser, stack, "marketer")
    wait_css(browser, ".page-overview .stats")
    browser.js(
        "var s = JSON.parse(sessionStorage.getItem('passaparola.session'));"
        "s.id_token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';"  # signed by nobody
        "sessionStorage.setItem('passaparola.session', JSON.stringify(s));"
    )
    browser.js("location.hash = '#/campaigns';")
    wait_text(browser, "Your session ended. Sign in again.", "form.signin-form")
    assert browser.js("return sessionStorage.getItem('passaparola.session');") is None


def test_the_browser_enforces_the_csp(browser, stack):
    """An injected inline script does not run (and the violation is seen): the policy works, not only its header."""
    browser.open(console_url(stack))
    wait_css(browser, "form.signin-form")
    browser.js(
        "var s = document.createElement('script'); s.textContent = 'window.__injected = 1'; document.body.append(s);"
    )
    browser.wait_for(lambda: browser.errors())
    assert browser.js("return window.__injected === undefined;")
    assert any("CSP refused script-src" in e for e in browser.errors()), browser.errors()
