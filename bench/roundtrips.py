"""DynamoDB round trips per API call, counted in-process (moto) by hooking every botocore client.

pynamodb (the product's tables), powertools' idempotency layer and boto3 all end in
`botocore.client.BaseClient._make_api_call`; the hook records the DynamoDB operations each handler
invocation makes, with the tables they touch. Set-up calls (campaign, code, keys) are not counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.common import PUBLISHABLE, SECRET, in_process_aws, invoke, load_function, record

TARGETS = {"validate": 1, "redeem": 2, "rollback": 2, "replay": 1}
SAME = -1
"""The target of a request with an Idempotency-Key on orders and refunds: what the same request costs without one."""


class Recorder:
    """Records DynamoDB API calls (name and tables) while `active`."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.active = False
        self._original: Callable[..., Any] | None = None

    def install(self) -> None:
        from botocore.client import BaseClient

        original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private in the stubs
        self._original = original
        recorder = self

        def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if recorder.active and client.meta.service_model.service_name == "dynamodb":
                recorder.calls.append(describe(operation_name, api_params))
            return original(client, operation_name, api_params)

        setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            setattr(BaseClient, "_make_api_call", self._original)  # noqa: B010

    def measure(self, fn: Callable[[], Any]) -> tuple[Any, list[str]]:
        self.calls, self.active = [], True
        try:
            result = fn()
        finally:
            self.active = False
        return result, self.calls


def _short(table: str) -> str:
    """passaparola-local-CodesTable (or passaparola-codes) → codes."""
    if not table:
        return "?"
    last = table.rsplit("-", 1)[-1]
    return (last[:-5] if last.endswith("Table") else last).lower()


def describe(operation: str, params: dict[str, Any]) -> str:
    """`TransactGetItems(codes,campaigns)`: the operation and the tables of its items, in order."""
    tables: list[str] = []
    if "TransactItems" in params:
        for item in params["TransactItems"]:
            (op,) = item.values()
            tables.append(_short(op.get("TableName", "")))
    elif "RequestItems" in params:
        tables = [_short(t) for t in params["RequestItems"]]
    elif "TableName" in params:
        tables = [_short(params["TableName"])]
    counts: dict[str, int] = {}
    for t in tables:
        counts[t] = counts.get(t, 0) + 1
    inside = ",".join(f"{t}×{n}" if n > 1 else t for t, n in counts.items())
    return f"{operation}({inside})"


@dataclass
class Case:
    name: str
    calls: list[str]
    status: int
    target: int | None = None


