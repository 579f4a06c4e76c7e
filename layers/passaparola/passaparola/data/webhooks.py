"""Webhook endpoints and their delivery log (WebhooksTable), and the retry queue (WebhookRetryQueue)."""

import json
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from passaparola.data.models.webhooks import WebhookDeliveryModel, WebhookModel
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.settings import get_settings

PARTITION = "WEBHOOK"


def _conditional_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


# ------------------------------------------------------------------------------------------ endpoints


def endpoints() -> list[WebhookModel]:
    """Every endpoint (at most 20): one Query."""
    return list(WebhookModel.query(PARTITION))


def endpoint(webhook_id: str) -> WebhookModel | None:
    try:
        return WebhookModel.get(PARTITION, webhook_id)
    except DoesNotExist:
        return None


def create(webhook_id: str, **values: Any) -> WebhookModel:
    item = WebhookModel(PARTITION, webhook_id, **values)
    WebhookModel.save(item, condition=WebhookModel.sk.does_not_exist())
    return item


def update(webhook_id: str, values: dict[str, Any], remove: tuple[str, ...] = ()) -> WebhookModel | None:
    """Set `values` and remove `remove` on an existing endpoint; None when it is gone."""
    item = WebhookModel(PARTITION, webhook_id)
    actions: list[Any] = [getattr(WebhookModel, k).set(v) for k, v in values.items()]
    actions += [getattr(WebhookModel, k).remove() for k in remove]
    try:
        WebhookModel.update(item, actions=actions, condition=WebhookModel.sk.exists())
    except UpdateError as exc:
        if _conditional_failed(exc):
            return None
        raise
    return item


def delete(webhook_id: str) -> bool:
    try:
        WebhookModel(PARTITION, webhook_id).delete(condition=WebhookModel.sk.exists())
    except Exception as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def disable(webhook_id: str, reason: str, now: str) -> bool:
    """Switch off an endpoint still enabled; True only for the call that did it (the owner is told once)."""
    try:
        WebhookModel(PARTITION, webhook_id).update(
            actions=[
                WebhookModel.enabled.set(False),
                WebhookModel.disabled_reason.set(reason),
                WebhookModel.updated_at.set(now),
            ],
            condition=WebhookModel.enabled == True,  # noqa: E712 (a pynamodb condition)
        )
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def mark_failing(webhook_id: str, since: str) -> None:
    """The first failure since the last success starts the clock of WebhookDisableDays."""
    try:
        WebhookModel(PARTITION, webhook_id).update(
            actions=[WebhookModel.failing_since.set(since)],
            condition=WebhookModel.sk.exists() & WebhookModel.failing_since.does_not_exist(),
        )
    except UpdateError as exc:
        if not _conditional_failed(exc):
            raise


def mark_succeeded(webhook_id: str, now: str) -> None:
    try:
        WebhookModel(PARTITION, webhook_id).update(
            actions=[WebhookModel.last_success_at.set(now), WebhookModel.failing_since.remove()],
            condition=WebhookModel.sk.exists(),
        )
    except UpdateError as exc:
        if not _conditional_failed(exc):
            raise


# ------------------------------------------------------------------------------------------ deliveries


def delivery_partition(webhook_id: str) -> str:
    return f"DLV#{webhook_id}"


def put_delivery(webhook_id: str, sk: str, **values: Any) -> WebhookDeliveryModel | None:
    """Write a new delivery once; None when it is already there (the queue delivered the event twice)."""
    item = WebhookDeliveryModel(delivery_partition(webhook_id), sk, **values)
    try:
        WebhookDeliveryModel.save(item, condition=WebhookDeliveryModel.sk.does_not_exist())
    except PutError as exc:
        if _conditional_failed(exc):
            return None
        raise
    return item


def delivery(webhook_id: str, sk: str) -> WebhookDeliveryModel | None:
    try:
        return WebhookDeliveryModel.get(delivery_partition(webhook_id), sk)
    except DoesNotExist:
        return None


def record_attempt(item: WebhookDeliveryModel, values: dict[str, Any], expected_attempt: int) -> bool:
    """The outcome of attempt `expected_attempt + 1`; False when another consumer already recorded it."""
    actions: list[Any] = [getattr(WebhookDeliveryModel, k).set(v) for k, v in values.items() if v is not None]
    actions += [getattr(WebhookDeliveryModel, k).remove() for k, v in values.items() if v is None]
    try:
        WebhookDeliveryModel.update(item, actions=actions, condition=WebhookDeliveryModel.attempt == expected_attempt)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def deliveries(
    webhook_id: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[WebhookDeliveryModel], str | None]:
    """Newest first; a status is a filter on the endpoint's partition (a log of 30 days)."""
    pk = delivery_partition(webhook_id)
    start = decode_cursor(cursor, {"pk", "sk"}, {"pk": pk})
    result = WebhookDeliveryModel.query(
        pk,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
        page_size=limit,
        filter_condition=(WebhookDeliveryModel.status == status) if status else None,
    )
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)


# ------------------------------------------------------------------------------------------ retry queue


@lru_cache(maxsize=1)
def _sqs() -> Any:
    import boto3

    return boto3.client("sqs", region_name=get_settings().aws_region)


def enqueue(messages: list[dict[str, Any]], delay_seconds: int = 0, parallel: bool = False) -> None:
    """Onto WebhookRetryQueue (standard: per-message DelaySeconds up to 900), ten per call; `parallel`: eight calls
    at once (a replay of thousands of events within the API's time)."""
    url = get_settings().webhook_retry_queue_url

    def send(start: int) -> None:
        entries = [
            {"Id": str(n), "MessageBody": json.dumps(m, separators=(",", ":")), "DelaySeconds": delay_seconds}
            for n, m in enumerate(messages[start : start + 10])
        ]
        result = _sqs().send_message_batch(QueueUrl=url, Entries=entries)
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} messages: {result['Failed'][0]}")

    starts = range(0, len(messages), 10)
    if not parallel or len(starts) <= 1:
        for start in starts:
            send(start)
        return
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="webhook-enqueue") as pool:
        list(pool.map(send, starts))
