"""Example tests of the coupon rules: one or more per refusal code, every discount type, the check order."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from passaparola.campaigns.models import CampaignStats, DiscountCampaign
from passaparola.coupons.models import Code, Order, Rules
from passaparola.coupons.rules import (
    CustomerFacts,
    Effect,
    allocate,
    applicable_lines,
    code_expires_at,
    evaluate,
    percent_of,
)
from passaparola.errors import COUPON_ERRORS, CouponRejected

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)  # a Friday
TEN_PERCENT = {"type": "percent", "percent_off": "10"}


def make_campaign(
    discount: dict[str, Any] | None = None, *, enabled: bool = True, redemptions: int = 0, **rules: Any
) -> DiscountCampaign:
    return DiscountCampaign.model_validate(
        {
            "id": "cmp_1",
            "name": "Spring sale",
            "type": "discount",
            "discount": discount or TEN_PERCENT,
            "rules": Rules(**rules),
            "enabled": enabled,
            "version": 1,
            "created_at": NOW - timedelta(days=30),
            "updated_at": NOW - timedelta(days=30),
            "stats": CampaignStats(redemptions=redemptions),
        }
    )


def make_code(**fields: Any) -> Code:
    return Code(**{"code": "SPRING10", "campaign_id": "cmp_1", "created_at": NOW - timedelta(days=30), **fields})


def item(sku: str, unit_price: int, quantity: int = 1, categories: list[str] | None = None) -> dict[str, Any]:
    return {"sku": sku, "unit_price": unit_price, "quantity": quantity, "categories": categories or []}


def make_order(amount: int = 10_000, **fields: Any) -> Order:
    return Order(**{"amount": amount, "currency": "EUR", "country": "IT", **fields})


def run(
    campaign: DiscountCampaign | None = None,
    code: Code | None = None,
    customer_id: str | None = "cus_1",
    customer: CustomerFacts | None = None,
    order: Order | None = None,
    now: datetime = NOW,
) -> Effect:
    return evaluate(campaign or make_campaign(), code or make_code(), customer_id, customer, order or make_order(), now)


def rejected(**kwargs: Any) -> CouponRejected:
    with pytest.raises(CouponRejected) as caught:
        run(**kwargs)
    assert caught.value.code in COUPON_ERRORS
    assert caught.value.status == 422
    return caught.value


# --- code_disabled -----------------------------------------------------------------------------------------------


def test_given_a_code_switched_off_when_evaluated_then_code_disabled_and_switched_on_it_applies() -> None:
    off = NOW - timedelta(minutes=5)
    with pytest.raises(CouponRejected) as caught:
        evaluate(make_campaign(), make_code(switched_off_at=off), None, None, make_order(), NOW)
    assert caught.value.code == "code_disabled" and caught.value.status == 422
    assert caught.value.details == {"switched_off_at": off.isoformat()}
    assert evaluate(make_campaign(), make_code(), None, None, make_order(), NOW).discount_amount > 0


# --- campaign_disabled ---------------------------------------------------------------------------------------------


def test_given_disabled_campaign_when_evaluated_then_campaign_disabled() -> None:
    error = rejected(campaign=make_campaign(enabled=False))
    assert error.code == "campaign_disabled"
    assert error.message == COUPON_ERRORS["campaign_disabled"]


# --- coupon_not_active_yet / coupon_expired ------------------------------------------------------------------------


def test_given_future_start_when_evaluated_before_then_coupon_not_active_yet() -> None:
    starts = NOW + timedelta(seconds=1)
    error = rejected(campaign=make_campaign(starts_at=starts))
    assert error.code == "coupon_not_active_yet"
    assert error.details == {"starts_at": starts.isoformat()}


def test_given_start_when_evaluated_exactly_at_start_then_valid() -> None:
    assert run(campaign=make_campaign(starts_at=NOW)).discount_amount == 1_000


def test_given_campaign_end_when_evaluated_exactly_at_end_then_coupon_expired() -> None:
    error = rejected(campaign=make_campaign(expires_at=NOW))
    assert error.code == "coupon_expired"
    assert error.details == {"expired_at": NOW.isoformat()}


def test_given_campaign_end_when_evaluated_a_microsecond_before_then_valid() -> None:
    campaign = make_campaign(expires_at=NOW)
    assert run(campaign=campaign, now=NOW - timedelta(microseconds=1)).discount_amount == 1_000


def test_given_code_expiry_when_evaluated_at_it_then_coupon_expired() -> None:
    error = rejected(code=make_code(expires_at=NOW))
    assert error.code == "coupon_expired"
    assert error.details == {"expired_at": NOW.isoformat()}


def test_given_validity_after_issue_when_days_have_passed_then_coupon_expired() -> None:
    campaign = make_campaign(valid_days_after_issue=7)
    code = make_code(issued_at=NOW - timedelta(days=7))
    error = rejected(campaign=campaign, code=code)
    assert error.code == "coupon_expired"
    assert error.details == {"expired_at": NOW.isoformat()}
    assert run(campaign=campaign, code=code, now=NOW - timedelta(microseconds=1)).discount_amount == 1_000


def test_given_validity_after_issue_when_code_never_issued_then_only_campaign_end_applies() -> None:
    campaign = make_campaign(valid_days_after_issue=1)
    assert run(campaign=campaign, code=make_code(issued_at=None)).discount_amount == 1_000


def test_given_several_expiries_when_evaluated_then_earliest_reported() -> None:
    campaign = make_campaign(expires_at=NOW + timedelta(days=1), valid_days_after_issue=2)
    code = make_code(issued_at=NOW - timedelta(days=3), expires_at=NOW + timedelta(hours=5))
    error = rejected(campaign=campaign, code=code)
    assert error.details == {"expired_at": (NOW - timedelta(days=1)).isoformat()}


def test_given_naive_stored_expiry_when_evaluated_then_read_as_utc() -> None:
    error = rejected(code=make_code(expires_at=NOW.replace(tzinfo=None)))
    assert error.code == "coupon_expired"


@pytest.mark.parametrize(
    ("expires_at", "issued_at", "days", "expected"),
    [
        (None, None, None, None),
        (NOW, None, None, NOW),
        (None, NOW, None, None),
        (None, NOW, 3, NOW + timedelta(days=3)),
        (NOW + timedelta(days=1), NOW, 3, NOW + timedelta(days=1)),
        (NOW + timedelta(days=10), NOW, 3, NOW + timedelta(days=3)),
        (NOW, None, 3, NOW),
    ],
)
def test_code_expires_at_is_the_earlier_of_campaign_end_and_issue_plus_days(
    expires_at: datetime | None, issued_at: datetime | None, days: int | None, expected: datetime | None
) -> None:
    starts = None if expires_at is None else expires_at - timedelta(days=100)
    rules = Rules(starts_at=starts, expires_at=expires_at, valid_days_after_issue=days)
    assert code_expires_at(rules, issued_at) == expected


# --- coupon_not_active_now -----------------------------------------------------------------------------------------


def test_given_weekend_only_when_evaluated_on_friday_then_coupon_not_active_now() -> None:
    error = rejected(campaign=make_campaign(days_of_week=["sat", "sun"]))
    assert error.code == "coupon_not_active_now"
    assert error.details["local_time"] == NOW.isoformat()
    assert error.details["days_of_week"] == ["sat", "sun"]


def test_given_happy_hours_when_evaluated_outside_then_coupon_not_active_now() -> None:
    campaign = make_campaign(hours=[17, 18])
    assert rejected(campaign=campaign).code == "coupon_not_active_now"
    assert run(campaign=campaign, now=NOW.replace(hour=17, minute=59)).discount_amount == 1_000
    assert rejected(campaign=campaign, now=NOW.replace(hour=19)).code == "coupon_not_active_now"


def test_given_day_and_hour_rules_when_day_matches_but_hour_not_then_coupon_not_active_now() -> None:
    assert rejected(campaign=make_campaign(days_of_week=["fri"], hours=[9])).code == "coupon_not_active_now"
    assert run(campaign=make_campaign(days_of_week=["fri"], hours=[12])).discount_amount == 1_000


def test_given_rome_saturday_when_utc_is_still_friday_night_then_valid() -> None:
    # 10 Jan 2025 is a Friday; Rome is UTC+1 in winter, so 23:30 UTC is Saturday 00:30 in Rome.
    campaign = make_campaign(days_of_week=["sat"], hours=[0], timezone="Europe/Rome")
    friday_night_utc = datetime(2025, 1, 10, 23, 30, tzinfo=UTC)
    assert run(campaign=campaign, now=friday_night_utc).discount_amount == 1_000


def test_given_rome_saturday_when_utc_is_saturday_but_rome_sunday_then_coupon_not_active_now() -> None:
    campaign = make_campaign(days_of_week=["sat"], timezone="Europe/Rome")
    saturday_late_utc = datetime(2025, 1, 11, 23, 30, tzinfo=UTC)
    error = rejected(campaign=campaign, now=saturday_late_utc)
    assert error.code == "coupon_not_active_now"
    assert error.details["local_time"].startswith("2025-01-12T00:30:00+01:00")
    assert error.details["timezone"] == "Europe/Rome"


def test_given_rome_hours_when_summer_time_then_offset_is_two_hours() -> None:
    campaign = make_campaign(hours=[22], timezone="Europe/Rome")
    assert run(campaign=campaign, now=datetime(2025, 7, 4, 20, 15, tzinfo=UTC)).discount_amount == 1_000
    assert rejected(campaign=campaign, now=datetime(2025, 7, 4, 21, 15, tzinfo=UTC)).code == "coupon_not_active_now"


def test_given_non_utc_now_when_evaluated_then_converted_to_rule_timezone() -> None:
    tokyo = datetime(2025, 3, 15, 1, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    campaign = make_campaign(days_of_week=["fri"], hours=[16])  # UTC: Friday 16:00
    assert run(campaign=campaign, now=tokyo).discount_amount == 1_000


# --- customer_required / customer_not_allowed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "code_fields", "reason"),
    [
        ({}, {"customer_id": "cus_1"}, "customer_bound_code"),
        ({"max_redemptions_per_customer": 1}, {}, "max_redemptions_per_customer"),
        ({"new_customers_only": True}, {}, "new_customers_only"),
    ],
)
def test_given_rule_needing_a_customer_when_no_customer_id_then_customer_required(
    rules: dict[str, Any], code_fields: dict[str, Any], reason: str
) -> None:
    error = rejected(campaign=make_campaign(**rules), code=make_code(**code_fields), customer_id=None)
    assert error.code == "customer_required"
    assert error.details == {"required_by": [reason]}


def test_given_public_code_without_customer_rules_when_no_customer_id_then_valid() -> None:
    assert run(customer_id=None).discount_amount == 1_000


def test_given_code_bound_to_another_customer_when_evaluated_then_customer_not_allowed() -> None:
    error = rejected(code=make_code(customer_id="cus_owner"), customer_id="cus_1")
    assert error.code == "customer_not_allowed"
    assert "cus_owner" not in str(error.details)


def test_given_code_bound_to_the_customer_when_evaluated_then_valid() -> None:
    assert run(code=make_code(customer_id="cus_1"), customer_id="cus_1").discount_amount == 1_000


# --- currency_mismatch / country_not_allowed / order_below_minimum -------------------------------------------------


def test_given_euro_campaign_when_order_in_dollars_then_currency_mismatch() -> None:
    error = rejected(campaign=make_campaign(currency="EUR"), order=make_order(currency="USD"))
    assert error.code == "currency_mismatch"
    assert error.details == {"currency": "EUR", "order_currency": "USD"}


def test_given_countries_when_order_from_elsewhere_then_country_not_allowed() -> None:
    error = rejected(campaign=make_campaign(countries=["IT", "SM"]), order=make_order(country="FR"))
    assert error.code == "country_not_allowed"
    assert error.details == {"countries": ["IT", "SM"], "order_country": "FR"}


def test_given_countries_when_order_has_no_country_then_country_not_allowed() -> None:
    assert rejected(campaign=make_campaign(countries=["IT"]), order=make_order(country=None)).code == (
        "country_not_allowed"
    )


def test_given_minimum_when_order_below_then_order_below_minimum() -> None:
    error = rejected(campaign=make_campaign(min_order_amount=2_000), order=make_order(1_500))
    assert error.code == "order_below_minimum"
    assert error.details == {"min_order_amount": 2_000, "order_amount": 1_500}


def test_given_minimum_when_order_exactly_at_it_then_valid() -> None:
    assert run(campaign=make_campaign(min_order_amount=2_000), order=make_order(2_000)).discount_amount == 200


# --- redemption_limit_reached / customer_limit_reached / not_new_customer ------------------------------------------


def test_given_campaign_limit_when_reached_then_redemption_limit_reached() -> None:
    error = rejected(campaign=make_campaign(max_redemptions=5, redemptions=5))
    assert error.code == "redemption_limit_reached"
    assert error.details == {"limit": "campaign", "max_redemptions": 5}
    assert run(campaign=make_campaign(max_redemptions=5, redemptions=4)).discount_amount == 1_000


def test_given_per_code_limit_when_reached_then_redemption_limit_reached() -> None:
    campaign = make_campaign(max_redemptions_per_code=1)
    error = rejected(campaign=campaign, code=make_code(redemptions=1))
    assert error.code == "redemption_limit_reached"
    assert error.details == {"limit": "code", "max_redemptions_per_code": 1}
    assert run(campaign=campaign, code=make_code(redemptions=0)).discount_amount == 1_000


def test_given_per_customer_limit_when_reached_then_customer_limit_reached() -> None:
    campaign = make_campaign(max_redemptions_per_customer=2)
    error = rejected(campaign=campaign, customer=CustomerFacts(campaign_redemptions=2))
    assert error.code == "customer_limit_reached"
    assert error.details == {"max_redemptions_per_customer": 2, "customer_redemptions": 2}
    assert run(campaign=campaign, customer=CustomerFacts(campaign_redemptions=1)).discount_amount == 1_000


def test_given_per_customer_limit_when_no_facts_then_customer_counts_as_unseen() -> None:
    assert run(campaign=make_campaign(max_redemptions_per_customer=1), customer=None).discount_amount == 1_000


def test_given_new_customers_only_when_customer_ordered_before_then_not_new_customer() -> None:
    campaign = make_campaign(new_customers_only=True)
    error = rejected(campaign=campaign, customer=CustomerFacts(order_count=1))
    assert error.code == "not_new_customer"
    assert error.details == {"order_count": 1}
    assert run(campaign=campaign, customer=CustomerFacts(order_count=0)).discount_amount == 1_000


# --- no_applicable_items / gift_card_balance_exhausted -------------------------------------------------------------


def test_given_sku_filter_when_no_line_matches_then_no_applicable_items() -> None:
    order = make_order(items=[item("mug", 1_000)])
    assert rejected(campaign=make_campaign(include_skus=["book"]), order=order).code == "no_applicable_items"


def test_given_item_filter_when_order_has_no_items_then_no_applicable_items() -> None:
    assert rejected(campaign=make_campaign(exclude_categories=["gift"])).code == "no_applicable_items"


def test_given_unit_discount_when_sku_absent_then_no_applicable_items() -> None:
    campaign = make_campaign({"type": "unit", "sku": "book"})
    error = rejected(campaign=campaign, order=make_order(items=[item("mug", 1_000)]))
    assert error.code == "no_applicable_items"
    assert error.details == {"sku": "book"}


def test_given_unit_discount_when_sku_excluded_by_filter_then_no_applicable_items() -> None:
    campaign = make_campaign({"type": "unit", "sku": "book"}, exclude_skus=["book"])
    order = make_order(items=[item("book", 1_000), item("mug", 500)])
    assert rejected(campaign=campaign, order=order).code == "no_applicable_items"


def test_given_free_shipping_when_shipping_is_free_already_then_no_applicable_items() -> None:
    error = rejected(campaign=make_campaign({"type": "free_shipping"}), order=make_order(shipping_amount=0))
    assert error.code == "no_applicable_items"
    assert "shipping" in error.message


def test_given_fixed_price_when_items_already_cheaper_then_no_applicable_items() -> None:
    campaign = make_campaign({"type": "fixed_price", "price": 5_000}, currency="EUR")
    error = rejected(campaign=campaign, order=make_order(4_000, items=[item("book", 4_000)]))
    assert error.code == "no_applicable_items"
    assert error.details == {"base_amount": 4_000, "order_amount": 4_000}


def test_given_zero_order_when_percent_then_no_applicable_items() -> None:
    assert rejected(order=make_order(0)).code == "no_applicable_items"


def test_given_only_free_lines_when_percent_then_no_applicable_items() -> None:
    assert rejected(order=make_order(0, items=[item("sample", 0, 3)])).code == "no_applicable_items"


def test_given_gift_card_when_order_is_zero_then_no_applicable_items() -> None:
    campaign = make_campaign({"type": "gift_card", "balance": 5_000}, currency="EUR")
    assert rejected(campaign=campaign, order=make_order(0)).code == "no_applicable_items"


def test_given_gift_card_when_balance_spent_then_gift_card_balance_exhausted() -> None:
    campaign = make_campaign({"type": "gift_card", "balance": 5_000}, currency="EUR")
    error = rejected(campaign=campaign, code=make_code(balance=0))
    assert error.code == "gift_card_balance_exhausted"
    assert error.details == {"balance": 0}


# --- check order ---------------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    """A request failing every rule at once; fixing the rules one by one must reveal them in the documented order."""

    campaign: dict[str, Any] = field(
        default_factory=lambda: {
            "discount": {"type": "gift_card", "balance": 5_000},
            "enabled": False,
            "redemptions": 10,
            "starts_at": NOW + timedelta(hours=1),
            "expires_at": NOW + timedelta(days=2),
            "days_of_week": ["mon"],
            "max_redemptions": 10,
            "max_redemptions_per_customer": 1,
            "new_customers_only": True,
            "currency": "EUR",
            "countries": ["IT"],
            "min_order_amount": 5_000,
            "include_skus": ["book"],
        }
    )
    code: dict[str, Any] = field(
        default_factory=lambda: {
            "customer_id": "cus_owner",
            "expires_at": NOW - timedelta(hours=1),
            "balance": 0,
            "disabled_at": NOW - timedelta(days=2),
            "switched_off_at": NOW - timedelta(days=1),
        }
    )
    customer_id: str | None = None
    customer: CustomerFacts = field(default_factory=lambda: CustomerFacts(order_count=3, campaign_redemptions=1))
    order: dict[str, Any] = field(
        default_factory=lambda: {"amount": 1_000, "currency": "USD", "country": "FR", "items": [item("mug", 1_000)]}
    )

    def evaluate(self) -> Effect:
        return evaluate(
            make_campaign(**self.campaign),
            make_code(**self.code),
            self.customer_id,
            self.customer,
            Order(**self.order),
            NOW,
        )


FIXES: list[tuple[str, Any]] = [
    ("campaign_disabled", lambda s: s.campaign.update(enabled=True)),
    ("coupon_disabled", lambda s: s.code.update(disabled_at=None)),
    ("code_disabled", lambda s: s.code.update(switched_off_at=None)),
    ("coupon_not_active_yet", lambda s: s.campaign.update(starts_at=NOW - timedelta(days=1))),
    ("coupon_expired", lambda s: s.code.update(expires_at=None)),
    ("coupon_not_active_now", lambda s: s.campaign.update(days_of_week=["fri"])),
    ("customer_required", lambda s: setattr(s, "customer_id", "cus_1")),
    ("customer_not_allowed", lambda s: s.code.update(customer_id="cus_1")),
    ("currency_mismatch", lambda s: s.order.update(currency="EUR")),
    ("country_not_allowed", lambda s: s.order.update(country="IT")),
    ("order_below_minimum", lambda s: s.order.update(amount=6_000)),
    ("redemption_limit_reached", lambda s: s.campaign.update(redemptions=9)),
    ("customer_limit_reached", lambda s: setattr(s, "customer", CustomerFacts(order_count=3))),
    ("not_new_customer", lambda s: setattr(s, "customer", CustomerFacts())),
    ("no_applicable_items", lambda s: s.order.update(items=[item("book", 6_000)])),
    ("gift_card_balance_exhausted", lambda s: s.code.update(balance=2_500)),
]


def test_given_everything_wrong_when_fixed_one_by_one_then_refusals_come_in_documented_order() -> None:
    scenario = Scenario()
    seen = []
    for expected, fix in FIXES:
        with pytest.raises(CouponRejected) as caught:
            scenario.evaluate()
        seen.append(caught.value.code)
        assert caught.value.code == expected, seen
        fix(scenario)
    effect = scenario.evaluate()
    assert effect.discount_amount == effect.gift_card_amount == 2_500
    assert set(COUPON_ERRORS) - set(seen) == {"coupon_not_found"}  # found-ness is the service's job


# --- discount types ------------------------------------------------------------------------------------------------


def test_given_percent_when_no_items_then_base_excludes_shipping() -> None:
    effect = run(order=make_order(10_500, shipping_amount=500))
    assert effect == Effect(discount_amount=1_000, order_amount_after=9_500, applicable_items=[])


def test_given_percent_when_fraction_of_a_cent_then_rounded_half_up() -> None:
    campaign = make_campaign({"type": "percent", "percent_off": "12.5"})
    assert run(campaign=campaign, order=make_order(4)).discount_amount == 1  # 0.5 -> 1
    assert run(campaign=campaign, order=make_order(12)).discount_amount == 2  # 1.5 -> 2
    assert run(campaign=campaign, order=make_order(11)).discount_amount == 1  # 1.375 -> 1


def test_given_percent_with_limit_when_discount_larger_then_capped() -> None:
    campaign = make_campaign({"type": "percent", "percent_off": "50", "amount_limit": 2_000})
    assert run(campaign=campaign).discount_amount == 2_000


def test_given_percent_when_items_then_split_over_lines_proportionally() -> None:
    order = make_order(3_500, shipping_amount=500, items=[item("book", 1_000, 2), item("pen", 1_000)])
    effect = run(order=order)
    assert effect.discount_amount == 300
    assert effect.order_amount_after == 3_200
    assert [(line.sku, line.quantity, line.amount, line.discount_amount) for line in effect.applicable_items] == [
        ("book", 2, 2_000, 200),
        ("pen", 1, 1_000, 100),
    ]


def test_given_hundred_percent_when_evaluated_then_whole_base_free_but_not_shipping() -> None:
    campaign = make_campaign({"type": "percent", "percent_off": "100"})
    order = make_order(3_000, shipping_amount=500, items=[item("book", 2_500)])
    assert run(campaign=campaign, order=order).order_amount_after == 500


def test_given_amount_off_when_base_larger_then_amount_off() -> None:
    campaign = make_campaign({"type": "amount", "amount_off": 1_500}, currency="EUR")
    effect = run(campaign=campaign, order=make_order(items=[item("book", 10_000)]))
    assert (effect.discount_amount, effect.order_amount_after) == (1_500, 8_500)
    assert effect.applicable_items[0].discount_amount == 1_500


def test_given_amount_off_when_base_smaller_then_whole_base() -> None:
    campaign = make_campaign({"type": "amount", "amount_off": 5_000}, currency="EUR", include_categories=["books"])
    order = make_order(5_000, items=[item("novel", 1_200, categories=["books"]), item("mug", 3_800)])
    effect = run(campaign=campaign, order=order)
    assert effect.discount_amount == 1_200
    assert [line.sku for line in effect.applicable_items] == ["novel"]


def test_given_fixed_price_when_items_cost_more_then_pay_the_price() -> None:
    campaign = make_campaign({"type": "fixed_price", "price": 2_000}, currency="EUR", include_skus=["a", "b"])
    order = make_order(4_500, shipping_amount=500, items=[item("a", 1_500), item("b", 1_500), item("c", 1_000)])
    effect = run(campaign=campaign, order=order)
    assert effect.discount_amount == 1_000
    assert [line.discount_amount for line in effect.applicable_items] == [500, 500]


def test_given_free_shipping_when_shipping_charged_then_shipping_off_and_lines_untouched() -> None:
    order = make_order(3_490, shipping_amount=490, items=[item("book", 3_000)])
    effect = run(campaign=make_campaign({"type": "free_shipping"}), order=order)
    assert (effect.discount_amount, effect.order_amount_after) == (490, 3_000)
    assert [line.discount_amount for line in effect.applicable_items] == [0]
    assert effect.gift_card_amount == 0


def test_given_free_shipping_with_filter_when_no_qualifying_item_then_no_applicable_items() -> None:
    campaign = make_campaign({"type": "free_shipping"}, include_categories=["books"])
    order = make_order(3_490, shipping_amount=490, items=[item("mug", 3_000)])
    assert rejected(campaign=campaign, order=order).code == "no_applicable_items"


def test_given_unit_discount_when_sku_in_several_lines_then_cheapest_units_free() -> None:
    campaign = make_campaign({"type": "unit", "sku": "tea", "quantity": 3})
    order = make_order(
        10_000, items=[item("tea", 500, 1), item("mug", 100, 5), item("tea", 300, 2), item("tea", 400, 4)]
    )
    effect = run(campaign=campaign, order=order)
    assert effect.discount_amount == 300 * 2 + 400
    assert [(line.sku, line.amount, line.discount_amount) for line in effect.applicable_items] == [
        ("tea", 500, 0),
        ("tea", 600, 600),
        ("tea", 1_600, 400),
    ]


def test_given_unit_discount_when_fewer_units_than_free_quantity_then_all_units_free() -> None:
    campaign = make_campaign({"type": "unit", "sku": "tea", "quantity": 5})
    effect = run(campaign=campaign, order=make_order(items=[item("tea", 250, 2)]))
    assert effect.discount_amount == 500


def test_given_unit_discount_when_order_amount_below_units_value_then_capped_at_order_amount() -> None:
    campaign = make_campaign({"type": "unit", "sku": "tea", "quantity": 2})
    effect = run(campaign=campaign, order=make_order(700, items=[item("tea", 400, 1), item("tea", 500, 1)]))
    assert effect.discount_amount == 700
    assert effect.order_amount_after == 0
    assert sum(line.discount_amount for line in effect.applicable_items) == 700


def test_given_gift_card_when_balance_exceeds_order_then_whole_order_incl_shipping_paid() -> None:
    campaign = make_campaign({"type": "gift_card", "balance": 50_000}, currency="EUR")
    order = make_order(3_500, shipping_amount=500, items=[item("book", 3_000)])
    effect = run(campaign=campaign, code=make_code(balance=20_000), order=order)
    assert (effect.discount_amount, effect.gift_card_amount, effect.order_amount_after) == (3_500, 3_500, 0)
    assert effect.applicable_items[0].discount_amount == 3_000  # the other 500 paid the shipping


def test_given_gift_card_when_balance_below_order_then_balance_spent() -> None:
    campaign = make_campaign({"type": "gift_card", "balance": 50_000}, currency="EUR")
    effect = run(campaign=campaign, code=make_code(balance=1_234))
    assert (effect.discount_amount, effect.gift_card_amount, effect.order_amount_after) == (1_234, 1_234, 8_766)


def test_given_gift_card_when_code_balance_unset_then_starting_balance() -> None:
    campaign = make_campaign({"type": "gift_card", "balance": 2_000}, currency="EUR")
    assert run(campaign=campaign, code=make_code(balance=None)).gift_card_amount == 2_000


def test_given_gift_card_with_item_filter_when_evaluated_then_pays_only_applicable_lines() -> None:
    campaign = make_campaign({"type": "gift_card", "balance": 50_000}, currency="EUR", include_categories=["books"])
    order = make_order(
        4_500, shipping_amount=500, items=[item("novel", 3_000, categories=["books"]), item("mug", 1_000)]
    )
    effect = run(campaign=campaign, code=make_code(balance=50_000), order=order)
    assert (effect.discount_amount, effect.order_amount_after) == (3_000, 1_500)


def test_given_lines_worth_more_than_order_amount_when_discounted_then_capped_at_order_amount() -> None:
    campaign = make_campaign({"type": "amount", "amount_off": 5_000}, currency="EUR")
    effect = run(campaign=campaign, order=make_order(3_000, items=[item("book", 10_000)]))
    assert (effect.discount_amount, effect.order_amount_after) == (3_000, 0)


def test_given_other_discount_types_when_evaluated_then_no_gift_card_amount() -> None:
    assert run().gift_card_amount == 0


# --- filters, allocation and percentages ---------------------------------------------------------------------------


def test_applicable_lines_include_by_sku_or_category_and_exclusion_wins() -> None:
    order = make_order(
        items=[
            item("novel", 100, categories=["books"]),
            item("atlas", 100, categories=["books", "sale"]),
            item("mug", 100, categories=["kitchen"]),
            item("pen", 100),
        ]
    )
    rules = Rules(include_skus=["pen"], include_categories=["books"], exclude_categories=["sale"])
    assert [line.sku for line in applicable_lines(rules, order.items)] == ["novel", "pen"]
    assert [line.sku for line in applicable_lines(Rules(exclude_skus=["mug"]), order.items)] == [
        "novel",
        "atlas",
        "pen",
    ]
    assert len(applicable_lines(Rules(), order.items)) == 4


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (2, [1, 1, 1], [1, 1, 0]),
        (10, [0, 5, 5], [0, 5, 5]),
        (7, [3, 0, 4], [3, 0, 4]),
        (5, [1, 2, 3, 4], [1, 1, 1, 2]),
        (0, [1, 2], [0, 0]),
        (0, [0, 0], [0, 0]),
        (0, [], []),
    ],
)
def test_allocate_uses_largest_remainder(total: int, weights: list[int], expected: list[int]) -> None:
    assert allocate(total, weights) == expected


@pytest.mark.parametrize(
    ("base", "percent", "expected"),
    [(1_999, "10", 200), (4, "12.5", 1), (1, "50", 1), (1, "49.99", 0), (10**12, "33.33", 333_300_000_000)],
)
def test_percent_of_rounds_half_up(base: int, percent: str, expected: int) -> None:
    assert percent_of(base, Decimal(percent)) == expected
