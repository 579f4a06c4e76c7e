"""Delivery: outbox → SQS → sender → SES/SNS. Transient failures are retried with backoff (locally 1, 4, 16, 64 s),
permanent ones fail at once; failed messages go to the dead-letter queue and the redrive sends them; a campaign
disabled while its messages wait is cancelled, not sent. Faults are injected with POST /local/faults (cleared by
the `ms` fixture when a test ends)."""

import time

import pytest

from messages import SEND_TIMEOUT, email_of, new_phone, of_campaign, token_of, unsubscribe_urls, wait_for

pytestmark = pytest.mark.integration

NEW = {"type": "segment_entered", "segment": "new_customers"}
EN = {"email": {"en": {"subject": "Hello {{ customer.first_name }}", "body": "<p>Our offer</p>"}}}
ALL_RETRIES = 1 + 4 + 16 + 64
"""Seconds of backoff before the 5th (last) attempt with MessageRetryBaseSeconds = 1."""
LATE = 5 + 2
"""Seconds a delayed provider answer takes: longer than the sender's read timeout (MessageSendTimeoutSeconds,
5 locally), so the sender stops waiting for a message the provider did take."""


def retrying(ms, customer_id: str, campaign_id: str, attempts: int) -> dict:
    """Wait until the campaign's one message to the customer is `retrying` after at least `attempts` attempts."""

    def ready():
        mine = ms.messages(customer_id, campaign_id)
        return next((m for m in mine if m["status"] == "retrying" and m["attempts"] >= attempts), None)

    return wait_for(ready, timeout=SEND_TIMEOUT, what=f"a message retrying after {attempts} attempt(s)")


def test_ses_throttled_is_retried_then_sent(ms, clock):
    campaign = ms.reengagement(NEW, messages=EN)
    anna = ms.shopper(locale="en")
    clock.tick()
    # SES throttles until two attempts have failed (however often boto3 retries inside one attempt)
    ms.faults(ses={"error": "Throttling", "count": -1})
    ms.watch()
    waiting = retrying(ms, anna, campaign["id"], attempts=2)
    assert waiting["error"] and waiting["error"]["code"] == "Throttling", waiting
    assert waiting["provider_message_id"] is None and waiting["sent_at"] is None, waiting
    ms.clear_faults()
    # Then the next attempt (after 4 s of backoff) sends it
    [m] = ms.sent(anna, campaign["id"], timeout=SEND_TIMEOUT + 5)
    assert m["attempts"] >= 3, m
    assert m["provider_message_id"], m


def test_a_permanent_failure_fails_at_once_and_the_redrive_sends_it(ms, clock):
    campaign = ms.reengagement(NEW, messages=EN)
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.faults(ses={"error": "MessageRejected", "count": 1})
    ms.watch()
    [m] = ms.settled(anna, campaign["id"])
    assert m["status"] == "failed", m
    assert m["attempts"] == 1, "a permanent failure is not retried"
    assert m["error"] and m["error"]["code"] == "MessageRejected" and m["error"]["message"], m
    assert m["provider_message_id"] is None and m["sent_at"] is None, m
    time.sleep(2.5)  # a retry (1 s backoff) would show by now
    assert ms.status_of(anna, m["id"])["attempts"] == 1
    # When the fault is gone and the dead-letter queue is re-driven
    ms.clear_faults()
    ms.redrive()
    # Then the same message is sent, nothing lost, nothing doubled
    [again] = ms.sent(anna, campaign["id"])
    assert again["id"] == m["id"]
    assert again["attempts"] == 1, "attempts were reset by the redrive"
    assert again["provider_message_id"], again


def test_a_campaign_disabled_while_its_messages_wait_cancels_them(ms, clock):
    campaign = ms.reengagement(NEW, messages=EN)
    customers = [ms.shopper(locale="en") for _ in range(2)]
    clock.tick()
    # SES fails until further notice: the messages wait in `retrying`
    ms.faults(ses={"error": "Throttling", "count": -1})
    ms.watch()
    for who in customers:
        wait_for(
            lambda who=who: [m for m in ms.messages(who, campaign["id"]) if m["status"] == "retrying"],
            what="a message retrying",
        )
    # When the campaign is switched off, and SES works again
    ms.set_enabled(campaign["id"], False)
    time.sleep(6)  # campaigns may be cached up to 5 s per function container
    ms.clear_faults()
    # Then the waiting messages are cancelled, not sent
    for who in customers:
        [m] = ms.settled(who, campaign["id"], timeout=ALL_RETRIES + 20)
        assert m["status"] == "cancelled", m
        assert m["provider_message_id"] is None and m["sent_at"] is None, m
    summary = ms.campaign_messages(campaign["id"])["summary"]
    assert summary["by_status"].get("cancelled") == 2, summary
    assert summary["by_status"].get("sent", 0) == 0, summary
    # And a new customer gets nothing from the disabled campaign
    later = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.nothing_for([later], campaign["id"], grace=1.0)


def test_sms_go_through_sns_with_a_stop_link(ms, clock):
    campaign = ms.reengagement(
        NEW, audience={"channels": ["sms"]}, messages={"sms": {"it": {"body": "Ciao {{ customer.first_name }}!"}}}
    )
    phone = new_phone()
    gino = ms.shopper(name="Gino Bianchi", locale="it", phone=phone, channels=("sms",))
    clock.tick()
    ms.faults(sns={"error": "Throttling", "count": -1})
    ms.watch()
    retrying(ms, gino, campaign["id"], attempts=1)
    ms.clear_faults()
    [m] = ms.sent(gino, campaign["id"])
    assert (m["channel"], m["to"], m["locale"]) == ("sms", phone, "it"), m
    assert m["attempts"] >= 2, "the throttled SNS call was retried"
    assert m["provider_message_id"], m
    assert m["subject"] is None
    # The template did not show the unsubscribe link: it is appended, in the message's language
    assert m["body"].startswith("Ciao Gino! Disiscriviti: "), m["body"]
    [url] = unsubscribe_urls(m["body"])
    assert token_of(url)


