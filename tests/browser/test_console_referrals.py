"""The referral reports and the review queue: a marketer reads the two funnels, the ROI and the variants compared
for a period, and approves a conversion the fraud rules flagged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from passaparola.ids import weighted_choice
from tests.browser.console import axe, screenshot, sign_in
from tests.browser.console_actions import confirm, main_text, page_errors, wait_css, wait_text
from tests.browser.console_seed import Shop, uid

pytestmark = pytest.mark.browser


CACHE_SECONDS = 5.5
"""Function containers cache the loyalty program for 5 s (tests/integration/referrals/conftest.py)."""


@pytest.fixture
def shop(stack: Any) -> Shop:
    return Shop.of(stack)


@pytest.fixture
def valued_points(shop: Shop) -> Iterator[float]:
    """Points worth 1.00 EUR per 100 while the test runs (the ROI shows it); yields the moment every container sees it."""
    shop.point_value({"points": 100, "amount": 100, "currency": "EUR"})
    try:
        yield time.monotonic() + CACHE_SECONDS
    finally:
        shop.point_value(None)


def referrer_in(program: dict, variant: str) -> str:
    """A new referrer id the program assigns to `variant` (assignment is a hash of the program and the referrer)."""
    weights = [(v["name"], v.get("weight", 1)) for v in program["variants"]]
    for _ in range(1000):
        candidate = uid("ref-").lower()
        if weighted_choice(f"{program['id']}\n{candidate}", weights) == variant:
            return candidate
    raise AssertionError(f"no referrer id lands in {variant}")


def compared(browser: Any) -> list[str]:
    """The rows of the variants compared (the last card's table)."""
    return browser.js(
        "const cards = document.querySelectorAll('main section.card');"
        "return [...cards[cards.length - 1].querySelectorAll('tbody tr')].map((tr) =>"
        " [...tr.cells].map((c) => c.innerText.trim()).join('|'));"
    )


def funnel_rows(browser: Any) -> list[str]:
    """Each step as shown (a screen reader also hears the rate's meaning: left out here)."""
    return browser.js(
        "return [...document.querySelectorAll('main .funnel li')].map((li) => {"
        " const copy = li.cloneNode(true); copy.querySelectorAll('.sr-only').forEach((e) => e.remove());"
        " return [...copy.children].map((c) => c.textContent.trim()).filter(Boolean).join(' '); });"
    )


def test_the_review_queue_approves_a_flagged_conversion(browser, stack, shop, valued_points):
    program = shop.referral_program(variants=[{"name": "a"}, {"name": "b"}])
    giulia = shop.referrals(program, "Giulia", friends=2, customer_id=referrer_in(program, "a"))
    flagged = shop.flagged(program, customer_id=referrer_in(program, "b"))
    funnel = shop.rf.report("funnel", campaign_id=program["id"])
    # Giulia and Marco shared; Giulia's two friends converted, Marco's friend is held for review (not a step)
    assert funnel["totals"]["referrers"] | {"rates": None} == {
        "shared": 2,
        "clicked": 1,
        "brought": 1,
        "rewarded": 0,
        "rates": None,
    }, funnel["totals"]
    assert funnel["totals"]["friends"]["conversions"] == 2, funnel["totals"]

    time.sleep(max(0.0, valued_points - time.monotonic()))  # the seeding took part of the containers' cache time
    sign_in(browser, stack, "marketer", hash_=f"#/referrals?campaign={program['id']}")
    wait_text(browser, flagged["friend"], "main")
    wait_text(browser, giulia["code"], "main")
    wait_text(browser, "Variants compared", "main")
    # the period is the API's default (the last 30 days), shown in the fields
    assert browser.js("return document.querySelector('input[name=from]').value;") == funnel["from"]
    assert browser.js("return document.querySelector('input[name=to]').value;") == funnel["to"]
    # the two funnels, each step with its share of the step before
    rows = funnel_rows(browser)
    assert rows[:4] == ["Shared a link 2", "Link clicked 1 50%", "Brought a friend 1 100%", "Rewarded 0 0%"], rows
    assert len(rows) == 9 and rows[7].startswith("Conversions 2"), rows
    assert "Share of the step before: 50%" in browser.js("return document.querySelector('main .funnel').textContent;")
    text = main_text(browser)
    # the ROI: formula, the value of points, every input in words
    assert "ROI = (avg_ltv × (1 + k) × customers − cost) / cost" in text
    assert "100 points = €1.00" in text
    for label in ("Revenue of referred customers", "Points cost (points × value of points)", "Coupons outstanding now"):
        assert label in text, label
    assert "SIGNIFICANT" in text.upper() and "P-VALUE" in text.upper()
    # variant b: nobody clicked yet (its only friend is held), so no test against a
    assert compared(browser)[1].startswith("b|0|0|—|"), compared(browser)

    # another period reloads the reports: nothing was shared in January 2020, then back to the last 30 days
    def period(start: str, end: str) -> None:
        browser.js(
            "const [f, t] = ['from', 'to'].map((n) => document.querySelector(`input[name=${n}]`));"
            "f.value = arguments[0]; t.value = arguments[1]; t.dispatchEvent(new Event('change'));",
            start,
            end,
        )

    period("2020-01-01", "2020-01-31")
    browser.wait_for(lambda: funnel_rows(browser)[0] == "Shared a link 0")
    period(funnel["from"], funnel["to"])
    browser.wait_for(lambda: funnel_rows(browser)[0] == "Shared a link 2")

    # approve the flagged conversion, confirmed
    button = wait_css(browser, f"button[aria-label='Approve {flagged['id']}']")
    button.click()
    confirm(browser)
    wait_text(browser, "Conversion approved.", ".toasts")
    browser.wait_for(lambda: flagged["friend"] not in main_text(browser))
    converted = shop.rf.conversions(status="converted", campaign_id=program["id"])
    [conversion] = [c for c in converted if c["id"] == flagged["id"]]
    assert conversion["status"] == "converted", conversion
    # the reports reload: Marco's friend is now a step of both funnels, and Marco is on the leaderboard
    browser.wait_for(lambda: funnel_rows(browser)[1:3] == ["Link clicked 2 100%", "Brought a friend 2 100%"])
    wait_text(browser, "Marco", "main .grid table")
    # b converts its one friend as a does: the same rate, p = 1, not significant, no winner
    assert compared(browser)[0].startswith("a (control)|2|2|100%|"), compared(browser)
    assert compared(browser)[1].startswith("b|1|1|100%|") and compared(browser)[1].endswith("|1|No|—"), compared(
        browser
    )

    assert axe(browser) == []
    screenshot(browser, "referrals")
    assert page_errors(browser) == []

    # in Italian: the same reports, every label translated
    sign_in(browser, stack, "marketer", hash_=f"#/referrals?campaign={program['id']}", lang="it")
    wait_text(browser, "Varianti a confronto", "main")
    text = main_text(browser)
    for label in ("Ha condiviso un link", "Costo dei punti (punti × valore dei punti)", "100 punti = 1,00\xa0€", "Dal"):
        assert label in text, label
    assert "Shared a link" not in text and "Variants compared" not in text
    # the ten columns of the variants compared fit the card at desktop width: the last (the winner) is not cut off
    assert browser.js(
        "const wrap = document.querySelector('main .table-wrap.wide'); return wrap.scrollWidth <= wrap.clientWidth;"
    )
    assert axe(browser) == []
    screenshot(browser, "it-referrals")
    assert page_errors(browser) == []
