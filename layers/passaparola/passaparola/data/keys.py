"""API keys, stored by the sha256 of the key: the raw key is never written anywhere."""

from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from passaparola.data.models.keys import ApiKeyModel


def put(key_hash: str, kind: str, name: str, prefix: str, now: datetime) -> bool:
    """Store a key unless it is already there; True when it was created, False when it was there.

    Any other failure (no table, no credentials, throttling) raises: a key reported as stored must be.
    """
    try:
        ApiKeyModel(key_hash, kind=kind, name=name, prefix=prefix, created_at=now).save(
            condition=ApiKeyModel.id.does_not_exist()
        )
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get(key_hash: str) -> ApiKeyModel | None:
    try:
        return ApiKeyModel.get(key_hash)
    except DoesNotExist:
        return None


def all_keys() -> list[ApiKeyModel]:
    """For the operator's CLI only: the keys table holds a handful of items."""
    return list(ApiKeyModel.scan())


def revoke(key_hash: str, now: datetime) -> None:
    ApiKeyModel(key_hash).update(actions=[ApiKeyModel.revoked_at.set(now)], condition=ApiKeyModel.id.exists())
