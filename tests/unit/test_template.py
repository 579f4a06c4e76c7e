"""Invariants of template.yaml that users and the local stack rely on.

Pure file checks (no AWS, no SAM CLI): `make validate` runs the real linter.
"""

from __future__ import annotations

import json
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
    ("GET", "/admin"),
    ("GET", "/admin/{proxy+}"),
}  # public share links, the loyalty enrollment QR and the console web app

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
    "AUDIT_TABLE": "AuditTable",
    "PASSES_TABLE": "PassesTable",
    "EVENTS_TABLE": "EventsTable",
    "WEBHOOKS_TABLE": "WebhooksTable",
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
        "ConsoleFunction",
        "ConversionsFunction",
        "RewardsFunction",
        "RewardReleaseFunction",
        "ReportsFunction",
        "CustomersFunction",
        "LoyaltyFunction",
        "PassesFunction",
        "SegmentsFunction",
        "LoyaltyDailyFunction",
        "MessagesFunction",
        "ReengagementDailyFunction",
        "ReengagementWatchFunction",
        "MessageSenderFunction",
        "MessageRedriveFunction",
        "SesFeedbackFunction",
        "AuditFunction",
        "AdminFunction",
        "PassUpdateFunction",
        "WebhooksFunction",
        "WebhookDeliveryFunction",
        "EventPublishFunction",
        "EventRepublishFunction",
        "EventsFunction",
        "ApiPreflightTextFunction",
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
    for model, setting in models.every_model():
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
    # The last released template had {due, by_referral}: DynamoDB creates one GSI per table update and
    # CloudFormation refuses an update adding two, so an existing stack could not be upgraded. The payouts' lines
    # share by_day (`day=payout#<month>`) rather than adding a second new index.
    assert set(gsis("RewardsTable")) == {"due", "by_referral", "by_day"}
    by_day = gsis("RewardsTable")["by_day"]
    assert _keys(by_day["KeySchema"]) == [("day", "HASH"), ("at", "RANGE")], "one GSI for rewards and points lines"
    by_batch = gsis("CodesTable")["by_batch"]
    assert _keys(by_batch["KeySchema"]) == [("batch_id", "HASH"), ("code", "RANGE")]
    due = gsis("CustomersTable")["due"]
    assert _keys(due["KeySchema"]) == [("due", "HASH"), ("customer_id", "RANGE")]
    assert set(gsis("CustomersTable")) == {"due", "by_segment", "by_email"}
    by_email = gsis("CustomersTable")["by_email"]
    assert _keys(by_email["KeySchema"]) == [("email_hash", "HASH"), ("customer_id", "RANGE")]
    assert by_email["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert set(gsis("MessagesTable")) == {"by_customer", "by_campaign", "outbox", "by_provider_id"}
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
        greedy = "|".join(getattr(app, "greedy_parameters", ())) or "$^"  # {proxy+}: the console's files
        served = {
            (route.method, re.sub(r"<(\w+)>", r"{\1}", re.sub(rf"<({greedy})>", r"{\1+}", route.path)))
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


def _policies(fn: dict[str, Any]) -> list[Any]:
    """A function's policies, both branches of a conditional one (`!If [Condition, policy, !Ref AWS::NoValue]`)."""
    out: list[Any] = []
    for policy in fn["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Fn::If" in policy:
            _, *branches = policy["Fn::If"]
            out += [b for b in branches if b != {"Ref": "AWS::NoValue"}]
        else:
            out.append(policy)
    return out


def test_policies_are_least_privilege(template: dict[str, Any]) -> None:
    allowed_templates = {
        "SQSSendMessagePolicy",
        "SQSPollerPolicy",
        "SNSPublishMessagePolicy",
        "AWSSecretsManagerGetSecretValuePolicy",  # one secret, by ARN
    }
    resources = template["Resources"]
    for fn_name, fn in _functions(template).items():
        for policy in _policies(fn):
            assert not isinstance(policy, str), f"{fn_name}: managed policy {policy}"
            statements = _statements(policy)
            if not statements:
                # a SAM policy template scoped to one of our queues or topics (DynamoDB: explicit statements)
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


# The only Scan, DeleteItem and BatchWriteItem grants, each with the code that needs it. Anything else
# (a new Scan on a hot table, a Delete on a public function) fails here first.
DESTRUCTIVE_GRANTS: dict[tuple[str, str, str], str] = {
    ("CampaignsFunction", "CampaignsTable", "Scan"): "GET /v1/campaigns: campaigns are few, a filtered scan page",
    ("ReengagementDailyFunction", "CampaignsTable", "Scan"): "data.campaigns.enabled_of_type: the jobs' campaigns",
    ("ReportsFunction", "CampaignsTable", "Scan"): "GET /v1/reports/overview lists every campaign (a few pages)",
    ("ReengagementWatchFunction", "CampaignsTable", "Scan"): "data.campaigns.enabled_of_type: the jobs' campaigns",
    ("LoyaltyFunction", "CampaignsTable", "Scan"): "GET /v1/program: the active referral program, once a minute",
    ("LoyaltyDailyFunction", "CustomersTable", "Scan"): "segments.backfill: a new custom segment, once",
    ("CouponsFunction", "RedemptionsTable", "DeleteItem"): "a rollback frees the order lock",
    (
        "ConversionsFunction",
        "RedemptionsTable",
        "DeleteItem",
    ): "an order refused for a taken Idempotency-Key rolls back its coupon's redemption (frees the order lock)",
    ("AdminFunction", "ApiKeysTable", "Scan"): "GET /v1/keys and revoke by prefix: a handful of keys",
    ("CustomersFunction", "ReferralsTable", "DeleteItem"): "erasure deletes touches by hashed email",
    ("PassUpdateFunction", "PassesTable", "DeleteItem"): "a device APNs answers 410 for is unregistered",
    ("PassesFunction", "PassesTable", "DeleteItem"): "PassKit: a phone unregistering from a pass's updates",
    ("CustomersFunction", "PassesTable", "DeleteItem"): "erasure forgets the phones registered for the wallet pass",
    ("WebhooksFunction", "WebhooksTable", "DeleteItem"): "DELETE /v1/webhooks/{id}: the owner removes an endpoint",
    **{
        (fn, "CustomersTable", "DeleteItem"): "customer record writes drop ended timers and segment memberships"
        for fn in (
            "ConversionsFunction",
            "CustomersFunction",
            "LoyaltyFunction",
            "LoyaltyDailyFunction",
            "MessagesFunction",
            "ReengagementDailyFunction",
            "ReengagementWatchFunction",
            "ReferralsFunction",
            "RewardReleaseFunction",
            "SegmentsFunction",  # and DELETE /v1/segments/{name}
        )
    },
    **{
        (fn, "IdempotencyTable", "DeleteItem"): "powertools deletes the record of a request that failed"
        for fn in (
            "CouponsFunction",
            "CampaignsFunction",
            "ReferralsFunction",
            "ConversionsFunction",
            "RewardsFunction",
            "CustomersFunction",
            "LoyaltyFunction",
            "SegmentsFunction",
            "MessagesFunction",
            "ReportsFunction",
            "AdminFunction",
            "WebhooksFunction",
        )
    },
}
DYNAMODB_ACTIONS = {
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "ConditionCheckItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
}


def _dynamodb_grants(fn: dict[str, Any]) -> dict[str, set[str]]:
    """Table (or table/index) logical id -> the dynamodb actions granted on it."""
    grants: dict[str, set[str]] = {}
    for policy in _policies(fn):
        for st in _statements(policy):
            actions = {a.split(":", 1)[1] for a in _as_list(st["Action"]) if a.startswith("dynamodb:")}
            if not actions:
                continue
            assert st["Effect"] == "Allow"
            for resource in _as_list(st["Resource"]):
                if "Fn::GetAtt" in resource:
                    assert resource["Fn::GetAtt"][1] == "Arn"
                    key = resource["Fn::GetAtt"][0]
                else:
                    match = re.fullmatch(r"\$\{(\w+)\.Arn\}/index/(\w+)", resource["Fn::Sub"])
                    assert match, resource
                    key = f"{match[1]}/index/{match[2]}"
                    assert actions == {"Query"}, f"indexes are queried, nothing else: {key}"
                grants.setdefault(key, set()).update(actions)
    return grants


def test_no_function_can_scan_or_delete_unless_listed(template: dict[str, Any]) -> None:
    """Explicit actions on explicit tables and indexes; Scan, DeleteItem and batch writes only where listed above."""
    resources = template["Resources"]
    seen = set()
    for fn_name, fn in _functions(template).items():
        for key, actions in _dynamodb_grants(fn).items():
            table, _, index = key.partition("/index/")
            assert resources[table]["Type"] == "AWS::DynamoDB::Table", key
            if index:
                gsis = {g["IndexName"] for g in resources[table]["Properties"]["GlobalSecondaryIndexes"]}
                assert index in gsis, key
            assert actions <= DYNAMODB_ACTIONS, f"{fn_name} {key}: {actions - DYNAMODB_ACTIONS}"
            for action in actions & {"Scan", "DeleteItem", "BatchWriteItem"}:
                assert (fn_name, table, action) in DESTRUCTIVE_GRANTS, f"{fn_name} may {action} {table}: unlisted"
                seen.add((fn_name, table, action))
    assert seen == set(DESTRUCTIVE_GRANTS), f"stale entries: {set(DESTRUCTIVE_GRANTS) - seen}"
    # the public share-link function reads a link and counts the click, and moves the referrer's monthly
    # `shared` mark (the referral rate: one attribute of a known customer's record), nothing else
    assert _dynamodb_grants(resources["RedirectsFunction"]) == {
        "ReferralsTable": {"GetItem", "UpdateItem"},
        "CampaignsTable": {"GetItem"},
        "CustomersTable": {"GetItem", "UpdateItem"},
    }
    for fn_name, fn in _functions(template).items():  # API keys are only ever read, by id, but by the owner's routes
        expected = {"GetItem", "Scan", "PutItem", "UpdateItem"} if fn_name == "AdminFunction" else {"GetItem"}
        assert _dynamodb_grants(fn).get("ApiKeysTable", expected) == expected, fn_name


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


def _param_default(template: dict[str, Any], value: Any) -> Any:
    """A literal, or the Default of the parameter it !Refs (what a deploy without overrides gets)."""
    if isinstance(value, dict) and "Ref" in value:
        return template["Parameters"][value["Ref"]]["Default"]
    return value


def _open_routes() -> set[tuple[str, str]]:
    """Every route callable without the secret key: the apps' public (no key) and browser (publishable) routes."""
    routes: set[tuple[str, str]] = set()
    for spec in Template(TEMPLATE).functions().values():
        app = getattr(load_module(spec, "_open_routes"), "app", None)
        for route in (app.public_routes | app.browser_routes) if app else ():
            method, path = route.split(" ", 1)
            routes.add((method, path))
    return routes


CHECKOUT_ROUTES = {
    ("POST", "/v1/redemptions"),
    ("POST", "/v1/redemptions/{redemption_id}/rollback"),
    ("POST", "/v1/orders"),
    ("POST", "/v1/orders/{order_id}/refund"),
}


def _throttles(template: dict[str, Any]) -> dict[tuple[str, str], tuple[float, float]]:
    """(METHOD, /path) -> (rate, burst) of the stage's MethodSettings, with parameter defaults; ("*", "/*") the default."""
    out = {}
    for setting in template["Resources"]["Api"]["Properties"]["MethodSettings"]:
        path = setting["ResourcePath"]
        key = (setting["HttpMethod"], path if path == "/*" else "/" + path[1:].replace("~1", "/").lstrip("/"))
        assert key not in out, f"two MethodSettings for {key}"
        rate = float(_param_default(template, setting["ThrottlingRateLimit"]))
        burst = float(_param_default(template, setting["ThrottlingBurstLimit"]))
        assert setting.get("MetricsEnabled") is True, key
        out[key] = (rate, burst)
    return out


def test_open_routes_are_throttled_below_checkout(template: dict[str, Any]) -> None:
    """Each route without the secret key has its own, lower limits than checkout: a flood there never spends checkout's."""
    throttles = _throttles(template)
    open_routes = _open_routes()
    assert {("GET", "/r/{code}"), ("POST", "/v1/coupons/validate"), ("POST", "/v1/unsubscribe")} <= open_routes
    declared = {(e.method.upper(), e.path) for spec in Template(TEMPLATE).functions().values() for e in spec.api_events}
    assert declared >= CHECKOUT_ROUTES
    assert set(throttles) - {("*", "/*")} == open_routes | CHECKOUT_ROUTES  # no stale or misspelt path
    checkout_rate = min(throttles[r][0] for r in CHECKOUT_ROUTES)
    checkout_burst = min(throttles[r][1] for r in CHECKOUT_ROUTES)
    for route in open_routes:
        rate, burst = throttles[route]
        assert rate < checkout_rate and burst < checkout_burst, route
    default_rate, default_burst = throttles[("*", "/*")]
    assert checkout_rate >= default_rate and checkout_burst >= default_burst


def _sample_path(path: str) -> str:
    return re.sub(r"\{\w+\}", "Abc-123", path)


def test_optional_waf_covers_every_open_route(template: dict[str, Any]) -> None:
    res = template["Resources"]
    acl = res["WebAcl"]
    assert acl["Condition"] == "CreateWaf"
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert set(rules) == {"validate-rate-per-ip", "public-rate-per-ip"}
    validate = rules["validate-rate-per-ip"]["Statement"]["RateBasedStatement"]
    assert validate["AggregateKeyType"] == "IP"
    method, paths = validate["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert method["ByteMatchStatement"]["SearchString"] == "POST"
    strings = {m["ByteMatchStatement"]["SearchString"] for m in paths["OrStatement"]["Statements"]}
    assert strings == {"/v1/coupons/validate", "/v1/referrals/track", "/friends"}
    public = rules["public-rate-per-ip"]["Statement"]["RateBasedStatement"]
    assert public["AggregateKeyType"] == "IP"
    assert public["Limit"] == {"Ref": "PublicRateLimit"}
    regex = re.compile(public["ScopeDownStatement"]["RegexMatchStatement"]["RegexString"])
    for _, path in _open_routes():
        for uri in (_sample_path(path), "/prod" + _sample_path(path)):
            assert regex.match(uri.lower()), uri  # both behind a custom domain and on the execute-api host
    for _, path in CHECKOUT_ROUTES | {("GET", "/v1/campaigns"), ("GET", "/v1/codes/{code}/qr")}:
        assert not regex.match(("/prod" + _sample_path(path)).lower()), path
    # the web ACL (created or existing) is associated with the one stage that serves every route
    for name in ("CreatedWebAclAssociation", "ExistingWebAclAssociation"):
        arn = res[name]["Properties"]["ResourceArn"]["Fn::Sub"]
        assert arn.endswith("/restapis/${Api}/stages/${Api.Stage}"), name
    apis = [k for k, v in res.items() if v["Type"] in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")]
    assert apis == ["Api"]
    for fn in _functions(template).values():
        assert all(e["Properties"]["RestApiId"] == {"Ref": "Api"} for e in _api_events(fn).values())


def _alarms(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["Properties"] for a in _resources(template, "AWS::CloudWatch::Alarm").values()]


def _alarm_on(template: dict[str, Any], namespace: str, metric: str, dimension: dict[str, Any]) -> dict[str, Any]:
    (alarm,) = [
        a
        for a in _alarms(template)
        if a["Namespace"] == namespace and a["MetricName"] == metric and a["Dimensions"][0]["Value"] == dimension
    ]
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]}]
    return alarm


def test_scheduled_and_queue_functions_have_a_dead_letter_queue_and_alarms(template: dict[str, Any]) -> None:
    """A failed run is kept (DLQ) and someone is told (alarm on errors and on dead letters)."""
    res = template["Resources"]
    scheduled = {
        name: fn
        for name, fn in _functions(template).items()
        if any(e["Type"] in ("Schedule", "ScheduleV2") for e in fn["Properties"].get("Events", {}).values())
    }
    assert set(scheduled) == {
        "RewardReleaseFunction",
        "LoyaltyDailyFunction",
        "ReengagementDailyFunction",
        "ReengagementWatchFunction",
        "EventRepublishFunction",
    }
    dlqs = set()
    for name, fn in scheduled.items():
        props = fn["Properties"]
        for event in props["Events"].values():
            dlq = event["Properties"]["DeadLetterConfig"]["Arn"]  # the scheduler could not invoke
            dlqs.add(dlq["Fn::GetAtt"][0])
        on_failure = props["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]  # the run failed
        assert on_failure["Type"] == "SQS", name
        dlqs.add(on_failure["Destination"]["Fn::GetAtt"][0])
        _alarm_on(template, "AWS/Lambda", "Errors", {"Ref": name})
    consumers = {name: fn for name, fn in _functions(template).items() if name not in scheduled}
    for name, fn in consumers.items():
        for event in fn["Properties"].get("Events", {}).values():
            if event["Type"] in ("SNS", "S3", "EventBridgeRule", "CloudWatchEvent"):  # invoked asynchronously
                on_failure = fn["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
                assert on_failure["Type"] == "SQS", name
                dlqs.add(on_failure["Destination"]["Fn::GetAtt"][0])
                _alarm_on(template, "AWS/Lambda", "Errors", {"Ref": name})
            if event["Type"] == "SQS":
                queue = res[event["Properties"]["Queue"]["Fn::GetAtt"][0]]["Properties"]
                dlqs.add(queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0])
                _alarm_on(template, "AWS/Lambda", "Errors", {"Ref": name})
            if event["Type"] == "DynamoDB":  # a stream: retries bounded, then the batch's metadata is kept
                props = event["Properties"]
                assert props["BisectBatchOnFunctionError"] is True, name
                assert 0 <= props["MaximumRetryAttempts"] <= 10, name
                assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
                on_failure = props["DestinationConfig"]["OnFailure"]
                assert on_failure["Type"] == "SQS", name
                dlqs.add(on_failure["Destination"]["Fn::GetAtt"][0])
                _alarm_on(template, "AWS/Lambda", "Errors", {"Ref": name})
    assert dlqs == {"JobsDLQ", "MessageDLQ", "CodeBatchDLQ", "WebhookDLQ"}
    for dlq in dlqs:
        assert res[dlq]["Type"] == "AWS::SQS::Queue"
        assert res[dlq]["Properties"]["MessageRetentionPeriod"] == 1209600
        _alarm_on(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": [dlq, "QueueName"]})
    topic = res["AlarmTopic"]
    assert topic["Condition"] == "CreateAlarmTopic"
    # CloudWatch cannot publish to a topic under the AWS-managed SNS key (TeamTopic's)
    assert "KmsMasterKeyId" not in topic.get("Properties", {})


def test_message_sender_concurrency_is_capped(template: dict[str, Any]) -> None:
    """The sender scales only to SenderMaxConcurrency: a backlog waits in the queue instead of exceeding the SES rate."""
    fn = template["Resources"]["MessageSenderFunction"]["Properties"]
    (event,) = fn["Events"].values()
    assert event["Properties"]["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "SenderMaxConcurrency"}}
    param = template["Parameters"]["SenderMaxConcurrency"]
    # the lowest value SQS accepts, by default: a new SES account sends 14 messages per second
    assert param["MinValue"] == param["Default"] == 2


# Calls the code analysis finds but the function never makes, each with the reason (see tests/unit/iam_static.py).
STATIC_FALSE_POSITIVES: dict[tuple[str, str, str], str] = {
    ("CodeBatchFunction", "CustomersTable", "PutItem"): "batch codes are never bound to a customer: no wallet copy",
}


def _served_routes(keyed_only: bool = False) -> dict[str, set[str]]:
    """Function logical id -> the routes its resolver serves, as "METHOD /path" with the template's {params}
    (`keyed_only`: without its public routes, which nobody signs in to call)."""
    served: dict[str, set[str]] = {}
    for logical_id, spec in Template(TEMPLATE).functions().items():
        app = getattr(load_module(spec, "_served"), "app", None)
        served[logical_id] = {
            route.method + " " + re.sub(r"<(\w+)>", r"{\1}", route.path)
            for route in (app._static_routes + app._dynamic_routes if app else [])
            if route.method != "OPTIONS"
        } - (set(getattr(app, "public_routes", ())) if keyed_only else set())
    return served


def _recorded_rule(route: str) -> Any:
    """What the audit middleware records for a route called with a key or by a console user (None: nothing)."""
    from passaparola.audit.routes import AUDITED, by_person

    return AUDITED.get(route) or by_person(route)


def _audit_middleware_defs() -> dict[str, set[str]]:
    """Function folder -> what the audit middleware runs for its routes: the write, and the reads of the before state."""
    from passaparola.audit import service
    from tests.unit.iam_static import def_id

    folders = {lid: spec.code_dir.name for lid, spec in Template(TEMPLATE).functions().items()}
    runs: dict[str, set[str]] = {}
    for logical_id, routes in _served_routes(keyed_only=True).items():
        for route in routes:
            rule = _recorded_rule(route)
            if rule is None:
                continue
            extra = {def_id(service.record)} | ({def_id(rule.read_before)} if rule.read_before else set())
            runs.setdefault(folders[logical_id], set()).update(extra)
    return runs


def test_every_data_call_in_the_code_is_granted(template: dict[str, Any]) -> None:
    """A DynamoDB call added to the code without its grant would be AccessDenied in production: it fails here."""
    from tests.unit.iam_static import data_calls

    folders = {spec.code_dir.name: lid for lid, spec in Template(TEMPLATE).functions().items()}
    calls = data_calls(ENV_TABLES, _audit_middleware_defs())
    assert set(calls) <= set(folders)
    assert {"RedirectsFunction", "CouponsFunction", "LoyaltyDailyFunction"} <= {folders[f] for f in calls}
    missing, used = [], set()
    for folder, found in calls.items():
        fn_name = folders[folder]
        grants = _dynamodb_grants(template["Resources"][fn_name])
        for table, action, index in sorted(found):
            key = f"{table}/index/{index}" if index else table
            if action in grants.get(key, set()):
                continue
            if (fn_name, table, action) in STATIC_FALSE_POSITIVES:
                used.add((fn_name, table, action))
                continue
            missing.append(f"{fn_name}: dynamodb:{action} on {key}")
    assert not missing, "\n".join(missing)
    assert used == set(STATIC_FALSE_POSITIVES), "stale false positives"


def test_every_change_route_is_audited_or_says_why_not(template: dict[str, Any]) -> None:
    """A new POST/PUT/PATCH/DELETE route needs a decision: an entry in AUDITED, or a reason in NOT_AUDITED."""
    from passaparola.audit.routes import AUDITED, NOT_AUDITED

    served = _served_routes()
    changes = {r for routes in served.values() for r in routes if r.split(" ")[0] in {"POST", "PUT", "PATCH", "DELETE"}}
    assert not set(AUDITED) & set(NOT_AUDITED)
    undecided = changes - set(AUDITED) - set(NOT_AUDITED)
    assert not undecided, f"audit or say why not (passaparola/audit/routes.py): {sorted(undecided)}"
    reads = {r for r in AUDITED if r.startswith("GET ")}
    assert reads == {"GET /v1/customers/{customer_id}/export"}, "reads are not audited, but for the right of access"
    stale = (set(AUDITED) | set(NOT_AUDITED)) - changes - reads
    assert not stale, f"no app serves {sorted(stale)}"
    # the functions serving recorded routes (audited, or a change a console user may make) may write the audit log;
    # no other may, and only AuditFunction reads it
    keyed = _served_routes(keyed_only=True)
    for logical_id, fn in _functions(template).items():
        grants = _dynamodb_grants(fn).get("AuditTable", set())
        writes = any(_recorded_rule(route) for route in keyed.get(logical_id, set()))
        assert grants == ({"PutItem"} if writes else {"Query"} if logical_id == "AuditFunction" else set()), logical_id


def test_failed_wallet_pass_updates_raise_an_alarm(template: dict[str, Any]) -> None:
    """A record that fails alone (partial batch response) is no Lambda error: the function's own metric alarms."""
    alarm = _alarm_on(template, "Passaparola", "PassUpdateFailures", "passaparola")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "passaparola"}]
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Passaparola" and env["POWERTOOLS_SERVICE_NAME"] == "passaparola"
    assert "POWERTOOLS_SERVICE_NAME" not in json.dumps(template["Resources"]["PassUpdateFunction"])


def test_everything_is_binary_and_the_cors_preflights_survive_it(template: dict[str, Any]) -> None:
    """`*/*`: a pass reaches Wallet and fetch() as bytes whatever their Accept; SAM's preflight mocks then need
    CONVERT_TO_TEXT, set after every deployment by ApiPreflightsAsText."""
    api = template["Resources"]["Api"]["Properties"]
    assert api["BinaryMediaTypes"] == ["*~1*"]
    assert "Cors" in api  # the mocks exist: they are what the custom resource patches
    fix = template["Resources"]["ApiPreflightsAsText"]
    assert fix["Type"] == "Custom::ApiPreflightsAsText"
    props = fix["Properties"]
    assert props["ServiceToken"] == {"Fn::GetAtt": ["ApiPreflightTextFunction", "Arn"]}
    assert props["RestApiId"] == {"Ref": "Api"} and props["Deployment"] == {"Ref": "Api.Deployment"}
    assert props["StageName"] == {"Ref": "Api.Stage"}


def test_events_are_published_from_the_outbox_stream_to_the_bus_and_the_fifo_webhook_queue(
    template: dict[str, Any],
) -> None:
    """New events only (the publisher's own update is a MODIFY), to the bus the stack creates or the shop's own."""
    res = template["Resources"]
    assert res["EventsTable"]["Properties"]["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    publish = res["EventPublishFunction"]["Properties"]
    (stream,) = publish["Events"].values()
    assert stream["Properties"]["Stream"] == {"Fn::GetAtt": ["EventsTable", "StreamArn"]}
    assert json.loads(stream["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"]) == {"eventName": ["INSERT"]}
    assert template["Conditions"]["CreateEventBus"] == {"Fn::Equals": [{"Ref": "EventBusName"}, ""]}
    assert res["EventBus"]["Condition"] == "CreateEventBus"
    for name in ("EventPublishFunction", "EventRepublishFunction"):
        props = res[name]["Properties"]
        env = props["Environment"]["Variables"]
        assert env["EVENT_BUS_NAME"] == {"Fn::If": ["CreateEventBus", {"Ref": "EventBus"}, {"Ref": "EventBusName"}]}
        assert env["WEBHOOK_QUEUE_URL"] == {"Ref": "WebhookQueue"}
        statements = [s for p in props["Policies"] if isinstance(p, dict) for s in p.get("Statement", [])]
        (bus,) = [s for s in statements if s.get("Action") == "events:PutEvents"]
        assert bus["Resource"]["Fn::If"][1] == {"Fn::GetAtt": ["EventBus", "Arn"]}
    for queue in ("WebhookQueue", "WebhookDLQ"):
        assert res[queue]["Properties"]["FifoQueue"] is True
    redrive = res["WebhookQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["WebhookDLQ", "Arn"]}


MAX_STACK_NAME = 62
"""The longest stack name the template deploys with (README, Deploy): a named SQS queue is at most 80 characters."""


def test_named_queues_fit_the_longest_documented_stack_name(template: dict[str, Any]) -> None:
    names = {}
    for key, queue in _resources(template, "AWS::SQS::Queue").items():
        name = queue["Properties"].get("QueueName")
        if name is None:
            continue
        text = name["Fn::Sub"] if isinstance(name, dict) else name
        assert isinstance(text, str) and "${" not in text.replace("${AWS::StackName}", ""), key
        names[key] = text.replace("${AWS::StackName}", "s" * MAX_STACK_NAME)
    assert names, "the FIFO webhook queues are named (a FIFO name must end in .fifo)"
    too_long = {k: len(v) for k, v in names.items() if len(v) > 80}
    assert not too_long, f"SQS queue names are at most 80 characters: {too_long}"
    readme = (ROOT / "README.md").read_text()
    assert f"at most {MAX_STACK_NAME} characters" in readme
