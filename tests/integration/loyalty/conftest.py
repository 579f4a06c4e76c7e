"""Fixtures of the loyalty tests; the helpers live in the package (`from loyalty import ...`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from api import uid

from loyalty import Clock, Loyalty, next_start, program_fields

CACHE_SECONDS = 5.5
"""Function containers cache the loyalty program (or its absence) for 5 s."""


@pytest.fixture(scope="session")
def lo(stack) -> Loyalty:
    """The HTTP client with the customer, loyalty, wallet and segment calls, on the session's local stack."""
    return Loyalty(stack)


@pytest.fixture(scope="session")
def program(lo: Loyalty) -> dict[str, Any]:
    """The shop's loyalty program (one per stack), configured as `program_fields` says.

    Created once for the session; if the stack already has one (another suite made it), it is PATCHed to
    this configuration. `program["stocked_reward_id"]` is this session's recognition reward with stock 2.
    """
    stocked = f"dinner-{uid().lower()}"
    fields = program_fields(stocked)
    existing = lo.loyalty_programs()
    if existing:
        assert len(existing) == 1, f"more than one loyalty program: {existing}"
        r = lo.patch(f"/v1/campaigns/{existing[0]['id']}", json=fields)
        assert r.status_code == 200, f"PATCH the loyalty program → {r.status_code} {r.text}"
        if not r.json()["enabled"]:
            assert lo.post(f"/v1/campaigns/{existing[0]['id']}/enable", json={}).status_code == 200
    else:
        r = lo.post("/v1/campaigns", json={"name": "Club", "type": "loyalty", **fields})
        assert r.status_code == 201, f"create the loyalty program → {r.status_code} {r.text}"
    time.sleep(CACHE_SECONDS)  # every container now sees this program
    campaign = lo.campaign(r.json()["id"])
    assert campaign["type"] == "loyalty", campaign
    return {**campaign, "stocked_reward_id": stocked}


@pytest.fixture
def clock(stack, program) -> Iterator[Clock]:
    """The stack's clock, frozen for this test at noon UTC of a day after anything the session saw.

    `clock.advance(days=15)`, `clock.set(when)`, `clock.tick()`; the real clock is always restored afterwards.
    """
    c: Clock | None = None
    try:
        c = Clock(stack, next_start())
        yield c
    finally:
        stack.set_clock(None)
