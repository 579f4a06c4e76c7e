"""What a report costs in DynamoDB reads at 10 and at 100,000 conversions (in-process moto): the target is
the same cost at both sizes, because reports read aggregates (`STATS#`, `BOARD#` items), never conversions.

The state is seeded as the writes would leave it: a referral program with variants `a` and `b`, referrer
links, conversion items (ConversionModel; statuses, currencies and dates spread over four months), the
board items of every period they count in, the VARIANT stats, the daily items (`DAY#…`) — all with
pynamodb batch writes into moto. Then each report is called through the reports function, and every
DynamoDB call it makes is recorded by wrapping botocore (as bench/roundtrips.py does) with what it
returned: items, approximate bytes, and the read capacity that would cost on DynamoDB.

Time per report is printed too, as information only: moto answers every Query by walking the whole table
(`Table.query` iterates `all_items()`), so its time grows with the table where DynamoDB's does not.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench import shop_reports
from bench.common import in_process_aws, invoke, load_function, record
from bench.roundtrips import describe

DEFAULT_CONVERSIONS = 100_000
LINKS_PER_CONVERSION = 0.1  # 100,000 conversions over 10,000 referrer links
SMALL = 10
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("leaderboard (all, top 10)", "/v1/reports/leaderboard", {}),
    ("leaderboard (month, top 100)", "/v1/reports/leaderboard", {"period": "month", "limit": "100"}),
]
PROGRAM_DAYS = 122  # the conversions are spread over the last 120 days (UTC): the funnel and ROI ask for them all
MAX_ITEMS = {  # whatever the number of conversions: the campaign + at most `limit` lines, or the stats items
    "leaderboard (all, top 10)": 1 + 10,
    "leaderboard (month, top 100)": 1 + 100,
    "funnel": 1 + PROGRAM_DAYS,  # at most one `DAY#<campaign>` item per day asked for
    "roi": 1 + 2 * PROGRAM_DAYS + 3,  # and one `DAY#shop` item a day, and the VARIANT# items (coupons outstanding)
}


def program_cases(now: datetime) -> list[tuple[str, str, dict[str, str]]]:
    """The referral program's funnel and ROI over the days the conversions were spread on."""
    last = now.date()
    window = {"from": (last - timedelta(days=PROGRAM_DAYS - 1)).isoformat(), "to": last.isoformat()}
    return [("funnel", "/v1/reports/funnel", window), ("roi", "/v1/reports/roi", window)]


# ------------------------------------------------------------------------------------------ counting


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size (attribute names + values), from the low-level JSON of an item."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind in ("S", "B"):
        return len(v.encode()) if kind == "S" else len(v)
    if kind == "N":
        digits = len(v.lstrip("-").replace(".", "").strip("0")) or 1
        return (digits + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + _value_size(x) for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(x) for k, x in v.items())
    return 0


@dataclass
class Read:
    call: str
    items: int
    size: int
    rcu: float


@dataclass
class Reads:
    calls: list[Read] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(r.items for r in self.calls)

    @property
    def size(self) -> int:
        return sum(r.size for r in self.calls)

    @property
    def rcu(self) -> float:
        return sum(r.rcu for r in self.calls)

    def names(self) -> str:
        return " + ".join(r.call for r in self.calls)


def _units(size: int, consistent: bool) -> float:
    """Read capacity of one GetItem/Query: 4 KB units (at least one), half for an eventually consistent read."""
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


class ReadCounter:
    """Wraps botocore's `_make_api_call` and records every DynamoDB call with what it read, while `active`."""

    def __init__(self) -> None:
        self.reads = Reads()
        self.active = False
        self._original: Callable[..., Any] | None = None

    def install(self) -> None:
        from botocore.client import BaseClient

        original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private in the stubs
        self._original = original
        counter = self

        def _make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            response = original(client, operation, params)
            if counter.active and client.meta.service_model.service_name == "dynamodb":
                read = _read(operation, params, response)
                if not read.call.startswith(
                    "GetItem(apikeys"
                ):  # the key lookup, cached per container: not the report's
                    counter.reads.calls.append(read)
            return response

        setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            setattr(BaseClient, "_make_api_call", self._original)  # noqa: B010

    def measure(self, fn: Callable[[], Any]) -> tuple[Any, Reads, float]:
        self.reads, self.active = Reads(), True
        t0 = time.perf_counter()
        try:
            result = fn()
        finally:
            self.active = False
        return result, self.reads, time.perf_counter() - t0


