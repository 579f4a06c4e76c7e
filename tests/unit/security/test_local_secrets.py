"""The local stack creates the template's secrets in moto's Secrets Manager; functions read them from there."""

import boto3
import pytest
from moto import mock_aws

from infra.local.aws import create_secrets
from infra.local.invoke import reset_containers
from infra.local.template import SECRET, Template
from passaparola import keyring
from tests.unit.functions import ROOT

PURPOSE_OF = {
    "CUSTOMER_TOKEN_SECRET_ARN": "CustomerTokenSecret",
    "UNSUBSCRIBE_SECRET_ARN": "UnsubscribeSecret",
    "FINGERPRINT_SECRET_ARN": "FingerprintSecret",
}


def test_every_secret_of_the_template_is_created_and_functions_get_its_arn(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        template = Template(ROOT / "template.yaml")
        assert set(template.of_type(SECRET)) == set(PURPOSE_OF.values())
        create_secrets(template, None)
        create_secrets(template, None)  # idempotent: a restart against the same emulation
        functions = template.functions()
        arns = {variable: template.physical[lid]["Ref"] for variable, lid in PURPOSE_OF.items()}
        assert all(arn.startswith("arn:aws:secretsmanager:") for arn in arns.values())
        assert (
            functions["CouponsFunction"].environment["CUSTOMER_TOKEN_SECRET_ARN"] == arns["CUSTOMER_TOKEN_SECRET_ARN"]
        )
        assert functions["MessagesFunction"].environment["UNSUBSCRIBE_SECRET_ARN"] == arns["UNSUBSCRIBE_SECRET_ARN"]
        for variable, arn in arns.items():
            monkeypatch.setenv(variable, arn)
        reset_containers()
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        stored = sm.get_secret_value(SecretId=arns["FINGERPRINT_SECRET_ARN"])["SecretString"]
        assert keyring.keys(keyring.Purpose.FINGERPRINT).current == stored.encode()
        assert stored == "passaparola-local-FingerprintSecret-development-value"  # same after every restart
        reset_containers()


def test_the_fingerprint_key_parameter_is_carried_into_its_secret() -> None:
    with mock_aws():
        template = Template(ROOT / "template.yaml", parameter_overrides={"FingerprintKey": "the-old-key"})
        create_secrets(template, None)
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        arn = template.physical["FingerprintSecret"]["Ref"]
        assert sm.get_secret_value(SecretId=arn)["SecretString"] == "the-old-key"


def test_each_function_may_read_exactly_the_secrets_it_is_given() -> None:
    """Least privilege: the ARN variables a function gets and the secrets its policy allows are the same set."""
    template = Template(ROOT / "template.yaml")
    for lid in template.of_type("AWS::Serverless::Function"):
        props = template.props(lid)
        env = (props.get("Environment") or {}).get("Variables") or {}
        given = {v["Ref"] for k, v in env.items() if k in PURPOSE_OF}
        allowed: set[str] = set()
        for policy in props.get("Policies") or []:
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                if "secretsmanager:GetSecretValue" in statement.get("Action", []):
                    allowed |= {r["Ref"] for r in statement["Resource"]}
        assert given == allowed, lid
        assert {PURPOSE_OF[k] for k in env if k in PURPOSE_OF} == given, lid
    globals_env = template.globals_function().get("Environment", {}).get("Variables", {})
    assert not set(globals_env) & {*PURPOSE_OF, "FINGERPRINT_KEY"}  # no key or ARN for every function
