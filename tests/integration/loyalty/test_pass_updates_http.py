"""Wallet passes kept current, over HTTP: a pass holder's points change reaches the phone — the customers table's
stream invokes PassUpdateFunction, which tags the pass (the PassKit "updated since" list), pushes to the device
through APNs and PATCHes the Google Wallet object; locally both calls land in the `/local/push` recorder."""

import io
import json
import time
import uuid
import zipfile
from typing import Any

import pytest
import requests
from api import uid

from loyalty import Loyalty, cid

pytestmark = pytest.mark.integration

WAIT_SECONDS = 8.0


def recorded(lo: Loyalty, service: str) -> list[dict[str, Any]]:
    r = requests.get(
        f"{lo.stack.url}/local/push",
        params={"service": service, "limit": 1000},
        headers={"Authorization": f"Bearer {lo.stack.secret_key}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()["calls"]


def wait_for(lo: Loyalty, service: str, path_end: str, method: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = [c for c in recorded(lo, service) if c["path"].endswith(path_end) and c["method"] == method]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no {method} …{path_end} to {service} within {WAIT_SECONDS}s: {lo.stack.log()[-3000:]}")


def adjust(lo: Loyalty, customer_id: str, points: int) -> None:
    r = lo.post(f"/v1/customers/{customer_id}/points/adjustments", json={"points": points, "reason": "Test"})
    assert r.status_code == 201, r.text


def pass_json(lo: Loyalty, customer_id: str) -> dict[str, Any]:
    r = lo.get(f"/v1/customers/{customer_id}/pass.pkpass")
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        return json.loads(z.read("pass.json"))


def test_a_pass_holders_new_balance_is_pushed_to_the_phone_and_google(lo: Loyalty, program):
    shopper = cid("pass-")
    lo.profile(shopper, name="Pia")
    adjust(lo, shopper, 10)
    # Given the customer's pass is on a phone (registered for updates) and was saved to Google Wallet
    card = pass_json(lo, shopper)
    serial, pass_type, token = card["serialNumber"], card["passTypeIdentifier"], card["authenticationToken"]
    device, push_token = uid("dev"), uuid.uuid4().hex * 2  # an APNs token: 64 hex digits
    registration = f"/v1/passkit/v1/devices/{device}/registrations/{pass_type}/{serial}"
    r = lo.post(registration, json={"pushToken": push_token}, key=None, headers={"Authorization": f"ApplePass {token}"})
    assert r.status_code == 201, r.text
    listing = f"/v1/passkit/v1/devices/{device}/registrations/{pass_type}"
    first = lo.get(listing, key=None)
    assert first.status_code == 200, first.text
    tag = first.json()["lastUpdated"]
    saved = lo.get(f"/v1/customers/{shopper}/pass/google")
    assert saved.status_code == 200, saved.text
    assert saved.json()["save_url"].startswith("https://pay.google.com/gp/v/save/")

    # When the shop gives them points
    adjust(lo, shopper, 25)

    # Then within seconds APNs is told, to the device's push token, with the pass type as topic and an empty body
    apns = wait_for(lo, "apns", f"/3/device/{push_token}", "POST")
    assert apns["headers"]["apns-topic"] == pass_type
    assert apns["headers"]["authorization"].startswith("bearer ")
    assert apns["body"] == {}
    # and the Google object shows the new balance
    patch = wait_for(lo, "google", f"/loyaltyObject/{saved_object_id(saved.json()['save_url'])}", "PATCH")
    assert patch["body"]["loyaltyPoints"]["balance"] == {"int": 35}
    # and the device's "updated since" call lists the serial
    later = lo.get(listing, key=None, params={"passesUpdatedSince": tag})
    assert later.status_code == 200, later.text
    assert later.json()["serialNumbers"] == [serial]


def saved_object_id(save_url: str) -> str:
    import jwt

    claims = jwt.decode(save_url.rsplit("/", 1)[1], options={"verify_signature": False})
    return str(claims["payload"]["loyaltyObjects"][0]["id"])


def test_a_customer_without_a_pass_triggers_nothing(lo: Loyalty, program):
    shopper = cid("nopass-")
    lo.profile(shopper, name="Nino")
    before = len(recorded(lo, "apns")) + len(recorded(lo, "google"))
    adjust(lo, shopper, 40)
    time.sleep(2.0)  # the stream is polled every 0.25 s
    after = recorded(lo, "apns") + recorded(lo, "google")
    assert len(after) == before
