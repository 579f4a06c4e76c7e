"""Sign-in, the signed-in user, and the owner's management of console users and API keys."""

from urllib.parse import unquote

from passaparola import clock
from passaparola.api import console_tokens, keys, roles
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
    SessionUser,
    UpdateUserRequest,
)
from passaparola.data import cognito
from passaparola.data import keys as key_store
from passaparola.data.models.keys import ApiKeyModel
from passaparola.errors import Conflict, Forbidden, NotFound


def sign_in(request: SessionRequest) -> Session:
    """A password sign-in, or the end of a first one (new password); the role comes from the verified token."""
    if request.password is not None:
        tokens = cognito.sign_in(request.email, request.password)
    else:
        assert request.new_password is not None and request.session is not None  # the model's validator
        tokens = cognito.set_new_password(request.email, request.new_password, request.session)
    return _session(tokens)


def refresh(request: RefreshRequest) -> Session:
    return _session(cognito.refresh(request.refresh_token))


def _session(tokens: cognito.Tokens) -> Session:
    user = console_tokens.verify(tokens.id_token)  # no role: 403 no_role now, not at the first call
    return Session(
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        user=SessionUser(email=user.email, role=user.role),  # type: ignore[arg-type]
    )


def me(principal: keys.Principal | None) -> Me:
    """The signed-in console user; an API key is nobody to show."""
    if principal is None or principal.kind != "user":
        raise Forbidden("This route is for a signed-in console user, not an API key.")
    return Me(email=principal.email or "", role=principal.role, permissions=roles.permissions(principal.role))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ console users
def _user(user: cognito.PoolUser) -> ConsoleUser:
    role = next((r for r in console_tokens.ROLES if r in user.groups), None)
    fields = {"email": user.email, "role": role, "enabled": user.enabled, "status": user.status}
    return ConsoleUser.model_validate(fields | {"created_at": user.created_at})


def list_users() -> ConsoleUsers:
    return ConsoleUsers(items=sorted((_user(u) for u in cognito.list_users()), key=lambda u: u.email))


def create_user(request: CreateUserRequest) -> ConsoleUser:
    return _user(cognito.create_user(request.email, request.role))


def update_user(email: str, request: UpdateUserRequest, principal: keys.Principal | None) -> ConsoleUser:
    """Change a user's role or switch them off; an owner cannot demote or disable themselves (no lock-out)."""
    email = unquote(email).lower()
    cognito.get_user(email)  # 404 before any change
    yourself = principal is not None and principal.kind == "user" and principal.email == email
    if yourself and (request.role not in (None, "owner") or request.enabled is False):
        raise Conflict("You cannot demote or disable yourself; ask another owner.", {"field": "role"})
    if request.role is not None:
        cognito.set_role(email, request.role)
    if request.enabled is not None:
        cognito.set_enabled(email, request.enabled)
    return _user(cognito.get_user(email))


# ------------------------------------------------------------------------------------------------ API keys
def _key(item: ApiKeyModel) -> ApiKey:
    fields = {"prefix": item.prefix, "kind": item.kind, "name": item.name}
    return ApiKey.model_validate(fields | {"created_at": item.created_at, "revoked_at": item.revoked_at})


def list_keys() -> ApiKeys:
    return ApiKeys(items=[_key(k) for k in sorted(key_store.all_keys(), key=lambda k: k.created_at, reverse=True)])


def create_key(request: CreateKeyRequest) -> CreatedKey:
    raw = keys.new_key(request.kind)
    if not keys.store_key(raw, request.kind, request.name):
        raise Conflict("A key with this value already exists; nothing was stored, retry.")
    item = key_store.get(keys.hash_key(raw))
    assert item is not None
    return CreatedKey(key=raw, **_key(item).model_dump())


def revoke_key(prefix: str) -> ApiKey:
    """Revoke the key with this prefix (`keys.key_prefix`); it stops working everywhere within API_KEY_CACHE_SECONDS."""
    matches = [k for k in key_store.all_keys() if k.prefix == prefix]
    if not matches:
        raise NotFound("No API key with this prefix.", {"field": "prefix"})
    if len(matches) > 1:
        raise Conflict("Several keys share this prefix; revoke with the CLI and the whole key.", {"field": "prefix"})
    if matches[0].revoked_at is None:
        key_store.revoke(matches[0].id, clock.now())
    item = key_store.get(matches[0].id)
    assert item is not None
    return _key(item)
