"""moto parses each condition expression once per (expression, names, values), and still answers each item alone."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb import comparisons

from infra.local.moto_fixes import apply


def test_a_repeated_condition_is_parsed_once_and_judged_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    apply()
    parses = {"n": 0}
    original = comparisons.ConditionExpressionParser.parse

    def counted(self: Any) -> Any:
        parses["n"] += 1
        return original(self)

    monkeypatch.setattr(comparisons.ConditionExpressionParser, "parse", counted)
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        fresh = {"ConditionExpression": "attribute_not_exists(#k)", "ExpressionAttributeNames": {"#k": "k"}}
        for i in range(50):
            ddb.put_item(TableName="t", Item={"k": {"S": f"c{i}"}, "n": {"N": str(i)}}, **fresh)
        assert parses["n"] <= 2  # not once per item
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            ddb.put_item(TableName="t", Item={"k": {"S": "c7"}}, **fresh)  # the shared tree still reads this item

        below = {"ConditionExpression": "#n < :cap", "ExpressionAttributeNames": {"#n": "n"}}
        update = {"UpdateExpression": "SET #n = #n + :one", **below}
        for cap, key, ok in ((5, "c3", True), (5, "c9", False), (20, "c9", True)):
            values = {":cap": {"N": str(cap)}, ":one": {"N": "1"}}
            if ok:
                ddb.update_item(TableName="t", Key={"k": {"S": key}}, ExpressionAttributeValues=values, **update)
                continue
            with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
                ddb.update_item(TableName="t", Key={"k": {"S": key}}, ExpressionAttributeValues=values, **update)
        assert ddb.get_item(TableName="t", Key={"k": {"S": "c9"}})["Item"]["n"] == {"N": "10"}
