"""POST /v1/orders, its refund and POST /v1/referrals/events with an Idempotency-Key: the key's record is read in
the call's first read round and written in the transaction that commits its answer (passaparola.data.idempotency) —
the round trips of the same call without a key, a replay one, races answered by the winner."""

import json
import threading
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from bench.roundtrips import Recorder
from infra.local.invoke import LambdaContext
from passaparola.api import idempotency, keys
from passaparola.data import conversions as store
from passaparola.data import coupons as coupon_store
from passaparola.data.models.coupons import RedemptionModel
from passaparola.data.models.customers import CustomerCampaignModel, CustomerModel
from passaparola.data.models.idempotency import IdempotencyModel
from passaparola.data.models.orders import OrderModel
from passaparola.errors import Conflict
from passaparola.referrals import conversions as conversions_module
from passaparola.referrals import refunds
from tests.unit.coupons.test_redemptions import campaign_stats, make_campaign, make_code
from tests.unit.functions import SECRET, Reply, call, interleave, load_function, run_elsewhere

ITEMS = [{"sku": "shoe", "quantity": 2, "unit_price": 2500}]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    recorder.install()
    yield recorder
    recorder.uninstall()


@pytest.fixture
def conversions_fn(aws: None) -> ModuleType:
    """A container that has served an order already (warm): the API key is cached, the shop's stats item made."""
    fn = load_function("conversions")
    assert order(fn, "o-warm").status == 201
    return fn


@pytest.fixture
def code(conversions_fn: ModuleType, campaigns_fn: ModuleType) -> str:
    """A code the container has redeemed once already (its campaign known)."""
    value = make_code(campaigns_fn, make_campaign(campaigns_fn, max_redemptions_per_code=None))
    assert order(conversions_fn, "o-warm-coupon", coupon=value).status == 201
    return value


def order_body(order_id: str, coupon: str | None = None, amount: int = 5000) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": order_id,
        "customer_id": f"c-{order_id}",
        "amount": amount,
        "currency": "EUR",
        "items": ITEMS,
    }
    if coupon:
        body["coupon_code"] = coupon
    return body


def order(
    fn: ModuleType, order_id: str, key: str | None = None, coupon: str | None = None, amount: int = 5000
) -> Reply:
    headers = {"Idempotency-Key": key} if key else None
    return call(fn, "POST", "/v1/orders", "/v1/orders", order_body(order_id, coupon, amount), headers=headers)


def refund(fn: ModuleType, order_id: str, amount: int | None = None, key: str | None = None) -> Reply:
    headers = {"Idempotency-Key": key} if key else None
    body = {} if amount is None else {"amount": amount}
    path = f"/v1/orders/{order_id}/refund"
    return call(fn, "POST", path, "/v1/orders/{order_id}/refund", body, headers=headers)


def refunded(order_id: str) -> int:
    return int(OrderModel.get(order_id).refunded or 0)


def replayed(reply: Reply) -> str | None:
    return reply.headers.get("Idempotent-Replayed")


def operations(calls: list[str]) -> list[str]:
    return [c.split("(")[0] for c in calls]


def uses(coupons_fn: ModuleType, code: str) -> int:
    reply = call(coupons_fn, "GET", f"/v1/codes/{code}", "/v1/codes/{code}")
    return int(reply.body["redemptions"]) - 1  # the warm-up's


# -- round trips ------------------------------------------------------------------------------------------------------


def test_an_order_with_a_key_costs_what_it_costs_without_and_its_replay_reads_once(conversions_fn, recorder):
    _, plain = recorder.measure(lambda: order(conversions_fn, "o-plain"))
    first, keyed = recorder.measure(lambda: order(conversions_fn, "o-1", "k-1"))
    again, replay = recorder.measure(lambda: order(conversions_fn, "o-1", "k-1"))

    assert len(keyed) == len(plain)  # the first read becomes a TransactGetItems when it was a GetItem
    assert "idempotency" in keyed[0] and "idempotency" in keyed[-1]  # read in the first round, written with the order
    assert operations(replay) == ["TransactGetItems"]
    assert (first.status, replayed(first)) == (201, "false")
    assert (again.status, replayed(again), again.body) == (201, "true", first.body)


