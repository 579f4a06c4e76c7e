"""DynamoDB stream event source mappings: a poller thread per stream event feeding its function, as Lambda's does.

It reads every shard of the table's stream (moto and DynamoDB Local both serve DynamoDB Streams on the DynamoDB
endpoint), drops the records the event's FilterCriteria reject (`matches`, Lambda's event filtering rules for the
operators the template uses), and invokes the function with batches of up to BatchSize records. With
ReportBatchItemFailures a batch is retried from the first failed record (Lambda's checkpoint); a batch still failing
after MaximumRetryAttempts goes, as metadata, to the OnFailure queue, and the poller moves on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from infra.local.queues import Poller
from infra.local.template import DEFAULT_REGION, StreamEvent

log = logging.getLogger("infra.local")

IDLE_SECONDS = 0.25
RETRY_SECONDS = 0.2
LOCAL_MAX_RETRIES = 3
"""A record failing forever is retried until it expires (24 hours) by Lambda with MaximumRetryAttempts -1; locally
it is given up after a few tries, so one bad record does not stall the stream for the day."""


# ------------------------------------------------------------------------------------------ filtering
def matches(pattern: Any, value: Any, present: bool = True) -> bool:  # noqa: PLR0911 - one rule per operator
    """Does `value` (a record, or part of it) match a Lambda event filter pattern?

    An object pattern matches when each of its keys matches (a missing key counts as absent); a list pattern when
    any of its conditions does: a literal, `{"exists": bool}`, `{"prefix": str}`, `{"anything-but": [...]}`,
    `{"numeric": [op, n, ...]}`.
    """
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return all(_absent_ok(p) for p in pattern.values()) if not present else False
        return all(matches(p, value.get(k), k in value) for k, p in pattern.items())
    if isinstance(pattern, list):
        return any(_condition(c, value, present) for c in pattern)
    return present and value == pattern


def _absent_ok(pattern: Any) -> bool:
    """A pattern a missing field satisfies (only `{"exists": false}` does)."""
    if isinstance(pattern, dict):
        return all(_absent_ok(p) for p in pattern.values())
    if isinstance(pattern, list):
        return any(isinstance(c, dict) and c.get("exists") is False for c in pattern)
    return False


def _condition(cond: Any, value: Any, present: bool) -> bool:  # noqa: PLR0911
    if not isinstance(cond, dict):
        return present and value == cond
    if "exists" in cond:
        return present == bool(cond["exists"]) and not isinstance(value, (dict, list))
    if not present:
        return False
    if "prefix" in cond:
        return isinstance(value, str) and value.startswith(str(cond["prefix"]))
    if "anything-but" in cond:
        excluded = cond["anything-but"]
        return value not in (excluded if isinstance(excluded, list) else [excluded])
    if "numeric" in cond:
        return _numeric(cond["numeric"], value)
    return False


def _numeric(spec: list[Any], value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    ops = {
        "=": number.__eq__,
        "<": number.__lt__,
        "<=": number.__le__,
        ">": number.__gt__,
        ">=": number.__ge__,
    }
    return all(ops[str(op)](float(arg)) for op, arg in zip(spec[::2], spec[1::2], strict=False))


def passes_filters(filters: list[dict[str, Any]], record: dict[str, Any]) -> bool:
    """No filter: every record; else a record that matches any of them (Lambda ORs the filters)."""
    return not filters or any(matches(f, record) for f in filters)


# --------------------------------------------------------------------------------------------- events
def lambda_record(raw: dict[str, Any], stream_arn: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
    """A record from GetRecords (boto3) as Lambda passes it: JSON-ready, with the source ARN."""
    dynamodb = dict(raw.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": raw.get("eventID", ""),
        "eventName": raw.get("eventName", ""),
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion") or region,
        "dynamodb": _json_ready(dynamodb),
        "eventSourceARN": stream_arn,
    }


def _json_ready(value: Any) -> Any:
    """Binary attributes come back from boto3 as bytes; Lambda sends them base64-encoded."""
    import base64

    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    return value


def first_failure(result: Any, records: list[dict[str, Any]]) -> int | None:
    """Index of the first record to retry from, per the partial batch response; None: all done."""
    if not isinstance(result, dict) or result.get("batchItemFailures") is None:
        return None
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return 0
    sequence = [r["dynamodb"].get("SequenceNumber") for r in records]
    found = []
    for item in failures:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if ident not in sequence:
            return 0  # malformed: Lambda retries the whole batch
        found.append(sequence.index(ident))
    return min(found) if found else None


# --------------------------------------------------------------------------------------------- poller
class StreamPoller(Poller):
    """Reads one table's stream for one stream event and invokes the function with filtered batches."""

    kind = "stream"
    idle_seconds = IDLE_SECONDS

    def __init__(
        self,
        event: StreamEvent,
        stream_arn: str,
        streams: Any,
        invoke: Callable[[str, Any], Any],
        dead_letter: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.event = event
        self.stream_arn = stream_arn
        self._streams = streams
        self._invoke = invoke
        self._dead_letter = dead_letter
        self._iterators: dict[str, str | None] = {}
        self._last_sequence: dict[str, str] = {}
        self._done_shards: set[str] = set()
        super().__init__(event.function_id)
        self.max_retries = LOCAL_MAX_RETRIES if event.max_retries < 0 else min(event.max_retries, LOCAL_MAX_RETRIES)
        self._discover(self.event.starting_position)

    def _discover(self, position: str) -> None:
        """Start reading shards not seen yet: the first ones at the event's starting position, later (child)
        shards from their beginning."""
        desc = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in desc.get("Shards") or []:
            shard_id = shard["ShardId"]
            if shard_id in self._iterators or shard_id in self._done_shards:
                continue
            answer = self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )
            self._iterators[shard_id] = answer.get("ShardIterator")
            if position != "TRIM_HORIZON":
                self._skip_to_end(shard_id)

    def _skip_to_end(self, shard_id: str) -> None:
        """LATEST: read past what the shard holds now. (A LATEST iterator would be simpler, but DynamoDB Local
        numbers records across all its tables, so one taken on an empty shard can fall before the shard's first
        record and be refused as "trimmed".)"""
        for _ in range(10_000):
            iterator = self._iterators.get(shard_id)
            if iterator is None:
                return
            answer = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            records = answer.get("Records") or []
            self._iterators[shard_id] = answer.get("NextShardIterator")
            if not records:
                return
            self._last_sequence[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]

    def poll_once(self) -> int:
        """Read every shard once and process what came; returns the number of records read."""
        read = 0
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            try:
                answer = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            except Exception as exc:
                if _error_code(exc) not in ("TrimmedDataAccessException", "ExpiredIteratorException"):
                    raise
                self._reposition(shard_id)
                continue
            records = [r for r in answer.get("Records") or [] if self._new(shard_id, r)]
            if records:
                self._last_sequence[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            self._iterators[shard_id] = answer.get("NextShardIterator")
            if answer.get("NextShardIterator") is None:  # a closed shard: its children carry on
                del self._iterators[shard_id]
                self._done_shards.add(shard_id)
                self._discover("TRIM_HORIZON")
            read += len(records)
            wanted = [r for r in (lambda_record(r, self.stream_arn) for r in records) if self._wanted(r)]
            for start in range(0, len(wanted), max(1, self.event.batch_size)):
                self._deliver(wanted[start : start + self.event.batch_size])
        return read

    def _reposition(self, shard_id: str) -> None:
        """A fresh iterator after the last record delivered (an iterator expired or was refused)."""
        last = self._last_sequence.get(shard_id)
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        if last:
            kwargs |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        self._iterators[shard_id] = self._streams.get_shard_iterator(**kwargs).get("ShardIterator")

    def _new(self, shard_id: str, record: dict[str, Any]) -> bool:
        last = self._last_sequence.get(shard_id)
        return last is None or int(record["dynamodb"]["SequenceNumber"]) > int(last)

    def _wanted(self, record: dict[str, Any]) -> bool:
        return passes_filters(self.event.filters, record)

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        attempts = 0
        while batch and not self._stop.is_set():
            try:
                result = self._invoke(self.event.function_id, {"Records": batch})
                retry_from = first_failure(result, batch) if self.event.report_failures else None
            except Exception:
                log.exception("%s failed on a batch of %d stream records", self.event.function_id, len(batch))
                retry_from = 0
            if retry_from is None:
                return
            batch = batch[retry_from:]
            attempts += 1
            if attempts > self.max_retries:
                self._give_up(batch)
                return
            self._stop.wait(RETRY_SECONDS)

    def _give_up(self, batch: list[dict[str, Any]]) -> None:
        log.error("%s: %d stream records failed after retries", self.event.function_id, len(batch))
        if self._dead_letter is None:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        self._dead_letter(
            {
                "requestContext": {"condition": "RetryAttemptsExhausted", "functionArn": self.event.function_id},
                "DDBStreamBatchInfo": {
                    "streamArn": self.stream_arn,
                    "startSequenceNumber": first.get("SequenceNumber"),
                    "endSequenceNumber": last.get("SequenceNumber"),
                    "batchSize": len(batch),
                },
            }
        )


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str((response or {}).get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def queue_sender(sqs: Any, queue_url: str) -> Callable[[dict[str, Any]], None]:
    """The OnFailure destination: the batch's metadata as an SQS message."""

    def send(message: dict[str, Any]) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))

    return send
