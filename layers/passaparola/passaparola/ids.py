"""Identifiers: a type prefix and 128 random bits (Crockford base32), from a cryptographically secure source."""

import base64
import hashlib
import secrets
import threading


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


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ulid_lock = threading.Lock()
_ulid_last = (0, 0)


def new_ulid(at_ms: int) -> str:
    """A ULID (26 Crockford base32 chars: 48-bit milliseconds, 80 random bits), monotonic within the process.

    Two ids made in the same millisecond (or with a clock that stepped back) continue from the previous one's
    random part plus one, so the ids a process makes sort in the order they were made."""
    global _ulid_last
    with _ulid_lock:
        last_ms, last_random = _ulid_last
        if at_ms <= last_ms and last_random < (1 << 80) - 1:
            at_ms, random_part = last_ms, last_random + 1
        else:
            random_part = secrets.randbits(80)
        _ulid_last = (at_ms, random_part)
    value = (at_ms << 80) | random_part
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
