"""Points rewards of a program that has no loyalty program to credit them to (one made before such programs
were refused) are held pending, never `released` into nothing, and released once a loyalty program exists."""

from types import ModuleType
from typing import Any

import pytest

from passaparola.data import campaigns as campaign_store
from passaparola.data import customers as customer_store
from passaparola.referrals import release
from tests.unit.functions import call, load_function

PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "points", "points": 200},
    "referrer_reward": {"type": "points", "points": 300},
    "holding_days": 0,
}
LOYALTY = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]}


def rewards(fn: ModuleType, customer_id: str) -> list[dict[str, Any]]:
    path = f"/v1/customers/{customer_id}/rewards"
    reply = call(fn, "GET", path, "/v1/customers/{customer_id}/rewards")
    assert reply.status == 200, reply.body
    return reply.body["items"]  # type: ignore[no-any-return]


def test_points_wait_for_a_loyalty_program_then_are_credited(
    campaigns_fn: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    referrals_fn, conversions_fn, rewards_fn = (load_function(n) for n in ("referrals", "conversions", "rewards"))
    # Given a program with points rewards made while such programs were accepted without a loyalty program
    with monkeypatch.context() as legacy:
        legacy.setattr(campaign_store, "program_exists", lambda: True)
        made = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM)
    assert made.status == 201, made.body
    link = call(
        referrals_fn, "POST", "/v1/referrals", "/v1/referrals", {"customer_id": "anna", "campaign_id": made.body["id"]}
    )
    assert link.status == 201, link.body
    # When a friend's order converts
    order = {
        "id": "ord_1",
        "customer_id": "bob",
        "amount": 5000,
        "currency": "EUR",
        "items": [{"sku": "A", "quantity": 1, "unit_price": 5000}],
        "referral_code": link.body["code"],
    }
    outcome = call(conversions_fn, "POST", "/v1/orders", "/v1/orders", order)
    assert outcome.status == 201, outcome.body
    assert outcome.body["referral"]["status"] == "converted", outcome.body
    # Then neither side's points are released, and the hourly job keeps them pending
    assert release.release_due().released == 0
    for customer in ("anna", "bob"):
        assert [r["status"] for r in rewards(rewards_fn, customer)] == ["pending"], customer
    # When the shop creates its loyalty program, the next run releases and credits them
    assert call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY).status == 201
    assert release.release_due().released == 2
    for customer, points in (("anna", 300), ("bob", 200)):
        assert [r["status"] for r in rewards(rewards_fn, customer)] == ["released"], customer
        record = customer_store.read(customer)
        assert record is not None and int(record.balance) == points, customer


def _convert(referrals_fn: ModuleType, conversions_fn: ModuleType, campaign_id: str, n: int) -> None:
    link = call(
        referrals_fn, "POST", "/v1/referrals", "/v1/referrals", {"customer_id": f"ref{n}", "campaign_id": campaign_id}
    )
    assert link.status == 201, link.body
    body = {"id": f"ord_{n}", "customer_id": f"friend{n}", "amount": 5000, "currency": "EUR"}
    outcome = call(conversions_fn, "POST", "/v1/orders", "/v1/orders", body | {"referral_code": link.body["code"]})
    assert outcome.body["referral"]["status"] == "converted", outcome.body


def test_held_points_do_not_count_toward_a_runs_cap(campaigns_fn: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Held points come first (oldest) at every run: counted toward `max_rewards`, enough of them would keep
    every newer reward from ever being released."""
    from datetime import UTC, datetime, timedelta

    from passaparola import clock

    referrals_fn, conversions_fn = load_function("referrals"), load_function("conversions")
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    clock.set_clock(lambda: start)
    with monkeypatch.context() as legacy:
        legacy.setattr(campaign_store, "program_exists", lambda: True)
        points = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM).body["id"]
    credit = {"type": "credit", "amount": 500, "currency": "EUR"}
    money = call(
        campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns",
        PROGRAM | {"name": "Credit", "referee_reward": credit, "referrer_reward": credit},
    ).body["id"]  # fmt: skip
    for n in range(3):
        _convert(referrals_fn, conversions_fn, points, n)  # 6 held points rewards, the oldest
    clock.set_clock(lambda: start + timedelta(hours=1))
    _convert(referrals_fn, conversions_fn, money, 9)
    clock.set_clock(lambda: start + timedelta(hours=2))
    report = release.release_due(max_rewards=1)
    assert (report.released, report.skipped) == (1, 0)  # the referrer's credit, behind the 6 held points
    assert report.held == 6
