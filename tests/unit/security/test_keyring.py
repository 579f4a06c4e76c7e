"""Keys per purpose from Secrets Manager: current signs, current and previous verify, no default when deployed."""

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from infra.local.invoke import reset_containers
from passaparola import keyring
from passaparola.errors import ConfigurationError, InvalidToken
from passaparola.loyalty import tokens
from passaparola.messages import unsubscribe
from passaparola.referrals import identity

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ARN_VARIABLES = ("CUSTOMER_TOKEN_SECRET_ARN", "UNSUBSCRIBE_SECRET_ARN", "FINGERPRINT_SECRET_ARN")


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """One secret per purpose in moto's Secrets Manager, their ARNs in the environment, a deployed stage."""
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        arns = {
            variable: sm.create_secret(Name=variable.lower(), SecretString=f"first-{variable}")["ARN"]
            for variable in ARN_VARIABLES
        }
        for variable, arn in arns.items():
            monkeypatch.setenv(variable, arn)
        monkeypatch.setenv("STAGE", "prod")
        reset_containers()
        yield arns
        reset_containers()


def rotate(arn: str, value: str) -> None:
    """What `aws secretsmanager put-secret-value` does: the new value is AWSCURRENT, the old one AWSPREVIOUS."""
    boto3.client("secretsmanager", region_name="us-east-1").put_secret_value(SecretId=arn, SecretString=value)
    keyring.forget()  # a container that has read the secret again (after SECRETS_MAX_AGE_SECONDS)


def test_a_token_signed_before_a_rotation_stays_valid_until_the_next(secrets: dict[str, str]) -> None:
    before, _ = tokens.issue("cus_1", NOW, timedelta(hours=1))
    link = unsubscribe.token("cus_1", "email", "msg_1")
    rotate(secrets["CUSTOMER_TOKEN_SECRET_ARN"], "second")
    rotate(secrets["UNSUBSCRIBE_SECRET_ARN"], "second")
    after, _ = tokens.issue("cus_1", NOW, timedelta(hours=1))
    assert after != before  # signed with the new current key
    assert tokens.verify(before, NOW).customer_id == "cus_1"  # the previous key still verifies
    assert tokens.verify(after, NOW).customer_id == "cus_1"
    assert unsubscribe.verify(link).customer_id == "cus_1"
    rotate(secrets["CUSTOMER_TOKEN_SECRET_ARN"], "third")
    rotate(secrets["UNSUBSCRIBE_SECRET_ARN"], "third")
    with pytest.raises(InvalidToken):
        tokens.verify(before, NOW)  # two rotations later: gone
    with pytest.raises(InvalidToken):
        unsubscribe.verify(link)
    assert tokens.verify(after, NOW).customer_id == "cus_1"


