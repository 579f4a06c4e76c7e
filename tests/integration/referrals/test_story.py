"""The whole referral story over HTTP, as docs/referrals.md tells it.

program → link (201, then 200 with the same code) → the friend clicks /r/{code} (302 with ref and utm, click
counted) → visit and signup tracked from the storefront → the friend's first order converts: their coupon
now, the referrer's credit after the holding period → the hourly job pays it once → three rewarded
referrals reach the points tier, paid exactly once.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from api import assert_refused, uid

from referrals import (
    FLAG_REASONS,
    assert_converted,
    days_ago,
    new_email,
    new_ip,
    one,
    parse_ts,
    query_of,
    reward_of,
    where,
)

pytestmark = pytest.mark.integration

CHARSET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # docs: the look-alike-free charset of codes


def test_the_whole_referral_story(rf, stack):
    # Given the example program of the docs
    r = rf.post(
        "/v1/campaigns",
        json={
            "name": f"Friends {uid()}",
            "type": "referral",
            "landing_url": "https://shop.example/",
            "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
            "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
            "conversion": {"event": "first_order", "min_order_amount": 3000, "currency": "EUR"},
            "holding_days": 14,
            "attribution": {"window_days": 30, "model": "first_touch"},
            "tiers": [{"referrals": 3, "reward": {"type": "points", "points": 500}}],
            "limits": {"max_rewarded_per_referrer": 20, "period_days": 30},
        },
    )
    assert r.status_code == 201, r.text
    program = r.json()
    cid = program["id"]
    assert program["type"] == "referral"
    assert program["enabled"] is True
    # every coupon and credit reward gets the discount campaign that issues it, tagged reward_of
    for role in ("referee_reward", "referrer_reward"):
        issuer_id = program[role]["campaign_id"]
        assert issuer_id, program
        assert rf.campaign(issuer_id)["metadata"]["reward_of"] == cid
    assert program["tiers"][0]["reward"] == {"type": "points", "points": 500}

    # When Anna asks for her link
    anna = uid("anna-")
    anna_ip = new_ip()
    link_body = {"customer_id": anna, "campaign_id": cid, "name": "Anna", "email": new_email(), "ip": anna_ip}
    r = rf.post("/v1/referrals", json=link_body)
    # Then she gets a new code: ANNA- and 6 characters of the look-alike-free charset
    assert r.status_code == 201, r.text
    link = r.json()
    code = link["code"]
    assert code.startswith("ANNA-") and len(code) == 11, code
    assert all(ch in CHARSET for ch in code[5:]), code
    assert link["campaign_id"] == cid
    assert link["customer_id"] == anna
    share = urlsplit(link["share_url"])
    assert (share.port, share.path) == (urlsplit(stack.url).port, f"/r/{code}"), link  # the local stack's own URL
    assert link["share"]["email_subject"] == "Anna invites you to our shop", link["share"]
    assert link["share_url"] in link["share"]["social_text"], link["share"]
    assert link["share_url"] in link["share"]["email_body"], link["share"]
    assert link["counts"] == {
        "clicks": 0,
        "visits": 0,
        "signups": 0,
        "conversions": 0,
        "flagged": 0,
        "blocked": 0,
        "rewarded": 0,
    }

    # When she asks again, then she gets the same code with 200
    again = rf.post("/v1/referrals", json=link_body)
    assert again.status_code == 200, again.text
    assert again.json()["code"] == code

    # When her friend Bea opens the share link (no key, redirects not followed)
    r = rf.follow(link["share_url"])
    # Then a 302 to the landing URL with ref=CODE and the utm parameters, never cached
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert location.startswith("https://shop.example/"), location
    assert query_of(location) == {
        "ref": [code],
        "utm_source": ["referral"],
        "utm_medium": ["passaparola"],
        "utm_campaign": [cid],
    }, location
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    # And the click is counted
    assert rf.counts(code)["clicks"] == 1
    # And the link's QR code is an SVG
    qr = rf.session.get(link["qr_url"], timeout=30)
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml"), qr.headers

    # When the storefront tracks her visit and her signup with the publishable key
    bea = uid("bea-")
    bea_email = new_email()
    r = rf.track("visit", code, visitor_id=uid("v"), url="https://shop.example/?ref=" + code)
    assert r.status_code == 202, r.text
    assert r.json() == {"type": "visit", "ref": code, "campaign_id": cid}
    r = rf.track("signup", code, email=bea_email, customer_id=bea)
    assert r.status_code == 202, r.text
    assert r.json() == {"type": "signup", "ref": code, "campaign_id": cid}
    counts = rf.counts(code)
    assert (counts["clicks"], counts["visits"], counts["signups"]) == (1, 1, 1), counts

    # When Bea places her first order of 50.00 EUR with the code
    bea_order = uid("ord_")
    r = rf.place_order(bea, 5000, referral_code=code, email=bea_email, order_id=bea_order)
    # Then it converts: her coupon is released now, Anna's credit is pending for the holding period
    assert r.status_code == 201, r.text
    outcome = r.json()
    assert outcome["order_id"] == bea_order
    assert outcome["customer_id"] == bea
    assert (outcome["amount"], outcome["currency"]) == (5000, "EUR")
    assert_converted(outcome, code)
    assert outcome["referral"]["source"] == "explicit"
    assert outcome["referral"]["campaign_id"] == cid
    conversion_id = outcome["referral"]["conversion_id"]

    bea_coupon = reward_of(outcome, "referee")
    assert bea_coupon["customer_id"] == bea
    assert bea_coupon["type"] == "coupon"
    assert bea_coupon["campaign_id"] == cid
    assert bea_coupon["referral_code"] == code
    assert bea_coupon["conversion_id"] == conversion_id
    assert bea_coupon["reason"] == "referral_converted"
    assert bea_coupon["coupon_code"], bea_coupon
    assert bea_coupon["released_at"], bea_coupon

    pending_credit = reward_of(outcome, "referrer")
    assert pending_credit["customer_id"] == anna
    assert pending_credit["type"] == "credit"
    assert (pending_credit["amount"], pending_credit["currency"]) == (1000, "EUR")
    assert pending_credit["coupon_code"] is None
    assert pending_credit["reason"] == "referral_converted"
    created_at = parse_ts(outcome["created_at"])
    assert parse_ts(pending_credit["release_at"]) - created_at == timedelta(days=14), pending_credit

    # And GET /v1/orders/{id} answers the same outcome
    r = rf.get_order(bea_order)
    assert r.status_code == 200, r.text
    assert r.json() == outcome

    # And Bea's coupon is bound to her: valid for her (5.00 off), refused for anyone else
    cart = {"amount": 5000, "currency": "EUR", "items": [{"sku": "SHOE", "quantity": 1, "unit_price": 5000}]}
    v = rf.validate(bea_coupon["coupon_code"], cart, customer_id=bea, key="publishable")
    assert v["valid"] is True and v["discount_amount"] == 500, v
    assert_refused(rf.validate(bea_coupon["coupon_code"], cart, customer_id=uid("stranger-")), "customer_not_allowed")
    assert rf.code(bea_coupon["coupon_code"])["customer_id"] == bea

    # When the hourly job runs before the holding period ended, then nothing of Anna's is released
    rf.release()
    anna_rewards = rf.rewards(anna)
    assert [(x["id"], x["status"]) for x in anna_rewards] == [(pending_credit["id"], "pending")], anna_rewards
    assert one(anna_rewards, id=pending_credit["id"])["coupon_code"] is None

    # When Cleo's order, placed 15 days ago (past holding_days), converts
    cleo = uid("cleo-")
    cleo_outcome = rf.refer(code, customer_id=cleo, created_at=days_ago(15))
    assert_converted(cleo_outcome, code)
    cleo_credit = reward_of(cleo_outcome, "referrer")
    assert parse_ts(cleo_credit["release_at"]) - parse_ts(cleo_outcome["created_at"]) == timedelta(days=14)

    # And the job runs: then Cleo's referrer credit is released as a gift-card code bound to Anna
    rf.release()
    released = one(rf.rewards(anna), id=cleo_credit["id"])
    assert released["status"] == "released", released
    assert released["released_at"], released
    gift = released["coupon_code"]
    assert gift, released
    assert rf.code(gift)["balance"] == 1000
    v = rf.validate(gift, cart, customer_id=anna)
    assert v["valid"] is True and v["discount_amount"] == 1000, v
    assert rf.code(gift)["customer_id"] == anna
    assert_refused(rf.validate(gift, cart, customer_id=uid("stranger-")), "customer_not_allowed")
    # and Bea's credit (ordered now) is still pending
    assert one(rf.rewards(anna), id=pending_credit["id"])["status"] == "pending"
    assert rf.counts(code)["rewarded"] == 1

    # When the job runs again, then nothing more is released
    before_rewards, before_ledger = rf.rewards(anna), rf.ledger(anna)
    rf.release()
    assert sorted(rf.rewards(anna), key=lambda x: x["id"]) == sorted(before_rewards, key=lambda x: x["id"])
    assert rf.ledger(anna) == before_ledger
    assert rf.counts(code)["rewarded"] == 1

    # And the customer's rewards and ledger show it
    assert [x["id"] for x in rf.rewards(anna, status="released")] == [cleo_credit["id"]]
    assert [x["id"] for x in rf.rewards(anna, status="pending")] == [pending_credit["id"]]
    ledger = rf.ledger(anna)
    cleo_lines = where(ledger, reward_id=cleo_credit["id"])
    assert [e["event"] for e in cleo_lines] == ["pending", "released"], ledger
    line = cleo_lines[1]
    assert (line["type"], line["amount"], line["currency"]) == ("credit", 1000, "EUR"), line
    assert line["coupon_code"] == gift, line
    assert line["reason"] == "holding_period_ended", line
    assert [e["event"] for e in where(ledger, reward_id=pending_credit["id"])] == ["pending"], ledger
    times = [parse_ts(e["at"]) for e in ledger]
    assert times == sorted(times), "the ledger is oldest first"

    # When two more friends' old orders convert, then no tier yet: tiers count rewarded referrals (1 so far)
    for _ in range(2):
        assert_converted(rf.refer(code, created_at=days_ago(15)), code)
    assert where(rf.rewards(anna), role="tier") == []
    # When the job runs, then Anna has 3 rewarded referrals
    rf.release()
    view = rf.referral(code)
    assert view["counts"]["rewarded"] == 3, view["counts"]
    assert view["counts"]["conversions"] == 4, view["counts"]
    assert view["counts"]["flagged"] == 0 and view["counts"]["blocked"] == 0, view["counts"]

    # And the tier reward (500 points) is issued exactly once
    tier = one(rf.rewards(anna), role="tier")
    assert (tier["type"], tier["points"], tier["tier"]) == ("points", 500, 3), tier
    assert tier["status"] == "released", tier
    assert tier["reason"] == "tier_reached", tier
    tier_lines = where(rf.ledger(anna), reward_id=tier["id"])
    assert [(e["event"], e["points"]) for e in tier_lines if e["event"] == "released"] == [("released", 500)], (
        tier_lines
    )
    assert tier_lines[-1]["event"] == "released", tier_lines

    # When the job runs again, then still exactly one tier reward and three released credits
    rf.release()
    mine = rf.rewards(anna)
    assert len(where(mine, role="tier")) == 1, mine
    assert len(where(mine, role="referrer", status="released")) == 3, mine
    assert len(where(mine, role="referrer", status="pending")) == 1, mine

    # And the customer's rewards are newest first
    created = [parse_ts(x["created_at"]) for x in mine]
    assert created == sorted(created, reverse=True), "rewards are listed newest first"

    # And the referral view lists its conversions and rewards
    view = rf.referral(code.lower())
    assert view["code"] == code
    assert {c["status"] for c in view["conversions"]} == {"converted"}, view["conversions"]
    assert conversion_id in {c["id"] for c in view["conversions"]}
    for c in view["conversions"]:
        assert not (set(c["reasons"]) & FLAG_REASONS), c
    assert pending_credit["id"] in {x["id"] for x in view["rewards"]}
