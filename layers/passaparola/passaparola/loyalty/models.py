"""Loyalty program shapes: earning rules, expiry, tiers, the rewards catalogue, the wallet and the points ledger."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from passaparola.coupons.models import Category, Currency, Sku, Strict, UtcDatetime
from passaparola.referrals.models import CouponReward, CreditReward, HttpUrlStr, Points, Slug

EventName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]

# Events a loyalty program can reward. `order_paid` earns per currency unit; the others a fixed amount.
# Engagement events (POST /v1/events) use their `type`; custom events use `custom:<name>` in rules.
ORDER_EVENT = "order_paid"
ONCE_EVENTS = frozenset({"signup"})
YEARLY_EVENTS = frozenset({"birthday"})


class Cap(Strict):
    """At most `max_points` (or `max_times`) from this rule per customer and period (UTC calendar periods)."""

    period: Literal["day", "week", "month", "year"]
    max_points: Points | None = None
    max_times: int | None = Field(None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one(self) -> "Cap":
        if (self.max_points is None) == (self.max_times is None):
            raise ValueError("a cap needs exactly one of max_points or max_times")
        return self


class EarningRule(Strict):
    """How an event earns points.

    `order_paid`: `points_per_unit` for every full `unit_amount` (minor units) paid, excluding `exclude_skus`
    and `exclude_categories` lines. Any other event: a fixed `points`. Events: review, nps_answer,
    social_follow, social_share, email_opened, email_clicked, site_visit, profile_completed, signup (once
    ever), birthday (once a year; not in the 30 days after the birthday was set), referral (a referral of
    this customer was rewarded), custom:<name>.
    """

    event: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_]+(:[a-z0-9_]+)?$")]
    points: Points | None = None
    points_per_unit: Points | None = None
    unit_amount: int | None = Field(None, ge=1, le=10**9, description="Minor units per earning unit (100 = 1 EUR).")
    currency: Currency | None = Field(None, description="order_paid only: orders in other currencies earn nothing.")
    exclude_skus: list[Sku] = Field(default_factory=list, max_length=1000)
    exclude_categories: list[Category] = Field(default_factory=list, max_length=200)
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None
    cap: Cap | None = None

    @model_validator(mode="after")
    def _shape(self) -> "EarningRule":
        if self.event == ORDER_EVENT:
            if not self.points_per_unit or not self.unit_amount:
                raise ValueError("order_paid needs points_per_unit and unit_amount")
            if self.points is not None:
                raise ValueError("order_paid earns per unit: use points_per_unit, not points")
        else:
            if self.points is None:
                raise ValueError(f"'{self.event}' needs points")
            if self.points_per_unit or self.unit_amount or self.exclude_skus or self.exclude_categories:
                raise ValueError("points_per_unit, unit_amount and exclusions are for order_paid only")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class Expiry(Strict):
    """`fixed`: points expire `days` after they were earned (released), oldest first.
    `inactivity`: the whole balance expires after `days` without activity (an earn or a spend)."""

    policy: Literal["fixed", "inactivity", "never"] = "never"
    days: int | None = Field(None, ge=1, le=3650)
    warn_days: int = Field(30, ge=0, le=365, description="The wallet's 'expiring soon' horizon.")

    @model_validator(mode="after")
    def _days(self) -> "Expiry":
        if (self.policy == "never") != (self.days is None):
            raise ValueError("'fixed' and 'inactivity' need days; 'never' takes none")
        return self


class RecognitionReward(Strict):
    """Not money: an invitation, an experience. Delivered as a message to the team and a note to the customer."""

    type: Literal["recognition"]
    kind: Literal["event", "experience", "gift", "other"] = "other"
    note: str = Field("", max_length=2000, description="What the customer is told (shown with the reward).")


class PointsRewardGrant(Strict):
    """Bonus points (tier entry rewards only)."""

    type: Literal["points"]
    points: Points


CatalogueRewardSpec = Annotated[CouponReward | CreditReward | RecognitionReward, Field(discriminator="type")]
EntryRewardSpec = Annotated[
    CouponReward | CreditReward | RecognitionReward | PointsRewardGrant, Field(discriminator="type")
]


class LoyaltyTier(Strict):
    """A status level; `min_points` are points earned in the tier window. The lowest tier needs 0."""

    name: str = Field(min_length=1, max_length=64)
    min_points: int = Field(ge=0, le=10**9)
    multiplier: float = Field(1.0, ge=1.0, le=10.0, description="Applied to every earn while in this tier.")
    entry_reward: EntryRewardSpec | None = Field(None, description="Given once, the first time the tier is reached.")


class TierPolicy(Strict):
    """How status is computed and lost.

    Status rises as soon as points in the window reach a threshold. It is reviewed `keep_days` after it was
    reached (rolling_12_months) or each 1 January (calendar_year): then it becomes the tier the window's points
    qualify for, dropping at most one level (`fallback: one_level`) or straight to it (`qualified`).
    """

    window: Literal["rolling_12_months", "calendar_year"] = "rolling_12_months"
    keep_days: int = Field(365, ge=30, le=3650)
    fallback: Literal["one_level", "qualified"] = "one_level"


class CatalogueItem(Strict):
    id: Slug
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    cost: Points
    reward: CatalogueRewardSpec
    stock: int | None = Field(None, ge=0, le=10**9, description="How many can be redeemed in all; null: unlimited.")
    min_tier: str | None = Field(None, description="Only customers in this tier or above can redeem it.")


LocaleKey = Annotated[str, Field(pattern=r"^[a-z]{2}$")]


class PanelDisplay(Strict):
    """How the storefront panel (`passaparola.js`) looks: the shop's colour, the launcher's text and place."""

    brand_color: str = Field("#2f5d50", pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb")
    launcher_text: dict[LocaleKey, Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=dict,
        max_length=20,
        description='Per language ("it": "Premi"); a language not given shows "Rewards" in that language.',
    )
    position: Literal["bottom-right", "bottom-left"] = "bottom-right"
    show_launcher: bool = Field(True, description="False: the shop opens the panel itself (links, Passaparola.open).")


class PointValue(Strict):
    """What points are worth to the shop: `points` points cost `amount` minor units of `currency` (100 points =
    1.00 EUR: {"points": 100, "amount": 100, "currency": "EUR"}). Reports value points rewards with it."""

    points: int = Field(ge=1, le=1_000_000_000)
    amount: int = Field(ge=0, le=1_000_000_000, description="Minor units of `currency` that `points` points cost.")
    currency: Currency


class LoyaltyProgram(Strict):
    """The fields of a campaign of type `loyalty` (one per shop)."""

    earning_rules: list[EarningRule] = Field(min_length=1, max_length=50)
    pending_days: int = Field(14, ge=0, le=365, description="Order points wait this long (the refund window).")
    expiry: Expiry = Field(default_factory=Expiry)  # type: ignore[arg-type]
    tiers: list[LoyaltyTier] = Field(default_factory=list, max_length=20)
    tier_policy: TierPolicy = Field(default_factory=TierPolicy)  # type: ignore[arg-type]
    rewards: list[CatalogueItem] = Field(default_factory=list, max_length=200)
    auto_enroll: bool = Field(True, description="Every customer earns; false: only customers who enrolled.")
    enrollment_url: HttpUrlStr | None = Field(None, description="The shop's join page (printed as a QR code).")
    display: PanelDisplay | None = Field(None, description="The storefront panel's look (defaults when absent).")
    point_value: PointValue | None = Field(
        None,
        description="What points cost the shop, e.g. 100 points = 1.00 EUR; the referral ROI values points "
        "rewards with it (without it, a program giving points has no ROI: `roi_unavailable`).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "LoyaltyProgram":
        thresholds = [t.min_points for t in self.tiers]
        if thresholds and (0 not in thresholds or len(set(thresholds)) != len(thresholds)):
            raise ValueError("tiers need distinct min_points, one of them 0")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tiers need distinct names")
        ids = [r.id for r in self.rewards]
        if len(set(ids)) != len(ids):
            raise ValueError("rewards need distinct ids")
        for r in self.rewards:
            if r.min_tier and r.min_tier not in names:
                raise ValueError(f"reward '{r.id}' names an unknown tier '{r.min_tier}'")
        return self

    def sorted_tiers(self) -> list[LoyaltyTier]:
        return sorted(self.tiers, key=lambda t: t.min_points)


# ------------------------------------------------------------------------------------------- the API

LedgerType = Literal["earn", "pend", "release", "spend", "expire", "reverse", "adjustment"]


class PointsLedgerEntry(BaseModel):
    """One line of the append-only points ledger. `points` is signed as it moves the balance (or pending)."""

    id: str
    customer_id: str
    type: LedgerType
    points: int
    balance_after: int | None = Field(
        None, description="The balance right after this line; negative while the customer owes points (a debt)."
    )
    pending_after: int | None = Field(
        None, description="Pending points right after it (`pend`, and `reverse` of pending points, move these)."
    )
    reason: str
    source_type: str | None = Field(
        None, description="order, event, signup, birthday, referral, reward, redemption or lot (an expiry)."
    )
    source_id: str | None = Field(None, description="The id of what it came from (order id, event id...).")
    at: datetime


class PointsLedgerPage(BaseModel):
    items: list[PointsLedgerEntry]
    next_cursor: str | None = None


class ExpiringPoints(BaseModel):
    points: int
    expires_at: datetime


class WalletPoints(BaseModel):
    balance: int = Field(0, description="Spendable points; below zero while the customer owes points (see `debt`).")
    debt: int = Field(
        0,
        description="Points owed: a refunded order's points that were already spent. The next earnings pay it "
        "first; no catalogue reward can be bought until it is 0.",
    )
    pending: int = 0
    expiring: list[ExpiringPoints] = Field(default_factory=list)
    lifetime_earned: int = 0


class WalletTier(BaseModel):
    name: str | None = None
    next: str | None = None
    points_to_next: int | None = None
    window_points: int = Field(0, description="Points earned in the tier window (what thresholds compare).")
    multiplier: float = 1.0
    since: datetime | None = None
    review_at: datetime | None = None


class WalletReward(BaseModel):
    id: str
    name: str
    description: str | None = None
    cost: int
    type: str
    affordable: bool
    available: bool = Field(description="Affordable, in the required tier, and not known to be out of stock.")


class WalletReferral(BaseModel):
    campaign_id: str
    code: str
    url: str
    conversions: int = 0
    rewarded: int = 0


class WalletCoupon(BaseModel):
    code: str
    campaign_id: str
    expires_at: datetime | None = None
    balance: int | None = Field(None, description="Gift cards / store credit: what is left, minor units.")
    currency: str | None = None
    source: str | None = Field(
        None, description="What issued it: referral, friend_offer, loyalty, reengagement, manual."
    )


class Wallet(BaseModel):
    customer_id: str
    campaign_id: str | None = Field(None, description="The loyalty program (null when the shop has none).")
    member: bool = False
    points: WalletPoints = Field(default_factory=WalletPoints)
    tier: WalletTier = Field(default_factory=WalletTier)
    rewards: list[WalletReward] = Field(default_factory=list)
    referral: WalletReferral | None = None
    referrals: list[WalletReferral] = Field(default_factory=list, description="Every program's link.")
    coupons: list[WalletCoupon] = Field(default_factory=list)
    as_of: datetime


class RedeemLoyaltyReward(Strict):
    reward_id: Slug


class LoyaltyRedemption(BaseModel):
    """A catalogue reward bought with points."""

    id: str
    customer_id: str
    campaign_id: str
    reward_id: str
    name: str
    type: str
    cost: int
    balance_after: int
    coupon_code: str | None = None
    amount: int | None = None
    currency: str | None = None
    note: str | None = None
    created_at: datetime


class CustomerToken(BaseModel):
    token: str
    customer_id: str
    expires_at: datetime


class PointsAdjustmentRequest(Strict):
    """Points added (> 0) or taken (< 0) by hand, e.g. by a support agent, with the reason the ledger keeps."""

    points: int = Field(ge=-1_000_000, le=1_000_000, description="Non-zero: added when positive, taken when negative.")
    reason: str = Field(min_length=1, max_length=200, description="Why, in words; shown on the ledger line.")

    @field_validator("points")
    @classmethod
    def _nonzero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("points must not be 0")
        return value

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must not be blank")
        return value.strip()


class PointsAdjustment(BaseModel):
    """A manual adjustment, as written: the `adjustment` ledger line and the balance before and after it."""

    id: str
    customer_id: str
    points: int
    reason: str
    balance_before: int
    balance_after: int = Field(description="Below zero only if the customer still owes points (a debt).")
    tier: str | None = None
    at: datetime


class TokensRevoked(BaseModel):
    """Every customer token issued before `revoked_at` now answers 401 `token_revoked`."""

    customer_id: str
    token_epoch: int = Field(
        description="The customer's token epoch now; tokens carry the epoch they were issued under."
    )
    revoked_at: datetime


class TokenRequest(Strict):
    ttl_seconds: int = Field(3600, ge=60, le=30 * 86400)


class EnrollRequest(Strict):
    """Join from the storefront or a store's QR page: an email or a phone, and consent per channel."""

    email: str | None = Field(None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(None, pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, e.g. +393331234567.")
    name: str | None = Field(None, min_length=1, max_length=200)
    consent: dict[Literal["email", "sms"], bool] = Field(default_factory=dict)
    locale: str | None = Field(None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    source: Literal["web", "store", "sms", "email"] = "web"

    @model_validator(mode="after")
    def _contact(self) -> "EnrollRequest":
        if not self.email and not self.phone:
            raise ValueError("an email or a phone is needed")
        return self


class EnrollOutcome(BaseModel):
    customer_id: str
    enrolled: bool = Field(description="False when this customer was already a member (nothing changed).")
    points: int = Field(0, description="Signup points earned now.")
    token: CustomerToken | None = Field(
        None, description="For a customer created by this call only (an existing member's wallet is not handed out)."
    )


class EnrollmentLink(BaseModel):
    url: str
    qr_url: str


class RejectedRow(BaseModel):
    row: int = Field(description="The line of the CSV (the header is line 1).")
    reason: str = Field(
        description="`malformed`, `missing_customer`, `invalid_customer_id`, `invalid_email`, `negative_points`, "
        "`zero_points`, `points_too_high`, `duplicate_customer`, `failed` (its write failed: send the import again, "
        "rows already applied are skipped)."
    )
    message: str


class ImportReport(BaseModel):
    """What a points import did: each row is applied once per import name and customer, whatever the re-runs."""

    name: str
    rows: int = Field(description="Data rows read (blank lines skipped).")
    imported: int = Field(description="Rows applied by this call.")
    already_imported: int = Field(description="Rows an earlier call with this name applied: nothing added again.")
    rejected: list[RejectedRow]
