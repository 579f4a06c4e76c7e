"""What the console's overview costs in DynamoDB reads at 10 and at 100,000 events per program per day
(in-process moto): the target is the same number of calls and items at both rates, bounded by programs × days.

Five programs are created through the campaigns function (two discount campaigns, a referral program, the
loyalty program, a re-engagement campaign). Their daily items (`DAY#<campaign>` / `<YYYY-MM-DD>`) are then
moved by the production write path (`data.stats.daily` inside `Transaction`s, as redemptions, conversions,
ledger lines and sends move them) for 120 days — 30 more than the widest window, so the bound is tested — at
10 events a day, measured, then topped up to 100,000 events a day, measured again. Before that, ten real
redemptions and one rollback go through the coupons function, so the figures also prove the redemption path
feeds the items. GET /v1/reports/overview?days=90 (and 7) is called through the reports function, and every
DynamoDB call it makes is recorded with what it returned (bench.reports.ReadCounter): items, approximate bytes
and the read capacity it would cost on DynamoDB.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import in_process_aws, invoke, load_function, record
from bench.reports import ReadCounter, Reads

SMALL, LARGE = 10, 100_000
SEEDED_DAYS = 120
WINDOWS = (90, 7)
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
EMAIL_EN = {"subject": "Hello {{ customer.name }}", "body": "<p>Hi {{ customer.first_name }}</p>"}
PROGRAMS: list[dict[str, Any]] = [
    {
        "name": "Spring",
        "type": "discount",
        "discount": {"type": "amount", "amount_off": 500},
        "rules": {"currency": "EUR"},
    },
    {"name": "VIP", "type": "discount", "discount": {"type": "percent", "percent_off": 15}},
    {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]},
    {
        "name": "Friends",
        "type": "referral",
        "landing_url": "https://shop.example/",
        "referee_reward": {"type": "points", "points": 200},
        "referrer_reward": {"type": "points", "points": 300},
    },
    {
        "name": "Welcome",
        "type": "reengagement",
        "trigger": {"type": "welcome"},
        "audience": {"channels": ["email"]},
        "messages": {"email": {"en": EMAIL_EN}},
    },
]


def per_event(kind: str) -> tuple[dict[str, int], dict[str, tuple[str, int]]]:
    """What one event of a program moves (counts, money): the figures a day of `n` events adds up to."""
    if kind == "discount":
        return {"redemptions": 1}, {"discount": ("EUR", 750)}
    if kind == "referral":
        return {"conversions": 1}, {"rewards_cost": ("EUR", 1000)}
    if kind == "loyalty":
        return {"points_issued": 120, "points_spent": 45}, {}
    return {"messages_sent": 1}, {}


def seed(campaigns: list[tuple[str, str]], events: int, expected: dict[str, dict[str, int]]) -> int:
    """Move every program's days by `events` events each, through the write path; returns transactions written."""
    from passaparola.data import stats, transactions

    written = 0
    for campaign_id, kind in campaigns:
        counts, money = per_event(kind)
        day_counts = {name: n * events for name, n in counts.items()}
        day_money = {name: (cur, amount * events) for name, (cur, amount) in money.items()}
        for back in range(SEEDED_DAYS):
            at = NOW - timedelta(days=back)

            def build(tx: Any, campaign_id: str = campaign_id, at: datetime = at) -> None:
                stats.daily(tx, campaign_id, day_counts, day_money, at=at)  # noqa: B023 - used before the loop moves

            transactions.write(build)
            written += 1
            day = stats.day_of(at)
            for name, n in counts.items():
                expected[f"{campaign_id}/{day}"][name] += n * events
            for name, (cur, amount) in money.items():
                expected[f"{campaign_id}/{day}"][f"{name}_{cur}"] += amount * events
    return written


