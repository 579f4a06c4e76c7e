"""Double opt-in (docs/shopper.md): consent given in a browser is confirmed by the customer through a signed link
sent once (per 24 h) through the outbox; only confirmed consent counts for segments and messages."""

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from passaparola import clock
from passaparola.campaigns import service as campaigns
from passaparola.campaigns.models import LoyaltyCampaignCreate
from passaparola.customers import service as customers
from passaparola.customers.models import Consent, CustomerPut
from passaparola.customers.record import Change
from passaparola.data import campaigns as campaign_store
from passaparola.data import customers as customer_store
from passaparola.data import messages as message_store
from passaparola.data import stats
from passaparola.keyring import Purpose
from passaparola.loyalty import tokens
from passaparola.messages import consent as opt_in
from passaparola.messages import sender, unsubscribe
from passaparola.settings import get_settings
from tests.unit.functions import PUBLISHABLE, SECRET, call, load_function

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ENROLL = "/v1/loyalty/enroll"
CONFIRM = "/v1/consent/confirm"


def client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1")


@pytest.fixture
def fns(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    monkeypatch.setattr(stats, "_shop_ready", False)
    get_settings.cache_clear()
    campaign_store._CACHE.clear()
    settings = get_settings()
    client("sqs").create_queue(QueueName=settings.message_queue_url.rsplit("/", 1)[1])
    client("sqs").create_queue(QueueName=settings.message_dlq_url.rsplit("/", 1)[1])
    assert settings.sender_email
    client("ses").verify_email_identity(EmailAddress=settings.sender_email)
    clock.set_clock(lambda: START)
    body = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]}
    campaigns.create(LoyaltyCampaignCreate.model_validate(body))
    campaign_store._CACHE.clear()
    yield {"customers": load_function("customers"), "messages": load_function("messages")}
    campaign_store._CACHE.clear()
    get_settings.cache_clear()


def later(**delta: int) -> None:
    at = clock.now() + timedelta(**delta)
    clock.set_clock(lambda: at)


def enroll(
    fns: dict[str, ModuleType], body: dict[str, Any], key: str = PUBLISHABLE, headers: dict[str, str] | None = None
):
    reply = call(fns["customers"], "POST", ENROLL, ENROLL, body, key=key, headers=headers)
    assert reply.status in (200, 201), reply.body
    return reply


def confirmations(customer_id: str) -> list[Any]:
    page = message_store.for_customer(customer_id, 50, None)[0]
    return [m for m in page if m.trigger == opt_in.TRIGGER]


def emails() -> list[EmailMessage]:
    from moto.ses.models import ses_backends

    sent = ses_backends["123456789012"]["us-east-1"].sent_messages
    raw = [m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data for m in sent]
    return [message_from_bytes(r, _class=EmailMessage, policy=policy.default) for r in raw]  # type: ignore[misc]


def sms() -> list[str]:
    from moto.sns.models import sns_backends

    return [m[1] for m in sns_backends["123456789012"]["us-east-1"].sms_messages.values()]


def link_of(text: str) -> str:
    start = text.index("http")
    return text[start:].split()[0]


def confirm(fns: dict[str, ModuleType], token: str, html: bool = False, method: str = "POST"):
    headers = {"Accept": "text/html", "Accept-Language": "de"} if html else None
    return call(fns["messages"], method, CONFIRM, CONFIRM, key=None, query={"token": token}, headers=headers)


def segment_state(customer_id: str) -> Any:
    """What segment conditions see (`consent_email`, `consent_sms`)."""
    return Change(customer_id, customer_store.read(customer_id), clock.now(), campaign_store.loyalty_program()).state()


def consent_of(customer_id: str) -> dict[str, Any]:
    record = customer_store.read(customer_id)
    assert record is not None
    return json.loads(record.consent or "{}")


