"""The owner's side of a customer's page and the segments' export: erasure behind a typed confirmation, and a
segment's members saved as CSV from the browser."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console import go, sign_in
from tests.browser.console_actions import click, click_text, el, fill, page_errors, wait_css, wait_text
from tests.browser.console_seed import Shop

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(stack: Any) -> Shop:
    return Shop.of(stack)


def test_the_owner_erases_a_customer_after_typing_their_id(browser, stack, shop):
    person = shop.customer("Lucía Fernández", "ES", "es")
    sign_in(browser, stack, "owner", hash_=f"#/customers/{person['id']}")
    wait_text(browser, person["email"], "main")
    erase = wait_css(browser, ".danger-zone button[type=submit]")
    assert erase.get_attribute("disabled") is not None, "no erasure before the id is typed"
    fill(browser, "input[name=confirm_id]", person["id"][:-1])
    assert erase.get_attribute("disabled") is not None
    el(browser, "input[name=confirm_id]").send_keys(person["id"][-1])
    assert erase.get_attribute("disabled") is None
    erase.click()
    wait_text(browser, "Customer erased.", ".toasts")
    wait_text(browser, "erased", "main .badges")
    customer = shop.api.customer(person["id"])
    assert customer["erased"] is True and customer["email"] is None, customer
    assert page_errors(browser) == []


def test_a_marketer_exports_a_segments_members_as_csv(browser, stack, shop, tmp_path: Path):
    people = [shop.customer("Giulia Bianchi", "IT", "it"), shop.customer("Andrei Popescu", "RO", "ro")]
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    sign_in(browser, stack, "marketer")
    go(browser, "#/segments/new_customers", ready="main table")
    click_text(browser, "Export members (CSV)")
    wait_text(browser, "members exported.", ".toasts")
    saved = tmp_path / "segment-new_customers.csv"
    deadline = time.monotonic() + 10
    while not saved.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "customer_id,entered_at"
    exported = {line.split(",")[0] for line in lines[1:]}
    assert {p["id"] for p in people} <= exported
    wait_css(browser, "main .chart-box .chart")
    today = browser.js(
        "var rows = document.querySelectorAll('main .chart-box .sr-only tr');"
        "return rows[rows.length - 1].lastChild.textContent;"
    )
    assert int(today) >= len(people)  # the size over time ends at today's count (GET /v1/segments/sizes)
    click(browser, "main a[href='#/segments']")
    wait_css(browser, "main .chart-box")
    assert page_errors(browser) == []


@pytest.mark.parametrize(
    ("lang", "said", "heading"),
    [
        ("de", "Mindestens eine ihrer Empfehlungen führte zu einer Bestellung.", "Segmente"),
        ("ro", "Înscriși în ultimele 30 de zile, cu cel mult o comandă.", "Segmente"),
        ("en", "At least one of their referrals became an order.", "Segments"),
    ],
)
def test_the_built_in_segments_are_described_in_the_users_language(browser, stack, lang, said, heading):
    sign_in(browser, stack, "marketer", lang=lang)
    go(browser, "#/segments", ready="main table")
    wait_text(browser, heading, "main h1")
    text = browser.js("return document.querySelector('main').innerText;")
    assert said in text, text
    assert "At least one of their referrals converted." not in text  # the API's wording, with setting names
    assert page_errors(browser) == []


def test_the_segment_descriptions_follow_the_shops_own_thresholds(browser, stack, shop):
    # Given a shop that counts customers as new for 60 days and top referrers from 12 conversions
    before = shop.api.get("/v1/engagement").json()
    changed = shop.api.request("PUT", "/v1/engagement", json=before | {"new_customer_days": 60, "top_referrer_min": 12})
    assert changed.status_code == 200, changed.text
    try:
        # Then the console says so, in Italian, on the list and on the segment's page
        sign_in(browser, stack, "marketer", lang="it")
        go(browser, "#/segments", ready="main table")
        wait_text(browser, "Iscritti negli ultimi 60 giorni, con al massimo un ordine.", "main")
        assert "Almeno 12 inviti convertiti." in browser.js("return document.querySelector('main').innerText;")
        go(browser, "#/segments/new_customers", ready="main table")
        wait_text(browser, "Iscritti negli ultimi 60 giorni", "main")
        assert page_errors(browser) == []
    finally:
        assert shop.api.request("PUT", "/v1/engagement", json=before).status_code == 200
