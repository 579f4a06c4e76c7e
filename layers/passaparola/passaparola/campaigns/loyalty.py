"""The loyalty campaign, built from passaparola.loyalty.models: imported only by the functions that use it."""

from typing import Literal

from passaparola.campaigns.models import CampaignBase, CampaignState
from passaparola.loyalty.models import LoyaltyProgram


class LoyaltyCampaignCreate(CampaignBase, LoyaltyProgram):
    type: Literal["loyalty"]


class LoyaltyCampaign(CampaignState, LoyaltyProgram):
    """The shop's loyalty program; coupon and credit rewards carry the `campaign_id` that issues them."""

    model_config = {"extra": "ignore"}
    type: Literal["loyalty"] = "loyalty"
