"""Console users in moto's Cognito, in-process: the template's pool, client and groups, one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto.utilities.utils import load_resource

from infra.local import aws as local_aws
from infra.local.template import Template
from passaparola.api import console_tokens
from tests.unit.functions import ROOT

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
