"""Segment use cases: list them with member counts, page through members, the entry/exit feed, custom ones."""

from datetime import date, datetime

from passaparola import clock, currencies
from passaparola.customers import rules
from passaparola.customers import service as customers
from passaparola.customers.models import (
    EngagementConfig,
    Segment,
    SegmentChange,
    SegmentChangePage,
    SegmentCreate,
    SegmentList,
    SegmentMember,
    SegmentMemberPage,
    SegmentSeries,
    SegmentSizes,
)
from passaparola.customers.record import Change
from passaparola.data import customers as store
from passaparola.data import messages as message_store
from passaparola.data import stats
from passaparola.data.models.customers import CustomerModel
from passaparola.errors import InvalidRequest, NotFound, SegmentExists
from passaparola.observability import logger
from passaparola.reports import overview
from passaparola.segments import rules as segment_rules

MAX_CUSTOM_SEGMENTS = 15
"""Entering or leaving a segment writes 3 items; 7 built-in + 15 custom keep a change well under 100."""


def list_all() -> SegmentList:
    items = store.segment_items()
    counts = {i.sk.removeprefix("count#"): int(i.members or 0) for i in items if i.sk.startswith("count#")}
    out = [
        Segment(name=name, kind="built_in", description=text, members=max(counts.get(name, 0), 0))
        for name, text in rules.BUILT_IN.items()
    ]
    for i in items:
        if i.sk.startswith("def#") and i.spec:
            d = SegmentCreate.model_validate_json(i.spec, context=currencies.STORED)
            out.append(
                Segment(
                    name=d.name,
                    kind="custom",
                    description=d.description or "",
                    match=d.match,
                    conditions=d.conditions,
                    members=max(counts.get(d.name, 0), 0),
                    created_at=datetime.fromisoformat(i.created_at) if i.created_at else None,
                )
            )
    return SegmentList(items=out)


def sizes(days: int) -> SegmentSizes:
    """Every segment's size over the last `days` shop-local days: two Queries (counts, day items), whatever the size."""
    window = overview.window(date.fromisoformat(stats.day_of(clock.now())), days)
    moves = store.segment_days(window[0].isoformat(), window[-1].isoformat())
    items = [
        SegmentSeries(
            name=s.name, kind=s.kind, members=s.members, series=segment_rules.sizes(s.name, s.members, window, moves)
        )
        for s in list_all().items
    ]
    return SegmentSizes.model_validate({"from": window[0], "to": window[-1], "days": days, "items": items})


def _known(name: str) -> None:
    if name not in rules.BUILT_IN and name not in {d.name for d in store.custom_segments()}:
        raise NotFound("No such segment.", {"segment": name})


def members(name: str, limit: int, cursor: str | None) -> SegmentMemberPage:
    _known(name)
    items, next_cursor = store.members_page(name, limit, cursor)
    return SegmentMemberPage(
        items=[
            SegmentMember(customer_id=i.customer_id, entered_at=datetime.fromisoformat(i.entered_at)) for i in items
        ],
        next_cursor=next_cursor,
    )


def member_records(customer_ids: list[str]) -> dict[str, CustomerModel]:
    """The members' records, 100 per BatchGetItem (a CSV page holds up to 5000)."""
    found: dict[str, CustomerModel] = {}
    for start in range(0, len(customer_ids), 100):
        found |= store.records(customer_ids[start : start + 100])
    return found


def suppressed_records(records: dict[str, CustomerModel]) -> set[str]:
    """The customer ids whose email address is suppressed (hard bounce, complaint): a marketing tool must not mail
    them. Read by the keyed hash the record holds, never the address."""
    hashes = {cid: r.email_hash for cid, r in records.items() if r.email and r.email_hash}
    suppressed = message_store.suppressed_among(list(hashes.values()))
    return {cid for cid, h in hashes.items() if h in suppressed}


def changes(since: datetime, limit: int, cursor: str | None) -> SegmentChangePage:
    items, next_cursor = store.changes_since(since, clock.now(), limit, cursor)
    return SegmentChangePage(
        items=[
            SegmentChange(
                customer_id=i.customer,
                segment=i.segment,
                change=i.change,  # type: ignore[arg-type]
                at=datetime.fromisoformat(i.at),
                reason=i.reason,
            )
            for i in items
        ],
        next_cursor=next_cursor,
    )


def create(definition: SegmentCreate) -> Segment:
    if definition.name in rules.BUILT_IN:
        raise InvalidRequest(
            "This is a built-in segment's name.", {"fields": [{"field": "name", "message": "reserved"}]}
        )
    if len(store.custom_segments()) >= MAX_CUSTOM_SEGMENTS:
        raise InvalidRequest(
            f"At most {MAX_CUSTOM_SEGMENTS} custom segments: every customer change re-evaluates them in one transaction.",
            {"fields": [{"field": "name", "message": "too many custom segments"}]},
        )
    if not store.save_segment(definition, clock.now()):
        raise SegmentExists(details={"segment": definition.name})
    return Segment(
        name=definition.name,
        kind="custom",
        description=definition.description or "",
        match=definition.match,
        conditions=definition.conditions,
        created_at=clock.now(),
    )


def delete(name: str) -> None:
    if not store.delete_segment(name):
        raise NotFound("No such custom segment.", {"segment": name})


def backfill(max_customers: int = 1_000_000) -> int:
    """Fill new custom segments once: one paged pass over customer records (only when one was just defined)."""
    pending = [i for i in store.segment_items() if i.sk.startswith("def#") and not i.backfilled]
    if not pending:
        return 0
    definitions = store.custom_segments()
    program = customers.program()
    config = store.engagement_config()
    seen = 0
    start = None
    while seen < max_customers:
        records, start = store.scan_records(start)
        for record in records:
            seen += 1
            change = Change(record.customer_id, record, clock.now(), program, config, definitions)
            if change.segments_after() != set(record.segments or set()):
                try:
                    customers.mutate(record.customer_id, lambda c, tx: None, "segment_defined")
                except Exception:
                    logger.exception("backfill skipped a customer", extra={"customer_id": record.customer_id})
        if not start:
            break
    for item in pending:
        item.update(actions=[type(item).backfilled.set(True)])
    return seen


def engagement() -> EngagementConfig:
    return store.engagement_config()


def set_engagement(config: EngagementConfig) -> EngagementConfig:
    store.save_engagement_config(config, clock.now())
    return config
