"""The fraud review queue: a person approves or rejects a flagged conversion."""

from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock
from passaparola.customers.record import Change
from passaparola.data import campaigns as campaign_store
from passaparola.data import conversions as store
from passaparola.data import customers as customer_store
from passaparola.data import links as link_store
from passaparola.data import rewards as reward_store
from passaparola.data import stats
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.orders import OrderModel
from passaparola.data.models.referrals import ConversionModel, LinkModel
from passaparola.data.transactions import Transaction
from passaparola.errors import CampaignDisabled, Conflict, ConversionNotFlagged
from passaparola.events import outbox
from passaparola.observability import metrics
from passaparola.referrals import funnel, rewards, rules
from passaparola.referrals.conversions import report
from passaparola.referrals.models import Conversion, ConversionPage, IssuedReward, RewardSpec
from passaparola.referrals.program import get_referral

ATTEMPTS = 5


def queue(status: str, campaign_id: str | None, limit: int, cursor: str | None) -> ConversionPage:
    items, next_cursor = store.by_status(status, campaign_id, limit, cursor)
    return ConversionPage(items=items, next_cursor=next_cursor)


def _order_of(item: ConversionModel) -> OrderModel | None:
    """The order (or custom event) a conversion came from: what is left of its amount after refunds."""
    return store.find_order(item.order_id if item.event == "first_order" else f"event#{item.order_id}")


def _net(item: ConversionModel, order: OrderModel | None) -> int:
    return int(item.amount) - (int(order.refunded or 0) if order else 0)


def rewards_of(item: ConversionModel) -> list[tuple[IssuedReward, RewardSpec]]:
    """The conversion's rewards with their terms (one BatchGet)."""
    ids = sorted(item.reward_ids or [])
    keys = [(c, r) for r in ids for c in {item.customer_id, item.referrer_customer_id}]
    return [(reward_store.to_reward(i), rewards.parse_spec(i.spec)) for i in reward_store.items(keys)]


def approve(conversion_id: str) -> Conversion:
    """Accept: the friend's reward is released now, the referrer's waits for its release time."""
    for _ in range(ATTEMPTS):
        if (decided := _approve_once(conversion_id)) is not None:
            return decided
    raise Conflict("The conversion kept changing; retry.")


def _approve_once(conversion_id: str) -> Conversion | None:
    item = store.get_item(conversion_id)
    if item.conv_status != "flagged":
        raise ConversionNotFlagged(details={"conversion_id": conversion_id, "status": item.conv_status})
    program = get_referral(item.campaign_id)
    if not program.enabled:
        raise CampaignDisabled("The program is switched off: it converts nothing.", {"campaign_id": program.id})
    held = rewards_of(item)
    link = store.read_link(item.code)
    order = _order_of(item)
    now = clock.now()
    at = datetime.fromisoformat(order.created_at) if order else store.to_conversion(item).created_at
    bucket = rules.period_bucket(program, at)
    boards = store.board_keys(program.id, rules.boards(at))
    loyalty = campaign_store.loyalty_program()
    referrer_record = customer_store.read(item.referrer_customer_id)
    friend_record = customer_store.read(item.customer_id)

    def build(tx: Transaction) -> None:
        referrer = Change(item.referrer_customer_id, referrer_record, now, loyalty)
        referrer.reason = "referral_converted"
        referrer.referral_converted(now)
        referrer.write(tx)
        link_store.count_mirror(tx, item.referrer_customer_id, program.id, {"conversions": 1})
        friend = Change(item.customer_id, friend_record, now, loyalty)
        tx.update(
            item,
            actions=[
                ConversionModel.conv_status.set("converted"),
                ConversionModel.reasons.add({"approved_by_review"}),
                ConversionModel.decided_at.set(now.isoformat()),
                ConversionModel.period_bucket.set(bucket),
                ConversionModel.boards.set(set(boards)),
            ],
            condition=ConversionModel.conv_status == "flagged",
        )
        _reviewed(tx, item, "approved", now)
        report(tx, store.to_conversion(item).model_copy(update={"status": "converted"}), now, status="approved")
        if order is not None:
            tx.condition_check(OrderModel, order.id, condition=OrderModel.refunded == int(order.refunded or 0))
        tx.add(LinkModel(f"REF#{item.code}", "LINK"), {"flagged": -1, "conversions": 1})
        stats.variant(
            tx,
            program.id,
            item.variant,
            {"flagged": -1, "conversions": 1},
            {"revenue": (item.currency, _net(item, order))},
        )
        if link is not None:
            before = link_store.raw_counts(link)
            after = funnel.plus(before, conversions=1)
            link_store.funnel_moved(tx, program.id, item.variant, link.created_at, before, after)
            link_store.unchanged(tx, link)
        for board in boards:
            store.board_update(tx, board, item.code, item.referrer_customer_id, link.name if link else None, 1)
        store.counter_update(tx, (f"REF#{item.code}", f"LIMIT#{bucket}"), 1, None)
        for reward, spec in held:
            if reward.status != "pending":
                continue
            if reward.role == "referee" and not rewards.waits_for_loyalty(spec, loyalty):
                released = rewards.release(tx, reward, spec, item.variant, now, "approved_by_review")
                if released.points and item.customer_id != item.referrer_customer_id:
                    friend.credit_reward(released.points, "referral_reward", released.id)
            else:
                reward_store.unhold(tx, reward)
        if friend.dirty:
            friend.write(tx)

    try:
        store.write(build)
    except store.Rejected:
        return None
    metrics.add_metric(name="ConversionsApproved", unit=MetricUnit.Count, value=1)
    return store.to_conversion(store.get_item(conversion_id))


