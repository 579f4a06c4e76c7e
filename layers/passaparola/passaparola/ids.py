"""Identifiers: a type prefix and 128 random bits (Crockford base32), from a cryptographically secure source."""

import base64
import hashlib
import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{base64.b32encode(secrets.token_bytes(16)).decode().rstrip('=').lower()}"


def new_sortable_id(prefix: str, at_ms: int) -> str:
    """An id that sorts by creation time (millisecond hex) and then by 80 random bits."""
    return f"{prefix}_{at_ms:012x}{secrets.token_hex(10)}"


def weighted_choice(seed: str, weights: list[tuple[str, int]]) -> str:
    """A deterministic pick in proportion to the weights: the same seed always gets the same name (A/B)."""
    total = sum(w for _, w in weights)
    point = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % total
    for name, weight in weights:
        if point < weight:
            return name
        point -= weight
    raise AssertionError("unreachable")
