"""Property tests of the discount arithmetic: whatever the cart, money is never created, lost or negative."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from passaparola.campaigns.models import DiscountCampaign
from passaparola.coupons.models import Code, Order, OrderItem, Rules
from passaparola.coupons.rules import CustomerFacts, Effect, allocate, applicable_lines, evaluate, percent_of
from passaparola.errors import CouponRejected

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
SKUS = ["a", "b", "c", "d"]
CATEGORIES = ["x", "y", "z"]

prices = st.one_of(st.integers(0, 10_000), st.integers(0, 10**12))
items = st.builds(
    OrderItem,
    sku=st.sampled_from(SKUS),
    quantity=st.integers(1, 20),
    unit_price=prices,
    categories=st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
)
maybe_skus = st.none() | st.lists(st.sampled_from(SKUS), min_size=1, max_size=2, unique=True)
maybe_categories = st.none() | st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True)
filters: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {
            "include_skus": maybe_skus,
            "exclude_skus": maybe_skus,
            "include_categories": maybe_categories,
            "exclude_categories": maybe_categories,
        }
    ),
)
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)
money = st.integers(1, 10**12)
discounts = st.one_of(
    st.fixed_dictionaries({"type": st.just("percent"), "percent_off": percents, "amount_limit": st.none() | money}),
    st.fixed_dictionaries({"type": st.just("amount"), "amount_off": money}),
    st.fixed_dictionaries({"type": st.just("fixed_price"), "price": st.integers(0, 10**12)}),
    st.fixed_dictionaries({"type": st.just("free_shipping")}),
    st.fixed_dictionaries({"type": st.just("unit"), "sku": st.sampled_from(SKUS), "quantity": st.integers(1, 30)}),
    st.fixed_dictionaries({"type": st.just("gift_card"), "balance": money}),
)


@st.composite
def orders(draw: st.DrawFn) -> Order:
    lines = draw(st.lists(items, max_size=6))
    shipping = draw(st.integers(0, 2_000))
    lines_total = sum(line.quantity * line.unit_price for line in lines)
    # Usually the order total is lines + shipping; sometimes shops send a total that does not add up.
    amount = draw(st.one_of(st.just(min(lines_total + shipping, 10**12)), st.integers(0, 10**12)))
    return Order(amount=amount, currency="EUR", shipping_amount=shipping, items=lines)


def campaign_of(discount: dict[str, Any], rules: dict[str, Any]) -> DiscountCampaign:
    return DiscountCampaign.model_validate(
        {
            "id": "cmp_1",
            "name": "Property",
            "type": "discount",
            "discount": discount,
            "rules": Rules(currency="EUR", **rules),
            "enabled": True,
            "version": 1,
            "created_at": NOW,
            "updated_at": NOW,
        }
    )


def effect_or_none(campaign: DiscountCampaign, code: Code, order: Order) -> Effect | None:
    """The effect, or None for the two refusals a valid-looking cart may legitimately get."""
    refusal = None
    try:
        return evaluate(campaign, code, "cus_1", CustomerFacts(), order, NOW)
    except CouponRejected as error:
        refusal = error.code
    assert refusal in {"no_applicable_items", "gift_card_balance_exhausted"}
    return None


def base_of(campaign: DiscountCampaign, order: Order) -> int:
    """An independent computation of the discount base, to compare against."""
    if not order.items:
        return max(0, order.amount - order.shipping_amount)
    return sum(line.quantity * line.unit_price for line in applicable_lines(campaign.rules, order.items))


@settings(max_examples=400, deadline=None)
@given(discount=discounts, rules=filters, order=orders(), balance=st.none() | st.integers(0, 10**12))
def test_discount_is_positive_bounded_and_fully_allocated(
    discount: dict[str, Any], rules: dict[str, Any], order: Order, balance: int | None
) -> None:
    campaign = campaign_of(discount, rules)
    code = Code(code="P", campaign_id="cmp_1", created_at=NOW, balance=balance)
    effect = effect_or_none(campaign, code, order)
    if effect is None:
        return
    kind = discount["type"]
    base = base_of(campaign, order)

    assert 0 < effect.discount_amount <= order.amount
    assert effect.order_amount_after == order.amount - effect.discount_amount >= 0
    if kind not in ("free_shipping", "gift_card"):
        assert effect.discount_amount <= base
    for line in effect.applicable_items:
        assert 0 <= line.discount_amount <= line.amount
    shares = sum(line.discount_amount for line in effect.applicable_items)
    lines_total = sum(line.amount for line in effect.applicable_items)

    match kind:
        case "percent":
            exact = (Decimal(base) * discount["percent_off"] / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            expected = min(int(exact), discount["amount_limit"] or int(exact), order.amount)
            assert effect.discount_amount == expected
        case "amount":
            assert effect.discount_amount == min(discount["amount_off"], base, order.amount)
        case "fixed_price":
            assert effect.discount_amount == min(base - discount["price"], order.amount)
        case "free_shipping":
            assert effect.discount_amount == min(order.shipping_amount, order.amount)
            assert shares == 0
        case "unit":
            assert {line.sku for line in effect.applicable_items} == {discount["sku"]}
            assert sum(line.quantity for line in effect.applicable_items) >= 1
        case "gift_card":
            available = discount["balance"] if balance is None else balance
            assert effect.gift_card_amount == effect.discount_amount <= available
            paid = base if campaign.rules.filters_items else order.amount
            assert effect.discount_amount == min(available, paid, order.amount)
            assert shares == min(effect.discount_amount, lines_total)
    if kind != "gift_card":
        assert effect.gift_card_amount == 0
    if kind not in ("free_shipping", "gift_card") and effect.applicable_items:
        assert shares == effect.discount_amount


@settings(max_examples=300, deadline=None)
@given(order=orders(), unit_sku=st.sampled_from(SKUS), free=st.integers(1, 30))
def test_unit_discount_frees_the_cheapest_units(order: Order, unit_sku: str, free: int) -> None:
    campaign = campaign_of({"type": "unit", "sku": unit_sku, "quantity": free}, {})
    effect = effect_or_none(campaign, Code(code="P", campaign_id="cmp_1", created_at=NOW), order)
    if effect is None:
        return
    unit_prices = sorted(
        price for line in order.items if line.sku == unit_sku for price in [line.unit_price] * line.quantity
    )
    assert effect.discount_amount == min(sum(unit_prices[:free]), order.amount)


@given(
    weights=st.lists(st.integers(0, 10**13), max_size=30),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_allocate_sums_exactly_and_never_exceeds_a_weight(weights: list[int], fraction: Fraction) -> None:
    total = int(sum(weights) * fraction)
    shares = allocate(total, weights)
    assert len(shares) == len(weights)
    if sum(weights):
        assert sum(shares) == total
    assert all(0 <= share <= weight for share, weight in zip(shares, weights, strict=True))
    # Proportional: each share is within one unit of its exact value.
    if sum(weights):
        assert all(
            abs(share * sum(weights) - total * weight) < sum(weights)
            for share, weight in zip(shares, weights, strict=True)
        )


@given(base=st.integers(0, 10**20), percent=percents)
def test_percent_of_matches_decimal_round_half_up(base: int, percent: Decimal) -> None:
    with localcontext() as context:
        context.prec = 60
        expected = (Decimal(base) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert percent_of(base, percent) == int(expected)
