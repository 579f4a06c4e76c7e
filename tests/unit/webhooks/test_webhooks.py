"""Webhooks with moto in-process and a receiver on 127.0.0.1: routes, signed deliveries, retries, dead, disable,
rotation, replay. Retry messages are captured from the queue and fed back with the clock moved to when they are due."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from passaparola import clock
from passaparola.data import events as events_store
from passaparola.data import webhooks as store
from passaparola.events import outbox
from passaparola.webhooks import delivery
from tests.unit.functions import call, load_function
from tests.webhook_receiver import running_receiver

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BASE = "/v1/webhooks"


@pytest.fixture
def env(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from passaparola.settings import get_settings

    monkeypatch.setenv("STAGE", "local")
    get_settings.cache_clear()
    queued: list[tuple[dict[str, Any], int]] = []
    told: list[dict[str, Any]] = []
    monkeypatch.setattr(
        store, "enqueue", lambda messages, delay=0, parallel=False: queued.extend((m, delay) for m in messages)
    )
    monkeypatch.setattr(delivery.notifications, "team", lambda subject, message: told.append(message))
    now = {"t": T0}
    clock.set_clock(lambda: now["t"])
    with running_receiver() as receiver:
        yield {"fn": load_function("webhooks"), "queued": queued, "told": told, "now": now, "rx": receiver}
    get_settings.cache_clear()


def register(env: dict[str, Any], events: list[str] | None = None) -> dict[str, Any]:
    reply = call(env["fn"], "POST", BASE, BASE, {"url": env["rx"].url, "events": events or ["coupon.*"]})
    assert reply.status == 201, reply.body
    env["rx"].secrets = [reply.body["secret"]]
    return reply.body  # type: ignore[no-any-return]


def event(n: int, type_: str = "coupon.redeemed", customer: str = "c1") -> dict[str, Any]:
    return {
        "id": f"evt_{n:026d}",
        "type": type_,
        "version": 1,
        "created_at": clock.iso(clock.now()),
        "customer_id": customer,
        "data": {"n": n},
    }


def deliver(records: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The delivery function's handler with SQS records of (queue arn, message)."""
    fn = load_function("webhook_delivery")
    sqs_event = {
        "Records": [
            {
                "messageId": str(i),
                "receiptHandle": str(i),
                "body": json.dumps(body),
                "attributes": {"MessageGroupId": "c1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            }
            for i, (arn, body) in enumerate(records)
        ]
    }

    class Context:
        function_name = "WebhookDeliveryFunction"
        memory_limit_in_mb = 512
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:x"
        aws_request_id = "req"

        def get_remaining_time_in_millis(self) -> int:
            return 300_000

    return fn.lambda_handler(sqs_event, Context())  # type: ignore[no-any-return]


FIFO = "arn:aws:sqs:us-east-1:123456789012:webhooks.fifo"
RETRY = "arn:aws:sqs:us-east-1:123456789012:webhook-retries"


def run_retries(env: dict[str, Any]) -> int:
    """Feed the queued retries back, each at its due time; returns how many ran."""
    ran = 0
    while env["queued"]:
        message, _ = env["queued"].pop(0)
        if "due" in message:
            env["now"]["t"] = max(env["now"]["t"], datetime.fromisoformat(message["due"].replace("Z", "+00:00")))
        assert deliver([(RETRY, message)]) == {"batchItemFailures": []}
        ran += 1
    return ran


def log(env: dict[str, Any], webhook_id: str, **query: str) -> list[dict[str, Any]]:
    reply = call(env["fn"], "GET", f"{BASE}/{webhook_id}/deliveries", f"{BASE}/{{webhook_id}}/deliveries", query=query)
    assert reply.status == 200, reply.body
    return reply.body["items"]  # type: ignore[no-any-return]


def test_register_list_get_never_show_the_secret_again(env: dict[str, Any]) -> None:
    created = register(env, ["referral.*", "coupon.redeemed"])
    assert created["id"].startswith("whk_") and created["secret"].startswith("whsec_") and created["enabled"]
    listed = call(env["fn"], "GET", BASE, BASE).body["items"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    one = call(env["fn"], "GET", f"{BASE}/{created['id']}", f"{BASE}/{{webhook_id}}").body
    assert "secret" not in one and one["events"] == ["referral.*", "coupon.redeemed"]


def test_refusals(env: dict[str, Any]) -> None:
    fn = env["fn"]
    bad = call(fn, "POST", BASE, BASE, {"url": env["rx"].url, "events": ["nope.happened"]})
    assert bad.status == 400 and bad.body["error"]["details"]["unknown"] == ["nope.happened"]
    for url in ("http://10.0.0.1/x", "http://169.254.169.254/latest", "ftp://127.0.0.1/x"):
        refused = call(fn, "POST", BASE, BASE, {"url": url, "events": ["*"]})
        assert refused.status == 400 and refused.body["error"]["code"] == "webhook_url_refused", url
    for _ in range(20):
        register(env)
    full = call(fn, "POST", BASE, BASE, {"url": env["rx"].url, "events": ["*"]})
    assert full.status == 409 and full.body["error"]["code"] == "webhook_limit_reached"
    missing = call(fn, "GET", f"{BASE}/whk_nothere", f"{BASE}/{{webhook_id}}")
    assert missing.status == 404


def test_test_ping_is_signed_and_logged(env: dict[str, Any]) -> None:
    hook = register(env)
    reply = call(env["fn"], "POST", f"{BASE}/{hook['id']}/test", f"{BASE}/{{webhook_id}}/test")
    assert reply.status == 202 and reply.body["ok"] and reply.body["status_code"] == 200
    (got,) = env["rx"].received
    assert got.event["type"] == "webhook.ping" and got.id == reply.body["event_id"]
    assert got.headers["content-type"] == "application/json"
    assert [(d["event_type"], d["status"], d["attempt"]) for d in log(env, hook["id"])] == [
        ("webhook.ping", "succeeded", 1)
    ]


def test_events_reach_matching_endpoints_once_in_order(env: dict[str, Any]) -> None:
    coupons = register(env, ["coupon.*"])
    env["rx"].others = env["rx"].secrets
    register(env, ["referral.*"])
    records = [(FIFO, event(1)), (FIFO, event(2, "referral.converted")), (FIFO, event(3, "coupon.rolled_back"))]
    assert deliver(records) == {"batchItemFailures": []}
    assert deliver(records[:1]) == {"batchItemFailures": []}  # the queue delivering an event twice: sent once
    got = env["rx"].received
    assert [(r.event["type"], r.id) for r in got] == [
        ("coupon.redeemed", "evt_" + "1".zfill(26)),
        ("referral.converted", "evt_" + "2".zfill(26)),
        ("coupon.rolled_back", "evt_" + "3".zfill(26)),
    ]
    assert [d["event_type"] for d in log(env, coupons["id"])] == ["coupon.rolled_back", "coupon.redeemed"]


def test_a_failure_is_retried_with_the_same_webhook_id_then_succeeds(env: dict[str, Any]) -> None:
    hook = register(env)
    env["rx"].plan = [500]
    deliver([(FIFO, event(1))])
    ((message, delay),) = env["queued"]
    assert delay == 1 and message["attempt"] == 1  # STAGE=local: 1 s, 2 s, 3 s ...
    (first,) = log(env, hook["id"])
    assert (first["status"], first["status_code"], first["error"]) == ("failed", 500, "http_500")
    assert first["next_attempt_at"]
    assert run_retries(env) == 1
    ids = [r.id for r in env["rx"].received]
    assert len(ids) == 2 and ids[0] == ids[1]
    (done,) = log(env, hook["id"])
    assert (done["status"], done["attempt"], done["next_attempt_at"]) == ("succeeded", 2, None)
    assert call(env["fn"], "GET", f"{BASE}/{hook['id']}", f"{BASE}/{{webhook_id}}").body["failing_since"] is None


def test_a_retry_not_yet_due_is_delayed_again(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGE", "prod")
    from passaparola.settings import get_settings

    get_settings.cache_clear()
    hook = store.create(
        "whk_far", url="https://hooks.example.com/x", events='["*"]', enabled=True, secret="whsec_AAAA",
        created_at="t", updated_at="t",
    )  # fmt: skip
    due = clock.now() + timedelta(hours=2)
    delivery.handle_retry({"webhook_id": hook.sk, "sk": "x", "attempt": 4, "due": clock.iso(due)})
    ((message, delay),) = env["queued"]
    assert delay == 900 and message["due"] == clock.iso(due)


def test_dead_after_the_schedule_then_replayed(env: dict[str, Any]) -> None:
    hook = register(env)
    env["rx"].default = 503
    stored = outbox.record_now("coupon.redeemed", _coupon_data(), customer_id="c1")
    item = events_store.get(stored)
    assert item is not None
    deliver([(FIFO, item.model_dump(mode="json"))])
    assert run_retries(env) == 7
    assert len(env["rx"].received) == 8 and len({r.id for r in env["rx"].received}) == 1
    (dead,) = log(env, hook["id"], status="dead")
    assert dead["attempt"] == 8 and dead["next_attempt_at"] is None
    env["rx"].default = 200
    reply = call(
        env["fn"], "POST", f"{BASE}/{hook['id']}/replay", f"{BASE}/{{webhook_id}}/replay", {"event_id": stored}
    )
    assert reply.status == 202 and reply.body == {"queued": 1}
    run_retries(env)
    assert env["rx"].received[-1].id == stored and env["rx"].received[-1].answered == 200
    replayed = log(env, hook["id"], status="succeeded")
    assert len(replayed) == 1 and replayed[0]["replay"]
    window = {
        "since": clock.iso(clock.now() - timedelta(hours=1)),
        "until": clock.iso(clock.now() + timedelta(minutes=1)),
    }
    ranged = call(env["fn"], "POST", f"{BASE}/{hook['id']}/replay", f"{BASE}/{{webhook_id}}/replay", window)
    assert ranged.body == {"queued": 1}
    too_long = {"since": clock.iso(clock.now() - timedelta(days=8)), "until": clock.iso(clock.now())}
    assert (
        call(env["fn"], "POST", f"{BASE}/{hook['id']}/replay", f"{BASE}/{{webhook_id}}/replay", too_long).status == 400
    )


def _coupon_data() -> dict[str, Any]:
    from passaparola.events.types import TYPES

    model = TYPES["coupon.redeemed"][1]
    sample: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        sample[info.alias or name] = {str: "x", int: 1, float: 1.0}.get(info.annotation, "x")  # type: ignore[call-overload]
    return sample


def test_rotation_signs_with_both_secrets_until_the_previous_expires(env: dict[str, Any]) -> None:
    hook = register(env)
    old = hook["secret"]
    path, resource = f"{BASE}/{hook['id']}/secret/rotate", f"{BASE}/{{webhook_id}}/secret/rotate"
    rotated = call(env["fn"], "POST", path, resource, {"expire_previous_in_hours": 24}).body
    assert rotated["secret"] != old and rotated["previous_secret_expires_at"]
    env["rx"].secrets = [old, rotated["secret"]]  # the receiver checks that each one verifies
    deliver([(FIFO, event(1))])
    (got,) = env["rx"].received
    assert len(got.signatures) == 2
    env["now"]["t"] += timedelta(hours=25)
    env["rx"].secrets = [rotated["secret"]]
    deliver([(FIFO, event(2))])
    assert len(env["rx"].received[-1].signatures) == 1


def test_endpoint_disabled_after_days_without_success_and_the_team_told(env: dict[str, Any]) -> None:
    hook = register(env)
    env["rx"].default = 500
    deliver([(FIFO, event(1))])
    env["queued"].clear()
    env["now"]["t"] += timedelta(days=5, minutes=1)
    deliver([(FIFO, event(2))])
    state = call(env["fn"], "GET", f"{BASE}/{hook['id']}", f"{BASE}/{{webhook_id}}").body
    assert not state["enabled"] and "no successful delivery" in state["disabled_reason"]
    assert [m["webhook_id"] for m in env["told"]] == [hook["id"]]
    deliver([(FIFO, event(3))])
    assert len(env["rx"].received) == 2  # disabled: nothing more is sent
    run_retries(env)  # its pending retry is dead, not sent
    assert len(env["rx"].received) == 2
    again = call(env["fn"], "PATCH", f"{BASE}/{hook['id']}", f"{BASE}/{{webhook_id}}", {"enabled": True}).body
    assert again["enabled"] and again["disabled_reason"] is None and again["failing_since"] is None


def test_deleting_an_endpoint_drops_its_pending_retries(env: dict[str, Any]) -> None:
    hook = register(env)
    env["rx"].plan = [500]
    deliver([(FIFO, event(1))])
    reply = call(env["fn"], "DELETE", f"{BASE}/{hook['id']}", f"{BASE}/{{webhook_id}}")
    assert reply.status == 204
    run_retries(env)
    assert len(env["rx"].received) == 1


def test_changes_are_audited_without_the_secret(env: dict[str, Any]) -> None:
    hook = register(env)
    call(env["fn"], "POST", f"{BASE}/{hook['id']}/secret/rotate", f"{BASE}/{{webhook_id}}/secret/rotate", {})
    call(env["fn"], "POST", f"{BASE}/{hook['id']}/test", f"{BASE}/{{webhook_id}}/test")
    entries = call(load_function("audit"), "GET", "/v1/audit", "/v1/audit").body["items"]
    assert [e["action"] for e in entries] == ["webhook.secret_rotated", "webhook.created"]
    assert "whsec_" not in json.dumps(entries)


def test_a_secret_is_never_stored_as_an_idempotent_answer(env: dict[str, Any]) -> None:
    body = {"url": env["rx"].url, "events": ["*"]}
    headers = {"Idempotency-Key": "same-key"}
    first = call(env["fn"], "POST", BASE, BASE, body, headers=headers)
    second = call(env["fn"], "POST", BASE, BASE, body, headers=headers)
    assert first.status == second.status == 201 and first.body["secret"] != second.body["secret"]


def test_local_means_a_developers_machine_not_a_stack_deployed_with_stage_local(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from passaparola.settings import get_settings

    assert delivery.local()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "passaparola-WebhooksFunction")
    get_settings.cache_clear()
    assert not delivery.local()  # Stage=local deployed: no loopback (the Lambda Runtime API), the real schedule
    refused = call(env["fn"], "POST", BASE, BASE, {"url": env["rx"].url, "events": ["*"]})
    assert refused.status == 400 and refused.body["error"]["code"] == "webhook_url_refused"
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")
    get_settings.cache_clear()
    assert delivery.local()  # `sam local` on a developer's machine


def test_a_retry_is_queued_even_when_the_engine_fails_after_the_attempt(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = register(env)
    env["rx"].default = 500

    def broken(*args: Any) -> None:
        raise RuntimeError("DynamoDB throttled")

    real = store.mark_failing
    monkeypatch.setattr(store, "mark_failing", broken)
    with pytest.raises(BatchProcessingError):  # the record fails and will come back
        deliver([(FIFO, event(1))])
    ((message, _),) = env["queued"]
    assert message["attempt"] == 1
    (item,) = log(env, hook["id"])
    assert (item["status"], item["attempt"]) == ("failed", 1)
    monkeypatch.setattr(store, "mark_failing", real)
    assert deliver([(FIFO, event(1))]) == {"batchItemFailures": []}  # came back: the attempt is not made twice
    assert len(env["rx"].received) == 1
    env["rx"].default = 200
    assert run_retries(env) == 1
    assert log(env, hook["id"])[0]["status"] == "succeeded"


def test_a_failed_enqueue_leaves_the_attempt_unrecorded_so_it_is_made_again(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = register(env)
    env["rx"].plan = [500, 500]
    real = store.enqueue

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("SQS unavailable")

    monkeypatch.setattr(store, "enqueue", broken)
    with pytest.raises(BatchProcessingError):
        deliver([(FIFO, event(1))])
    assert log(env, hook["id"])[0]["attempt"] == 0
    monkeypatch.setattr(store, "enqueue", real)
    assert deliver([(FIFO, event(1))]) == {"batchItemFailures": []}
    ((message, _),) = env["queued"]
    assert message["attempt"] == 1 and log(env, hook["id"])[0]["attempt"] == 1


def test_last_success_at_is_kept_fresh_on_a_healthy_endpoint(env: dict[str, Any]) -> None:
    hook = register(env)
    path, resource = f"{BASE}/{hook['id']}", f"{BASE}/{{webhook_id}}"
    deliver([(FIFO, event(1))])
    assert call(env["fn"], "GET", path, resource).body["last_success_at"] == clock.iso(T0)
    env["now"]["t"] = T0 + timedelta(seconds=10)
    deliver([(FIFO, event(2))])
    assert call(env["fn"], "GET", path, resource).body["last_success_at"] == clock.iso(T0)  # at most once a minute
    env["now"]["t"] = T0 + timedelta(minutes=5)
    deliver([(FIFO, event(3))])
    assert call(env["fn"], "GET", path, resource).body["last_success_at"] == clock.iso(T0 + timedelta(minutes=5))


def test_a_replay_says_webhook_replay_and_keeps_the_webhook_id(env: dict[str, Any]) -> None:
    hook = register(env)
    env["rx"].plan = [500]
    stored = outbox.record_now("coupon.redeemed", _coupon_data(), customer_id="c1")
    item = events_store.get(stored)
    assert item is not None
    deliver([(FIFO, item.model_dump(mode="json"))])
    run_retries(env)
    path, resource = f"{BASE}/{hook['id']}/replay", f"{BASE}/{{webhook_id}}/replay"
    assert call(env["fn"], "POST", path, resource, {"event_id": stored}).status == 202
    run_retries(env)
    first, retry, replayed = env["rx"].received
    assert first.id == retry.id == replayed.id == stored
    assert "webhook-replay" not in first.headers and "webhook-replay" not in retry.headers
    assert replayed.headers["webhook-replay"] == "true"


def test_a_replay_is_capped_and_a_retried_request_queues_nothing_again(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from passaparola.webhooks import service

    hook = register(env)
    for _ in range(3):
        outbox.record_now("coupon.redeemed", _coupon_data(), customer_id="c1")
    path, resource = f"{BASE}/{hook['id']}/replay", f"{BASE}/{{webhook_id}}/replay"
    window = {
        "since": clock.iso(clock.now() - timedelta(hours=1)),
        "until": clock.iso(clock.now() + timedelta(minutes=1)),
    }
    monkeypatch.setattr(service, "REPLAY_MAX_EVENTS", 2)
    capped = call(env["fn"], "POST", path, resource, window)
    assert capped.status == 400 and capped.body["error"]["code"] == "invalid_request"
    assert capped.body["error"]["details"]["max"] == 2 and "narrow" in capped.body["error"]["message"]
    assert env["queued"] == []
    monkeypatch.setattr(service, "REPLAY_MAX_EVENTS", 10_000)
    headers = {"Idempotency-Key": "replay-1"}
    first = call(env["fn"], "POST", path, resource, window, headers=headers)
    again = call(env["fn"], "POST", path, resource, window, headers=headers)
    assert first.status == again.status == 202 and first.body == again.body == {"queued": 3}
    assert len(env["queued"]) == 3


def test_concurrent_creates_never_keep_more_than_the_limit(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from passaparola.webhooks import service

    for _ in range(20):
        register(env)
    real = store.endpoints
    calls = {"n": 0}

    def stale() -> list[Any]:
        calls["n"] += 1
        return real()[:19] if calls["n"] == 1 else real()  # another create's count ran before this one's write

    monkeypatch.setattr(service.store, "endpoints", stale)
    late = call(env["fn"], "POST", BASE, BASE, {"url": env["rx"].url, "events": ["*"]})
    assert late.status == 409 and late.body["error"]["code"] == "webhook_limit_reached"
    assert len(real()) == 20


def test_the_endpoints_of_one_event_are_attempted_in_parallel(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from passaparola.webhooks import ssrf

    register(env)
    register(env)
    together = threading.Barrier(2, timeout=5)

    def post(*args: Any, **kwargs: Any) -> ssrf.Result:
        together.wait()  # one endpoint after the other would break the barrier
        return ssrf.Result(200, 1, None)

    monkeypatch.setattr(delivery.ssrf, "post", post)
    assert deliver([(FIFO, event(1))]) == {"batchItemFailures": []}
    assert not together.broken


def test_an_endpoint_gets_no_event_recorded_before_it_existed(env: dict[str, Any]) -> None:
    """A new endpoint is not flooded with the queue's backlog; older events reach it only by a replay."""
    earlier = event(1)
    earlier["created_at"] = "2020-01-01T00:00:00.000Z"
    register(env, ["*"])
    assert deliver([(FIFO, earlier), (FIFO, event(2))]) == {"batchItemFailures": []}
    assert [r.id for r in env["rx"].received] == ["evt_" + "2".zfill(26)]
