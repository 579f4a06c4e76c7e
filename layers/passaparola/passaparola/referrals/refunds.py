"""Refunds: lower the revenue figures and, when the order no longer qualifies, undo the conversion.

A full refund, or a partial one leaving less than the program's minimum, voids the conversion: pending
rewards are voided, released store credit and points are reversed (credit only as far as it is unspent:
the rest is reported; points in full, what the balance cannot cover becoming a points debt), an unused
released coupon is disabled, a used one reported as not reversible; the referrer's converted referrals
count goes down (and the segments built on it follow).

Concurrent refunds of one order all succeed: each is one read-decide-write pass conditioned on the refunded
total it read; the loser waits a jittered, growing pause and decides again on what the winner left. With an
Idempotency-Key, the key's record is read with the order and written in the refund's transaction: a loser with the
winner's key finds the winner's answer on its next read and replays it, so the key refunds once.
"""

from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock
from passaparola.campaigns.models import ReferralCampaign
from passaparola.customers.record import Change
from passaparola.data import campaigns as campaign_store
from passaparola.data import conversions as store
from passaparola.data import coupons as code_store
from passaparola.data import customers as customer_store
from passaparola.data import links as link_store
from passaparola.data import loyalty as loyalty_store
from passaparola.data import payouts as payout_store
from passaparola.data import rewards as reward_store
from passaparola.data import stats, transactions
from passaparola.data.models.loyalty import EarnModel
from passaparola.data.models.orders import OrderModel
from passaparola.data.models.referrals import ConversionModel, CounterModel, LinkModel
from passaparola.data.transactions import Transaction
from passaparola.errors import Conflict, NotFound, RefundExceedsOrder
from passaparola.loyalty import rules as loyalty_rules
from passaparola.observability import metrics
from passaparola.payouts import service as payouts
from passaparola.referrals import funnel, rewards
from passaparola.referrals.models import (
    IssuedReward,
    OrderOutcome,
    RefundOutcome,
    RefundRequest,
    RewardChange,
    RewardSpec,
)
from passaparola.referrals.review import rewards_of

ATTEMPTS = 40
"""Enough for tens of concurrent refunds of one order: each pass lets at least one of them through."""


def refund(order_id: str, request: RefundRequest) -> RefundOutcome:
    for attempt in range(ATTEMPTS):
        transactions.backoff(attempt, cap=0.25)
        try:
            outcome = _attempt(order_id, request)
        except Conflict:  # contention the transaction helper stopped retrying: decide again on a fresh read
            continue
        if outcome is not None:
            return outcome
    raise Conflict("The order kept changing while refunding; retry.")


