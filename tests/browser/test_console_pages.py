"""Every page of the console (beyond Overview and Campaigns) with a shop's data: axe finds no serious or
critical violation, nothing fails in the page, and screenshots are saved at desktop and phone widths (look at
them: tests/browser/screenshots/). In English, and the customer's page in Italian too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.console import axe, go, screenshot, sign_in
from tests.browser.console_actions import page_errors, wait_css
from tests.browser.console_seed import PEOPLE, Shop

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def data(stack: Any) -> dict[str, Any]:
    """A shop with something on every page: codes with uses, referrals (one flagged), points, a welcome email."""
    shop = Shop.of(stack)
    shop.loyalty()
    people = [shop.customer(*p) for p in PEOPLE]
    summer = shop.discount("Summer sale", open_to_support=True)
    codes = shop.codes(summer["id"], 8)
    for person in people[:2]:
        shop.redeem(codes[0], person["id"])
    program = shop.referral_program()
    shop.referrals(program, "Giulia", friends=3)
    shop.referrals(program, "Andrei", friends=1)
    shop.flagged(program)
    shop.api.post(f"/v1/customers/{people[0]['id']}/points/adjustments", json={"points": 200, "reason": "Welcome gift"})
    welcome = shop.welcome()
    return {"people": people, "code": codes[0], "program": program, "welcome": welcome}


READY = {  # what shows once a page's later reads are in (the page container is there before them)
    "messages-log": "main details.message",
    "mailbox-list": "main details.message",
    "audit": "main details.diff",
    "segments": "main .chart-box .chart",
    "segment": "main .chart-box .chart",
    "referral-reports": "main .funnel",
    "code-uses": "main .paged table",
}


def visit(browser: Any, pages: dict[str, str], prefix: str = "") -> dict[str, Any]:
    """Each page: its axe violations and page errors (only the pages with some), and its screenshots."""
    found: dict[str, Any] = {}
    for name, hash_ in pages.items():
        go(browser, hash_)
        browser.wait_for(lambda: not browser.js("return !!document.querySelector('main .loading');"))
        if name in READY:
            wait_css(browser, READY[name])
        browser.js(
            "document.querySelectorAll('main details.message, main details.diff').forEach((d, i) => { if (i < 2) d.open = true; });"
        )
        browser.wait_for(lambda: not browser.js("return !!document.querySelector('main .loading');"))
        assert not browser.js("return !!document.querySelector('main .error-panel');"), (name, browser.url)
        violations, errors = axe(browser), page_errors(browser)
        if violations or errors:
            found[name] = {"axe": violations, "errors": errors}
        screenshot(browser, prefix + name)
    return found


def test_every_page_as_the_owner(browser, stack, data):
    sign_in(browser, stack, "owner")
    pages = {
        "codes": "#/codes",
        "code-uses": f"#/codes/{data['code']}",
        "referral-reports": f"#/referrals?campaign={data['program']['id']}",
        "customer-search": "#/customers",
        "customer": f"#/customers/{data['people'][0]['id']}",
        "segments": "#/segments",
        "segment": "#/segments/new_customers",
        "messages-log": f"#/messages?campaign={data['welcome']['campaign']['id']}",
        "mailbox-list": "#/mailbox",
        "audit": "#/audit",
        "settings-keys-users": "#/settings",
    }
    assert visit(browser, pages) == {}


def test_the_customer_page_in_italian_as_support(browser, stack, data):
    sign_in(browser, stack, "support", lang="it")
    assert visit(browser, {"customer": f"#/customers/{data['people'][0]['id']}"}, prefix="it-support-") == {}
    text = browser.js("return document.querySelector('main').innerText;")
    assert "Portafoglio" in text and "Dai il codice" in text and "Wallet" not in text, text
    assert visit(browser, {"codes": "#/codes"}, prefix="it-support-") == {}


def test_the_audit_log_names_its_actions_in_the_owners_language(browser, stack, data):
    sign_in(browser, stack, "owner", lang="it")
    assert visit(browser, {"audit": "#/audit"}, prefix="it-") == {}
    actions = browser.js(
        "return [...document.querySelectorAll('main .audit-action')].map((a) => [a.dataset.action, a.textContent]);"
    )
    named = dict(actions)
    # the shop's set-up above: campaigns created, points adjusted by hand, each action in Italian, its code kept
    assert named["campaign.created"] == "Campagna creata", actions
    assert named["points.adjusted"] == "Punti rettificati", actions
    assert all(label != action for action, label in actions), actions
    targets = browser.js(
        "return [...document.querySelectorAll('main .audit-line')].map((l) => l.lastChild.textContent);"
    )
    assert any(t.startswith("campagna cmp_") for t in targets), targets
