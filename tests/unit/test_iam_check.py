"""`make iam-check` can fail: a recorded call its policy does not grant is reported, with function, action, resource.

The recording is a small fixture (tests/unit/iam_calls/, as `make test` writes them); the template is the real
one, or a copy with one needed grant removed. The recorder's mapping of API calls to IAM actions and LogicalIds
is checked on its own (no hook installed: it stays off in these tests unless `make test` turned it on).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local import iam_record
from infra.local.template import load_yaml
from infra.tools import iam_check

ROOT = Path(__file__).resolve().parents[2]
CALLS = Path(__file__).parent / "iam_calls"
TEMPLATE = ROOT / "template.yaml"


def _without(tmp_path: Path, function: str, keep: Any) -> Path:
    """A copy of template.yaml whose `function` keeps only the policies (and statements) `keep` accepts."""
    doc = load_yaml(TEMPLATE)
    props = doc["Resources"][function]["Properties"]
    policies = []
    for policy in props["Policies"]:
        if isinstance(policy, dict) and "Statement" in policy:
            policy = {**policy, "Statement": [st for st in policy["Statement"] if keep(st)]}
        if keep(policy):
            policies.append(policy)
    assert policies != props["Policies"], "nothing removed"
    props["Policies"] = policies
    copy = tmp_path / "template.yaml"
    copy.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return copy


def _partial(tmp_path: Path, seen: set[str]) -> Path:
    """An allowlist saying why the functions the fixture did not record make no call (it is a partial recording)."""
    functions = iam_check.load_template(TEMPLATE).of_type(iam_check.FUNCTION)
    path = tmp_path / "allowlist.yaml"
    unseen = {lid: "the fixture records a few functions only" for lid in functions if lid not in seen}
    path.write_text(yaml.safe_dump({iam_check.NOT_EXERCISED: unseen}), encoding="utf-8")
    return path


def _run(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str = "", seen: set[str] | None = None
) -> tuple[int, str]:
    calls = tmp_path / "calls"
    calls.mkdir(exist_ok=True)
    for path in CALLS.glob("*.jsonl"):
        (calls / path.name).write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    if seen is None:
        seen = set(iam_check.load_calls(CALLS)[0])
    allowlist = _partial(tmp_path, seen)
    code = iam_check.main(["--calls", str(calls), "--template", str(template), "--allowlist", str(allowlist)])
    return code, capsys.readouterr().out


def test_the_recorded_calls_are_granted_by_the_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(TEMPLATE, tmp_path, capsys)
    assert code == 0, out
    assert "iam-check: OK" in out
    # per function: calls seen, grants, used, unused
    row = next(line.split() for line in out.splitlines() if line.startswith("MessageSenderFunction "))
    assert row[1] == "4" and int(row[2]) > int(row[3]) >= 4, row
    assert "Granted, never called" in out and "CouponsFunction: dynamodb:Scan" not in out


def test_a_function_with_grants_and_no_recorded_call_fails_unless_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check cannot pass by not seeing: a function the suites never ran is a failure, not a silent pass."""
    seen = set(iam_check.load_calls(CALLS)[0]) | {"SegmentsFunction"}  # claimed seen, recorded nothing
    code, out = _run(TEMPLATE, tmp_path, capsys, seen=seen)
    assert code == 1 and "FAIL: functions with grants and no recorded call" in out
    assert out.rstrip().endswith("iam-check: FAILED") and "SegmentsFunction" in out
    calls, _ = iam_check.load_calls(CALLS)
    functions = iam_check.load_template(TEMPLATE).of_type(iam_check.FUNCTION)
    listed = {lid: "not run" for lid in functions if lid not in calls}
    listed |= {"CampaignsFunction": "wrongly listed", "NoSuchFunction": "gone"}
    report = iam_check.check(TEMPLATE, calls, {}, listed)
    assert sorted(s for s in report.stale if s.startswith("not_exercised")) == [
        "not_exercised: CampaignsFunction: the suites now record its calls",
        "not_exercised: NoSuchFunction: not a function of the template",
    ]


