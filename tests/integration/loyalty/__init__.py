"""Customers, engagement, segments, loyalty points and the wallet over real HTTP, against docs/loyalty.md.

Helpers for the loyalty tests: the shop's loyalty program (one per stack: `PROGRAM`, set up once per session by
the `program` fixture), customers, orders, events, the ledger, the catalogue, the wallet, segments, and the
stack's clock (`Clock`, the `clock` fixture).

Time moves the contract's way: the `clock` fixture freezes the stack's clock (POST /local/clock) and a test
advances it, then runs the daily job (`stack.run_job("LoyaltyDailyFunction")`) as the schedule would. The clock
only ever moves forward over the session (each test that uses it starts a day after the latest instant an
earlier one reached), so the daily job never sees time go back; it is always restored to real time after the
test. The job is global: tests assert on their own customers only. Every customer id is unique per test.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import requests
from api import Api, uid

DAILY_JOB = "LoyaltyDailyFunction"

# --------------------------------------------------------------------------------------- the program
# social_follow only pays inside this window (far ahead of any instant the session's clock reaches before the
# window test moves it there).
FOLLOW_STARTS = datetime(2100, 3, 1, tzinfo=UTC)
FOLLOW_ENDS = datetime(2100, 4, 1, tzinfo=UTC)

ORDER_RULE = {
    "event": "order_paid",
    "points_per_unit": 1,
    "unit_amount": 100,
    "currency": "EUR",
    "exclude_categories": ["gift-cards"],
}
GOLD_ENTRY_POINTS = 200
DINNER_NOTE = "Dinner with the founders in Milan: we will write to you with the date."


def program_fields(stocked_reward_id: str) -> dict[str, Any]:
    """The loyalty program every test of the session runs against (the issue's example, extended).

    - order_paid: 1 point per full EUR paid (after the coupon), gift cards excluded, EUR orders only
    - review 50 (at most twice a UTC day), nps_answer 20, signup 100, birthday 200, referral 300,
      social_follow 30 (only in March 2100), custom:quiz 20 (at most 40 points a UTC week)
    - order points pending 14 days; points expire 365 days after release (warned 30 days before)
    - tiers Silver 0 / Gold 1000 (x1.5, 200 points on entry) / Platinum 5000 (x2), kept 365 days, one level
      down at most at review
    - catalogue: ten-off (500), free-shipping (300), store-credit (1000 → 15.00 EUR), a recognition with stock 2
      (100, a fresh id per session so its stock is fresh), gold-mug (200, Gold and above)
    """
    return {
        "earning_rules": [
            copy.deepcopy(ORDER_RULE),
            {"event": "review", "points": 50, "cap": {"period": "day", "max_times": 2}},
            {"event": "nps_answer", "points": 20},
            {"event": "signup", "points": 100},
            {"event": "birthday", "points": 200},
            {"event": "referral", "points": 300},
            {"event": "social_follow", "points": 30, "starts_at": iso(FOLLOW_STARTS), "ends_at": iso(FOLLOW_ENDS)},
            {"event": "custom:quiz", "points": 20, "cap": {"period": "week", "max_points": 40}},
        ],
        "pending_days": 14,
        "expiry": {"policy": "fixed", "days": 365, "warn_days": 30},
        "tiers": [
            {"name": "Silver", "min_points": 0},
            {
                "name": "Gold",
                "min_points": 1000,
                "multiplier": 1.5,
                "entry_reward": {"type": "points", "points": GOLD_ENTRY_POINTS},
            },
            {"name": "Platinum", "min_points": 5000, "multiplier": 2},
        ],
        "tier_policy": {"window": "rolling_12_months", "keep_days": 365, "fallback": "one_level"},
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
                "id": stocked_reward_id,
                "name": "Dinner with the founders",
                "cost": 100,
                "stock": 2,
                "reward": {"type": "recognition", "kind": "event", "note": DINNER_NOTE},
            },
            {
                "id": "gold-mug",
                "name": "The Gold mug",
                "cost": 200,
                "min_tier": "Gold",
                "reward": {"type": "coupon", "discount": {"type": "unit", "sku": "MUG", "quantity": 1}},
            },
        ],
        "auto_enroll": True,
        "enrollment_url": "https://shop.example/club",
    }


# --------------------------------------------------------------------------------------- plain helpers
def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_ts(value: str) -> datetime:
    assert isinstance(value, str) and value.endswith("Z") and "T" in value, f"not a UTC ISO-8601 time: {value!r}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def cid(prefix: str = "cust-") -> str:
    """A fresh customer id."""
    return uid(prefix)


def email_of(customer_id: str) -> str:
    return f"{customer_id.lower()}@example.org"


def line(sku: str = "SKU-L", quantity: int = 1, unit_price: int = 1000, categories: list[str] | None = None) -> dict:
    return {"sku": sku, "quantity": quantity, "unit_price": unit_price, "categories": categories or []}


def one(items: Iterable[dict], **match: Any) -> dict:
    """The single item whose fields equal `match`."""
    found = [i for i in items if all(i.get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected exactly one item with {match}, got {len(found)}: {found}"
    return found[0]


def where(items: Iterable[dict], **match: Any) -> list[dict]:
    return [i for i in items if all(i.get(k) == v for k, v in match.items())]


def moves(ledger: list[dict]) -> list[tuple[str, int, int | None]]:
    """The ledger as (type, points, balance_after), oldest first."""
    return [(e["type"], e["points"], e["balance_after"]) for e in ledger]


def assert_consistent(ledger: list[dict]) -> None:
    """Oldest first, every line's balance_after follows from the line before it (pend and voided pending
    lines move no balance). Only a refund's reverse takes the balance below zero (a points debt); a spend or
    an expiry never does."""
    balance = 0
    for entry in ledger:
        if entry["type"] in ("earn", "release", "spend", "expire") or (
            entry["type"] == "reverse" and entry["balance_after"] != balance
        ):
            balance += entry["points"]
        assert entry["balance_after"] == balance, f"out of order or inconsistent at {entry}: {moves(ledger)}"
        assert balance >= 0 or entry["type"] in ("reverse", "earn", "release"), moves(ledger)


def in_parallel(fn: Callable[[Any], Any], args: Iterable[Any]) -> list[Any]:
    """`fn(arg)` for every arg at once (one thread each, released together, each with its own HTTP session)."""
    args = list(args)
    barrier = threading.Barrier(len(args))

    def run(arg: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=10)
        return fn(arg)

    with ThreadPoolExecutor(max_workers=len(args)) as pool:
        return list(pool.map(run, args))


# --------------------------------------------------------------------------------------- the clock
_cursor_lock = threading.Lock()
_cursor: datetime | None = None
"""The latest instant the session's clock reached: the next test starts after it."""


