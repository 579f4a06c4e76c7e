"""Coupon engine models: discounts, rules, orders, codes and redemptions (API and domain shapes)."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from passaparola import currencies

Money = Annotated[int, Field(ge=0, le=10**12, description="Integer minor units (cents).")]
PositiveMoney = Annotated[int, Field(gt=0, le=10**12, description="Integer minor units (cents).")]
Currency = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", description="ISO-4217 code in use, e.g. EUR."),
    AfterValidator(currencies.check_code),
]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO-3166 alpha-2 code, e.g. IT.")]
Sku = Annotated[str, Field(min_length=1, max_length=128)]

CUSTOMER_ID_PATTERN = r"^[A-Za-z0-9_.:@+-]+$"
"""The stricter shape of customer-profile routes (`/v1/customers/{id}`, `POST /v1/events`), as before 0.x."""
ANY_CUSTOMER_ID_PATTERN = r"^[^#\x00-\x1f\x7f]+$"
"""Any id a shop may use (`auth0|abc`, `gid://shopify/Customer/1`) but `#`, the separator of every composite
key (so no `segchanges#<day>` either), and control characters."""
RESERVED_CUSTOMER_IDS = frozenset({"segments", "config", "segchanges", "stats", "shop"})
"""Partition keys the engine keeps for itself in tables keyed by customer id (`segments` and `config` in the
customers table, `segchanges#<day>`; `stats` and `shop` kept free). A customer named so would read and
overwrite shop-wide items."""


def check_customer_id(value: str) -> str:
    if value.lower() in RESERVED_CUSTOMER_IDS:
        raise ValueError(f"'{value}' is reserved; customer ids may not be {', '.join(sorted(RESERVED_CUSTOMER_IDS))}")
    return value


CustomerIdStr = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        pattern=ANY_CUSTOMER_ID_PATTERN,
        description="The shop's id for the customer: 1-128 characters, no `#` or control characters.",
    ),
    AfterValidator(check_customer_id),
]
"""A customer id in a body (orders, coupons, referrals, codes): whatever the shop uses, minus what collides."""
ProfileCustomerIdStr = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=CUSTOMER_ID_PATTERN, description="The shop's id for the customer."),
    AfterValidator(check_customer_id),
]
"""A customer id of the profile routes (`POST /v1/events`; `api.params.CustomerIdPath` in their paths)."""
Category = Annotated[str, Field(min_length=1, max_length=128)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Strict(BaseModel):
    """Base for request models: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# A JSON number both ways (a Decimal would be documented as a string); at most two decimals.
PERCENT_SCHEMA = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": 100,
    "description": "Up to 2 decimals, e.g. 12.5.",
}


class PercentDiscount(Strict):
    type: Literal["percent"]
    percent_off: Annotated[
        Decimal,
        Field(gt=0, le=100, decimal_places=2),
        PlainSerializer(lambda d: int(d) if d == d.to_integral_value() else float(d), when_used="json"),
        WithJsonSchema(PERCENT_SCHEMA),
    ]
    amount_limit: PositiveMoney | None = Field(None, description="Cap on the discount, minor units.")


class AmountDiscount(Strict):
    type: Literal["amount"]
    amount_off: PositiveMoney


class FixedPriceDiscount(Strict):
    type: Literal["fixed_price"]
    price: Money = Field(description="What the applicable items cost in total with the coupon.")


class FreeShippingDiscount(Strict):
    type: Literal["free_shipping"]


class UnitDiscount(Strict):
    type: Literal["unit"]
    sku: Sku
    quantity: int = Field(1, ge=1, le=1000, description="How many units of the SKU become free.")


class GiftCardDiscount(Strict):
    type: Literal["gift_card"]
    balance: PositiveMoney = Field(description="Starting balance of each code, spent across orders.")


Discount = Annotated[
    PercentDiscount | AmountDiscount | FixedPriceDiscount | FreeShippingDiscount | UnitDiscount | GiftCardDiscount,
    Field(discriminator="type"),
]
MONEY_DISCOUNTS = ("amount", "fixed_price", "gift_card")


