"""Re-engagement campaigns (trigger, audience, incentive, messages, window) and the message log's shapes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from passaparola.coupons.models import Category, Country, CustomerIdStr, Sku, Strict

Channel = Literal["email", "sms"]
CHANNELS: tuple[Channel, ...] = ("email", "sms")
Locale = Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$", description="e.g. it or it-IT.")]
SegmentName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
CampaignId = Annotated[str, Field(min_length=1, max_length=64)]
Template = Annotated[str, Field(min_length=1, max_length=20_000)]


# ------------------------------------------------------------------------------------------ triggers


class WelcomeTrigger(Strict):
    """Entering `new_customers`; once per customer across all welcome campaigns."""

    type: Literal["welcome"]


class SegmentEnteredTrigger(Strict):
    type: Literal["segment_entered"]
    segment: SegmentName


class BirthdayTrigger(Strict):
    type: Literal["birthday"]
    days_before: int = Field(0, ge=0, le=30)


class SignupAnniversaryTrigger(Strict):
    type: Literal["signup_anniversary"]
    days_before: int = Field(0, ge=0, le=30)


class PurchaseAnniversaryTrigger(Strict):
    """`months` after an order containing one of the SKUs or categories (any order if both are empty)."""

    type: Literal["purchase_anniversary"]
    months: int = Field(ge=1, le=24)
    skus: list[Sku] = Field(default_factory=list, max_length=100)
    categories: list[Category] = Field(default_factory=list, max_length=100)


class WinBackTrigger(Strict):
    type: Literal["win_back"]
    days_since_last_order: int = Field(ge=7, le=1095)


class PointsExpiringTrigger(Strict):
    type: Literal["points_expiring"]
    days_before: int = Field(7, ge=1, le=90)


class ReferralNudgeTrigger(Strict):
    """Members of `segment` (ambassadors) who have not shared for `days_since_last_share` days."""

    type: Literal["referral_nudge"]
    days_since_last_share: int = Field(30, ge=7, le=365)
    segment: Literal["ambassadors", "top_referrers"] = "ambassadors"


Trigger = Annotated[
    WelcomeTrigger
    | SegmentEnteredTrigger
    | BirthdayTrigger
    | SignupAnniversaryTrigger
    | PurchaseAnniversaryTrigger
    | WinBackTrigger
    | PointsExpiringTrigger
    | ReferralNudgeTrigger,
    Field(discriminator="type"),
]
FEED_TRIGGERS = frozenset({"welcome", "segment_entered"})
"""Triggers the watch job serves from the segment change feed; the others are the daily job's."""


# ------------------------------------------------------------------------------------------ audience


class FrequencyCap(Strict):
    messages: int = Field(ge=1, le=100)
    days: int = Field(ge=1, le=365)


class Audience(Strict):
    countries: list[Country] = Field(default_factory=list, max_length=250)
    locales: list[Locale] = Field(default_factory=list, max_length=100)
    channels: list[Channel] = Field(default_factory=lambda: ["email"], min_length=1, max_length=2)  # type: ignore[arg-type]
    segments: list[SegmentName] = Field(default_factory=list, max_length=20, description="Member of any of them.")
    exclude_segments: list[SegmentName] = Field(default_factory=list, max_length=20)
    frequency_cap: FrequencyCap | None = Field(
        None, description="At most `messages` messages from any campaign in the last `days` days."
    )

    @field_validator("channels")
    @classmethod
    def _distinct(cls, value: list[Channel]) -> list[Channel]:
        if len(set(value)) != len(value):
            raise ValueError("a channel is listed twice")
        return value


# ----------------------------------------------------------------------------------------- incentive


