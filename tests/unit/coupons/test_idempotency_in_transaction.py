"""POST /v1/redemptions with an Idempotency-Key: the key's record is read with the redemption's state and written in
its transaction (passaparola.data.idempotency) — two round trips, a replay one, races answered by the winner."""

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
from passaparola.data import coupons as store
from passaparola.data.models.coupons import RedemptionModel
from passaparola.data.models.customers import CouponMirrorModel
from passaparola.data.models.idempotency import IdempotencyModel
from passaparola.errors import Conflict, DomainError, RateLimited
from tests.unit.coupons.test_redemptions import ORDER, make_campaign, make_code, redeem
from tests.unit.functions import SECRET, Reply, call, interleave, load_function, run_elsewhere


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    recorder.install()
    yield recorder
    recorder.uninstall()


@pytest.fixture
def code(coupons_fn: ModuleType, campaigns_fn: ModuleType) -> str:
    """A code this coupons container has seen already (warm): its campaign is known, the API key cached."""
    value = make_code(campaigns_fn, make_campaign(campaigns_fn))
    assert redeem(coupons_fn, value, "o-warm").status == 201
    return value


def redemptions(coupons_fn: ModuleType, code: str) -> int:
    reply = call(coupons_fn, "GET", f"/v1/codes/{code}", "/v1/codes/{code}")
    return int(reply.body["redemptions"]) - 1  # the warm-up's


def replayed(reply: Reply) -> str | None:
    return reply.headers.get("Idempotent-Replayed")


def operations(calls: list[str]) -> list[str]:
    return [c.split("(")[0] for c in calls]


def test_a_redemption_reads_once_and_writes_once_and_its_replay_reads_once(coupons_fn, code, recorder):
    key = {"Idempotency-Key": "k-1"}
    first, first_calls = recorder.measure(lambda: redeem(coupons_fn, code, "o-1", headers=key))
    again, again_calls = recorder.measure(lambda: redeem(coupons_fn, code, "o-1", headers=key))

    assert operations(first_calls) == ["TransactGetItems", "TransactWriteItems"]
    assert "idempotency" in first_calls[0] and "idempotency" in first_calls[1]
    assert operations(again_calls) == ["TransactGetItems"]
    assert (first.status, replayed(first)) == (201, "false")
    assert (again.status, replayed(again)) == (201, "true")
    assert again.body == first.body
    assert redemptions(coupons_fn, code) == 1


def test_another_body_with_the_key_is_a_conflict_and_redeems_nothing(coupons_fn, code):
    key = {"Idempotency-Key": "k-1"}
    assert redeem(coupons_fn, code, "o-1", headers=key).status == 201

    other = redeem(coupons_fn, code, "o-2", headers=key)

    assert other.status == 409 and other.body["error"]["code"] == "idempotency_conflict"
    assert redemptions(coupons_fn, code) == 1


def generic_request(code: str, order_id: str, key: str) -> dict[str, Any]:
    """What the middleware hands powertools for a redemption sent with the secret key."""
    principal = keys.lookup(SECRET)
    assert principal is not None
    body = {"code": code, "order": {**ORDER, "id": order_id}}
    return {"key": key, "scope": str(principal.key_id), "route": "POST /v1/redemptions", "body": body}


def test_the_records_are_powertools_own_both_ways(coupons_fn, code, monkeypatch, recorder):
    # a record the transaction wrote is answered by the generic path (powertools), byte for byte
    first = redeem(coupons_fn, code, "o-1", headers={"Idempotency-Key": "k-1"})
    run, config = idempotency._runner()
    config.register_lambda_context(LambdaContext())
    stored = run(request=generic_request(code, "o-1", "k-1"), call=lambda: pytest.fail("the route ran again"))
    assert stored["replayed"] and stored["status"] == 201
    assert stored["body"] == json.dumps(first.body, separators=(",", ":"))  # the resolver's own serialisation

    # a record the generic path wrote is answered by the transaction's first read
    monkeypatch.delitem(coupons_fn.app.in_transaction, "POST /v1/redemptions")
    generic = redeem(coupons_fn, code, "o-2", headers={"Idempotency-Key": "k-2"})
    monkeypatch.undo()
    again, calls = recorder.measure(lambda: redeem(coupons_fn, code, "o-2", headers={"Idempotency-Key": "k-2"}))
    assert (generic.status, replayed(generic)) == (201, "false")
    assert (again.status, replayed(again), again.body) == (201, "true", generic.body)
    assert operations(calls) == ["TransactGetItems"]
    assert redemptions(coupons_fn, code) == 2


