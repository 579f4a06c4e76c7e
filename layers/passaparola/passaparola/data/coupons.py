"""Codes and redemptions: the coupon engine's reads and its all-or-nothing writes.

Round trips: reading what a redemption needs is one TransactGetItems once the code's campaign is known
(a code never changes campaign, so that binding is cached per container); writing a redemption or its
rollback is one TransactWriteItems whose conditions enforce every limit — never read-then-write.
"""

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import size
from pynamodb.expressions.update import Action
from pynamodb.models import Model, _ModelFuture
from pynamodb.transactions import TransactGet

from passaparola.campaigns.models import DiscountCampaign
from passaparola.clock import iso
from passaparola.coupons import rules as coupon_rules
from passaparola.coupons.models import ApplicableItem, Code, Redemption
from passaparola.coupons.rules import CustomerFacts, code_expires_at
from passaparola.data import idempotency, shards, stats, transactions
from passaparola.data.campaigns import to_campaign
from passaparola.data.models.campaigns import CampaignModel, CodeBatchModel
from passaparola.data.models.coupons import CodeModel, OrderLockModel, RedemptionModel
from passaparola.data.models.customers import CouponMirrorModel, CustomerCampaignModel, CustomerModel
from passaparola.data.models.messages import MessageStatsModel
from passaparola.data.models.referrals import IdentityModel
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.data.transactions import Transaction
from passaparola.errors import AlreadyRolledBack, Conflict, NotFound
from passaparola.events import outbox
from passaparola.events.types import CouponIssued, CouponRedeemed, CouponRolledBack

M = TypeVar("M", bound=Model)
TRANSACTION_MAX_ITEMS = 100
_CAMPAIGN_OF_CODE: OrderedDict[str, str] = OrderedDict()
_CAMPAIGN_OF_CODE_MAX = 100_000


SoldOut = shards.SoldOut


class WriteRejected(Exception):
    """A condition of the redemption transaction failed: the state changed since it was read."""


class BatchProgressMoved(Exception):
    """Another worker advanced this code batch since it was read."""


@dataclass(frozen=True)
class Snapshot:
    """Everything the rules need to judge one code for one customer and order, read at once."""

    code: Code | None
    campaign: DiscountCampaign | None
    customer: CustomerFacts | None
    redemption_id_for_order: str | None
    token_epoch: int = 0  # the customer record's, for a customer token to be checked against


def order_lock_id(code: str, order_id: str) -> str:
    return "ord_" + hashlib.sha256(f"{code}\n{order_id}".encode()).hexdigest()


def _remember(code: str, campaign_id: str) -> None:
    _CAMPAIGN_OF_CODE[code] = campaign_id
    _CAMPAIGN_OF_CODE.move_to_end(code)
    if len(_CAMPAIGN_OF_CODE) > _CAMPAIGN_OF_CODE_MAX:
        _CAMPAIGN_OF_CODE.popitem(last=False)


def to_code(item: CodeModel) -> Code:
    code = Code(
        code=item.code,
        campaign_id=item.campaign_id,
        customer_id=item.customer_id,
        batch_id=item.batch_id,
        created_at=item.created_at,
        issued_at=item.issued_at,
        expires_at=item.expires_at,
        redemptions=int(item.redemptions or 0),
        balance=None if item.balance is None else int(item.balance),
        message_id=item.message_id,
        disabled_at=item.disabled_at,
        switched_off_at=item.switched_off_at,
        referral_code=item.referral_code,
        bound_email_hash=item.bound_email_hash,
        referrer_id=item.referrer_id,
    )
    code._message_stats = item.message_stats
    code._reward_stats = item.reward_stats
    return code


def _code_item(code: Code) -> CodeModel:
    return CodeModel(
        code.code,
        campaign_id=code.campaign_id,
        customer_id=code.customer_id,
        batch_id=code.batch_id,
        created_at=code.created_at,
        issued_at=code.issued_at,
        expires_at=code.expires_at,
        redemptions=code.redemptions,
        balance=code.balance,
        message_id=code.message_id,
        message_stats=code._message_stats,
        reward_stats=code._reward_stats,
        referral_code=code.referral_code,
        bound_email_hash=code.bound_email_hash,
        referrer_id=code.referrer_id,
    )


_CODE_ITEM_FIELDS = (
    "campaign_id",
    "customer_id",
    "batch_id",
    "created_at",
    "issued_at",
    "expires_at",
    "redemptions",
    "balance",
    "message_id",
    "referral_code",
    "bound_email_hash",
    "referrer_id",
)
"""The fields `_code_item` gives a new code's item (besides its key and the two private stats)."""


