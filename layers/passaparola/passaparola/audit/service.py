"""Record an administrative change, and read the log newest first."""

import json
from typing import Any

from passaparola.audit.models import AuditActor, AuditEntry, AuditPage, AuditTarget
from passaparola.audit.routes import Target
from passaparola.data import audit as store

AUDIT_MAX_BYTES = 32 * 1024
"""Per side (before, after): a campaign with long message templates can be large, an item may not (400 KB)."""


def record(
    request_id: str, at: str, actor: AuditActor, action: str, target: Target, before: Any = None, after: Any = None
) -> bool:
    """Write the entry once per request (a retried invocation finds it there): True when written now."""
    before, cut_before = bounded(before)
    after, cut_after = bounded(after)
    entry = AuditEntry(
        id=request_id,
        at=at,
        actor=actor,
        action=action,
        target=AuditTarget(type=target.type, id=target.id),
        before=before,
        after=after,
        truncated=cut_before or cut_after,
        request_id=request_id,
    )
    return store.put(entry)


def list_page(limit: int, cursor: str | None) -> AuditPage:
    items, next_cursor = store.page(limit, cursor)
    return AuditPage(items=items, next_cursor=next_cursor)


def bounded(value: Any, limit: int = AUDIT_MAX_BYTES) -> tuple[Any, bool]:
    """The value, or (over `limit` bytes of JSON) an object without its largest fields: (value, truncated).

    Fields are left out whole, largest first, so what stays is still valid and readable; a value that is not an
    object and is too large is left out altogether.
    """
    if _size(value) <= limit:
        return value, False
    if not isinstance(value, dict):
        return None, True
    kept = dict(value)
    for name in sorted(kept, key=lambda k: _size(kept[k]), reverse=True):
        del kept[name]
        if _size(kept) <= limit:
            break
    return kept, True


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str).encode())