def test_an_order_with_a_coupon_and_a_key_costs_what_it_costs_without(conversions_fn, coupons_fn, code, recorder):
    _, plain = recorder.measure(lambda: order(conversions_fn, "o-plain", coupon=code))
    first, keyed = recorder.measure(lambda: order(conversions_fn, "o-1", "k-1", coupon=code))
    again, replay = recorder.measure(lambda: order(conversions_fn, "o-1", "k-1", coupon=code))

    assert len(keyed) == len(plain)  # the first read becomes a TransactGetItems when it was a GetItem
    assert "idempotency" in keyed[0] and "idempotency" in keyed[-1]
    assert "idempotency" not in keyed[1]  # the coupon's own read: not the key's record
    assert "idempotency" in keyed[2]  # the coupon's transaction checks the key is not another body's (no write)
    assert operations(replay) == ["TransactGetItems"]
    assert first.status == 201 and first.body["coupon"]["redeemed"] is True
    assert (again.status, replayed(again), again.body) == (201, "true", first.body)
    assert uses(coupons_fn, code) == 2  # o-plain and o-1, each once


def test_a_refund_with_a_key_costs_what_it_costs_without_and_refunds_once(conversions_fn, recorder):
    for order_id in ("o-1", "o-2"):
        assert order(conversions_fn, order_id).status == 201

    _, plain = recorder.measure(lambda: refund(conversions_fn, "o-1", 1000))
    first, keyed = recorder.measure(lambda: refund(conversions_fn, "o-2", 1000, "k-r"))
    again, replay = recorder.measure(lambda: refund(conversions_fn, "o-2", 1000, "k-r"))

    assert len(keyed) == len(plain)  # the first read becomes a TransactGetItems when it was a GetItem
    assert "idempotency" in keyed[0] and "idempotency" in keyed[-1]
    assert operations(replay) == ["TransactGetItems"]
    assert (first.status, first.body["refunded_amount"], replayed(first)) == (200, 1000, "false")
    assert (again.status, again.body, replayed(again)) == (200, first.body, "true")
    assert refunded("o-2") == 1000
    assert refund(conversions_fn, "o-2", 1000).body["refunded_amount"] == 2000  # without the key: a second refund


def test_an_event_with_a_key_reads_once_and_writes_once(conversions_fn, recorder):
    body = {"id": "e-1", "event": "subscription_started", "customer_id": "c-1", "amount": 900, "currency": "EUR"}
    headers = {"Idempotency-Key": "k-e"}

    def send() -> Reply:
        return call(conversions_fn, "POST", "/v1/referrals/events", "/v1/referrals/events", body, headers=headers)

    first, keyed = recorder.measure(send)
    again, replay = recorder.measure(send)

    assert first.status == 201 and "idempotency" in keyed[0] and "idempotency" in keyed[-1]
    assert operations(keyed).count("TransactWriteItems") == 1 and "PutItem" not in operations(keyed)
    assert (again.status, replayed(again), again.body, operations(replay)) == (
        201,
        "true",
        first.body,
        ["TransactGetItems"],
    )


# -- conflicts, refusals, records -------------------------------------------------------------------------------------


def test_another_body_with_the_key_is_a_conflict_and_records_nothing(conversions_fn):
    assert order(conversions_fn, "o-1", "k-1").status == 201

    other = order(conversions_fn, "o-2", "k-1")
    other_refund = refund(conversions_fn, "o-1", 500, "k-1")  # the key is scoped by route: another route's own

    assert other.status == 409 and other.body["error"]["code"] == "idempotency_conflict"
    assert store.find_order("o-2") is None
    assert other_refund.status == 200
    assert refund(conversions_fn, "o-1", 700, "k-1").body["error"]["code"] == "idempotency_conflict"
    assert refunded("o-1") == 500


