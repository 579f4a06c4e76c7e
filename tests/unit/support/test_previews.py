"""Previews for the campaign editor: a re-engagement message rendered as the sender renders it (draft or saved,
sample or real customer), and a referral program's share texts for a sample referrer."""

import base64

from passaparola.campaigns import service as campaigns
from passaparola.campaigns.models import DiscountCampaignCreate, ReengagementCampaignCreate
from passaparola.customers import service as customers
from passaparola.customers.models import CustomerPut
from tests.unit.functions import call, load_function

MESSAGES = {
    "email": {
        "it": {
            "subject": "Ciao {{ customer.first_name }}",
            "body": '<p>Benvenuta {{ customer.name }}! Codice {{ coupon.code }}</p><img src="{{ coupon.qr }}">',
        },
        "en": {"subject": "Hi {{ customer.first_name }}", "body": "<p>Welcome {{ customer.name }}</p>"},
    },
    "sms": {"it": {"body": "Ciao {{ customer.first_name }}, codice {{ coupon.code }}"}},
}


def preview(fn, body):
    return call(fn, "POST", "/v1/messages/preview", "/v1/messages/preview", body)


def offer() -> str:
    body = {"name": "Welcome", "type": "discount", "discount": {"type": "percent", "percent_off": 10}}
    return campaigns.create(DiscountCampaignCreate.model_validate(body)).id


def test_a_draft_is_rendered_for_a_sample_customer_with_the_qr_inline(aws):
    fn = load_function("messages")
    draft = {"messages": MESSAGES, "incentive": {"campaign_id": "cmp_x"}, "locale": "it-IT", "channel": "email"}
    shown = preview(fn, draft)
    assert shown.status == 200, shown.body
    assert shown.body["subject"] == "Ciao Anna" and shown.body["locale"] == "it"
    assert "Benvenuta Anna Rossi!" in shown.body["html"] and "cid:" not in shown.body["html"]
    src = shown.body["html"].split('<img src="')[1].split('"')[0]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    assert "Benvenuta Anna Rossi!" in shown.body["text"]
    assert "/v1/unsubscribe?token=preview" in shown.body["html"]  # the line the sender adds, in Italian
    assert "iscrizione" in shown.body["html"].lower()

    sms = preview(fn, draft | {"channel": "sms"})
    assert sms.status == 200, sms.body
    assert sms.body["subject"] is None and sms.body["html"] is None
    assert sms.body["text"].startswith("Ciao Anna, codice WELCOME-1")


def test_a_saved_campaign_is_rendered_for_a_real_customer(aws):
    fn = load_function("messages")
    campaign = campaigns.create(
        ReengagementCampaignCreate.model_validate(
            {
                "name": "Hello",
                "type": "reengagement",
                "trigger": {"type": "welcome"},
                "messages": MESSAGES,
                "incentive": {"campaign_id": offer()},
            }
        )
    )
    customers.put("cus_1", CustomerPut(name="Marco <b>Bianchi</b>", email="m@example.com", locale="en"))
    shown = preview(fn, {"campaign_id": campaign.id, "locale": "en", "customer_id": "cus_1"})
    assert shown.status == 200, shown.body
    assert shown.body["subject"] == "Hi Marco" and shown.body["customer_id"] == "cus_1"
    assert "Welcome Marco &lt;b&gt;Bianchi&lt;/b&gt;" in shown.body["html"]  # autoescaped as when sent

    assert preview(fn, {"campaign_id": campaign.id, "locale": "en", "customer_id": "cus_no"}).status == 404
    assert preview(fn, {"campaign_id": campaign.id, "locale": "en", "variant": "B"}).status == 400
    discount = preview(fn, {"campaign_id": offer(), "locale": "en"})
    assert discount.status == 422 and discount.body["error"]["code"] == "campaign_type_mismatch"


