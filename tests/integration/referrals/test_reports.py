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


def test_the_funnel_counts_what_happened(rf, activity):
    cid = activity["program"]["id"]
    funnel = rf.report("funnel", campaign_id=cid)
    assert funnel["campaign_id"] == cid
    total = funnel["total"]
    got = {k: total[k] for k in ("referrers", "clicks", "visits", "signups", "first_orders", "rewards_released")}
    assert got == {
        "referrers": 3,
        "clicks": 3,
        "visits": 2,
        "signups": 1,
        "first_orders": 4,
        "rewards_released": 0,
    }, total
    # one variant (default): the same numbers
    assert [v["variant"] for v in funnel["variants"]] == ["default"], funnel
    variant = funnel["variants"][0]
    assert {k: variant[k] for k in got} == got, variant
    for rate in total["rates"].values():
        assert rate is None or (isinstance(rate, int | float) and rate >= 0), total["rates"]


def test_the_roi_gives_its_inputs_and_follows_its_formula(rf, activity):
    cid = activity["program"]["id"]
    roi = rf.report("roi", campaign_id=cid)
    assert roi["campaign_id"] == cid
    assert [line["currency"] for line in roi["items"]] == ["EUR"], roi
    line = roi["items"][0]
    inputs = line["inputs"]
    assert inputs["currency"] == "EUR"
    # invitations = clicks; 4 accepted conversions of 50.00 from 4 referred customers; 3 referrers
    assert inputs["invitations"] == 3, inputs
    assert inputs["conversions"] == 4, inputs
    assert inputs["referrers"] == 3, inputs
    assert inputs["referred_customers"] == 4, inputs
    assert inputs["attributed_revenue"] == 20000, inputs
    # LTV = average net revenue per referred customer of this program
    assert inputs["avg_ltv_referred"] == pytest.approx(5000), inputs
    assert inputs["invitations_per_referrer"] == pytest.approx(1.0), inputs
    # k = invitations per referrer × conversion rate
    if inputs["k"] is not None:
        assert inputs["k"] == pytest.approx(inputs["invitations_per_referrer"] * inputs["conversion_rate"], rel=1e-3), (
            inputs
        )
    # reward = money reward cost per conversion; ROI = ((LTV × (1 + k)) − reward) / reward
    if inputs["reward_per_conversion"] is not None:
        assert inputs["reward_per_conversion"] == pytest.approx(inputs["reward_cost"] / inputs["conversions"], rel=1e-3)
    if line["roi"] is not None:
        ltv, k, reward = inputs["avg_ltv_referred"], inputs["k"], inputs["reward_per_conversion"]
        assert line["roi"] == pytest.approx((ltv * (1 + k) - reward) / reward, rel=1e-3), line
    else:
        assert not inputs["reward_per_conversion"] or inputs["k"] is None, line
    assert isinstance(inputs["reward_cost"], int) and inputs["reward_cost"] >= 0, inputs


def test_the_reports_of_a_new_program_are_empty(rf):
    program = rf.create_program()
    cid = program["id"]
    assert rf.report("leaderboard", campaign_id=cid)["items"] == []
    total = rf.report("funnel", campaign_id=cid)["total"]
    assert (total["referrers"], total["clicks"], total["first_orders"]) == (0, 0, 0), total
    roi = rf.report("roi", campaign_id=cid)
    for line in roi["items"]:
        assert line["roi"] is None, roi


def test_refunds_lower_the_reports(rf):
    # Given Anna's two converted friends (50.00 each)
    program = rf.create_program(tiers=[], fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000})
    cid = program["id"]
    anna = rf.link(cid, name="Anna")["code"]
    first, second = rf.refer(anna), rf.refer(anna)
    assert rf.report("roi", campaign_id=cid)["items"][0]["inputs"]["attributed_revenue"] == 10000
    # When 10.00 of the first are refunded (the conversion stands) and the second is refunded in full
    assert rf.refund(first["order_id"], 1000).json()["conversion_voided"] is False
    assert rf.refund(second["order_id"]).json()["conversion_voided"] is True
    # Then revenue is net of refunds, and only one conversion is accepted everywhere
    inputs = rf.report("roi", campaign_id=cid)["items"][0]["inputs"]
    assert (inputs["attributed_revenue"], inputs["conversions"]) == (4000, 1), inputs
    assert rf.counts(anna)["conversions"] == 1
    assert rf.report("funnel", campaign_id=cid)["total"]["first_orders"] == 1
    board = rf.report("leaderboard", campaign_id=cid, period="all")
    assert [(e["code"], e["conversions"]) for e in board["items"]] == [(anna, 1)], board
