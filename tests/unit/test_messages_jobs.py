"""The re-engagement jobs, the outbox and the sender on moto (docs/messages.md): one process, no stack.

Customers, orders and campaigns go through the service layer; the jobs are called directly; the sender's
`deliver` is called with the ids the jobs put on MessageQueue (moto's SQS), and SES is moto's.
"""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import boto3
import botocore.session
import pynamodb.connection.base
import pytest

from passaparola import clock
from passaparola.campaigns import service as campaigns
from passaparola.campaigns.models import DiscountCampaignCreate, LoyaltyCampaignCreate, ReengagementCampaignCreate
from passaparola.customers import service as customers
from passaparola.customers.models import CustomerPut, EngagementEventIn
from passaparola.data import campaigns as campaign_store
from passaparola.data import channels, queues, stats
from passaparola.data import coupons as code_store
from passaparola.data import customers as customer_store
from passaparola.data import messages as message_store
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.messages import MessageModel
from passaparola.messages import jobs, sender
from passaparola.messages.models import JobReport, Message
from passaparola.referrals import conversions
from passaparola.referrals.models import OrderRequest
from passaparola.settings import get_settings

HELLO = {"subject": "Hello {{ customer.first_name }}", "body": "<p>Hi {{ customer.name }}</p>"}
GIFT = {"subject": "A gift, {{ customer.first_name }}", "body": '<p>{{ coupon.code }}</p><img src="{{ coupon.qr }}">'}
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ helpers

_SESSION = boto3.session.Session(region_name="us-east-1")
_BOTOCORE = botocore.session.get_session()


@lru_cache(maxsize=4)
def client(service: str) -> Any:
    """One client per service for the whole module (moto intercepts whichever mock is active)."""
    return _SESSION.client(service)  # type: ignore[call-overload]


@pytest.fixture(autouse=True)
def _one_botocore_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """PynamoDB makes a botocore session per table model and test, each parsing the service models again; one
    shared session makes these tests several times faster (autouse: before the `aws` fixture's first calls)."""
    monkeypatch.setattr(pynamodb.connection.base, "get_session", lambda: _BOTOCORE)


@pytest.fixture
def mq(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """MessageQueue and MessageDLQ (named as in the template's environment) and SES with the sender verified."""
    monkeypatch.setattr(stats, "_shop_ready", False)  # a container cache reset_containers() does not reset
    get_settings.cache_clear()
    campaign_store._CACHE.clear()
    settings = get_settings()
    sqs = client("sqs")
    urls = {}
    for name, url in (("queue", settings.message_queue_url), ("dlq", settings.message_dlq_url)):
        urls[name] = sqs.create_queue(QueueName=url.rsplit("/", 1)[1])["QueueUrl"]
    assert settings.sender_email
    client("ses").verify_email_identity(EmailAddress=settings.sender_email)
    at(T0 - timedelta(hours=1))  # campaigns are created before the customers (the feed serves later entries)
    yield urls
    campaign_store._CACHE.clear()
    get_settings.cache_clear()


def at(when: datetime) -> None:
    clock.set_clock(lambda: when)


def discount() -> str:
    body = {"name": "Gift", "type": "discount", "discount": {"type": "percent", "percent_off": 10}}
    return campaigns.create(DiscountCampaignCreate.model_validate(body)).id


def loyalty_program(**fields: Any) -> None:
    body = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]} | fields
    campaigns.create(LoyaltyCampaignCreate.model_validate(body))
    campaign_store._CACHE.clear()


def reengagement(trigger: dict[str, Any], **fields: Any) -> str:
    body: dict[str, Any] = {
        "name": "Re",
        "type": "reengagement",
        "trigger": trigger,
        "messages": {"email": {"en": HELLO}},
    } | fields
    campaign = campaigns.create(ReengagementCampaignCreate.model_validate(body))
    campaign_store._CACHE.clear()
    return campaign.id


def customer(customer_id: str, **fields: Any) -> None:
    body: dict[str, Any] = {
        "email": f"{customer_id}@example.com",
        "name": f"{customer_id.title()} Rossi",
        "locale": "en",
        "country": "IT",
        "consent": {"email": {"granted": True}},
    } | fields
    customers.put(customer_id, CustomerPut.model_validate(body))


def order(order_id: str, customer_id: str, when: datetime, items: list[dict[str, Any]] | None = None) -> None:
    request = {
        "id": order_id,
        "customer_id": customer_id,
        "amount": 5000,
        "currency": "EUR",
        "items": items or [],
        "created_at": when.isoformat(),
    }
    conversions.record_order(OrderRequest.model_validate(request))


def line(sku: str, *categories: str) -> dict[str, Any]:
    return {"sku": sku, "quantity": 1, "unit_price": 5000, "categories": list(categories)}


def daily(day: date, hour: int = 8) -> JobReport:
    """The daily job at `hour` UTC of `day` (10:00 in Rome in summer)."""
    at(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))
    return jobs.run_daily()


