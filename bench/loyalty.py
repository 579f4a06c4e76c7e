"""What the loyalty program costs in DynamoDB: round trips, items read (≈RCU) and written per call, and the
daily job at 100,000 customers, in-process like bench/referrals.py (calls) and bench/reports.py (the seeded size).

Every call goes through its function's `lambda_handler` with the local gateway's event (the daily job through
the LoyaltyDailyFunction handler) and every botocore call it makes is recorded (`Meter`, a hook like the one of
bench/roundtrips.py): the operation and tables (`describe`), the items each request writes (`items_written`
of bench/referrals.py), the items of a transaction (ConditionChecks included) and what reads returned, with
the read capacity DynamoDB would charge for it (`_read` of bench/reports.py: 4 KB units, half for an eventually
consistent read, twice for a transactional one). Set-up calls are not counted. Non-DynamoDB calls (the SNS
message of a recognition reward) are listed, not counted as round trips.

Parts:
1. `GET /v1/customers/{id}/wallet` of a customer with a referral link, coupons bought from the catalogue (and a
   gift card), points lots, a pending order with its release timer, a tier review timer and a birthday timer;
   warm (the container read the program within `CACHE_SECONDS`) and cold (a new container).
2. `POST /v1/orders` without any loyalty program, then the same orders once the shop has one.
3. The daily job at `--customers` (100,000) customers of which 1 % have a points lot expiring today, next to a
   full Scan of the customers table in the same run. Seeded with BatchWriteItem (see `seed`).
4. `POST /v1/customers/{id}/rewards` and `POST /v1/events`.

Backend: moto in-process, as bench/reports.py, with the transaction fix of infra/local/moto_fixes.py (without it
each TransactWriteItems deep-copies the 200,000-item customers table) and, for part 3, `partition_queries` (a
Query on the table's key walks its partition only). Time is information only: moto answers every index Query and
every Scan page by walking the whole table, so its times grow with the table where DynamoDB's do not.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import in_process_aws, invoke, load_function, ok, record
from bench.referrals import PROGRAM as REFERRAL_PROGRAM
from bench.referrals import items_written
from bench.reports import _read
from bench.roundtrips import describe

DEFAULT_CUSTOMERS = 100_000
EXPIRING_EVERY = 100  # 1 % of the customers have a lot expiring today
WALLET_ROUND_TRIPS = 1  # the target
READS_PER_DUE = 5  # the job's items read per due lot, at most, for its target to count as met
PROGRAM: dict[str, Any] = {  # docs/loyalty.md's example, with the catalogue kinds a wallet shows
    "name": "Club",
    "type": "loyalty",
    "earning_rules": [
        {"event": "order_paid", "points_per_unit": 1, "unit_amount": 100},
        {"event": "review", "points": 50},
        {"event": "signup", "points": 100},
        {"event": "birthday", "points": 200},
    ],
    "pending_days": 14,
    "expiry": {"policy": "fixed", "days": 365},
    "tiers": [
        {"name": "Silver", "min_points": 0},
        {
            "name": "Gold",
            "min_points": 1000,
            "multiplier": 1.5,
            "entry_reward": {"type": "points", "points": 200},
        },
    ],
    "rewards": [
        {
            "id": "ten-off",
            "name": "10 EUR off",
            "cost": 500,
            "reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 1000}, "currency": "EUR"},
        },
        {
            "id": "free-shipping",
            "name": "Free shipping",
            "cost": 300,
            "reward": {"type": "coupon", "discount": {"type": "free_shipping"}},
        },
        {
            "id": "store-credit",
            "name": "15 EUR store credit",
            "cost": 1000,
            "reward": {"type": "credit", "amount": 1500, "currency": "EUR"},
        },
        {
            "id": "dinner",
            "name": "Dinner with the founders",
            "cost": 100,
            "stock": 5,
            "reward": {"type": "recognition", "kind": "event", "note": "See you there"},
        },
        {
            "id": "yacht",
            "name": "A week on the yacht",
            "cost": 1_000_000,
            "reward": {"type": "recognition", "kind": "experience"},
        },
    ],
}


# ------------------------------------------------------------------------------------------ counting


@dataclass
class Call:
    name: str  # `TransactWriteItems(customers×3,rewards)`; single-item requests with their item's kind
    operation: str
    service: str
    tx_items: int = 0  # items of a transaction, ConditionChecks included
    written: int = 0  # items the request writes (counted when accepted)
    read: int = 0  # items returned
    size: int = 0  # their bytes
    rcu: float = 0.0
    refused: str | None = None
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.name} REFUSED" if self.refused else self.name


def _kind(params: dict[str, Any]) -> str:
    """The kind of a single-item request's item: its sort key (or `#`-key) up to the first `#`."""
    key = params.get("Key") or params.get("Item")
    if not key:
        return ""
    for name in ("sk", "id", "pk"):
        value = key.get(name, {}).get("S", "")
        prefix = value.split("#", 1)[0]
        if len(prefix) > 16:  # not a kind (the idempotency layer's function name)
            return ""
        if name == "sk" and value:
            return prefix + ("#" if "#" in value else "")
        if "#" in value:
            return prefix + "#"
    return ""


