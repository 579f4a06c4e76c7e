"""Identifiers: a type prefix and 128 random bits (Crockford base32), from a cryptographically secure source."""

import base64
import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{base64.b32encode(secrets.token_bytes(16)).decode().rstrip('=').lower()}"


def new_sortable_id(prefix: str, at_ms: int) -> str:
    """An id that sorts by creation time (millisecond hex) and then by 80 random bits."""
    return f"{prefix}_{at_ms:012x}{secrets.token_hex(10)}"
