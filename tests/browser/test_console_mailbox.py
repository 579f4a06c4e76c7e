"""The local mailbox shows the welcome email a new customer got, as they would see it; and the Messages page
shows the same message in the campaign's log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.console import axe, go, screenshot, sign_in
from tests.browser.console_actions import click, page_errors, wait_css, wait_text
from tests.browser.console_seed import Shop

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(stack: Any) -> Shop:
    return Shop.of(stack)


def frame_text(browser: Any, selector: str) -> str:
    """The text of the email inside its sandboxed frame (srcdoc: read through the DOM)."""
    frame = wait_css(browser, selector)
    browser.driver.switch_to.frame(frame)
    try:
        return str(browser.js("return document.body.innerText;"))
    finally:
        browser.driver.switch_to.default_content()


def test_the_mailbox_shows_the_welcome_email(browser, stack, shop):
    welcome = shop.welcome()
    sofia, message = welcome["customer"], welcome["message"]

    sign_in(browser, stack, "marketer", hash_="#/mailbox")
    wait_text(browser, "Benvenuta Sofia Conti!", "main")
    wait_css(browser, "input[name=to]").send_keys(sofia["email"])
    item = "main details.message"
    click(browser, f"{item} > summary")
    body = frame_text(browser, f"{item} iframe.email-frame")
    assert "Ciao Sofia" in body and message["coupon_code"] in body, body
    assert browser.js(f"return document.querySelector('{item} iframe').getAttribute('sandbox');") == ""
    assert axe(browser) == []
    screenshot(browser, "mailbox")

    # the campaign's log has it too, rendered
    go(browser, f"#/messages?campaign={welcome['campaign']['id']}", ready="main details.message")
    wait_text(browser, "Benvenuta Sofia Conti!", "main")
    click(browser, "main details.message > summary")
    assert message["coupon_code"] in frame_text(browser, "main details.message iframe.email-frame")
    assert axe(browser) == []
    screenshot(browser, "messages")
    assert page_errors(browser) == []
