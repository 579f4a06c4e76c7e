"""Customer shapes: the profile a shop keeps here, engagement events, computed facts, segments."""

import math
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from passaparola.coupons.models import Country, Currency, ProfileCustomerIdStr, Strict, UtcDatetime

Channel = Literal["email", "sms"]
SegmentName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]

EVENT_TYPES = (
    "email_opened",
    "email_clicked",
    "site_visit",
    "nps_answer",
    "review",
    "social_follow",
    "social_share",
    "profile_completed",
    "custom",
)
EventType = Literal[
    "email_opened",
    "email_clicked",
    "site_visit",
    "nps_answer",
    "review",
    "social_follow",
    "social_share",
    "profile_completed",
    "custom",
]


class Consent(Strict):
    granted: bool
    at: UtcDatetime | None = Field(None, description="When it was given or withdrawn; default: now.")
    source: str | None = Field(None, max_length=64)
    confirmed: bool | None = Field(
        None,
        description="False: given in a browser with only the publishable key (anyone could type anyone's email); "
        "it does not count until the customer clicks the confirmation link sent to them (double opt-in), or the "
        "shop confirms it by PUTting the customer's consent.",
    )
    confirmed_at: UtcDatetime | None = Field(None, description="When the customer confirmed it (double opt-in).")


class Birthday(Strict):
    """Month and day (the year is optional and never needed)."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    year: int | None = Field(None, ge=1900, le=2100)

    @model_validator(mode="after")
    def _real(self) -> "Birthday":
        date(self.year or 2000, self.month, self.day)  # 2000 is a leap year: 29 Feb is a birthday
        return self


class CustomerPut(Strict):
    """`PUT /v1/customers/{id}`: the whole profile (fields left out are cleared, except consent history)."""

    email: str | None = Field(None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(None, pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164.")
    name: str | None = Field(None, min_length=1, max_length=200)
    birthday: Birthday | None = None
    country: Country | None = None
    locale: str | None = Field(None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$", description="e.g. it or it-IT.")
    consent: dict[Channel, Consent] = Field(default_factory=dict)
    attributes: dict[str, str | int | float | bool] = Field(default_factory=dict, max_length=50)
    created_at: UtcDatetime | None = Field(None, description="When the customer signed up at the shop; default now.")

    @field_validator("attributes")
    @classmethod
    def _keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not key or len(key) > 64 or not key.replace("_", "a").isalnum():
                raise ValueError("attribute names are 1-64 letters, digits or _")
        return value


class EngagementEventIn(Strict):
    """`POST /v1/events`: an engagement signal, idempotent on `id`."""

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    customer_id: ProfileCustomerIdStr
    type: EventType
    name: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$", description="custom only")
    occurred_at: UtcDatetime | None = None
    duration_seconds: int | None = Field(None, ge=0, le=86400, description="site_visit")
    score: int | None = Field(None, ge=0, le=10, description="nps_answer: 0-10")
    rating: int | None = Field(None, ge=1, le=5, description="review: 1-5 stars")
    network: str | None = Field(None, max_length=32, description="social_follow / social_share")
    properties: dict[str, str | int | float | bool] = Field(default_factory=dict, max_length=20)

    @model_validator(mode="after")
    def _fields(self) -> "EngagementEventIn":
        if self.type == "custom" and not self.name:
            raise ValueError("a custom event needs a name")
        if self.type != "custom" and self.name:
            raise ValueError("name is for custom events only")
        if self.type == "nps_answer" and self.score is None:
            raise ValueError("nps_answer needs a score (0-10)")
        if self.type == "review" and self.rating is None:
            raise ValueError("review needs a rating (1-5)")
        return self

    @property
    def rule_event(self) -> str:
        """The loyalty earning rule's event name for this signal."""
        return f"custom:{self.name}" if self.type == "custom" else self.type


