"""The Campaigns pages in headless Chromium: the one-click switch (and the checkout refusing a disabled
campaign), a discount built in the editor's form that then validates a cart, the API's errors at their fields,
the JSON view, each type's editor (accessibility and screenshots)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.console import axe, click, go, screenshot, sign_in, wait_css, wait_text
from tests.integration.api import Api, order, uid, unique_code

pytestmark = pytest.mark.browser


@pytest.fixture
def api(stack: Any) -> Api:
    return Api(stack)


def validate(api: Api, code: str, amount: int = 5000) -> Any:
    """The storefront's check (publishable key): 200 with `valid`, and `error.code` when it is not."""
    body = {"code": code, "customer_id": "cus_console_test", "order": order(amount)}
    return api.post("/v1/coupons/validate", json=body, key="publishable")


def fill(browser: Any, name: str, value: str) -> None:
    """Type into the editor's control for the API field `name` (what a person does)."""
    el = wait_css(browser, f'form#campaign-form [name="{name}"]')
    el.clear()
    el.send_keys(value)


def choose(browser: Any, name: str, value: str) -> None:
    browser.js(
        "var s = document.querySelector('form#campaign-form [name=\"' + arguments[0] + '\"]');"
        "s.value = arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true}));",
        name,
        value,
    )


def save(browser: Any) -> None:
    click(browser, browser.driver.find_element("css selector", ".editor-actions button[type=submit]"))


def test_the_switch_turns_a_campaign_off_and_checkout_refuses_it(browser, stack, api):
    campaign = api.create_campaign(name=f"Switch me {uid()}")
    code = api.create_code(campaign["id"])
    assert validate(api, code).json()["valid"] is True
    sign_in(browser, stack, "marketer", "#/campaigns")
    go(browser, "#/campaigns", ready=f'[role=switch][data-campaign="{campaign["id"]}"]')
    switch = wait_css(browser, f'[role=switch][data-campaign="{campaign["id"]}"]')
    assert switch.get_attribute("aria-checked") == "true"
    click(browser, switch)
    wait_text(browser, "is off", ".toasts")
    browser.wait_for(lambda: switch.get_attribute("aria-checked") == "false" and switch.is_enabled())
    r = validate(api, code)
    assert r.json()["valid"] is False and r.json()["error"]["code"] == "campaign_disabled", r.text
    assert api.campaign(campaign["id"])["enabled"] is False
    click(browser, switch)  # and back on
    browser.wait_for(lambda: switch.get_attribute("aria-checked") == "true" and switch.is_enabled())
    assert validate(api, code).json()["valid"] is True
    assert axe(browser) == []
    screenshot(browser, "console-campaigns")
    assert browser.errors() == []


def test_a_discount_built_in_the_form_validates_a_cart(browser, stack, api):
    code = unique_code("FORM")
    name = f"Five off {uid()}"
    sign_in(browser, stack, "marketer", "#/campaigns/new")
    go(browser, "#/campaigns/new", ready=".type-card")
    screenshot(browser, "console-campaign-new")
    browser.driver.find_element("css selector", 'a.type-card[href$="type=discount"]').click()
    wait_css(browser, 'form#campaign-form [name="name"]')
    fill(browser, "name", name)
    choose(browser, "discount.type", "amount")
    fill(browser, "discount.amount_off", "5")
    choose(browser, "rules.currency", "EUR")
    fill(browser, "rules.min_order_amount", "30")
    browser.driver.find_element("css selector", 'form#campaign-form [name="rules.new_customers_only"]').is_selected()
    fill(browser, "rules.max_redemptions_per_customer", "1")
    fill(browser, "code", code.lower())
    wait_text(browser, "€5.00 off", ".editor-preview")  # the live preview of the coupon
    wait_text(browser, "On orders of €30.00 or more", ".editor-preview")
    wait_text(browser, "Once per customer", ".editor-preview")
    assert axe(browser) == []
    screenshot(browser, "console-editor-discount")
    save(browser)
    browser.wait_for(lambda: "/campaigns/cmp_" in browser.url, timeout=15)
    wait_text(browser, "was created", ".toasts")
    campaign_id = browser.url.rsplit("/", 1)[1]
    saved = api.campaign(campaign_id)
    assert saved["discount"] == {"type": "amount", "amount_off": 500}
    assert saved["rules"]["currency"] == "EUR" and saved["rules"]["min_order_amount"] == 3000
    ok = validate(api, code, 4000)
    assert ok.status_code == 200 and ok.json()["valid"] is True, ok.text
    assert ok.json()["discount_amount"] == 500, ok.json()
    low = validate(api, code, 2000)
    assert low.json()["valid"] is False and low.json()["error"]["code"] == "order_below_minimum", low.text


