"""Re-engagement campaigns and the message log over real HTTP, against docs/messages.md (the contract).

Helpers for the messaging tests: re-engagement campaigns (disabled again when the test ends), customers with
consent, orders, the jobs (`ReengagementWatchFunction`, `ReengagementDailyFunction`, `MessageRedriveFunction`),
SES/SNS fault injection (`POST /local/faults`) and polling the message log until the sender is done.

Everything runs in the session's one local stack:
- the stack's SQS poller delivers `MessageQueue` to `MessageSenderFunction` in the background, so after a job a
  test polls `GET /v1/customers/{id}/messages` until its messages reach a final status;
- the jobs are global: a test asserts on its own customers and filters messages by its own campaign ids, and
  every campaign a test creates is disabled when it ends (`Messaging.cleanup`), so no campaign of an earlier
  test messages a later test's customers;
- the clock is the loyalty suite's forward-only clock (`loyalty.Clock`, `loyalty.next_start`): the daily job
  remembers the last shop-local day it completed, so its clock must never go back within a session.
"""

from __future__ import annotations

import contextlib
import html
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import requests
from api import uid
from loyalty import Clock, Loyalty, iso, line, parse_ts  # noqa: F401 - re-exported for the test modules

WATCH_JOB = "ReengagementWatchFunction"
DAILY_JOB = "ReengagementDailyFunction"
REDRIVE_JOB = "MessageRedriveFunction"
SHOP_TZ = "Europe/Rome"

FINAL = frozenset({"sent", "failed", "cancelled", "outcome_unknown"})
STATUSES = frozenset(
    {"queued", "sending", "retrying", "sent", "failed", "cancelled", "outcome_unknown", "bounced", "complained"}
)
MESSAGE_FIELDS = frozenset(
    {
        "id",
        "campaign_id",
        "customer_id",
        "trigger",
        "occasion",
        "reason",
        "channel",
        "locale",
        "variant",
        "to",
        "subject",
        "body",
        "coupon_code",
        "points",
        "status",
        "attempts",
        "provider_message_id",
        "error",
        "created_at",
        "sent_at",
        "updated_at",
    }
)
SEND_TIMEOUT = 30.0
"""Seconds a queued message may take to reach a final status through the background sender."""

# The default templates: the unsubscribe link is left out on purpose (the sender adds a footer with it).
EMAIL_EN = {"subject": "Hello {{ customer.name }}", "body": "<p>Hi {{ customer.first_name }}</p>"}


# --------------------------------------------------------------------------------------- plain helpers
def email_of(customer_id: str) -> str:
    return f"{customer_id.lower()}@example.org"


def new_phone() -> str:
    """A fresh Italian mobile number in E.164."""
    return "+3933" + str(uuid.uuid4().int % 10**8).zfill(8)


def granted(*channels: str) -> dict[str, dict[str, Any]]:
    """Consent granted (by the shop's backend: confirmed) for these channels."""
    return {c: {"granted": True} for c in channels}


