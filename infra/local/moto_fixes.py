"""Fix an emulator artefact: moto's TransactWriteItems deep-copies every table it touches.

moto 5 backs up each table named in a transaction with `copy.deepcopy(table)` (once per transaction item)
so it can undo a cancelled transaction. That makes every transaction cost O(items in the table): on a table
of 100,000 codes one TransactWriteItems of 100 items takes seconds, and latencies drift upwards as data
grows. Real DynamoDB has no such cost.

`apply()` replaces that backup with a snapshot of only the items the transaction names (deep copies of those
items, restored on cancellation), which keeps moto's all-or-nothing behaviour while making the cost
independent of the table size. The local stack, the unit tests and the benchmarks all run with it.

Second artefact: moto serves requests on threads but its DynamoDB backend has no locking. A transaction
checks its conditions, writes, and on cancellation restores what it saw — so a transaction cancelled
while another committed could restore an item over the other's write (a committed write lost, an answer
read from a half-applied transaction). Real DynamoDB serialises these. `apply()` puts every item
operation of the backend under one lock, so each request sees and leaves a consistent table.

Third artefact: moto's SQS costs O(messages in the queue) several times per message sent. `Queue.attributes`
(read about six times per SendMessage: ContentBasedDeduplication, FIFO checks) recomputes the approximate
counters, each a scan that asks every message `visible` and `delayed`, and each of those builds two datetimes
(`unix_time_millis`, ~10 µs). With 300 messages waiting in a FIFO queue a SendMessageBatch of ten took 0.6 s,
with 400 1.4 s: a burst of events made publishing slower the longer the queue was, so the webhook queue fell
minutes behind late in a test session. `apply()` makes those scans read the clock once and compare numbers.

Fourth artefact: moto's long poll spins. `ReceiveMessage` with `WaitTimeSeconds` loops on `wait_for_messages`,
which returns at once while any message is *visible*; a FIFO message whose group has a batch in flight is visible
but not deliverable, so the loop spun for the whole wait holding the GIL, and a local stack with several FIFO
pollers slowed concurrent requests from tens of ms to seconds. `apply()` makes each turn of that loop sleep until a
message is added or 50 ms pass, as a real long poll would wait.

Fifth artefact: moto parses a condition expression again for every item it guards, about 0.35 ms each (two
parses per Put inside a transaction): writing 100,000 codes, each conditional on `attribute_not_exists(code)`,
spent a third of its time lexing that one string. `apply()` keeps the parsed expression for each expression, names
and the values it references: the parsed tree only reads the item it is evaluated against, so sharing it changes
no answer (an expression that fails to parse is parsed, and refused, every time).
"""

from __future__ import annotations

import copy
import functools
import threading
import time
import types
from typing import Any

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb import models as ddb
    from moto.dynamodb.models.table import Table

    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    ddb.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)  # type: ignore[attr-defined,assignment]
    original = ddb.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Any, Any, Any, Any]] = []
        for entry in transact_items:
            try:
                op_type, op = next(iter(entry.items()))
                table = self.tables[op["TableName"]]
                attrs = op["Item"] if op_type == "Put" else op["Key"]
                hash_key = ddb.DynamoType(attrs[table.hash_key_attr])
                range_key = ddb.DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
            except Exception:  # noqa: BLE001 - malformed items: moto's own validation answers
                continue
            old = table.items.get(hash_key) if range_key is None else table.items.get(hash_key, {}).get(range_key)
            saved.append((table, hash_key, range_key, copy.deepcopy(old)))
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, old in reversed(saved):
                if range_key is None:
                    if old is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = old
                else:
                    bucket = table.items.setdefault(hash_key, {})
                    if old is None:
                        bucket.pop(range_key, None)
                    else:
                        bucket[range_key] = old
            raise

    ddb.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _cheap_sqs_scans()
    _parsed_conditions_kept()
    for name in LOCKED:
        method = getattr(ddb.DynamoDBBackend, name, None)
        if method is not None:
            setattr(ddb.DynamoDBBackend, name, _locked(method))
    _applied = True