def needs_currency(discount: Discount) -> bool:
    """Money in minor units means nothing without its currency: money discounts, and a percent one's cap."""
    return discount.type in MONEY_DISCOUNTS or (
        isinstance(discount, PercentDiscount) and discount.amount_limit is not None
    )


def _utc(value: datetime) -> datetime:
    """To UTC, within years 1970-9000 (beyond, date arithmetic would overflow: a 400, never a 500)."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the date is out of range") from exc
    if not 1970 <= utc.year <= 9000:
        raise ValueError("the year must be between 1970 and 9000")
    return utc


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
"""Any offset is accepted on input; the API stores and answers in UTC."""


def _timezone(value: str) -> str:
    if value != "UTC" and value not in available_timezones():
        raise ValueError("unknown IANA time zone")
    return value


HOT_SHARDS_MAX = 32
"""A hot campaign's edit writes it and every shard in one transaction (≤ 100 items)."""


class Rules(Strict):
    """When, for whom and on what a campaign's codes are valid. Every rule is optional."""

    starts_at: UtcDatetime | None = None
    expires_at: UtcDatetime | None = None
    days_of_week: list[Weekday] | None = Field(None, min_length=1, max_length=7)
    hours: list[Annotated[int, Field(ge=0, le=23)]] | None = Field(
        None, min_length=1, max_length=24, description="Hours of day (0-23, in `timezone`) when codes are valid."
    )
    timezone: Annotated[str, AfterValidator(_timezone)] = Field("UTC", description="IANA zone for days and hours.")
    max_redemptions: int | None = Field(None, ge=1, description="Campaign total, all codes together.")
    max_redemptions_per_code: int | None = Field(None, ge=1)
    max_redemptions_per_customer: int | None = Field(None, ge=1)
    min_order_amount: Money | None = None
    currency: Currency | None = None
    countries: list[Country] | None = Field(None, min_length=1)
    include_skus: list[Sku] | None = None
    exclude_skus: list[Sku] | None = None
    include_categories: list[Category] | None = None
    exclude_categories: list[Category] | None = None
    new_customers_only: bool = False
    valid_days_after_issue: int | None = Field(None, ge=1, le=3650)
    hot_shards: int | None = Field(
        None,
        ge=2,
        le=HOT_SHARDS_MAX,
        description="A flash sale: count the campaign's redemptions on this many shards (each takes ~500 "
        "redemptions/s) sharing `max_redemptions` exactly. Needs `max_redemptions`, excludes "
        "`max_redemptions_per_code`; once set it can grow, not shrink or be removed.",
    )

    @model_validator(mode="after")
    def _window(self) -> "Rules":
        if self.starts_at and self.expires_at and self.expires_at <= self.starts_at:
            raise ValueError("expires_at must be after starts_at")
        return self

    @model_validator(mode="after")
    def _hot(self) -> "Rules":
        if self.hot_shards and self.max_redemptions is None:
            raise ValueError("hot_shards needs max_redemptions: the cap the shards share")
        if self.hot_shards and self.max_redemptions_per_code is not None:
            raise ValueError("hot_shards excludes max_redemptions_per_code: a per-code counter is one hot item")
        return self

    @property
    def filters_items(self) -> bool:
        return bool(self.include_skus or self.exclude_skus or self.include_categories or self.exclude_categories)


class OrderItem(Strict):
    sku: Sku
    quantity: int = Field(ge=1, le=100000)
    unit_price: Money
    categories: list[Category] = Field(default_factory=list)


class Order(Strict):
    """The cart a coupon is checked against; `id` is required to redeem."""

    id: str | None = Field(None, min_length=1, max_length=128)
    amount: Money = Field(description="Order total before the coupon, minor units.")
    currency: Currency
    country: Country | None = None
    shipping_amount: Money = 0
    items: list[OrderItem] = Field(default_factory=list, max_length=500)


