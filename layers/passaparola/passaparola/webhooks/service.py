"""The /v1/webhooks use cases: register, change, delete, rotate, test ping, the delivery log, replay."""

import json
from datetime import datetime, timedelta
from typing import Any

from passaparola import clock, ids
from passaparola.data import events as event_store
from passaparola.data import webhooks as store
from passaparola.data.models.webhooks import WebhookDeliveryModel, WebhookModel
from passaparola.errors import InvalidRequest, NotFound, WebhookLimitReached, WebhookUrlRefused
from passaparola.webhooks import delivery, rules, signing, ssrf
from passaparola.webhooks.models import (
    CreateWebhookRequest,
    Delivery,
    DeliveryPage,
    Queued,
    ReplayRequest,
    RotateSecretRequest,
    TestResult,
    UpdateWebhookRequest,
    Webhook,
    Webhooks,
    WebhookWithSecret,
)

MAX_ENDPOINTS = 20
REPLAY_MAX_DAYS = 7
REPLAY_MAX_EVENTS = 10_000
"""A replay is read and queued within the API's 29 s: a range holding more events is refused (narrow it)."""


def _view(item: WebhookModel) -> Webhook:
    return Webhook(
        id=item.sk,
        url=item.url,
        events=json.loads(item.events),
        description=item.description,
        enabled=bool(item.enabled),
        disabled_reason=item.disabled_reason,
        failing_since=item.failing_since,
        last_success_at=item.last_success_at,
        secret_rotated_at=item.secret_rotated_at,
        previous_secret_expires_at=item.previous_expires_at if item.previous_secret else None,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _check_url(url: str) -> None:
    try:
        ssrf.check_url(url, delivery.local())
    except ssrf.AddressRefused as exc:
        raise WebhookUrlRefused(f"This URL cannot receive webhooks: {exc}.", {"url": url}) from exc


def _check_events(events: list[str]) -> None:
    unknown = rules.unknown_patterns(events)
    if unknown:
        raise InvalidRequest(
            "Unknown event types.", {"field": "events", "unknown": unknown, "known": sorted(rules.EVENT_TYPES)}
        )


def _get(webhook_id: str) -> WebhookModel:
    item = store.endpoint(webhook_id) if webhook_id.startswith("whk_") else None
    if item is None:
        raise NotFound("No such webhook endpoint.", {"id": webhook_id})
    return item


def create(request: CreateWebhookRequest) -> WebhookWithSecret:
    _check_events(request.events)
    _check_url(request.url)
    if len(store.endpoints()) >= MAX_ENDPOINTS:
        raise WebhookLimitReached(details={"max": MAX_ENDPOINTS})
    now = clock.iso(clock.now())
    secret = signing.new_secret()
    webhook_id = ids.new_id("whk")
    item = store.create(
        webhook_id,
        url=request.url,
        events=json.dumps(request.events),
        description=request.description,
        enabled=True,
        secret=secret,
        created_at=now,
        updated_at=now,
    )
    _within_limit(webhook_id)
    return WebhookWithSecret(**_view(item).model_dump(), secret=secret)


def _within_limit(webhook_id: str) -> None:
    """Counting then creating is not atomic: counted again after the write (a strongly consistent Query), a create
    that finds more than MAX_ENDPOINTS removes its own endpoint and is refused. Concurrent creates never keep more
    (at worst each of them is refused, and a retry succeeds)."""
    if len(store.endpoints()) > MAX_ENDPOINTS:
        store.delete(webhook_id)
        raise WebhookLimitReached(details={"max": MAX_ENDPOINTS})


def list_all() -> Webhooks:
    return Webhooks(items=[_view(i) for i in sorted(store.endpoints(), key=lambda i: i.created_at)])


def get(webhook_id: str) -> Webhook:
    return _view(_get(webhook_id))


def update(webhook_id: str, request: UpdateWebhookRequest) -> Webhook:
    current = _get(webhook_id)
    values: dict[str, Any] = {"updated_at": clock.iso(clock.now())}
    remove: tuple[str, ...] = ()
    if request.url is not None:
        _check_url(request.url)
        values["url"] = request.url
    if request.events is not None:
        _check_events(request.events)
        values["events"] = json.dumps(request.events)
    if request.description is not None:
        values["description"] = request.description
    if request.enabled is not None:
        values["enabled"] = request.enabled
        if request.enabled and not current.enabled:
            remove = ("disabled_reason", "failing_since")
    if store.update(webhook_id, values, remove) is None:
        raise NotFound("No such webhook endpoint.", {"id": webhook_id})
    return get(webhook_id)


def delete(webhook_id: str) -> None:
    _get(webhook_id)
    if not store.delete(webhook_id):
        raise NotFound("No such webhook endpoint.", {"id": webhook_id})


def rotate(webhook_id: str, request: RotateSecretRequest) -> WebhookWithSecret:
    current = _get(webhook_id)
    now = clock.now()
    secret = signing.new_secret()
    values: dict[str, Any] = {"secret": secret, "secret_rotated_at": clock.iso(now), "updated_at": clock.iso(now)}
    remove: tuple[str, ...] = ()
    if request.expire_previous_in_hours > 0:
        values["previous_secret"] = current.secret
        values["previous_expires_at"] = clock.iso(now + timedelta(hours=request.expire_previous_in_hours))
    else:
        remove = ("previous_secret", "previous_expires_at")
    if store.update(webhook_id, values, remove) is None:
        raise NotFound("No such webhook endpoint.", {"id": webhook_id})
    return WebhookWithSecret(**get(webhook_id).model_dump(), secret=secret)


def test(webhook_id: str) -> TestResult:
    """A `webhook.ping` delivered now (not an event of EventsTable, not retried), logged like any delivery."""
    endpoint = _get(webhook_id)
    now = clock.now()
    event_id = "evt_" + ids.new_ulid(int(now.timestamp() * 1000))
    event: dict[str, Any] = {
        "id": event_id,
        "type": rules.PING,
        "version": 1,
        "created_at": clock.iso(now),
        "customer_id": None,
        "data": {"webhook_id": webhook_id},
    }
    item = delivery.new_delivery(endpoint, event, f"{event['created_at']}#{event['id']}", now)
    if item is None:
        raise AssertionError("a fresh ping's delivery already exists")
    result = delivery.attempt(endpoint, item, retry=False)
    return TestResult(
        event_id=event_id,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        ok=result.ok,
        error=result.error,
    )


def _delivery(item: WebhookDeliveryModel) -> Delivery:
    return Delivery(
        id=item.id,
        event_id=item.event_id,
        event_type=item.event_type,
        attempt=int(item.attempt),
        status=item.status,  # type: ignore[arg-type]
        status_code=None if item.status_code is None else int(item.status_code),
        error=item.error,
        duration_ms=None if item.duration_ms is None else int(item.duration_ms),
        at=item.at,
        last_attempt_at=item.last_attempt_at,
        next_attempt_at=item.next_attempt_at,
        replay=bool(item.replay),
    )


def deliveries(webhook_id: str, status: str | None, limit: int, cursor: str | None) -> DeliveryPage:
    _get(webhook_id)
    items, next_cursor = store.deliveries(webhook_id, status, limit, cursor)
    return DeliveryPage(items=[_delivery(i) for i in items], next_cursor=next_cursor)


def _parse_time(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequest("Not an ISO-8601 time.", {"field": field}) from exc
    if parsed.tzinfo is None:
        raise InvalidRequest("The time needs a zone (Z for UTC).", {"field": field})
    return parsed


def replay(webhook_id: str, request: ReplayRequest) -> Queued:
    """The events again (new deliveries, same event ids), through the retry queue."""
    endpoint = _get(webhook_id)
    if request.event_id:
        if request.since or request.until or request.types:
            raise InvalidRequest("Either event_id, or since and until (and types).", {"field": "event_id"})
        event = event_store.get(request.event_id)
        if event is None:
            raise NotFound("No such event (events are kept EventRetentionDays).", {"event_id": request.event_id})
        events = [event.model_dump(mode="json")]
    else:
        if not (request.since and request.until):
            raise InvalidRequest("event_id, or since and until.", {"field": "since"})
        since, until = _parse_time(request.since, "since"), _parse_time(request.until, "until")
        if until <= since or until - since > timedelta(days=REPLAY_MAX_DAYS):
            raise InvalidRequest(f"A range of at most {REPLAY_MAX_DAYS} days, since before until.", {"field": "until"})
        if request.types:
            _check_events(request.types)
        patterns = request.types or json.loads(endpoint.events)
        events = _stored_events(since, until, patterns)
    store.enqueue([delivery.replay_message(webhook_id, e) for e in events], parallel=True)
    return Queued(queued=len(events))


def _stored_events(since: datetime, until: datetime, patterns: list[str]) -> list[dict[str, Any]]:
    """Events created in [since, until) that `patterns` match, oldest first, page after page of the events' by_hour
    reads; refused (nothing queued) beyond REPLAY_MAX_EVENTS."""
    start, end, after = clock.iso(since), clock.iso(until), ""
    found: list[dict[str, Any]] = []
    while True:
        page, cursor = event_store.range_page(start, end, after, 1000, None, None)
        found += [e.model_dump(mode="json") for e in page if rules.matches(patterns, e.type)]
        if len(found) > REPLAY_MAX_EVENTS:
            raise InvalidRequest(
                f"More than {REPLAY_MAX_EVENTS} events to replay: narrow the range (since, until) or the types.",
                {"field": "since", "max": REPLAY_MAX_EVENTS},
            )
        if cursor is None:
            return found
        start, after = cursor
