"""Helpers for the rewards panel's browser tests (tests/browser/test_panel.py): seed data, reach into the shadow root.

- `loyalty_program(api)` makes the shop's one loyalty program the panel tests expect (created, or PATCHed into
  shape when another test made it first); `member(api, points)` a member with that many points;
  `referral_program(api, stack)` a referral program landing on the sample shop.
- `shop(browser, stack, customer=None, lang=None, hash_="")` opens /shop (signed in as `customer`: the stack mints
  the token) and waits for the launcher.
- `pp(browser, selector)` / `pp_all` query inside the panel's shadow root; `pp_text(browser, selector)`;
  `wait_pp(browser, selector)` waits until it exists and is displayed; `focused(browser)` describes the focused
  element inside the shadow root (or None when focus left it).
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import requests

from tests.browser.console import AXE, SCREENSHOTS
from tests.integration.api import Api, uid

ROOT = "document.querySelector('passaparola-panel').shadowRoot"

PROGRAM = {
    "earning_rules": [
        {"event": "order_paid", "points_per_unit": 1, "unit_amount": 100},
        {"event": "signup", "points": 100},
        {"event": "review", "points": 50},
    ],
    "pending_days": 0,
    "display": {"brand_color": "#7a3b1d", "launcher_text": {"en": "Bottega Club"}},
    "tiers": [
        {"name": "Bronze", "min_points": 0},
        {"name": "Silver", "min_points": 500, "multiplier": 1.25},
        {"name": "Gold", "min_points": 1500, "multiplier": 1.5},
    ],
    "rewards": [
        {
            "id": "five-off",
            "name": "5 EUR off",
            "cost": 200,
            "reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
        },
        {
            "id": "twenty-off",
            "name": "20 EUR off",
            "cost": 5000,
            "reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 2000}, "currency": "EUR"},
        },
    ],
}


def loyalty_program(api: Api) -> dict:
    """The shop's loyalty program with the panel tests' rules, tiers and catalogue."""
    r = api.post("/v1/campaigns", json={"name": "Club", "type": "loyalty", **PROGRAM})
    if r.status_code == 201:
        return r.json()
    assert r.status_code == 409 and r.json()["error"]["code"] == "loyalty_program_exists", r.text
    campaign_id = r.json()["error"]["details"]["campaign_id"]
    r = api.patch(f"/v1/campaigns/{campaign_id}", json=PROGRAM)
    assert r.status_code == 200, f"PATCH loyalty program → {r.status_code} {r.text}"
    if r.json().get("status") != "active":
        api.post(f"/v1/campaigns/{campaign_id}/enable", json={})
    return r.json()


def member(api: Api, points: int) -> str:
    """A new customer holding `points` (an adjustment enrolls them; the points count toward the tier)."""
    customer_id = uid("shopper-")
    r = api.request(
        "PUT", f"/v1/customers/{customer_id}", json={"email": f"{customer_id.lower()}@example.com", "name": "Marta"}
    )
    assert r.status_code in (200, 201), f"PUT customer → {r.status_code} {r.text}"
    r = api.post(
        f"/v1/customers/{customer_id}/points/adjustments",
        json={"points": points, "reason": "panel test"},
        idempotency_key=uid("adj-"),
    )
    assert r.status_code == 201, f"adjustment → {r.status_code} {r.text}"
    return customer_id


def referral_program(api: Api, stack: Any) -> dict:
    r = api.post(
        "/v1/campaigns",
        json={
            "name": f"panel {uid()}",
            "type": "referral",
            "landing_url": f"{stack.url}/shop",
            "shop_name": "Bottega Passaparola",
            "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
            "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
            "attribution": {"window_days": 30, "model": "first_touch"},
        },
    )
    assert r.status_code == 201, f"create referral program → {r.status_code} {r.text}"
    return r.json()


def shop(browser: Any, stack: Any, customer: str | None = None, lang: str | None = None, hash_: str = "") -> None:
    query = "&".join(f"{k}={v}" for k, v in (("customer", customer), ("lang", lang)) if v)
    browser.open(f"{stack.url}/shop" + (f"?{query}" if query else "") + hash_)
    wait_pp(browser, "[data-pp=launcher]")


def pp(browser: Any, selector: str) -> Any:
    return browser.js(f"var r = {ROOT}; return r && r.querySelector(arguments[0]);", selector)


def pp_all(browser: Any, selector: str) -> list[Any]:
    return list(browser.js(f"var r = {ROOT}; return r ? Array.from(r.querySelectorAll(arguments[0])) : [];", selector))


def pp_text(browser: Any, selector: str) -> str:
    return str(browser.js(f"var e = {ROOT}.querySelector(arguments[0]); return e ? e.innerText : '';", selector))


def browser_text(browser: Any, selector: str) -> str:
    """textContent (not innerText: a visually hidden live region has no rendered text)."""
    return str(browser.js(f"var e = {ROOT}.querySelector(arguments[0]); return e ? e.textContent : '';", selector))


def pp_attr(browser: Any, selector: str, name: str) -> str | None:
    """An attribute read in one go (a WebElement may go stale: the panel redraws when data arrives)."""
    return browser.js(
        f"var e = {ROOT}.querySelector(arguments[0]); return e && e.getAttribute(arguments[1]);", selector, name
    )


def wait_pp(browser: Any, selector: str, timeout: float = 20.0) -> Any:
    """The element once it exists inside the shadow root and takes space on the page."""
    return browser.wait_for(
        lambda: browser.js(
            "var h = document.querySelector('passaparola-panel'); var e = h && h.shadowRoot.querySelector(arguments[0]);"
            "return e && e.getClientRects().length ? e : null;",
            selector,
        ),
        timeout=timeout,
    )


def wait_pp_text(browser: Any, selector: str, text: str, timeout: float = 20.0) -> None:
    browser.wait_for(lambda: text in pp_text(browser, selector), timeout=timeout)


def is_open(browser: Any) -> bool:
    return bool(browser.js(f"var p = {ROOT}.querySelector('[data-pp=panel]'); return !!p && !p.hidden;"))


def focused(browser: Any) -> str | None:
    """The element focused inside the shadow root ('button#…', with its data-pp hooks), or None outside it."""
    return browser.js(
        """
        var host = document.querySelector('passaparola-panel');
        if (document.activeElement !== host) return null;
        var e = host.shadowRoot.activeElement;
        if (!e) return null;
        var inPanel = !!e.closest('[data-pp=panel]');
        return (inPanel ? 'panel ' : 'outside ') + e.tagName.toLowerCase() + ' ' + (e.getAttribute('data-pp') || '') +
               ' ' + (e.getAttribute('aria-label') || e.textContent.slice(0, 30));
        """
    )


def press(browser: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser.driver).send_keys(*keys).perform()
    time.sleep(0.05)


def record_clipboard(browser: Any) -> None:
    """Keep what the page writes to the clipboard in window.__copied (headless Chromium has no clipboard to read)."""
    browser.js(
        """
        window.__copied = [];
        var write = function (text) { window.__copied.push(text); return Promise.resolve(); };
        try { Object.defineProperty(navigator, 'clipboard', {value: {writeText: write}, configurable: true}); }
        catch (e) { navigator.clipboard.writeText = write; }
        """
    )


def copied(browser: Any) -> list[str]:
    return list(browser.js("return window.__copied || [];"))


def mailbox(stack: Any, to: str) -> list[dict]:
    """What the local stack's SES/SNS delivered to `to`, newest first (GET /local/mailbox)."""
    r = requests.get(
        f"{stack.url}/local/mailbox",
        params={"to": to},
        headers={"Authorization": f"Bearer {stack.secret_key}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return list(r.json()["messages"])


def use_viewport(browser: Any, viewport: str) -> None:
    """`desktop` (1280 × 860) or `phone` (390 × 844, touch, mobile), for the rest of the test."""
    width, height, mobile = (390, 844, True) if viewport == "phone" else (1280, 860, False)
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def snap(browser: Any, name: str) -> Path:
    """What the shopper sees now (the viewport) → tests/browser/screenshots/panel-<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    time.sleep(0.3)  # layout settles
    shot = browser.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    path = SCREENSHOTS / f"panel-{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def axe_panel(browser: Any) -> tuple[list[dict[str, Any]], int]:
    """axe-core on the panel (its host and open shadow root, which axe enters by default): the serious and
    critical violations, and how many checks inside the shadow root passed (proof that axe looked in)."""
    if not browser.js("return !!window.axe;"):
        browser.js(AXE.read_text(encoding="utf-8"))
    result = browser.js_async(
        """
        axe.run({include: [['passaparola-panel']]},
                {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
          .then(function (r) {
            var inside = 0;
            r.passes.forEach(function (p) { p.nodes.forEach(function (n) { if (Array.isArray(n.target[0])) inside++; }); });
            done({inside: inside, violations: r.violations.map(function (v) {
              return {id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 5).map(function (n) { return JSON.stringify(n.target) + ' :: ' + n.failureSummary; })};
            })});
          }, function (e) { done({inside: 0, violations: [{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]}); });
        """
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return serious, int(result["inside"])


def requested_origins(browser: Any) -> set[str]:
    """The origins of everything the page fetched (resource timing), the page's own navigation included."""
    return set(
        browser.js(
            "return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
            ".map(function (e) { return new URL(e.name).origin; });"
        )
    )
