"""What the events cost: DynamoDB round trips, write requests and items written per operation, without and with them.

The same steps run twice, each on a fresh in-process moto with the tables of template.yaml: first with
`passaparola.events.outbox.record` replaced by a no-op (the product as it was before events), then as shipped.
The events of a transaction are ONE more Put inside it, whatever their number (docs/integrations.md, "Events"), so
the round trips and write requests must be the same (a change made by one UpdateItem becomes a two-item
TransactWriteItems: still one request); the items written grow by at most one per write request. Counting
reuses bench/referrals.py's WriteRecorder (items of accepted write requests; ConditionChecks write nothing).
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import discount_with_code, in_process_aws, invoke, load_function, ok, record
from bench.referrals import WRITES, WriteRecorder

REDEMPTION_PATH = ("POST /v1/redemptions (coupon, warm)", "POST /v1/redemptions/{id}/rollback")
LOYALTY: dict[str, Any] = {
    "name": "Club",
    "type": "loyalty",
    "earning_rules": [{"event": "order_paid", "points_per_unit": 1, "unit_amount": 100, "currency": "EUR"}],
    "pending_days": 0,
    "expiry": {"policy": "never"},
    "tiers": [{"name": "Bronze", "min_points": 0}, {"name": "Gold", "min_points": 1000}],
    "rewards": [
        {
            "id": "five-off",
            "name": "5 EUR off",
            "cost": 500,
            "reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
        }
    ],
}
PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    "conversion": {"event": "first_order", "min_order_amount": 3000, "currency": "EUR"},
    "holding_days": 14,
    "fraud": {"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
}


@dataclass
class Figures:
    round_trips: int
    writes: int
    items: int
    events: list[str]
    calls: list[str] = field(default_factory=list)
    event_bytes: list[int] = field(default_factory=list)


def _event_items(params: dict[str, Any]) -> list[dict[str, Any]]:
    puts = [op["Put"] for op in params.get("TransactItems", []) if "Put" in op]
    if "Item" in params:
        puts.append(params)
    return [p["Item"] for p in puts if "event" in p.get("TableName", "").lower()]


def _event_bytes(params: dict[str, Any]) -> list[int]:
    """The size of each events item a request puts (names and values: about what DynamoDB bills)."""
    return [len(json.dumps(item, separators=(",", ":")).encode()) for item in _event_items(params)]


def _event_types(params: dict[str, Any]) -> list[str]:
    """The types of the events a write request puts (in the events table's items: one per transaction)."""
    return [e["type"] for item in _event_items(params) for e in json.loads(item["events"]["S"])]


class EventsRecorder(WriteRecorder):
    """WriteRecorder, plus how many of the written items are events."""

    def install(self) -> None:
        from botocore.client import BaseClient

        super().install()
        inner = getattr(BaseClient, "_make_api_call")  # noqa: B009 - the WriteRecorder's hook
        self._writes_hook = inner
        recorder = self

        def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            result = inner(client, operation_name, api_params)  # a refused request raises: its events never count
            if recorder.active and client.meta.service_model.service_name == "dynamodb":
                recorder.events += _event_types(api_params)
                recorder.event_bytes += _event_bytes(api_params)
            return result

        setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        setattr(BaseClient, "_make_api_call", self._writes_hook)  # noqa: B010
        super().uninstall()

    def measure(self, fn: Callable[[], Any]) -> tuple[Any, list[str]]:
        self.events: list[str] = []
        self.event_bytes: list[int] = []
        return super().measure(fn)


@contextlib.contextmanager
def events_off(off: bool) -> Iterator[None]:
    """`outbox.record` as a no-op: what every operation did before events."""
    from passaparola.events import outbox

    original = outbox.record
    if off:
        outbox.record = lambda *args, **kwargs: ""  # type: ignore[assignment]
    try:
        yield
    finally:
        outbox.record = original  # type: ignore[assignment]


def scenario(without_events: bool) -> dict[str, Figures]:
    """Every measured operation, in order, on a fresh moto; `without_events`: the outbox switched off."""
    from infra.local import moto_fixes
    from infra.local.invoke import LambdaContext

    moto_fixes.apply()
    out: dict[str, Figures] = {}
    recorder = EventsRecorder()
    with in_process_aws(), events_off(without_events):
        from passaparola import clock  # after the environment is set: powertools reads it at import
        from passaparola.api import keys
        from passaparola.data import campaigns as campaign_store
        from passaparola.data import customers as customer_store
        from passaparola.data import messages as message_store
        from passaparola.data.models.messages import MessageModel

        # warm containers throughout: the caches of campaigns, keys, segments and the engagement settings (5 to 60 s)
        # never expire during the run, so the two runs compare the same calls however slow the machine is
        frozen = types.SimpleNamespace(monotonic=lambda: 0.0)
        cached = (campaign_store, keys, customer_store)
        for module in cached:
            module.time = frozen  # type: ignore[attr-defined]

        campaigns_fn, coupons_fn = load_function("campaigns"), load_function("coupons")
        referrals_fn, conversions_fn = load_function("referrals"), load_function("conversions")
        loyalty_fn, release_fn = load_function("loyalty"), load_function("reward_release")

        def post(fn: Any, path: str, resource: str, body: Any, *expected: int) -> Callable[[], Any]:
            return lambda: ok(invoke(fn, "POST", path, resource, body), *expected)

        ok(invoke(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY), 201)
        program = ok(invoke(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM), 201)["id"]
        _, coupon = discount_with_code(campaigns_fn, "EV")

        def link(customer: str, ip: str | None = None) -> str:
            body = {"customer_id": customer, "campaign_id": program} | ({"ip": ip} if ip else {})
            return str(ok(invoke(referrals_fn, "POST", "/v1/referrals", "/v1/referrals", body), 201)["code"])

        def order(oid: str, customer: str, code: str | None, **extra: Any) -> Callable[[], Any]:
            body = {
                "id": oid,
                "customer_id": customer,
                "amount": 5000,
                "currency": "EUR",
                "items": [{"sku": "SKU-A", "quantity": 1, "unit_price": 5000}],
            } | extra
            if code:
                body["referral_code"] = code
            return post(conversions_fn, "/v1/orders", "/v1/orders", body, 200, 201)

        def redeem(oid: str, customer: str) -> Callable[[], Any]:
            body = {
                "code": coupon,
                "customer_id": customer,
                "order": {
                    "id": oid,
                    "amount": 5000,
                    "currency": "EUR",
                    "items": [{"sku": "A", "quantity": 1, "unit_price": 5000}],
                },
            }
            return post(coupons_fn, "/v1/redemptions", "/v1/redemptions", body, 201)

        def job() -> Any:
            event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "detail": {}}
            with contextlib.redirect_stdout(io.StringIO()):
                return release_fn.lambda_handler(event, LambdaContext())

        def case(name: str, fn: Callable[[], Any]) -> Any:
            result, calls = recorder.measure(fn)
            ops = recorder.ops
            writes = sum(1 for o in ops if o.operation in WRITES)
            items = sum(o.items for o in ops if not o.refused)
            out[name] = Figures(len(calls), writes, items, list(recorder.events), calls, list(recorder.event_bytes))
            return result

        # warm the containers (caches of campaigns, codes, the shop's LTV items, keys): not measured
        redeem("ord_warm", "cus_warm")()
        order("ord_warm2", "cus_warm", None)()
        order("ord_warm3", "cus_warm3", link("ref_warm"))()

        recorder.install()
        try:
            redemption = case(REDEMPTION_PATH[0], redeem("ord_r1", "cus_r1"))
            rid = redemption["id"]
            case(
                REDEMPTION_PATH[1],
                post(
                    coupons_fn, f"/v1/redemptions/{rid}/rollback", "/v1/redemptions/{redemption_id}/rollback", {}, 200
                ),
            )
            code = link("anna")
            case("POST /v1/orders, referral converts", order("ord_1", "bob", code, email="bob@shop.example"))
            case(
                "POST /v1/orders, the same order again (replay)", order("ord_1", "bob", code, email="bob@shop.example")
            )
            case("POST /v1/orders, no referral", order("ord_2", "carl", None))
            case(
                "POST /v1/orders/{id}/refund, voids the conversion",
                post(conversions_fn, "/v1/orders/ord_1/refund", "/v1/orders/{order_id}/refund", {}, 200),
            )
            old = (datetime.now(UTC) - timedelta(days=15)).isoformat()
            order("ord_3", "dan", link("eve"), created_at=old)()
            case("reward_release job, 1 due reward", job)
            flagged = order("ord_4", "fay", link("gus", ip="203.0.113.9"), ip="203.0.113.9")()
            cid = flagged["referral"]["conversion_id"]
            path = f"/v1/referrals/conversions/{cid}/approve"
            case(
                "review: approve",
                post(referrals_fn, path, "/v1/referrals/conversions/{conversion_id}/approve", {}, 200),
            )
            flagged = order("ord_5", "hal", link("ida", ip="203.0.113.7"), ip="203.0.113.7")()
            cid = flagged["referral"]["conversion_id"]
            path = f"/v1/referrals/conversions/{cid}/reject"
            case(
                "review: reject", post(referrals_fn, path, "/v1/referrals/conversions/{conversion_id}/reject", {}, 200)
            )
            adjust = "/v1/customers/carl/points/adjustments"
            resource = "/v1/customers/{customer_id}/points/adjustments"
            case(
                "points adjustment +1000 (reaches Gold)",
                post(loyalty_fn, adjust, resource, {"points": 1000, "reason": "bench"}, 201),
            )
            buy = "/v1/customers/carl/rewards"
            case(
                "reward bought with points",
                post(loyalty_fn, buy, "/v1/customers/{customer_id}/rewards", {"reward_id": "five-off"}, 201),
            )
            now = clock.now()
            for mid in ("msg_1", "msg_2"):
                MessageModel(mid, campaign_id="cmp_x", customer_id="carl", channel="email", status="sending").save()
            case("message sent (sender's record)", lambda: message_store.sent(MessageModel.get("msg_1"), "ses-1", now))
            case(
                "message failed (sender's record)",
                lambda: message_store.settle(
                    MessageModel.get("msg_2"), "failed", "rejected", "no", now, expect="sending"
                ),
            )
        finally:
            recorder.uninstall()
            for module in cached:
                module.time = time  # type: ignore[attr-defined]
    return out


