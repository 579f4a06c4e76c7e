"""The wallet: points (balance, pending, expiring), tier progress, the catalogue, the referral link and the
customer's unused coupons — for the shop (secret key) and for the shopper (publishable key + customer token)."""

import base64
from datetime import timedelta

import pytest
from api import assert_error

from loyalty import cid, line, parse_ts

pytestmark = pytest.mark.integration


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def released(lo, clock, shopper, amount):
    lo.order(shopper, amount)
    clock.advance(days=15)
    lo.daily()
    clock.tick()


def test_the_wallet_shows_points_tier_catalogue_referral_and_coupons(lo, program, clock):
    from referrals import Referrals

    stocked = program["stocked_reward_id"]
    shopper = cid("wallet-")
    rf = Referrals(lo.stack)
    link = rf.link(rf.create_program(tiers=[])["id"], shopper, name="Wally")
    # Given 900 points released, 100 pending, and 300 spent on free shipping
    released(lo, clock, shopper, 90000)
    lo.order(shopper, 10000)
    shipping = lo.bought(shopper, "free-shipping")
    # When the shop reads the wallet
    wallet = lo.wallet(shopper)
    # Then
    assert (wallet["customer_id"], wallet["campaign_id"], wallet["member"]) == (shopper, program["id"], True)
    assert parse_ts(wallet["as_of"]) == clock.now
    points = wallet["points"]
    assert (points["balance"], points["pending"], points["expiring"], points["lifetime_earned"]) == (600, 100, [], 900)
    tier = wallet["tier"]
    assert (tier["name"], tier["next"], tier["points_to_next"], tier["window_points"]) == ("Silver", "Gold", 100, 900)
    rewards = {r["id"]: (r["cost"], r["type"], r["affordable"], r["available"]) for r in wallet["rewards"]}
    assert rewards == {
        "ten-off": (500, "coupon", True, True),
        "free-shipping": (300, "coupon", True, True),
        "store-credit": (1000, "credit", False, False),
        stocked: (100, "recognition", True, rewards[stocked][3]),
        "gold-mug": (200, "coupon", True, False),  # Gold only
    }
    referral = wallet["referral"]
    assert (referral["campaign_id"], referral["code"]) == (link["campaign_id"], link["code"])
    assert referral["url"].endswith(f"/r/{link['code']}")
    assert (referral["conversions"], referral["rewarded"]) == (0, 0)
    coupon = wallet["coupons"]
    assert [c["code"] for c in coupon] == [shipping["coupon_code"]]
    assert coupon[0]["source"] == "loyalty" and coupon[0]["campaign_id"]
    assert parse_ts(coupon[0]["expires_at"]) == clock.now + timedelta(days=90)


def test_a_loyalty_coupon_leaves_the_wallet_once_redeemed_and_comes_back_when_rolled_back(lo, program, clock):
    shopper = cid("wallet-")
    released(lo, clock, shopper, 90000)
    shipping = lo.bought(shopper, "free-shipping")["coupon_code"]
    ten_off = lo.bought(shopper, "ten-off")["coupon_code"]
    assert {c["code"] for c in lo.wallet(shopper)["coupons"]} == {shipping, ten_off}
    # When the free shipping code is redeemed at checkout
    cart = {"amount": 3000, "currency": "EUR", "shipping_amount": 490, "items": [line("SOCKS", 1, 3000)]}
    r = lo.redeem(shipping, cart, customer_id=shopper)
    assert r.status_code == 201, r.text
    redemption = r.json()
    # Then it is no longer in the wallet
    assert {c["code"] for c in lo.wallet(shopper)["coupons"]} == {ten_off}
    # When the 10 EUR off code is used on an order reported to us
    clock.tick()
    outcome = lo.order(shopper, 5000, coupon_code=ten_off)
    assert outcome["coupon"]["redeemed"] is True, outcome
    assert lo.wallet(shopper)["coupons"] == []
    # When the shop rolls the free shipping redemption back, the code is unused again
    assert lo.rollback(redemption["id"]).status_code == 200
    assert [c["code"] for c in lo.wallet(shopper)["coupons"]] == [shipping]
    # And once it expired (90 days) it is gone
    clock.advance(days=91)
    assert lo.wallet(shopper)["coupons"] == []


