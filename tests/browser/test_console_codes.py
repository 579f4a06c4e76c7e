"""Codes: a marketer generates codes, looks one up with its uses, disables it (confirmed: validate then answers
`code_disabled`), and follows a background batch's progress bar to its CSV export."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.support.ui import Select

from tests.browser.console import axe, screenshot, sign_in
from tests.browser.console_actions import click_text, confirm, fill, page_errors, wait_css, wait_text
from tests.browser.console_seed import Shop
from tests.integration.api import item, order

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(stack: Any) -> Shop:
    return Shop.of(stack)


def test_a_marketer_generates_codes_looks_one_up_and_disables_it(browser, stack, shop):
    campaign = shop.discount("Black Friday")
    sign_in(browser, stack, "marketer", hash_=f"#/codes?campaign={campaign['id']}")
    assert (
        Select(wait_css(browser, "select[name=campaign_id]")).first_selected_option.get_attribute("value")
        == campaign["id"]
    )
    fill(browser, "input[name=count]", "5")
    fill(browser, "input[name=prefix]", "BF-")
    click_text(browser, "Generate")
    wait_text(browser, "5 codes created.", "main")
    codes = browser.js("return Array.from(document.querySelectorAll('main .code-list a')).map(a => a.textContent);")
    assert len(codes) == 5 and all(c.startswith("BF-") for c in codes), codes
    code = codes[0]
    shop.redeem(code)

    wait_css(browser, f"main .code-list a[href='#/codes/{code}']").click()
    wait_text(browser, "€80.00", "main table")  # its use, with the order's total
    assert axe(browser) == []
    screenshot(browser, "code")

    click_text(browser, "Disable this code")
    confirm(browser)
    wait_text(browser, f"Code {code} disabled.", ".toasts")
    wait_text(browser, "disabled", "main .badge")
    refused = shop.api.validate(code, order(items=[item("SHOE", 1, 8000)]))
    assert refused["valid"] is False and refused["error"]["code"] == "code_disabled", refused
    assert page_errors(browser) == []


def test_a_background_batch_shows_its_progress_then_exports_its_codes(browser, stack, shop):
    campaign = shop.discount("Flyers")
    sign_in(browser, stack, "owner", hash_=f"#/codes?campaign={campaign['id']}")
    fill(browser, "input[name=count]", "1001")
    click_text(browser, "Generate")
    wait_css(browser, "main .batch progress")
    wait_text(browser, "completed", "main .batch", timeout=90)
    batch_id = browser.js("return JSON.parse(localStorage.getItem('passaparola.batches'))[0].id;")
    assert browser.js("return document.querySelector('main .batch progress').value;") == 1001
    wait_css(browser, "main .batch button")  # the export, once complete
    exported = browser.js_async(
        "import('/admin/static/js/kit.js').then(k => k.exportCodesCsv(null, arguments[0], arguments[1]))"
        ".then(r => done({count: r.count, head: r.text.split('\\n')[0]}), e => done({error: String(e)}));",
        campaign["id"],
        batch_id,
    )
    assert exported == {"count": 1001, "head": "code,customer_id,batch_id,created_at,expires_at,redemptions,balance"}
    assert page_errors(browser) == []
