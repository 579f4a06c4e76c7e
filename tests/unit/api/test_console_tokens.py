"""Console users' Cognito id tokens, verified in the function: moto's user pool in-process, real signatures."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from infra.local import aws as local_aws
from infra.local.template import Template
from passaparola.api import console_tokens
from tests.unit.functions import ROOT, call, load_function

PASSWORD = "passaparola-dev"  # noqa: S105 - moto's pool, relaxed policy as in the local stack
MOTO_JWKS = load_resource("cognitoidp/resources/jwks-public.json")
MOTO_PRIVATE = load_resource("cognitoidp/resources/jwks-private.json")


class Pool:
    def __init__(self, pool_id: str, client_id: str) -> None:
        self.pool_id, self.client_id = pool_id, client_id
        self.cognito = local_aws.client("cognito-idp", None)

    def add_user(self, email: str, role: str | None) -> None:
        if role is None:
            attributes = [{"Name": "email", "Value": email}]
            self.cognito.admin_create_user(
                UserPoolId=self.pool_id, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
            )
            self.cognito.admin_set_user_password(
                UserPoolId=self.pool_id, Username=email, Password=PASSWORD, Permanent=True
            )
        else:
            local_aws.create_user(None, self.pool_id, email, role, PASSWORD)

    def tokens(self, email: str, client_id: str | None = None) -> dict[str, Any]:
        answer = self.cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=client_id or self.client_id,
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
        return answer["AuthenticationResult"]  # type: ignore[no-any-return]

    def id_token(self, email: str) -> str:
        return str(self.tokens(email)["IdToken"])


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """moto serves no HTTP in-process: the JWKS download returns moto's public keys and is counted."""
    seen: list[str] = []

    def download(url: str) -> dict[str, Any]:
        seen.append(url)
        return MOTO_JWKS  # type: ignore[no-any-return]

    monkeypatch.setattr(console_tokens, "download", download)
    return seen


@pytest.fixture
def pool(aws: None, monkeypatch: pytest.MonkeyPatch, downloads: list[str]) -> Iterator[Pool]:
    """The template's pool, client and groups in moto, with one user per role."""
    from infra.local.invoke import reset_containers

    template = Template(ROOT / "template.yaml")
    local_aws.create_user_pools(template, None)
    pool = Pool(template.physical["ConsoleUserPool"]["Ref"], template.physical["ConsoleUserPoolClient"]["Ref"])
    monkeypatch.setenv("CONSOLE_USER_POOL_ID", pool.pool_id)
    monkeypatch.setenv("CONSOLE_CLIENT_ID", pool.client_id)
    monkeypatch.setenv("COGNITO_JWKS_URL", "https://jwks.test/keys.json")
    reset_containers()
    for role in ("owner", "marketer", "support"):
        pool.add_user(f"{role}@example.com", role)
    yield pool


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get_campaigns(fn: ModuleType, token: str) -> Any:
    return call(fn, "GET", "/v1/campaigns", "/v1/campaigns", key=None, headers=bearer(token))


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


def moto_key() -> Any:
    return jwt.PyJWK.from_dict(MOTO_PRIVATE["keys"][0] if "keys" in MOTO_PRIVATE else MOTO_PRIVATE).key


def error(reply: Any) -> tuple[int, str]:
    return reply.status, reply.body["error"]["code"]


@pytest.mark.parametrize("role", ["owner", "marketer", "support"])
def test_a_valid_token_is_a_user_principal_with_its_role(pool: Pool, role: str) -> None:
    token = pool.id_token(f"{role}@example.com")
    user = console_tokens.verify(token)
    assert (user.role, user.email) == (role, f"{role}@example.com")
    assert user.sub == claims_of(token)["sub"]
    assert get_campaigns(load_function("campaigns"), token).status == 200
    me = call(load_function("admin"), "GET", "/v1/console/me", "/v1/console/me", key=None, headers=bearer(token))
    assert me.status == 200 and me.body["role"] == role and me.body["email"] == f"{role}@example.com"


