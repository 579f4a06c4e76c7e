"""Fixtures of the report tests: the loyalty suite's HTTP client (`lo`), the shop's loyalty program and the
frozen clock (a day after anything the session saw, so a day's shop-wide items hold this test's events only)."""

from loyalty.conftest import clock, lo, program  # noqa: F401 - fixtures