def test_a_refusal_is_stored_and_replayed_though_the_code_exists_later(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    key = {"Idempotency-Key": "k-late"}

    refused = redeem(coupons_fn, "LATER", "o-1", headers=key)
    make_code(campaigns_fn, campaign_id, code="LATER")
    again = redeem(coupons_fn, "LATER", "o-1", headers=key)

    assert (refused.status, refused.body["error"]["code"], replayed(refused)) == (404, "coupon_not_found", "false")
    assert (again.status, again.body, replayed(again)) == (404, refused.body, "true")
    assert redeem(coupons_fn, "LATER", "o-1").status == 201  # without the key: redeemed now


def test_the_orders_earlier_redemption_is_stored_as_this_keys_answer(coupons_fn, code):
    plain = redeem(coupons_fn, code, "o-1")
    key = {"Idempotency-Key": "k-1"}

    first, again = redeem(coupons_fn, code, "o-1", headers=key), redeem(coupons_fn, code, "o-1", headers=key)

    assert (first.status, replayed(first), again.status, replayed(again)) == (200, "false", 200, "true")
    assert first.body == again.body == plain.body
    assert redemptions(coupons_fn, code) == 1


def test_a_server_error_is_not_stored(coupons_fn, code, monkeypatch):
    real = store.commit_redemption

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(store, "commit_redemption", broken)
    failed = redeem(coupons_fn, code, "o-1", headers={"Idempotency-Key": "k-1"})
    monkeypatch.setattr(store, "commit_redemption", real)
    retried = redeem(coupons_fn, code, "o-1", headers={"Idempotency-Key": "k-1"})

    assert failed.status == 500
    assert (retried.status, replayed(retried)) == (201, "false")


@pytest.mark.parametrize("refusal", [Conflict, RateLimited])
def test_a_refusal_that_says_retry_is_not_stored(coupons_fn, code, monkeypatch, refusal: type[DomainError]):
    real = store.commit_redemption
    failing = [True]

    def contended(*args: Any, **kwargs: Any) -> None:
        if failing and failing.pop():
            raise refusal()
        real(*args, **kwargs)

    monkeypatch.setattr(store, "commit_redemption", contended)
    failed = redeem(coupons_fn, code, "o-1", headers={"Idempotency-Key": "k-1"})
    retried = redeem(coupons_fn, code, "o-1", headers={"Idempotency-Key": "k-1"})

    assert (failed.status, failed.body["error"]["code"]) == (refusal.status, refusal.code)
    assert (retried.status, replayed(retried)) == (201, "false")
    assert redemptions(coupons_fn, code) == 1


def test_a_rollback_already_done_is_stored_though_a_409(coupons_fn, code):
    first = redeem(coupons_fn, code, "o-1")
    assert rollback(coupons_fn, first.body["id"]).status == 200

    refused = rollback(coupons_fn, first.body["id"], "k-r")
    again = rollback(coupons_fn, first.body["id"], "k-r")

    assert (refused.status, refused.body["error"]["code"], replayed(refused)) == (409, "already_rolled_back", "false")
    assert (again.status, again.body, replayed(again)) == (409, refused.body, "true")


def test_a_lock_of_the_generic_path_is_in_progress(coupons_fn, code):
    request = generic_request(code, "o-1", "k-1")
    now = time.time()
    IdempotencyModel(
        idempotency.key_id(request),
        status="INPROGRESS",
        expiration=int(now) + 3600,
        in_progress_expiration=int(now * 1000) + 60_000,
        validation=idempotency._hash(request["body"]),
    ).save()

    reply = redeem(coupons_fn, code, "o-1", headers={"Idempotency-Key": "k-1"})

    assert reply.status == 409 and reply.body["error"]["code"] == "idempotency_in_progress"
    assert redemptions(coupons_fn, code) == 0


def _interleaved(monkeypatch: pytest.MonkeyPatch, winner: Any) -> None:
    """The next redemption's commit first lets `winner` (another request, run to its end) commit."""
    interleave(monkeypatch, store, "commit_redemption", winner)


def test_a_request_that_loses_the_race_answers_the_winners_answer(coupons_fn, code, monkeypatch):
    other_container = load_function("coupons")
    key = {"Idempotency-Key": "k-1"}
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(redeem(other_container, code, "o-1", headers=key)))

    lost = redeem(coupons_fn, code, "o-1", headers=key)

    assert (won[0].status, replayed(won[0])) == (201, "false")
    assert (lost.status, replayed(lost), lost.body) == (201, "true", won[0].body)
    assert redemptions(coupons_fn, code) == 1