def messages_of(customer_id: str, campaign_id: str | None = None) -> list[Message]:
    found = message_store.for_customer(customer_id, 100, None)[0]
    return [m for m in found if campaign_id is None or m.campaign_id == campaign_id]


def item(message_id: str) -> MessageModel:
    found = message_store.get(message_id)
    assert found is not None
    return found


def drain(url: str) -> list[dict[str, Any]]:
    """Every body on a queue (received and deleted)."""
    sqs = client("sqs")
    found = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        if not got:
            return found
        for m in got:
            found.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def queued_ids(mq: dict[str, str]) -> list[str]:
    return [b["message_id"] for b in drain(mq["queue"])]


def ses_raw() -> list[bytes]:
    """The raw emails moto's SES accepted."""
    from moto.ses.models import ses_backends

    sent = ses_backends["123456789012"]["us-east-1"].sent_messages
    return [m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data for m in sent]


def ses_sent() -> int:
    return len(ses_raw())


def codes_of(campaign_id: str) -> list[str]:
    return [c.code for c in code_store.codes_page(campaign_id, 1000, None)[0]]


def welcome_message(mq: dict[str, str], **campaign: Any) -> str:
    """A welcome campaign and one new customer (anna) whose message is queued; its id."""
    reengagement({"type": "welcome"}, **campaign)
    at(T0)
    customer("anna")
    at(T0 + timedelta(minutes=1))
    report = jobs.run_watch()
    assert report.queued == 1, report
    (message_id,) = queued_ids(mq)
    return message_id


# ------------------------------------------------------------------------------------------- welcome


def test_welcome_is_queued_once_with_its_code_and_delivered(mq):
    gift = discount()
    campaign_id = reengagement(
        {"type": "welcome"}, incentive={"campaign_id": gift, "expires_in_days": 30}, messages={"email": {"en": GIFT}}
    )
    at(T0)
    customer("anna")
    at(T0 + timedelta(minutes=1))
    first = jobs.run_watch()
    assert (first.candidates, first.queued) == (1, 1)
    second = jobs.run_watch()  # the feed overlaps: anna's entry is read again
    assert second.candidates == 1 and second.queued == 0
    assert second.duplicates + second.skipped.get("already_welcomed", 0) == 1, second

    (message,) = messages_of("anna")
    assert message.campaign_id == campaign_id and message.occasion == "welcome" and message.status == "queued"
    assert message.to == "anna@example.com" and message.subject == "A gift, Anna"
    assert message.coupon_code and message.coupon_code in (message.body or "")
    assert codes_of(gift) == [message.coupon_code]
    code = code_store.get_code(message.coupon_code)
    assert code.customer_id == "anna" and code.expires_at == T0 + timedelta(minutes=1, days=30)
    assert queued_ids(mq) == [message.id]

    assert sender.deliver(message.id).outcome == "sent"
    sent = messages_of("anna")[0]
    assert sent.status == "sent" and sent.attempts == 1 and sent.provider_message_id
    assert ses_sent() == 1


def test_a_customer_is_welcomed_once_across_welcome_campaigns(mq):
    at(T0 - timedelta(hours=2))
    first = reengagement({"type": "welcome"})
    at(T0 - timedelta(hours=1))
    reengagement({"type": "welcome"}, name="Another welcome")
    at(T0)
    customer("anna")
    at(T0 + timedelta(minutes=1))
    report = jobs.run_watch()
    assert report.queued == 1 and report.skipped == {"already_welcomed": 1}, report
    assert [m.campaign_id for m in messages_of("anna")] == [first]  # the older campaign's
    again = jobs.run_watch()
    assert again.queued == 0 and again.duplicates + again.skipped.get("already_welcomed", 0) == 2, again
    assert len(messages_of("anna")) == 1


def test_the_watch_job_reads_an_entry_again_only_within_its_overlap(mq):
    welcome_message(mq)  # run at T0 + 1 min: the checkpoint is anna's entry (T0)
    at(T0 + timedelta(minutes=10))
    report = jobs.run_watch()  # re-read from 2 minutes before the checkpoint
    assert report.candidates == 1 and report.queued == 0, report
    assert report.duplicates + report.skipped.get("already_welcomed", 0) == 1, report
    at(T0 + timedelta(minutes=15))
    report = jobs.run_watch()
    assert report.candidates == 0 and report.items_read == 0, report
    assert len(messages_of("anna")) == 1


def test_welcome_serves_only_entries_made_after_the_campaign_was_created(mq):
    at(T0)
    customer("early")
    at(T0 + timedelta(minutes=1))
    reengagement({"type": "welcome"})
    customer("late")
    at(T0 + timedelta(minutes=2))
    report = jobs.run_watch()
    assert report.queued == 1, report
    assert messages_of("early") == [] and len(messages_of("late")) == 1


