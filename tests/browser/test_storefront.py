"""The storefront script in headless Chromium, as a shopper meets it: a friend's link → the shop → signup → checkout.

The shop is the demo page the local stack serves (/demo, loading /passaparola.js); programs and referral
codes are made with the secret key, and what the script reported is read back with GET /v1/referrals/{code}.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.api import Api, uid

pytestmark = pytest.mark.browser

DAY_MS = 86_400_000
WINDOW_DAYS = 30


@pytest.fixture(scope="module")
def api(stack: Any) -> Api:
    return Api(stack)


def create_program(api: Api, landing_url: str, model: str = "first_touch") -> dict:
    r = api.post(
        "/v1/campaigns",
        json={
            "name": f"browser {uid()}",
            "type": "referral",
            "landing_url": landing_url,
            "shop_name": "Demo shop",
            "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
            "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
            "attribution": {"window_days": WINDOW_DAYS, "model": model},
        },
    )
    assert r.status_code == 201, f"create referral program → {r.status_code} {r.text}"
    return r.json()


@pytest.fixture(scope="module")
def first_touch(api: Api, stack: Any) -> dict:
    return create_program(api, f"{stack.url}/demo")


@pytest.fixture(scope="module")
def last_touch(api: Api, stack: Any) -> dict:
    return create_program(api, f"{stack.url}/demo?model=last_touch", model="last_touch")


def create_referral(api: Api, campaign_id: str, name: str = "Anna") -> dict:
    r = api.post("/v1/referrals", json={"customer_id": uid("cust-"), "campaign_id": campaign_id, "name": name})
    assert r.status_code == 201, f"create referral → {r.status_code} {r.text}"
    return r.json()


def counts(api: Api, code: str) -> dict:
    r = api.get(f"/v1/referrals/{code}")
    assert r.status_code == 200, f"GET /v1/referrals/{code} → {r.status_code} {r.text}"
    return r.json()["counts"]


def wait_counts(api: Api, code: str, timeout: float = 10.0, **expected: int) -> dict:
    """Poll until the referral's counts include `expected` (the script reports asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        got = counts(api, code)
        if all(got.get(k) == v for k, v in expected.items()):
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{code}: counts {got}, expected {expected}")
        time.sleep(0.1)


def follow_link(browser: Any, referral: dict) -> dict[str, list[str]]:
    """Open the shared link like the friend would; returns the landing page's query."""
    browser.open(referral["share_url"])
    query = parse_qs(urlsplit(browser.url).query)
    assert query.get("ref") == [referral["code"]], f"landed on {browser.url}"
    browser.wait_for(lambda: browser.js("return document.readyState") == "complete")
    return query


def sign_up(browser: Any, email: str) -> str:
    """Fill in the demo's signup form (Passaparola.identify) and return what the page shows as the answer."""
    browser.js("document.getElementById('signup-result').textContent = '';")
    browser.driver.find_element("id", "email").clear()
    browser.driver.find_element("id", "email").send_keys(email)
    browser.driver.find_element("id", "signup-submit").click()
    return browser.wait_for(lambda: (t := browser.text("signup-result")) not in ("", "sending...") and t)


def checkout(browser: Any) -> str:
    browser.driver.find_element("id", "checkout").click()
    return browser.text("checkout-ref")


def now_ms(browser: Any) -> int:
    return int(browser.js("return Date.now();"))


