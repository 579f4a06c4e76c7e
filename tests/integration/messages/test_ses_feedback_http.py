"""SES feedback over HTTP (docs/messages.md, "Bounces and complaints"): `POST /local/ses/feedback` delivers what SES
would publish to SesFeedbackTopic; the message log shows it, and a suppressed address gets no later message."""

from __future__ import annotations

import requests

from messages import FINAL

WELCOME = {"email": {"en": {"subject": "Welcome", "body": "<p>Hello {{ customer.first_name }}</p>"}}}


def feedback(stack, **body: object) -> dict:
    r = requests.post(
        f"{stack.url}/local/ses/feedback",
        json=body,
        headers={"Authorization": f"Bearer {stack.secret_key}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()


def welcomed(ms, clock, campaign_id: str, **profile: object) -> tuple[str, dict]:
    who = ms.shopper(locale="en", **profile)
    clock.tick()
    ms.watch()
    [message] = ms.sent(who, campaign_id)
    return who, message


def test_a_hard_bounce_marks_the_message_and_suppresses_the_address(ms, clock, stack):
    welcome = ms.reengagement("welcome", messages=WELCOME)
    anna, message = welcomed(ms, clock, welcome["id"])
    address = message["to"]

    answer = feedback(stack, type="bounce", ses_message_id=message["provider_message_id"], email=address)
    assert answer["outcomes"][0]["message_id"] == message["id"], answer
    bounced = ms.status_of(anna, message["id"])
    assert bounced["status"] == "bounced" and bounced["error"]["code"] == "bounce_hard", bounced

    # The same notification again changes nothing more
    again = feedback(stack, type="bounce", ses_message_id=message["provider_message_id"], email=address)
    assert again["outcomes"][0]["suppressed"] == [] and again["outcomes"][0]["status_changed"] is False, again

    # The next message to that address (another customer record with the same email) is cancelled
    clock.tick()
    bea = ms.shopper(locale="en", email=address.upper())
    clock.tick()
    ms.watch()
    [cancelled] = ms.settled(bea, welcome["id"], final=FINAL)
    assert cancelled["status"] == "cancelled" and cancelled["error"]["code"] == "suppressed", cancelled
    assert ms.accepted("ses", address) == 1, "SES was called once for this address"


def test_a_soft_bounce_suppresses_nothing_and_a_complaint_does(ms, clock, stack):
    welcome = ms.reengagement("welcome", messages=WELCOME)
    carla, message = welcomed(ms, clock, welcome["id"])
    ses_id, address = message["provider_message_id"], message["to"]

    soft = feedback(stack, type="bounce", bounce_type="Transient", ses_message_id=ses_id, email=address)
    assert soft["outcomes"][0]["suppressed"] == [], soft
    assert ms.status_of(carla, message["id"])["error"]["code"] == "bounce_soft"

    complaint = feedback(
        stack,
        notificationType="Complaint",
        mail={"messageId": ses_id, "destination": [address]},
        complaint={"complainedRecipients": [{"emailAddress": address}], "complaintFeedbackType": "abuse"},
    )
    assert complaint["outcomes"][0]["suppressed"] == [message["id"]], complaint
    assert ms.status_of(carla, message["id"])["status"] == "complained"

    # A delivery notification is ignored
    assert feedback(stack, notificationType="Delivery", mail={"messageId": ses_id})["outcomes"][0]["kind"] == "ignored"
