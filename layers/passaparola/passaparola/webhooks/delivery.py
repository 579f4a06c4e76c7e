"""Delivering events to endpoints: fan-out of a published event, one signed attempt, retries, dead, disable.

First attempts come from the FIFO WebhookQueue (in event order per customer); retries and replays go through the
standard WebhookRetryQueue with a per-message delay (at most 15 minutes: a later retry is re-delayed until due),
so a failing endpoint never holds back the next events. Each delivery is one item of the log, updated per attempt.
"""

import hashlib
import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from passaparola import clock
from passaparola.data import notifications
from passaparola.data import webhooks as store
from passaparola.data.models.webhooks import WebhookDeliveryModel, WebhookModel
from passaparola.observability import logger
from passaparola.settings import get_settings
from passaparola.webhooks import rules, signing, ssrf

LOG_DAYS = 30
PARALLEL_ATTEMPTS = 4
"""Endpoints of one event attempted at once: a slow endpoint no longer holds the others (and the FIFO group) for
its whole timeout."""
SUCCESS_EVERY_SECONDS = 60
"""`last_success_at` of a healthy endpoint is refreshed at most this often (one write a minute, not one per event)."""


def local() -> bool:
    """A developer's machine: STAGE=local outside Lambda, or under `sam local` (the guard of development keys). A
    stack deployed with Stage=local is not: no http://, no loopback (the Lambda Runtime API), the real schedule."""
    return get_settings().development_keys


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def delivery_id(webhook_id: str, sk: str) -> str:
    return "dlv_" + hashlib.sha256(f"{webhook_id}|{sk}".encode()).hexdigest()[:26]


def new_delivery(
    endpoint: WebhookModel, event: dict[str, Any], sk: str, now: datetime, replay: bool = False
) -> WebhookDeliveryModel | None:
    """The log item of a delivery about to be attempted; None when it exists and was already attempted."""
    fields: dict[str, Any] = {
        "id": delivery_id(endpoint.sk, sk),
        "event_id": event["id"],
        "event_type": event["type"],
        "body": json.dumps(event, separators=(",", ":"), ensure_ascii=False),
        "attempt": 0,
        "status": "pending",
        "at": clock.iso(now),
        "replay": replay,
        "expires_at": int((now + timedelta(days=LOG_DAYS)).timestamp()),
    }
    item = store.put_delivery(endpoint.sk, sk, **fields)
    if item is not None:
        return item
    existing = store.delivery(endpoint.sk, sk)
    if existing is None or existing.attempt > 0:
        return None
    return existing


def signing_secrets(endpoint: WebhookModel, now: datetime) -> list[str]:
    """The current secret, and the previous one until it expires (a rotation's overlap)."""
    keep = endpoint.previous_secret and endpoint.previous_expires_at and endpoint.previous_expires_at > clock.iso(now)
    return [endpoint.secret, endpoint.previous_secret] if keep and endpoint.previous_secret else [endpoint.secret]


def headers(endpoint: WebhookModel, event_id: str, body: bytes, now: datetime, replay: bool = False) -> dict[str, str]:
    """`webhook-id` is the event id, on retries and replays alike; a replay also says `webhook-replay: true` so that
    a receiver de-duplicating on `webhook-id` can let it through (docs/integrations.md, Delivery)."""
    timestamp = int(now.timestamp())
    values = {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(signing_secrets(endpoint, now), event_id, timestamp, body),
    }
    if replay:
        values["webhook-replay"] = "true"
    return values


