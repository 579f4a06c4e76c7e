"""SES feedback against moto: the message found by SES's id, its status, the suppression, the sender's cancel."""

import json
from datetime import UTC, datetime

from passaparola import clock
from passaparola.data import messages as store
from passaparola.data.models.events import EventModel
from passaparola.data.models.messages import MessageModel
from passaparola.messages import feedback
from passaparola.referrals import identity

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def sent_message(message_id: str, ses_id: str, to: str) -> None:
    MessageModel(message_id, channel="email", to=to, status="sent", provider_message_id=ses_id).save()


def sns(notification: dict) -> dict:
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(notification)}}]}


def bounce(ses_id: str, to: str, kind: str = "Permanent") -> dict:
    return {
        "notificationType": "Bounce",
        "mail": {"messageId": ses_id, "destination": [to]},
        "bounce": {"bounceType": kind, "bounceSubType": "General", "bouncedRecipients": [{"emailAddress": to}]},
    }


def test_a_hard_bounce_marks_the_message_and_suppresses_its_address(aws: None) -> None:
    clock.set_clock(lambda: NOW)
    try:
        sent_message("msg_1", "ses-1", "Anna.Rossi@example.org")
        [outcome] = feedback.handle_sns_event(sns(bounce("ses-1", "anna.rossi@example.org")))
        assert (outcome.kind, outcome.message_id, outcome.status_changed, outcome.suppressed) == (
            "bounce",
            "msg_1",
            True,
            ["msg_1"],
        )
        item = store.get("msg_1")
        assert item is not None and (item.status, item.error_code) == ("bounced", "bounce_hard")
        assert store.suppressed(identity.email_hash("ANNA.ROSSI@example.org"))
        assert not store.suppressed(identity.email_hash("bea@example.org"))
        # a complaint outranks the bounce; a later bounce never downgrades the complaint
        complaint = {
            "eventType": "Complaint",
            "mail": {"messageId": "ses-1"},
            "complaint": {"complainedRecipients": [{"emailAddress": "anna.rossi@example.org"}]},
        }
        assert feedback.handle(complaint).status_changed is True
        assert feedback.handle(bounce("ses-1", "anna.rossi@example.org")).status_changed is False
        assert store.get("msg_1").status == "complained"  # type: ignore[union-attr]
        recorded = [e for item in EventModel.scan() for e in json.loads(item.events)]
        assert sorted((e["type"], e["data"]["message_id"], e["data"]["reason"]) for e in recorded) == [
            ("message.bounced", "msg_1", "bounce_hard"),
            ("message.complained", "msg_1", "complaint"),
        ]  # each once, in the status change it reports; the refused bounce recorded nothing
    finally:
        clock.set_clock(None)


def test_a_soft_bounce_suppresses_nothing_and_unknown_messages_still_suppress(aws: None) -> None:
    sent_message("msg_2", "ses-2", "carla@example.org")
    soft = feedback.handle(bounce("ses-2", "carla@example.org", "Transient"))
    assert (soft.status_changed, soft.suppressed) == (True, [])
    assert not store.suppressed(identity.email_hash("carla@example.org"))
    other = feedback.handle(bounce("sent-by-another-system", "dan@example.org"))
    assert (other.message_id, other.suppressed) == (None, ["unknown"])
    assert store.suppressed(identity.email_hash("dan@example.org"))
    assert feedback.handle({"notificationType": "Delivery"}).kind == "ignored"
    assert feedback.handle_sns_event({"Records": [{"Sns": {"Message": "not json"}}]}) == []


def test_a_not_spam_complaint_neither_marks_nor_suppresses(aws: None) -> None:
    sent_message("msg_3", "ses-3", "erin@example.org")
    not_spam = {
        "notificationType": "Complaint",
        "mail": {"messageId": "ses-3"},
        "complaint": {
            "complainedRecipients": [{"emailAddress": "erin@example.org"}],
            "complaintFeedbackType": "not-spam",
        },
    }
    outcome = feedback.handle(not_spam)
    assert (outcome.kind, outcome.message_id, outcome.status_changed, outcome.suppressed) == (
        "complaint",
        "msg_3",
        False,
        [],
    )
    assert store.get("msg_3").status == "sent"  # type: ignore[union-attr]
    assert not store.suppressed(identity.email_hash("erin@example.org"))
