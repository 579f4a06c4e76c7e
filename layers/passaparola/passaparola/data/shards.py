"""A hot campaign's sharded counters (docs/architecture.md, "Hot codes: sharded counters").

One DynamoDB item takes about 1,000 WCU/s (a transactional write costs 2), and concurrent transactions on one
item cancel each other: a single counter caps a flash sale at a few hundred redemptions a second. A campaign
marked hot (`rules.hot_shards`) counts on N shard items instead, each with its own partition key and its own
budget `left`; a redemption takes one unit from one shard (`left > 0`), a drained shard is refilled by moving
budget from another in one transaction, so Σ `left` only changes with the cap or a rollback: the cap is exact.
"""

import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import _ModelFuture
from pynamodb.transactions import TransactGet

from passaparola.data import transactions
from passaparola.data.models.campaigns import ShardModel
from passaparola.data.transactions import Transaction
from passaparola.errors import Conflict

HOT_READ_SECONDS = 1.0
"""How long a container reuses a hot code's code and campaign items (a stale copy fails the shard's condition)."""
_HOT_READS: dict[str, tuple[float, Any, Any]] = {}
_HOT_READS_MAX = 1000
SHARDS_MAX = 32
"""With the campaign item, a hot campaign's edit writes every shard in one transaction (≤ 100 items)."""
MOVE_ATTEMPTS = 64
"""Each lost attempt on a drained shard means another redemption took a unit or moved budget: progress, bounded by
the cap; a bound far above what the tail of a sale needs, where tens of requests race for the last units."""


class SoldOut(Exception):
    """Every shard of the campaign reads `left = 0`: the cap is reached."""


def shard_id(campaign_id: str, index: int) -> str:
    return f"{campaign_id}#shard#{index}"


