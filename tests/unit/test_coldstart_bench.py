"""bench/coldstart.py's pieces: the bare process replays recorded DynamoDB calls (binary values, fresh ids, a failed
condition counted), and the runtime's Python is found by version."""

from __future__ import annotations

import base64
import os
import sys
import sysconfig
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from bench import coldstart
from infra.local.aws import MotoServer

THIS = f"{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture
def endpoint() -> Iterator[str]:
    """A moto server (moto's state is per process: each test names its own table)."""
    server = MotoServer()
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def test_replay_makes_the_recorded_calls_with_fresh_ids(endpoint: str) -> None:
    table = f"replay-{uuid.uuid4().hex}"
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x")  # fmt: skip
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    blob = {"__bytes__": base64.b64encode(b"\x00\xff").decode()}
    put = {"TableName": table, "Item": {"pk": {"S": f"ord_{coldstart.UNIQUE}"}, "b": {"B": blob}}}
    conditional = {**put, "ConditionExpression": "attribute_not_exists(pk)"}
    calls = [
        ["secretsmanager", "GetSecretValue", {"SecretId": "not replayed"}],
        ["dynamodb", "PutItem", put],
        ["dynamodb", "PutItem", conditional],  # the item the first call wrote: fails, still a round trip
    ]
    env = {**coldstart.child_env({}, endpoint, "Test", "/var/task"), "PYTHONUTF8": "1"}
    request = {"layers": [sysconfig.get_paths()["purelib"]], "calls": coldstart.fresh(calls, "abc")}
    result = coldstart.run_probe(sys.executable, coldstart.BARE_PROBE, request, env)

    assert result["failed"] == 1 and result["total"] >= result["import"] > 0
    assert result["cpu_total"] >= result["cpu_import"] > 0
    items = ddb.scan(TableName=table)["Items"]
    assert items == [{"pk": {"S": "ord_abc"}, "b": {"B": b"\x00\xff"}}]


APP = """
import os, boto3
ddb = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"])
def lambda_handler(event, context):
    ddb.put_item(TableName="TABLE", Item={"pk": {"S": event["id"]}, "b": {"B": b"\\x01"}})
    return {"statusCode": 201, "body": context.function_name}
"""


def test_the_handler_probe_records_what_the_handler_calls(endpoint: str, tmp_path: Path) -> None:
    table = f"record-{uuid.uuid4().hex}"
    (tmp_path / "app.py").write_text(APP.replace("TABLE", table))
    boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                 aws_secret_access_key="x").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    request = {
        "code_dir": str(tmp_path),
        "layers": [sysconfig.get_paths()["purelib"]],
        "module": "app",
        "handler": "lambda_handler",
        "function_name": "TestFunction",
        "event": {"id": "o1"},
        "record": True,
    }
    result = coldstart.run_probe(
        sys.executable, coldstart.HANDLER_PROBE, request, coldstart.child_env({}, endpoint, "T", str(tmp_path))
    )

    assert result["status"] == 201 and result["body"] == "TestFunction"
    assert result["cpu_total"] >= result["cpu_import"] > 0
    item = {"pk": {"S": "o1"}, "b": {"B": {"__bytes__": base64.b64encode(b"\x01").decode()}}}
    assert result["calls"] == [["dynamodb", "PutItem", {"TableName": table, "Item": item}]]


def test_the_processes_run_as_in_lambda_with_tracing_on() -> None:
    """Outside Lambda powertools' Tracer patches nothing and X-Ray builds a sampling client: another cold start."""
    env = coldstart.child_env({"POWERTOOLS_SERVICE_NAME": "p"}, "http://x", "CouponsFunction", "/var/task")
    assert env["LAMBDA_TASK_ROOT"] == "/var/task" and env["POWERTOOLS_SERVICE_NAME"] == "p"
    assert env["_X_AMZN_TRACE_ID"].endswith("Sampled=1") and "POWERTOOLS_TRACE_DISABLED" not in env


def test_fresh_replaces_the_placeholder_everywhere() -> None:
    value = {"body": f'{{"id": "ord_{coldstart.UNIQUE}"}}', "list": [coldstart.UNIQUE, 1]}
    assert coldstart.fresh(value, "x1") == {"body": '{"id": "ord_x1"}', "list": ["x1", 1]}


def test_find_python_checks_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY313", sys.executable)
    assert coldstart.find_python(THIS) == sys.executable
    assert coldstart.find_python("3.99") is None
    assert os.environ["PY313"] == sys.executable