def next_start() -> datetime:
    """Noon UTC of the day after max(real now, the latest frozen instant of the session)."""
    with _cursor_lock:
        base = max(datetime.now(UTC), _cursor) if _cursor else datetime.now(UTC)
    day = (base + timedelta(days=1)).date()
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _reached(instant: datetime) -> None:
    global _cursor
    with _cursor_lock:
        if _cursor is None or instant > _cursor:
            _cursor = instant


class Clock:
    """The stack's frozen clock for one test: every request sees exactly `now` until the test moves it."""

    def __init__(self, stack: Any, start: datetime) -> None:
        self.stack = stack
        self.now = start
        self.set(start)

    def set(self, when: datetime) -> datetime:
        assert when.tzinfo is not None, "an aware datetime"
        assert when >= self.now, f"the clock only moves forward ({iso(when)} < {iso(self.now)})"
        answer = self.stack.set_clock(when)
        assert answer == {"now": iso(when), "frozen": True}, answer
        self.now = when
        _reached(when)
        return when

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        return self.set(self.now + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds))

    def tick(self) -> datetime:
        """One second later: consecutive actions of a story happen at distinct instants."""
        return self.advance(seconds=1)

    def to_date(self, day: date, at: time = time(12, 0)) -> datetime:
        """That day at `at` UTC (which must not be in the clock's past)."""
        return self.set(datetime.combine(day, at, tzinfo=UTC))

    def next_january(self, day: int = 10) -> datetime:
        """Noon of `day` January next year: a story that needs one calendar year ahead of it."""
        return self.to_date(date(self.now.year + 1, 1, day))

    @property
    def today(self) -> date:
        return self.now.date()

    def iso(self) -> str:
        return iso(self.now)

    def restore(self) -> None:
        self.stack.set_clock(None)


