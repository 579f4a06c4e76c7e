"""The hourly job: release pending rewards whose holding period ended, and the tier rewards they unlock.

Each release is one transaction conditioned on the reward still being pending, with the referrer's count
of rewarded referrals conditioned on the value read: a second run, or two concurrent runs, never pay twice
and never skip or double a tier.
"""

from dataclasses import dataclass
from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock
from passaparola.campaigns.models import LoyaltyCampaign, ReferralCampaign
from passaparola.customers.record import Change
from passaparola.data import campaigns as campaign_store
from passaparola.data import conversions as conversion_store
from passaparola.data import customers as customer_store
from passaparola.data import links as link_store
from passaparola.data import rewards as reward_store
from passaparola.data.models.referrals import LinkModel
from passaparola.data.models.rewards import LedgerGuardModel, RewardModel
from passaparola.data.transactions import Transaction
from passaparola.observability import logger, metrics
from passaparola.referrals import funnel, rewards
from passaparola.referrals.models import IssuedReward, RewardSpec

ATTEMPTS = 8


@dataclass
class ReleaseReport:
    released: int = 0
    tiers: int = 0
    skipped: int = 0
    held: int = 0
    """Points rewards waiting for a loyalty program: passed over without counting toward `max_rewards`."""


def release_due(max_rewards: int = 10_000) -> ReleaseReport:
    """Release what is due, oldest first. A reward that cannot be released is logged and skipped, never
    blocking the others (the index is read page by page, so skipped rewards do not starve later ones). Points
    held for want of a loyalty program (checked once per run) are passed over uncounted: they are the oldest
    due rewards at every run, and counted they would starve newer ones."""
    now = clock.now()
    report = ReleaseReport()
    loyalty = campaign_store.loyalty_program()
    for item in reward_store.due(now):
        if report.released + report.skipped >= max_rewards:
            break
        if loyalty is None and item.type == "points":
            report.held += 1
            continue
        try:
            released, tier = release_one(item, now)
        except Exception:
            logger.exception("reward not released", extra={"reward_id": item.id, "customer_id": item.customer_id})
            released, tier = False, False
        report.released += int(released)
        report.tiers += int(tier)
        report.skipped += int(not released)
    metrics.add_metric(name="RewardsReleased", unit=MetricUnit.Count, value=report.released)
    if report.skipped:
        metrics.add_metric(name="RewardsNotReleased", unit=MetricUnit.Count, value=report.skipped)
    if report.held:
        metrics.add_metric(name="RewardsHeldForLoyalty", unit=MetricUnit.Count, value=report.held)
    logger.info("release run", extra=report.__dict__)
    return report


def release_one(item: RewardModel, now: datetime, reason: str = "holding_period_ended") -> tuple[bool, bool]:
    """Release one reward (and a tier reward it completes). Returns (released, tier issued)."""
    reward = reward_store.to_reward(item)
    spec = rewards.parse_spec(item.spec)
    program = campaign_store.get_cached(reward.campaign_id)
    skip_tier = False
    for _ in range(ATTEMPTS):
        result = _attempt(reward, spec, program, now, reason, skip_tier)
        if result == "retry_without_tier":
            skip_tier = True
        elif result != "retry":
            return result  # type: ignore[return-value]
    return False, False


def _attempt(
    reward: IssuedReward, spec: RewardSpec, program: object, now: datetime, reason: str, skip_tier: bool
) -> tuple[bool, bool] | str:
    link = conversion_store.read_link(reward.referral_code)
    if link is None or not isinstance(program, ReferralCampaign):
        return False, False
    seen = int(link.rewarded or 0)
    tier = None
    if reward.role == "referrer" and not skip_tier:
        tier = next((t for t in program.tiers if t.referrals == seen + 1), None)

    loyalty = campaign_store.loyalty_program()
    if rewards.waits_for_loyalty(spec, loyalty):
        logger.warning("points reward held: no loyalty program", extra={"reward_id": reward.id})
        return False, False
    # the customer's record matters only to credit loyalty points: no program, no read
    record = customer_store.read(reward.customer_id) if loyalty is not None else None

    def build(tx: Transaction) -> None:
        change = Change(reward.customer_id, record, now, loyalty)  # fresh at each try of the transaction
        change.reason = "referral_rewarded"
        released = rewards.release(tx, reward, spec, link.variant, now, reason)
        if released.points:
            change.credit_reward(released.points, "referral_reward", released.id)
        if reward.role != "referrer":
            if change.dirty:
                change.write(tx)
            return
        change.earn_event("referral", now, f"referral#{reward.id}")
        link_store.count_mirror(tx, link.customer_id, program.id, {"rewarded": 1})
        count = LinkModel.rewarded
        tx.update(
            LinkModel(link.pk, "LINK"),
            actions=[count.add(1)],
            condition=((count == seen) if seen else (count.does_not_exist() | (count == 0))) & link_store.as_read(link),
        )
        before = link_store.raw_counts(link)
        after = funnel.plus(before, rewarded=1)
        link_store.funnel_moved(tx, program.id, link.variant, link.created_at, before, after)
        if tier:
            granted = _grant_tier(tx, program, link, reward, tier.reward, tier.referrals, now, loyalty)
            if granted.points and granted.status == "released":
                change.credit_reward(granted.points, "referral_tier_reward", granted.id)
        if change.dirty:
            change.write(tx)

    try:
        conversion_store.write(build)
    except conversion_store.Rejected:
        current = reward_store.get_item(reward.customer_id, reward.id)
        if current.status != "pending" or current.held:
            return False, False
        if tier and _tier_given(reward.customer_id, program.id, tier.referrals):
            return "retry_without_tier"
        return "retry"
    if tier:
        metrics.add_metric(name="TierRewards", unit=MetricUnit.Count, value=1)
    return True, tier is not None


def _tier_key(campaign_id: str, threshold: int) -> str:
    return f"TIER#{campaign_id}#{threshold}"


def _tier_given(customer_id: str, campaign_id: str, threshold: int) -> bool:
    try:
        LedgerGuardModel.get(customer_id, _tier_key(campaign_id, threshold), consistent_read=True)
    except LedgerGuardModel.DoesNotExist:
        return False
    return True


def _grant_tier(
    tx: Transaction,
    program: ReferralCampaign,
    link: LinkModel,
    trigger: IssuedReward,
    spec: RewardSpec,
    threshold: int,
    now: datetime,
    loyalty: LoyaltyCampaign | None,
) -> IssuedReward:
    """A milestone reward, once per referrer and threshold (a guard item makes it so); points without a loyalty
    program are recorded pending (due now) for a later run to credit."""
    tx.save(
        LedgerGuardModel(link.customer_id, _tier_key(program.id, threshold)),
        condition=LedgerGuardModel.sk.does_not_exist(),
    )
    tier_reward = rewards.new(
        spec,
        role="tier",
        customer_id=link.customer_id,
        program=program,
        code=link.code,
        now=now,
        status="pending",
        reason="tier_reached",
        conversion_id=trigger.conversion_id,
        tier=threshold,
        release_at=now,
    )
    if rewards.waits_for_loyalty(spec, loyalty):
        rewards.record_pending(tx, tier_reward, spec)
        return tier_reward
    return rewards.grant(tx, tier_reward, spec, link.variant, now, "tier_reached")