class EventOutcome(BaseModel):
    id: str
    customer_id: str
    type: str
    points: int = Field(0, description="Points earned by this event (0: no rule, capped, or outside a window).")
    engagement_score: float
    segments_entered: list[str] = Field(default_factory=list)
    segments_exited: list[str] = Field(default_factory=list)
    occurred_at: datetime


class Basket(BaseModel):
    average: int = Field(description="Average paid amount per order, minor units, in `currency`.")
    currency: str
    trend: Literal["rising", "flat", "declining", "unknown"]
    change_percent: float | None = Field(None, description="Recent half of the last orders vs the earlier half.")


class CustomerFacts(BaseModel):
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    order_count: int = 0
    total_spent: dict[str, int] = Field(default_factory=dict, description="Paid, net of refunds, per currency.")
    basket: Basket | None = None
    ltv: dict[str, int] = Field(default_factory=dict, description="Lifetime value: total_spent, per currency.")
    engagement_score: float = 0.0
    signals: dict[str, int] = Field(default_factory=dict, description="Engagement signals received, by type.")
    referred: bool = False
    referred_by: str | None = Field(None, description="The referral code of the conversion this customer was.")
    referred_by_customer_id: str | None = None
    referrals_converted: int = 0
    coupon_orders: int = 0
    loyalty_redemptions: int = 0


class LoyaltyStatus(BaseModel):
    member: bool = False
    enrolled_at: datetime | None = None
    balance: int = Field(0, description="Below zero while the customer owes points (see `debt`).")
    debt: int = Field(0, description="Points owed after a refund took back points already spent; paid off first.")
    pending: int = 0
    tier: str | None = None


class Customer(BaseModel):
    id: str
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    birthday: Birthday | None = None
    country: str | None = None
    locale: str | None = None
    consent: dict[str, Consent] = Field(default_factory=dict)
    attributes: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    erased: bool = False
    facts: CustomerFacts = Field(default_factory=CustomerFacts)
    segments: list[str] = Field(default_factory=list)
    loyalty: LoyaltyStatus = Field(default_factory=LoyaltyStatus)


class CustomerSummary(BaseModel):
    """What a support agent needs to pick the right person from a search."""

    id: str
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    country: str | None = None
    locale: str | None = None
    created_at: datetime | None = None
    erased: bool = False
    order_count: int = 0
    last_order_at: datetime | None = None
    segments: list[str] = Field(default_factory=list)
    loyalty: LoyaltyStatus = Field(default_factory=LoyaltyStatus)


class CustomerSearch(BaseModel):
    customers: list[CustomerSummary] = Field(
        description="The customer with this id, then those whose email reaches this mailbox (case-insensitive; "
        "Gmail's dots and +tags ignored), exact spelling first; 20 at most."
    )


class Erasure(BaseModel):
    customer_id: str
    erased_at: datetime
    erased: list[str] = Field(description="What was removed or anonymised.")
    kept: list[str] = Field(description="What stays (anonymous) so ledgers and aggregates remain consistent.")


# ------------------------------------------------------------------------------------------- segments

Field_ = Literal[
    "country",
    "locale",
    "order_count",
    "total_spent",
    "average_basket",
    "engagement_score",
    "points_balance",
    "tier",
    "referred",
    "referrals_converted",
    "coupon_orders",
    "consent_email",
    "consent_sms",
    "attribute",
]
Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "exists"]


class Condition(Strict):
    """`{"field": "order_count", "op": "gte", "value": 3}`; `attribute` needs `name`; money fields `currency`."""

    field: Field_
    op: Op
    value: str | int | float | bool | list[str] | None = None
    name: str | None = Field(None, max_length=64, description="attribute name (field=attribute)")
    currency: Currency | None = Field(None, description="total_spent / average_basket")

    @model_validator(mode="after")
    def _shape(self) -> "Condition":
        if self.field == "attribute" and not self.name:
            raise ValueError("field 'attribute' needs a name")
        if self.field in ("total_spent", "average_basket") and not self.currency:
            raise ValueError(f"'{self.field}' needs a currency")
        if self.op == "in" and not isinstance(self.value, list):
            raise ValueError("op 'in' needs a list value")
        if self.op != "exists" and self.value is None:
            raise ValueError(f"op '{self.op}' needs a value")
        return self


