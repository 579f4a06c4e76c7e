"""PassUpdateFunction: the customers stream's filter, the change rule, and the handler against moto and fake
wallet services."""

import json
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import httpx
import pytest

from infra.local.invoke import LambdaContext
from infra.local.streams import passes_filters
from infra.local.template import Template
from passaparola.passes import push, updates
from passaparola.passes.config import GoogleConfig
from tests.unit.functions import ROOT, load_function
from tests.unit.passes.keys import ec_pair, rsa_pair

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TOKEN, GONE = "a1" * 32, "b2" * 32


def image(**values: Any) -> dict[str, Any]:
    """A stream image (DynamoDB JSON) of a customer record."""
    out: dict[str, Any] = {"customer_id": {"S": "c1"}, "sk": {"S": "facts"}}
    for name, value in values.items():
        out[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return out


def record(old: dict[str, Any] | None, new: dict[str, Any] | None, seq: str = "100", event: str = "MODIFY") -> dict:
    dynamodb: dict[str, Any] = {
        "Keys": {"customer_id": {"S": "c1"}, "sk": (new or old or {}).get("sk")},
        "SequenceNumber": seq,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        dynamodb["OldImage"] = old
    if new is not None:
        dynamodb["NewImage"] = new
    return {"eventID": seq, "eventName": event, "eventSource": "aws:dynamodb", "dynamodb": dynamodb}


def template_filters() -> list[dict[str, Any]]:
    (event,) = Template(ROOT / "template.yaml").functions()["PassUpdateFunction"].stream_events
    assert event.table_id == "CustomersTable" and event.report_failures
    return event.filters


def test_the_stream_filter_lets_only_pass_holders_records_through() -> None:
    filters = template_filters()
    holder = record(image(pass_serial="pp-1", balance=10), image(pass_serial="pp-1", balance=20))
    assert passes_filters(filters, holder)
    assert passes_filters(filters, record(image(pass_serial="pp-1"), image(pass_serial="pp-1", name="Ada")))
    assert not passes_filters(filters, record(image(balance=10), image(balance=20)))  # no pass
    assert not passes_filters(filters, record(image(balance=10), image(balance=10, pass_serial="pp-1")))  # issued
    assert not passes_filters(filters, record(None, image(pass_serial="pp-1"), event="INSERT"))
    assert not passes_filters(filters, record(image(pass_serial="pp-1"), None, event="REMOVE"))
    lot = {"customer_id": {"S": "c1"}, "sk": {"S": "lot#1"}, "pass_serial": {"S": "pp-1"}}
    assert not passes_filters(filters, record(lot, lot))


def test_only_a_change_of_balance_or_tier_updates_the_card() -> None:
    old = {"customer_id": "c1", "sk": "facts", "pass_serial": "pp-1", "balance": 10, "tier": "Silver"}
    assert updates.card_if_changed(old, {**old, "name": "Ada", "engagement": 3}) is None
    card = updates.card_if_changed(old, {**old, "balance": 35})
    assert card is not None and (card.serial, card.balance, card.tier) == ("pp-1", 35, "Silver")
    assert updates.card_if_changed(old, {**old, "tier": "Gold"}) is not None
    pending = updates.card_if_changed(old, {**old, "pending": 90})  # an order: the Apple pass's back changes
    assert pending is not None and not pending.google
    assert updates.card_if_changed({**old, "pass_serial": None}, {**old, "balance": 35}) is None


@pytest.fixture
def fn(aws: None, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    from passaparola.data import models, passes
    from passaparola.data.models.customers import CustomerModel

    models.bind()
    CustomerModel("c1", "facts", version=1, balance=10).save()
    passes.issue_pass("c1", "pp-1", T0)
    passes.register("pp-1", "dev1", TOKEN, T0)
    passes.register("pp-1", "dev2", GONE, T0)
    apple = push.ApnsConfig.from_secret(
        {"pass_type_id": "pass.test", "team_id": "TEAM", "apns_key_id": "KEY", "apns_private_key_pem": ec_pair()[0]}
    )
    google = GoogleConfig(issuer_id="3388", service_account_email="w@x.iam", private_key_pem=rsa_pair()[0])
    monkeypatch.setattr(updates, "wallets", lambda: updates.Wallets(apple=apple, google=google))
    monkeypatch.setenv("APNS_URL", "https://apns.test")
    monkeypatch.setenv("GOOGLE_WALLET_API_URL", "https://wallet.test")
    monkeypatch.setenv("GOOGLE_OAUTH_URL", "https://oauth.test/token")
    from passaparola.settings import get_settings

    get_settings.cache_clear()
    push.reset()
    return load_function("pass_updates")


def services(seen: list[httpx.Request], apns_status: int = 200) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "oauth.test":
            return httpx.Response(200, json={"access_token": "at", "expires_in": 3600})
        if request.url.host == "apns.test":
            gone = request.url.path.endswith(GONE)
            return httpx.Response(410 if gone else apns_status, json={"reason": "Unregistered" if gone else "x"})
        return httpx.Response(200, json={})

    push._clients[""] = httpx.Client(transport=httpx.MockTransport(handle))


def stream_event(*records: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps({"Records": list(records)}))


def test_a_balance_change_tags_the_pass_pushes_to_its_devices_and_patches_the_google_object(fn: ModuleType) -> None:
    from passaparola import clock
    from passaparola.data import passes

    passes.set_google_object("pp-1", "3388.pp-1")
    seen: list[httpx.Request] = []
    services(seen)
    clock.set_clock(lambda: datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    change = record(image(pass_serial="pp-1", balance=10), image(pass_serial="pp-1", balance=40, tier="Gold"))
    result = fn.lambda_handler(stream_event(change), LambdaContext())
    assert result == {"batchItemFailures": []}
    found = passes.get_pass("pp-1")
    assert found is not None and found.updated_at == "2026-03-02T08:00:00.000Z"
    apns = [r for r in seen if r.url.host == "apns.test"]
    assert sorted(r.url.path for r in apns) == [f"/3/device/{TOKEN}", f"/3/device/{GONE}"]
    assert [r.device for r in passes.registrations("pp-1")] == ["dev1"]  # 410: unregistered
    (patch,) = [r for r in seen if r.url.host == "wallet.test"]
    assert patch.method == "PATCH" and patch.url.path.endswith("/loyaltyObject/3388.pp-1")
    body = json.loads(patch.content)
    assert body["loyaltyPoints"]["balance"] == {"int": 40}
    assert body["textModulesData"][0]["body"] == "Gold"


def test_other_changes_send_nothing_and_a_failed_push_is_reported_for_retry(fn: ModuleType) -> None:
    from passaparola.data import passes

    seen: list[httpx.Request] = []
    services(seen, apns_status=503)
    same = record(image(pass_serial="pp-1", balance=10), image(pass_serial="pp-1", balance=10, name="Ada"), seq="1")
    moved = record(image(pass_serial="pp-1", balance=10), image(pass_serial="pp-1", balance=11), seq="2")
    result = fn.lambda_handler(stream_event(same, moved), LambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert {r.url.host for r in seen} == {"apns.test"}  # no Google object was ever saved: no PATCH
    found = passes.get_pass("pp-1")
    assert found is not None and found.updated_at > "2026-03-01T12:00:00.000Z"  # tagged before the push


def test_a_failed_push_is_counted_for_the_alarm(fn: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    counted: list[str] = []
    monkeypatch.setattr(fn.metrics, "add_metric", lambda name, **_: counted.append(name))
    services([], apns_status=503)
    moved = record(image(pass_serial="pp-1", balance=10), image(pass_serial="pp-1", balance=11), seq="7")
    assert fn.lambda_handler(stream_event(moved), LambdaContext()) == {"batchItemFailures": [{"itemIdentifier": "7"}]}
    assert counted == ["PassUpdateFailures"]
    services([])
    assert fn.lambda_handler(stream_event(moved), LambdaContext()) == {"batchItemFailures": []}
    assert "PassUpdateFailures" not in counted[1:]


def test_an_erasure_expires_the_google_card_without_the_name_and_pushes_nothing(fn: ModuleType) -> None:
    from passaparola.data import passes

    passes.set_google_object("pp-1", "3388.pp-1")
    seen: list[httpx.Request] = []
    services(seen)
    old = image(pass_serial="pp-1", balance=10, name="Ada")
    erased = record(old, image(pass_serial="pp-1", balance=10, erased_at="2026-03-02T08:00:00.000Z", token_epoch=1))
    assert fn.lambda_handler(stream_event(erased), LambdaContext()) == {"batchItemFailures": []}
    assert not [r for r in seen if r.url.host == "apns.test"]
    (patch,) = [r for r in seen if r.url.host == "wallet.test"]
    assert patch.method == "PATCH" and json.loads(patch.content) == {"state": "EXPIRED", "accountName": None}


def test_a_change_of_a_card_never_saved_to_google_creates_nothing_there(fn: ModuleType) -> None:
    from passaparola.data import passes

    passes.set_google_object("pp-1", "3388.pp-1")  # a save link was issued, never used
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "oauth.test":
            return httpx.Response(200, json={"access_token": "at", "expires_in": 3600})
        return httpx.Response(404 if request.url.host == "wallet.test" else 200, json={})

    push._clients[""] = httpx.Client(transport=httpx.MockTransport(handle))
    moved = record(image(pass_serial="pp-1", balance=10), image(pass_serial="pp-1", balance=50, name="Ada"))
    assert fn.lambda_handler(stream_event(moved), LambdaContext()) == {"batchItemFailures": []}
    assert [r.method for r in seen if r.url.host == "wallet.test"] == ["PATCH"]  # no insert after the 404