def split(budget: int, n: int) -> list[int]:
    """`budget` spread over `n` shards as evenly as whole units allow (the first ones take the remainder)."""
    budget = max(budget, 0)
    return [budget // n + (1 if i < budget % n else 0) for i in range(n)]


def given_attribute(currency: str) -> str:
    return f"given_{currency}"


def create(tx: Transaction, campaign_id: str, enabled: bool, version: int, budgets: list[int], first: int = 0) -> None:
    """Put shards `first`..`first+len(budgets)-1`, each with its budget (never over an existing one)."""
    for offset, left in enumerate(budgets):
        index = first + offset
        tx.save(
            ShardModel(
                shard_id(campaign_id, index),
                campaign_id=campaign_id,
                index=index,
                left=left,
                used=0,
                rolled_back=0,
                enabled=enabled,
                version=version,
            ),
            condition=ShardModel.id.does_not_exist(),
        )


@dataclass(frozen=True)
class Shard:
    index: int
    left: int
    used: int
    rolled_back: int
    given: dict[str, int]


def read_all(campaign_id: str, n: int) -> list[Shard]:
    """All shards, strongly consistent, in index order (one BatchGetItem; `given_<CUR>` is declared nowhere, so
    the items are read raw)."""
    connection = ShardModel._get_connection()
    keys: list[dict[str, Any]] = [{"id": {"S": shard_id(campaign_id, i)}} for i in range(n)]
    found: list[Shard] = []
    while keys:
        response = connection.batch_get_item(keys, consistent_read=True)  # type: ignore[arg-type]  # key maps
        for raw in response.get("Responses", {}).get(ShardModel.Meta.table_name, []):
            numbers = {name: int(Decimal(v["N"])) for name, v in raw.items() if "N" in v}
            given = {k.removeprefix("given_"): v for k, v in numbers.items() if k.startswith("given_")}
            found.append(
                Shard(
                    numbers["index"],
                    numbers.get("left", 0),
                    numbers.get("used", 0),
                    numbers.get("rolled_back", 0),
                    given,
                )
            )
        keys = response.get("UnprocessedKeys", {}).get(ShardModel.Meta.table_name, {}).get("Keys", [])
    return sorted(found, key=lambda s: s.index)


@dataclass(frozen=True)
class Totals:
    """What the shards took, to add to the campaign item's counters (frozen while the campaign is hot)."""

    redemptions: int
    rolled_back: int
    left: int
    given: dict[str, int]


def totals(campaign_id: str, n: int) -> Totals:
    shards = read_all(campaign_id, n)
    given: dict[str, int] = {}
    for s in shards:
        for currency, amount in s.given.items():
            given[currency] = given.get(currency, 0) + amount
    return Totals(sum(s.used for s in shards), sum(s.rolled_back for s in shards), sum(s.left for s in shards), given)


def redeem(
    tx: Transaction,
    campaign_id: str,
    index: int,
    version: int,
    currency: str,
    discount: int,
    public_code: str | None,
) -> None:
    """Take one unit from shard `index`: only if it has one, the campaign is on and still at the judged version,
    and (`public_code`, whose own item this redemption does not write) that code is not switched off."""
    condition: Condition = (ShardModel.left > 0) & (ShardModel.enabled == True) & (ShardModel.version == version)  # noqa: E712
    if public_code is not None:
        condition &= ~ShardModel.off.contains(public_code)
    actions: list[Action] = [ShardModel.left.add(-1), ShardModel.used.add(1)]
    if discount:
        actions.append(transactions.number(ShardModel, given_attribute(currency)).add(discount))
    tx.update(ShardModel(shard_id(campaign_id, index)), actions=actions, condition=condition)


def give_back(tx: Transaction, campaign_id: str, index: int, currency: str, discount: int) -> None:
    """A rollback: the unit returns to the shard that took it (Σ `left` + Σ `used` stays the cap)."""
    actions: list[Action] = [ShardModel.left.add(1), ShardModel.used.add(-1), ShardModel.rolled_back.add(1)]
    if discount:
        actions.append(transactions.number(ShardModel, given_attribute(currency)).add(-discount))
    tx.update(ShardModel(shard_id(campaign_id, index)), actions=actions)


SOLD_OUT_SECONDS = 1.0
_SOLD_OUT: dict[str, float] = {}


def give_budget(tx: Transaction, campaign_id: str, index: int, units: int) -> None:
    """Budget back to a shard without a use of its own to undo: a rollback of a redemption the campaign's item
    counted before the campaign became hot (Σ `left` + Σ `used` + the item's `redemptions` stays the cap)."""
    tx.update(
        ShardModel(shard_id(campaign_id, index)), actions=[ShardModel.left.add(units)], condition=ShardModel.id.exists()
    )


def pick(n: int) -> int:
    """A shard chosen at random: concurrent redemptions spread evenly over the shards' partitions."""
    return random.randrange(n)


def choose(campaign_id: str, n: int) -> int:
    """The shard a redemption tries first: at random; but for a campaign this container saw sold out within a
    second, one TransactGetItems of the shards first (SoldOut again, or the richest one: a rollback or a raised cap
    gave budget back), so that the rush after the cap costs a read instead of a failed transaction and two reads."""
    seen = _SOLD_OUT.get(campaign_id)
    if seen is None or seen <= time.monotonic():
        return pick(n)
    rich = _sold_out(campaign_id, n)
    _SOLD_OUT.pop(campaign_id, None)
    return rich.index


def _sold_out(campaign_id: str, n: int) -> Shard:
    """Every shard read `left = 0`: confirmed by one TransactGetItems, which sees a move between two shards whole
    (a BatchGetItem may read its recipient before and its donor after it, and miss the units in flight). SoldOut,
    or the shard that has budget after all."""

    def every(tx: TransactGet) -> list[_ModelFuture[ShardModel]]:
        return [tx.get(ShardModel, shard_id(campaign_id, i)) for i in range(n)]

    found = [f.get() for f in transactions.read(every)]
    rich = max(found, key=lambda s: int(s.left or 0), default=None)
    if rich is not None and int(rich.left or 0) > 0:
        return Shard(int(rich.index), int(rich.left), int(rich.used or 0), int(rich.rolled_back or 0), {})
    if len(_SOLD_OUT) >= _HOT_READS_MAX:
        _SOLD_OUT.clear()
    _SOLD_OUT[campaign_id] = time.monotonic() + SOLD_OUT_SECONDS
    raise SoldOut()


def refill(campaign_id: str, n: int, drained: int, read: list[Shard] | None = None) -> int:
    """After shard `drained` failed on its budget: the shard to try next, having moved budget into it when
    another has more than one unit (half the richest one's `left`, donor `left >= k`, one transaction).

    SoldOut when every shard reads `left = 0` in one TransactGetItems (`_sold_out`)."""
    for _ in range(MOVE_ATTEMPTS):
        shards, read = read or read_all(campaign_id, n), None
        rich = max(shards, key=lambda s: s.left, default=None)
        if rich is None or rich.left <= 0:
            return _sold_out(campaign_id, n).index
        mine = next((s for s in shards if s.index == drained), None)
        if mine is not None and mine.left > 0:
            return drained  # refilled meanwhile (a rollback, a raised cap, another move)
        k = rich.left // 2
        if k == 0 or mine is None:
            return rich.index  # its last unit: redeem there directly rather than move it
        try:
            move(campaign_id, rich.index, drained, k)
        except MoveRejected:
            continue  # the donor drained meanwhile: read again
        return drained
    raise Conflict("The hot campaign's shards kept changing; retry.")


class MoveRejected(Exception):
    """The donor shard no longer had the `k` units to give."""


def move(campaign_id: str, donor: int, recipient: int, k: int) -> None:
    """Move `k` units of budget between two shards: both or neither, and never below zero."""

    def build(tx: Transaction) -> None:
        tx.update(
            ShardModel(shard_id(campaign_id, donor)), actions=[ShardModel.left.add(-k)], condition=ShardModel.left >= k
        )
        tx.update(
            ShardModel(shard_id(campaign_id, recipient)),
            actions=[ShardModel.left.add(k)],
            condition=ShardModel.id.exists(),
        )

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        raise MoveRejected() from exc


def on_change(
    tx: Transaction,
    campaign_id: str,
    n: int,
    enabled: bool,
    version: int,
    cap_delta: int,
    shards: list[Shard] | None = None,
) -> None:
    """A change of the campaign (edit, switch) copied to every shard in the campaign's own transaction: its
    `enabled` and `version`, and a change of the cap — added to shard 0, or taken from the shards that have it
    (`left >= k` each, from `shards` as read; what is not there any more is already spent)."""
    take: dict[int, int] = {}
    if cap_delta < 0:
        wanted = -cap_delta
        for s in sorted(shards or [], key=lambda s: -s.left):
            k = min(wanted, s.left)
            if k > 0:
                take[s.index] = k
                wanted -= k
    for i in range(n):
        actions: list[Action] = [ShardModel.enabled.set(enabled), ShardModel.version.set(version)]
        condition: Condition = ShardModel.id.exists()
        if cap_delta > 0 and i == 0:
            actions.append(ShardModel.left.add(cap_delta))
        if take.get(i):
            actions.append(ShardModel.left.add(-take[i]))
            condition &= ShardModel.left >= take[i]
        tx.update(ShardModel(shard_id(campaign_id, i)), actions=actions, condition=condition)


def switch_code(campaign_id: str, n: int, code: str, off: bool) -> None:
    """A public code of a hot campaign switched off (added to every shard's `off`) or on again (removed)."""

    def build(tx: Transaction) -> None:
        for i in range(n):
            action = ShardModel.off.add({code}) if off else ShardModel.off.delete({code})
            tx.update(ShardModel(shard_id(campaign_id, i)), actions=[action], condition=ShardModel.id.exists())

    transactions.write(build)


def remember_read(code: str, code_item: Any, campaign_item: Any) -> None:
    """Keep a hot code's items for HOT_READ_SECONDS: at thousands of redemptions a second, reading them in every
    redemption's TransactGetItems (2 RCU each) would make them the hot items, of an item's 3,000 RCU/s."""
    if len(_HOT_READS) >= _HOT_READS_MAX:
        _HOT_READS.clear()
    _HOT_READS[code] = (time.monotonic() + HOT_READ_SECONDS, code_item, campaign_item)


def cached_read(code: str) -> tuple[Any, Any] | None:
    hit = _HOT_READS.get(code)
    if hit is None or hit[0] <= time.monotonic():
        return None
    return hit[1], hit[2]


def forget_reads(code: str | None = None, campaign_id: str | None = None) -> None:
    """Drop kept items: one code's (a write refused on them), a campaign's codes' (it changed here), or all."""
    if code is None and campaign_id is None:
        _HOT_READS.clear()
        _SOLD_OUT.clear()
    if code is not None:
        _HOT_READS.pop(code, None)
    for key, (_, _, campaign) in list(_HOT_READS.items()):
        if campaign_id is not None and campaign.id == campaign_id:
            _HOT_READS.pop(key, None)
