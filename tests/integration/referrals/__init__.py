"""Referral programs over real HTTP, against docs/referrals.md (the contract).

Helpers for the referral tests: programs, links, orders, refunds, reviews, rewards, the release job.

Everything goes over real HTTP to the session's local stack (`stack` fixture, tests/integration/conftest.py).
The local stack has no clock control over HTTP, so time is moved the contract's way: an order placed
`days_ago(15)` in a program holding 14 days has a referrer reward whose `release_at` (created_at +
holding_days) has already passed, and the hourly job (`POST /local/jobs/RewardReleaseFunction`) releases it.

The job is global (it releases every due reward of the session): tests assert on their own customers'
rewards, never on the job's totals. Every customer, email and IP is unique per test.
"""

from __future__ import annotations

import contextlib
import copy
import random
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from api import TIMEOUT, Api, uid

RELEASE_JOB = "RewardReleaseFunction"

BLOCK_REASONS = frozenset(
    {"self_referral", "not_first_order", "already_referred", "below_minimum", "campaign_disabled"}
)
FLAG_REASONS = frozenset({"same_ip_as_referrer", "ip_reused", "disposable_email", "velocity", "referrer_cap_reached"})

AUTO: Any = object()

# The program of docs/referrals.md's example (the story).
EXAMPLE_PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    "conversion": {"event": "first_order", "min_order_amount": 3000, "currency": "EUR"},
    "holding_days": 14,
    "attribution": {"window_days": 30, "model": "first_touch"},
    "tiers": [{"referrals": 3, "reward": {"type": "points", "points": 500}}],
    "limits": {"max_rewarded_per_referrer": 20, "period_days": 30},
}


# -------------------------------------------------------------------------------------- plain helpers
def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def days_ago(days: float) -> str:
    """An order time `days` ago (UTC ISO-8601): with 15 and holding_days 14, release_at is already due."""
    return iso(datetime.now(UTC) - timedelta(days=days))


def parse_ts(value: str) -> datetime:
    assert isinstance(value, str) and value.endswith("Z") and "T" in value, f"not a UTC ISO-8601 time: {value!r}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


_ip_lock = threading.Lock()
_ips: set[str] = set()


def new_ip() -> str:
    """A fresh IPv4 address, never handed out twice in the session (each shopper has their own)."""
    with _ip_lock:
        while True:
            ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
            if ip not in _ips:
                _ips.add(ip)
                return ip


def new_email(local: str | None = None, domain: str = "example.org") -> str:
    return f"{local or uid('friend-').lower()}@{domain}"


def program_body(**overrides: Any) -> dict[str, Any]:
    """The example program with a unique name; top-level keys of `overrides` replace the example's."""
    body = copy.deepcopy(EXAMPLE_PROGRAM)
    body["name"] = f"Friends {uid()}"
    body.update(copy.deepcopy(overrides))
    return body


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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


