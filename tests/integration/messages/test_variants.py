"""A/B variants of the message: each recipient gets one (a stable hash of campaign and customer, in proportion to
the weights), and GET /v1/campaigns/{id}/messages answers the results per variant."""

from zoneinfo import ZoneInfo

import pytest
from api import item, order

from messages import wait_for

pytestmark = pytest.mark.integration

ROME = ZoneInfo("Europe/Rome")
NEW = {"type": "segment_entered", "segment": "new_customers"}
RECIPIENTS = 16
"""With weights 50/50 the chance that all of them land on one variant is 2^-15."""


def variant(name: str, coupon: bool = True) -> dict:
    body = f"<p>{name}: {{{{ coupon.code }}}}</p>" if coupon else f"<p>{name}</p>"
    return {"name": name, "weight": 50, "messages": {"email": {"en": {"subject": f"Variant {name}", "body": body}}}}


def test_both_variants_are_used_and_reported(ms, clock):
    discount = ms.discount()
    campaign = ms.reengagement(
        NEW,
        incentive={"campaign_id": discount["id"]},
        variants=[variant("A"), variant("B")],
    )
    customers = [ms.shopper(locale="en") for _ in range(RECIPIENTS)]
    clock.tick()
    ms.watch()
    messages = [ms.sent(who, campaign["id"])[0] for who in customers]
    # Each message is one variant's, rendered from that variant's template
    for m in messages:
        assert m["variant"] in ("A", "B"), m
        assert m["subject"] == f"Variant {m['variant']}", m
        assert m["body"].startswith(f"<p>{m['variant']}: {m['coupon_code']}</p>"), m
    used = {m["variant"] for m in messages}
    assert used == {"A", "B"}, f"both variants are used: {[m['variant'] for m in messages]}"
    counts = {name: sum(1 for m in messages if m["variant"] == name) for name in ("A", "B")}
    # One recipient of A redeems their coupon
    a_message = next(m for m in messages if m["variant"] == "A")
    r = ms.redeem(a_message["coupon_code"], order(items=[item("SHOE", 1, 5000)]), customer_id=a_message["customer_id"])
    assert r.status_code == 201, r.text
    # Then the campaign's summary reports per variant

    def summary_ready():
        s = ms.campaign_messages(campaign["id"])["summary"]
        return s if s["variants"].get("A", {}).get("redeemed") == 1 else None

    summary = wait_for(summary_ready, timeout=10, what="the redemption counted on variant A")
    assert summary["variants"]["A"]["sent"] == counts["A"], summary
    assert summary["variants"]["B"]["sent"] == counts["B"], summary
    assert summary["variants"]["B"]["redeemed"] == 0, summary
    assert summary["by_status"].get("sent") == RECIPIENTS, summary
    # The variants report reads the same from the campaign's daily items (sent@v, redeemed@v, revenue, discount)
    day = clock.now.astimezone(ROME).date().isoformat()
    report = ms.get("/v1/reports/variants", params={"campaign_id": campaign["id"], "from": day, "to": day})
    assert report.status_code == 200, report.text
    a, b = report.json()["variants"]
    assert (a["variant"], a["exposed"], a["conversions"], a["revenue"], a["cost"]) == (
        "A",
        counts["A"],
        1,
        {"EUR": 4500},
        {"EUR": 500.0},
    )
    assert (b["variant"], b["exposed"], b["conversions"], b["revenue"]) == ("B", counts["B"], 0, {})
    assert b["test"]["against"] == "A" and not b["test"]["significant"], b  # fewer than 30 exposed per arm
    # And the variant of a customer is stable: a second campaign message of the same campaign is not sent, and the
    # log shows each customer once
    items = ms.campaign_items(campaign["id"])
    assert sorted(i["customer_id"] for i in items) == sorted(customers)


def test_weights_steer_the_split(ms, clock):
    campaign = ms.reengagement(
        NEW,
        variants=[{**variant("Heavy", coupon=False), "weight": 1000}, {**variant("Light", coupon=False), "weight": 1}],
    )
    customers = [ms.shopper(locale="en") for _ in range(6)]
    clock.tick()
    ms.watch()
    names = [ms.sent(who, campaign["id"])[0]["variant"] for who in customers]
    assert names.count("Heavy") >= 5, names
