"""A loyalty program's set-up: the discount campaigns that issue its coupon and credit rewards.

As for referral programs, each catalogue or tier-entry reward paid in a code is issued by a discount
campaign of its own; a changed reward gets a new one, so codes already issued keep their terms.
"""

from datetime import datetime

from passaparola.campaigns.models import DiscountCampaign, LoyaltyCampaign
from passaparola.referrals.models import CouponReward, CreditReward
from passaparola.referrals.program import issuer, same_terms


def prepare(
    program: LoyaltyCampaign, now: datetime, previous: LoyaltyCampaign | None = None
) -> tuple[LoyaltyCampaign, list[DiscountCampaign]]:
    created: list[DiscountCampaign] = []
    known: list[CouponReward | CreditReward] = []
    if previous is not None:
        known = [r for r in _code_rewards(previous) if r.campaign_id]

    def resolve(role: str, reward: CouponReward | CreditReward) -> CouponReward | CreditReward:
        if isinstance(reward, CouponReward) and reward.campaign_id and not reward.discount:
            return reward
        for old in known:
            if type(old) is type(reward) and same_terms(old, reward):
                return reward.model_copy(update={"campaign_id": old.campaign_id})
        made = issuer(program, role, reward, now)
        created.append(made)
        resolved = reward.model_copy(update={"campaign_id": made.id})
        known.append(resolved)
        return resolved

    rewards = [
        r.model_copy(update={"reward": resolve(f"reward {r.id}", r.reward)})
        if isinstance(r.reward, CouponReward | CreditReward)
        else r
        for r in program.rewards
    ]
    tiers = [
        t.model_copy(update={"entry_reward": resolve(f"tier {t.name}", t.entry_reward)})
        if isinstance(t.entry_reward, CouponReward | CreditReward)
        else t
        for t in program.tiers
    ]
    return program.model_copy(update={"rewards": rewards, "tiers": tiers}), created


def _code_rewards(program: LoyaltyCampaign) -> list[CouponReward | CreditReward]:
    out: list[CouponReward | CreditReward] = [
        r.reward for r in program.rewards if isinstance(r.reward, CouponReward | CreditReward)
    ]
    out += [t.entry_reward for t in program.tiers if isinstance(t.entry_reward, CouponReward | CreditReward)]
    return out