def test_segment_entered_is_queued_per_entry(mq):
    reengagement({"type": "segment_entered", "segment": "new_customers"})
    at(T0)
    customer("anna")
    at(T0 + timedelta(minutes=1))
    assert jobs.run_watch().queued == 1
    assert jobs.run_watch().duplicates == 1
    (message,) = messages_of("anna")
    assert message.occasion.startswith("entered:new_customers:2026-06-01T08:00")


# ------------------------------------------------------------------------------------------ birthday


@pytest.mark.parametrize("days_before", [0, 3])
def test_birthday_is_due_only_on_its_day(mq, days_before):
    campaign_id = reengagement({"type": "birthday", "days_before": days_before})
    at(T0)
    customer("anna", birthday={"month": 6, "day": 20})
    customer("bea", birthday={"month": 6, "day": 21})
    due = date(2026, 6, 20) - timedelta(days=days_before)
    for n in range(-3, 3):
        day = due + timedelta(days=n)
        report = daily(day)
        assert report.days == [day.isoformat()]
        assert len(messages_of("anna", campaign_id)) == (1 if n >= 0 else 0), day
        assert report.queued == (1 if n in (0, 1) else 0), (day, report)  # bea the day after
    (message,) = messages_of("anna", campaign_id)
    assert message.occasion == "birthday:2026"
    assert message.created_at == datetime(due.year, due.month, due.day, 8, tzinfo=UTC)


def test_a_29_february_birthday_is_celebrated_on_28_february_in_a_common_year(mq):
    campaign_id = reengagement({"type": "birthday"})
    at(datetime(2027, 1, 10, tzinfo=UTC))
    customer("leap", birthday={"month": 2, "day": 29})
    assert daily(date(2027, 2, 27)).queued == 0
    assert daily(date(2027, 2, 28)).queued == 1
    assert daily(date(2027, 3, 1)).queued == 0
    assert [m.occasion for m in messages_of("leap", campaign_id)] == ["birthday:2027"]


def test_missed_days_are_caught_up_and_a_second_run_queues_nothing_twice(mq):
    reengagement({"type": "birthday"})
    at(T0)
    customer("anna", birthday={"month": 6, "day": 20})
    daily(date(2026, 6, 17))
    report = daily(date(2026, 6, 22))  # 18..21 were missed
    assert report.days == ["2026-06-18", "2026-06-19", "2026-06-20", "2026-06-21", "2026-06-22"]
    assert report.queued == 1
    again = daily(date(2026, 6, 22), hour=15)
    assert again.days == ["2026-06-22"] and again.queued == 0


def test_a_birthday_set_after_the_days_run_is_found_by_a_second_run_the_same_day(mq):
    reengagement({"type": "birthday"})
    at(T0)
    customer("anna")
    daily(date(2026, 6, 20))
    at(datetime(2026, 6, 20, 11, tzinfo=UTC))
    customer("anna", birthday={"month": 6, "day": 20})
    assert daily(date(2026, 6, 20), hour=12).queued == 1


# ---------------------------------------------------------------------------------- signup anniversary


def test_signup_anniversary_needs_a_whole_year(mq):
    campaign_id = reengagement({"type": "signup_anniversary"})
    at(datetime(2026, 6, 1, tzinfo=UTC))
    customer("old", created_at="2025-06-20T10:00:00Z")
    customer("new", created_at="2026-06-01T00:00:00Z")
    at(datetime(2026, 6, 20, 6, tzinfo=UTC))
    customer("today")  # signed up on the day: the marker is today's
    report = daily(date(2026, 6, 20))
    assert report.queued == 1 and report.skipped == {"not_a_year_yet": 1}, report
    assert [m.occasion for m in messages_of("old", campaign_id)] == ["signup_anniversary:2026"]
    assert messages_of("today") == []


# -------------------------------------------------------------------------------------------- win back


def test_win_back_exactly_n_days_after_the_last_order(mq):
    campaign_id = reengagement({"type": "win_back", "days_since_last_order": 30})
    at(T0)
    customer("anna")
    customer("bea")
    order("o-a1", "anna", datetime(2026, 5, 1, 12, tzinfo=UTC))
    order("o-b1", "bea", datetime(2026, 5, 1, 12, tzinfo=UTC))
    order("o-b2", "bea", datetime(2026, 5, 10, 12, tzinfo=UTC))  # a newer order: not lapsed on 31 May
    assert daily(date(2026, 5, 30)).queued == 0
    report = daily(date(2026, 5, 31))
    assert report.queued == 1, report
    (message,) = messages_of("anna", campaign_id)
    assert message.occasion == "win_back:2026-05-01"
    assert messages_of("bea") == []
    assert daily(date(2026, 6, 1)).queued == 0
    assert daily(date(2026, 6, 9)).queued == 1
    assert [m.occasion for m in messages_of("bea", campaign_id)] == ["win_back:2026-05-10"]


