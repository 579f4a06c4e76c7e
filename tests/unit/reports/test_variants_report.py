"""Variants report: per-variant daily attributes (referral: written by the program's paths; re-engagement:
messages sent and their coupons redeemed or rolled back) read back with the z-test against the control."""

from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from passaparola import clock
from passaparola.data import messages as message_store
from passaparola.data import reports as report_store
from passaparola.data.models.coupons import CodeModel
from passaparola.data.models.messages import MessageModel
from passaparola.reports import periods, shop_rules
from tests.unit.coupons.test_redemptions import make_campaign, make_code, redeem
from tests.unit.functions import call, load_function
from tests.unit.reports.test_overview import LOYALTY, PROGRAM

WIN = periods.window("2026-05-01", "2026-05-31")
SEEDED = {
    "2026-04-30": {"clicks@A": 1000},  # outside the period
    "2026-05-02": {
        "clicks@A": 600,
        "conversions@A": 60,
        "revenue_EUR@A": 300000,
        "reward_cost_EUR@A": 60000,
        "clicks@B": 500,
        "conversions@B": 90,
        "revenue_EUR@B": 450000,
        "reward_cost_EUR@B": 45000,
        "coupon_cost_EUR@B": 5000,
        "clicks": 1100,  # the flat totals are not a variant
        "conversions": 150,
    },
    "2026-05-20": {"clicks@A": 400, "conversions@A": 40, "revenue_EUR@A": 200000, "reward_cost_EUR@A": 40000},
}


def test_referral_variants_from_seeded_daily_items() -> None:
    report = shop_rules.variants(WIN, "cmp_r", "referral", ["A", "B"], SEEDED).model_dump()
    a, b = report["variants"]
    assert (report["from"].isoformat(), report["to"].isoformat(), report["campaign_type"]) == (
        "2026-05-01",
        "2026-05-31",
        "referral",
    )
    assert a == {
        "variant": "A",
        "exposed": 1000,
        "conversions": 100,
        "conversion_rate": 0.1,
        "revenue": {"EUR": 500000},
        "points": 0,
        "cost": {"EUR": 100000.0},
        "roi": {"EUR": 4.0},
        "roi_unavailable": None,
        "test": None,
    }
    assert (b["exposed"], b["conversions"], b["conversion_rate"], b["cost"], b["roi"]) == (
        500,
        90,
        0.18,
        {"EUR": 50000.0},
        {"EUR": 8.0},
    )
    # 100/1000 vs 90/500: pooled 190/1500, SE = sqrt(.126667 × .873333 × (1/1000 + 1/500)) = 0.018217
    assert b["test"] == {"against": "A", "z": 4.3915, "p_value": 0.0, "significant": True, "winner": "B"}


def test_without_variants_the_program_is_its_default_variant_and_a_removed_one_still_shows() -> None:
    items = {"2026-05-03": {"clicks@default": 10, "conversions@default": 1, "clicks@old": 5}}
    report = shop_rules.variants(WIN, "cmp_r", "referral", [], items)
    assert [(v.variant, v.exposed, v.test is None) for v in report.variants] == [
        ("default", 10, True),
        ("old", 5, False),
    ]
    assert report.variants[1].test is not None and not report.variants[1].test.significant


def test_points_are_valued_at_the_point_value_or_make_roi_unavailable() -> None:
    items = {"2026-05-03": {"clicks@A": 10, "conversions@A": 2, "points@A": 500, "revenue_EUR@A": 10000}}
    valued = shop_rules.variants(WIN, "cmp_r", "referral", ["A"], items, (100, 100, "EUR")).variants[0]
    assert valued.cost == {"EUR": 500.0} and valued.roi == {"EUR": 19.0} and valued.roi_unavailable is None
    unvalued = shop_rules.variants(WIN, "cmp_r", "referral", ["A"], items).variants[0]
    assert unvalued.roi == {"EUR": None} and unvalued.roi_unavailable == "points_without_value"


def test_a_quiet_period_has_no_rates() -> None:
    report = shop_rules.variants(WIN, "cmp_e", "reengagement", ["A", "B"], {})
    assert [(v.exposed, v.conversion_rate, v.roi) for v in report.variants] == [(0, None, {}), (0, None, {})]
    assert report.variants[1].test is not None and report.variants[1].test.z is None


def at(moment: str) -> None:
    frozen = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set_clock(lambda: frozen)


HELLO = {"subject": "Hello", "body": "<p>Hi</p>"}


def sent(campaign_id: str, message_id: str, variant: str) -> None:
    message = MessageModel(
        message_id, campaign_id=campaign_id, status="sending", variant=variant, created_at="2026-05-04T10:00:00Z"
    )
    message.save()
    message_store.sent(message, f"ses-{message_id}", clock.now())
    message_store.sent(message, f"ses-{message_id}", clock.now())  # a redelivery counts once


