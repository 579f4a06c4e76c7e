"""p50/p99 latency of validate, redeem and rollback over HTTP against the local stack, next to a baseline
of the same DynamoDB calls made with bare boto3 against the same DynamoDB endpoint, interleaved call by call.

Processes: this one (HTTP client and the boto3 baseline), the local stack (`python -m infra.local`:
gateway + functions in-process) and a moto server (`python -m bench.motopatch`, moto with the
transaction-backup artefact fixed, see motopatch.py) that the stack uses as DYNAMODB_ENDPOINT_URL.
`--stock-moto` uses the stack's own moto instead (slower, and slower the longer the run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import ROOT, ms, percentile, record

TARGET_RATIO = 1.5
SECRET = "sk_local_dev"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logdir = Path(tempfile.mkdtemp(prefix="passaparola-bench-"))

    def start(self, name: str, args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.logdir / f"{name}.log"
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc, log

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _wait_for(predicate: Callable[[], Any], timeout: float, what: str, log: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up in {timeout:.0f}s; see {log}:\n{log.read_text()[-2000:]}")


def start_backends(procs: Processes, stock_moto: bool) -> tuple[str, str]:
    """(api_url, dynamodb_url)"""
    import requests

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DYNAMODB_"))}
    env |= {
        "PYTHONUNBUFFERED": "1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    dynamodb_url = ""
    if not stock_moto:
        _, moto_log = procs.start("moto", [sys.executable, "-m", "bench.motopatch"], env)
        dynamodb_url = _wait_for(
            lambda: next(
                (line.strip() for line in moto_log.read_text().splitlines() if line.startswith("http://")), None
            ),
            60,
            "patched moto",
            moto_log,
        )
        env["DYNAMODB_ENDPOINT_URL"] = dynamodb_url
    port = _free_port()
    env |= {"PORT": str(port), "LOCAL_SCHEDULES": "0", "LOG_LEVEL_LOCAL": "WARNING"}
    _, stack_log = procs.start("stack", [sys.executable, "-m", "infra.local"], env)
    api = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return requests.get(api + "/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    _wait_for(healthy, 120, "the local stack", stack_log)
    if stock_moto:
        dynamodb_url = _wait_for(
            lambda: next(
                (
                    line.split("moto at ", 1)[1].split()[0]
                    for line in stack_log.read_text().splitlines()
                    if "moto at " in line
                ),
                None,
            ),
            30,
            "the stack banner",
            stack_log,
        )
    return api, dynamodb_url


class Baseline:
    """The same DynamoDB calls the product makes per operation (counted by `roundtrips`), with bare boto3,
    on copies of the benchmark's campaign and code."""

    def __init__(self, dynamodb_url: str, campaign_id: str, code: str) -> None:
        import boto3

        self.ddb: Any = boto3.client(
            "dynamodb",
            endpoint_url=dynamodb_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )  # noqa: S106
        names = self.ddb.list_tables()["TableNames"]

        def table(part: str) -> str:
            return next(n for n in names if part in n)

        self.codes, self.campaigns, self.redemptions = table("Codes"), table("Campaigns"), table("Redemptions")
        self.campaign_id, self.code = "cmp_base_" + uuid.uuid4().hex[:8], "BASE" + uuid.uuid4().hex[:8].upper()
        campaign = self.ddb.get_item(TableName=self.campaigns, Key={"id": {"S": campaign_id}})["Item"]
        code_item = self.ddb.get_item(TableName=self.codes, Key={"code": {"S": code}})["Item"]
        self.ddb.put_item(TableName=self.campaigns, Item={**campaign, "id": {"S": self.campaign_id}})
        self.ddb.put_item(
            TableName=self.codes, Item={**code_item, "code": {"S": self.code}, "campaign_id": {"S": self.campaign_id}}
        )
        self.version = campaign["version"]["N"]

    def _gets(self, lock: str | None) -> list[dict[str, Any]]:
        items = [
            {"Get": {"TableName": self.codes, "Key": {"code": {"S": self.code}}}},
            {"Get": {"TableName": self.campaigns, "Key": {"id": {"S": self.campaign_id}}}},
        ]
        if lock:
            items.append({"Get": {"TableName": self.redemptions, "Key": {"id": {"S": lock}}}})
        return items

    def validate(self) -> None:
        self.ddb.transact_get_items(TransactItems=self._gets(None))

    def redeem(self, order_id: str) -> str:
        lock, rid = f"ord_{order_id}", f"red_base_{uuid.uuid4().hex}"
        self.ddb.transact_get_items(TransactItems=self._gets(lock))
        now = "2026-01-01T00:00:00+00:00"
        redemption = {
            "id": {"S": rid},
            "code": {"S": self.code},
            "campaign_id": {"S": self.campaign_id},
            "order_id": {"S": order_id},
            "order_amount": {"N": "10000"},
            "currency": {"S": "EUR"},
            "discount_amount": {"N": "1000"},
            "order_amount_after": {"N": "9000"},
            "gift_card_amount": {"N": "0"},
            "applicable_items": {
                "S": json.dumps([{"sku": "SKU-A", "quantity": 1, "amount": 10000, "discount_amount": 1000}])
            },
            "status": {"S": "succeeded"},
            "created_at": {"S": now},
        }
        self.ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.redemptions,
                        "Item": redemption,
                        "ConditionExpression": "attribute_not_exists(id)",
                    }
                },
                {
                    "Put": {
                        "TableName": self.redemptions,
                        "Item": {"id": {"S": lock}, "redemption_id": {"S": rid}},
                        "ConditionExpression": "attribute_not_exists(id)",
                    }
                },
                {
                    "Update": {
                        "TableName": self.codes,
                        "Key": {"code": {"S": self.code}},
                        "UpdateExpression": "ADD redemptions :one",
                        "ConditionExpression": "attribute_exists(code) AND redemptions < :max",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":max": {"N": "10000000"}},
                    }
                },
                {
                    "Update": {
                        "TableName": self.campaigns,
                        "Key": {"id": {"S": self.campaign_id}},
                        "UpdateExpression": "ADD redemptions :one SET discount_given.#c = if_not_exists(discount_given.#c, :zero) + :d",
                        "ConditionExpression": "enabled = :t AND version = :v AND redemptions < :max",
                        "ExpressionAttributeNames": {"#c": "EUR"},
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"},
                            ":zero": {"N": "0"},
                            ":d": {"N": "1000"},
                            ":t": {"BOOL": True},
                            ":v": {"N": self.version},
                            ":max": {"N": "10000000"},
                        },
                    }
                },
            ]
        )
        return f"{rid}|{lock}"

    def rollback(self, handle: str) -> None:
        rid, lock = handle.split("|")
        self.ddb.get_item(TableName=self.redemptions, Key={"id": {"S": rid}}, ConsistentRead=True)
        self.ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self.redemptions,
                        "Key": {"id": {"S": rid}},
                        "UpdateExpression": "SET #s = :rb, rolled_back_at = :at",
                        "ConditionExpression": "#s = :ok",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {
                            ":rb": {"S": "rolled_back"},
                            ":ok": {"S": "succeeded"},
                            ":at": {"S": "2026-01-01T00:00:01+00:00"},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": self.codes,
                        "Key": {"code": {"S": self.code}},
                        "UpdateExpression": "ADD redemptions :m",
                        "ExpressionAttributeValues": {":m": {"N": "-1"}},
                    }
                },
                {
                    "Update": {
                        "TableName": self.campaigns,
                        "Key": {"id": {"S": self.campaign_id}},
                        "UpdateExpression": "ADD redemptions :m, rolled_back :one "
                        "SET discount_given.#c = if_not_exists(discount_given.#c, :zero) - :d",
                        "ExpressionAttributeNames": {"#c": "EUR"},
                        "ExpressionAttributeValues": {
                            ":m": {"N": "-1"},
                            ":one": {"N": "1"},
                            ":zero": {"N": "0"},
                            ":d": {"N": "1000"},
                        },
                    }
                },
                {"Delete": {"TableName": self.redemptions, "Key": {"id": {"S": lock}}}},
            ]
        )