def test_the_api_errors_show_at_their_fields(browser, stack):
    sign_in(browser, stack, "marketer", "#/campaigns/new?type=discount")
    go(browser, "#/campaigns/new?type=discount", ready='form#campaign-form [name="name"]')
    fill(browser, "name", "Too generous")
    fill(browser, "discount.percent_off", "150")
    browser.js("document.querySelector('details.more summary') && null;")
    fill(browser, "rules.starts_at", "01022027\t1000AM")
    fill(browser, "rules.expires_at", "01012027\t1000AM")
    save(browser)
    percent = wait_css(browser, '[name="discount.percent_off"][aria-invalid="true"]')
    error = browser.js("return document.getElementById(arguments[0].id + '-error').textContent;", percent)
    assert error.strip() == "At most 100."  # the API's sentence, in the console's words
    assert percent.get_attribute("aria-describedby").startswith(percent.get_attribute("id") + "-error")
    assert browser.js("return document.activeElement.name;") == "discount.percent_off"  # the first error has the focus
    ends = wait_css(browser, '[name="rules.expires_at"][aria-invalid="true"]')
    assert "“Ends” must be after “Starts”" in browser.js(
        "return document.getElementById(arguments[0].id + '-error').textContent;", ends
    )
    assert axe(browser) == []
    screenshot(browser, "console-editor-errors")
    fill(browser, "discount.percent_off", "15")  # fixed: the errors go at the next save
    fill(browser, "rules.expires_at", "01012028\t1000AM")
    save(browser)
    browser.wait_for(lambda: "/campaigns/cmp_" in browser.url, timeout=15)


def test_the_json_view_edits_the_same_campaign_with_the_same_validation(browser, stack, api):
    campaign = api.create_campaign(name=f"JSON {uid()}")
    sign_in(browser, stack, "owner", f"#/campaigns/{campaign['id']}")
    go(browser, f"#/campaigns/{campaign['id']}", ready='form#campaign-form [name="name"]')
    click(browser, browser.driver.find_element("css selector", "#tab-json"))
    area = wait_css(browser, "textarea#json-input")
    text = browser.js("return arguments[0].value;", area)
    assert '"percent_off": 10' in text
    browser.js("arguments[0].value = arguments[0].value.replace('\"percent_off\": 10', '\"percent_off\": 0');", area)
    save(browser)
    wait_text(browser, "percent_off", "#json-input-error")
    assert area.get_attribute("aria-invalid") == "true"
    screenshot(browser, "console-editor-json")
    browser.js(
        "arguments[0].value = arguments[0].value.replace('\"percent_off\": 0', '\"percent_off\": 25')"
        ".replace(arguments[1], 'Renamed in JSON');",
        area,
        campaign["name"],
    )
    save(browser)
    wait_text(browser, "was saved", ".toasts")
    saved = api.campaign(campaign["id"])
    assert saved["name"] == "Renamed in JSON" and saved["discount"]["percent_off"] == 25
    click(browser, browser.driver.find_element("css selector", "#tab-form"))  # back to the form, same draft
    assert wait_css(browser, 'form#campaign-form [name="discount.percent_off"]').get_attribute("value") == "25"


