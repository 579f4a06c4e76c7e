"""The local EventBridge subscriber: a rule on the stack's event bus → an SQS queue, readable over HTTP.

What an AWS-native consumer does deployed (a rule with the source `passaparola` and a target), done by the stack:
rule `passaparola-local-all` on the bus the functions publish to (EVENT_BUS_NAME) → queue
`passaparola-local-events` (moto's EventBridge delivers to a rule's SQS target, in server mode too).
A background poller (`RulePoller`) moves what arrives into memory as it arrives, so a listing never drains a
backlog. `GET /local/events` (the stack's secret key) reads what arrived since: `{"events": [...]}`, oldest first, each the
EventBridge envelope (`id`, `source`, `detail-type`, `time`, `detail` = our event); `?type=` keeps one
detail-type, `?limit=` (1-1000, default 200) the newest ones. `DELETE /local/events` empties it. Kept in memory.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

from infra.local.gateway import HttpResponse, recorder_listing, secret_key_refusal
from infra.local.queues import Poller

RULE = "passaparola-local-all"
QUEUE = "passaparola-local-events"
KEPT = 5000
DEFAULT_LIMIT, MAX_LIMIT = 200, 1000
COLLECT_SECONDS = 3.0

_lock = threading.Lock()
_received: deque[dict[str, Any]] = deque(maxlen=KEPT)
_queue: dict[str, Any] = {}


def subscribe(events: Any, sqs: Any, bus_name: str) -> str:
    """The rule and its queue (idempotent: a restart against the same moto finds them); the queue's URL."""
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=RULE, EventBusName=bus_name, EventPattern=json.dumps({"source": ["passaparola"]}))
    events.put_targets(Rule=RULE, EventBusName=bus_name, Targets=[{"Id": "local-events", "Arn": arn}])
    _queue.update(sqs=sqs, url=url)
    return str(url)


def collect_once() -> int:
    """Move one read of the queue (up to 10 events) into memory; how many moved."""
    sqs, url = _queue.get("sqs"), _queue.get("url")
    if sqs is None or not url:
        return 0
    with _lock:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for message in got:
            try:
                _received.append(json.loads(message["Body"]))
            except ValueError:
                _received.append({"body": message["Body"]})
        if got:
            sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(got)]
            )
    return len(got)


def collect() -> None:
    """Move what the queue holds into memory (the queue is only the rule's target, never read elsewhere); a long
    backlog (no poller running) is moved over several reads, each answering in time."""
    deadline = time.monotonic() + COLLECT_SECONDS
    while collect_once() and time.monotonic() < deadline:
        pass


class RulePoller(Poller):
    """Drains the rule's queue in the background, as a deployed consumer would read it."""

    kind = "event-rule"
    idle_seconds = 0.2

    def __init__(self) -> None:
        super().__init__(RULE)

    def poll_once(self) -> int:
        return collect_once()


def received(detail_type: str | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    collect()
    with _lock:
        items = [e for e in _received if detail_type is None or e.get("detail-type") == detail_type]
    return items[-limit:]


def clear() -> None:
    collect()
    with _lock:
        _received.clear()


def events_http(method: str, headers: list[tuple[str, str]], query: str, secret_key: str) -> HttpResponse:
    return recorder_listing(
        method,
        query,
        allowed=secret_key_refusal(headers, secret_key, "the local event rule's queue"),
        key="events",
        filter_param="type",
        read=received,
        clear=clear,
        limits=(DEFAULT_LIMIT, MAX_LIMIT),
    )
