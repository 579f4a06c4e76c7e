"""API keys: creation, revocation and constant-time lookup, plus the operator's CLI.

`python -m passaparola.api.keys create --kind secret --name backend` prints a new key once;
`revoke <key or prefix>` and `list` manage them. Lookups are cached per container for
API_KEY_CACHE_SECONDS, so a revocation takes effect within that time everywhere.
"""

import argparse
import hashlib
import hmac
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Literal

from passaparola import clock
from passaparola.data import keys as repository
from passaparola.settings import get_settings

KeyKind = Literal["secret", "publishable"]
PREFIXES: dict[str, KeyKind] = {"sk_": "secret", "pk_": "publishable"}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the kind of key and a stable, non-secret id for scoping (idempotency, logs)."""

    kind: KeyKind
    key_id: str


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_key(kind: KeyKind, stage: str | None = None) -> str:
    prefix = "sk" if kind == "secret" else "pk"
    return f"{prefix}_{stage or get_settings().stage}_{secrets.token_urlsafe(24)}"


def store_key(raw_key: str, kind: KeyKind, name: str) -> bool:
    """Store a key's hash (idempotent: an existing key is left as it is)."""
    return repository.put(hash_key(raw_key), kind, name, raw_key[:16], clock.now())


_cache: dict[str, tuple[float, Principal | None]] = {}


def lookup(raw_key: str) -> Principal | None:
    """The principal for a presented key, or None if unknown or revoked."""
    digest = hash_key(raw_key)
    hit = _cache.get(digest)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    item = repository.get(digest)
    principal = None
    if item is not None and item.revoked_at is None and hmac.compare_digest(item.id, digest):
        principal = Principal(kind=item.kind, key_id=digest[:16])  # type: ignore[arg-type]
    _cache[digest] = (time.monotonic() + get_settings().api_key_cache_seconds, principal)
    return principal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="passaparola.api.keys", description="Manage Passaparola API keys.")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a key and print it (shown only once)")
    create.add_argument("--kind", choices=["secret", "publishable"], required=True)
    create.add_argument("--name", required=True)
    revoke = sub.add_parser("revoke", help="revoke a key, given the key itself or its 16-character prefix")
    revoke.add_argument("key")
    sub.add_parser("list", help="list keys (prefixes only)")
    args = parser.parse_args(argv)
    if args.command == "create":
        raw = new_key(args.kind)
        store_key(raw, args.kind, args.name)
        print(raw)
    elif args.command == "list":
        for item in sorted(repository.all_keys(), key=lambda k: k.created_at):
            state = f"revoked {clock.iso(item.revoked_at)}" if item.revoked_at else "active"
            print(f"{item.prefix}…\t{item.kind}\t{item.name}\t{clock.iso(item.created_at)}\t{state}")
    else:
        matches = [k for k in repository.all_keys() if k.id == hash_key(args.key) or k.prefix == args.key[:16]]
        if len(matches) != 1:
            print(f"{len(matches)} keys match; give the whole key or a unique prefix", file=sys.stderr)
            return 2
        repository.revoke(matches[0].id, clock.now())
        print(f"revoked {matches[0].prefix}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
