"""API keys: creation, revocation and constant-time lookup, plus the operator's CLI.

`python -m passaparola.api.keys create --kind secret --name backend` prints a new key once;
`revoke <key or prefix>` and `list` manage them; each exits 1 with the reason on stderr when the table
could not be written or read. Lookups are cached per container in a bounded LRU (API_KEY_CACHE_SIZE
entries): a known key for API_KEY_CACHE_SECONDS, so a revocation takes effect within that time
everywhere; an unknown key for API_KEY_NEGATIVE_SECONDS, so a client repeating a wrong key costs one
read per that time, and a flood of random keys neither grows memory nor evicts the real keys for long.
"""

import argparse
import hashlib
import hmac
import secrets
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import BotoCoreError
from pynamodb.exceptions import PynamoDBException

from passaparola import clock
from passaparola.data import keys as repository
from passaparola.settings import get_settings

KeyKind = Literal["secret", "publishable"]
PrincipalKind = Literal["secret", "publishable", "user"]
PREFIXES: dict[str, KeyKind] = {"sk_": "secret", "pk_": "publishable"}


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key or a console user, with a stable, non-secret id for scoping (idempotency, logs).

    A console user (`kind="user"`) carries their role (`owner`, `marketer`, `support`) and email; `key_id` is then
    `u_` + the start of their Cognito subject.
    """

    kind: PrincipalKind
    key_id: str
    role: str | None = None
    email: str | None = None


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_key(kind: KeyKind, stage: str | None = None) -> str:
    prefix = "sk" if kind == "secret" else "pk"
    return f"{prefix}_{stage or get_settings().stage}_{secrets.token_urlsafe(24)}"


def key_prefix(raw_key: str) -> str:
    """What names a key without giving it away: kind, stage and the first 6 random characters (`sk_prod_Ab3dE9`).

    Counted from the end (the random part is 32 characters), so a long stage name never leaves too few random
    characters to tell two keys apart; at least 16 characters, so short keys (`sk_local_dev`) are named whole.
    """
    return raw_key[: max(16, len(raw_key) - 26)]


def store_key(raw_key: str, kind: KeyKind, name: str) -> bool:
    """Store a key's hash (idempotent: an existing key is left as it is)."""
    return repository.put(hash_key(raw_key), kind, name, key_prefix(raw_key), clock.now())


class LookupCache:
    """A bounded LRU of key hash → (expiry, principal or None for an unknown key), safe across threads."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str, now: float) -> tuple[bool, Principal | None]:
        """(hit, principal): an expired entry is a miss."""
        with self._lock:
            hit = self._items.get(digest)
            if hit is None or hit[0] <= now:
                return False, None
            self._items.move_to_end(digest)
            return True, hit[1]

    def put(self, digest: str, principal: Principal | None, until: float, size: int) -> None:
        with self._lock:
            self._items[digest] = (until, principal)
            self._items.move_to_end(digest)
            while len(self._items) > max(size, 1):
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_cache = LookupCache()


def lookup(raw_key: str) -> Principal | None:
    """The principal for a presented key, or None if unknown or revoked."""
    digest = hash_key(raw_key)
    now = time.monotonic()
    hit, principal = _cache.get(digest, now)
    if hit:
        return principal
    item = repository.get(digest)
    principal = None
    if item is not None and item.revoked_at is None and hmac.compare_digest(item.id, digest):
        principal = Principal(kind=item.kind, key_id=digest[:16])  # type: ignore[arg-type]
    settings = get_settings()
    ttl = settings.api_key_cache_seconds if principal is not None else settings.api_key_negative_seconds
    _cache.put(digest, principal, now + ttl, settings.api_key_cache_size)
    return principal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="passaparola.api.keys", description="Manage Passaparola API keys.")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a key and print it (shown only once)")
    create.add_argument("--kind", choices=["secret", "publishable"], required=True)
    create.add_argument("--name", required=True)
    revoke = sub.add_parser("revoke", help="revoke a key, given the key itself or its prefix (as `list` shows it)")
    revoke.add_argument("key")
    sub.add_parser("list", help="list keys (prefixes only)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (PynamoDBException, BotoCoreError) as exc:
        table = get_settings().api_keys_table
        print(
            f"error: the keys table {table!r} could not be used, nothing was changed: {_reason(exc)}", file=sys.stderr
        )
        return 1


def _reason(exc: Exception) -> str:
    cause = exc.__cause__ or exc.__context__
    return f"{exc} ({type(cause).__name__}: {cause})" if cause is not None and str(cause) not in str(exc) else str(exc)


def _run(args: argparse.Namespace) -> int:
    if args.command == "create":
        raw = new_key(args.kind)
        if not store_key(raw, args.kind, args.name):
            print("error: a key with this value already exists; nothing was stored, run create again", file=sys.stderr)
            return 1
        print(raw)
    elif args.command == "list":
        for item in sorted(repository.all_keys(), key=lambda k: k.created_at):
            state = f"revoked {clock.iso(item.revoked_at)}" if item.revoked_at else "active"
            print(f"{item.prefix}…\t{item.kind}\t{item.name}\t{clock.iso(item.created_at)}\t{state}")
    else:
        given = args.key
        matches = [
            k for k in repository.all_keys() if k.id == hash_key(given) or given in (k.prefix, key_prefix(given))
        ]
        if len(matches) != 1:
            print(f"{len(matches)} keys match; give the whole key or a unique prefix", file=sys.stderr)
            return 2
        repository.revoke(matches[0].id, clock.now())
        print(f"revoked {matches[0].prefix}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