def test_enrolling_sends_one_confirmation_per_channel_and_each_link_confirms_only_its_own(fns) -> None:
    body = {"email": "Anna@Example.com", "phone": "+393331234567", "name": "Anna", "locale": "it-IT"}
    joined = enroll(fns, body | {"consent": {"email": True, "sms": True}})
    cid = joined.body["customer_id"]
    assert consent_of(cid)["email"]["confirmed"] is False
    by_channel = {m.channel: m for m in confirmations(cid)}
    assert set(by_channel) == {"email", "sms"}  # the SMS consent gets its own link, to the phone
    message = by_channel["email"]
    assert message.channel == "email" and message.to == "Anna@Example.com" and message.locale == "it"
    assert message.status == "queued" and message.campaign_id == ""
    assert by_channel["sms"].to == "+393331234567"
    # the sender delivers it (the customer's consent does not count yet: that is the point)
    assert sender.deliver(message.id).outcome == "sent"
    [email] = emails()
    assert email["Subject"] == "Conferma la tua iscrizione" and email["List-Unsubscribe"] is None
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = link_of(text)
    assert urlsplit(link).path.endswith(CONFIRM)
    token = parse_qs(urlsplit(link).query)["token"][0]
    # not counted before the click: no message of any campaign may go, no `consent` segment condition holds
    assert not sender.consent_counts(consent_of(cid)["email"]) and not segment_state(cid).consent_email
    # opening the link (a mail scanner does) shows a button and confirms nothing
    opened = confirm(fns, token, html=True, method="GET")
    assert opened.status == 200 and "<form method='post'" in opened.body and "Conferma</button>" in opened.body
    assert "script" not in opened.body and "<img" not in opened.body
    csp = opened.headers["Content-Security-Policy"]
    assert "form-action 'self'" in csp and "default-src 'none'" in csp
    (style,) = re.findall(r"<style>(.*?)</style>", opened.body)  # its own style only, allowed by its hash
    assert f"style-src 'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'" in csp
    assert consent_of(cid)["email"]["confirmed"] is False
    done = confirm(fns, token)
    assert done.status == 200 and done.body == {"confirmed": True, "channels": ["email"]}
    after = consent_of(cid)
    assert after["email"]["confirmed"] is True and after["email"]["confirmed_at"]
    # the email link never vouches for the phone number typed beside it: that waits for its own SMS link
    assert after["sms"]["confirmed"] is False
    assert sender.consent_counts(after["email"]) and not sender.consent_counts(after["sms"])
    assert segment_state(cid).consent_email and not segment_state(cid).consent_sms
    assert customers.get(cid).consent["email"].confirmed is True
    assert sender.deliver(by_channel["sms"].id).outcome == "sent"  # still waiting: it goes
    [sent] = sms()
    sms_token = parse_qs(urlsplit(link_of(sent)).query)["token"][0]
    assert confirm(fns, sms_token).body == {"confirmed": True, "channels": ["sms"]}
    assert segment_state(cid).consent_sms
    # clicking twice answers the same and changes nothing
    at = after["email"]["confirmed_at"]
    later(minutes=5)
    again = confirm(fns, token, html=True)
    assert again.status == 200 and "Iscrizione confermata" in again.body  # the customer's language, not the browser's
    assert consent_of(cid)["email"]["confirmed_at"] == at


def test_a_link_confirms_only_the_address_it_was_sent_to(fns) -> None:
    cid = enroll(fns, {"email": "ivo@example.com", "consent": {"email": True}}).body["customer_id"]
    token = opt_in.token(cid, "email", "ivo@example.com", clock.now())
    # a link for the same customer's phone (never sent), or for another address, confirms nothing
    assert confirm(fns, opt_in.token(cid, "sms", "+393330000000", clock.now())).body["confirmed"] is False
    assert confirm(fns, opt_in.token(cid, "email", "other@example.com", clock.now())).body["confirmed"] is False
    assert consent_of(cid)["email"]["confirmed"] is False
    customers.put(cid, CustomerPut(email="new@example.com"))
    assert confirm(fns, token).body == {"confirmed": False, "channels": []}  # the address changed since
    assert consent_of(cid)["email"]["confirmed"] is False


def test_a_bad_link_opened_in_a_browser_gets_a_page(fns) -> None:
    cid = enroll(fns, {"email": "ugo@example.com", "consent": {"email": True}}).body["customer_id"]
    token = opt_in.token(cid, "email", "ugo@example.com", clock.now())
    for method in ("GET", "POST"):
        bad = confirm(fns, "nonsense", html=True, method=method)
        assert bad.status == 401 and bad.headers["Content-Type"].startswith("text/html"), bad.body
        assert "Dieser Link ist ungültig." in bad.body
        assert confirm(fns, "nonsense", method=method).body["error"]["code"] == "invalid_token"
    later(days=8)
    expired = confirm(fns, token, html=True, method="GET")
    assert expired.status == 401 and "Dieser Link ist abgelaufen" in expired.body


def test_a_repeated_enroll_sends_nothing_new_within_24_hours(fns) -> None:
    body = {"email": "bob@example.com", "consent": {"email": True}}
    cid = enroll(fns, body).body["customer_id"]
    later(hours=2)
    assert enroll(fns, body).status == 200
    assert len(confirmations(cid)) == 1
    later(hours=23)  # the first message was lost: a day later, asking again sends a new one
    enroll(fns, body)
    assert len(confirmations(cid)) == 2
    later(hours=1)
    token = opt_in.token(cid, "email", "bob@example.com", clock.now())
    assert confirm(fns, token).body["confirmed"] is True
    later(days=2)
    enroll(fns, body)  # confirmed: nothing left to ask
    assert len(confirmations(cid)) == 2


