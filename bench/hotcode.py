"""A flash sale on one public code: redemptions/s of the single-counter design next to N shards, in one run.

A simulation (no AWS), because the limits that decide it are DynamoDB's per-item ones, which neither moto nor
DynamoDB Local enforce. Modelled, per item that concurrent redemptions share:
- write capacity: 1,000 WCU/s per item, a transactional write costs 2 WCU (items ≤ 1 KB): a token bucket of
  `BURST_MS` worth of capacity; a transaction finding an item without capacity is cancelled (ThrottlingError);
- read capacity (the single-counter design reads the code and campaign items in every redemption's
  TransactGetItems): 3,000 RCU/s per item, 2 RCU a transactional read; the sharded design keeps those two items
  for a second per container (passaparola/data/shards.py), so they take no read per redemption;
- conflicts: an item stays part of an ongoing transaction for `HOLD_MS` after the transaction starts; another
  transaction writing it then, or a TransactGetItems reading it, is cancelled (TransactionConflict);
- retries as `passaparola.data.transactions.retrying`: up to 8 attempts, jittered backoff uniform(0, 10 ms × 2^n),
  then the request fails (409 `conflict`, counted as failed).
Clients: `CLIENTS` concurrent Lambda invocations redeeming back to back (a closed loop: the sale's demand is far
above what either design takes), each with `OVERHEAD_MS` outside DynamoDB, `READ_MS` for its read and `WRITE_MS`
for its write. The shared items of one redemption: single counter — the code item, the campaign item and the
campaign's day item; N shards — one shard item and that shard's day item (chosen at random). Items of the order or
the customer (redemption, order lock, customer, outbox, idempotency record) are never shared and not modelled.
"""

from __future__ import annotations

import argparse
import heapq
import random
from dataclasses import dataclass, field

from bench.common import record

TARGET = 5_000
SECONDS = 4.0
WARMUP = 0.5
CLIENTS = 1_000
OVERHEAD_MS, READ_MS, WRITE_MS = 8.0, 4.0, 10.0
HOLD_MS = 3.0
BURST_MS = 20.0
WCU_PER_ITEM, RCU_PER_ITEM, WCU_PER_TX_WRITE, RCU_PER_TX_READ = 1_000, 3_000, 2, 2
ATTEMPTS = 8
SHARDS = (4, 8, 16, 32)
RECOMMENDED = 32
"""The shard count the target is judged at: the most `rules.hot_shards` allows (docs/architecture.md)."""
HOLDS_MS = (1.0, 2.0, 5.0)
"""How long DynamoDB keeps an item in a transaction is not published: the figures again at other values."""


@dataclass
class Item:
    rate: float  # units per second
    tokens: float = 0.0
    at: float = 0.0
    held_until: float = -1.0

    def __post_init__(self) -> None:
        self.tokens = self.cap

    @property
    def cap(self) -> float:
        return self.rate * BURST_MS / 1000

    def refill(self, now: float) -> None:
        self.tokens = min(self.cap, self.tokens + (now - self.at) * self.rate)
        self.at = now


@dataclass
class Result:
    design: str
    committed: int = 0
    failed: int = 0
    conflicts: int = 0
    throttled: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.committed / (SECONDS - WARMUP)


