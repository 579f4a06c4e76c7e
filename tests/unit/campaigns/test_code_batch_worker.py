"""The SQS worker that completes large code batches (functions/code_batches)."""

import json

import boto3
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from passaparola.settings import get_settings
from tests.unit.campaigns.test_campaigns import codes, create
from tests.unit.functions import load_function


def test_a_completed_batch_is_not_reported_as_a_failed_record(campaigns_fn):
    # Its "completed" log line once used `created`, a reserved LogRecord field: logging raised KeyError, so
    # every large batch went back to the queue after its codes were written, and was run again until dead-lettered.
    boto3.client("sqs").create_queue(QueueName=get_settings().code_batch_queue_url.rsplit("/", 1)[-1])
    campaign = create(campaigns_fn)
    reply = codes(campaigns_fn, campaign["id"], {"count": 1500, "pattern": "BIG-********"})
    worker = load_function("code_batches")

    record = {"messageId": "m1", "body": json.dumps({"batch_id": reply.body["batch"]["id"]}), "attributes": {}}
    record["attributes"]["ApproximateReceiveCount"] = "1"
    worker.record_handler(SQSRecord(record))
