"""Time to create codes through the product (`create_codes` → batch queued → `run_batch`) next to bare
`batch_write_item` of the same number of equivalent items (25 per call), in-process against moto.

The product writes each chunk of 98 codes with one TransactWriteItems (each code conditional on not
existing, plus the campaign's and the batch's counters); the baseline writes unconditionally with
BatchWriteItem. moto runs with bench.motopatch applied (its per-transaction deep copy of whole tables
would otherwise make the product's cost grow with the table size); `--stock-moto` shows the unpatched cost
on a small count.
"""

from __future__ import annotations

import argparse
import secrets
import time
from typing import Any

from bench.common import SECRET, in_process_aws, invoke, load_function, record

TARGET_RATIO = 1.3
DEFAULT_COUNT = 100_000
ROUNDS = 4
"""The count is written in this many slices, product and baseline alternating (A B B A ...): on a shared machine a
burst of other work then slows both sides alike instead of whichever happened to run during it."""
result_moto: dict[str, float] = {}


def _campaign(campaigns_fn: Any) -> str:
    status, body = invoke(
        campaigns_fn,
        "POST",
        "/v1/campaigns",
        "/v1/campaigns",
        {"name": "bench codes", "type": "discount", "discount": {"type": "percent", "percent_off": 10}},
        key=SECRET,
    )
    assert status == 201, body
    return str(body["id"])


class MotoClock:
    """Accumulates the time spent inside moto (the emulated DynamoDB) by in-process boto3 calls."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def install(self) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        original = BotocoreStubber.process_request
        clock = self

        def process_request(stubber: Any, request: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(stubber, request)
            finally:
                clock.seconds += time.perf_counter() - t0

        BotocoreStubber.process_request = process_request  # type: ignore[method-assign,assignment]


MOTO = MotoClock()


def product(count: int, campaign_id: str | None = None) -> tuple[float, float, str]:
    """(seconds to queue the batch, seconds to write it, batch id)"""
    from passaparola.campaigns.models import CreateCodesRequest
    from passaparola.coupons import service

    campaign_id = campaign_id or _campaign(load_function("campaigns"))
    t0 = time.perf_counter()
    created = service.create_codes(campaign_id, CreateCodesRequest(count=count))
    t1 = time.perf_counter()
    if created.batch is None:  # ≤ 1,000 codes are written synchronously
        return t1 - t0, 0.0, ""
    inside = MOTO.seconds
    batch = service.run_batch(created.batch.id)
    t2 = time.perf_counter()
    result_moto["product"] = result_moto.get("product", 0.0) + MOTO.seconds - inside
    assert batch.status == "completed" and batch.created == count, batch
    return t1 - t0, t2 - t1, batch.id


def baseline(count: int, campaign_id: str, batch_id: str) -> float:
    """BatchWriteItem of `count` items shaped like the product's codes (25 per call, unprocessed retried)."""
    import boto3

    from passaparola.settings import get_settings

    table = get_settings().codes_table
    ddb: Any = boto3.client("dynamodb", region_name="us-east-1")
    now = "2026-01-01T00:00:00.000000+0000"
    items = [
        {
            "PutRequest": {
                "Item": {
                    "code": {"S": "B" + secrets.token_hex(5).upper()},
                    "campaign_id": {"S": campaign_id},
                    "batch_id": {"S": batch_id},
                    "created_at": {"S": now},
                    "issued_at": {"S": now},
                    "redemptions": {"N": "0"},
                }
            }
        }
        for _ in range(count)
    ]
    t0, inside = time.perf_counter(), MOTO.seconds
    for i in range(0, count, 25):
        request = {table: items[i : i + 25]}
        while request:
            request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    result_moto["baseline"] = result_moto.get("baseline", 0.0) + MOTO.seconds - inside
    return time.perf_counter() - t0


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    from infra.local import moto_fixes

    count = getattr(args, "count", None) or DEFAULT_COUNT
    result: dict[str, Any] = {"count": count}
    if getattr(args, "stock_moto", False):
        print("\n== codes: stock moto (no patch), 490 codes written synchronously (5 transactions) " + "=" * 10)
        with in_process_aws(queues=True):
            queued, _, _ = product(490)
        print(f"  product, stock moto: {queued:.2f}s for 490 codes ({490 / queued:,.0f} codes/s)")
        result["stock_490"] = queued
    moto_fixes.apply()
    MOTO.install()
    print(
        f"\n== codes: {count:,} codes, product vs bare BatchWriteItem (in-process moto, patched; {ROUNDS} slices, "
        "alternating) " + "=" * 3
    )
    result_moto.clear()
    slices = [count // ROUNDS + (1 if i < count % ROUNDS else 0) for i in range(ROUNDS)]
    queued = written = bare = 0.0
    rounds: list[float] = []
    with in_process_aws(queues=True):
        campaign_id = _campaign(load_function("campaigns"))
        for i, part in enumerate(slices):
            order = ("product", "baseline") if i % 4 in (0, 3) else ("baseline", "product")
            p_secs = b_secs = 0.0
            for side in order:
                if side == "product":
                    q, w, _ = product(part, campaign_id)
                    queued, written, p_secs = queued + q, written + w, q + w
                else:
                    b_secs = baseline(part, campaign_id, f"bench-{i}")
                    bare += b_secs
            rounds.append(p_secs / b_secs)
    total = queued + written
    ratio = total / bare
    transactions = sum(-(-part // 98) for part in slices)
    print(f"  product  create_codes (batch + SQS message) {queued * 1000:8.1f} ms")
    print(
        f"  product  run_batch ({transactions:,} TransactWriteItems of ≤ 98 codes + 2 counters)"
        f" {written:8.2f} s   ({count / total:,.0f} codes/s)"
    )
    print(
        f"  baseline BatchWriteItem ({-(-count // 25):,} calls of 25 items)            {bare:8.2f} s   "
        f"({count / bare:,.0f} codes/s)"
    )
    print(f"  ratio product / baseline: {ratio:.2f} (slices: {', '.join(f'{r:.2f}' for r in rounds)})")
    pm, bm = result_moto["product"], result_moto["baseline"]
    print(
        f"  of which inside moto (emulated DynamoDB): product {pm:.2f}s, baseline {bm:.2f}s; outside moto "
        f"(client side: code generation, models, pynamodb/botocore serialisation): product {written - pm:.2f}s, "
        f"baseline {bare - bm:.2f}s"
    )
    result |= {"product_moto": pm, "baseline_moto": bm}
    record(
        "codes",
        f"{count:,} codes: product {total:.1f}s vs BatchWriteItem {bare:.1f}s",
        f"ratio {ratio:.2f}",
        f"≤ {TARGET_RATIO}",
        ratio <= TARGET_RATIO,
    )
    result |= {"queued": queued, "written": written, "baseline": bare, "ratio": ratio, "slices": rounds}
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--stock-moto", action="store_true")
    run(parser.parse_args())