def test_an_invalid_phone_number_fails_without_retries(ms, clock):
    campaign = ms.reengagement(NEW, audience={"channels": ["sms"]}, messages={"sms": {"en": {"body": "Hi"}}})
    gino = ms.shopper(locale="en", phone=new_phone(), channels=("sms",))
    clock.tick()
    ms.faults(sns={"error": "InvalidParameter", "count": 1})
    ms.watch()
    [m] = ms.settled(gino, campaign["id"])
    assert m["status"] == "failed" and m["attempts"] == 1, m
    assert m["error"]["code"] == "InvalidParameter", m


def test_erasing_a_customer_removes_the_address_subject_and_body_of_their_messages(ms, clock):
    campaign = ms.reengagement(NEW, messages=EN)
    anna = ms.shopper(name="Anna Rossi", locale="en")
    clock.tick()
    ms.watch()
    [m] = ms.sent(anna, campaign["id"])
    assert m["to"] and m["subject"] and m["body"]
    r = ms.erase(anna)
    assert r.status_code == 200, r.text
    [erased] = ms.messages(anna, campaign["id"])
    assert erased["id"] == m["id"] and erased["status"] == "sent", erased
    assert (erased["to"], erased["subject"], erased["body"]) == (None, None, None), erased
    [in_campaign] = [i for i in ms.campaign_items(campaign["id"]) if i["id"] == m["id"]]
    assert (in_campaign["to"], in_campaign["subject"], in_campaign["body"]) == (None, None, None), in_campaign


def test_ses_failing_every_time_dead_letters_then_the_redrive_sends_everything(ms, clock):
    """The slow one: five attempts with backoff 1 + 4 + 16 + 64 s."""
    campaign = ms.reengagement(NEW, messages=EN)
    customers = [ms.shopper(locale="en") for _ in range(2)]
    clock.tick()
    ms.faults(ses={"error": "Throttling", "count": -1})
    ms.watch()
    failed = []
    for who in customers:
        [m] = ms.settled(who, campaign["id"], timeout=ALL_RETRIES + 30)
        assert m["status"] == "failed", m
        assert m["attempts"] == 5, m
        assert m["error"]["code"] == "Throttling", m
        failed.append(m)
    summary = ms.campaign_messages(campaign["id"])["summary"]
    assert summary["by_status"].get("failed") == 2, summary
    # When SES works again and the dead-letter queue is re-driven
    ms.clear_faults()
    ms.redrive()
    # Then every message is sent, once
    for who, before in zip(customers, failed, strict=True):
        [m] = ms.sent(who, campaign["id"])
        assert m["id"] == before["id"] and m["attempts"] == 1, m
    # And a second redrive finds nothing to send again
    ms.redrive()
    time.sleep(1.5)
    for who in customers:
        assert [m["status"] for m in of_campaign(ms.messages(who), campaign["id"])] == ["sent"]


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_late_provider_answer_sends_once_ends_outcome_unknown_and_is_resent_only_on_request(ms, clock, channel):
    """SES (or SNS) takes the message and answers after the sender's read timeout: one message out, never a
    blind second one (neither botocore's retries, nor the sender's backoff, nor a plain re-drive)."""
    service = "ses" if channel == "email" else "sns"
    template = EN if channel == "email" else {"sms": {"en": {"body": "Our offer"}}}
    campaign = ms.reengagement(NEW, audience={"channels": [channel]}, messages=template)
    phone = new_phone()
    anna = ms.shopper(locale="en", phone=phone, channels=(channel,))
    address = email_of(anna) if channel == "email" else phone
    clock.tick()
    ms.faults(**{service: {"delay_seconds": LATE, "count": 1}})
    ms.watch()
    [m] = ms.settled(anna, campaign["id"])
    assert m["status"] == "outcome_unknown", m
    assert m["attempts"] == 1 and m["error"]["code"] == "timeout", m
    assert m["provider_message_id"] is None and m["sent_at"] is None, m
    assert ms.accepted(service, address) == 1
    # Nothing more goes out after the retry window (1 s locally)
    time.sleep(2.5)
    assert ms.accepted(service, address) == 1
    assert ms.status_of(anna, m["id"])["status"] == "outcome_unknown"
    assert ms.campaign_messages(campaign["id"])["summary"]["by_status"] == {"outcome_unknown": 1}
    assert [i["id"] for i in ms.campaign_items(campaign["id"], status="outcome_unknown")] == [m["id"]]
    # A re-drive keeps it on the dead-letter queue
    assert ms.redrive()["kept"] >= 1
    time.sleep(1.5)
    assert ms.accepted(service, address) == 1
    assert ms.status_of(anna, m["id"])["status"] == "outcome_unknown"
    # Only a re-drive that asks for unknown outcomes sends it again, once
    assert ms.redrive(include_unknown=True)["redriven"] >= 1
    [again] = ms.sent(anna, campaign["id"])
    assert again["id"] == m["id"] and again["attempts"] == 1, again
    assert ms.accepted(service, address) == 2
