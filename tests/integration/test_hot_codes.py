"""A hot code's cap stays exact under 500-way races (`rules.hot_shards`: docs/architecture.md, "Hot codes").

Runs against moto and, with `make test-dynamodb-local`, against DynamoDB Local, where concurrent transactions on
one shard really cancel each other (TransactionConflict) and are retried."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from api import Api, error_code, order, uid

pytestmark = pytest.mark.integration

WORKERS = 50


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


def _hot(api: Api, cap: int, shards: int) -> tuple[str, str]:
    campaign = api.create_campaign(rules={"max_redemptions": cap, "hot_shards": shards})
    return campaign["id"], api.create_code(campaign["id"])


def _race(api: Api, code: str, n: int) -> Counter:
    def one(_: int) -> tuple[int, str | None]:
        r = api.redeem(code, order(2000, id=uid("ord_")))
        return r.status_code, error_code(r) if r.status_code != 201 else None

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return Counter(pool.map(one, range(n)))


@pytest.mark.parametrize(("cap", "shards", "requests"), [(50, 8, 500), (500, 16, 600), (16, 16, 500)])
def test_given_a_hot_code_when_hundreds_of_orders_race_then_exactly_the_cap_succeeds(api, cap, shards, requests):
    campaign_id, code = _hot(api, cap, shards)

    outcomes = _race(api, code, requests)

    assert outcomes == Counter({(201, None): cap, (422, "redemption_limit_reached"): requests - cap}), outcomes
    stats = api.campaign(campaign_id)["stats"]
    assert stats["redemptions"] == cap and stats["discount_given"] == {"EUR": 200 * cap}


def test_given_drained_shards_beside_full_ones_when_500_orders_race_then_exactly_the_cap_succeeds(api):
    campaign_id, code = _hot(api, 64, 8)  # 8 a shard
    lowered = api.patch(f"/v1/campaigns/{campaign_id}", json={"rules": {"max_redemptions": 36}})
    assert lowered.status_code == 200, lowered.text  # 28 taken from the richest: three shards empty, one at 4

    outcomes = _race(api, code, 500)

    assert outcomes == Counter({(201, None): 36, (422, "redemption_limit_reached"): 464}), outcomes
    assert api.campaign(campaign_id)["stats"]["redemptions"] == 36


def test_given_a_sold_out_hot_code_when_one_is_rolled_back_then_exactly_one_more_succeeds(api):
    campaign_id, code = _hot(api, 8, 4)
    first = api.redeem(code, order(2000, id=uid("ord_")))
    assert first.status_code == 201
    assert _race(api, code, 40)[(201, None)] == 7

    assert api.rollback(first.json()["id"]).status_code == 200
    outcomes = _race(api, code, 40)

    assert outcomes == Counter({(201, None): 1, (422, "redemption_limit_reached"): 39}), outcomes
    stats = api.campaign(campaign_id)["stats"]
    assert (stats["redemptions"], stats["rolled_back"]) == (8, 1)
