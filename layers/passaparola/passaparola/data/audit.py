"""The audit table: one partition (`AUDIT`), sorted by time, read backwards; each request's entry written once."""

import json

from pynamodb.exceptions import PutError

from passaparola.audit.models import AuditActor, AuditEntry, AuditTarget
from passaparola.data.models.audit import AuditModel
from passaparola.data.pagination import decode_cursor, encode_cursor

PARTITION = "AUDIT"


def put(entry: AuditEntry) -> bool:
    """Write the entry unless this request's entry is already there (a retried invocation): True when written."""
    try:
        AuditModel(
            PARTITION,
            f"{entry.at}#{entry.id}",
            id=entry.id,
            at=entry.at,
            action=entry.action,
            actor=entry.actor.model_dump_json(exclude_none=True),
            target_type=entry.target.type,
            target_id=entry.target.id,
            before=None if entry.before is None else json.dumps(entry.before, separators=(",", ":")),
            after=None if entry.after is None else json.dumps(entry.after, separators=(",", ":")),
            truncated=entry.truncated,
        ).save(condition=AuditModel.sk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def page(limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
    """Newest first: one Query on the partition, backwards, `limit` items."""
    start = decode_cursor(cursor, {"pk", "sk"}, {"pk": PARTITION})
    result = AuditModel.query(
        PARTITION, scan_index_forward=False, limit=limit, last_evaluated_key=start, page_size=limit
    )
    items = [_entry(item) for item in result]
    return items, encode_cursor(result.last_evaluated_key)


def _entry(item: AuditModel) -> AuditEntry:
    return AuditEntry(
        id=item.id,
        at=item.at,
        actor=AuditActor.model_validate_json(item.actor),
        action=item.action,
        target=AuditTarget(type=item.target_type, id=item.target_id),
        before=None if item.before is None else json.loads(item.before),
        after=None if item.after is None else json.loads(item.after),
        truncated=bool(item.truncated),
        request_id=item.id,
    )
