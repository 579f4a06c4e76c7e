"""Fixtures of the messaging tests; the helpers live in the package (`from messages import ...`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loyalty import Clock, next_start
from loyalty.conftest import lo, program  # noqa: F401 - the shop's one loyalty program (points tests)

from messages import WATCH_JOB, Messaging


@pytest.fixture
def ms(stack) -> Iterator[Messaging]:
    """The HTTP client for this test; every re-engagement campaign it created is disabled afterwards and any
    injected SES/SNS fault is cleared."""
    client = Messaging(stack)
    try:
        yield client
    finally:
        client.cleanup()


@pytest.fixture
def clock(stack) -> Iterator[Clock]:
    """The stack's clock frozen at noon UTC of a day after anything the session saw (13:00 in Rome, after the
    default MessagingHour 10:00); the real clock is restored afterwards. Every test that runs a job uses it: the
    jobs remember how far they got (the daily job its last day, the watch job its place in the change feed), so
    the session's clock only ever moves forward.

    The watch job re-reads the change feed from a little before its last run (FEED_OVERLAP, 2 minutes), so it is
    run once here, before the test creates anything: the previous test's last customers (who entered
    `new_customers` just before the previous run) are then behind the feed's checkpoint and no campaign of this
    test reacts to them."""
    c: Clock | None = None
    try:
        c = Clock(stack, next_start())
        stack.run_job(WATCH_JOB)
        yield c
    finally:
        stack.set_clock(None)
