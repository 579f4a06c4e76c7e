"""SQS event source mappings: a poller thread per queue feeding its function, as Lambda's poller does.

Successful messages are deleted; with ReportBatchItemFailures only the ones not reported failed are.
On an exception nothing is deleted, so messages reappear after the visibility timeout and moto's
RedrivePolicy moves them to the DLQ after maxReceiveCount receives.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from typing import Any

from infra.local.template import DEFAULT_REGION, SqsEvent

log = logging.getLogger("infra.local")


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType", "String")}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return out


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
    """The Lambda SQS event for messages as returned by boto3's receive_message."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m.get("Body", ""),
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {k: _attribute(v) for k, v in (m.get("MessageAttributes") or {}).items()},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def failed_ids(result: Any, message_ids: set[str]) -> set[str] | None:
    """Message ids to keep from a partial batch response; None means "the whole batch failed"."""
    if result is None:
        return set()
    if not isinstance(result, dict):
        return set()
    failures = result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    ids: set[str] = set()
    for item in failures:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not ident or ident not in message_ids:
            return None  # Lambda treats a malformed response as a failure of the whole batch
        ids.add(ident)
    return ids


class Poller:
    """Daemon threads calling `poll_once` until stopped, as Lambda's event source mappings do; an error is logged
    and the poll tried again a second later. `idle_seconds`: the pause after a poll that found nothing; `workers`:
    the threads polling at once (Lambda's concurrent batches of one event source)."""

    kind = "poller"
    idle_seconds = 0.0
    workers = 1

    def __init__(self, function_id: str) -> None:
        self._function_id = function_id
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def poll_once(self) -> int:
        raise NotImplementedError

    def start(self) -> None:
        for n in range(max(1, self.workers)):
            suffix = f"-{n + 1}" if self.workers > 1 else ""
            thread = threading.Thread(target=self._run, name=f"{self.kind}-{self._function_id}{suffix}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 5) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.poll_once() and self.idle_seconds:
                    self._stop.wait(self.idle_seconds)
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("%s poller for %s failed; retrying", self.kind, self._function_id)
                self._stop.wait(1)


FIFO_WORKERS = 4
"""Batches of a FIFO queue processed at once. Lambda scales a FIFO event source up to the number of active message
groups, one batch in flight per group: a single local poller delivered one batch at a time, so a burst of events
(hundreds of customers' in a test) queued up for minutes behind it. moto returns no message of a group with one in
flight, so concurrent batches keep each group's order."""


class QueuePoller(Poller):
    """Polls one queue for one SQS event and invokes the function with batches."""

    kind = "sqs"

    def __init__(
        self,
        event: SqsEvent,
        queue_url: str,
        queue_arn: str,
        sqs: Any,
        invoke: Callable[[str, Any], Any],
        wait_seconds: int = 1,
    ) -> None:
        self.event = event
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self._sqs = sqs
        self._invoke = invoke
        self._wait = wait_seconds
        self._receiving = threading.Lock()
        super().__init__(event.function_id)
        if queue_url.endswith(".fifo"):
            self.workers = FIFO_WORKERS  # long polls: moto_fixes keeps moto's long poll from spinning

    def poll_once(self) -> int:
        """Receive one batch and process it; returns the number of messages received."""
        with self._receiving:  # moto checks a FIFO group's in-flight messages unlocked: one receive at a time
            resp = self._sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=max(1, min(self.event.batch_size, 10)),
                WaitTimeSeconds=self._wait,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
        messages = resp.get("Messages") or []
        if not messages:
            return 0
        try:
            result = self._invoke(self.event.function_id, sqs_event(messages, self.queue_arn))
        except Exception:
            log.exception(
                "%s failed on a batch of %d; messages return to the queue", self.event.function_id, len(messages)
            )
            return len(messages)
        keep: set[str] = set()
        if self.event.report_failures:
            reported = failed_ids(result, {m["MessageId"] for m in messages})
            if reported is None:
                log.error("%s returned a malformed batchItemFailures; whole batch retried", self.event.function_id)
                return len(messages)
            keep = reported
        done = [m for m in messages if m["MessageId"] not in keep]
        for i in range(0, len(done), 10):
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done[i : i + 10])]
            self._sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        return len(messages)
