"""The re-engagement daily job at 100,000 customers of which 1 % are due (issue 5): items read, round trips and
time of `passaparola.messages.jobs.run_daily()`, next to a full Scan of the customers table in the same run.

Set-up (not counted):
- moto in-process with every table and queue of template.yaml (`in_process_aws(queues=True)`: `MessageQueue`
  exists and `MESSAGE_QUEUE_URL` points at it), the clock frozen (`passaparola.clock.set_clock`) at 10:00
  Europe/Rome (the template's `MessagingHour` and `ShopTimezone`) on `BENCH_DAY`;
- through `passaparola.campaigns.service.create`: two discount campaigns (10 % off, and 15 % off shoes) and two
  re-engagement campaigns: a birthday one with a coupon (expires in 30 days) and a win-back at 180 days with the
  shoes coupon for customers whose favourite category is shoes (`by_category`), the 10 % one otherwise;
- `--customers` (100,000) customers seeded as the writes would leave them (built with the data layer's models,
  `CustomerModel` and `TimerModel`, and put straight into moto's table: no request per item): the record
  (`sk=facts`: email, consent to email, locale, country, birthday, one order with its category) and the
  re-engagement markers of `customers/record.py` (`set_birthday_timer`, `_markers`, `Change.mark`):
  `timer#birthday` (`due=birthday#MM-DD`), `timer#signup` (`due=signup#MM-DD`), `timer#last_order`
  (`due=last_order#<day>`) and `timer#ordered#<order>` (`due=ordered#<day>`) — 5 items per customer.
  Every `DUE_EVERY`-th customer has their birthday on the bench day, every `DUE_EVERY`-th (offset by half) had
  their last order exactly `WIN_BACK_DAYS` days before it: 1 % due, 500 + 500. The others' birthdays fall on
  every other day of the year and their last orders on the other days of the last two years.

Measured: every botocore call of `run_daily()` (a hook on `_make_api_call`, as bench/loyalty.py's `Meter`) with
the items it read (and, for Query/Scan, evaluated), the read capacity DynamoDB would charge (4 KB units: per
Query/Scan response, per item for BatchGetItem; half when eventually consistent), the items it wrote, the
transactions refused; the job's own `JobReport`. Then the same job a second time the same day (it covers the
day again: everything is found queued, nothing is queued twice) and a full Scan of the customers table.

Backend: moto, with infra/local/moto_fixes.py, bench/loyalty.py's `partition_queries` and `scan_pages` below (a
Scan page starts at its key instead of re-sorting and walking the table from the start: the answers are
moto's, only its time changes). Index Queries are left as moto runs them: each sorts and walks the whole table
(500,000 items), where DynamoDB reads the key's items only — times are information; items read are the figure.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import inspect
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import in_process_aws, record
from bench.loyalty import partition_queries
from bench.referrals import items_written
from bench.reports import _units, item_size
from bench.roundtrips import describe

DEFAULT_CUSTOMERS = 100_000
DUE_EVERY = 200  # n % 200 == 0: birthday on the bench day; n % 200 == 100: last order WIN_BACK_DAYS before it
WIN_BACK_DAYS = 180
BENCH_DAY = date(2026, 9, 15)
SHOP_TZ = "Europe/Rome"
MESSAGING_HOUR = 10
READS_PER_DUE = 3  # the target's bound: the due index entry, the record and the contact item per due customer
FIXED_READS = 50  # plus what does not depend on the customers: campaigns, checkpoint, issuers
LOCALES = (("it-IT", "IT"), ("fr-FR", "FR"), ("en-GB", "GB"), ("de-DE", "DE"))
CATEGORIES = ("shoes", "bags")


# ------------------------------------------------------------------------------------------ counting


@dataclass
class Call:
    service: str
    operation: str
    name: str  # `TransactWriteItems(messages,customers,...)`, `Query(customers:due)`
    read: int = 0  # items returned
    evaluated: int = 0  # Query/Scan: items DynamoDB read to answer (ScannedCount; charged on these)
    rcu: float = 0.0
    written: int = 0
    tx_items: int = 0
    refused: str | None = None
    seconds: float = 0.0


def _consistent(operation: str, params: dict[str, Any]) -> bool:
    if operation == "BatchGetItem":
        return all(spec.get("ConsistentRead") for spec in params.get("RequestItems", {}).values())
    return bool(params.get("ConsistentRead"))


def _reads(call: Call, operation: str, params: dict[str, Any], response: dict[str, Any]) -> None:
    consistent = _consistent(operation, params)
    if operation == "GetItem":
        found = "Item" in response
        call.read = int(found)
        call.rcu = _units(item_size(response["Item"]) if found else 0, consistent)
    elif operation in ("Query", "Scan"):
        items = response.get("Items", [])
        call.read = len(items)
        call.evaluated = int(response.get("ScannedCount", len(items)))
        # with a filter, DynamoDB charges what it evaluated; the returned items are a lower bound of its size
        call.rcu = _units(sum(item_size(i) for i in items), consistent)
    elif operation == "BatchGetItem":
        returned = [i for items in response.get("Responses", {}).values() for i in items]
        call.read = len(returned)
        call.rcu = sum(_units(item_size(i), consistent) for i in returned)


class Meter:
    """Wraps botocore's `_make_api_call` while `active` (the pattern of bench/loyalty.py's `Meter`)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.active = False
        self._original: Callable[..., Any] | None = None

    def install(self) -> None:
        from botocore.client import BaseClient
        from botocore.exceptions import ClientError

        original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private in the stubs
        self._original = original
        meter = self

        def _make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if not meter.active:
                return original(client, operation, params)
            service = client.meta.service_model.service_name
            name = describe(operation, params) if service == "dynamodb" else f"{service}:{operation}"
            if params.get("IndexName"):
                name = name.replace(")", f":{params['IndexName']})")
            call = Call(
                service,
                operation,
                name,
                written=items_written(operation, params) if service == "dynamodb" else 0,
                tx_items=len(params.get("TransactItems", [])),
            )
            meter.calls.append(call)
            t0 = time.perf_counter()
            try:
                response = original(client, operation, params)
            except ClientError as exc:
                call.refused = str(exc.response.get("Error", {}).get("Code", "error"))
                call.written = 0
                raise
            finally:
                call.seconds = time.perf_counter() - t0
            if service == "dynamodb":
                _reads(call, operation, params, response)
            return response

        setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            setattr(BaseClient, "_make_api_call", self._original)  # noqa: B010

    def measure(self, fn: Callable[[], Any]) -> tuple[Any, list[Call], float]:
        self.calls, self.active = [], True
        t0 = time.perf_counter()
        try:
            result = fn()
        finally:
            self.active = False
        return result, self.calls, time.perf_counter() - t0


