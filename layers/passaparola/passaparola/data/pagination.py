"""Opaque cursors over DynamoDB's LastEvaluatedKey."""

import base64
import json
from typing import Any

from passaparola.errors import InvalidRequest


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, keys: set[str], fixed: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The LastEvaluatedKey a cursor carries, refused (400) unless it is exactly a key of this listing.

    `keys` are the attribute names of the key (table and index); `fixed` pins values that must match the
    request, so a cursor from another campaign's listing cannot be replayed here.
    """
    if not cursor:
        return None
    invalid = InvalidRequest("The cursor is not valid for this listing.", {"field": "cursor"})
    try:
        value = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except ValueError as exc:
        raise invalid from exc
    if not isinstance(value, dict) or set(value) != keys:
        raise invalid
    for name, attr in value.items():
        if not (
            isinstance(attr, dict) and set(attr) == {"S"} and isinstance(attr["S"], str) and 0 < len(attr["S"]) <= 1024
        ):
            raise invalid
        if fixed and name in fixed and attr["S"] != fixed[name]:
            raise invalid
    return value
