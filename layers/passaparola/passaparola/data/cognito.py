"""Amazon Cognito: the console's user pool (sign-in, users, their role as a group). The only module calling it.

The client is created at the first call, not at import: boto3 stays off the cold start of the other routes.
Cognito's errors become the project's typed errors here, so the service never sees botocore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from passaparola.errors import (
    DomainError,
    InvalidCredentials,
    InvalidRequest,
    NewPasswordRequired,
    NotFound,
    RateLimited,
    UserExists,
)
from passaparola.settings import get_settings

GROUPS = ("owner", "marketer", "support")


@dataclass(frozen=True)
class Tokens:
    id_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class PoolUser:
    email: str
    groups: tuple[str, ...]
    enabled: bool
    status: str
    created_at: datetime | None


@lru_cache(maxsize=1)
def _client() -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=3, read_timeout=5)
    return boto3.client("cognito-idp", region_name=_region(), config=config)  # type: ignore[call-overload]


def _region() -> str:
    pool = get_settings().console_user_pool_id
    return pool.split("_", 1)[0] if "_" in pool else get_settings().aws_region


def _pool() -> str:
    pool = get_settings().console_user_pool_id
    if not pool:
        raise DomainError("Console sign-in is not configured (CONSOLE_USER_POOL_ID is empty).")
    return pool


def _call(operation: str, **kwargs: Any) -> Any:
    """One Cognito call, its errors translated (the caller handles the codes it expects first)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(_client(), operation)(**kwargs)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if code in (
            "NotAuthorizedException",
            "UserNotFoundException",
            "PasswordResetRequiredException",
            "UserNotConfirmedException",
        ) or (code == "InvalidParameterException" and operation == "initiate_auth"):
            if operation in ("initiate_auth", "respond_to_auth_challenge"):
                raise InvalidCredentials() from exc
            if code == "UserNotFoundException":
                raise NotFound("No console user with this email.") from exc
        if code == "UsernameExistsException":
            raise UserExists() from exc
        if code == "InvalidPasswordException":
            field = "new_password" if operation == "respond_to_auth_challenge" else "password"
            raise InvalidRequest(message or "The password is too weak.", {"field": field}) from exc
        if code == "CodeMismatchException" or (code == "InvalidParameterException" and "session" in message.lower()):
            raise InvalidRequest(
                "The sign-in session is invalid or expired; sign in again.", {"field": "session"}
            ) from exc
        if code == "InvalidParameterException":  # e.g. an email address the user pool does not accept
            raise InvalidRequest(message or "The user pool refused a parameter.", {"field": "email"}) from exc
        if code in ("TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"):
            raise RateLimited("Too many sign-in attempts; retry later.") from exc
        raise DomainError(f"The user pool refused the request ({code}).") from exc
    except BotoCoreError as exc:
        raise DomainError("The user pool could not be reached; retry.") from exc


def _tokens(answer: dict[str, Any], email: str) -> Tokens:
    if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        raise NewPasswordRequired(details={"session": answer.get("Session", ""), "email": email})
    result = answer.get("AuthenticationResult")
    if not result:
        raise InvalidCredentials(f"Sign-in needs a step this console does not support ({answer.get('ChallengeName')}).")
    return Tokens(result["IdToken"], result.get("RefreshToken"), int(result.get("ExpiresIn", 0)))


def sign_in(email: str, password: str) -> Tokens:
    answer = _call(
        "initiate_auth",
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=get_settings().console_client_id,
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return _tokens(answer, email)


def set_new_password(email: str, new_password: str, session: str) -> Tokens:
    answer = _call(
        "respond_to_auth_challenge",
        ClientId=get_settings().console_client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": new_password},
    )
    return _tokens(answer, email)


def refresh(refresh_token: str) -> Tokens:
    answer = _call(
        "initiate_auth",
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=get_settings().console_client_id,
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return _tokens(answer, "")


def create_user(email: str, role: str, password: str | None = None, invite: bool = True) -> PoolUser:
    """Create a user in the role's group: Cognito emails a temporary password unless `password` is given
    (then permanent) or `invite` is False."""
    kwargs: dict[str, Any] = {
        "UserPoolId": _pool(),
        "Username": email,
        "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        "DesiredDeliveryMediums": ["EMAIL"],
    }
    if password or not invite:
        kwargs["MessageAction"] = "SUPPRESS"
    _call("admin_create_user", **kwargs)
    if password:
        _call("admin_set_user_password", UserPoolId=_pool(), Username=email, Password=password, Permanent=True)
    _call("admin_add_user_to_group", UserPoolId=_pool(), Username=email, GroupName=role)
    return get_user(email)


def get_user(email: str) -> PoolUser:
    answer = _call("admin_get_user", UserPoolId=_pool(), Username=email)
    groups = _call("admin_list_groups_for_user", UserPoolId=_pool(), Username=email).get("Groups", [])
    attrs = {a["Name"]: a["Value"] for a in answer.get("UserAttributes", [])}
    return PoolUser(
        email=attrs.get("email", email),
        groups=tuple(g["GroupName"] for g in groups),
        enabled=bool(answer.get("Enabled", True)),
        status=str(answer.get("UserStatus", "")),
        created_at=answer.get("UserCreateDate"),
    )


def list_users() -> list[PoolUser]:
    """Every user with their groups: one ListUsers walk plus one walk per group (a console has few users)."""
    members: dict[str, list[str]] = {}
    for group in GROUPS:
        for user in _walk("list_users_in_group", "NextToken", GroupName=group):
            members.setdefault(user["Username"], []).append(group)
    out = []
    for user in _walk("list_users", "PaginationToken"):
        attrs = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
        out.append(
            PoolUser(
                email=attrs.get("email", user["Username"]),
                groups=tuple(members.get(user["Username"], ())),
                enabled=bool(user.get("Enabled", True)),
                status=str(user.get("UserStatus", "")),
                created_at=user.get("UserCreateDate"),
            )
        )
    return out


def _walk(operation: str, token_name: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page of a user listing (ListUsers pages with PaginationToken, ListUsersInGroup with NextToken)."""
    users: list[dict[str, Any]] = []
    while True:
        page = _call(operation, UserPoolId=_pool(), **kwargs)
        users += page.get("Users", [])
        token = page.get(token_name)
        if not token:
            return users
        kwargs[token_name] = token


def set_role(email: str, role: str) -> None:
    """Move the user to the role's group only (added first: never a moment without a role)."""
    _call("admin_add_user_to_group", UserPoolId=_pool(), Username=email, GroupName=role)
    for group in GROUPS:
        if group != role:
            _call("admin_remove_user_from_group", UserPoolId=_pool(), Username=email, GroupName=group)


def set_enabled(email: str, enabled: bool) -> None:
    """Disable (and sign out everywhere: no new id token from a refresh token) or enable a user."""
    if enabled:
        _call("admin_enable_user", UserPoolId=_pool(), Username=email)
        return
    _call("admin_disable_user", UserPoolId=_pool(), Username=email)
    _call("admin_user_global_sign_out", UserPoolId=_pool(), Username=email)


def sign_out_everywhere(email: str) -> None:
    _call("admin_user_global_sign_out", UserPoolId=_pool(), Username=email)