def test_win_back_an_older_order_reported_late_does_not_move_the_last_order(mq):
    reengagement({"type": "win_back", "days_since_last_order": 30})
    at(T0)
    customer("cleo")
    order("o-c2", "cleo", datetime(2026, 5, 10, 12, tzinfo=UTC))
    order("o-c1", "cleo", datetime(2026, 5, 1, 12, tzinfo=UTC))
    assert daily(date(2026, 5, 31)).queued == 0
    assert daily(date(2026, 6, 9)).queued == 1


def test_win_back_counts_shop_local_days_for_an_order_just_after_local_midnight(mq):
    reengagement({"type": "win_back", "days_since_last_order": 30})
    at(T0)
    customer("late")
    order("o-l", "late", datetime(2026, 5, 1, 22, 30, tzinfo=UTC))  # 2 May 00:30 in Rome
    assert daily(date(2026, 5, 31)).queued == 0  # 29 days (and 8 hours) after the order
    assert daily(date(2026, 6, 1)).queued == 1


def test_signup_anniversary_counts_shop_local_days(mq):
    reengagement({"type": "signup_anniversary"})
    at(datetime(2026, 1, 1, tzinfo=UTC))
    customer("newyear", created_at="2025-12-31T23:30:00Z")  # 1 January 2026, 00:30 in Rome
    assert daily(date(2026, 12, 31)).queued == 0
    assert daily(date(2027, 1, 1)).queued == 1


def test_no_signup_anniversary_on_the_day_of_a_new_years_sign_up(mq):
    reengagement({"type": "signup_anniversary"})
    at(datetime(2025, 12, 31, 23, 30, tzinfo=UTC))  # 1 January 2026, 00:30 in Rome
    customer("newyear")
    report = daily(date(2026, 1, 1))
    assert report.queued == 0 and report.skipped == {"not_a_year_yet": 1}, report


# ------------------------------------------------------------------------------------ purchase anniversary


def test_purchase_anniversary_with_skus_or_categories(mq):
    gift = discount()
    campaign_id = reengagement(
        {"type": "purchase_anniversary", "months": 6, "skus": ["SKU-1"], "categories": ["shoes"]},
        incentive={"campaign_id": gift},
        messages={"email": {"en": GIFT}},
    )
    any_order = reengagement({"type": "purchase_anniversary", "months": 6})
    at(datetime(2026, 1, 1, tzinfo=UTC))
    for who in ("sku", "cat", "other", "later"):
        customer(who)
    ordered = datetime(2026, 1, 15, 12, tzinfo=UTC)
    order("o-sku", "sku", ordered, [line("SKU-1")])
    order("o-cat", "cat", ordered, [line("SKU-9", "shoes", "summer")])
    order("o-other", "other", ordered, [line("SKU-9", "bags")])
    order("o-later", "later", ordered + timedelta(days=1), [line("SKU-1")])
    assert daily(date(2026, 7, 14)).queued == 0
    report = daily(date(2026, 7, 15))
    assert report.queued == 5, report  # sku and cat on both campaigns, other on the any-order one
    assert [m.occasion for m in messages_of("sku", campaign_id)] == ["order:o-sku"]
    assert [m.occasion for m in messages_of("cat", campaign_id)] == ["order:o-cat"]
    assert messages_of("other", campaign_id) == []
    assert [m.occasion for m in messages_of("other", any_order)] == ["order:o-other"]
    assert messages_of("later") == []
    assert sorted(codes_of(gift)) == sorted(m.coupon_code for w in ("sku", "cat") for m in messages_of(w, campaign_id))

    before = {m.id for w in ("sku", "cat", "other") for m in messages_of(w)}
    again = daily(date(2026, 7, 15), hour=16)  # the same day again: found, not queued twice, no new code
    assert again.queued == 0 and again.duplicates == 5, again
    assert len(codes_of(gift)) == 2
    assert {m.id for w in ("sku", "cat", "other") for m in messages_of(w)} == before
    assert campaign_store.get(gift).stats.codes_issued == 2  # type: ignore[union-attr]


def test_purchase_anniversary_of_a_month_end_order(mq):
    campaign_id = reengagement({"type": "purchase_anniversary", "months": 6})
    at(datetime(2026, 8, 1, tzinfo=UTC))
    customer("eom")
    order("o-eom", "eom", datetime(2026, 8, 31, 12, tzinfo=UTC))
    assert daily(date(2027, 2, 27)).queued == 0
    assert daily(date(2027, 2, 28)).queued == 1
    assert [m.occasion for m in messages_of("eom", campaign_id)] == ["order:o-eom"]


# ------------------------------------------------------------------------------------- points expiring