# ----------------------------------------------------------------------------------------------- stories
def test_shared_link_to_signup_to_checkout(browser, api, stack, first_touch):
    referral = create_referral(api, first_touch["id"])
    code = referral["code"]
    assert referral["share_url"] == f"{stack.url}/r/{code}"

    # The friend follows the link: the shop's landing page, with ref and the program's utm parameters
    before = int(time.time() * 1000)
    query = follow_link(browser, referral)
    assert urlsplit(browser.url).path == "/demo"
    assert query["utm_source"] == ["referral"] and query["utm_medium"] == ["passaparola"]
    assert query["utm_campaign"] == [first_touch["id"]]

    # The script keeps the code in a first-party cookie and in localStorage
    assert browser.referral() == code
    assert browser.text("banner-ref") == code
    cookie = browser.cookie()
    assert cookie is not None, "no passaparola_ref cookie"
    assert cookie["path"] == "/" and cookie.get("sameSite") == "Lax" and cookie.get("secure") is False
    assert not cookie.get("httpOnly")
    remaining_days = (cookie["expiry"] * 1000 - before) / DAY_MS
    assert WINDOW_DAYS - 0.01 < remaining_days <= WINDOW_DAYS + 0.01, f"cookie lives {remaining_days} days"
    entry = browser.cookie_entry()
    assert entry == browser.local_entry()
    assert entry["code"] == code and entry["first_seen"] == entry["last_seen"]
    assert before - 1000 <= entry["first_seen"] <= now_ms(browser)
    visitor = browser.js("return localStorage.getItem('passaparola_visitor');")
    assert visitor and len(visitor) >= 16 and all(c.isalnum() or c in "_-" for c in visitor)

    # The click (redirect) and the visit (the script) are counted once; a reload is the same visit
    assert wait_counts(api, code, clicks=1, visits=1, signups=0)
    browser.driver.refresh()
    assert browser.referral() == code
    time.sleep(0.5)
    assert browser.track_requests() == [], "a reload in the same session reported the visit again"
    assert counts(api, code)["visits"] == 1

    # Signup: identify ties the email to the referral; doing it again does not count twice
    email = f"{uid('friend-').lower()}@example.com"
    answer = sign_up(browser, email)
    assert code in answer and first_touch["id"] in answer, answer
    assert wait_counts(api, code, signups=1)
    assert code in sign_up(browser, email)
    time.sleep(0.3)
    assert counts(api, code)["signups"] == 1

    # Later, on a page without ref, checkout still passes the code to the shop's backend
    browser.open(f"{stack.url}/demo")
    assert "ref=" not in browser.url
    assert browser.referral() == code
    assert checkout(browser) == code
    assert browser.track_requests() == []

    # Forgetting it (after the order that used it): nothing is passed any more
    browser.driver.find_element("id", "forget").click()
    assert browser.referral() is None and browser.cookie() is None and browser.local_entry() is None
    assert checkout(browser) == "none"
    assert browser.errors() == []


def test_either_store_alone_keeps_the_referral(browser, api, stack, first_touch):
    referral = create_referral(api, first_touch["id"], name="Bea")
    code = referral["code"]
    follow_link(browser, referral)
    entry = browser.local_entry()

    # Cookies cleared: localStorage still has it, and the cookie is written again
    browser.driver.delete_all_cookies()
    browser.open(f"{stack.url}/demo")
    assert browser.referral() == code
    assert browser.cookie_entry() == entry

    # localStorage cleared: the cookie still has it, and localStorage is written again
    browser.js("localStorage.removeItem('passaparola_ref');")
    browser.open(f"{stack.url}/demo")
    assert browser.referral() == code
    assert browser.local_entry() == entry
    assert checkout(browser) == code
    assert browser.errors() == []


def test_first_touch_keeps_the_first_referrer(browser, api, stack, first_touch):
    first = create_referral(api, first_touch["id"], name="Carla")
    second = create_referral(api, first_touch["id"], name="Dario")
    follow_link(browser, first)
    assert wait_counts(api, first["code"], visits=1)

    follow_link(browser, second)
    assert browser.referral() == first["code"]  # the second link does not take over
    assert browser.local_entry()["code"] == first["code"] == browser.cookie_entry()["code"]
    assert wait_counts(api, second["code"], clicks=1, visits=1)  # its landing is still a visit of its link

    email = f"{uid('friend-').lower()}@example.com"
    assert first["code"] in sign_up(browser, email)
    assert wait_counts(api, first["code"], signups=1)
    assert counts(api, second["code"])["signups"] == 0
    browser.open(f"{stack.url}/demo")
    assert checkout(browser) == first["code"]
    assert browser.errors() == []


def test_last_touch_takes_the_latest_referrer(browser, api, stack, last_touch):
    first = create_referral(api, last_touch["id"], name="Elena")
    second = create_referral(api, last_touch["id"], name="Fabio")
    query = follow_link(browser, first)
    assert query["model"] == ["last_touch"]  # the landing URL's own parameters are kept
    assert browser.referral() == first["code"]
    assert wait_counts(api, first["code"], visits=1)

    follow_link(browser, second)
    assert browser.referral() == second["code"]
    entry = browser.local_entry()
    assert entry["code"] == second["code"] and entry == browser.cookie_entry()
    assert wait_counts(api, second["code"], visits=1)

    email = f"{uid('friend-').lower()}@example.com"
    assert second["code"] in sign_up(browser, email)
    assert wait_counts(api, second["code"], signups=1)
    assert counts(api, first["code"])["signups"] == 0
    browser.open(f"{stack.url}/demo?model=last_touch")
    assert checkout(browser) == second["code"]
    assert browser.errors() == []