class Meter:
    """Wraps botocore's `_make_api_call` while `active`: every call with what it read and wrote, and its time."""

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
            if service != "dynamodb":
                call = Call(f"{service}:{operation}", operation, service)
                meter.calls.append(call)
                return original(client, operation, params)
            name = describe(operation, params)
            if params.get("IndexName"):
                name = name.replace(")", f":{params['IndexName']})")
            elif kind := _kind(params):
                name = f"{name[:-1]} {kind})"
            call = Call(
                name,
                operation,
                service,
                tx_items=len(params.get("TransactItems", [])),
                written=items_written(operation, params),
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
            read = _read(operation, params, response)
            call.read, call.size, call.rcu = read.items, read.size, read.rcu
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
class Case:
    part: str
    name: str
    answer: str
    calls: list[Call]
    seconds: float
    target: int | None = None  # round trips
    problem: str = ""

    @property
    def ddb(self) -> list[Call]:
        return [c for c in self.calls if c.service == "dynamodb"]

    @property
    def round_trips(self) -> int:
        return len(self.ddb)

    @property
    def read(self) -> int:
        return sum(c.read for c in self.ddb)

    @property
    def rcu(self) -> float:
        return sum(c.rcu for c in self.ddb)

    @property
    def tx_items(self) -> int:
        return sum(c.tx_items for c in self.ddb if c.operation == "TransactWriteItems")

    @property
    def written(self) -> int:
        return sum(c.written for c in self.ddb)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.round_trips <= self.target

    def trace(self) -> str:
        return " + ".join(c.label for c in self.calls) or "-"

    def grouped(self) -> str:
        """Calls grouped by name (for the job): `GetItem(customers facts) ×1,000 (1,000 items)`."""
        counts: Counter[str] = Counter()
        items: Counter[str] = Counter()
        for c in self.ddb:
            counts[c.label] += 1
            items[c.label] += c.read or c.written
        return "\n      ".join(f"{name} ×{n:,} ({items[name]:,} items)" for name, n in counts.items())


# ------------------------------------------------------------------------------------------- helpers


def cold(keys: bool = False) -> None:
    """A new container: the program, campaign, code, engagement config and custom segment caches are empty
    (`keys=True`: the API key cache too; otherwise it stays warm, its cost is the roundtrips part's)."""
    from passaparola.api import keys as key_cache
    from passaparola.data import campaigns, coupons, stats
    from passaparola.data import customers as customer_store

    campaigns._CACHE.clear()
    coupons._CAMPAIGN_OF_CODE.clear()
    stats._shop_ready = False
    customer_store._cache.clear()
    if keys:
        key_cache._cache.clear()


def warm(referral_id: str | None = None) -> None:
    """What a warm container holds, refreshed (not measured) right before a warm call so that no cache expires
    in the middle of a series: the loyalty program (5 s cache) and the issuing campaigns of its rewards (60 s),
    the engagement config and custom segments (10 s), and a referral program with its rewards' issuers."""
    from passaparola.customers import service as customers
    from passaparola.data import campaigns
    from passaparola.data import customers as customer_store

    program = customers.program()
    specs: list[Any] = []
    if program is not None:
        specs += [r.reward for r in program.rewards] + [t.entry_reward for t in program.tiers]
    if referral_id:
        referral = campaigns.get_cached(referral_id)
        specs += [getattr(referral, "referee_reward", None), getattr(referral, "referrer_reward", None)]
    for spec in specs:
        if getattr(spec, "campaign_id", None):
            campaigns.get_cached(spec.campaign_id, max_age=60)
    customer_store.engagement_config()
    customer_store.custom_segments()


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _topic() -> None:
    """The team topic a recognition reward publishes to (in_process_aws creates tables, not topics)."""
    arn = os.environ.get("TEAM_TOPIC_ARN", "")
    if arn.startswith("arn:aws:sns:"):
        import boto3

        boto3.client("sns").create_topic(Name=arn.rsplit(":", 1)[-1])


class Runner:
    """Measured calls of one part, kept as Cases."""

    def __init__(self, meter: Meter, part: str) -> None:
        self.meter, self.part = meter, part
        self.cases: list[Case] = []
        self.partition = ""  # the wallet part: what its Query returned, by kind

    def case(
        self,
        name: str,
        fn: Callable[[], tuple[Any, Any]],
        *expected: Any,
        target: int | None = None,
        check: Callable[[Any], bool] | None = None,
    ) -> Any:
        (status, body), calls, seconds = self.meter.measure(fn)
        problem = ""
        if expected and status not in expected:
            problem = f"HTTP {status} {body}"
        elif check is not None and not check(body):
            problem = f"unexpected answer {body}"
        answer = str(status) if isinstance(status, str) else f"HTTP {status}"
        self.cases.append(Case(self.part, name, answer, calls, seconds, target, problem))
        return body


# ------------------------------------------------------------------------------------ parts 1, 2, 4


@dataclass
class Functions:
    campaigns: Any
    customers: Any
    loyalty: Any
    conversions: Any
    referrals: Any


def _order(
    fns: Functions,
    oid: str,
    customer: str,
    amount: int = 5000,
    code: str | None = None,
    at: datetime | None = None,
) -> Callable[[], tuple[int, Any]]:
    body: dict[str, Any] = {
        "id": oid,
        "customer_id": customer,
        "email": f"{customer}@shop.example",
        "amount": amount,
        "currency": "EUR",
        "items": [{"sku": "SKU-A", "quantity": 1, "unit_price": amount}],
    }
    if code:
        body["referral_code"] = code
    if at:
        body["created_at"] = _iso(at)
    return lambda: invoke(fns.conversions, "POST", "/v1/orders", "/v1/orders", body)


def _link(fns: Functions, campaign_id: str, customer: str) -> str:
    body = {"customer_id": customer, "campaign_id": campaign_id, "name": "Rita", "email": f"{customer}@shop.example"}
    return ok(invoke(fns.referrals, "POST", "/v1/referrals", "/v1/referrals", body), 201)["code"]


ORDERS = (  # the compared orders: (label, cold)
    ("(i) first order of a new customer, no referral", False),
    ("(ii) second order of that customer", False),
    ("(iii) first order with a referral_code, converts", False),
    ("(i) first order of a new customer, no referral", True),
)


def order_name(label: str, loyalty: bool, is_cold: bool = False) -> str:
    return f"{label}, {'with' if loyalty else 'without'} loyalty" + (", cold" if is_cold else "")


def orders(fns: Functions, runner: Runner, referral_id: str, uid: str, loyalty: bool) -> None:
    """The same orders without a loyalty program (loyalty=False, before it exists) or with one."""
    tag = "with" if loyalty else "without"
    # warm-up (not counted), a converting order: the shop's LTV items ensured; the referral program, its rewards'
    # issuing campaigns and the loyalty program (or its absence) cached
    code = _link(fns, referral_id, f"wren-{tag}-{uid}")
    ok(_order(fns, f"ord-warm-{tag}-{uid}", f"warm-{tag}-{uid}", code=code)(), 201)
    first, code = f"pia-{tag}-{uid}", _link(fns, referral_id, f"rita-{tag}-{uid}")

    def points(expected: bool) -> Callable[[Any], bool]:
        return lambda body: (body["points"] > 0) == expected

    (i, _), (ii, _), (iii, _), _ = ORDERS
    warm(referral_id)
    runner.case(order_name(i, loyalty), _order(fns, f"ord-i-{tag}-{uid}", first), 201, check=points(loyalty))
    warm(referral_id)
    runner.case(order_name(ii, loyalty), _order(fns, f"ord-ii-{tag}-{uid}", first), 201, check=points(loyalty))
    warm(referral_id)
    runner.case(
        order_name(iii, loyalty),
        _order(fns, f"ord-iii-{tag}-{uid}", f"quinn-{tag}-{uid}", code=code),
        201,
        check=lambda b: (b.get("referral") or {}).get("status") == "converted" and points(loyalty)(b),
    )
    if loyalty:
        warm(referral_id)
        runner.case(
            "(iv) first order placed 20 days ago (points released at once: a lot), with loyalty",
            _order(fns, f"ord-iv-{uid}", f"rosa-{uid}", at=datetime.now(UTC) - timedelta(days=20)),
            201,
            check=points(True),
        )
    cold()
    runner.case(order_name(i, loyalty, is_cold=True), _order(fns, f"ord-i-cold-{tag}-{uid}", f"sara-{tag}-{uid}"), 201)


def wallet_rewards_events(fns: Functions, wallet_runner: Runner, more: Runner, referral_id: str, uid: str) -> None:
    """Part 1 (the wallet) and part 4 (rewards, events) on one customer: Wanda."""
    wanda = f"wanda-{uid}"
    birthday = datetime.now(UTC) + timedelta(days=100)
    # --- set-up (not counted): profile with a birthday, a referral link, 3,000 points released, 75 pending
    path = f"/v1/customers/{wanda}"
    profile = {"email": f"{wanda}@shop.example", "name": "Wanda", "birthday": {"month": birthday.month, "day": 1}}
    ok(invoke(fns.customers, "PUT", path, "/v1/customers/{customer_id}", profile), 201)
    _link(fns, referral_id, wanda)
    ok(_order(fns, f"ord-w1-{uid}", wanda, amount=300_000, at=datetime.now(UTC) - timedelta(days=20))(), 201)
    ok(_order(fns, f"ord-w2-{uid}", wanda, amount=5_000)(), 201)

    def event(eid: str, kind: str = "review", **extra: Any) -> Callable[[], tuple[int, Any]]:
        body = {"id": eid, "customer_id": wanda, "type": kind, **extra}
        return lambda: invoke(fns.customers, "POST", "/v1/events", "/v1/events", body)

    ok(event(f"ev-setup-{uid}", rating=5)(), 201)

    def buy(reward: str, idem: str | None = None) -> Callable[[], tuple[int, Any]]:
        headers = {"Idempotency-Key": idem} if idem else None
        return lambda: invoke(
            fns.loyalty,
            "POST",
            f"/v1/customers/{wanda}/rewards",
            "/v1/customers/{customer_id}/rewards",
            {"reward_id": reward},
            headers=headers,
        )

    # --- part 4: rewards (they also leave Wanda's coupons and gift card in her wallet)
    warm()
    more.case("POST /v1/customers/{id}/rewards, coupon (ten-off), warm", buy("ten-off"), 201)
    warm()
    more.case("POST /v1/customers/{id}/rewards, credit (gift card), warm", buy("store-credit"), 201)
    warm()
    more.case("POST /v1/customers/{id}/rewards, recognition with stock, warm", buy("dinner"), 201)
    warm()
    more.case("POST /v1/customers/{id}/rewards, coupon, with Idempotency-Key", buy("free-shipping", f"k-{uid}"), 201)
    more.case("POST /v1/customers/{id}/rewards, Idempotency-Key replayed", buy("free-shipping", f"k-{uid}"), 201)
    warm()
    more.case("POST /v1/customers/{id}/rewards, insufficient points (422)", buy("yacht"), 422)
    cold()
    more.case("POST /v1/customers/{id}/rewards, coupon (ten-off), cold", buy("ten-off"), 201)

    # --- part 1: the wallet
    def wallet() -> tuple[int, Any]:
        return invoke(fns.loyalty, "GET", f"/v1/customers/{wanda}/wallet", "/v1/customers/{customer_id}/wallet")

    def complete(body: Any) -> bool:
        points = body["points"]
        return bool(
            body["member"]
            and points["balance"] > 0
            and points["pending"] > 0
            and body["tier"]["name"] == "Gold"
            and body["referral"]
            and len(body["coupons"]) == 4
            and body["rewards"]
        )

    warm()
    wallet_runner.case("GET /v1/customers/{id}/wallet, warm", wallet, 200, target=WALLET_ROUND_TRIPS, check=complete)
    cold()
    wallet_runner.case("GET /v1/customers/{id}/wallet, cold (new container)", wallet, 200, check=complete)
    cold(keys=True)
    wallet_runner.case(
        "GET /v1/customers/{id}/wallet, cold, first request with the key too", wallet, 200, check=complete
    )
    wallet_runner.partition = _partition_kinds(wanda)

    # --- part 4: events
    warm()
    more.case(
        "POST /v1/events review (earns points), new id, warm",
        event(f"ev-1-{uid}", rating=4),
        201,
        check=lambda b: b["points"] > 0,
    )
    more.case("POST /v1/events, the same id again (replay)", event(f"ev-1-{uid}", rating=4), 200)
    warm()
    more.case(
        "POST /v1/events email_opened (no earning rule), warm",
        event(f"ev-2-{uid}", "email_opened"),
        201,
        check=lambda b: b["points"] == 0,
    )
    cold()
    more.case(
        "POST /v1/events review (earns points), cold",
        event(f"ev-3-{uid}", rating=5),
        201,
        check=lambda b: b["points"] > 0,
    )


def _partition_kinds(customer_id: str) -> str:
    """What the wallet's one Query returned, by kind (read after the measurement, not counted)."""
    from passaparola.data.models.customers import CustomerModel

    raw = CustomerModel._get_connection().query(customer_id, consistent_read=True).get("Items", [])
    kinds = Counter(item["sk"]["S"].split("#", 1)[0] for item in raw)
    return ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in kinds.items())


