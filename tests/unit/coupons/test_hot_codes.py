"""A hot campaign (`rules.hot_shards`): its cap shared by shard items stays exact (docs/architecture.md, "Hot codes")."""

import json
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest

from passaparola.data import shards
from passaparola.data.models.campaigns import CampaignModel
from passaparola.data.models.coupons import CodeModel, RedemptionModel
from tests.unit.coupons.test_redemptions import campaign_stats, make_campaign, make_code, redeem
from tests.unit.functions import Reply, call, load_function

AMOUNT = {"type": "amount", "amount_off": 500}


def hot(campaigns_fn: ModuleType, cap: int, n: int, code: str = "FLASH") -> str:
    campaign_id = make_campaign(campaigns_fn, AMOUNT, max_redemptions=cap, hot_shards=n)
    make_code(campaigns_fn, campaign_id, code=code)
    return campaign_id


def patch(campaigns_fn: ModuleType, campaign_id: str, body: dict[str, Any]) -> Reply:
    return call(campaigns_fn, "PATCH", f"/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}", body)


def left(campaign_id: str, n: int) -> list[int]:
    return [s.left for s in shards.read_all(campaign_id, n)]


def redeem_all(coupons_fn: ModuleType, code: str, count: int, prefix: str = "o") -> list[Reply]:
    return [redeem(coupons_fn, code, f"{prefix}-{i}") for i in range(count)]


def outcomes(replies: list[Reply]) -> dict[Any, int]:
    found: dict[Any, int] = {}
    for r in replies:
        key = r.status if r.status == 201 else (r.status, r.body["error"]["code"])
        found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.parametrize(("cap", "n"), [(50, 8), (8, 8)])
def test_a_hot_campaign_redeems_exactly_its_cap_then_refuses_with_the_limit_error(coupons_fn, campaigns_fn, cap, n):
    campaign_id = hot(campaigns_fn, cap, n)
    assert sum(left(campaign_id, n)) == cap and max(left(campaign_id, n)) - min(left(campaign_id, n)) <= 1

    replies = redeem_all(coupons_fn, "FLASH", cap + 5)

    assert outcomes(replies) == {201: cap, (422, "redemption_limit_reached"): 5}
    assert replies[-1].body["error"]["details"] == {"limit": "campaign", "max_redemptions": cap}
    assert left(campaign_id, n) == [0] * n
    assert call(coupons_fn, "GET", "/v1/codes/FLASH", "/v1/codes/{code}").body["redemptions"] == cap
    stats = campaign_stats(campaigns_fn, campaign_id)
    assert stats["redemptions"] == cap and stats["discount_given"] == {"EUR": 500 * cap}


def test_the_hot_path_writes_neither_the_campaign_nor_the_shared_code(coupons_fn, campaigns_fn):
    campaign_id = hot(campaigns_fn, 10, 4)
    before_campaign = CampaignModel.get(campaign_id, consistent_read=True).serialize()

    assert redeem(coupons_fn, "FLASH", "o-1").status == 201

    assert CampaignModel.get(campaign_id, consistent_read=True).serialize() == before_campaign
    assert int(CodeModel.get("FLASH", consistent_read=True).redemptions or 0) == 0
    assert sum(s.used for s in shards.read_all(campaign_id, 4)) == 1


def test_a_drained_shard_takes_budget_from_the_others_and_the_sum_never_changes(coupons_fn, campaigns_fn, monkeypatch):
    campaign_id = hot(campaigns_fn, 12, 4)  # 3 each
    monkeypatch.setattr(shards, "pick", lambda n: 0)  # every redemption aims at shard 0
    moved: list[tuple[int, int, int]] = []
    real_move = shards.move
    monkeypatch.setattr(shards, "move", lambda c, d, r, k: (moved.append((d, r, k)), real_move(c, d, r, k))[1])

    replies = redeem_all(coupons_fn, "FLASH", 14)

    assert outcomes(replies) == {201: 12, (422, "redemption_limit_reached"): 2}
    assert moved and all(r == 0 and k >= 1 for _, r, k in moved)
    found = shards.read_all(campaign_id, 4)
    assert [s.left for s in found] == [0, 0, 0, 0] and sum(s.used for s in found) == 12


