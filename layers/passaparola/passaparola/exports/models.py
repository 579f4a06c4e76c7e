"""The right of access: everything held about one customer, in one JSON document."""

from datetime import datetime

from pydantic import BaseModel, Field

from passaparola.coupons.models import Code, Redemption
from passaparola.customers.models import Customer
from passaparola.loyalty.models import LoyaltyRedemption, PointsLedgerEntry
from passaparola.messages.models import Message
from passaparola.referrals.models import Conversion, IssuedReward, LedgerEntry, ReferralCounts


class ExportedMembership(BaseModel):
    segment: str
    entered_at: datetime


class ExportedLoyalty(BaseModel):
    ledger: list[PointsLedgerEntry] = Field(description="The points ledger, oldest first.")
    redemptions: list[LoyaltyRedemption] = Field(description="Rewards bought with points.")


class ExportedCoupon(BaseModel):
    code: Code
    redemptions: list[Redemption] = Field(description="Its uses, newest first.")


class ExportedLink(BaseModel):
    code: str
    campaign_id: str
    name: str | None = Field(None, description="The name shown to friends (removed by erasure).")
    variant: str | None = None
    created_at: datetime
    counts: ReferralCounts


class ExportedDevice(BaseModel):
    device: str = Field(description="The device library id Apple Wallet registered with (push token withheld).")
    registered_at: datetime


class ExportedPass(BaseModel):
    serial: str
    created_at: datetime
    updated_at: datetime
    google_object_id: str | None = None
    devices: list[ExportedDevice]


class CustomerExport(BaseModel):
    """Everything held about a customer (GDPR art. 15). Lists are complete unless named in `truncated`."""

    customer_id: str
    exported_at: datetime
    profile: Customer | None = Field(
        None,
        description="Profile, consent per channel (its current state: when given or withdrawn, source, "
        "confirmation; earlier states are not kept), custom attributes, order facts, segments, loyalty status.",
    )
    segments: list[ExportedMembership] = Field(default_factory=list)
    loyalty: ExportedLoyalty
    coupons: list[ExportedCoupon] = Field(default_factory=list, description="Codes bound to the customer.")
    referral_links: list[ExportedLink] = Field(default_factory=list)
    conversions_as_referrer: list[Conversion] = Field(default_factory=list)
    conversions_as_friend: list[Conversion] = Field(default_factory=list)
    rewards: list[IssuedReward] = Field(default_factory=list)
    rewards_ledger: list[LedgerEntry] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list, description="The message log, newest first, without bodies.")
    wallet_pass: ExportedPass | None = None
    truncated: list[str] = Field(
        default_factory=list, description="Sections longer than the export keeps (10,000 items): page the API."
    )
