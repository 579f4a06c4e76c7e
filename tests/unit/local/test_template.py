"""Template loading: CloudFormation short tags, intrinsic resolution to local values, function specs."""

from infra.local.template import Template, load_yaml, merged_environment

from .conftest import FIXTURES, TEMPLATE


def test_short_tags_become_long_form() -> None:
    doc = load_yaml(TEMPLATE)
    env = doc["Globals"]["Function"]["Environment"]["Variables"]
    assert env["TABLE"] == {"Ref": "ItemsTable"}
    assert env["QUEUE_ARN"] == {"Fn::GetAtt": ["WorkQueue", "Arn"]}
    assert env["QUEUE_NAME"] == {"Fn::GetAtt": ["WorkQueue", "QueueName"]}
    assert env["CHOSEN"] == {"Fn::If": ["IsLocal", "yes-local", "not-local"]}
    assert doc["Conditions"]["NotLocal"] == {"Fn::Not": [{"Condition": "IsLocal"}]}


def test_environment_resolves_to_local_values() -> None:
    tpl = Template(TEMPLATE)
    env = tpl.functions()["EchoFunction"].environment
    assert env["TABLE"] == "passaparola-local-ItemsTable"  # no TableName: <stack>-<LogicalId>
    assert env["NAMED_TABLE"] == "passaparola-local-named"
    assert env["QUEUE_URL"].endswith("/123456789012/passaparola-local-WorkQueue")
    assert env["QUEUE_ARN"] == "arn:aws:sqs:us-east-1:123456789012:passaparola-local-WorkQueue"
    assert env["QUEUE_NAME"] == "passaparola-local-WorkQueue"
    assert env["TOPIC"] == "arn:aws:sns:us-east-1:123456789012:passaparola-local-Topic"
    assert env["STAGE"] == "local"  # Stage is always "local", whatever its Default
    assert env["REGION"] == "us-east-1"
    assert env["SUBBED"] == "passaparola-local-local-${Literal}"
    assert env["SUB_VARS"] == "x-passaparola-local-WorkQueue"
    assert env["CHOSEN"] == "yes-local"
    assert env["NOT_LOCAL"] == "0"
    assert env["SELECTED"] == "b"
    assert env["JOINED"] == "a-other-default"
    assert env["MAPPED"] == "256"
    assert env["IMPORTED"] == "" and env["UNKNOWN_REF"] == ""  # unresolvable → "", never a crash
    assert env["NUMBER"] == "42"


def test_parameters_conditions_and_overrides() -> None:
    tpl = Template(TEMPLATE, parameter_overrides={"Other": "given"})
    assert tpl.parameters == {"Stage": "local", "AllowedOrigins": "*", "Other": "given"}
    assert "SkippedTable" not in tpl.of_type("AWS::DynamoDB::Table")  # its Condition is false locally


def test_function_specs() -> None:
    specs = Template(TEMPLATE).functions()
    echo, worker, nightly = specs["EchoFunction"], specs["WorkerFunction"], specs["NightlyFunction"]
    assert echo.code_dir == FIXTURES / "echo"
    assert echo.memory == 256 and echo.timeout == 10
    assert {(e.path, e.method) for e in echo.api_events} == {
        ("/items/{id}", "GET"),
        ("/items/special", "GET"),
        ("/items", "POST"),
        ("/files/{proxy+}", "ANY"),
    }
    assert worker.handler == "app.worker"
    (sqs,) = worker.sqs_events
    assert (sqs.queue_id, sqs.batch_size, sqs.report_failures) == ("WorkQueue", 5, True)
    assert [s.expression for s in nightly.schedules] == ["cron(0 3 * * ? *)", "rate(1 hour)"]
    # three functions share a folder: each still gets its own module name
    assert len({s.module_name for s in specs.values()}) == 3


def test_merged_environment_reports_disagreements() -> None:
    specs = Template(TEMPLATE).functions()
    env, conflicts = merged_environment(specs)
    assert env["STAGE"] == "local" and conflicts == []
    specs["WorkerFunction"].environment["STAGE"] = "other"
    _, conflicts = merged_environment(specs)
    assert len(conflicts) == 1 and "STAGE" in conflicts[0]