@dataclass
class Run:
    label: str
    calls: list[Call]
    seconds: float
    report: dict[str, Any] = field(default_factory=dict)
    scanned: int = 0  # the Scan's item count

    @property
    def ddb(self) -> list[Call]:
        return [c for c in self.calls if c.service == "dynamodb"]

    @property
    def other(self) -> list[Call]:
        return [c for c in self.calls if c.service != "dynamodb"]

    @property
    def round_trips(self) -> int:
        return len(self.ddb)

    @property
    def read(self) -> int:
        return sum(c.read for c in self.ddb)

    @property
    def evaluated(self) -> int:
        return sum(c.evaluated if c.operation in ("Query", "Scan") else c.read for c in self.ddb)

    @property
    def rcu(self) -> float:
        return sum(c.rcu for c in self.ddb)

    @property
    def written(self) -> int:
        return sum(c.written for c in self.ddb)

    @property
    def refused(self) -> int:
        return sum(1 for c in self.ddb if c.refused)

    @property
    def in_moto(self) -> float:
        return sum(c.seconds for c in self.ddb)

    def by_operation(self) -> list[tuple[str, int, int, int, int, int, float]]:
        """(operation, calls, items read, items written, transaction items, refused, seconds) per operation."""
        rows: dict[str, list[Any]] = {}
        for c in self.calls:
            row = rows.setdefault(
                c.operation if c.service == "dynamodb" else f"{c.service}:{c.operation}", [0, 0, 0, 0, 0, 0.0]
            )
            row[0] += 1
            row[1] += c.read
            row[2] += c.written
            row[3] += c.tx_items
            row[4] += bool(c.refused)
            row[5] += c.seconds
        return [(op, *values) for op, values in rows.items()]  # type: ignore[misc]

    def by_name(self) -> list[str]:
        counts: Counter[str] = Counter()
        items: Counter[str] = Counter()
        for c in self.calls:
            label = c.name + (f" REFUSED ({c.refused})" if c.refused else "")
            counts[label] += 1
            items[label] += c.read
        return [
            f"{name} ×{n:,}" + (f" ({items[name]:,} items read)" if items[name] else "") for name, n in counts.items()
        ]


