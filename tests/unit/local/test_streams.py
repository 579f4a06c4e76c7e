"""The local DynamoDB stream poller: Lambda's filter rules, batches, retries from the first failed record, and the
OnFailure destination; against a fake DynamoDB Streams client."""

from typing import Any

from infra.local.streams import StreamPoller, matches
from infra.local.template import StreamEvent


def test_filter_patterns_follow_lambdas_rules() -> None:
    record = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"n": {"N": "5"}, "s": {"S": "pass-1"}}}}
    assert matches({"eventName": ["MODIFY", "INSERT"]}, record)
    assert not matches({"eventName": ["REMOVE"]}, record)
    assert matches({"dynamodb": {"NewImage": {"s": {"S": [{"exists": True}]}}}}, record)
    assert not matches({"dynamodb": {"NewImage": {"t": {"S": [{"exists": True}]}}}}, record)
    assert matches({"dynamodb": {"NewImage": {"t": {"S": [{"exists": False}]}}}}, record)
    assert matches({"dynamodb": {"OldImage": {"t": {"S": [{"exists": False}]}}}}, record)  # no OldImage at all
    assert matches({"dynamodb": {"NewImage": {"s": {"S": [{"prefix": "pass-"}]}}}}, record)
    assert matches({"dynamodb": {"NewImage": {"s": {"S": [{"anything-but": ["x"]}]}}}}, record)
    assert matches({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1, "<=", 5]}]}}}}, record)
    assert not matches({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 5]}]}}}}, record)


class FakeStreams:
    def __init__(self, pages: list[list[dict[str, Any]]]) -> None:
        self.pages = pages

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["ShardIteratorType"] == "TRIM_HORIZON"  # then read to the end: LATEST
        return {"ShardIterator": "0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:  # noqa: N803
        page = int(ShardIterator)
        records = self.pages[page] if page < len(self.pages) else []
        return {"Records": records, "NextShardIterator": str(page + 1)}


def raw(seq: int, kind: str = "keep") -> dict[str, Any]:
    return {
        "eventID": str(seq),
        "eventName": "MODIFY",
        "dynamodb": {"Keys": {"k": {"S": kind}}, "SequenceNumber": str(seq), "NewImage": {"k": {"S": kind}}},
    }


def event(**overrides: Any) -> StreamEvent:
    values: dict[str, Any] = {
        "function_id": "Fn",
        "name": "Changes",
        "table_id": "T",
        "batch_size": 2,
        "starting_position": "LATEST",
        "filters": [{"dynamodb": {"Keys": {"k": {"S": ["keep"]}}}}],
        "report_failures": True,
        "max_retries": 2,
        "on_failure_id": "DLQ",
    }
    return StreamEvent(**{**values, **overrides})


def test_filtered_records_are_delivered_in_batches() -> None:
    calls: list[list[str]] = []

    def invoke(function_id: str, payload: Any) -> Any:
        calls.append([r["dynamodb"]["SequenceNumber"] for r in payload["Records"]])
        assert all(r["eventSourceARN"] == "arn:stream" for r in payload["Records"])
        return {"batchItemFailures": []}

    poller = StreamPoller(
        event(), "arn:stream", FakeStreams([[raw(0)], [], [raw(1), raw(2, "skip"), raw(3), raw(4)]]), invoke
    )
    assert poller.poll_once() == 4  # what the shard held at the start (record 0) is skipped: LATEST
    assert calls == [["1", "3"], ["4"]]
    assert poller.poll_once() == 0


def test_a_failed_record_is_retried_from_there_then_dead_lettered() -> None:
    calls: list[list[str]] = []
    dead: list[dict[str, Any]] = []

    def invoke(function_id: str, payload: Any) -> Any:
        seqs = [r["dynamodb"]["SequenceNumber"] for r in payload["Records"]]
        calls.append(seqs)
        return {"batchItemFailures": [{"itemIdentifier": "2"}] if "2" in seqs else []}

    poller = StreamPoller(event(), "arn:stream", FakeStreams([[], [raw(1), raw(2)]]), invoke, dead.append)
    poller.poll_once()
    assert calls == [["1", "2"], ["2"], ["2"]]  # the first try, then MaximumRetryAttempts (2) from the failure
    (letter,) = dead
    assert letter["DDBStreamBatchInfo"]["startSequenceNumber"] == "2"
    assert letter["requestContext"]["condition"] == "RetryAttemptsExhausted"
