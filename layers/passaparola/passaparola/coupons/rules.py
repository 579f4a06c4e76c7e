"""Pure coupon rules: is a code valid for this customer, order and moment, and what does it take off the cart.

Nothing here does I/O or reads the clock: the service passes in the campaign, code, customer facts, order and `now`,
so every rule can be tested exhaustively with plain data. All money is integer minor units (cents).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from passaparola.campaigns.models import DiscountCampaign
from passaparola.coupons.models import WEEKDAYS, ApplicableItem, Code, Order, OrderItem, Rules
from passaparola.errors import CouponRejected


@dataclass(frozen=True)
class CustomerFacts:
    """What the store knows about the customer, looked up by the service before evaluating."""

    order_count: int = 0
    """Orders the customer made before this one."""
    campaign_redemptions: int = 0
    """This customer's redemptions in this campaign, net of rollbacks."""


@dataclass(frozen=True)
class Effect:
    """The effect of a valid coupon on the cart."""

    discount_amount: int
    """Minor units, 0 < discount_amount <= order.amount."""
    order_amount_after: int
    """order.amount - discount_amount, never negative."""
    applicable_items: list[ApplicableItem]
    """The order lines the coupon applies to, each with its share of the discount."""
    gift_card_amount: int = 0
    """How much of the gift-card balance this spends (equals the discount for gift cards, else 0)."""


def code_expires_at(rules: Rules, issued_at: datetime | None) -> datetime | None:
    """When a code stops being valid: the earlier of `rules.expires_at` and `issued_at + valid_days_after_issue`.

    A code that was never issued (no `issued_at`) only has the campaign's end date.
    """
    candidates = [rules.expires_at]
    if issued_at is not None and rules.valid_days_after_issue is not None:
        candidates.append(_aware(issued_at) + timedelta(days=rules.valid_days_after_issue))
    return _earliest(candidates)


def evaluate(
    campaign: DiscountCampaign,
    code: Code,
    customer_id: str | None,
    customer: CustomerFacts | None,
    order: Order,
    now: datetime,
    email_hash: str | None = None,
) -> Effect:
    """Raise `CouponRejected` for the first failing rule, else return the effect on the cart.

    `email_hash`: the keyed hash of the cart's normalised email (the service hashes it), for friend coupons.

    The rules are checked in a fixed order (cheapest and most general first) so the same request always gets the
    same refusal; the order is part of the API contract.
    """
    rules = campaign.rules
    now = _aware(now)
    facts = customer or CustomerFacts()

    if not campaign.enabled:
        raise CouponRejected("campaign_disabled", details={"campaign_id": campaign.id})
    if code.disabled_at is not None:
        raise CouponRejected("coupon_disabled", details={"disabled_at": code.disabled_at.isoformat()})
    if code.switched_off_at is not None:
        raise CouponRejected("code_disabled", details={"switched_off_at": code.switched_off_at.isoformat()})
    _check_time(rules, code, now)
    if code.bound_email_hash is not None:
        check_friend(code, customer_id, email_hash)
    else:
        _check_customer(rules, code, customer_id)
    _check_order(rules, order)
    _check_limits(campaign, code, facts)
    return _effect(campaign, code, order)


# --- rule checks, in evaluation order ------------------------------------------------------------------------------


def _check_time(rules: Rules, code: Code, now: datetime) -> None:
    if rules.starts_at is not None and now < rules.starts_at:
        raise CouponRejected("coupon_not_active_yet", details={"starts_at": rules.starts_at.isoformat()})
    expires = _earliest([code_expires_at(rules, code.issued_at), code.expires_at])
    if expires is not None and now >= expires:
        raise CouponRejected("coupon_expired", details={"expired_at": expires.isoformat()})
    if rules.days_of_week is None and rules.hours is None:
        return
    local = now.astimezone(ZoneInfo(rules.timezone))
    day = WEEKDAYS[local.weekday()]
    if (rules.days_of_week is not None and day not in rules.days_of_week) or (
        rules.hours is not None and local.hour not in rules.hours
    ):
        raise CouponRejected(
            "coupon_not_active_now",
            details={
                "timezone": rules.timezone,
                "local_time": local.isoformat(),
                "days_of_week": rules.days_of_week,
                "hours": rules.hours,
            },
        )


def _check_customer(rules: Rules, code: Code, customer_id: str | None) -> None:
    if customer_id is None:
        reasons = [
            name
            for name, needed in (
                ("customer_bound_code", code.customer_id is not None),
                ("max_redemptions_per_customer", rules.max_redemptions_per_customer is not None),
                ("new_customers_only", rules.new_customers_only),
            )
            if needed
        ]
        if reasons:
            raise CouponRejected("customer_required", details={"required_by": reasons})
    elif code.customer_id is not None and code.customer_id != customer_id:
        # The owner's id is deliberately not echoed back: it would leak who holds the code.
        raise CouponRejected("customer_not_allowed")