def _attempt(order_id: str, request: RefundRequest) -> RefundOutcome | None:
    """One read-decide-write pass; None when a concurrent change made the write fail (read again)."""
    order = store.first_read_order(order_id)  # with an Idempotency-Key, its record too (a replay ends here)
    if order is None or order.kind != "order":
        raise NotFound("No such order.", {"order_id": order_id})
    amount, refunded = int(order.amount), int(order.refunded or 0)
    remaining = amount - refunded
    value = request.amount if request.amount is not None else remaining
    if value > remaining or value <= 0:
        raise RefundExceedsOrder(details={"order_id": order_id, "remaining": remaining, "requested": value})
    left = remaining - value
    conversion, link = None, None
    if order.conversion_id and order.referral_code:
        conversion, link = store.read_with_link(order.conversion_id, order.referral_code)
    elif order.conversion_id:
        conversion = store.get_item(order.conversion_id)
    program = campaign_store.get(conversion.campaign_id) if conversion else None
    voids = bool(
        conversion
        and isinstance(program, ReferralCampaign)
        and conversion.conv_status in ("converted", "flagged")
        and (
            left == 0
            or (program.conversion.min_order_amount is not None and left < program.conversion.min_order_amount)
        )
    )
    held = rewards_of(conversion) if conversion and voids else []
    codes = [
        r.coupon_code for r, _ in held if r.status == "released" and r.type in ("credit", "coupon") and r.coupon_code
    ]
    code_counts = code_store.code_counts(codes) if codes else {}
    changes: list[RewardChange] = []
    now = clock.now()
    loyalty = campaign_store.loyalty_program()
    referrer_rewards = [r for r, _ in held if r.role == "referrer" and r.status == "released"]
    referral_earns = {r.id: loyalty_store.earn_of(r.customer_id, f"referral#{r.id}") for r in referrer_rewards}
    # the referrer's converted count was raised after the conversion committed: it goes down with the refund
    referrer_id = (
        conversion.referrer_customer_id
        if voids and conversion is not None and conversion.conv_status == "converted"
        else None
    )
    customer_ids = (
        {order.customer_id}
        | {r.customer_id for r, _ in held if r.type == "points" and r.status == "released" and loyalty is not None}
        | {r.customer_id for r in referrer_rewards if referral_earns[r.id] is not None}
        | ({referrer_id} if referrer_id and referrer_id != order.customer_id else set())
    )
    records = {cid: customer_store.read(cid) for cid in customer_ids}
    earn = loyalty_store.earn_of(order.customer_id, f"order#{order_id}")
    paid = {r.id: _paid_period(r) for r, _ in held if r.type == "cash" and r.status == "released"}
    points_back: list[int] = []
    coupon = OrderOutcome.model_validate_json(order.outcome).coupon
    redeemed = code_store.refunded_redemption(coupon.redemption_id) if coupon and coupon.redemption_id else None

    def build(tx: Transaction) -> None:
        changes.clear()
        points_back.clear()
        if redeemed is not None:
            code_store.count_refund(tx, redeemed, value, now)
        people = {cid: Change(cid, records[cid], now, loyalty) for cid in customer_ids}
        friend = people[order.customer_id]
        friend.reason = "order_refunded"
        friend.refund(order.currency, value)
        if earn is not None:
            points_back.append(_reverse_points(tx, friend, earn, amount, refunded + value, order_id))
        if referrer_id is not None and referrer_id in people:
            people[referrer_id].reason = "referral_refunded"
            people[referrer_id].referral_voided()
        tx.update(
            order,
            actions=[OrderModel.refunded.add(value)],
            condition=OrderModel.refunded == refunded,
        )
        stats.ensure_shop()
        acquired = stats.acquired_day(order, order.created_at)
        stats.shop_ltv(tx, bool(order.referred), order.currency, -value, False, acquired)
        if order.ltv_campaign_id:
            money = {"ltv_revenue": (order.currency, -value)}
            if conversion is not None and conversion.conv_status == "converted":
                money["revenue"] = (order.currency, -(value + left if voids else value))
            stats.variant(tx, order.ltv_campaign_id, order.ltv_variant, money=money)
            cohort = {"revenue": (order.currency, -value)}
            stats.cohort(tx, order.ltv_campaign_id, order.ltv_variant, acquired, money=cohort)
        if voids and conversion is not None:
            _void_conversion(tx, conversion, now)
            for reward, spec in held:
                changes.append(_undo(tx, reward, spec, code_counts, conversion.variant, now, paid.get(reward.id)))
                if reward.type == "points" and reward.status == "released" and reward.points and loyalty is not None:
                    people[reward.customer_id].reverse(reward.points, "referral_refunded", reward.id)
                if reward.role == "referrer" and reward.status == "released":
                    link_store.count_mirror(tx, reward.customer_id, reward.campaign_id, {"rewarded": -1})
                    if (referral := referral_earns.get(reward.id)) is not None:
                        _reverse_referral_points(tx, people[reward.customer_id], referral)
            if conversion.conv_status == "converted":
                link_store.count_mirror(
                    tx, conversion.referrer_customer_id, conversion.campaign_id, {"conversions": -1}
                )
            if link is not None:
                _funnel_back(tx, link, conversion, [r for r, _ in held], changes)
        for person in people.values():
            if person.dirty:
                person.write(tx)

    def outcome() -> RefundOutcome:
        return RefundOutcome(
            order_id=order_id,
            refunded_amount=refunded + value,
            net_amount=left,
            currency=order.currency,
            conversion_voided=voids,
            rewards=list(changes),
            points_reversed=sum(points_back),
        )

    try:
        store.write(build, outcome)  # an Idempotency-Key's record of this answer rides the refund's transaction
    except store.Rejected:
        return None
    metrics.add_metric(name="OrdersRefunded", unit=MetricUnit.Count, value=1)
    if voids:
        metrics.add_metric(name="ConversionsVoided", unit=MetricUnit.Count, value=1)
    return outcome()


