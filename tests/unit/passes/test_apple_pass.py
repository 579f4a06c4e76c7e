"""The .pkpass: its files, pass.json, the manifest's SHA-1 hashes, and a signature that verifies (openssl and
cryptography) against the generated local chain; 501 without credentials; the PassKit web service in-process."""

import base64
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from passaparola import clock
from passaparola.campaigns import service as campaigns
from passaparola.campaigns.models import LoyaltyCampaignCreate
from passaparola.customers import service as customers
from passaparola.customers.models import CustomerPut
from passaparola.data import campaigns as campaign_store
from tests.unit.functions import PUBLISHABLE, call, load_function

PASS_ROUTE = "/v1/customers/{customer_id}/pass.pkpass"
PUSH = "0123456789abcdef" * 4
"""An APNs device token: 64 hex digits."""
REG_ROUTE = "/v1/passkit/v1/devices/{device_id}/registrations/{pass_type_id}/{serial}"
LIST_ROUTE = "/v1/passkit/v1/devices/{device_id}/registrations/{pass_type_id}"
LATEST_ROUTE = "/v1/passkit/v1/passes/{pass_type_id}/{serial}"
FILES = ["icon.png", "icon@2x.png", "logo.png", "manifest.json", "pass.json", "signature"]


def member(points: int = 300) -> None:
    body = {
        "name": "Club Verde",
        "type": "loyalty",
        "earning_rules": [{"event": "review", "points": 50}],
        "tiers": [{"name": "Bronze", "min_points": 0}, {"name": "Gold", "min_points": 1000}],
    }
    campaigns.create(LoyaltyCampaignCreate.model_validate(body))
    campaign_store._CACHE.clear()
    customers.put("cus_1", CustomerPut(email="a@example.com", locale="it"))
    loyalty = load_function("loyalty")
    adjusted = call(
        loyalty,
        "POST",
        "/v1/customers/cus_1/points/adjustments",
        "/v1/customers/{customer_id}/points/adjustments",
        {"points": points, "reason": "welcome"},
    )
    assert adjusted.status == 201, adjusted.body


@pytest.fixture
def fn(aws: None) -> ModuleType:
    return load_function("passes")


def pkpass(reply) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == "application/vnd.apple.pkpass"
    return zipfile.ZipFile(io.BytesIO(base64.b64decode(reply.body)))


def download(fn: ModuleType, customer_id: str = "cus_1"):  # type: ignore[no-untyped-def]
    return call(fn, "GET", f"/v1/customers/{customer_id}/pass.pkpass", PASS_ROUTE)


def test_the_pass_has_its_files_fields_and_hashes(fn: ModuleType) -> None:
    member(300)
    archive = pkpass(download(fn))
    assert sorted(archive.namelist()) == FILES
    files = {name: archive.read(name) for name in FILES}
    manifest = json.loads(files["manifest.json"])
    assert sorted(manifest) == sorted(set(FILES) - {"manifest.json", "signature"})
    for name, digest in manifest.items():
        assert hashlib.sha1(files[name]).hexdigest() == digest, name  # noqa: S324
    for name in ("icon.png", "icon@2x.png", "logo.png"):
        assert files[name].startswith(b"\x89PNG\r\n\x1a\n")
    doc = json.loads(files["pass.json"])
    assert doc["formatVersion"] == 1
    assert doc["passTypeIdentifier"] == "pass.local.passaparola" and doc["teamIdentifier"] == "LOCALTEAM1"
    assert doc["serialNumber"].startswith("pp-") and len(doc["serialNumber"]) == 35
    assert len(doc["authenticationToken"]) >= 16
    assert doc["webServiceURL"].endswith("/v1/passkit")
    assert doc["organizationName"] == "Club Verde"
    assert doc["barcodes"] == [
        {"format": "PKBarcodeFormatQR", "message": "cus_1", "messageEncoding": "iso-8859-1", "altText": "cus_1"}
    ]
    card = doc["storeCard"]
    assert card["primaryFields"][0] == {
        "key": "points",
        "label": "Punti",  # the customer's locale
        "value": 300,
        "changeMessage": "Hai %@ punti",
    }
    assert card["secondaryFields"][0]["value"] == "Bronze"
    assert card["auxiliaryFields"] == [{"key": "next_tier", "label": "Prossimo livello", "value": "700 punti per Gold"}]
    assert {f["key"] for f in card["backFields"]} >= {"pending", "lifetime", "member"}