# -------------------------------------------------------------------------------------- the client
class Referrals(Api):
    """`Api` plus the referral calls of docs/referrals.md. Methods named like a noun assert success."""

    # -- programs ---------------------------------------------------------------------------------
    def create_program(self, **overrides: Any) -> dict:
        body = program_body(**overrides)
        r = self.post("/v1/campaigns", json=body)
        assert r.status_code == 201, f"create referral program → {r.status_code} {r.text}"
        return r.json()

    def set_enabled(self, campaign_id: str, enabled: bool) -> dict:
        r = self.post(f"/v1/campaigns/{campaign_id}/{'enable' if enabled else 'disable'}", json={})
        assert r.status_code == 200, r.text
        return r.json()

    # -- links --------------------------------------------------------------------------------------
    def create_link(self, campaign_id: str, customer_id: str | None = None, **fields: Any) -> requests.Response:
        body: dict[str, Any] = {"customer_id": customer_id or uid("referrer-"), "campaign_id": campaign_id}
        body.update({k: v for k, v in fields.items() if v is not None})
        return self.post("/v1/referrals", json=body)

    def link(self, campaign_id: str, customer_id: str | None = None, name: str | None = "Anna", **fields: Any) -> dict:
        """A referrer's link (201 or 200); the referrer's id is `link["customer_id"]`."""
        r = self.create_link(campaign_id, customer_id, name=name, **fields)
        assert r.status_code in (200, 201), f"create link → {r.status_code} {r.text}"
        return r.json()

    def referral(self, code: str) -> dict:
        r = self.get(f"/v1/referrals/{code}")
        assert r.status_code == 200, f"GET /v1/referrals/{code} → {r.status_code} {r.text}"
        return r.json()

    def counts(self, code: str) -> dict:
        return self.referral(code)["counts"]

    def follow(self, code_or_url: str) -> requests.Response:
        """GET /r/{code} (or a share URL) with no key, without following the redirect."""
        url = code_or_url if code_or_url.startswith("http") else f"{self.url}/r/{code_or_url}"
        return self.session.get(url, allow_redirects=False, timeout=TIMEOUT)

    def track(self, type_: str, ref: str, key: str | None = "publishable", **fields: Any) -> requests.Response:
        body: dict[str, Any] = {"type": type_, "ref": ref}
        body.update({k: v for k, v in fields.items() if v is not None})
        return self.post("/v1/referrals/track", json=body, key=key)

    # -- orders -------------------------------------------------------------------------------------
    def place_order(
        self,
        customer_id: str | None = None,
        amount: int = 5000,
        currency: str = "EUR",
        referral_code: str | None = None,
        email: str | None = None,
        ip: Any = AUTO,
        created_at: str | None = None,
        order_id: str | None = None,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> requests.Response:
        """POST /v1/orders; a fresh shopper IP unless `ip` is given (None: no IP)."""
        body: dict[str, Any] = {
            "id": order_id or uid("ord_"),
            "customer_id": customer_id or uid("friend-"),
            "amount": amount,
            "currency": currency,
            "items": [{"sku": "SKU-REF", "quantity": 1, "unit_price": amount}],
        }
        if ip is AUTO:
            ip = new_ip()
        for k, v in (
            ("referral_code", referral_code),
            ("email", email),
            ("ip", ip),
            ("created_at", created_at),
        ):
            if v is not None:
                body[k] = v
        body.update(extra)
        return self.post("/v1/orders", json=body, idempotency_key=idempotency_key)

    def order_outcome(self, *args: Any, **kwargs: Any) -> dict:
        """A first-time order: 201 OrderOutcome."""
        r = self.place_order(*args, **kwargs)
        assert r.status_code == 201, f"POST /v1/orders → {r.status_code} {r.text}"
        return r.json()

    def refer(self, code: str, **kwargs: Any) -> dict:
        """A new friend (fresh id, email and IP) orders 50.00 EUR with `code`: their OrderOutcome."""
        kwargs.setdefault("customer_id", uid("friend-"))
        kwargs.setdefault("email", new_email())
        return self.order_outcome(referral_code=code, **kwargs)

    def get_order(self, order_id: str) -> requests.Response:
        return self.get(f"/v1/orders/{order_id}")

    def refund(self, order_id: str, amount: int | None = None, **fields: Any) -> requests.Response:
        body: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        if amount is not None:
            body["amount"] = amount
        return self.post(f"/v1/orders/{order_id}/refund", json=body)

    def event(self, **body: Any) -> requests.Response:
        body.setdefault("id", uid("evt_"))
        return self.post("/v1/referrals/events", json=body)

    # -- review -------------------------------------------------------------------------------------
    def conversions(self, status: str | None = None, campaign_id: str | None = None) -> list[dict]:
        items: list[dict] = []
        cursor: str | None = None
        for _ in range(100):
            params: dict[str, Any] = {"limit": 100}
            if status:
                params["status"] = status
            if campaign_id:
                params["campaign_id"] = campaign_id
            if cursor:
                params["cursor"] = cursor
            r = self.get("/v1/referrals/conversions", params=params)
            assert r.status_code == 200, f"GET /v1/referrals/conversions {params} → {r.status_code} {r.text}"
            page = r.json()
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items
        raise AssertionError("more than 100 pages of conversions")

    def approve(self, conversion_id: str, **body: Any) -> requests.Response:
        return self.post(f"/v1/referrals/conversions/{conversion_id}/approve", json=body)

    def reject(self, conversion_id: str, **body: Any) -> requests.Response:
        return self.post(f"/v1/referrals/conversions/{conversion_id}/reject", json=body)

    # -- rewards ------------------------------------------------------------------------------------
    def _pages(self, path: str, params: dict[str, Any] | None = None) -> list[dict]:
        items: list[dict] = []
        cursor: str | None = None
        for _ in range(100):
            p = dict(params or {})
            if cursor:
                p["cursor"] = cursor
            r = self.get(path, params=p or None)
            assert r.status_code == 200, f"GET {path} {p} → {r.status_code} {r.text}"
            page = r.json()
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items
        raise AssertionError(f"{path}: more than 100 pages")

    def rewards(self, customer_id: str, status: str | None = None) -> list[dict]:
        return self._pages(f"/v1/customers/{customer_id}/rewards", {"status": status} if status else None)

    def ledger(self, customer_id: str) -> list[dict]:
        return self._pages(f"/v1/customers/{customer_id}/rewards/ledger")

    def release(self) -> Any:
        """Run the hourly release job once (it releases every due reward of the session)."""
        return self.stack.run_job(RELEASE_JOB)

    # -- reports ------------------------------------------------------------------------------------
    def report(self, name: str, **params: Any) -> dict:
        r = self.get(f"/v1/reports/{name}", params=params)
        assert r.status_code == 200, f"GET /v1/reports/{name} {params} → {r.status_code} {r.text}"
        return r.json()


# -------------------------------------------------------------------------------------- reading answers
def one(items: Iterable[dict], **match: Any) -> dict:
    """The single item whose fields equal `match`."""
    found = [i for i in items if all(i.get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected exactly one item with {match}, got {len(found)}: {found}"
    return found[0]


def where(items: Iterable[dict], **match: Any) -> list[dict]:
    return [i for i in items if all(i.get(k) == v for k, v in match.items())]


def reward_of(outcome: dict, role: str) -> dict:
    """The outcome's single reward with this role (referee / referrer)."""
    return one(outcome["rewards"], role=role)


def decision(outcome: dict) -> tuple[str, list[str]]:
    ref = outcome.get("referral")
    assert ref is not None, f"the order was not attributed: {outcome}"
    return ref["status"], ref["reasons"]


def assert_converted(outcome: dict, code: str) -> None:
    """Accepted: no block or flag reason, referee reward released, referrer reward pending, not held."""
    status, reasons = decision(outcome)
    assert status == "converted", outcome
    assert not (set(reasons) & (BLOCK_REASONS | FLAG_REASONS)), outcome
    assert outcome["referral"]["code"] == code, outcome
    assert outcome["referral"]["conversion_id"], outcome
    referee, referrer = reward_of(outcome, "referee"), reward_of(outcome, "referrer")
    assert referee["status"] == "released", referee
    assert referrer["status"] == "pending", referrer
    assert referee["held"] is False and referrer["held"] is False, outcome


def assert_blocked(outcome: dict, reason: str) -> None:
    """Blocked: this reason among the reasons, no conversion rewards."""
    status, reasons = decision(outcome)
    assert status == "blocked", outcome
    assert reason in reasons, f"expected reason {reason!r}: {outcome}"
    assert outcome["rewards"] == [], outcome


def assert_flagged(outcome: dict, reason: str) -> None:
    """Flagged: this reason, both rewards pending and held, nothing paid (no coupon code)."""
    status, reasons = decision(outcome)
    assert status == "flagged", outcome
    assert reason in reasons, f"expected reason {reason!r}: {outcome}"
    assert outcome["referral"]["conversion_id"], outcome
    assert {r["role"] for r in outcome["rewards"]} == {"referee", "referrer"}, outcome
    for reward in outcome["rewards"]:
        assert reward["status"] == "pending", reward
        assert reward["held"] is True, reward
        assert reward["coupon_code"] is None, reward
