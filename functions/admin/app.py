"""The console's people and the owner's keys: sign-in, the signed-in user, console users, API keys."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from passaparola.api.app import Api, handler
from passaparola.api.openapi import error_responses
from passaparola.console import service
from passaparola.console.models import (
    ApiKey,
    ApiKeys,
    ConsoleUser,
    ConsoleUsers,
    CreatedKey,
    CreateKeyRequest,
    CreateUserRequest,
    Me,
    RefreshRequest,
    Session,
    SessionRequest,
    UpdateUserRequest,
)

app = Api(public_routes={"POST /v1/console/session", "POST /v1/console/session/refresh"})
EmailParam = Annotated[str, Path(min_length=3, max_length=254, description="The user's email (their username).")]
PrefixParam = Annotated[str, Path(min_length=1, max_length=128, description="The key's prefix, as the list shows it.")]


@app.post(
    "/v1/console/session",
    summary="Sign in to the console (email and password, or a first sign-in's new password)",
    tags=["console"],
    responses=error_responses(401, 403),
)
def sign_in(request: SessionRequest) -> Session:
    return service.sign_in(request)


@app.post(
    "/v1/console/session/refresh",
    summary="A new id token from the refresh token",
    tags=["console"],
    responses=error_responses(401, 403),
)
def refresh(request: RefreshRequest) -> Session:
    return service.refresh(request)


@app.get("/v1/console/me", summary="The signed-in console user, their role and what it may call", tags=["console"])
def me() -> Me:
    return service.me(app.context.get("principal"))


@app.get("/v1/console/users", summary="Console users and their roles (owner)", tags=["console"])
def list_users() -> ConsoleUsers:
    return service.list_users()


@app.post(
    "/v1/console/users",
    summary="Invite a console user (owner): Cognito emails them a temporary password",
    tags=["console"],
    responses={201: {"description": "Created.", "content": {"application/json": {"model": ConsoleUser}}}},
)
def create_user(request: CreateUserRequest) -> tuple[ConsoleUser, int]:
    return service.create_user(request), 201


@app.patch(
    "/v1/console/users/<email>", summary="Change a console user's role, or disable them (owner)", tags=["console"]
)
def update_user(email: EmailParam, request: UpdateUserRequest) -> ConsoleUser:
    return service.update_user(email, request, app.context.get("principal"))


@app.get("/v1/keys", summary="API keys (prefixes only; owner)", tags=["keys"])
def list_keys() -> ApiKeys:
    return service.list_keys()


@app.post(
    "/v1/keys",
    summary="Create an API key (owner): the whole key is in this answer only",
    tags=["keys"],
    responses={201: {"description": "Created.", "content": {"application/json": {"model": CreatedKey}}}},
)
def create_key(request: CreateKeyRequest) -> tuple[CreatedKey, int]:
    return service.create_key(request), 201


@app.post("/v1/keys/<prefix>/revoke", summary="Revoke an API key by its prefix (owner)", tags=["keys"])
def revoke_key(prefix: PrefixParam) -> ApiKey:
    return service.revoke_key(prefix)


lambda_handler = handler(app)
