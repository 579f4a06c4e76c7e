"""DynamoDB round trips and writes per referral operation, counted in-process (moto) like bench/roundtrips.py.

The Recorder of bench/roundtrips.py lists each call with its tables; `WriteRecorder` adds, per call, how many
items it writes (Put/Update/Delete requests; a TransactWriteItems' ConditionChecks write nothing) and
whether DynamoDB refused it (a failed condition: the request is made and billed, nothing is written).
Set-up calls (the program, links, earlier orders) are not counted.

"Warm" = the function's container has read the campaigns it needs within `CACHE_SECONDS` (5 s,
passaparola/data/campaigns.py) and has already made sure the shop's LTV items exist. "Cold" = a new container:
those caches are empty (the API key cache is left warm: its one GetItem(apikeys) per key per container per
60 s is shown by the roundtrips part).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import PUBLISHABLE, SECRET, discount_with_code, in_process_aws, invoke, load_function, ok, record
from bench.roundtrips import Recorder
from infra.local.invoke import api_event, call

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
REDIRECT_WRITES = 1  # the target: "redirect 1 write"
RELEASED = 10  # rewards the hourly job releases per measured run (--rewards)
PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    "conversion": {"event": "first_order", "min_order_amount": 3000, "currency": "EUR"},
    "holding_days": 14,
}


def items_written(operation: str, params: dict[str, Any]) -> int:
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 1
    if operation == "BatchWriteItem":
        return sum(len(requests) for requests in params.get("RequestItems", {}).values())
    if operation == "TransactWriteItems":
        return sum(1 for item in params.get("TransactItems", []) if "ConditionCheck" not in item)
    return 0


def key_kind(params: dict[str, Any]) -> str:
    """`REF#/LINK`: the kind of a single-item request's item (its key values up to the first `#`)."""
    key = params.get("Key") or params.get("Item")
    if not key or "TransactItems" in params:
        return ""
    values = [v.get("S", "") for name, v in key.items() if name in ("pk", "sk")]
    return "/".join(v.split("#", 1)[0] + "#" if "#" in v else v for v in values)


@dataclass
class Op:
    operation: str
    items: int  # items the request writes (0 for reads)
    kind: str = ""  # the item's key shape, single-item requests on tables keyed pk/sk
    refused: str | None = None  # the error code when DynamoDB refused the request


