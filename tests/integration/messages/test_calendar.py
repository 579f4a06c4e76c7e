"""Calendar triggers of the daily job: birthdays, signup and purchase anniversaries, win-back with the favourite
category; a job run twice sends nothing twice; the frequency cap holds across campaigns.

Time: the clock is frozen at noon UTC (13:00/14:00 in Rome, after MessagingHour 10:00, the same calendar day);
orders and sign-ups are back-dated (`created_at`) rather than the clock moved months ahead.
"""

import calendar
from datetime import date, timedelta

import pytest
from api import uid

from messages import add_months, birthday_of, email_of, iso, line, noon, plain_day

pytestmark = pytest.mark.integration

HELLO = {"email": {"en": {"subject": "Hello {{ customer.first_name }}", "body": "<p>{{ occasion.type }}</p>"}}}


def days_of(report: dict) -> list[str]:
    return [str(d)[:10] for d in report["days"]]


def test_birthdays_on_the_day_and_days_before_and_never_twice(ms, clock):
    on_the_day = ms.reengagement(
        {"type": "birthday"},
        messages={
            "email": {
                "en": {"subject": "Happy birthday {{ customer.first_name }}", "body": "<p>{{ occasion.type }}</p>"}
            }
        },
    )
    early = ms.reengagement({"type": "birthday", "days_before": 3}, messages=HELLO)
    day = plain_day(clock, ahead=2)
    anna = ms.shopper(name="Anna Rossi", locale="en", birthday=birthday_of(day))
    bruno = ms.shopper(name="Bruno Verdi", locale="en", birthday=birthday_of(day + timedelta(days=1)))
    carla = ms.shopper(name="Carla Neri", locale="en", birthday={**birthday_of(day + timedelta(days=3)), "year": 1990})
    # When the daily job runs on Anna's birthday (shop-local day)
    clock.set(noon(day))
    report = ms.daily_messages()
    assert day.isoformat() in days_of(report), report
    # Then Anna gets the birthday email, Carla (birthday in 3 days) the early one, Bruno nothing yet
    [m] = ms.sent(anna, on_the_day["id"])
    assert (m["trigger"], m["occasion"]) == ("birthday", f"birthday:{day.year}"), m
    assert m["subject"] == "Happy birthday Anna", m
    assert "birthday" in m["body"]
    [c] = ms.sent(carla, early["id"])
    assert c["occasion"] == f"birthday:{(day + timedelta(days=3)).year}", c
    assert ms.messages(bruno, on_the_day["id"]) == []
    # And a second run on the same day sends nothing twice
    again = ms.daily_messages()
    assert again["queued"] == 0, again
    # And the next day Bruno gets his, Anna nothing more
    clock.set(noon(day + timedelta(days=1)))
    ms.daily_messages()
    ms.sent(bruno, on_the_day["id"])
    assert len(ms.messages(anna, on_the_day["id"])) == 1
    assert len(ms.messages(carla, early["id"])) == 1
    assert ms.messages(carla, on_the_day["id"]) == []


def test_a_missed_day_is_caught_up_at_the_next_run(ms, clock):
    campaign = ms.reengagement({"type": "birthday"}, messages=HELLO)
    day = plain_day(clock, ahead=2)
    ms.daily_messages()  # the job ran two days before (its first run ever covers only its own day)
    anna = ms.shopper(locale="en", birthday=birthday_of(day))
    # The job did not run on Anna's birthday; it runs two days later
    clock.set(noon(day + timedelta(days=2)))
    report = ms.daily_messages()
    assert day.isoformat() in days_of(report), report
    [m] = ms.sent(anna, campaign["id"])
    assert m["occasion"] == f"birthday:{day.year}"


def test_signup_anniversary_in_whole_years(ms, clock):
    campaign = ms.reengagement({"type": "signup_anniversary"}, messages=HELLO)
    day = plain_day(clock, ahead=1)
    one_year = ms.shopper(locale="en", created_at=iso(noon(day.replace(year=day.year - 1))))
    two_years = ms.shopper(locale="en", created_at=iso(noon(day.replace(year=day.year - 2))))
    not_yet = ms.shopper(locale="en", created_at=iso(noon(day.replace(year=day.year - 1) + timedelta(days=1))))
    clock.set(noon(day))
    signed_up_today = ms.shopper(locale="en")  # same month-day, zero whole years
    ms.daily_messages()
    [m] = ms.sent(one_year, campaign["id"])
    assert (m["trigger"], m["occasion"]) == ("signup_anniversary", f"signup_anniversary:{day.year}"), m
    ms.sent(two_years, campaign["id"])
    ms.nothing_for([not_yet, signed_up_today], campaign["id"], grace=0.5)


