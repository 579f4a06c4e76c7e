"""Pure parts of webhooks: the Standard Webhooks signature, matching, the retry schedule, the SSRF guard."""

import ipaddress
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passaparola.webhooks import rules, signing, ssrf
from tests.webhook_receiver import verified_by

# The specification's reference test vector (standard-webhooks/standard-webhooks, libraries/python tests).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_reproduces_the_specification_test_vector() -> None:
    assert signing.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_both_secrets_sign_during_a_rotation_and_a_receiver_accepts_either() -> None:
    new = signing.new_secret()
    header = signing.signature_header([new, VECTOR_SECRET], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    assert header.split(" ")[1] == VECTOR_SIGNATURE
    headers = {"webhook-id": VECTOR_ID, "webhook-timestamp": str(VECTOR_TIMESTAMP), "webhook-signature": header}
    assert verified_by(new, headers, VECTOR_BODY) and verified_by(VECTOR_SECRET, headers, VECTOR_BODY)
    assert signing.verify(new, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, header)
    assert not signing.verify(signing.new_secret(), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, header)


def test_new_secret_is_24_random_bytes_in_base64() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(signing.key_bytes(secret)) == 24
    assert secret != signing.new_secret()


def test_matching() -> None:
    assert rules.matches(["*"], "coupon.redeemed")
    assert rules.matches(["referral.*"], "referral.converted")
    assert not rules.matches(["referral.*"], "reward.issued")
    assert rules.matches(["coupon.redeemed"], "coupon.redeemed")
    assert not rules.matches(["coupon.redeemed"], "coupon.rolled_back")
    assert rules.matches(["coupon.redeemed"], rules.PING)  # a test ping reaches every endpoint
    assert rules.unknown_patterns(["*", "referral.*", "coupon.redeemed", "nope.*", "coupon.nope"]) == [
        "nope.*",
        "coupon.nope",
    ]


def test_retry_schedule_lasts_over_24_hours_then_dead() -> None:
    delays = [rules.retry_delay(n, local=False) for n in range(1, 9)]
    assert delays[:7] == [5, 300, 1800, 7200, 18000, 36000, 36000] and delays[7] is None
    assert sum(d for d in delays if d) > 24 * 3600
    assert [rules.retry_delay(n, local=True) for n in range(1, 9)] == [1, 2, 3, 4, 5, 6, 7, None]


def test_sqs_delay_is_capped_at_15_minutes() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.sqs_delay(now + timedelta(hours=2), now) == 900
    assert rules.sqs_delay(now + timedelta(seconds=4.2), now) == 5
    assert rules.sqs_delay(now - timedelta(seconds=3), now) == 0


def test_disable_after_the_days_without_success() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert rules.should_disable(now - timedelta(days=5), now, 5)
    assert not rules.should_disable(now - timedelta(days=4, hours=23), now, 5)
    assert not rules.should_disable(None, now, 5)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fc00::1",
     "0.0.0.0", "224.0.0.1", "240.0.0.1", "100.64.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"],
)  # fmt: skip
def test_deployed_refuses_private_loopback_link_local_multicast_reserved(address: str) -> None:
    assert ssrf.refused(ipaddress.ip_address(address), allow_loopback=False)


def test_local_allows_loopback_only() -> None:
    assert not ssrf.refused(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert not ssrf.refused(ipaddress.ip_address("::1"), allow_loopback=True)
    assert ssrf.refused(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert ssrf.refused(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)
    assert not ssrf.refused(ipaddress.ip_address("93.184.215.14"), allow_loopback=False)


def _resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(ssrf.socket, "getaddrinfo", fake)


def test_a_name_resolving_to_a_private_address_is_refused_when_deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving_to(monkeypatch, "93.184.215.14", "10.0.0.7")  # one bad address is enough (rebinding)
    with pytest.raises(ssrf.AddressRefused, match="refused address"):
        ssrf.check_url("https://hooks.example.com/x", local=False)
    _resolving_to(monkeypatch, "93.184.215.14")
    assert ssrf.check_url("https://hooks.example.com/x", local=False).host == "hooks.example.com"


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data", "https://[::1]:8443/x",
     "http://93.184.215.14/x", "ftp://93.184.215.14/x", "https:///x", "https://[::1/x", "https://a.example:99999/"],
)  # fmt: skip
def test_deployed_refuses_urls(url: str) -> None:
    with pytest.raises(ssrf.AddressRefused):
        ssrf.check_url(url, local=False)


def test_an_attempt_to_a_refused_address_is_not_made() -> None:
    result = ssrf.post("https://169.254.169.254/latest/meta-data", {}, b"{}", local=False)
    assert result.status_code is None and result.error == "address_refused" and not result.ok


def test_connection_goes_to_the_checked_address_with_host_header_and_sni(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving_to(monkeypatch, "93.184.215.14")
    sent: dict[str, Any] = {}

    def handler(request: Any) -> Any:
        import httpx

        sent.update(url=str(request.url), host=request.headers["host"], sni=request.extensions.get("sni_hostname"))
        return httpx.Response(301, headers={"Location": "http://169.254.169.254/"})

    import httpx

    real_client = httpx.Client
    monkeypatch.setattr(ssrf.httpx, "Client", lambda **kw: real_client(transport=httpx.MockTransport(handler), **kw))
    result = ssrf.post("https://hooks.example.com:8443/in?x=1", {"webhook-id": "evt_1"}, b"{}", local=False)
    assert sent == {
        "url": "https://93.184.215.14:8443/in?x=1",
        "host": "hooks.example.com:8443",
        "sni": "hooks.example.com",
    }
    assert result.status_code == 301 and not result.ok  # a redirect is a failure, never followed
