"""/local/push: records the wallet calls and answers like APNs, Google's OAuth and a small Google Wallet."""

import json

from infra.local import push_recorder
from infra.local.push_recorder import push_http

KEY = "sk_local_dev"
AUTH = [("Authorization", f"Bearer {KEY}")]


def call(method: str, path: str, body: object = None, headers: list[tuple[str, str]] | None = None, query: str = ""):
    raw = b"" if body is None else json.dumps(body).encode()
    return push_http(method, path, headers or [], raw, query, KEY)


def test_calls_are_recorded_and_answered_like_the_services() -> None:
    push_recorder.clear()
    apns = call("POST", "/local/push/apns/3/device/tok-1", {}, [("apns-topic", "pass.x")])
    assert apns.status == 200 and any(k == "apns-id" for k, _ in apns.headers)
    assert call("POST", "/local/push/apns/3/device/gone-1", {}).status == 410
    token = call("POST", "/local/push/oauth/token")
    assert json.loads(token.body)["access_token"]
    assert call("PATCH", "/local/push/google/walletobjects/v1/loyaltyObject/1.pp", {"id": "1.pp"}).status == 404
    assert call("POST", "/local/push/google/walletobjects/v1/loyaltyObject", {"id": "1.pp"}).status == 200
    assert call("POST", "/local/push/google/walletobjects/v1/loyaltyObject", {"id": "1.pp"}).status == 409
    assert call("PATCH", "/local/push/google/walletobjects/v1/loyaltyObject/1.pp", {"id": "1.pp"}).status == 200

    listed = json.loads(call("GET", "/local/push", headers=AUTH, query="service=apns").body)["calls"]
    assert [(c["method"], c["path"]) for c in listed] == [("POST", "/3/device/gone-1"), ("POST", "/3/device/tok-1")]
    assert listed[1]["headers"]["apns-topic"] == "pass.x" and listed[1]["body"] == {}
    assert len(json.loads(call("GET", "/local/push", headers=AUTH).body)["calls"]) == 7


def test_the_listing_needs_the_secret_key() -> None:
    assert call("GET", "/local/push").status == 401
    assert call("GET", "/local/push", headers=[("Authorization", "Bearer sk_other")]).status == 403
    assert call("DELETE", "/local/push", headers=AUTH).status == 200
    assert json.loads(call("GET", "/local/push", headers=AUTH).body) == {"calls": []}
