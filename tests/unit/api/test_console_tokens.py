"""Console users' Cognito id tokens, verified in the function: moto's user pool in-process, real signatures."""

from __future__ import annotations

import time
from types import ModuleType
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local import aws as local_aws
from passaparola.api import console_tokens
from tests.unit.api.conftest import MOTO_PRIVATE, Pool
from tests.unit.functions import ROOT, call, load_function


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


def test_while_the_keys_cannot_be_read_a_flood_of_tokens_costs_one_download_per_retry_interval(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cognito's key URL down (or answering something that is not a key set): 500, never a crash, and one
    download attempt per JWKS_RETRY_SECONDS whatever the number of requests."""
    attempts: list[str] = []

    def broken(url: str) -> Any:
        attempts.append(url)
        if len(attempts) == 1:
            raise OSError("connection refused")
        return ["not", "a", "key", "set"]

    monkeypatch.setattr(console_tokens, "download", broken)
    console_tokens._jwks.clear()
    fn, token = load_function("campaigns"), pool.id_token("owner@example.com")
    for _ in range(5):
        assert error(get_campaigns(fn, token)) == (500, "internal_error")
    assert len(attempts) == 1
    later = time.monotonic() + console_tokens.JWKS_RETRY_SECONDS + 1
    monkeypatch.setattr(console_tokens.time, "monotonic", lambda: later)
    for _ in range(3):
        assert error(get_campaigns(fn, token)) == (500, "internal_error")
    assert len(attempts) == 2