def _reverse_points(
    tx: Transaction, change: Change, earn: EarnModel, paid: int, refunded_total: int, order_id: str
) -> int:
    """The order's points follow the refund: pending ones are voided, released ones taken back in full (what
    the balance cannot cover becomes a points debt). Returns the points taken back now."""
    points, already = int(earn.points), int(earn.reversed or 0)
    back = loyalty_rules.refund_reversal(points, paid, refunded_total, already)
    if back <= 0 or earn.status == "voided":
        return 0
    source = f"order#{order_id}"
    if earn.status == "pending":
        change.void_pending(back, "order_refunded", source)
        status = "voided" if already + back >= points else "pending"
    else:
        change.reverse(back, "order_refunded", source)
        change.unearn_month(earn.month, back)
        status = "released"
    tx.update(
        earn,
        actions=[EarnModel.reversed.add(back), EarnModel.status.set(status)],
        condition=EarnModel.reversed == already,
    )
    return back


def _reverse_referral_points(tx: Transaction, change: Change, earn: EarnModel) -> None:
    """The loyalty program's `referral` points go with the referral they rewarded."""
    back = int(earn.points) - int(earn.reversed or 0)
    if back <= 0:
        return
    change.reverse(back, "referral_refunded", earn.sk.removeprefix("EARN#"))
    change.unearn_month(earn.month, back)
    tx.update(
        earn,
        actions=[EarnModel.reversed.add(back), EarnModel.status.set("voided")],
        condition=EarnModel.reversed == int(earn.reversed or 0),
    )


def _funnel_back(
    tx: Transaction,
    link: LinkModel,
    conversion: ConversionModel,
    held: list[IssuedReward],
    changes: list[RewardChange],
) -> None:
    """The voided conversion, and the referrer rewards taken back with it, leave the link's cohort funnels."""
    taken_back = ("reversed", "clawback", "disabled")
    unrewarded = sum(
        1
        for reward, change in zip(held, changes, strict=True)
        if reward.role == "referrer" and reward.status == "released" and change.action in taken_back
    )
    before = link_store.raw_counts(link)
    after = funnel.plus(before, conversions=-int(conversion.conv_status == "converted"), rewarded=-unrewarded)
    link_store.funnel_moved(tx, link.campaign_id, link.variant, link.created_at, before, after)
    link_store.unchanged(tx, link)


def _void_conversion(tx: Transaction, conversion: ConversionModel, now: datetime) -> None:
    was = conversion.conv_status
    tx.update(
        conversion,
        actions=[
            ConversionModel.conv_status.set("refunded"),
            ConversionModel.reasons.add({"order_refunded"}),
            ConversionModel.decided_at.set(now.isoformat()),
        ],
        condition=ConversionModel.conv_status == was,
    )
    field = "conversions" if was == "converted" else "flagged"
    tx.add(LinkModel(f"REF#{conversion.code}", "LINK"), {field: -1})
    stats.variant(tx, conversion.campaign_id, conversion.variant, {field: -1, "refunded": 1})
    for board in conversion.boards or []:
        store.board_update(tx, board, conversion.code, conversion.referrer_customer_id, None, -1)
    if conversion.period_bucket:
        tx.update(
            CounterModel(f"REF#{conversion.code}", f"LIMIT#{conversion.period_bucket}"),
            actions=[CounterModel.hits.add(-1)],
        )


