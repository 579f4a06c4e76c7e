"""The event types: one pydantic model per type's `data`, and the envelope every event travels in.

The registry `TYPES` maps a type to (version, data model); docs/events/<type>.json is generated from it
(`make openapi`). A breaking change to a type's data makes a new model with version 2, sent beside version 1
for a while. Data carries the ids a consumer needs to fetch more, never personal data (emails, names)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


class EventData(BaseModel):
    """Base of every type's data: closed (an unknown field is a bug in the emitter)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Event(BaseModel):
    """The envelope (EventBridge's Detail, a webhook's body, an item of GET /v1/events)."""

    id: str = Field(
        description="`evt_` + the ULID of its transaction's events item + a 2-digit index: unique, stable, sorts by time; de-duplicate on it."
    )
    type: str = Field(description="e.g. coupon.redeemed.")
    version: int = Field(description="Schema version of the type's data.")
    created_at: str = Field(description="When the fact happened (UTC ISO, milliseconds).")
    customer_id: str | None = Field(None, description="The customer the fact is about, if any.")
    data: dict[str, Any] = Field(description="The type's data (docs/events/<type>.json).")


class EventPage(BaseModel):
    """Events oldest first (GET /v1/events)."""

    items: list[Event]
    next_cursor: str | None = None


# ------------------------------------------------------------------------------------------ coupons
class CouponRedeemed(EventData):
    code: str
    campaign_id: str
    redemption_id: str
    order_id: str
    discount: int = Field(description="Discount given, in minor units of `currency`.")
    currency: str


class CouponRolledBack(EventData):
    code: str
    campaign_id: str
    redemption_id: str
    order_id: str
    discount: int = Field(description="The discount taken back, in minor units of `currency`.")
    currency: str


class CouponIssued(EventData):
    """A code bound to one customer (loyalty, referral, support, re-engagement, friend)."""

    code: str
    campaign_id: str
    source: str = Field(description="Why it was issued: reward, loyalty, support, message, friend...")
    expires_at: datetime | None = None


# ---------------------------------------------------------------------------------------- referrals
class ReferralConverted(EventData):
    referral_code: str = Field(description="The referrer's link code.")
    campaign_id: str
    conversion_id: str
    referrer_id: str | None = None
    order_id: str | None = None
    status: str = Field(
        description="converted (counted at the order) or approved (a flagged conversion approved by review)."
    )


class ReferralFlagged(EventData):
    referral_code: str
    campaign_id: str
    conversion_id: str
    referrer_id: str | None = None
    order_id: str | None = None
    reasons: list[str] = Field(default_factory=list)


class ReferralBlocked(EventData):
    referral_code: str
    campaign_id: str
    conversion_id: str | None = None
    referrer_id: str | None = None
    order_id: str | None = None
    reasons: list[str] = Field(default_factory=list)


class ReferralReviewed(EventData):
    referral_code: str
    campaign_id: str
    conversion_id: str
    decision: Literal["approved", "rejected"]


# ------------------------------------------------------------------------------------------ rewards
class RewardEvent(EventData):
    reward_id: str
    campaign_id: str | None = None
    kind: str = Field(description="coupon, credit, points, cash...")
    amount: int | None = Field(None, description="Minor units of `currency`, or points.")
    currency: str | None = None
    conversion_id: str | None = None
    reason: str | None = None
    role: str | None = Field(None, description="referee, referrer or tier.")
    status: str | None = Field(None, description="The reward's status after the fact: pending, released, ...")
    coupon_code: str | None = Field(None, description="The code a coupon or credit reward carries, once released.")


class RewardIssued(RewardEvent):
    pass


class RewardReleased(RewardEvent):
    pass


class RewardVoided(RewardEvent):
    pass


class RewardReversed(RewardEvent):
    pass


# ------------------------------------------------------------------------------------------- points
class PointsEvent(EventData):
    points: int = Field(description="Points moved (positive; the type says which way).")
    balance: int | None = Field(None, description="The customer's balance after the move.")
    reason: str | None = None
    ref: str | None = Field(None, description="What moved them: an order id, a reward id, a lot...")
    pending: bool = Field(False, description="Pending points (not spendable until released), not the balance.")


class PointsEarned(PointsEvent):
    pass


class PointsSpent(PointsEvent):
    pass


