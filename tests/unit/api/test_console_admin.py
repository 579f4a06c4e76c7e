"""The owner's routes on AdminFunction: console users (moto's Cognito) and API keys, and who may call them."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from tests.unit.api.conftest import Pool
from tests.unit.functions import call, load_function


@pytest.fixture
def admin(pool: Pool) -> ModuleType:
    return load_function("admin")


def as_user(pool: Pool, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {pool.id_token(f'{role}@example.com')}"}


def send(admin: ModuleType, method: str, path: str, resource: str, body: Any = None, **kw: Any) -> Any:
    return call(admin, method, path, resource, body, **kw)


def test_the_owner_invites_a_user_changes_their_role_and_disables_them(pool: Pool, admin: ModuleType) -> None:
    owner = as_user(pool, "owner")
    created = send(
        admin,
        "POST",
        "/v1/console/users",
        "/v1/console/users",
        {"email": "New@Example.com", "role": "support"},
        key=None,
        headers=owner,
    )
    assert created.status == 201, created.body
    assert created.body["email"] == "new@example.com" and created.body["role"] == "support"
    assert created.body["status"] == "FORCE_CHANGE_PASSWORD" and created.body["enabled"] is True
    again = send(
        admin,
        "POST",
        "/v1/console/users",
        "/v1/console/users",
        {"email": "new@example.com", "role": "owner"},
        key=None,
        headers=owner,
    )
    assert (again.status, again.body["error"]["code"]) == (409, "user_exists")

    path, resource = "/v1/console/users/new@example.com", "/v1/console/users/{email}"
    changed = send(admin, "PATCH", path, resource, {"role": "marketer"}, key=None, headers=owner)
    assert changed.status == 200 and changed.body["role"] == "marketer", changed.body
    disabled = send(admin, "PATCH", path, resource, {"enabled": False}, key=None, headers=owner)
    assert disabled.status == 200 and disabled.body["enabled"] is False

    listed = send(admin, "GET", "/v1/console/users", "/v1/console/users", key=None, headers=owner)
    users = {u["email"]: u for u in listed.body["items"]}
    assert set(users) == {"owner@example.com", "marketer@example.com", "support@example.com", "new@example.com"}
    assert users["new@example.com"]["role"] == "marketer" and users["new@example.com"]["enabled"] is False
    assert users["support@example.com"]["role"] == "support"

    missing = send(
        admin, "PATCH", "/v1/console/users/x@example.com", resource, {"enabled": True}, key=None, headers=owner
    )
    assert missing.status == 404


def test_an_owner_cannot_demote_or_disable_themselves(pool: Pool, admin: ModuleType) -> None:
    owner = as_user(pool, "owner")
    path, resource = "/v1/console/users/owner@example.com", "/v1/console/users/{email}"
    for change in ({"role": "support"}, {"enabled": False}):
        refused = send(admin, "PATCH", path, resource, change, key=None, headers=owner)
        assert (refused.status, refused.body["error"]["code"]) == (409, "conflict")
    assert send(admin, "PATCH", path, resource, {"role": "support"}).status == 200  # the secret key may


def test_a_disabled_user_cannot_sign_in(pool: Pool, admin: ModuleType) -> None:
    resource = "/v1/console/users/{email}"
    assert send(admin, "PATCH", "/v1/console/users/support@example.com", resource, {"enabled": False}).status == 200
    body = {"email": "support@example.com", "password": "passaparola-dev"}
    refused = send(admin, "POST", "/v1/console/session", "/v1/console/session", body, key=None)
    assert (refused.status, refused.body["error"]["code"]) == (401, "invalid_credentials")


def test_sign_in_and_first_sign_in_with_a_new_password(pool: Pool, admin: ModuleType) -> None:
    session = "/v1/console/session"
    ok = send(
        admin, "POST", session, session, {"email": "marketer@example.com", "password": "passaparola-dev"}, key=None
    )
    assert ok.status == 200 and ok.body["user"] == {"email": "marketer@example.com", "role": "marketer"}
    wrong = send(admin, "POST", session, session, {"email": "marketer@example.com", "password": "nope"}, key=None)
    assert (wrong.status, wrong.body["error"]["code"]) == (401, "invalid_credentials")

    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="first@example.com",
        TemporaryPassword="temporary-1",
        UserAttributes=[{"Name": "email", "Value": "first@example.com"}],
        MessageAction="SUPPRESS",
    )
    pool.cognito.admin_add_user_to_group(UserPoolId=pool.pool_id, Username="first@example.com", GroupName="support")
    first = send(admin, "POST", session, session, {"email": "first@example.com", "password": "temporary-1"}, key=None)
    assert (first.status, first.body["error"]["code"]) == (409, "new_password_required")
    done = send(
        admin,
        "POST",
        session,
        session,
        {
            "email": "first@example.com",
            "new_password": "a-new-password",
            "session": first.body["error"]["details"]["session"],
        },
        key=None,
    )
    assert done.status == 200 and done.body["user"]["role"] == "support", done.body
    incomplete = send(admin, "POST", session, session, {"email": "first@example.com"}, key=None)
    assert incomplete.status == 400


def test_the_owner_creates_lists_and_revokes_api_keys(pool: Pool, admin: ModuleType) -> None:
    owner = as_user(pool, "owner")
    created = send(
        admin, "POST", "/v1/keys", "/v1/keys", {"kind": "secret", "name": "backend"}, key=None, headers=owner
    )
    assert created.status == 201, created.body
    raw, prefix = created.body["key"], created.body["prefix"]
    from passaparola.api.keys import key_prefix

    assert raw.startswith("sk_") and prefix == key_prefix(raw) == raw[:16]
    assert send(admin, "GET", "/v1/console/users", "/v1/console/users", key=raw).status == 200  # the key works
    listed = send(admin, "GET", "/v1/keys", "/v1/keys", key=None, headers=owner)
    assert listed.status == 200
    mine = [k for k in listed.body["items"] if k["prefix"] == prefix]
    assert mine and "key" not in mine[0] and mine[0]["revoked_at"] is None
    revoked = send(admin, "POST", f"/v1/keys/{prefix}/revoke", "/v1/keys/{prefix}/revoke", key=None, headers=owner)
    assert revoked.status == 200 and revoked.body["revoked_at"], revoked.body
    from passaparola.api import keys

    keys._cache.clear()  # a revocation reaches warm containers within API_KEY_CACHE_SECONDS
    assert send(admin, "GET", "/v1/keys", "/v1/keys", key=raw).status == 401
    unknown = send(
        admin, "POST", "/v1/keys/sk_none_00000000/revoke", "/v1/keys/{prefix}/revoke", key=None, headers=owner
    )
    assert unknown.status == 404


@pytest.mark.parametrize("role", ["marketer", "support"])
def test_only_the_owner_manages_keys_and_users(pool: Pool, admin: ModuleType, role: str) -> None:
    headers = as_user(pool, role)
    for method, path, resource, body in [
        ("GET", "/v1/keys", "/v1/keys", None),
        ("POST", "/v1/keys", "/v1/keys", {"kind": "secret", "name": "x"}),
        ("GET", "/v1/console/users", "/v1/console/users", None),
        ("PATCH", "/v1/console/users/owner@example.com", "/v1/console/users/{email}", {"enabled": False}),
    ]:
        refused = send(admin, method, path, resource, body, key=None, headers=headers)
        assert (refused.status, refused.body["error"]["code"]) == (403, "forbidden_role"), (method, path)
        assert refused.body["error"]["details"] == {"role": role, "route": f"{method} {resource}"}


def test_me_is_for_console_users_not_keys(pool: Pool, admin: ModuleType) -> None:
    assert send(admin, "GET", "/v1/console/me", "/v1/console/me").status == 403


def test_a_new_key_is_never_kept_in_the_idempotency_table(pool: Pool, admin: ModuleType) -> None:
    """The raw key is shown once: an Idempotency-Key does not store the answer (a retry makes another key)."""
    import boto3

    from passaparola.settings import get_settings

    headers = as_user(pool, "owner") | {"Idempotency-Key": "create-backend-key"}
    body = {"kind": "secret", "name": "backend"}
    first = send(admin, "POST", "/v1/keys", "/v1/keys", body, key=None, headers=headers)
    again = send(admin, "POST", "/v1/keys", "/v1/keys", body, key=None, headers=headers)
    assert first.status == again.status == 201 and first.body["key"] != again.body["key"]
    stored = boto3.client("dynamodb").scan(TableName=get_settings().idempotency_table)["Items"]
    assert not any(first.body["key"] in str(item) for item in stored)


def test_key_prefixes_keep_six_random_characters_whatever_the_stage() -> None:
    from passaparola.api.keys import key_prefix, new_key

    long_stage = [new_key("secret", "production-eu-west-1") for _ in range(2)]
    assert [key_prefix(k)[:-6] for k in long_stage] == ["sk_production-eu-west-1_"] * 2
    assert key_prefix(long_stage[0]) != key_prefix(long_stage[1])
    assert key_prefix("sk_local_dev") == "sk_local_dev"


def test_an_email_the_user_pool_refuses_is_a_400_not_a_500(pool: Pool, admin: ModuleType) -> None:
    """Found by schemathesis: Cognito answers InvalidParameterException for `0@0.0`."""
    body = {"email": "0@0.0", "role": "marketer"}
    reply = send(
        admin, "POST", "/v1/console/users", "/v1/console/users", body, key=None, headers=as_user(pool, "owner")
    )
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "invalid_request" and reply.body["error"]["details"]["field"] == "email"


def test_a_key_with_a_long_stage_is_revoked_by_its_listed_prefix(pool: Pool, admin: ModuleType) -> None:
    """Prefixes are longer than 16 characters on long stages (`keys.key_prefix`): the route takes them as listed."""
    from passaparola.api.keys import key_prefix, new_key, store_key

    raw = new_key("secret", "production-eu-west-1")
    store_key(raw, "secret", "backend")
    prefix = key_prefix(raw)
    assert len(prefix) > 16
    route = "/v1/keys/{prefix}/revoke"
    revoked = send(admin, "POST", f"/v1/keys/{prefix}/revoke", route, key=None, headers=as_user(pool, "owner"))
    assert revoked.status == 200 and revoked.body["prefix"] == prefix, revoked.body