def wait_for(fn: Callable[[], Any], timeout: float = SEND_TIMEOUT, interval: float = 0.3, what: str = "") -> Any:
    """Poll `fn` until it returns something truthy; fail with its last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    value = None
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not met within {timeout:.0f}s: {what or fn}; last value: {value!r}")
        time.sleep(interval)


def token_of(url: str) -> str:
    """The `token` query parameter of an unsubscribe URL."""
    values = parse_qs(urlsplit(url).query).get("token")
    assert values, f"no token in {url!r}"
    return values[0]


def unsubscribe_urls(text: str) -> list[str]:
    """Every unsubscribe link in a rendered body (HTML attributes unescaped)."""
    return [html.unescape(m) for m in re.findall(r"https?://[^\s\"'<>]*/v1/unsubscribe\?token=[^\s\"'<>]+", text)]


def tampered(token: str) -> list[str]:
    """Forgeries of a `payload.signature` token: a flipped signature character, a flipped payload character,
    the signature dropped, a signature of another length, junk."""
    payload, _, signature = token.partition(".")

    def flip(s: str, i: int) -> str:
        c = s[i]
        return s[:i] + ("A" if c != "A" else "B") + s[i + 1 :]

    out = [f"{payload}.{flip(signature, len(signature) // 2)}"]
    if payload:
        out.append(f"{flip(payload, len(payload) // 2)}.{signature}")
    out += [payload, f"{payload}.{signature[:-4]}", "not-a-token", f"{payload}.{signature}x"]
    return out


def of_campaign(messages: Iterable[dict], campaign_id: str) -> list[dict]:
    return [m for m in messages if m["campaign_id"] == campaign_id]


# --------------------------------------------------------------------------------------- the client
class Messaging(Loyalty):
    """`Loyalty` (customers, orders, events, segments) plus re-engagement campaigns, the message log, the jobs
    and fault injection. Campaigns made with `reengagement()` are disabled by `cleanup()` (the fixture calls it)."""

    def __init__(self, stack: Any) -> None:
        super().__init__(stack)
        self.created: list[str] = []
        self.faults_set = False

    # -- campaigns ---------------------------------------------------------------------------------------
    def create_reengagement(self, **fields: Any) -> requests.Response:
        body: dict[str, Any] = {"name": f"re {uid()}", "type": "reengagement", **fields}
        r = self.post("/v1/campaigns", json=body)
        if r.status_code == 201:
            self.created.append(r.json()["id"])
        return r

    def reengagement(self, trigger: dict | str = "welcome", **fields: Any) -> dict:
        """A re-engagement campaign (201), English email by default; disabled again when the test ends."""
        if isinstance(trigger, str):
            trigger = {"type": trigger}
        if "variants" not in fields:
            fields.setdefault("messages", {"email": {"en": EMAIL_EN}})
        fields.setdefault("audience", {"channels": ["email"]})
        r = self.create_reengagement(trigger=trigger, **fields)
        assert r.status_code == 201, f"create reengagement {trigger} {fields} → {r.status_code} {r.text}"
        return r.json()

    def discount(self, **overrides: Any) -> dict:
        """A discount campaign to issue re-engagement coupons from (10 % off by default)."""
        return self.create_campaign(**overrides)

    def set_enabled(self, campaign_id: str, enabled: bool) -> dict:
        r = self.post(f"/v1/campaigns/{campaign_id}/{'enable' if enabled else 'disable'}", json={})
        assert r.status_code == 200, f"{'enable' if enabled else 'disable'} {campaign_id} → {r.status_code} {r.text}"
        return r.json()

    def cleanup(self) -> None:
        """Disable every campaign this test created (best effort), clear injected faults."""
        for campaign_id in self.created:
            with contextlib.suppress(requests.RequestException):
                self.post(f"/v1/campaigns/{campaign_id}/disable", json={})
        if self.faults_set:
            self.clear_faults()

    # -- customers ---------------------------------------------------------------------------------------
    def shopper(
        self,
        customer_id: str | None = None,
        channels: Iterable[str] = ("email",),
        name: str | None = "Anna Rossi",
        **profile: Any,
    ) -> str:
        """A customer with an email (and consent for `channels`, given by the shop: confirmed); returns the id."""
        customer_id = customer_id or uid("msg-")
        profile.setdefault("email", email_of(customer_id))
        profile.setdefault("consent", granted(*channels))
        if name is not None:
            profile.setdefault("name", name)
        self.profile(customer_id, **profile)
        return customer_id

    # -- the message log ---------------------------------------------------------------------------------
    def customer_messages_response(self, customer_id: str, **params: Any) -> requests.Response:
        return self.get(f"/v1/customers/{customer_id}/messages", params=params or None)

    def messages(self, customer_id: str, campaign_id: str | None = None) -> list[dict]:
        """The customer's messages (every page, newest first), only `campaign_id`'s if given."""
        items = self.pages(f"/v1/customers/{customer_id}/messages")
        return items if campaign_id is None else of_campaign(items, campaign_id)

    def campaign_messages(self, campaign_id: str, **params: Any) -> dict:
        r = self.get(f"/v1/campaigns/{campaign_id}/messages", params=params or None)
        assert r.status_code == 200, f"GET /v1/campaigns/{campaign_id}/messages → {r.status_code} {r.text}"
        return r.json()

    def campaign_items(self, campaign_id: str, status: str | None = None) -> list[dict]:
        params = {"status": status} if status else None
        return self.pages(f"/v1/campaigns/{campaign_id}/messages", params)

    def settled(
        self,
        customer_id: str,
        campaign_id: str,
        count: int = 1,
        timeout: float = SEND_TIMEOUT,
        final: Iterable[str] = FINAL,
    ) -> list[dict]:
        """Wait until the customer has `count` messages of the campaign, all in a final status; returns them."""
        final = frozenset(final)

        def done() -> list[dict] | None:
            mine = self.messages(customer_id, campaign_id)
            if len(mine) >= count and all(m["status"] in final for m in mine):
                return mine
            return None

        return wait_for(done, timeout, what=f"{count} message(s) of {campaign_id} to {customer_id} in {set(final)}")

    def sent(self, customer_id: str, campaign_id: str, count: int = 1, timeout: float = SEND_TIMEOUT) -> list[dict]:
        """Wait for the campaign's messages to the customer to settle; assert exactly `count`, all sent."""
        mine = self.settled(customer_id, campaign_id, count, timeout)
        assert len(mine) == count, f"expected {count} message(s), got {len(mine)}: {mine}"
        assert all(m["status"] == "sent" for m in mine), mine
        return mine

    def status_of(self, customer_id: str, message_id: str) -> dict:
        return next(m for m in self.messages(customer_id) if m["id"] == message_id)

    def nothing_for(self, customer_ids: Iterable[str], campaign_id: str, grace: float = 2.0) -> None:
        """No message of the campaign for these customers (after a short grace period for a late sender)."""
        time.sleep(grace)
        for customer_id in customer_ids:
            mine = self.messages(customer_id, campaign_id)
            assert mine == [], f"{customer_id} should get nothing from {campaign_id}: {mine}"

    # -- jobs --------------------------------------------------------------------------------------------
    def watch(self) -> dict:
        return self.stack.run_job(WATCH_JOB)

    def daily_messages(self) -> dict:
        return self.stack.run_job(DAILY_JOB)

    def redrive(self, include_unknown: bool = False) -> Any:
        return self.stack.run_job(REDRIVE_JOB, {"include_unknown": True} if include_unknown else None)

    # -- unsubscribe -------------------------------------------------------------------------------------
    def unsubscribe(self, token: str, method: str = "GET", **kw: Any) -> requests.Response:
        if method == "GET":
            return self.request("GET", "/v1/unsubscribe", key=None, params={"token": token}, **kw)
        return self.request(
            "POST",
            "/v1/unsubscribe",
            key=None,
            params={"token": token},
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})},
            **kw,
        )

    # -- faults ------------------------------------------------------------------------------------------
    def faults(self, **body: Any) -> dict:
        """POST /local/faults, e.g. `faults(ses={"error": "Throttling", "count": 3})`, `faults(ses=None)`."""
        r = requests.post(
            f"{self.url}/local/faults",
            json=body,
            headers={"Authorization": f"Bearer {self.stack.secret_key}"},
            timeout=30,
        )
        assert r.status_code == 200, f"POST /local/faults {body} → {r.status_code} {r.text}"
        self.faults_set = True
        return r.json() if r.content else {}

    def clear_faults(self) -> None:
        self.faults(ses=None, sns=None)

    def accepted(self, service: str, recipient: str) -> int:
        """How many sending calls to `recipient` the emulated SES or SNS accepted (GET /local/faults)."""
        r = requests.get(
            f"{self.url}/local/faults", headers={"Authorization": f"Bearer {self.stack.secret_key}"}, timeout=30
        )
        assert r.status_code == 200, f"GET /local/faults → {r.status_code} {r.text}"
        return int(r.json()["accepted"][service].get(recipient, 0))


