"""Invariants of template.yaml that users and the local stack rely on.

Pure file checks (no AWS, no SAM CLI): `make validate` runs the real linter.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from infra.local.functions import load_module
from infra.local.template import Template, load_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

# Routes deliberately outside /v1 (none today). Document each one here.
NON_V1_ROUTES: set[tuple[str, str]] = {
    ("GET", "/r/{code}"),
    ("GET", "/r/{code}/qr"),
    ("GET", "/l/{campaign_id}/qr"),
}  # public share links and the loyalty enrollment QR

ENV_TABLES = {
    "CAMPAIGNS_TABLE": "CampaignsTable",
    "CODES_TABLE": "CodesTable",
    "REDEMPTIONS_TABLE": "RedemptionsTable",
    "CUSTOMERS_TABLE": "CustomersTable",
    "API_KEYS_TABLE": "ApiKeysTable",
    "IDEMPOTENCY_TABLE": "IdempotencyTable",
    "REFERRALS_TABLE": "ReferralsTable",
    "REWARDS_TABLE": "RewardsTable",
    "ORDERS_TABLE": "OrdersTable",
    "MESSAGES_TABLE": "MessagesTable",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data = load_yaml(TEMPLATE)
    assert isinstance(data, dict)
    return data


def _resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _resources(template, "AWS::Serverless::Function")


def test_sam_transform(template: dict[str, Any]) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"


def test_functions_are_python313_arm64_via_globals(template: dict[str, Any]) -> None:
    glob = template["Globals"]["Function"]
    assert glob["Runtime"] == "python3.13"
    assert glob["Architectures"] == ["arm64"]
    assert glob["Tracing"] == "Active"
    assert glob["Layers"] == [{"Ref": "DepsLayer"}, {"Ref": "PassaparolaLayer"}]
    functions = _functions(template)
    assert set(functions) == {
        "CouponsFunction",
        "CampaignsFunction",
        "CodeBatchFunction",
        "ReferralsFunction",
        "RedirectsFunction",
        "ConversionsFunction",
        "RewardsFunction",
        "RewardReleaseFunction",
        "ReportsFunction",
        "CustomersFunction",
        "LoyaltyFunction",
        "SegmentsFunction",
        "LoyaltyDailyFunction",
        "MessagesFunction",
        "ReengagementDailyFunction",
        "ReengagementWatchFunction",
        "MessageSenderFunction",
        "MessageRedriveFunction",
    }
    for name, fn in functions.items():
        props = fn["Properties"]
        assert "Runtime" not in props, f"{name} overrides the Globals runtime"
        assert "Architectures" not in props, f"{name} overrides the Globals architecture"
        assert props["Handler"] == "app.lambda_handler", name
        assert fn["Metadata"]["BuildMethod"] == "makefile", name
        code_dir = ROOT / props["CodeUri"]
        assert (code_dir / "Makefile").is_file(), f"{name}: {code_dir}/Makefile missing"
        assert f"build-{name}:" in (code_dir / "Makefile").read_text(), name


def test_layers_build_for_python313_arm64(template: dict[str, Any]) -> None:
    layers = _resources(template, "AWS::Serverless::LayerVersion")
    assert set(layers) == {"DepsLayer", "PassaparolaLayer"}
    for name, layer in layers.items():
        props = layer["Properties"]
        assert props["CompatibleRuntimes"] == ["python3.13"], name
        assert props["CompatibleArchitectures"] == ["arm64"], name
        assert layer["Metadata"]["BuildMethod"] == "makefile", name
        makefile = ROOT / props["ContentUri"] / "Makefile"
        assert f"build-{name}:" in makefile.read_text(), name


def test_tables_are_durable(template: dict[str, Any]) -> None:
    tables = _resources(template, "AWS::DynamoDB::Table")
    assert set(tables) == set(ENV_TABLES.values())
    for name, table in tables.items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["DeletionProtectionEnabled"] is True, name
        assert props["SSESpecification"]["SSEEnabled"] is True, name
        assert table["DeletionPolicy"] == "Retain", name
        assert table["UpdateReplacePolicy"] == "Retain", name
        assert "TableName" not in props, f"{name}: let CloudFormation name the table"


def _keys(key_schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in key_schema]


def test_table_keys_match_the_pynamodb_models(template: dict[str, Any]) -> None:
    """The data layer's models and the deployed tables agree on every key (docs/data-model.md)."""
    from passaparola.data import models

    res = template["Resources"]
    for model, setting in models._TABLES:
        logical_id = ENV_TABLES[setting.upper()]
        meta = model._hash_keyname, model._range_keyname
        declared = _keys(res[logical_id]["Properties"]["KeySchema"])
        assert declared == [(k, t) for k, t in zip(meta, ("HASH", "RANGE"), strict=True) if k], model.__name__
    for logical_id in ENV_TABLES.values():
        props = res[logical_id]["Properties"]
        defined = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
        used = {k["AttributeName"] for k in props["KeySchema"]} | {
            k["AttributeName"] for gsi in props.get("GlobalSecondaryIndexes", []) for k in gsi["KeySchema"]
        }
        assert set(defined) == used, logical_id
        numeric = {"score"}  # the leaderboard's sort key
        assert all(t == ("N" if a in numeric else "S") for a, t in defined.items()), logical_id

    def gsis(name: str) -> dict[str, dict[str, Any]]:
        items = res[name]["Properties"].get("GlobalSecondaryIndexes", [])
        return {g["IndexName"]: g for g in items}

    by_campaign = gsis("CodesTable")["by_campaign"]
    assert _keys(by_campaign["KeySchema"]) == [("campaign_id", "HASH"), ("code", "RANGE")]
    assert by_campaign["Projection"]["ProjectionType"] == "ALL"
    by_code = gsis("RedemptionsTable")["by_code"]
    assert _keys(by_code["KeySchema"]) == [("code", "HASH"), ("created_at", "RANGE")]
    assert by_code["Projection"]["ProjectionType"] == "ALL"
    board = gsis("ReferralsTable")["board"]
    assert _keys(board["KeySchema"]) == [("board", "HASH"), ("score", "RANGE")]
    assert set(gsis("ReferralsTable")) == {"by_status", "by_code", "board"}
    assert set(gsis("RewardsTable")) == {"due", "by_referral"}
    due = gsis("CustomersTable")["due"]
    assert _keys(due["KeySchema"]) == [("due", "HASH"), ("customer_id", "RANGE")]
    assert set(gsis("CustomersTable")) == {"due", "by_segment"}
    assert set(gsis("MessagesTable")) == {"by_customer", "by_campaign", "outbox"}
    outbox = gsis("MessagesTable")["outbox"]
    assert _keys(outbox["KeySchema"]) == [("outbox", "HASH"), ("next_attempt_at", "RANGE")]
    for name in ("CampaignsTable", "ApiKeysTable", "IdempotencyTable", "OrdersTable"):
        assert not gsis(name), name
    ttl = res["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expiration", "Enabled": True}


