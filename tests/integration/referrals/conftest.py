"""Fixtures of the referral tests; the helpers live in the package (`from referrals import ...`)."""

from __future__ import annotations

import time

import pytest
from api import uid
from loyalty import program_fields

from referrals import Referrals

CACHE_SECONDS = 5.5
"""Function containers cache the loyalty program (or its absence) for 5 s."""


@pytest.fixture(scope="session")
def rf(stack) -> Referrals:
    """The HTTP client with the referral calls, on the session's local stack."""
    return with_loyalty_program(stack)


def with_loyalty_program(stack) -> Referrals:
    """Programs with points rewards need the shop's loyalty program: the loyalty suite's is made here when
    the session has none yet (the loyalty suite PATCHes it to its own configuration anyway)."""
    client = Referrals(stack)
    if not [c for c in client.list_all("/v1/campaigns", limit=100) if c.get("type") == "loyalty"]:
        fields = program_fields(f"dinner-{uid().lower()}")
        r = client.post("/v1/campaigns", json={"name": "Club", "type": "loyalty", **fields})
        assert r.status_code == 201, f"create the loyalty program → {r.status_code} {r.text}"
        time.sleep(CACHE_SECONDS)  # every container now sees it
    return client
