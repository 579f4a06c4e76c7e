"""Fixtures of the referral tests; the helpers live in the package (`from referrals import ...`)."""

from __future__ import annotations

import pytest

from referrals import Referrals


@pytest.fixture(scope="session")
def rf(stack) -> Referrals:
    """The HTTP client with the referral calls, on the session's local stack."""
    return Referrals(stack)