def test_a_refused_refund_is_stored_and_replayed_though_the_order_exists_later(conversions_fn):
    refused = refund(conversions_fn, "o-late", 1000, "k-r")
    assert order(conversions_fn, "o-late").status == 201
    again = refund(conversions_fn, "o-late", 1000, "k-r")
    too_much = refund(conversions_fn, "o-late", 9999, "k-big")
    too_much_again = refund(conversions_fn, "o-late", 9999, "k-big")

    assert (refused.status, refused.body["error"]["code"], replayed(refused)) == (404, "not_found", "false")
    assert (again.status, again.body, replayed(again)) == (404, refused.body, "true")
    assert (too_much.status, replayed(too_much)) == (422, "false")
    assert (too_much_again.status, too_much_again.body, replayed(too_much_again)) == (422, too_much.body, "true")
    assert refunded("o-late") == 0


def test_an_order_reported_before_without_the_key_is_stored_as_this_keys_answer(conversions_fn):
    plain = order(conversions_fn, "o-1")

    first, again = order(conversions_fn, "o-1", "k-1"), order(conversions_fn, "o-1", "k-1")

    assert (first.status, replayed(first), again.status, replayed(again)) == (200, "false", 200, "true")
    assert first.body == again.body == plain.body


def generic_request(order_id: str, key: str) -> dict[str, Any]:
    """What the middleware hands powertools for an order sent with the secret key."""
    principal = keys.lookup(SECRET)
    assert principal is not None
    return {"key": key, "scope": str(principal.key_id), "route": "POST /v1/orders", "body": order_body(order_id)}


def test_the_records_are_powertools_own_both_ways(conversions_fn, monkeypatch, recorder):
    # a record the order's transaction wrote is answered by the generic path (powertools)
    first = order(conversions_fn, "o-1", "k-1")
    run, config = idempotency._runner()
    config.register_lambda_context(LambdaContext())
    stored = run(request=generic_request("o-1", "k-1"), call=lambda: pytest.fail("the route ran again"))
    assert stored["replayed"] and stored["status"] == 201
    assert stored["body"] == json.dumps(first.body, separators=(",", ":"))

    # a record the generic path wrote (before this path existed) is answered by the order's first read
    monkeypatch.delitem(conversions_fn.app.in_transaction, "POST /v1/orders")
    generic = order(conversions_fn, "o-2", "k-2")
    monkeypatch.undo()
    again, calls = recorder.measure(lambda: order(conversions_fn, "o-2", "k-2"))
    assert (generic.status, replayed(generic)) == (201, "false")
    assert (again.status, replayed(again), again.body) == (201, "true", generic.body)
    assert operations(calls) == ["TransactGetItems"]


def test_a_server_error_is_not_stored(conversions_fn, monkeypatch):
    real = store.write

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(store, "write", broken)
    failed = refund(conversions_fn, "o-warm", 100, "k-r")
    monkeypatch.setattr(store, "write", real)
    retried = refund(conversions_fn, "o-warm", 100, "k-r")

    assert failed.status == 500
    assert (retried.status, retried.body["refunded_amount"], replayed(retried)) == (200, 100, "false")


def test_a_retryable_conflict_is_not_stored_and_a_retry_records_the_order_once(
    conversions_fn, coupons_fn, code, monkeypatch
):
    # the coupon's redemption commits, then the order's transaction gives up on contention (409 conflict, "retry"):
    # that answer must not become the key's, or the order would stay unrecorded with its coupon used
    real = store.write
    failing = [True]

    def contended(*args: Any, **kwargs: Any) -> None:
        if failing and failing.pop():
            raise Conflict()
        real(*args, **kwargs)

    monkeypatch.setattr(store, "write", contended)
    failed = order(conversions_fn, "o-1", "k-1", coupon=code)
    retried = order(conversions_fn, "o-1", "k-1", coupon=code)
    again = order(conversions_fn, "o-1", "k-1", coupon=code)

    assert (failed.status, failed.body["error"]["code"]) == (409, "conflict")
    assert (retried.status, replayed(retried), retried.body["coupon"]["redeemed"]) == (201, "false", True)
    assert (again.status, replayed(again), again.body) == (201, "true", retried.body)
    assert store.find_order("o-1") is not None
    assert uses(coupons_fn, code) == 1


