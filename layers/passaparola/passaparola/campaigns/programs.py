"""Every campaign type together: the unions (create, read, page), the merge patch and each type's stored fields.

Apart from `passaparola.campaigns.models` because they are built from the loyalty, referral and messaging models
(each program campaign in its own module, `referral`, `loyalty`, `reengagement`): a function that meets discount
campaigns only (coupons) or referral ones (redirects) does not import or build the others. The names stay
importable from `passaparola.campaigns.models`, which loads the defining module at the first use of one of them.
"""

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field

from passaparola.campaigns.loyalty import LoyaltyCampaign, LoyaltyCampaignCreate
from passaparola.campaigns.models import (
    COMMON_FIELDS,
    METADATA_MAX_KEYS,
    DiscountCampaign,
    DiscountCampaignCreate,
)
from passaparola.campaigns.reengagement import ReengagementCampaign, ReengagementCampaignCreate
from passaparola.campaigns.referral import ReferralCampaign, ReferralCampaignCreate
from passaparola.coupons.models import Strict
from passaparola.loyalty.models import CatalogueItem, EarningRule, LoyaltyProgram, LoyaltyTier
from passaparola.messages.models import (
    Locale,
    MessageVariant,
    ReengagementProgram,
)
from passaparola.referrals.models import (
    HttpUrlStr,
    ReferralProgram,
    Tier,
    Variant,
)

CampaignCreate = Annotated[
    DiscountCampaignCreate | ReferralCampaignCreate | LoyaltyCampaignCreate | ReengagementCampaignCreate,
    Field(discriminator="type"),
]


def _merged(what: str) -> Any:
    return Field(None, description=f"A JSON Merge Patch of {what}: members merged, `null` clears one.")


class CampaignPatch(Strict):
    """A JSON Merge Patch (RFC 7396) of the campaign: an absent field stays, `null` clears it (back to its
    default), an object is merged member by member, an array or a scalar replaces the old value.

    An object whose `type` changes (a discount, a reward, a trigger) is replaced, not merged: the old kind's
    members mean nothing to the new one. The merged campaign is validated as a whole. Only the fields of the
    campaign's own type are accepted.
    """

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    metadata: dict[str, str | None] | None = Field(None, max_length=METADATA_MAX_KEYS)
    open_to_support: bool | None = None
    discount: dict[str, Any] | None = _merged("the `Discount`")
    rules: dict[str, Any] | None = _merged("`Rules`")
    landing_url: HttpUrlStr | None = None
    shop_name: str | None = Field(None, min_length=1, max_length=200)
    referee_reward: dict[str, Any] | None = _merged("the `Reward`")
    referrer_reward: dict[str, Any] | None = _merged("the `Reward`")
    conversion: dict[str, Any] | None = _merged("`ConversionScenario`")
    holding_days: int | None = Field(None, ge=0, le=365)
    attribution: dict[str, Any] | None = _merged("`Attribution`")
    tiers: list[Tier] | list[LoyaltyTier] | None = Field(None, max_length=20)
    limits: dict[str, Any] | None = _merged("`Limits`")
    variants: list[Variant] | list[MessageVariant] | None = Field(None, max_length=10)
    share: dict[str, Any] | None = _merged("`ShareTemplates`")
    utm: dict[str, str | None] | None = Field(None, max_length=10)
    fraud: dict[str, Any] | None = _merged("`FraudRules`")
    earning_rules: list[EarningRule] | None = Field(None, min_length=1, max_length=50)
    pending_days: int | None = Field(None, ge=0, le=365)
    expiry: dict[str, Any] | None = _merged("`Expiry`")
    tier_policy: dict[str, Any] | None = _merged("`TierPolicy`")
    rewards: list[CatalogueItem] | None = Field(None, max_length=200)
    auto_enroll: bool | None = None
    enrollment_url: HttpUrlStr | None = None
    display: dict[str, Any] | None = _merged("`PanelDisplay`")
    point_value: dict[str, Any] | None = _merged("`PointValue`")
    trigger: dict[str, Any] | None = _merged("the `Trigger`")
    audience: dict[str, Any] | None = _merged("`Audience`")
    incentive: dict[str, Any] | None = _merged("`Incentive`")
    messages: dict[str, Any] | None = _merged("`Messages`")
    default_locale: Locale | None = None
    referral_campaign_id: str | None = Field(None, min_length=1, max_length=64)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent, as JSON; `None` where the patch says `null`."""
        return self.model_dump(mode="json", include=self.model_fields_set)


TYPE_FIELDS: dict[str, frozenset[str]] = {
    "discount": COMMON_FIELDS | {"discount", "rules", "open_to_support"},
    "referral": COMMON_FIELDS | (frozenset(ReferralProgram.model_fields) - {"type"}),
    "loyalty": COMMON_FIELDS | frozenset(LoyaltyProgram.model_fields),
    "reengagement": COMMON_FIELDS | frozenset(ReengagementProgram.model_fields),
}


Campaign = Annotated[
    DiscountCampaign | ReferralCampaign | LoyaltyCampaign | ReengagementCampaign, Field(discriminator="type")
]
AnyCampaign = DiscountCampaign | ReferralCampaign | LoyaltyCampaign | ReengagementCampaign


class CampaignPage(BaseModel):
    items: list[Campaign]
    next_cursor: str | None = None
