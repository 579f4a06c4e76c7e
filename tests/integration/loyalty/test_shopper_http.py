"""The shopper's browser routes over HTTP (docs/shopper.md): the program explained, spending points, the activity,
the referral card, and the double opt-in — with the publishable key, and the customer's own token for /v1/me/*."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from api import assert_error, uid, wait_until

from loyalty import cid, email_of

pytestmark = pytest.mark.integration


def give(lo, customer_id: str, points: int) -> None:
    lo.put_customer(customer_id, email=email_of(customer_id), name="Marta Bianchi")
    r = lo.post(f"/v1/customers/{customer_id}/points/adjustments", json={"points": points, "reason": "test"})
    assert r.status_code == 201, r.text


def me(lo, method: str, path: str, token: str | None, **kw):
    headers = {"X-Customer-Token": token} if token else {}
    headers |= kw.pop("headers", {})
    return lo.request(method, path, key="publishable", headers=headers, **kw)


def referral_program(lo, clock) -> dict:
    from referrals import Referrals

    made = Referrals(lo.stack).create_program(shop_name="Bottega", holding_days=0)
    clock.advance(minutes=2)  # past the containers' one-minute copy of the programs
    return made


def test_the_program_explained_to_a_guest(lo, program, clock) -> None:
    made = referral_program(lo, clock)
    r = lo.get("/v1/program", key="publishable", params={"locale": "de-DE"})
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "public, max-age=60"
    body = r.json()
    assert body["locale"] == "de"
    loyalty = body["loyalty"]
    assert loyalty["campaign_id"] == program["id"] and loyalty["signup_points"] == 100
    texts = {e["event"]: e["text"] for e in loyalty["earning"]}
    assert texts["review"] == "50 Punkte für eine Bewertung"
    assert texts["order_paid"] == "1 Punkt je 1,00 EUR Einkaufswert"
    assert "social_follow" not in texts  # only in March 2100
    assert [t["name"] for t in loyalty["tiers"]] == ["Silver", "Gold", "Platinum"]
    assert loyalty["tiers"][1]["perks"] == ["Punkte × 1,5", "Willkommensgeschenk: 200 Punkte"]
    assert {r["id"]: r["text"] for r in loyalty["rewards"]}["ten-off"] == "10,00 EUR Rabatt"
    assert loyalty["expiry"]["text"] == "Punkte verfallen 365 Tage nach dem Sammeln."
    referral = body["referral"]
    assert referral["campaign_id"] == made["id"] and referral["shop_name"] == "Bottega"
    assert referral["referee_reward"]["text"] == "5,00 EUR Rabatt"
    assert referral["referrer_reward"] == {"type": "credit", "text": "10,00 EUR Guthaben"}
    assert body["display"]["launcher_text"]["de"] == "Prämien"
    raw = r.text
    for internal in ("max_rewarded_per_referrer", "fraud", "holding_days", "stock", "cap"):
        assert f'"{internal}"' not in raw, internal
    assert lo.get("/v1/program", key=None).status_code == 401


def test_a_member_spends_points_from_the_browser_once_per_idempotency_key(lo, program, clock) -> None:
    anna, bob = cid("me-anna-"), cid("me-bob-")
    give(lo, anna, 800)
    give(lo, bob, 800)
    token = lo.token(anna)["token"]
    key = uid("click-")
    first = me(lo, "POST", "/v1/me/rewards", token, json={"reward_id": "ten-off"}, idempotency_key=key)
    assert first.status_code == 201, first.text
    assert first.json()["customer_id"] == anna and first.json()["coupon_code"]
    again = me(lo, "POST", "/v1/me/rewards", token, json={"reward_id": "ten-off"}, idempotency_key=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert lo.balance(anna) == 300
    # another shopper's double click with the same key is theirs, never Anna's answer
    other = me(lo, "POST", "/v1/me/rewards", lo.token(bob)["token"], json={"reward_id": "ten-off"}, idempotency_key=key)
    assert other.status_code == 201 and other.json()["customer_id"] == bob
    assert other.json()["coupon_code"] != first.json()["coupon_code"] and lo.balance(bob) == 300
    assert_error(me(lo, "POST", "/v1/me/rewards", token, json={"reward_id": "ten-off"}), 422, "insufficient_points")
    assert_error(me(lo, "POST", "/v1/me/rewards", None, json={"reward_id": "ten-off"}), 401, "token_required")
    assert_error(me(lo, "POST", "/v1/me/rewards", token + "x", json={"reward_id": "ten-off"}), 401, "invalid_token")
    # Bob's token cannot spend Anna's points through the shop's route
    r = lo.request("POST", f"/v1/customers/{anna}/rewards", json={"reward_id": "free-shipping"}, key="publishable",
                   headers={"X-Customer-Token": lo.token(bob)["token"]})  # fmt: skip
    assert r.status_code == 403
    assert lo.post(f"/v1/customers/{anna}/tokens/revoke", json={}).status_code == 200
    assert_error(me(lo, "POST", "/v1/me/rewards", token, json={"reward_id": "free-shipping"}), 401, "token_revoked")
    assert lo.balance(anna) == 300


def test_the_activity_newest_first(lo, program, clock) -> None:
    shopper = cid("me-ledger-")
    give(lo, shopper, 10)
    for points in (20, 30):
        clock.advance(seconds=2)
        assert lo.post(f"/v1/customers/{shopper}/points/adjustments", json={"points": points, "reason": "x"}).ok
    token = lo.token(shopper)["token"]
    first = me(lo, "GET", "/v1/me/points/ledger", token, params={"order": "newest", "limit": 2})
    assert first.status_code == 200, first.text
    rest = me(
        lo, "GET", "/v1/me/points/ledger", token, params={"order": "newest", "cursor": first.json()["next_cursor"]}
    )
    points = [i["points"] for i in first.json()["items"] + rest.json()["items"]]
    assert points == [30, 20, 10]
    shop = lo.get(f"/v1/customers/{shopper}/points/ledger", params={"order": "newest"})
    assert [i["points"] for i in shop.json()["items"]] == [30, 20, 10]
    assert lo.post(f"/v1/customers/{shopper}/tokens/revoke", json={}).status_code == 200
    assert_error(me(lo, "GET", "/v1/me/points/ledger", token), 401, "token_revoked")


def test_the_referral_card_with_friends(lo, program, clock) -> None:
    made = referral_program(lo, clock)
    anna = cid("me-ref-")
    lo.put_customer(anna, email=email_of(anna), name="Anna Verdi", locale="en")
    token = lo.token(anna)["token"]
    first = me(lo, "POST", "/v1/me/referral", token)
    assert first.status_code == 201, first.text
    card = first.json()
    assert card["campaign_id"] == made["id"] and card["url"].endswith(f"/r/{card['code']}")
    friend = cid("me-friend-")
    track = {"type": "signup", "ref": card["code"], "email": f"{friend}@gmail.com"}
    assert lo.post("/v1/referrals/track", json=track, key="publishable").status_code == 202
    [joined] = me(lo, "POST", "/v1/me/referral", token).json()["friends"]
    assert (joined["name"], joined["status"]) == ("A friend", "joined")
    lo.put_customer(friend, email=f"{friend}@gmail.com")
    lo.order(friend, 5000, referral_code=card["code"])
    again = me(lo, "POST", "/v1/me/referral", token)
    assert again.status_code == 200 and again.json()["code"] == card["code"]
    [shown] = again.json()["friends"]
    assert shown["status"] in ("ordered", "rewarded") and shown["name"] == f"{friend[0]}•••@gmail.com"
    assert friend not in again.text
    assert [r["text"] for r in again.json()["rewards"]] == ["10.00 EUR store credit"]
    # another customer's token gets their own card
    other = me(lo, "POST", "/v1/me/referral", lo.token(cid("me-other-"))["token"])
    assert other.status_code == 201 and other.json()["code"] != card["code"] and other.json()["friends"] == []


def mailbox(stack, to: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {stack.secret_key}"}
    r = requests.get(f"{stack.url}/local/mailbox", params={"to": to}, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["messages"]


def test_double_opt_in_over_http(lo, program, clock) -> None:
    email = f"{uid('optin-').lower()}@example.com"
    joined = lo.enroll(email=email, name="Lia", locale="es", consent={"email": True})
    assert joined.status_code == 201, joined.text
    customer_id = joined.json()["customer_id"]
    assert lo.enroll(email=email, consent={"email": True}).status_code == 200  # again: nothing new is sent
    [mail] = wait_until(lambda: mailbox(lo.stack, email), timeout=60)
    assert mail["subject"] == "Confirma tu suscripción"
    link = mail["text"][mail["text"].index("http") :].split()[0]
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert lo.customer(customer_id)["consent"]["email"]["confirmed"] is False
    page = requests.get(link, headers={"Accept": "text/html"}, timeout=30)  # a mail scanner opening the link
    assert page.status_code == 200 and "Confirma tu suscripción" in page.text and "<form method='post'" in page.text
    assert page.headers["Content-Type"].startswith("text/html") and page.headers["Content-Security-Policy"]
    assert lo.customer(customer_id)["consent"]["email"]["confirmed"] is False
    clicked = requests.post(link, headers={"Accept": "text/html"}, timeout=30)  # the page's button
    assert clicked.status_code == 200 and "Suscripción confirmada" in clicked.text
    answer = lo.post("/v1/consent/confirm", key=None, params={"token": token})
    assert answer.status_code == 200 and answer.json() == {"confirmed": True, "channels": ["email"]}
    assert lo.customer(customer_id)["consent"]["email"]["confirmed"] is True
    head, sig = token.split(".")
    assert_error(lo.post("/v1/consent/confirm", key=None, params={"token": f"{head}x.{sig}"}), 401, "invalid_token")
    assert_error(lo.get("/v1/consent/confirm", key=None, params={"token": "garbage"}), 401, "invalid_token")
    bad = requests.get(f"{lo.stack.url}/v1/consent/confirm?token=garbage", headers={"Accept": "text/html"}, timeout=30)
    assert bad.status_code == 401 and bad.headers["Content-Type"].startswith("text/html")
    assert len(mailbox(lo.stack, email)) == 1
    assert json.loads(answer.text)["confirmed"] is True