def _read(operation: str, params: dict[str, Any], response: dict[str, Any]) -> Read:
    consistent = bool(params.get("ConsistentRead"))
    name = describe(operation, params)
    if params.get("IndexName"):
        name = name.replace(")", f":{params['IndexName']})")
    if operation == "GetItem":
        size = item_size(response["Item"]) if "Item" in response else 0
        return Read(name, 1 if "Item" in response else 0, size, _units(size, consistent))
    if operation in ("Query", "Scan"):
        items = response.get("Items", [])
        size = sum(item_size(i) for i in items)
        return Read(name, len(items), size, _units(size, consistent))
    if operation in ("BatchGetItem", "TransactGetItems"):
        found = [r.get("Item", r) for r in response.get("Responses", [])] if operation == "TransactGetItems" else []
        if operation == "BatchGetItem":
            found = [i for items in response.get("Responses", {}).values() for i in items]
        found = [i for i in found if i]
        factor = 2.0 if operation == "TransactGetItems" else (1.0 if consistent else 0.5)
        return Read(
            name, len(found), sum(map(item_size, found)), sum(_units(item_size(i), True) for i in found) * factor
        )
    return Read(name, 0, 0, 0.0)  # a write would show here by name: reports make none


# ------------------------------------------------------------------------------------------- seeding


@dataclass
class State:
    """What the writes would have counted so far, kept in Python while conversions are generated."""

    campaign_id: str
    now: datetime
    rng: random.Random
    links: list[tuple[str, str, str]] = field(default_factory=list)  # code, customer, variant
    conversions: int = 0
    accepted: int = 0
    board: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))  # period → link → score
    link_counts: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    variants: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    money: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))  # (variant, map, cur)
    traffic: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    shop: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))  # (item, map, cur)
    days: shop_reports.Days = field(default_factory=shop_reports.Days)  # the shop reports' daily items
    discount_id: str = ""
    cases: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # CASES and the shop reports'


STATUSES = ["converted", "flagged", "blocked", "rejected", "refunded"]
STATUS_WEIGHTS = [85, 4, 6, 3, 2]


def _new_links(state: State, count: int) -> None:
    """Referrers join (their link items are written with the aggregates, counters included)."""
    for i in range(len(state.links), len(state.links) + count):
        code = f"R{i:05d}-{state.rng.randrange(36**6):06X}"
        variant = "a" if state.rng.random() < 0.5 else "b"
        state.links.append((code, f"cus_ref_{i:05d}", variant))
        state.variants[variant]["referrers"] += 1


def _conversions(state: State, count: int) -> list[Any]:
    """`count` new conversions over the links so far (a few referrers bring many: weights ~ 1/rank^0.8)."""
    from passaparola.data.models.referrals import ConversionModel

    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(state.links))]
    picks = state.rng.choices(range(len(state.links)), weights=weights, k=count)
    statuses = state.rng.choices(STATUSES, weights=STATUS_WEIGHTS, k=count)
    items = []
    for link, status in zip(picks, statuses, strict=True):
        n = state.conversions
        state.conversions += 1
        code, referrer, variant = state.links[link]
        at = state.now - timedelta(seconds=state.rng.randrange(120 * 86400))
        currency = "EUR" if state.rng.random() < 0.9 else "USD"
        amount = state.rng.randrange(2000, 20000)
        stats, traffic = state.variants[variant], state.traffic[variant]
        traffic["clicks"] += state.rng.randrange(4, 13)
        traffic["visits"] += state.rng.randrange(3, 8)
        traffic["signups"] += state.rng.randrange(1, 4)
        state.link_counts[link][status] += 1
        state.days.conversion(state.campaign_id, state.discount_id, variant, status, at, n)
        boards = None
        if status == "converted":
            state.accepted += 1
            stats["conversions"] += 1
            stats["points_awarded"] += 100  # the friend's reward: points
            later = amount * state.rng.randrange(0, 3)  # the friend's later orders
            state.money[(variant, "revenue", currency)] += amount
            state.money[(variant, "ltv_revenue", currency)] += amount + later
            state.shop[("LTV#referred", "customers", currency)] += 1
            state.shop[("LTV#referred", "revenue", currency)] += amount + later
            if at < state.now - timedelta(days=14):  # the referrer's credit, released after the holding period
                stats["rewards_released"] += 1
                state.money[(variant, "reward_cost", "EUR")] += 1000
            periods = ["all", f"{at:%Y}", f"{at:%Y-%m}"]
            boards = {f"BOARD#{state.campaign_id}#{p}" for p in periods}
            for p in periods:
                state.board[p][link] += 1
        else:
            stats[status] += 1
        items.append(
            ConversionModel(
                f"CONV#cnv_{n:07d}",
                "CONV",
                id=f"cnv_{n:07d}",
                campaign_id=state.campaign_id,
                code=code,
                variant=variant,
                referrer_customer_id=referrer,
                customer_id=f"cus_friend_{n:07d}",
                order_id=f"ord_{n:07d}",
                event="first_order",
                amount=amount,
                currency=currency,
                conv_status=status,
                reasons={"self_referral"} if status == "blocked" else None,
                source="explicit" if n % 3 else "touch",
                boards=boards,
                created_at=at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            )
        )
    return items


