"""Opaque cursors over DynamoDB's LastEvaluatedKey."""

import base64
import json
from typing import Any

from passaparola.errors import InvalidRequest


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise InvalidRequest("The cursor is not valid.", {"field": "cursor"}) from exc
    if not isinstance(value, dict):
        raise InvalidRequest("The cursor is not valid.", {"field": "cursor"})
    return value