def _function_seconds(server_timing: str) -> float:
    """The function's own time from the local stack's `Server-Timing: function;dur=<ms>` (0 when absent)."""
    for part in server_timing.split(","):
        name, _, rest = part.strip().partition(";")
        if name == "function" and rest.startswith("dur="):
            return float(rest[4:]) / 1000
    return 0.0


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    import requests

    n = getattr(args, "n", None) or 300
    warmup = 20
    stock = bool(getattr(args, "stock_moto", False))
    print(f"\n== latency: HTTP against the local stack vs bare boto3 (N={n} each, {warmup} warm-up) " + "=" * 12)
    procs = Processes()
    try:
        t0 = time.perf_counter()
        api, dynamodb_url = start_backends(procs, stock)
        print(
            f"  stack up in {time.perf_counter() - t0:.1f}s at {api}; DynamoDB: "
            f"{'the stack’s own moto' if stock else 'patched moto (bench.motopatch)'} at {dynamodb_url}"
        )
        http = requests.Session()
        http.headers.update({"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"})

        function_seconds: list[float] = []

        def post(path: str, body: Any) -> Any:
            r = http.post(api + path, data=json.dumps(body), timeout=30)
            if r.status_code >= 300:
                raise RuntimeError(f"POST {path} → {r.status_code} {r.text}")
            function_seconds.append(_function_seconds(r.headers.get("Server-Timing", "")))
            return r.json()

        campaign = post(
            "/v1/campaigns",
            {
                "name": "bench latency",
                "type": "discount",
                "discount": {"type": "percent", "percent_off": 10},
                "rules": {"max_redemptions": 10_000_000, "max_redemptions_per_code": 10_000_000},
            },
        )
        code = "BENCH" + uuid.uuid4().hex[:8].upper()
        post(f"/v1/campaigns/{campaign['id']}/codes", {"code": code})
        base = Baseline(dynamodb_url, campaign["id"], code)
        item = {"sku": "SKU-A", "quantity": 1, "unit_price": 10000}

        def order(oid: str | None = None) -> dict[str, Any]:
            return {"amount": 10000, "currency": "EUR", "items": [item], **({"id": oid} if oid else {})}

        results: dict[str, dict[str, list[float]]] = {}

        def phase(
            name: str, count: int, http_call: Callable[[int], Any], base_call: Callable[[int], Any], keep: bool
        ) -> tuple[list[Any], list[Any]]:
            h_times, b_times, f_times, h_out, b_out = [], [], [], [], []
            for i in range(count):
                dt, out = _timed(partial(http_call, i))
                h_out.append(out)
                db, bout = _timed(partial(base_call, i))
                b_out.append(bout)
                if keep:
                    h_times.append(dt)
                    b_times.append(db)
                    f_times.append(function_seconds[-1])
            if keep:
                results[name] = {"http": h_times, "baseline": b_times, "function": f_times}
            return h_out, b_out

        run_id = uuid.uuid4().hex[:8]
        for keep, count in ((False, warmup), (True, n)):
            tag = f"{run_id}{'m' if keep else 'w'}"
            phase(
                "validate",
                count,
                lambda i: post("/v1/coupons/validate", {"code": code, "order": order()}),
                lambda i: base.validate(),
                keep,
            )
            h_red, b_red = phase(
                "redeem",
                count,
                partial(lambda t, i: post("/v1/redemptions", {"code": code, "order": order(f"o{t}{i}")})["id"], tag),
                partial(lambda t, i: base.redeem(f"b{t}{i}"), tag),
                keep,
            )
            phase(
                "rollback",
                count,
                partial(lambda r, i: post(f"/v1/redemptions/{r[i]}/rollback", {}), h_red),
                partial(lambda r, i: base.rollback(r[i]), b_red),
                keep,
            )
    finally:
        procs.stop()

    print(
        f"  {'operation':<10} {'HTTP p50':>10} {'HTTP p99':>10} {'boto3 p50':>10} {'boto3 p99':>10} "
        f"{'p50 ratio':>9} {'p99 ratio':>9}  baseline calls"
    )
    calls = {
        "validate": "TransactGetItems",
        "redeem": "TransactGetItems + TransactWriteItems",
        "rollback": "GetItem + TransactWriteItems",
    }
    summary: dict[str, Any] = {}
    print(
        "  where an HTTP call's time goes (p50s; the stack's Server-Timing header gives the function's own time):\n"
        f"  {'operation':<10} {'gateway+HTTP':>12} {'function':>10} {'of which beyond boto3':>22}"
    )
    for name, r in results.items():
        h50, f50, b50 = percentile(r["http"], 50), percentile(r["function"], 50), percentile(r["baseline"], 50)
        print(f"  {name:<10} {ms(h50 - f50):>12} {ms(f50):>10} {ms(f50 - b50):>22}")
        summary[f"{name}_split"] = {"gateway": h50 - f50, "function": f50, "beyond_boto3": f50 - b50}
    for name, r in results.items():
        h50, h99 = percentile(r["http"], 50), percentile(r["http"], 99)
        b50, b99 = percentile(r["baseline"], 50), percentile(r["baseline"], 99)
        summary[name] = {"http_p50": h50, "http_p99": h99, "base_p50": b50, "base_p99": b99}
        print(
            f"  {name:<10} {ms(h50):>10} {ms(h99):>10} {ms(b50):>10} {ms(b99):>10} "
            f"{h50 / b50:>9.2f} {h99 / b99:>9.2f}  {calls[name]}"
        )
        record(
            "latency",
            f"{name} p50: HTTP {ms(h50)} vs boto3 {ms(b50)}",
            f"ratio {h50 / b50:.2f}",
            f"≤ {TARGET_RATIO}",
            h50 / b50 <= TARGET_RATIO,
        )
        record(
            "latency",
            f"{name} p99: HTTP {ms(h99)} vs boto3 {ms(b99)}",
            f"ratio {h99 / b99:.2f}",
            f"≤ {TARGET_RATIO}",
            h99 / b99 <= TARGET_RATIO,
        )
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--stock-moto", action="store_true")
    run(parser.parse_args())