def _aggregates(state: State) -> list[Any]:
    """The board, stats and shop-LTV items as they stand, and every link with its counters."""
    from passaparola.data.models.referrals import LinkModel
    from passaparola.data.models.reports import BoardModel, StatsModel

    items: list[Any] = []
    for period, scores in state.board.items():
        pk = f"BOARD#{state.campaign_id}#{period}"
        for link, score in scores.items():
            code, customer, _ = state.links[link]
            items.append(
                BoardModel(
                    pk, f"REF#{code}", board=pk, score=score, code=code, customer_id=customer, name=f"Referrer {link}"
                )
            )
    for variant, counts in state.variants.items():
        money: dict[str, dict[str, int]] = {"revenue": {}, "ltv_revenue": {}, "reward_cost": {}}
        for (v, name, currency), amount in state.money.items():
            if v == variant:
                money[name][currency] = amount
        attributes: dict[str, Any] = {**counts, **money}
        items.append(StatsModel(f"STATS#{state.campaign_id}", f"VARIANT#{variant}", **attributes))
    for variant, counts in state.traffic.items():
        attributes = dict(counts)
        items.append(StatsModel(f"STATS#{state.campaign_id}", f"TRAFFIC#{variant}", **attributes))
    shop: dict[str, dict[str, dict[str, int]]] = {
        "LTV#referred": {"customers": {}, "revenue": {}},
        "LTV#other": {
            "customers": {"EUR": 250_000, "USD": 30_000},
            "revenue": {"EUR": 2_500_000_000, "USD": 240_000_000},
        },
    }
    for (sk, name, currency), value in state.shop.items():
        shop[sk][name][currency] = value
    items += [StatsModel("STATS#shop", sk, customers=m["customers"], revenue=m["revenue"]) for sk, m in shop.items()]
    for link, (code, customer, variant) in enumerate(state.links):
        counts = state.link_counts.get(link, Counter())
        items.append(
            LinkModel(
                f"REF#{code}",
                "LINK",
                code=code,
                campaign_id=state.campaign_id,
                customer_id=customer,
                name=f"Referrer {link}",
                variant=variant,
                created_at=(state.now - timedelta(days=130)).isoformat(),
                conversions=counts["converted"],
                flagged=counts["flagged"],
                blocked=counts["blocked"],
            )
        )
    return items


def _write(items: Iterable[Any]) -> int:
    """pynamodb batch writes (25 items a call, unprocessed items retried), whatever the models."""
    from pynamodb.models import Model

    by_model: dict[type[Model], list[Model]] = defaultdict(list)
    for item in items:
        by_model[type(item)].append(item)
    written = 0
    for model, group in by_model.items():
        with model.batch_write() as batch:
            for item in group:
                batch.save(item)
                written += 1
    return written


def seed(state: State, links: int, conversions: int) -> tuple[int, float]:
    """Add links and conversions, then rewrite the aggregates; (items written, seconds)."""
    t0 = time.perf_counter()
    _new_links(state, links)
    written = _write(_conversions(state, conversions))
    written += _write(_aggregates(state))
    written += state.days.write()
    return written, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------- run


@dataclass
class Size:
    conversions: int
    links: int
    seeded_items: int
    seed_seconds: float
    reads: dict[str, tuple[Reads, float]]


def _measure(counter: ReadCounter, reports_fn: Any, state: State) -> dict[str, tuple[Reads, float]]:
    out: dict[str, tuple[Reads, float]] = {}

    def caller(path: str, query: dict[str, str]) -> Callable[[], tuple[int, Any]]:
        asked = {k: v for k, v in ({"campaign_id": state.campaign_id} | query).items() if v}  # "": none
        return lambda: invoke(reports_fn, "GET", path, path, query=asked)

    from passaparola.data import campaigns

    for name, path, query in state.cases:
        # every report measured as a container meeting it first: a campaign or loyalty pointer still cached (5 s)
        # from the report before would hide a read at one size and not at the other (slow moto queries expire it)
        campaigns._CACHE.clear()
        (status, body), reads, seconds = counter.measure(caller(path, query))
        if status != 200:
            raise RuntimeError(f"{name}: HTTP {status} {body}")
        _check(name, body, state)
        out[name] = (reads, seconds)
    return out