def test_points_expiring_days_before_the_lot_expires(mq):
    loyalty_program(expiry={"policy": "fixed", "days": 30})
    campaign_id = reengagement(
        {"type": "points_expiring", "days_before": 7},
        messages={
            "email": {"en": {"subject": "{{ occasion.points }} points", "body": "<p>by {{ occasion.expires_at }}</p>"}}
        },
    )
    at(datetime(2026, 6, 1, 10, tzinfo=UTC))
    customer("pts")
    for n in (1, 2):
        customers.record_event(EngagementEventIn(id=f"rev-{n}", customer_id="pts", type="review", rating=5))
    assert daily(date(2026, 6, 23)).queued == 0
    assert daily(date(2026, 6, 24)).queued == 1
    (message,) = messages_of("pts", campaign_id)
    assert message.occasion == "points_expiring:2026-07-01"
    assert message.subject == "100 points"


# ---------------------------------------------------------------------------------------- audience


def test_no_message_without_consent_or_with_unconfirmed_consent(mq):
    reengagement({"type": "birthday"})
    at(T0)
    customer("yes", birthday={"month": 6, "day": 20})
    customer("no", birthday={"month": 6, "day": 20}, consent={"email": {"granted": False}})
    customer("none", birthday={"month": 6, "day": 20}, consent={})
    customer("unconfirmed", birthday={"month": 6, "day": 20})
    consent = {"email": {"granted": True, "at": "2026-06-01T08:00:00.000Z", "source": "enroll", "confirmed": False}}
    CustomerModel("unconfirmed", "facts").update(actions=[CustomerModel.consent.set(json.dumps(consent))])
    report = daily(date(2026, 6, 20))
    assert report.queued == 1 and report.skipped == {"consent": 3}, report
    assert [m.customer_id for m in messages_of("yes")] == ["yes"]


def test_frequency_cap_counts_messages_of_any_campaign_and_the_older_campaign_wins(mq):
    cap = {"frequency_cap": {"messages": 1, "days": 7}}
    at(T0 - timedelta(hours=1))
    second = reengagement({"type": "birthday"}, name="Second", audience=cap)
    at(T0 - timedelta(hours=2))
    first = reengagement({"type": "birthday"}, name="First", audience=cap)
    at(T0)
    customer("anna", birthday={"month": 6, "day": 20})
    report = daily(date(2026, 6, 20))
    assert report.queued == 1 and report.skipped == {"frequency_cap": 1}, report
    assert [m.campaign_id for m in messages_of("anna")] == [first]
    again = daily(date(2026, 6, 20), hour=12)
    assert again.queued == 0, again
    assert [m.campaign_id for m in messages_of("anna")] == [first]
    # a week later the cap has room again, but the second campaign's occasion (this birthday) has passed
    assert daily(date(2026, 6, 28)).queued == 0
    assert messages_of("anna", second) == []


def test_frequency_cap_counts_messages_queued_by_other_jobs(mq):
    reengagement({"type": "welcome"})
    reengagement({"type": "birthday"}, audience={"frequency_cap": {"messages": 1, "days": 30}})
    at(T0)
    customer("anna", birthday={"month": 6, "day": 20})
    at(T0 + timedelta(minutes=1))
    assert jobs.run_watch().queued == 1
    report = daily(date(2026, 6, 20))
    assert report.queued == 0 and report.skipped == {"frequency_cap": 1}, report


def test_nothing_is_queued_for_a_disabled_campaign_or_outside_its_window(mq):
    disabled = reengagement({"type": "birthday"})
    campaigns.set_enabled(disabled, False)
    reengagement({"type": "birthday"}, starts_at="2026-07-01T00:00:00Z")
    reengagement({"type": "birthday"}, ends_at="2026-06-20T00:00:00Z")
    at(T0)
    customer("anna", birthday={"month": 6, "day": 20})
    report = daily(date(2026, 6, 20))
    assert report.campaigns == 0 and report.queued == 0


# ------------------------------------------------------------------------------------------- sender


def test_deliver_twice_sends_once(mq):
    message_id = welcome_message(mq)
    assert sender.deliver(message_id).outcome == "sent"
    assert sender.deliver(message_id).outcome == "settled"
    assert ses_sent() == 1
    assert item(message_id).outbox is None


def test_the_email_sent_has_the_qr_and_one_click_unsubscribe(mq):
    from email import message_from_bytes, policy

    gift = discount()
    message_id = welcome_message(mq, incentive={"campaign_id": gift}, messages={"email": {"en": GIFT}})
    assert sender.deliver(message_id).outcome == "sent"
    (raw,) = ses_raw()
    sent = message_from_bytes(raw, policy=policy.default)
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["List-Unsubscribe"] == f"<{item(message_id).unsubscribe_url}>"
    assert [p.get_content_type() for p in sent.walk() if not p.is_multipart()] == [
        "text/plain",
        "text/html",
        "image/png",
    ]