def test_refill_moves_half_of_the_richest_shard_and_never_below_zero(aws):
    from passaparola.data import transactions

    def build(tx: transactions.Transaction) -> None:
        shards.create(tx, "cmp_x", True, 1, [0, 7, 2])

    transactions.write(build)
    assert shards.refill("cmp_x", 3, 0) == 0
    assert left("cmp_x", 3) == [3, 4, 2]
    with pytest.raises(shards.MoveRejected):
        shards.move("cmp_x", 2, 0, 3)  # shard 2 has 2: nothing moves
    assert left("cmp_x", 3) == [3, 4, 2]


def test_sold_out_only_when_every_shard_is_empty(aws):
    from passaparola.data import transactions

    transactions.write(lambda tx: shards.create(tx, "cmp_y", True, 1, [0, 0, 1]))
    assert shards.refill("cmp_y", 3, 0) == 2  # one unit left: redeem there, nothing to split
    transactions.write(lambda tx: shards.create(tx, "cmp_z", True, 1, [0, 0]))
    with pytest.raises(shards.SoldOut):
        shards.refill("cmp_z", 2, 1)


def test_a_read_that_missed_a_move_in_flight_is_not_taken_for_sold_out(aws):
    """A BatchGetItem may read a move's recipient before it and its donor after it: all zeros, units in flight."""
    from passaparola.data import transactions

    transactions.write(lambda tx: shards.create(tx, "cmp_m", True, 1, [0, 0, 2]))
    missed = [shards.Shard(i, 0, 0, 0, {}) for i in range(3)]

    assert shards.refill("cmp_m", 3, 0, missed) == 2  # confirmed by one TransactGetItems before answering sold out


def test_a_rollback_gives_the_unit_back_to_the_shard_the_redemption_used(coupons_fn, campaigns_fn):
    campaign_id = hot(campaigns_fn, 2, 2)
    first = redeem(coupons_fn, "FLASH", "o-1")
    facts = json.loads(RedemptionModel.get(first.body["id"]).code_facts)
    used = facts["shard"]
    assert facts["code_counted"] is False
    assert left(campaign_id, 2)[used] == 0

    rolled = call(
        coupons_fn, "POST", f"/v1/redemptions/{first.body['id']}/rollback", "/v1/redemptions/{redemption_id}/rollback"
    )

    assert rolled.status == 200, rolled.body
    assert left(campaign_id, 2) == [1, 1]
    assert int(CodeModel.get("FLASH", consistent_read=True).redemptions or 0) == 0  # never counted, never uncounted
    assert call(coupons_fn, "GET", "/v1/codes/FLASH", "/v1/codes/{code}").body["redemptions"] == 0
    stats = campaign_stats(campaigns_fn, campaign_id)
    assert (stats["redemptions"], stats["rolled_back"], stats["discount_given"]) == (0, 1, {"EUR": 0})
    assert outcomes(redeem_all(coupons_fn, "FLASH", 3, "again")) == {201: 2, (422, "redemption_limit_reached"): 1}


def test_the_coupons_report_sums_the_shards_day_items_into_one_exact_day(coupons_fn, campaigns_fn):
    reports_fn = load_function("reports")
    campaign_id = hot(campaigns_fn, 30, 6)
    replies = redeem_all(coupons_fn, "FLASH", 20)
    call(
        coupons_fn,
        "POST",
        f"/v1/redemptions/{replies[0].body['id']}/rollback",
        "/v1/redemptions/{redemption_id}/rollback",
    )

    reply = call(reports_fn, "GET", "/v1/reports/coupons", "/v1/reports/coupons", query={"campaign_id": campaign_id})

    assert reply.status == 200, reply.body
    (figures,) = reply.body["campaigns"]
    assert figures["totals"]["redemptions"] == 19, figures
    assert figures["totals"]["discount"] == {"EUR": 19 * 500}
    assert sum(b["redemptions"] for b in reply.body["series"]) == 19
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == 19