# --------------------------------------------------------------------------------------- calendar helpers
def add_months(day: date, months: int) -> date:
    """The same day-of-month `months` later (negative: earlier); the caller keeps day-of-month ≤ 28."""
    year, month = divmod(day.month - 1 + months, 12)
    assert day.day <= 28, day
    return date(day.year + year, month + 1, day.day)


def plain_day(clock: Clock, ahead: int = 1) -> date:
    """A day at least `ahead` days after the clock's, on the 1st-25th of a month other than December (no month
    ends, no leap days, no year change within a few days): the clock is moved forward if needed (not onto it)."""
    day = clock.today + timedelta(days=ahead)
    if day.day > 25 or day.month == 12:
        first = date(day.year + (day.month == 12), 1 if day.month == 12 else day.month + 1, 1)
        clock.to_date(first)
        day = first + timedelta(days=ahead)
    return day


def noon(day: date) -> datetime:
    """Noon UTC of `day` (13:00 or 14:00 in Rome: the same calendar day there)."""
    return datetime.combine(day, dtime(12, 0), tzinfo=UTC)


def birthday_of(day: date) -> dict[str, int]:
    return {"month": day.month, "day": day.day}


def local_day(when: datetime) -> date:
    """The shop's calendar day (Europe/Rome) at `when`."""
    return when.astimezone(ZoneInfo(SHOP_TZ)).date()
