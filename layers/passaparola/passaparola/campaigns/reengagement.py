"""A re-engagement campaign, built from passaparola.messages.models: imported only by the functions that use it."""

from typing import Literal

from passaparola.campaigns.models import CampaignBase, CampaignState
from passaparola.messages.models import ReengagementProgram


class ReengagementCampaignCreate(CampaignBase, ReengagementProgram):
    type: Literal["reengagement"]


class ReengagementCampaign(CampaignState, ReengagementProgram):
    """Automated messages along the customer journey (docs/messages.md)."""

    model_config = {"extra": "ignore"}
    type: Literal["reengagement"] = "reengagement"
