"""Apple Wallet passes over HTTP on the local stack (a generated certificate chain): the .pkpass for the shop and
for the shopper, intact through the gateway and verifiable with openssl; the PassKit web service as Wallet calls it."""

import io
import json
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
import requests

from loyalty import cid

pytestmark = pytest.mark.integration
PUSH_1, PUSH_2 = "ab" * 32, "cd" * 32
"""APNs device tokens: 64 hex digits."""
FILES = ["icon.png", "icon@2x.png", "logo.png", "manifest.json", "pass.json", "signature"]


def unzip(r: requests.Response) -> zipfile.ZipFile:
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    assert r.headers["Content-Type"] == "application/vnd.apple.pkpass"
    return zipfile.ZipFile(io.BytesIO(r.content))


def member(lo, program) -> str:
    shopper = cid("pass-")
    lo.profile(shopper, email=f"{shopper}@example.com")
    r = lo.post(f"/v1/customers/{shopper}/points/adjustments", json={"points": 250, "reason": "welcome"})
    assert r.status_code == 201, r.text
    return shopper


def test_the_pass_downloads_intact_and_its_signature_verifies(lo, program, tmp_path: Path) -> None:
    shopper = member(lo, program)
    archive = unzip(lo.get(f"/v1/customers/{shopper}/pass.pkpass"))
    assert sorted(archive.namelist()) == FILES
    doc = json.loads(archive.read("pass.json"))
    assert doc["storeCard"]["primaryFields"][0]["value"] == lo.wallet(shopper)["points"]["balance"]
    assert doc["barcodes"][0]["message"] == shopper
    assert doc["webServiceURL"] == f"{lo.url}/v1/passkit"
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    for name in ("manifest.json", "signature"):
        (tmp_path / name).write_bytes(archive.read(name))
    ca = requests.get(f"{lo.url}/local/wallet/ca.pem", timeout=30)
    assert ca.status_code == 200 and ca.text.startswith("-----BEGIN CERTIFICATE-----")
    (tmp_path / "ca.pem").write_text(ca.text)
    command = ["openssl", "smime", "-verify", "-binary", "-inform", "DER", "-in", "signature"]
    command += ["-content", "manifest.json", "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr


def test_the_shopper_downloads_their_pass_with_a_customer_token(lo, program) -> None:
    shopper = member(lo, program)
    token = lo.token(shopper)["token"]
    mine = lo.get("/v1/me/pass.pkpass", key="publishable", headers={"X-Customer-Token": token})
    assert json.loads(unzip(mine).read("pass.json"))["barcodes"][0]["message"] == shopper
    assert lo.get("/v1/me/pass.pkpass", key="publishable").status_code == 401
    assert lo.get(f"/v1/customers/{shopper}/pass.pkpass", key="publishable").status_code == 403
    assert lo.get(f"/v1/customers/{cid('nobody-')}/pass.pkpass").status_code == 404


def test_the_passkit_web_service(lo, program) -> None:
    shopper = member(lo, program)
    doc = json.loads(unzip(lo.get(f"/v1/customers/{shopper}/pass.pkpass")).read("pass.json"))
    serial, kind = doc["serialNumber"], doc["passTypeIdentifier"]
    auth = {"Authorization": f"ApplePass {doc['authenticationToken']}"}
    device = cid("device")  # Wallet's device library ids are alphanumeric
    base = f"{lo.url}/v1/passkit/v1"
    registration = f"{base}/devices/{device}/registrations/{kind}/{serial}"

    def send(method: str, url: str, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        return requests.request(method, url, timeout=30, **kwargs)

    # register (201, then 200), a wrong token (401), an unknown serial (404)
    assert send("POST", registration, json={"pushToken": PUSH_1}, headers=auth).status_code == 201
    assert send("POST", registration, json={"pushToken": PUSH_2}, headers=auth).status_code == 200
    wrong = {"Authorization": "ApplePass " + "0" * 32}
    assert send("POST", registration, json={"pushToken": PUSH_1}, headers=wrong).status_code == 401
    unknown = f"{base}/devices/{device}/registrations/{kind}/pp-{'0' * 32}"
    assert send("POST", unknown, json={"pushToken": PUSH_1}, headers=auth).status_code == 404
    # the serials updated since a tag
    listed = send("GET", f"{base}/devices/{device}/registrations/{kind}")
    assert listed.status_code == 200 and listed.json()["serialNumbers"] == [serial]
    tag = listed.json()["lastUpdated"]
    since = send("GET", f"{base}/devices/{device}/registrations/{kind}", params={"passesUpdatedSince": tag})
    assert since.status_code == 204
    # the latest pass, and 304 when not modified since (fetched in a later second than the pass's last change)
    time.sleep(1.1)
    latest = send("GET", f"{base}/passes/{kind}/{serial}", headers=auth)
    assert json.loads(unzip(latest).read("pass.json"))["serialNumber"] == serial
    modified = latest.headers["Last-Modified"]
    assert (
        send("GET", f"{base}/passes/{kind}/{serial}", headers=auth | {"If-Modified-Since": modified}).status_code == 304
    )
    assert send("GET", f"{base}/passes/{kind}/{serial}", headers=wrong).status_code == 401
    assert send("GET", f"{base}/passes/{kind}/pp-{'0' * 32}", headers=auth).status_code == 404
    # Wallet's log, then unregister
    assert send("POST", f"{base}/log", json={"logs": ["a test message"]}).status_code == 200
    assert send("DELETE", registration, headers=wrong).status_code == 401
    assert send("DELETE", registration, headers=auth).status_code == 200
    assert send("GET", f"{base}/devices/{device}/registrations/{kind}").status_code == 204


def test_the_pass_arrives_as_bytes_whatever_the_accept_header(lo, program) -> None:
    """fetch() and (maybe) Wallet send `Accept: */*`: API Gateway sends the bytes only for a binary first Accept
    type, and BinaryMediaTypes `*/*` makes every type one (the local gateway applies the same rule)."""
    shopper = member(lo, program)
    for accept in (
        "*/*",
        "application/json",
        "text/html,application/xhtml+xml,*/*;q=0.8",
        "application/vnd.apple.pkpass",
    ):
        r = lo.get(f"/v1/customers/{shopper}/pass.pkpass", headers={"Accept": accept})
        assert json.loads(unzip(r).read("pass.json"))["barcodes"][0]["message"] == shopper, accept


def test_a_preflight_and_a_json_body_survive_binary_media_types(lo, program) -> None:
    r = requests.options(
        f"{lo.url}/v1/me/pass/link",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-publishable-key,x-customer-token",
            "Accept": "*/*",
        },
        timeout=30,
    )
    assert r.status_code in (200, 204), r.text
    assert "X-Customer-Token" in r.headers["Access-Control-Allow-Headers"]
    # a JSON body reaches the function base64-encoded (its Content-Type is binary now) and is read as JSON
    shopper = member(lo, program)
    assert lo.wallet(shopper)["points"]["balance"] == 250


def test_a_download_link_opens_the_pass_by_navigation(lo, program) -> None:
    shopper = member(lo, program)
    token = lo.token(shopper)["token"]
    link = lo.post("/v1/me/pass/link", key="publishable", headers={"X-Customer-Token": token}, json={})
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    assert url.startswith(f"{lo.url}/v1/me/pass.pkpass?t=")
    page = requests.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=30)
    assert json.loads(unzip(page).read("pass.json"))["barcodes"][0]["message"] == shopper
