"""Helpers for the console's browser tests (tests/browser/test_console_*.py): sign in, screenshots, axe.

- `sign_in(browser, stack, role)` signs a dev user in through the sign-in form and waits for the menu.
- `screenshot(browser, name)` saves the whole page at 1280 px (desktop) and 390 px (phone) to
  tests/browser/screenshots/<name>-desktop.png and <name>-phone.png (gitignored; CI keeps them as artifacts).
- `axe(browser)` runs the vendored axe-core (tests/browser/vendor/axe.min.js, test-only) on the page and
  returns its serious and critical violations (an empty list is a pass).
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "vendor" / "axe.min.js"
DEV_PASSWORD = "passaparola-dev"
ROLES = ("owner", "marketer", "support")
DESKTOP = (1280, 860)
PHONE = (390, 844)


def email_of(role: str) -> str:
    assert role in ROLES, role
    return f"{role}@example.com"


def console_url(stack: Any, hash_: str = "") -> str:
    return f"{stack.url}/admin" + (f"#{hash_.lstrip('#')}" if hash_ else "")


def wait_css(browser: Any, selector: str, timeout: float = 10.0) -> Any:
    """The first element matching `selector` once it exists (and is displayed)."""
    return browser.wait_for(
        lambda: browser.js(
            "var e = document.querySelector(arguments[0]); return e && e.offsetParent !== null ? e : null;", selector
        ),
        timeout=timeout,
    )


def wait_text(browser: Any, text: str, selector: str = "body", timeout: float = 10.0) -> None:
    browser.wait_for(
        lambda: browser.js(
            "var e = document.querySelector(arguments[0]); return !!e && e.innerText.indexOf(arguments[1]) >= 0;",
            selector,
            text,
        ),
        timeout=timeout,
    )


def set_lang(browser: Any, code: str) -> None:
    """Choose the console's language before it loads (localStorage `passaparola.lang`)."""
    browser.js("localStorage.setItem('passaparola.lang', arguments[0]);", code)


def sign_in(browser: Any, stack: Any, role: str, hash_: str = "", lang: str = "en") -> None:
    """Open the console and sign in as the dev user of `role` through the form; returns once the menu shows."""
    browser.open(console_url(stack, hash_))
    set_lang(browser, lang)
    browser.js("sessionStorage.clear();")
    browser.driver.refresh()
    email = wait_css(browser, "form.signin-form input[name=email]")
    email.send_keys(email_of(role))
    browser.driver.find_element("css selector", "form.signin-form input[name=password]").send_keys(DEV_PASSWORD)
    browser.driver.find_element("css selector", "form.signin-form button[type=submit]").click()
    wait_css(browser, "header.topbar", timeout=20)
    browser.wait_for(lambda: not browser.js("return !!document.querySelector('main .loading');"), timeout=20)


def click(browser: Any, element: Any) -> None:
    """Click like a person who scrolled it into the middle of the screen (clear of the sticky bars)."""
    browser.js("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def menu(browser: Any) -> list[str]:
    """The pages in the menu (their hash names), in order."""
    return list(browser.js("return Array.from(document.querySelectorAll('#nav a')).map(a => a.dataset.page);"))


def go(browser: Any, hash_: str, ready: str | None = None, timeout: float = 15.0) -> None:
    """Navigate inside the console (hash change) and wait for the page's spinner to go (and `ready` to show)."""
    browser.js("location.hash = arguments[0];", hash_)
    browser.wait_for(
        lambda: browser.js(
            "return !document.querySelector('main .loading') && !!document.querySelector('main .page, main .error-panel');"
        ),
        timeout=timeout,
    )
    if ready:
        wait_css(browser, ready, timeout=timeout)


def _capture(browser: Any, width: int, height: int, mobile: bool, path: Path) -> None:
    driver = browser.driver
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
    driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    time.sleep(0.4)  # layout, charts resizing
    full = height
    for _ in range(3):  # the whole page: grow the viewport until its content fits
        measured = int(
            browser.js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);")
        )
        if measured <= full:
            break
        full = min(measured, 8000)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": full})
        time.sleep(0.3)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
    path.write_bytes(base64.b64decode(shot["data"]))


def screenshot(browser: Any, name: str) -> list[Path]:
    """The whole page at desktop (1280 px) and phone (390 px) widths; returns the two files."""
    SCREENSHOTS.mkdir(exist_ok=True)
    out = [SCREENSHOTS / f"{name}-desktop.png", SCREENSHOTS / f"{name}-phone.png"]
    try:
        _capture(browser, *DESKTOP, False, out[0])
        _capture(browser, *PHONE, True, out[1])
    finally:
        browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": False})
        time.sleep(0.2)
    return out


def axe(browser: Any, context: str = "document") -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (WCAG 2.1 A/AA and best practices)."""
    if not browser.js("return !!window.axe;"):
        browser.js(AXE.read_text(encoding="utf-8"))
    result = browser.js_async(
        f"""
        axe.run({context}, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}},
                  resultTypes: ['violations']}})
          .then(function (r) {{ done(r.violations.map(function (v) {{
            return {{id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.slice(0, 5).map(function (n) {{ return n.target.join(' ') + ' :: ' + n.failureSummary; }})}};
          }})); }}, function (e) {{ done([{{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}}]); }});
        """
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def transferred_bytes(browser: Any) -> dict[str, int]:
    """What the page's load moved over the network (compressed): the navigation plus every resource, in bytes."""
    return dict(
        browser.js(
            """
            var nav = performance.getEntriesByType('navigation')[0];
            var res = performance.getEntriesByType('resource');
            var total = (nav ? nav.transferSize : 0), decoded = (nav ? nav.decodedBodySize : 0);
            res.forEach(function (r) { total += r.transferSize; decoded += r.decodedBodySize; });
            return {transferred: total, decoded: decoded, requests: res.length + 1};
            """
        )
    )