def test_reengagement_variants_count_sends_and_their_coupons(campaigns_fn: ModuleType, coupons_fn: ModuleType) -> None:
    reports_fn = load_function("reports")
    at("2026-05-04T10:00:00")
    body: dict[str, Any] = {
        "name": "Come back",
        "type": "reengagement",
        "trigger": {"type": "welcome"},
        "variants": [
            {"name": "plain", "weight": 1, "messages": {"email": {"en": HELLO}}},
            {"name": "bold", "weight": 1, "messages": {"email": {"en": HELLO}}},
        ],
    }
    created = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert created.status == 201, created.body
    campaign_id = created.body["id"]
    for i in range(3):
        sent(campaign_id, f"msg_p{i}", "plain")
    sent(campaign_id, "msg_b0", "bold")
    sent(campaign_id, "msg_b1", "bold")
    offer = make_campaign(campaigns_fn, {"type": "amount", "amount_off": 500})
    for code, variant in (("BACK-P", "plain"), ("BACK-B1", "bold"), ("BACK-B2", "bold")):
        make_code(campaigns_fn, offer, code=code)
        CodeModel(code).update(actions=[CodeModel.message_stats.set(f"stats#{campaign_id}#{variant}")])
    assert redeem(coupons_fn, "BACK-P", "o1", "ann").status == 201
    assert redeem(coupons_fn, "BACK-B1", "o2", "bea").status == 201
    b2 = redeem(coupons_fn, "BACK-B2", "o3", "cid")
    at("2026-05-05T10:00:00")
    rollback = f"/v1/redemptions/{b2.body['id']}/rollback"
    assert call(coupons_fn, "POST", rollback, "/v1/redemptions/{redemption_id}/rollback").status == 200

    assert report_store.days(campaign_id, "2026-05-04", "2026-05-05") == {
        "2026-05-04": {
            "messages_sent": 5,
            "sent@plain": 3,
            "sent@bold": 2,
            "redeemed@plain": 1,
            "redeemed@bold": 2,
            "revenue_EUR@plain": 4500,
            "revenue_EUR@bold": 9000,
            "discount_EUR@plain": 500,
            "discount_EUR@bold": 1000,
        },
        "2026-05-05": {"redeemed@bold": -1, "revenue_EUR@bold": -4500, "discount_EUR@bold": -500},
    }
    query = {"campaign_id": campaign_id, "from": "2026-05-01", "to": "2026-05-05"}
    reply = call(reports_fn, "GET", "/v1/reports/variants", "/v1/reports/variants", query=query)
    assert reply.status == 200, reply.body
    plain, bold = reply.body["variants"]
    assert plain == {
        "variant": "plain",
        "exposed": 3,
        "conversions": 1,
        "conversion_rate": 0.3333,
        "revenue": {"EUR": 4500},
        "points": 0,
        "cost": {"EUR": 500.0},
        "roi": {"EUR": 8.0},
        "roi_unavailable": None,
        "test": None,
    }
    assert (bold["exposed"], bold["conversions"], bold["conversion_rate"], bold["revenue"]) == (
        2,
        1,
        0.5,
        {"EUR": 4500},
    )
    assert bold["test"]["against"] == "plain" and not bold["test"]["significant"] and bold["test"]["winner"] is None
    assert reply.body["campaign_type"] == "reengagement"

    # the overview is unchanged: a re-engagement campaign still shows its messages sent only
    overview = call(reports_fn, "GET", "/v1/reports/overview", "/v1/reports/overview", query={"days": "7"})
    mine = next(c for c in overview.body["campaigns"] if c["id"] == campaign_id)
    assert mine["totals"]["messages_sent"] == 5 and mine["totals"]["discount"] == {}

    refused = call(reports_fn, "GET", "/v1/reports/variants", "/v1/reports/variants", query={"campaign_id": offer})
    assert refused.status == 422 and refused.body["error"]["code"] == "campaign_type_mismatch"


def test_a_referral_programs_variants_over_http(campaigns_fn: ModuleType) -> None:
    reports_fn = load_function("reports")
    at("2026-05-04T10:00:00")
    assert call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY).status == 201
    program = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM)
    assert program.status == 201, program.body
    query = {"campaign_id": program.body["id"], "from": "2026-05-01", "to": "2026-05-04"}
    reply = call(reports_fn, "GET", "/v1/reports/variants", "/v1/reports/variants", query=query)
    assert reply.status == 200, reply.body
    # a program without variants is its `default` variant; nothing counted yet: no rate, no test
    assert reply.body["campaign_type"] == "referral"
    assert [(v["variant"], v["exposed"], v["conversion_rate"]) for v in reply.body["variants"]] == [
        ("default", 0, None)
    ]


def test_the_loyalty_programs_point_value_is_read_as_a_model_or_a_map(monkeypatch: Any) -> None:
    from types import SimpleNamespace

    from passaparola.reports import shop_service

    for value in (
        {"points": 100, "amount": 250, "currency": "EUR"},
        SimpleNamespace(points=100, amount=250, currency="EUR"),
    ):
        program = SimpleNamespace(point_value=value)
        monkeypatch.setattr(shop_service.campaigns, "get_loyalty", lambda program=program: program)
        assert shop_service._point_value() == (100, 250, "EUR")
    monkeypatch.setattr(shop_service.campaigns, "get_loyalty", lambda: None)
    assert shop_service._point_value() is None
