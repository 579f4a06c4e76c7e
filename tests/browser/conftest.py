"""Headless Chromium (Debian's `chromium` + `chromium-driver`, installed by .ci/run) against the local stack.

`stack` is the integration tests' fixture: the real local stack in a subprocess, once per session.
`browser` is a fresh Chromium profile per test (cookies, localStorage and sessionStorage start empty).
Without Chromium the tests skip on a developer machine and fail in CI (`CI` set): CI never skips them.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest

from tests.integration.conftest import LocalStack, dynamodb_endpoint, stack  # noqa: F401 - the fixtures, shared with the integration tests

CHROMIUM_BINARIES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMEDRIVER_BINARIES = ("/usr/bin/chromedriver", "chromedriver")
HEADLESS_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
)
STORE = "passaparola_ref"

# Runs before any page script: collects uncaught errors, rejected promises and CSP refusals the page would hide.
ERROR_TRAP = """
window.__pageErrors = [];
window.addEventListener("error", function (e) { window.__pageErrors.push(String(e.message || e)); });
window.addEventListener("unhandledrejection", function (e) { window.__pageErrors.push("unhandled: " + e.reason); });
document.addEventListener("securitypolicyviolation", function (e) {
  window.__pageErrors.push("CSP refused " + e.violatedDirective + ": " + (e.blockedURI || "inline"));
});
"""


def _which(candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run; .ci/run installs chromium)", pytrace=False)
    pytest.skip(f"{reason}: install it (apt-get install chromium chromium-driver) to run the browser tests")


@pytest.fixture(scope="session")
def chromium_paths() -> tuple[str, str]:
    try:
        import selenium  # noqa: F401
    except ImportError:
        _unavailable("selenium is not installed (requirements-dev.txt)")
    browser, driver = _which(CHROMIUM_BINARIES), _which(CHROMEDRIVER_BINARIES)
    if browser is None or driver is None:
        _unavailable(f"chromium not found (chromium: {browser}, chromedriver: {driver})")
    assert browser is not None and driver is not None
    return browser, driver


class Browser:
    """A thin layer over the WebDriver: what a test needs to look at the shopper's browser."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def open(self, url: str) -> None:
        self.driver.get(url)

    @property
    def url(self) -> str:
        return str(self.driver.current_url)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def js_async(self, script: str, *args: Any) -> Any:
        """`script` gets `done` (call it with the result) besides `arguments`."""
        return self.driver.execute_async_script("var done = arguments[arguments.length - 1];\n" + script, *args)

    def referral(self) -> str | None:
        return self.js("return Passaparola.getReferral();")

    def cookie(self) -> dict | None:
        c = self.driver.get_cookie(STORE)
        return c if c and c.get("value") else None

    def cookie_entry(self) -> dict | None:
        c = self.cookie()
        return json.loads(unquote(c["value"])) if c else None

    def local_entry(self) -> dict | None:
        raw = self.js("return localStorage.getItem(arguments[0]);", STORE)
        return json.loads(raw) if raw else None

    def set_entry(self, entry: dict, cookie: bool = True, local: bool = True) -> None:
        """Write the stored referral as the script would (e.g. with timestamps in the past)."""
        self.js(
            """
            var raw = JSON.stringify(arguments[0]);
            if (arguments[1]) document.cookie = arguments[3] + "=" + encodeURIComponent(raw) + "; path=/; max-age=86400";
            if (arguments[2]) localStorage.setItem(arguments[3], raw);
            """,
            entry,
            cookie,
            local,
            STORE,
        )

    def track_requests(self) -> list[str]:
        """The page's calls to /v1/referrals/track since it loaded (resource timing)."""
        return self.js(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
            ".filter(function (n) { return n.indexOf('/v1/referrals/track') >= 0; });"
        )

    def errors(self) -> list[str]:
        return self.js("return window.__pageErrors || [];")

    def text(self, element_id: str) -> str:
        return str(self.js("return document.getElementById(arguments[0]).textContent;", element_id))

    def wait_for(self, fn: Any, timeout: float = 10.0, interval: float = 0.1) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = fn()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s (page {self.url})")
            time.sleep(interval)


@pytest.fixture
def browser(chromium_paths: tuple[str, str]) -> Iterator[Browser]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    binary, chromedriver = chromium_paths
    options = Options()
    options.binary_location = binary
    for flag in HEADLESS_FLAGS:
        options.add_argument(flag)
    options.add_argument("--window-size=1200,900")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(15)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ERROR_TRAP})
        yield Browser(driver)
    finally:
        driver.quit()