def simulate(shards: int, seed: int = 7, hold_ms: float = HOLD_MS) -> Result:
    """`shards` = 0: the single-counter design; N: a hot campaign with N shards."""
    rng = random.Random(seed)
    writes: dict[str, Item] = {}
    reads: dict[str, Item] = {}

    def item(table: dict[str, Item], name: str, rate: float) -> Item:
        if name not in table:
            table[name] = Item(rate)
        return table[name]

    result = Result("single counter" if not shards else f"{shards} shards")
    events: list[tuple[float, int, int, str, int, float]] = []  # (time, seq, client, phase, attempt, started)
    seq = 0

    def push(t: float, client: int, phase: str, attempt: int, started: float) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, client, phase, attempt, started))

    def backoff(attempt: int) -> float:
        return rng.uniform(0, 0.01 * 2**attempt)

    def retry_or_fail(now: float, client: int, phase: str, attempt: int, started: float) -> None:
        if attempt + 1 >= ATTEMPTS:
            if now >= WARMUP:
                result.failed += 1
            push(now + OVERHEAD_MS / 1000, client, "read", 0, now + OVERHEAD_MS / 1000)
        else:
            push(now + backoff(attempt), client, phase, attempt + 1, started)

    for c in range(CLIENTS):
        start = rng.uniform(0, OVERHEAD_MS / 1000)
        push(start, c, "read", 0, start)
    while events:
        now, _, client, phase, attempt, started = heapq.heappop(events)
        if now > SECONDS:
            break
        if phase == "read":
            shared = [] if shards else ["code", "campaign"]
            ok = True
            for name in shared:
                w = item(writes, name, WCU_PER_ITEM)
                r = item(reads, name, RCU_PER_ITEM)
                r.refill(now)
                if w.held_until > now:
                    ok = False
                    if now >= WARMUP:
                        result.conflicts += 1
                elif r.tokens < RCU_PER_TX_READ:
                    ok = False
                    if now >= WARMUP:
                        result.throttled += 1
            if not ok:
                retry_or_fail(now, client, "read", attempt, started)
                continue
            for name in shared:
                reads[name].tokens -= RCU_PER_TX_READ
            push(now + READ_MS / 1000, client, "write", 0, started)
        elif phase == "write":
            if shards:
                i = rng.randrange(shards)
                shared = [f"shard{i}", f"day{i}"]
            else:
                shared = ["code", "campaign", "day"]
            targets = [item(writes, name, WCU_PER_ITEM) for name in shared]
            for t in targets:
                t.refill(now)
            if any(t.held_until > now for t in targets):
                if now >= WARMUP:
                    result.conflicts += 1
                retry_or_fail(now, client, "write", attempt, started)
                continue
            if any(t.tokens < WCU_PER_TX_WRITE for t in targets):
                if now >= WARMUP:
                    result.throttled += 1
                retry_or_fail(now, client, "write", attempt, started)
                continue
            for t in targets:
                t.tokens -= WCU_PER_TX_WRITE
                t.held_until = now + hold_ms / 1000
            push(now + WRITE_MS / 1000, client, "done", 0, started)
        else:
            if now >= WARMUP:
                result.committed += 1
                result.latencies.append(now - started)
            nxt = now + OVERHEAD_MS / 1000
            push(nxt, client, "read", 0, nxt)
    return result


def run(_args: argparse.Namespace | None = None) -> list[Result]:
    print("\n== Hot code: redemptions/s of one public code, per-item limits simulated (bench/hotcode.py) ==")
    print(
        f"  {CLIENTS} concurrent clients; per item {WCU_PER_ITEM} WCU/s ({WCU_PER_TX_WRITE} a transactional write), "
        f"{RCU_PER_ITEM} RCU/s; an item held {HOLD_MS:g} ms by a transaction; {ATTEMPTS} attempts with backoff; "
        f"{SECONDS - WARMUP:g} s measured"
    )
    results = [simulate(0), *(simulate(n) for n in SHARDS)]
    print(f"  {'design':<16} {'redemptions/s':>14} {'conflicts/s':>12} {'throttled/s':>12} {'failed/s':>9} {'p50':>7}")
    for r in results:
        lat = sorted(r.latencies)
        p50 = f"{lat[len(lat) // 2] * 1000:.0f} ms" if lat else "-"
        span = SECONDS - WARMUP
        print(
            f"  {r.design:<16} {r.per_second:>14,.0f} {r.conflicts / span:>12,.0f} {r.throttled / span:>12,.0f}"
            f" {r.failed / span:>9,.0f} {p50:>7}"
        )
    single = results[0]
    chosen = next(r for r in results if r.design == f"{RECOMMENDED} shards")
    for r in (single, chosen):
        met = r.per_second >= TARGET
        print(f"  {r.design}: {r.per_second:,.0f}/s (target ≥ {TARGET:,}/s) {'met' if met else 'not met'}")
        record("hotcode", f"redemptions/s, {r.design}", f"{r.per_second:,.0f}/s", f"≥ {TARGET:,}/s", met)
    record("hotcode", f"{RECOMMENDED} shards ÷ single counter", f"{chosen.per_second / single.per_second:.1f}×")
    print(f"  the same with an item held {', '.join(f'{h:g}' for h in HOLDS_MS)} ms by a transaction:")
    for hold in HOLDS_MS:
        row = [simulate(n, hold_ms=hold) for n in (0, *SHARDS)]
        print(f"    {hold:g} ms: " + ", ".join(f"{r.design} {r.per_second:,.0f}/s" for r in row))
    return results