class PointsExpired(PointsEvent):
    pass


class PointsAdjusted(PointsEvent):
    points: int = Field(description="Points moved: positive added, negative taken.")


class PointsReversed(PointsEvent):
    pass


class PointsReleased(PointsEvent):
    """Pending points (an order's, after its refund window) became spendable."""


# ---------------------------------------------------------------------------------- tiers, segments
class TierChanged(EventData):
    from_: str | None = Field(None, alias="from")
    to: str | None


class SegmentEvent(EventData):
    segment_id: str


class SegmentEntered(SegmentEvent):
    pass


class SegmentExited(SegmentEvent):
    pass


# ----------------------------------------------------------------------------------------- messages
class MessageEvent(EventData):
    message_id: str
    campaign_id: str | None = None
    channel: str | None = Field(None, description="email or sms.")
    reason: str | None = Field(None, description="Why it failed, bounced or was complained about.")


class MessageSent(MessageEvent):
    pass


class MessageFailed(MessageEvent):
    pass


class MessageBounced(MessageEvent):
    pass


class MessageComplained(MessageEvent):
    pass


# --------------------------------------------------------------------------------- customers, other
class CustomerErased(EventData):
    """No data: the envelope's customer_id is all (delete what you hold about them)."""


class LoyaltyEnrolled(EventData):
    tier: str | None = None
    points: int = Field(0, description="The welcome points, if any.")


class PayoutPaid(EventData):
    payout_id: str
    referrer_id: str | None = None
    amount: int = Field(description="Minor units of `currency`.")
    currency: str


TYPES: dict[str, tuple[int, type[EventData]]] = {
    "coupon.redeemed": (1, CouponRedeemed),
    "coupon.rolled_back": (1, CouponRolledBack),
    "coupon.issued": (1, CouponIssued),
    "referral.converted": (1, ReferralConverted),
    "referral.flagged": (1, ReferralFlagged),
    "referral.blocked": (1, ReferralBlocked),
    "referral.reviewed": (1, ReferralReviewed),
    "reward.issued": (1, RewardIssued),
    "reward.released": (1, RewardReleased),
    "reward.voided": (1, RewardVoided),
    "reward.reversed": (1, RewardReversed),
    "points.earned": (1, PointsEarned),
    "points.spent": (1, PointsSpent),
    "points.expired": (1, PointsExpired),
    "points.adjusted": (1, PointsAdjusted),
    "points.reversed": (1, PointsReversed),
    "points.released": (1, PointsReleased),
    "tier.changed": (1, TierChanged),
    "segment.entered": (1, SegmentEntered),
    "segment.exited": (1, SegmentExited),
    "message.sent": (1, MessageSent),
    "message.failed": (1, MessageFailed),
    "message.bounced": (1, MessageBounced),
    "message.complained": (1, MessageComplained),
    "customer.erased": (1, CustomerErased),
    "loyalty.enrolled": (1, LoyaltyEnrolled),
    "payout.paid": (1, PayoutPaid),
}

EventType = Literal[
    "coupon.redeemed",
    "coupon.rolled_back",
    "coupon.issued",
    "referral.converted",
    "referral.flagged",
    "referral.blocked",
    "referral.reviewed",
    "reward.issued",
    "reward.released",
    "reward.voided",
    "reward.reversed",
    "points.earned",
    "points.spent",
    "points.expired",
    "points.adjusted",
    "points.reversed",
    "points.released",
    "tier.changed",
    "segment.entered",
    "segment.exited",
    "message.sent",
    "message.failed",
    "message.bounced",
    "message.complained",
    "customer.erased",
    "loyalty.enrolled",
    "payout.paid",
]


def envelope_schema(event_type: str) -> dict[str, Any]:
    """The JSON schema of an event of this type: the envelope with its type, version and data fixed."""
    version, data_model = TYPES[event_type]
    model = create_model(
        data_model.__name__ + "Event",
        __base__=Event,
        __doc__=f"`{event_type}` (version {version}): {(data_model.__doc__ or '').strip()}".rstrip(": "),
        type=(Literal[event_type], Field(description="The event type.")),  # type: ignore[valid-type]
        version=(Literal[version], Field(description="Schema version of the type's data.")),  # type: ignore[valid-type]
        data=(data_model, ...),
    )
    return model.model_json_schema(by_alias=True)
