"""Reports: leaderboard, funnel and ROI of one program, against what the test itself did."""

from datetime import UTC, datetime

import pytest
from api import uid

from referrals import assert_blocked, assert_converted, new_email

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def activity(rf):
    """A program where Anna converts 3 friends, Bob 1 and Carl none; 3 clicks, 2 visits, 1 signup, 1 block."""
    program = rf.create_program(tiers=[], fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000})
    cid = program["id"]
    anna = rf.link(cid, name="Anna")
    bob = rf.link(cid, name="Bob")
    carl = rf.link(cid, name="Carl")
    for code in (anna["code"], anna["code"], bob["code"]):
        assert rf.follow(code).status_code == 302
    for code in (anna["code"], bob["code"]):
        assert rf.track("visit", code, visitor_id=uid("v")).status_code == 202
    assert rf.track("signup", anna["code"], email=new_email()).status_code == 202
    for _ in range(3):
        assert_converted(rf.refer(anna["code"]), anna["code"])
    assert_converted(rf.refer(bob["code"]), bob["code"])
    assert_blocked(rf.refer(bob["code"], amount=1000), "below_minimum")
    return {"program": program, "anna": anna, "bob": bob, "carl": carl}


def test_the_leaderboard_ranks_the_referrer_with_most_conversions_first(rf, activity):
    cid = activity["program"]["id"]
    anna, bob = activity["anna"], activity["bob"]
    board = rf.report("leaderboard", campaign_id=cid, period="all")
    assert board["campaign_id"] == cid
    assert board["period"] == "all"
    top = [(e["rank"], e["code"], e["customer_id"], e["conversions"]) for e in board["items"][:2]]
    assert top == [(1, anna["code"], anna["customer_id"], 3), (2, bob["code"], bob["customer_id"], 1)], board
    assert board["items"][0]["name"] == "Anna"
    assert all(e["conversions"] == 0 for e in board["items"][2:]), board


def test_the_leaderboard_by_period_and_limit(rf, activity):
    cid = activity["program"]["id"]
    anna = activity["anna"]
    now = datetime.now(UTC)
    for period in ("month", "year", now.strftime("%Y-%m"), now.strftime("%Y")):
        board = rf.report("leaderboard", campaign_id=cid, period=period)
        assert [(e["code"], e["conversions"]) for e in board["items"][:2]] == [
            (anna["code"], 3),
            (activity["bob"]["code"], 1),
        ], (period, board)
    board = rf.report("leaderboard", campaign_id=cid, period="all", limit=1)
    assert [(e["rank"], e["code"]) for e in board["items"]] == [(1, anna["code"])], board
    empty = rf.report("leaderboard", campaign_id=cid, period=str(now.year - 3))
    assert empty["items"] == [], empty


def test_the_funnels_count_what_happened(rf, activity):
    cid = activity["program"]["id"]
    funnel = rf.report("funnel", campaign_id=cid)
    assert funnel["campaign_id"] == cid and funnel["granularity"] == "day"
    total = funnel["totals"]
    # Anna: 2 clicks, 1 visit, 1 signup, 3 conversions (codes typed: 2 signups, 2 visits, 1 click inferred);
    # Bob: 1 click, 1 visit, 1 conversion (1 signup inferred); Carl: nothing
    assert total["referrers"] == {
        "shared": 3,
        "clicked": 2,
        "brought": 2,
        "rewarded": 0,
        "rates": {"clicked_per_shared": 0.6667, "brought_per_clicked": 1.0, "rewarded_per_brought": 0.0},
    }, total
    friends = total["friends"]
    assert [friends[k] for k in ("clicks", "visits", "signups", "conversions", "rewarded")] == [4, 4, 4, 4, 0]
    assert friends["inferred"] == {"clicks": 1, "visits": 2, "signups": 3}, friends
    assert total["clicks_per_referrer"] == 1.3333
    # one variant (default): the same numbers; every rate a share of the step before it
    assert [v["variant"] for v in funnel["variants"]] == ["default"], funnel
    assert funnel["variants"][0]["totals"] == total
    for rate in [*total["referrers"]["rates"].values(), *friends["rates"].values()]:
        assert rate is None or 0 <= rate <= 1, total
    assert sum(b["referrers"]["shared"] for b in funnel["series"]) == 3 and len(funnel["series"]) == 30


def test_the_roi_gives_its_inputs_and_follows_its_formula(rf, activity):
    cid = activity["program"]["id"]
    roi = rf.report("roi", campaign_id=cid)
    assert roi["campaign_id"] == cid
    assert [line["currency"] for line in roi["items"]] == ["EUR"], roi
    line = roi["items"][0]
    inputs = line["inputs"]
    # 4 friends acquired with 50.00 each; 4 friend coupons of 5.00 issued, none redeemed yet (expected cost);
    # the referrer rewards wait 14 days: nothing spent yet, so there is no ROI
    assert (inputs["customers"], inputs["revenue"], inputs["avg_ltv"]) == (4, 20000, 5000.0), inputs
    assert (inputs["reward_cost"], inputs["coupon_cost"], inputs["points"], inputs["cost"]) == (0, 0, 0, 0.0), inputs
    assert inputs["expected_coupon_cost"] == 2000.0 and roi["coupons_outstanding"] == 4, roi
    assert (inputs["shared"], inputs["clicks"], inputs["conversions"]) == (3, 4, 4), inputs
    assert inputs["k"] == pytest.approx(inputs["clicks_per_referrer"] * inputs["conversion_rate"]), inputs
    assert line["roi"] is None and line["roi_unavailable"] is None, line


def test_the_reports_of_a_new_program_are_empty(rf):
    program = rf.create_program()
    cid = program["id"]
    assert rf.report("leaderboard", campaign_id=cid)["items"] == []
    total = rf.report("funnel", campaign_id=cid)["totals"]
    assert (total["referrers"]["shared"], total["friends"]["clicks"], total["friends"]["conversions"]) == (0, 0, 0)
    roi = rf.report("roi", campaign_id=cid)
    for line in roi["items"]:
        assert line["roi"] is None, roi


def test_refunds_lower_the_reports(rf):
    # Given Anna's two converted friends (50.00 each)
    program = rf.create_program(tiers=[], fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000})
    cid = program["id"]
    anna = rf.link(cid, name="Anna")["code"]
    first, second = rf.refer(anna), rf.refer(anna)
    assert rf.report("roi", campaign_id=cid)["items"][0]["inputs"]["revenue"] == 10000
    # When 10.00 of the first are refunded (the conversion stands) and the second is refunded in full
    assert rf.refund(first["order_id"], 1000).json()["conversion_voided"] is False
    assert rf.refund(second["order_id"]).json()["conversion_voided"] is True
    # Then revenue is net of refunds, and only one conversion is accepted everywhere
    inputs = rf.report("roi", campaign_id=cid)["items"][0]["inputs"]
    # (the refunded friend stays a referred customer of the program, with no revenue: a refund takes money back)
    assert (inputs["revenue"], inputs["customers"], inputs["conversions"]) == (4000, 2, 1), inputs
    assert rf.counts(anna)["conversions"] == 1
    assert rf.report("funnel", campaign_id=cid)["totals"]["friends"]["conversions"] == 1
    board = rf.report("leaderboard", campaign_id=cid, period="all")
    assert [(e["code"], e["conversions"]) for e in board["items"]] == [(anna, 1)], board