def test_purchase_anniversary_months_after_an_order_of_a_sku_or_category(ms, clock):
    shoes = ms.reengagement(
        {"type": "purchase_anniversary", "months": 6, "categories": ["shoes"]},
        messages={
            "email": {
                "en": {
                    "subject": "{{ occasion.months }} months with your {{ occasion.categories | join(', ') }}",
                    "body": "<p>{{ occasion.order_id }}</p>",
                }
            }
        },
    )
    mug = ms.reengagement({"type": "purchase_anniversary", "months": 3, "skus": ["MUG-1"]}, messages=HELLO)
    day = plain_day(clock, ahead=1)
    six_months_ago = noon(add_months(day, -6))
    # Anna bought shoes exactly 6 months ago; Bruno bags; Carla shoes a day later; Dario a mug 3 months ago
    anna, bruno, carla, dario = (ms.shopper(locale="en") for _ in range(4))
    anna_order = ms.order(anna, items=[line("SHOE-1", 1, 8000, ["shoes"])], created_at=iso(six_months_ago))
    ms.order(bruno, items=[line("BAG-1", 1, 8000, ["bags"])], created_at=iso(six_months_ago))
    ms.order(carla, items=[line("SHOE-2", 1, 8000, ["shoes"])], created_at=iso(six_months_ago + timedelta(days=1)))
    dario_order = ms.order(dario, items=[line("MUG-1", 2, 1500, ["home"])], created_at=iso(noon(add_months(day, -3))))
    clock.set(noon(day))
    ms.daily_messages()
    [a] = ms.sent(anna, shoes["id"])
    assert (a["trigger"], a["occasion"]) == ("purchase_anniversary", f"order:{anna_order['order_id']}"), a
    assert a["subject"] == "6 months with your shoes", a
    assert anna_order["order_id"] in a["body"]
    [d] = ms.sent(dario, mug["id"])
    assert d["occasion"] == f"order:{dario_order['order_id']}", d
    ms.nothing_for([bruno, carla], shoes["id"], grace=0.5)
    assert ms.messages(anna, mug["id"]) == [] and ms.messages(dario, shoes["id"]) == []


def test_win_back_at_180_days_with_an_offer_on_the_favourite_category(ms, clock):
    general = ms.discount()
    shoes_offer = ms.discount(discount={"type": "percent", "percent_off": 20}, rules={"include_categories": ["shoes"]})
    bags_offer = ms.discount(discount={"type": "percent", "percent_off": 15}, rules={"include_categories": ["bags"]})
    win_back = ms.reengagement(
        {"type": "win_back", "days_since_last_order": 180},
        incentive={
            "campaign_id": general["id"],
            "by_category": {"shoes": shoes_offer["id"], "bags": bags_offer["id"]},
            "expires_in_days": 30,
        },
        messages={
            "email": {
                "en": {
                    "subject": "We miss you",
                    "body": "<p>{{ customer.favourite_category }}: {{ coupon.code }} ({{ occasion.days }})</p>",
                }
            }
        },
    )
    day = clock.today
    last = noon(day - timedelta(days=180))
    # Anna bought 3 pairs of shoes 200 days ago and one bag 180 days ago: her favourite is shoes
    anna = ms.shopper(locale="en")
    ms.order(anna, items=[line("SHOE-1", 3, 5000, ["shoes"])], created_at=iso(noon(day - timedelta(days=200))))
    ms.order(anna, items=[line("BAG-1", 1, 9000, ["bags"])], created_at=iso(last))
    # Bruno's favourite (hats) has no offer of its own: the fallback campaign
    bruno = ms.shopper(locale="en")
    ms.order(bruno, items=[line("HAT-1", 2, 3000, ["hats"])], created_at=iso(last))
    # Carla's last order is 179 days old, Dario ordered again 10 days ago
    carla = ms.shopper(locale="en")
    ms.order(carla, items=[line("SHOE-1", 1, 5000, ["shoes"])], created_at=iso(noon(day - timedelta(days=179))))
    dario = ms.shopper(locale="en")
    ms.order(dario, items=[line("SHOE-1", 1, 5000, ["shoes"])], created_at=iso(last))
    ms.order(dario, items=[line("SHOE-1", 1, 5000, ["shoes"])], created_at=iso(noon(day - timedelta(days=10))))
    assert ms.customer(anna)["facts"]["last_order_at"][:10] == last.date().isoformat()
    ms.daily_messages()
    [a] = ms.sent(anna, win_back["id"])
    assert (a["trigger"], a["occasion"]) == ("win_back", f"win_back:{last.date().isoformat()}"), a
    assert a["body"].startswith("<p>shoes: "), a["body"]
    assert "(180)" in a["body"], a["body"]
    code = ms.code(a["coupon_code"])
    assert code["campaign_id"] == shoes_offer["id"], code
    assert code["customer_id"] == anna, code
    valid = ms.validate(
        a["coupon_code"], {"amount": 5000, "currency": "EUR", "items": [line("SHOE-9", 1, 5000, ["shoes"])]}, anna
    )
    assert valid["valid"] is True and valid["discount_amount"] == 1000, valid
    [b] = ms.sent(bruno, win_back["id"])
    assert ms.code(b["coupon_code"])["campaign_id"] == general["id"]
    ms.nothing_for([carla, dario], win_back["id"], grace=0.5)


