"""Joining the program from the storefront (or a store's QR page): an email or phone and consent, signup points
(100) once, a customer token for a customer created by the call."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from api import assert_error, uid

from loyalty import cid, in_parallel, parse_ts

pytestmark = pytest.mark.integration


def new_email() -> str:
    return f"{uid('join-').lower()}@example.org"


def new_phone() -> str:
    return "+39333" + str(int(uid(), 16) % 10**7).zfill(7)


def test_joining_with_an_email_earns_the_signup_points_once(lo, program, clock):
    email = new_email()
    # When a shopper joins from the storefront
    r = lo.enroll(email=email, consent={"email": True}, name="Jo", locale="it-IT", country="IT", source="web")
    assert r.status_code == 201, r.text
    joined = r.json()
    customer_id = joined["customer_id"]
    assert (joined["enrolled"], joined["points"]) == (True, 100)
    assert joined["token"]["customer_id"] == customer_id and joined["token"]["token"]
    assert parse_ts(joined["token"]["expires_at"]) > clock.now
    # Then the customer is known, a member, with the 100 points spendable and the consent recorded
    customer = lo.customer(customer_id)
    assert (customer["email"], customer["name"], customer["locale"], customer["country"]) == (
        email,
        "Jo",
        "it-IT",
        "IT",
    )
    assert customer["consent"]["email"]["granted"] is True
    assert parse_ts(customer["consent"]["email"]["at"]) == clock.now
    assert customer["loyalty"]["member"] is True and customer["loyalty"]["balance"] == 100
    assert lo.moves(customer_id) == [("earn", 100, 100)]
    # And the token opens their wallet on the storefront
    mine = lo.my_wallet(joined["token"]["token"])
    assert mine.status_code == 200 and mine.json()["points"]["balance"] == 100

    # When they join again (with the email in capitals): 200, nothing new
    clock.tick()
    again = lo.enroll(email=email.upper(), consent={"email": True})
    assert again.status_code == 200, again.text
    assert again.json() == {"customer_id": customer_id, "enrolled": False, "points": 0, "token": None}
    assert lo.moves(customer_id) == [("earn", 100, 100)]


def test_joining_with_a_phone(lo, program):
    phone = new_phone()
    r = lo.enroll(phone=phone, consent={"sms": True}, source="store")
    assert r.status_code == 201, r.text
    customer_id = r.json()["customer_id"]
    customer = lo.customer(customer_id)
    assert customer["phone"] == phone and customer["consent"]["sms"]["granted"] is True
    assert customer["loyalty"]["balance"] == 100
    again = lo.enroll(phone=phone)
    assert again.status_code == 200 and again.json()["enrolled"] is False


def test_concurrent_joins_of_one_shopper_earn_once(lo, program):
    email = new_email()
    responses = in_parallel(lambda _: lo.enroll(email=email, consent={"email": True}), range(8))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201], [r.text for r in responses]
    customer_id = next(r.json()["customer_id"] for r in responses if r.status_code == 201)
    assert {r.json()["customer_id"] for r in responses} == {customer_id}
    assert lo.moves(customer_id) == [("earn", 100, 100)]


def test_a_shop_customer_joins_under_their_own_id_with_a_customer_token(lo, program):
    # Given a customer the shop knows (profile only: not a member yet)
    shopper = cid("shop-")
    lo.profile(shopper, email=f"{shopper.lower()}@example.org", name="Known")
    assert lo.customer(shopper)["loyalty"]["member"] is False
    token = lo.token(shopper)["token"]
    # When they join from the storefront with the token the shop's backend gave the page
    r = lo.enroll(token=token, email=f"{shopper.lower()}@example.org", consent={"email": True})
    # Then they join under the shop's id, with the signup points (the token is not handed out again)
    assert r.status_code == 201, r.text
    assert r.json()["customer_id"] == shopper and r.json()["points"] == 100
    assert r.json()["token"] is None
    customer = lo.customer(shopper)
    assert customer["loyalty"]["member"] is True and customer["loyalty"]["balance"] == 100
    assert customer["name"] == "Known"
    # And again: 200
    again = lo.enroll(token=token, email=f"{shopper.lower()}@example.org")
    assert again.status_code == 200 and again.json()["enrolled"] is False


def test_the_storefront_cannot_choose_whom_it_enrolls(lo, program):
    # Given a shop customer
    victim = cid("victim-")
    lo.profile(victim, email=f"{victim.lower()}@example.org")
    # When a browser posts their id (with the publishable key, no token)
    r = lo.enroll(customer_id=victim, email=new_email(), consent={"email": True})
    # Then it is either refused or ignored: the shop's customer is not enrolled nor changed
    assert r.status_code in (201, 400, 403), r.text
    if r.status_code == 201:
        assert r.json()["customer_id"] != victim
    victim_now = lo.customer(victim)
    assert victim_now["loyalty"]["member"] is False and victim_now["email"] == f"{victim.lower()}@example.org"
    # And a forged token is refused
    assert_error(lo.enroll(token="forged.token", email=new_email()), 401, "invalid_token")


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"consent": {"email": True}}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "0039333"}, "phone"),
        ({"email": "a@example.org", "consent": {"email": "maybe"}}, "consent"),
        ({"email": "a@example.org", "consent": {"fax": True}}, "consent"),
        ({"email": "a@example.org", "source": "carrier_pigeon"}, "source"),
        ({"email": "a@example.org", "points": 1000}, "points"),
    ],
)
def test_an_invalid_enrollment_is_400(lo, program, body, mentions):
    assert_error(lo.enroll(**body), 400, "invalid_request", mentions=mentions)


def test_enrollment_needs_a_key(lo, program):
    assert_error(lo.enroll(key=None, email=new_email()), 401, "unauthorized")


def test_the_enrollment_link_and_its_public_qr(lo, program):
    # When the shop asks for the link to print in its stores
    r = lo.get("/v1/loyalty/enrollment")
    assert r.status_code == 200, r.text
    link = r.json()
    # Then it is the program's join page, tagged as coming from the store
    url = urlsplit(link["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://shop.example/club"
    assert parse_qs(url.query)["utm_source"] == ["store"]
    # And its QR image is public (no key)
    qr_url = link["qr_url"] if link["qr_url"].startswith("http") else lo.url + link["qr_url"]
    image = requests.get(qr_url, timeout=30)
    assert image.status_code == 200, image.text
    assert image.headers["Content-Type"].startswith("image/"), image.headers
    assert len(image.content) > 100
    # And the QR route only draws the program's own link
    other = requests.get(f"{lo.url}/l/cmp_not_the_program/qr", timeout=30)
    assert other.status_code == 404, other.text