def test_the_shopper_reads_their_own_wallet_with_a_customer_token(lo, program, clock):
    shopper = cid("me-")
    lo.review(shopper)
    # When the shop's backend asks for a token for the shopper (60 s)
    r = lo.issue_token(shopper, 60)
    assert r.status_code in (200, 201), r.text
    token = r.json()
    assert token["customer_id"] == shopper
    assert parse_ts(token["expires_at"]) == clock.now + timedelta(seconds=60)
    # Then the storefront reads the same wallet with the publishable key and the token
    mine = lo.my_wallet(token["token"])
    assert mine.status_code == 200, mine.text
    assert mine.json() == lo.wallet(shopper)
    assert mine.json()["points"]["balance"] == 50
    # And 2 minutes later the token has expired
    clock.advance(minutes=2)
    assert_error(lo.my_wallet(token["token"]), 401, "token_expired")


def test_the_default_token_lasts_an_hour_and_at_most_30_days(lo, program, clock):
    shopper = cid("me-")
    lo.review(shopper)
    token = lo.token(shopper)
    assert parse_ts(token["expires_at"]) == clock.now + timedelta(hours=1)
    clock.advance(minutes=59)
    assert lo.my_wallet(token["token"]).status_code == 200
    clock.advance(minutes=2)
    assert_error(lo.my_wallet(token["token"]), 401, "token_expired")
    assert_error(lo.issue_token(shopper, 59), 400, "invalid_request", mentions="ttl_seconds")
    assert_error(lo.issue_token(shopper, 30 * 86400 + 1), 400, "invalid_request", mentions="ttl_seconds")
    assert lo.token(shopper, 30 * 86400)["customer_id"] == shopper


def test_a_forged_or_spliced_token_is_refused(lo, program):
    alice, bob = cid("alice-"), cid("bob-")
    for shopper in (alice, bob):
        lo.review(shopper)
    good = lo.token(alice, 600)["token"]
    other = lo.token(bob, 600)["token"]
    head, sig = good.split(".")
    other_head, other_sig = other.split(".")
    # A character of the signature changed (in the middle: no padding bits)
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    # Alice's claims with Bob's signature, and Bob's claims with Alice's
    forgeries = [f"{head}.{flipped}", f"{head}.{other_sig}", f"{other_head}.{sig}"]
    # Alice's claims rewritten to Bob's id, with Alice's signature
    claims = unb64(head).decode()
    assert alice in claims, claims
    forgeries.append(f"{b64(claims.replace(alice, bob).encode())}.{sig}")
    # Malformed
    forgeries += [f"{head}.", head, "not-a-token", f"{good}.{sig}", "%%%.%%%"]
    for forged in forgeries:
        assert_error(lo.my_wallet(forged), 401, "invalid_token")
    # And the good ones still work, each for its own customer
    assert lo.my_wallet(good).json()["customer_id"] == alice
    assert lo.my_wallet(other).json()["customer_id"] == bob


def test_the_shoppers_wallet_needs_a_token_and_the_publishable_key(lo, program):
    shopper = cid("me-")
    lo.review(shopper)
    token = lo.token(shopper)["token"]
    # No token
    assert_error(lo.my_wallet(None), 401, "token_required")
    assert_error(lo.my_wallet(""), 401, "token_required")
    # No key at all
    assert_error(lo.my_wallet(token, key=None), 401, "unauthorized")
    # The shop's own routes are not for the publishable key
    assert_error(lo.get(f"/v1/customers/{shopper}/wallet", key="publishable"), 403, "forbidden")
    r = lo.post(f"/v1/customers/{shopper}/token", json={}, key="publishable", headers={"X-Customer-Token": token})
    assert_error(r, 403, "forbidden")
    r = lo.get(f"/v1/customers/{shopper}", key="publishable", headers={"X-Customer-Token": token})
    assert_error(r, 403, "forbidden")


def test_a_token_for_a_customer_we_know_nothing_about(lo, program):
    stranger = cid("stranger-")
    r = lo.issue_token(stranger)
    assert r.status_code in (200, 201, 404), r.text
    if r.status_code != 404:
        wallet = lo.my_wallet(r.json()["token"])
        assert wallet.status_code == 200, wallet.text
        body = wallet.json()
        assert body["customer_id"] == stranger and body["member"] is False
        assert body["points"]["balance"] == 0 and body["coupons"] == []


def test_a_browser_may_send_the_customer_token(lo, program):
    # The storefront calls /v1/me/wallet cross-origin with X-Customer-Token: the preflight must allow the header
    r = lo.session.options(
        f"{lo.url}/v1/me/wallet",
        headers={
            "Origin": "https://shop.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-publishable-key,x-customer-token",
        },
        timeout=30,
    )
    assert r.status_code in (200, 204), r.text
    allowed = {h.strip().lower() for h in r.headers.get("Access-Control-Allow-Headers", "").split(",")}
    assert {"x-publishable-key", "x-customer-token"} <= allowed, r.headers