def test_a_call_the_recorder_could_not_map_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unmapped call is one whose grant nobody checked."""
    row = '{"error": "unrecorded", "function": "CouponsFunction", "operation": "GetItem"}\n'
    code, out = _run(TEMPLATE, tmp_path, capsys, extra=row)
    assert code == 1 and "could not be mapped" in out and out.rstrip().endswith("iam-check: FAILED")


@pytest.mark.parametrize(
    ("function", "keep", "denied"),
    [
        (  # an index query without the index's grant
            "CouponsFunction",
            lambda p: p.get("Sid") != "RedemptionsTableIndexes",
            "CouponsFunction: dynamodb:Query on table/RedemptionsTable/index/by_code",
        ),
        (  # a SAM policy template (SQSSendMessagePolicy, expanded from samtranslator) removed
            "CampaignsFunction",
            lambda p: "SQSSendMessagePolicy" not in p,
            "CampaignsFunction: sqs:SendMessage on CodeBatchQueue",
        ),
        (  # the outbox write inside a transaction
            "CouponsFunction",
            lambda p: p.get("Sid") != "EventsTable",
            "CouponsFunction: dynamodb:PutItem on table/EventsTable",
        ),
    ],
)
def test_a_missing_grant_fails_with_function_action_and_resource(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], function: str, keep: Any, denied: str
) -> None:
    code, out = _run(_without(tmp_path, function, keep), tmp_path, capsys)
    assert code == 1
    assert out.rstrip().endswith("iam-check: FAILED")
    failures = out.split("FAIL: calls no policy grants")[1]
    assert [line.strip() for line in failures.splitlines()[1:] if line.startswith("  ")] == [denied]


def test_an_unused_grant_is_explained_once_and_a_stale_explanation_fails(tmp_path: Path) -> None:
    calls, _ = iam_check.load_calls(CALLS)
    kept = {"action": "dynamodb:Scan", "resource": "table/CampaignsTable", "why": "GET /v1/campaigns"}
    stale = {"action": "dynamodb:Scan", "resource": "table/OrdersTable", "why": "no such grant"}
    report = iam_check.check(TEMPLATE, calls, {"CampaignsFunction": [kept]})
    assert report.ok
    assert [(g.label(), why) for g, why in report.explained["CampaignsFunction"]] == [
        ("dynamodb:Scan on table/CampaignsTable", "GET /v1/campaigns")
    ]
    assert "dynamodb:Scan on table/CampaignsTable" not in {g.label() for g in report.unused["CampaignsFunction"]}
    report = iam_check.check(TEMPLATE, calls, {"CampaignsFunction": [kept, stale]})
    assert not report.ok and report.stale == ["CampaignsFunction: dynamodb:Scan on table/OrdersTable (no such grant)"]
    used = {"action": "dynamodb:Query", "resource": "table/RedemptionsTable/index/by_code", "why": "kept, now called"}
    report = iam_check.check(TEMPLATE, calls, {"*": [used]})  # an entry for every function; its grant is called
    assert report.ok and not report.explained.get("CouponsFunction")


def test_sam_policy_templates_and_intrinsics_expand_as_cloudformation_would() -> None:
    tpl = iam_check.load_template(TEMPLATE)
    labels = {g.label(): g for g in iam_check.function_grants(tpl, "MessageRedriveFunction")}
    assert "sqs:SendMessage* on MessageQueue" in labels  # SQSSendMessagePolicy
    assert "sqs:ReceiveMessage on MessageDLQ" in labels  # SQSPollerPolicy
    sender_grants = iam_check.function_grants(tpl, "MessageSenderFunction")
    assert [g.source for g in sender_grants if g.label() == "sqs:ReceiveMessage on *"] == ["SAM: SQS"]  # its event
    sender = {g.label() for g in sender_grants}
    assert "sns:Publish on NOT arn:aws:sns:*:*:*" in sender  # SMS: anything but a topic
    assert "ses:SendRawEmail on identity/*" in sender
    passes = {g.label() for g in iam_check.function_grants(tpl, "PassesFunction")}
    assert "secretsmanager:GetSecretValue on secret:WalletPassSecretArn" in passes  # !If on a set parameter


def test_the_recorder_names_iam_actions_and_logical_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODES_TABLE", "shop-codes-xyz")
    monkeypatch.setenv("MESSAGE_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/passaparola-prod-MessageQueue-AB")
    iam_record._logical.cache_clear()
    write = {
        "TransactItems": [
            {"Put": {"TableName": "passaparola-local-EventsTable"}},
            {"Update": {"TableName": "shop-codes-xyz"}},
            {"ConditionCheck": {"TableName": "passaparola-local-CampaignsTable"}},
        ]
    }
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/"
    assert iam_record._actions("CouponsFunction", "dynamodb", "TransactWriteItems", write) == [
        ("PutItem", arn + "EventsTable"),
        ("UpdateItem", arn + "CodesTable"),  # through CODES_TABLE: !Ref CodesTable
        ("ConditionCheckItem", arn + "CampaignsTable"),
    ]
    query = {"TableName": "shop-codes-xyz", "IndexName": "by_batch"}
    assert iam_record._actions("CampaignsFunction", "dynamodb", "Query", query) == [
        ("Query", arn + "CodesTable/index/by_batch")
    ]
    batch = {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/1/passaparola-prod-MessageQueue-AB", "Entries": []}
    assert iam_record._actions("CustomersFunction", "sqs", "SendMessageBatch", batch) == [
        ("SendMessage", "arn:aws:sqs:us-east-1:123456789012:MessageQueue")
    ]
    assert iam_record._actions("MessageSenderFunction", "sns", "Publish", {"PhoneNumber": "+39333"}) == [
        ("Publish", "phone-number")
    ]
    iam_record._logical.cache_clear()


def test_a_read_a_shared_warm_cache_answers_is_still_the_function_s(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The local stack's functions share the layer's caches: the second function's key read is recorded too."""
    import boto3

    from passaparola import keyring
    from passaparola.api import keys
    from passaparola.data import campaigns
    from passaparola.settings import get_settings

    arn = boto3.client("secretsmanager").create_secret(Name="fp", SecretString="k" * 40)["ARN"]
    monkeypatch.setenv("FINGERPRINT_SECRET_ARN", arn)
    get_settings.cache_clear()
    keyring.forget()
    for module, name in ((keyring, "keys"), (keys, "lookup"), (campaigns, "get_cached")):
        monkeypatch.setattr(module, name, getattr(module, name))  # the wrappers are undone afterwards
    recorded: list[tuple[str, str, str, dict[str, Any]]] = []
    monkeypatch.setattr(iam_record, "_state", {**iam_record._state, "echoes": False})
    monkeypatch.setattr(iam_record, "_record", lambda *call: recorded.append(call))
    iam_record._echo_cached_reads()
    for lid in ("ReferralsFunction", "RedirectsFunction"):
        token = iam_record._current.set(lid)
        try:
            keyring.keys(keyring.Purpose.FINGERPRINT)
        finally:
            iam_record._current.reset(token)
    # (under `make test` the botocore hook adds the first, real read: the same call)
    assert {(lid, service, op, params["SecretId"]) for lid, service, op, params in recorded} == {
        ("ReferralsFunction", "secretsmanager", "GetSecretValue", arn),
        ("RedirectsFunction", "secretsmanager", "GetSecretValue", arn),  # a cache hit, recorded all the same
    }
    get_settings.cache_clear()
    keyring.forget()


def test_a_missing_or_stale_recording_is_refused(tmp_path: Path) -> None:
    """A recording of an older commit (or none for the stream functions) would check something else."""
    calls = tmp_path / "calls"
    (calls / "test").mkdir(parents=True)
    (calls / "test" / "calls-1.jsonl").write_text((CALLS / "calls-1.jsonl").read_text(encoding="utf-8"))
    assert "run `make test` and `make test-dynamodb-local`" in iam_check.recordings_problem(
        calls, ["test", "dynamodb-local"]
    )
    assert iam_check.recordings_problem(calls, ["test"]) == ""
    (calls / "test" / "COMMIT").write_text("0" * 40 + "\n")
    assert "was recorded at commit 000000000000" in iam_check.recordings_problem(calls, ["test"])
    args = ["--calls", str(calls), "--allowlist", str(tmp_path / "none"), "--require", "test"]
    assert iam_check.main(args) == 2
