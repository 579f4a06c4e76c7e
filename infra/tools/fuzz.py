"""Fuzz the API against its own OpenAPI document with schemathesis (`make fuzz`; CI).

Starts the local stack (`python -m infra.local`, schedules and queue consumers off) on a free port, seeds a few
resources (a discount campaign and its code, a loyalty program, a customer, a redemption, a referral program, a
link and an order, a segment), then runs every operation of its /openapi.json in positive and negative modes
(examples, coverage and fuzzing phases, a bounded number of cases each) with the stack's secret and publishable
keys. The run fails on any 5xx, any response that does not match its documented schema, status code or content
type. /local/* routes are not in the document (and are excluded anyway), nor is key revocation (fuzzed prefixes
would revoke the run's own key). Prints the figures (requests, statuses,
failing operations) at the end.

    python -m infra.tools.fuzz [--max-examples 50] [--seed 1] [--report-dir DIR] [-- extra schemathesis args]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from infra.local.process import PUBLISHABLE_KEY, SECRET_KEY, running_stack

START_TIMEOUT = 90.0
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# schemathesis reads the keys from the document's security schemes (infra.tools.openapi.SECURITY_SCHEMES).
CONFIG = """\
[auth.openapi.secretKey]
bearer = "{secret}"

[auth.openapi.publishableKey]
api_key = "{publishable}"
"""


def seed(url: str) -> dict[str, list[str]]:
    """A few real resources, so that generated requests also reach 2xx answers (and their schemas are checked).

    Returns known values per path parameter; schemathesis uses them for about half of its cases.
    """
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {SECRET_KEY}"

    def call(method: str, path: str, body: Any = None) -> dict[str, Any]:
        resp = session.request(method, url + path, json=body, timeout=30)
        if resp.status_code >= 300:
            raise RuntimeError(f"seed: {method} {path} -> {resp.status_code} {resp.text}")
        return resp.json() if resp.content else {}  # type: ignore[no-any-return]

    campaign = call(
        "POST",
        "/v1/campaigns",
        {
            "name": "fuzz 10% off",
            "type": "discount",
            "discount": {"type": "percent", "percent_off": 12.5, "amount_limit": 1500},
            "rules": {"currency": "EUR", "min_order_amount": 1000},
        },
    )
    codes = call("POST", f"/v1/campaigns/{campaign['id']}/codes", {"code": "FUZZ10"})["codes"]
    loyalty = call(
        "POST",
        "/v1/campaigns",
        {
            "name": "fuzz club",
            "type": "loyalty",
            "earning_rules": [{"event": "order_paid", "points_per_unit": 1, "unit_amount": 100, "currency": "EUR"}],
            "rewards": [
                {
                    "id": "ten-off",
                    "name": "10 EUR off",
                    "cost": 10,
                    "reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 1000}, "currency": "EUR"},
                }
            ],
        },
    )
    customer = "fuzz-customer"
    call("PUT", f"/v1/customers/{customer}", {"email": "fuzz@example.com", "name": "Fuzz", "locale": "en"})
    cart = {"id": "fuzz-order-1", "amount": 5000, "currency": "EUR", "items": []}
    cart["items"] = [{"sku": "SKU-A", "quantity": 1, "unit_price": 5000}]
    redemption = call("POST", "/v1/redemptions", {"code": "FUZZ10", "customer_id": customer, "order": cart})
    program = call(
        "POST",
        "/v1/campaigns",
        {
            "name": "fuzz friends",
            "type": "referral",
            "landing_url": "https://shop.example/",
            "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
            "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
            "conversion": {"event": "first_order", "min_order_amount": 3000, "currency": "EUR"},
        },
    )
    link = call("POST", "/v1/referrals", {"campaign_id": program["id"], "customer_id": customer})
    order = {"id": "fuzz-order-2", "customer_id": "fuzz-friend", "amount": 4000, "currency": "EUR"}
    call("POST", "/v1/orders", {**order, "email": "friend@example.com", "referral_code": link["code"]})
    call("POST", "/v1/segments", {"name": "fuzz_segment", "conditions": [{"field": "tier", "op": "exists"}]})
    passes = _wallet_pass(session, url, customer)
    return {
        **passes,
        "campaign_id": [campaign["id"], program["id"], loyalty["id"]],
        "code": [codes[0]["code"], link["code"]],
        "customer_id": [customer, "fuzz-friend"],
        "redemption_id": [redemption["id"]],
        "order_id": ["fuzz-order-1", "fuzz-order-2"],
        "name": ["fuzz_segment", "ambassadors"],
    }


def _wallet_pass(session: requests.Session, url: str, customer: str) -> dict[str, list[str]]:
    """The customer's wallet pass, so that the PassKit routes meet a real serial (nothing when it is not a member)."""
    import io
    import zipfile

    resp = session.get(f"{url}/v1/customers/{customer}/pass.pkpass", timeout=30)
    if resp.status_code != 200:
        return {}
    doc = json.loads(zipfile.ZipFile(io.BytesIO(resp.content)).read("pass.json"))
    return {"serial": [doc["serialNumber"]], "pass_type_id": [doc["passTypeIdentifier"]], "device_id": ["fuzz-device"]}


