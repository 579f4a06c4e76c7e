"""A referral program's points rewards need the shop's loyalty program: refused (422
`loyalty_program_required`) at creation and on a PATCH while there is none, accepted once it exists."""

from types import ModuleType
from typing import Any

from tests.unit.functions import call

POINTS = {"type": "points", "points": 200}
COUPON = {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"}
PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": COUPON,
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
}
LOYALTY = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]}


def create(fn: ModuleType, body: dict[str, Any]) -> Any:
    return call(fn, "POST", "/v1/campaigns", "/v1/campaigns", body)


def patch(fn: ModuleType, campaign_id: str, body: dict[str, Any]) -> Any:
    return call(fn, "PATCH", f"/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}", body)


def test_points_rewards_without_a_loyalty_program_are_refused_at_creation(campaigns_fn: ModuleType) -> None:
    for body in (
        PROGRAM | {"referee_reward": POINTS},
        PROGRAM | {"tiers": [{"referrals": 3, "reward": POINTS}]},
        PROGRAM | {"variants": [{"name": "a"}, {"name": "b", "referrer_reward": POINTS}]},
    ):
        reply = create(campaigns_fn, body)
        assert reply.status == 422, reply.body
        assert reply.body["error"]["code"] == "loyalty_program_required", reply.body
        assert reply.body["error"]["details"]["rewards"], reply.body
    listed = call(campaigns_fn, "GET", "/v1/campaigns", "/v1/campaigns").body["items"]
    assert not [c for c in listed if c["type"] == "referral"], listed


def test_a_patch_adding_points_rewards_without_a_loyalty_program_is_refused(campaigns_fn: ModuleType) -> None:
    made = create(campaigns_fn, PROGRAM)
    assert made.status == 201, made.body
    reply = patch(campaigns_fn, made.body["id"], {"referrer_reward": POINTS})
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "loyalty_program_required"
    got = call(campaigns_fn, "GET", f"/v1/campaigns/{made.body['id']}", "/v1/campaigns/{campaign_id}").body
    assert got["referrer_reward"]["type"] == "credit", got


def test_points_rewards_are_accepted_once_the_loyalty_program_exists(campaigns_fn: ModuleType) -> None:
    assert create(campaigns_fn, LOYALTY).status == 201
    made = create(campaigns_fn, PROGRAM | {"referee_reward": POINTS})
    assert made.status == 201, made.body
    assert patch(campaigns_fn, made.body["id"], {"referrer_reward": POINTS}).status == 200
