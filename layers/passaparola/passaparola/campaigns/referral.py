"""A referral campaign, built from passaparola.referrals.models: imported only by the functions that use it."""

from typing import Literal

from passaparola.campaigns.models import CampaignBase, CampaignState
from passaparola.referrals.models import ReferralProgram


class ReferralCampaignCreate(CampaignBase, ReferralProgram):
    type: Literal["referral"]


class ReferralCampaign(CampaignState, ReferralProgram):
    """A referral program; every coupon and credit reward carries the `campaign_id` that issues it."""

    model_config = {"extra": "ignore"}
    type: Literal["referral"] = "referral"
