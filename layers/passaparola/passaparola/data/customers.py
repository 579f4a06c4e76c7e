"""The customers table: the customer record, its lots, timers, memberships and wallet mirrors.

Everything about one customer lives in their partition, so the wallet and the profile are one Query.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition

from passaparola import currencies
from passaparola.clock import iso
from passaparola.customers.models import EngagementConfig, SegmentCreate
from passaparola.data import stats, transactions
from passaparola.data.models.customers import (
    ConfigModel,
    CouponMirrorModel,
    CustomerModel,
    LotModel,
    ReferralMirrorModel,
    TimerModel,
)
from passaparola.data.models.segments import MembershipModel, SegmentChangeModel, SegmentModel
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.data.transactions import Transaction
from passaparola.errors import InvalidRequest
from passaparola.reports import shop_rules as report_rules

CHANGES_KEPT = timedelta(days=35)
MARK_ATTEMPTS = 3
SEGMENT_DAYS = "segmentdays"
"""Partition of the daily entries and exits of every segment (`sk` = the shop-local day): sizes over time."""
CACHE_SECONDS = 10.0
_cache: dict[str, tuple[float, object]] = {}


@dataclass
class Partition:
    """Every item of one customer's partition, by kind."""

    record: CustomerModel | None = None
    lots: list[LotModel] = field(default_factory=list)
    timers: list[TimerModel] = field(default_factory=list)
    coupons: list[CouponMirrorModel] = field(default_factory=list)
    referrals: list[ReferralMirrorModel] = field(default_factory=list)
    memberships: list[MembershipModel] = field(default_factory=list)


def read(customer_id: str) -> CustomerModel | None:
    try:
        return CustomerModel.get(customer_id, "facts", consistent_read=True)
    except DoesNotExist:
        return None


def records(customer_ids: list[str]) -> dict[str, CustomerModel]:
    """Several customers' records in one BatchGetItem (up to 100 ids; unknown ids are left out)."""
    keys = [(cid, "facts") for cid in dict.fromkeys(customer_ids)][:100]
    return {item.customer_id: item for item in CustomerModel.batch_get(keys)} if keys else {}


def ids_by_email(email_hash: str, limit: int) -> list[str]:
    """Customers whose profile has this hashed email (the sparse `by_email` index; erasure removes the hash)."""
    return [item.customer_id for item in CustomerModel.by_email.query(email_hash, limit=limit)]


def partition(customer_id: str) -> Partition:
    """One Query (paged only past 1 MB): the record and everything the wallet shows."""
    out = Partition()
    start = None
    while True:
        page = CustomerModel._get_connection().query(customer_id, consistent_read=True, exclusive_start_key=start)
        for raw in page.get("Items", []):
            _sort(out, raw)
        start = page.get("LastEvaluatedKey")
        if not start:
            return out


def _sort(out: Partition, raw: dict) -> None:
    sk = raw["sk"]["S"]
    if sk == "facts":
        out.record = CustomerModel.from_raw_data(raw)
    elif sk.startswith("lot#"):
        out.lots.append(LotModel.from_raw_data(raw))
    elif sk.startswith("timer#"):
        out.timers.append(TimerModel.from_raw_data(raw))
    elif sk.startswith("coupon#"):
        out.coupons.append(CouponMirrorModel.from_raw_data(raw))
    elif sk.startswith("referral#"):
        out.referrals.append(ReferralMirrorModel.from_raw_data(raw))
    elif sk.startswith("segment#"):
        out.memberships.append(MembershipModel.from_raw_data(raw))