def test_deliver_after_the_campaign_is_disabled_cancels(mq):
    message_id = welcome_message(mq)
    campaigns.set_enabled(item(message_id).campaign_id, False)
    assert sender.deliver(message_id).outcome == "cancelled"
    cancelled = item(message_id)
    assert cancelled.status == "cancelled" and cancelled.error_code == "campaign_disabled"
    assert ses_sent() == 0
    assert sender.deliver(message_id).outcome == "settled"


def test_deliver_after_consent_is_withdrawn_cancels(mq):
    message_id = welcome_message(mq)
    customer("anna", consent={"email": {"granted": False}})
    assert sender.deliver(message_id).outcome == "cancelled"
    assert item(message_id).error_code == "consent_withdrawn"
    assert ses_sent() == 0


def test_transient_errors_retry_with_backoff_then_fail_to_the_dlq(mq, monkeypatch):
    message_id = welcome_message(mq)
    calls = []

    def throttled(sender_email: str, to: str, raw: bytes, configuration_set: str = "") -> str:
        calls.append(to)
        raise channels.ChannelError("Throttling", "Maximum sending rate exceeded.")

    monkeypatch.setattr(channels, "send_email", throttled)
    base = get_settings().message_retry_base_seconds
    now = T0 + timedelta(minutes=2)
    for attempt in range(1, 5):
        at(now)
        delivery = sender.deliver(message_id)
        assert delivery == sender.Delivery("retry", base * 4 ** (attempt - 1))
        retrying = item(message_id)
        assert retrying.status == "retrying" and retrying.attempts == attempt
        assert retrying.error_code == "Throttling" and retrying.lease_until is None
        assert retrying.next_attempt_at == clock.iso(now + timedelta(seconds=delivery.delay))
        assert drain(mq["dlq"]) == []
        now += timedelta(seconds=delivery.delay)
    at(now)
    assert sender.deliver(message_id).outcome == "failed"
    failed = item(message_id)
    assert failed.status == "failed" and failed.attempts == 5 and failed.error_code == "Throttling"
    assert failed.outbox is None
    assert len(calls) == 5
    assert drain(mq["dlq"]) == [
        {"message_id": message_id, "reason": "Throttling", "error": "Maximum sending rate exceeded."}
    ]
    assert sender.deliver(message_id).outcome == "settled"


def test_a_permanent_error_fails_at_once_and_redrive_delivers_it(mq, monkeypatch):
    message_id = welcome_message(mq)
    monkeypatch.setenv("SENDER_EMAIL", "unverified@passaparola.local")  # moto's SES refuses it
    get_settings.cache_clear()
    assert sender.deliver(message_id).outcome == "failed"
    failed = item(message_id)
    assert failed.status == "failed" and failed.attempts == 1 and failed.error_code == "MessageRejected"
    (dead,) = drain(mq["dlq"])
    assert dead["message_id"] == message_id and dead["reason"] == "MessageRejected"

    # back on the DLQ to be re-driven, after the sender was fixed
    queues.dead_letter(message_id, "MessageRejected", "x")
    monkeypatch.setenv("SENDER_EMAIL", "shop@passaparola.local")
    get_settings.cache_clear()
    at(T0 + timedelta(hours=1))
    assert sender.redrive() == {"redriven": 1, "skipped": 0, "kept": 0}
    requeued = item(message_id)
    assert requeued.status == "queued" and requeued.attempts == 0 and requeued.outbox == "pending"
    assert drain(mq["dlq"]) == []
    assert queued_ids(mq) == [message_id]
    assert sender.deliver(message_id).outcome == "sent"
    assert item(message_id).attempts == 1
    assert ses_sent() == 1
    summary = message_store.results(str(requeued.campaign_id), [])["default"]
    assert (summary.queued, summary.sent, summary.failed) == (1, 1, 0)


def test_redrive_skips_what_is_not_failed_and_unknown_ids(mq):
    message_id = welcome_message(mq)
    assert sender.deliver(message_id).outcome == "sent"
    queues.dead_letter(message_id, "Throttling", "x")
    queues.dead_letter("msg_nope", "Throttling", "x")
    assert sender.redrive() == {"redriven": 0, "skipped": 2, "kept": 0}
    assert queued_ids(mq) == [] and drain(mq["dlq"]) == []
    assert item(message_id).status == "sent"


def test_a_claim_that_expired_mid_send_is_not_sent_again(mq):
    message_id = welcome_message(mq)
    now = T0 + timedelta(minutes=2)
    at(now)
    assert message_store.claim(message_id, now, now + sender.LEASE) is not None  # a sender that then crashed
    assert sender.deliver(message_id).outcome == "busy"
    at(now + sender.LEASE + timedelta(seconds=1))
    assert sender.deliver(message_id).outcome == "unknown"
    unknown = item(message_id)
    assert (unknown.status, unknown.error_code) == ("outcome_unknown", "sender_stopped")
    assert [d["reason"] for d in drain(mq["dlq"])] == ["outcome_unknown"]
    assert ses_sent() == 0


