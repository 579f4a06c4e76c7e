"""The loyalty program: one per shop, validated when created or changed."""

import copy

import pytest
from api import assert_error

from loyalty import GOLD_ENTRY_POINTS, program_fields

pytestmark = pytest.mark.integration


def body(**overrides):
    fields = program_fields("dinner-x")
    fields.update(copy.deepcopy(overrides))
    return {"name": "Another club", "type": "loyalty", **fields}


def test_the_program_reads_back_as_it_was_configured(lo, program):
    # When the shop reads its loyalty program
    got = lo.campaign(program["id"])
    # Then every part of the configuration is there
    assert got["type"] == "loyalty" and got["enabled"] is True
    assert [r["event"] for r in got["earning_rules"]] == [
        "order_paid",
        "review",
        "nps_answer",
        "signup",
        "birthday",
        "referral",
        "social_follow",
        "custom:quiz",
    ]
    assert got["pending_days"] == 14
    assert got["expiry"]["policy"] == "fixed" and got["expiry"]["days"] == 365
    assert [(t["name"], t["min_points"], t["multiplier"]) for t in got["tiers"]] == [
        ("Silver", 0, 1.0),
        ("Gold", 1000, 1.5),
        ("Platinum", 5000, 2.0),
    ]
    assert got["tiers"][1]["entry_reward"] == {"type": "points", "points": GOLD_ENTRY_POINTS}
    assert [r["id"] for r in got["rewards"]] == [
        "ten-off",
        "free-shipping",
        "store-credit",
        program["stocked_reward_id"],
        "gold-mug",
    ]
    # And it is listed among the campaigns, once
    assert [c["id"] for c in lo.loyalty_programs()] == [program["id"]]


def test_a_second_loyalty_program_is_refused_with_409(lo, program):
    r = lo.post("/v1/campaigns", json=body())
    err = assert_error(r, 409, "loyalty_program_exists")
    assert program["id"] in str(err["details"]) or err["details"] == {}
    # And still one program
    assert [c["id"] for c in lo.loyalty_programs()] == [program["id"]]


@pytest.mark.parametrize(
    ("overrides", "mentions"),
    [
        # tiers without a 0-point tier
        ({"tiers": [{"name": "Gold", "min_points": 1000}, {"name": "Platinum", "min_points": 5000}]}, "tiers"),
        # two tiers at the same threshold
        ({"tiers": [{"name": "A", "min_points": 0}, {"name": "B", "min_points": 0}]}, "tiers"),
        # two tiers with the same name
        ({"tiers": [{"name": "A", "min_points": 0}, {"name": "A", "min_points": 10}]}, "tiers"),
        # a multiplier below 1
        ({"tiers": [{"name": "A", "min_points": 0, "multiplier": 0.5}]}, "multiplier"),
        # the same reward id twice
        (
            {
                "rewards": [
                    {"id": "x", "name": "X", "cost": 10, "reward": {"type": "recognition"}},
                    {"id": "x", "name": "Y", "cost": 20, "reward": {"type": "recognition"}},
                ]
            },
            "rewards",
        ),
        # a reward for an unknown tier
        (
            {
                "rewards": [
                    {"id": "x", "name": "X", "cost": 10, "min_tier": "Diamond", "reward": {"type": "recognition"}}
                ]
            },
            "Diamond",
        ),
        # a reward costing 0 points
        ({"rewards": [{"id": "x", "name": "X", "cost": 0, "reward": {"type": "recognition"}}]}, "cost"),
        # fixed expiry without days, never with days, days out of range
        ({"expiry": {"policy": "fixed"}}, "days"),
        ({"expiry": {"policy": "never", "days": 30}}, "days"),
        ({"expiry": {"policy": "inactivity", "days": 0}}, "days"),
        ({"expiry": {"policy": "sometimes", "days": 30}}, "policy"),
        # earning rules: none; order points without a unit; fixed points on an order; a per-unit rate on an event
        ({"earning_rules": []}, "earning_rules"),
        ({"earning_rules": [{"event": "order_paid", "points_per_unit": 1}]}, "order_paid"),
        ({"earning_rules": [{"event": "order_paid", "points": 10}]}, "order_paid"),
        ({"earning_rules": [{"event": "review", "points_per_unit": 1, "unit_amount": 100}]}, "review"),
        # a cap with both limits, a window ending before it starts
        ({"earning_rules": [{"event": "review", "points": 5, "cap": {"period": "day"}}]}, "cap"),
        (
            {
                "earning_rules": [
                    {
                        "event": "review",
                        "points": 5,
                        "starts_at": "2030-02-01T00:00:00Z",
                        "ends_at": "2030-01-01T00:00:00Z",
                    }
                ]
            },
            "ends_at",
        ),
        # pending days out of range, an unknown field
        ({"pending_days": -1}, "pending_days"),
        ({"points_per_euro": 1}, "points_per_euro"),
    ],
)
def test_an_invalid_program_is_400_with_the_field(lo, program, overrides, mentions):
    r = lo.post("/v1/campaigns", json=body(**overrides))
    assert_error(r, 400, "invalid_request", mentions=mentions)
    assert r.json()["error"]["details"]["fields"], r.text


def test_an_invalid_change_is_400_and_changes_nothing(lo, program):
    before = lo.campaign(program["id"])
    r = lo.patch(f"/v1/campaigns/{program['id']}", json={"tiers": [{"name": "Gold", "min_points": 1000}]})
    assert_error(r, 400, "invalid_request", mentions="tiers")
    r = lo.patch(f"/v1/campaigns/{program['id']}", json={"expiry": {"days": None}})
    assert_error(r, 400, "invalid_request", mentions="days")
    after = lo.campaign(program["id"])
    assert after["version"] == before["version"]
    assert after["tiers"] == before["tiers"] and after["expiry"] == before["expiry"]


def test_a_patch_merges_into_the_program(lo, program):
    """PATCH is a JSON Merge Patch (RFC 7396): one member of `expiry` changes, the others stay."""
    before = lo.campaign(program["id"])
    r = lo.patch(f"/v1/campaigns/{program['id']}", json={"expiry": {"warn_days": 20}})
    assert r.status_code == 200, r.text
    assert r.json()["expiry"] == before["expiry"] | {"warn_days": 20}
    assert r.json()["tiers"] == before["tiers"] and r.json()["earning_rules"] == before["earning_rules"]
    r = lo.patch(f"/v1/campaigns/{program['id']}", json={"expiry": {"warn_days": before["expiry"]["warn_days"]}})
    assert r.status_code == 200 and r.json()["expiry"] == before["expiry"], r.text
