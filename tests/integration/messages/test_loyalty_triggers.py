"""Triggers and incentives that build on loyalty, segments and referrals: points expiring (the session's loyalty
program: fixed expiry 365 days after release), points credited with a message, any segment entered, and the
nudge to ambassadors who have not shared lately (with their referral link)."""

from datetime import timedelta

import pytest
from referrals import Referrals

from messages import local_day, noon, parse_ts, wait_for

pytestmark = pytest.mark.integration


def test_points_expiring_warns_days_before_a_lot_expires(ms, clock, program):
    campaign = ms.reengagement(
        {"type": "points_expiring", "days_before": 7},
        messages={
            "email": {
                "en": {
                    "subject": "{{ occasion.points }} points expire soon",
                    "body": "<p>{{ occasion.expires_at }} / {{ customer.points_balance }}</p>",
                }
            }
        },
    )
    # Anna earns 50 points for a review today (released at once: they expire in 365 days)
    anna = ms.shopper(locale="en")
    assert ms.review(anna)["points"] == 50
    [earned] = [e for e in ms.ledger(anna) if e["type"] == "earn"]
    expires = parse_ts(earned["at"]) + timedelta(days=365)
    # Bruno earns his a day later
    clock.advance(days=1)
    bruno = ms.shopper(locale="en")
    assert ms.review(bruno)["points"] == 50
    # When the daily job runs 7 days before Anna's points expire
    expiry_day = local_day(expires)
    clock.set(noon(expiry_day - timedelta(days=7)))
    [lot] = ms.wallet(anna)["points"]["expiring"]
    assert (lot["points"], parse_ts(lot["expires_at"])) == (50, expires), lot
    ms.daily_messages()
    # Then Anna is warned, Bruno (a day later) not yet
    [m] = ms.sent(anna, campaign["id"])
    assert (m["trigger"], m["occasion"]) == ("points_expiring", f"points_expiring:{expiry_day.isoformat()}"), m
    assert m["subject"] == "50 points expire soon", m
    assert "/ 50</p>" in m["body"], m["body"]
    assert ms.messages(bruno, campaign["id"]) == []
    # The next day Bruno is, and Anna is not warned twice
    clock.advance(days=1)
    ms.daily_messages()
    ms.sent(bruno, campaign["id"])
    assert len(ms.messages(anna, campaign["id"])) == 1


def test_a_points_incentive_is_credited_once_with_the_message(ms, clock, program):
    campaign = ms.reengagement(
        "welcome",
        incentive={"points": 25},
        messages={"email": {"en": {"subject": "{{ points }} points for you", "body": "<p>{{ points }}</p>"}}},
    )
    anna = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    [m] = ms.sent(anna, campaign["id"])
    assert m["points"] == 25 and m["subject"] == "25 points for you", m
    assert m["coupon_code"] is None
    credited = [e for e in ms.ledger(anna) if e["reason"] == f"reengagement:{campaign['id']}"]
    assert [(e["type"], e["points"]) for e in credited] == [("earn", 25)], ms.ledger(anna)
    # A second run credits nothing more
    clock.tick()
    ms.watch()
    credited = [e for e in ms.ledger(anna) if e["reason"] == f"reengagement:{campaign['id']}"]
    assert len(credited) == 1, credited


def test_segment_entered_reacts_to_any_segment(ms, clock):
    campaign = ms.reengagement(
        {"type": "segment_entered", "segment": "future_ambassadors"},
        messages={"email": {"en": {"subject": "You are one of us", "body": "<p>{{ occasion.segment }}</p>"}}},
    )
    anna = ms.shopper(locale="en")
    bruno = ms.shopper(locale="en")
    # Anna orders three times (engagement 30, 2+ orders): she enters future_ambassadors; Bruno orders once
    for _ in range(3):
        clock.tick()
        ms.order(anna, 4000)
    ms.order(bruno, 4000)
    assert "future_ambassadors" in ms.customer(anna)["segments"]
    assert "future_ambassadors" not in ms.customer(bruno)["segments"]
    clock.tick()
    ms.watch()
    [m] = ms.sent(anna, campaign["id"])
    assert m["trigger"] == "segment_entered", m
    assert m["occasion"].startswith("entered:future_ambassadors:"), m
    assert "future_ambassadors" in m["body"]
    # Once per entry: a second run sends nothing more
    clock.tick()
    ms.watch()
    ms.nothing_for([bruno], campaign["id"], grace=1.0)
    assert len(ms.messages(anna, campaign["id"])) == 1


def test_referral_nudge_for_ambassadors_who_have_not_shared_lately(ms, clock):
    rf = Referrals(ms.stack)
    program = rf.create_program()
    ms.created.append(program["id"])  # disabled when the test ends
    # Anna and Bruno each have a friend who ordered with their code: both are ambassadors
    anna = ms.shopper(locale="en", name="Anna Rossi")
    bruno = ms.shopper(locale="en", name="Bruno Verdi")
    links = {}
    for who in (anna, bruno):
        links[who] = rf.link(program["id"], who, name=who[:8])
        outcome = rf.refer(links[who]["code"])
        assert outcome["referral"]["status"] == "converted", outcome
        assert "ambassadors" in ms.customer(who)["segments"]
    start = clock.today
    campaign = ms.reengagement(
        {"type": "referral_nudge", "days_since_last_share": 30},
        referral_campaign_id=program["id"],
        messages={
            "email": {
                "en": {"subject": "Share again", "body": '<p><a href="{{ referral.link }}">{{ referral.code }}</a></p>'}
            }
        },
    )
    # Bruno shares 10 days later; Anna never does
    clock.advance(days=10)
    ms.event(bruno, "social_share", network="instagram")
    # When the daily job runs 30 days after Anna became an ambassador
    clock.set(noon(start + timedelta(days=30)))
    ms.daily_messages()
    [m] = ms.sent(anna, campaign["id"])
    assert m["trigger"] == "referral_nudge", m
    assert m["occasion"] == f"referral_nudge:{start.isoformat()}", m
    assert links[anna]["code"] in m["body"], m["body"]
    assert ms.messages(bruno, campaign["id"]) == []
    # One nudge per quiet spell: the next days send Anna nothing more
    clock.advance(days=1)
    ms.daily_messages()
    clock.advance(days=1)
    ms.daily_messages()
    wait_for(lambda: all(x["status"] in ("sent", "failed") for x in ms.messages(anna, campaign["id"])))
    assert len(ms.messages(anna, campaign["id"])) == 1