def _code_attributes(code: Code, memo: dict[tuple[str, Any], tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """`_code_item(code)`'s attributes as pynamodb serialises them, by the same attributes' serialisers.

    A Model instance and its generic serialisation cost ~80 µs per code, most of a 100,000-code batch's
    client side; this keeps the item identical (tests compare the two) at a fraction of it. `memo` holds
    the values already serialised for the chunk (its campaign, batch, timestamps, counters are shared).
    """
    attributes = CodeModel.get_attributes()
    values = [(name, getattr(code, name)) for name in _CODE_ITEM_FIELDS]
    values += [("message_stats", code._message_stats), ("reward_stats", code._reward_stats)]
    item = {"code": {"S": code.code}}
    for name, value in values:
        if value is not None:
            if (serialised := memo.get((name, value))) is None:
                attribute = attributes[name]
                serialised = (attribute.attr_name, {attribute.attr_type: attribute.serialize(value)})
                memo[(name, value)] = serialised
            item[serialised[0]] = serialised[1]
    return item


def load(code: str, customer_id: str | None, order_id: str | None, email_hash: str | None = None) -> Snapshot:
    """Read code, campaign, customer facts and the order's earlier redemption in one round trip (two cold).

    With the cart's `email_hash`, what is known of that email (an earlier order under any customer id) is read
    in the same round trip: a friend coupon is for a first order."""
    campaign_id = _CAMPAIGN_OF_CODE.get(code)
    cached = shards.cached_read(code)  # a hot code's items, kept for a second
    if cached is not None:
        campaign_id = cached[1].id

    def first(tx: TransactGet) -> tuple[_ModelFuture[Any] | None, ...]:
        return (
            tx.get(CodeModel, code) if cached is None else None,
            tx.get(CampaignModel, campaign_id) if campaign_id and cached is None else None,
            tx.get(CustomerModel, customer_id, "facts") if customer_id else None,
            tx.get(CustomerCampaignModel, customer_id, f"campaign#{campaign_id}")
            if customer_id and campaign_id
            else None,
            tx.get(OrderLockModel, order_lock_id(code, order_id)) if order_id else None,
            tx.get(IdentityModel, f"EMAIL#{email_hash}", "FACTS") if email_hash else None,
            idempotency.read(tx),
        )

    anything = cached is None or customer_id or order_id or email_hash or idempotency.PENDING.get() is not None
    f_code, f_campaign, f_facts, f_usage, f_lock, f_ident, f_key = transactions.read(first) if anything else (None,) * 7
    idempotency.check(f_key)  # a request's Idempotency-Key already answered: replayed from this one read
    code_item = transactions.maybe(f_code) if cached is None else cached[0]
    facts = transactions.maybe(f_facts)
    epoch = int(facts.token_epoch or 0) if facts else 0
    if code_item is None:
        return Snapshot(None, None, None, None, epoch)
    campaign_item = transactions.maybe(f_campaign) if cached is None else cached[1]
    usage = transactions.maybe(f_usage)
    if campaign_id != code_item.campaign_id:
        campaign_id = code_item.campaign_id
        _remember(code, campaign_id)

        def second(tx: TransactGet) -> tuple[_ModelFuture[Any] | None, ...]:
            return (
                tx.get(CampaignModel, campaign_id),
                tx.get(CustomerCampaignModel, customer_id, f"campaign#{campaign_id}") if customer_id else None,
            )

        f_campaign, f_usage = transactions.read(second)
        campaign_item, usage = transactions.maybe(f_campaign), transactions.maybe(f_usage)
    hot = cached is None and campaign_item is not None and campaign_item.hot_shards
    if hot and coupon_rules.shared_code(to_code(code_item)):
        shards.remember_read(code, code_item, campaign_item)
    lock, ident = transactions.maybe(f_lock), transactions.maybe(f_ident)
    orders = set(facts.order_ids or set()) if facts else set()
    if ident is not None and ident.first_order_id:
        orders.add(ident.first_order_id)
    customer = (
        CustomerFacts(
            order_count=len(orders - {order_id}),
            campaign_redemptions=int(usage.redemptions or 0) if usage else 0,
        )
        if customer_id or email_hash
        else None
    )
    return Snapshot(
        code=to_code(code_item),
        campaign=_discount(campaign_item),
        customer=customer,
        redemption_id_for_order=lock.redemption_id if lock else None,
        token_epoch=epoch,
    )


def _discount(item: CampaignModel | None) -> DiscountCampaign | None:
    campaign = to_campaign(item) if item else None
    return campaign if isinstance(campaign, DiscountCampaign) else None


def _redemption_item(r: Redemption, gift_card_amount: int, new_customer: bool, facts: "_CodeFacts") -> RedemptionModel:
    return RedemptionModel(
        r.id,
        code=r.code,
        campaign_id=r.campaign_id,
        customer_id=r.customer_id,
        order_id=r.order_id,
        order_amount=r.order_amount,
        currency=r.currency,
        discount_amount=r.discount_amount,
        order_amount_after=r.order_amount_after,
        gift_card_amount=gift_card_amount,
        applicable_items=json.dumps([i.model_dump() for i in r.applicable_items]),
        status=r.status,
        created_at=r.created_at.isoformat(),
        new_customer=new_customer or None,
        code_facts=facts.dumps(),
    )


def order_revenue(order_amount: int, discount_amount: int) -> int:
    """What the customer paid for an order carrying the code: the amount `POST /v1/orders` records too."""
    return order_amount - discount_amount


def to_redemption(item: RedemptionModel) -> Redemption:
    return Redemption(
        id=item.id,
        code=item.code,
        campaign_id=item.campaign_id,
        customer_id=item.customer_id,
        order_id=item.order_id,
        order_amount=int(item.order_amount),
        currency=item.currency,
        discount_amount=int(item.discount_amount),
        order_amount_after=int(item.order_amount_after),
        applicable_items=[ApplicableItem.model_validate(i) for i in json.loads(item.applicable_items)],
        status=item.status,  # type: ignore[arg-type]
        created_at=datetime.fromisoformat(item.created_at),
        rolled_back_at=datetime.fromisoformat(item.rolled_back_at) if item.rolled_back_at else None,
    )


def commit_redemption(
    redemption: Redemption,
    campaign: DiscountCampaign,
    code: Code,
    gift_card_amount: int,
    new_customer: bool = False,
    outcome: Any = None,
    guard: idempotency.Pending | None = None,
) -> None:
    """Write the redemption and move every counter it affects, each guarded by its limit, atomically.

    `new_customer`: the order is the customer's first as read; the write is then conditioned on it still being
    so (no other order recorded meanwhile), so the campaign's `new_customers` stays exact. `outcome`: what the
    service answers once this commits, stored with it when the request has a pending Idempotency-Key record.
    `guard`: the record of an enclosing request (an order) set aside for this transaction: checked, not written.

    A hot campaign (`rules.hot_shards`) takes the unit from one shard instead of its own item, and a shared code's
    item is not written (passaparola.data.shards); a drained shard is refilled and the write tried again.
    SoldOut when no shard has budget left.
    """
    rules = campaign.rules
    n_shards = coupon_rules.hot_shards(campaign)
    code_item_written = not (n_shards and coupon_rules.shared_code(code))
    shard = [shards.choose(campaign.id, n_shards) if n_shards else -1]  # SoldOut when just seen so
    customer_id = redemption.customer_id
    new_customer = bool(new_customer and customer_id)

    paid = order_revenue(redemption.order_amount, redemption.discount_amount)
    # a friend coupon's first redemption with a customer id binds it to that customer
    binds_to = customer_id if code.bound_email_hash and not code.customer_id else None

    def build(tx: Transaction) -> None:
        facts = _CodeFacts(code.customer_id or binds_to, code._message_stats, code._reward_stats)
        if n_shards:
            facts = facts._replace(shard=shard[0], code_counted=code_item_written)
        tx.save(
            _redemption_item(redemption, gift_card_amount, new_customer, facts),
            condition=RedemptionModel.id.does_not_exist(),
        )
        tx.save(
            OrderLockModel(order_lock_id(code.code, redemption.order_id), redemption_id=redemption.id),
            condition=OrderLockModel.id.does_not_exist(),
        )
        code_condition = (
            CodeModel.code.exists()
            & CodeModel.disabled_at.does_not_exist()
            & CodeModel.switched_off_at.does_not_exist()  # a code switched off before this commits never redeems
        )
        code_actions: list[Action] = [CodeModel.redemptions.add(1)]
        per_code = coupon_rules.per_code_limit(campaign, code)
        if per_code:
            code_condition &= CodeModel.redemptions < per_code
        if binds_to:
            code_actions.append(CodeModel.customer_id.set(binds_to))
            code_condition &= CodeModel.customer_id.does_not_exist()
        if gift_card_amount:
            code_condition &= CodeModel.balance >= gift_card_amount
            code_actions.append(CodeModel.balance.add(-gift_card_amount))
        if code_item_written:
            tx.update(CodeModel(code.code), actions=code_actions, condition=code_condition)
        if code._message_stats:
            tx.add(MessageStatsModel(code._message_stats), {"redeemed": 1})
            _message_day(tx, code._message_stats, 1, redemption.currency, paid, redemption.discount_amount)
        if code._reward_stats:
            stats.reward_coupon(
                tx, code._reward_stats, 1, redemption.created_at, redemption.currency, redemption.discount_amount
            )
        if code.customer_id:
            tx.update(
                CouponMirrorModel(code.customer_id, f"coupon#{code.code}"),
                actions=_mirror_actions(1, -gift_card_amount),
            )
        elif binds_to:
            bound = code.model_copy(update={"customer_id": binds_to})
            put_mirror(tx, bound, campaign, "friend_offer", uses=1)  # never a gift card: a coupon reward
        if n_shards:
            nth_update[:] = [len(tx._update_items)]
            public = None if code_item_written else code.code
            shards.redeem(
                tx, campaign.id, shard[0], campaign.version, redemption.currency, redemption.discount_amount, public
            )
        else:
            campaign_condition = (CampaignModel.enabled == True) & (CampaignModel.version == campaign.version)  # noqa: E712
            if rules.max_redemptions:
                campaign_condition &= CampaignModel.redemptions < rules.max_redemptions
            given = CampaignModel.discount_given[redemption.currency]
            tx.update(
                CampaignModel(campaign.id),
                actions=[CampaignModel.redemptions.add(1), given.set((given | 0) + redemption.discount_amount)],
                condition=campaign_condition,
            )
        stats.daily(
            tx,
            campaign.id,
            {"redemptions": 1, "orders": 1, "new_customers": int(new_customer)},
            {
                "discount": (redemption.currency, redemption.discount_amount),
                "revenue": (redemption.currency, paid),
                "new_customers": (redemption.currency, int(new_customer)),
            },
            shard=shard[0] if n_shards else None,
        )
        if customer_id:
            usage = CustomerCampaignModel.redemptions
            tx.update(
                CustomerCampaignModel(customer_id, f"campaign#{campaign.id}"),
                actions=[usage.add(1)],
                condition=(usage.does_not_exist() | (usage < rules.max_redemptions_per_customer))
                if rules.max_redemptions_per_customer
                else None,
            )
            orders = CustomerModel.order_ids
            only_this_order = (size(orders) == 1) & orders.contains(redemption.order_id)
            tx.update(
                CustomerModel(customer_id, "facts"),
                actions=[orders.add({redemption.order_id})],
                condition=(orders.does_not_exist() | only_this_order)
                if new_customer or coupon_rules.new_customers_only(campaign, code)
                else None,
            )
        redeemed = CouponRedeemed(
            code=code.code,
            campaign_id=campaign.id,
            redemption_id=redemption.id,
            order_id=redemption.order_id,
            discount=redemption.discount_amount,
            currency=redemption.currency,
        )
        outbox.record(tx, "coupon.redeemed", redeemed, customer_id=customer_id, at=redemption.created_at)
        idempotency.put(tx, outcome)
        idempotency.guard(tx, guard)

    nth_update: list[int] = []
    where: list[int] = []

    def attempt(tx: Transaction) -> None:
        build(tx)
        if nth_update:  # where the shard's update sits once every put is in (puts come before updates)
            where[:] = [transactions.position(tx, "update", nth_update[0])]

    for lost in range(shards.MOVE_ATTEMPTS):
        transactions.backoff(min(lost, 5))  # after a lost race for a unit, let the winners land
        try:
            transactions.write(attempt)
            break
        except TransactWriteError as exc:
            if not (where and transactions.failed_items(exc) == where):
                shards.forget_reads(code=code.code)
                idempotency.refused(guard)  # the enclosing request's key taken by another body: redeem nothing
                raise WriteRejected() from exc
            read = shards.read_all(campaign.id, n_shards)
            if read[shard[0]].left > 0:
                shards.forget_reads(code=code.code)
                idempotency.refused(guard)
                raise WriteRejected() from exc  # not its budget: the campaign changed, or the code was switched off
            shard[0] = shards.refill(campaign.id, n_shards, shard[0], read)  # SoldOut when no shard has any left
    else:
        raise Conflict("The hot campaign's shards kept draining while redeeming; retry.")
    idempotency.committed()
    _remember(code.code, campaign.id)


def refunded_redemption(redemption_id: str) -> RedemptionModel | None:
    """The redemption of a refunded order, when it still counts (not rolled back)."""
    try:
        item = RedemptionModel.get(redemption_id)
    except DoesNotExist:
        return None
    return item if item.status == "succeeded" else None


def count_refund(tx: Transaction, item: RedemptionModel, value: int, now: datetime) -> None:
    """A refund of an order carrying the code lowers the campaign's revenue of the refund's day (a later
    rollback then takes back only what is left). Conditioned on the redemption still counting: a rollback
    that landed since already took the whole revenue back, and the refund re-reads."""
    tx.update(item, actions=[RedemptionModel.refunded.add(value)], condition=RedemptionModel.status == "succeeded")
    shard = json.loads(item.code_facts).get("shard") if item.code_facts else None  # a hot campaign's day item
    stats.daily(tx, item.campaign_id, money={"revenue": (item.currency, -value)}, at=now, shard=shard)


def _message_day(
    tx: Transaction,
    message_stats: str,
    redeemed: int,
    currency: str,
    revenue: int,
    discount: int,
    at: datetime | None = None,
) -> None:
    """A re-engagement message's coupon redeemed (or rolled back): its campaign's day, on the message's variant."""
    campaign_id, variant = stats.message_variant(message_stats)
    money = {"revenue": (currency, revenue), "discount": (currency, discount)}
    stats.daily(tx, campaign_id, stats.variant_counts(variant, {"redeemed": redeemed}, money), at=at)


def get_redemption(redemption_id: str) -> Redemption:
    return to_redemption(_get_redemption_item(redemption_id))


def _get_redemption_item(redemption_id: str) -> RedemptionModel:
    try:
        item = RedemptionModel.get(redemption_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such redemption.", {"redemption_id": redemption_id}) from exc
    if not item.id.startswith("red_"):
        raise NotFound("No such redemption.", {"redemption_id": redemption_id})
    return item


class _RefundedMeanwhile(Exception):
    """A refund of the order landed between the rollback's read and its write: read again."""


def commit_rollback(redemption_id: str, now: datetime) -> Redemption:
    """Give back the use, the customer's count and any gift-card balance, in one transaction (again after a
    concurrent refund, so that what the refund took from the revenue is not taken back twice)."""
    for attempt in range(transactions.CONFLICT_ATTEMPTS):
        transactions.backoff(attempt)
        try:
            return _rollback(redemption_id, now)
        except _RefundedMeanwhile:
            continue
    raise Conflict("The redemption kept changing while being rolled back; retry.")


def _rollback_read(redemption_id: str) -> RedemptionModel:
    """The redemption; with a pending Idempotency-Key, its record in the same round (a replay ends here)."""
    if idempotency.PENDING.get() is None:
        return _get_redemption_item(redemption_id)

    def both(tx: TransactGet) -> tuple[_ModelFuture[Any], _ModelFuture[Any] | None]:
        return tx.get(RedemptionModel, redemption_id), idempotency.read(tx)

    f_item, f_key = transactions.read(both)
    idempotency.check(f_key)
    item = transactions.maybe(f_item)
    if item is None or not item.id.startswith("red_"):
        raise NotFound("No such redemption.", {"redemption_id": redemption_id})
    return item


class _CodeFacts(NamedTuple):
    owner: str | None
    message_stats: str | None
    reward_stats: str | None
    shard: int | None = None
    """A hot campaign's redemption: the shard that gave its unit (the rollback gives it back there)."""
    code_counted: bool = True
    """False when a hot campaign's shared code was redeemed without writing its item."""

    def dumps(self) -> str:
        facts: dict[str, object] = {
            "owner": self.owner,
            "message_stats": self.message_stats,
            "reward_stats": self.reward_stats,
        }
        if self.shard is not None:
            facts |= {"shard": self.shard, "code_counted": self.code_counted}
        return json.dumps(facts)


def _code_facts(item: RedemptionModel) -> _CodeFacts:
    """What the rollback moves besides the redemption: a bound code's wallet copy, and a program's or message's
    figures (even for a code redeemed without a customer id: a friend coupon redeemed with the e-mail only).
    Kept on the redemption since it has `code_facts`; an older one reads the code (one more round trip)."""
    if item.code_facts:
        facts = json.loads(item.code_facts)
        return _CodeFacts(
            facts.get("owner"),
            facts.get("message_stats"),
            facts.get("reward_stats"),
            facts.get("shard"),
            facts.get("code_counted", True),
        )
    try:
        issued = get_code(item.code)
    except NotFound:
        return _CodeFacts(None, None, None)
    return _CodeFacts(issued.customer_id, issued._message_stats, issued._reward_stats)


def _rollback(redemption_id: str, now: datetime) -> Redemption:
    item = _rollback_read(redemption_id)
    if item.status != "succeeded":
        raise AlreadyRolledBack(details={"redemption_id": redemption_id, "rolled_back_at": item.rolled_back_at})
    rolled_back_at = now.isoformat()
    gift = int(item.gift_card_amount or 0)
    owner, message_stats, reward_stats, shard, code_counted = _code_facts(item)
    rolled = to_redemption(item).model_copy(update={"status": "rolled_back", "rolled_back_at": now})

    paid = order_revenue(int(item.order_amount), int(item.discount_amount)) - int(item.refunded or 0)
    refunded = RedemptionModel.refunded
    refunded_as_read = (
        (refunded == int(item.refunded)) if item.refunded else (refunded.does_not_exist() | (refunded == 0))
    )

    def build(tx: Transaction) -> None:
        tx.update(
            item,
            actions=[RedemptionModel.status.set("rolled_back"), RedemptionModel.rolled_back_at.set(rolled_back_at)],
            condition=(RedemptionModel.status == "succeeded") & refunded_as_read,
        )
        code_actions: list[Action] = [CodeModel.redemptions.add(-1)] if code_counted else []
        if gift:
            code_actions.append(CodeModel.balance.add(gift))
        if code_actions:
            tx.update(CodeModel(item.code), actions=code_actions)
        if message_stats:
            tx.add(MessageStatsModel(message_stats), {"redeemed": -1})
            _message_day(tx, message_stats, -1, item.currency, -paid, -int(item.discount_amount), now)
        if reward_stats:
            stats.reward_coupon(tx, reward_stats, -1, now, item.currency, int(item.discount_amount))
        if owner:
            tx.update(CouponMirrorModel(owner, f"coupon#{item.code}"), actions=_mirror_actions(-1, gift))
        if shard is not None:
            shards.give_back(tx, item.campaign_id, shard, item.currency, int(item.discount_amount))
        else:
            given = CampaignModel.discount_given[item.currency]
            central[:] = [len(tx._update_items)]
            tx.update(
                CampaignModel(item.campaign_id),
                actions=[
                    CampaignModel.redemptions.add(-1),
                    CampaignModel.rolled_back.add(1),
                    given.set((given | 0) - int(item.discount_amount)),
                ],
                condition=None if became_hot else CampaignModel.hot_shards.does_not_exist(),
            )
            if became_hot:  # counted centrally before the campaign became hot: its unit goes back to a shard
                shards.give_budget(tx, item.campaign_id, 0, 1)
        stats.daily(
            tx,
            item.campaign_id,
            {"redemptions": -1, "orders": -1, "new_customers": -int(bool(item.new_customer))},
            {
                "discount": (item.currency, -int(item.discount_amount)),
                "revenue": (item.currency, -paid),
                "new_customers": (item.currency, -int(bool(item.new_customer))),
            },
            now,
            shard=shard,
        )
        if item.customer_id:
            tx.update(
                CustomerCampaignModel(item.customer_id, f"campaign#{item.campaign_id}"),
                actions=[CustomerCampaignModel.redemptions.add(-1)],
            )
            tx.update(
                CustomerModel(item.customer_id, "facts"), actions=[CustomerModel.order_ids.delete({item.order_id})]
            )
        tx.delete(OrderLockModel(order_lock_id(item.code, item.order_id)))
        rolled_back = CouponRolledBack(
            code=item.code,
            campaign_id=item.campaign_id,
            redemption_id=item.id,
            order_id=item.order_id,
            discount=int(item.discount_amount),
            currency=item.currency,
        )
        outbox.record(tx, "coupon.rolled_back", rolled_back, customer_id=item.customer_id, at=now)
        idempotency.put(tx, rolled)

    where: list[int] = []
    central: list[int] = []
    became_hot: list[bool] = []

    def attempt(tx: Transaction) -> None:
        build(tx)
        where[:] = [transactions.position(tx, "update")]  # the redemption's own update comes first
        if central:
            where.append(transactions.position(tx, "update", central[0]))

    try:
        try:
            transactions.write(attempt)
        except TransactWriteError as exc:
            if became_hot or len(where) < 2 or transactions.failed_items(exc) != [where[1]]:
                raise
            became_hot.append(True)  # only the campaign's `hot_shards` condition failed: it is hot now
            central.clear()
            transactions.write(attempt)
    except TransactWriteError as exc:
        idempotency.recheck()  # another request with the key committed first: its answer, or a conflict
        if where and where[0] in transactions.failed_items(exc):
            fresh = _get_redemption_item(redemption_id)
            if fresh.status == "succeeded":
                raise _RefundedMeanwhile() from exc
            raise AlreadyRolledBack(details={"redemption_id": redemption_id}) from exc
        raise
    idempotency.committed()
    return rolled


def get_code(code: str) -> Code:
    try:
        return to_code(CodeModel.get(code))
    except DoesNotExist as exc:
        raise NotFound("No such code.", {"code": code}) from exc


def succeeded_uses(code: str) -> int:
    """How many redemptions of the code still count: a hot campaign's shared code does not count them on its item.
    One Query of the `by_code` index (COUNT, a page per MB): cheap for a sale's hundreds, dear at millions."""
    return RedemptionModel.by_code.count(code, filter_condition=RedemptionModel.status == "succeeded")


def uses_of(code: str, limit: int = 100) -> list[Redemption]:
    return [to_redemption(i) for i in RedemptionModel.by_code.query(code, limit=limit, scan_index_forward=False)]


def uses_page(code: str, limit: int, cursor: str | None) -> tuple[list[Redemption], str | None]:
    """A code's redemptions, newest first: one Query of the `by_code` index per page."""
    start = decode_cursor(cursor, {"id", "code", "created_at"}, {"code": code})
    result = RedemptionModel.by_code.query(code, limit=limit, last_evaluated_key=start, scan_index_forward=False)
    return [to_redemption(i) for i in result], encode_cursor(result.last_evaluated_key)


def campaign_redemptions_page(campaign_id: str, limit: int, cursor: str | None) -> tuple[list[Redemption], str | None]:
    """A campaign's redemptions, newest first: one Query of the `by_campaign` index per page."""
    start = decode_cursor(cursor, {"id", "campaign_id", "created_at"}, {"campaign_id": campaign_id})
    result = RedemptionModel.by_campaign.query(
        campaign_id, limit=limit, last_evaluated_key=start, scan_index_forward=False
    )
    return [to_redemption(i) for i in result], encode_cursor(result.last_evaluated_key)


def switch(code: str, off_at: datetime | None) -> Code:
    """Switch one code off (`off_at`) or on again: one conditional update, so once it has returned no
    redemption commits (the redemption transaction requires the attribute to be absent). Switching off a code
    already off keeps its first time; NotFound for a code that does not exist."""
    item = CodeModel(code)
    actions: list[Action]
    if off_at is not None:
        actions = [CodeModel.switched_off_at.set(off_at)]
        condition = CodeModel.code.exists() & CodeModel.switched_off_at.does_not_exist()
    else:
        actions, condition = [CodeModel.switched_off_at.remove()], CodeModel.code.exists()
    try:
        transactions.retrying(lambda: item.update(actions=actions, condition=condition))
    except UpdateError as exc:
        if not transactions.condition_failed(exc):
            raise
        try:
            return to_code(CodeModel.get(code, consistent_read=True))  # already off
        except DoesNotExist as missing:
            raise NotFound("No such code.", {"code": code}) from missing
    return to_code(item)


def switch_on_shards(campaign_id: str, n: int, code: str, off: bool) -> None:
    """A hot campaign's shared code switched: its shards refuse it (`off`) or take it again."""
    shards.switch_code(campaign_id, n, code, off)
    shards.forget_reads(code=code)


def add_codes(
    codes: list[Code],
    batch_id: str | None = None,
    batch_created_before: int = 0,
    issuer: DiscountCampaign | None = None,
) -> set[str]:
    """Write up to 98 new codes with the campaign's counter (and the batch's progress) in one transaction.

    Returns the codes that already existed (nothing was written then: the caller draws new ones and
    retries). A batch's progress counter is conditioned on its previous value, so a redelivered batch
    message can never write the same chunk twice.
    """
    mirrored = issuer is not None and any(c.customer_id for c in codes)
    assert codes and len(codes) * (3 if mirrored else 1) <= TRANSACTION_MAX_ITEMS - 2
    where: list[int] = []

    def build(tx: Transaction) -> None:
        first = _code_item(codes[0]).get_save_kwargs_from_instance(condition=CodeModel.code.does_not_exist())
        tx.put_serialized(CodeModel, first)  # codes first, so that a failed put's index is its code's
        memo: dict[tuple[str, Any], tuple[str, dict[str, Any]]] = {}
        for c in codes[1:]:
            tx.put_serialized(CodeModel, first | {"Item": _code_attributes(c, memo)})
        for c in codes:
            if issuer is not None and c.customer_id:
                put_mirror(tx, c, issuer, "manual")
                _issued(tx, c, "manual", issuer)
        tx.update(
            CampaignModel(codes[0].campaign_id),
            actions=[CampaignModel.codes_issued.add(len(codes))],
            condition=CampaignModel.id.exists() & (CampaignModel.kind == "campaign"),
        )
        if batch_id:
            tx.update(
                CodeBatchModel(batch_id),
                actions=[CodeBatchModel.created.add(len(codes)), CodeBatchModel.status.set("running")],
                condition=CodeBatchModel.created == batch_created_before,
            )
            where[:] = [transactions.position(tx, "update", 1)]

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        failed = transactions.failed_items(exc)
        if where and where[0] in failed:
            raise BatchProgressMoved() from exc
        taken = {codes[i].code for i in failed if i < len(codes)}
        if not taken:
            raise NotFound("No such campaign.", {"campaign_id": codes[0].campaign_id}) from exc
        return taken
    return set()


def codes_page(campaign_id: str, limit: int, cursor: str | None) -> tuple[list[Code], str | None]:
    start = decode_cursor(cursor, {"code", "campaign_id"}, {"campaign_id": campaign_id})
    result = CodeModel.by_campaign.query(campaign_id, limit=limit, last_evaluated_key=start)
    items = [to_code(i) for i in result]
    return items, encode_cursor(result.last_evaluated_key)


def batch_codes_page(batch_id: str, limit: int, cursor: str | None) -> tuple[list[Code], str | None]:
    """A batch's codes: one Query of the sparse `by_batch` index per page."""
    start = decode_cursor(cursor, {"code", "batch_id"}, {"batch_id": batch_id})
    result = CodeModel.by_batch.query(batch_id, limit=limit, last_evaluated_key=start)
    return [to_code(i) for i in result], encode_cursor(result.last_evaluated_key)


def put_code(tx: Transaction, code: Code, issuer: DiscountCampaign | None = None, source: str = "reward") -> None:
    """Write one new code and count it on its campaign, inside a caller's transaction (rewards)."""
    tx.save(_code_item(code), condition=CodeModel.code.does_not_exist())
    tx.add(CampaignModel(code.campaign_id), {"codes_issued": 1})  # merged: two rewards may share an issuer
    if issuer is not None:
        put_mirror(tx, code, issuer, source)
    _issued(tx, code, source, issuer)


def _issued(tx: Transaction, code: Code, source: str, issuer: DiscountCampaign | None) -> None:
    """`coupon.issued` for a code bound to a customer (a public code is no fact about anyone)."""
    if not code.customer_id:
        return
    expires = code_expires_at(issuer.rules, code.issued_at or code.created_at) if issuer else None
    if code.expires_at and (expires is None or code.expires_at < expires):
        expires = code.expires_at
    data = CouponIssued(code=code.code, campaign_id=code.campaign_id, source=source, expires_at=expires)
    outbox.record(tx, "coupon.issued", data, customer_id=code.customer_id)


def put_mirror(tx: Transaction, code: Code, issuer: DiscountCampaign, source: str, uses: int = 0) -> None:
    """A customer-bound code's copy in the customer's partition, so the wallet lists it in its one read."""
    if not code.customer_id:
        return
    expires = code_expires_at(issuer.rules, code.issued_at or code.created_at)
    if code.expires_at and (expires is None or code.expires_at < expires):
        expires = code.expires_at
    tx.save(
        CouponMirrorModel(
            code.customer_id,
            f"coupon#{code.code}",
            code=code.code,
            campaign_id=code.campaign_id,
            expires_at=iso(expires) if expires else None,
            uses=uses,
            balance=code.balance,
            currency=issuer.rules.currency,
            source=source,
        )
    )


def _mirror_actions(uses: int, balance: int) -> list[Action]:
    actions: list[Action] = [CouponMirrorModel.uses.add(uses)]
    if balance:
        actions.append(CouponMirrorModel.balance.add(balance))
    return actions


class CodeCounts(NamedTuple):
    balance: int
    """Remaining gift-card balance."""
    redemptions: int


def code_counts(codes: list[str]) -> dict[str, CodeCounts]:
    """Each code's remaining balance and redemptions (one BatchGet)."""
    items = CodeModel.batch_get(codes, consistent_read=True)
    return {i.code: CodeCounts(int(i.balance or 0), int(i.redemptions or 0)) for i in items}


def take_balance(tx: Transaction, code: str, amount: int, seen: int, owner: str | None = None) -> None:
    """Remove unspent credit from a gift card, only if its balance is still what was read (and its wallet copy)."""
    tx.update(CodeModel(code), actions=[CodeModel.balance.add(-amount)], condition=CodeModel.balance == seen)
    if owner:
        tx.update(CouponMirrorModel(owner, f"coupon#{code}"), actions=[CouponMirrorModel.balance.add(-amount)])


def disable(tx: Transaction, code: str, at: datetime, owner: str | None = None) -> None:
    """The code stops redeeming, only if it is still unused (a concurrent redemption wins; the caller re-reads);
    its wallet copy goes."""
    tx.update(
        CodeModel(code),
        actions=[CodeModel.disabled_at.set(at)],
        condition=CodeModel.code.exists() & (CodeModel.redemptions == 0),
    )
    if owner:
        tx.delete(CouponMirrorModel(owner, f"coupon#{code}"))


def forget_email(code: str) -> None:
    """Erasure: a friend coupon bound to its customer no longer needs the hash of the email it was issued to."""
    try:
        CodeModel(code).update(actions=[CodeModel.bound_email_hash.remove()], condition=CodeModel.code.exists())
    except UpdateError as exc:
        if not transactions.condition_failed(exc):
            raise