def calls_parts(meter: Meter) -> tuple[Runner, Runner, Runner]:
    wallet_runner, order_runner, more = Runner(meter, "wallet"), Runner(meter, "orders"), Runner(meter, "calls")
    with in_process_aws():
        _topic()
        fns = Functions(
            load_function("campaigns"),
            load_function("customers"),
            load_function("loyalty"),
            load_function("conversions"),
            load_function("referrals"),
        )
        uid = uuid.uuid4().hex[:6]
        referral = ok(invoke(fns.campaigns, "POST", "/v1/campaigns", "/v1/campaigns", REFERRAL_PROGRAM), 201)
        meter.install()
        try:
            orders(fns, order_runner, referral["id"], uid, loyalty=False)
            ok(invoke(fns.campaigns, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM), 201)
            orders(fns, order_runner, referral["id"], uid, loyalty=True)
            wallet_rewards_events(fns, wallet_runner, more, referral["id"], uid)
        finally:
            meter.uninstall()
    return wallet_runner, order_runner, more


# ------------------------------------------------------------------------------------- part 3: the job


@contextlib.contextmanager
def partition_queries() -> Iterator[None]:
    """A Query on the table's own key reads only its partition in moto too, for the job part.

    moto 5.2.5's `Table.query` sorts and walks every item of the table (`all_items()`) to find one partition:
    ~1-2 s per Query at 200,000 items, where DynamoDB reads the partition. The job reads each due customer's
    lots with such a Query, so 1,000 due customers would spend ~30 minutes in moto. Here, for a Query without
    an index, `all_items()` is the partition's items (moto sorts them by range key next, as before): the
    answers are the same, only moto's time changes. Index Queries and the Scan are left as moto runs them.
    """
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: partition
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = original  # type: ignore[method-assign]