def test_a_campaign_made_hot_shares_what_is_left_of_its_cap(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn, AMOUNT, max_redemptions=10)
    make_code(campaigns_fn, campaign_id, code="LATE")
    assert outcomes(redeem_all(coupons_fn, "LATE", 3, "before")) == {201: 3}

    reply = patch(campaigns_fn, campaign_id, {"rules": {"hot_shards": 4}})

    assert reply.status == 200, reply.body
    assert reply.body["rules"]["hot_shards"] == 4 and reply.body["stats"]["redemptions"] == 3
    assert sum(left(campaign_id, 4)) == 7
    assert outcomes(redeem_all(coupons_fn, "LATE", 9, "after")) == {201: 7, (422, "redemption_limit_reached"): 2}
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == 10


def test_a_rollback_of_a_redemption_counted_before_the_campaign_became_hot_gives_its_unit_to_a_shard(
    coupons_fn, campaigns_fn
):
    campaign_id = make_campaign(campaigns_fn, AMOUNT, max_redemptions=5)
    make_code(campaigns_fn, campaign_id, code="LATE")
    early = redeem_all(coupons_fn, "LATE", 2, "before")
    assert patch(campaigns_fn, campaign_id, {"rules": {"hot_shards": 2}}).status == 200
    assert sum(left(campaign_id, 2)) == 3

    rolled = call(
        coupons_fn,
        "POST",
        f"/v1/redemptions/{early[0].body['id']}/rollback",
        "/v1/redemptions/{redemption_id}/rollback",
    )

    assert rolled.status == 200, rolled.body
    assert sum(left(campaign_id, 2)) == 4
    stats = campaign_stats(campaigns_fn, campaign_id)
    assert (stats["redemptions"], stats["rolled_back"]) == (1, 1)
    assert outcomes(redeem_all(coupons_fn, "LATE", 6, "after")) == {201: 4, (422, "redemption_limit_reached"): 2}
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == 5


def test_raising_lowering_the_cap_and_adding_shards_move_the_budgets(coupons_fn, campaigns_fn):
    campaign_id = hot(campaigns_fn, 8, 4)
    assert outcomes(redeem_all(coupons_fn, "FLASH", 2, "a")) == {201: 2}

    assert patch(campaigns_fn, campaign_id, {"rules": {"max_redemptions": 12}}).status == 200
    assert sum(left(campaign_id, 4)) == 10
    assert patch(campaigns_fn, campaign_id, {"rules": {"max_redemptions": 5}}).status == 200
    assert sum(left(campaign_id, 4)) == 3 and min(left(campaign_id, 4)) >= 0
    assert patch(campaigns_fn, campaign_id, {"rules": {"hot_shards": 6}}).status == 200
    assert sum(left(campaign_id, 6)) == 3

    assert outcomes(redeem_all(coupons_fn, "FLASH", 5, "b")) == {201: 3, (422, "redemption_limit_reached"): 2}
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == 5


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"hot_shards": 4}, "rules"),  # no max_redemptions
        ({"hot_shards": 4, "max_redemptions": 9, "max_redemptions_per_code": 3}, "rules"),
        ({"hot_shards": 1, "max_redemptions": 9}, "rules.hot_shards"),
        ({"hot_shards": 33, "max_redemptions": 9}, "rules.hot_shards"),
    ],
)
def test_bad_hot_settings_are_refused_with_400(campaigns_fn, rules, field):
    body = {"name": "Flash", "type": "discount", "discount": AMOUNT, "rules": {"currency": "EUR", **rules}}
    reply = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request", reply.body
    assert field in json.dumps(reply.body["error"]["details"]), reply.body


@pytest.mark.parametrize("change", [{"hot_shards": None}, {"hot_shards": 2}, {"max_redemptions": None}])
def test_a_hot_campaign_cannot_shrink_its_shards_or_stop_being_hot(coupons_fn, campaigns_fn, change):
    campaign_id = hot(campaigns_fn, 8, 4)

    reply = patch(campaigns_fn, campaign_id, {"rules": change})

    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request", reply.body
    assert CampaignModel.get(campaign_id, consistent_read=True).hot_shards == 4