LOCKED = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "transact_write_items",
)
_LOCK = threading.RLock()


def _locked(method: Any) -> Any:
    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return run


LONG_POLL_TURN_SECONDS = 0.05
"""Longest pause of one turn of moto's long-poll loop: a message added meanwhile ends it at once."""


def _now_millis() -> float:
    return time.time() * 1000


CONDITIONS_KEPT = 4096
"""Parsed condition expressions kept: the few the code writes over and over (the oldest dropped when full)."""


class _KeptParse:
    """Stands in for moto's ConditionExpressionParser: `parse()` answers a kept tree for the same expression, names
    and the values it references (other values of the request, e.g. an update's, do not matter)."""

    _trees: dict[tuple[str, ...], tuple[Any, list[str], list[str]]] = {}
    _referenced: dict[tuple[str, ...], list[str]] = {}
    _lock = threading.Lock()

    def __init__(self, parser: Any, expr: str | None, names: Any, values: Any) -> None:
        self._parser, self._expr, self._names, self._values = parser, expr, names, values
        self.expr_attr_names_found: list[str] = []
        self.expr_attr_values_found: list[str] = []

    def parse(self) -> Any:
        try:
            head = (self._expr or "", repr(self._names))  # the same code sends its names in the same order
            referenced = self._referenced.get(head)
            key = None
            if referenced is not None:
                key = (*head, repr([self._values[k] for k in referenced]))
        except (TypeError, KeyError):
            return self._parse_now(None, None)
        kept = self._trees.get(key) if key is not None else None
        if kept is None:
            return self._parse_now(head, key)
        tree, self.expr_attr_names_found, self.expr_attr_values_found = kept[0], list(kept[1]), list(kept[2])
        return tree

    def _parse_now(self, head: tuple[str, ...] | None, key: tuple[str, ...] | None) -> Any:
        parser = self._parser(self._expr, self._names, self._values)
        tree = parser.parse()
        self.expr_attr_names_found = list(parser.expr_attr_names_found)
        self.expr_attr_values_found = list(parser.expr_attr_values_found)
        if head is not None:
            found = sorted(set(parser.expr_attr_values_found))
            key = key or (*head, repr([self._values[k] for k in found]))
            with self._lock:
                if len(self._trees) >= CONDITIONS_KEPT:
                    self._trees.clear()
                self._referenced[head] = found
                self._trees[key] = (tree, list(self.expr_attr_names_found), list(self.expr_attr_values_found))
        return tree


def _parsed_conditions_kept() -> None:
    from moto.dynamodb import comparisons, responses
    from moto.dynamodb import models as ddb

    parser = comparisons.ConditionExpressionParser

    def create(expr: str | None, names: Any, values: Any) -> Any:
        return _KeptParse(parser, expr, names, values)

    for module in (comparisons, ddb, responses):
        module.create_condition_expression_parser = create  # type: ignore[attr-defined]


def _cheap_sqs_scans() -> None:
    """moto's SQS visibility checks and queue counters with one clock read per scan (same results, no datetimes)."""
    from moto.sqs.models import Message, Queue

    Message.visible = property(lambda self: _now_millis() > self.visible_at)  # type: ignore[method-assign,assignment]
    Message.delayed = property(lambda self: _now_millis() < self.delayed_until)  # type: ignore[method-assign,assignment]

    def messages(self: Any) -> list[Any]:
        now = _now_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    def delayed(self: Any) -> int:
        now = _now_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    def not_visible(self: Any) -> int:
        now = _now_millis()
        return sum(1 for m in self._messages if not now > m.visible_at)

    def wait_for_messages(self: Any, timeout: float) -> None:
        with self._messages_lock:
            self._messages_lock.wait(timeout=min(timeout, LONG_POLL_TURN_SECONDS))  # woken by a new message

    Queue.wait_for_messages = wait_for_messages  # type: ignore[method-assign]
    Queue.messages = property(messages)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[method-assign,assignment]
