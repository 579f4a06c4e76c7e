"""Console sign-in over HTTP against the local stack: moto's Cognito pool, the dev users, roles on real routes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.api import Api, assert_error, uid

ROOT = Path(__file__).resolve().parents[2]
DEV_PASSWORD = "passaparola-dev"  # noqa: S105 - the local stack's published dev password


@pytest.fixture(scope="module")
def api(stack: Any) -> Api:
    return Api(stack)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(api: Api, email: str, password: str = DEV_PASSWORD) -> requests.Response:
    return api.post("/v1/console/session", json={"email": email, "password": password}, key=None)


@pytest.fixture(scope="module")
def tokens(api: Api) -> dict[str, str]:
    out = {}
    for role in ("owner", "marketer", "support"):
        r = sign_in(api, f"{role}@example.com")
        assert r.status_code == 200, r.text
        out[role] = r.json()["id_token"]
    return out


@pytest.mark.parametrize("role", ["owner", "marketer", "support"])
def test_each_dev_user_signs_in_and_is_who_the_token_says(api: Api, role: str) -> None:
    r = sign_in(api, f"{role.upper()}@example.com")  # the email is case-insensitive
    assert r.status_code == 200, r.text
    session = r.json()
    assert session["user"] == {"email": f"{role}@example.com", "role": role}
    assert session["refresh_token"] and session["expires_in"] > 0
    me = api.get("/v1/console/me", key=None, headers=bearer(session["id_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == f"{role}@example.com" and me.json()["role"] == role
    assert ("GET /v1/keys" in me.json()["permissions"]) is (role == "owner")


def test_wrong_password_and_unknown_user_are_the_same_401(api: Api) -> None:
    assert_error(sign_in(api, "owner@example.com", "not-the-password"), 401, "invalid_credentials")
    assert_error(sign_in(api, f"{uid()}@example.com".lower()), 401, "invalid_credentials")


def test_refresh_gives_a_working_id_token(api: Api) -> None:
    refresh_token = sign_in(api, "marketer@example.com").json()["refresh_token"]
    r = api.post("/v1/console/session/refresh", json={"refresh_token": refresh_token}, key=None)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["role"] == "marketer"
    assert api.get("/v1/campaigns", key=None, headers=bearer(r.json()["id_token"])).status_code == 200


def test_a_token_works_on_every_function_and_a_forged_one_does_not(api: Api, tokens: dict[str, str]) -> None:
    owner = tokens["owner"]
    assert api.get("/v1/campaigns", key=None, headers=bearer(owner)).status_code == 200
    assert api.get("/v1/segments", key=None, headers=bearer(owner)).status_code == 200
    header, payload, signature = owner.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert_error(api.get("/v1/campaigns", key=None, headers=bearer(forged)), 401, "invalid_token")
    assert_error(api.get("/v1/campaigns", key=None, headers=bearer("a.b.c")), 401, "invalid_token")


def test_local_admin_token_needs_the_secret_key_and_serves_dev_users(api: Api) -> None:
    r = api.post("/local/admin/token", json={"email": "support@example.com"})
    assert r.status_code == 200, r.text
    assert r.json()["user"] == {"email": "support@example.com", "role": "support"}
    me = api.get("/v1/console/me", key=None, headers=bearer(r.json()["id_token"]))
    assert me.json()["role"] == "support"
    assert api.post("/local/admin/token", json={"email": "support@example.com"}, key=None).status_code == 401
    assert api.post("/local/admin/token", json={"email": "nobody@example.com"}).status_code == 404


def test_support_is_refused_campaign_edits_but_reads_customers(api: Api, tokens: dict[str, str]) -> None:
    campaign = api.create_campaign()
    r = api.patch(f"/v1/campaigns/{campaign['id']}", json={"name": "x"}, key=None, headers=bearer(tokens["support"]))
    err = assert_error(r, 403, "forbidden_role")
    assert err["details"] == {"role": "support", "route": "PATCH /v1/campaigns/{campaign_id}"}
    customer_id = f"cust-{uid()}"
    assert api.request("PUT", f"/v1/customers/{customer_id}", json={}).status_code in (200, 201)
    r = api.get(f"/v1/customers/{customer_id}", key=None, headers=bearer(tokens["support"]))
    assert r.status_code == 200, r.text
    assert api.get(f"/v1/campaigns/{campaign['id']}", key=None, headers=bearer(tokens["support"])).status_code == 200


def test_marketer_may_edit_campaigns_but_not_erase_customers_or_see_keys(api: Api, tokens: dict[str, str]) -> None:
    campaign = api.create_campaign()
    r = api.patch(
        f"/v1/campaigns/{campaign['id']}", json={"name": "renamed"}, key=None, headers=bearer(tokens["marketer"])
    )
    assert r.status_code == 200, r.text
    customer_id = f"cust-{uid()}"
    assert api.request("PUT", f"/v1/customers/{customer_id}", json={}).status_code in (200, 201)
    r = api.request("DELETE", f"/v1/customers/{customer_id}", key=None, headers=bearer(tokens["marketer"]))
    assert_error(r, 403, "forbidden_role")
    assert_error(api.get("/v1/keys", key=None, headers=bearer(tokens["marketer"])), 403, "forbidden_role")
    assert api.get(f"/v1/customers/{customer_id}").status_code == 200  # still there


def admin_user(stack: Any, *args: str) -> subprocess.CompletedProcess[str]:
    port = stack.url.rsplit(":", 1)[1]
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'passaparola'}{os.pathsep}{ROOT}"}
    command = [sys.executable, "-m", "infra.tools.admin_user", "--port", port, *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False)


def test_make_admin_user_creates_a_user_in_the_local_pool(api: Api, stack: Any) -> None:
    email = f"agent-{uid()}@example.com".lower()
    done = admin_user(stack, "--email", email, "--role", "support")
    assert done.returncode == 0, done.stderr
    r = sign_in(api, email)
    assert r.status_code == 200, r.text
    assert r.json()["user"] == {"email": email, "role": "support"}
    again = admin_user(stack, "--email", email, "--role", "owner")
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    nowhere = admin_user(stack, "--email", email, "--role", "owner", "--port", "9")
    assert nowhere.returncode == 1 and "make run" in nowhere.stderr, nowhere.stderr


def test_the_owner_creates_and_revokes_a_key_and_invites_a_user(api: Api, tokens: dict[str, str]) -> None:
    owner = bearer(tokens["owner"])
    created = api.post("/v1/keys", json={"kind": "publishable", "name": f"shop {uid()}"}, key=None, headers=owner)
    assert created.status_code == 201, created.text
    raw, prefix = created.json()["key"], created.json()["prefix"]
    assert api.get("/v1/keys", key=None, headers=owner).json()["items"][0]["prefix"] == prefix  # newest first
    assert api.post(f"/v1/keys/{prefix}/revoke", key=None, headers=owner).json()["revoked_at"]
    assert api.get("/v1/keys", key=None, headers={"X-Publishable-Key": raw}).status_code in (401, 403)
    email = f"invited-{uid()}@example.com".lower()
    r = api.post("/v1/console/users", json={"email": email, "role": "marketer"}, key=None, headers=owner)
    assert r.status_code == 201 and r.json()["status"] == "FORCE_CHANGE_PASSWORD", r.text
