"""A referral program's set-up: the discount campaigns that issue its coupon and credit rewards.

Each coupon or credit reward is issued from a discount campaign of its own (created with the program,
named after it, tagged with `reward_of`). A changed reward gets a new one, so codes already issued keep
the terms they were issued with.
"""

from datetime import datetime

from passaparola.campaigns.models import CampaignState, DiscountCampaign, ReferralCampaign
from passaparola.coupons.models import Discount, GiftCardDiscount, Rules
from passaparola.ids import new_id
from passaparola.referrals.models import CouponReward, CreditReward, RewardSpec


def issuer(program: CampaignState, role: str, reward: CouponReward | CreditReward, now: datetime) -> DiscountCampaign:
    """The discount campaign that issues one reward's codes (tagged with the program it belongs to)."""
    discount: Discount
    if isinstance(reward, CreditReward):
        discount = GiftCardDiscount(type="gift_card", balance=reward.amount)
        rules = Rules(currency=reward.currency)  # type: ignore[call-arg]
    else:
        assert reward.discount is not None
        discount = reward.discount
        rules = Rules(  # type: ignore[call-arg]
            currency=reward.currency,
            valid_days_after_issue=reward.valid_days,
            min_order_amount=reward.min_order_amount,
            max_redemptions_per_code=1,
        )
    return DiscountCampaign(
        id=new_id("cmp"),
        name=f"{program.name} · {role} reward",
        description=f"Issues the {role} reward of campaign {program.id}.",
        enabled=True,
        metadata={"reward_of": program.id, "role": role},
        version=1,
        created_at=now,
        updated_at=now,
        discount=discount,
        rules=rules,
    )


def same_terms(a: RewardSpec, b: RewardSpec) -> bool:
    return a.model_dump(exclude={"campaign_id"}) == b.model_dump(exclude={"campaign_id"})


def prepare(
    program: ReferralCampaign, now: datetime, previous: ReferralCampaign | None = None
) -> tuple[ReferralCampaign, list[DiscountCampaign]]:
    """Give every coupon/credit reward its issuing campaign; returns the program and the campaigns to create."""
    created: list[DiscountCampaign] = []
    known: list[RewardSpec] = []
    if previous is not None:
        known = [r for _, r in _slots(previous)]

    def resolve(role: str, reward: RewardSpec) -> RewardSpec:
        if isinstance(reward, CouponReward) and reward.campaign_id and not reward.discount:
            return reward
        if not isinstance(reward, CouponReward | CreditReward):
            return reward
        for old in known:
            if isinstance(old, CouponReward | CreditReward) and old.campaign_id and same_terms(old, reward):
                return reward.model_copy(update={"campaign_id": old.campaign_id})
        issuer_ = issuer(program, role, reward, now)
        created.append(issuer_)
        known.append(reward.model_copy(update={"campaign_id": issuer_.id}))
        return reward.model_copy(update={"campaign_id": issuer_.id})

    update: dict[str, object] = {
        "referee_reward": resolve("referee", program.referee_reward),
        "referrer_reward": resolve("referrer", program.referrer_reward),
        "tiers": [t.model_copy(update={"reward": resolve(f"tier {t.referrals}", t.reward)}) for t in program.tiers],
        "variants": [
            v.model_copy(
                update={
                    "referee_reward": resolve(f"{v.name} referee", v.referee_reward) if v.referee_reward else None,
                    "referrer_reward": resolve(f"{v.name} referrer", v.referrer_reward) if v.referrer_reward else None,
                }
            )
            for v in program.variants
        ],
    }
    return program.model_copy(update=update), created


def _slots(program: ReferralCampaign) -> list[tuple[str, RewardSpec]]:
    slots: list[tuple[str, RewardSpec]] = [("referee", program.referee_reward), ("referrer", program.referrer_reward)]
    slots += [(f"tier {t.referrals}", t.reward) for t in program.tiers]
    for v in program.variants:
        slots += [
            (f"{v.name} {role}", r) for role, r in (("referee", v.referee_reward), ("referrer", v.referrer_reward)) if r
        ]
    return slots
