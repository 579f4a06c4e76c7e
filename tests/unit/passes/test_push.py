"""APNs pushes and the Google object update, against fake services (httpx.MockTransport)."""

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest

from passaparola.passes import push
from passaparola.passes.config import GoogleConfig
from passaparola.passes.google import Card
from tests.unit.passes.keys import ec_pair, rsa_pair


@dataclass
class Reg:
    device: str
    push_token: str


def tok(n: int) -> str:
    """An APNs device token (64 hex digits)."""
    return f"{n:064x}"


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("APNS_URL", "https://apns.test")
    monkeypatch.setenv("GOOGLE_WALLET_API_URL", "https://wallet.test")
    monkeypatch.setenv("GOOGLE_OAUTH_URL", "https://oauth.test/token")
    from passaparola.settings import get_settings

    get_settings.cache_clear()
    push.reset()
    yield
    push.reset()
    get_settings.cache_clear()


def fake(handler: Callable[[httpx.Request], httpx.Response]) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(record))
    push._clients[""] = client
    return seen


def apns() -> push.ApnsConfig:
    private, _ = ec_pair()
    config = push.ApnsConfig.from_secret(
        {
            "pass_type_id": "pass.shop.loyalty",
            "team_id": "TEAM123456",
            "apns_key_id": "KEY1234567",
            "apns_private_key_pem": private,
        }
    )
    assert config is not None and config.token_auth
    return config


def test_a_push_is_an_empty_background_push_to_the_device_token_with_a_provider_token() -> None:
    seen = fake(lambda r: httpx.Response(200))
    report = push.push_devices(apns(), [Reg("dev-1", tok(1)), Reg("dev-2", tok(2))], lambda d: None)
    assert report.sent == ["dev-1", "dev-2"]
    first = next(r for r in seen if r.url.path.endswith(tok(1)))
    assert first.method == "POST"
    assert str(first.url) == f"https://apns.test/3/device/{tok(1)}"
    assert first.content == b"{}"
    assert first.headers["apns-topic"] == "pass.shop.loyalty"
    assert first.headers["apns-push-type"] == "background"
    scheme, token = first.headers["authorization"].split(" ")
    assert scheme == "bearer"
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "KEY1234567", "typ": "JWT"}
    claims = jwt.decode(token, ec_pair()[1], algorithms=["ES256"])
    assert claims["iss"] == "TEAM123456"
    assert seen[1].headers["authorization"] == first.headers["authorization"]  # reused, not re-signed per push


def test_the_provider_token_is_renewed_after_50_minutes() -> None:
    config = apns()
    first = push.provider_token(config, now=1_000_000)
    assert push.provider_token(config, now=1_000_000 + 49 * 60) == first
    assert push.provider_token(config, now=1_000_000 + 51 * 60) != first


def test_a_410_unregisters_the_device_and_other_failures_retry() -> None:
    fake(
        lambda r: (
            httpx.Response(410, json={"reason": "Unregistered"}) if r.url.path.endswith(tok(9)) else httpx.Response(200)
        )
    )
    gone: list[str] = []
    report = push.push_devices(apns(), [Reg("dev-old", tok(9)), Reg("dev-new", tok(1))], gone.append)
    assert gone == ["dev-old"] and report.gone == ["dev-old"] and report.sent == ["dev-new"]

    fake(lambda r: httpx.Response(503, json={"reason": "ServiceUnavailable"}))
    with pytest.raises(push.PushFailed):
        push.push_devices(apns(), [Reg("dev-1", tok(1))], gone.append)
    assert gone == ["dev-old"]


def test_a_token_apns_calls_bad_or_a_malformed_one_is_unregistered_not_retried_forever() -> None:
    reasons = {tok(1): "BadDeviceToken", tok(2): "DeviceTokenNotForTopic", tok(3): "BadPriority"}
    seen = fake(lambda r: httpx.Response(400, json={"reason": reasons[r.url.path.rsplit("/", 1)[-1]]}))
    gone: list[str] = []
    registered = [Reg("bad", tok(1)), Reg("other-topic", tok(2)), Reg("path", "../../x?y#"), Reg("short", "abc")]
    report = push.push_devices(apns(), registered, gone.append)
    assert sorted(gone) == ["bad", "other-topic", "path", "short"] and sorted(report.gone) == sorted(gone)
    assert len(seen) == 2  # the malformed tokens never reach a URL
    with pytest.raises(push.PushFailed, match="BadPriority"):  # our mistake, not the token's: retried
        push.push_devices(apns(), [Reg("dev-3", tok(3))], gone.append)


