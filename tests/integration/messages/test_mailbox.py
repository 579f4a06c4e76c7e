"""The local mailbox (GET /local/mailbox): every email and SMS the emulated SES/SNS accepted, newest first, as the
customer would see it (the email's HTML with its inline QR as a data: URI)."""

import base64

import pytest
import requests

from messages import email_of, new_phone

pytestmark = pytest.mark.integration

WELCOME = {
    "subject": "Benvenuta {{ customer.name }}",
    "body": '<p>Il tuo codice: {{ coupon.code }}</p><img src="{{ coupon.qr }}">',
}


def mailbox(stack, key=None, **params):
    headers = {"Authorization": f"Bearer {key or stack.secret_key}"}
    return requests.get(f"{stack.url}/local/mailbox", params=params, headers=headers, timeout=30)


def test_a_welcome_email_sent_by_the_reengagement_flow_is_in_the_mailbox(stack, ms, clock):
    discount = ms.discount()
    welcome = ms.reengagement(
        "welcome",
        audience={"channels": ["email"]},
        incentive={"campaign_id": discount["id"]},
        messages={"email": {"it": WELCOME}},
    )
    anna = ms.shopper(name="Anna Rossi", locale="it")
    clock.tick()
    ms.watch()
    [sent] = ms.sent(anna, welcome["id"])

    reply = mailbox(stack, to=email_of(anna).upper())
    assert reply.status_code == 200, reply.text
    [mail] = reply.json()["messages"]
    assert mail["type"] == "email" and mail["id"] == sent["provider_message_id"]
    assert mail["to"] == email_of(anna) and mail["subject"] == "Benvenuta Anna Rossi"
    assert mail["from"] and mail["at"]
    assert sent["coupon_code"] in mail["html"] and sent["coupon_code"] in mail["text"]
    assert "cid:" not in mail["html"]
    src = mail["html"].split('<img src="')[1].split('"')[0]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    assert "/v1/unsubscribe?token=" in mail["html"]


def test_an_sms_is_in_the_mailbox_and_the_newest_message_comes_first(stack, ms, clock):
    campaign = ms.reengagement(
        {"type": "segment_entered", "segment": "new_customers"},
        audience={"channels": ["sms"]},
        messages={"sms": {"en": {"body": "Hi {{ customer.first_name }}"}}},
    )
    phone = new_phone()
    gino = ms.shopper(name="Gino Bianchi", locale="en", phone=phone, channels=("sms",))
    clock.tick()
    ms.watch()
    [sent] = ms.sent(gino, campaign["id"])

    [sms] = mailbox(stack, to=phone).json()["messages"]
    assert sms["type"] == "sms" and sms["to"] == phone and sms["id"] == sent["provider_message_id"]
    assert sms["text"] == sent["body"] and sms["text"].startswith("Hi Gino")
    newest = mailbox(stack, limit=1).json()["messages"]
    assert len(newest) == 1


def test_the_mailbox_needs_the_secret_key_or_a_console_user(stack):
    assert requests.get(f"{stack.url}/local/mailbox", timeout=30).status_code == 401
    assert mailbox(stack, key=stack.publishable_key).status_code == 403
    assert mailbox(stack, key="not-a-key").status_code == 403
    assert mailbox(stack, limit=0).status_code == 400