def run(_args: Any = None) -> dict[str, tuple[Figures, Figures]]:
    print(
        "\n== events: round trips, write requests and items written, without → with events (in-process moto) " + "=" * 2
    )
    before, after = scenario(without_events=True), scenario(without_events=False)
    rows = {name: (before[name], after[name]) for name in before}
    width = max(len(n) for n in rows)
    print(f"  {'operation'.ljust(width)}  round trips  write requests  items written  events  transactions")
    for name, (b, a) in rows.items():
        tx = sum(1 for c in a.calls if c.startswith("TransactWriteItems"))
        print(
            f"  {name.ljust(width)}  {b.round_trips:>4} → {a.round_trips:<4}  {b.writes:>5} → {a.writes:<5}  "
            f"{b.items:>5} → {a.items:<5}  {len(a.events):>5}  {tx:>5}"
        )
    for name, (_, a) in rows.items():
        if a.events:
            print(f"  {name}: {', '.join(a.events)} (events items of {', '.join(map(str, a.event_bytes))} bytes)")
    for name, (b, a) in rows.items():
        same = a.round_trips == b.round_trips and a.writes == b.writes
        record(
            "events",
            f"{name}: round trips, write requests",
            f"{b.round_trips}, {b.writes} → {a.round_trips}, {a.writes}",
            "unchanged",
            same,
        )
    for name, (b, a) in rows.items():
        record(
            "events",
            f"{name}: items written",
            f"{b.items} → {a.items} ({a.writes} write requests)",
            "≤ 1 more per write request",
            a.items - b.items <= a.writes,
        )
    for name in REDEMPTION_PATH:
        b, a = rows[name]
        record("events", f"{name}: items written", f"{b.items} → {a.items}", "≤ 1 more", a.items - b.items <= 1)
    return rows


if __name__ == "__main__":
    run()