def mark_shared(customer_id: str, at: datetime) -> bool:
    """A referrer's link was clicked: the referral rate's `shared` mark of the month, on a known customer only.
    True when the customer is marked for the month (now or before): the caller may skip the next clicks.

    A click of an already marked referrer costs one read. The first moves the mark and the month's counters
    in one transaction guarded by the record's version (bumped, so a concurrent order re-reads it).
    """
    month = stats.month_of(at)
    for _ in range(MARK_ATTEMPTS):
        record = read(customer_id)
        if record is None:
            return False
        marks = {k: getattr(record, f"{k}_month") for k in report_rules.MARKS}
        moves = report_rules.mark_moves("shared", month, marks)
        if moves is None:
            return True
        version = int(record.version or 0)

        def build(
            tx: Transaction,
            record: CustomerModel = record,
            version: int = version,
            moves: tuple[dict[str, int], dict[str, int]] = moves,
        ) -> None:
            tx.update(
                CustomerModel(customer_id, "facts"),
                actions=[CustomerModel.shared_month.set(month), CustomerModel.version.set(version + 1)],
                condition=CustomerModel.sk.exists() & version_condition(record),
            )
            stats.months(tx, month, *moves)

        try:
            transactions.write(build)
            return True
        except TransactWriteError as exc:
            if not transactions.failed_items(exc):
                raise
    return False


def version_condition(record: CustomerModel | None) -> Condition:
    """The record is still what was read (optimistic lock for everything derived from it)."""
    if record is None or record.version is None:
        return CustomerModel.version.does_not_exist()
    return CustomerModel.version == int(record.version)


# ------------------------------------------------------------------------------------------ segments


def membership_changes(
    tx: Transaction, customer_id: str, entered: list[str], exited: list[str], at: datetime, reason: str
) -> None:
    """Membership items (listed by segment), member counts, the day's entries and exits (one item a day for all
    segments: sizes over time) and the change feed, in the caller's transaction."""
    stamp = iso(at)
    day = stamp[:10]
    expires = int((at + CHANGES_KEPT).timestamp())
    moves: dict[str, int] = {}
    for name, change in [(n, "entered") for n in entered] + [(n, "exited") for n in exited]:
        if change == "entered":
            tx.save(MembershipModel(customer_id, f"segment#{name}", segment=name, entered_at=stamp))
        else:
            tx.delete(MembershipModel(customer_id, f"segment#{name}"))
        tx.add(SegmentModel("segments", f"count#{name}"), {"members": 1 if change == "entered" else -1})
        moves[f"{'in' if change == 'entered' else 'out'}_{name}"] = 1
        tx.save(
            SegmentChangeModel(
                f"segchanges#{day}",
                f"{stamp}#{customer_id}#{name}#{change}",
                customer=customer_id,
                segment=name,
                change=change,
                at=stamp,
                reason=reason,
                expires_at=expires,
            )
        )
    if moves:
        tx.add(SegmentModel(SEGMENT_DAYS, stats.day_of(at)), moves)


def segment_days(first: str, last: str) -> dict[str, dict[str, int]]:
    """Entries and exits per segment (`in_<name>`, `out_<name>`) of each shop-local day from `first` to `last`."""
    return stats.raw_days(SegmentModel, SEGMENT_DAYS, first, last)


def members_page(name: str, limit: int, cursor: str | None) -> tuple[list[MembershipModel], str | None]:
    start = decode_cursor(cursor, {"segment", "customer_id", "sk"}, {"segment": name})
    result = MembershipModel.by_segment.query(name, limit=limit, last_evaluated_key=start)
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)


def changes_since(
    since: datetime, until: datetime, limit: int, cursor: str | None
) -> tuple[list[SegmentChangeModel], str | None]:
    """Entries and exits from `since`, oldest first, across the day partitions up to `until`."""
    oldest = until - CHANGES_KEPT
    since = max(since, oldest)
    state = _changes_cursor(cursor) if cursor else {"day": iso(since)[:10], "after": iso(since)}
    day = max(
        datetime.fromisoformat(state["day"] + "T00:00:00+00:00"),
        oldest.replace(hour=0, minute=0, second=0, microsecond=0),
    )
    items: list[SegmentChangeModel] = []
    after = state["after"]
    while day.date() <= until.date() and len(items) < limit:
        key = f"segchanges#{day.date().isoformat()}"
        condition = SegmentChangeModel.sk > after if after else None
        for item in SegmentChangeModel.query(key, condition, limit=limit - len(items)):
            items.append(item)
            after = item.sk
        if len(items) >= limit:
            return items, encode_cursor({"day": {"S": day.date().isoformat()}, "after": {"S": after}})
        day += timedelta(days=1)
        after = ""
    return items, None


