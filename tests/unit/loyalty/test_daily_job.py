"""The daily job against moto, for program settings the shared integration program does not have."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passaparola import clock
from passaparola.campaigns import service as campaigns
from passaparola.campaigns.models import LoyaltyCampaignCreate
from passaparola.customers import service as customers
from passaparola.customers.models import EngagementEventIn
from passaparola.data import campaigns as campaign_store
from passaparola.data import customers as customer_store
from passaparola.loyalty import jobs


def _program(**fields: Any) -> None:
    body = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]} | fields
    campaigns.create(LoyaltyCampaignCreate.model_validate(body))
    campaign_store._CACHE.clear()


def _at(when: datetime) -> None:
    clock.set_clock(lambda: when)


def _review(customer: str, n: int = 1) -> None:
    customers.record_event(EngagementEventIn(id=f"{customer}-{n}", customer_id=customer, type="review", rating=5))


def _balance(customer: str) -> tuple[int, str | None]:
    record = customer_store.read(customer)
    assert record is not None
    return int(record.balance or 0), record.tier


@pytest.mark.parametrize("earned_hour", [3, 15])
def test_inactivity_expires_the_balance_on_the_day_whatever_the_hour_of_the_last_activity(aws, earned_hour):
    _program(expiry={"policy": "inactivity", "days": 30})
    start = datetime(2026, 3, 1, earned_hour, tzinfo=UTC)
    _at(start)
    _review("ina")
    assert _balance("ina")[0] == 50
    _at(datetime(2026, 3, 30, 6, tzinfo=UTC))  # day 29: not yet
    jobs.run()
    assert _balance("ina")[0] == 50
    _at(datetime(2026, 3, 31, 6, tzinfo=UTC))  # day 30, at the job's hour (before or after the earn's hour)
    report = jobs.run()
    assert _balance("ina")[0] == 0, report
    assert report.points_expired == 50


def test_activity_moves_the_inactivity_expiry(aws):
    _program(expiry={"policy": "inactivity", "days": 30})
    _at(datetime(2026, 3, 1, 15, tzinfo=UTC))
    _review("act", 1)
    _at(datetime(2026, 3, 20, 15, tzinfo=UTC))
    _review("act", 2)
    _at(datetime(2026, 3, 31, 6, tzinfo=UTC))
    jobs.run()
    assert _balance("act")[0] == 100  # the first timer moved with the second review
    _at(datetime(2026, 4, 19, 6, tzinfo=UTC))
    jobs.run()
    assert _balance("act")[0] == 0


def test_a_calendar_year_status_survives_new_years_day(aws):
    _program(
        earning_rules=[{"event": "review", "points": 600}],
        tiers=[{"name": "Silver", "min_points": 0}, {"name": "Gold", "min_points": 1000}],
        tier_policy={"window": "calendar_year", "fallback": "qualified"},
    )
    _at(datetime(2026, 12, 20, 10, tzinfo=UTC))
    _review("cal", 1)
    _review("cal", 2)
    assert _balance("cal") == (1200, "Gold")
    _at(datetime(2027, 1, 1, 6, tzinfo=UTC))
    jobs.run()
    assert _balance("cal")[1] == "Gold"  # judged on 2026, when it was earned
    _at(datetime(2028, 1, 1, 6, tzinfo=UTC))
    jobs.run()
    assert _balance("cal")[1] == "Silver"  # 2027 earned nothing


def test_a_changed_expiry_policy_stops_pending_expiries(aws):
    _program(expiry={"policy": "fixed", "days": 30})
    _at(datetime(2026, 3, 1, 15, tzinfo=UTC))
    _review("pol")
    program = campaign_store.loyalty_program()
    assert program is not None
    from passaparola.campaigns.models import CampaignPatch

    campaigns.update(program.id, CampaignPatch.model_validate({"expiry": {"policy": "never", "days": None}}))
    campaign_store._CACHE.clear()
    _at(datetime(2026, 3, 31, 6, tzinfo=UTC) + timedelta(days=1))
    jobs.run()
    assert _balance("pol")[0] == 50


def test_a_missed_run_still_pays_the_birthday_once_and_not_again_next_year_from_the_look_back(aws):
    _program(earning_rules=[{"event": "birthday", "points": 200}, {"event": "review", "points": 50}])
    from passaparola.customers.models import CustomerPut

    _at(datetime(2026, 1, 2, 10, tzinfo=UTC))
    customers.put("bday", CustomerPut.model_validate({"birthday": {"month": 12, "day": 29}}))
    _review("bday")  # a member
    _at(datetime(2026, 12, 31, 6, tzinfo=UTC))  # the runs of 29 and 30 December were missed
    jobs.run()
    assert _balance("bday")[0] == 250
    _at(datetime(2027, 1, 2, 6, tzinfo=UTC))  # 29 December is in the look-back, but of last year
    jobs.run()
    assert _balance("bday")[0] == 250