def test_an_edit_sends_only_what_changed(browser, stack, api):
    campaign = api.create_campaign(
        name=f"Patch {uid()}", rules={"currency": "EUR", "max_redemptions_per_customer": 2, "min_order_amount": 1000}
    )
    sign_in(browser, stack, "marketer", f"#/campaigns/{campaign['id']}")
    go(browser, f"#/campaigns/{campaign['id']}", ready='form#campaign-form [name="rules.max_redemptions_per_customer"]')
    fill(browser, "rules.max_redemptions_per_customer", "")  # cleared: null in the merge patch
    wait_css(browser, 'form#campaign-form [name="rules.max_redemptions_per_customer"]').send_keys(" ")
    browser.js(
        "var e = document.querySelector('[name=\"rules.max_redemptions_per_customer\"]'); e.value = '';"
        "e.dispatchEvent(new Event('input', {bubbles: true}));"
    )
    save(browser)
    wait_text(browser, "was saved", ".toasts")
    saved = api.campaign(campaign["id"])
    assert saved["rules"].get("max_redemptions_per_customer") is None
    assert saved["rules"]["min_order_amount"] == 1000 and saved["version"] == campaign["version"] + 1


@pytest.mark.parametrize("kind", ["referral", "loyalty", "reengagement"])
def test_each_type_has_its_form_and_preview(browser, stack, kind):
    sign_in(browser, stack, "owner", f"#/campaigns/new?type={kind}")
    go(browser, f"#/campaigns/new?type={kind}", ready='form#campaign-form [name="name"]')
    fill(browser, "name", f"A {kind} campaign")
    if kind == "referral":
        fill(browser, "share.social_text", "Use {{ link }} for {{ referee_reward }} at {{ shop }}")
        fill(browser, "shop_name", "Bottega Rossi")
        wait_text(browser, "Use https://shop.example.com/r/GIULIA-7K2 for 10% off at Bottega Rossi", ".editor-preview")
        click(browser, browser.driver.find_element("css selector", "fieldset.section:nth-of-type(6) button.secondary"))
        browser.js(  # the same share texts for an Italian customer: the defaults translated, the shop's own as written
            "var s = document.getElementById('preview-share-locale'); s.value = 'it';"
            "s.dispatchEvent(new Event('change'));"
        )
        wait_text(browser, "Giulia ti invita da Bottega Rossi", ".editor-preview")
        wait_text(
            browser, "Use https://shop.example.com/r/GIULIA-7K2 for 10% di sconto at Bottega Rossi", ".editor-preview"
        )
        wait_css(browser, '[name="variants.0.name"]')
    if kind == "loyalty":
        wait_text(browser, "points for every €1.00 spent", ".editor-preview")
        assert "null" not in browser.js("return document.querySelector('.editor-preview').innerText;")
    if kind == "reengagement":
        fill(browser, "messages.email.en.subject", "We miss you, {{ customer.first_name }}")
        fill(browser, "messages.email.en.body", "<p>Come back, {{ customer.first_name }}!</p>")
        wait_text(browser, "We miss you, Anna", ".editor-preview")
        frame = browser.wait_for(  # the subject's preview can land before the body's (one request per edit)
            lambda: browser.js(
                "var f = document.querySelector('.editor-preview iframe.mail-frame');"
                "return f && (f.getAttribute('srcdoc') || '').indexOf('Come back, Anna!') >= 0 ? f : null;"
            ),
            timeout=10,
        )
        assert frame.get_attribute("sandbox") == ""
    assert axe(browser) == []
    screenshot(browser, f"console-editor-{kind}")
    assert browser.errors() == []


def test_a_referral_program_built_in_the_form_is_saved(browser, stack, api):
    sign_in(browser, stack, "marketer", "#/campaigns/new?type=referral")
    go(browser, "#/campaigns/new?type=referral", ready='form#campaign-form [name="name"]')
    name = f"Invite {uid()}"
    fill(browser, "name", name)
    fill(browser, "landing_url", "https://shop.example.com/welcome")
    choose(browser, "referee_reward.type", "credit")
    fill(browser, "referee_reward.amount", "7,5")
    fill(browser, "referrer_reward.amount", "15")
    save(browser)
    browser.wait_for(lambda: "/campaigns/cmp_" in browser.url, timeout=15)
    saved = api.campaign(browser.url.rsplit("/", 1)[1])
    assert saved["name"] == name and saved["landing_url"] == "https://shop.example.com/welcome"
    assert (saved["referee_reward"]["amount"], saved["referee_reward"]["currency"]) == (750, "EUR")
    assert (saved["referrer_reward"]["amount"], saved["referrer_reward"]["currency"]) == (1500, "EUR")


