"""What a shopper's browser is shown: the program explained (`PublicProgram`) and their referral card (`MyReferral`)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from passaparola.loyalty.models import PanelDisplay
from passaparola.referrals.models import ReferralCounts, ShareTexts


class PublicEarning(BaseModel):
    event: str
    text: str = Field(description='In words: "1 point per 1.00 EUR spent", "50 points for a review".')
    points: int | None = None
    points_per_unit: int | None = None
    unit_amount: int | None = None
    currency: str | None = None


class PublicTier(BaseModel):
    name: str
    min_points: int
    multiplier: float
    perks: list[str] = Field(default_factory=list, description="In words: the multiplier, the welcome gift.")


class PublicReward(BaseModel):
    id: str
    name: str
    description: str | None = None
    cost: int
    type: str
    min_tier: str | None = None
    text: str = Field(description='What it gives, in words ("5.00 EUR off").')


class PublicExpiry(BaseModel):
    policy: str
    days: int | None = None
    text: str


class PublicLoyalty(BaseModel):
    campaign_id: str
    earning: list[PublicEarning]
    tiers: list[PublicTier]
    rewards: list[PublicReward]
    expiry: PublicExpiry
    signup_points: int = Field(0, description="Points for joining (0: none).")


class PublicRewardText(BaseModel):
    type: str
    text: str


class PublicRefereeReward(PublicRewardText):
    when: Literal["first_order", "after_conversion"] = Field(
        "after_conversion", description="first_order: the friend gets it before their first order (a friend offer)."
    )


class PublicReferral(BaseModel):
    campaign_id: str
    shop_name: str
    referee_reward: PublicRefereeReward
    referrer_reward: PublicRewardText


class PublicProgram(BaseModel):
    """What a guest may know of the shop's programs: nothing personal, no limits, fraud rules or variants."""

    locale: str = Field(description="The language of the texts (it, es, ro, fr, de, en).")
    loyalty: PublicLoyalty | None = Field(None, description="Null when the shop has none or it is switched off.")
    referral: PublicReferral | None = Field(None, description="Null when no referral program is active.")
    display: PanelDisplay = Field(description="The panel's look; `launcher_text` has every language.")


FriendStatus = Literal["joined", "ordered", "rewarded", "flagged", "blocked"]


class MyFriend(BaseModel):
    name: str = Field(description="First name, or a masked email (m•••@gmail.com); never a full email.")
    status: FriendStatus
    at: datetime


class MyReward(BaseModel):
    role: str = Field(description="referrer (for a friend) or referee (the customer's own, as a friend).")
    type: str
    text: str
    status: str
    coupon_code: str | None = None
    points: int | None = None
    at: datetime


class MyReferral(BaseModel):
    """The signed-in customer's referral card in the shop's active referral program."""

    campaign_id: str
    code: str
    url: str
    qr_url: str
    share: ShareTexts
    counts: ReferralCounts
    friends: list[MyFriend] = Field(default_factory=list, description="Newest first, 50 at most.")
    rewards: list[MyReward] = Field(default_factory=list, description="Newest first.")