def test_a_token_signed_by_another_key_is_refused(pool: Pool) -> None:
    claims = claims_of(pool.id_token("owner@example.com"))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "dummy"})
    assert error(get_campaigns(load_function("campaigns"), forged)) == (401, "invalid_token")


def test_an_unknown_kid_is_refused_and_rereads_the_keys_at_most_once_a_minute(
    pool: Pool, downloads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fn = load_function("campaigns")
    assert get_campaigns(fn, pool.id_token("owner@example.com")).status == 200
    assert get_campaigns(fn, pool.id_token("marketer@example.com")).status == 200
    assert len(downloads) == 1  # once per container
    rotated = jwt.encode(claims_of(pool.id_token("owner@example.com")), moto_key(), "RS256", headers={"kid": "new"})
    assert error(get_campaigns(fn, rotated)) == (401, "invalid_token")
    assert len(downloads) == 1  # read less than a minute ago
    later = time.monotonic() + console_tokens.JWKS_REFETCH_SECONDS + 1
    monkeypatch.setattr(console_tokens.time, "monotonic", lambda: later)
    for _ in range(3):
        assert error(get_campaigns(fn, rotated)) == (401, "invalid_token")
    assert len(downloads) == 2  # one re-read for the unknown kid, then the minute's limit again


def test_a_token_of_another_pool_or_client_is_refused(pool: Pool) -> None:
    cognito = pool.cognito
    other_client = cognito.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    policies = {"PasswordPolicy": local_aws.LOCAL_PASSWORD_POLICY}
    other_pool = cognito.create_user_pool(PoolName="other", UsernameAttributes=["email"], Policies=policies)
    other_pool = other_pool["UserPool"]["Id"]
    other_pool_client = cognito.create_user_pool_client(
        UserPoolId=other_pool, ClientName="console", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=other_pool, GroupName="owner")
    Pool(other_pool, other_pool_client).add_user("owner@example.com", "owner")
    fn = load_function("campaigns")
    wrong_client = pool.tokens("owner@example.com", other_client)["IdToken"]
    wrong_pool = Pool(other_pool, other_pool_client).id_token("owner@example.com")
    assert error(get_campaigns(fn, wrong_client)) == (401, "invalid_token")
    assert error(get_campaigns(fn, wrong_pool)) == (401, "invalid_token")


def test_an_expired_token_is_token_expired(pool: Pool) -> None:
    claims = claims_of(pool.id_token("owner@example.com"))
    claims |= {"iat": int(time.time()) - 3600, "exp": int(time.time()) - 60}
    expired = jwt.encode(claims, moto_key(), algorithm="RS256", headers={"kid": "dummy"})
    assert error(get_campaigns(load_function("campaigns"), expired)) == (401, "token_expired")


def test_unsigned_garbage_and_access_tokens_are_refused(pool: Pool) -> None:
    fn = load_function("campaigns")
    claims = claims_of(pool.id_token("owner@example.com"))
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert error(get_campaigns(fn, unsigned)) == (401, "invalid_token")
    hs256 = jwt.encode(
        claims, "a-shared-secret-long-enough-for-hs256-okay", algorithm="HS256", headers={"kid": "dummy"}
    )
    assert error(get_campaigns(fn, hs256)) == (401, "invalid_token")
    for garbage in ("abc.def.ghi", "eyJhbGciOiJSUzI1NiJ9.e30.", "a.b.c"):
        assert error(get_campaigns(fn, garbage)) == (401, "invalid_token")
    access = pool.tokens("owner@example.com")["AccessToken"]
    assert error(get_campaigns(fn, access)) == (401, "invalid_token")


def test_a_user_in_no_group_has_no_role(pool: Pool) -> None:
    pool.add_user("nobody@example.com", None)
    assert error(get_campaigns(load_function("campaigns"), pool.id_token("nobody@example.com"))) == (403, "no_role")


def test_api_key_calls_never_import_pyjwt() -> None:
    """Cold start: an API-key call loads the resolver, which must not pull PyJWT or cryptography in."""
    import subprocess
    import sys

    code = "import passaparola.api.app, sys; print(any(m in sys.modules for m in ('jwt', 'cryptography')))"
    env = {"PYTHONPATH": str(ROOT / "layers" / "passaparola")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