class WriteRecorder(Recorder):
    """bench.roundtrips.Recorder, plus what each recorded call writes and whether it was refused."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[Op] = []
        self._recorder_hook: Callable[..., Any] | None = None

    def install(self) -> None:
        from botocore.client import BaseClient
        from botocore.exceptions import ClientError

        super().install()
        inner = getattr(BaseClient, "_make_api_call")  # noqa: B009 - the Recorder's hook
        self._recorder_hook = inner
        recorder = self

        def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if not (recorder.active and client.meta.service_model.service_name == "dynamodb"):
                return inner(client, operation_name, api_params)
            op = Op(operation_name, items_written(operation_name, api_params), key_kind(api_params))
            recorder.ops.append(op)
            try:
                return inner(client, operation_name, api_params)
            except ClientError as exc:
                op.refused = str(exc.response.get("Error", {}).get("Code", "error"))
                raise

        setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._recorder_hook is not None:
            setattr(BaseClient, "_make_api_call", self._recorder_hook)  # noqa: B010
        super().uninstall()

    def measure(self, fn: Callable[[], Any]) -> tuple[Any, list[str]]:
        self.ops = []
        return super().measure(fn)


@dataclass
class Case:
    name: str
    status: Any
    calls: list[str]
    ops: list[Op]
    target: str = ""
    met: bool | None = None
    per: int = 1  # the figures are for this many units (rewards released)
    problem: str = ""  # not the answer the contract gives (docs/referrals.md): a finding, reported

    @property
    def writes(self) -> int:
        return sum(1 for o in self.ops if o.operation in WRITES)

    @property
    def items(self) -> int:
        """Items written by accepted requests (a refused conditional write writes nothing)."""
        return sum(o.items for o in self.ops if not o.refused)

    @property
    def refused(self) -> int:
        return sum(1 for o in self.ops if o.refused)

    def trace(self) -> str:
        marks = []
        for described, op in zip(self.calls, self.ops, strict=True):
            if op.kind:
                described = f"{described[:-1]} {op.kind})"
            marks.append(f"{described} REFUSED" if op.refused else described)
        return " + ".join(marks) or "-"


def cold() -> None:
    """Forget what a warm container keeps between requests (the API key cache stays warm, see the docstring)."""
    from passaparola.data import campaigns, coupons, stats

    campaigns._CACHE.clear()
    coupons._CAMPAIGN_OF_CODE.clear()
    stats._shop_ready = False


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run(args: Any = None) -> list[Case]:
    released = getattr(args, "rewards", None) or RELEASED
    print("\n== referrals: DynamoDB round trips and writes per referral operation (in-process, moto) " + "=" * 9)
    recorder = WriteRecorder()
    cases: list[Case] = []
    with in_process_aws():
        campaigns_fn = load_function("campaigns")
        referrals_fn = load_function("referrals")
        redirects_fn = load_function("redirects")
        conversions_fn = load_function("conversions")
        release_fn = load_function("reward_release")
        uid = uuid.uuid4().hex[:6]

        # --- set-up (not counted): the program, a discount campaign with a code for the coupon order
        program = ok(invoke(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM), 201)
        cid = program["id"]
        _, coupon = discount_with_code(campaigns_fn, "RF")

        def link(customer: str, name: str = "Anna") -> Callable[[], tuple[int, Any]]:
            body = {"customer_id": customer, "campaign_id": cid, "name": name, "email": f"{customer}@shop.example"}
            return lambda: invoke(referrals_fn, "POST", "/v1/referrals", "/v1/referrals", body)

        def click(code: str) -> Callable[[], tuple[int, Any]]:
            """No key (a public route); the answer is the Location header."""

            def follow() -> tuple[int, Any]:
                with contextlib.redirect_stdout(io.StringIO()):  # powertools' metric flush
                    reply = call(
                        redirects_fn, api_event("GET", f"/r/{code}", "/r/{code}", headers={"User-Agent": "bench"})
                    )
                return reply.status, reply.headers.get("Location", "")

            return follow

        def track(code: str, kind: str, customer: str | None = None) -> Callable[[], tuple[int, Any]]:
            body: dict[str, Any] = {"type": kind, "ref": code}
            if customer:
                body |= {"customer_id": customer, "email": f"{customer}@shop.example"}
            # visits come from browsers; signups from the shop's backend (trusted: they attribute orders)
            key = SECRET if kind == "signup" else PUBLISHABLE
            return lambda: invoke(referrals_fn, "POST", "/v1/referrals/track", "/v1/referrals/track", body, key=key)

        def order(
            oid: str, customer: str, code: str | None = None, coupon_code: str | None = None, at: str | None = None
        ) -> Callable[[], tuple[int, Any]]:
            body: dict[str, Any] = {
                "id": oid,
                "customer_id": customer,
                "email": f"{customer}@shop.example",
                "amount": 5000,
                "currency": "EUR",
                "items": [{"sku": "SKU-A", "quantity": 1, "unit_price": 5000}],
            }
            if code:
                body["referral_code"] = code
            if coupon_code:
                body["coupon_code"] = coupon_code
            if at:
                body["created_at"] = at
            return lambda: invoke(conversions_fn, "POST", "/v1/orders", "/v1/orders", body)

        def refund(oid: str) -> Callable[[], tuple[int, Any]]:
            return lambda: invoke(
                conversions_fn, "POST", f"/v1/orders/{oid}/refund", "/v1/orders/{order_id}/refund", {}
            )

        def job() -> tuple[str, Any]:
            from infra.local.invoke import LambdaContext

            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "time": _iso(datetime.now(UTC)),
                "resources": [],
                "detail": {},
            }
            with contextlib.redirect_stdout(io.StringIO()):  # powertools' metric flush
                return "job", release_fn.lambda_handler(event, LambdaContext())

        recorder.install()
        try:

            def case(
                name: str,
                fn: Callable[[], tuple[Any, Any]],
                *expected: Any,
                target: str = "",
                per: int = 1,
                check: Callable[[Any], bool] | None = None,
            ) -> Any:
                (status, body), calls = recorder.measure(fn)
                problem = ""
                if expected and status not in expected:
                    problem = f"HTTP {status} {body}"
                elif check is not None and not check(body):
                    problem = f"unexpected answer {body}"
                c = Case(name, status, calls, recorder.ops, target=target, per=per, problem=problem)
                if target:
                    c.met = c.writes <= REDIRECT_WRITES
                cases.append(c)
                return body

            def setup(fn: Callable[[], tuple[int, Any]], *expected: int) -> Any:
                """A call that is not measured (the recorder is only active inside `case`)."""
                return ok(fn(), *expected)

            # the publishable key's lookup (1 GetItem per key per container per 60 s) is the roundtrips part's
            setup(track("NOSUCH-CODE99", "visit"), 404)

            # --- links ------------------------------------------------------------------------------------
            anna = f"anna-{uid}"
            cold()
            code = case("POST /v1/referrals, new link, cold", link(anna), 201)["code"]
            case("POST /v1/referrals, new link, warm", link(f"bob-{uid}", "Bob"), 201)
            case("POST /v1/referrals, the same customer again (200)", link(anna), 200)

            # --- redirects --------------------------------------------------------------------------------
            cold()

            def with_ref(location: str) -> bool:
                return f"ref={code}" in location

            cold()
            case("GET /r/{code}, cold", click(code), 302, target=f"{REDIRECT_WRITES} write", check=with_ref)
            case("GET /r/{code}, warm", click(code), 302, target=f"{REDIRECT_WRITES} write", check=with_ref)
            case("GET /r/{code}, unknown code", click("NOSUCH-CODE99"), 302, check=lambda loc: "ref=" not in loc)

            # --- tracking ---------------------------------------------------------------------------------
            friend = f"friend-{uid}"
            cold()
            case("POST /v1/referrals/track visit, cold", track(code, "visit"), 202)
            case("POST /v1/referrals/track visit, warm", track(code, "visit"), 202)
            case("POST /v1/referrals/track signup (email + customer_id)", track(code, "signup", friend), 202)
            case("POST /v1/referrals/track signup, the same person again", track(code, "signup", friend), 202)

            # --- orders -----------------------------------------------------------------------------------
            def status_is(expected: str | None) -> Callable[[Any], bool]:
                def check(body: Any) -> bool:
                    referral = body.get("referral")
                    return (referral or {}).get("status") == expected if expected else referral is None

                return check

            cold()
            case(
                "POST /v1/orders (a) explicit referral_code, converts, cold",
                order(f"ord-a0-{uid}", f"carl-{uid}", code),
                201,
                check=status_is("converted"),
            )
            case(
                "POST /v1/orders (a) explicit referral_code, converts, warm",
                order(f"ord-a-{uid}", f"dora-{uid}", code),
                201,
                check=status_is("converted"),
            )
            case("POST /v1/orders (b) the same order id again", order(f"ord-a-{uid}", f"dora-{uid}", code), 200)
            case(
                "POST /v1/orders (c) no referral, no touch",
                order(f"ord-c-{uid}", f"emil-{uid}"),
                201,
                check=status_is(None),
            )
            case(
                "POST /v1/orders (d) attributed by the earlier signup touch",
                order(f"ord-d-{uid}", friend),
                201,
                check=status_is("converted"),
            )
            cold()
            case(
                "POST /v1/orders (e) coupon_code, no referral, cold",
                order(f"ord-e0-{uid}", f"fina-{uid}", coupon_code=coupon),
                201,
                check=lambda b: bool(b["coupon"]["redeemed"]) and b.get("referral") is None,
            )
            case(
                "POST /v1/orders (e) coupon_code, no referral, warm",
                order(f"ord-e-{uid}", f"gina-{uid}", coupon_code=coupon),
                201,
                check=lambda b: bool(b["coupon"]["redeemed"]) and b.get("referral") is None,
            )
            case(
                "POST /v1/orders (e) coupon_code + referral_code, converts",
                order(f"ord-e2-{uid}", f"hugo-{uid}", code, coupon_code=coupon),
                201,
                check=status_is("converted"),
            )
            case(
                "POST /v1/orders (f) self-referral, blocked",
                order(f"ord-f-{uid}", anna, code),
                201,
                check=status_is("blocked"),
            )

            # --- the friend's first-order offer -----------------------------------------------------------
            def friend_coupon(email: str) -> Callable[[], tuple[int, Any]]:
                path = f"/v1/referrals/{code}/friends"
                body = {"email": email}
                return lambda: invoke(referrals_fn, "POST", path, "/v1/referrals/{code}/friends", body, key=PUBLISHABLE)

            def friend_offer() -> tuple[int, Any]:
                path = f"/v1/referrals/{code}/offer"
                return invoke(referrals_fn, "GET", path, "/v1/referrals/{code}/offer", key=PUBLISHABLE)

            mia = f"mia-{uid}"
            case("GET /v1/referrals/{code}/offer", friend_offer, 200)
            got = case("POST /v1/referrals/{code}/friends, new coupon", friend_coupon(f"{mia}@shop.example"), 201)
            case(
                "POST /v1/referrals/{code}/friends, the same email again (201, the same coupon)",
                friend_coupon(f"{mia}@shop.example"),
                201,
            )
            case(
                "POST /v1/orders (g) the friend coupon (email-bound), converts",
                order(f"ord-g-{uid}", mia, coupon_code=got["code"]),
                201,
                check=lambda b: bool(b["coupon"]["redeemed"]) and b["referral"]["source"] == "friend_offer",
            )

            # --- refund -----------------------------------------------------------------------------------
            case(
                "POST /v1/orders/{id}/refund, voids a conversion",
                refund(f"ord-a-{uid}"),
                200,
                check=lambda b: bool(b["conversion_voided"]),
            )
            cold()
            case(
                "POST /v1/orders/{id}/refund, voids a conversion, cold",
                refund(f"ord-d-{uid}"),
                200,
                check=lambda b: bool(b["conversion_voided"]),
            )

            # --- the hourly job ---------------------------------------------------------------------------
            past = _iso(datetime.now(UTC) - timedelta(days=15))
            for run_name in ("cold", "warm"):
                for i in range(released):
                    referrer = f"ref-{run_name}-{i}-{uid}"
                    referral = setup(link(referrer, "Rita"), 201)
                    body = setup(
                        order(f"ord-{run_name}-{i}-{uid}", f"buyer-{run_name}-{i}-{uid}", referral["code"], at=past),
                        201,
                    )
                    assert body["referral"]["status"] == "converted", body
                if run_name == "cold":
                    cold()
                case(
                    f"reward_release job, {released} due rewards, {run_name}",
                    job,
                    "job",
                    per=released,
                    check=lambda r: r["released"] == released,
                )
            case("reward_release job, nothing due", job, "job", check=lambda r: r["released"] == 0)
        finally:
            recorder.uninstall()

    report(cases)
    return cases


def report(cases: list[Case]) -> None:
    head = ("operation", "answer", "round trips", "write requests", "items written", "target", "met")
    rows = [head]
    for c in cases:
        rt, w, it = len(c.calls), c.writes, c.items
        if c.per > 1:
            figures = (
                f"{rt} ({rt / c.per:.1f}/reward)",
                f"{w} ({w / c.per:.1f}/reward)",
                f"{it} ({it / c.per:.1f}/reward)",
            )
        else:
            figures = (str(rt), str(w), str(it))
        answer = answer_of(c)
        met = "-" if c.met is None else ("yes" if c.met else "NO")
        rows.append((c.name, answer + (" (!)" if c.problem else ""), *figures, c.target or "-", met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for i, r in enumerate(rows):
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    print("\n  DynamoDB calls (tables; REFUSED = the condition failed, nothing written):")
    for c in cases:
        print(f"  {c.name}:\n      {c.trace()}")
    problems = [c for c in cases if c.problem]
    if problems:
        print("\n  (!) not the answer docs/referrals.md gives:")
        for c in problems:
            print(f"  {c.name}: {c.problem}")
    for c in cases:
        figure = f"{len(c.calls)} calls, {c.writes} writes, {c.items} items"
        if c.per > 1:
            figure += f" ({len(c.calls) / c.per:.1f} calls/reward)"
        if c.problem:
            record("referrals", c.name, f"{figure}; {answer_of(c)} (!)", "as documented", False)
        elif c.target:
            record("referrals", c.name, figure, f"≤ {c.target}", c.met)
        elif "warm" in c.name or "(a)" in c.name or "job" in c.name:
            record("referrals", c.name, figure)


def answer_of(c: Case) -> str:
    return str(c.status) if c.status == "job" else f"HTTP {c.status}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rewards", type=int, default=RELEASED)
    run(parser.parse_args())