def test_no_confirmation_without_pending_consent_or_when_the_shop_vouched(fns) -> None:
    cid = enroll(fns, {"email": "carla@example.com", "consent": {"email": False}}).body["customer_id"]
    assert confirmations(cid) == []
    vouched = {"X-Customer-Token": tokens.issue("shop_42", clock.now(), timedelta(hours=1))[0]}
    enroll(fns, {"email": "dora@example.com", "consent": {"email": True}}, headers=vouched)
    assert confirmations("shop_42") == [] and consent_of("shop_42")["email"].get("confirmed") is None


def test_a_phone_only_enrollment_gets_the_link_by_sms(fns) -> None:
    cid = enroll(fns, {"phone": "+393331234567", "locale": "fr", "consent": {"sms": True}}).body["customer_id"]
    [message] = confirmations(cid)
    assert message.channel == "sms" and message.to == "+393331234567"
    assert sender.deliver(message.id).outcome == "sent"
    [text] = sms()
    assert text.startswith("Confirmez votre inscription : http")
    token = parse_qs(urlsplit(link_of(text)).query)["token"][0]
    assert confirm(fns, token).body == {"confirmed": True, "channels": ["sms"]}


def test_forged_expired_and_foreign_tokens_are_refused(fns) -> None:
    cid = enroll(fns, {"email": "eve@example.com", "consent": {"email": True}}).body["customer_id"]
    good = opt_in.token(cid, "email", "eve@example.com", clock.now())
    head, sig = good.split(".")
    claims = {"cid": "someone_else", "ch": "email", "to": "x", "exp": 9999999999}
    forged_payload = tokens._b64(json.dumps(claims).encode())
    for bad in (f"{forged_payload}.{sig}", "nonsense", f"{head}.{sig[:-2]}xx", ""):
        reply = confirm(fns, bad)
        assert reply.status in (400, 401), (bad, reply.body)
        if bad:
            assert reply.body["error"]["code"] == "invalid_token", bad
    # an unsubscribe token, signed by the same secret, is not a confirmation (and the other way round)
    other = unsubscribe.token(cid, "email", "msg_x")
    assert confirm(fns, other).body["error"]["code"] == "invalid_token"
    unsub = call(fns["messages"], "GET", "/v1/unsubscribe", "/v1/unsubscribe", key=None, query={"token": good})
    assert unsub.status == 401
    later(days=7, seconds=1)
    expired = confirm(fns, good)
    assert expired.status == 401 and expired.body["error"]["code"] == "token_expired"
    assert consent_of(cid)["email"]["confirmed"] is False
    assert opt_in.PURPOSE is Purpose.UNSUBSCRIBE


def test_withdrawn_consent_stays_withdrawn_and_an_erased_customer_confirms_nothing(fns) -> None:
    cid = enroll(fns, {"email": "fred@example.com", "consent": {"email": True}}).body["customer_id"]
    token = opt_in.token(cid, "email", "fred@example.com", clock.now())
    [message] = confirmations(cid)
    customers.put(cid, CustomerPut(email="fred@example.com", consent={"email": Consent(granted=False)}))
    assert sender.deliver(message.id).outcome == "cancelled"  # nothing left to confirm
    assert confirm(fns, token).body == {"confirmed": False, "channels": []}
    assert consent_of(cid)["email"]["granted"] is False
    erased = call(fns["customers"], "DELETE", f"/v1/customers/{cid}", "/v1/customers/{customer_id}", key=SECRET)
    assert erased.status == 200, erased.body
    assert confirm(fns, token).body == {"confirmed": False, "channels": []}


def test_the_shop_putting_consent_confirms_it(fns) -> None:
    cid = enroll(fns, {"email": "gina@example.com", "consent": {"email": True}}).body["customer_id"]
    customers.put(cid, CustomerPut(email="gina@example.com", consent={"email": Consent(granted=True)}))
    assert sender.consent_counts(consent_of(cid)["email"])
    [message] = confirmations(cid)
    assert sender.deliver(message.id).outcome == "cancelled" and emails() == []


def test_the_sender_cancels_a_confirmation_whose_own_channel_no_longer_waits(fns) -> None:
    body = {"email": "lia@example.com", "phone": "+393339876543", "consent": {"email": True, "sms": True}}
    cid = enroll(fns, body).body["customer_id"]
    by_channel = {m.channel: m for m in confirmations(cid)}
    assert confirm(fns, opt_in.token(cid, "email", "lia@example.com", clock.now())).body["channels"] == ["email"]
    assert sender.deliver(by_channel["email"].id).outcome == "cancelled"  # email confirmed meanwhile
    assert sender.deliver(by_channel["sms"].id).outcome == "sent"  # the phone still waits for its own link
