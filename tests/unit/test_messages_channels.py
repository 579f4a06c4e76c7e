"""The providers' calls (data/channels.py) against a real HTTP server on localhost, behind the local stack's fault
injection (infra/local/faults.py): a send that may have been taken is made once and never again, a refusal is
tried once more, and each failure is classed for the sender (`rules.transient` / `rules.ambiguous`)."""

import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from werkzeug.serving import make_server

from infra.local import faults
from passaparola.data import channels
from passaparola.messages import rules
from passaparola.settings import get_settings

READ_TIMEOUT = 0.5
OK = {
    "SendRawEmail": '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult>'
    "<MessageId>ses-1</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r</RequestId>"
    "</ResponseMetadata></SendRawEmailResponse>",
    "Publish": '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
    "<MessageId>sns-1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId>"
    "</ResponseMetadata></PublishResponse>",
}


class Provider:
    """A stand-in for SES and SNS that takes every message it is sent (and remembers it)."""

    def __init__(self) -> None:
        self.taken: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        action = parse_qs(body.decode())["Action"][0]
        self.taken.append(action)
        xml = OK[action].encode()
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))])
        return [xml]


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    """The provider behind the fault-injecting middleware, on a free port; SES and SNS clients pointed at it."""
    app = Provider()
    server = make_server("127.0.0.1", 0, faults.wrap(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    for name, value in {
        "AWS_ENDPOINT_URL_SES": url,
        "AWS_ENDPOINT_URL_SNS": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "MESSAGE_SEND_TIMEOUT_SECONDS": str(READ_TIMEOUT),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(channels, "REFUSED_PAUSE", (0.0, 0.01))
    get_settings.cache_clear()
    channels._client.cache_clear()
    try:
        yield app
    finally:
        faults.arm("ses", None)
        faults.arm("sns", None)
        server.shutdown()
        channels._client.cache_clear()
        get_settings.cache_clear()


def send(service: str) -> str:
    if service == "ses":
        return channels.send_email("shop@example.com", "anna@example.com", b"Subject: hi\r\n\r\nhi")
    return channels.send_sms("+393331234567", "hi")


def accepted(service: str) -> int:
    return sum(faults.state()["accepted"][service].values())


@pytest.mark.parametrize("service", ["ses", "sns"])
def test_a_late_answer_is_a_timeout_after_one_request_never_a_second(provider, service):
    before = accepted(service)
    faults.arm(service, {"delay_seconds": READ_TIMEOUT * 3, "count": 1})
    with pytest.raises(channels.ChannelError) as caught:
        send(service)
    assert caught.value.code == "timeout"
    assert rules.ambiguous(caught.value.code, caught.value.http_status)
    assert not rules.transient(caught.value.code)
    assert len(provider.taken) == 1, "botocore must not resend a request that may have been taken"
    assert accepted(service) == before + 1


@pytest.mark.parametrize("service", ["ses", "sns"])
def test_a_throttled_send_is_tried_once_more_then_reported(provider, service):
    faults.arm(service, {"error": "Throttling", "count": 2})
    with pytest.raises(channels.ChannelError) as caught:
        send(service)
    assert caught.value.code == "Throttling" and caught.value.http_status == 400
    assert rules.transient("Throttling") and not rules.ambiguous("Throttling", 400)
    assert provider.taken == [], "refused both times"
    assert faults.state()[service]["count"] == 0, "two requests"
    faults.arm(service, {"error": "Throttling", "count": 1})
    assert send(service) in ("ses-1", "sns-1"), "the second try goes through"
    assert len(provider.taken) == 1


def test_an_internal_error_is_ambiguous_and_not_retried(provider):
    faults.arm("ses", {"error": "InternalFailure", "count": 1})
    with pytest.raises(channels.ChannelError) as caught:
        send("ses")
    assert (caught.value.code, caught.value.http_status) == ("InternalFailure", 500)
    assert rules.ambiguous(caught.value.code, caught.value.http_status)
    assert faults.state()["ses"]["count"] == 0 and provider.taken == []


def test_a_connection_closed_after_the_request_is_ambiguous(provider, monkeypatch):
    """A server that reads the request and hangs up without a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    requests: list[bytes] = []

    def hang_up() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            requests.append(conn.recv(65536))
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SES", f"http://127.0.0.1:{listener.getsockname()[1]}")
    channels._client.cache_clear()
    try:
        with pytest.raises(channels.ChannelError) as caught:
            send("ses")
    finally:
        listener.close()
    assert caught.value.code == "connection_closed"
    assert rules.ambiguous(caught.value.code, None)
    assert len(requests) == 1


def test_nothing_listening_is_a_refusal_tried_twice(provider, monkeypatch):
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()  # nothing listens there now: the connection is refused before any byte is sent
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", f"http://127.0.0.1:{port}")
    channels._client.cache_clear()
    tries = []
    once = channels._once
    monkeypatch.setattr(channels, "_once", lambda op, kwargs: tries.append(1) or once(op, kwargs))
    with pytest.raises(channels.ChannelError) as caught:
        send("sns")
    assert caught.value.code == "connect" and len(tries) == 2
    assert rules.transient("connect") and not rules.ambiguous("connect", None)


def test_the_clients_never_retry_and_read_with_the_configured_timeout(provider):
    config = channels._client("ses").meta.config
    assert config.retries["total_max_attempts"] == 1
    assert config.read_timeout == READ_TIMEOUT


def test_the_fault_endpoint_validates_and_reports(monkeypatch):
    bearer = [("Authorization", "Bearer sk")]
    for body in (b'{"ses": {"delay_seconds": -1}}', b'{"ses": {"delay_seconds": "x"}}', b'{"mail": {}}', b"[]"):
        assert faults.faults_http("POST", bearer, body, "sk").status == 400, body
    answer = faults.faults_http("POST", bearer, b'{"sns": {"delay_seconds": 65, "count": 1}}', "sk")
    try:
        assert answer.status == 200
        state = faults.state()
        assert state["sns"] == {"delay_seconds": 65.0, "count": 1}
        assert set(state["accepted"]) == {"ses", "sns"}
    finally:
        faults.arm("sns", None)


@pytest.mark.parametrize(("timeout", "needed"), [("5", 25_000), ("10", 31_000), ("20", 51_000)])
def test_the_sender_claims_nothing_it_could_not_see_through(monkeypatch, timeout, needed):
    """Two sends that each wait for the connection and the read timeout fit in what the function has left."""
    from tests.unit.functions import load_function

    monkeypatch.setenv("MESSAGE_SEND_TIMEOUT_SECONDS", timeout)
    get_settings.cache_clear()
    try:
        assert load_function("message_sender").safe_millis() == needed
    finally:
        get_settings.cache_clear()