# --------------------------------------------------------------------------------------- the client
class Loyalty(Api):
    """`Api` plus the customer, event, loyalty, wallet and segment calls. Methods named like a noun assert success."""

    # -- the program --------------------------------------------------------------------------------
    def campaigns(self) -> list[dict]:
        return self.list_all("/v1/campaigns", limit=100)

    def loyalty_programs(self) -> list[dict]:
        return [c for c in self.campaigns() if c.get("type") == "loyalty"]

    # -- customers ----------------------------------------------------------------------------------
    def put_customer(self, customer_id: str, **profile: Any) -> requests.Response:
        return self.request("PUT", f"/v1/customers/{customer_id}", json=profile)

    def profile(self, customer_id: str, **profile: Any) -> dict:
        """PUT the profile (201 or 200): the Customer answered."""
        r = self.put_customer(customer_id, **profile)
        assert r.status_code in (200, 201), f"PUT /v1/customers/{customer_id} {profile} → {r.status_code} {r.text}"
        return r.json()

    def get_customer(self, customer_id: str) -> requests.Response:
        return self.get(f"/v1/customers/{customer_id}")

    def customer(self, customer_id: str) -> dict:
        r = self.get_customer(customer_id)
        assert r.status_code == 200, f"GET /v1/customers/{customer_id} → {r.status_code} {r.text}"
        return r.json()

    def status(self, customer_id: str) -> dict:
        """The customer's `loyalty` {member, balance, pending, tier}."""
        return self.customer(customer_id)["loyalty"]

    def erase(self, customer_id: str) -> requests.Response:
        return self.request("DELETE", f"/v1/customers/{customer_id}")

    # -- orders ---------------------------------------------------------------------------------------
    def place_order(
        self,
        customer_id: str,
        amount: int | None = None,
        items: list[dict] | None = None,
        currency: str = "EUR",
        order_id: str | None = None,
        **extra: Any,
    ) -> requests.Response:
        """POST /v1/orders; one line worth `amount` unless `items` are given (then `amount` defaults to their sum)."""
        if items is None:
            items = [line("SKU-L", 1, amount if amount is not None else 5000)]
        if amount is None:
            amount = sum(i["quantity"] * i["unit_price"] for i in items)
        body: dict[str, Any] = {
            "id": order_id or uid("ord_"),
            "customer_id": customer_id,
            "amount": amount,
            "currency": currency,
            "items": items,
        }
        body.update({k: v for k, v in extra.items() if v is not None})
        return self.post("/v1/orders", json=body)

    def order(self, customer_id: str, amount: int | None = None, **kwargs: Any) -> dict:
        """A new order: 201 OrderOutcome."""
        r = self.place_order(customer_id, amount, **kwargs)
        assert r.status_code == 201, f"POST /v1/orders → {r.status_code} {r.text}"
        return r.json()

    def refund(self, order_id: str, amount: int | None = None) -> dict:
        body = {} if amount is None else {"amount": amount}
        r = self.post(f"/v1/orders/{order_id}/refund", json=body)
        assert r.status_code == 200, f"refund {order_id} {body} → {r.status_code} {r.text}"
        return r.json()

    # -- engagement events -----------------------------------------------------------------------------
    def send_event(self, customer_id: str, type_: str, event_id: str | None = None, **fields: Any) -> requests.Response:
        body: dict[str, Any] = {"id": event_id or uid("evt_"), "customer_id": customer_id, "type": type_}
        body.update({k: v for k, v in fields.items() if v is not None})
        return self.post("/v1/events", json=body)

    def event(self, customer_id: str, type_: str, **fields: Any) -> dict:
        """A new event: 201 EventOutcome."""
        r = self.send_event(customer_id, type_, **fields)
        assert r.status_code == 201, f"POST /v1/events {type_} {fields} → {r.status_code} {r.text}"
        return r.json()

    def review(self, customer_id: str, rating: int = 5) -> dict:
        return self.event(customer_id, "review", rating=rating)

    # -- points -------------------------------------------------------------------------------------------
    def pages(self, path: str, params: dict[str, Any] | None = None, limit: int | None = None) -> list[dict]:
        items: list[dict] = []
        cursor: str | None = None
        for _ in range(200):
            p = dict(params or {})
            if limit is not None:
                p["limit"] = limit
            if cursor:
                p["cursor"] = cursor
            r = self.get(path, params=p or None)
            assert r.status_code == 200, f"GET {path} {p} → {r.status_code} {r.text}"
            page = r.json()
            if limit is not None:
                assert len(page["items"]) <= limit, f"a page of {len(page['items'])} > limit {limit}"
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items
        raise AssertionError(f"{path}: more than 200 pages")

    def ledger(self, customer_id: str, limit: int | None = None) -> list[dict]:
        return self.pages(f"/v1/customers/{customer_id}/points/ledger", limit=limit)

    def moves(self, customer_id: str) -> list[tuple[str, int, int | None]]:
        return moves(self.ledger(customer_id))

    def balance(self, customer_id: str) -> int:
        return self.wallet(customer_id)["points"]["balance"]

    # -- catalogue ----------------------------------------------------------------------------------------
    def buy(self, customer_id: str, reward_id: str, idempotency_key: str | None = None) -> requests.Response:
        return self.post(
            f"/v1/customers/{customer_id}/rewards",
            json={"reward_id": reward_id},
            idempotency_key=idempotency_key or uid("idem-"),
        )

    def bought(self, customer_id: str, reward_id: str) -> dict:
        """A catalogue reward bought: 201 LoyaltyRedemption."""
        r = self.buy(customer_id, reward_id)
        assert r.status_code == 201, f"buy {reward_id} for {customer_id} → {r.status_code} {r.text}"
        return r.json()

    # -- wallet -------------------------------------------------------------------------------------------
    def wallet(self, customer_id: str) -> dict:
        r = self.get(f"/v1/customers/{customer_id}/wallet")
        assert r.status_code == 200, f"GET wallet {customer_id} → {r.status_code} {r.text}"
        return r.json()

    def issue_token(self, customer_id: str, ttl_seconds: int | None = None) -> requests.Response:
        body = {} if ttl_seconds is None else {"ttl_seconds": ttl_seconds}
        return self.post(f"/v1/customers/{customer_id}/token", json=body)

    def token(self, customer_id: str, ttl_seconds: int | None = None) -> dict:
        r = self.issue_token(customer_id, ttl_seconds)
        assert r.status_code in (200, 201), f"token for {customer_id} → {r.status_code} {r.text}"
        return r.json()

    def my_wallet(self, token: str | None, key: str | None = "publishable") -> requests.Response:
        headers = {"X-Customer-Token": token} if token is not None else None
        return self.get("/v1/me/wallet", key=key, headers=headers)

    # -- enrollment -----------------------------------------------------------------------------------------
    def enroll(self, key: str | None = "publishable", token: str | None = None, **body: Any) -> requests.Response:
        headers = {"X-Customer-Token": token} if token else None
        return self.post("/v1/loyalty/enroll", json=body, key=key, headers=headers)

    # -- segments ---------------------------------------------------------------------------------------
    def segments(self) -> list[dict]:
        r = self.get("/v1/segments")
        assert r.status_code == 200, f"GET /v1/segments → {r.status_code} {r.text}"
        return r.json()["items"]

    def segment(self, name: str) -> dict:
        return one(self.segments(), name=name)

    def members(self, name: str, limit: int | None = None) -> list[dict]:
        return self.pages(f"/v1/segments/{name}/customers", limit=limit)

    def changes(self, since: datetime, customer_id: str | None = None, limit: int | None = None) -> list[dict]:
        """Segment entries and exits since `since` (oldest first), only this customer's if given."""
        items = self.pages("/v1/segments/changes", {"since": iso(since)}, limit=limit)
        return [c for c in items if customer_id is None or c["customer_id"] == customer_id]

    # -- jobs -------------------------------------------------------------------------------------------
    def daily(self) -> Any:
        """Run the daily loyalty job once, now (the stack's clock)."""
        return self.stack.run_job(DAILY_JOB)


def entered(changes: list[dict], segment: str) -> list[dict]:
    return [c for c in changes if c["segment"] == segment and c["change"] == "entered"]


def exited(changes: list[dict], segment: str) -> list[dict]:
    return [c for c in changes if c["segment"] == segment and c["change"] == "exited"]
