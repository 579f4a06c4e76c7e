"""What a person does on the console's pages, for their browser tests: type, click, confirm, read."""

from __future__ import annotations

from typing import Any

import requests

from tests.browser.console import wait_css, wait_text


def el(browser: Any, selector: str) -> Any:
    return browser.driver.find_element("css selector", selector)


def fill(browser: Any, selector: str, text: str) -> None:
    field = wait_css(browser, selector)
    field.clear()
    field.send_keys(text)


def click(browser: Any, selector: str) -> None:
    wait_css(browser, selector).click()


def click_text(browser: Any, text: str, selector: str = "main button") -> None:
    """Click the first visible element matching `selector` whose text is `text`."""
    target = browser.wait_for(
        lambda: browser.js(
            "return Array.from(document.querySelectorAll(arguments[0]))"
            ".find(e => e.offsetParent !== null && e.textContent.trim() === arguments[1]) || null;",
            selector,
            text,
        )
    )
    target.click()


def confirm(browser: Any) -> None:
    """Answer yes to the page's confirmation dialog (its last button)."""
    wait_css(browser, "dialog.dialog[open] .dialog-actions button:last-child").click()
    browser.wait_for(lambda: not browser.js("return !!document.querySelector('dialog.dialog[open]');"))


def main_text(browser: Any) -> str:
    return str(browser.js("return document.querySelector('main').innerText;"))


def token(browser: Any) -> str:
    """The signed-in person's id token (the console keeps its session in sessionStorage)."""
    return str(browser.js("return JSON.parse(sessionStorage.getItem('passaparola.session')).id_token;"))


def as_user(stack: Any, browser: Any, method: str, path: str, **kw: Any) -> requests.Response:
    """Call the API with the signed-in person's token, as the console does."""
    headers = {"Authorization": f"Bearer {token(browser)}", **kw.pop("headers", {})}
    return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=30, **kw)


def page_errors(browser: Any) -> list[str]:
    """Uncaught errors, rejected promises and CSP refusals of the page since it loaded: none is harmless."""
    return list(browser.errors())


__all__ = ["click", "click_text", "confirm", "el", "fill", "main_text", "page_errors", "token", "wait_css", "wait_text"]