@dataclass
class Seeded:
    customers: int
    expiring: int
    items: int
    requests: int
    seconds: float
    today: str


def seed(customers: int, now: datetime) -> Seeded:
    """Customer records and one points lot each, as the writes would leave them, with BatchWriteItem.

    Customer `cus_<n>` joined 400 days ago, was credited 100 points (its lot, `cum_before` 0), has no order and
    no timer: balance 100, earned_total 100, consumed 0, version 1, no segment (so expiring them changes no
    membership). Every EXPIRING_EVERY-th customer's lot was released 365 days ago and carries
    `due="expire#<today>"`; every other lot is due on one of the next 365 days (outside the job's look-back).
    Items are hand-serialised and written 25 per BatchWriteItem with a low-level boto3 client.
    """
    import boto3

    from passaparola.settings import get_settings

    table = get_settings().customers_table
    client = boto3.client("dynamodb")
    today = now.date()
    joined = _iso(now - timedelta(days=400))
    t0 = time.perf_counter()
    written = requests = expiring = 0
    batch: list[dict[str, Any]] = []

    def flush(final: bool = False) -> None:
        nonlocal batch, requests, written
        while len(batch) >= 25 or (final and batch):
            chunk, batch = batch[:25], batch[25:]
            pending: dict[str, Any] = {table: chunk}
            while pending:
                requests += 1
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            written += len(chunk)

    for n in range(customers):
        customer = f"cus_{n:07d}"
        due_today = n % EXPIRING_EVERY == 0
        expiring += due_today
        expires_day = today if due_today else today + timedelta(days=1 + n % 365)
        expires = datetime(expires_day.year, expires_day.month, expires_day.day, tzinfo=UTC)
        released = expires - timedelta(days=365)
        batch.append(
            {
                "PutRequest": {
                    "Item": {
                        "customer_id": {"S": customer},
                        "sk": {"S": "facts"},
                        "version": {"N": "1"},
                        "email": {"S": f"{customer}@shop.example"},
                        "signed_up_at": {"S": joined},
                        "enrolled_at": {"S": joined},
                        "balance": {"N": "100"},
                        "pending": {"N": "0"},
                        "earned_total": {"N": "100"},
                        "lifetime_earned": {"N": "100"},
                        "consumed": {"N": "0"},
                        "months": {"M": {_iso(released)[:7]: {"N": "100"}}},
                        "tier": {"S": "Silver"},
                        "tier_since": {"S": joined},
                        "last_activity_at": {"S": _iso(released)},
                    }
                }
            }
        )
        batch.append(
            {
                "PutRequest": {
                    "Item": {
                        "customer_id": {"S": customer},
                        "sk": {"S": f"lot#{_iso(released)}#lot_{n:07d}"},
                        "points": {"N": "100"},
                        "cum_before": {"N": "0"},
                        "expires_at": {"S": _iso(expires)},
                        "due": {"S": f"expire#{expires_day.isoformat()}"},
                    }
                }
            }
        )
        flush()
    flush(final=True)
    return Seeded(customers, expiring, written, requests, time.perf_counter() - t0, today.isoformat())