def _changes_cursor(cursor: str) -> dict[str, str]:
    value = decode_cursor(cursor, {"day", "after"})
    assert value is not None
    day, after = value["day"]["S"], value["after"]["S"]
    try:
        date.fromisoformat(day)
    except ValueError as exc:
        raise InvalidRequest("The cursor is not valid for this listing.", {"field": "cursor"}) from exc
    return {"day": day, "after": after}


def segment_items() -> list[SegmentModel]:
    return list(SegmentModel.query("segments"))


def custom_segments() -> list[SegmentCreate]:
    """Custom definitions, cached briefly per container (they change rarely; every write path reads them)."""
    hit = _cache.get("segments")
    if hit and hit[0] > time.monotonic():
        return hit[1]  # type: ignore[return-value]
    defs = [
        SegmentCreate.model_validate_json(i.spec, context=currencies.STORED)
        for i in segment_items()
        if i.sk.startswith("def#") and i.spec
    ]
    _cache["segments"] = (time.monotonic() + CACHE_SECONDS, defs)
    return defs


def save_segment(segment: SegmentCreate, now: datetime) -> bool:
    """False when the name is taken."""
    from pynamodb.exceptions import PutError

    try:
        SegmentModel(
            "segments", f"def#{segment.name}", spec=segment.model_dump_json(), created_at=iso(now), backfilled=False
        ).save(condition=SegmentModel.sk.does_not_exist())
    except PutError:
        return False
    _cache.pop("segments", None)
    return True


def delete_segment(name: str) -> bool:
    from pynamodb.exceptions import DeleteError

    try:
        SegmentModel("segments", f"def#{name}").delete(condition=SegmentModel.sk.exists())
    except DeleteError:
        return False
    _cache.pop("segments", None)
    return True


def engagement_config() -> EngagementConfig:
    hit = _cache.get("engagement")
    if hit and hit[0] > time.monotonic():
        return hit[1]  # type: ignore[return-value]
    try:
        config = EngagementConfig.model_validate_json(
            ConfigModel.get("config", "engagement").spec, context=currencies.STORED
        )
    except DoesNotExist:
        config = EngagementConfig()
    _cache["engagement"] = (time.monotonic() + CACHE_SECONDS, config)
    return config


def save_engagement_config(config: EngagementConfig, now: datetime) -> None:
    ConfigModel("config", "engagement", spec=config.model_dump_json(), updated_at=iso(now)).save()
    _cache.pop("engagement", None)


# -------------------------------------------------------------------------------------------- timers


def day_key(kind: str, at: datetime) -> str:
    return f"{kind}#{iso(at)[:10]}"


def timer_sk(kind: str, ref: str | None = None) -> str:
    return f"timer#{kind}" + (f"#{ref}" if ref else "")


def due(key: str) -> Iterator[TimerModel]:
    """Items whose `due` is exactly `key` (e.g. "release#2026-11-24"): the daily job's only reads."""
    yield from TimerModel.due_index.query(key)


def lots(customer_id: str) -> list[LotModel]:
    """A customer's lots in release order (their sort key)."""
    return list(LotModel.query(customer_id, LotModel.sk.startswith("lot#"), consistent_read=True))


def scan_records(start: dict | None) -> tuple[list[CustomerModel], dict | None]:
    """One page of customer records (the one-off backfill of a new custom segment only)."""
    result = CustomerModel.scan(CustomerModel.sk == "facts", last_evaluated_key=start, page_size=500, limit=500)
    items = list(result)
    return items, result.last_evaluated_key