# ------------------------------------------------------------------------------------------ moto


@contextlib.contextmanager
def scan_pages() -> Iterator[None]:
    """A Scan page of the table (no index) starts at its ExclusiveStartKey in moto too.

    moto 5.2.5's `Table.scan` sorts every item of the table (`all_items()`) for each page, then walks from the
    first item to the page's start key: at 500,000 items ~50 pages take ~10 s each. Here the sorted list is made
    once per table while the context is open (the table is not written during the Scan) and each page is handed
    the items after its start key (found by bisection); moto pages, sizes and counts them as before.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = Table.scan
    signature = inspect.signature(original)
    cache: dict[int, tuple[list[Any], list[tuple[Any, Any]]]] = {}

    def scan(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs).arguments
        if bound.get("index_name") or not self.range_key_attr:
            return original(self, *args, **kwargs)
        if id(self) not in cache:
            items = Table.all_items(self)
            cache[id(self)] = (items, [(i.hash_key, i.range_key) for i in items])
        items, keys = cache[id(self)]
        start_key = bound.get("exclusive_start_key")
        start = 0
        if start_key:
            after = (DynamoType(start_key[self.hash_key_attr]), DynamoType(start_key[self.range_key_attr]))
            start = bisect.bisect_right(keys, after)
        rest = items[start:]
        self.all_items = lambda: rest
        try:
            return original(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.scan = scan  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.scan = original  # type: ignore[method-assign]


def _moto_table(name: str) -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from passaparola.settings import get_settings

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().aws_region].get_table(name)


# ------------------------------------------------------------------------------------------- set-up


def bench_now() -> datetime:
    """The daily job's EventBridge time: `MessagingHour` in `ShopTimezone` on the bench day, in UTC."""
    local = datetime(BENCH_DAY.year, BENCH_DAY.month, BENCH_DAY.day, MESSAGING_HOUR, tzinfo=ZoneInfo(SHOP_TZ))
    return local.astimezone(UTC)


def _templates(kind: str) -> dict[str, dict[str, str]]:
    texts = {
        "birthday": {
            "it": ("Buon compleanno {{ customer.first_name }}!", "Il tuo regalo"),
            "fr": ("Joyeux anniversaire {{ customer.first_name }} !", "Votre cadeau"),
            "en": ("Happy birthday {{ customer.first_name }}!", "Your gift"),
            "de": ("Alles Gute zum Geburtstag, {{ customer.first_name }}!", "Ihr Geschenk"),
        },
        "win_back": {
            "it": ("Ci manchi, {{ customer.first_name }}", "Torna da noi"),
            "fr": ("Vous nous manquez, {{ customer.first_name }}", "Revenez"),
            "en": ("We miss you, {{ customer.first_name }}", "Come back"),
            "de": ("Wir vermissen Sie, {{ customer.first_name }}", "Kommen Sie zurück"),
        },
    }[kind]
    body = (
        "<p>{lead}: <b>{{{{ coupon.code }}}}</b> ({{{{ coupon.expires_at }}}})</p>"
        '<img src="{{{{ coupon.qr }}}}" alt="QR">'
        "<p>{{% if customer.favourite_category %}}{{{{ customer.favourite_category }}}}{{% endif %}}</p>"
        '<p><a href="{{{{ shop_url }}}}">shop</a> · <a href="{{{{ unsubscribe_url }}}}">unsubscribe</a></p>'
    )
    return {loc: {"subject": subject, "body": body.format(lead=lead)} for loc, (subject, lead) in texts.items()}


@dataclass
class Campaigns:
    general: str
    shoes: str
    birthday: str
    win_back: str