@dataclass
class JobResult:
    seeded: Seeded
    job: Case
    report: dict[str, Any]
    scan: Case
    scanned: int
    checks: list[str] = field(default_factory=list)


def job_part(meter: Meter, customers: int) -> JobResult:
    from infra.local.invoke import LambdaContext

    with in_process_aws(), partition_queries():
        campaigns_fn = load_function("campaigns")
        daily_fn = load_function("loyalty_daily")
        ok(invoke(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM), 201)
        seeded = seed(customers, datetime.now(UTC))
        print(
            f"  seeded {seeded.customers:,} customers ({seeded.expiring:,} with a lot due expire#{seeded.today}): "
            f"{seeded.items:,} items in {seeded.requests:,} BatchWriteItem calls, {seeded.seconds:.0f}s "
            f"({seeded.items / seeded.seconds:,.0f} items/s)",
            flush=True,
        )
        cold()  # the job's container starts cold (its API key cache is irrelevant: no API)

        def run_job() -> tuple[str, Any]:
            event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "detail": {}}
            with contextlib.redirect_stdout(io.StringIO()):  # powertools' metric flush
                return "job", daily_fn.lambda_handler(event, LambdaContext())

        runner = Runner(meter, "job")
        meter.install()
        try:
            report = runner.case(
                "LoyaltyDailyFunction",
                run_job,
                "job",
                check=lambda r: r["handled"].get("expire") == seeded.expiring and r["skipped"] == 0,
            )
            print(f"  daily job done in {runner.cases[-1].seconds:.0f}s; full Scan of the customers table…", flush=True)
            scan = runner.case("full Scan of the customers table", _scan_all, "scan")
        finally:
            meter.uninstall()
        checks = _check(seeded)
    return JobResult(seeded, runner.cases[0], report, runner.cases[1], scan, checks)