def test_a_container_with_stale_keys_accepts_a_token_signed_with_a_fresher_one(
    secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens.issue("cus_1", NOW, timedelta(hours=1))  # this container has read the secret
    boto3.client("secretsmanager", region_name="us-east-1").put_secret_value(
        SecretId=secrets["CUSTOMER_TOKEN_SECRET_ARN"], SecretString="rotated"
    )
    fresh = tokens._b64(b'{"cid":"cus_1","exp":9999999999,"ep":0}')
    import hashlib
    import hmac

    signature = tokens._b64(hmac.new(b"rotated", tokens._unb64(fresh), hashlib.sha256).digest())
    monkeypatch.setattr(keyring, "EARLY_REFRESH_SECONDS", 0.0)
    assert tokens.verify(f"{fresh}.{signature}", NOW).customer_id == "cus_1"


def test_each_purpose_has_its_own_key(secrets: dict[str, str]) -> None:
    customer = tokens.seal({"cid": "cus_1", "ch": "email", "mid": "m"})
    with pytest.raises(InvalidToken):
        unsubscribe.verify(customer)
    assert keyring.keys(keyring.Purpose.FINGERPRINT).current == b"first-FINGERPRINT_SECRET_ARN"
    assert keyring.keys(keyring.Purpose.CUSTOMER_TOKEN).current == b"first-CUSTOMER_TOKEN_SECRET_ARN"


def test_fingerprints_use_the_current_key_only_and_stay_comparable(secrets: dict[str, str]) -> None:
    first = identity.email_hash("anna@example.com")
    assert identity.email_hash("Anna@Example.com") == first
    assert keyring.keys(keyring.Purpose.FINGERPRINT).previous is None  # never read: hashes have one key


def test_secrets_are_read_once_per_container(secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from passaparola.data import secrets as store

    reads: list[tuple[str, str]] = []
    real = store.read
    monkeypatch.setattr(store, "read", lambda arn, stage: reads.append((arn, stage)) or real(arn, stage))
    for n in range(20):
        tokens.verify(tokens.issue(f"cus_{n}", NOW, timedelta(hours=1))[0], NOW)
    assert len(reads) == 2  # AWSCURRENT and AWSPREVIOUS, once


@pytest.mark.parametrize("variable", ARN_VARIABLES)
def test_deployed_without_its_secret_a_function_refuses_to_sign(
    secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    logged: list[tuple[str, dict]] = []
    monkeypatch.setattr(keyring.logger, "error", lambda message, extra: logged.append((message, extra)))
    monkeypatch.delenv(variable)
    reset_containers()
    work = {
        "CUSTOMER_TOKEN_SECRET_ARN": lambda: tokens.issue("cus_1", NOW, timedelta(hours=1)),
        "UNSUBSCRIBE_SECRET_ARN": lambda: unsubscribe.token("cus_1", "email", "m"),
        "FINGERPRINT_SECRET_ARN": lambda: identity.email_hash("anna@example.com"),
    }[variable]
    with pytest.raises(ConfigurationError) as refused:
        work()
    assert refused.value.code == "configuration_error" and refused.value.status == 500
    assert refused.value.details == {"missing": variable}
    assert logged == [
        ("signing key not configured", {"purpose": variable.removesuffix("_SECRET_ARN"), "variable": variable})
    ]


def test_a_secret_that_cannot_be_read_is_refused_too(secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMER_TOKEN_SECRET_ARN", secrets["CUSTOMER_TOKEN_SECRET_ARN"] + "-deleted")
    reset_containers()
    with pytest.raises(ConfigurationError) as refused:
        tokens.issue("cus_1", NOW, timedelta(hours=1))
    assert refused.value.details == {"unreadable": "CUSTOMER_TOKEN_SECRET_ARN"}


def test_in_lambda_even_stage_local_has_no_default_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ARN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("STAGE", "local")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "passaparola-CouponsFunction")
    reset_containers()
    try:
        with pytest.raises(ConfigurationError):
            tokens.issue("cus_1", NOW, timedelta(hours=1))
    finally:
        monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
        reset_containers()


def test_locally_without_secrets_the_published_development_keys_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ARN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("STAGE", "local")
    reset_containers()
    token, _ = tokens.issue("cus_1", NOW, timedelta(hours=1))
    assert tokens.verify(token, NOW).customer_id == "cus_1"
    assert (
        keyring.keys(keyring.Purpose.CUSTOMER_TOKEN).current == keyring.DEVELOPMENT_KEYS[keyring.Purpose.CUSTOMER_TOKEN]
    )


def test_a_deployed_route_without_its_secret_answers_a_clear_500(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.unit.functions import call, load_function

    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.delenv("CUSTOMER_TOKEN_SECRET_ARN", raising=False)
    reset_containers()
    reply = call(load_function("loyalty"), "POST", "/v1/customers/cus_1/token", "/v1/customers/{customer_id}/token")
    assert reply.status == 500
    assert reply.body["error"]["code"] == "configuration_error"
    assert reply.body["error"]["details"] == {"missing": "CUSTOMER_TOKEN_SECRET_ARN"}
    assert "Traceback" not in str(reply.body)


def test_an_unsubscribe_link_signed_before_the_upgrade_still_works(
    secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Then the link's key was HMAC(FINGERPRINT_KEY, label); the fingerprint secret holds that same key now."""
    import hashlib
    import hmac

    old_key = hmac.new(b"first-FINGERPRINT_SECRET_ARN", b"passaparola unsubscribe v1", hashlib.sha256).digest()
    payload = b'{"cid":"cus_1","ch":"email","mid":"msg_old"}'
    link = f"{tokens._b64(payload)}.{tokens._b64(hmac.new(old_key, payload, hashlib.sha256).digest())}"
    assert unsubscribe.verify(link).message_id == "msg_old"
    with pytest.raises(InvalidToken):
        tokens.verify(link, NOW)  # only unsubscribe links have a legacy key
    monkeypatch.delenv("FINGERPRINT_SECRET_ARN")  # a function without the fingerprint secret: no legacy links
    reset_containers()
    with pytest.raises(InvalidToken):
        unsubscribe.verify(link)


def test_a_failed_re_read_keeps_the_cached_keys_for_a_while(
    secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Secrets Manager blip after SECRETS_MAX_AGE_SECONDS must not turn every request into a 500."""
    import time

    from passaparola.data import secrets as store

    token, _ = tokens.issue("cus_1", NOW, timedelta(hours=1))
    reads: list[str] = []

    def unavailable(arn: str, stage: str) -> str:
        reads.append(stage)
        raise store.SecretUnavailable("ThrottlingException: Rate exceeded")

    warned: list[tuple[str, dict]] = []
    monkeypatch.setattr(store, "read", unavailable)
    monkeypatch.setattr(keyring.logger, "warning", lambda message, extra: warned.append((message, extra)))
    real = time.monotonic
    monkeypatch.setattr(keyring.time, "monotonic", lambda: real() + 301)  # the cached keys are stale
    assert tokens.verify(token, NOW).customer_id == "cus_1"  # served from the cache
    assert tokens.issue("cus_1", NOW, timedelta(hours=1))[0] == token
    assert len(reads) == 1  # one failed re-read, then the cached keys are trusted for another minute
    assert warned and warned[0][0] == "signing key unreadable, keeping the cached one"
    monkeypatch.setattr(keyring.time, "monotonic", lambda: real() + 301 + keyring.EARLY_REFRESH_SECONDS + 1)
    tokens.issue("cus_1", NOW, timedelta(hours=1))
    assert len(reads) == 2  # tried again a minute later


def test_a_failed_first_read_is_still_refused(secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from passaparola.data import secrets as store

    def unavailable(arn: str, stage: str) -> str:
        raise store.SecretUnavailable("ThrottlingException: Rate exceeded")

    monkeypatch.setattr(store, "read", unavailable)
    with pytest.raises(ConfigurationError) as refused:
        tokens.issue("cus_1", NOW, timedelta(hours=1))
    assert refused.value.details == {"unreadable": "CUSTOMER_TOKEN_SECRET_ARN"}


def test_under_sam_local_stage_local_has_the_development_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """`sam local start-api` sets AWS_LAMBDA_FUNCTION_NAME (as Lambda does) and AWS_SAM_LOCAL=true."""
    for variable in ARN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "passaparola-CouponsFunction")
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")
    monkeypatch.setenv("STAGE", "local")
    reset_containers()
    try:
        token, _ = tokens.issue("cus_1", NOW, timedelta(hours=1))
        assert tokens.verify(token, NOW).customer_id == "cus_1"
        monkeypatch.setenv("STAGE", "prod")  # SAM local with another stage: still no default
        reset_containers()
        with pytest.raises(ConfigurationError):
            tokens.issue("cus_1", NOW, timedelta(hours=1))
    finally:
        monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
        monkeypatch.delenv("AWS_SAM_LOCAL")
        reset_containers()


def test_secrets_are_read_without_boto3(secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The redirect's fingerprint key comes from a botocore client of the models' session: importing boto3 (and
    multiprocessing with it) during a cold request cost the redirect some 60 modules."""
    from passaparola.data import secrets as store

    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` now raises ImportError
    store._client.cache_clear()
    try:
        assert store.read(secrets["FINGERPRINT_SECRET_ARN"], "AWSCURRENT") == "first-FINGERPRINT_SECRET_ARN"
        assert store.read(secrets["FINGERPRINT_SECRET_ARN"], "AWSPREVIOUS") is None
    finally:
        store._client.cache_clear()
