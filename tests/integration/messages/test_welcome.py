"""Welcome: a new customer (entering `new_customers`) gets exactly one welcome email, with a unique single-use
coupon bound to them; once across all welcome campaigns; only with (confirmed) consent."""

import time
from datetime import timedelta

import pytest
from api import assert_error, item, order, uid

from messages import MESSAGE_FIELDS, STATUSES, email_of, parse_ts, wait_for

pytestmark = pytest.mark.integration

WELCOME_IT = {
    "subject": "Benvenuta {{ customer.name }}",
    "body": '<p>Il tuo codice: {{ coupon.code }}</p><img src="{{ coupon.qr }}">',
}


def assert_report(report: dict) -> None:
    """A job answers its figures (docs/messages.md, Jobs)."""
    for key in ("days", "candidates", "queued", "duplicates", "skipped", "items_read"):
        assert key in report, f"the job report lacks {key!r}: {report}"
    assert isinstance(report["skipped"], dict), report


def test_a_new_customer_gets_exactly_one_welcome_email_with_a_unique_valid_coupon(ms, clock):
    # Given a welcome campaign for Italy with a coupon from a 10 % discount that excludes a low-margin SKU
    discount = ms.discount(rules={"exclude_skus": ["LOW-MARGIN"]})
    welcome = ms.reengagement(
        "welcome",
        audience={"countries": ["IT"], "channels": ["email"]},
        incentive={"campaign_id": discount["id"], "expires_in_days": 30},
        messages={"email": {"it": WELCOME_IT}},
    )
    # When two new Italian customers sign up with consent to email, and the watch job runs
    anna = ms.shopper(name="Anna Rossi", country="IT", locale="it")
    clock.tick()
    bea = ms.shopper(name="Bea Bianchi", country="IT", locale="it-IT")
    clock.tick()
    report = ms.watch()
    assert_report(report)
    assert report["queued"] >= 2, report
    # Then each gets exactly one welcome email, sent through SES
    [a] = ms.sent(anna, welcome["id"])
    [b] = ms.sent(bea, welcome["id"])
    assert set(a) >= MESSAGE_FIELDS, sorted(MESSAGE_FIELDS - set(a))
    assert a["status"] in STATUSES
    assert (a["trigger"], a["occasion"], a["channel"], a["locale"]) == ("welcome", "welcome", "email", "it")
    assert b["locale"] == "it", "it-IT gets the it template"
    assert a["to"] == email_of(anna) and b["to"] == email_of(bea)
    assert a["subject"] == "Benvenuta Anna Rossi"
    assert b["subject"] == "Benvenuta Bea Bianchi"
    assert a["reason"], "why the customer got it, in words"
    assert a["provider_message_id"], a
    assert a["attempts"] >= 1 and a["error"] is None, a
    assert parse_ts(a["created_at"]) == clock.now, "queued by the job, at the (frozen) time it ran"
    assert a["sent_at"] and parse_ts(a["sent_at"]) >= parse_ts(a["created_at"]), a
    # And the body carries the coupon code and its inline QR image
    assert a["coupon_code"] and a["coupon_code"] in a["body"], a
    assert "cid:" in a["body"], "coupon.qr is a cid: reference to the inline PNG"
    # And the two codes are different, each from the discount campaign and bound to its customer
    assert a["coupon_code"] != b["coupon_code"]
    code = ms.code(a["coupon_code"])
    assert code["campaign_id"] == discount["id"], code
    assert code["customer_id"] == anna, code
    # And Anna's code is valid for Anna...
    cart = order(items=[item("SHOE", 1, 5000)])
    valid = ms.validate(a["coupon_code"], cart, customer_id=anna)
    assert valid["valid"] is True and valid["campaign_id"] == discount["id"], valid
    assert valid["discount_amount"] == 500, valid
    # ...not for Bea, and the discount's own rules apply (the low-margin SKU is excluded)
    other = ms.validate(a["coupon_code"], cart, customer_id=bea)
    assert other["valid"] is False and other["error"]["code"] == "customer_not_allowed", other
    low = ms.validate(a["coupon_code"], order(items=[item("LOW-MARGIN", 1, 5000)]), customer_id=anna)
    assert low["valid"] is False and low["error"]["code"] == "no_applicable_items", low
    # And running the job again sends nothing more (the customers left the welcome audience)
    clock.tick()
    again = ms.watch()
    assert_report(again)
    assert len(ms.messages(anna, welcome["id"])) == 1
    assert len(ms.messages(bea, welcome["id"])) == 1


