"""The shopper's browser routes (docs/shopper.md): the program explained, spending points, the ledger newest first,
the referral card; each with the publishable key and, for /v1/me/*, the customer's own token."""

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest

from passaparola import clock
from passaparola.customers import service as customers
from passaparola.customers.models import CustomerPut
from passaparola.data import campaigns as campaign_store
from passaparola.loyalty import service as loyalty
from passaparola.referrals import identity
from passaparola.shopper import service as shopper
from tests.unit.functions import PUBLISHABLE, call, load_function

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LOYALTY: dict[str, Any] = {
    "name": "Club",
    "type": "loyalty",
    "earning_rules": [
        {"event": "order_paid", "points_per_unit": 1, "unit_amount": 100, "currency": "EUR"},
        {"event": "review", "points": 50},
        {"event": "signup", "points": 100},
    ],
    "pending_days": 0,
    "expiry": {"policy": "fixed", "days": 365},
    "tiers": [
        {"name": "Bronze", "min_points": 0},
        {"name": "Gold", "min_points": 1000, "multiplier": 1.5, "entry_reward": {"type": "points", "points": 200}},
    ],
    "rewards": [
        {
            "id": "five-off",
            "name": "5 EUR off",
            "cost": 500,
            "reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
        },
        {"id": "dinner", "name": "Dinner", "cost": 300, "reward": {"type": "recognition", "note": "Dinner with us"}},
    ],
    "display": {"brand_color": "#aa3300", "launcher_text": {"it": "Il club"}, "position": "bottom-left"},
}
REFERRAL: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "shop_name": "Bottega",
    "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
    "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    "holding_days": 0,
    "limits": {"max_rewarded_per_referrer": 7},
}


@pytest.fixture
def fns(aws: None) -> dict[str, ModuleType]:
    clock.set_clock(lambda: START)
    shopper.forget_cache()
    campaign_store._CACHE.clear()
    yield {n: load_function(n) for n in ("loyalty", "campaigns", "conversions", "referrals", "customers")}
    shopper.forget_cache()