def test_the_editor_speaks_italian(browser, stack):
    sign_in(browser, stack, "marketer", "#/campaigns/new?type=discount", lang="it")
    go(browser, "#/campaigns/new?type=discount", ready='form#campaign-form [name="name"]')
    wait_text(browser, "Nuovo sconto", "main h1")
    fill(browser, "discount.percent_off", "20")
    wait_text(browser, "20% di sconto", ".editor-preview")
    choose(browser, "discount.type", "amount")
    fill(browser, "discount.amount_off", "12,5")
    wait_text(browser, "12,50\u00a0€ di sconto", ".editor-preview")
    screenshot(browser, "console-editor-discount-it")


def test_merge_patches_and_error_paths(browser, stack):
    """The editor's pure parts: the merge patch of an edit, and where an API error's field lands in the form."""
    from tests.browser.console import console_url

    browser.open(console_url(stack))
    wait_css(browser, "form.signin-form")
    out = browser.js_async(
        """
        import(arguments[0]).then(function (m) {
          var before = {name: 'A', rules: {currency: 'EUR', max_redemptions: 5, countries: ['IT']},
                        discount: {type: 'percent', percent_off: 10, amount_limit: null}};
          var after = {name: 'A', rules: {currency: 'EUR', countries: ['IT', 'ES']},
                       discount: {type: 'amount', amount_off: 500}};
          var draft = {type: 'discount', name: 'x', discount: {type: 'percent', percent_off: 150}, rules: {}};
          done({
            patch: m.mergeDiff(before, after),
            none: m.mergeDiff(before, JSON.parse(JSON.stringify(before))),
            create: m.fieldOfError({field: 'discount.discount.percent.percent_off', message: 'too big'}, draft, true),
            patchPath: m.fieldOfError({field: 'discount.percent_off', message: 'too big'}, draft, false),
            model: m.fieldOfError({field: 'discount.rules', message: 'Value error, expires_at must be after starts_at'},
                                  {type: 'discount', rules: {starts_at: 'a', expires_at: 'b'}}, true),
            named: m.fieldOfError({field: 'discount', message: "Value error, rules.currency: a 'amount' discount needs rules.currency"},
                                  draft, true),
            reward: m.fieldOfError({field: 'referral.referee_reward.coupon.discount.percent.percent_off', message: 'm'},
                                   {type: 'referral', referee_reward: {type: 'coupon', discount: {type: 'percent'}}}, true),
            fill: m.fillTemplate('Hi {{ customer.first_name }}{% if x %}!{% endif %} {{ missing }}.', {customer: {first_name: 'Anna'}}),
          });
        }, function (e) { done({error: String(e)}); });
        """,
        f"{stack.url}/admin/static/js/pages/editor.js",
    )
    assert out["patch"] == {
        "rules": {"max_redemptions": None, "countries": ["IT", "ES"]},
        "discount": {"type": "amount", "amount_off": 500},  # another kind of discount: sent whole
    }
    assert out["none"] == {}
    assert out["create"] == {"field": "discount.percent_off", "message": "too big"}
    assert out["patchPath"] == {"field": "discount.percent_off", "message": "too big"}
    assert out["model"] == {"field": "rules.expires_at", "message": "expires_at must be after starts_at"}
    assert out["named"] == {"field": "rules.currency", "message": "a 'amount' discount needs rules.currency"}
    assert out["reward"]["field"] == "referee_reward.discount.percent_off"
    assert out["fill"] == "Hi Anna! ."  # a sketch: tags dropped, their text kept, unknown names empty