def welcome_with_coupon(ms, clock, expires_in_days: int = 10) -> tuple[dict, list[dict]]:
    discount = ms.discount()
    welcome = ms.reengagement(
        "welcome",
        incentive={"campaign_id": discount["id"], "expires_in_days": expires_in_days},
        messages={
            "email": {"en": {"subject": "Welcome", "body": "<p>{{ coupon.code }} until {{ coupon.expires_at }}</p>"}}
        },
    )
    customers = [ms.shopper(locale="en") for _ in range(2)]
    clock.tick()
    ms.watch()
    return welcome, [ms.sent(who, welcome["id"])[0] for who in customers]


def test_the_welcome_coupon_expires_after_expires_in_days(ms, clock):
    _, [a, _] = welcome_with_coupon(ms, clock, expires_in_days=10)
    issued = clock.now
    code = ms.code(a["coupon_code"])
    assert parse_ts(code["expires_at"]) == issued + timedelta(days=10), code
    assert code["expires_at"][:10] in a["body"], "coupon.expires_at is in the template's context"
    cart = order(items=[item("SHOE", 1, 5000)])
    assert ms.validate(a["coupon_code"], cart, customer_id=a["customer_id"])["valid"] is True
    clock.advance(days=11)
    late = ms.validate(a["coupon_code"], cart, customer_id=a["customer_id"])
    assert late["valid"] is False and late["error"]["code"] == "coupon_expired", late


def test_the_welcome_coupon_is_single_use(ms, clock):
    _, [a, _] = welcome_with_coupon(ms, clock)
    cart = order(items=[item("SHOE", 1, 5000)])
    first = ms.redeem(a["coupon_code"], cart, customer_id=a["customer_id"])
    assert first.status_code == 201, first.text
    # A second order with the same code is refused (docs/messages.md: "a unique single-use code")
    second = ms.redeem(a["coupon_code"], cart, customer_id=a["customer_id"])
    assert second.status_code == 422, f"a single-use code was redeemed twice: {second.status_code} {second.text}"
    assert second.json()["error"]["code"] in ("redemption_limit_reached", "customer_limit_reached"), second.text


def test_a_customer_is_welcomed_once_across_all_welcome_campaigns(ms, clock):
    first = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Welcome 1", "body": "<p>one</p>"}}})
    second = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Welcome 2", "body": "<p>two</p>"}}})
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    got = wait_for(
        lambda: [m for m in ms.messages(anna) if m["campaign_id"] in (first["id"], second["id"])],
        what="a welcome message",
    )
    clock.tick()
    ms.watch()  # a second run finds nothing new
    time.sleep(1.5)  # a late duplicate would show by now
    got = [m for m in ms.messages(anna) if m["campaign_id"] in (first["id"], second["id"])]
    assert len(got) == 1, f"exactly one welcome across the welcome campaigns: {got}"
    assert got[0]["trigger"] == "welcome"
    ms.settled(anna, got[0]["campaign_id"])


def test_running_the_watch_job_twice_sends_no_duplicates(ms, clock):
    welcome = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Hi", "body": "<p>hi</p>"}}})
    customers = [ms.shopper(locale="en") for _ in range(3)]
    clock.tick()
    first = ms.watch()
    second = ms.watch()  # at the same instant: the same changes read again, the same message ids
    clock.tick()
    third = ms.watch()
    for report in (first, second, third):
        assert_report(report)
    for customer in customers:
        ms.sent(customer, welcome["id"])
    # The campaign's log has exactly one message per customer
    items = [m for m in ms.campaign_items(welcome["id"]) if m["customer_id"] in customers]
    assert sorted(m["customer_id"] for m in items) == sorted(customers), items


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param({"consent": {}}, id="no-consent"),
        pytest.param({"consent": {"email": {"granted": False}}}, id="consent-refused"),
        pytest.param({"consent": {"sms": {"granted": True}}}, id="sms-consent-only"),
        pytest.param({"email": None}, id="no-email-address"),
    ],
)
def test_no_consent_or_no_address_means_no_message(ms, clock, profile):
    welcome = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Hi", "body": "<p>hi</p>"}}})
    quiet = uid("msg-")
    body = {"email": email_of(quiet), "locale": "en", "name": "Quiet One", **profile}
    body = {k: v for k, v in body.items() if v is not None}
    ms.profile(quiet, **body)
    control = ms.shopper(locale="en")  # proves the job ran
    clock.tick()
    ms.watch()
    ms.sent(control, welcome["id"])
    ms.nothing_for([quiet], welcome["id"], grace=0.5)


