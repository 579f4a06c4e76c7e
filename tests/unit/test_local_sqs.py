"""The local stack's SQS path: moto's per-message cost does not grow with the queue, and a FIFO queue's groups are
consumed concurrently in order (the webhook queue keeps up with a test session's bursts). Here, not in
tests/unit/local: leaving mock_aws resets moto's backends, those of that package's running stack too."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import utils as moto_utils
from moto.sqs import models as sqs_models

from infra.local.moto_fixes import apply
from infra.local.queues import FIFO_WORKERS, QueuePoller
from infra.local.template import SqsEvent


def _send(sqs: Any, url: str, first: int, count: int, groups: int = 10) -> None:
    for start in range(first, first + count, 10):
        entries = [
            {
                "Id": str(n),
                "MessageBody": f"m{i}",
                "MessageGroupId": f"g{i % groups}",
                "MessageDeduplicationId": f"d{i}",
            }
            for n, i in enumerate(range(start, min(start + 10, first + count)))
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def test_sending_to_a_deep_fifo_queue_does_not_scan_it_with_datetimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto reads the queue's attributes (approximate counters: a visibility check per message) about six times
    per message sent; unpatched, each check built datetimes (`unix_time_millis`): thousands per message at depth 300."""
    apply()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="deep.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        _send(sqs, url, 0, 300)
        calls = {"n": 0}
        original = moto_utils.unix_time_millis

        def counted(*args: Any) -> float:
            calls["n"] += 1
            return original(*args)

        monkeypatch.setattr(sqs_models, "unix_time_millis", counted)
        _send(sqs, url, 300, 20)
        assert calls["n"] <= 5 * 20  # per message sent (mark_sent, delay), not per message waiting
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == "320" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessagesNotVisible"] == str(len(got))
        assert int(attrs["ApproximateNumberOfMessages"]) == 320 - len(got)


def test_a_fifo_queue_is_consumed_by_concurrent_batches_each_group_in_order() -> None:
    apply()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="groups.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        _send(sqs, url, 0, 60, groups=6)
        seen: list[str] = []
        lock = threading.Lock()
        state = {"now": 0, "most": 0}

        def invoke(function_id: str, event: dict[str, Any]) -> None:
            with lock:
                state["now"] += 1
                state["most"] = max(state["most"], state["now"])
            time.sleep(0.05)
            with lock:
                seen.extend(r["body"] for r in event["Records"])
                state["now"] -= 1

        poller = QueuePoller(
            SqsEvent("F", "E", "Q", 5, True), url, "arn:aws:sqs:us-east-1:1:groups.fifo", sqs, invoke, 0
        )
        assert poller.workers == FIFO_WORKERS > 1
        poller.start()
        try:
            deadline = time.monotonic() + 20
            while len(seen) < 60 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            poller.stop()
            poller.join()
        assert sorted(seen, key=lambda b: int(b[1:])) == [f"m{i}" for i in range(60)]  # each once
        for group in range(6):
            mine = [int(b[1:]) for b in seen if int(b[1:]) % 6 == group]
            assert mine == sorted(mine)  # a group's messages in the order sent
        assert state["most"] > 1  # batches of different groups were in flight at once


def test_a_standard_queue_keeps_one_poller() -> None:
    poller = QueuePoller(SqsEvent("F", "E", "Q", 10, True), "http://x/1/q", "arn:aws:sqs:us-east-1:1:q", None, print)
    assert poller.workers == 1


def test_a_long_poll_on_a_blocked_fifo_group_waits_without_spinning() -> None:
    """A message whose group has a batch in flight is visible but not deliverable: moto's long poll spun on it for
    the whole WaitTimeSeconds, holding the GIL. Patched, the wait sleeps, and a message sent meanwhile ends it."""
    apply()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="blocked.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        _send(sqs, url, 0, 2, groups=1)
        first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)["Messages"]
        assert len(first) == 1  # g0 is now in flight; m1 waits behind it, visible
        cpu, wall = time.process_time(), time.monotonic()
        assert not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages")
        waited, spent = time.monotonic() - wall, time.process_time() - cpu
        assert waited >= 0.9 and spent < 0.5 * waited, (waited, spent)

        def other() -> None:
            sqs.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="g9", MessageDeduplicationId="o")

        later = threading.Timer(0.3, other)
        wall = time.monotonic()
        later.start()
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        later.join()
        assert [m["Body"] for m in got] == ["other"] and time.monotonic() - wall < 1.5