def _check(name: str, body: dict[str, Any], state: State) -> None:
    """The reports agree with what was seeded (a cheap report that is wrong would prove nothing)."""
    if name.startswith("leaderboard (all"):
        best = max(state.board["all"].values())
        assert body["items"][0]["conversions"] == best, (body["items"][:1], best)
    elif name == "funnel":
        friends = body["totals"]["friends"]
        assert friends["conversions"] == state.days.accepted, (friends, state.days.accepted)
    elif name == "roi":
        assert sum(line["inputs"]["conversions"] for line in body["items"][:1]) == state.days.accepted
    else:
        shop_reports.check(name, body, state.days)


def run(args: argparse.Namespace | None = None) -> list[Size]:
    total = getattr(args, "conversions", None) or DEFAULT_CONVERSIONS
    links_total = max(10, int(total * LINKS_PER_CONVERSION))
    print(
        f"\n== reports: DynamoDB reads per report at {SMALL} and {total:,} conversions "
        f"({links_total:,} referrer links; in-process moto) " + "=" * 8
    )
    from passaparola import clock
    from passaparola.api import keys

    counter = ReadCounter()
    sizes: list[Size] = []
    with in_process_aws():
        campaigns_fn = load_function("campaigns")
        reports_fn = load_function("reports")
        status, campaign = invoke(
            campaigns_fn,
            "POST",
            "/v1/campaigns",
            "/v1/campaigns",
            {
                "name": "bench referrals",
                "type": "referral",
                "landing_url": "https://shop.example/",
                "referee_reward": {
                    "type": "coupon",
                    "discount": {"type": "amount", "amount_off": 500},
                    "currency": "EUR",
                },
                "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
                "variants": [{"name": "a"}, {"name": "b"}],
            },
        )
        assert status == 201, campaign
        discount = {"name": "bench coupons", "type": "discount", "discount": {"type": "amount", "amount_off": 500}}
        status, coupons = invoke(
            campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", discount | {"rules": {"currency": "EUR"}}
        )
        assert status == 201, coupons
        state = State(campaign["id"], clock.now(), random.Random(20261124), discount_id=coupons["id"])
        state.cases = CASES + program_cases(state.now) + shop_reports.cases(state.now, coupons["id"])
        counter.install()
        try:
            for conversions, links in ((SMALL, 5), (total - SMALL, links_total - 5)):
                written, seconds = seed(state, links, conversions)
                print(
                    f"  seeded {state.conversions:,} conversions over {len(state.links):,} links: {written:,} items "
                    f"written in {seconds:.1f}s ({written / seconds:,.0f} items/s)"
                )
                keys._cache.clear()
                invoke(reports_fn, "GET", CASES[0][1], CASES[0][1], query={"campaign_id": state.campaign_id})
                sizes.append(
                    Size(state.conversions, len(state.links), written, seconds, _measure(counter, reports_fn, state))
                )
        finally:
            counter.uninstall()
    _print(sizes)
    small, large = sizes[0], sizes[-1]
    max_items = MAX_ITEMS | shop_reports.MAX_ITEMS
    for name in small.reads:
        a, b = small.reads[name][0], large.reads[name][0]
        same = len(a.calls) == len(b.calls) and [c.call for c in a.calls] == [c.call for c in b.calls]
        record(
            "reports",
            f"{name}: DynamoDB calls / items read / ≈RCU, {small.conversions} vs {large.conversions:,} conversions",
            f"{len(a.calls)}/{a.items}/{a.rcu:g} vs {len(b.calls)}/{b.items}/{b.rcu:g}",
            "constant",
            same and max(a.items, b.items) <= max_items[name],
        )
    record(
        "reports",
        f"seed {large.conversions:,} conversions ({large.seeded_items:,} items)",
        f"{large.seed_seconds:.0f}s",
    )
    return sizes


def _print(sizes: list[Size]) -> None:
    header = ["report"] + [f"{s.conversions:,} conv: calls / items / KB / ≈RCU / ms" for s in sizes]
    rows = [header]
    for name in sizes[0].reads:
        cells = [name]
        for s in sizes:
            reads, seconds = s.reads[name]
            cells.append(
                f"{len(reads.calls)} / {reads.items} / {reads.size / 1024:.1f} / {reads.rcu:g} / {seconds * 1000:.0f}"
            )
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    print()
    for i, r in enumerate(rows):
        print("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    print("\n  DynamoDB calls of each report (the same at every size):")
    for name in sizes[0].reads:
        print(f"    {name}: {sizes[-1].reads[name][0].names()}")
    print(
        "  ≈RCU: read capacity DynamoDB would charge (4 KB units; campaign GetItem strongly consistent, the\n"
        "  Queries eventually consistent). ms is moto's time, which grows with the table (it walks every item\n"
        "  per Query); DynamoDB's does not. The API key lookup (cached per container) is not counted."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversions", type=int, default=DEFAULT_CONVERSIONS)
    run(parser.parse_args())
