"""What webhook delivery needs of the local stack's SQS (moto): per-message delays on the standard retry queue, and a
FIFO group held back while one of its messages is in flight (order per customer)."""

import time

import boto3
from moto import mock_aws


def test_per_message_delay_and_fifo_groups() -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        retries = sqs.create_queue(QueueName="retries")["QueueUrl"]
        sqs.send_message(QueueUrl=retries, MessageBody="later", DelaySeconds=1)
        assert not sqs.receive_message(QueueUrl=retries).get("Messages")
        time.sleep(1.1)
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=retries)["Messages"]] == ["later"]

        fifo = sqs.create_queue(QueueName="hooks.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        for i in range(3):
            sqs.send_message(QueueUrl=fifo, MessageBody=str(i), MessageGroupId="c1", MessageDeduplicationId=str(i))
        (first,) = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1)["Messages"]
        assert first["Body"] == "0"
        assert not sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10).get("Messages")
        sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first["ReceiptHandle"])
        rest = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in rest] == ["1", "2"]
