"""Webhooks over HTTP against the local stack, with a receiver started here (127.0.0.1, a thread) that verifies every
delivery with the Standard Webhooks reference algorithm. Events are written to EventsTable as the outbox writes them:
the stack's stream poller publishes them to the FIFO WebhookQueue, the delivery function sends them. STAGE=local:
loopback allowed, retries after 1 s, 2 s, 3 s ..."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from passaparola.ids import new_ulid
from tests.integration.api import Api, order, uid, wait_until
from tests.integration.conftest import LocalStack
from tests.webhook_receiver import Receiver, running_receiver


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Api:
    return Api(stack)


@pytest.fixture(scope="module")
def events_table(stack: LocalStack) -> Any:
    """EventsTable of the stack (moto's DynamoDB, or the DynamoDB the stack uses), written as the outbox does."""
    match = re.search(r"moto at (http://\S+)", stack.log())
    assert match, "the stack's log names its moto endpoint"
    endpoint = match[1] if stack.dynamodb == "moto" else stack.dynamodb
    ddb = boto3.resource(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    (name,) = [t.name for t in ddb.tables.all() if t.name.endswith("EventsTable")]
    return ddb.Table(name)


@pytest.fixture
def rx(api: Api) -> Iterator[tuple[Receiver, dict[str, Any]]]:
    with running_receiver() as receiver:
        reply = api.post("/v1/webhooks", {"url": receiver.url, "events": ["coupon.*"], "description": "it"})
        assert reply.status_code == 201, reply.text
        hook = reply.json()
        receiver.secrets = [hook["secret"]]
        yield receiver, hook
        api.request("DELETE", f"/v1/webhooks/{hook['id']}")


_seq = {"n": 0}


def record(table: Any, customer: str, type_: str = "coupon.redeemed", at: datetime | None = None) -> str:
    """An event as passaparola.events.outbox writes it (the stream publishes it)."""
    _seq["n"] += 1
    when = at or datetime.now(UTC)
    created = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event_id = "evt_" + new_ulid(int(when.timestamp() * 1000))
    table.put_item(
        Item={
            "id": event_id,
            "type": type_,
            "version": 1,
            "created_at": created,
            "hour": created[:13],
            "customer_id": customer,
            "data": json.dumps({"n": _seq["n"]}),
            "unpublished": "1",
            "expires_at": int((when + timedelta(days=35)).timestamp()),
        }
    )
    return event_id


def mine(receiver: Receiver, customers: set[str]) -> list[Any]:
    return [r for r in receiver.received if r.event.get("customer_id") in customers]


def deliveries(api: Api, hook: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    reply = api.get(f"/v1/webhooks/{hook['id']}/deliveries", params=params)
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]  # type: ignore[no-any-return]


def test_ping_and_events_arrive_signed_once_in_order_per_customer(
    api: Api, events_table: Any, rx: tuple[Receiver, dict[str, Any]]
) -> None:
    receiver, hook = rx
    ping = api.post(f"/v1/webhooks/{hook['id']}/test")
    assert ping.status_code == 202 and ping.json()["ok"], ping.text
    assert receiver.received[0].event["type"] == "webhook.ping"
    a, b = uid("wa"), uid("wb")
    sent = {a: [], b: []}  # type: dict[str, list[str]]
    for i in range(4):
        for customer in (a, b):
            sent[customer].append(record(events_table, customer, "coupon.redeemed" if i % 2 else "coupon.rolled_back"))
    record(events_table, a, "referral.converted")  # not subscribed
    got = receiver.wait(lambda r: len([x for x in r if x.event.get("customer_id") in sent]) >= 8)
    for customer, ids in sent.items():
        assert [r.id for r in got if r.event.get("customer_id") == customer] == ids  # once each, in order
    assert not receiver.unverified
    assert all(r.id == r.event["id"] for r in got)
    log = deliveries(api, hook)
    assert {d["event_id"] for d in log} >= set(sent[a] + sent[b]) and all(d["status"] == "succeeded" for d in log)


def test_500_then_200_is_redelivered_with_the_same_webhook_id(
    api: Api, events_table: Any, rx: tuple[Receiver, dict[str, Any]]
) -> None:
    receiver, hook = rx
    receiver.plan = [500]
    customer = uid("wr")
    event_id = record(events_table, customer)
    got = receiver.wait(lambda r: len([x for x in r if x.event.get("customer_id") == customer]) >= 2, timeout=30)
    assert [(r.id, r.answered) for r in got if r.event.get("customer_id") == customer] == [
        (event_id, 500),
        (event_id, 200),
    ]
    (entry,) = wait_until(
        lambda: [d for d in deliveries(api, hook) if d["event_id"] == event_id and d["status"] == "succeeded"]
    )
    assert entry["attempt"] == 2


def test_down_longer_is_dead_then_replayed(api: Api, events_table: Any, rx: tuple[Receiver, dict[str, Any]]) -> None:
    receiver, hook = rx
    receiver.default = 503
    customer = uid("wd")
    event_id = record(events_table, customer)
    dead = wait_until(lambda: deliveries(api, hook, status="dead"), timeout=90)
    assert dead[0]["event_id"] == event_id and dead[0]["attempt"] == 8
    assert len(mine(receiver, {customer})) == 8
    receiver.default = 200
    replay = api.post(f"/v1/webhooks/{hook['id']}/replay", {"event_id": event_id})
    assert replay.status_code == 202 and replay.json() == {"queued": 1}, replay.text
    got = receiver.wait(lambda r: any(x.id == event_id and x.answered == 200 for x in r), timeout=30)
    assert got[-1].id == event_id
    replayed = wait_until(lambda: [d for d in deliveries(api, hook, status="succeeded") if d["replay"]])
    assert replayed[0]["event_id"] == event_id


def test_rotation_signs_with_both_secrets(api: Api, events_table: Any, rx: tuple[Receiver, dict[str, Any]]) -> None:
    receiver, hook = rx
    rotated = api.post(f"/v1/webhooks/{hook['id']}/secret/rotate", {"expire_previous_in_hours": 1})
    assert rotated.status_code == 200, rotated.text
    receiver.secrets = [hook["secret"], rotated.json()["secret"]]  # each must verify the same delivery
    customer = uid("wk")
    record(events_table, customer)
    (got,) = receiver.wait(lambda r: bool(mine(receiver, {customer})), timeout=30)[-1:]
    assert len(got.signatures) == 2


def test_disabled_after_days_of_failures(
    api: Api, stack: LocalStack, events_table: Any, rx: tuple[Receiver, dict[str, Any]]
) -> None:
    receiver, hook = rx
    receiver.default = 500
    customer = uid("wx")
    record(events_table, customer)
    wait_until(lambda: api.get(f"/v1/webhooks/{hook['id']}").json()["failing_since"])
    stack.set_clock(datetime.now(UTC) + timedelta(days=6))
    try:
        record(events_table, customer)
        state = wait_until(lambda: (s := api.get(f"/v1/webhooks/{hook['id']}").json()) and not s["enabled"] and s)
    finally:
        stack.set_clock(None)
    assert "no successful delivery" in state["disabled_reason"]
    enabled = api.patch(f"/v1/webhooks/{hook['id']}", {"enabled": True}).json()
    assert enabled["enabled"] and enabled["failing_since"] is None


def test_business_events_from_the_api_arrive_once_in_order(api: Api, rx: tuple[Receiver, dict[str, Any]]) -> None:
    """A redemption and its rollback (recorded by the outbox in their transactions) reach the endpoint in order."""
    receiver, _ = rx
    campaign = api.create_campaign()
    customers = [uid("wc"), uid("wc")]
    expected: dict[str, list[tuple[str, str]]] = {}
    for customer in customers:
        code = api.create_code(campaign["id"])
        redeemed = api.redeem(code, order(), customer_id=customer)
        assert redeemed.status_code == 201, redeemed.text
        assert api.rollback(redeemed.json()["id"]).status_code == 200
        expected[customer] = [("coupon.redeemed", code), ("coupon.rolled_back", code)]
    got = receiver.wait(lambda r: len([x for x in r if x.event.get("customer_id") in expected]) >= 4, timeout=30)
    for customer, wanted in expected.items():
        seen = [r.event for r in got if r.event.get("customer_id") == customer]
        assert [(e["type"], e["data"]["code"]) for e in seen] == wanted
        assert len({e["id"] for e in seen}) == 2
    assert not receiver.unverified
