"""Messages to the shop's team go out through SNS without boto3 (and QR codes are drawn without segno at import): the customer record imports this module, so boto3
imported here made it part of the conversions and loyalty functions' cold start (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra.local.invoke import reset_containers
from passaparola.data import notifications

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_customer_record_imports_neither_boto3_nor_segno() -> None:
    probe = "import sys, passaparola.customers.record, passaparola.coupons.qr; print(sorted({'boto3', 'segno'} & set(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "passaparola"), "AWS_REGION": "us-east-1"}
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_a_team_message_is_published_without_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="team")["TopicArn"]
        queue = sqs.create_queue(QueueName="team-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        monkeypatch.setenv("TEAM_TOPIC_ARN", topic)
        reset_containers()
        notifications._sns.cache_clear()
        monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` now raises ImportError
        try:
            notifications.team("A reward to deliver", {"customer_id": "cus_1"})
        finally:
            monkeypatch.undo()
            notifications._sns.cache_clear()
            reset_containers()
        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        assert [json.loads(m["Body"]) for m in received] == [{"customer_id": "cus_1"}]
