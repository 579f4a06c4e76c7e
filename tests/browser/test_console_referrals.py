"""The referral reports and the review queue: a marketer approves a conversion the fraud rules flagged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.console import axe, screenshot, sign_in
from tests.browser.console_actions import confirm, main_text, page_errors, wait_css, wait_text
from tests.browser.console_seed import Shop

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(stack: Any) -> Shop:
    return Shop.of(stack)


def test_the_review_queue_approves_a_flagged_conversion(browser, stack, shop):
    program = shop.referral_program()
    giulia = shop.referrals(program, "Giulia", friends=2)
    flagged = shop.flagged(program)

    sign_in(browser, stack, "marketer", hash_=f"#/referrals?campaign={program['id']}")
    wait_text(browser, flagged["friend"], "main")
    # the reports: Giulia leads with her two friends, the funnel counts them, the ROI shows its formula
    wait_text(browser, giulia["code"], "main")
    wait_text(browser, "ROI = ", "main")  # the reports load one after the other: wait for the last
    assert "Attributed revenue" in main_text(browser)
    browser.wait_for(lambda: browser.js("return document.querySelectorAll('main .funnel li').length;") == 6)

    # approve the flagged conversion, confirmed
    button = wait_css(browser, f"button[aria-label='Approve {flagged['id']}']")
    button.click()
    confirm(browser)
    wait_text(browser, "Conversion approved.", ".toasts")
    browser.wait_for(lambda: flagged["friend"] not in main_text(browser))
    converted = shop.rf.conversions(status="converted", campaign_id=program["id"])
    [conversion] = [c for c in converted if c["id"] == flagged["id"]]
    assert conversion["status"] == "converted", conversion

    assert axe(browser) == []
    screenshot(browser, "referrals")
    assert page_errors(browser) == []
