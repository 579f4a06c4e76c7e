"""Rewards: what a conversion earns, issuing it (coupon code, store credit, points), and its ledger lines.

Issuing is always part of a caller's transaction: the reward's status change, its coupon or gift-card
code, its ledger line and its event are written together or not at all.
"""

from datetime import datetime

from pydantic import TypeAdapter

from passaparola import clock
from passaparola.campaigns.models import DiscountCampaign, LoyaltyCampaign, ReferralCampaign
from passaparola.coupons import codes
from passaparola.coupons.models import Code
from passaparola.data import campaigns as campaign_store
from passaparola.data import coupons as code_store
from passaparola.data import rewards as store
from passaparola.data import stats
from passaparola.data.transactions import Transaction
from passaparola.errors import CampaignTypeMismatch
from passaparola.events import outbox
from passaparola.ids import new_sortable_id
from passaparola.referrals.models import (
    CashReward,
    CouponReward,
    CreditReward,
    IssuedReward,
    LedgerPage,
    Reward,
    RewardPage,
    RewardRole,
    RewardSpec,
    RewardStatus,
)

_spec: TypeAdapter[RewardSpec] = TypeAdapter(Reward)


def new(
    spec: RewardSpec,
    *,
    role: RewardRole,
    customer_id: str,
    program: ReferralCampaign,
    code: str,
    now: datetime,
    status: RewardStatus,
    reason: str,
    held: bool = False,
    conversion_id: str | None = None,
    order_id: str | None = None,
    release_at: datetime | None = None,
    tier: int | None = None,
) -> IssuedReward:
    amount, currency = money_value(spec)
    return IssuedReward(
        id=new_sortable_id("rwd", int(now.timestamp() * 1000)),
        customer_id=customer_id,
        campaign_id=program.id,
        referral_code=code,
        conversion_id=conversion_id,
        order_id=order_id,
        role=role,
        type=spec.type,
        status=status,
        held=held,
        amount=amount,
        currency=currency,
        points=spec.points if spec.type == "points" else None,
        tier=tier,
        reason=reason,
        release_at=release_at,
        created_at=now,
    )


def money_value(spec: RewardSpec) -> tuple[int | None, str | None]:
    """What a reward is worth in money at issue: credit, or a coupon's fixed amount off (face value)."""
    if isinstance(spec, CreditReward | CashReward):
        return spec.amount, spec.currency
    if isinstance(spec, CouponReward) and spec.discount and spec.discount.type == "amount":
        return spec.discount.amount_off, spec.currency
    return None, None


def report(tx: Transaction, event_type: str, reward: IssuedReward, at: datetime) -> None:
    """The reward's event (reward.issued, .released, .voided, .reversed), in the transaction that changes it."""
    data = {
        "reward_id": reward.id,
        "campaign_id": reward.campaign_id,
        "kind": reward.type,
        "amount": reward.points if reward.type == "points" else reward.amount,
        "currency": reward.currency,
        "conversion_id": reward.conversion_id,
        "reason": reward.reason,
        "role": reward.role,
        "status": reward.status,
        "coupon_code": reward.coupon_code,
    }
    outbox.record(tx, event_type, data, customer_id=reward.customer_id, at=at)


def spec_json(spec: RewardSpec) -> str:
    return _spec.dump_json(spec).decode()


def parse_spec(text: str) -> RewardSpec:
    return _spec.validate_json(text)


def issuer_of(campaign_id: str) -> DiscountCampaign:
    campaign = campaign_store.get_cached(campaign_id, max_age=60)
    if not isinstance(campaign, DiscountCampaign):
        raise CampaignTypeMismatch("A reward is issued from a discount campaign.", {"campaign_id": campaign_id})
    return campaign


def coupon_terms(campaign_id: str) -> CouponReward:
    """The terms of coupons issued by this campaign (a friend coupon keeps them whatever the program says now)."""
    issuer = issuer_of(campaign_id)
    return CouponReward.model_construct(
        type="coupon", discount=issuer.discount, currency=issuer.rules.currency, campaign_id=issuer.id
    )


def code_for(spec: RewardSpec, customer_id: str, now: datetime) -> tuple[Code, DiscountCampaign] | None:
    """A new code bound to the customer, from the reward's issuing campaign (and that campaign)."""
    if not isinstance(spec, CouponReward | CreditReward):
        return None
    assert spec.campaign_id, "the program's set-up gives every coupon/credit reward its issuing campaign"
    issuer = issuer_of(spec.campaign_id)
    value = codes.generate(codes.parse_pattern(None, "R-"), 1)[0]
    code = Code(
        code=value,
        campaign_id=issuer.id,
        customer_id=customer_id,
        created_at=now,
        issued_at=now,
        balance=issuer.discount.balance if issuer.discount.type == "gift_card" else None,
    )
    return code, issuer