def test_another_body_that_loses_the_race_is_a_conflict(coupons_fn, code, monkeypatch):
    other_container = load_function("coupons")
    key = {"Idempotency-Key": "k-1"}
    won: list[Reply] = []
    _interleaved(monkeypatch, lambda: won.append(redeem(other_container, code, "o-2", headers=key)))

    lost = redeem(coupons_fn, code, "o-1", headers=key)

    assert won[0].status == 201
    assert lost.status == 409 and lost.body["error"]["code"] == "idempotency_conflict"
    assert redemptions(coupons_fn, code) == 1


def test_concurrent_requests_with_one_key_redeem_once_and_all_answer_the_same(coupons_fn, code):
    containers = [load_function("coupons") for _ in range(6)]
    start = threading.Barrier(len(containers))
    replies: list[Reply] = []

    def send(container: ModuleType) -> None:
        start.wait()
        replies.append(redeem(container, code, "o-1", headers={"Idempotency-Key": "k-1"}))

    threads = [threading.Thread(target=send, args=(c,)) for c in containers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(replies) == len(containers)
    assert {(r.status, repr(r.body)) for r in replies} == {(201, repr(replies[0].body))}
    assert sorted(replayed(r) or "" for r in replies) == ["false"] + ["true"] * (len(containers) - 1)
    assert redemptions(coupons_fn, code) == 1


# -- rollback: the same path ------------------------------------------------------------------------------------------


def rollback(coupons_fn: ModuleType, redemption_id: str, key: str | None = None) -> Reply:
    headers = {"Idempotency-Key": key} if key else None
    return call(
        coupons_fn,
        "POST",
        f"/v1/redemptions/{redemption_id}/rollback",
        "/v1/redemptions/{redemption_id}/rollback",
        {},
        headers=headers,
    )


def test_a_rollback_with_a_key_reads_once_and_writes_once_and_its_replay_reads_once(coupons_fn, code, recorder):
    rid = redeem(coupons_fn, code, "o-1", "c-1").body["id"]

    first, first_calls = recorder.measure(lambda: rollback(coupons_fn, rid, "k-rb"))
    again, again_calls = recorder.measure(lambda: rollback(coupons_fn, rid, "k-rb"))

    assert operations(first_calls) == ["TransactGetItems", "TransactWriteItems"]
    assert operations(again_calls) == ["TransactGetItems"]
    assert (first.status, first.body["status"], replayed(first)) == (200, "rolled_back", "false")
    assert (again.status, again.body, replayed(again)) == (200, first.body, "true")
    assert rollback(coupons_fn, rid).body["error"]["code"] == "already_rolled_back"  # without the key


def test_a_rollback_refused_is_stored_and_replayed(coupons_fn, code):
    rid = redeem(coupons_fn, code, "o-1").body["id"]
    assert rollback(coupons_fn, rid).status == 200

    refused, again = rollback(coupons_fn, rid, "k-rb"), rollback(coupons_fn, rid, "k-rb")

    assert (refused.status, refused.body["error"]["code"], replayed(refused)) == (409, "already_rolled_back", "false")
    assert (again.status, again.body, replayed(again)) == (409, refused.body, "true")


def test_a_rollback_that_loses_the_race_answers_the_winners_answer(coupons_fn, code, monkeypatch):
    rid = redeem(coupons_fn, code, "o-1", "c-1").body["id"]
    other_container = load_function("coupons")
    won: list[Reply] = []
    real, first = store._code_facts, [True]

    def late(item: Any) -> Any:
        if first and first.pop():  # only the first rollback to get here lets the other one run to its end
            run_elsewhere(lambda: won.append(rollback(other_container, rid, "k-rb")))
        return real(item)

    monkeypatch.setattr(store, "_code_facts", late)
    lost = rollback(coupons_fn, rid, "k-rb")

    assert (won[0].status, replayed(won[0])) == (200, "false")
    assert (lost.status, lost.body, replayed(lost)) == (200, won[0].body, "true")
    assert redemptions(coupons_fn, code) == 0


def test_a_redemption_written_before_code_facts_still_gives_back_the_wallet_copy(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    bound = make_code(campaigns_fn, campaign_id, customer_id="c-1")
    old, new = redeem(coupons_fn, bound, "o-1", "c-1").body["id"], None
    RedemptionModel(old).update(actions=[RedemptionModel.code_facts.remove()])  # as written before the attribute
    mirror = CouponMirrorModel.get("c-1", f"coupon#{bound}")
    assert int(mirror.uses) == 1

    assert rollback(coupons_fn, old).status == 200
    assert int(CouponMirrorModel.get("c-1", f"coupon#{bound}").uses) == 0
    new = redeem(coupons_fn, bound, "o-2", "c-1").body["id"]
    assert RedemptionModel.get(new).code_facts is not None
    assert rollback(coupons_fn, new).status == 200
    assert int(CouponMirrorModel.get("c-1", f"coupon#{bound}").uses) == 0
