"""`make smoke URL=... KEY=...`: prove a deployment works end to end, then switch off what it created.

Steps, each printed with its outcome: the API answers the secret key (a campaigns list: gateway, function,
layers, table and key check in one call), a discount campaign and one code, a validate, a redemption on a test
order, its rollback; then the clean-up, whatever failed before: the code and the campaign are switched off.
The API deletes neither campaigns nor redemptions, so a disabled campaign named `smoke <time>` and a rolled-back
redemption of order `smoke-...` stay in the shop's data: its figures net to zero (rolled back), but the coupons
report lists the disabled campaign and the customer `smoke-...` keeps a record of the order.

`--local` (`make smoke-local`, CI) starts a fresh local stack (`make run`) with a secret key of its own, runs the
same steps against it and stops it. Exit status 0 when every step passed, 1 otherwise (the failing step, its
HTTP status and body are printed), 2 on wrong arguments.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import requests

TIMEOUT = 30
START_TIMEOUT = 90.0


class StepFailed(RuntimeError):
    """A step's answer was not the expected one (the message says what came back)."""


class Smoke:
    def __init__(self, url: str, key: str, out: TextIO = sys.stdout) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        self.out = out
        self.run_id = uuid.uuid4().hex[:10].upper()
        self.campaign_id: str | None = None
        self.code: str | None = None
        self.failures = 0

    # ------------------------------------------------------------------------------------ plumbing
    def call(self, method: str, path: str, expect: int | tuple[int, ...], body: Any = None, **headers: str) -> Any:
        """One request; the JSON answer, or StepFailed when the status is not the expected one."""
        expected = (expect,) if isinstance(expect, int) else expect
        try:
            resp = self.session.request(method, self.url + path, json=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise StepFailed(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if resp.status_code not in expected:
            raise StepFailed(f"{method} {path} answered {resp.status_code} (expected {expected}): {resp.text[:500]}")
        try:
            return resp.json()
        except ValueError as exc:
            raise StepFailed(f"{method} {path} answered {resp.status_code} without JSON: {resp.text[:200]}") from exc

    def step(self, name: str, fn: Callable[[], str]) -> bool:
        start = time.monotonic()
        try:
            detail = fn()
        except StepFailed as exc:
            self.failures += 1
            print(f"FAIL  {name}: {exc}", file=self.out, flush=True)
            return False
        ms = (time.monotonic() - start) * 1000
        print(f"ok    {name} ({ms:.0f} ms){': ' + detail if detail else ''}", file=self.out, flush=True)
        return True

    @staticmethod
    def check(condition: bool, message: str) -> None:
        if not condition:
            raise StepFailed(message)

    # ------------------------------------------------------------------------------------ the steps
    def health(self) -> str:
        page = self.call("GET", "/v1/campaigns?limit=1", 200)
        self.check(isinstance(page.get("items"), list), f"a campaigns page without items: {page}")
        return "the secret key is accepted; the campaigns table answers"

    def create_campaign(self) -> str:
        expires = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "name": f"smoke {datetime.now(UTC):%Y-%m-%d %H:%M:%S} {self.run_id}",
            "type": "discount",
            "discount": {"type": "percent", "percent_off": 10},
            "rules": {"expires_at": expires, "max_redemptions_per_code": 1, "currency": "EUR"},
        }
        campaign = self.call("POST", "/v1/campaigns", 201, body)
        self.campaign_id = campaign["id"]
        self.check(campaign.get("enabled") is True, f"the new campaign is not enabled: {campaign}")
        return f"campaign {self.campaign_id}"

    def create_code(self) -> str:
        code = f"SMOKE-{self.run_id}"
        created = self.call("POST", f"/v1/campaigns/{self.campaign_id}/codes", 201, {"code": code})
        self.check(created.get("created") == 1, f"no code created: {created}")
        self.code = code
        return f"code {code}"

    def _order(self) -> dict[str, Any]:
        return {
            "id": f"smoke-{self.run_id}",
            "amount": 5000,
            "currency": "EUR",
            "items": [{"sku": "SMOKE", "quantity": 1, "unit_price": 5000}],
        }

    def validate(self) -> str:
        body = {"code": self.code, "customer_id": f"smoke-{self.run_id}", "order": self._order()}
        result = self.call("POST", "/v1/coupons/validate", 200, body)
        self.check(result.get("valid") is True, f"the code is not valid: {result}")
        self.check(result.get("discount_amount") == 500, f"10 % of 50.00 EUR should be 5.00: {result}")
        return "valid, 5.00 EUR off 50.00"

    def redeem_and_roll_back(self) -> tuple[Callable[[], str], Callable[[], str]]:
        redemption: dict[str, Any] = {}

        def redeem() -> str:
            body = {"code": self.code, "customer_id": f"smoke-{self.run_id}", "order": self._order()}
            result = self.call("POST", "/v1/redemptions", 201, body, **{"Idempotency-Key": f"smoke-{self.run_id}"})
            self.check(result.get("status") == "succeeded", f"the redemption did not succeed: {result}")
            redemption.update(result)
            return f"redemption {result['id']}"

        def roll_back() -> str:
            self.check(bool(redemption), "no redemption to roll back")
            result = self.call("POST", f"/v1/redemptions/{redemption['id']}/rollback", 200, {})
            self.check(result.get("status") == "rolled_back", f"not rolled back: {result}")
            return "rolled back"

        return redeem, roll_back

    def clean_up(self) -> None:
        if self.code is not None:
            code = self.code
            self.step(
                "clean-up: switch the code off",
                lambda: self._disable(f"/v1/codes/{code}/disable", code, lambda c: bool(c.get("switched_off_at"))),
            )
        if self.campaign_id is not None:
            cid = self.campaign_id
            self.step(
                "clean-up: disable the campaign",
                lambda: self._disable(f"/v1/campaigns/{cid}/disable", cid, lambda c: c.get("enabled") is False),
            )

    def _disable(self, path: str, what: str, is_off: Callable[[dict[str, Any]], bool]) -> str:
        result = self.call("POST", path, 200, {})
        self.check(is_off(result), f"{what} is still on: {result}")
        return f"{what} disabled"

    def run(self) -> int:
        print(f"smoke test of {self.url} (run {self.run_id})", file=self.out, flush=True)
        redeem, roll_back = self.redeem_and_roll_back()
        try:
            for name, fn in [
                ("health", self.health),
                ("create a discount campaign", self.create_campaign),
                ("create a code", self.create_code),
                ("validate the code on a 50.00 EUR order", self.validate),
                ("redeem it", redeem),
                ("roll the redemption back", roll_back),
            ]:
                if not self.step(name, fn):
                    break
        finally:
            self.clean_up()
        verdict = "passed" if not self.failures else f"FAILED ({self.failures} step(s))"
        print(f"smoke test {verdict}", file=self.out, flush=True)
        return 0 if not self.failures else 1


@contextmanager
def local_stack() -> Iterator[tuple[str, str]]:
    """A fresh local stack with a secret key made for this run; yields (url, key). Its log is printed on failure."""
    from infra.local.process import StackFailed, running_stack

    key = "sk_smoke_" + secrets.token_hex(16)
    with tempfile.NamedTemporaryFile(prefix="passaparola-smoke-", suffix=".log", delete=False) as log:
        try:
            with running_stack(log, {"PASSAPAROLA_SECRET_KEY": key, "LOCAL_SQS": "0"}, START_TIMEOUT) as url:
                yield url, key
        except StackFailed as exc:
            log.flush()
            print(f"{exc}:\n{Path(log.name).read_text(errors='replace')[-4000:]}", file=sys.stderr)
            raise SystemExit(1) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url", default="", help="the API's base URL, e.g. https://<id>.execute-api.<region>.amazonaws.com/prod"
    )
    parser.add_argument("--key", default="", help="a secret key (sk_...) of that deployment")
    parser.add_argument("--local", action="store_true", help="start a fresh local stack and test that instead")
    args = parser.parse_args(argv)
    if args.local:
        with local_stack() as (url, key):
            return Smoke(url, key).run()
    if not args.url or not args.key:
        parser.print_usage(sys.stderr)
        print("smoke: needs URL and KEY: make smoke URL=https://... KEY=sk_...", file=sys.stderr)
        return 2
    return Smoke(args.url, args.key).run()


if __name__ == "__main__":
    sys.exit(main())