class SegmentCreate(Strict):
    name: SegmentName
    description: str | None = Field(None, max_length=500)
    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1, max_length=20)


class Segment(BaseModel):
    name: str
    kind: Literal["built_in", "custom"]
    description: str
    match: str | None = None
    conditions: list[Condition] = Field(default_factory=list)
    members: int = Field(0, description="Current members (kept as they enter and leave).")
    created_at: datetime | None = None


class SegmentList(BaseModel):
    items: list[Segment]


class SegmentDay(BaseModel):
    day: date
    members: int = Field(description="Members at the end of the shop-local day.")
    entered: int = 0
    exited: int = 0


class SegmentSizes(BaseModel):
    """Each segment's size at the end of every day of the window, rebuilt from today's count and the day items."""

    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    days: int
    items: list["SegmentSeries"]


class SegmentSeries(BaseModel):
    name: str
    kind: Literal["built_in", "custom"]
    members: int
    series: list[SegmentDay]


class SegmentMember(BaseModel):
    customer_id: str
    entered_at: datetime


class SegmentMemberPage(BaseModel):
    items: list[SegmentMember]
    next_cursor: str | None = None


class SegmentChange(BaseModel):
    """A customer entered or left a segment: what welcome or win-back campaigns react to."""

    customer_id: str
    segment: str
    change: Literal["entered", "exited"]
    at: datetime
    reason: str


class SegmentChangePage(BaseModel):
    items: list[SegmentChange]
    next_cursor: str | None = None


SIGNALS = frozenset({"order", "referral", "loyalty_enrolled", *EVENT_TYPES})


class EngagementConfig(Strict):
    """Weights of the engagement score and the thresholds of the built-in segments.

    The score is the sum of the weights of the signals a customer gave, each halving every `half_life_days`
    (a signal of today counts fully, one of `half_life_days` ago half). NPS counts its weight x score/10,
    a review x rating/5, a site visit x min(duration/300 s, 1) (a visit without duration counts half).
    """

    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "order": 10.0,
            "email_opened": 1.0,
            "email_clicked": 2.0,
            "site_visit": 1.0,
            "nps_answer": 5.0,
            "review": 8.0,
            "social_follow": 5.0,
            "social_share": 6.0,
            "profile_completed": 3.0,
            "referral": 15.0,
            "loyalty_enrolled": 5.0,
            "custom": 1.0,
        }
    )
    model_config = {"allow_inf_nan": False}
    half_life_days: int = Field(90, ge=1, le=3650)
    engaged_score: float = Field(25.0, ge=0, description="future_ambassadors: at least this score.")
    new_customer_days: int = Field(30, ge=1, le=365, description="new_customers: signed up within these days.")
    lapsed_days: int = Field(180, ge=1, le=3650, description="lapsed_180d: no order for these days.")
    basket_decline_percent: float = Field(20.0, gt=0, le=100, description="basket_declining: recent drop ≥ this.")
    top_referrer_min: int = Field(5, ge=1, le=10_000, description="top_referrers: at least this many conversions.")
    opportunist_coupon_share: float = Field(0.5, gt=0, le=1, description="opportunists: share of orders with a coupon.")

    @field_validator("weights")
    @classmethod
    def _known_and_bounded(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - SIGNALS)
        if unknown:
            raise ValueError(f"unknown signals {unknown}; known: {sorted(SIGNALS)}")
        if any(not math.isfinite(w) or w < 0 or w > 1000 for w in value.values()):
            raise ValueError("weights are between 0 and 1000")
        return value