def check_friend(code: Code, customer_id: str | None, email_hash: str | None) -> None:
    """A friend coupon is the friend's: the customer it became bound to, or before that the email it was issued
    to. Once bound to a customer, another customer id is refused even with the right email; the referrer never
    redeems their own friend's coupon (it is issued to any email that asks: the order judges)."""
    if customer_id is not None and customer_id == code.referrer_id:
        raise CouponRejected("customer_not_allowed")
    if customer_id is not None and code.customer_id is not None:
        if customer_id != code.customer_id:
            raise CouponRejected("customer_not_allowed")
        return
    if email_hash is None or email_hash != code.bound_email_hash:
        raise CouponRejected("customer_not_allowed")


def _check_order(rules: Rules, order: Order) -> None:
    if rules.currency is not None and rules.currency != order.currency:
        raise CouponRejected(
            "currency_mismatch", details={"currency": rules.currency, "order_currency": order.currency}
        )
    if rules.countries is not None and order.country not in rules.countries:
        raise CouponRejected(
            "country_not_allowed", details={"countries": rules.countries, "order_country": order.country}
        )
    if rules.min_order_amount is not None and order.amount < rules.min_order_amount:
        raise CouponRejected(
            "order_below_minimum",
            details={"min_order_amount": rules.min_order_amount, "order_amount": order.amount},
        )


def per_code_limit(campaign: DiscountCampaign, code: Code) -> int | None:
    """A code a re-engagement message issued, or a friend coupon, is single-use whatever its campaign allows."""
    if code.message_id or code.referral_code:
        return 1
    return campaign.rules.max_redemptions_per_code


def hot_shards(campaign: DiscountCampaign) -> int:
    """How many shards count the campaign's redemptions (0: its own item does, as for any campaign)."""
    return campaign.rules.hot_shards or 0


def shared_code(code: Code) -> bool:
    """A code anyone may use with nothing of its own to guard (no owner, balance, message or referral): on a hot
    campaign its redemptions do not write its item, the one item every shopper of a flash sale would share."""
    return not (code.customer_id or code.bound_email_hash or code.message_id or code.referral_code) and (
        code.balance is None
    )


def new_customers_only(campaign: DiscountCampaign, code: Code) -> bool:
    """A friend coupon is for a first order whatever its campaign says."""
    return campaign.rules.new_customers_only or code.referral_code is not None


def _check_limits(campaign: DiscountCampaign, code: Code, facts: CustomerFacts) -> None:
    rules = campaign.rules
    if rules.max_redemptions is not None and campaign.stats.redemptions >= rules.max_redemptions:
        raise CouponRejected(
            "redemption_limit_reached",
            details={"limit": "campaign", "max_redemptions": rules.max_redemptions},
        )
    per_code = per_code_limit(campaign, code)
    if per_code is not None and code.redemptions >= per_code:
        raise CouponRejected(
            "redemption_limit_reached", details={"limit": "code", "max_redemptions_per_code": per_code}
        )
    if (
        rules.max_redemptions_per_customer is not None
        and facts.campaign_redemptions >= rules.max_redemptions_per_customer
    ):
        raise CouponRejected(
            "customer_limit_reached",
            details={
                "max_redemptions_per_customer": rules.max_redemptions_per_customer,
                "customer_redemptions": facts.campaign_redemptions,
            },
        )
    if new_customers_only(campaign, code) and facts.order_count > 0:
        raise CouponRejected("not_new_customer", details={"order_count": facts.order_count})


# --- discount arithmetic -------------------------------------------------------------------------------------------