class Incentive(Strict):
    """A unique code from a discount campaign (by favourite category if given), or points."""

    campaign_id: CampaignId | None = None
    by_category: dict[Category, CampaignId] = Field(default_factory=dict, max_length=50)
    expires_in_days: int | None = Field(None, ge=1, le=365)
    points: int | None = Field(None, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _one_kind(self) -> "Incentive":
        coupon = bool(self.campaign_id or self.by_category)
        if coupon == bool(self.points):
            raise ValueError("give a campaign_id (and/or by_category) for a coupon, or points")
        if self.points and self.expires_in_days:
            raise ValueError("expires_in_days applies to coupons only")
        return self

    def campaign_ids(self) -> list[str]:
        return [i for i in [self.campaign_id, *self.by_category.values()] if i]


# ------------------------------------------------------------------------------------------ messages


class EmailTemplate(Strict):
    subject: Annotated[str, Field(min_length=1, max_length=500)]
    body: Template = Field(description="HTML (autoescaped).")
    text: Template | None = Field(None, description="Plain-text alternative; derived from the HTML if omitted.")


class SmsTemplate(Strict):
    body: Annotated[str, Field(min_length=1, max_length=1600)]


class Messages(Strict):
    """Channel → locale → template."""

    email: dict[Locale, EmailTemplate] = Field(default_factory=dict, max_length=50)
    sms: dict[Locale, SmsTemplate] = Field(default_factory=dict, max_length=50)

    def locales(self, channel: Channel) -> set[str]:
        return set(self.email if channel == "email" else self.sms)


class MessageVariant(Strict):
    name: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    weight: int = Field(1, ge=1, le=1000)
    messages: Messages


class ReengagementProgram(Strict):
    """What a `reengagement` campaign adds to the common campaign fields."""

    trigger: Trigger
    audience: Audience = Field(default_factory=Audience)  # type: ignore[arg-type]
    incentive: Incentive | None = None
    messages: Messages | None = None
    variants: list[MessageVariant] = Field(default_factory=list, max_length=5)
    default_locale: Locale | None = Field(None, description="The locale of customers who have none.")
    referral_campaign_id: CampaignId | None = Field(None, description="Whose referral link `referral` shows.")
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ReengagementProgram":
        if not self.messages and not self.variants:
            raise ValueError("give messages (or variants with messages)")
        for messages in self.all_messages():
            if not any(messages.locales(c) for c in self.audience.channels):
                raise ValueError(f"no template for the audience's channels {self.audience.channels}")
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def all_messages(self) -> list[Messages]:
        return [v.messages for v in self.variants] if self.variants else [self.messages] if self.messages else []


# ----------------------------------------------------------------------------------------- previews


class MessagePreviewRequest(Strict):
    """A message as the sender would render it: of a saved campaign (`campaign_id`, `variant`) or of a draft
    (`messages`, with the draft's `trigger`, `incentive` and `referral_campaign_id` for the variables they add)."""

    campaign_id: CampaignId | None = None
    variant: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        None, description="A saved campaign's variant (default: the first)."
    )
    messages: Messages | None = None
    trigger: Trigger | None = Field(None, description="The draft's trigger (default welcome).")
    incentive: Incentive | None = None
    referral_campaign_id: CampaignId | None = None
    locale: Locale = Field(description="The customer's locale: its template, else its language's.")
    channel: Channel = "email"
    customer_id: CustomerIdStr | None = Field(None, description="Render for this customer (default: a sample one).")

    @model_validator(mode="after")
    def _one_source(self) -> "MessagePreviewRequest":
        if (self.campaign_id is None) == (self.messages is None):
            raise ValueError("give either campaign_id or messages (a draft)")
        if self.campaign_id and (self.trigger or self.incentive or self.referral_campaign_id):
            raise ValueError("trigger, incentive and referral_campaign_id describe a draft: give them with messages")
        if self.messages is not None and self.variant is not None:
            raise ValueError("variant names a saved campaign's variant: give it with campaign_id")
        return self


class MessagePreview(BaseModel):
    subject: str | None = Field(None, description="Email only.")
    html: str | None = Field(None, description="Email only; the coupon's QR inline as a data: URI.")
    text: str = Field(description="The plain-text part of an email, or the SMS.")
    channel: Channel
    locale: str = Field(description="The template's locale that was used.")
    customer_id: str | None = Field(None, description="None for the sample customer.")


# ----------------------------------------------------------------------------------------- the log

MessageStatus = Literal[
    "queued", "sending", "retrying", "sent", "failed", "cancelled", "outcome_unknown", "bounced", "complained"
]
STATUSES: tuple[str, ...] = (
    "queued",
    "sending",
    "retrying",
    "sent",
    "failed",
    "cancelled",
    "outcome_unknown",
    "bounced",
    "complained",
)


class MessageError(BaseModel):
    code: str
    message: str


class Message(BaseModel):
    """One message intent and what became of it."""

    id: str
    campaign_id: str
    customer_id: str
    trigger: str
    occasion: str
    reason: str = Field(description="Why this customer got it, in words.")
    channel: Channel
    locale: str
    variant: str | None = None
    to: str | None = Field(None, description="Email address or phone number (removed when the customer is erased).")
    subject: str | None = None
    body: str | None = None
    coupon_code: str | None = None
    points: int | None = None
    status: MessageStatus
    attempts: int = 0
    provider_message_id: str | None = None
    error: MessageError | None = None
    created_at: datetime
    sent_at: datetime | None = None
    updated_at: datetime


class MessagePage(BaseModel):
    items: list[Message]
    next_cursor: str | None = None


class VariantResults(BaseModel):
    queued: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    outcome_unknown: int = Field(0, description="Sent without a clear answer: they may have arrived (never resent).")
    unsubscribed: int = 0
    redeemed: int = Field(0, description="Coupons issued by this variant's messages, redeemed (net of rollbacks).")


class MessageSummary(BaseModel):
    by_status: dict[str, int] = Field(default_factory=dict, description="Messages now in each status.")
    variants: dict[str, VariantResults] = Field(
        default_factory=dict, description="Per A/B variant (`default` without variants)."
    )


class CampaignMessages(MessagePage):
    summary: MessageSummary


class Unsubscribed(BaseModel):
    unsubscribed: bool = True
    channel: Channel


class ConsentConfirmed(BaseModel):
    """Double opt-in: the channels whose consent now counts (none: withdrawn since, or an erased customer)."""

    confirmed: bool
    channels: list[Channel] = Field(default_factory=list)


class JobReport(BaseModel):
    """What a run of a re-engagement job did."""

    days: list[str] = Field(default_factory=list)
    campaigns: int = 0
    candidates: int = 0
    queued: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    items_read: int = 0
    requeued: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
