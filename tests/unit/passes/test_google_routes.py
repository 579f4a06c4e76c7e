"""The Google Wallet save link routes: the signed JWT of the member's loyalty object, the pass issued (the same
serial as the Apple pass) and its object remembered for updates; 501 without the google part."""

import json
from types import ModuleType

import jwt
import pytest

from passaparola.passes import devcerts
from passaparola.passes.google import SAVE_URL
from tests.unit.functions import PUBLISHABLE, call, load_function
from tests.unit.passes.test_apple_pass import member

ROUTE = "/v1/customers/{customer_id}/pass/google"


@pytest.fixture
def fn(aws: None) -> ModuleType:
    return load_function("passes")


def claims(reply) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert reply.status == 200, reply.body
    url = reply.body["save_url"]
    assert url.startswith(SAVE_URL)
    google = devcerts.development_config().google
    assert google is not None
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    public = load_pem_private_key(google.private_key_pem.encode(), None).public_key()
    return jwt.decode(url[len(SAVE_URL) :], public, algorithms=["RS256"], audience="google")  # type: ignore[arg-type]


def test_the_save_link_carries_the_members_card_and_issues_the_pass(fn: ModuleType) -> None:
    from passaparola.data import customers, passes

    member(points=300)
    found = claims(call(fn, "GET", "/v1/customers/cus_1/pass/google", ROUTE))
    assert found["iss"] == devcerts.GOOGLE_SERVICE_ACCOUNT and found["typ"] == "savetowallet"
    (obj,) = found["payload"]["loyaltyObjects"]
    record = customers.read("cus_1")
    assert record is not None and record.pass_serial
    assert obj["id"] == f"{devcerts.GOOGLE_ISSUER_ID}.{record.pass_serial}"
    assert obj["loyaltyPoints"]["balance"] == {"int": 300}
    assert obj["textModulesData"][0]["body"] == "Bronze"
    assert obj["barcode"] == {"type": "QR_CODE", "value": "cus_1"}
    issued = passes.get_pass(record.pass_serial)
    assert issued is not None and issued.google_object_id == obj["id"]  # its changes PATCH this object


def test_my_save_link_needs_a_customer_token_and_a_member(fn: ModuleType) -> None:
    member()
    loyalty = load_function("loyalty")
    token = call(loyalty, "POST", "/v1/customers/cus_1/token", "/v1/customers/{customer_id}/token").body["token"]
    none = call(fn, "GET", "/v1/me/pass/google", "/v1/me/pass/google", key=PUBLISHABLE)
    assert none.status == 401
    mine = call(
        fn, "GET", "/v1/me/pass/google", "/v1/me/pass/google", key=PUBLISHABLE, headers={"X-Customer-Token": token}
    )
    assert claims(mine)["payload"]["loyaltyObjects"][0]["accountId"] == "cus_1"
    assert call(fn, "GET", "/v1/customers/cus_nobody/pass/google", ROUTE).status == 404


def test_a_secret_without_its_google_part_is_501(fn: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from infra.local.invoke import reset_containers

    member()
    apple = devcerts.development_config().apple
    assert apple is not None
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    arn = sm.create_secret(Name="wallet-apple", SecretString=json.dumps({"apple": apple.model_dump()}))["ARN"]
    monkeypatch.setenv("WALLET_PASS_SECRET_ARN", arn)
    reset_containers()
    reply = call(fn, "GET", "/v1/customers/cus_1/pass/google", ROUTE)
    assert reply.status == 501 and reply.body["error"] == {
        "code": "passes_not_configured",
        "message": reply.body["error"]["message"],
        "details": {"missing": "google"},
    }