def test_the_frequency_cap_counts_messages_of_every_campaign(ms, clock):
    welcome = ms.reengagement("welcome", messages=HELLO)
    birthday = ms.reengagement(
        {"type": "birthday"},
        audience={"channels": ["email"], "frequency_cap": {"messages": 1, "days": 7}},
        messages=HELLO,
    )
    day = plain_day(clock, ahead=1)
    # Anna is new (welcomed today), Bruno signed up long ago; both have their birthday tomorrow
    anna = ms.shopper(locale="en", birthday=birthday_of(day))
    bruno = ms.shopper(locale="en", birthday=birthday_of(day), created_at=iso(noon(day - timedelta(days=400))))
    clock.tick()
    ms.watch()
    ms.sent(anna, welcome["id"])
    assert ms.messages(bruno, welcome["id"]) == []
    # When the daily job runs on their birthday
    clock.set(noon(day))
    ms.daily_messages()
    # Then Bruno gets the birthday message; Anna, welcomed yesterday by another campaign, does not (1 in 7 days)
    ms.sent(bruno, birthday["id"])
    ms.nothing_for([anna], birthday["id"], grace=0.5)


def test_a_29_february_birthday_is_celebrated_on_28_february_in_common_years(ms, clock):
    campaign = ms.reengagement({"type": "birthday"}, messages=HELLO)
    year = clock.today.year + (clock.today >= date(clock.today.year, 2, 28))
    while calendar.isleap(year):
        year += 1
    feb28 = date(year, 2, 28)
    clock.set(noon(feb28 - timedelta(days=1)))
    leap = ms.shopper(locale="en", birthday={"month": 2, "day": 29})
    control = ms.shopper(locale="en", birthday={"month": 3, "day": 1})
    clock.set(noon(feb28))
    ms.daily_messages()
    [m] = ms.sent(leap, campaign["id"])
    assert m["occasion"] == f"birthday:{year}", m
    assert ms.messages(control, campaign["id"]) == []
    # And not a second time on 1 March
    clock.set(noon(feb28 + timedelta(days=1)))
    ms.daily_messages()
    ms.sent(control, campaign["id"])
    assert len(ms.messages(leap, campaign["id"])) == 1


def test_nothing_for_a_customer_without_consent_on_their_birthday(ms, clock):
    campaign = ms.reengagement({"type": "birthday"}, messages=HELLO)
    day = plain_day(clock, ahead=1)
    quiet = uid("msg-")
    ms.profile(
        quiet, email=email_of(quiet), locale="en", birthday=birthday_of(day), consent={"email": {"granted": False}}
    )
    control = ms.shopper(locale="en", birthday=birthday_of(day))
    clock.set(noon(day))
    ms.daily_messages()
    ms.sent(control, campaign["id"])
    ms.nothing_for([quiet], campaign["id"], grace=0.5)