@pytest.mark.parametrize(
    ("code", "status"),
    [("timeout", None), ("connection_closed", None), ("InternalFailure", 500), ("BadGateway", 502)],
)
def test_a_send_whose_outcome_is_unknown_is_never_sent_again_unless_asked(mq, monkeypatch, code, status):
    message_id = welcome_message(mq)
    calls = []

    def ambiguous(sender_email: str, to: str, raw: bytes, configuration_set: str = "") -> str:
        calls.append(to)
        raise channels.ChannelError(code, "no clear answer", status)

    monkeypatch.setattr(channels, "send_email", ambiguous)
    at(T0 + timedelta(minutes=2))
    assert sender.deliver(message_id).outcome == "unknown"
    unknown = item(message_id)
    assert (unknown.status, unknown.error_code, unknown.attempts) == ("outcome_unknown", code, 1)
    assert unknown.outbox is None and unknown.lease_until is None
    (message,) = messages_of("anna")
    assert message.status == "outcome_unknown" and message.error and message.error.code == code
    # redelivered by SQS, relayed by the watch job later: nothing is sent again
    assert sender.deliver(message_id).outcome == "settled"
    at(T0 + timedelta(hours=2))
    jobs.run_watch()
    assert queued_ids(mq) == []
    assert len(calls) == 1
    summary = message_store.results(str(unknown.campaign_id), [])["default"]
    assert summary.outcome_unknown == 1
    assert message_store.by_status(str(unknown.campaign_id), []) == {"outcome_unknown": 1}
    # a re-drive keeps it on the dead-letter queue; only an explicit one sends it
    monkeypatch.undo()
    assert sender.redrive() == {"redriven": 0, "skipped": 0, "kept": 1}
    assert item(message_id).status == "outcome_unknown" and queued_ids(mq) == []
    assert sender.redrive(include_unknown=True) == {"redriven": 1, "skipped": 0, "kept": 0}
    assert queued_ids(mq) == [message_id]
    assert sender.deliver(message_id).outcome == "sent"
    assert ses_sent() == 1
    summary = message_store.results(str(unknown.campaign_id), [])["default"]
    assert (summary.sent, summary.outcome_unknown) == (1, 0)


def test_a_refusal_is_retried_and_never_marked_unknown(mq, monkeypatch):
    message_id = welcome_message(mq)
    monkeypatch.setattr(
        channels,
        "send_email",
        lambda *a: (_ for _ in ()).throw(channels.ChannelError("connect", "could not connect")),
    )
    at(T0 + timedelta(minutes=2))
    assert sender.deliver(message_id).outcome == "retry"
    assert item(message_id).status == "retrying"


def test_watch_relays_pending_messages_whose_enqueue_was_lost(mq):
    message_id = welcome_message(mq)  # queued at T0 + 1 min, and its SQS message taken (lost)
    at(T0 + timedelta(minutes=2))
    assert jobs.run_watch().requeued == 0  # within the grace period
    assert queued_ids(mq) == []
    at(T0 + timedelta(minutes=6))
    assert jobs.run_watch().requeued == 1
    assert queued_ids(mq) == [message_id]
    assert sender.deliver(message_id).outcome == "sent"
    at(T0 + timedelta(minutes=15))
    assert jobs.run_watch().requeued == 0


def test_a_lost_enqueue_at_queue_time_is_relayed_later(mq, monkeypatch):
    reengagement({"type": "welcome"})
    at(T0)
    customer("anna")

    def down(ids: list[str]) -> None:
        raise RuntimeError("SQS is down")

    monkeypatch.setattr(queues, "send_messages", down)
    at(T0 + timedelta(minutes=1))
    assert jobs.run_watch().queued == 1
    monkeypatch.undo()
    (message,) = messages_of("anna")
    assert message.status == "queued" and queued_ids(mq) == []
    at(T0 + timedelta(minutes=5))
    jobs.run_watch()
    assert queued_ids(mq) == [message.id]


def test_a_retrying_message_is_relayed_after_its_backoff(mq, monkeypatch):
    message_id = welcome_message(mq)
    monkeypatch.setattr(
        channels, "send_email", lambda *a: (_ for _ in ()).throw(channels.ChannelError("Throttling", "slow"))
    )
    at(T0 + timedelta(minutes=2))
    assert sender.deliver(message_id).outcome == "retry"
    monkeypatch.undo()
    at(T0 + timedelta(minutes=5))
    jobs.run_watch()
    assert queued_ids(mq) == [message_id]
    assert sender.deliver(message_id).outcome == "sent"


def test_erasing_the_customer_scrubs_the_address_and_texts_of_their_messages(mq):
    message_id = welcome_message(mq)
    assert sender.deliver(message_id).outcome == "sent"
    customers.erase("anna")
    (message,) = messages_of("anna")
    assert message.to is None and message.subject is None and message.body is None
    scrubbed = item(message_id)
    assert scrubbed.text is None and scrubbed.unsubscribe_url is None
    assert message.status == "sent" and message.provider_message_id
    assert customer_store.read("anna") is not None


