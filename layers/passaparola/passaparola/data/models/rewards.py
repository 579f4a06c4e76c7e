"""Rewards, their ledger and payouts, and the points ledger that referral rewards and loyalty both write
(rewards table)."""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from passaparola.data.models import register


class DueIndex(GlobalSecondaryIndex["RewardModel"]):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    release_at = UnicodeAttribute(range_key=True)


class RewardsByReferralIndex(GlobalSecondaryIndex["RewardModel"]):
    class Meta:
        index_name = "by_referral"
        projection = AllProjection()

    referral_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RewardsByDayIndex(GlobalSecondaryIndex["RewardModel"]):
    """Accounting across customers: `day="reward#<UTC day>"`, `at` its creation (items written before have none)."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class PointsByDayIndex(GlobalSecondaryIndex["PointsLedgerModel"]):
    """The same index holding points ledger lines: `day="points#<UTC day>"`."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class RewardModel(Model):
    """A reward (`sk=REWARD#<id>`) in its customer's partition; `due` is set only while it awaits release."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    referral_code = UnicodeAttribute()
    conversion_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    type = UnicodeAttribute()
    status = UnicodeAttribute()
    held = BooleanAttribute(default=False)
    spec = UnicodeAttribute()
    """The reward's terms (JSON) as they were when it was earned."""
    coupon_code = UnicodeAttribute(null=True)
    amount = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    tier = NumberAttribute(null=True)
    reason = UnicodeAttribute()
    due = UnicodeAttribute(null=True)
    release_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    released_at = UnicodeAttribute(null=True)
    voided_at = UnicodeAttribute(null=True)
    reversed_at = UnicodeAttribute(null=True)
    not_reversed = NumberAttribute(null=True)
    payout_period = UnicodeAttribute(null=True)
    """`YYYY-MM` a released cash reward is paid in (its `PAYABLE#` line lists it; removed when reversed unpaid)."""
    day = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    """`clock.iso(created_at)`: the by_day index's sort key (one format, so that ranges compare as text)."""
    due_index = DueIndex()
    by_referral = RewardsByReferralIndex()
    by_day = RewardsByDayIndex()


class PayableIndex(GlobalSecondaryIndex["PayableLineModel"]):
    """The by_day index holding payout lines: `day="payout#<YYYY-MM>"`, `at=<hash>#<currency>#<sk>`."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class PayableLineModel(Model):
    """A line of a month's payouts, read through the by_day index (`at=<hash>#<cur>#<sk>`, so a payout's lines are
    contiguous): a released cash reward's `PAYABLE#<reward>` item, written with the reward's release and taken out of
    the index (no `day`) by its unpaid reversal, or a clawback of a paid one refunded later (`CLAWBACK#<reward>`, a negative amount). Separate
    small items rather than an index on the rewards: DynamoDB adds one GSI per table update, and by_day was new."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    day = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute(null=True)
    reward_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    payable = PayableIndex()


class PayoutModel(Model):
    """`sk=PAYOUT#<YYYY-MM>#<currency>` in the referrer's partition: whether that payout was settled (written once),
    and `changes`, raised by every reversal that takes a reward out of it before then (marking it paid is
    conditioned on the value read, so the amount paid is the amount computed)."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    changes = NumberAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    amount = NumberAttribute(null=True)
    rewards = NumberAttribute(null=True)


class LedgerModel(Model):
    """One line of the append-only rewards ledger (`sk=LEDGER#<at>#<reward>#<event>`): never updated."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    reward_id = UnicodeAttribute()
    event = UnicodeAttribute()
    type = UnicodeAttribute()
    amount = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    coupon_code = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    at = UnicodeAttribute()


class LedgerGuardModel(Model):
    """`sk=ENTRY#<reward>#<event>`: makes each ledger event happen once whatever the retries."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class PointsLedgerModel(Model):
    """One line of the append-only points ledger (`sk=POINTS#<at>#<id>`): never updated."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    type = UnicodeAttribute()
    points = NumberAttribute()
    balance_after = NumberAttribute(null=True)
    pending_after = NumberAttribute(null=True)
    reason = UnicodeAttribute()
    source_id = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    day = UnicodeAttribute(null=True)
    by_day = PointsByDayIndex()


register(RewardModel, "rewards_table")
register(PayableLineModel, "rewards_table")
register(PayoutModel, "rewards_table")
register(LedgerModel, "rewards_table")
register(LedgerGuardModel, "rewards_table")
register(PointsLedgerModel, "rewards_table")