def test_a_retryable_conflict_of_a_refund_is_not_stored(conversions_fn, monkeypatch):
    real = store.write
    failing = [True]

    def contended(*args: Any, **kwargs: Any) -> None:
        if failing and failing.pop():
            raise Conflict()
        real(*args, **kwargs)

    monkeypatch.setattr(refunds, "ATTEMPTS", 1)  # give up at the first lost write
    monkeypatch.setattr(store, "write", contended)
    failed = refund(conversions_fn, "o-warm", 1000, "k-r")
    retried = refund(conversions_fn, "o-warm", 1000, "k-r")

    assert (failed.status, failed.body["error"]["code"]) == (409, "conflict")
    assert (retried.status, retried.body["refunded_amount"], replayed(retried)) == (200, 1000, "false")
    assert refunded("o-warm") == 1000


# -- races -------------------------------------------------------------------------------------------------------------


def _interleaved(monkeypatch: pytest.MonkeyPatch, winner: Any) -> None:
    """The next order's (refund's) transaction first lets `winner` (another request, run to its end) commit."""
    interleave(monkeypatch, store, "write", winner)


def test_an_order_that_loses_the_race_answers_the_winners_answer(conversions_fn, coupons_fn, code, monkeypatch):
    other_container = load_function("conversions")
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(order(other_container, "o-1", "k-1", coupon=code)))

    lost = order(conversions_fn, "o-1", "k-1", coupon=code)

    assert (won[0].status, replayed(won[0])) == (201, "false")
    assert (lost.status, replayed(lost), lost.body) == (201, "true", won[0].body)
    assert uses(coupons_fn, code) == 1


def test_another_order_that_loses_the_race_is_a_conflict(conversions_fn, monkeypatch):
    other_container = load_function("conversions")
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(order(other_container, "o-2", "k-1")))

    lost = order(conversions_fn, "o-1", "k-1")

    assert won[0].status == 201
    assert lost.status == 409 and lost.body["error"]["code"] == "idempotency_conflict"
    assert store.find_order("o-1") is None


def test_a_refund_that_loses_the_race_answers_the_winners_answer_and_refunds_once(conversions_fn, monkeypatch):
    other_container = load_function("conversions")
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(refund(other_container, "o-warm", 1000, "k-r")))

    lost = refund(conversions_fn, "o-warm", 1000, "k-r")

    assert (won[0].status, replayed(won[0])) == (200, "false")
    assert (lost.status, replayed(lost), lost.body) == (200, "true", won[0].body)
    assert refunded("o-warm") == 1000


def test_another_refund_that_loses_the_race_is_a_conflict(conversions_fn, monkeypatch):
    other_container = load_function("conversions")
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(refund(other_container, "o-warm", 700, "k-r")))

    lost = refund(conversions_fn, "o-warm", 1000, "k-r")

    assert won[0].status == 200
    assert lost.status == 409 and lost.body["error"]["code"] == "idempotency_conflict"
    assert refunded("o-warm") == 700


