"""Birthday points (200): once a year, on the birthday, by the daily job, but not if the birthday was set or
changed in the 30 days before it (no moving one's birthday to collect points)."""

from datetime import date

import pytest

from loyalty import cid, where

pytestmark = pytest.mark.integration


def birthday_points(lo, shopper):
    return [e["points"] for e in where(lo.ledger(shopper), type="earn")]


def test_a_birthday_set_ten_days_before_earns_nothing_that_year_but_does_the_next(lo, program, clock):
    clock.next_january(10)
    year = clock.today.year
    # Given a customer who sets their birthday (20 January) on 10 January
    late = cid("bday-")
    lo.profile(late, email=f"{late.lower()}@example.org", birthday={"month": 1, "day": 20})
    # When the daily job runs on the birthday
    clock.to_date(date(year, 1, 20))
    lo.daily()
    # Then no birthday points: set too recently
    assert birthday_points(lo, late) == []
    assert lo.status(late)["balance"] == 0
    # And the next year's birthday earns them
    clock.to_date(date(year + 1, 1, 20))
    lo.daily()
    assert birthday_points(lo, late) == [200]
    assert lo.status(late)["balance"] == 200


def test_a_birthday_set_forty_days_before_earns_once_and_moving_it_later_that_year_earns_nothing_more(
    lo, program, clock
):
    clock.next_january(10)
    year = clock.today.year
    # Given a customer who sets their birthday (19 February) on 10 January
    early = cid("bday-")
    lo.profile(early, name="Early Bird", birthday={"month": 2, "day": 19})
    # When the daily job runs the day before, nothing yet
    clock.to_date(date(year, 2, 18))
    lo.daily()
    assert birthday_points(lo, early) == []
    # When it runs on the birthday: 200 points, at once spendable
    clock.to_date(date(year, 2, 19))
    lo.daily()
    assert birthday_points(lo, early) == [200]
    assert lo.moves(early) == [("earn", 200, 200)]
    # And a second run that day gives nothing more
    lo.daily()
    assert birthday_points(lo, early) == [200]

    # When the customer moves their birthday to 1 April (40 days ahead) the next day
    clock.to_date(date(year, 2, 20))
    lo.profile(early, name="Early Bird", birthday={"month": 4, "day": 1})
    # Then the job on 1 April gives nothing: this year's birthday points were given
    clock.to_date(date(year, 4, 1))
    lo.daily()
    assert birthday_points(lo, early) == [200]
    assert lo.status(early)["balance"] == 200


def test_saving_the_profile_with_the_same_birthday_is_not_a_change(lo, program, clock):
    clock.next_january(10)
    year = clock.today.year
    # Given a birthday (1 March) set on 10 January
    steady = cid("bday-")
    lo.profile(steady, name="Steady", birthday={"month": 3, "day": 1})
    # When the customer saves their profile (a new name, the same birthday) on 25 February
    clock.to_date(date(year, 2, 25))
    lo.profile(steady, name="Steady Eddie", birthday={"month": 3, "day": 1})
    # Then the birthday still earns on 1 March
    clock.to_date(date(year, 3, 1))
    lo.daily()
    assert birthday_points(lo, steady) == [200]


def test_changing_the_birthday_to_a_near_date_earns_nothing(lo, program, clock):
    clock.next_january(10)
    year = clock.today.year
    # Given a birthday (1 March) set on 10 January
    hopper = cid("bday-")
    lo.profile(hopper, birthday={"month": 3, "day": 1})
    # When, on 5 February, the customer changes it to 15 February
    clock.to_date(date(year, 2, 5))
    lo.profile(hopper, birthday={"month": 2, "day": 15})
    # Then neither 15 February nor 1 March earn anything
    for day in (date(year, 2, 15), date(year, 3, 1)):
        clock.to_date(day)
        lo.daily()
    assert birthday_points(lo, hopper) == []
