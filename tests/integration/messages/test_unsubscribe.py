"""The signed one-click unsubscribe link: it turns consent off for its channel (GET or RFC 8058 POST, repeated
clicks answer the same), later messages are not sent, and it cannot be forged (401 `invalid_token`, as every
token of the API)."""

import pytest
from api import assert_error

from messages import birthday_of, new_phone, noon, plain_day, tampered, token_of, unsubscribe_urls

pytestmark = pytest.mark.integration

NEW = {"type": "segment_entered", "segment": "new_customers"}
EN = {"email": {"en": {"subject": "Hello", "body": "<p>Our offer</p>"}}}
JSON = {"Accept": "application/json"}


def first_message(ms, clock, campaign_id, customer_id):
    clock.tick()
    ms.watch()
    [m] = ms.sent(customer_id, campaign_id)
    return m


def test_the_unsubscribe_link_turns_email_consent_off_and_later_messages_are_not_sent(ms, clock):
    welcome = ms.reengagement(NEW, messages=EN)
    birthday = ms.reengagement({"type": "birthday"}, messages=EN)
    day = plain_day(clock, ahead=1)
    anna = ms.shopper(locale="en", birthday=birthday_of(day))
    control = ms.shopper(locale="en", birthday=birthday_of(day))
    m = first_message(ms, clock, welcome["id"], anna)
    # The body carries the signed link (the template did not show it: a footer was added)
    urls = unsubscribe_urls(m["body"])
    assert urls, m["body"]
    token = token_of(urls[0])
    # When Anna clicks it
    r = ms.unsubscribe(token, headers=JSON)
    assert r.status_code == 200, r.text
    assert r.json() == {"unsubscribed": True, "channel": "email"}, r.text
    # Then her email consent is off, from the unsubscribe link
    consent = ms.customer(anna)["consent"]["email"]
    assert consent["granted"] is False and consent["source"] == "unsubscribe", consent
    # And a second click answers the same
    again = ms.unsubscribe(token, headers=JSON)
    assert again.status_code == 200 and again.json() == r.json(), again.text
    # And on her birthday she gets nothing, while the control customer does
    clock.set(noon(day))
    ms.daily_messages()
    ms.sent(control, birthday["id"])
    ms.nothing_for([anna], birthday["id"], grace=0.5)
    # And the campaign's results count the unsubscription on the message's variant
    summary = ms.campaign_messages(welcome["id"])["summary"]
    assert summary["variants"]["default"]["unsubscribed"] == 1, summary


def test_a_browser_gets_an_html_page_and_mail_clients_can_post(ms, clock):
    campaign = ms.reengagement(NEW, messages=EN)
    anna = ms.shopper(locale="en")
    bruno = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    [a] = ms.sent(anna, campaign["id"])
    [b] = ms.sent(bruno, campaign["id"])
    page = ms.unsubscribe(
        token_of(unsubscribe_urls(a["body"])[0]), headers={"Accept": "text/html,application/xhtml+xml"}
    )
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html"), page.headers
    assert ms.customer(anna)["consent"]["email"]["granted"] is False
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the link, without any key
    post = ms.unsubscribe(token_of(unsubscribe_urls(b["body"])[0]), method="POST", headers=JSON)
    assert post.status_code == 200, post.text
    assert ms.customer(bruno)["consent"]["email"]["granted"] is False


def test_the_sms_link_turns_off_sms_only(ms, clock):
    campaign = ms.reengagement(NEW, audience={"channels": ["sms"]}, messages={"sms": {"en": {"body": "Our offer"}}})
    gino = ms.shopper(locale="en", phone=new_phone(), channels=("email", "sms"))
    m = first_message(ms, clock, campaign["id"], gino)
    [url] = unsubscribe_urls(m["body"])
    r = ms.unsubscribe(token_of(url), headers=JSON)
    assert r.status_code == 200 and r.json() == {"unsubscribed": True, "channel": "sms"}, r.text
    consent = ms.customer(gino)["consent"]
    assert consent["sms"]["granted"] is False, consent
    assert consent["email"]["granted"] is True, consent


def test_the_unsubscribe_link_cannot_be_forged(ms, clock, program):
    campaign = ms.reengagement(NEW, messages=EN)
    anna = ms.shopper(locale="en")
    m = first_message(ms, clock, campaign["id"], anna)
    token = token_of(unsubscribe_urls(m["body"])[0])
    # Tampered tokens (payload or signature changed, truncated, junk) are refused
    for forged in tampered(token):
        for method in ("GET", "POST"):
            r = ms.unsubscribe(forged, method=method, headers=JSON)
            assert_error(r, 401, "invalid_token")
    # A customer token (another purpose, same format) is no unsubscribe token
    customer_token = ms.token(anna)["token"]
    assert_error(ms.unsubscribe(customer_token, headers=JSON), 401, "invalid_token")
    # A missing token is refused too (docs/messages.md names no status for it)
    r = ms.request("GET", "/v1/unsubscribe", key=None, headers=JSON)
    assert r.status_code in (400, 401), r.text
    # And nothing changed: Anna still receives email
    assert ms.customer(anna)["consent"]["email"]["granted"] is True


def test_the_link_names_only_its_customer(ms, clock):
    campaign = ms.reengagement(NEW, messages=EN)
    anna = ms.shopper(locale="en")
    bruno = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    [a] = ms.sent(anna, campaign["id"])
    [b] = ms.sent(bruno, campaign["id"])
    ta, tb = (token_of(unsubscribe_urls(x["body"])[0]) for x in (a, b))
    assert ta != tb
    assert ms.unsubscribe(ta, headers=JSON).status_code == 200
    assert ms.customer(anna)["consent"]["email"]["granted"] is False
    assert ms.customer(bruno)["consent"]["email"]["granted"] is True
    # And the link still works days later (it has no expiry)
    clock.advance(days=40)
    assert ms.unsubscribe(tb, headers=JSON).status_code == 200
    assert ms.customer(bruno)["consent"]["email"]["granted"] is False


def test_the_footer_and_the_page_follow_the_customer_locale(ms, clock):
    """What the product adds (the footer, the page) is in the customer's language: fr-FR → French."""
    campaign = ms.reengagement(
        NEW,
        messages={
            "email": {
                "fr": {"subject": "Bonjour", "body": "<p>Notre offre</p>"},
                "en": {"subject": "Hello", "body": "<p>Our offer</p>"},
            }
        },
    )
    claire = ms.shopper(locale="fr-FR")
    john = ms.shopper(locale="en-GB")
    clock.tick()
    ms.watch()
    [c] = ms.sent(claire, campaign["id"])
    [j] = ms.sent(john, campaign["id"])
    assert c["locale"] == "fr" and ">Se désabonner</a>" in c["body"], c["body"]
    assert ">Unsubscribe</a>" in j["body"], j["body"]
    html = {"Accept": "text/html", "Accept-Language": "de-DE,de;q=0.9"}
    page = ms.unsubscribe(token_of(unsubscribe_urls(c["body"])[0]), headers=html)
    assert page.status_code == 200, page.text
    assert "Vous ne recevrez plus d&#x27;e-mails de notre part." in page.text, (
        "the customer's locale, not the browser's"
    )
    assert "<html lang='fr'>" in page.text
    page = ms.unsubscribe(token_of(unsubscribe_urls(j["body"])[0]), headers=html)
    assert "You will receive no more e-mails from us." in page.text, page.text