def real_redemptions(coupons_fn: Any, campaigns_fn: Any, campaign_id: str) -> int:
    """Ten redemptions and one rollback through the coupons function: the day's figure moves by nine."""
    status, made = invoke(
        campaigns_fn,
        "POST",
        f"/v1/campaigns/{campaign_id}/codes",
        "/v1/campaigns/{campaign_id}/codes",
        {"code": "BENCH500"},
    )
    assert status == 201, made
    first = None
    for n in range(10):
        body = {"code": "BENCH500", "order": {"id": f"ord_{n}", "amount": 5000, "currency": "EUR"}}
        status, redemption = invoke(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", body)
        assert status == 201, redemption
        first = first or redemption["id"]
    path = f"/v1/redemptions/{first}/rollback"
    status, _ = invoke(coupons_fn, "POST", path, "/v1/redemptions/{redemption_id}/rollback", {})
    assert status == 200
    return 9


def check(body: dict[str, Any], days: int, expected: dict[str, dict[str, int]]) -> None:
    """The overview agrees with what was moved, day by day (a cheap overview that is wrong would prove nothing)."""
    assert len(body["campaigns"]) == len(PROGRAMS) and body["days"] == days, body["days"]
    for campaign in body["campaigns"]:
        assert len(campaign["series"]) == days
        for entry in campaign["series"]:
            want = expected.get(f"{campaign['id']}/{entry['day']}", {})
            for name, value in want.items():
                base, _, currency = name.rpartition("_")
                got = entry[base][currency] if base in ("discount", "rewards_cost") else entry[name]
                assert got == value, (campaign["name"], entry["day"], name, got, value)


def run(args: argparse.Namespace | None = None) -> dict[int, dict[int, Reads]]:
    print(
        f"\n== overview: DynamoDB reads of GET /v1/reports/overview, {len(PROGRAMS)} programs, at {SMALL} and "
        f"{LARGE:,} events per program per day (in-process moto) " + "=" * 8
    )
    from passaparola import clock
    from passaparola.api import keys

    clock.set_clock(lambda: NOW)
    counter = ReadCounter()
    measured: dict[int, dict[int, Reads]] = {}
    try:
        with in_process_aws():
            campaigns_fn, coupons_fn, reports_fn = (load_function(n) for n in ("campaigns", "coupons", "reports"))
            campaigns: list[tuple[str, str]] = []
            for spec in PROGRAMS:
                status, made = invoke(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", spec)
                assert status == 201, made
                campaigns.append((made["id"], made["type"]))
            expected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            from passaparola.data import stats

            real = real_redemptions(coupons_fn, campaigns_fn, campaigns[0][0])
            expected[f"{campaigns[0][0]}/{stats.day_of(NOW)}"]["redemptions"] += real
            expected[f"{campaigns[0][0]}/{stats.day_of(NOW)}"]["discount_EUR"] += real * 500
            counter.install()
            try:
                for rate, add in ((SMALL, SMALL), (LARGE, LARGE - SMALL)):
                    written = seed(campaigns, add, expected)
                    print(
                        f"  {rate:,} events/day: {written:,} daily moves written ({SEEDED_DAYS} days × {len(PROGRAMS)})"
                    )
                    keys._cache.clear()
                    invoke(reports_fn, "GET", "/v1/reports/overview", "/v1/reports/overview")  # a warm container
                    measured[rate] = {}
                    for days in WINDOWS:
                        path = "/v1/reports/overview"
                        (status, body), reads, seconds = counter.measure(
                            lambda days=days, path=path: invoke(
                                reports_fn, "GET", path, path, query={"days": str(days)}
                            )
                        )
                        assert status == 200, body
                        check(body, days, expected)
                        measured[rate][days] = reads
                        print(
                            f"    days={days:>2}: {len(reads.calls)} calls, {reads.items} items, "
                            f"{reads.size / 1024:.1f} KB, ≈{reads.rcu:g} RCU, {seconds * 1000:.0f} ms  ({reads.names()})"
                        )
            finally:
                counter.uninstall()
    finally:
        clock.set_clock(None)
    for days in WINDOWS:
        a, b = measured[SMALL][days], measured[LARGE][days]
        same = [c.call for c in a.calls] == [c.call for c in b.calls] and a.items == b.items
        bound = len(PROGRAMS) * days
        day_items = sum(c.items for c in b.calls if c.call.startswith("Query"))
        record(
            "overview",
            f"days={days}, {len(PROGRAMS)} programs: calls / items / ≈RCU, {SMALL} vs {LARGE:,} events/day",
            f"{len(a.calls)}/{a.items}/{a.rcu:g} vs {len(b.calls)}/{b.items}/{b.rcu:g}",
            f"constant; day items ≤ {bound}",
            same and day_items <= bound,
        )
    print(
        "  items: the campaigns' list (one Scan page of CampaignsTable: the campaigns and their few side items) +\n"
        "  one Query per program of its daily items in the window (≤ days each). ≈RCU: 4 KB units, eventually\n"
        "  consistent (half); the Scan is counted on the items it returned. The API key lookup is cached."
    )
    return measured


if __name__ == "__main__":
    run(argparse.Namespace())