def config_text(known: dict[str, list[str]]) -> str:
    """schemathesis.toml: the keys, and the seeded values offered for path parameters (and ids in queries, bodies)."""
    lines = [CONFIG.format(secret=SECRET_KEY, publishable=PUBLISHABLE_KEY)]
    for name, values in known.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in known]
    lines += [
        f'"{where}.{name}" = {{ dictionary = "{name}", probability = 0.5 }}'
        for where in ("query", "body")
        for name in ("campaign_id", "customer_id")
        if name in known
    ]
    return "\n".join(lines) + "\n"


def summarize(ndjson: Path) -> dict[str, Any]:
    """Figures for the report from schemathesis' event stream: requests sent, statuses, failing operations per check."""
    statuses: Counter[str] = Counter()
    failing: dict[str, set[str]] = {}
    if not ndjson.exists():
        return {}
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        recorder = (json.loads(line).get("ScenarioFinished") or {}).get("recorder") or {}
        for checks in (recorder.get("checks") or {}).values():
            for check in checks:
                if check.get("status") == "failure":
                    failing.setdefault(str(check.get("name")), set()).add(str(recorder.get("label")))
        for interaction in (recorder.get("interactions") or {}).values():
            status = (interaction.get("response") or {}).get("status_code")
            statuses[f"{str(status)[0]}xx" if status else "no answer"] += 1
    return {
        "requests": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "failing_operations": {name: sorted(labels) for name, labels in sorted(failing.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.tools.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=50, help="cases per operation and phase")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (fixed: reproducible in CI)")
    # one worker: Python 3.11.7's ast.parse is not thread-safe (gh-106905), and hypothesis parses lambdas'
    # sources while describing strategies, so two workers failed CI now and then with "AST constructor recursion
    # depth mismatch"
    parser.add_argument("--workers", default="1")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before the run is stopped (a failure)")
    parser.add_argument("--report-dir", type=Path, default=None, help="keep schemathesis' reports here")
    parser.add_argument("extra", nargs="*", help="more schemathesis arguments (after --)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="passaparola-fuzz-"))
    report_dir = args.report_dir or work
    report_dir.mkdir(parents=True, exist_ok=True)
    config = work / "schemathesis.toml"
    log_path = work / "stack.log"
    started = time.monotonic()
    print(f"stack log: {log_path}", file=sys.stderr)
    # no SQS consumers: a fuzzed `count` of 1,000,000 codes would otherwise be generated in the background,
    # starving every other request of the run (the API's answer, 202 and a queued batch, is the same)
    with log_path.open("wb") as log, running_stack(log, {"LOCAL_SQS": "0"}, START_TIMEOUT) as url:
        config.write_text(config_text(seed(url)), encoding="utf-8")
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config),
            "run",
            f"{url}/openapi.json",
            "--url",
            url,
            "--mode",
            "all",
            "--phases",
            "examples,coverage,fuzzing",
            "--checks",
            CHECKS,
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            args.workers,
            # revoking keys by fuzzed prefixes would revoke the run's own key halfway (every later call a 401);
            # that route is covered by tests/integration/test_console_auth.py
            "--exclude-path-regex",
            r"^/local/|^/v1/keys/\{prefix\}/revoke$",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            "--no-color",
            "--generation-database",
            "none",
            "--report",
            "ndjson,junit",
            "--report-dir",
            str(report_dir),
            *args.extra,
        ]
        # cwd: its cache (.schemathesis/) stays out of the repo; timeout: CI's budget, whatever the machine's load
        result = subprocess.run(command, cwd=work, check=False, timeout=args.timeout)
    events = max(report_dir.glob("ndjson-*.ndjson"), key=lambda p: p.stat().st_mtime, default=report_dir / "none")
    figures = summarize(events)
    figures["seconds"] = round(time.monotonic() - started)
    print(f"fuzz figures: {json.dumps(figures)}", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