def cost(
    tx: Transaction,
    reward: IssuedReward,
    variant: str | None,
    sign: int = 1,
    spec: RewardSpec | None = None,
    issued: bool = True,
) -> None:
    """Count a released (or, with sign -1, reversed) reward in the program's cost aggregates.

    All time (`STATS#`, face value), and per variant on the day it happens (`DAY#`): money rewards
    (`reward_cost_<CUR>@v`), points (`points@v`), coupons issued (`coupons_issued@v`); a coupon's real cost
    counts when it is redeemed, its expected one while outstanding (`stats.outstanding`).
    """
    counts = {"points_awarded": sign * (reward.points or 0)}
    if reward.role == "referrer":
        counts["rewards_released"] = sign
    money = {"reward_cost": (reward.currency, sign * reward.amount)} if reward.amount and reward.currency else {}
    stats.variant(tx, reward.campaign_id, variant, counts, money)
    day_counts = {"points": sign * (reward.points or 0)}
    day_money: dict[str, tuple[str, int]] = {}
    if reward.type in ("credit", "cash") and reward.amount and reward.currency:
        day_money["reward_cost"] = (reward.currency, sign * reward.amount)
    if reward.type == "coupon" and issued:  # a friend coupon counted as issued when the friend got it
        day_counts["coupons_issued"] = sign
        stats.outstanding(tx, reward.campaign_id, variant, sign, expected_discount(spec, sign))
    stats.cohort(tx, reward.campaign_id, variant, stats.day_of(clock.now()), day_counts, day_money)


def expected_discount(spec: RewardSpec | None, sign: int = 1) -> dict[str, tuple[str, int]]:
    """What one outstanding coupon of these terms is expected to cost: an amount off, or a percent (basis
    points) of an average order, per the coupon's currency; nothing without terms or currency."""
    discount = spec.discount if isinstance(spec, CouponReward) else None
    currency = spec.currency if isinstance(spec, CouponReward) else None
    if discount is None or currency is None:
        return {}
    if discount.type == "amount" and discount.amount_off:
        return {"coupon_expected": (currency, sign * int(discount.amount_off))}
    if discount.type == "percent" and discount.percent_off:
        return {"coupon_expected_bp": (currency, sign * round(float(discount.percent_off) * 100))}
    return {}


def coupon_stats(spec: RewardSpec, campaign_id: str, variant: str | None) -> str | None:
    """Only a coupon reward's redemptions are the program's coupon cost: a store credit's face value is
    already its `reward_cost` when released, so its gift-card code must not count its spends again."""
    return stats.reward_stats(campaign_id, variant, expected_discount(spec)) if isinstance(spec, CouponReward) else None


def grant(
    tx: Transaction,
    reward: IssuedReward,
    spec: RewardSpec,
    variant: str | None,
    now: datetime,
    reason: str,
    used_coupon: str | None = None,
) -> IssuedReward:
    """Write a new reward released at once: its code, the reward, its ledger line, its cost.

    `used_coupon`: the friend's coupon the order already redeemed was this reward (nothing new is issued)."""
    issued = None if used_coupon else code_for(spec, reward.customer_id, now)
    coupon_code = used_coupon or (issued[0].code if issued else None)
    released = reward.model_copy(update={"status": "released", "released_at": now, "coupon_code": coupon_code})
    if issued:
        issued[0]._reward_stats = coupon_stats(spec, reward.campaign_id, variant)
        code_store.put_code(tx, issued[0], issued[1], "referral")
    store.put(tx, released, spec_json(spec))
    store.ledger(tx, released, "released", reason, now)
    report(tx, "reward.issued", released, now)
    cost(tx, released, variant, spec=spec, issued=not used_coupon)
    return released


def waits_for_loyalty(spec: RewardSpec, loyalty: LoyaltyCampaign | None) -> bool:
    """Points need the shop's loyalty program to be credited to: without it they stay pending (held by the
    hourly job, which skips them) until a loyalty program exists, never `released` into nothing.

    Programs with points rewards are refused while there is no loyalty program, so this only holds points of
    programs created before that rule; a disabled loyalty program still credits them (the balance is kept)."""
    return spec.type == "points" and loyalty is None


def record_pending(tx: Transaction, reward: IssuedReward, spec: RewardSpec) -> None:
    store.put(tx, reward, spec_json(spec))
    store.ledger(tx, reward, "pending", reward.reason, reward.created_at)
    report(tx, "reward.issued", reward, reward.created_at)


def release(
    tx: Transaction, reward: IssuedReward, spec: RewardSpec, variant: str | None, now: datetime, reason: str
) -> IssuedReward:
    """A pending reward becomes released (conditioned on still being pending)."""
    issued = code_for(spec, reward.customer_id, now)
    released = reward.model_copy(
        update={
            "status": "released",
            "released_at": now,
            "held": False,
            "coupon_code": issued[0].code if issued else None,
            "reason": reason,
        }
    )
    if issued:
        issued[0]._reward_stats = coupon_stats(spec, reward.campaign_id, variant)
        code_store.put_code(tx, issued[0], issued[1], "referral")
    store.mark_released(tx, released, released.coupon_code, now)
    store.ledger(tx, released, "released", reason, now)
    report(tx, "reward.released", released, now)
    cost(tx, released, variant, spec=spec)
    return released


def void(tx: Transaction, reward: IssuedReward, now: datetime, reason: str) -> IssuedReward:
    voided = reward.model_copy(update={"status": "voided", "voided_at": now, "reason": reason})
    store.mark_voided(tx, voided, reason, now)
    store.ledger(tx, voided, "voided", reason, now)
    report(tx, "reward.voided", voided, now)
    return voided


def of_customer(customer_id: str, status: str | None, limit: int, cursor: str | None) -> RewardPage:
    """A customer's rewards, newest first."""
    items, next_cursor = store.of_customer(customer_id, status, limit, cursor)
    return RewardPage(items=items, next_cursor=next_cursor)


def ledger(customer_id: str, limit: int, cursor: str | None) -> LedgerPage:
    """A customer's rewards ledger, oldest first."""
    items, next_cursor = store.ledger_of(customer_id, limit, cursor)
    return LedgerPage(items=items, next_cursor=next_cursor)