def test_the_devices_are_pushed_at_once() -> None:
    """Ten devices, each push waiting for all the others: only concurrent pushes get through."""
    devices = 10
    together = threading.Barrier(devices, timeout=10)

    def handle(request: httpx.Request) -> httpx.Response:
        together.wait()
        return httpx.Response(200)

    fake(handle)
    report = push.push_devices(apns(), [Reg(f"dev-{n}", tok(n)) for n in range(devices)], lambda d: None)
    assert sorted(report.sent) == sorted(f"dev-{n}" for n in range(devices))


def google() -> GoogleConfig:
    return GoogleConfig(
        issuer_id="3388",
        class_suffix="loyalty",
        service_account_email="wallet@shop.iam.gserviceaccount.com",
        private_key_pem=rsa_pair()[0],
    )


def google_fake(objects: set[str]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "oauth.test":
            return httpx.Response(200, json={"access_token": "at-1", "expires_in": 3600})
        assert request.headers["authorization"] == "Bearer at-1"
        object_id = request.url.path.rsplit("/", 1)[-1]
        if request.method == "PATCH":
            return httpx.Response(200, json={}) if object_id in objects else httpx.Response(404)
        objects.add(json.loads(request.content)["id"])
        return httpx.Response(200, json={})

    return handle


def test_the_google_object_is_patched_with_an_access_token_from_the_jwt_bearer_grant() -> None:
    seen = fake(google_fake({"3388.pp-1"}))
    card = Card(serial="pp-1", customer_id="c1", balance=75, tier="Silver")
    assert push.update_google_object(google(), card) == "patched"
    assert push.update_google_object(google(), card) == "patched"
    token_calls = [r for r in seen if r.url.host == "oauth.test"]
    assert len(token_calls) == 1  # cached
    form = parse_qs(token_calls[0].content.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims: dict[str, Any] = jwt.decode(
        form["assertion"][0], rsa_pair()[1], algorithms=["RS256"], audience="https://oauth.test/token"
    )
    assert claims["scope"] == "https://www.googleapis.com/auth/wallet_object.issuer"
    patch = seen[1]
    assert patch.method == "PATCH"
    assert str(patch.url) == "https://wallet.test/walletobjects/v1/loyaltyObject/3388.pp-1"
    assert json.loads(patch.content)["loyaltyPoints"]["balance"] == {"int": 75}


def test_an_object_never_saved_is_not_created_and_a_patch_carries_nothing_personal() -> None:
    objects: set[str] = set()
    seen = fake(google_fake(objects))
    card = Card(serial="pp-2", customer_id="c2", balance=1, name="Ada Lovelace")
    assert push.update_google_object(google(), card) == "not_saved"
    wallet = [r for r in seen if r.url.host == "wallet.test"]
    assert [(r.method, r.url.path) for r in wallet] == [("PATCH", "/walletobjects/v1/loyaltyObject/3388.pp-2")]
    assert objects == set()
    body = json.loads(wallet[0].content)
    assert sorted(body) == ["loyaltyPoints", "state", "textModulesData"]
    assert "Ada" not in wallet[0].content.decode() and "c2" not in wallet[0].content.decode()


def test_an_erased_customers_object_expires_and_loses_the_name() -> None:
    seen = fake(google_fake({"3388.pp-4"}))
    erased = Card(serial="pp-4", customer_id="c4", balance=0, erased=True, apple=False)
    assert push.update_google_object(google(), erased) == "patched"
    (patch,) = [r for r in seen if r.url.host == "wallet.test"]
    assert json.loads(patch.content) == {"state": "EXPIRED", "accountName": None}


def test_a_google_outage_raises_so_the_record_retries() -> None:
    fake(lambda r: httpx.Response(500))
    with pytest.raises(push.PushFailed):
        push.update_google_object(google(), Card(serial="pp-3", customer_id="c3", balance=1))


def test_without_an_apns_key_the_pass_certificate_authenticates_over_http2() -> None:
    from passaparola.passes import devcerts

    apple = devcerts.development_config().apple
    assert apple is not None
    config = push.ApnsConfig.from_secret({**apple.model_dump(), "apns_key_id": "", "apns_private_key_pem": ""})
    assert config is not None and not config.token_auth
    _, headers, _ = push.apns_request(config, "tok-1")
    assert "authorization" not in headers  # the TLS client certificate is the credential
    client = push._client(config)  # loads the certificate and its key into the TLS context
    assert client is push._client(config)  # one client (connection pool) per certificate
    assert client._transport._pool._http2 is True


def test_no_topic_or_no_credential_means_no_apns() -> None:
    assert push.ApnsConfig.from_secret(None) is None
    assert push.ApnsConfig.from_secret({"team_id": "T", "apns_key_id": "K", "apns_private_key_pem": "x"}) is None
    assert push.ApnsConfig.from_secret({"pass_type_id": "pass.x"}) is None
