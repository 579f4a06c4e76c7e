"""What the console sends and gets back about sessions, users and API keys."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from passaparola.coupons.models import Strict

Role = Literal["owner", "marketer", "support"]


def _email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        raise ValueError("not an email address")
    return value.lower()


Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_email)]
Password = Annotated[str, Field(min_length=1, max_length=256)]


class SessionRequest(Strict):
    """Sign in with a password, or finish a first sign-in with `new_password` and the `session` of the 409."""

    email: Email
    password: Password | None = None
    new_password: Password | None = None
    session: str | None = Field(None, min_length=1, max_length=4096)

    @model_validator(mode="after")
    def _one_way(self) -> "SessionRequest":
        if self.password is None and (self.new_password is None or self.session is None):
            raise ValueError("send password, or new_password with the session of the new_password_required answer")
        return self


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=8192)


class SessionUser(BaseModel):
    email: str
    role: Role


class Session(BaseModel):
    id_token: str
    refresh_token: str | None = Field(None, description="Absent on a refresh: keep the one you have.")
    expires_in: int = Field(description="Seconds the id token is valid (15 minutes deployed).")
    user: SessionUser


class Me(BaseModel):
    email: str
    role: Role
    permissions: list[str] = Field(description='The routes this role may call ("GET /v1/campaigns").')


class ConsoleUser(BaseModel):
    email: str
    role: Role | None = Field(description="None: in no group, so refused everywhere (no_role).")
    enabled: bool
    status: str = Field(description="Cognito's user status (CONFIRMED, FORCE_CHANGE_PASSWORD, ...).")
    created_at: datetime | None = None


class ConsoleUsers(BaseModel):
    items: list[ConsoleUser]


class CreateUserRequest(Strict):
    """Cognito emails the new user a temporary password, to change at their first sign-in."""

    email: Email
    role: Role


class UpdateUserRequest(Strict):
    role: Role | None = None
    enabled: bool | None = Field(None, description="false: the user cannot sign in and is signed out everywhere.")


class ApiKey(BaseModel):
    prefix: str = Field(description="The key's first 16 characters: how it is named and revoked.")
    kind: Literal["secret", "publishable"]
    name: str
    created_at: datetime
    revoked_at: datetime | None = None


class ApiKeys(BaseModel):
    items: list[ApiKey]


class CreateKeyRequest(Strict):
    kind: Literal["secret", "publishable"]
    name: str = Field(min_length=1, max_length=100)


class CreatedKey(ApiKey):
    key: str = Field(description="The whole key, shown this once only: it is stored as a hash.")
