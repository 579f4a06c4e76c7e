"""The in-process stack over the fixture template: resources, HTTP gateway, jobs, SQS consumption."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import boto3
import requests

from infra.local.queues import QueuePoller, failed_ids
from infra.local.stack import Stack
from infra.local.template import SqsEvent


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def test_health_and_keys(local_stack: Stack, stored_keys: list) -> None:
    body = requests.get(f"{local_stack.url}/health", timeout=5).json()
    assert body["status"] == "ok" and body["env_conflicts"] == []
    assert ("sk_test_local", "secret") in [(raw, kind) for raw, kind, _ in stored_keys]
    assert ("pk_test_local", "publishable") in [(raw, kind) for raw, kind, _ in stored_keys]


def test_tables_created_with_gsi_and_ttl(local_stack: Stack) -> None:
    ddb = boto3.client("dynamodb")
    desc = ddb.describe_table(TableName="passaparola-local-ItemsTable")["Table"]
    assert [i["IndexName"] for i in desc["GlobalSecondaryIndexes"]] == ["by_owner"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = ddb.describe_time_to_live(TableName="passaparola-local-ItemsTable")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiration" and ttl["TimeToLiveStatus"] == "ENABLED"
    assert "passaparola-local-named" in ddb.list_tables()["TableNames"]
    assert "passaparola-local-SkippedTable" not in ddb.list_tables()["TableNames"]


def test_large_responses_are_compressed_like_api_gateway(local_stack: Stack) -> None:
    """MinimumCompressionSize (1000 in the fixture template): gzip or deflate as the client accepts, else as is."""
    assert local_stack.template and local_stack.template.minimum_compression_size() == 1000
    url = f"{local_stack.url}/items/42"
    gz = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert gz.headers["Content-Encoding"] == "gzip" and gz.json()["event"]["path"] == "/items/42"
    assert int(gz.headers["Content-Length"]) < len(gz.content)  # the wire carried fewer bytes than the body
    deflated = requests.get(url, headers={"Accept-Encoding": "br;q=1, deflate;q=0.5"}, timeout=5)
    assert deflated.headers["Content-Encoding"] == "deflate" and deflated.json()["event"]["path"] == "/items/42"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=5)
    assert "Content-Encoding" not in plain.headers and plain.json()["event"]["path"] == "/items/42"
    refused = requests.get(url, headers={"Accept-Encoding": "gzip;q=0"}, timeout=5)
    assert "Content-Encoding" not in refused.headers


def test_queues_and_topics(local_stack: Stack) -> None:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="passaparola-local-WorkQueue")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    policy = json.loads(attrs["RedrivePolicy"])
    assert policy["deadLetterTargetArn"].endswith(":passaparola-local-WorkDLQ")
    assert int(policy["maxReceiveCount"]) == 2 and attrs["VisibilityTimeout"] == "1"
    topics = [t["TopicArn"] for t in boto3.client("sns").list_topics()["Topics"]]
    assert "arn:aws:sns:us-east-1:123456789012:passaparola-local-Topic" in topics
    assert local_stack.functions["EchoFunction"].environment["QUEUE_URL"] == url  # env got the real URL


def test_request_reaches_the_function_as_a_proxy_event(local_stack: Stack) -> None:
    resp = requests.get(f"{local_stack.url}/items/42?q=1", headers={"X-Test": "yes"}, timeout=5)
    assert resp.status_code == 200 and resp.headers["X-Echo"] == "1"
    assert resp.headers["Set-Cookie"] == "a=1, b=2"
    body = resp.json()
    event = body["event"]
    assert event["resource"] == "/items/{id}" and event["pathParameters"] == {"id": "42"}
    assert event["headers"]["X-Test"] == "yes" and event["queryStringParameters"] == {"q": "1"}
    assert event["requestContext"]["stage"] == "local"
    ctx = body["context"]
    assert ctx["memory_limit_in_mb"] == 256 and 0 < ctx["remaining"] <= 10_000
    assert ctx["invoked_function_arn"].startswith("arn:aws:lambda:us-east-1:")
    assert body["env"]["TABLE"] == "passaparola-local-ItemsTable" and body["env"]["STAGE"] == "local"


def test_a_function_answer_carries_the_function_time_for_the_latency_bench(local_stack: Stack) -> None:
    """bench/latency.py splits an HTTP call into the gateway's share and the function's from this header."""
    from bench.latency import _function_seconds

    resp = requests.get(f"{local_stack.url}/items/42", timeout=5)
    name, _, duration = resp.headers["Server-Timing"].partition(";dur=")
    assert name == "function" and 0 < float(duration) < 5000
    assert _function_seconds(resp.headers["Server-Timing"]) == float(duration) / 1000
    assert "Server-Timing" not in requests.get(f"{local_stack.url}/nope", timeout=5).headers  # no function ran


def test_post_body_and_greedy_path(local_stack: Stack) -> None:
    event = requests.post(f"{local_stack.url}/items", json={"a": 1}, timeout=5).json()["event"]
    assert json.loads(event["body"]) == {"a": 1} and event["isBase64Encoded"] is False
    event = requests.delete(f"{local_stack.url}/files/a/b.txt", timeout=5).json()["event"]
    assert event["pathParameters"] == {"proxy": "a/b.txt"} and event["httpMethod"] == "DELETE"


def test_expect_100_continue_is_answered_before_the_body_and_responses_keep_the_connection(local_stack: Stack) -> None:
    """The gateway buffers a response to send it in one write: the interim 100 must still go out at once."""
    host, port = local_stack.url.removeprefix("http://").split(":")
    body = b'{"a": 1}'
    head = f"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(head.encode() + b"Expect: 100-continue\r\n\r\n")
        assert conn.recv(64).startswith(b"HTTP/1.1 100")
        conn.sendall(body)
        stream = conn.makefile("rb")
        for _ in range(2):  # the same connection answers a second request
            assert stream.readline().startswith(b"HTTP/1.1 200")
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.lower()] = value.strip()
            answer = json.loads(stream.read(int(headers["content-length"])))
            assert json.loads(answer["event"]["body"]) == {"a": 1}
            conn.sendall(head.encode() + b"\r\n" + body)


def test_not_found_and_method_not_allowed(local_stack: Stack) -> None:
    resp = requests.get(f"{local_stack.url}/nope", timeout=5)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
    resp = requests.put(f"{local_stack.url}/items", timeout=5)
    assert resp.status_code == 405 and resp.json()["error"]["code"] == "method_not_allowed"


def test_any_other_method_is_405_not_a_server_error(local_stack: Stack) -> None:
    """http.server answers 501 to methods it has no handler for; API Gateway never answers 5xx for that."""
    for method in ("TRACE", "QUERY", "PROPFIND"):
        resp = requests.request(method, f"{local_stack.url}/items", timeout=5)
        assert resp.status_code == 405 and resp.json()["error"]["code"] == "method_not_allowed", method


def test_function_failures_are_502(local_stack: Stack) -> None:
    assert requests.get(f"{local_stack.url}/items/1?raise=1", timeout=5).status_code == 502
    assert requests.get(f"{local_stack.url}/items/1?malformed=1", timeout=5).status_code == 502


def test_cors_preflight(local_stack: Stack) -> None:
    resp = requests.options(f"{local_stack.url}/items/1", headers={"Origin": "https://x.example"}, timeout=5)
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"  # AllowedOrigins is "*" locally
    assert "X-Publishable-Key" in resp.headers["Access-Control-Allow-Headers"]
    assert "GET" in resp.headers["Access-Control-Allow-Methods"]


def test_job_endpoint_auth(local_stack: Stack) -> None:
    url = f"{local_stack.url}/local/jobs/NightlyFunction"
    assert requests.post(url, timeout=5).status_code == 401
    assert requests.post(url, headers={"Authorization": "Bearer wrong"}, timeout=5).status_code == 403
    assert requests.post(url, headers={"Authorization": "Bearer pk_test_local"}, timeout=5).status_code == 403
    ok = {"Authorization": "Bearer sk_test_local"}
    resp = requests.post(url, headers=ok, timeout=5)
    assert resp.status_code == 200
    assert resp.json() == {"ran": True, "source": "aws.events", "detail_type": "Scheduled Event"}
    unknown = requests.post(f"{local_stack.url}/local/jobs/EchoFunction", headers=ok, timeout=5)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


def test_partial_batch_failure_response() -> None:
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"a", "b"}) == {"b"}
    assert failed_ids({"batchItemFailures": []}, {"a"}) == set()
    assert failed_ids(None, {"a"}) == set()
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a"}) is None  # malformed: all fail


def test_poller_deletes_only_successful_messages(local_stack: Stack) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="poller-unit", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    for body in ("ok-1", "fail", "ok-2"):
        sqs.send_message(
            QueueUrl=url, MessageBody=body, MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}}
        )
    seen: list[dict] = []

    def invoke(function_id: str, event: dict) -> dict:
        seen.extend(event["Records"])
        return {
            "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "fail"]
        }

    poller = QueuePoller(
        SqsEvent("F", "E", "Q", 10, True), url, "arn:aws:sqs:us-east-1:123456789012:poller-unit", sqs, invoke, 0
    )
    while poller.poll_once():
        pass
    assert sorted(r["body"] for r in seen) == ["fail", "ok-1", "ok-2"]
    record = seen[0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"].endswith(":poller-unit")
    assert record["messageAttributes"]["k"]["stringValue"] == "v" and record["attributes"]["ApproximateReceiveCount"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "1"


def test_failed_messages_end_in_the_dlq(local_stack: Stack) -> None:
    """End to end: the stack's poller feeds WorkerFunction; a reported failure is retried, then dead-lettered."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="passaparola-local-WorkQueue")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName="passaparola-local-WorkDLQ")["QueueUrl"]
    sqs.purge_queue(QueueUrl=dlq)  # the topic subscription may have put something there
    sqs.send_message(QueueUrl=url, MessageBody="ok")
    sqs.send_message(QueueUrl=url, MessageBody="fail")

    def dead_lettered() -> list[str]:
        got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        return [m["Body"] for m in got]

    assert wait_for(dead_lettered, timeout=15) == ["fail"]

    def drained() -> bool:
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"

    assert wait_for(drained)