def create_campaigns() -> Campaigns:
    """The campaigns, as `POST /v1/campaigns` would make them (the service behind it, the clock frozen)."""
    from pydantic import TypeAdapter

    from passaparola.campaigns import service
    from passaparola.campaigns.models import CampaignCreate

    adapter: TypeAdapter[Any] = TypeAdapter(CampaignCreate)

    def create(body: dict[str, Any]) -> str:
        return service.create(adapter.validate_json(json.dumps(body))).id

    general = create(
        {"name": "10 % off", "type": "discount", "discount": {"type": "percent", "percent_off": 10}, "rules": {}}
    )
    shoes = create(
        {"name": "15 % off shoes", "type": "discount", "discount": {"type": "percent", "percent_off": 15}, "rules": {}}
    )
    birthday = create(
        {
            "name": "Birthday",
            "type": "reengagement",
            "trigger": {"type": "birthday"},
            "audience": {"channels": ["email"]},
            "incentive": {"campaign_id": general, "expires_in_days": 30},
            "messages": {"email": _templates("birthday")},
        }
    )
    win_back = create(
        {
            "name": "Win back",
            "type": "reengagement",
            "trigger": {"type": "win_back", "days_since_last_order": WIN_BACK_DAYS},
            "audience": {"channels": ["email"]},
            "incentive": {"campaign_id": general, "by_category": {"shoes": shoes}, "expires_in_days": 30},
            "messages": {"email": _templates("win_back")},
        }
    )
    return Campaigns(general, shoes, birthday, win_back)


@dataclass
class Seeded:
    customers: int
    items: int
    seconds: float
    birthdays: int  # due today
    win_back: int  # last order exactly WIN_BACK_DAYS ago
    by_due_key: Counter[str]

    @property
    def due(self) -> int:
        return self.birthdays + self.win_back


def _mix(n: int) -> int:
    return (n * 2_654_435_761) % 2**32  # a cheap stable spread (Knuth's multiplicative hash)


def seed(customers: int) -> Seeded:
    """Each customer's record and markers, built with the data layer's models and put into moto's table.

    The items are those the writes leave (`CustomerModel.serialize()`, `TimerModel.serialize()`); `put_item` of
    moto's table is the backend's own write, without the HTTP round trip per 25 items of BatchWriteItem.
    """
    from passaparola.clock import iso
    from passaparola.data.models.customers import CustomerModel, TimerModel
    from passaparola.settings import get_settings

    table = _moto_table(get_settings().customers_table)
    due_keys: Counter[str] = Counter()
    win_back_day = BENCH_DAY - timedelta(days=WIN_BACK_DAYS)
    t0 = time.perf_counter()
    items = birthdays = lapsed = 0
    for n in range(customers):
        customer = f"cus_{n:07d}"
        h = _mix(n)
        locale, country = LOCALES[h % len(LOCALES)]
        favourite = CATEGORIES[(h >> 8) % len(CATEGORIES)]
        # birthday: the bench day for 1 in DUE_EVERY, else one of the 364 other days (never 29 February)
        if n % DUE_EVERY == 0:
            born = BENCH_DAY
            birthdays += 1
        else:
            born = BENCH_DAY + timedelta(days=1 + (h >> 4) % 364)
        # last order: WIN_BACK_DAYS before the bench day for 1 in DUE_EVERY, else another of the last 730 days
        if n % DUE_EVERY == DUE_EVERY // 2:
            ago = WIN_BACK_DAYS
            lapsed += 1
        else:
            ago = 1 + (h >> 12) % 729
            ago += ago >= WIN_BACK_DAYS
        ordered = BENCH_DAY - timedelta(days=ago)
        last_order_at = datetime(ordered.year, ordered.month, ordered.day, 14, tzinfo=UTC)  # same day in Rome
        signed_up_at = last_order_at - timedelta(days=1 + (h >> 16) % 1500, hours=3)
        order_id = f"ord_{n:07d}"
        record_item = CustomerModel(
            customer,
            "facts",
            version=3,
            email=f"{customer}@shop.example",
            name=f"Customer {n}",
            birthday=f"{1950 + h % 55}-{born:%m-%d}",
            birthday_set_at=iso(signed_up_at),
            country=country,
            locale=locale,
            consent=json.dumps({"email": {"granted": True, "at": iso(signed_up_at), "source": "api"}}),
            signed_up_at=iso(signed_up_at),
            profile_at=iso(signed_up_at),
            updated_at=iso(last_order_at),
            order_ids={order_id},
            first_order_at=iso(last_order_at),
            last_order_at=iso(last_order_at),
            order_count=1,
            spent={"EUR": 5_000 + h % 20_000},
            baskets=json.dumps([[5_000 + h % 20_000, "EUR"]]),
            coupon_orders=0,
            categories={favourite: 1 + h % 3},
            last_activity_at=iso(last_order_at),
        )
        markers = [
            TimerModel(customer, "timer#birthday", due=f"birthday#{born:%m-%d}"),  # set_birthday_timer
            TimerModel(customer, "timer#signup", due=f"signup#{iso(signed_up_at)[5:10]}"),  # _markers
            TimerModel(customer, "timer#last_order", due=f"last_order#{iso(last_order_at)[:10]}"),  # _markers
            TimerModel(  # Change.order → mark(f"ordered#{order_id}", ...)
                customer,
                f"timer#ordered#{order_id}",
                due=f"ordered#{iso(last_order_at)[:10]}",
                skus={f"SKU-{h % 50:02d}"},
                categories={favourite},
            ),
        ]
        table.put_item(record_item.serialize())
        for marker in markers:
            table.put_item(marker.serialize())
            due_keys[str(marker.due)] += 1
        items += 1 + len(markers)
    assert due_keys[f"birthday#{BENCH_DAY:%m-%d}"] == birthdays
    assert due_keys[f"last_order#{win_back_day.isoformat()}"] == lapsed
    return Seeded(customers, items, time.perf_counter() - t0, birthdays, lapsed, due_keys)


