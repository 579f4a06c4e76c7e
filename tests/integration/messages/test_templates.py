"""Templates: Jinja2 with the customer's data; email bodies autoescaped (a name can never inject markup); the
unsubscribe link is added when the template does not show it, and not twice when it does."""

import pytest
from referrals import Referrals

from messages import email_of, new_phone, unsubscribe_urls

pytestmark = pytest.mark.integration

NEW = {"type": "segment_entered", "segment": "new_customers"}


def test_a_customer_name_with_markup_is_escaped_in_the_email_body(ms, clock):
    campaign = ms.reengagement(
        NEW,
        messages={
            "email": {"en": {"subject": "Hi {{ customer.first_name }}", "body": "<p>Dear {{ customer.name }}</p>"}}
        },
    )
    mallory = ms.shopper(name="<script>alert(1)</script> & Co", locale="en")
    clock.tick()
    ms.watch()
    [m] = ms.sent(mallory, campaign["id"])
    assert "<script>" not in m["body"], m["body"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in m["body"], m["body"]
    assert m["body"].startswith("<p>Dear &lt;script&gt;"), "the template's own markup is kept"


def test_templates_see_the_customer_campaign_and_shop(ms, clock):
    campaign = ms.reengagement(
        NEW,
        audience={"channels": ["email"], "countries": ["IT"]},
        messages={
            "email": {
                "it": {
                    "subject": "{{ campaign.name }} per {{ customer.first_name }}",
                    "body": (
                        "<p>{{ customer.id }}|{{ customer.name }}|{{ customer.first_name }}|{{ customer.email }}|"
                        "{{ customer.country }}|{{ customer.locale }}|{{ occasion.type }}|{{ campaign.id }}</p>"
                        '<p><a href="{{ shop_url }}">shop</a></p>'
                    ),
                    "text": "Ciao {{ customer.first_name }}",
                }
            }
        },
    )
    anna = ms.shopper(name="Anna Maria Rossi", locale="it-IT", country="IT")
    clock.tick()
    ms.watch()
    [m] = ms.sent(anna, campaign["id"])
    assert m["subject"] == f"{campaign['name']} per Anna", m
    expected = f"<p>{anna}|Anna Maria Rossi|Anna|{email_of(anna)}|IT|it-IT|segment_entered|{campaign['id']}</p>"
    assert m["body"].startswith(expected), m["body"]
    assert '<a href="http' in m["body"], "shop_url is the shop's home page"


def test_the_unsubscribe_link_is_added_once(ms, clock):
    shown = ms.reengagement(
        NEW,
        messages={
            "email": {"en": {"subject": "Hi", "body": '<p>Hi</p><a href="{{ unsubscribe_url }}">Stop these emails</a>'}}
        },
    )
    hidden = ms.reengagement(NEW, messages={"email": {"en": {"subject": "Hi", "body": "<p>Hi</p>"}}})
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    [s] = ms.sent(anna, shown["id"])
    [h] = ms.sent(anna, hidden["id"])
    assert len(unsubscribe_urls(s["body"])) == 1, s["body"]
    assert "Stop these emails" in s["body"]
    assert len(unsubscribe_urls(h["body"])) == 1, h["body"]
    # Each message carries its own link
    assert unsubscribe_urls(s["body"]) != unsubscribe_urls(h["body"])


def test_a_coupon_message_has_the_qr_image_inline(ms, clock):
    discount = ms.discount()
    campaign = ms.reengagement(
        NEW,
        incentive={"campaign_id": discount["id"], "expires_in_days": 30},
        messages={
            "email": {
                "en": {
                    "subject": "Your code {{ coupon.code }}",
                    "body": '<p>{{ coupon.code }} {{ coupon.campaign_id }}</p><img src="{{ coupon.qr }}">',
                }
            }
        },
    )
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    [m] = ms.sent(anna, campaign["id"])
    code = m["coupon_code"]
    assert m["subject"] == f"Your code {code}", m
    assert m["body"].startswith(f"<p>{code} {discount['id']}</p>"), m["body"]
    assert '<img src="cid:' in m["body"], m["body"]


def test_the_referral_link_is_created_on_first_use(ms, clock):
    rf = Referrals(ms.stack)
    program = rf.create_program()
    ms.created.append(program["id"])  # disabled when the test ends
    campaign = ms.reengagement(
        NEW,
        referral_campaign_id=program["id"],
        messages={
            "email": {"en": {"subject": "Invite a friend", "body": "<p>{{ referral.code }} {{ referral.link }}</p>"}}
        },
    )
    anna = ms.shopper(locale="en", name="Anna Rossi")
    clock.tick()
    ms.watch()
    [m] = ms.sent(anna, campaign["id"])
    code, link = m["body"][len("<p>") :].split("</p>")[0].split(" ")
    referral = ms.get(f"/v1/referrals/{code}")
    assert referral.status_code == 200, referral.text
    assert referral.json()["customer_id"] == anna and referral.json()["campaign_id"] == program["id"], referral.text
    assert link == referral.json()["share_url"], (link, referral.json())
    # And the customer's own link is the same one afterwards
    again = rf.link(program["id"], anna)
    assert again["code"] == code


def test_an_sms_coupon_has_its_code_and_no_image(ms, clock):
    discount = ms.discount()
    campaign = ms.reengagement(
        NEW,
        audience={"channels": ["sms"]},
        incentive={"campaign_id": discount["id"]},
        messages={"sms": {"en": {"body": "Code {{ coupon.code }}[{{ coupon.qr }}] {{ unsubscribe_url }}"}}},
    )
    gino = ms.shopper(locale="en", phone=new_phone(), channels=("sms",))
    clock.tick()
    ms.watch()
    [m] = ms.sent(gino, campaign["id"])
    assert m["body"].startswith(f"Code {m['coupon_code']}[] http"), m["body"]
    assert " Stop: " not in m["body"], "the template shows the link: nothing appended"
    assert len(unsubscribe_urls(m["body"])) == 1, m["body"]