def applicable_lines(rules: Rules, items: Sequence[OrderItem]) -> list[OrderItem]:
    """The order lines that pass the campaign's SKU and category filters (all lines when there are none).

    A line passes an include filter when its SKU is in `include_skus` or any of its categories is in
    `include_categories`; an exclude filter (SKU or category) removes it, and exclusion wins over inclusion.
    """
    if not rules.filters_items:
        return list(items)
    include_skus = set(rules.include_skus or ())
    include_categories = set(rules.include_categories or ())
    exclude_skus = set(rules.exclude_skus or ())
    exclude_categories = set(rules.exclude_categories or ())
    has_include = bool(include_skus or include_categories)
    lines = []
    for item in items:
        categories = set(item.categories)
        if has_include and item.sku not in include_skus and not categories & include_categories:
            continue
        if item.sku in exclude_skus or categories & exclude_categories:
            continue
        lines.append(item)
    return lines


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` over `weights` proportionally, as integers that sum exactly to `total` (largest remainder).

    Shops need each line's share for partial refunds, and cents must not appear or vanish. Ties in the remainder go
    to the earlier line, so the split is deterministic. With `0 <= total <= sum(weights)` no share exceeds its
    weight. All weights 0 gives all shares 0 (then `total` must be 0).
    """
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights)
    shares = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    left = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def percent_of(base: int, percent: Decimal) -> int:
    """`base * percent / 100` rounded half up, exactly (integer arithmetic on the decimal's ratio, no floats)."""
    numerator, denominator = percent.as_integer_ratio()
    denominator *= 100
    return (2 * base * numerator + denominator) // (2 * denominator)


def _effect(campaign: DiscountCampaign, code: Code, order: Order) -> Effect:
    """The discount and its per-line split; raises `no_applicable_items` / `gift_card_balance_exhausted`.

    Decisions, so shops can rely on them:
    - Lines: the lines passing the filters. An order without items has no lines: with item filters nothing can
      qualify; without, the base is `order.amount - shipping_amount` and `applicable_items` is empty.
    - `free_shipping` takes off the shipping; it is not split over lines (every line's share is 0), since refunding
      an item does not refund the shipping.
    - `gift_card` pays for the whole order including shipping (`min(balance, order.amount)`) when the campaign has
      no item filters, else for the applicable lines only. Its line shares cover at most the lines' total; what is
      left of the discount paid for shipping and other charges outside the lines.
    - `unit` lists only the lines of its SKU and puts the whole discount on them, cheapest units first.
    - A discount is never above `order.amount`; a discount of 0 is a refusal (`no_applicable_items`).
    """
    discount = campaign.discount
    rules = campaign.rules
    lines = applicable_lines(rules, order.items)
    if (order.items or rules.filters_items) and not lines:
        raise CouponRejected("no_applicable_items", "No item in the order passes the campaign's product filters.")
    totals = [line.quantity * line.unit_price for line in lines]
    base = sum(totals) if order.items else max(0, order.amount - order.shipping_amount)
    weights = totals

    match discount.type:
        case "percent":
            amount = percent_of(base, discount.percent_off)
            if discount.amount_limit is not None:
                amount = min(amount, discount.amount_limit)
        case "amount":
            amount = min(discount.amount_off, base)
        case "fixed_price":
            amount = max(0, base - discount.price)
        case "free_shipping":
            if order.shipping_amount == 0:
                raise CouponRejected("no_applicable_items", "The order has no shipping cost to take off.")
            amount = order.shipping_amount
            weights = [0] * len(lines)
        case "unit":
            lines, weights = _free_units(lines, discount.sku, discount.quantity)
            if not lines:
                raise CouponRejected(
                    "no_applicable_items",
                    f"The order has no applicable line with SKU {discount.sku!r}.",
                    details={"sku": discount.sku},
                )
            totals = [line.quantity * line.unit_price for line in lines]
            amount = sum(weights)
        case "gift_card":
            paid = order.amount if not rules.filters_items else base
            if paid == 0:
                raise CouponRejected("no_applicable_items", "There is nothing to pay in this order.")
            balance = discount.balance if code.balance is None else code.balance
            if balance <= 0:
                raise CouponRejected("gift_card_balance_exhausted", details={"balance": balance})
            amount = min(balance, paid)
        case _:  # pragma: no cover - the Discount union is closed
            raise AssertionError(f"unknown discount type {discount.type!r}")

    amount = min(amount, order.amount)
    if amount <= 0:
        raise CouponRejected(
            "no_applicable_items",
            "The coupon takes nothing off this order.",
            details={"base_amount": base, "order_amount": order.amount},
        )
    split_total = min(amount, sum(weights))
    shares = allocate(split_total, weights)
    items = [
        ApplicableItem(sku=line.sku, quantity=line.quantity, amount=total, discount_amount=share)
        for line, total, share in zip(lines, totals, shares, strict=True)
    ]
    return Effect(
        discount_amount=amount,
        order_amount_after=order.amount - amount,
        applicable_items=items,
        gift_card_amount=amount if discount.type == "gift_card" else 0,
    )


def _free_units(lines: Sequence[OrderItem], sku: str, quantity: int) -> tuple[list[OrderItem], list[int]]:
    """The lines of `sku` and the value of the free units on each, taking the cheapest units first."""
    own = [line for line in lines if line.sku == sku]
    values = [0] * len(own)
    left = quantity
    for index in sorted(range(len(own)), key=lambda i: (own[i].unit_price, i)):
        free = min(left, own[index].quantity)
        values[index] = free * own[index].unit_price
        left -= free
    return own, values


# --- time helpers --------------------------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    """Stored datetimes are UTC; a naive one is read as UTC rather than crashing a comparison."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _earliest(moments: Sequence[datetime | None]) -> datetime | None:
    present = [_aware(moment) for moment in moments if moment is not None]
    return min(present, default=None)