def _scan_all() -> tuple[str, int]:
    """Every item of the customers table, page by page (what a job that scans would read)."""
    import boto3

    from passaparola.settings import get_settings

    client = boto3.client("dynamodb")
    start: dict[str, Any] | None = None
    count = 0
    while True:
        page = client.scan(TableName=get_settings().customers_table, **({"ExclusiveStartKey": start} if start else {}))
        count += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return "scan", count


def _check(seeded: Seeded) -> list[str]:
    """A due customer lost its 100 points and its lot; a customer due another day kept both."""
    from passaparola.data.models.customers import CustomerModel, LotModel

    out = []
    for n in (0, 1, EXPIRING_EVERY, seeded.customers - 1):
        customer = f"cus_{n:07d}"
        record = CustomerModel.get(customer, "facts", consistent_read=True)
        lots = list(LotModel.query(customer, LotModel.sk.startswith("lot#"), consistent_read=True))
        due = n % EXPIRING_EVERY == 0
        good = (int(record.balance), len(lots)) == ((0, 0) if due else (100, 1))
        out.append(f"{customer} ({'due' if due else 'not due'}): balance {int(record.balance)}, lots {len(lots)}")
        if not good:
            out[-1] += " (!)"
    return out


# ------------------------------------------------------------------------------------------- output