def test_switching_a_hot_campaign_off_reaches_every_shard_at_once(coupons_fn, campaigns_fn):
    campaign_id = hot(campaigns_fn, 8, 4)
    assert redeem(coupons_fn, "FLASH", "warm").status == 201  # the code's items are now kept for a second

    off = call(campaigns_fn, "POST", f"/v1/campaigns/{campaign_id}/disable", "/v1/campaigns/{campaign_id}/disable")

    assert off.status == 200, off.body
    assert off.body["stats"]["redemptions"] == 1
    assert all(not s.enabled for s in shards.ShardModel.batch_get([shards.shard_id(campaign_id, i) for i in range(4)]))
    refused = redeem(coupons_fn, "FLASH", "o-off")
    assert refused.status == 422 and refused.body["error"]["code"] == "campaign_disabled", refused.body
    on = call(campaigns_fn, "POST", f"/v1/campaigns/{campaign_id}/enable", "/v1/campaigns/{campaign_id}/enable")
    assert on.status == 200
    assert redeem(coupons_fn, "FLASH", "o-on").status == 201


def test_a_stale_copy_of_the_campaign_cannot_redeem_after_an_edit(coupons_fn, campaigns_fn):
    campaign_id = hot(campaigns_fn, 8, 4)
    assert redeem(coupons_fn, "FLASH", "warm").status == 201
    stale = shards.cached_read("FLASH")
    assert stale is not None

    assert patch(campaigns_fn, campaign_id, {"discount": {"amount_off": 700}}).status == 200
    shards.remember_read("FLASH", *stale)  # as another container would still hold it

    again = redeem(coupons_fn, "FLASH", "o-after-edit")

    assert again.status == 201 and again.body["discount_amount"] == 700  # refused on the shard, judged again


def test_switching_a_hot_shared_code_off_stops_it_even_from_a_kept_copy(coupons_fn, campaigns_fn):
    hot(campaigns_fn, 8, 4)
    assert redeem(coupons_fn, "FLASH", "warm").status == 201
    stale = shards.cached_read("FLASH")
    assert stale is not None

    off = call(coupons_fn, "POST", "/v1/codes/FLASH/disable", "/v1/codes/{code}/disable")
    assert off.status == 200, off.body
    shards.remember_read("FLASH", *stale)

    refused = redeem(coupons_fn, "FLASH", "o-off")
    assert refused.status == 422 and refused.body["error"]["code"] == "code_disabled", refused.body
    assert call(coupons_fn, "POST", "/v1/codes/FLASH/enable", "/v1/codes/{code}/enable").status == 200
    assert redeem(coupons_fn, "FLASH", "o-on").status == 201


def test_a_bound_code_of_a_hot_campaign_still_counts_on_its_own_item(coupons_fn, campaigns_fn):
    campaign_id = hot(campaigns_fn, 3, 2)
    bound = make_code(campaigns_fn, campaign_id, customer_id="c-1")

    assert redeem(coupons_fn, bound, "o-1", "c-1").status == 201

    assert int(CodeModel.get(bound, consistent_read=True).redemptions) == 1
    assert sum(left(campaign_id, 2)) == 2


@pytest.mark.parametrize(("cap", "n"), [(50, 8), (16, 16)])  # cap 500: tests/integration/test_hot_codes.py
def test_500_concurrent_redemptions_of_one_hot_code_take_exactly_the_cap(coupons_fn, campaigns_fn, cap, n):
    """Through the service from 32 threads (one in-process handler is not thread-safe: powertools keeps the request
    in its app's context; over HTTP, each request has its own: the integration race)."""
    from passaparola.coupons import service
    from passaparola.coupons.models import RedeemRequest
    from passaparola.errors import CouponRejected
    from tests.unit.coupons.test_redemptions import ORDER

    campaign_id = hot(campaigns_fn, cap, n)
    calls = max(500, cap + 100)

    def one(i: int) -> Any:
        request = RedeemRequest.model_validate({"code": "FLASH", "order": {**ORDER, "id": f"race-{i}"}})
        try:
            service.redeem(request)
        except CouponRejected as rejected:
            return (422, rejected.code)
        return 201

    with ThreadPoolExecutor(max_workers=32) as pool:
        found = list(pool.map(one, range(calls)))

    assert {k: found.count(k) for k in set(found)} == {201: cap, (422, "redemption_limit_reached"): calls - cap}
    assert sum(left(campaign_id, n)) == 0
    assert campaign_stats(campaigns_fn, campaign_id)["redemptions"] == cap