def normalize_code(value: str) -> str:
    """Codes are case-insensitive and trimmed: the stored and looked-up form."""
    return value.strip().upper()


CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{0,63}$"


def _code(value: str) -> str:
    import re

    normalized = normalize_code(value)
    if not re.fullmatch(CODE_PATTERN, normalized):
        raise ValueError("a code is 1-64 characters: letters A-Z, digits, '-' or '_'")
    return normalized


# The pattern documents (and checks first) what _code enforces: case and surrounding spaces do not matter.
CodeStr = Annotated[
    str, Field(pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9_-]{0,63}\s*$", examples=["SUMMER-10"]), AfterValidator(_code)
]


class ValidateRequest(Strict):
    code: CodeStr
    customer_id: CustomerIdStr | None = None
    email: str | None = Field(
        None,
        min_length=3,
        max_length=320,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="The customer's email: a friend coupon (bound to an email) needs it, or the customer id it "
        "became bound to.",
    )
    order: Order


class RedeemRequest(ValidateRequest):
    @field_validator("order")
    @classmethod
    def _order_id(cls, order: Order) -> Order:
        if not order.id:
            raise ValueError("order.id is required to redeem")
        return order


class ApplicableItem(BaseModel):
    sku: str
    quantity: int
    amount: int = Field(description="Line total before the discount, minor units.")
    discount_amount: int = Field(description="This line's share of the discount, minor units.")


class CouponError(BaseModel):
    code: str
    message: str


class Validation(BaseModel):
    """The answer of validate: either valid with the effect on the cart, or the refusal."""

    valid: bool
    code: str
    campaign_id: str | None = None
    currency: str | None = None
    discount_amount: int | None = None
    order_amount_after: int | None = None
    applicable_items: list[ApplicableItem] | None = None
    error: CouponError | None = None


class Code(BaseModel):
    """A coupon code of a discount campaign."""

    code: str
    campaign_id: str
    customer_id: str | None = None
    batch_id: str | None = None
    created_at: datetime
    issued_at: datetime | None = None
    expires_at: datetime | None = Field(
        None, description="An expiry set on this code alone; campaign dates and valid_days_after_issue also apply."
    )
    redemptions: int = 0
    balance: int | None = Field(None, description="Remaining gift-card balance, minor units.")
    message_id: str | None = Field(None, description="The re-engagement message that issued this code.")
    disabled_at: datetime | None = Field(
        None, description="When the code was disabled (its referral reward's order was refunded): it no longer redeems."
    )
    switched_off_at: datetime | None = Field(
        None,
        description="When the shop switched this one code off (POST /v1/codes/{code}/disable): it neither validates "
        "nor redeems (`code_disabled`) until switched on again.",
    )
    referral_code: str | None = Field(
        None, description="A friend coupon: the referral whose friend it was issued to (single use, new customers)."
    )
    bound_email_hash: str | None = Field(
        None, description="A friend coupon: the keyed hash of the email it is bound to (never the email itself)."
    )
    referrer_id: str | None = Field(
        None, description="A friend coupon: the referrer's customer id, which may never redeem it."
    )
    _message_stats: str | None = PrivateAttr(None)
    _reward_stats: str | None = PrivateAttr(None)
    """A referral program's coupon (reward or friend coupon): where its redemption counts (`stats.reward_coupon`)."""


class Redemption(BaseModel):
    id: str
    code: str
    campaign_id: str
    customer_id: str | None = None
    order_id: str
    order_amount: int
    currency: str
    discount_amount: int
    order_amount_after: int
    applicable_items: list[ApplicableItem] = Field(default_factory=list)
    status: Literal["succeeded", "rolled_back"] = "succeeded"
    created_at: datetime
    rolled_back_at: datetime | None = None


class CodeWithUses(Code):
    uses: list[Redemption] = Field(default_factory=list)


class RedemptionPage(BaseModel):
    """Redemptions newest first (rolled-back ones included, with their status)."""

    items: list[Redemption]
    next_cursor: str | None = None