def reject(conversion_id: str) -> Conversion:
    """Refuse: the held rewards are voided."""
    for _ in range(ATTEMPTS):
        if (decided := _reject_once(conversion_id)) is not None:
            return decided
    raise Conflict("The conversion kept changing; retry.")


def _reject_once(conversion_id: str) -> Conversion | None:
    item = store.get_item(conversion_id)
    if item.conv_status != "flagged":
        raise ConversionNotFlagged(details={"conversion_id": conversion_id, "status": item.conv_status})
    held = rewards_of(item)
    order = _order_of(item)
    now = clock.now()

    def build(tx: Transaction) -> None:
        if order is not None:
            # the order no longer counts for this program's LTV: later refunds leave it alone
            tx.update(
                order,
                actions=[OrderModel.ltv_campaign_id.remove(), OrderModel.ltv_variant.remove()],
                condition=OrderModel.refunded == int(order.refunded or 0),
            )
        tx.update(
            item,
            actions=[
                ConversionModel.conv_status.set("rejected"),
                ConversionModel.reasons.add({"rejected_by_review"}),
                ConversionModel.decided_at.set(now.isoformat()),
            ],
            condition=ConversionModel.conv_status == "flagged",
        )
        _reviewed(tx, item, "rejected", now)
        tx.add(LinkModel(f"REF#{item.code}", "LINK"), {"flagged": -1})
        stats.variant(
            tx,
            item.campaign_id,
            item.variant,
            {"flagged": -1, "rejected": 1},
            {"ltv_revenue": (item.currency, -_net(item, order)), "customers": (item.currency, -1)},
        )
        acquired = {"revenue": (item.currency, -_net(item, order)), "customers": (item.currency, -1)}
        stats.cohort(tx, item.campaign_id, item.variant, stats.acquired_day(order, item.created_at), money=acquired)
        # The friend stays "already referred" (no second referral) but no longer counts as this
        # program's customer: their later orders leave its LTV alone.
        tx.update(
            CustomerModel(item.customer_id, "facts"),
            actions=[CustomerModel.referred_campaign_id.remove(), CustomerModel.referred_variant.remove()],
        )
        for reward, _ in held:
            if reward.status == "pending":
                rewards.void(tx, reward, now, "rejected_by_review")

    try:
        store.write(build)
    except store.Rejected:
        return None
    metrics.add_metric(name="ConversionsRejected", unit=MetricUnit.Count, value=1)
    return store.to_conversion(store.get_item(conversion_id))


def _reviewed(tx: Transaction, item: ConversionModel, decision: str, at: datetime) -> None:
    data = {"referral_code": item.code, "campaign_id": item.campaign_id, "conversion_id": item.id, "decision": decision}
    outbox.record(tx, "referral.reviewed", data, customer_id=item.customer_id, at=at)
