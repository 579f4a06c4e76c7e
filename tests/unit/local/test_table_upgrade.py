"""A table DynamoDB Local kept from an older version gets the global indexes the template added since."""

import boto3
from moto import mock_aws

from infra.local.aws import create_tables, table_request
from infra.local.template import Template
from tests.unit.functions import ROOT


def test_an_existing_table_gets_the_missing_index_and_keeps_its_items(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-south-1")
    monkeypatch.setenv("AWS_REGION", "eu-south-1")
    with mock_aws():
        template = Template(ROOT / "template.yaml")
        ddb = boto3.client("dynamodb", region_name="eu-south-1")
        old = table_request(template, "CustomersTable")
        old["GlobalSecondaryIndexes"] = [i for i in old["GlobalSecondaryIndexes"] if i["IndexName"] != "by_email"]
        old["AttributeDefinitions"] = [a for a in old["AttributeDefinitions"] if a["AttributeName"] != "email_hash"]
        ddb.create_table(**old)
        name = old["TableName"]
        ddb.put_item(TableName=name, Item={"customer_id": {"S": "c1"}, "sk": {"S": "facts"}, "email_hash": {"S": "h"}})

        create_tables(template, None)

        indexes = {i["IndexName"] for i in ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]}
        assert "by_email" in indexes
        found = ddb.query(
            TableName=name,
            IndexName="by_email",
            KeyConditionExpression="email_hash = :h",
            ExpressionAttributeValues={":h": {"S": "h"}},
        )
        assert [i["customer_id"]["S"] for i in found["Items"]] == ["c1"]
        create_tables(template, None)  # nothing left to add: no error


def test_an_existing_table_gets_the_stream_the_template_added(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-south-1")
    monkeypatch.setenv("AWS_REGION", "eu-south-1")
    with mock_aws():
        template = Template(ROOT / "template.yaml")
        ddb = boto3.client("dynamodb", region_name="eu-south-1")
        old = table_request(template, "CustomersTable")
        assert old.pop("StreamSpecification") == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        ddb.create_table(**old)

        create_tables(template, None)

        table = ddb.describe_table(TableName=old["TableName"])["Table"]
        assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert template.physical["CustomersTable"]["StreamArn"] == table["LatestStreamArn"]  # what the poller reads
        create_tables(template, None)  # already there: no error
