"""A tiny HTTP client for the integration tests: real requests against the local stack.

`Api(stack)` wraps the `stack` fixture (attributes `url`, `secret_key`, `publishable_key`).
Every helper that creates data uses unique names and codes: the stack keeps its data for the session.
"""

from __future__ import annotations

import json as jsonlib
import threading
import time
import uuid
from typing import Any

import requests

_MISSING: Any = object()
TIMEOUT = 120
"""Seconds a test waits for the local stack's answer: the races (twenty refunds, ten conversions and the release jobs)
queue behind the stack's one DynamoDB lock and took over 30 s on a machine 1.9x slower than usual; a hung request
still fails, and every race still asserts exact totals."""

FAR_PAST = "2001-01-01T00:00:00Z"
FAR_FUTURE = "2999-12-31T23:00:00Z"


def uid(prefix: str = "") -> str:
    """A short unique token, usable inside a code (A-Z0-9)."""
    return f"{prefix}{uuid.uuid4().hex[:12].upper()}"


def unique_code(prefix: str = "IT") -> str:
    return uid(f"{prefix}-")


def item(sku: str = "SKU-A", quantity: int = 1, unit_price: int = 1000, categories: list[str] | None = None) -> dict:
    out: dict[str, Any] = {"sku": sku, "quantity": quantity, "unit_price": unit_price}
    if categories is not None:
        out["categories"] = categories
    return out


def order(
    amount: int | None = None,
    currency: str = "EUR",
    items: list[dict] | None = None,
    id: str | None = None,  # noqa: A002 - the contract's field name
    **extra: Any,
) -> dict:
    """An order; by default one item whose line total equals `amount` (10000 if both omitted)."""
    if items is None:
        items = [item("SKU-A", 1, amount if amount is not None else 10000)]
    if amount is None:
        amount = sum(i["quantity"] * i["unit_price"] for i in items)
    out: dict[str, Any] = {"amount": amount, "currency": currency, "items": items, **extra}
    if id is not None:
        out["id"] = id
    return out


class Api:
    """`post/get/patch(path, json=..., key="secret"|"publishable"|None, headers=...)` → requests.Response."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.url = str(stack.url).rstrip("/")
        self._local = threading.local()

    # -- plumbing -----------------------------------------------------------------------------------
    @property
    def session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def auth_headers(self, key: str | None) -> dict[str, str]:
        if key is None:
            return {}
        if key == "secret":
            return {"Authorization": f"Bearer {self.stack.secret_key}"}
        if key == "publishable":
            return {"X-Publishable-Key": self.stack.publishable_key}
        raise ValueError(f"unknown key kind {key!r}")

    def request(
        self,
        method: str,
        path: str,
        json: Any = _MISSING,
        key: str | None = "secret",
        headers: dict[str, str] | None = None,
        data: bytes | str | None = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> requests.Response:
        h = self.auth_headers(key)
        if idempotency_key:
            h["Idempotency-Key"] = idempotency_key
        if json is not _MISSING:
            data = jsonlib.dumps(json)
            h.setdefault("Content-Type", "application/json")
        if headers:
            h.update(headers)
        return self.session.request(method, self.url + path, data=data, headers=h, params=params, timeout=TIMEOUT)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = _MISSING, **kw: Any) -> requests.Response:
        return self.request("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = _MISSING, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, json=json, **kw)

    # -- domain helpers -----------------------------------------------------------------------------
    def create_campaign(self, **overrides: Any) -> dict:
        """POST /v1/campaigns with a 10 % discount by default; top-level keys of `overrides` replace the defaults."""
        body: dict[str, Any] = {
            "name": f"it {uid()}",
            "type": "discount",
            "discount": {"type": "percent", "percent_off": 10},
            "rules": {},
        }
        body.update(overrides)
        r = self.post("/v1/campaigns", json=body)
        assert r.status_code == 201, f"create_campaign {body} → {r.status_code} {r.text}"
        return r.json()

    def create_codes(self, campaign_id: str, **body: Any) -> requests.Response:
        return self.post(f"/v1/campaigns/{campaign_id}/codes", json=body)

    def create_code(self, campaign_id: str, **body: Any) -> str:
        """One code (a unique public code unless `body` says otherwise); returns the code string."""
        if not body:
            body = {"code": unique_code()}
        r = self.create_codes(campaign_id, **body)
        assert r.status_code == 201, f"create_code {body} → {r.status_code} {r.text}"
        out = r.json()
        assert out["created"] == 1, out
        return out["codes"][0]["code"]

    def campaign(self, campaign_id: str) -> dict:
        r = self.get(f"/v1/campaigns/{campaign_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def code(self, code: str) -> dict:
        r = self.get(f"/v1/codes/{code}")
        assert r.status_code == 200, r.text
        return r.json()

    def validate(self, code: str, order_: dict, customer_id: str | None = None, key: str | None = "secret") -> dict:
        body: dict[str, Any] = {"code": code, "order": order_}
        if customer_id is not None:
            body["customer_id"] = customer_id
        r = self.post("/v1/coupons/validate", json=body, key=key)
        assert r.status_code == 200, f"validate {body} → {r.status_code} {r.text}"
        return r.json()

    def redeem(self, code: str, order_: dict, customer_id: str | None = None, **kw: Any) -> requests.Response:
        if "id" not in order_:
            order_ = {**order_, "id": uid("ord_")}
        body: dict[str, Any] = {"code": code, "order": order_}
        if customer_id is not None:
            body["customer_id"] = customer_id
        return self.post("/v1/redemptions", json=body, **kw)

    def rollback(self, redemption_id: str, **kw: Any) -> requests.Response:
        return self.post(f"/v1/redemptions/{redemption_id}/rollback", json={}, **kw)

    def list_all(self, path: str, limit: int = 100, max_pages: int = 200) -> list[dict]:
        """Follow `next_cursor` until the end; asserts each page respects `limit`."""
        items: list[dict] = []
        cursor: str | None = None
        for _ in range(max_pages):
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            r = self.get(path, params=params)
            assert r.status_code == 200, r.text
            page = r.json()
            assert len(page["items"]) <= limit, f"page of {len(page['items'])} > limit {limit}"
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items
        raise AssertionError(f"{path}: more than {max_pages} pages")


def error_code(r: requests.Response) -> str | None:
    try:
        return r.json()["error"]["code"]
    except Exception:  # noqa: BLE001 - reported by the caller's assertion
        return None


def assert_error(r: requests.Response, status: int, code: str, mentions: str | None = None) -> dict:
    """The error envelope {"error": {"code", "message", "details"}} with this status and code."""
    assert r.status_code == status, f"expected {status} {code}, got {r.status_code} {r.text[:2000]}"
    body = r.json()
    err = body.get("error")
    assert isinstance(err, dict), body
    assert err.get("code") == code, body
    assert isinstance(err.get("message"), str) and err["message"], body
    assert "details" in err, body
    if mentions is not None:
        assert mentions in jsonlib.dumps(err["details"]), f"details should mention {mentions!r}: {err['details']}"
    return err


def assert_refused(validation: dict, code: str) -> None:
    assert validation.get("valid") is False, validation
    assert validation["error"]["code"] == code, validation
    assert validation["error"]["message"], validation


def wait_until(fn: Any, timeout: float = 60.0, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