def _at_once(containers: list[ModuleType], send: Any) -> list[Reply]:
    start = threading.Barrier(len(containers))
    replies: list[Reply] = []

    def one(container: ModuleType) -> None:
        start.wait()
        replies.append(send(container))

    threads = [threading.Thread(target=one, args=(c,)) for c in containers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(replies) == len(containers)
    return replies


def test_concurrent_orders_with_one_key_record_once_and_all_answer_the_same(conversions_fn, coupons_fn, code):
    containers = [load_function("conversions") for _ in range(6)]

    replies = _at_once(containers, lambda c: order(c, "o-1", "k-1", coupon=code))

    assert {(r.status, repr(r.body)) for r in replies} == {(201, repr(replies[0].body))}
    assert sorted(replayed(r) or "" for r in replies) == ["false"] + ["true"] * (len(containers) - 1)
    assert uses(coupons_fn, code) == 1


def test_concurrent_refunds_with_one_key_refund_once_and_all_answer_the_same(conversions_fn):
    containers = [load_function("conversions") for _ in range(6)]

    replies = _at_once(containers, lambda c: refund(c, "o-warm", 1000, "k-r"))

    assert {(r.status, repr(r.body)) for r in replies} == {(200, repr(replies[0].body))}
    assert sorted(replayed(r) or "" for r in replies) == ["false"] + ["true"] * (len(containers) - 1)
    assert refunded("o-warm") == 1000


def test_another_order_with_a_coupon_that_loses_the_race_gives_its_redemption_back(
    conversions_fn, coupons_fn, campaigns_fn, code, monkeypatch
):
    # the coupon's redemption is a transaction of its own before the order's: the winner (another body, the key)
    # commits between the two, the loser's order is refused, so its redemption is rolled back — the code, the
    # customer's facts and the campaign's figures are as if it never came; the order reported again (under a new
    # key) redeems it then
    campaign_id = call(coupons_fn, "GET", f"/v1/codes/{code}", "/v1/codes/{code}").body["campaign_id"]
    before = campaign_stats(campaigns_fn, campaign_id)
    other_container = load_function("conversions")
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(order(other_container, "o-2", "k-1")))

    lost = order(conversions_fn, "o-1", "k-1", coupon=code)
    monkeypatch.undo()
    facts = CustomerModel.get("c-o-1", "facts")
    usage = CustomerCampaignModel.get("c-o-1", f"campaign#{campaign_id}")
    after = campaign_stats(campaigns_fn, campaign_id)
    redeemed_meanwhile = uses(coupons_fn, code)
    recorded = store.find_order("o-1")
    retried = order(conversions_fn, "o-1", "k-2", coupon=code)

    assert won[0].status == 201
    assert lost.status == 409 and lost.body["error"]["code"] == "idempotency_conflict"
    assert recorded is None and redeemed_meanwhile == 0
    assert not facts.order_ids and int(usage.redemptions or 0) == 0
    assert {k: v for k, v in after.items() if k != "rolled_back"} == {
        k: v for k, v in before.items() if k != "rolled_back"
    }
    assert (retried.status, retried.body["coupon"]["redeemed"]) == (201, True)
    assert uses(coupons_fn, code) == 1


def test_another_order_with_a_coupon_that_lost_the_key_before_redeeming_redeems_nothing(
    conversions_fn, coupons_fn, code, monkeypatch
):
    # the winner (another body, the key) commits between the loser's first read and its coupon's transaction: that
    # transaction checks the key's record (absent, or this body's) and is cancelled — no redemption is ever written
    other_container = load_function("conversions")
    won: list[Reply] = []
    real = coupon_store.commit_redemption
    pending = [lambda: won.append(order(other_container, "o-2", "k-1"))]

    def late(*args: Any, **kwargs: Any) -> None:
        if pending:
            run_elsewhere(pending.pop())
        real(*args, **kwargs)

    monkeypatch.setattr(coupon_store, "commit_redemption", late)
    lost = order(conversions_fn, "o-1", "k-1", coupon=code)

    assert won[0].status == 201
    assert lost.status == 409 and lost.body["error"]["code"] == "idempotency_conflict"
    assert store.find_order("o-1") is None
    assert uses(coupons_fn, code) == 0
    assert [r.id for r in RedemptionModel.scan(RedemptionModel.order_id == "o-1")] == []


def event(fn: ModuleType, event_id: str, key: str, customer_id: str = "c-1") -> Reply:
    body = {
        "id": event_id,
        "event": "subscription_started",
        "customer_id": customer_id,
        "amount": 900,
        "currency": "EUR",
    }
    headers = {"Idempotency-Key": key}
    return call(fn, "POST", "/v1/referrals/events", "/v1/referrals/events", body, headers=headers)


def test_an_event_that_loses_the_race_answers_the_winners_answer(conversions_fn, monkeypatch):
    other_container = load_function("conversions")
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(event(other_container, "e-1", "k-e")))

    lost = event(conversions_fn, "e-1", "k-e")

    assert (won[0].status, replayed(won[0])) == (201, "false")
    assert (lost.status, replayed(lost), lost.body) == (201, "true", won[0].body)