def create(fns: dict[str, ModuleType], body: dict[str, Any]) -> str:
    made = call(fns["campaigns"], "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert made.status == 201, made.body
    campaign_store._CACHE.clear()
    return str(made.body["id"])


def later(seconds: int) -> None:
    at = clock.now() + timedelta(seconds=seconds)
    clock.set_clock(lambda: at)


def get_program(fn: ModuleType, locale: str | None = None):
    return call(fn, "GET", "/v1/program", "/v1/program", key=PUBLISHABLE, query={"locale": locale} if locale else None)


def token(customer_id: str) -> dict[str, str]:
    return {"X-Customer-Token": loyalty.token(customer_id, 3600).token}


def me(fn: ModuleType, method: str, path: str, customer: str | dict[str, str], body: Any = None, **kw: Any):
    headers = token(customer) if isinstance(customer, str) else customer
    return call(fn, method, path, path, body, key=PUBLISHABLE, headers=headers | kw.pop("headers", {}), **kw)


# ------------------------------------------------------------------------------------------ GET /v1/program


def test_without_programs_the_panel_gets_nulls_and_the_default_look(fns) -> None:
    reply = get_program(fns["loyalty"], "fr-FR")
    assert reply.status == 200, reply.body
    assert reply.headers["Cache-Control"] == "public, max-age=60"
    assert reply.body["locale"] == "fr" and reply.body["loyalty"] is None and reply.body["referral"] is None
    display = reply.body["display"]
    assert display["brand_color"] == "#2f5d50" and display["position"] == "bottom-right" and display["show_launcher"]
    assert display["launcher_text"] == {
        "de": "Prämien", "en": "Rewards", "es": "Recompensas", "fr": "Récompenses", "it": "Premi", "ro": "Recompense",
    }  # fmt: skip


def test_the_program_in_words_in_the_shoppers_language_and_nothing_internal(fns) -> None:
    loyalty_id, referral_id = create(fns, LOYALTY), create(fns, REFERRAL)
    body = get_program(fns["loyalty"], "it").body
    lo = body["loyalty"]
    assert lo["campaign_id"] == loyalty_id and lo["signup_points"] == 100
    assert [e["text"] for e in lo["earning"]] == [
        "1 punto ogni 1,00 EUR di spesa",
        "50 punti per una recensione",
        "100 punti per l'iscrizione",
    ]
    assert lo["expiry"] == {
        "policy": "fixed",
        "days": 365,
        "text": "I punti scadono 365 giorni dopo essere stati guadagnati.",
    }
    assert lo["tiers"][1] == {
        "name": "Gold", "min_points": 1000, "multiplier": 1.5, "perks": ["punti × 1,5", "Regalo di benvenuto: 200 punti"],
    }  # fmt: skip
    assert [(r["id"], r["text"]) for r in lo["rewards"]] == [
        ("five-off", "5,00 EUR di sconto"),
        ("dinner", "Dinner with us"),
    ]
    ref = body["referral"]
    assert ref == {
        "campaign_id": referral_id,
        "shop_name": "Bottega",
        "referee_reward": {"type": "coupon", "text": "5,00 EUR di sconto", "when": ref["referee_reward"]["when"]},
        "referrer_reward": {"type": "credit", "text": "10,00 EUR di credito"},
    }
    assert ref["referee_reward"]["when"] in ("first_order", "after_conversion")
    assert body["display"]["brand_color"] == "#aa3300" and body["display"]["position"] == "bottom-left"
    assert body["display"]["launcher_text"]["it"] == "Il club" and body["display"]["launcher_text"]["en"] == "Rewards"
    assert (
        call(fns["loyalty"], "GET", "/v1/program", "/v1/program", key=PUBLISHABLE, query={"locale": ""}).status == 200
    )
    assert get_program(fns["loyalty"], "<script>").status == 400
    english = get_program(fns["loyalty"], "xx").body
    assert english["locale"] == "en" and english["loyalty"]["earning"][0]["text"] == "1 point per 1.00 EUR spent"
    text = str(body)
    for internal in ("max_rewarded_per_referrer", "fraud", "variants", "stock", "campaign_id': '" + "cmp"):
        assert internal not in text or internal.startswith("campaign_id"), internal


def test_programs_are_read_once_a_minute_per_container(fns) -> None:
    assert get_program(fns["loyalty"]).body["referral"] is None
    create(fns, REFERRAL)
    later(30)
    assert get_program(fns["loyalty"]).body["referral"] is None  # the container's copy, younger than a minute
    later(31)
    assert get_program(fns["loyalty"]).body["referral"]["shop_name"] == "Bottega"


def test_a_switched_off_loyalty_program_is_not_shown(fns) -> None:
    loyalty_id = create(fns, LOYALTY)
    assert (
        call(
            fns["campaigns"], "POST", f"/v1/campaigns/{loyalty_id}/disable", "/v1/campaigns/{campaign_id}/disable"
        ).status
        == 200
    )
    campaign_store._CACHE.clear()
    assert get_program(fns["loyalty"]).body["loyalty"] is None


def test_the_display_is_validated_and_patched(fns) -> None:
    bad = call(
        fns["campaigns"], "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY | {"display": {"brand_color": "red"}}
    )
    assert bad.status == 400, bad.body
    loyalty_id = create(fns, LOYALTY)
    patched = call(
        fns["campaigns"], "PATCH", f"/v1/campaigns/{loyalty_id}", "/v1/campaigns/{campaign_id}",
        {"display": {"show_launcher": False}},
    )  # fmt: skip
    assert patched.status == 200, patched.body
    assert patched.body["display"]["show_launcher"] is False and patched.body["display"]["brand_color"] == "#aa3300"


# ----------------------------------------------------------------------------------------- /v1/me/rewards


def member(customer_id: str, points: int) -> None:
    customers.put(customer_id, CustomerPut(email=f"{customer_id}@example.com", name="Anna Rossi"))
    loyalty.adjust(customer_id, points, "welcome")


def test_a_shopper_spends_their_own_points_once_per_idempotency_key(fns) -> None:
    create(fns, LOYALTY)
    member("anna", 1200)
    member("bob", 1200)
    fn = fns["loyalty"]
    headers = {"Idempotency-Key": "click-1"}
    first = me(fn, "POST", "/v1/me/rewards", "anna", {"reward_id": "five-off"}, headers=headers)
    assert first.status == 201, first.body
    assert (
        first.body["customer_id"] == "anna" and first.body["coupon_code"] and first.body["balance_after"] == 900
    )  # 1200 + Gold's 200 - 500
    again = me(fn, "POST", "/v1/me/rewards", "anna", {"reward_id": "five-off"}, headers=headers)
    assert again.status == 201 and again.body == first.body
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert customers.get("anna").loyalty.balance == 900
    # another shopper sending the same key (same publishable key, same path, same body) is not given Anna's answer
    other = me(fn, "POST", "/v1/me/rewards", "bob", {"reward_id": "five-off"}, headers=headers)
    assert (
        other.status == 201
        and other.body["customer_id"] == "bob"
        and other.body["coupon_code"] != first.body["coupon_code"]
    )
    assert customers.get("bob").loyalty.balance == 900


def test_spending_needs_a_valid_unrevoked_token_and_the_same_rules(fns) -> None:
    create(fns, LOYALTY)
    member("anna", 400)
    fn = fns["loyalty"]
    no_token = me(fn, "POST", "/v1/me/rewards", {}, {"reward_id": "dinner"})
    assert no_token.status == 401 and no_token.body["error"]["code"] == "token_required"
    forged = me(fn, "POST", "/v1/me/rewards", {"X-Customer-Token": "abc.def"}, {"reward_id": "dinner"})
    assert forged.status == 401 and forged.body["error"]["code"] == "invalid_token"
    old = token("anna")
    loyalty.revoke_tokens("anna")
    revoked = me(fn, "POST", "/v1/me/rewards", old, {"reward_id": "dinner"})
    assert revoked.status == 401 and revoked.body["error"]["code"] == "token_revoked"
    assert customers.get("anna").loyalty.balance == 400
    poor = me(fn, "POST", "/v1/me/rewards", "anna", {"reward_id": "five-off"})
    assert poor.status == 422 and poor.body["error"]["code"] == "insufficient_points"
    unknown = me(fn, "POST", "/v1/me/rewards", "anna", {"reward_id": "nope"})
    assert unknown.status == 404 and unknown.body["error"]["code"] == "reward_not_found"
    secret_only = call(
        fn,
        "POST",
        "/v1/customers/anna/rewards",
        "/v1/customers/{customer_id}/rewards",
        {"reward_id": "dinner"},
        key=PUBLISHABLE,
    )
    assert secret_only.status == 403


# ------------------------------------------------------------------------------------ /v1/me/points/ledger


def test_the_ledger_newest_first_with_cursors_on_both_routes(fns) -> None:
    create(fns, LOYALTY)
    member("anna", 10)
    for n in range(1, 5):
        later(1)
        loyalty.adjust("anna", 10 * (n + 1), f"gift {n}")
    fn = fns["loyalty"]
    seen = []
    cursor = None
    while True:
        query = {"order": "newest", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = me(fn, "GET", "/v1/me/points/ledger", "anna", query=query)
        assert page.status == 200, page.body
        seen += [i["points"] for i in page.body["items"]]
        cursor = page.body["next_cursor"]
        if not cursor:
            break
    assert seen == [50, 40, 30, 20, 10]
    secret = call(
        fn,
        "GET",
        "/v1/customers/anna/points/ledger",
        "/v1/customers/{customer_id}/points/ledger",
        query={"order": "newest"},
    )
    assert [i["points"] for i in secret.body["items"]] == [50, 40, 30, 20, 10]
    oldest = me(fn, "GET", "/v1/me/points/ledger", "anna")
    assert [i["points"] for i in oldest.body["items"]] == [10, 20, 30, 40, 50]
    assert me(fn, "GET", "/v1/me/points/ledger", "anna", query={"order": "sideways"}).status == 400
    old = token("anna")
    loyalty.revoke_tokens("anna")
    assert me(fn, "GET", "/v1/me/points/ledger", old).body["error"]["code"] == "token_revoked"


# ----------------------------------------------------------------------------------------- /v1/me/referral


def test_no_active_referral_program(fns) -> None:
    reply = me(fns["loyalty"], "POST", "/v1/me/referral", "anna")
    assert reply.status == 422 and reply.body["error"]["code"] == "no_referral_program"


def test_the_referral_card_with_friends_and_rewards(fns) -> None:
    create(fns, LOYALTY)
    referral_id = create(fns, REFERRAL)
    customers.put("anna", CustomerPut(email="anna@example.com", name="Anna Rossi", locale="it-IT"))
    fn = fns["loyalty"]
    first = me(fn, "POST", "/v1/me/referral", "anna")
    assert first.status == 201, first.body
    card = first.body
    assert card["campaign_id"] == referral_id and card["url"].endswith(f"/r/{card['code']}")
    assert card["qr_url"].endswith(f"/r/{card['code']}/qr") and "Anna" in card["share"]["email_subject"]
    assert card["friends"] == [] and card["rewards"] == []
    # friends sign up through the link (tracked by the storefront): listed as joined, without a name or an email
    for email in ("Bob.Smith@gmail.com", "dan@example.com"):
        track = {"type": "signup", "ref": card["code"], "email": email}
        tracked = call(fns["referrals"], "POST", "/v1/referrals/track", "/v1/referrals/track", track, key=PUBLISHABLE)
        assert tracked.status == 202, tracked.body
        later(10)
    joined = me(fn, "POST", "/v1/me/referral", "anna").body["friends"]
    assert [(f["name"], f["status"]) for f in joined] == [("Un amico", "joined"), ("Un amico", "joined")]
    # friends order through the link: one with a name (who had signed up), one with only an email
    customers.put("bob", CustomerPut(email="bob.smith@gmail.com", name="Bob Smith"))
    customers.put("cleo", CustomerPut(email="cleo@gmail.com"))
    for n, friend in enumerate(("bob", "cleo")):
        later(60)
        order = {"id": f"o{n}", "customer_id": friend, "amount": 5000, "currency": "EUR", "referral_code": card["code"]}
        made = call(fns["conversions"], "POST", "/v1/orders", "/v1/orders", order)
        assert made.status == 201 and made.body["referral"]["status"] == "converted", made.body
    again = me(fn, "POST", "/v1/me/referral", "anna")
    assert again.status == 200 and again.body["code"] == card["code"]
    friends = again.body["friends"]
    assert [(f["name"], f["status"]) for f in friends] == [
        ("c•••@gmail.com", "ordered"),
        ("Bob", "ordered"),
        ("Un amico", "joined"),  # Dan, who signed up and has not ordered
    ]
    # an erased friend's signup leaves the list (the link kept only their hashed email)
    dan_hash = identity.email_hash("dan@example.com")
    customers.put("dan", CustomerPut(email="dan@example.com"))
    assert call(fns["customers"], "DELETE", "/v1/customers/dan", "/v1/customers/{customer_id}").status == 200
    assert dan_hash and len(me(fn, "POST", "/v1/me/referral", "anna").body["friends"]) == 2
    assert "cleo@gmail.com" not in str(again.body) and "Smith" not in str(again.body)
    assert [(r["role"], r["text"], r["status"]) for r in again.body["rewards"]] == [
        ("referrer", "10,00 EUR di credito", "pending"),
        ("referrer", "10,00 EUR di credito", "pending"),
    ]
    assert again.body["counts"]["conversions"] == 2
    # another customer's token gets their own card, never Anna's
    bob = me(fn, "POST", "/v1/me/referral", "bob")
    assert bob.status == 201 and bob.body["code"] != card["code"] and bob.body["friends"] == []