def _scan_all() -> int:
    """Every item of the customers table, page by page (what a job that scans would read)."""
    import boto3

    from passaparola.settings import get_settings

    client = boto3.client("dynamodb")
    start: dict[str, Any] | None = None
    count = 0
    while True:
        more: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
        page = client.scan(TableName=get_settings().customers_table, **more)
        count += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return count


def _cold() -> None:
    """A new container: no campaign read yet."""
    from passaparola.data import campaigns

    campaigns._CACHE.clear()


# ------------------------------------------------------------------------------------------- checks


def _checks(seeded: Seeded, ids: Campaigns) -> list[tuple[str, bool]]:
    """What the runs left: one message per due customer with a code of the right campaign, none for the others."""
    import boto3

    from passaparola.data import messages as message_store
    from passaparola.data.models.campaigns import CampaignModel
    from passaparola.data.models.coupons import CodeModel
    from passaparola.data.models.messages import MessageModel
    from passaparola.settings import get_settings

    out: list[tuple[str, bool]] = []
    birthday = message_store.results(ids.birthday, [])["default"].queued
    win_back = message_store.results(ids.win_back, [])["default"].queued
    out.append(
        (
            f"queued counters: birthday {birthday}, win-back {win_back}",
            (birthday, win_back)
            == (
                seeded.birthdays,
                seeded.win_back,
            ),
        )
    )
    issued = {
        name: int(CampaignModel.get(cid).codes_issued or 0)
        for name, cid in (("10 %", ids.general), ("shoes", ids.shoes))
    }
    out.append((f"codes issued: {issued}", sum(issued.values()) == seeded.due))
    sqs = boto3.client("sqs")
    depth = int(
        sqs.get_queue_attributes(
            QueueUrl=get_settings().message_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
    )
    out.append((f"MessageQueue holds {depth:,} message ids", depth == seeded.due))
    shoes = next(
        n
        for n in range(DUE_EVERY // 2, seeded.customers, DUE_EVERY)
        if CATEGORIES[(_mix(n) >> 8) % len(CATEGORIES)] == "shoes"
    )
    for n in (0, DUE_EVERY // 2, shoes, 1, DUE_EVERY + 1):
        customer = f"cus_{n:07d}"
        messages = list(MessageModel.by_customer.query(customer))
        due = n % DUE_EVERY in (0, DUE_EVERY // 2)
        if not due:
            out.append((f"{customer} (not due): {len(messages)} messages", not messages))
            continue
        expected = ids.birthday if n % DUE_EVERY == 0 else ids.win_back
        good = len(messages) == 1 and messages[0].campaign_id == expected and bool(messages[0].coupon_code)
        detail = ""
        if messages and messages[0].coupon_code:
            code = CodeModel.get(messages[0].coupon_code)
            favourite = CATEGORIES[(_mix(n) >> 8) % len(CATEGORIES)]
            issuer = ids.shoes if expected == ids.win_back and favourite == "shoes" else ids.general
            good = good and code.customer_id == customer and code.campaign_id == issuer
            detail = (
                f", code {code.code} of {'shoes' if code.campaign_id == ids.shoes else '10 %'} (favourite {favourite})"
            )
        out.append(
            (f"{customer} (due): {len(messages)} message(s), {messages[0].occasion if messages else '-'}{detail}", good)
        )
    return out


# ------------------------------------------------------------------------------------------- output


def _grid(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        print("  " + "  ".join(cells).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _print(seeded: Seeded, first: Run, second: Run, scan: Run, checks: list[tuple[str, bool]]) -> None:
    due = seeded.due
    print(
        f"\n  {seeded.customers:,} customers ({seeded.items:,} items in the customers table), due on {BENCH_DAY}: "
        f"{due:,} ({seeded.birthdays:,} birthdays + {seeded.win_back:,} last orders {WIN_BACK_DAYS} days before)"
    )
    r1, r2 = first.report, second.report
    rows: list[tuple[str, ...]] = [("figure", "daily job, run 1", "run 2 (same day)", "full Scan")]
    rows.append(("customers in the table", f"{seeded.customers:,}", f"{seeded.customers:,}", f"{seeded.customers:,}"))
    rows.append(("due customers", f"{due:,}", f"{due:,}", "-"))
    rows.append(("JobReport: days", ",".join(r1["days"]), ",".join(r2["days"]), "-"))
    rows.append(("JobReport: candidates", f"{r1['candidates']:,}", f"{r2['candidates']:,}", "-"))
    rows.append(("JobReport: queued", f"{r1['queued']:,}", f"{r2['queued']:,}", "-"))
    rows.append(("JobReport: duplicates", f"{r1['duplicates']:,}", f"{r2['duplicates']:,}", "-"))
    rows.append(("JobReport: skipped", json.dumps(r1["skipped"]) or "{}", json.dumps(r2["skipped"]) or "{}", "-"))
    rows.append(("JobReport: items_read", f"{r1['items_read']:,}", f"{r2['items_read']:,}", "-"))
    rows.append(("items read (metered)", f"{first.read:,}", f"{second.read:,}", f"{scan.read:,}"))
    rows.append(
        ("items read per due customer", f"{first.read / due:.2f}", f"{second.read / due:.2f}", f"{scan.read / due:.0f}")
    )
    rows.append(
        (
            "share of the table's items read",
            f"{first.read / scan.read:.2%}",
            f"{second.read / scan.read:.2%}",
            f"{scan.read / scan.read:.0%}",
        )
    )
    rows.append(
        (
            "items evaluated (Scan/Query ScannedCount)",
            f"{first.evaluated:,}",
            f"{second.evaluated:,}",
            f"{scan.evaluated:,}",
        )
    )
    rows.append(("≈RCU", f"{first.rcu:,.1f}", f"{second.rcu:,.1f}", f"{scan.rcu:,.1f}"))
    rows.append(("DynamoDB round trips", f"{first.round_trips:,}", f"{second.round_trips:,}", f"{scan.round_trips:,}"))
    rows.append(("  of which refused (condition failed)", f"{first.refused:,}", f"{second.refused:,}", "0"))
    rows.append(("items written", f"{first.written:,}", f"{second.written:,}", "0"))
    rows.append(("SQS calls", f"{len(first.other):,}", f"{len(second.other):,}", "0"))
    rows.append(
        ("time (moto, in-process)", f"{first.seconds:.1f} s", f"{second.seconds:.1f} s", f"{scan.seconds:.1f} s")
    )
    index = [c for c in first.ddb if ":due" in c.name]
    index2 = [c for c in second.ddb if ":due" in c.name]
    rows.append(
        (
            "  of which inside moto's DynamoDB",
            f"{first.in_moto:.1f} s",
            f"{second.in_moto:.1f} s",
            f"{scan.in_moto:.1f} s",
        )
    )
    rows.append(
        (
            "  of which index Queries (moto walks the table)",
            f"{sum(c.seconds for c in index):.1f} s",
            f"{sum(c.seconds for c in index2):.1f} s",
            "-",
        )
    )
    rows.append(
        (
            "  client side (rules, render, codes, pynamodb)",
            f"{first.seconds - first.in_moto - sum(c.seconds for c in first.other):.1f} s",
            f"{second.seconds - second.in_moto - sum(c.seconds for c in second.other):.1f} s",
            f"{scan.seconds - scan.in_moto:.1f} s",
        )
    )
    _grid(rows)
    for run in (first, second):
        print(f"\n  {run.label}, per operation:")
        head = ("operation", "calls", "items read", "items written", "tx items", "refused", "time")
        table: list[tuple[str, ...]] = [head]
        for op, calls, read, written, tx, refused, seconds in run.by_operation():
            table.append((op, f"{calls:,}", f"{read:,}", f"{written:,}", f"{tx:,}", f"{refused:,}", f"{seconds:.1f} s"))
        _grid(table)
        print("    calls by name:\n      " + "\n      ".join(run.by_name()))
    print(f"\n  full Scan: {scan.round_trips} pages (1 MB), {scan.scanned:,} items, eventually consistent")
    print("\n  checks after the runs:")
    for text, good in checks:
        print(f"    {'ok ' if good else '(!)'} {text}")


# ------------------------------------------------------------------------------------------- run


def run(args: Any = None) -> None:
    customers = getattr(args, "customers", None) or DEFAULT_CUSTOMERS
    print("\n== messages: the re-engagement daily job at 100,000 customers, 1 % due, next to a full Scan " + "=" * 6)
    import moto

    from infra.local import moto_fixes

    moto_fixes.apply()
    print(
        f"  backend: moto {moto.__version__} in-process, infra/local/moto_fixes.py + partition_queries + scan_pages; "
        f"clock frozen at {bench_now().astimezone(ZoneInfo(SHOP_TZ)):%Y-%m-%d %H:%M} {SHOP_TZ}",
        flush=True,
    )
    from passaparola import clock
    from passaparola.messages import jobs
    from passaparola.observability import logger

    meter = Meter()
    with in_process_aws(queues=True), partition_queries():
        from passaparola.settings import get_settings

        get_settings.cache_clear()  # MESSAGE_QUEUE_URL, MESSAGE_LINK_URL of the template's functions
        clock.set_clock(bench_now)
        try:
            ids = create_campaigns()
            seeded = seed(customers)
            print(
                f"  seeded {seeded.customers:,} customers: {seeded.items:,} items (models → moto's table) in "
                f"{seeded.seconds:.0f}s ({seeded.items / seeded.seconds:,.0f} items/s)",
                flush=True,
            )
            _cold()
            level = logger.log_level
            meter.install()
            try:
                logger.setLevel("WARNING")  # the job's INFO line (the env's level came after the import)
                report, calls, seconds = meter.measure(jobs.run_daily)
                first = Run("daily job, run 1", calls, seconds, report.model_dump())
                print(f"  run 1 done in {seconds:.0f}s: {first.report}", flush=True)
                report, calls, seconds = meter.measure(jobs.run_daily)
                second = Run("daily job, run 2 (same day)", calls, seconds, report.model_dump())
                print(f"  run 2 done in {seconds:.0f}s: {second.report}; full Scan…", flush=True)
                with scan_pages():
                    scanned, calls, seconds = meter.measure(_scan_all)
                scan = Run("full Scan", calls, seconds, scanned=scanned)
            finally:
                meter.uninstall()
                logger.setLevel(level)
            checks = _checks(seeded, ids)
        finally:
            clock.set_clock(None)
    _print(seeded, first, second, scan, checks)
    _record(seeded, first, second, scan, checks)


def _record(seeded: Seeded, first: Run, second: Run, scan: Run, checks: list[tuple[str, bool]]) -> None:
    due = seeded.due
    bound = READS_PER_DUE * due + FIXED_READS
    good = all(ok for _, ok in checks)
    record(
        "messages",
        f"daily job, {seeded.customers:,} customers, {due:,} due: items read / round trips / time",
        f"{first.read:,} ({first.read / due:.2f} per due) / {first.round_trips:,} / {first.seconds:.0f}s (moto)",
        f"reads ≈ the {due:,} due (≤ {bound:,})",
        first.read <= bound and first.report["queued"] == due and good,
    )
    record(
        "messages",
        "daily job run again the same day: queued / items read / round trips / time",
        f"{second.report['queued']} / {second.read:,} / {second.round_trips:,} / {second.seconds:.0f}s (moto)",
        "queues nothing",
        second.report["queued"] == 0,
    )
    record(
        "messages",
        "full Scan of the customers table (same run): items read / round trips / time",
        f"{scan.read:,} / {scan.round_trips} / {scan.seconds:.0f}s (moto, scan_pages)",
    )
    record("messages", f"seed {seeded.items:,} items (models → moto's table)", f"{seeded.seconds:.0f}s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    run(parser.parse_args())
    from bench.common import print_summary

    print_summary()
