"""`/local/clock`: freezing and restoring the domain clock every in-process function reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from infra.local.gateway import parse_instant
from infra.local.stack import Stack

AUTH = {"Authorization": "Bearer sk_test_local"}


@pytest.fixture
def clock_url(local_stack: Stack) -> Iterator[str]:
    url = f"{local_stack.url}/local/clock"
    try:
        yield url
    finally:
        requests.post(url, json={"now": None}, headers=AUTH, timeout=5)


def test_freeze_read_advance_and_restore(clock_url: str) -> None:
    import passaparola.clock as domain_clock  # the module object the in-process functions use

    r = requests.get(clock_url, headers=AUTH, timeout=5)
    assert r.status_code == 200 and r.json()["frozen"] is False

    r = requests.post(clock_url, json={"now": "2031-03-15T12:00:00Z"}, headers=AUTH, timeout=5)
    assert r.status_code == 200, r.text
    assert r.json() == {"now": "2031-03-15T12:00:00.000Z", "frozen": True}
    frozen = datetime(2031, 3, 15, 12, tzinfo=UTC)
    assert domain_clock.now() == frozen
    assert requests.get(clock_url, headers=AUTH, timeout=5).json() == {
        "now": "2031-03-15T12:00:00.000Z",
        "frozen": True,
    }

    r = requests.post(clock_url, json={"now": "2031-03-16T14:00:00+02:00"}, headers=AUTH, timeout=5)
    assert r.json() == {"now": "2031-03-16T12:00:00.000Z", "frozen": True}
    assert domain_clock.now() == frozen + timedelta(days=1)

    r = requests.post(clock_url, json={"now": None}, headers=AUTH, timeout=5)
    assert r.status_code == 200 and r.json()["frozen"] is False
    assert abs(domain_clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_needs_the_secret_key(clock_url: str) -> None:
    assert requests.get(clock_url, timeout=5).status_code == 401
    r = requests.post(clock_url, json={"now": None}, headers={"Authorization": "Bearer pk_test_local"}, timeout=5)
    assert r.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"not json",
        b'{"now": "yesterday"}',
        b'{"now": "2031-03-15T12:00:00"}',
        b'{"now": 5}',
        b'{"now": null, "x": 1}',
    ],
)
def test_bad_bodies_are_400_and_leave_the_clock(clock_url: str, body: bytes) -> None:
    r = requests.post(clock_url, data=body, headers={**AUTH, "Content-Type": "application/json"}, timeout=5)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"
    assert requests.get(clock_url, headers=AUTH, timeout=5).json()["frozen"] is False


def test_other_methods_are_405(clock_url: str) -> None:
    assert requests.delete(clock_url, headers=AUTH, timeout=5).status_code == 405


def test_parse_instant() -> None:
    assert parse_instant("2030-01-01T00:00:00.5Z") == datetime(2030, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_instant("2030-01-01")
