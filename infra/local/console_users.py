"""The console's sign-in, emulated: moto's Cognito pool from template.yaml, three dev users, and tokens for tests.

Local only: the dev users and their published password never exist in a deployed pool.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from infra.local import aws
from infra.local.gateway import HttpResponse, check_bearer, error_response, json_response
from infra.local.template import USER_POOL, USER_POOL_CLIENT, Template

DEV_PASSWORD = "passaparola-dev"  # noqa: S105 - published, local only
DEV_USERS = {"owner@example.com": "owner", "marketer@example.com": "marketer", "support@example.com": "support"}


@dataclass(frozen=True)
class ConsolePool:
    endpoint: str
    user_pool_id: str
    client_id: str

    @property
    def jwks_url(self) -> str:
        """moto serves the pool's keys at its own URL (its tokens still name Cognito's issuer)."""
        return f"{self.endpoint}/{self.user_pool_id}/.well-known/jwks.json"


def setup(tpl: Template, endpoint: str) -> ConsolePool | None:
    """Point the functions at moto's JWKS and create the dev users (the pool exists: `aws.create_all`)."""
    pools, clients = tpl.of_type(USER_POOL), tpl.of_type(USER_POOL_CLIENT)
    if not pools or not clients:
        return None
    pool = ConsolePool(endpoint, tpl.physical[next(iter(pools))]["Ref"], tpl.physical[next(iter(clients))]["Ref"])
    os.environ["COGNITO_JWKS_URL"] = pool.jwks_url
    for email, role in DEV_USERS.items():
        aws.create_user(endpoint, pool.user_pool_id, email, role, DEV_PASSWORD)
    return pool


def token_http(
    method: str, headers: list[tuple[str, str]], body: bytes, secret_key: str, pool: ConsolePool | None
) -> HttpResponse:
    """`POST /local/admin/token {"email"}` (secret key): a dev user's session, as `POST /v1/console/session` gives."""
    denied = check_bearer(headers, secret_key)
    if denied:
        return denied
    if method != "POST":
        return error_response(405, "method_not_allowed", "Use POST.")
    if pool is None:
        return error_response(404, "not_found", "template.yaml declares no console user pool.")
    try:
        email = str(json.loads(body or b"{}").get("email", "")).strip().lower()
    except (ValueError, AttributeError):
        email = ""
    if email not in DEV_USERS:
        return error_response(
            404, "not_found", "Tokens are for the dev users only.", {"field": "email", "dev_users": sorted(DEV_USERS)}
        )
    try:
        answer: dict[str, Any] = aws.client("cognito-idp", pool.endpoint).initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=pool.client_id,
            AuthParameters={"USERNAME": email, "PASSWORD": DEV_PASSWORD},
        )
    except ClientError as exc:
        return error_response(409, "conflict", f"The dev user cannot sign in (changed or disabled?): {exc}")
    result = answer["AuthenticationResult"]
    return json_response(
        200,
        {
            "id_token": result["IdToken"],
            "refresh_token": result.get("RefreshToken"),
            "expires_in": result.get("ExpiresIn"),
            "user": {"email": email, "role": DEV_USERS[email]},
        },
    )