def test_env_vars_reference_existing_resources(template: dict[str, Any]) -> None:
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    resources = template["Resources"]
    for var, table in ENV_TABLES.items():
        assert env[var] == {"Ref": table}, var
        assert resources[table]["Type"] == "AWS::DynamoDB::Table", var
    assert env["CODE_BATCH_QUEUE_URL"] == {"Ref": "CodeBatchQueue"}
    assert resources["CodeBatchQueue"]["Type"] == "AWS::SQS::Queue"
    assert env["ALLOWED_ORIGINS"] == {"Ref": "AllowedOrigins"}
    assert env["STAGE"] == {"Ref": "Stage"}
    # every plain !Ref in the environment names a parameter or a resource
    for var, value in env.items():
        if isinstance(value, dict) and "Ref" in value:
            ref = value["Ref"]
            assert ref in resources or ref in template["Parameters"], f"{var} -> {ref}"
    for fn_name, fn in _functions(template).items():
        for var, value in fn["Properties"].get("Environment", {}).get("Variables", {}).items():
            if isinstance(value, dict) and "Ref" in value:
                ref = value["Ref"]
                assert ref in resources or ref in template["Parameters"], f"{fn_name}.{var}"


def _api_events(fn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    events = fn["Properties"].get("Events", {})
    return {k: v for k, v in events.items() if v["Type"] == "Api"}


def test_api_routes_are_exactly_the_routes_each_function_serves() -> None:
    """Template and resolvers can never drift: every declared route is served and every served route declared."""
    for logical_id, spec in Template(TEMPLATE).functions().items():
        declared = {(e.method.upper(), e.path) for e in spec.api_events}
        app = getattr(load_module(spec, "_routes"), "app", None)
        served = {
            (route.method, re.sub(r"<(\w+)>", r"{\1}", route.path))
            for route in (app._static_routes + app._dynamic_routes if app else [])
            if route.method != "OPTIONS"
        }
        assert declared == served, logical_id
        assert all(path.startswith("/v1/") or (m, path) in NON_V1_ROUTES for m, path in declared), logical_id


def test_code_batch_consumer(template: dict[str, Any]) -> None:
    res = template["Resources"]
    fn = res["CodeBatchFunction"]["Properties"]
    (event,) = fn["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["CodeBatchQueue", "Arn"]}
    assert event["Properties"]["BatchSize"] == 1
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = res["CodeBatchQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * fn["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["CodeBatchDLQ", "Arn"]}


def test_message_sender_consumer(template: dict[str, Any]) -> None:
    """Partial batch failures, and a DLQ fed after more receives than the sender's own 5 attempts."""
    res = template["Resources"]
    fn = res["MessageSenderFunction"]["Properties"]
    (event,) = fn["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["MessageQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = res["MessageQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * fn["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["MessageDLQ", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] > 5
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["MESSAGE_QUEUE_URL"] == {"Ref": "MessageQueue"}
    assert env["MESSAGE_DLQ_URL"] == {"Ref": "MessageDLQ"}
    daily = res["ReengagementDailyFunction"]["Properties"]["Events"]["Daily"]["Properties"]
    assert daily["ScheduleExpressionTimezone"] == {"Ref": "ShopTimezone"}


def _statements(policy: Any) -> list[dict[str, Any]]:
    if isinstance(policy, dict) and "Statement" in policy:
        statements = policy["Statement"]
        return statements if isinstance(statements, list) else [statements]
    return []


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_policies_are_least_privilege(template: dict[str, Any]) -> None:
    allowed_templates = {
        "DynamoDBCrudPolicy",
        "DynamoDBReadPolicy",
        "SQSSendMessagePolicy",
        "SQSPollerPolicy",
        "SNSPublishMessagePolicy",
    }
    resources = template["Resources"]
    for fn_name, fn in _functions(template).items():
        for policy in fn["Properties"].get("Policies", []):
            assert not isinstance(policy, str), f"{fn_name}: managed policy {policy}"
            statements = _statements(policy)
            if not statements:
                # a SAM policy template scoped to one of our resources
                ((kind, args),) = policy.items()
                assert kind in allowed_templates, f"{fn_name}: {kind}"
                ref = next(iter(args.values()))
                target = ref.get("Ref") or ref.get("Fn::GetAtt", [None])[0]
                assert target in resources, f"{fn_name}: {kind} -> {ref}"
                continue
            for st in statements:
                for action in _as_list(st["Action"]):
                    assert "*" not in action, f"{fn_name}: wildcard action {action}"
                if "NotResource" in st:  # SMS to phone numbers: anything but a topic (no ARN to name)
                    assert st["Action"] == ["sns:Publish"], f"{fn_name}: NotResource beyond SMS"
                    continue
                for resource in _as_list(st["Resource"]):
                    assert resource != "*", f"{fn_name}: wildcard resource"
                    assert isinstance(resource, dict), f"{fn_name}: literal ARN {resource}"


def test_api_stage_and_cors(template: dict[str, Any]) -> None:
    api = template["Resources"]["Api"]
    assert api["Type"] == "AWS::Serverless::Api"
    props = api["Properties"]
    assert props["StageName"] == {"Ref": "Stage"}
    headers = props["Cors"]["AllowHeaders"].strip("'").split(",")
    for header in ("Content-Type", "Authorization", "X-Publishable-Key", "Idempotency-Key"):
        assert header in headers
    assert props["Cors"]["AllowOrigin"] == {"Fn::Sub": "'${AllowedOrigins}'"}
    assert "AccessLogSetting" in props
    outputs = template["Outputs"]
    assert "ApiUrl" in outputs


def test_optional_waf_targets_the_public_browser_routes(template: dict[str, Any]) -> None:
    acl = template["Resources"]["WebAcl"]
    assert acl["Condition"] == "CreateWaf"
    (rule,) = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP"
    method, paths = rate["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert method["ByteMatchStatement"]["SearchString"] == "POST"
    strings = {m["ByteMatchStatement"]["SearchString"] for m in paths["OrStatement"]["Statements"]}
    assert strings == {"/v1/coupons/validate", "/v1/referrals/track"}
