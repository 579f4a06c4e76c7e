"""Referral program shapes: the program a marketer configures and what the API answers about it."""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from passaparola.coupons.models import (
    MONEY_DISCOUNTS,
    CodeStr,
    Currency,
    CustomerIdStr,
    Discount,
    Money,
    PositiveMoney,
    Strict,
    UtcDatetime,
)
from passaparola.i18n import TEXTS

Points = Annotated[int, Field(gt=0, le=10**9)]
RewardWhen = Literal["first_order", "after_conversion"]
Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
CampaignIdStr = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _http_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise ValueError("an absolute http(s) URL without a fragment")
    return value


HttpUrlStr = Annotated[
    str,
    Field(min_length=8, max_length=2000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s]+[^#]*$"),
    AfterValidator(_http_url),
]


class CouponReward(Strict):
    """A unique code from the coupon engine, bound to the rewarded customer.

    Give a `discount` (a discount campaign is created for this reward) or the `campaign_id` of an existing
    discount campaign to issue from. `campaign_id` is filled in by the server either way.
    """

    type: Literal["coupon"]
    discount: Discount | None = None
    currency: Currency | None = Field(None, description="Needed for money discounts.")
    valid_days: int | None = Field(90, ge=1, le=3650, description="Days the code stays valid after it is issued.")
    min_order_amount: Money | None = None
    campaign_id: CampaignIdStr | None = None
    when: RewardWhen | None = Field(
        None,
        description="The referred friend's coupon only: `first_order` (default for new programs) issues it when the "
        "friend leaves an email, valid on the first order; `after_conversion` after that order. A stored program "
        "without it gives it after the conversion.",
    )

    @property
    def given_when(self) -> "RewardWhen":
        """When the friend gets this coupon: a program stored before `when` existed keeps `after_conversion`."""
        return self.when or "after_conversion"

    @model_validator(mode="after")
    def _source(self) -> "CouponReward":
        if not self.discount and not self.campaign_id:
            raise ValueError("a coupon reward needs a discount or a campaign_id")
        if self.discount and self.discount.type in MONEY_DISCOUNTS and not self.currency:
            raise ValueError(f"a '{self.discount.type}' discount needs a currency")
        if self.discount and self.discount.type == "gift_card":
            raise ValueError("use a reward of type 'credit' for store credit")
        return self


class CreditReward(Strict):
    """Store credit: a gift-card code bound to the customer, with this balance."""

    type: Literal["credit"]
    amount: PositiveMoney
    currency: Currency
    campaign_id: CampaignIdStr | None = Field(None, description="Set by the server: the gift-card campaign.")


class PointsReward(Strict):
    """Loyalty points, recorded in the rewards ledger (credited to the loyalty balance once loyalty exists)."""

    type: Literal["points"]
    points: Points


class CashReward(Strict):
    """Money owed to the referrer (an affiliate): payable once released, settled through the monthly payouts.

    The referrer's side only (`referrer_reward`, tiers, variants' `referrer_reward`): a referee is paid in
    discounts, never in cash."""

    type: Literal["cash"]
    amount: PositiveMoney
    currency: Currency


Reward = Annotated[CouponReward | CreditReward | PointsReward | CashReward, Field(discriminator="type")]
RewardType = Literal["coupon", "credit", "points", "cash"]


class ConversionScenario(Strict):
    """When a referred friend counts: their first order (optionally above a minimum) or a named custom event."""

    event: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")] = "first_order"
    min_order_amount: Money | None = None
    currency: Currency | None = Field(None, description="The minimum's currency; orders in another one never convert.")


class Attribution(Strict):
    window_days: int = Field(30, ge=1, le=365)
    model: Literal["first_touch", "last_touch"] = "first_touch"


class Tier(Strict):
    referrals: int = Field(ge=1, le=100_000, description="Rewarded referrals needed (a milestone).")
    reward: Reward


class Limits(Strict):
    max_rewarded_per_referrer: int | None = Field(None, ge=1, le=100_000)
    period_days: int = Field(30, ge=1, le=3650)


class FraudRules(Strict):
    """Thresholds of the flag-for-review rules (the block rules need none)."""

    max_conversions_per_ip: int = Field(
        3, ge=1, le=1000, description="Conversions from one IP on one UTC day before flagging."
    )
    max_conversions_per_hour: int = Field(
        5, ge=1, le=10_000, description="A referrer's conversions in one hour before flagging (velocity)."
    )
    flag_disposable_emails: bool = True


class ShareTemplates(Strict):
    """Jinja2 templates (sandboxed) with `name`, `link`, `shop`, `referee_reward` and `referrer_reward`."""

    email_subject: str = Field(TEXTS["en"]["share_subject"], max_length=500)
    email_body: str = Field(TEXTS["en"]["share_body"], max_length=5000)
    social_text: str = Field(TEXTS["en"]["share_social"], max_length=1000)


class Variant(Strict):
    """An A/B variant: referrers are assigned by weight, deterministically, and keep their variant."""

    name: Slug
    weight: int = Field(1, ge=1, le=1000)
    referee_reward: Reward | None = None
    referrer_reward: Reward | None = None
    share: ShareTemplates | None = None


class ReferralProgram(Strict):
    """The fields of a campaign of type `referral`."""

    landing_url: HttpUrlStr
    shop_name: str = Field(TEXTS["en"]["our_shop"], min_length=1, max_length=200)
    referee_reward: Reward
    referrer_reward: Reward
    conversion: ConversionScenario = Field(default_factory=ConversionScenario)  # type: ignore[arg-type]
    holding_days: int = Field(14, ge=0, le=365, description="Refund window before the referrer's reward is released.")
    attribution: Attribution = Field(default_factory=Attribution)  # type: ignore[arg-type]
    tiers: list[Tier] = Field(default_factory=list, max_length=20)
    limits: Limits = Field(default_factory=Limits)  # type: ignore[arg-type]
    variants: list[Variant] = Field(default_factory=list, max_length=10)
    share: ShareTemplates = Field(default_factory=ShareTemplates)  # type: ignore[arg-type]
    utm: dict[str, str] = Field(
        default_factory=lambda: {"utm_source": "referral", "utm_medium": "passaparola"},
        max_length=10,
        description="Query parameters added to the landing URL besides `ref`.",
    )
    fraud: FraudRules = Field(default_factory=FraudRules)  # type: ignore[arg-type]

    @field_validator("utm")
    @classmethod
    def _no_ref(cls, value: dict[str, str]) -> dict[str, str]:
        if "ref" in value:
            raise ValueError("'ref' is the referral code's own parameter")
        return value

    @model_validator(mode="after")
    def _unique(self) -> "ReferralProgram":
        thresholds = [t.referrals for t in self.tiers]
        if len(set(thresholds)) != len(thresholds):
            raise ValueError("tiers need distinct 'referrals' thresholds")
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variants need distinct names")
        referrer_side = [self.referrer_reward, *(t.reward for t in self.tiers)]
        referrer_side += [v.referrer_reward for v in self.variants if v.referrer_reward]
        if any(isinstance(r, CouponReward) and r.when for r in referrer_side):
            raise ValueError("'when' belongs to the referee's coupon reward only")
        referee_side = [self.referee_reward, *(v.referee_reward for v in self.variants if v.referee_reward)]
        if any(isinstance(r, CashReward) for r in referee_side):
            raise ValueError("a 'cash' reward is for the referrer (referrer_reward, tiers), never the referee")
        custom_event = self.conversion.event != "first_order"
        if custom_event and any(isinstance(r, CouponReward) and r.when == "first_order" for r in referee_side):
            raise ValueError("'when': 'first_order' needs a program that converts on the first order")
        return self

    @property
    def attribution_window(self) -> timedelta:
        return timedelta(days=self.attribution.window_days)

    def rewards_of(self, variant: str | None) -> tuple["RewardSpec", "RewardSpec"]:
        """(referee, referrer) rewards for a referrer in this variant."""
        chosen = next((v for v in self.variants if v.name == variant), None)
        referee = chosen.referee_reward if chosen and chosen.referee_reward else self.referee_reward
        referrer = chosen.referrer_reward if chosen and chosen.referrer_reward else self.referrer_reward
        return referee, referrer

    def share_of(self, variant: str | None) -> ShareTemplates:
        chosen = next((v for v in self.variants if v.name == variant), None)
        return chosen.share if chosen and chosen.share else self.share


RewardSpec = CouponReward | CreditReward | PointsReward | CashReward

# ----------------------------------------------------------------------------------------------- links


class CreateReferral(Strict):
    customer_id: CustomerIdStr
    campaign_id: CampaignIdStr
    email: str | None = Field(None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str | None = Field(None, min_length=1, max_length=100)
    ip: str | None = Field(None, max_length=64, description="The referrer's IP (hashed, for the fraud rules).")
    user_agent: str | None = Field(None, max_length=1000)


class ShareTexts(BaseModel):
    email_subject: str
    email_body: str
    social_text: str


class SharePreviewRequest(Strict):
    """The share texts of a saved program (`campaign_id`) or of a draft (`campaign`: the body of
    `POST /v1/campaigns` for a referral program), for a sample referrer in `locale`."""

    campaign_id: str | None = Field(None, min_length=1, max_length=64)
    campaign: dict[str, Any] | None = Field(None, description="A draft referral campaign, validated as at creation.")
    variant: Slug | None = Field(None, description="Whose texts and rewards (default: the first variant's, if any).")
    locale: str = Field("en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$", description="The referrer's locale.")
    name: str | None = Field(None, min_length=1, max_length=100, description="The referrer's name (default Anna).")

    @model_validator(mode="after")
    def _one_source(self) -> "SharePreviewRequest":
        if (self.campaign_id is None) == (self.campaign is None):
            raise ValueError("give either campaign_id or campaign (a draft)")
        return self


class SharePreview(ShareTexts):
    link: str = Field(description="A sample share link (no link is created).")
    variant: str | None = None
    locale: str


class ReferralCounts(BaseModel):
    clicks: int = 0
    visits: int = 0
    signups: int = 0
    conversions: int = Field(
        0, description="Accepted conversions (pending or rewarded), net of refunds and rejections."
    )
    flagged: int = Field(0, description="Conversions waiting for review.")
    blocked: int = 0
    rewarded: int = Field(0, description="Referrer rewards released (what tiers count).")


class Referral(BaseModel):
    """A referrer's code in one campaign, with the links to share."""

    code: str
    campaign_id: str
    customer_id: str
    name: str | None = None
    variant: str | None = None
    share_url: str
    landing_url: str
    qr_url: str
    share: ShareTexts
    counts: ReferralCounts = Field(default_factory=ReferralCounts)
    created_at: datetime


class TrackRequest(Strict):
    """A storefront signal: a visit that came with `ref`, or a signup (`Passaparola.identify`)."""

    type: Literal["visit", "signup"]
    ref: Annotated[str, Field(min_length=1, max_length=64)]
    visitor_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    email: str | None = Field(None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    customer_id: CustomerIdStr | None = None
    url: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _signup_email(self) -> "TrackRequest":
        if self.type == "signup" and not (self.email or self.customer_id):
            raise ValueError("a signup needs an email or a customer_id")
        return self


class Tracked(BaseModel):
    type: str
    ref: str
    campaign_id: str


# ------------------------------------------------------------------------------------------ friend offer

EmailStr = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
LocaleStr = Annotated[str, Field(pattern=r"^[A-Za-z]{2}([-_][A-Za-z]{2})?$")]


class OfferReward(BaseModel):
    type: RewardType
    text: str = Field(description="The reward in words, in the requested locale.")
    when: RewardWhen = Field(description="`first_order`: the friend can get the coupon now, for the first order.")


class FriendOffer(BaseModel):
    """What a friend who arrived through a share link is offered (nothing personal of the referrer but a first
    name)."""

    code: str
    referrer_name: str | None = Field(None, description="The referrer's first name, when known.")
    shop_name: str
    reward: OfferReward
    active: bool = Field(description="False while the program is switched off: nothing is offered.")


class FriendRequest(Strict):
    """The friend's email: the coupon is bound to it (and to the customer id of its first order)."""

    email: EmailStr
    locale: LocaleStr | None = None


class FriendReward(BaseModel):
    type: RewardType
    text: str


class FriendCoupon(BaseModel):
    """The friend's single-use first-order coupon, bound to their email."""

    code: str
    campaign_id: str = Field(description="The discount campaign that issued it.")
    referral_code: str
    email: str = Field(description="The email it is bound to, as given in this call.")
    expires_at: datetime
    reward: FriendReward
    discount: Discount | None = Field(None, description="The discount's terms (null: an existing campaign's).")


# ----------------------------------------------------------------------------------------- conversions

ConversionStatus = Literal["converted", "flagged", "rejected", "blocked", "refunded"]
ConversionSource = Literal["explicit", "touch", "friend_offer"]
"""`friend_offer`: the order redeemed the friend coupon of a referral (`POST /v1/referrals/{code}/friends`)."""


class Conversion(BaseModel):
    """A referred friend's qualifying order (or custom event), with the decision and its reasons."""

    id: str
    campaign_id: str
    code: str
    variant: str | None = None
    referrer_customer_id: str
    customer_id: str
    order_id: str
    event: str
    amount: int
    currency: str
    status: ConversionStatus
    reasons: list[str] = Field(default_factory=list, description="Stable reason codes of the decision.")
    source: ConversionSource
    reward_ids: list[str] = Field(default_factory=list)
    created_at: datetime
    decided_at: datetime | None = None


class ConversionPage(BaseModel):
    items: list[Conversion]
    next_cursor: str | None = None


class ReviewRequest(Strict):
    note: str | None = Field(None, max_length=1000)


# --------------------------------------------------------------------------------------------- rewards

RewardStatus = Literal["pending", "released", "voided", "reversed"]
RewardRole = Literal["referee", "referrer", "tier"]


class IssuedReward(BaseModel):
    """A reward owed to a customer: what it is, where it stands, and what it carries once released."""

    id: str
    customer_id: str
    campaign_id: str
    referral_code: str
    conversion_id: str | None = None
    order_id: str | None = None
    role: RewardRole
    type: RewardType
    status: RewardStatus
    held: bool = Field(False, description="Held for fraud review: not released until approved.")
    coupon_code: str | None = None
    amount: int | None = None
    currency: str | None = None
    points: int | None = None
    tier: int | None = Field(None, description="The milestone (rewarded referrals) a tier reward is for.")
    reason: str
    release_at: datetime | None = None
    created_at: datetime
    released_at: datetime | None = None
    voided_at: datetime | None = None
    reversed_at: datetime | None = None
    not_reversed: int | None = Field(
        None,
        description="Part of a reversed credit already spent, or a coupon already issued: reported, not recovered.",
    )


class RewardPage(BaseModel):
    items: list[IssuedReward]
    next_cursor: str | None = None


class LedgerEntry(BaseModel):
    """One line of the append-only rewards ledger."""

    reward_id: str
    customer_id: str
    event: Literal["pending", "released", "voided", "reversed"]
    type: RewardType
    amount: int | None = None
    currency: str | None = None
    points: int | None = None
    coupon_code: str | None = None
    reason: str
    at: datetime


class LedgerPage(BaseModel):
    items: list[LedgerEntry]
    next_cursor: str | None = None


class ReferralView(Referral):
    conversions: list[Conversion] = Field(default_factory=list)
    rewards: list[IssuedReward] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------- orders


ID_PATTERN = r"^[^#\s][^#]*$"
"""Shop-given ids: anything but '#' (our key separator) and leading whitespace."""


class OrderLine(Strict):
    sku: Annotated[str, Field(min_length=1, max_length=128)]
    quantity: int = Field(1, ge=1, le=100000)
    unit_price: Money
    categories: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(default_factory=list)


class OrderRequest(Strict):
    """An order placed in the shop: the conversion-tracking call."""

    id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    customer_id: CustomerIdStr
    email: str | None = Field(None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    amount: Money
    currency: Currency
    items: list[OrderLine] = Field(default_factory=list, max_length=500)
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    shipping_amount: Money = 0
    referral_code: str | None = Field(None, min_length=1, max_length=64)
    coupon_code: CodeStr | None = None
    ip: str | None = Field(None, max_length=64)
    user_agent: str | None = Field(None, max_length=1000)
    created_at: UtcDatetime | None = Field(None, description="When the order was placed; default now.")


class EventConversionRequest(Strict):
    """A named custom event (e.g. `subscription_started`) for programs whose conversion is not an order."""

    id: str = Field(
        min_length=1, max_length=128, pattern=ID_PATTERN, description="The event's id: the call is idempotent on it."
    )
    event: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]

    @field_validator("event")
    @classmethod
    def _not_an_order(cls, value: str) -> str:
        if value == "first_order":
            raise ValueError("first orders are reported with POST /v1/orders")
        return value

    customer_id: CustomerIdStr
    email: str | None = Field(None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    amount: Money = 0
    currency: Currency = "EUR"
    referral_code: str | None = Field(None, min_length=1, max_length=64)
    ip: str | None = Field(None, max_length=64)
    user_agent: str | None = Field(None, max_length=1000)
    created_at: UtcDatetime | None = None


class ReferralOutcome(BaseModel):
    code: str
    campaign_id: str
    source: ConversionSource
    status: Literal["converted", "flagged", "blocked", "attributed"]
    reasons: list[str] = Field(default_factory=list)
    conversion_id: str | None = None


class CouponOutcome(BaseModel):
    code: str
    redeemed: bool
    redemption_id: str | None = None
    discount_amount: int | None = None
    error: dict[str, str] | None = None


class OrderOutcome(BaseModel):
    """What the order call did: attribution and decision, rewards issued or pending, the coupon."""

    order_id: str
    customer_id: str
    amount: int
    currency: str
    referral: ReferralOutcome | None = None
    rewards: list[IssuedReward] = Field(default_factory=list)
    coupon: CouponOutcome | None = None
    points: int = Field(0, description="Loyalty points this order earned (pending for the program's pending_days).")
    notes: list[str] = Field(
        default_factory=list, description="Things the caller should know, e.g. `referral_code_unknown`."
    )
    created_at: datetime


class RefundRequest(Strict):
    amount: PositiveMoney | None = Field(None, description="Minor units; omitted means the whole remaining amount.")
    reason: str | None = Field(None, max_length=500)


class RewardChange(BaseModel):
    reward_id: str
    action: Literal["voided", "reversed", "disabled", "not_reversible", "clawback", "unchanged"] = Field(
        description="`disabled`: an unused coupon reward whose code no longer redeems; `not_reversible`: a coupon "
        "already used (its face value in `not_reversed`); `clawback`: a cash reward already paid out (reversed, "
        "its negative line in a later payout)."
    )
    not_reversed: int | None = None
    coupon_code: str | None = Field(None, description="The disabled code (action `disabled`).")


class RefundOutcome(BaseModel):
    order_id: str
    refunded_amount: int = Field(description="Total refunded so far.")
    net_amount: int
    currency: str
    conversion_voided: bool
    rewards: list[RewardChange] = Field(default_factory=list)
    points_reversed: int = Field(
        0,
        description="The order's loyalty points this refund took back (pending ones voided, released ones "
        "reversed in full: what the balance could not cover became a points debt).",
    )


# --------------------------------------------------------------------------------------------- reports


class LeaderboardEntry(BaseModel):
    rank: int
    code: str
    customer_id: str
    name: str | None = None
    conversions: int


class Leaderboard(BaseModel):
    campaign_id: str
    period: str
    items: list[LeaderboardEntry]