def attempt(endpoint: WebhookModel, item: WebhookDeliveryModel, *, retry: bool = True) -> ssrf.Result:
    """One signed POST; the log records it; a failure is retried on the schedule (`retry=False`: a test ping)."""
    now = clock.now()
    body = item.body.encode()
    result = ssrf.post(endpoint.url, headers(endpoint, item.event_id, body, now, bool(item.replay)), body, local())
    previous = int(item.attempt)
    number = previous + 1
    delay = rules.retry_delay(number, local()) if retry and not result.ok else None
    due = now + timedelta(seconds=delay) if delay is not None else None
    status = "succeeded" if result.ok else ("failed" if due is not None or not retry else "dead")
    if due is not None:
        # the retry is queued before the attempt is recorded: once recorded, a record that fails and comes back
        # finds the attempt done and would never queue it (a retry queued twice is done once: attempt numbers)
        message = {"webhook_id": endpoint.sk, "sk": item.sk, "attempt": number, "due": clock.iso(due)}
        store.enqueue([message], rules.sqs_delay(due, now))
    recorded = store.record_attempt(
        item,
        {
            "attempt": number,
            "status": status,
            "status_code": result.status_code,
            "error": result.error,
            "duration_ms": result.duration_ms,
            "last_attempt_at": clock.iso(now),
            "next_attempt_at": clock.iso(due) if due else None,
        },
        expected_attempt=previous,
    )
    if not recorded:
        return result  # another consumer recorded this attempt (a message received twice)
    logger.info(
        "webhook attempt",
        extra={"webhook_id": endpoint.sk, "event_id": item.event_id, "attempt": number, "status": status},
    )
    if result.ok:
        last = endpoint.last_success_at
        stale = not last or (now - _parse(last)).total_seconds() >= SUCCESS_EVERY_SECONDS
        if endpoint.failing_since or stale:
            store.mark_succeeded(endpoint.sk, clock.iso(now))
        return result
    if retry:
        _failed(endpoint, now)
    return result


def _failed(endpoint: WebhookModel, now: datetime) -> None:
    if not endpoint.failing_since:
        store.mark_failing(endpoint.sk, clock.iso(now))
        return
    days = get_settings().webhook_disable_days
    if not rules.should_disable(_parse(endpoint.failing_since), now, days):
        return
    reason = f"no successful delivery since {endpoint.failing_since} ({days} days)"
    if store.disable(endpoint.sk, reason, clock.iso(now)):
        logger.warning("webhook endpoint disabled", extra={"webhook_id": endpoint.sk, "reason": reason})
        notifications.team(
            "Passaparola: a webhook endpoint was disabled",
            {
                "kind": "webhook.disabled",
                "webhook_id": endpoint.sk,
                "url": endpoint.url,
                "reason": reason,
                "what_to_do": 'Fix the endpoint, then PATCH /v1/webhooks/{id} {"enabled": true} and replay.',
            },
        )


def fan_out(event: dict[str, Any]) -> int:
    """A published event to every enabled endpoint that wants it; returns the attempts made."""
    now = clock.now()
    created = str(event.get("created_at") or clock.iso(now))
    due: list[tuple[WebhookModel, WebhookDeliveryModel]] = []
    for endpoint in store.endpoints():
        if not endpoint.enabled or not rules.matches(json.loads(endpoint.events), event["type"]):
            continue
        if created < endpoint.created_at:  # recorded before the endpoint existed: only a replay sends those
            continue
        item = new_delivery(endpoint, event, f"{created}#{event['id']}", now)
        if item is not None:
            due.append((endpoint, item))
    if len(due) <= 1:
        for endpoint, item in due:
            attempt(endpoint, item)
        return len(due)
    with ThreadPoolExecutor(max_workers=min(PARALLEL_ATTEMPTS, len(due)), thread_name_prefix="webhook") as pool:
        for future in [pool.submit(attempt, endpoint, item) for endpoint, item in due]:
            future.result()  # an engine failure fails the record (it comes back), as when attempted one by one
    return len(due)


def replay_message(webhook_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """A replay on the retry queue: its own log item (the nonce makes a message received twice one delivery)."""
    return {
        "webhook_id": webhook_id,
        "event": event,
        "nonce": secrets.token_hex(6),
        "queued_at": clock.iso(clock.now()),
    }


def handle_retry(message: dict[str, Any]) -> None:
    """A message of WebhookRetryQueue: a replay, or a retry (delayed again while not due)."""
    now = clock.now()
    endpoint = store.endpoint(str(message["webhook_id"]))
    if endpoint is None:
        return  # deleted: its pending deliveries are dropped
    if "event" in message:
        event = message["event"]
        sk = f"{message['queued_at']}#{event['id']}#r{message['nonce']}"
        item = new_delivery(endpoint, event, sk, now, replay=True)
        if item is not None:
            attempt(endpoint, item)
        return
    due = _parse(str(message["due"]))
    if due > now + timedelta(seconds=1):
        store.enqueue([message], rules.sqs_delay(due, now))
        return
    item = store.delivery(endpoint.sk, str(message["sk"]))
    if item is None or item.status != "failed" or item.attempt != int(message["attempt"]):
        return  # already done (a message received twice)
    if not endpoint.enabled:
        store.record_attempt(
            item, {"status": "dead", "error": "endpoint_disabled", "next_attempt_at": None}, int(item.attempt)
        )
        return
    attempt(endpoint, item)