def test_erasure_does_not_recreate_a_message_deleted_after_the_index_was_read(mq, monkeypatch):
    message_id = welcome_message(mq)
    listed = list(MessageModel.by_customer.query("anna"))
    item(message_id).delete()
    monkeypatch.setattr(MessageModel.by_customer, "query", lambda *a, **k: iter(listed))
    assert message_store.erase("anna") == 0
    assert MessageModel.count(hash_key=message_id) == 0


def test_a_queued_message_of_an_erased_customer_is_cancelled(mq):
    message_id = welcome_message(mq)
    customers.erase("anna")
    assert sender.deliver(message_id).outcome == "cancelled"
    assert item(message_id).error_code == "customer_erased"
    assert ses_sent() == 0


# ------------------------------------------------------------------------------------------ incentives


def test_a_points_incentive_is_credited_once_with_the_message(mq):
    loyalty_program()
    campaign_id = reengagement(
        {"type": "welcome"},
        incentive={"points": 100},
        messages={"email": {"en": {"subject": "{{ points }} points for you", "body": "<p>Welcome</p>"}}},
    )
    at(T0)
    customer("anna")
    at(T0 + timedelta(minutes=1))
    assert jobs.run_watch().queued == 1
    jobs.run_watch()  # the entry again: already welcomed, no second credit
    (message,) = messages_of("anna")
    assert message.points == 100 and message.subject == "100 points for you"
    record = customer_store.read("anna")
    assert record is not None and int(record.balance or 0) == 100
    from passaparola.loyalty import service as loyalty

    lines = [e for e in loyalty.ledger("anna", 50, None).items if e.points == 100]
    assert [e.reason for e in lines] == [f"reengagement:{campaign_id}"]


def test_by_category_picks_the_favourite_categorys_discount_campaign(mq):
    fallback, shoes = discount(), discount()
    campaign_id = reengagement(
        {"type": "win_back", "days_since_last_order": 30},
        incentive={"campaign_id": fallback, "by_category": {"shoes": shoes}},
        messages={"email": {"en": GIFT}},
    )
    at(T0)
    customer("shoe")
    customer("bag")
    order("o-s", "shoe", datetime(2026, 5, 1, 12, tzinfo=UTC), [line("S1", "shoes"), line("B1", "bags")])
    order("o-s2", "shoe", datetime(2026, 5, 1, 13, tzinfo=UTC), [line("S2", "shoes")])
    order("o-b", "bag", datetime(2026, 5, 1, 12, tzinfo=UTC), [line("B1", "bags")])
    assert daily(date(2026, 5, 31)).queued == 2
    (to_shoe,) = messages_of("shoe", campaign_id)
    (to_bag,) = messages_of("bag", campaign_id)
    assert codes_of(shoes) == [to_shoe.coupon_code]
    assert codes_of(fallback) == [to_bag.coupon_code]


# -------------------------------------------------------------------------------------- sms, unsubscribe


def test_sms_goes_through_sns_with_stop_and_the_link(mq):
    from moto.sns.models import sns_backends

    reengagement(
        {"type": "welcome"},
        audience={"channels": ["sms", "email"]},
        messages={"sms": {"en": {"body": "Hi {{ customer.first_name }}"}}, "email": {"en": HELLO}},
    )
    at(T0)
    customer("anna", phone="+393331234567", consent={"sms": {"granted": True}, "email": {"granted": True}})
    at(T0 + timedelta(minutes=1))
    assert jobs.run_watch().queued == 1
    (message,) = messages_of("anna")
    assert message.channel == "sms" and message.to == "+393331234567"
    assert message.body and message.body.startswith("Hi Anna Stop: https://")
    assert sender.deliver(message.id).outcome == "sent"
    sms = sns_backends["123456789012"]["us-east-1"].sms_messages
    assert [(phone, text) for phone, text, *_ in sms.values()] == [("+393331234567", message.body)]
    assert ses_sent() == 0


def test_one_click_unsubscribe_cancels_what_is_still_queued(mq):
    from urllib.parse import parse_qs, urlsplit

    from passaparola.messages import service

    message_id = welcome_message(mq)
    url = item(message_id).unsubscribe_url
    assert url
    token = parse_qs(urlsplit(url).query)["token"][0]
    assert service.unsubscribe(token).answer.channel == "email"
    assert service.unsubscribe(token).answer.channel == "email"  # a second click answers the same
    record = customer_store.read("anna")
    assert record is not None and json.loads(record.consent or "{}")["email"]["granted"] is False
    assert sender.deliver(message_id).outcome == "cancelled"
    assert item(message_id).error_code == "consent_withdrawn"
    results = message_store.results(str(item(message_id).campaign_id), [])["default"]
    assert (results.unsubscribed, results.cancelled, results.sent) == (1, 1, 0)