def _undo(
    tx: Transaction,
    reward: IssuedReward,
    spec: RewardSpec,
    code_counts: dict[str, code_store.CodeCounts],
    variant: str | None,
    now: datetime,
    paid_period: str | None = None,
) -> RewardChange:
    """Void a pending reward, reverse a released one as far as it allows, or report it."""
    if reward.status == "pending":
        rewards.void(tx, reward, now, "order_refunded")
        return RewardChange(reward_id=reward.id, action="voided")
    if reward.status != "released":
        return RewardChange(reward_id=reward.id, action="unchanged")
    if reward.type == "cash":
        return _undo_cash(tx, reward, variant, now, paid_period)
    if reward.type == "coupon":
        if reward.coupon_code in code_counts and code_counts[reward.coupon_code].redemptions == 0:
            return _disable_coupon(tx, reward, spec, reward.coupon_code, variant, now)
        reward_store.mark_not_reversible(tx, reward, reward.amount)
        return RewardChange(reward_id=reward.id, action="not_reversible", not_reversed=reward.amount)
    taken = 0
    if reward.type == "credit" and reward.coupon_code:
        seen = code_counts[reward.coupon_code].balance if reward.coupon_code in code_counts else 0
        taken = min(seen, reward.amount or 0)
        if taken:
            code_store.take_balance(tx, reward.coupon_code, taken, seen, reward.customer_id)
    not_reversed = (reward.amount or 0) - taken if reward.type == "credit" else None
    reversed_amount = taken if reward.type == "credit" else reward.amount
    update = {"status": "reversed", "reversed_at": now, "reason": "order_refunded", "amount": reversed_amount}
    reversed_reward = reward.model_copy(update=update)
    reward_store.mark_reversed(tx, reward, not_reversed or None, "order_refunded", now)
    reward_store.ledger(tx, reversed_reward, "reversed", "order_refunded", now)
    rewards.report(tx, "reward.reversed", reversed_reward, now)
    counts = {"points_awarded": -(reward.points or 0)}
    if reward.role == "referrer":
        counts["rewards_released"] = -1
        tx.add(LinkModel(f"REF#{reward.referral_code}", "LINK"), {"rewarded": -1})
    money = {"reward_cost": (reward.currency, -taken)} if reward.currency and taken else {}
    stats.variant(tx, reward.campaign_id, variant, counts, money)
    stats.cohort(tx, reward.campaign_id, variant, stats.day_of(now), {"points": -(reward.points or 0)}, money)
    return RewardChange(reward_id=reward.id, action="reversed", not_reversed=not_reversed or None)


def _paid_period(reward: IssuedReward) -> str | None:
    """The month of a released cash reward's payout if that payout was paid (then it takes a clawback)."""
    if reward.released_at is None or not reward.currency:
        return None
    period = reward_store.payout_period(reward.released_at)
    mark = payout_store.mark(reward.customer_id, period, reward.currency)
    return period if mark is not None and mark.paid_at else None


def _undo_cash(
    tx: Transaction, reward: IssuedReward, variant: str | None, now: datetime, paid_period: str | None
) -> RewardChange:
    """A cash reward not paid yet leaves its payout (conditioned on the payout still unpaid: a concurrent `paid`
    makes this refund decide again); a paid one stays paid and a negative clawback line goes in a later payout."""
    assert reward.released_at is not None and reward.currency
    reversed_reward = reward.model_copy(update={"status": "reversed", "reversed_at": now, "reason": "order_refunded"})
    if paid_period is None:
        reward_store.mark_reversed(tx, reward, None, "order_refunded", now, out_of_payout=True)
        payout_store.leave_unpaid(
            tx, reward.customer_id, reward_store.payout_period(reward.released_at), reward.currency
        )
    else:
        reward_store.mark_reversed(tx, reward, None, "order_refunded", now)
        payout_store.clawback(tx, reward, payouts.clawback_period(paid_period, now), now)
    reward_store.ledger(tx, reversed_reward, "reversed", "order_refunded", now)
    rewards.cost(tx, reward, variant, sign=-1)
    if reward.role == "referrer":
        tx.add(LinkModel(f"REF#{reward.referral_code}", "LINK"), {"rewarded": -1})
    return RewardChange(reward_id=reward.id, action="reversed" if paid_period is None else "clawback")


def _disable_coupon(
    tx: Transaction, reward: IssuedReward, spec: RewardSpec, code: str, variant: str | None, now: datetime
) -> RewardChange:
    """An unused coupon reward of a voided conversion: the code stops redeeming (only if still unused when the
    transaction commits: a redemption in between makes it fail, and the retry reports it not reversible)."""
    code_store.disable(tx, code, now, reward.customer_id)
    reversed_reward = reward.model_copy(update={"status": "reversed", "reversed_at": now, "reason": "order_refunded"})
    reward_store.mark_reversed(tx, reward, None, "order_refunded", now)
    reward_store.ledger(tx, reversed_reward, "reversed", "order_refunded", now)
    rewards.report(tx, "reward.reversed", reversed_reward, now)
    rewards.cost(tx, reward, variant, sign=-1, spec=spec)
    if reward.role == "referrer":
        tx.add(LinkModel(f"REF#{reward.referral_code}", "LINK"), {"rewarded": -1})
    return RewardChange(reward_id=reward.id, action="disabled", coupon_code=code)