def test_consent_withdrawn_before_the_job_runs_means_no_message(ms, clock):
    welcome = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Hi", "body": "<p>hi</p>"}}})
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.profile(anna, email=email_of(anna), locale="en", consent={"email": {"granted": False}})
    control = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.sent(control, welcome["id"])
    ms.nothing_for([anna], welcome["id"], grace=0.5)


def test_unconfirmed_browser_consent_means_no_message(ms, clock, program):
    welcome = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Hi", "body": "<p>hi</p>"}}})
    # Given someone typed an email into the storefront's join form (publishable key: consent unconfirmed)
    email = f"{uid('typed-').lower()}@example.org"
    r = ms.enroll(email=email, consent={"email": True}, locale="en", name="Typed")
    assert r.status_code == 201, r.text
    typed = r.json()["customer_id"]
    consent = ms.customer(typed)["consent"]["email"]
    assert consent["granted"] is True and consent.get("confirmed") is False, consent
    control = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.sent(control, welcome["id"])
    # Then nothing goes to the unconfirmed address
    ms.nothing_for([typed], welcome["id"], grace=0.5)


def test_a_customer_who_signed_up_long_ago_is_not_new(ms, clock):
    welcome = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Hi", "body": "<p>hi</p>"}}})
    old = ms.shopper(locale="en", created_at=(clock.now - timedelta(days=400)).isoformat().replace("+00:00", "Z"))
    assert "new_customers" not in ms.customer(old)["segments"]
    control = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.sent(control, welcome["id"])
    ms.nothing_for([old], welcome["id"], grace=0.5)


def test_a_welcome_message_is_visible_in_the_campaigns_log_with_a_summary(ms, clock):
    welcome = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Hi", "body": "<p>hi</p>"}}})
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    [m] = ms.sent(anna, welcome["id"])
    page = ms.campaign_messages(welcome["id"])
    assert [i["id"] for i in page["items"]] == [m["id"]], page
    summary = page["summary"]
    assert summary["by_status"].get("sent") == 1, summary
    assert summary["variants"]["default"]["sent"] == 1, summary
    # Filtered by status
    assert [i["id"] for i in ms.campaign_items(welcome["id"], status="sent")] == [m["id"]]
    assert ms.campaign_items(welcome["id"], status="failed") == []
    # And a bad status filter is refused
    r = ms.get(f"/v1/campaigns/{welcome['id']}/messages", params={"status": "nope"})
    assert_error(r, 400, "invalid_request")


def test_a_customers_log_pages_newest_first(ms, clock):
    welcome = ms.reengagement("welcome", messages={"email": {"en": {"subject": "Welcome", "body": "<p>hi</p>"}}})
    birthday = ms.reengagement(
        {"type": "birthday"}, messages={"email": {"en": {"subject": "Birthday", "body": "<p>hi</p>"}}}
    )
    day = clock.today + timedelta(days=1)
    anna = ms.shopper(locale="en", birthday={"month": day.month, "day": day.day})
    clock.tick()
    ms.watch()
    [first] = ms.sent(anna, welcome["id"])
    clock.advance(days=1)
    ms.daily_messages()
    [second] = ms.sent(anna, birthday["id"])
    paged = ms.pages(f"/v1/customers/{anna}/messages", limit=1)
    assert [m["id"] for m in paged] == [second["id"], first["id"]], paged