def test_expired_entries_are_dropped(browser, stack):
    # No server needed: the entries are written as the script would have, with timestamps in the past
    code = "EXPIRY-" + uid()[:6]
    browser.open(f"{stack.url}/demo")
    now = now_ms(browser)

    # first touch: the window runs from the first touch, however recent the last one
    browser.set_entry({"code": code, "first_seen": now - 31 * DAY_MS, "last_seen": now - DAY_MS})
    browser.open(f"{stack.url}/demo")
    assert browser.referral() is None
    assert browser.cookie() is None and browser.local_entry() is None, "the expired entry was not dropped"
    assert checkout(browser) == "none"

    browser.set_entry({"code": code, "first_seen": now - 29 * DAY_MS, "last_seen": now - 29 * DAY_MS})
    browser.open(f"{stack.url}/demo")
    assert browser.referral() == code

    # last touch: the window runs from the last touch
    browser.set_entry({"code": code, "first_seen": now - 40 * DAY_MS, "last_seen": now - DAY_MS})
    browser.open(f"{stack.url}/demo?model=last_touch")
    assert browser.referral() == code
    browser.set_entry({"code": code, "first_seen": now - 40 * DAY_MS, "last_seen": now - 31 * DAY_MS})
    browser.open(f"{stack.url}/demo?model=last_touch")
    assert browser.referral() is None and browser.cookie() is None and browser.local_entry() is None

    # only one store holding an expired entry: dropped too
    browser.set_entry({"code": code, "first_seen": now - 31 * DAY_MS, "last_seen": now - 31 * DAY_MS}, cookie=False)
    browser.open(f"{stack.url}/demo")
    assert browser.referral() is None and browser.local_entry() is None
    assert browser.errors() == []


def test_unknown_code_is_harmless(browser, api, stack):
    code = "NOPE-" + uid()[:8]
    browser.open(f"{stack.url}/demo?ref={code.lower()}")
    assert browser.errors() == []
    # reported (404 not_found), then forgotten so checkout never passes it on
    browser.wait_for(lambda: browser.referral() is None)
    assert browser.cookie() is None and browser.local_entry() is None
    assert len(browser.track_requests()) == 1
    assert checkout(browser) == "none"
    assert sign_up(browser, "someone@example.com") == "no referral recorded"
    assert api.get(f"/v1/referrals/{code}").status_code == 404  # nothing stored server-side
    assert browser.errors() == []

    # garbage in the ref parameter is not even stored or sent
    browser.open(f"{stack.url}/demo?ref=%3Cscript%3E")
    assert browser.referral() is None and browser.track_requests() == []
    assert browser.errors() == []


def test_disabled_program_refuses_tracking_without_breaking_the_page(browser, api, stack):
    program = create_program(api, f"{stack.url}/demo")
    referral = create_referral(api, program["id"], name="Gina")
    follow_link(browser, referral)
    assert wait_counts(api, referral["code"], visits=1)
    r = api.post(f"/v1/campaigns/{program['id']}/disable", json={})
    assert r.status_code == 200, r.text
    # the switch-off reaches the tracking path within seconds (programs are cached briefly on hot paths)
    probe = {"type": "visit", "ref": referral["code"], "visitor_id": "probe"}
    browser.wait_for(lambda: api.post("/v1/referrals/track", json=probe, key="publishable").status_code == 422, 15, 0.5)

    assert sign_up(browser, f"{uid('friend-').lower()}@example.com") == "no referral recorded"  # 422
    assert counts(api, referral["code"])["signups"] == 0
    assert browser.referral() == referral["code"]  # kept: the program may be switched on again
    assert browser.errors() == []


def test_cross_origin_storefront(browser, api, stack, first_touch):
    """The shop's pages on one origin, the API on another: CORS preflight with X-Publishable-Key."""
    referral = create_referral(api, first_touch["id"], name="Hugo")
    code = referral["code"]
    port = urlsplit(stack.url).port
    shop = f"http://localhost:{port}"
    api_url = f"http://127.0.0.1:{port}"
    assert stack.url == api_url

    browser.open(f"{shop}/demo?ref={code}")  # the tag reports to its own origin (localhost)
    assert wait_counts(api, code, visits=1)
    browser.js("Passaparola.init({api: arguments[0]});", api_url)  # from now on: the other origin

    answer = browser.js_async(
        "Passaparola.identify({email: arguments[0], customerId: 'cust-x'}).then(done, function (e) { done('rejected ' + e); });",
        f"{uid('friend-').lower()}@example.com",
    )
    assert answer and answer.get("ref") == code, f"cross-origin signup: {answer!r}"
    assert wait_counts(api, code, signups=1)

    # a visit reported cross-origin (keepalive fetch with a preflight)
    browser.js("sessionStorage.clear(); Passaparola.init({});")
    assert wait_counts(api, code, visits=2)
    assert browser.errors() == []