def test_the_serial_is_stable_and_the_files_but_the_signature_are_deterministic(fn: ModuleType) -> None:
    from passaparola.data import customers as store

    member()
    first, second = pkpass(download(fn)), pkpass(download(fn))
    for name in set(FILES) - {"signature"}:
        assert first.read(name) == second.read(name), name
    serial = json.loads(first.read("pass.json"))["serialNumber"]
    record = store.read("cus_1")
    assert record is not None and record.pass_serial == serial


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_signature_verifies_with_openssl(fn: ModuleType, tmp_path: Path) -> None:
    from passaparola.passes import config

    member()
    archive = pkpass(download(fn))
    for name in ("manifest.json", "signature"):
        (tmp_path / name).write_bytes(archive.read(name))
    (tmp_path / "ca.pem").write_text(config.wallet().ca_pem)
    command = ["openssl", "smime", "-verify", "-binary", "-inform", "DER", "-in", "signature"]
    command += ["-content", "manifest.json", "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
    assert "Verification successful" in done.stderr
    (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json").replace(b"icon", b"ICON"))
    tampered = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)  # noqa: S603
    assert tampered.returncode != 0


def test_the_signature_carries_the_chain_up_to_the_root_cryptography(fn: ModuleType) -> None:
    """cryptography has no PKCS#7 verification: here it checks the certificates the signature carries (the pass
    certificate issued by the WWDR, the WWDR by the root); openssl checks the signature itself above."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs7

    from passaparola.passes import config

    member()
    archive = pkpass(download(fn))
    carried = pkcs7.load_der_pkcs7_certificates(archive.read("signature"))
    apple = config.apple()
    certificate = x509.load_pem_x509_certificate(apple.certificate_pem.encode())
    wwdr = x509.load_pem_x509_certificate(apple.wwdr_pem.encode())
    root = x509.load_pem_x509_certificate(config.wallet().ca_pem.encode())
    assert set(carried) == {certificate, wwdr}
    certificate.verify_directly_issued_by(wwdr)
    wwdr.verify_directly_issued_by(root)
    assert apple.pass_type_id in certificate.subject.rfc4514_string()


def test_no_credentials_is_501(fn: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.local.invoke import reset_containers

    member()
    monkeypatch.setenv("STAGE", "prod")  # outside STAGE=local there is no generated chain
    reset_containers()
    reply = download(fn)
    assert reply.status == 501, reply.body
    assert reply.body["error"]["code"] == "passes_not_configured"


def test_a_secret_without_its_apple_part_is_501_and_with_it_builds(fn: ModuleType, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import boto3

    from infra.local.invoke import reset_containers
    from passaparola.passes import devcerts

    member()
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    empty = sm.create_secret(Name="wallet-empty", SecretString=json.dumps({"google": None}))["ARN"]
    monkeypatch.setenv("WALLET_PASS_SECRET_ARN", empty)
    reset_containers()
    reply = download(fn)
    assert reply.status == 501 and reply.body["error"]["details"] == {"missing": "apple"}

    apple = devcerts.development_config().apple
    assert apple is not None
    full = sm.create_secret(Name="wallet-full", SecretString=json.dumps({"apple": apple.model_dump()}))["ARN"]
    monkeypatch.setenv("WALLET_PASS_SECRET_ARN", full)
    reset_containers()
    assert sorted(pkpass(download(fn)).namelist()) == FILES

    broken = sm.create_secret(Name="wallet-broken", SecretString="{not json")["ARN"]
    monkeypatch.setenv("WALLET_PASS_SECRET_ARN", broken)
    reset_containers()
    assert download(fn).body["error"]["code"] == "configuration_error"


def test_unknown_customer_or_not_a_member_is_404(fn: ModuleType) -> None:
    body = {
        "name": "Club",
        "type": "loyalty",
        "auto_enroll": False,
        "earning_rules": [{"event": "review", "points": 5}],
    }
    campaigns.create(LoyaltyCampaignCreate.model_validate(body))
    campaign_store._CACHE.clear()
    customers.put("cus_2", CustomerPut(email="b@example.com"))
    assert download(fn, "cus_nobody").status == 404
    outsider = download(fn, "cus_2")
    assert outsider.status == 404 and outsider.body["error"]["details"] == {"customer_id": "cus_2"}


def test_my_pass_needs_the_publishable_key_and_a_customer_token(fn: ModuleType) -> None:
    member()
    loyalty = load_function("loyalty")
    token = call(loyalty, "POST", "/v1/customers/cus_1/token", "/v1/customers/{customer_id}/token").body["token"]
    none = call(fn, "GET", "/v1/me/pass.pkpass", "/v1/me/pass.pkpass", key=PUBLISHABLE)
    assert none.status == 401 and none.body["error"]["code"] == "token_required"
    mine = call(
        fn, "GET", "/v1/me/pass.pkpass", "/v1/me/pass.pkpass", key=PUBLISHABLE, headers={"X-Customer-Token": token}
    )
    assert json.loads(pkpass(mine).read("pass.json"))["barcodes"][0]["message"] == "cus_1"
    keyless = call(fn, "GET", "/v1/customers/cus_1/pass.pkpass", PASS_ROUTE, key=PUBLISHABLE)
    assert keyless.status == 403


def test_the_passkit_web_service(fn: ModuleType) -> None:
    member()
    doc = json.loads(pkpass(download(fn)).read("pass.json"))
    serial, token, kind = doc["serialNumber"], doc["authenticationToken"], doc["passTypeIdentifier"]
    auth = {"Authorization": f"ApplePass {token}"}
    reg = f"/v1/passkit/v1/devices/dev1/registrations/{kind}/{serial}"

    def passkit(method, path, route, body=None, headers=None, query=None):  # type: ignore[no-untyped-def]
        return call(fn, method, path, route, body, key=None, headers=headers, query=query)

    assert passkit("POST", reg, REG_ROUTE, {"pushToken": PUSH}, auth).status == 201
    assert passkit("POST", reg, REG_ROUTE, {"pushToken": PUSH}, auth).status == 200
    wrong = passkit("POST", reg, REG_ROUTE, {"pushToken": PUSH}, {"Authorization": "ApplePass " + "0" * 32})
    assert wrong.status == 401
    assert passkit("POST", reg, REG_ROUTE, {"pushToken": PUSH}).status == 401
    unknown = f"/v1/passkit/v1/devices/dev1/registrations/{kind}/pp-unknown"
    assert passkit("POST", unknown, REG_ROUTE, {"pushToken": PUSH}, auth).status == 404
    other_type = f"/v1/passkit/v1/devices/dev1/registrations/pass.other/{serial}"
    assert passkit("POST", other_type, REG_ROUTE, {"pushToken": PUSH}, auth).status == 404

    listed = passkit("GET", f"/v1/passkit/v1/devices/dev1/registrations/{kind}", LIST_ROUTE)
    assert listed.status == 200 and listed.body["serialNumbers"] == [serial]
    tag = listed.body["lastUpdated"]
    since = passkit(
        "GET", f"/v1/passkit/v1/devices/dev1/registrations/{kind}", LIST_ROUTE, query={"passesUpdatedSince": tag}
    )
    assert since.status == 204

    latest = f"/v1/passkit/v1/passes/{kind}/{serial}"
    later = datetime.now(UTC) + timedelta(seconds=2)
    clock.set_clock(lambda: later)  # a fetch in the second after the pass's last change
    try:
        fresh = passkit("GET", latest, LATEST_ROUTE, headers=auth)
        assert json.loads(pkpass(fresh).read("pass.json"))["serialNumber"] == serial
        modified = fresh.headers["Last-Modified"]
        assert passkit("GET", latest, LATEST_ROUTE, headers=auth | {"If-Modified-Since": modified}).status == 304
    finally:
        clock.set_clock(None)
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert passkit("GET", latest, LATEST_ROUTE, headers=auth | {"If-Modified-Since": old}).status == 200
    assert passkit("GET", latest, LATEST_ROUTE).status == 401

    assert passkit("POST", "/v1/passkit/v1/log", "/v1/passkit/v1/log", {"logs": ["bad signature"]}).status == 200
    assert passkit("DELETE", reg, REG_ROUTE, headers={"Authorization": "ApplePass nope"}).status == 401
    assert passkit("DELETE", reg, REG_ROUTE, headers=auth).status == 200
    assert passkit("GET", f"/v1/passkit/v1/devices/dev1/registrations/{kind}", LIST_ROUTE).status == 204


def test_erasure_forgets_the_phones_registered_for_the_pass(fn: ModuleType) -> None:
    from passaparola.data import passes

    member()
    doc = json.loads(pkpass(download(fn)).read("pass.json"))
    serial, kind = doc["serialNumber"], doc["passTypeIdentifier"]
    auth = {"Authorization": f"ApplePass {doc['authenticationToken']}"}
    for device in ("dev1", "dev2"):
        path = f"/v1/passkit/v1/devices/{device}/registrations/{kind}/{serial}"
        assert call(fn, "POST", path, REG_ROUTE, {"pushToken": PUSH}, key=None, headers=auth).status == 201
    erased = call(load_function("customers"), "DELETE", "/v1/customers/cus_1", "/v1/customers/{customer_id}")
    assert erased.status == 200, erased.body
    assert "2 phones registered for the wallet pass (device ids, push tokens)" in erased.body["erased"]
    assert passes.registrations(serial) == []


def test_a_download_link_opens_the_pass_by_navigation_for_five_minutes(fn: ModuleType) -> None:
    from urllib.parse import parse_qs, urlparse

    member()
    loyalty = load_function("loyalty")
    token = call(loyalty, "POST", "/v1/customers/cus_1/token", "/v1/customers/{customer_id}/token").body["token"]
    mine = {"X-Customer-Token": token}
    assert call(fn, "POST", "/v1/me/pass/link", "/v1/me/pass/link", key=PUBLISHABLE).status == 401
    link = call(fn, "POST", "/v1/me/pass/link", "/v1/me/pass/link", key=PUBLISHABLE, headers=mine)
    assert link.status == 200, link.body
    url = urlparse(link.body["url"])
    assert url.path.endswith("/v1/me/pass.pkpass")
    t = parse_qs(url.query)["t"][0]
    expires = datetime.fromisoformat(link.body["expires_at"].replace("Z", "+00:00"))
    assert 290 <= (expires - clock.now()).total_seconds() <= 300

    def navigate(t: str):  # type: ignore[no-untyped-def]
        return call(fn, "GET", "/v1/me/pass.pkpass", "/v1/me/pass.pkpass", key=None, query={"t": t})

    assert json.loads(pkpass(navigate(t)).read("pass.json"))["barcodes"][0]["message"] == "cus_1"
    # not a customer token, and a customer token is not a download token
    wallet = call(loyalty, "GET", "/v1/me/wallet", "/v1/me/wallet", key=PUBLISHABLE, headers={"X-Customer-Token": t})
    assert wallet.status == 401 and wallet.body["error"]["code"] == "invalid_token"
    assert navigate(token).body["error"]["code"] == "invalid_token"
    assert navigate(t[:-3] + "AAA").status == 401
    # without `t` the route still wants a key and a customer token
    assert call(fn, "GET", "/v1/me/pass.pkpass", "/v1/me/pass.pkpass", key=None, headers=mine).status == 401
    # revoking the customer's tokens kills the link
    revoked = call(loyalty, "POST", "/v1/customers/cus_1/tokens/revoke", "/v1/customers/{customer_id}/tokens/revoke")
    assert revoked.status == 200, revoked.body
    assert navigate(t).body["error"]["code"] == "token_revoked"


def test_a_download_link_expires(fn: ModuleType) -> None:
    from passaparola.passes import service

    member()
    start = clock.now()
    link = service.download_link("cus_1", "https://api.example", 0)
    t = link.url.split("?t=")[1]
    clock.set_clock(lambda: start + timedelta(seconds=301))
    try:
        late = call(fn, "GET", "/v1/me/pass.pkpass", "/v1/me/pass.pkpass", key=None, query={"t": t})
    finally:
        clock.set_clock(None)
    assert late.status == 401 and late.body["error"]["code"] == "token_expired"


def passkit(fn: ModuleType, method: str, path: str, route: str, body=None, headers=None):  # type: ignore[no-untyped-def]
    return call(fn, method, path, route, body, key=None, headers=headers)


def installed(fn: ModuleType) -> tuple[str, str, dict[str, str]]:
    """serial, pass type id and the Authorization header of a freshly downloaded pass."""
    doc = json.loads(pkpass(download(fn)).read("pass.json"))
    return doc["serialNumber"], doc["passTypeIdentifier"], {"Authorization": f"ApplePass {doc['authenticationToken']}"}


def test_registrations_take_only_apns_tokens_and_plain_device_ids_and_at_most_ten(fn: ModuleType) -> None:
    from passaparola.data import passes

    member()
    serial, kind, auth = installed(fn)

    def register(device: str, token: str = PUSH):  # type: ignore[no-untyped-def]
        path = f"/v1/passkit/v1/devices/{device}/registrations/{kind}/{serial}"
        return passkit(fn, "POST", path, REG_ROUTE, {"pushToken": token}, auth)

    for bad in ("abc", PUSH + "0", PUSH[:-1] + "g", "../../x?y#" + PUSH[10:]):
        assert register("dev0", bad).status == 400, bad
    assert register("dev-0").status == 400 and register("d" * 65).status == 400
    start = datetime.now(UTC)
    for n in range(11):
        at = start + timedelta(seconds=n)
        clock.set_clock(lambda at=at: at)
        try:
            assert register(f"dev{n}").status == 201
        finally:
            clock.set_clock(None)
    devices = sorted(r.device for r in passes.registrations(serial))
    assert len(devices) == 10 and "dev0" not in devices  # the oldest made room
    assert register("dev10").status == 200  # a known device is never capped


def test_revoking_the_customers_tokens_revokes_the_pass_already_handed_out(fn: ModuleType) -> None:
    member()
    serial, kind, auth = installed(fn)
    latest = f"/v1/passkit/v1/passes/{kind}/{serial}"
    assert passkit(fn, "GET", latest, LATEST_ROUTE, headers=auth).status == 200
    loyalty = load_function("loyalty")
    revoked = call(loyalty, "POST", "/v1/customers/cus_1/tokens/revoke", "/v1/customers/{customer_id}/tokens/revoke")
    assert revoked.status == 200, revoked.body
    assert passkit(fn, "GET", latest, LATEST_ROUTE, headers=auth).status == 401
    reg = f"/v1/passkit/v1/devices/dev9/registrations/{kind}/{serial}"
    assert passkit(fn, "POST", reg, REG_ROUTE, {"pushToken": PUSH}, auth).status == 401
    again, _, new_auth = installed(fn)  # the customer downloads it again: same serial, a new token
    assert again == serial and new_auth != auth
    assert passkit(fn, "GET", latest, LATEST_ROUTE, headers=new_auth).status == 200
    assert passkit(fn, "POST", reg, REG_ROUTE, {"pushToken": PUSH}, new_auth).status == 201


def test_an_erased_customers_pass_is_gone(fn: ModuleType) -> None:
    member()
    serial, kind, auth = installed(fn)
    erased = call(load_function("customers"), "DELETE", "/v1/customers/cus_1", "/v1/customers/{customer_id}")
    assert erased.status == 200, erased.body
    latest = f"/v1/passkit/v1/passes/{kind}/{serial}"
    assert passkit(fn, "GET", latest, LATEST_ROUTE, headers=auth).status == 404
    reg = f"/v1/passkit/v1/devices/dev9/registrations/{kind}/{serial}"
    assert passkit(fn, "POST", reg, REG_ROUTE, {"pushToken": PUSH}, auth).status == 404


def test_a_change_in_the_same_second_as_a_fetch_is_never_answered_304(fn: ModuleType) -> None:
    from passaparola.data import passes

    member()
    serial, kind, auth = installed(fn)
    second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    latest = f"/v1/passkit/v1/passes/{kind}/{serial}"
    passes.touch(serial, second + timedelta(milliseconds=100))  # an order's pending points
    clock.set_clock(lambda: second + timedelta(milliseconds=300))
    try:
        fetched = passkit(fn, "GET", latest, LATEST_ROUTE, headers=auth)
    finally:
        clock.set_clock(None)
    modified = fetched.headers["Last-Modified"]
    passes.touch(serial, second + timedelta(milliseconds=700))  # a quick adjustment, the same second
    clock.set_clock(lambda: second + timedelta(seconds=3))  # the push: the device asks again
    try:
        answer = passkit(fn, "GET", latest, LATEST_ROUTE, headers=auth | {"If-Modified-Since": modified})
        assert answer.status == 200
        modified = answer.headers["Last-Modified"]  # fetched seconds after the change: unchanged since means 304
        again = passkit(fn, "GET", latest, LATEST_ROUTE, headers=auth | {"If-Modified-Since": modified})
        assert again.status == 304
    finally:
        clock.set_clock(None)


def test_a_base64_encoded_request_body_is_checked_and_read_as_its_json(fn: ModuleType) -> None:
    """With BinaryMediaTypes matching a request's Content-Type, API Gateway hands the body over base64-encoded."""
    from infra.local.invoke import api_event
    from infra.local.invoke import call as invoke

    def log(body: object):  # type: ignore[no-untyped-def]
        event = api_event("POST", "/v1/passkit/v1/log", "/v1/passkit/v1/log", body, {})
        event["body"] = base64.b64encode(event["body"].encode()).decode()
        event["isBase64Encoded"] = True
        return invoke(fn, event)

    assert log({"logs": ["a message"]}).status == 200
    deep = log({"logs": ["a message"], "extra": json.loads("[" * 40 + "]" * 40)})
    assert deep.status == 400 and deep.body["error"]["details"]["max_depth"] == 32
