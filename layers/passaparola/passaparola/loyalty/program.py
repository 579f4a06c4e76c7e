"""A loyalty program's set-up: the discount campaigns that issue its coupon and credit rewards.

As for referral programs, each catalogue or tier-entry reward paid in a code is issued by a discount
campaign of its own; a changed reward gets a new one, so codes already issued keep their terms.
"""

from datetime import datetime

from pydantic import BaseModel

from passaparola.campaigns.models import DiscountCampaign, LoyaltyCampaign
from passaparola.referrals.program import Issuers


def prepare(
    program: LoyaltyCampaign, now: datetime, previous: LoyaltyCampaign | None = None
) -> tuple[LoyaltyCampaign, list[DiscountCampaign]]:
    """Give every coupon/credit reward its issuing campaign; returns the program and the campaigns to create."""
    issuers = Issuers(program, now, _rewards(previous) if previous is not None else [])
    rewards = [r.model_copy(update={"reward": issuers.resolve(f"reward {r.id}", r.reward)}) for r in program.rewards]
    tiers = [
        t.model_copy(update={"entry_reward": issuers.resolve(f"tier {t.name}", t.entry_reward)})
        if t.entry_reward
        else t
        for t in program.tiers
    ]
    return program.model_copy(update={"rewards": rewards, "tiers": tiers}), issuers.created


def _rewards(program: LoyaltyCampaign) -> list[BaseModel]:
    return [r.reward for r in program.rewards] + [t.entry_reward for t in program.tiers if t.entry_reward]