def test_template_errors_and_missing_locales_are_400(aws):
    fn = load_function("messages")
    broken = {"email": {"en": {"subject": "Hi", "body": "{{ customer.nope() }}"}}}
    refused = preview(fn, {"messages": broken, "locale": "en"})
    assert refused.status == 400 and refused.body["error"]["details"]["field"] == "messages.email.en"
    unknown = {"email": {"en": {"subject": "{{ nobody }}", "body": "x"}}}
    assert preview(fn, {"messages": unknown, "locale": "en"}).status == 400
    missing = preview(fn, {"messages": MESSAGES, "locale": "de"})
    assert missing.status == 400 and missing.body["error"]["details"]["available"] == ["en", "it"]
    assert preview(fn, {"locale": "en"}).status == 400
    assert preview(fn, {"messages": MESSAGES, "campaign_id": "cmp_1", "locale": "en"}).status == 400
    assert preview(fn, {"messages": MESSAGES, "variant": "A", "locale": "en"}).status == 400


REFERRAL = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example.com/",
    "shop_name": "Bottega",
    "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 1000}, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 500, "currency": "EUR"},
    "share": {
        "email_subject": "{{ name }} ti regala {{ referee_reward }}",
        "email_body": "{{ link }}",
        "social_text": "{{ shop }}: {{ referrer_reward }}",
    },
}


def share(fn, body):
    return call(fn, "POST", "/v1/referrals/preview", "/v1/referrals/preview", body)


def test_share_texts_of_a_draft_and_of_a_saved_program(aws):
    fn = load_function("referrals")
    shown = share(fn, {"campaign": REFERRAL, "locale": "it", "name": "Giulia"})
    assert shown.status == 200, shown.body
    assert shown.body["email_subject"] == "Giulia ti regala 10,00 EUR di sconto"
    assert shown.body["email_body"].endswith("/r/ANNA1") and shown.body["email_body"] == shown.body["link"]
    assert shown.body["social_text"].startswith("Bottega: ")

    created = call(load_function("campaigns"), "POST", "/v1/campaigns", "/v1/campaigns", REFERRAL)
    assert created.status == 201, created.body
    saved = share(fn, {"campaign_id": created.body["id"], "locale": "it", "name": "Giulia"})
    assert saved.status == 200 and saved.body["email_subject"] == shown.body["email_subject"]
    plain = {k: v for k, v in REFERRAL.items() if k != "share"}
    defaults = share(fn, {"campaign": plain, "locale": "it"})
    assert defaults.status == 200 and "Anna" in defaults.body["email_body"] + defaults.body["email_subject"]


def test_share_preview_errors_are_the_create_errors(aws):
    fn = load_function("referrals")
    broken = share(fn, {"campaign": REFERRAL | {"share": {"social_text": "{{ nope }}"}}, "locale": "en"})
    assert broken.status == 400 and broken.body["error"]["details"]["field"] == "share"
    invalid = share(fn, {"campaign": REFERRAL | {"landing_url": "nope"}, "locale": "en"})
    assert invalid.status == 400
    assert invalid.body["error"]["details"]["fields"][0]["field"] == "campaign.landing_url"
    assert share(fn, {"campaign": REFERRAL, "locale": "en", "variant": "B"}).status == 400
    assert share(fn, {"locale": "en"}).status == 400
    not_referral = share(fn, {"campaign": {"name": "x", "type": "discount", "discount": {"type": "free_shipping"}}})
    assert not_referral.status == 422


def test_a_template_failing_only_for_this_customer_is_a_400_not_a_500(aws):
    fn = load_function("messages")
    customers.put("cus_120", CustomerPut(name="Zero"))
    body = {"subject": "x", "body": "{{ 1 / (customer.points_balance - 0) }}"}  # the sample has 120 points
    shown = preview(fn, {"messages": {"email": {"en": body}}, "locale": "en", "customer_id": "cus_120"})
    assert shown.status == 400, shown.body
    assert shown.body["error"]["details"]["customer_id"] == "cus_120"