def test_another_event_that_loses_the_race_is_a_conflict(conversions_fn, monkeypatch):
    other_container = load_function("conversions")
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(event(other_container, "e-2", "k-e", "c-2")))

    lost = event(conversions_fn, "e-1", "k-e")

    assert won[0].status == 201
    assert lost.status == 409 and lost.body["error"]["code"] == "idempotency_conflict"
    assert store.find_order("event#e-1") is None


def test_concurrent_events_with_one_key_record_once_and_all_answer_the_same(conversions_fn):
    containers = [load_function("conversions") for _ in range(4)]

    replies = _at_once(containers, lambda c: event(c, "e-1", "k-e"))

    assert {(r.status, repr(r.body)) for r in replies} == {(201, repr(replies[0].body))}
    assert sorted(replayed(r) or "" for r in replies) == ["false"] + ["true"] * (len(containers) - 1)


def generic_lock(request: dict[str, Any]) -> None:
    """A live INPROGRESS record, as the generic path (powertools) writes it while its request runs."""
    now = time.time()
    IdempotencyModel(
        idempotency.key_id(request),
        status="INPROGRESS",
        expiration=int(now) + 3600,
        in_progress_expiration=int(now * 1000) + 60_000,
        validation=idempotency._hash(request["body"]),
    ).save()


def test_an_order_meeting_a_lock_of_the_generic_path_is_in_progress_and_runs_not(conversions_fn, coupons_fn, code):
    request = generic_request("o-1", "k-1")
    request["body"] = order_body("o-1", code)
    generic_lock(request)

    reply = order(conversions_fn, "o-1", "k-1", coupon=code)

    assert reply.status == 409 and reply.body["error"]["code"] == "idempotency_in_progress"
    assert store.find_order("o-1") is None
    assert uses(coupons_fn, code) == 0


def test_a_refund_meeting_a_lock_of_the_generic_path_is_in_progress_and_runs_not(conversions_fn):
    principal = keys.lookup(SECRET)
    assert principal is not None
    route = "POST /v1/orders/o-warm/refund"
    generic_lock({"key": "k-r", "scope": str(principal.key_id), "route": route, "body": {"amount": 1000}})

    reply = refund(conversions_fn, "o-warm", 1000, "k-r")

    assert reply.status == 409 and reply.body["error"]["code"] == "idempotency_in_progress"
    assert refunded("o-warm") == 0


def test_an_attributing_orders_touch_failing_after_the_commit_does_not_fail_the_order(
    conversions_fn: ModuleType, campaigns_fn: ModuleType, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    # Given a program converting on a custom event, so that an order with a code only attributes and leaves a touch
    program = {
        "name": "Subscribers",
        "type": "referral",
        "landing_url": "https://shop.example/",
        "referee_reward": {"type": "coupon", "discount": {"type": "percent", "percent_off": 10}},
        "referrer_reward": {"type": "coupon", "discount": {"type": "percent", "percent_off": 10}},
        "conversion": {"event": "subscription_started"},
    }
    made = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", program)
    assert made.status == 201, made.body
    referrals_fn = load_function("referrals")
    link = call(
        referrals_fn, "POST", "/v1/referrals", "/v1/referrals", {"customer_id": "anna", "campaign_id": made.body["id"]}
    )
    assert link.status == 201, link.body
    touched: list[str] = []

    def unavailable(*args: Any, **kwargs: Any) -> None:
        touched.append(args[2])
        raise RuntimeError("DynamoDB unavailable")

    monkeypatch.setattr(conversions_module.link_store, "touch", unavailable)
    # When the order commits and the touch after it fails
    body = order_body("o-touch") | {"referral_code": link.body["code"]}
    first = call(conversions_fn, "POST", "/v1/orders", "/v1/orders", body, headers={"Idempotency-Key": "k-t"})
    again = call(conversions_fn, "POST", "/v1/orders", "/v1/orders", body, headers={"Idempotency-Key": "k-t"})

    # Then the order is answered as recorded, the key replays that answer, and the failure is logged
    assert touched == [link.body["code"]]
    assert (first.status, first.body["referral"]["status"]) == (201, "attributed"), first.body
    assert (again.status, again.body) == (201, first.body)
    assert "order's touch not recorded" in caplog.text