def _table(cases: list[Case]) -> None:
    head = ("call", "answer", "round trips", "items read", "≈RCU", "tx items", "items written", "target", "met")
    rows = [head]
    for c in cases:
        met = "-" if c.met is None else ("yes" if c.met else "NO")
        rows.append(
            (
                c.name,
                c.answer + (" (!)" if c.problem else ""),
                str(c.round_trips),
                f"{c.read:,}",
                f"{c.rcu:g}",
                str(c.tx_items),
                str(c.written),
                "-" if c.target is None else f"≤ {c.target}",
                met,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for i, r in enumerate(rows):
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    print("\n  DynamoDB calls (tables, the item's kind for single-item requests; REFUSED = condition failed):")
    for c in cases:
        print(f"  {c.name}:\n      {c.trace()}")
    problems = [c for c in cases if c.problem]
    if problems:
        print("\n  (!) not the answer docs/loyalty.md gives:")
        for c in problems:
            print(f"  {c.name}: {c.problem}")


def _compare(cases: list[Case]) -> None:
    by_name = {c.name: c for c in cases}
    print("\n  The loyalty part of an order (the same orders, warm unless marked cold):")
    head = ("order", "round trips without / with", "tx items without / with", "items written without / with")
    rows = [head]
    for label, is_cold in ORDERS:
        without, with_ = by_name[order_name(label, False, is_cold)], by_name[order_name(label, True, is_cold)]
        rows.append(
            (
                label + (", cold" if is_cold else ""),
                f"{without.round_trips} / {with_.round_trips} ({with_.round_trips - without.round_trips:+d})",
                f"{without.tx_items} / {with_.tx_items} ({with_.tx_items - without.tx_items:+d})",
                f"{without.written} / {with_.written} ({with_.written - without.written:+d})",
            )
        )
        if is_cold:
            continue
        record(
            "loyalty",
            f"POST /v1/orders {label.split()[0]}: round trips / tx items, without vs with a loyalty program",
            f"{without.round_trips}/{without.tx_items} vs {with_.round_trips}/{with_.tx_items}",
            "+0 round trips",
            with_.round_trips == without.round_trips and not with_.problem and not without.problem,
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for i, r in enumerate(rows):
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _print_job(result: JobResult) -> None:
    job, scan, seeded, report = result.job, result.scan, result.seeded, result.report
    queries = [c for c in job.ddb if c.operation == "Query"]
    index_queries = [c for c in queries if ":" in c.name]  # `Query(customers:due)`
    in_ddb = sum(c.seconds for c in job.ddb)
    in_queries = sum(c.seconds for c in index_queries)
    print(f"\n  daily job ({seeded.customers:,} customers, {seeded.expiring:,} with points expiring today):")
    print(f"    answer: {report}")
    print(
        f"    round trips {job.round_trips:,} ({len(queries)} Queries), items read {job.read:,} "
        f"({job.read / seeded.customers:.2%} of the customers; {job.read / max(seeded.expiring, 1):.1f} per due lot), "
        f"≈RCU {job.rcu:,.1f}, transaction items {job.tx_items:,}, items written {job.written:,}"
    )
    print(
        f"    time {job.seconds:.1f}s, of which {in_ddb:.1f}s inside moto ({in_queries:.1f}s in the {len(index_queries)} "
        f"Queries of the due index, which moto answers by walking all {seeded.items:,}+ items), "
        f"{job.seconds - in_ddb:.1f}s client side"
    )
    print(f"    calls by kind:\n      {job.grouped()}")
    print(
        f"  full Scan of the customers table: {scan.round_trips} round trips (1 MB pages), items read {result.scanned:,}, "
        f"≈RCU {scan.rcu:,.1f} (eventually consistent), time {scan.seconds:.1f}s (moto)"
    )
    print(
        f"  job / scan: items read {job.read / max(result.scanned, 1):.2%}, ≈RCU {job.rcu / max(scan.rcu, 1):.2%} "
        f"(the job's ≈RCU includes the strongly consistent GetItems of each due customer)"
    )
    print("  checks after the job: " + "; ".join(result.checks))
    if job.problem:
        print(f"  (!) {job.problem}")


def _record(cases: list[Case]) -> None:
    for c in cases:
        figure = f"{c.round_trips} round trips, {c.read} items read, ≈{c.rcu:g} RCU, {c.written} items written"
        if c.problem:
            record("loyalty", c.name, f"{figure}; {c.answer} (!)", "as documented", False)
        elif c.target is not None:
            record("loyalty", c.name, figure, f"≤ {c.target} round trip", c.met)
        elif c.part != "orders" and ("warm" in c.name or "cold" in c.name):
            record("loyalty", c.name, figure)


def run(args: Any = None) -> None:
    customers = getattr(args, "customers", None) or DEFAULT_CUSTOMERS
    print("\n== loyalty: DynamoDB round trips, reads and writes of the loyalty calls and the daily job " + "=" * 8)
    import moto

    from infra.local import moto_fixes

    moto_fixes.apply()
    print(
        f"  backend: moto {moto.__version__} in-process (as bench/reports.py), with infra/local/moto_fixes.py "
        "(+ partition_queries in part 3); calls through the functions' lambda_handler"
    )
    meter = Meter()
    wallet_runner, order_runner, more = calls_parts(meter)

    print("\n  -- 1. the wallet (customer with a referral link, 4 catalogue coupons/gift card, lots and timers)")
    _table(wallet_runner.cases)
    print(f"  the wallet's partition: {wallet_runner.partition}")
    print("\n  -- 2. POST /v1/orders without a loyalty program, then with one")
    _table(order_runner.cases)
    _compare(order_runner.cases)
    print("\n  -- 4. POST /v1/customers/{id}/rewards and POST /v1/events")
    _table(more.cases)

    print(f"\n  -- 3. the daily job at {customers:,} customers", flush=True)
    result = job_part(meter, customers)
    _print_job(result)

    _record(wallet_runner.cases + order_runner.cases + more.cases)
    job, seeded = result.job, result.seeded
    # bounded by what is due: at most READS_PER_DUE items per due lot (its index entry, the customer record, the
    # lot's re-read and the customer's lots), plus the program and settings re-read as their caches expire
    bound = READS_PER_DUE * seeded.expiring + 100
    record(
        "loyalty",
        f"daily job, {seeded.customers:,} customers, {seeded.expiring:,} expiring: items read / round trips / time",
        f"{job.read:,} / {job.round_trips:,} / {job.seconds:.0f}s (moto)",
        f"reads ≈ the {seeded.expiring:,} due, not {seeded.customers:,}",
        job.read <= bound and not job.problem and all("(!)" not in c for c in result.checks),
    )
    record(
        "loyalty",
        "full Scan of the customers table (same run): items read / round trips / time",
        f"{result.scanned:,} / {result.scan.round_trips} / {result.scan.seconds:.0f}s (moto)",
    )
    record("loyalty", f"seed {seeded.items:,} items (BatchWriteItem)", f"{seeded.seconds:.0f}s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    run(parser.parse_args())
    from bench.common import print_summary

    print_summary()