def run(_args: Any = None) -> list[Case]:
    print("\n== roundtrips: DynamoDB API calls per request (in-process, moto) " + "=" * 30)
    recorder = Recorder()
    cases: list[Case] = []
    with in_process_aws():
        campaigns_fn = load_function("campaigns")
        coupons_fn = load_function("coupons")
        conversions_fn = load_function("conversions")
        status, campaign = invoke(
            campaigns_fn,
            "POST",
            "/v1/campaigns",
            "/v1/campaigns",
            {
                "name": "bench",
                "type": "discount",
                "discount": {"type": "percent", "percent_off": 10},
                "rules": {"max_redemptions": 1_000_000, "max_redemptions_per_code": 1_000_000},
            },
        )
        assert status == 201, campaign
        cid = campaign["id"]
        codes = []
        for _ in range(4):
            code = "RT" + uuid.uuid4().hex[:10].upper()
            status, body = invoke(
                campaigns_fn, "POST", f"/v1/campaigns/{cid}/codes", "/v1/campaigns/{campaign_id}/codes", {"code": code}
            )
            assert status == 201, body
            codes.append(code)
        status, hot = invoke(
            campaigns_fn,
            "POST",
            "/v1/campaigns",
            "/v1/campaigns",
            {
                "name": "bench hot",
                "type": "discount",
                "discount": {"type": "percent", "percent_off": 10},
                "rules": {"max_redemptions": 1_000_000, "hot_shards": 16},
            },
        )
        assert status == 201, hot
        hot_code = "HOT" + uuid.uuid4().hex[:10].upper()
        status, body = invoke(
            campaigns_fn,
            "POST",
            f"/v1/campaigns/{hot['id']}/codes",
            "/v1/campaigns/{campaign_id}/codes",
            {"code": hot_code},
        )
        assert status == 201, body
        # the set-up went through the campaigns function; the coupons function is a separate container
        # that has seen no code yet, but both share the process-wide caches: start from empty ones
        from passaparola.api import keys
        from passaparola.data import coupons as store
        from passaparola.data import shards

        store._CAMPAIGN_OF_CODE.clear()
        shards.forget_reads()
        keys._cache.clear()

        recorder.install()
        try:

            def order(oid: str | None = None) -> dict[str, Any]:
                o: dict[str, Any] = {
                    "amount": 10000,
                    "currency": "EUR",
                    "items": [{"sku": "SKU-A", "quantity": 1, "unit_price": 10000}],
                }
                if oid:
                    o["id"] = oid
                return o

            def case(name: str, target: int | None, fn: Callable[[], tuple[int, Any]]) -> Any:
                if target == SAME:  # the case just before: the same request without the key
                    target = len(cases[-1].calls)
                (status, body), calls = recorder.measure(fn)
                cases.append(Case(name, calls, status, target))
                if status >= 300 and "already" not in name and "unknown" not in name:
                    raise RuntimeError(f"{name}: HTTP {status} {body}")
                return body

            def validate(code: str, key: str = SECRET, customer: str | None = None) -> Callable[[], Any]:
                body: dict[str, Any] = {"code": code, "order": order()}
                if customer:
                    body["customer_id"] = customer
                return lambda: invoke(coupons_fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", body, key=key)

            def redeem(code: str, oid: str, customer: str | None = None, idem: str | None = None) -> Callable[[], Any]:
                body: dict[str, Any] = {"code": code, "order": order(oid)}
                if customer:
                    body["customer_id"] = customer
                headers = {"Idempotency-Key": idem} if idem else None
                return lambda: invoke(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", body, headers=headers)

            def rollback(rid: str, idem: str | None = None) -> Callable[[], Any]:
                headers = {"Idempotency-Key": idem} if idem else None
                return lambda: invoke(
                    coupons_fn,
                    "POST",
                    f"/v1/redemptions/{rid}/rollback",
                    "/v1/redemptions/{redemption_id}/rollback",
                    {},
                    headers=headers,
                )

            c0, c1, c2, c3 = codes
            case(
                "API key lookup: first request with the secret key (cold key cache) + validate (cold code)",
                None,
                validate(c0),
            )
            case(
                "API key lookup: first request with the publishable key + validate (warm code)",
                None,
                validate(c0, key=PUBLISHABLE),
            )
            case("validate, cold (code first seen by this container)", None, validate(c1))
            case("validate, warm", TARGETS["validate"], validate(c1))
            case("validate, warm, with customer_id", TARGETS["validate"], validate(c1, customer="cus_1"))
            case("validate, unknown code", None, validate("NOSUCHCODE"))
            case("redeem, cold (code first seen by this container)", None, redeem(c2, "ord_a"))
            r = case("redeem, warm", TARGETS["redeem"], redeem(c1, "ord_b"))
            r_cus = case("redeem, warm, with customer_id", TARGETS["redeem"], redeem(c1, "ord_c", customer="cus_1"))
            case("redeem, same order again (answers the first redemption)", None, redeem(c1, "ord_b"))
            r_idem = case(
                "redeem, warm, with Idempotency-Key", TARGETS["redeem"], redeem(c1, "ord_d", idem="k-redeem-1")
            )
            case("redeem, Idempotency-Key replayed", TARGETS["replay"], redeem(c1, "ord_d", idem="k-redeem-1"))
            case("rollback", TARGETS["rollback"], rollback(r["id"]))
            case("rollback, with customer_id", TARGETS["rollback"], rollback(r_cus["id"]))
            case("rollback, already rolled back", None, rollback(r["id"]))
            case("rollback, with Idempotency-Key", TARGETS["rollback"], rollback(r_idem["id"], idem="k-rollback-1"))
            case("rollback, Idempotency-Key replayed", TARGETS["replay"], rollback(r_idem["id"], idem="k-rollback-1"))

            def report(oid: str, coupon: str | None = None, idem: str | None = None) -> Callable[[], Any]:
                body: dict[str, Any] = {"id": oid, "customer_id": f"cus_{oid}", **order()}
                if coupon:
                    body["coupon_code"] = coupon
                headers = {"Idempotency-Key": idem} if idem else None
                return lambda: invoke(conversions_fn, "POST", "/v1/orders", "/v1/orders", body, headers=headers)

            def refund(oid: str, idem: str | None = None) -> Callable[[], Any]:
                headers = {"Idempotency-Key": idem} if idem else None
                path = f"/v1/orders/{oid}/refund"
                return lambda: invoke(
                    conversions_fn, "POST", path, "/v1/orders/{order_id}/refund", {"amount": 100}, headers=headers
                )

            case("order, cold (first order this container sees)", None, report("ord_o0"))
            case("order", None, report("ord_o1"))
            case("order, with Idempotency-Key", SAME, report("ord_o2", idem="k-order-1"))
            case("order, Idempotency-Key replayed", TARGETS["replay"], report("ord_o2", idem="k-order-1"))
            case("order with a coupon, cold (code first seen)", None, report("ord_o5", coupon=c3))
            case("order with a coupon", None, report("ord_o3", coupon=c3))
            case("order with a coupon, with Idempotency-Key", SAME, report("ord_o4", coupon=c3, idem="k-order-2"))
            case(
                "order with a coupon, Idempotency-Key replayed",
                TARGETS["replay"],
                report("ord_o4", coupon=c3, idem="k-order-2"),
            )
            case("refund", None, refund("ord_o3"))
            case("refund, with Idempotency-Key", SAME, refund("ord_o4", idem="k-refund-1"))
            case("refund, Idempotency-Key replayed", TARGETS["replay"], refund("ord_o4", idem="k-refund-1"))
            case("redeem, hot code, first (its items read and kept a second)", None, redeem(hot_code, "ord_h0"))
            case("validate, hot code, warm", TARGETS["validate"], validate(hot_code))
            r_hot = case("redeem, hot code, warm", TARGETS["redeem"], redeem(hot_code, "ord_h1"))
            case("rollback, hot code", TARGETS["rollback"], rollback(r_hot["id"]))
        finally:
            recorder.uninstall()

    width = max(len(c.name) for c in cases)
    for c in cases:
        target = f"(target ≤ {c.target})" if c.target is not None else ""
        print(f"  {c.name.ljust(width)}  {len(c.calls)} {target:<13} HTTP {c.status}  {' + '.join(c.calls) or '-'}")
    for c in cases:
        if c.target is not None:
            record(
                "roundtrips",
                c.name,
                f"{len(c.calls)} ({' + '.join(x.split('(')[0] for x in c.calls)})",
                f"≤ {c.target}",
                len(c.calls) <= c.target,
            )
    for c in cases:
        if c.target is None and ("cold" in c.name or "Idempotency-Key" in c.name) and "API key" not in c.name:
            record("roundtrips", c.name, str(len(c.calls)))
    return cases


if __name__ == "__main__":
    run()
