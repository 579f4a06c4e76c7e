"""A referral program's set-up: the discount campaigns that issue its coupon and credit rewards.

Each coupon or credit reward is issued from a discount campaign of its own (created with the program,
named after it, tagged with `reward_of`). A changed reward gets a new one, so codes already issued keep
the terms they were issued with.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from passaparola.campaigns.models import CampaignState, DiscountCampaign, ReferralCampaign
from passaparola.coupons.models import Discount, GiftCardDiscount, Rules
from passaparola.data import campaigns as campaign_store
from passaparola.errors import CampaignTypeMismatch, LoyaltyProgramRequired
from passaparola.ids import new_id
from passaparola.referrals.models import CouponReward, CreditReward, RewardSpec

R = TypeVar("R", bound=BaseModel)


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
    """Same code terms (when the friend gets a coupon does not change the coupon)."""
    return a.model_dump(exclude={"campaign_id", "when"}) == b.model_dump(exclude={"campaign_id", "when"})


def _when(program: ReferralCampaign, reward: R, before: RewardSpec | None) -> R:
    """A referee coupon reward created or changed without `when` gets the default, stored explicitly: `first_order`
    (`after_conversion` when the program converts on a custom event). One unchanged since before `when` existed
    keeps none, read as `after_conversion`. Unchanged terms keep the `when` they had: a merge patch replaces
    `variants` whole, so a client resending a variant's coupon without `when` must not change when the friend gets it."""
    if not isinstance(reward, CouponReward) or reward.when is not None:
        return reward
    if isinstance(before, CouponReward) and same_terms(before, reward):
        return reward.model_copy(update={"when": before.when})
    default = "first_order" if program.conversion.event == "first_order" else "after_conversion"
    return reward.model_copy(update={"when": default})


class Issuers:
    """Gives coupon and credit rewards their issuing discount campaign, reusing one whose terms are unchanged.

    Shared by referral and loyalty programs; `created` are the campaigns to write with the program.
    """

    def __init__(self, program: CampaignState, now: datetime, known: Sequence[BaseModel]) -> None:
        self.program, self.now = program, now
        self.known: list[CouponReward | CreditReward] = [
            r for r in known if isinstance(r, CouponReward | CreditReward) and r.campaign_id
        ]
        self.created: list[DiscountCampaign] = []

    def resolve(self, role: str, given: R) -> R:
        reward = given
        if not isinstance(reward, CouponReward | CreditReward):
            return given
        if isinstance(reward, CouponReward) and reward.campaign_id and not reward.discount:
            return given  # names an existing discount campaign
        for old in self.known:
            if same_terms(old, reward):
                return given.model_copy(update={"campaign_id": old.campaign_id})
        made = issuer(self.program, role, reward, self.now)
        self.created.append(made)
        self.known.append(reward.model_copy(update={"campaign_id": made.id}))
        return given.model_copy(update={"campaign_id": made.id})


def prepare(
    program: ReferralCampaign, now: datetime, previous: ReferralCampaign | None = None
) -> tuple[ReferralCampaign, list[DiscountCampaign]]:
    """Give every coupon/credit reward its issuing campaign; returns the program and the campaigns to create.

    Points rewards are credited to the loyalty balance: without the shop's loyalty program they would be
    paid into nothing, so such a program is refused (created or changed) until the loyalty program exists.
    """
    points = sorted({slot for slot, reward in _slots(program) if reward.type == "points"})
    if points and not campaign_store.program_exists():
        raise LoyaltyProgramRequired(details={"rewards": points})
    issuers = Issuers(program, now, [r for _, r in _slots(previous)] if previous is not None else [])
    resolve = issuers.resolve
    before = dict(_slots(previous)) if previous is not None else {}

    def referee(slot: str, reward: RewardSpec) -> RewardSpec:
        return resolve(slot, _when(program, reward, before.get(slot)))

    update: dict[str, object] = {
        "referee_reward": referee("referee", program.referee_reward),
        "referrer_reward": resolve("referrer", program.referrer_reward),
        "tiers": [t.model_copy(update={"reward": resolve(f"tier {t.referrals}", t.reward)}) for t in program.tiers],
        "variants": [
            v.model_copy(
                update={
                    "referee_reward": referee(f"{v.name} referee", v.referee_reward) if v.referee_reward else None,
                    "referrer_reward": resolve(f"{v.name} referrer", v.referrer_reward) if v.referrer_reward else None,
                }
            )
            for v in program.variants
        ],
    }
    return program.model_copy(update=update), issuers.created


def _slots(program: ReferralCampaign) -> list[tuple[str, RewardSpec]]:
    slots: list[tuple[str, RewardSpec]] = [("referee", program.referee_reward), ("referrer", program.referrer_reward)]
    slots += [(f"tier {t.referrals}", t.reward) for t in program.tiers]
    for v in program.variants:
        slots += [
            (f"{v.name} {role}", r) for role, r in (("referee", v.referee_reward), ("referrer", v.referrer_reward)) if r
        ]
    return slots


def get_referral(campaign_id: str) -> ReferralCampaign:
    """The referral campaign `campaign_id` (here, not in the campaigns service, so that a redirect does not import
    every campaign type with that service)."""
    campaign = campaign_store.get(campaign_id)
    if not isinstance(campaign, ReferralCampaign):
        raise CampaignTypeMismatch("This needs a referral campaign.", {"campaign_id": campaign_id})
    return campaign
